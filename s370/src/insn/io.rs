//! Input/output instructions (PoO "Input/Output Operations").
//!
//! The processor does not perform I/O: after the privileged-operation check each
//! instruction ends [`Cpu::run`] with an [`Exit::Io`](crate::cpu::Exit::Io) naming the
//! device (bits 16-31 of the second-operand address); the caller performs it, stores a CSW
//! if needed and sets the condition code with [`Cpu::complete_io`].

use crate::cpu::{Cpu, ExecResult, IoOp};
use crate::format::S;

/// The device address of an I/O instruction: bits 16-31 of D2(B2).
#[inline(always)]
fn device(cpu: &Cpu, i: S) -> u16 {
    cpu.ea(0, i.b2, i.d2) as u16
}

/// 9C00 SIO — Start I/O [S]
#[inline]
pub(crate) fn sio(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i);
    cpu.io_request(IoOp::Sio, d)
}

/// 9C01 SIOF — Start I/O Fast Release [S]
#[inline]
pub(crate) fn siof(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i);
    cpu.io_request(IoOp::Siof, d)
}

/// 9D00 TIO — Test I/O [S]
#[inline]
pub(crate) fn tio(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i);
    cpu.io_request(IoOp::Tio, d)
}

/// 9D01 CLRIO — Clear I/O [S]
#[inline]
pub(crate) fn clrio(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i);
    cpu.io_request(IoOp::Clrio, d)
}

/// 9E00 HIO — Halt I/O [S]
#[inline]
pub(crate) fn hio(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i);
    cpu.io_request(IoOp::Hio, d)
}

/// 9E01 HDV — Halt Device [S]
#[inline]
pub(crate) fn hdv(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i);
    cpu.io_request(IoOp::Hdv, d)
}

/// 9F00 TCH — Test Channel [S]: the channel is bits 16-23 (the device field's high byte).
#[inline]
pub(crate) fn tch(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i) & 0xFF00;
    cpu.io_request(IoOp::Tch, d)
}

/// B203 STIDC — Store Channel ID [S]: the caller stores the channel ID at X'A8'.
#[inline]
pub(crate) fn stidc(cpu: &mut Cpu, i: S) -> ExecResult {
    let d = device(cpu, i) & 0xFF00;
    cpu.io_request(IoOp::Stidc, d)
}
