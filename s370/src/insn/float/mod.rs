//! Hexadecimal floating point: short, long and extended (PoO GA22-7000, chapter
//! "Floating-Point Instructions").
//!
//! Four 64-bit registers, 0, 2, 4 and 6 (`cpu.fpr[r / 2]`). A short operand is the left half
//! of a register (a short result leaves the right half unchanged); an extended operand is the
//! register pair 0-2 or 4-6. Any other register number is a specification exception, and the
//! operation is suppressed. The arithmetic itself is in [`arith`]; the functions here fetch the
//! operands, place the result, set the condition code and report the completing exceptions
//! (exponent overflow, exponent underflow, significance) after the result is stored.
//!
//! For the instruction cycle: `Err(Stop::Program(X'0C' | X'0D' | X'0E'))` comes after the
//! result and condition code are in place (the operation is completed); a specification
//! exception (X'06') or floating-point divide (X'0F') comes before anything changed
//! (suppressed); access exceptions are passed on as the storage accessors report them.
//!
//! Proof: hand-worked case tables (`tests.rs`) and a seeded differential test against
//! Hercules 3.13 (`hercules.rs`). The one known difference: an AXR/SXR significance result
//! with characteristic zero is a true zero by the book's definition, so its low-order part
//! is zero; Hercules gives it the characteristic X'72' (see `hercules::known_deviation`).
//!
//! ```text
//!   RR  | op | R1 | R2 |          RX  | op | R1 | X2 | B2 | D2 |
//!   short  | S | char(7) | fraction  6 digits |
//!   long   | S | char(7) | fraction 14 digits |
//!   extended = long high-order part (R) + long low-order part (R+2): 28 digits
//! ```

mod arith;

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rx};
use crate::interrupt::pic;
use arith::{Hfp, Outcome, Width, negated};

/// The index in `cpu.fpr` of floating-point register `r`, which must be 0, 2, 4 or 6.
#[inline(always)]
fn reg(r: usize) -> Result<usize, Stop> {
    if r & 0b1001 == 0 { Ok(r >> 1) } else { Err(Stop::Program(pic::SPECIFICATION)) }
}

/// The index in `cpu.fpr` of the high-order register of the extended pair starting at `r`,
/// which must be 0 or 4; the low-order part is at the next index.
#[inline(always)]
fn pair(r: usize) -> Result<usize, Stop> {
    if r & 0b1011 == 0 { Ok(r >> 1) } else { Err(Stop::Program(pic::SPECIFICATION)) }
}

/// The short operand in register index `i`.
#[inline(always)]
fn short(cpu: &Cpu, i: usize) -> u32 {
    (cpu.fpr[i] >> 32) as u32
}

/// Places a short result in register index `i`, leaving its right half unchanged.
#[inline(always)]
fn set_short(cpu: &mut Cpu, i: usize, v: u32) {
    cpu.fpr[i] = (cpu.fpr[i] & 0xFFFF_FFFF) | (u64::from(v) << 32);
}

/// The extended operand in the pair at index `i`.
#[inline(always)]
fn extended(cpu: &Cpu, i: usize) -> Hfp {
    Hfp::from_extended(cpu.fpr[i], cpu.fpr[i + 1])
}

/// Reports the exception an operation was completed with.
#[inline(always)]
fn completed(exc: Option<u16>) -> ExecResult {
    match exc {
        Some(code) => Err(Stop::Program(code)),
        None => Ok(()),
    }
}

/// Places a short arithmetic result, optionally sets the condition code from it, and reports.
#[inline(always)]
fn put_short(cpu: &mut Cpu, i: usize, (v, exc): Outcome, cc: bool) -> ExecResult {
    set_short(cpu, i, v.to_short());
    if cc {
        cpu.psw.cc = v.cc();
    }
    completed(exc)
}

/// Places a long arithmetic result, optionally sets the condition code from it, and reports.
#[inline(always)]
fn put_long(cpu: &mut Cpu, i: usize, (v, exc): Outcome, cc: bool) -> ExecResult {
    cpu.fpr[i] = v.to_long();
    if cc {
        cpu.psw.cc = v.cc();
    }
    completed(exc)
}

/// Places an extended arithmetic result in the pair at `i`, optionally sets the condition
/// code from it, and reports.
#[inline(always)]
fn put_extended(cpu: &mut Cpu, i: usize, (v, exc): Outcome, cc: bool) -> ExecResult {
    (cpu.fpr[i], cpu.fpr[i + 1]) = v.to_extended();
    if cc {
        cpu.psw.cc = v.cc();
    }
    completed(exc)
}

/// Fetches the short second operand of an RX instruction (after checking R1).
#[inline(always)]
fn fetch_short(cpu: &mut Cpu, i: Rx) -> Result<u32, Stop> {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.read_u32(a)
}

/// Fetches the long second operand of an RX instruction (after checking R1).
#[inline(always)]
fn fetch_long(cpu: &mut Cpu, i: Rx) -> Result<u64, Stop> {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.read_u64(a)
}

/// The operations sharing the short and long add/subtract/compare/multiply/divide shape.
#[derive(Clone, Copy)]
enum Op {
    /// ADD NORMALIZED.
    Add,
    /// SUBTRACT NORMALIZED.
    Sub,
    /// ADD UNNORMALIZED.
    AddU,
    /// SUBTRACT UNNORMALIZED.
    SubU,
    /// COMPARE.
    Cmp,
    /// MULTIPLY (short operands give a long product).
    Mul,
    /// DIVIDE.
    Div,
}

/// Performs `op` on first operand `a` (register index `r1`) and second operand `b`, both of
/// width `w` (short or long), and places the result.
#[inline(always)]
fn binary(cpu: &mut Cpu, op: Op, w: Width, r1: usize, a: Hfp, b: Hfp) -> ExecResult {
    let pm = cpu.psw.progmask;
    let out = match op {
        Op::Add => arith::add_normalized(a, b, w, pm),
        Op::Sub => arith::add_normalized(a, negated(b), w, pm),
        Op::AddU => arith::add_unnormalized(a, b, w, pm),
        Op::SubU => arith::add_unnormalized(a, negated(b), w, pm),
        Op::Cmp => {
            cpu.psw.cc = arith::compare(a, b, w);
            return Ok(());
        }
        Op::Mul => return put_long(cpu, r1, arith::multiply(a, b, w, Width::Long, pm), false),
        Op::Div => {
            let out = arith::divide(a, b, w, pm).ok_or(Stop::Program(pic::FLOAT_DIVIDE))?;
            return match w {
                Width::Short => put_short(cpu, r1, out, false),
                _ => put_long(cpu, r1, out, false),
            };
        }
    };
    match w {
        Width::Short => put_short(cpu, r1, out, true),
        _ => put_long(cpu, r1, out, true),
    }
}

/// A short-operand RR instruction.
#[inline(always)]
fn rr_short(cpu: &mut Cpu, i: Rr, op: Op) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let (a, b) = (Hfp::from_short(short(cpu, r1)), Hfp::from_short(short(cpu, r2)));
    binary(cpu, op, Width::Short, r1, a, b)
}

/// A short-operand RX instruction.
#[inline(always)]
fn rx_short(cpu: &mut Cpu, i: Rx, op: Op) -> ExecResult {
    let r1 = reg(i.r1)?;
    let b = Hfp::from_short(fetch_short(cpu, i)?);
    let a = Hfp::from_short(short(cpu, r1));
    binary(cpu, op, Width::Short, r1, a, b)
}

/// A long-operand RR instruction.
#[inline(always)]
fn rr_long(cpu: &mut Cpu, i: Rr, op: Op) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let (a, b) = (Hfp::from_long(cpu.fpr[r1]), Hfp::from_long(cpu.fpr[r2]));
    binary(cpu, op, Width::Long, r1, a, b)
}

/// A long-operand RX instruction.
#[inline(always)]
fn rx_long(cpu: &mut Cpu, i: Rx, op: Op) -> ExecResult {
    let r1 = reg(i.r1)?;
    let b = Hfp::from_long(fetch_long(cpu, i)?);
    let a = Hfp::from_long(cpu.fpr[r1]);
    binary(cpu, op, Width::Long, r1, a, b)
}

/// The sign-control loads (LOAD POSITIVE/NEGATIVE/AND TEST/COMPLEMENT): the sign bit is
/// changed by `sign` (applied to the whole register or left half) and nothing else; the
/// condition code says whether the fraction is zero and otherwise gives the sign.
#[derive(Clone, Copy)]
enum SignOp {
    /// LOAD POSITIVE: sign made plus.
    Positive,
    /// LOAD NEGATIVE: sign made minus.
    Negative,
    /// LOAD AND TEST: sign unchanged.
    Test,
    /// LOAD COMPLEMENT: sign inverted.
    Complement,
}

impl SignOp {
    /// The new sign bit, given the old one.
    #[inline(always)]
    fn apply(self, neg: bool) -> bool {
        match self {
            SignOp::Positive => false,
            SignOp::Negative => true,
            SignOp::Test => neg,
            SignOp::Complement => !neg,
        }
    }
}

/// A short sign-control load.
#[inline(always)]
fn sign_short(cpu: &mut Cpu, i: Rr, op: SignOp) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let v = short(cpu, r2);
    let neg = op.apply(v >> 31 != 0);
    let v = (v & 0x7FFF_FFFF) | (u32::from(neg) << 31);
    set_short(cpu, r1, v);
    cpu.psw.cc = Hfp::from_short(v).cc();
    Ok(())
}

/// A long sign-control load.
#[inline(always)]
fn sign_long(cpu: &mut Cpu, i: Rr, op: SignOp) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let v = cpu.fpr[r2];
    let neg = op.apply(v >> 63 != 0);
    let v = (v & 0x7FFF_FFFF_FFFF_FFFF) | (u64::from(neg) << 63);
    cpu.fpr[r1] = v;
    cpu.psw.cc = Hfp::from_long(v).cc();
    Ok(())
}

/// Extended add/subtract (AXR, SXR).
fn rr_extended_add(cpu: &mut Cpu, i: Rr, subtract: bool) -> ExecResult {
    let (r1, r2) = (pair(i.r1)?, pair(i.r2)?);
    let (a, b) = (extended(cpu, r1), extended(cpu, r2));
    let b = if subtract { negated(b) } else { b };
    let out = arith::add_normalized(a, b, Width::Extended, cpu.psw.progmask);
    put_extended(cpu, r1, out, true)
}

/// Long by long to extended multiply (MXDR, MXD): the multiplicand is the long number in
/// the high-order register of the first-operand pair.
fn multiply_to_extended(cpu: &mut Cpu, r1: usize, b: u64) -> ExecResult {
    let a = Hfp::from_long(cpu.fpr[r1]);
    let out = arith::multiply(a, Hfp::from_long(b), Width::Long, Width::Extended, cpu.psw.progmask);
    put_extended(cpu, r1, out, false)
}

/// 20 LPDR — LOAD POSITIVE (long) [RR]
pub(crate) fn lpdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_long(cpu, i, SignOp::Positive)
}

/// 21 LNDR — LOAD NEGATIVE (long) [RR]
pub(crate) fn lndr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_long(cpu, i, SignOp::Negative)
}

/// 22 LTDR — LOAD AND TEST (long) [RR]
pub(crate) fn ltdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_long(cpu, i, SignOp::Test)
}

/// 23 LCDR — LOAD COMPLEMENT (long) [RR]
pub(crate) fn lcdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_long(cpu, i, SignOp::Complement)
}

/// 24 HDR — HALVE (long) [RR]
pub(crate) fn hdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let out = arith::halve(Hfp::from_long(cpu.fpr[r2]), Width::Long, cpu.psw.progmask);
    put_long(cpu, r1, out, false)
}

/// 25 LRDR — LOAD ROUNDED (extended to long) [RR]
pub(crate) fn lrdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, pair(i.r2)?);
    let out = arith::round_extended(cpu.fpr[r2], cpu.fpr[r2 + 1]);
    put_long(cpu, r1, out, false)
}

/// 26 MXR — MULTIPLY (extended) [RR]
pub(crate) fn mxr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (pair(i.r1)?, pair(i.r2)?);
    let (a, b) = (extended(cpu, r1), extended(cpu, r2));
    let out = arith::multiply(a, b, Width::Extended, Width::Extended, cpu.psw.progmask);
    put_extended(cpu, r1, out, false)
}

/// 27 MXDR — MULTIPLY (long to extended) [RR]
pub(crate) fn mxdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (pair(i.r1)?, reg(i.r2)?);
    let b = cpu.fpr[r2];
    multiply_to_extended(cpu, r1, b)
}

/// 28 LDR — LOAD (long) [RR]
pub(crate) fn ldr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    cpu.fpr[r1] = cpu.fpr[r2];
    Ok(())
}

/// 29 CDR — COMPARE (long) [RR]
pub(crate) fn cdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::Cmp)
}

/// 2A ADR — ADD NORMALIZED (long) [RR]
pub(crate) fn adr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::Add)
}

/// 2B SDR — SUBTRACT NORMALIZED (long) [RR]
pub(crate) fn sdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::Sub)
}

/// 2C MDR — MULTIPLY (long) [RR]
pub(crate) fn mdr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::Mul)
}

/// 2D DDR — DIVIDE (long) [RR]
pub(crate) fn ddr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::Div)
}

/// 2E AWR — ADD UNNORMALIZED (long) [RR]
pub(crate) fn awr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::AddU)
}

/// 2F SWR — SUBTRACT UNNORMALIZED (long) [RR]
pub(crate) fn swr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_long(cpu, i, Op::SubU)
}

/// 30 LPER — LOAD POSITIVE (short) [RR]
pub(crate) fn lper(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_short(cpu, i, SignOp::Positive)
}

/// 31 LNER — LOAD NEGATIVE (short) [RR]
pub(crate) fn lner(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_short(cpu, i, SignOp::Negative)
}

/// 32 LTER — LOAD AND TEST (short) [RR]
pub(crate) fn lter(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_short(cpu, i, SignOp::Test)
}

/// 33 LCER — LOAD COMPLEMENT (short) [RR]
pub(crate) fn lcer(cpu: &mut Cpu, i: Rr) -> ExecResult {
    sign_short(cpu, i, SignOp::Complement)
}

/// 34 HER — HALVE (short) [RR]
pub(crate) fn her(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let out = arith::halve(Hfp::from_short(short(cpu, r2)), Width::Short, cpu.psw.progmask);
    put_short(cpu, r1, out, false)
}

/// 35 LRER — LOAD ROUNDED (long to short) [RR]
pub(crate) fn lrer(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let out = arith::round_long(cpu.fpr[r2]);
    put_short(cpu, r1, out, false)
}

/// 36 AXR — ADD NORMALIZED (extended) [RR]
pub(crate) fn axr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_extended_add(cpu, i, false)
}

/// 37 SXR — SUBTRACT NORMALIZED (extended) [RR]
pub(crate) fn sxr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_extended_add(cpu, i, true)
}

/// 38 LER — LOAD (short) [RR]
pub(crate) fn ler(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (r1, r2) = (reg(i.r1)?, reg(i.r2)?);
    let v = short(cpu, r2);
    set_short(cpu, r1, v);
    Ok(())
}

/// 39 CER — COMPARE (short) [RR]
pub(crate) fn cer(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::Cmp)
}

/// 3A AER — ADD NORMALIZED (short) [RR]
pub(crate) fn aer(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::Add)
}

/// 3B SER — SUBTRACT NORMALIZED (short) [RR]
pub(crate) fn ser(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::Sub)
}

/// 3C MER — MULTIPLY (short to long) [RR]
pub(crate) fn mer(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::Mul)
}

/// 3D DER — DIVIDE (short) [RR]
pub(crate) fn der(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::Div)
}

/// 3E AUR — ADD UNNORMALIZED (short) [RR]
pub(crate) fn aur(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::AddU)
}

/// 3F SUR — SUBTRACT UNNORMALIZED (short) [RR]
pub(crate) fn sur(cpu: &mut Cpu, i: Rr) -> ExecResult {
    rr_short(cpu, i, Op::SubU)
}

/// 60 STD — STORE (long) [RX]
pub(crate) fn std(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let r1 = reg(i.r1)?;
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.write_u64(a, cpu.fpr[r1])
}

/// 67 MXD — MULTIPLY (long to extended) [RX]
pub(crate) fn mxd(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let r1 = pair(i.r1)?;
    let b = fetch_long(cpu, i)?;
    multiply_to_extended(cpu, r1, b)
}

/// 68 LD — LOAD (long) [RX]
pub(crate) fn ld(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let r1 = reg(i.r1)?;
    cpu.fpr[r1] = fetch_long(cpu, i)?;
    Ok(())
}

/// 69 CD — COMPARE (long) [RX]
pub(crate) fn cd(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::Cmp)
}

/// 6A AD — ADD NORMALIZED (long) [RX]
pub(crate) fn ad(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::Add)
}

/// 6B SD — SUBTRACT NORMALIZED (long) [RX]
pub(crate) fn sd(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::Sub)
}

/// 6C MD — MULTIPLY (long) [RX]
pub(crate) fn md(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::Mul)
}

/// 6D DD — DIVIDE (long) [RX]
pub(crate) fn dd(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::Div)
}

/// 6E AW — ADD UNNORMALIZED (long) [RX]
pub(crate) fn aw(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::AddU)
}

/// 6F SW — SUBTRACT UNNORMALIZED (long) [RX]
pub(crate) fn sw(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_long(cpu, i, Op::SubU)
}

/// 70 STE — STORE (short) [RX]
pub(crate) fn ste(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let r1 = reg(i.r1)?;
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.write_u32(a, short(cpu, r1))
}

/// 78 LE — LOAD (short) [RX]
pub(crate) fn le(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let r1 = reg(i.r1)?;
    let v = fetch_short(cpu, i)?;
    set_short(cpu, r1, v);
    Ok(())
}

/// 79 CE — COMPARE (short) [RX]
pub(crate) fn ce(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::Cmp)
}

/// 7A AE — ADD NORMALIZED (short) [RX]
pub(crate) fn ae(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::Add)
}

/// 7B SE — SUBTRACT NORMALIZED (short) [RX]
pub(crate) fn se(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::Sub)
}

/// 7C ME — MULTIPLY (short to long) [RX]
pub(crate) fn me(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::Mul)
}

/// 7D DE — DIVIDE (short) [RX]
pub(crate) fn de(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::Div)
}

/// 7E AU — ADD UNNORMALIZED (short) [RX]
pub(crate) fn au(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::AddU)
}

/// 7F SU — SUBTRACT UNNORMALIZED (short) [RX]
pub(crate) fn su(cpu: &mut Cpu, i: Rx) -> ExecResult {
    rx_short(cpu, i, Op::SubU)
}

#[cfg(test)]
mod hercules;
#[cfg(test)]
mod progs;
#[cfg(test)]
mod tests;
