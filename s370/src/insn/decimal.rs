//! Decimal arithmetic, conversion and editing.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rx, Ss};
use crate::interrupt::pic;

/// 4E CVD [Rx]
pub(crate) fn cvd(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 4F CVB [Rx]
pub(crate) fn cvb(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// DE ED [Ss1]
pub(crate) fn ed(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// DF EDMK [Ss1]
pub(crate) fn edmk(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// F0 SRP [Srp]
pub(crate) fn srp(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// F1 MVO [Ss2]
pub(crate) fn mvo(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// F2 PACK [Ss2]
pub(crate) fn pack(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// F3 UNPK [Ss2]
pub(crate) fn unpk(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// F8 ZAP [Ss2]
pub(crate) fn zap(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// F9 CP [Ss2]
pub(crate) fn cp(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// FA AP [Ss2]
pub(crate) fn ap(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// FB SP [Ss2]
pub(crate) fn sp(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// FC MP [Ss2]
pub(crate) fn mp(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// FD DP [Ss2]
pub(crate) fn dp(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
