//! Machine instructions: operands (`R`, `D(X,B)`, `D(L,B)`, implicit addresses) and their
//! encoding for every format of [`crate::opcode::Format`].

use super::dc::DcEnv;
use super::expr::{EvalErr, Expr, eval, expr};
use super::lex::{perr, split_top};
use crate::opcode::{Format, Op};

/// One machine-instruction operand: an expression, optionally followed by `(a)`, `(a,b)`
/// or `(,b)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Opnd {
    /// The expression (displacement or implicit address, register, mask, immediate).
    pub e: Expr,
    /// The parenthesised part: first and second sub-operands, and whether a comma was given.
    pub paren: Option<(Option<Expr>, Option<Expr>, bool)>,
    /// Remaining length of the operand field at the operand's start.
    pub rlen: usize,
}

/// Parses a machine instruction's operand field. Errors give (byte offset, message).
pub(crate) fn parse_operands(field: &str) -> Result<Vec<Opnd>, (usize, &'static str)> {
    if field.is_empty() {
        return Ok(Vec::new());
    }
    let flen = field.len();
    let mut out = Vec::new();
    for (start, end) in split_top(field) {
        let input = &field[start..];
        let off = |rest: &str| flen - rest.len();
        if start == end {
            return Err((start, "MISSING OPERAND"));
        }
        let (rest, e) = expr(input).map_err(|e| {
            let p = perr(e);
            (off(p.input), p.msg)
        })?;
        let mut rest = rest;
        let mut paren = None;
        if let Some(inner) = rest.strip_prefix('(') {
            let (r, a) = match inner.chars().next() {
                Some(',') | Some(')') => (inner, None),
                _ => {
                    let (r, a) = expr(inner).map_err(|e| {
                        let p = perr(e);
                        (off(p.input), p.msg)
                    })?;
                    (r, Some(a))
                }
            };
            let (r, b, comma) = match r.strip_prefix(',') {
                Some(r2) if r2.starts_with(')') => (r2, None, true),
                Some(r2) => {
                    let (r3, b) = expr(r2).map_err(|e| {
                        let p = perr(e);
                        (off(p.input), p.msg)
                    })?;
                    (r3, Some(b), true)
                }
                None => (r, None, false),
            };
            let Some(r) = r.strip_prefix(')') else {
                return Err((off(r), "MISSING RIGHT PARENTHESIS"));
            };
            paren = Some((a, b, comma));
            rest = r;
        }
        if off(rest) != end {
            return Err((off(rest), "INVALID OPERAND"));
        }
        out.push(Opnd { e, paren, rlen: flen - start });
    }
    Ok(out)
}

/// What encoding needs beyond constants: literal lengths for implied lengths.
pub(crate) trait InsnEnv: DcEnv {
    /// The length of a literal.
    fn literal_len(&mut self, text: &str, rlen: usize) -> Result<i64, EvalErr>;
}

/// An encoded instruction and the addresses the listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encoded {
    /// The instruction's bytes.
    pub bytes: Vec<u8>,
    /// ADDR1 of the listing.
    pub addr1: Option<u32>,
    /// ADDR2 of the listing.
    pub addr2: Option<u32>,
}

fn absolute(
    e: &Expr,
    env: &mut dyn InsnEnv,
    lo: i64,
    hi: i64,
    what: &str,
    rlen: usize,
) -> Result<u32, EvalErr> {
    let v = eval(e, env)?;
    if !v.is_abs() {
        return Err(EvalErr::bad(format!("{what} MUST BE ABSOLUTE"), rlen));
    }
    if v.off < lo || v.off > hi {
        return Err(EvalErr::bad(format!("{what} {} OUT OF RANGE {lo}-{hi}", v.off), rlen));
    }
    Ok(v.off as u32)
}

fn plain<'o>(o: &'o Opnd, what: &str) -> Result<&'o Expr, EvalErr> {
    match o.paren {
        None => Ok(&o.e),
        Some(_) => Err(EvalErr::bad(format!("INVALID {what}"), o.rlen)),
    }
}

fn reg(o: &Opnd, env: &mut dyn InsnEnv) -> Result<u32, EvalErr> {
    absolute(plain(o, "REGISTER")?, env, 0, 15, "REGISTER", o.rlen)
}

fn mask(o: &Opnd, env: &mut dyn InsnEnv) -> Result<u32, EvalErr> {
    absolute(plain(o, "MASK")?, env, 0, 15, "MASK", o.rlen)
}

/// An address: explicit displacement, or an implicit one resolved through USING.
/// Returns (base, displacement, address shown in the listing).
fn address(
    e: &Expr,
    base: Option<&Expr>,
    env: &mut dyn InsnEnv,
    rlen: usize,
) -> Result<(u32, u32, u32), EvalErr> {
    let v = eval(e, env)?;
    match base {
        Some(b) => {
            if !v.is_abs() {
                return Err(EvalErr::bad(
                    "DISPLACEMENT MUST BE ABSOLUTE WITH AN EXPLICIT BASE",
                    rlen,
                ));
            }
            if !(0..=4095).contains(&v.off) {
                return Err(EvalErr::bad(
                    format!("DISPLACEMENT {} OUT OF RANGE 0-4095", v.off),
                    rlen,
                ));
            }
            let b = absolute(b, env, 0, 15, "BASE REGISTER", rlen)?;
            Ok((b, v.off as u32, v.off as u32))
        }
        None => {
            let (b, d) = env.base_disp(&v, rlen)?;
            Ok((b, d, (env.assembled(&v) & 0xFF_FFFF) as u32))
        }
    }
}

/// `D(X,B)`, `D(,B)`, `S(X)`, `S`. Returns (x, b, d, shown address).
fn indexed(o: &Opnd, env: &mut dyn InsnEnv) -> Result<(u32, u32, u32, u32), EvalErr> {
    match &o.paren {
        None => {
            let (b, d, a) = address(&o.e, None, env, o.rlen)?;
            Ok((0, b, d, a))
        }
        Some((x, b, comma)) => {
            let xv = match x {
                Some(x) => absolute(x, env, 0, 15, "INDEX REGISTER", o.rlen)?,
                None => 0,
            };
            if *comma {
                let zero = Expr::Num(0);
                let (bv, d, a) = address(&o.e, Some(b.as_ref().unwrap_or(&zero)), env, o.rlen)?;
                Ok((xv, bv, d, a))
            } else {
                let (bv, d, a) = address(&o.e, None, env, o.rlen)?;
                Ok((xv, bv, d, a))
            }
        }
    }
}

/// `D(B)` or an implicit address. Returns (b, d, shown address).
fn based(o: &Opnd, env: &mut dyn InsnEnv) -> Result<(u32, u32, u32), EvalErr> {
    match &o.paren {
        None => address(&o.e, None, env, o.rlen),
        Some((Some(b), None, false)) => address(&o.e, Some(b), env, o.rlen),
        Some(_) => Err(EvalErr::bad("INVALID STORAGE OPERAND: EXPECTED D(B)", o.rlen)),
    }
}

fn implied_length(e: &Expr, env: &mut dyn InsnEnv, rlen: usize) -> Result<i64, EvalErr> {
    match e.leftmost() {
        Expr::Sym { name, rlen } => env.length_of(name, *rlen),
        Expr::Lit { text, rlen } => env.literal_len(text, *rlen),
        Expr::Loc => Ok(env.location_length()),
        Expr::Len { .. } | Expr::Num(_) => Ok(1),
        _ => Err(EvalErr::bad("NO IMPLIED LENGTH", rlen)),
    }
}

/// `D(L,B)`, `S(L)`, `S`, `D(,B)`. Returns (length field, b, d, shown address).
fn with_length(o: &Opnd, env: &mut dyn InsnEnv, max: i64) -> Result<(u32, u32, u32, u32), EvalErr> {
    let (len, b, d, a) = match &o.paren {
        None => {
            let l = implied_length(&o.e, env, o.rlen)?;
            let (b, d, a) = address(&o.e, None, env, o.rlen)?;
            (l, b, d, a)
        }
        Some((l, b, comma)) => {
            let l = match l {
                Some(l) => i64::from(absolute(l, env, 0, max, "LENGTH", o.rlen)?),
                None => implied_length(&o.e, env, o.rlen)?,
            };
            let (bv, d, a) = if *comma {
                let zero = Expr::Num(0);
                address(&o.e, Some(b.as_ref().unwrap_or(&zero)), env, o.rlen)?
            } else {
                address(&o.e, None, env, o.rlen)?
            };
            (l, bv, d, a)
        }
    };
    if !(0..=max).contains(&len) {
        return Err(EvalErr::bad(format!("LENGTH {len} OUT OF RANGE 0-{max}"), o.rlen));
    }
    Ok(((len.max(1) - 1) as u32, b, d, a))
}

fn bd(b: u32, d: u32) -> [u8; 2] {
    (((b & 15) << 12 | (d & 0xFFF)) as u16).to_be_bytes()
}

/// The number of operands an instruction takes (extended mnemonics supply the mask).
pub(crate) fn operand_count(op: &Op, extended: bool) -> usize {
    let n = match op.format {
        Format::RrR1 | Format::I | Format::S => 1,
        Format::Rr | Format::RrM | Format::Rx | Format::RxM | Format::RsShift | Format::Si => 2,
        Format::Ss1 | Format::Ss2 => 2,
        Format::Rs | Format::RsMask | Format::Diag | Format::Srp => 3,
    };
    if extended { n - 1 } else { n }
}

/// S-format instructions whose operand is not used and may be omitted.
pub(crate) fn operand_optional(op: &Op) -> bool {
    matches!(op.mnemonic, "IPK" | "PTLB")
}

/// Encodes one machine instruction. `ext_mask` is the mask an extended mnemonic supplies.
pub(crate) fn encode(
    op: &Op,
    ext_mask: Option<u8>,
    ops: &[Opnd],
    env: &mut dyn InsnEnv,
    flen: usize,
) -> Result<Encoded, EvalErr> {
    let want = operand_count(op, ext_mask.is_some());
    if ops.len() != want && !(ops.is_empty() && operand_optional(op)) {
        return Err(EvalErr::bad(
            format!(
                "{} NEEDS {want} OPERAND{}, HAS {}",
                op.mnemonic,
                if want == 1 { "" } else { "S" },
                ops.len()
            ),
            flen,
        ));
    }
    // With an extended mnemonic, the mask is operand "0".
    let first_mask = |env: &mut dyn InsnEnv| -> Result<u32, EvalErr> {
        match ext_mask {
            Some(m) => Ok(u32::from(m)),
            None => mask(&ops[0], env),
        }
    };
    let k = usize::from(ext_mask.is_none());
    let c = op.code;
    let op0 = op.first_byte();
    let mut e = Encoded { bytes: Vec::with_capacity(6), addr1: None, addr2: None };
    match op.format {
        Format::Rr => {
            let (r1, r2) = (reg(&ops[0], env)?, reg(&ops[1], env)?);
            e.bytes = vec![op0, (r1 << 4 | r2) as u8];
        }
        Format::RrR1 => {
            let r1 = reg(&ops[0], env)?;
            e.bytes = vec![op0, (r1 << 4) as u8];
        }
        Format::RrM => {
            let m = first_mask(env)?;
            let r2 = reg(&ops[k], env)?;
            e.bytes = vec![op0, (m << 4 | r2) as u8];
        }
        Format::I => {
            let i = absolute(plain(&ops[0], "IMMEDIATE")?, env, 0, 255, "IMMEDIATE", ops[0].rlen)?;
            e.bytes = vec![op0, i as u8];
        }
        Format::Rx | Format::RxM => {
            let (r1, o2) = if op.format == Format::RxM {
                (first_mask(env)?, &ops[k])
            } else {
                (reg(&ops[0], env)?, &ops[1])
            };
            let (x, b, d, a) = indexed(o2, env)?;
            let [h, l] = bd(b, d);
            e.bytes = vec![op0, (r1 << 4 | x) as u8, h, l];
            e.addr2 = Some(a);
        }
        Format::Rs | Format::RsMask | Format::Diag => {
            let r1 = reg(&ops[0], env)?;
            let r3 =
                if op.format == Format::RsMask { mask(&ops[1], env)? } else { reg(&ops[1], env)? };
            let (b, d, a) = based(&ops[2], env)?;
            let [h, l] = bd(b, d);
            e.bytes = vec![op0, (r1 << 4 | r3) as u8, h, l];
            e.addr2 = Some(a);
        }
        Format::RsShift => {
            let r1 = reg(&ops[0], env)?;
            let (b, d, a) = based(&ops[1], env)?;
            let [h, l] = bd(b, d);
            e.bytes = vec![op0, (r1 << 4) as u8, h, l];
            e.addr2 = Some(a);
        }
        Format::Si => {
            let (b, d, a) = based(&ops[0], env)?;
            let i = absolute(plain(&ops[1], "IMMEDIATE")?, env, 0, 255, "IMMEDIATE", ops[1].rlen)?;
            let [h, l] = bd(b, d);
            e.bytes = vec![op0, i as u8, h, l];
            e.addr1 = Some(a);
        }
        Format::S => {
            let (b, d, a) = if ops.is_empty() { (0, 0, 0) } else { based(&ops[0], env)? };
            let [h, l] = bd(b, d);
            let second = if op.two_byte() { c as u8 } else { 0 };
            e.bytes = vec![op0, second, h, l];
            if !ops.is_empty() {
                e.addr2 = Some(a);
            }
        }
        Format::Ss1 => {
            let (l, b1, d1, a1) = with_length(&ops[0], env, 256)?;
            let (b2, d2, a2) = based(&ops[1], env)?;
            let ([h1, l1], [h2, l2]) = (bd(b1, d1), bd(b2, d2));
            e.bytes = vec![op0, l as u8, h1, l1, h2, l2];
            e.addr1 = Some(a1);
            e.addr2 = Some(a2);
        }
        Format::Ss2 => {
            let (la, b1, d1, a1) = with_length(&ops[0], env, 16)?;
            let (lb, b2, d2, a2) = with_length(&ops[1], env, 16)?;
            let ([h1, l1], [h2, l2]) = (bd(b1, d1), bd(b2, d2));
            e.bytes = vec![op0, (la << 4 | lb) as u8, h1, l1, h2, l2];
            e.addr1 = Some(a1);
            e.addr2 = Some(a2);
        }
        Format::Srp => {
            let (la, b1, d1, a1) = with_length(&ops[0], env, 16)?;
            let (b2, d2, a2) = based(&ops[1], env)?;
            let i3 =
                absolute(plain(&ops[2], "IMMEDIATE")?, env, 0, 15, "ROUNDING DIGIT", ops[2].rlen)?;
            let ([h1, l1], [h2, l2]) = (bd(b1, d1), bd(b2, d2));
            e.bytes = vec![op0, (la << 4 | i3) as u8, h1, l1, h2, l2];
            e.addr1 = Some(a1);
            e.addr2 = Some(a2);
        }
    }
    Ok(e)
}

/// Does any operand use a literal? Calls `f` with each literal's text and remaining length.
pub(crate) fn literals<'a>(ops: &'a [Opnd], f: &mut impl FnMut(&'a str, usize)) {
    fn walk<'a>(e: &'a Expr, f: &mut impl FnMut(&'a str, usize)) {
        match e {
            Expr::Lit { text, rlen } => f(text, *rlen),
            Expr::Neg(x) => walk(x, f),
            Expr::Bin(_, l, r) => {
                walk(l, f);
                walk(r, f);
            }
            _ => {}
        }
    }
    for o in ops {
        walk(&o.e, f);
    }
}
