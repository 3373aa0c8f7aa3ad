//! Hexadecimal floating point: short, long and extended.
//!
//! Placeholders until written: each gives an operation exception.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rx};
use crate::interrupt::pic;

/// 20 LPDR [Rr]
pub(crate) fn lpdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 21 LNDR [Rr]
pub(crate) fn lndr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 22 LTDR [Rr]
pub(crate) fn ltdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 23 LCDR [Rr]
pub(crate) fn lcdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 24 HDR [Rr]
pub(crate) fn hdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 25 LRDR [Rr]
pub(crate) fn lrdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 26 MXR [Rr]
pub(crate) fn mxr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 27 MXDR [Rr]
pub(crate) fn mxdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 28 LDR [Rr]
pub(crate) fn ldr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 29 CDR [Rr]
pub(crate) fn cdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 2A ADR [Rr]
pub(crate) fn adr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 2B SDR [Rr]
pub(crate) fn sdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 2C MDR [Rr]
pub(crate) fn mdr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 2D DDR [Rr]
pub(crate) fn ddr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 2E AWR [Rr]
pub(crate) fn awr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 2F SWR [Rr]
pub(crate) fn swr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 30 LPER [Rr]
pub(crate) fn lper(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 31 LNER [Rr]
pub(crate) fn lner(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 32 LTER [Rr]
pub(crate) fn lter(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 33 LCER [Rr]
pub(crate) fn lcer(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 34 HER [Rr]
pub(crate) fn her(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 35 LRER [Rr]
pub(crate) fn lrer(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 36 AXR [Rr]
pub(crate) fn axr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 37 SXR [Rr]
pub(crate) fn sxr(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 38 LER [Rr]
pub(crate) fn ler(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 39 CER [Rr]
pub(crate) fn cer(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 3A AER [Rr]
pub(crate) fn aer(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 3B SER [Rr]
pub(crate) fn ser(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 3C MER [Rr]
pub(crate) fn mer(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 3D DER [Rr]
pub(crate) fn der(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 3E AUR [Rr]
pub(crate) fn aur(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 3F SUR [Rr]
pub(crate) fn sur(_cpu: &mut Cpu, _i: Rr) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 60 STD [Rx]
pub(crate) fn std(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 67 MXD [Rx]
pub(crate) fn mxd(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 68 LD [Rx]
pub(crate) fn ld(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 69 CD [Rx]
pub(crate) fn cd(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 6A AD [Rx]
pub(crate) fn ad(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 6B SD [Rx]
pub(crate) fn sd(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 6C MD [Rx]
pub(crate) fn md(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 6D DD [Rx]
pub(crate) fn dd(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 6E AW [Rx]
pub(crate) fn aw(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 6F SW [Rx]
pub(crate) fn sw(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 70 STE [Rx]
pub(crate) fn ste(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 78 LE [Rx]
pub(crate) fn le(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 79 CE [Rx]
pub(crate) fn ce(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 7A AE [Rx]
pub(crate) fn ae(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 7B SE [Rx]
pub(crate) fn se(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 7C ME [Rx]
pub(crate) fn me(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 7D DE [Rx]
pub(crate) fn de(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 7E AU [Rx]
pub(crate) fn au(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// 7F SU [Rx]
pub(crate) fn su(_cpu: &mut Cpu, _i: Rx) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}
