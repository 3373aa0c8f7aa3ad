//! Control and privileged instructions.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rs, Rx, S, Si};
use crate::interrupt::pic;

/// 04 SPM [RrR1]
pub(crate) fn spm(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 08 SSK [Rr]
pub(crate) fn ssk(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 09 ISK [Rr]
pub(crate) fn isk(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 80 SSM [S]
pub(crate) fn ssm(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 82 LPSW [S]
pub(crate) fn lpsw(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 83 DIAG [Diag]
pub(crate) fn diagnose(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 84 WRD [Si]
pub(crate) fn wrd(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 85 RDD [Si]
pub(crate) fn rdd(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// AC STNSM [Si]
pub(crate) fn stnsm(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// AD STOSM [Si]
pub(crate) fn stosm(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// AE SIGP [Rs]
pub(crate) fn sigp(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// AF MC [Si]
pub(crate) fn mc(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B1 LRA [Rx]
pub(crate) fn lra(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B202 STIDP [S]
pub(crate) fn stidp(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B204 SCK [S]
pub(crate) fn sck(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B205 STCK [S]
pub(crate) fn stck(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B206 SCKC [S]
pub(crate) fn sckc(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B207 STCKC [S]
pub(crate) fn stckc(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B208 SPT [S]
pub(crate) fn spt(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B209 STPT [S]
pub(crate) fn stpt(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B20A SPKA [S]
pub(crate) fn spka(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B20B IPK [S]
pub(crate) fn ipk(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B20D PTLB [S]
pub(crate) fn ptlb(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B210 SPX [S]
pub(crate) fn spx(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B211 STPX [S]
pub(crate) fn stpx(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B212 STAP [S]
pub(crate) fn stap(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B213 RRB [S]
pub(crate) fn rrb(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B6 STCTL [Rs]
pub(crate) fn stctl(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// B7 LCTL [Rs]
pub(crate) fn lctl(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
