//! Decimal to System/370 hexadecimal floating point, correctly rounded, for E, D and L
//! constants. A small unsigned big integer does the exact arithmetic: a long (D) fraction
//! has 56 bits, more than an `f64` holds.

use std::cmp::Ordering;

/// An unsigned big integer, little-endian 32-bit limbs, no trailing zero limbs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u128(mut v: u128) -> Big {
        let mut l = Vec::new();
        while v != 0 {
            l.push(v as u32);
            v >>= 32;
        }
        Big(l)
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    fn mul_pow(&mut self, base: u32, n: u32) {
        for _ in 0..n {
            self.mul_small(base);
        }
    }

    fn shl(&self, bits: u32) -> Big {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        let mut l = vec![0u32; words];
        let mut carry = 0u32;
        for &x in &self.0 {
            if bits == 0 {
                l.push(x);
            } else {
                l.push(x << bits | carry);
                carry = x >> (32 - bits);
            }
        }
        if carry != 0 {
            l.push(carry);
        }
        let mut b = Big(l);
        b.trim();
        b
    }

    fn sub_assign(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let v = i64::from(self.0[i]) - i64::from(o.0.get(i).copied().unwrap_or(0)) - borrow;
            if v < 0 {
                self.0[i] = (v + (1i64 << 32)) as u32;
                borrow = 1;
            } else {
                self.0[i] = v as u32;
                borrow = 0;
            }
        }
        self.trim();
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn cmp(&self, o: &Big) -> Ordering {
        self.0.len().cmp(&o.0.len()).then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }

    /// `self / d` rounded half up, when the quotient is below 2^127.
    fn div_round(&self, d: &Big) -> u128 {
        let mut r = self.shl(1);
        let d2 = d.shl(1);
        // (2n + d) / 2d
        let mut sum = r.clone();
        // sum = r + d
        let mut carry = 0u64;
        let n = sum.0.len().max(d.0.len());
        sum.0.resize(n, 0);
        for i in 0..n {
            let v = u64::from(sum.0[i]) + u64::from(d.0.get(i).copied().unwrap_or(0)) + carry;
            sum.0[i] = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            sum.0.push(carry as u32);
        }
        sum.trim();
        r = sum;
        let mut q = 0u128;
        for bit in (0..127).rev() {
            let s = d2.shl(bit);
            if s.cmp(&r) != Ordering::Greater {
                r.sub_assign(&s);
                q |= 1u128 << bit;
            }
        }
        q
    }
}

/// Why a floating-point constant could not be converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatErr {
    /// Not a decimal number.
    Syntax,
    /// Too large or too small for the format.
    Range,
}

/// A parsed decimal: sign, digits as an integer, power of ten.
fn parse_decimal(s: &str, extra_exp: i32) -> Result<(bool, Big, i32), FloatErr> {
    let s = s.trim();
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mant, exp) = match body.find(['E', 'e']) {
        Some(p) => (&body[..p], body[p + 1..].parse::<i32>().map_err(|_| FloatErr::Syntax)?),
        None => (body, 0),
    };
    let mut digits = Big(Vec::new());
    let mut frac = 0i32;
    let (mut seen_point, mut any) = (false, false);
    for c in mant.chars() {
        match c {
            '0'..='9' => {
                any = true;
                digits.mul_small(10);
                let add = Big::from_u128(u128::from(c as u32 - '0' as u32));
                // digits += add
                let mut carry = u64::from(add.0.first().copied().unwrap_or(0));
                for limb in &mut digits.0 {
                    let v = u64::from(*limb) + carry;
                    *limb = v as u32;
                    carry = v >> 32;
                    if carry == 0 {
                        break;
                    }
                }
                if carry != 0 {
                    digits.0.push(carry as u32);
                }
                digits.trim();
                if seen_point {
                    frac += 1;
                }
                if digits.0.len() > 16 {
                    return Err(FloatErr::Range);
                }
            }
            '.' if !seen_point => seen_point = true,
            _ => return Err(FloatErr::Syntax),
        }
    }
    if !any {
        return Err(FloatErr::Syntax);
    }
    let e = exp.checked_add(extra_exp).and_then(|e| e.checked_sub(frac)).ok_or(FloatErr::Range)?;
    if !(-400..=400).contains(&e) {
        return Err(FloatErr::Range);
    }
    Ok((neg, digits, e))
}

/// Converts a decimal number (`1.5`, `-2E-3`) to a hexadecimal floating-point number of
/// `bytes` bytes (4, 8 or 16), rounded to nearest; `extra_exp` is an exponent modifier.
pub(crate) fn to_hex_float(s: &str, bytes: usize, extra_exp: i32) -> Result<Vec<u8>, FloatErr> {
    let (neg, m, k) = parse_decimal(s, extra_exp)?;
    let hex_digits: i32 = match bytes {
        16 => 28,
        8 => 14,
        _ => 6,
    };
    if m.is_zero() {
        let mut v = vec![0u8; bytes.max(4)];
        if neg {
            v[0] = 0x80;
        }
        return Ok(v);
    }
    // v = m * 10^k. Find e with 16^(e-1) <= v < 16^e, then f = round(v * 16^(n-e)).
    let cmp_pow16 = |e: i32| -> Ordering {
        // compare m*10^k with 16^e
        let mut a = m.clone();
        let mut b = Big::from_u128(1);
        if k >= 0 {
            a.mul_pow(10, k as u32)
        } else {
            b.mul_pow(10, (-k) as u32)
        }
        if e >= 0 {
            b.mul_pow(16, e as u32)
        } else {
            a.mul_pow(16, (-e) as u32)
        }
        a.cmp(&b)
    };
    let digits_len =
        (m.0.len() as f64 * 32.0 * std::f64::consts::LN_2 / std::f64::consts::LN_10) as i32;
    let mut e = ((f64::from(digits_len + k)) * std::f64::consts::LN_10 / (16f64).ln()) as i32;
    while cmp_pow16(e) != Ordering::Less {
        e += 1;
    }
    while cmp_pow16(e - 1) == Ordering::Less {
        e -= 1;
    }
    let frac = |e: i32| -> u128 {
        let shift = hex_digits - e;
        let mut num = m.clone();
        let mut den = Big::from_u128(1);
        if k >= 0 {
            num.mul_pow(10, k as u32)
        } else {
            den.mul_pow(10, (-k) as u32)
        }
        if shift >= 0 {
            num.mul_pow(16, shift as u32)
        } else {
            den.mul_pow(16, (-shift) as u32)
        }
        num.div_round(&den)
    };
    let mut f = frac(e);
    if f >= 1u128 << (4 * hex_digits) {
        e += 1;
        f >>= 4;
    }
    let ch = e + 64;
    if !(0..=127).contains(&ch) {
        return Err(FloatErr::Range);
    }
    let sign = if neg { 0x80u8 } else { 0 };
    let mut out = Vec::with_capacity(bytes);
    if hex_digits == 28 {
        let hi = (f >> 56) as u64;
        let lo = (f & ((1u128 << 56) - 1)) as u64;
        out.push(sign | ch as u8);
        out.extend_from_slice(&hi.to_be_bytes()[1..]);
        let ch2 = (ch - 14).rem_euclid(128);
        out.push(sign | ch2 as u8);
        out.extend_from_slice(&lo.to_be_bytes()[1..]);
    } else {
        out.push(sign | ch as u8);
        let nbytes = (hex_digits / 2) as usize;
        let fb = f.to_be_bytes();
        out.extend_from_slice(&fb[16 - nbytes..]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str, n: usize) -> String {
        to_hex_float(s, n, 0).unwrap().iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn known_values() {
        assert_eq!(hex("1", 4), "41100000");
        assert_eq!(hex("-1", 4), "C1100000");
        assert_eq!(hex("0.5", 4), "40800000");
        assert_eq!(hex("100", 4), "42640000");
        assert_eq!(hex("0", 8), "0000000000000000");
        assert_eq!(hex("1", 8), "4110000000000000");
        assert_eq!(hex("0.1", 4), "4019999A");
        assert_eq!(hex("0.1", 8), "401999999999999A");
        assert_eq!(hex("1E3", 4), "433E8000");
        assert_eq!(hex("1", 16), "41100000000000003300000000000000");
        assert_eq!(hex("15.9999999", 4), "42100000");
    }

    #[test]
    fn errors() {
        assert_eq!(to_hex_float("1E99", 4, 0), Err(FloatErr::Range));
        assert_eq!(to_hex_float("abc", 4, 0), Err(FloatErr::Syntax));
        assert_eq!(to_hex_float("", 4, 0), Err(FloatErr::Syntax));
    }
}
