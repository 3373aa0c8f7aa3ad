//! Decimal instructions: packed arithmetic, conversion, editing (PoO "Decimal
//! Instructions").
//!
//! A packed operand of L+1 bytes holds 2L+1 digits and a sign in its rightmost half-byte:
//! A, C, E, F are plus (C preferred), B, D minus (D preferred); a digit above 9 or a sign
//! below A is a data exception. Operands are at most 31 digits, so a magnitude always fits
//! a `u128`. Results get the preferred signs; a zero result of AP, SP, ZAP and SRP is
//! positive, while MP and DP follow the rules of algebra even for zero. Overflow stores
//! the truncated result, sets CC 3 and gives a decimal-overflow exception if program-mask
//! bit 37 is one.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::{Rx, Ss};
use crate::interrupt::pic;
use crate::psw::PM_DECIMAL_OVERFLOW;

/// A decoded packed-decimal operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    /// The magnitude.
    mag: u128,
    /// Minus sign (B or D).
    neg: bool,
    /// Significant digits (0 for zero).
    count: u32,
}

/// Decodes `bytes` as a packed-decimal number, checking every digit and the sign. The
/// first up to nine bytes (17 digits) accumulate in a `u64`.
fn decode(bytes: &[u8]) -> Result<Packed, Stop> {
    let n = bytes.len();
    let Some((&last, body)) = bytes.split_last() else {
        return Err(Stop::Program(pic::DATA));
    };
    let mut lo: u64 = 0;
    let mut hi: u128 = 0;
    let split = body.len().saturating_sub(8);
    for (k, &b) in body.iter().enumerate() {
        if b >> 4 > 9 || b & 15 > 9 {
            return Err(Stop::Program(pic::DATA));
        }
        let two = u64::from(b >> 4) * 10 + u64::from(b & 15);
        if k < split {
            hi = hi * 100 + u128::from(two);
        } else {
            lo = lo * 100 + two;
        }
    }
    if last >> 4 > 9 {
        return Err(Stop::Program(pic::DATA));
    }
    let sign = last & 15;
    if sign < 0xA {
        return Err(Stop::Program(pic::DATA));
    }
    // lo holds the digits of the last (up to) eight body bytes: 16 digits.
    let low_digits = 2 * (n - 1 - split) as u32;
    let mag = (hi * 10u128.pow(low_digits) + u128::from(lo)) * 10 + u128::from(last >> 4);
    Ok(Packed { mag, neg: sign == 0xB || sign == 0xD, count: digits(mag) })
}

/// Powers of ten up to 10^38.
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut k = 1;
    while k < 39 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// Number of significant decimal digits of `v` (0 for zero).
fn digits(v: u128) -> u32 {
    POW10.partition_point(|&p| p <= v) as u32
}

/// Encodes `mag` (truncated to the field) with a preferred sign into `out`.
fn encode(mag: u128, neg: bool, out: &mut [u8]) {
    let n = out.len();
    // The field holds 2n-1 digits: what lies above them is dropped.
    let top = POW10[2 * n - 1];
    let mag = if mag >= top { mag % top } else { mag };
    let (mut hi, mut lo) = if mag < POW10[19] {
        (0, mag as u64)
    } else {
        ((mag / POW10[19]) as u64, (mag % POW10[19]) as u64)
    };
    let mut k = 0; // digits produced
    let mut digit = || {
        let d = if k < 19 {
            let d = lo % 10;
            lo /= 10;
            d
        } else {
            let d = hi % 10;
            hi /= 10;
            d
        };
        k += 1;
        d as u8
    };
    let last = digit();
    out[n - 1] = (last << 4) | if neg { 0x0D } else { 0x0C };
    for b in out[..n - 1].iter_mut().rev() {
        let l = digit();
        let h = digit();
        *b = (h << 4) | l;
    }
}

/// Fetches and decodes the packed operand of `len` bytes at `addr`.
fn load(cpu: &mut Cpu, addr: u32, len: usize) -> Result<Packed, Stop> {
    let mut b = [0u8; 16];
    cpu.read_bytes(addr, &mut b[..len])?;
    decode(&b[..len])
}

/// Stores `mag` with sign into the packed field of `len` bytes at `addr`. Returns whether
/// the value did not fit (overflow).
fn store(cpu: &mut Cpu, addr: u32, len: usize, mag: u128, neg: bool) -> Result<bool, Stop> {
    let mut b = [0u8; 16];
    encode(mag, neg, &mut b[..len]);
    cpu.write_bytes(addr, &b[..len])?;
    Ok(mag >= POW10[2 * len - 1])
}

/// CC of a signed decimal result, and the decimal-overflow ending.
fn finish(cpu: &mut Cpu, p_mag: u128, neg: bool, overflow: bool) -> ExecResult {
    if overflow {
        cpu.psw.cc = 3;
        if cpu.psw.progmask & PM_DECIMAL_OVERFLOW != 0 {
            return Err(Stop::Program(pic::DECIMAL_OVERFLOW));
        }
        return Ok(());
    }
    cpu.psw.cc = if p_mag == 0 {
        0
    } else if neg {
        1
    } else {
        2
    };
    Ok(())
}

/// The operands of a two-length SS instruction: addresses and byte lengths.
fn operands(cpu: &Cpu, i: Ss) -> (u32, usize, u32, usize) {
    (cpu.ea(0, i.b1, i.d1), usize::from(i.l1()) + 1, cpu.ea(0, i.b2, i.d2), usize::from(i.l2()) + 1)
}

/// Adds two signed magnitudes.
fn add_signed(a: Packed, b_mag: u128, b_neg: bool) -> (u128, bool) {
    if a.neg == b_neg {
        (a.mag + b_mag, a.neg)
    } else if a.mag >= b_mag {
        (a.mag - b_mag, a.neg)
    } else {
        (b_mag - a.mag, b_neg)
    }
}

/// AP and SP: op1 = op1 +/- op2.
fn add_sub(cpu: &mut Cpu, i: Ss, subtract: bool) -> ExecResult {
    let (a1, n1, a2, n2) = operands(cpu, i);
    let x = load(cpu, a1, n1)?;
    let y = load(cpu, a2, n2)?;
    let (mag, neg) = add_signed(x, y.mag, y.neg != subtract);
    let neg = neg && mag != 0;
    let overflow = store(cpu, a1, n1, mag, neg)?;
    finish(cpu, mag, neg, overflow)
}

/// 4E CVD — Convert to Decimal [RX]: eight bytes, 15 digits and sign.
#[inline]
pub(crate) fn cvd(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    let v = cpu.gpr[i.r1] as i32;
    let mut b = [0u8; 8];
    encode(u128::from(v.unsigned_abs()), v < 0, &mut b);
    cpu.write_bytes(a, &b)
}

/// 4F CVB — Convert to Binary [RX]: a result outside 32 bits leaves its rightmost 32 bits
/// in R1 and gives a fixed-point-divide exception.
#[inline]
pub(crate) fn cvb(cpu: &mut Cpu, i: Rx) -> ExecResult {
    let a = cpu.ea(i.x2, i.b2, i.d2);
    let p = load(cpu, a, 8)?;
    let v = if p.neg { -(p.mag as i64) } else { p.mag as i64 };
    cpu.gpr[i.r1] = v as u32;
    if v < i64::from(i32::MIN) || v > i64::from(i32::MAX) {
        return Err(Stop::Program(pic::FIXED_DIVIDE));
    }
    Ok(())
}

/// DE ED — Edit [SS]
#[inline]
pub(crate) fn ed(cpu: &mut Cpu, i: Ss) -> ExecResult {
    edit(cpu, i, false)
}

/// DF EDMK — Edit and Mark [SS]: also puts the address of the first significant result
/// digit in R1 bits 8-31.
#[inline]
pub(crate) fn edmk(cpu: &mut Cpu, i: Ss) -> ExecResult {
    edit(cpu, i, true)
}

/// ED and EDMK: the pattern (operand 1) is replaced, left to right, by the edited digits
/// of the packed source (operand 2). Pattern X'20' selects a digit, X'21' selects one and
/// starts significance, X'22' separates fields; other bytes are message characters. CC 0
/// last field zero, 1 nonzero and significance on at the end (minus), 2 nonzero and off.
fn edit(cpu: &mut Cpu, i: Ss, mark: bool) -> ExecResult {
    let n = usize::from(i.l) + 1;
    let a1 = cpu.ea(0, i.b1, i.d1);
    let a2 = cpu.ea(0, i.b2, i.d2);
    // Operand 1 is checked whole only when it crosses a 2K block; otherwise its first store
    // finds any access exception (after EDMK may have set R1, as in Hercules).
    if (a1 & 0x7FF) as usize + n > 0x800 {
        cpu.check_store(a1, n)?;
    }
    // When the source may cross a block boundary, a trial run finds every exception
    // before anything is stored.
    let trial = (a2 & 0x7FF) as usize + n > 0x800;
    for dry in [true, false] {
        if dry && !trial {
            continue;
        }
        let (mut src, mut sig, mut cc, mut fill) = (a2, false, 0u8, 0u8);
        let (mut right, mut have_right) = (0u8, false);
        for k in 0..n {
            let at = a1.wrapping_add(k as u32) & 0x00FF_FFFF;
            let p = cpu.read_u8(at)?;
            if k == 0 {
                fill = p;
            }
            let out = match p {
                0x20 | 0x21 => {
                    let d = if have_right {
                        have_right = false;
                        right
                    } else {
                        let b = cpu.read_u8(src)?;
                        src = src.wrapping_add(1) & 0x00FF_FFFF;
                        if b >> 4 > 9 {
                            return Err(Stop::Program(pic::DATA));
                        }
                        right = b & 15;
                        have_right = true;
                        b >> 4
                    };
                    if mark && !dry && d > 0 && !sig {
                        cpu.gpr[1] = (cpu.gpr[1] & 0xFF00_0000) | at;
                    }
                    let out = if !sig && d == 0 { fill } else { 0xF0 | d };
                    if d > 0 {
                        cc = 2;
                    }
                    if p == 0x21 || d > 0 {
                        sig = true;
                    }
                    if have_right && right > 9 {
                        // The right half is a sign: plus turns significance off.
                        if right != 0x0B && right != 0x0D {
                            sig = false;
                        }
                        have_right = false;
                    }
                    out
                }
                0x22 => {
                    sig = false;
                    cc = 0;
                    fill
                }
                _ => {
                    if sig {
                        p
                    } else {
                        fill
                    }
                }
            };
            if dry {
                cpu.check_store(at, 1)?;
            } else {
                cpu.write_u8(at, out)?;
            }
        }
        if !dry {
            cpu.psw.cc = if sig && cc == 2 { 1 } else { cc };
        }
    }
    Ok(())
}

/// F0 SRP — Shift and Round Decimal [SS]: the low six bits of the second-operand address
/// are a signed shift (left 0-31, right 1-32), I3 the rounding digit.
#[inline]
pub(crate) fn srp(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let a1 = cpu.ea(0, i.b1, i.d1);
    let n1 = usize::from(i.l1()) + 1;
    let shift = cpu.ea(0, i.b2, i.d2) & 0x3F;
    let round = u128::from(i.l2());
    let p = load(cpu, a1, n1)?;
    if round > 9 {
        return Err(Stop::Program(pic::DATA));
    }
    let room = 2 * n1 as u32 - 1;
    let (mag, overflow) = if shift < 32 {
        let overflow = p.count > 0 && shift + p.count > room;
        let kept = if shift >= room { 0 } else { p.mag % POW10[(room - shift) as usize] };
        (kept * POW10[shift.min(room) as usize], overflow)
    } else {
        let s = 64 - shift;
        let out = p.mag / POW10[s as usize - 1] % 10;
        (p.mag / POW10[s as usize] + (out + round) / 10, false)
    };
    // A zero result is positive, except after overflow (the sign is kept).
    let neg = p.neg && (mag != 0 || overflow);
    store(cpu, a1, n1, mag, neg)?;
    finish(cpu, mag, neg, overflow)
}

/// F1 MVO — Move with Offset [SS]: operand 2 goes one half-byte left of operand 1's
/// rightmost half-byte, right to left, with zeros on the left.
#[inline]
pub(crate) fn mvo(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (a1, n1, a2, n2) = operands(cpu, i);
    let s = cpu.span(a2, n2, false)?;
    let d = cpu.span(a1, n1, true)?;
    let mut sb = cpu.abs_byte(s.at(n2 - 1));
    let db = (cpu.abs_byte(d.at(n1 - 1)) & 0x0F) | (sb << 4);
    cpu.set_abs_byte(d.at(n1 - 1), db);
    let mut j = n2 - 1;
    for k in (0..n1 - 1).rev() {
        let mut out = sb >> 4;
        if j > 0 {
            j -= 1;
            sb = cpu.abs_byte(s.at(j));
        } else {
            sb = 0;
        }
        out |= sb << 4;
        cpu.set_abs_byte(d.at(k), out);
    }
    Ok(())
}

/// F2 PACK — Pack [SS]: zoned operand 2 to packed operand 1, right to left; no checks.
#[inline]
pub(crate) fn pack(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (a1, n1, a2, n2) = operands(cpu, i);
    let s = cpu.span(a2, n2, false)?;
    let d = cpu.span(a1, n1, true)?;
    let sb = cpu.abs_byte(s.at(n2 - 1));
    cpu.set_abs_byte(d.at(n1 - 1), sb.rotate_left(4));
    let mut j = n2 - 1;
    for k in (0..n1 - 1).rev() {
        let mut out = 0;
        if j > 0 {
            j -= 1;
            out = cpu.abs_byte(s.at(j)) & 0x0F;
            if j > 0 {
                j -= 1;
                out |= cpu.abs_byte(s.at(j)) << 4;
            }
        }
        cpu.set_abs_byte(d.at(k), out);
    }
    Ok(())
}

/// F3 UNPK — Unpack [SS]: packed operand 2 to zoned operand 1 (zones F), right to left;
/// no checks.
#[inline]
pub(crate) fn unpk(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (a1, n1, a2, n2) = operands(cpu, i);
    let s = cpu.span(a2, n2, false)?;
    let d = cpu.span(a1, n1, true)?;
    let sb = cpu.abs_byte(s.at(n2 - 1));
    cpu.set_abs_byte(d.at(n1 - 1), sb.rotate_left(4));
    let mut j = n2 - 1;
    let mut k = n1 - 1;
    while k > 0 {
        let (lo, hi) = if j > 0 {
            j -= 1;
            let b = cpu.abs_byte(s.at(j));
            (0xF0 | (b & 15), 0xF0 | (b >> 4))
        } else {
            (0xF0, 0xF0)
        };
        k -= 1;
        cpu.set_abs_byte(d.at(k), lo);
        if k > 0 {
            k -= 1;
            cpu.set_abs_byte(d.at(k), hi);
        }
    }
    Ok(())
}

/// F8 ZAP — Zero and Add [SS]
#[inline]
pub(crate) fn zap(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (a1, n1, a2, n2) = operands(cpu, i);
    let y = load(cpu, a2, n2)?;
    let neg = y.neg && y.mag != 0;
    let overflow = store(cpu, a1, n1, y.mag, neg)?;
    finish(cpu, y.mag, neg, overflow)
}

/// F9 CP — Compare Decimal [SS]: CC 0 equal (+0 = -0), 1 first low, 2 first high.
#[inline]
pub(crate) fn cp(cpu: &mut Cpu, i: Ss) -> ExecResult {
    let (a1, n1, a2, n2) = operands(cpu, i);
    let x = load(cpu, a1, n1)?;
    let y = load(cpu, a2, n2)?;
    let sx = if x.neg { -(x.mag as i128) } else { x.mag as i128 };
    let sy = if y.neg { -(y.mag as i128) } else { y.mag as i128 };
    cpu.psw.cc = crate::insn::fixed::cc_compare(sx, sy);
    Ok(())
}

/// FA AP — Add Decimal [SS]
#[inline]
pub(crate) fn ap(cpu: &mut Cpu, i: Ss) -> ExecResult {
    add_sub(cpu, i, false)
}

/// FB SP — Subtract Decimal [SS]
#[inline]
pub(crate) fn sp(cpu: &mut Cpu, i: Ss) -> ExecResult {
    add_sub(cpu, i, true)
}

/// The length rule of MP and DP: L2 at most 7 (16 digits... 15 and sign) and less than
/// L1; otherwise a specification exception.
fn mul_div_lengths(i: Ss) -> ExecResult {
    if i.l2() > 7 || i.l2() >= i.l1() {
        return Err(Stop::Program(pic::SPECIFICATION));
    }
    Ok(())
}

/// FC MP — Multiply Decimal [SS]: the multiplicand must have at least as many bytes of
/// leftmost zeros as the multiplier has bytes (data exception otherwise), so the product
/// always fits.
#[inline]
pub(crate) fn mp(cpu: &mut Cpu, i: Ss) -> ExecResult {
    mul_div_lengths(i)?;
    let (a1, n1, a2, n2) = operands(cpu, i);
    let x = load(cpu, a1, n1)?;
    let y = load(cpu, a2, n2)?;
    if i.l2() as u32 + x.count / 2 + 1 > u32::from(i.l1()) {
        return Err(Stop::Program(pic::DATA));
    }
    store(cpu, a1, n1, x.mag * y.mag, x.neg != y.neg)?;
    Ok(())
}

/// FD DP — Divide Decimal [SS]: quotient in the leftmost L1-L2 bytes (sign by the rules of
/// algebra), remainder in the rightmost L2+1 bytes (sign of the dividend). A zero divisor
/// or a quotient too large for its field is a decimal-divide exception.
#[inline]
pub(crate) fn dp(cpu: &mut Cpu, i: Ss) -> ExecResult {
    mul_div_lengths(i)?;
    let (a1, n1, a2, n2) = operands(cpu, i);
    let x = load(cpu, a1, n1)?;
    let y = load(cpu, a2, n2)?;
    if y.mag == 0 {
        return Err(Stop::Program(pic::DECIMAL_DIVIDE));
    }
    let q = x.mag / y.mag;
    let r = x.mag % y.mag;
    let qlen = n1 - n2;
    if q >= POW10[2 * qlen - 1] {
        return Err(Stop::Program(pic::DECIMAL_DIVIDE));
    }
    let mut b = [0u8; 16];
    encode(r, x.neg, &mut b[..n1]);
    encode(q, x.neg != y.neg, &mut b[..qlen]);
    cpu.write_bytes(a1, &b[..n1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_encode() {
        let p = decode(&[0x12, 0x34, 0x5D]).expect("valid");
        assert_eq!(p, Packed { mag: 12345, neg: true, count: 5 });
        assert_eq!(decode(&[0x1A, 0x0C]), Err(Stop::Program(pic::DATA)));
        assert_eq!(decode(&[0x12, 0x39]), Err(Stop::Program(pic::DATA)));
        assert!(decode(&[0x0F]).is_ok_and(|p| p.mag == 0 && !p.neg));
        let mut b = [0u8; 3];
        encode(1234567, false, &mut b);
        assert_eq!(b, [0x34, 0x56, 0x7C], "truncated to five digits");
    }
}
