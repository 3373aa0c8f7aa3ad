//! Fixed-point arithmetic, loads and stores.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rs, Rx};
use crate::interrupt::pic;

/// 10 LPR [Rr]
pub(crate) fn lpr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 11 LNR [Rr]
pub(crate) fn lnr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 12 LTR [Rr]
pub(crate) fn ltr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 13 LCR [Rr]
pub(crate) fn lcr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 18 LR [Rr]
pub(crate) fn lr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 19 CR [Rr]
pub(crate) fn cr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 1A AR [Rr]
pub(crate) fn ar(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 1B SR [Rr]
pub(crate) fn sr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 1C MR [Rr]
pub(crate) fn mr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 1D DR [Rr]
pub(crate) fn dr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 1E ALR [Rr]
pub(crate) fn alr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 1F SLR [Rr]
pub(crate) fn slr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 40 STH [Rx]
pub(crate) fn sth(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 41 LA [Rx]
pub(crate) fn la(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 42 STC [Rx]
pub(crate) fn stc(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 43 IC [Rx]
pub(crate) fn ic(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 48 LH [Rx]
pub(crate) fn lh(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 49 CH [Rx]
pub(crate) fn ch(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 4A AH [Rx]
pub(crate) fn ah(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 4B SH [Rx]
pub(crate) fn sh(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 4C MH [Rx]
pub(crate) fn mh(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 50 ST [Rx]
pub(crate) fn st(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 58 L [Rx]
pub(crate) fn l(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 59 C [Rx]
pub(crate) fn c(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 5A A [Rx]
pub(crate) fn a(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 5B S [Rx]
pub(crate) fn s(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 5C M [Rx]
pub(crate) fn m(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 5D D [Rx]
pub(crate) fn d(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 5E AL [Rx]
pub(crate) fn al(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 5F SL [Rx]
pub(crate) fn sl(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 8A SRA [RsShift]
pub(crate) fn sra(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 8B SLA [RsShift]
pub(crate) fn sla(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 8E SRDA [RsShift]
pub(crate) fn srda(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 8F SLDA [RsShift]
pub(crate) fn slda(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 90 STM [Rs]
pub(crate) fn stm(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 98 LM [Rs]
pub(crate) fn lm(_cpu: &mut Cpu, _i: Rs) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
