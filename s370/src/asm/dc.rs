//! DC and DS operands: `[dup]type[Ln][Sn][En][nominal]` for the constant types C X B F H E
//! D L P Z A Y S V, their layout (alignment, lengths: pass 1) and their bytes (pass 2).
//! Literals are DC operands too.

use nom::Parser;
use nom::character::complete::char as ch;

use super::expr::{Env, EvalErr, Expr, Value, eval, expr};
use super::hexfloat::{FloatErr, to_hex_float};
use super::lex::{PResult, char_string, hard, quoted, soft};

/// A modifier or duplication factor: a decimal number or a parenthesised expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Modif {
    /// A decimal number.
    Num(i64),
    /// `(expr)`, with the remaining length after it.
    Expr(Expr, usize),
}

/// One address-constant value: `expr`, or `disp(base)` for S-type constants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AddrVal {
    /// The expression.
    pub expr: Expr,
    /// The explicit base register of an S-type constant.
    pub base: Option<Expr>,
    /// Remaining length after the value.
    pub rlen: usize,
}

/// The nominal value of a constant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Nominal {
    /// None given (DS, or a zero duplication factor).
    None,
    /// `'...'`: the raw text between the quotes, and the remaining length after it.
    Str(String, usize),
    /// `(a,b,...)` for A, Y, S and V.
    Addrs(Vec<AddrVal>),
}

/// One DC/DS operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DcOperand {
    /// Duplication factor.
    pub dup: Option<Modif>,
    /// Constant type (upper case).
    pub typ: char,
    /// Length modifier.
    pub len: Option<Modif>,
    /// Scale modifier.
    pub scale: Option<Modif>,
    /// Exponent modifier.
    pub exp: Option<Modif>,
    /// Nominal value.
    pub nominal: Nominal,
}

const TYPES: &str = "CXBFHEDLPZAYSVQ";

fn is_addr_type(t: char) -> bool {
    matches!(t, 'A' | 'Y' | 'S' | 'V' | 'Q')
}

fn modifier(i: &str, signed: bool) -> PResult<'_, Modif> {
    if let Some(r) = i.strip_prefix('(') {
        let (r, e) = expr(r)?;
        let (r, _) = ch(')')
            .parse(r)
            .or_else(|_: nom::Err<super::lex::PErr>| hard(r, "MISSING RIGHT PARENTHESIS"))?;
        return Ok((r, Modif::Expr(e, r.len())));
    }
    let (neg, body) = match i.as_bytes().first() {
        Some(b'-') if signed => (true, &i[1..]),
        Some(b'+') if signed => (false, &i[1..]),
        _ => (false, i),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return soft(i, "EXPECTED A MODIFIER");
    }
    match body[..n].parse::<i64>() {
        Ok(v) if v <= 1 << 24 => Ok((&body[n..], Modif::Num(if neg { -v } else { v }))),
        _ => hard(i, "MODIFIER TOO LARGE"),
    }
}

fn addr_list(i: &str, typ: char) -> PResult<'_, Vec<AddrVal>> {
    let mut r = &i[1..];
    let mut out = Vec::new();
    loop {
        let (rest, e) = match expr(r) {
            Ok(v) => v,
            Err(nom::Err::Error(_)) => return hard(r, "EXPECTED AN EXPRESSION"),
            Err(e) => return Err(e),
        };
        let mut base = None;
        let mut rest = rest;
        if typ == 'S' && rest.starts_with('(') {
            let (r2, b) = expr(&rest[1..])?;
            let Some(r3) = r2.strip_prefix(')') else {
                return hard(r2, "MISSING RIGHT PARENTHESIS");
            };
            base = Some(b);
            rest = r3;
        }
        out.push(AddrVal { expr: e, base, rlen: rest.len() });
        match rest.chars().next() {
            Some(',') => r = &rest[1..],
            Some(')') => return Ok((&rest[1..], out)),
            _ => return hard(rest, "MISSING RIGHT PARENTHESIS"),
        }
    }
}

/// Parses one DC/DS operand (also the text of a literal after its `=`).
pub(crate) fn dc_operand(i: &str) -> PResult<'_, DcOperand> {
    let (i, dup) = match i.chars().next() {
        Some(c) if c.is_ascii_digit() || c == '(' => {
            let (r, m) = modifier(i, false)?;
            (r, Some(m))
        }
        _ => (i, None),
    };
    let typ = match i.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => return soft(i, "EXPECTED A CONSTANT TYPE"),
    };
    if !TYPES.contains(typ) {
        return hard(i, "INVALID CONSTANT TYPE");
    }
    let mut i = &i[1..];
    let (mut len, mut scale, mut exp) = (None, None, None);
    while let Some(c) = i.chars().next() {
        let next = i.chars().nth(1);
        let starts_value = |signed: bool| {
            next.is_some_and(|n| {
                n.is_ascii_digit() || n == '(' || (signed && (n == '-' || n == '+'))
            })
        };
        match c.to_ascii_uppercase() {
            'L' if len.is_none() && starts_value(false) => {
                let (r, m) = modifier(&i[1..], false)?;
                len = Some(m);
                i = r;
            }
            'S' if scale.is_none() && starts_value(true) => {
                let (r, m) = modifier(&i[1..], true)?;
                scale = Some(m);
                i = r;
            }
            'E' if exp.is_none() && starts_value(true) => {
                let (r, m) = modifier(&i[1..], true)?;
                exp = Some(m);
                i = r;
            }
            _ => break,
        }
    }
    let (i, nominal) = if is_addr_type(typ) {
        if i.starts_with('(') {
            let (r, v) = addr_list(i, typ)?;
            (r, Nominal::Addrs(v))
        } else {
            (i, Nominal::None)
        }
    } else if i.starts_with('\'') {
        let (r, body) = quoted(i)?;
        (r, Nominal::Str(body.to_string(), r.len()))
    } else {
        (i, Nominal::None)
    };
    Ok((i, DcOperand { dup, typ, len, scale, exp, nominal }))
}

/// Where a constant goes and how long it is (pass 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Alignment (1, 2, 4 or 8).
    pub align: u32,
    /// Duplication factor.
    pub dup: u32,
    /// The length of each nominal value.
    pub lens: Vec<u32>,
    /// The length attribute (of the first value).
    pub length_attr: u32,
}

impl Layout {
    /// Total bytes.
    pub fn total(&self) -> u64 {
        u64::from(self.dup) * self.lens.iter().map(|&l| u64::from(l)).sum::<u64>()
    }
}

fn modif_value(m: &Modif, env: &mut dyn Env) -> Result<i64, EvalErr> {
    match m {
        Modif::Num(v) => Ok(*v),
        Modif::Expr(e, rlen) => {
            let v = eval(e, env)?;
            if !v.is_abs() {
                return Err(EvalErr::bad("MODIFIER MUST BE ABSOLUTE", *rlen));
            }
            Ok(v.off)
        }
    }
}

fn modif_rlen(m: &Modif, dflt: usize) -> usize {
    match m {
        Modif::Num(_) => dflt,
        Modif::Expr(_, r) => *r,
    }
}

impl DcOperand {
    /// The nominal values of a string-type constant (C is one value; others split at commas).
    pub fn values(&self) -> Vec<&str> {
        match &self.nominal {
            Nominal::Str(s, _) if self.typ == 'C' => vec![s.as_str()],
            Nominal::Str(s, _) => s.split(',').collect(),
            _ => Vec::new(),
        }
    }

    /// Where messages about the nominal value point: its opening quote or last value.
    fn nominal_rlen(&self) -> usize {
        match &self.nominal {
            Nominal::Str(s, r) => r + s.len() + 2,
            Nominal::Addrs(v) => v.last().map_or(0, |a| a.rlen),
            Nominal::None => 0,
        }
    }

    /// The type attribute of a symbol naming this constant.
    pub fn type_attr(&self) -> char {
        match (self.typ, self.len.is_some()) {
            ('F' | 'H', true) => 'G',
            ('E' | 'D' | 'L', true) => 'K',
            ('A' | 'S' | 'V' | 'Q' | 'Y', true) => 'R',
            (t, _) => t,
        }
    }

    /// Lengths and alignment. `ds` allows a missing nominal value.
    pub fn layout(&self, env: &mut dyn Env, ds: bool) -> Result<Layout, EvalErr> {
        let rl = self.nominal_rlen();
        let dup = match &self.dup {
            Some(m) => modif_value(m, env)?,
            None => 1,
        };
        if !(0..=1 << 24).contains(&dup) {
            return Err(EvalErr::bad(
                "INVALID DUPLICATION FACTOR",
                self.dup.as_ref().map_or(rl, |m| modif_rlen(m, rl)),
            ));
        }
        let explicit = match &self.len {
            Some(m) => {
                let v = modif_value(m, env)?;
                let max = match self.typ {
                    'F' | 'H' | 'E' | 'D' => 8,
                    'L' | 'P' | 'Z' => 16,
                    'A' | 'V' | 'Q' => 4,
                    'Y' | 'S' => 2,
                    _ => 65535,
                };
                let min = match self.typ {
                    'S' => 2,
                    'V' => 3,
                    _ => 1,
                };
                if v < min || v > max {
                    return Err(EvalErr::bad("INVALID LENGTH MODIFIER", modif_rlen(m, rl)));
                }
                Some(v as u32)
            }
            None => None,
        };
        let align = match (self.typ, explicit) {
            (_, Some(_)) => 1,
            ('F' | 'A' | 'V' | 'Q' | 'E', None) => 4,
            ('H' | 'Y' | 'S', None) => 2,
            ('D' | 'L', None) => 8,
            _ => 1,
        };
        let fixed = match self.typ {
            'F' | 'A' | 'V' | 'Q' | 'E' => Some(4),
            'H' | 'Y' | 'S' => Some(2),
            'D' => Some(8),
            'L' => Some(16),
            _ => None,
        };
        let count = match &self.nominal {
            Nominal::None => {
                if !ds && dup != 0 {
                    return Err(EvalErr::bad("MISSING NOMINAL VALUE", rl));
                }
                let l = explicit.or(fixed).unwrap_or(1);
                return Ok(Layout { align, dup: dup as u32, lens: vec![l], length_attr: l });
            }
            Nominal::Addrs(v) => v.len(),
            Nominal::Str(..) => self.values().len(),
        };
        let mut lens = Vec::with_capacity(count);
        if let Nominal::Str(..) = self.nominal {
            for v in self.values() {
                let implied = match self.typ {
                    'C' => char_string(v).chars().count() as u32,
                    'X' => (v.len() as u32).div_ceil(2),
                    'B' => (v.len() as u32).div_ceil(8),
                    'P' => (v.bytes().filter(u8::is_ascii_digit).count() as u32 + 2) / 2,
                    'Z' => v.bytes().filter(u8::is_ascii_digit).count() as u32,
                    _ => fixed.unwrap_or(1),
                };
                if explicit.is_none() && implied == 0 {
                    return Err(EvalErr::bad("NULL CONSTANT", rl));
                }
                if implied > 65535 {
                    return Err(EvalErr::bad("CONSTANT TOO LONG", rl));
                }
                lens.push(explicit.unwrap_or(implied));
            }
        } else {
            lens.resize(count, explicit.or(fixed).unwrap_or(4));
        }
        let length_attr = lens.first().copied().unwrap_or(1);
        let layout = Layout { align, dup: dup as u32, lens, length_attr };
        if layout.total() > 1 << 24 {
            return Err(EvalErr::bad("CONSTANT TOO LONG", rl));
        }
        Ok(layout)
    }

    /// Generates the constant's bytes into `out`, recording address constants.
    pub fn generate(
        &self,
        layout: &Layout,
        env: &mut dyn DcEnv,
        out: &mut Vec<u8>,
        adcons: &mut Vec<Adcon>,
    ) -> Result<(), EvalErr> {
        let rl = self.nominal_rlen();
        let scale = match &self.scale {
            Some(m) => modif_value(m, env)?,
            None => 0,
        };
        let expo = match &self.exp {
            Some(m) => modif_value(m, env)?,
            None => 0,
        };
        if scale.abs() > 100 || expo.abs() > 100 {
            return Err(EvalErr::bad("INVALID MODIFIER", rl));
        }
        let mut one = Vec::new();
        let mut one_adcons = Vec::new();
        match &self.nominal {
            Nominal::None => {
                out.resize(out.len() + layout.total() as usize, 0);
                return Ok(());
            }
            Nominal::Str(..) => {
                for (v, &len) in self.values().iter().zip(&layout.lens) {
                    let bytes =
                        string_constant(self.typ, v, len as usize, scale as i32, expo as i32)
                            .map_err(|m| EvalErr::bad(m, rl))?;
                    one.extend_from_slice(&bytes);
                }
            }
            Nominal::Addrs(vals) => {
                for (a, &len) in vals.iter().zip(&layout.lens) {
                    address_constant(self.typ, a, len, env, &mut one, &mut one_adcons)?;
                }
            }
        }
        for _ in 0..layout.dup {
            let base = out.len() as u32;
            out.extend_from_slice(&one);
            adcons.extend(one_adcons.iter().map(|a| Adcon { at: a.at + base, ..a.clone() }));
        }
        Ok(())
    }
}

/// What generating address constants needs beyond expression evaluation.
pub(crate) trait DcEnv: Env {
    /// The value as assembled: section origins added in.
    fn assembled(&self, v: &Value) -> i64;
    /// Base register and displacement for an implicit address (S-type constants).
    fn base_disp(&mut self, v: &Value, rlen: usize) -> Result<(u32, u32), EvalErr>;
    /// The value of a V-type constant's symbol (an external reference).
    fn vcon(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr>;
}

/// An address constant needing relocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Adcon {
    /// Offset within the generated bytes.
    pub at: u32,
    /// Length (1-4).
    pub len: u8,
    /// The value (its relocatable terms give the RLD entries).
    pub value: Value,
    /// A V-type constant.
    pub vtype: bool,
}

fn address_constant(
    typ: char,
    a: &AddrVal,
    len: u32,
    env: &mut dyn DcEnv,
    out: &mut Vec<u8>,
    adcons: &mut Vec<Adcon>,
) -> Result<(), EvalErr> {
    let at = out.len() as u32;
    match typ {
        'V' => {
            let Expr::Sym { name, rlen } = &a.expr else {
                return Err(EvalErr::bad("V-TYPE CONSTANT NEEDS A SYMBOL", a.rlen));
            };
            let v = env.vcon(name, *rlen)?;
            let n = env.assembled(&v);
            push_int(out, n, len as usize);
            if !v.is_abs() {
                adcons.push(Adcon { at, len: len as u8, value: v, vtype: true });
            }
        }
        'S' => {
            let v = eval(&a.expr, env)?;
            let (b, d) = match &a.base {
                Some(be) => {
                    let bv = eval(be, env)?;
                    if !v.is_abs() || !bv.is_abs() {
                        return Err(EvalErr::bad(
                            "S-TYPE CONSTANT: ABSOLUTE D(B) REQUIRED",
                            a.rlen,
                        ));
                    }
                    if !(0..=15).contains(&bv.off) || !(0..=4095).contains(&v.off) {
                        return Err(EvalErr::bad("S-TYPE CONSTANT OUT OF RANGE", a.rlen));
                    }
                    (bv.off as u32, v.off as u32)
                }
                None => env.base_disp(&v, a.rlen)?,
            };
            push_int(out, i64::from(b << 12 | d), len as usize);
        }
        'Q' => return Err(EvalErr::bad("Q-TYPE CONSTANTS ARE NOT SUPPORTED", a.rlen)),
        _ => {
            let v = eval(&a.expr, env)?;
            let n = env.assembled(&v);
            if v.is_abs() {
                let bits = 8 * len;
                let lo = -(1i64 << (bits - 1));
                let hi = if bits >= 32 { i64::from(u32::MAX) } else { (1i64 << bits) - 1 };
                if n < lo || n > hi {
                    return Err(EvalErr::bad("ADDRESS CONSTANT VALUE TOO LARGE", a.rlen));
                }
            } else {
                if len < 2 {
                    return Err(EvalErr::bad(
                        "RELOCATABLE ADDRESS CONSTANT SHORTER THAN 2 BYTES",
                        a.rlen,
                    ));
                }
                adcons.push(Adcon { at, len: len as u8, value: v, vtype: false });
            }
            push_int(out, n, len as usize);
        }
    }
    Ok(())
}

fn push_int(out: &mut Vec<u8>, v: i64, len: usize) {
    let b = v.to_be_bytes();
    if len <= 8 {
        out.extend_from_slice(&b[8 - len..]);
    } else {
        let fill = if v < 0 { 0xFF } else { 0 };
        out.resize(out.len() + len - 8, fill);
        out.extend_from_slice(&b);
    }
}

/// Right-aligns `bytes` in `len` bytes: pads on the left with `fill`, truncates on the left.
fn right_align(bytes: &[u8], len: usize, fill: u8) -> Vec<u8> {
    if bytes.len() >= len {
        bytes[bytes.len() - len..].to_vec()
    } else {
        let mut v = vec![fill; len - bytes.len()];
        v.extend_from_slice(bytes);
        v
    }
}

fn string_constant(
    typ: char,
    v: &str,
    len: usize,
    scale: i32,
    expo: i32,
) -> Result<Vec<u8>, &'static str> {
    match typ {
        'C' => {
            let mut b = crate::ebcdic::from_str(&char_string(v));
            b.resize(len, 0x40);
            Ok(b)
        }
        'X' => {
            if !v.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err("INVALID HEXADECIMAL CONSTANT");
            }
            let padded = if v.len() % 2 == 1 { format!("0{v}") } else { v.to_string() };
            let bytes: Vec<u8> = (0..padded.len() / 2)
                .map(|k| u8::from_str_radix(&padded[2 * k..2 * k + 2], 16).unwrap_or(0))
                .collect();
            Ok(right_align(&bytes, len, 0))
        }
        'B' => {
            if !v.chars().all(|c| c == '0' || c == '1') {
                return Err("INVALID BINARY CONSTANT");
            }
            let nbytes = v.len().div_ceil(8);
            let padded = format!("{}{v}", "0".repeat(nbytes * 8 - v.len()));
            let bytes: Vec<u8> = (0..nbytes)
                .map(|k| u8::from_str_radix(&padded[8 * k..8 * k + 8], 2).unwrap_or(0))
                .collect();
            Ok(right_align(&bytes, len, 0))
        }
        'F' | 'H' => {
            let n = fixed_value(v, scale, expo)?;
            let bits = 8 * len as u32;
            let (lo, hi) = (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1);
            if n < lo || n > hi {
                return Err("FIXED-POINT CONSTANT TOO LARGE");
            }
            let b = n.to_be_bytes();
            Ok(b[16 - len..].to_vec())
        }
        'E' | 'D' | 'L' => {
            let size = match typ {
                'E' => 4,
                'D' => 8,
                _ => 16,
            };
            let bytes = to_hex_float(v, size, expo).map_err(|e| match e {
                FloatErr::Syntax => "INVALID FLOATING-POINT CONSTANT",
                FloatErr::Range => "FLOATING-POINT CONSTANT OUT OF RANGE",
            })?;
            // An explicit length keeps the leftmost bytes (the fraction is truncated).
            let mut b = bytes;
            b.resize(len, 0);
            Ok(b)
        }
        'P' | 'Z' => decimal_constant(typ, v, len),
        _ => Err("INVALID CONSTANT TYPE"),
    }
}

fn decimal_constant(typ: char, v: &str, len: usize) -> Result<Vec<u8>, &'static str> {
    let (neg, body) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v),
    };
    if body.is_empty()
        || !body.chars().all(|c| c.is_ascii_digit() || c == '.')
        || body.matches('.').count() > 1
    {
        return Err("INVALID DECIMAL CONSTANT");
    }
    let digits: Vec<u8> = body.bytes().filter(u8::is_ascii_digit).map(|d| d - b'0').collect();
    if digits.is_empty() {
        return Err("INVALID DECIMAL CONSTANT");
    }
    let sign = if neg { 0xD } else { 0xC };
    if typ == 'Z' {
        let mut b: Vec<u8> = digits.iter().map(|d| 0xF0 | d).collect();
        if let Some(last) = b.last_mut() {
            *last = (sign << 4) | (*last & 0x0F);
        }
        let mut out = right_align(&b, len, 0xF0);
        // The sign zone stays on the rightmost byte even when truncated.
        if let Some(last) = out.last_mut() {
            *last = (sign << 4) | (*last & 0x0F);
        }
        return Ok(out);
    }
    let mut nibbles = digits;
    nibbles.push(sign);
    if nibbles.len() % 2 == 1 {
        nibbles.insert(0, 0);
    }
    let b: Vec<u8> = nibbles.chunks(2).map(|p| p[0] << 4 | p[1]).collect();
    Ok(right_align(&b, len, 0))
}

/// The integer value of a fixed-point nominal value: `[sign]digits[.digits][E[sign]n]`,
/// times 10 to the exponent modifier and 2 to the scale modifier, rounded.
fn fixed_value(v: &str, scale: i32, expo: i32) -> Result<i128, &'static str> {
    const BAD: &str = "INVALID FIXED-POINT CONSTANT";
    let (neg, body) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v),
    };
    let (mant, e) = match body.find(['E', 'e']) {
        Some(p) => (&body[..p], body[p + 1..].parse::<i32>().map_err(|_| BAD)?),
        None => (body, 0),
    };
    let (int, frac) = match mant.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mant, ""),
    };
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        || int.len() + frac.len() > 30
    {
        return Err(BAD);
    }
    let n: i128 = format!("{int}{frac}").parse().map_err(|_| BAD)?;
    let p = e.saturating_add(expo).saturating_sub(frac.len() as i32);
    if p.abs() > 38 || scale.abs() > 100 {
        return Err("FIXED-POINT CONSTANT TOO LARGE");
    }
    let pow = |b: i128, k: i32| -> Option<i128> { (0..k).try_fold(1i128, |a, _| a.checked_mul(b)) };
    let too_large = "FIXED-POINT CONSTANT TOO LARGE";
    let num = n
        .checked_mul(pow(10, p.max(0)).ok_or(too_large)?)
        .and_then(|x| x.checked_mul(pow(2, scale.max(0))?))
        .ok_or(too_large)?;
    let den = pow(10, (-p).max(0))
        .and_then(|x| x.checked_mul(pow(2, (-scale).max(0))?))
        .ok_or(too_large)?;
    let q = (num + den / 2) / den;
    Ok(if neg { -q } else { q })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoEnv;
    impl Env for NoEnv {
        fn symbol(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr> {
            match name {
                "N" => Ok(Value::abs(3)),
                "HERE" => Ok(Value::reloc(1, 0x10)),
                _ => Err(EvalErr::Undefined { name: name.into(), rlen }),
            }
        }
        fn length_of(&mut self, _: &str, _: usize) -> Result<i64, EvalErr> {
            Ok(1)
        }
        fn location(&mut self) -> Result<Value, EvalErr> {
            Ok(Value::reloc(1, 0))
        }
        fn location_length(&self) -> i64 {
            1
        }
        fn literal(&mut self, _: &str, r: usize) -> Result<Value, EvalErr> {
            Err(EvalErr::bad("NO", r))
        }
    }
    impl DcEnv for NoEnv {
        fn assembled(&self, v: &Value) -> i64 {
            v.off + v.rel.iter().map(|&(_, c)| i64::from(c) * 0x1000).sum::<i64>()
        }
        fn base_disp(&mut self, v: &Value, _: usize) -> Result<(u32, u32), EvalErr> {
            Ok((12, (self.assembled(v) - 0x1000) as u32))
        }
        fn vcon(&mut self, _: &str, _: usize) -> Result<Value, EvalErr> {
            Ok(Value::reloc(9, 0))
        }
    }

    fn generate_hex(s: &str) -> (Vec<u8>, Layout, Vec<Adcon>) {
        let (rest, op) = dc_operand(s).expect("parses");
        assert_eq!(rest, "", "{s}");
        let l = op.layout(&mut NoEnv, false).expect("layout");
        let mut out = Vec::new();
        let mut ad = Vec::new();
        op.generate(&l, &mut NoEnv, &mut out, &mut ad).expect("generates");
        assert_eq!(out.len() as u64, l.total(), "{s}");
        (out, l, ad)
    }

    fn hex(s: &str) -> String {
        generate_hex(s).0.iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn character_and_hex_and_binary() {
        assert_eq!(hex("C'AB'"), "C1C2");
        assert_eq!(hex("CL4'AB'"), "C1C24040");
        assert_eq!(hex("CL1'AB'"), "C1");
        assert_eq!(hex("C'A''&&'"), "C17D50");
        assert_eq!(hex("2C'X'"), "E7E7");
        assert_eq!(hex("X'ABC'"), "0ABC");
        assert_eq!(hex("XL4'FF'"), "000000FF");
        assert_eq!(hex("XL1'1234'"), "34");
        assert_eq!(hex("X'01,0203'"), "010203");
        assert_eq!(hex("B'101'"), "05");
        assert_eq!(hex("B'111100001'"), "01E1");
    }

    #[test]
    fn fixed_point() {
        assert_eq!(hex("F'1'"), "00000001");
        assert_eq!(hex("F'-1'"), "FFFFFFFF");
        assert_eq!(hex("H'-2'"), "FFFE");
        assert_eq!(hex("F'1,2'"), "0000000100000002");
        assert_eq!(hex("FL3'100'"), "000064");
        assert_eq!(hex("F'1E3'"), "000003E8");
        assert_eq!(hex("FS4'1.5'"), "00000018");
        assert_eq!(hex("(N)H'7'"), "000700070007");
        let (op_rest, op) = dc_operand("H'40000'").unwrap();
        assert_eq!(op_rest, "");
        let l = op.layout(&mut NoEnv, false).unwrap();
        assert!(op.generate(&l, &mut NoEnv, &mut Vec::new(), &mut Vec::new()).is_err());
    }

    #[test]
    fn decimal_types() {
        assert_eq!(hex("P'123'"), "123C");
        assert_eq!(hex("P'-1'"), "1D");
        assert_eq!(hex("P'12'"), "012C");
        assert_eq!(hex("PL3'5'"), "00005C");
        assert_eq!(hex("Z'123'"), "F1F2C3");
        assert_eq!(hex("Z'-45'"), "F4D5");
        assert_eq!(hex("ZL4'7'"), "F0F0F0C7");
        assert_eq!(hex("P'1.25'"), "125C");
    }

    #[test]
    fn floating_point() {
        assert_eq!(hex("E'1'"), "41100000");
        assert_eq!(hex("D'-0.5'"), "C080000000000000");
        assert_eq!(hex("EE3'1'"), "433E8000");
    }

    #[test]
    fn address_constants_and_alignment() {
        let (b, l, ad) = generate_hex("A(HERE+4)");
        assert_eq!(b, [0, 0, 0x10, 0x14]);
        assert_eq!(l.align, 4);
        assert_eq!(ad, [Adcon { at: 0, len: 4, value: Value::reloc(1, 0x14), vtype: false }]);
        let (b, l, ad) = generate_hex("AL3(HERE,N)");
        assert_eq!(b, [0, 0x10, 0x10, 0, 0, 3]);
        assert_eq!(l.align, 1);
        assert_eq!(ad.len(), 1);
        assert_eq!(hex("Y(N*2)"), "0006");
        assert_eq!(hex("S(HERE+2)"), "C012");
        assert_eq!(hex("S(8(13))"), "D008");
        let (b, _, ad) = generate_hex("V(EXT)");
        assert_eq!(b, [0, 0, 0x10, 0]);
        assert!(ad[0].vtype);
        assert_eq!(hex("AL1(255)"), "FF");
    }

    #[test]
    fn layouts() {
        let ds = |s: &str| dc_operand(s).unwrap().1.layout(&mut NoEnv, true).unwrap();
        assert_eq!(ds("CL80").total(), 80);
        assert_eq!(ds("0F").total(), 0);
        assert_eq!(ds("0F").align, 4);
        assert_eq!(ds("0CL8").length_attr, 8);
        assert_eq!(ds("3D").total(), 24);
        assert_eq!(ds("XL4096").total(), 4096);
        assert_eq!(ds("(N)F").total(), 12);
        assert_eq!(dc_operand("FL2'1'").unwrap().1.type_attr(), 'G');
        assert_eq!(dc_operand("AL2(1)").unwrap().1.type_attr(), 'R');
        assert!(dc_operand("K'1'").is_err());
        assert!(dc_operand("C'abc").is_err());
    }
}
