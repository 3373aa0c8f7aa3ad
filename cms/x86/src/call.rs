//! The one way out of the virtual machine: a call to CP through the port of `cms::abi`.
//!
//! Every DIAGNOSE, I/O instruction and wait of the monitor comes through [`call`]: the block is
//! laid out in memory, its address is written to [`CALL_PORT`] with a 32-bit `OUT`, and when
//! the instruction completes CP has put its answer in the block.

use core::arch::asm;

use crate::abi::{CALL_PORT, CallBlock, irq, kind, status};

/// Makes the call described by `b` and returns CP's answer in it.
pub fn call(b: &mut CallBlock) {
    let mut raw = b.to_bytes();
    let addr = raw.as_mut_ptr() as usize as u32;
    // SAFETY: `OUT` to the call port makes the host stop the vCPU, read the block at `addr`
    // (our stack, below 4 GiB and identity-mapped), write its answer into the same block and
    // resume us; the asm block may read and write memory (no `nomem`), so the compiler does
    // not keep `raw` in registers across it. No flags or other registers change.
    unsafe {
        asm!("out dx, eax", in("dx") CALL_PORT, in("eax") addr,
             options(nostack, preserves_flags));
    }
    *b = CallBlock::from_bytes(&raw);
}

/// The result of a DIAGNOSE.
#[derive(Debug, Clone, Copy)]
pub struct DiagResult {
    /// The registers after the DIAGNOSE.
    pub gpr: [u32; 16],
    /// The condition code.
    pub cc: u8,
    /// `Some(code)` if CP answered with a program interruption instead.
    pub program_check: Option<u16>,
}

/// DIAGNOSE `code` with registers `gpr`, Rx = `rx`, Ry = `ry`.
pub fn diagnose(code: u16, rx: u8, ry: u8, gpr: [u32; 16]) -> DiagResult {
    let mut b = CallBlock { kind: kind::DIAGNOSE, code, rx, ry, gpr, ..CallBlock::default() };
    call(&mut b);
    DiagResult {
        gpr: b.gpr,
        cc: b.cc,
        program_check: (b.status == status::PROGRAM_CHECK).then_some(b.pic),
    }
}

/// An S/370 I/O instruction on `device`; returns the condition code and any CSW stored.
pub fn io(op: u16, device: u16, caw: u32) -> (u8, [u8; 8]) {
    let mut b = CallBlock { kind: kind::IO, code: op, device, caw, ..CallBlock::default() };
    call(&mut b);
    (b.cc, b.csw)
}

/// An interruption delivered by [`wait`] or [`poll`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Irq {
    /// An I/O interruption: device and CSW.
    Io(u16, [u8; 8]),
    /// An external interruption code.
    External(u16),
}

fn interruption(b: &CallBlock) -> Option<Irq> {
    match b.irq {
        irq::IO => Some(Irq::Io(b.device, b.csw)),
        irq::EXTERNAL => Some(Irq::External(b.ext_code)),
        _ => None,
    }
}

/// Waits (costing nothing) until CP has an interruption for us.
pub fn wait() -> Irq {
    loop {
        let mut b = CallBlock { kind: kind::WAIT, ..CallBlock::default() };
        call(&mut b);
        if let Some(i) = interruption(&b) {
            return i;
        }
    }
}

/// Takes a pending interruption, if there is one, without waiting.
pub fn poll() -> Option<Irq> {
    let mut b = CallBlock { kind: kind::POLL, ..CallBlock::default() };
    call(&mut b);
    interruption(&b)
}

/// Stops the machine (the x86 form of a disabled wait with `code`).
pub fn stop(code: u16) -> ! {
    loop {
        let mut b = CallBlock { kind: kind::STOP, code, ..CallBlock::default() };
        call(&mut b);
    }
}
