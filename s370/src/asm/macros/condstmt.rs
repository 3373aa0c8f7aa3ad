//! Conditional-assembly statements: SETA, SETB, SETC, LCLx, GBLx, AIF, AGO, ACTR, MNOTE,
//! MEXIT and ANOP, in open code and in macro bodies.

use super::cond;
use super::vars::{self, Scope, SetKind, SetVal, SetVar};
use super::{Flow, Gen, Here, MAX_BRANCHES, build_line};
use crate::asm::error::{ERROR, SEVERE, WARNING};
use crate::asm::lex::{is_symbol, split_top};
use crate::asm::source::{Fields, SrcStmt};
use crate::asm::stmt::Kind;

impl Gen<'_> {
    /// Processes a conditional-assembly statement.
    pub(super) fn cond_stmt(
        &mut self,
        scope: &mut Scope,
        opu: &str,
        f: &Fields,
        src: &SrcStmt,
        here: &Here,
        level: u16,
    ) -> Flow {
        self.branches += 1;
        if self.branches > MAX_BRANCHES {
            if !self.ended {
                self.err(
                    here,
                    f,
                    None,
                    SEVERE,
                    "TOO MANY CONDITIONAL-ASSEMBLY STATEMENTS; ASSEMBLY STOPPED",
                );
                self.ended = true;
            }
            return Flow::Exit;
        }
        match opu {
            "ANOP" => Flow::Next,
            "MEXIT" | "MEND" => Flow::Exit,
            "SETA" | "SETB" | "SETC" => {
                self.set_stmt(scope, opu, f, here);
                Flow::Next
            }
            "LCLA" | "LCLB" | "LCLC" | "GBLA" | "GBLB" | "GBLC" => {
                self.declare(scope, opu, f, here);
                Flow::Next
            }
            "ACTR" => {
                match cond::eval(&f.operand, self.ctx(scope)) {
                    Ok(v) => match vars::convert(SetKind::A, v) {
                        Ok(SetVal::A(n)) => scope.actr = i64::from(n),
                        _ => self.err(here, f, Some(0), ERROR, "ACTR NEEDS AN ARITHMETIC VALUE"),
                    },
                    Err(e) => self.cond_err(here, f, 0, e),
                }
                Flow::Next
            }
            "AGO" => self.ago(scope, f, here),
            "AIF" => self.aif(scope, f, here),
            "MNOTE" => {
                self.mnote(scope, f, src, here, level);
                Flow::Next
            }
            _ => {
                self.err(here, f, None, ERROR, format!("{opu} IS NOT SUPPORTED"));
                Flow::Next
            }
        }
    }

    fn seq_operand(
        &mut self,
        text: &str,
        base: usize,
        f: &Fields,
        here: &Here,
    ) -> Option<(String, usize)> {
        let t = text.trim_end();
        let ok = t.strip_prefix('.').is_some_and(is_symbol);
        if ok {
            Some((t.to_ascii_uppercase(), base))
        } else {
            self.err(here, f, Some(base), ERROR, "EXPECTED A SEQUENCE SYMBOL");
            None
        }
    }

    fn ago(&mut self, scope: &Scope, f: &Fields, here: &Here) -> Flow {
        let op = f.operand.as_str();
        if !op.starts_with('(') {
            return match self.seq_operand(op, 0, f, here) {
                Some((n, o)) => Flow::Jump(n, o),
                None => Flow::Next,
            };
        }
        // Computed AGO: (expr).S1,.S2,...
        let (v, end) = match cond::eval_prefix(op, self.ctx(scope)) {
            Ok(r) => r,
            Err(e) => {
                self.cond_err(here, f, 0, e);
                return Flow::Next;
            }
        };
        let n = match vars::convert(SetKind::A, v) {
            Ok(SetVal::A(n)) => n,
            _ => {
                self.err(here, f, Some(0), ERROR, "AGO INDEX MUST BE ARITHMETIC");
                return Flow::Next;
            }
        };
        let targets = split_top(&op[end..]);
        match usize::try_from(n).ok().filter(|&n| n >= 1).and_then(|n| targets.get(n - 1)) {
            Some(&(a, b)) => match self.seq_operand(&op[end + a..end + b], end + a, f, here) {
                Some((s, o)) => Flow::Jump(s, o),
                None => Flow::Next,
            },
            None => Flow::Next,
        }
    }

    fn aif(&mut self, scope: &Scope, f: &Fields, here: &Here) -> Flow {
        let op = f.operand.as_str();
        if !op.starts_with('(') {
            self.err(here, f, Some(0), ERROR, "AIF NEEDS A PARENTHESISED CONDITION");
            return Flow::Next;
        }
        let (v, end) = match cond::eval_prefix(op, self.ctx(scope)) {
            Ok(r) => r,
            Err(e) => {
                self.cond_err(here, f, 0, e);
                return Flow::Next;
            }
        };
        let Some((target, off)) = self.seq_operand(&op[end..], end, f, here) else {
            return Flow::Next;
        };
        match vars::convert(SetKind::B, v) {
            Ok(SetVal::B(true)) => Flow::Jump(target, off),
            Ok(_) => Flow::Next,
            Err(msg) => {
                self.err(here, f, Some(0), ERROR, msg);
                Flow::Next
            }
        }
    }

    fn mnote(&mut self, scope: &Scope, f: &Fields, src: &SrcStmt, here: &Here, level: u16) {
        let text = match cond::substitute(&f.operand, self.ctx(scope)) {
            Ok(t) => t,
            Err(e) => {
                self.cond_err(here, f, 0, e);
                return;
            }
        };
        let (sev, msg) = match text.split_once(',').filter(|(a, _)| !a.starts_with('\'')) {
            Some(("*", m)) => (None, m),
            Some(("", m)) => (Some(1u8), m),
            Some((n, m)) => match n.parse::<u32>() {
                Ok(v) => (Some(v.min(255) as u8), m),
                Err(_) => {
                    self.err(here, f, Some(0), ERROR, "INVALID MNOTE SEVERITY");
                    (Some(ERROR), m)
                }
            },
            None => (None, text.as_str()),
        };
        let msg = match msg.strip_prefix('\'').and_then(|m| m.strip_suffix('\'')) {
            Some(m) => m.replace("''", "'").replace("&&", "&"),
            None => msg.to_string(),
        };
        let line = build_line(f, "", "MNOTE", &text);
        let g = SrcStmt { raw: vec![line], ..src.clone() };
        let idx =
            self.push(Kind::Mnote(sev, msg.clone()), f.clone(), &g, here.context.clone(), level);
        if let Some(s) = sev {
            let h = Here { stmt: Some(idx), ..here.clone() };
            self.err(&h, f, Some(0), s, msg);
        }
    }

    fn set_target(
        &mut self,
        f: &Fields,
        scope: &Scope,
        here: &Here,
    ) -> Option<(String, Option<i32>)> {
        let name = f.name.as_str();
        let body = name.strip_prefix('&').unwrap_or("");
        let n = body.chars().take_while(|c| crate::asm::lex::is_sym_char(*c)).count();
        let var = body[..n].to_ascii_uppercase();
        if !is_symbol(&var) {
            self.err(here, f, None, ERROR, format!("INVALID SET SYMBOL '{name}'"));
            return None;
        }
        let rest = &body[n..];
        if rest.is_empty() {
            return Some((var, None));
        }
        let inner = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'));
        match inner.map(|i| cond::eval(i, self.ctx(scope))) {
            Some(Ok(v)) => match vars::convert(SetKind::A, v) {
                Ok(SetVal::A(i)) => Some((var, Some(i))),
                _ => {
                    self.err(here, f, None, ERROR, "SUBSCRIPT MUST BE ARITHMETIC");
                    None
                }
            },
            Some(Err(e)) => {
                self.err(here, f, None, ERROR, e.msg);
                None
            }
            None => {
                self.err(here, f, None, ERROR, format!("INVALID SET SYMBOL '{name}'"));
                None
            }
        }
    }

    fn set_stmt(&mut self, scope: &mut Scope, opu: &str, f: &Fields, here: &Here) {
        let kind = SetKind::from_letter(opu.chars().last().unwrap_or('A')).unwrap_or(SetKind::A);
        let Some((var, idx)) = self.set_target(f, scope, here) else { return };
        if scope.params.contains_key(&var) || var.starts_with("SYS") {
            self.err(here, f, None, ERROR, format!("&{var} CANNOT BE SET"));
            return;
        }
        // Several values set consecutive elements (SETA 1,2,3) of an array.
        let parts: Vec<(usize, usize)> =
            if idx.is_some() { split_top(&f.operand) } else { vec![(0, f.operand.len())] };
        let mut values = Vec::with_capacity(parts.len());
        for &(a, b) in &parts {
            match cond::eval(&f.operand[a..b], self.ctx(scope)) {
                Ok(v) => values.push(v),
                Err(e) => return self.cond_err(here, f, a, e),
            }
        }
        let global = scope.globals.contains(&var) && !scope.locals.contains_key(&var);
        let table = if global { &mut self.globals } else { &mut scope.locals };
        let entry = table.entry(var.clone()).or_insert_with(|| SetVar::new(kind, idx.is_some()));
        if entry.kind != kind {
            let msg = format!("&{var} IS NOT A SET{:?} SYMBOL", kind);
            return self.err(here, f, None, ERROR, msg);
        }
        for (k, v) in values.into_iter().enumerate() {
            let i = idx.map(|i| i.saturating_add(k as i32));
            if let Err(msg) = entry.set(i, v) {
                return self.err(here, f, Some(parts[k].0), ERROR, msg);
            }
        }
    }

    fn declare(&mut self, scope: &mut Scope, opu: &str, f: &Fields, here: &Here) {
        let kind = SetKind::from_letter(opu.chars().last().unwrap_or('A')).unwrap_or(SetKind::A);
        let global = opu.starts_with('G');
        for (a, b) in split_top(&f.operand) {
            let item = &f.operand[a..b];
            let body = item.strip_prefix('&').unwrap_or("");
            let n = body.chars().take_while(|c| crate::asm::lex::is_sym_char(*c)).count();
            let var = body[..n].to_ascii_uppercase();
            if !is_symbol(&var) || !(body[n..].is_empty() || body[n..].starts_with('(')) {
                self.err(here, f, Some(a), ERROR, format!("INVALID SET SYMBOL '{item}'"));
                continue;
            }
            let array = !body[n..].is_empty();
            if scope.params.contains_key(&var) {
                self.err(here, f, Some(a), ERROR, format!("&{var} IS A PARAMETER"));
                continue;
            }
            if global {
                scope.globals.insert(var.clone());
                let g = self.globals.entry(var.clone()).or_insert_with(|| SetVar::new(kind, array));
                if g.kind != kind || g.array != array {
                    self.err(
                        here,
                        f,
                        Some(a),
                        ERROR,
                        format!("&{var} DECLARED GLOBAL WITH ANOTHER TYPE"),
                    );
                }
            } else if scope.locals.insert(var.clone(), SetVar::new(kind, array)).is_some() {
                self.err(here, f, Some(a), WARNING, format!("&{var} DECLARED TWICE"));
            }
        }
    }
}
