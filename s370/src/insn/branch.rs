//! Branching, EXECUTE and SUPERVISOR CALL.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Insn, Rr, Rs, Rx};
use crate::interrupt::pic;

/// 05 BALR [Rr]
pub(crate) fn balr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 06 BCTR [Rr]
pub(crate) fn bctr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 07 BCR [RrM]
pub(crate) fn bcr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 0A SVC [I]
pub(crate) fn svc(_cpu: &mut Cpu, _i: Insn) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 44 EX [Rx]
pub(crate) fn ex(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 45 BAL [Rx]
pub(crate) fn bal(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 46 BCT [Rx]
pub(crate) fn bct(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 47 BC [RxM]
pub(crate) fn bc(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 86 BXH [Rs]
pub(crate) fn bxh(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 87 BXLE [Rs]
pub(crate) fn bxle(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
