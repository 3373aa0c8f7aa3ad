//! Input/output instructions.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::S;
use crate::interrupt::pic;

/// 9C00 SIO [S]
pub(crate) fn sio(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 9C01 SIOF [S]
pub(crate) fn siof(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 9D00 TIO [S]
pub(crate) fn tio(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 9D01 CLRIO [S]
pub(crate) fn clrio(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 9E00 HIO [S]
pub(crate) fn hio(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 9E01 HDV [S]
pub(crate) fn hdv(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 9F00 TCH [S]
pub(crate) fn tch(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B203 STIDC [S]
pub(crate) fn stidc(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
