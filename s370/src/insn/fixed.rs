//! Fixed-point arithmetic, loads and stores (PoO "Fixed-Point Arithmetic Instructions").
//!
//! Condition codes: arithmetic results 0 zero, 1 < 0, 2 > 0, 3 overflow; comparisons 0
//! equal, 1 first operand low, 2 first operand high. Overflow completes the operation and
//! then gives a fixed-point-overflow exception if program-mask bit 36 is one.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rr, Rs, Rx};
use crate::interrupt::pic;
use crate::psw::PM_FIXED_OVERFLOW;

/// CC of a signed result.
#[inline(always)]
pub(crate) fn cc_signed(v: i32) -> u8 {
    if v == 0 {
        0
    } else if v < 0 {
        1
    } else {
        2
    }
}

/// CC of a signed comparison.
#[inline(always)]
pub(crate) fn cc_compare<T: Ord>(a: T, b: T) -> u8 {
    match a.cmp(&b) {
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Greater => 2,
    }
}

/// Stores a signed add/subtract result: CC 0-2, or CC 3 and the overflow exception.
#[inline(always)]
fn set_arith(cpu: &mut Cpu, r1: usize, (v, overflow): (i32, bool)) -> ExecResult {
    cpu.gpr[r1] = v as u32;
    if overflow {
        cpu.psw.cc = 3;
        return overflow_exception(cpu);
    }
    cpu.psw.cc = cc_signed(v);
    Ok(())
}

/// The fixed-point-overflow exception, if the program mask allows it.
#[inline]
pub(crate) fn overflow_exception(cpu: &mut Cpu) -> ExecResult {
    if cpu.psw.progmask & PM_FIXED_OVERFLOW != 0 {
        Err(Stop::Program(pic::FIXED_OVERFLOW))
    } else {
        Ok(())
    }
}

/// CC of a logical add: 0 zero no carry, 1 nonzero no carry, 2 zero carry, 3 nonzero carry.
#[inline(always)]
pub(crate) fn cc_logical(v: u32, carry: bool) -> u8 {
    (u8::from(carry) << 1) | u8::from(v != 0)
}

/// 10 LPR — Load Positive [RR]
#[inline]
pub(crate) fn lpr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r2] as i32;
    set_arith(cpu, i.r1, v.overflowing_abs())
}

/// 11 LNR — Load Negative [RR]
#[inline]
pub(crate) fn lnr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r2] as i32;
    let r = if v > 0 { -v } else { v };
    cpu.gpr[i.r1] = r as u32;
    cpu.psw.cc = cc_signed(r);
    Ok(())
}

/// 12 LTR — Load and Test [RR]
#[inline]
pub(crate) fn ltr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r2];
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_signed(v as i32);
    Ok(())
}

/// 13 LCR — Load Complement [RR]
#[inline]
pub(crate) fn lcr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let v = cpu.gpr[i.r2] as i32;
    set_arith(cpu, i.r1, v.overflowing_neg())
}

/// 18 LR — Load [RR]
#[inline]
pub(crate) fn lr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    cpu.gpr[i.r1] = cpu.gpr[i.r2];
    Ok(())
}

/// 19 CR — Compare [RR]
#[inline]
pub(crate) fn cr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    cpu.psw.cc = cc_compare(cpu.gpr[i.r1] as i32, cpu.gpr[i.r2] as i32);
    Ok(())
}

/// 1A AR — Add [RR]
#[inline]
pub(crate) fn ar(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let r = (cpu.gpr[i.r1] as i32).overflowing_add(cpu.gpr[i.r2] as i32);
    set_arith(cpu, i.r1, r)
}

/// 1B SR — Subtract [RR]
#[inline]
pub(crate) fn sr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let r = (cpu.gpr[i.r1] as i32).overflowing_sub(cpu.gpr[i.r2] as i32);
    set_arith(cpu, i.r1, r)
}

/// The even-odd pair check of MR, DR, M, D, SRDA, ...: R1 must be even.
#[inline(always)]
pub(crate) fn even(r1: usize) -> ExecResult {
    if r1 & 1 != 0 { Err(Stop::Program(pic::SPECIFICATION)) } else { Ok(()) }
}

/// Multiplies the odd register of the pair R1 by `m` into the pair.
fn multiply(cpu: &mut Cpu, r1: usize, m: i32) {
    let p = i64::from(cpu.gpr[r1 + 1] as i32) * i64::from(m);
    cpu.gpr[r1] = (p >> 32) as u32;
    cpu.gpr[r1 + 1] = p as u32;
}

/// Divides the pair R1 by `d`: remainder to R1, quotient to R1+1; a zero divisor or a
/// quotient that does not fit is a fixed-point-divide exception (suppressed).
fn divide(cpu: &mut Cpu, r1: usize, d: i32) -> ExecResult {
    let n = ((u64::from(cpu.gpr[r1]) << 32) | u64::from(cpu.gpr[r1 + 1])) as i64;
    if d == 0 {
        return Err(Stop::Program(pic::FIXED_DIVIDE));
    }
    let q = n / i64::from(d);
    if q < i64::from(i32::MIN) || q > i64::from(i32::MAX) {
        return Err(Stop::Program(pic::FIXED_DIVIDE));
    }
    cpu.gpr[r1] = (n % i64::from(d)) as u32;
    cpu.gpr[r1 + 1] = q as u32;
    Ok(())
}

/// 1C MR — Multiply [RR]
#[inline]
pub(crate) fn mr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    even(i.r1)?;
    let m = cpu.gpr[i.r2] as i32;
    multiply(cpu, i.r1, m);
    Ok(())
}

/// 1D DR — Divide [RR]
#[inline]
pub(crate) fn dr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    even(i.r1)?;
    let d = cpu.gpr[i.r2] as i32;
    divide(cpu, i.r1, d)
}

/// 1E ALR — Add Logical [RR]
#[inline]
pub(crate) fn alr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (v, c) = cpu.gpr[i.r1].overflowing_add(cpu.gpr[i.r2]);
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_logical(v, c);
    Ok(())
}

/// Subtract logical: first + ~second + 1, with its carry.
#[inline(always)]
fn sub_logical(a: u32, b: u32) -> (u32, bool) {
    let (v, borrow) = a.overflowing_sub(b);
    (v, !borrow)
}

/// 1F SLR — Subtract Logical [RR]
#[inline]
pub(crate) fn slr(cpu: &mut Cpu, i: Rr) -> ExecResult {
    let (v, c) = sub_logical(cpu.gpr[i.r1], cpu.gpr[i.r2]);
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_logical(v, c);
    Ok(())
}

/// 40 STH — Store Halfword [RX]
#[inline]
pub(crate) fn sth(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.write_u16(a, cpu.gpr[i.r1] as u16)
}

/// 41 LA — Load Address [RX]
#[inline]
pub(crate) fn la(cpu: &mut Cpu, i: Rx) -> ExecResult {
    cpu.gpr[i.r1] = cpu.ea(i.x2, i.b2, i.d2);
    Ok(())
}

/// 42 STC — Store Character [RX]
#[inline]
pub(crate) fn stc(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.write_u8(a, cpu.gpr[i.r1] as u8)
}

/// 43 IC — Insert Character [RX]
#[inline]
pub(crate) fn ic(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    let b = cpu.read_u8(a)?;
    cpu.gpr[i.r1] = (cpu.gpr[i.r1] & 0xFFFF_FF00) | u32::from(b);
    Ok(())
}

/// Fetches the sign-extended halfword operand of an RX instruction.
#[inline(always)]
fn half(cpu: &mut Cpu, i: Rx) -> Result<i32, Stop> {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    Ok(i32::from(cpu.read_u16(a)? as i16))
}

/// Fetches the fullword operand of an RX instruction.
#[inline(always)]
fn word(cpu: &mut Cpu, i: Rx) -> Result<u32, Stop> {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.read_u32(a)
}

/// 48 LH — Load Halfword [RX]
#[inline]
pub(crate) fn lh(cpu: &mut Cpu, i: Rx) -> ExecResult {
    cpu.gpr[i.r1] = half(cpu, i)? as u32;
    Ok(())
}

/// 49 CH — Compare Halfword [RX]
#[inline]
pub(crate) fn ch(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let h = half(cpu, i)?;
    cpu.psw.cc = cc_compare(cpu.gpr[i.r1] as i32, h);
    Ok(())
}

/// 4A AH — Add Halfword [RX]
#[inline]
pub(crate) fn ah(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let h = half(cpu, i)?;
    let r = (cpu.gpr[i.r1] as i32).overflowing_add(h);
    set_arith(cpu, i.r1, r)
}

/// 4B SH — Subtract Halfword [RX]
#[inline]
pub(crate) fn sh(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let h = half(cpu, i)?;
    let r = (cpu.gpr[i.r1] as i32).overflowing_sub(h);
    set_arith(cpu, i.r1, r)
}

/// 4C MH — Multiply Halfword [RX]: the rightmost 32 bits of the product, no overflow.
#[inline]
pub(crate) fn mh(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let h = half(cpu, i)?;
    cpu.gpr[i.r1] = (cpu.gpr[i.r1] as i32).wrapping_mul(h) as u32;
    Ok(())
}

/// 50 ST — Store [RX]
#[inline]
pub(crate) fn st(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    cpu.write_u32(a, cpu.gpr[i.r1])
}

/// 58 L — Load [RX]
#[inline]
pub(crate) fn l(cpu: &mut Cpu, i: Rx) -> ExecResult {
    cpu.gpr[i.r1] = word(cpu, i)?;
    Ok(())
}

/// 59 C — Compare [RX]
#[inline]
pub(crate) fn c(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let w = word(cpu, i)? as i32;
    cpu.psw.cc = cc_compare(cpu.gpr[i.r1] as i32, w);
    Ok(())
}

/// 5A A — Add [RX]
#[inline]
pub(crate) fn a(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let w = word(cpu, i)? as i32;
    let r = (cpu.gpr[i.r1] as i32).overflowing_add(w);
    set_arith(cpu, i.r1, r)
}

/// 5B S — Subtract [RX]
#[inline]
pub(crate) fn s(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let w = word(cpu, i)? as i32;
    let r = (cpu.gpr[i.r1] as i32).overflowing_sub(w);
    set_arith(cpu, i.r1, r)
}

/// 5C M — Multiply [RX]
#[inline]
pub(crate) fn m(cpu: &mut Cpu, i: Rx) -> ExecResult {
    even(i.r1)?;
    let w = word(cpu, i)? as i32;
    multiply(cpu, i.r1, w);
    Ok(())
}

/// 5D D — Divide [RX]
#[inline]
pub(crate) fn d(cpu: &mut Cpu, i: Rx) -> ExecResult {
    even(i.r1)?;
    let w = word(cpu, i)? as i32;
    divide(cpu, i.r1, w)
}

/// 5E AL — Add Logical [RX]
#[inline]
pub(crate) fn al(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let w = word(cpu, i)?;
    let (v, c) = cpu.gpr[i.r1].overflowing_add(w);
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_logical(v, c);
    Ok(())
}

/// 5F SL — Subtract Logical [RX]
#[inline]
pub(crate) fn sl(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let w = word(cpu, i)?;
    let (v, c) = sub_logical(cpu.gpr[i.r1], w);
    cpu.gpr[i.r1] = v;
    cpu.psw.cc = cc_logical(v, c);
    Ok(())
}

/// The shift amount of a shift instruction: the low six bits of the second-operand
/// address.
#[inline(always)]
pub(crate) fn shift_amount(cpu: &Cpu, i: Rs) -> u32 {
    cpu.ea(0, i.b2, i.d2) & 63
}

/// 8A SRA — Shift Right Single [RS]
#[inline]
pub(crate) fn sra(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let n = shift_amount(cpu, i).min(31);
    let v = (cpu.gpr[i.r1] as i32) >> n;
    cpu.gpr[i.r1] = v as u32;
    cpu.psw.cc = cc_signed(v);
    Ok(())
}

/// An arithmetic left shift of a `bits`-wide signed value: the result (sign kept) and
/// whether a bit unlike the sign was shifted out.
fn shift_left_arith(v: i64, n: u32, bits: u32) -> (i64, bool) {
    let mag_mask: i64 = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let sign = v < 0;
    let mut r = v;
    let mut overflow = false;
    for _ in 0..n {
        r <<= 1;
        let top = if bits == 64 { r < 0 } else { r & (1i64 << (bits - 1)) != 0 };
        if top != sign {
            overflow = true;
        }
    }
    let magnitude = r & mag_mask;
    let value = if sign { magnitude | !mag_mask } else { magnitude };
    (value, overflow)
}

/// 8B SLA — Shift Left Single [RS]
#[inline]
pub(crate) fn sla(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let n = shift_amount(cpu, i);
    let (v, o) = shift_left_arith(i64::from(cpu.gpr[i.r1] as i32), n, 32);
    set_arith(cpu, i.r1, (v as i32, o))
}

/// The even-odd pair R1, R1+1 as one 64-bit value.
#[inline(always)]
pub(crate) fn pair(cpu: &Cpu, r1: usize) -> u64 {
    (u64::from(cpu.gpr[r1]) << 32) | u64::from(cpu.gpr[r1 + 1])
}

/// Sets the even-odd pair R1, R1+1.
#[inline(always)]
pub(crate) fn set_pair(cpu: &mut Cpu, r1: usize, v: u64) {
    cpu.gpr[r1] = (v >> 32) as u32;
    cpu.gpr[r1 + 1] = v as u32;
}

/// CC of a signed 64-bit result.
fn cc_signed64(v: i64) -> u8 {
    cc_compare(v, 0)
}

/// 8E SRDA — Shift Right Double [RS]
#[inline]
pub(crate) fn srda(cpu: &mut Cpu, i: Rs) -> ExecResult {
    even(i.r1)?;
    let n = shift_amount(cpu, i);
    let v = (pair(cpu, i.r1) as i64) >> n;
    set_pair(cpu, i.r1, v as u64);
    cpu.psw.cc = cc_signed64(v);
    Ok(())
}

/// 8F SLDA — Shift Left Double [RS]
#[inline]
pub(crate) fn slda(cpu: &mut Cpu, i: Rs) -> ExecResult {
    even(i.r1)?;
    let n = shift_amount(cpu, i);
    let (v, o) = shift_left_arith(pair(cpu, i.r1) as i64, n, 64);
    set_pair(cpu, i.r1, v as u64);
    if o {
        cpu.psw.cc = 3;
        return overflow_exception(cpu);
    }
    cpu.psw.cc = cc_signed64(v);
    Ok(())
}

/// The registers R1 through R3 (wrapping from 15 to 0).
#[inline(always)]
pub(crate) fn reg_range(r1: usize, r3: usize) -> impl Iterator<Item = usize> {
    let n = (r3.wrapping_sub(r1) & 15) + 1;
    (0..n).map(move |k| (r1 + k) & 15)
}

/// 90 STM — Store Multiple [RS]
#[inline]
pub(crate) fn stm(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let mut buf = [0u8; 64];
    let mut n = 0;
    for r in reg_range(i.r1, i.r3) {
        buf[n..n + 4].copy_from_slice(&cpu.gpr[r].to_be_bytes());
        n += 4;
    }
    cpu.write_bytes(a, &buf[..n])
}

/// 98 LM — Load Multiple [RS]
#[inline]
pub(crate) fn lm(cpu: &mut Cpu, i: Rs) -> ExecResult {
    let a = cpu.ea(0, i.b2, i.d2);
    let mut buf = [0u8; 64];
    let n = 4 * reg_range(i.r1, i.r3).count();
    cpu.read_bytes(a, &mut buf[..n])?;
    for (k, r) in reg_range(i.r1, i.r3).enumerate() {
        let w = &buf[4 * k..4 * k + 4];
        cpu.gpr[r] = u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_left_shift() {
        assert_eq!(shift_left_arith(1, 4, 32), (16, false));
        assert_eq!(shift_left_arith(0x4000_0000, 1, 32), (0, true));
        assert_eq!(shift_left_arith(-1, 31, 32), (i64::from(i32::MIN), false));
        assert_eq!(shift_left_arith(-2, 31, 32), (i64::from(i32::MIN), true));
        assert_eq!(shift_left_arith(-1, 63, 64), (i64::MIN, false));
        assert_eq!(shift_left_arith(1, 63, 64), (0, true));
    }

    #[test]
    fn logical_cc() {
        assert_eq!(cc_logical(0, false), 0);
        assert_eq!(cc_logical(5, false), 1);
        assert_eq!(cc_logical(0, true), 2);
        assert_eq!(cc_logical(5, true), 3);
        assert_eq!(sub_logical(0, 0), (0, true));
        assert_eq!(sub_logical(0, 1), (u32::MAX, false));
    }
}
