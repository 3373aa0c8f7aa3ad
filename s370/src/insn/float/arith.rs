//! Hexadecimal floating-point arithmetic, independent of registers and storage.
//!
//! Principles of Operation (GA22-7000), chapter "Floating-Point Instructions". A number is
//! held unpacked as an [`Hfp`]: sign, characteristic (an `i32`, so intermediate values may
//! leave 0..=127 before the final range check) and the fraction as an integer of 6, 14 or 28
//! hexadecimal digits ([`Width`]). Every operation here truncates, as the S/370 does; only
//! [`round_long`] and [`round_extended`] (LRER, LRDR) round.
//!
//! Each operation returns the value to place in the first-operand location and, if the
//! operation is completed with a program interruption (exponent overflow X'0C', exponent
//! underflow X'0D', significance X'0E'), its code. The caller stores the value, sets the
//! condition code, and then reports the code: these three exceptions complete the operation.

use crate::interrupt::pic;
use crate::psw::{PM_EXPONENT_UNDERFLOW, PM_SIGNIFICANCE};

/// The fraction length of a floating-point format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    /// Short: 6 hexadecimal digits (24 bits).
    Short,
    /// Long: 14 digits (56 bits).
    Long,
    /// Extended: 28 digits (112 bits), spread over a register pair.
    Extended,
}

impl Width {
    /// The number of hexadecimal fraction digits.
    #[inline(always)]
    pub(crate) const fn digits(self) -> u32 {
        match self {
            Width::Short => 6,
            Width::Long => 14,
            Width::Extended => 28,
        }
    }

    /// The number of fraction bits.
    #[inline(always)]
    const fn bits(self) -> u32 {
        4 * self.digits()
    }
}

/// Mask of the 56 fraction bits of a long number (or of either half of an extended one).
pub(crate) const FRAC56: u64 = 0x00FF_FFFF_FFFF_FFFF;

/// A floating-point number, unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hfp {
    /// The sign: `true` for minus.
    pub neg: bool,
    /// The characteristic (exponent + 64). In range 0..=127 for every value read from or
    /// written to a register; outside it only in intermediate results.
    pub ch: i32,
    /// The fraction as an integer of the width's digit count.
    pub frac: u128,
}

/// The true zero: plus sign, zero characteristic, zero fraction.
pub(crate) const TRUE_ZERO: Hfp = Hfp { neg: false, ch: 0, frac: 0 };

/// What an arithmetic operation produces: the result and the program-interruption code it
/// is completed with, if any.
pub(crate) type Outcome = (Hfp, Option<u16>);

impl Hfp {
    /// A short number (a register's left half, or a fullword in storage).
    #[inline(always)]
    pub(crate) fn from_short(v: u32) -> Hfp {
        Hfp { neg: v >> 31 != 0, ch: ((v >> 24) & 0x7F) as i32, frac: u128::from(v & 0x00FF_FFFF) }
    }

    /// A long number.
    #[inline(always)]
    pub(crate) fn from_long(v: u64) -> Hfp {
        Hfp { neg: v >> 63 != 0, ch: ((v >> 56) & 0x7F) as i32, frac: u128::from(v & FRAC56) }
    }

    /// An extended number from its high- and low-order parts. The sign and characteristic
    /// of the low-order part are ignored (PoO, "Floating-Point Data Format").
    #[inline(always)]
    pub(crate) fn from_extended(hi: u64, lo: u64) -> Hfp {
        let h = Hfp::from_long(hi);
        Hfp { frac: (h.frac << 56) | u128::from(lo & FRAC56), ..h }
    }

    /// The short format of a value whose characteristic is in range.
    #[inline(always)]
    pub(crate) fn to_short(self) -> u32 {
        (u32::from(self.neg) << 31)
            | (((self.ch & 0x7F) as u32) << 24)
            | (self.frac as u32 & 0x00FF_FFFF)
    }

    /// The long format of a value whose characteristic is in range.
    #[inline(always)]
    pub(crate) fn to_long(self) -> u64 {
        (u64::from(self.neg) << 63)
            | (((self.ch & 0x7F) as u64) << 56)
            | (self.frac as u64 & FRAC56)
    }

    /// The high- and low-order parts of an extended value whose characteristic is in range.
    /// Unless the result is a true zero, the low-order part has the sign of the high-order
    /// part and a characteristic 14 less, modulo 128 (PoO, "Floating-Point Data Format").
    pub(crate) fn to_extended(self) -> (u64, u64) {
        let hi = Hfp { frac: self.frac >> 56, ..self }.to_long();
        if hi == 0 && self.frac == 0 {
            return (0, 0);
        }
        let lo = Hfp {
            ch: (self.ch - 14).rem_euclid(128),
            frac: self.frac & u128::from(FRAC56),
            ..self
        };
        (hi, lo.to_long())
    }

    /// The condition code of an arithmetic or sign-control result: 0 for a zero fraction,
    /// 1 for less than zero, 2 for greater than zero.
    #[inline(always)]
    pub(crate) fn cc(self) -> u8 {
        if self.frac == 0 {
            0
        } else if self.neg {
            1
        } else {
            2
        }
    }

    /// This value with its fraction shifted left until the leftmost of `w`'s digits is
    /// nonzero, the characteristic reduced by one per digit. A zero fraction is unchanged.
    fn normalized(self, w: Width) -> Hfp {
        if self.frac == 0 {
            return self;
        }
        let lead = leading_zero_digits(self.frac, w.digits());
        Hfp { ch: self.ch - lead as i32, frac: self.frac << (4 * lead), ..self }
    }
}

/// The number of leading zero digits of `x` taken as an `n`-digit number (nonzero).
#[inline(always)]
fn leading_zero_digits(x: u128, n: u32) -> u32 {
    if n <= 16 {
        ((x as u64).leading_zeros() - (64 - 4 * n)) / 4
    } else {
        (x.leading_zeros() - (128 - 4 * n)) / 4
    }
}

/// The final range check of a normalized result with a nonzero fraction (PoO, "Exponent-
/// Overflow Exception", "Exponent-Underflow Exception"): a characteristic above 127 is made
/// 128 smaller and reported; one below zero is made 128 larger and reported when the
/// exponent-underflow mask is one, or the result becomes a true zero when it is zero.
#[inline(always)]
fn finish(v: Hfp, pm: u8) -> Outcome {
    if v.ch as u32 <= 127 {
        (v, None)
    } else if v.ch > 127 {
        (Hfp { ch: v.ch.rem_euclid(128), ..v }, Some(pic::EXPONENT_OVERFLOW))
    } else if pm & PM_EXPONENT_UNDERFLOW != 0 {
        (Hfp { ch: v.ch.rem_euclid(128), ..v }, Some(pic::EXPONENT_UNDERFLOW))
    } else {
        (TRUE_ZERO, None)
    }
}

/// The intermediate sum of `a + b`, both of width `w`, with one guard digit: the operand
/// with the smaller characteristic is shifted right by the difference (digits past the
/// guard digit are lost), the fractions are added or subtracted by the rules of algebra, and
/// a carry out of the leftmost digit shifts the sum right one digit (losing the guard digit)
/// with the characteristic increased. Returns the sign, characteristic and the `w.digits()
/// + 1`-digit fraction.
#[inline(always)]
fn intermediate_sum(a: Hfp, b: Hfp, w: Width) -> Hfp {
    // The same steps in 64 bits for short and long operands (15 digits and a carry fit),
    // in 128 for extended ones.
    macro_rules! sum {
        ($t:ty) => {{
            let digits_max = (<$t>::BITS / 4) as i32;
            let shr = |x: $t, d: i32| if d >= digits_max { 0 } else { x >> (4 * d) };
            let ch = a.ch.max(b.ch);
            let fa = shr((a.frac as $t) << 4, ch - a.ch);
            let fb = shr((b.frac as $t) << 4, ch - b.ch);
            let (neg, mut sum) = if a.neg == b.neg {
                (a.neg, fa + fb)
            } else if fa >= fb {
                (a.neg, fa - fb)
            } else {
                (b.neg, fb - fa)
            };
            let mut ch = ch;
            if sum >> (w.bits() + 4) != 0 {
                sum >>= 4;
                ch += 1;
            }
            Hfp { neg, ch, frac: sum as u128 }
        }};
    }
    if w == Width::Extended { sum!(u128) } else { sum!(u64) }
}

/// ADD NORMALIZED (and, with `b`'s sign inverted, SUBTRACT NORMALIZED): PoO "ADD
/// NORMALIZED". The intermediate sum keeps a guard digit, is normalized and then truncated.
/// An intermediate fraction of zero (guard digit included) is a significance exception: with
/// the significance mask one, the result keeps the intermediate characteristic with a plus
/// sign and a zero fraction; with it zero, the result is a true zero.
#[inline]
pub(crate) fn add_normalized(a: Hfp, b: Hfp, w: Width, pm: u8) -> Outcome {
    let s = intermediate_sum(a, b, w);
    if s.frac == 0 {
        return significance(Hfp { neg: false, ch: s.ch, frac: 0 }, pm);
    }
    let lead = leading_zero_digits(s.frac, w.digits() + 1);
    let v = Hfp { neg: s.neg, ch: s.ch - lead as i32, frac: (s.frac << (4 * lead)) >> 4 };
    finish(v, pm)
}

/// ADD UNNORMALIZED: PoO "ADD UNNORMALIZED". As [`add_normalized`], except that the
/// intermediate sum is truncated without normalization, exponent underflow cannot occur, and
/// the guard digit does not take part in recognizing a zero result fraction. A zero result
/// fraction has a plus sign even when the guard digit was not zero (as for every sum with a
/// zero result fraction; Hercules agrees).
#[inline]
pub(crate) fn add_unnormalized(a: Hfp, b: Hfp, w: Width, pm: u8) -> Outcome {
    let s = intermediate_sum(a, b, w);
    let frac = s.frac >> 4;
    if frac == 0 {
        return significance(Hfp { neg: false, ch: s.ch, frac: 0 }, pm);
    }
    finish(Hfp { frac, ..s }, pm)
}

/// A zero result fraction of an addition: reported with the intermediate characteristic
/// when the significance mask is one, otherwise made a true zero.
fn significance(v: Hfp, pm: u8) -> Outcome {
    if pm & PM_SIGNIFICANCE != 0 { (v, Some(pic::SIGNIFICANCE)) } else { (TRUE_ZERO, None) }
}

/// The sign of `v` inverted (for the SUBTRACT instructions and COMPARE).
#[inline(always)]
pub(crate) fn negated(v: Hfp) -> Hfp {
    Hfp { neg: !v.neg, ..v }
}

/// COMPARE: PoO "COMPARE". The comparison follows the rules of normalized subtraction with
/// a guard digit; the operands are equal when the intermediate difference is zero. Returns
/// the condition code: 0 equal, 1 first operand low, 2 first operand high.
#[inline]
pub(crate) fn compare(a: Hfp, b: Hfp, w: Width) -> u8 {
    intermediate_sum(a, negated(b), w).cc()
}

/// MULTIPLY: PoO "MULTIPLY". `a` and `b` have width `ow`; the product has width `rw`
/// (MER: short to long, MDR: long to long, MXDR: long to extended, MXR: extended to
/// extended). The operands are normalized first; the product of the fractions is exact,
/// shifted left one digit if it has a leading zero, and truncated to `rw`. A zero operand
/// fraction gives a true zero without exception.
#[inline]
pub(crate) fn multiply(a: Hfp, b: Hfp, ow: Width, rw: Width, pm: u8) -> Outcome {
    if a.frac == 0 || b.frac == 0 {
        return (TRUE_ZERO, None);
    }
    let (a, b) = (a.normalized(ow), b.normalized(ow));
    let mut ch = a.ch + b.ch - 64;
    // The exact product has 2n digits; n <= 28, so it fits 224 bits (short and long
    // products fit 128).
    let (mut hi, mut lo) =
        if ow == Width::Extended { mul_wide(a.frac, b.frac) } else { (0, a.frac * b.frac) };
    let pbits = 2 * ow.bits();
    if bit_range(hi, lo, pbits - 4, 4) == 0 {
        (hi, lo) = ((hi << 4) | (lo >> 124), lo << 4);
        ch -= 1;
    }
    let frac = if rw.bits() >= pbits {
        lo << (rw.bits() - pbits)
    } else {
        bit_range(hi, lo, pbits - rw.bits(), rw.bits())
    };
    finish(Hfp { neg: a.neg != b.neg, ch, frac }, pm)
}

/// The 256-bit product of two 128-bit integers, as (high, low) halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & M, b >> 64, b & M);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let lo = (p00 & M) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// Bits `from .. from + len` (len <= 128) of the 256-bit number (hi, lo).
fn bit_range(hi: u128, lo: u128, from: u32, len: u32) -> u128 {
    let v = if from == 0 {
        lo
    } else if from < 128 {
        (lo >> from) | (hi << (128 - from))
    } else {
        hi >> (from - 128)
    };
    if len >= 128 { v } else { v & ((1u128 << len) - 1) }
}

/// DIVIDE: PoO "DIVIDE" (short and long; the S/370 has no extended divide). The operands
/// are normalized first; the quotient of the fractions is truncated, after a right shift of
/// one digit when the dividend fraction is not less than the divisor's. `None` when the
/// divisor fraction is zero: a floating-point-divide exception, the operation suppressed.
/// A zero dividend fraction gives a true zero without exception.
#[inline]
pub(crate) fn divide(a: Hfp, b: Hfp, w: Width, pm: u8) -> Option<Outcome> {
    if b.frac == 0 {
        return None;
    }
    if a.frac == 0 {
        return Some((TRUE_ZERO, None));
    }
    let (a, b) = (a.normalized(w), b.normalized(w));
    let mut ch = a.ch - b.ch + 64;
    let mut q = if w == Width::Short {
        u128::from(((a.frac as u64) << 24) / (b.frac as u64))
    } else {
        (a.frac << w.bits()) / b.frac
    };
    if q >> w.bits() != 0 {
        q >>= 4;
        ch += 1;
    }
    Some(finish(Hfp { neg: a.neg != b.neg, ch, frac: q }, pm))
}

/// HALVE: PoO "HALVE". The fraction is shifted right one bit, the bit shifted out kept in
/// the guard digit; the intermediate result is normalized and truncated. A zero fraction
/// gives a true zero; the result may underflow.
pub(crate) fn halve(a: Hfp, w: Width, pm: u8) -> Outcome {
    if a.frac == 0 {
        return (TRUE_ZERO, None);
    }
    // One guard digit: fraction * 16 / 2.
    let g = a.frac << 3;
    let lead = leading_zero_digits(g, w.digits() + 1);
    finish(Hfp { neg: a.neg, ch: a.ch - lead as i32, frac: (g << (4 * lead)) >> 4 }, pm)
}

/// LOAD ROUNDED, long to short (LRER): PoO "LOAD ROUNDED". A one is added in bit position
/// 32 of the long operand and the fraction truncated to six digits; a carry out of the
/// fraction shifts it right one digit and raises the characteristic, which may overflow.
/// No normalization; a zero fraction stays as it is.
pub(crate) fn round_long(v: u64) -> Outcome {
    let a = Hfp::from_long(v);
    rounded(Hfp { frac: (a.frac + (1 << 31)) >> 32, ..a }, Width::Short)
}

/// LOAD ROUNDED, extended to long (LRDR): a one is added in bit position 72 of the extended
/// operand (the leftmost bit of the low-order fraction), as [`round_long`].
pub(crate) fn round_extended(hi: u64, lo: u64) -> Outcome {
    let a = Hfp::from_long(hi);
    rounded(Hfp { frac: a.frac + u128::from((lo >> 55) & 1), ..a }, Width::Long)
}

/// The carry and overflow handling shared by the LOAD ROUNDED instructions.
fn rounded(mut v: Hfp, w: Width) -> Outcome {
    if v.frac >> w.bits() != 0 {
        v.frac >>= 4;
        v.ch += 1;
    }
    if v.ch > 127 { (Hfp { ch: v.ch - 128, ..v }, Some(pic::EXPONENT_OVERFLOW)) } else { (v, None) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_multiply_matches_split_products() {
        let a = 0xFFFF_FFFF_FFFF_FFFF_FFFF_FFFF_FFFFu128;
        let (hi, lo) = mul_wide(a, a);
        // (2^112 - 1)^2 = 2^224 - 2^113 + 1
        assert_eq!(lo, 1u128.wrapping_sub(1u128 << 113));
        assert_eq!(hi, (1u128 << 96) - 1);
        assert_eq!(mul_wide(3, 5), (0, 15));
        assert_eq!(bit_range(hi, lo, 216, 8), 0xFF);
        assert_eq!(bit_range(0, 0x1234, 4, 8), 0x23);
    }

    #[test]
    fn extended_low_order_part() {
        let v = Hfp { neg: true, ch: 0x05, frac: 0x1000_0000_0000_0000_0000_0000_0002 };
        let (hi, lo) = v.to_extended();
        assert_eq!(hi, 0x8510_0000_0000_0000);
        // 5 - 14 = -9, made 128 greater: 0x77; the sign follows the high-order part.
        assert_eq!(lo, 0xF700_0000_0000_0002);
        assert_eq!(TRUE_ZERO.to_extended(), (0, 0));
    }
}
