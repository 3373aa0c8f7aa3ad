//! Conditional-assembly expressions (SETA, SETB, SETC, AIF) and variable-symbol
//! substitution in model statements.
//!
//! The evaluator is dynamically typed: arithmetic, binary and character values convert as
//! the IBM rules allow (a character value used arithmetically must be a self-defining term).
//! Precedence, lowest first: `OR`/`XOR`, `AND`, `NOT`, relations (`EQ NE LT LE GT GE`),
//! concatenation `.`, `+ -`, `* /`, unary `+ -`. Character comparison uses EBCDIC order, and
//! a shorter string is always lower, as on the real assembler.

use std::collections::HashMap;

use super::vars::{
    Scope, SetVal, SetVar, SymAttr, SysVals, char_to_arith, sublist_count, sublist_elem,
};
use crate::asm::lex::{is_sym_char, is_sym_start, is_symbol, self_defining};

/// The longest character value allowed.
pub(crate) const MAX_STRING: usize = 4096;

/// An error in a conditional expression or a substitution, at byte `pos`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CondErr {
    /// Byte offset in the text evaluated.
    pub pos: usize,
    /// The message.
    pub msg: String,
}

/// Everything variable symbols are looked up in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The current scope.
    pub scope: &'a Scope,
    /// Global SET symbols.
    pub globals: &'a HashMap<String, SetVar>,
    /// Ordinary symbols' attributes known so far.
    pub attrs: &'a HashMap<String, SymAttr>,
    /// System variable symbols.
    pub sys: &'a SysVals,
}

/// What a variable-symbol reference denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A character value from a parameter, &SYSLIST element or system variable.
    Str(String),
    /// A SET symbol's value.
    Set(SetVal),
    /// `&SYSLIST` without subscripts (only N' may use it): the number of positional operands.
    SysListAll(i32),
    /// An array SET symbol without a subscript (only N' may use it): its element count.
    Array(i32),
}

impl Resolved {
    fn value(self, pos: usize) -> Result<SetVal, CondErr> {
        match self {
            Resolved::Str(s) => Ok(SetVal::C(s)),
            Resolved::Set(v) => Ok(v),
            Resolved::SysListAll(_) | Resolved::Array(_) => {
                Err(CondErr { pos, msg: "SUBSCRIPT REQUIRED".into() })
            }
        }
    }
}

/// The type attribute of a macro operand's value.
pub(crate) fn type_of_text(v: &str, attrs: &HashMap<String, SymAttr>) -> char {
    if v.is_empty() {
        return 'O';
    }
    if matches!(self_defining(v), Ok(("", _))) {
        return 'N';
    }
    if is_symbol(v) {
        return attrs.get(&v.to_ascii_uppercase()).map_or('U', |a| a.typ);
    }
    'U'
}

struct P<'a, 'c> {
    s: &'a str,
    pos: usize,
    ctx: Ctx<'c>,
}

fn cmp_ebcdic(a: &str, b: &str) -> std::cmp::Ordering {
    let (ea, eb) = (crate::ebcdic::from_str(a), crate::ebcdic::from_str(b));
    ea.len().cmp(&eb.len()).then_with(|| ea.cmp(&eb))
}

impl<'a, 'c> P<'a, 'c> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.s[self.pos..].chars();
        it.next();
        it.next()
    }

    fn ws(&mut self) {
        while self.peek() == Some(' ') {
            self.pos += 1;
        }
    }

    fn err<T>(&self, msg: impl Into<String>) -> Result<T, CondErr> {
        Err(CondErr { pos: self.pos, msg: msg.into() })
    }

    /// An alphabetic word at the cursor (not consumed), for operator keywords.
    fn word(&self) -> &'a str {
        let rest = &self.s[self.pos..];
        let n = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let w = &rest[..n];
        match rest[n..].chars().next() {
            Some(c) if is_sym_char(c) => "",
            _ => w,
        }
    }

    fn take_word(&mut self, w: &str) -> bool {
        if self.word().eq_ignore_ascii_case(w) {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    fn to_a(&self, v: SetVal, pos: usize) -> Result<i32, CondErr> {
        match v {
            SetVal::A(a) => Ok(a),
            SetVal::B(b) => Ok(i32::from(b)),
            SetVal::C(s) => char_to_arith(&s).map_err(|msg| CondErr { pos, msg }),
        }
    }

    fn to_b(&self, v: SetVal, pos: usize) -> Result<bool, CondErr> {
        match v {
            SetVal::B(b) => Ok(b),
            SetVal::A(a) => Ok(a != 0),
            SetVal::C(s) => match s.as_str() {
                "0" => Ok(false),
                "1" => Ok(true),
                _ => Err(CondErr { pos, msg: format!("'{s}' IS NOT A BINARY VALUE") }),
            },
        }
    }

    fn to_c(v: SetVal) -> String {
        match v {
            SetVal::C(s) => s,
            SetVal::A(a) => a.to_string(),
            SetVal::B(b) => if b { "1" } else { "0" }.to_string(),
        }
    }

    fn or(&mut self) -> Result<SetVal, CondErr> {
        let mut v = self.and()?;
        loop {
            self.ws();
            let at = self.pos;
            if self.take_word("OR") {
                let r = self.and()?;
                v = SetVal::B(self.to_b(v, at)? | self.to_b(r, at)?);
            } else if self.take_word("XOR") {
                let r = self.and()?;
                v = SetVal::B(self.to_b(v, at)? ^ self.to_b(r, at)?);
            } else {
                return Ok(v);
            }
        }
    }

    fn and(&mut self) -> Result<SetVal, CondErr> {
        let mut v = self.not()?;
        loop {
            self.ws();
            let at = self.pos;
            if self.take_word("AND") {
                let r = self.not()?;
                v = SetVal::B(self.to_b(v, at)? & self.to_b(r, at)?);
            } else {
                return Ok(v);
            }
        }
    }

    fn not(&mut self) -> Result<SetVal, CondErr> {
        let Some(_nest) = crate::asm::lex::nest() else {
            return self.err("EXPRESSION NESTED TOO DEEPLY");
        };
        self.ws();
        let at = self.pos;
        if self.take_word("NOT") {
            let v = self.not()?;
            return Ok(SetVal::B(!self.to_b(v, at)?));
        }
        self.rel()
    }

    fn rel(&mut self) -> Result<SetVal, CondErr> {
        let l = self.cat()?;
        self.ws();
        let at = self.pos;
        let w = self.word().to_ascii_uppercase();
        if !matches!(w.as_str(), "EQ" | "NE" | "LT" | "LE" | "GT" | "GE") {
            return Ok(l);
        }
        self.pos += 2;
        self.ws();
        let r = self.cat()?;
        let ord = match (&l, &r) {
            (SetVal::C(a), SetVal::C(b)) => cmp_ebcdic(a, b),
            _ => self.to_a(l, at)?.cmp(&self.to_a(r, at)?),
        };
        use std::cmp::Ordering::*;
        Ok(SetVal::B(match w.as_str() {
            "EQ" => ord == Equal,
            "NE" => ord != Equal,
            "LT" => ord == Less,
            "LE" => ord != Greater,
            "GT" => ord == Greater,
            _ => ord != Less,
        }))
    }

    fn cat(&mut self) -> Result<SetVal, CondErr> {
        let mut v = self.add()?;
        while self.peek() == Some('.') && matches!(v, SetVal::C(_)) {
            self.pos += 1;
            let r = self.add()?;
            let mut s = Self::to_c(v);
            s.push_str(&Self::to_c(r));
            if s.len() > MAX_STRING {
                return self.err("CHARACTER VALUE TOO LONG");
            }
            v = SetVal::C(s);
        }
        Ok(v)
    }

    fn add(&mut self) -> Result<SetVal, CondErr> {
        let mut v = self.mul()?;
        loop {
            let at = self.pos;
            let op = match self.peek() {
                Some(c @ ('+' | '-')) => c,
                _ => return Ok(v),
            };
            self.pos += 1;
            let r = self.mul()?;
            let (a, b) = (self.to_a(v, at)?, self.to_a(r, at)?);
            let x = if op == '+' { a.checked_add(b) } else { a.checked_sub(b) };
            v = SetVal::A(match x {
                Some(x) => x,
                None => return Err(CondErr { pos: at, msg: "ARITHMETIC OVERFLOW".into() }),
            });
        }
    }

    fn mul(&mut self) -> Result<SetVal, CondErr> {
        let mut v = self.unary()?;
        loop {
            let at = self.pos;
            let op = match self.peek() {
                Some(c @ ('*' | '/')) => c,
                _ => return Ok(v),
            };
            self.pos += 1;
            let r = self.unary()?;
            let (a, b) = (self.to_a(v, at)?, self.to_a(r, at)?);
            let x = if op == '*' {
                a.checked_mul(b)
            } else if b == 0 {
                Some(0)
            } else {
                a.checked_div(b)
            };
            v = SetVal::A(match x {
                Some(x) => x,
                None => return Err(CondErr { pos: at, msg: "ARITHMETIC OVERFLOW".into() }),
            });
        }
    }

    fn unary(&mut self) -> Result<SetVal, CondErr> {
        let Some(_nest) = crate::asm::lex::nest() else {
            return self.err("EXPRESSION NESTED TOO DEEPLY");
        };
        let at = self.pos;
        match self.peek() {
            Some('+') => {
                self.pos += 1;
                let v = self.unary()?;
                Ok(SetVal::A(self.to_a(v, at)?))
            }
            Some('-') => {
                self.pos += 1;
                let v = self.unary()?;
                Ok(SetVal::A(self.to_a(v, at)?.wrapping_neg()))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<SetVal, CondErr> {
        self.ws();
        let at = self.pos;
        let Some(c) = self.peek() else {
            return self.err("EXPECTED A TERM");
        };
        match c {
            '(' => {
                self.pos += 1;
                let v = self.or()?;
                self.ws();
                if self.peek() != Some(')') {
                    return self.err("MISSING RIGHT PARENTHESIS");
                }
                self.pos += 1;
                if self.peek() == Some('\'') {
                    // A duplication factor: (n)'string'
                    let n = self.to_a(v, at)?;
                    if n < 0 {
                        return Err(CondErr { pos: at, msg: "NEGATIVE DUPLICATION FACTOR".into() });
                    }
                    let s = self.string()?;
                    if s.len().saturating_mul(n as usize) > MAX_STRING {
                        return Err(CondErr { pos: at, msg: "CHARACTER VALUE TOO LONG".into() });
                    }
                    return Ok(SetVal::C(s.repeat(n as usize)));
                }
                Ok(v)
            }
            '\'' => Ok(SetVal::C(self.string()?)),
            '&' => {
                let r = self.var()?;
                r.value(at)
            }
            c if c.is_ascii_digit() => {
                let n = self.s[self.pos..].bytes().take_while(u8::is_ascii_digit).count();
                let v = self.s[self.pos..self.pos + n].parse::<i32>();
                self.pos += n;
                match v {
                    Ok(v) => Ok(SetVal::A(v)),
                    Err(_) => Err(CondErr { pos: at, msg: "NUMBER TOO LARGE".into() }),
                }
            }
            c if c.is_ascii_alphabetic() && self.peek2() == Some('\'') => {
                let letter = c.to_ascii_uppercase();
                let after = self.s[self.pos + 2..].chars().next();
                let is_attr = matches!(letter, 'L' | 'T' | 'K' | 'N' | 'D' | 'I' | 'S' | 'O')
                    && after.is_some_and(|a| a == '&' || is_sym_start(a));
                if is_attr {
                    self.pos += 2;
                    return self.attribute(letter);
                }
                match self_defining(&self.s[self.pos..]) {
                    Ok((rest, v)) => {
                        self.pos = self.s.len() - rest.len();
                        Ok(SetVal::A(v as u32 as i32))
                    }
                    Err(_) => self.err("INVALID SELF-DEFINING TERM"),
                }
            }
            c if is_sym_start(c) => {
                let n = self.s[self.pos..].chars().take_while(|c| is_sym_char(*c)).count();
                let name = &self.s[self.pos..self.pos + n];
                self.err(format!(
                    "ORDINARY SYMBOL '{}' NOT ALLOWED HERE",
                    name.to_ascii_uppercase()
                ))
            }
            _ => self.err("EXPECTED A TERM"),
        }
    }

    /// A quoted character string with variables substituted, and an optional substring.
    fn string(&mut self) -> Result<String, CondErr> {
        let start = self.pos;
        let b = self.s.as_bytes();
        let mut k = self.pos + 1;
        loop {
            match b.get(k) {
                None => return Err(CondErr { pos: start, msg: "MISSING CLOSING QUOTE".into() }),
                Some(b'\'') if b.get(k + 1) == Some(&b'\'') => k += 2,
                Some(b'\'') => break,
                Some(_) => k += 1,
            }
        }
        let raw = &self.s[start + 1..k];
        self.pos = k + 1;
        let sub = substitute(raw, self.ctx)
            .map_err(|e| CondErr { pos: start + 1 + e.pos, msg: e.msg })?;
        let mut s = sub.replace("''", "'");
        if s.len() > MAX_STRING {
            return Err(CondErr { pos: start, msg: "CHARACTER VALUE TOO LONG".into() });
        }
        if self.peek() == Some('(') {
            let at = self.pos;
            self.pos += 1;
            let first = self.or()?;
            let first = self.to_a(first, at)?;
            self.ws();
            if self.peek() != Some(',') {
                return self.err("EXPECTED ',' IN SUBSTRING");
            }
            self.pos += 1;
            self.ws();
            let chars: Vec<char> = s.chars().collect();
            let len = if self.peek() == Some('*') {
                self.pos += 1;
                i32::try_from(chars.len()).unwrap_or(i32::MAX)
            } else {
                let l = self.or()?;
                self.to_a(l, at)?
            };
            self.ws();
            if self.peek() != Some(')') {
                return self.err("MISSING RIGHT PARENTHESIS");
            }
            self.pos += 1;
            if first < 1 || len < 0 {
                return Err(CondErr { pos: at, msg: "INVALID SUBSTRING".into() });
            }
            let from = (first as usize - 1).min(chars.len());
            let to = from.saturating_add(len as usize).min(chars.len());
            s = chars[from..to].iter().collect();
        }
        Ok(s)
    }

    fn attribute(&mut self, letter: char) -> Result<SetVal, CondErr> {
        let at = self.pos;
        if self.peek() == Some('&') {
            let r = self.var()?;
            let text = match &r {
                Resolved::Str(s) | Resolved::Set(SetVal::C(s)) => Some(s.clone()),
                _ => None,
            };
            return Ok(match letter {
                'N' => SetVal::A(match &r {
                    Resolved::SysListAll(n) | Resolved::Array(n) => *n,
                    Resolved::Str(s) => sublist_count(s),
                    Resolved::Set(SetVal::C(s)) => sublist_count(s),
                    Resolved::Set(_) => 1,
                }),
                'K' => SetVal::A(match &r {
                    Resolved::Set(v) => v.to_text().chars().count() as i32,
                    Resolved::Str(s) => s.chars().count() as i32,
                    _ => return Err(CondErr { pos: at, msg: "SUBSCRIPT REQUIRED".into() }),
                }),
                'T' => SetVal::C(
                    match &r {
                        Resolved::Set(SetVal::A(_) | SetVal::B(_)) => 'N',
                        _ => type_of_text(text.as_deref().unwrap_or(""), self.ctx.attrs),
                    }
                    .to_string(),
                ),
                'L' => SetVal::A(self.length_of(text.as_deref().unwrap_or(""))),
                'D' => SetVal::B(
                    text.is_some_and(|t| self.ctx.attrs.contains_key(&t.to_ascii_uppercase())),
                ),
                _ => SetVal::A(0),
            });
        }
        let n = self.s[self.pos..].chars().take_while(|c| is_sym_char(*c)).count();
        let name = self.s[self.pos..self.pos + n].to_ascii_uppercase();
        self.pos += n;
        Ok(match letter {
            'T' => SetVal::C(self.ctx.attrs.get(&name).map_or('U', |a| a.typ).to_string()),
            'L' => SetVal::A(self.length_of(&name)),
            'D' => SetVal::B(self.ctx.attrs.contains_key(&name)),
            'K' | 'N' => {
                return Err(CondErr { pos: at, msg: "K' AND N' NEED A VARIABLE SYMBOL".into() });
            }
            _ => SetVal::A(0),
        })
    }

    fn length_of(&self, text: &str) -> i32 {
        let up = text.to_ascii_uppercase();
        match self.ctx.attrs.get(&up) {
            Some(a) => i32::try_from(a.len).unwrap_or(i32::MAX),
            None if matches!(self_defining(text), Ok(("", _))) => 1,
            None => 0,
        }
    }

    /// Subscripts `(e1[,e2])` at the cursor.
    fn subscripts(&mut self) -> Result<Vec<i32>, CondErr> {
        let mut out = Vec::new();
        self.pos += 1;
        loop {
            let at = self.pos;
            let v = self.or()?;
            out.push(self.to_a(v, at)?);
            self.ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(out);
                }
                _ => return self.err("MISSING RIGHT PARENTHESIS"),
            }
        }
    }

    /// A variable-symbol reference at the cursor (which is on the `&`).
    fn var(&mut self) -> Result<Resolved, CondErr> {
        let at = self.pos;
        self.pos += 1;
        let n = self.s[self.pos..].chars().take_while(|c| is_sym_char(*c)).count();
        if n == 0 || !self.s[self.pos..].starts_with(is_sym_start) {
            return Err(CondErr { pos: at, msg: "INVALID VARIABLE SYMBOL".into() });
        }
        let name = self.s[self.pos..self.pos + n].to_ascii_uppercase();
        self.pos += n;
        let scope = self.ctx.scope;
        let has_paren = self.peek() == Some('(');
        if name == "SYSLIST" {
            if !has_paren {
                return Ok(Resolved::SysListAll(scope.syslist.len().saturating_sub(1) as i32));
            }
            let subs = self.subscripts()?;
            let item = usize::try_from(subs[0])
                .ok()
                .and_then(|i| scope.syslist.get(i))
                .cloned()
                .unwrap_or_default();
            return Ok(Resolved::Str(match subs.get(1) {
                Some(&k) => sublist_elem(&item, k),
                None => item,
            }));
        }
        if let Some(v) = scope.locals.get(&name).or_else(|| {
            scope.globals.contains(&name).then(|| self.ctx.globals.get(&name)).flatten()
        }) {
            if v.array {
                if !has_paren {
                    return Ok(Resolved::Array(v.count()));
                }
                let subs = self.subscripts()?;
                return v
                    .get(Some(subs[0]))
                    .map(Resolved::Set)
                    .map_err(|msg| CondErr { pos: at, msg });
            }
            return Ok(Resolved::Set(v.scalar.clone()));
        }
        if let Some(p) = scope.params.get(&name) {
            if !has_paren {
                return Ok(Resolved::Str(p.clone()));
            }
            let subs = self.subscripts()?;
            let mut v = p.clone();
            for s in subs {
                v = sublist_elem(&v, s);
            }
            return Ok(Resolved::Str(v));
        }
        let sys = self.ctx.sys;
        Ok(Resolved::Str(match name.as_str() {
            "SYSNDX" => format!("{:04}", scope.sysndx),
            "SYSECT" => sys.sysect.clone(),
            "SYSPARM" => sys.sysparm.clone(),
            "SYSDATE" => sys.sysdate.clone(),
            "SYSTIME" => sys.systime.clone(),
            "SYSMAC" => scope.macro_name.clone(),
            _ => {
                return Err(CondErr { pos: at, msg: format!("UNDEFINED VARIABLE SYMBOL &{name}") });
            }
        }))
    }
}

/// Evaluates a whole conditional expression.
pub(crate) fn eval(s: &str, ctx: Ctx<'_>) -> Result<SetVal, CondErr> {
    let (v, end) = eval_prefix(s, ctx)?;
    let rest = s[end..].trim_start();
    if !rest.is_empty() {
        return Err(CondErr {
            pos: s.len() - rest.len(),
            msg: "UNEXPECTED TEXT IN EXPRESSION".into(),
        });
    }
    Ok(v)
}

/// Evaluates the expression at the start of `s`; returns it and where it ended.
pub(crate) fn eval_prefix(s: &str, ctx: Ctx<'_>) -> Result<(SetVal, usize), CondErr> {
    let mut p = P { s, pos: 0, ctx };
    let v = p.or()?;
    Ok((v, p.pos))
}

/// Resolves the variable-symbol reference at the start of `s` (which begins with `&`);
/// returns it and where it ended.
pub(crate) fn resolve_var(s: &str, ctx: Ctx<'_>) -> Result<(Resolved, usize), CondErr> {
    let mut p = P { s, pos: 0, ctx };
    let r = p.var()?;
    Ok((r, p.pos))
}

/// Substitutes variable symbols in model-statement text: `&X` by its value, `&X.` the
/// same with the period consumed (concatenation), `&&` kept as written.
pub(crate) fn substitute(s: &str, ctx: Ctx<'_>) -> Result<String, CondErr> {
    if !s.contains('&') {
        return Ok(s.to_string());
    }
    let Some(_nest) = crate::asm::lex::nest() else {
        return Err(CondErr { pos: 0, msg: "SUBSTITUTION NESTED TOO DEEPLY".into() });
    };
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().expect("not at end");
        if c != '&' {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        match rest[1..].chars().next() {
            Some('&') => {
                out.push_str("&&");
                i += 2;
            }
            Some(n) if is_sym_start(n) => {
                let (r, end) =
                    resolve_var(rest, ctx).map_err(|e| CondErr { pos: i + e.pos, msg: e.msg })?;
                let text = match r {
                    Resolved::Str(t) => t,
                    Resolved::Set(v) => v.to_text(),
                    Resolved::SysListAll(_) | Resolved::Array(_) => {
                        return Err(CondErr { pos: i, msg: "SUBSCRIPT REQUIRED".into() });
                    }
                };
                out.push_str(&text);
                if out.len() > MAX_STRING * 4 {
                    return Err(CondErr { pos: i, msg: "SUBSTITUTED TEXT TOO LONG".into() });
                }
                i += end;
                if s[i..].starts_with('.') {
                    i += 1;
                }
            }
            _ => {
                out.push('&');
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::vars::{SetKind, SetVar};
    use super::*;

    fn with_ctx<T>(f: impl FnOnce(Ctx<'_>) -> T) -> T {
        let mut scope = Scope::default();
        scope.params.insert("P".into(), "(A,B,C)".into());
        scope.params.insert("Q".into(), "FIELD".into());
        scope.params.insert("E".into(), String::new());
        scope.syslist = vec!["LBL".into(), "(A,B,C)".into(), "FIELD".into()];
        scope.sysndx = 7;
        let mut a = SetVar::new(SetKind::A, false);
        a.scalar = SetVal::A(5);
        scope.locals.insert("N".into(), a);
        let mut c = SetVar::new(SetKind::C, false);
        c.scalar = SetVal::C("HELLO".into());
        scope.locals.insert("C".into(), c);
        let mut arr = SetVar::new(SetKind::A, true);
        arr.elems.insert(2, SetVal::A(42));
        scope.locals.insert("ARR".into(), arr);
        let globals = HashMap::new();
        let attrs = HashMap::from([("FIELD".to_string(), SymAttr { typ: 'F', len: 4 })]);
        let sys = SysVals { sysect: "MAIN".into(), ..Default::default() };
        f(Ctx { scope: &scope, globals: &globals, attrs: &attrs, sys: &sys })
    }

    fn ev(s: &str) -> Result<SetVal, CondErr> {
        with_ctx(|c| eval(s, c))
    }

    #[test]
    fn arithmetic() {
        assert_eq!(ev("&N*2+1"), Ok(SetVal::A(11)));
        assert_eq!(ev("(&N+1)/4"), Ok(SetVal::A(1)));
        assert_eq!(ev("-&N"), Ok(SetVal::A(-5)));
        assert_eq!(ev("X'10'+&ARR(2)"), Ok(SetVal::A(58)));
        assert_eq!(ev("N'&P+N'&SYSLIST"), Ok(SetVal::A(5)));
        assert_eq!(ev("K'&C"), Ok(SetVal::A(5)));
        assert_eq!(ev("L'&Q+L'FIELD"), Ok(SetVal::A(8)));
        assert_eq!(ev("N'&ARR"), Ok(SetVal::A(2)));
        assert_eq!(ev("7/0"), Ok(SetVal::A(0)));
    }

    #[test]
    fn logical() {
        assert_eq!(ev("(&N GT 4 AND '&C' EQ 'HELLO')"), Ok(SetVal::B(true)));
        assert_eq!(ev("(T'&E EQ 'O')"), Ok(SetVal::B(true)));
        assert_eq!(ev("(T'&Q EQ 'F')"), Ok(SetVal::B(true)));
        assert_eq!(ev("(NOT (&N EQ 5) OR 0)"), Ok(SetVal::B(false)));
        assert_eq!(ev("('A' LT 'B')"), Ok(SetVal::B(true)));
        assert_eq!(ev("('Z' LT '1')"), Ok(SetVal::B(true)), "EBCDIC letters sort below digits");
        assert_eq!(ev("('AB' GT 'Z')"), Ok(SetVal::B(true)), "longer strings are higher");
        assert_eq!(ev("(T'&SYSLIST(1) EQ 'U')"), Ok(SetVal::B(true)));
    }

    #[test]
    fn character() {
        assert_eq!(ev("'&C'(2,3)"), Ok(SetVal::C("ELL".into())));
        assert_eq!(ev("'&C'(4,*)"), Ok(SetVal::C("LO".into())));
        assert_eq!(ev("'X&P(2).Y'.'Z'"), Ok(SetVal::C("XBYZ".into())));
        assert_eq!(ev("(2)'AB'"), Ok(SetVal::C("ABAB".into())));
        assert_eq!(ev("'IT''S'"), Ok(SetVal::C("IT'S".into())));
        assert_eq!(ev("'&SYSNDX'"), Ok(SetVal::C("0007".into())));
    }

    #[test]
    fn errors() {
        assert!(ev("&NOPE").is_err());
        assert!(ev("(1 EQ 1").is_err());
        assert!(ev("FOO+1").is_err());
        assert!(ev("'ABC").is_err());
        assert!(ev("1 2").is_err());
    }

    #[test]
    fn substitution() {
        let s = |t: &str| with_ctx(|c| substitute(t, c));
        assert_eq!(s("LA &SYSLIST(1,3),&Q.+4").unwrap(), "LA C,FIELD+4");
        assert_eq!(s("&C..X C'&&'").unwrap(), "HELLO.X C'&&'");
        assert_eq!(s("L&SYSNDX DS &N.F").unwrap(), "L0007 DS 5F");
        assert_eq!(s("&P(2)&ARR(2)").unwrap(), "B42");
        assert!(s("&UNDEF").is_err());
    }
}
