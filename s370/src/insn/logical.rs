//! Logical operations, moves, compares and translation.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rs, Rx, S, Si, Ss};
use crate::interrupt::pic;

/// 0E MVCL [Rr]
pub(crate) fn mvcl(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 0F CLCL [Rr]
pub(crate) fn clcl(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 14 NR [Rr]
pub(crate) fn nr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 15 CLR [Rr]
pub(crate) fn clr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 16 OR [Rr]
pub(crate) fn or(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 17 XR [Rr]
pub(crate) fn xr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 54 N [Rx]
pub(crate) fn n(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 55 CL [Rx]
pub(crate) fn cl(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 56 O [Rx]
pub(crate) fn o(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 57 X [Rx]
pub(crate) fn x(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 88 SRL [RsShift]
pub(crate) fn srl(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 89 SLL [RsShift]
pub(crate) fn sll(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 8C SRDL [RsShift]
pub(crate) fn srdl(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 8D SLDL [RsShift]
pub(crate) fn sldl(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 91 TM [Si]
pub(crate) fn tm(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 92 MVI [Si]
pub(crate) fn mvi(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 93 TS [S]
pub(crate) fn ts(_cpu: &mut Cpu, _i: S) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 94 NI [Si]
pub(crate) fn ni(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 95 CLI [Si]
pub(crate) fn cli(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 96 OI [Si]
pub(crate) fn oi(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 97 XI [Si]
pub(crate) fn xi(_cpu: &mut Cpu, _i: Si) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// BA CS [Rs]
pub(crate) fn cs(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// BB CDS [Rs]
pub(crate) fn cds(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// BD CLM [RsMask]
pub(crate) fn clm(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// BE STCM [RsMask]
pub(crate) fn stcm(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// BF ICM [RsMask]
pub(crate) fn icm(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D1 MVN [Ss1]
pub(crate) fn mvn(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D2 MVC [Ss1]
pub(crate) fn mvc(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D3 MVZ [Ss1]
pub(crate) fn mvz(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D4 NC [Ss1]
pub(crate) fn nc(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D5 CLC [Ss1]
pub(crate) fn clc(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D6 OC [Ss1]
pub(crate) fn oc(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// D7 XC [Ss1]
pub(crate) fn xc(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// DC TR [Ss1]
pub(crate) fn tr(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// DD TRT [Ss1]
pub(crate) fn trt(_cpu: &mut Cpu, _i: Ss) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
