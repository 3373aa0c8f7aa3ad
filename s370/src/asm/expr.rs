//! Expressions of the assembler language: terms (symbols, self-defining terms, `*`,
//! `L'sym`, literals), `+ - * /`, parentheses; and their values, absolute or relocatable.
//!
//! A value is an absolute part plus a sum of relocatable terms, each a section (or external
//! symbol) with an integer coefficient. `A-B` with both in one section is absolute;
//! `A+B` is "complex relocatable" and allowed only in address constants. Multiplication
//! and division need absolute operands.
//!
//! Positions inside expressions are kept as `rlen`, the length of the operand-field text
//! that remains after the term: every parser here is handed a suffix of the field, so
//! `field.len() - rlen` is the term's offset.

use nom::Parser;
use nom::character::complete::char as ch;

use super::lex::{PResult, hard, is_sym_start, self_defining, soft, symbol};

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// An expression tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A self-defining term.
    Num(i64),
    /// An ordinary symbol (upper case).
    Sym {
        /// Name.
        name: String,
        /// Remaining length after the term (see the module doc).
        rlen: usize,
    },
    /// `*`, the location counter.
    Loc,
    /// `L'sym` (`None` for `L'*`).
    Len {
        /// The symbol.
        name: Option<String>,
        /// Remaining length after the term.
        rlen: usize,
    },
    /// A literal: its text (after the `=`).
    Lit {
        /// The literal's text as written.
        text: String,
        /// Remaining length after the term.
        rlen: usize,
    },
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The leftmost term, whose length attribute is an implied length.
    pub fn leftmost(&self) -> &Expr {
        match self {
            Expr::Neg(e) => e.leftmost(),
            Expr::Bin(_, l, _) => l.leftmost(),
            e => e,
        }
    }

    /// Calls `f` on every symbol named in the expression.
    pub fn symbols<'s>(&'s self, f: &mut impl FnMut(&'s str)) {
        match self {
            Expr::Sym { name, .. } | Expr::Len { name: Some(name), .. } => f(name),
            Expr::Neg(e) => e.symbols(f),
            Expr::Bin(_, l, r) => {
                l.symbols(f);
                r.symbols(f);
            }
            _ => {}
        }
    }
}

/// Parses an expression.
pub(crate) fn expr(i: &str) -> PResult<'_, Expr> {
    let (mut i, mut acc) = mul_expr(i)?;
    loop {
        let op = match i.chars().next() {
            Some('+') => BinOp::Add,
            Some('-') => BinOp::Sub,
            _ => return Ok((i, acc)),
        };
        let (rest, rhs) = match mul_expr(&i[1..]) {
            Ok(v) => v,
            Err(nom::Err::Error(_)) => return hard(&i[1..], "EXPECTED A TERM"),
            Err(e) => return Err(e),
        };
        acc = Expr::Bin(op, Box::new(acc), Box::new(rhs));
        i = rest;
    }
}

fn mul_expr(i: &str) -> PResult<'_, Expr> {
    let (mut i, mut acc) = unary(i)?;
    loop {
        let op = match i.chars().next() {
            Some('*') => BinOp::Mul,
            Some('/') => BinOp::Div,
            _ => return Ok((i, acc)),
        };
        let (rest, rhs) = match unary(&i[1..]) {
            Ok(v) => v,
            Err(nom::Err::Error(_)) => return hard(&i[1..], "EXPECTED A TERM"),
            Err(e) => return Err(e),
        };
        acc = Expr::Bin(op, Box::new(acc), Box::new(rhs));
        i = rest;
    }
}

fn unary(i: &str) -> PResult<'_, Expr> {
    let Some(_nest) = super::lex::nest() else {
        return hard(i, "EXPRESSION NESTED TOO DEEPLY");
    };
    match i.chars().next() {
        Some('+') => match unary(&i[1..]) {
            Err(nom::Err::Error(_)) => hard(&i[1..], "EXPECTED A TERM"),
            r => r,
        },
        Some('-') => match unary(&i[1..]) {
            Ok((r, e)) => Ok((r, Expr::Neg(Box::new(e)))),
            Err(nom::Err::Error(_)) => hard(&i[1..], "EXPECTED A TERM"),
            Err(e) => Err(e),
        },
        _ => primary(i),
    }
}

fn primary(i: &str) -> PResult<'_, Expr> {
    let mut it = i.chars();
    let (c0, c1) = (it.next(), it.next());
    match c0 {
        None => soft(i, "EXPECTED A TERM"),
        Some('(') => {
            let (r, e) = match expr(&i[1..]) {
                Ok(v) => v,
                Err(nom::Err::Error(_)) => return hard(&i[1..], "EXPECTED A TERM"),
                Err(e) => return Err(e),
            };
            match ch::<&str, super::lex::PErr>(')').parse(r) {
                Ok((r, _)) => Ok((r, e)),
                Err(_) => hard(r, "MISSING RIGHT PARENTHESIS"),
            }
        }
        Some('*') => Ok((&i[1..], Expr::Loc)),
        Some('=') => {
            let (r, _) = super::dc::dc_operand(&i[1..])?;
            let text = i[1..i.len() - r.len()].to_string();
            Ok((r, Expr::Lit { text, rlen: r.len() }))
        }
        Some(c) if c.is_ascii_digit() => {
            let (r, v) = self_defining(i)?;
            Ok((r, Expr::Num(v)))
        }
        Some(c) if c1 == Some('\'') && matches!(c.to_ascii_uppercase(), 'X' | 'B' | 'C') => {
            let (r, v) = self_defining(i)?;
            Ok((r, Expr::Num(v)))
        }
        Some(c) if c1 == Some('\'') && c.eq_ignore_ascii_case(&'L') => {
            let after = &i[2..];
            if let Some(r) = after.strip_prefix('*') {
                return Ok((r, Expr::Len { name: None, rlen: r.len() }));
            }
            match symbol(after) {
                Ok((r, s)) => {
                    Ok((r, Expr::Len { name: Some(s.to_ascii_uppercase()), rlen: r.len() }))
                }
                Err(_) => hard(after, "EXPECTED A SYMBOL AFTER L'"),
            }
        }
        Some(c) if c1 == Some('\'') && is_sym_start(c) => hard(i, "INVALID TERM"),
        Some(c) if is_sym_start(c) => {
            let (r, s) = symbol(i)?;
            Ok((r, Expr::Sym { name: s.to_ascii_uppercase(), rlen: r.len() }))
        }
        Some(_) => soft(i, "EXPECTED A TERM"),
    }
}

/// The value of an expression: `off` plus the sum of `coeff * base(section)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Value {
    /// The absolute part (offsets within sections included).
    pub off: i64,
    /// Relocatable terms: (section id, coefficient), sorted, no zero coefficients.
    pub rel: Vec<(u32, i32)>,
}

impl Value {
    /// An absolute value.
    pub fn abs(v: i64) -> Value {
        Value { off: v, rel: Vec::new() }
    }

    /// A simple relocatable value: `off` bytes into section `sect`.
    pub fn reloc(sect: u32, off: i64) -> Value {
        Value { off, rel: vec![(sect, 1)] }
    }

    /// Is the value absolute?
    pub fn is_abs(&self) -> bool {
        self.rel.is_empty()
    }

    /// The section of a simple relocatable value.
    pub fn simple(&self) -> Option<u32> {
        match self.rel.as_slice() {
            [(s, 1)] => Some(*s),
            _ => None,
        }
    }

    fn combine(&self, o: &Value, sign: i32) -> Value {
        let mut rel = self.rel.clone();
        for &(s, c) in &o.rel {
            match rel.iter_mut().find(|(t, _)| *t == s) {
                Some(e) => e.1 = e.1.saturating_add(c.saturating_mul(sign)),
                None => rel.push((s, c.saturating_mul(sign))),
            }
        }
        rel.retain(|&(_, c)| c != 0);
        rel.sort_unstable();
        let off =
            if sign > 0 { self.off.wrapping_add(o.off) } else { self.off.wrapping_sub(o.off) };
        Value { off, rel }
    }
}

/// Why an expression has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EvalErr {
    /// A symbol is not (yet) defined.
    Undefined {
        /// The symbol.
        name: String,
        /// Remaining length after it.
        rlen: usize,
    },
    /// Something else is wrong.
    Bad {
        /// The message.
        msg: String,
        /// Remaining length after the offending term (0 = end of operand).
        rlen: usize,
    },
}

impl EvalErr {
    /// An error with a message at `rlen`.
    pub fn bad(msg: impl Into<String>, rlen: usize) -> EvalErr {
        EvalErr::Bad { msg: msg.into(), rlen }
    }
}

/// What an expression needs from the assembler to be evaluated.
pub(crate) trait Env {
    /// The value of a symbol.
    fn symbol(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr>;
    /// The length attribute of a symbol.
    fn length_of(&mut self, name: &str, rlen: usize) -> Result<i64, EvalErr>;
    /// The location counter.
    fn location(&mut self) -> Result<Value, EvalErr>;
    /// The length attribute of `*` (the length of the current instruction, else 1).
    fn location_length(&self) -> i64;
    /// The address of a literal.
    fn literal(&mut self, text: &str, rlen: usize) -> Result<Value, EvalErr>;
}

/// Evaluates an expression.
pub(crate) fn eval(e: &Expr, env: &mut dyn Env) -> Result<Value, EvalErr> {
    Ok(match e {
        Expr::Num(v) => Value::abs(*v),
        Expr::Sym { name, rlen } => env.symbol(name, *rlen)?,
        Expr::Loc => env.location()?,
        Expr::Len { name: Some(n), rlen } => Value::abs(env.length_of(n, *rlen)?),
        Expr::Len { name: None, .. } => Value::abs(env.location_length()),
        Expr::Lit { text, rlen } => env.literal(text, *rlen)?,
        Expr::Neg(x) => Value::abs(0).combine(&eval(x, env)?, -1),
        Expr::Bin(op, l, r) => {
            let (a, b) = (eval(l, env)?, eval(r, env)?);
            match op {
                BinOp::Add => a.combine(&b, 1),
                BinOp::Sub => a.combine(&b, -1),
                BinOp::Mul | BinOp::Div => {
                    if !a.is_abs() || !b.is_abs() {
                        return Err(EvalErr::bad(
                            "RELOCATABLE TERM IN MULTIPLY OR DIVIDE",
                            rlen_of(r),
                        ));
                    }
                    let v = if *op == BinOp::Mul {
                        a.off.checked_mul(b.off)
                    } else if b.off == 0 {
                        Some(0) // as the IBM assemblers: division by zero gives zero
                    } else {
                        Some(a.off / b.off)
                    };
                    match v {
                        Some(v) if v.abs() <= i64::from(u32::MAX) => Value::abs(v),
                        _ => return Err(EvalErr::bad("ARITHMETIC OVERFLOW", rlen_of(r))),
                    }
                }
            }
        }
    })
}

fn rlen_of(e: &Expr) -> usize {
    match e.leftmost() {
        Expr::Sym { rlen, .. } | Expr::Len { rlen, .. } | Expr::Lit { rlen, .. } => *rlen,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct T(HashMap<&'static str, Value>);
    impl Env for T {
        fn symbol(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr> {
            self.0.get(name).cloned().ok_or(EvalErr::Undefined { name: name.into(), rlen })
        }
        fn length_of(&mut self, _: &str, _: usize) -> Result<i64, EvalErr> {
            Ok(8)
        }
        fn location(&mut self) -> Result<Value, EvalErr> {
            Ok(Value::reloc(1, 0x20))
        }
        fn location_length(&self) -> i64 {
            4
        }
        fn literal(&mut self, _: &str, _: usize) -> Result<Value, EvalErr> {
            Ok(Value::reloc(1, 0x100))
        }
    }

    fn ev(s: &str) -> Result<Value, EvalErr> {
        let mut env = T(HashMap::from([
            ("A", Value::reloc(1, 0x10)),
            ("B", Value::reloc(1, 0x30)),
            ("X", Value::reloc(2, 4)),
            ("N", Value::abs(3)),
        ]));
        let (rest, e) = expr(s).expect("parses");
        assert_eq!(rest, "", "{s}");
        eval(&e, &mut env)
    }

    #[test]
    fn arithmetic_and_relocatability() {
        assert_eq!(ev("2+3*4"), Ok(Value::abs(14)));
        assert_eq!(ev("(2+3)*4"), Ok(Value::abs(20)));
        assert_eq!(ev("-N+10/3"), Ok(Value::abs(0)));
        assert_eq!(ev("B-A"), Ok(Value::abs(0x20)));
        assert_eq!(ev("A+4"), Ok(Value::reloc(1, 0x14)));
        assert_eq!(ev("*-A"), Ok(Value::abs(0x10)));
        assert_eq!(ev("**2"), Err(EvalErr::bad("RELOCATABLE TERM IN MULTIPLY OR DIVIDE", 0)));
        assert_eq!(ev("L'A+L'*"), Ok(Value::abs(12)));
        assert_eq!(ev("X'10'/0"), Ok(Value::abs(0)));
        assert_eq!(ev("A-X").map(|v| v.rel), Ok(vec![(1, 1), (2, -1)]));
        assert!(matches!(ev("Q"), Err(EvalErr::Undefined { .. })));
    }

    #[test]
    fn syntax_errors_are_hard() {
        assert!(matches!(expr("A+"), Err(nom::Err::Failure(_))));
        assert!(matches!(expr("(A"), Err(nom::Err::Failure(_))));
        assert_eq!(expr("A(5)").map(|(r, _)| r), Ok("(5)"));
        assert_eq!(expr("A,B").map(|(r, _)| r), Ok(",B"));
    }

    #[test]
    fn leftmost_term_and_literals() {
        let (_, e) = expr("FLD+2").unwrap();
        assert!(matches!(e.leftmost(), Expr::Sym { name, .. } if name == "FLD"));
        let (r, e) = expr("=F'1'").unwrap();
        assert_eq!(r, "");
        assert!(matches!(e, Expr::Lit { text, .. } if text == "F'1'"));
    }
}
