//! Pass 2: code. Evaluates every operand with the final symbol table, encodes machine
//! instructions and constants into their sections, resolves implicit addresses through the
//! USING table, records relocation entries, and gathers what the listing shows.

use super::dc::{Adcon, DcOperand, Layout};
use super::error::{ERROR, WARNING};
use super::expr::{EvalErr, Value, eval, expr};
use super::instr::encode;
use super::lex::{all, split_top};
use super::ops::{Dir, OpKind};
use super::state::{Asm, Ctx, ListInfo, Rld, SectKind, Using};
use super::stmt::Kind;

/// Listing controls that PRINT, PUSH and POP change.
#[derive(Debug, Clone, Copy)]
struct Print {
    on: bool,
    generated: bool,
    data: bool,
}

impl<'o> Asm<'o> {
    /// Runs pass 2.
    pub fn pass2(&mut self) {
        super::pass1::undefined_equs(self);
        self.text = self
            .sects
            .iter()
            .map(|s| {
                let n = if matches!(s.kind, SectKind::Csect | SectKind::Private) {
                    s.max as usize
                } else {
                    0
                };
                (vec![0u8; n], vec![false; n])
            })
            .collect();
        let mut print = Print { on: true, generated: true, data: false };
        let mut print_stack: Vec<Print> = Vec::new();
        let mut using_stack: Vec<Vec<Using>> = Vec::new();
        let mut title = String::new();
        let mut ended = false;
        for i in 0..self.stmts.len() {
            let mut li = ListInfo { title: title.clone(), ..ListInfo::default() };
            let st = &self.stmts[i];
            li.listed = print.on
                && (print.generated || st.level == 0 || matches!(st.kind, Kind::Mnote(..)));
            li.data = print.data;
            if st.kind == Kind::Ordinary && !ended && !self.p1[i].skip {
                li.loc = self.p1[i].address(self);
                match self.p1[i].op {
                    Some(OpKind::Machine(op, mask)) => self.machine2(i, op, mask, &mut li),
                    Some(OpKind::Directive(d)) => match d {
                        Dir::Print => {
                            self.print2(i, &mut print, &mut li);
                        }
                        Dir::Push | Dir::Pop => {
                            let field = self.stmts[i].f.operand.to_ascii_uppercase();
                            for (a, b) in split_top(&field) {
                                match (&field[a..b], d) {
                                    ("PRINT", Dir::Push) => print_stack.push(print),
                                    ("USING", Dir::Push) => using_stack.push(self.usings.clone()),
                                    ("PRINT", Dir::Pop) => match print_stack.pop() {
                                        Some(p) => print = p,
                                        None => self.err_at(i, a, WARNING, "POP WITHOUT PUSH"),
                                    },
                                    ("USING", Dir::Pop) => match using_stack.pop() {
                                        Some(u) => self.usings = u,
                                        None => self.err_at(i, a, WARNING, "POP WITHOUT PUSH"),
                                    },
                                    _ => self.err_at(
                                        i,
                                        a,
                                        ERROR,
                                        "PUSH AND POP TAKE PRINT AND USING",
                                    ),
                                }
                            }
                        }
                        Dir::Title => {
                            title = title_text(&self.stmts[i].f.operand);
                            li.title = title.clone();
                            li.eject = true;
                            li.hide = true;
                            li.loc = None;
                        }
                        Dir::Eject => {
                            li.eject = true;
                            li.hide = true;
                            li.loc = None;
                        }
                        Dir::Space => {
                            let n = self.stmts[i].f.operand.parse::<u32>().unwrap_or(1).min(60);
                            li.space = if self.stmts[i].f.operand.is_empty() { 1 } else { n };
                            li.hide = true;
                            li.loc = None;
                        }
                        Dir::End => {
                            ended = true;
                            self.end2(i, &mut li);
                        }
                        _ => self.directive2(i, d, &mut li),
                    },
                    None => {}
                }
            }
            self.list[i] = li;
        }
        self.relocation_targets();
    }

    fn ctx2(&mut self, i: usize, loc_len: i64) -> Ctx<'_, 'o> {
        let loc = match self.p1[i].sect {
            Some(s) => Value::reloc(s, i64::from(self.p1[i].loc)),
            None => Value::abs(0),
        };
        Ctx { asm: self, stmt: i, loc, loc_len, pass2: true }
    }

    fn put(&mut self, sect: Option<u32>, off: u32, bytes: &[u8]) {
        let Some(s) = sect else { return };
        let Some((buf, used)) = self.text.get_mut(s as usize) else { return };
        let start = off as usize;
        let end = (start + bytes.len()).min(buf.len());
        if start >= end {
            return;
        }
        buf[start..end].copy_from_slice(&bytes[..end - start]);
        used[start..end].iter_mut().for_each(|u| *u = true);
    }

    fn adcons(&mut self, i: usize, sect: Option<u32>, off: u32, ads: &[Adcon]) {
        let Some(pos) = sect else { return };
        if !self.is_control(pos) {
            return;
        }
        for a in ads {
            for &(t, c) in &a.value.rel {
                let kind = self.sects[t as usize].kind;
                if kind == SectKind::Dsect {
                    continue;
                }
                if c.abs() != 1 {
                    self.err_op(i, ERROR, "INVALID RELOCATABILITY IN ADDRESS CONSTANT");
                    continue;
                }
                self.rlds.push(Rld {
                    pos,
                    off: off + a.at,
                    len: a.len,
                    vtype: a.vtype,
                    target: t,
                    negative: c < 0,
                });
            }
        }
    }

    fn machine2(
        &mut self,
        i: usize,
        op: &'static crate::opcode::Op,
        mask: Option<u8>,
        li: &mut ListInfo,
    ) {
        let ops = std::mem::take(&mut self.p1[i].operands);
        let flen = self.stmts[i].f.operand.len();
        let r = encode(op, mask, &ops, &mut self.ctx2(i, i64::from(op.len())), flen);
        self.p1[i].operands = ops;
        match r {
            Ok(e) => {
                let (sect, loc) = (self.p1[i].sect, self.p1[i].loc);
                self.put(sect, loc, &e.bytes);
                li.bytes = e.bytes;
                li.addr1 = e.addr1;
                li.addr2 = e.addr2;
            }
            Err(e) => {
                self.eval_err(i, e);
                li.bytes = vec![0; op.len() as usize];
                li.bytes[0] = op.first_byte();
            }
        }
    }

    fn print2(&mut self, i: usize, print: &mut Print, li: &mut ListInfo) {
        let field = self.stmts[i].f.operand.to_ascii_uppercase();
        for (a, b) in split_top(&field) {
            match &field[a..b] {
                "ON" => print.on = true,
                "OFF" => print.on = false,
                "GEN" => print.generated = true,
                "NOGEN" => print.generated = false,
                "DATA" => print.data = true,
                "NODATA" => print.data = false,
                "" => {}
                other => {
                    let m = format!("UNKNOWN PRINT OPERAND '{other}'");
                    self.err_at(i, a, WARNING, m);
                }
            }
        }
        li.loc = None;
    }

    /// Evaluates the constants of a DC (or a literal) into bytes and relocations.
    fn constants(
        &mut self,
        i: usize,
        consts: &[(DcOperand, Layout, u32)],
        loc: Value,
    ) -> Result<(Vec<u8>, Vec<Adcon>), EvalErr> {
        let mut out = Vec::new();
        let mut ads = Vec::new();
        for (op, layout, off) in consts {
            out.resize(*off as usize, 0);
            let mut ctx = self.ctx2(i, 1);
            ctx.loc = Value { off: loc.off + i64::from(*off), rel: loc.rel.clone() };
            op.generate(layout, &mut ctx, &mut out, &mut ads)?;
        }
        Ok((out, ads))
    }

    fn directive2(&mut self, i: usize, d: Dir, li: &mut ListInfo) {
        let (sect, loc) = (self.p1[i].sect, self.p1[i].loc);
        match d {
            Dir::Dc | Dir::Ds => {
                let consts = std::mem::take(&mut self.p1[i].consts);
                let here = sect.map_or(Value::abs(0), |s| Value::reloc(s, i64::from(loc)));
                if d == Dir::Dc {
                    match self.constants(i, &consts, here) {
                        Ok((bytes, ads)) => {
                            self.put(sect, loc, &bytes);
                            self.adcons(i, sect, loc, &ads);
                            li.bytes = bytes;
                        }
                        Err(e) => self.eval_err(i, e),
                    }
                } else {
                    // DS reserves storage: nothing is generated, but its operands are checked.
                    let _ = self.constants(i, &[], here);
                }
                self.p1[i].consts = consts;
            }
            Dir::Ccw => self.ccw2(i, li),
            Dir::Ltorg => self.pool2(i, li),
            Dir::Cnop => {
                let n = self.p1[i].len as usize;
                let bytes: Vec<u8> = (0..n).map(|k| if k % 2 == 0 { 0x07 } else { 0x00 }).collect();
                self.put(sect, loc, &bytes);
                li.bytes = bytes;
            }
            Dir::Using => self.using2(i, li),
            Dir::Drop => self.drop2(i),
            Dir::Equ => {
                let name = self.stmts[i].f.name.to_ascii_uppercase();
                if let Some(s) = self.syms.get(&name)
                    && s.stmt == i
                {
                    li.addr2 = Some((self.assembled(&s.value.clone()) & 0xFF_FFFF) as u32);
                }
                li.loc = None;
            }
            Dir::Entry | Dir::Extrn | Dir::Wxtrn | Dir::Opsyn | Dir::Ignored => li.loc = None,
            Dir::Csect | Dir::Dsect | Dir::Start | Dir::Org => {}
            _ => {}
        }
    }

    fn ccw2(&mut self, i: usize, li: &mut ListInfo) {
        let field = self.stmts[i].f.operand.clone();
        let parts = split_top(&field);
        if parts.len() != 4 {
            self.err_at(i, 0, ERROR, "CCW NEEDS 4 OPERANDS: COMMAND,ADDRESS,FLAGS,COUNT");
            return;
        }
        let mut vals = Vec::new();
        for &(a, b) in &parts {
            let e = match all(&field[a..b], expr) {
                Ok(e) => e,
                Err(p) => {
                    let off = a + (b - a) - p.input.len();
                    self.err_at(i, off, ERROR, p.msg);
                    return;
                }
            };
            match eval(&e, &mut self.ctx2(i, 8)) {
                Ok(v) => vals.push(v),
                Err(e) => {
                    self.eval_err(i, e);
                    return;
                }
            }
        }
        let abs = |v: &Value, hi: i64| v.is_abs() && (0..=hi).contains(&v.off);
        if !abs(&vals[0], 255) || !abs(&vals[2], 255) || !abs(&vals[3], 65535) {
            self.err_at(i, 0, ERROR, "CCW COMMAND AND FLAGS MUST BE 0-255, COUNT 0-65535");
            return;
        }
        let addr = self.assembled(&vals[1]);
        if !(0..=0xFF_FFFF).contains(&addr) && vals[1].is_abs() {
            self.err_at(i, parts[1].0, ERROR, "CCW DATA ADDRESS OUT OF RANGE");
            return;
        }
        let a = (addr as u32).to_be_bytes();
        let bytes = vec![
            vals[0].off as u8,
            a[1],
            a[2],
            a[3],
            vals[2].off as u8,
            0,
            (vals[3].off >> 8) as u8,
            vals[3].off as u8,
        ];
        let (sect, loc) = (self.p1[i].sect, self.p1[i].loc);
        self.put(sect, loc, &bytes);
        if !vals[1].is_abs() {
            let ad = Adcon { at: 1, len: 3, value: vals[1].clone(), vtype: false };
            self.adcons(i, sect, loc, &[ad]);
        }
        li.bytes = bytes;
    }

    /// Generates the literal pool a LTORG or END places.
    fn pool2(&mut self, i: usize, li: &mut ListInfo) {
        let Some(p) = self.p1[i].places_pool else { return };
        let mut lits: Vec<_> = self.pools[p].lits.clone();
        lits.sort_by_key(|l| l.place);
        for l in lits {
            let Some((s, off)) = l.place else { continue };
            let consts = vec![(l.op.clone(), l.layout.clone(), 0)];
            // A literal is evaluated where it was used (for `*`), placed where the pool is.
            match self.constants(l.stmt, &consts, l.at.clone()) {
                Ok((bytes, ads)) => {
                    self.put(Some(s), off, &bytes);
                    self.adcons(i, Some(s), off, &ads);
                    let addr = self.sects[s as usize].origin.wrapping_add(off);
                    li.extra.push((addr, bytes, format!("={}", l.text)));
                }
                Err(e) => self.eval_err(l.stmt, e),
            }
        }
    }

    fn using2(&mut self, i: usize, li: &mut ListInfo) {
        let field = self.stmts[i].f.operand.clone();
        let parts = split_top(&field);
        if parts.len() < 2 {
            self.err_at(i, 0, ERROR, "USING NEEDS A BASE ADDRESS AND REGISTERS");
            return;
        }
        let mut vals = Vec::new();
        for &(a, b) in &parts {
            let r = all(&field[a..b], expr)
                .map_err(|p| (a + (b - a) - p.input.len(), p.msg.to_string()));
            let r = r.and_then(|e| {
                eval(&e, &mut self.ctx2(i, 1)).map_err(|e| match e {
                    EvalErr::Undefined { name, .. } => (a, format!("UNDEFINED SYMBOL '{name}'")),
                    EvalErr::Bad { msg, .. } => (a, msg),
                })
            });
            match r {
                Ok(v) => vals.push((a, v)),
                Err((off, msg)) => {
                    self.err_at(i, off, ERROR, msg);
                    return;
                }
            }
        }
        let base = vals[0].1.clone();
        if !(base.is_abs() || base.simple().is_some()) {
            self.err_at(i, 0, ERROR, "USING BASE MUST BE ABSOLUTE OR SIMPLY RELOCATABLE");
            return;
        }
        li.addr2 = Some((self.assembled(&base) & 0xFF_FFFF) as u32);
        li.loc = None;
        for (k, (a, r)) in vals[1..].iter().enumerate() {
            if !r.is_abs() || !(0..=15).contains(&r.off) {
                self.err_at(i, *a, ERROR, "USING REGISTER MUST BE 0-15");
                continue;
            }
            let reg = r.off as u32;
            self.usings.retain(|u| u.reg != reg);
            let b = Value { off: base.off + 4096 * k as i64, rel: base.rel.clone() };
            self.usings.push(Using { base: b, reg });
        }
    }

    fn drop2(&mut self, i: usize) {
        let field = self.stmts[i].f.operand.clone();
        if field.is_empty() {
            self.usings.clear();
            return;
        }
        for (a, b) in split_top(&field) {
            let v = all(&field[a..b], expr).ok().and_then(|e| eval(&e, &mut self.ctx2(i, 1)).ok());
            match v {
                Some(v) if v.is_abs() && (0..=15).contains(&v.off) => {
                    let r = v.off as u32;
                    if !self.usings.iter().any(|u| u.reg == r) {
                        self.err_at(i, a, WARNING, format!("REGISTER {r} NOT IN USE"));
                    }
                    self.usings.retain(|u| u.reg != r);
                }
                _ => self.err_at(i, a, ERROR, "DROP NEEDS REGISTERS 0-15"),
            }
        }
    }

    fn end2(&mut self, i: usize, li: &mut ListInfo) {
        self.pool2(i, li);
        let field = self.stmts[i].f.operand.clone();
        if field.is_empty() {
            li.loc = None;
            return;
        }
        let e = match all(&field, expr) {
            Ok(e) => e,
            Err(p) => {
                self.err_at(i, field.len() - p.input.len(), ERROR, p.msg);
                return;
            }
        };
        match eval(&e, &mut self.ctx2(i, 1)) {
            Ok(v) if v.simple().is_some_and(|s| self.sects[s as usize].kind != SectKind::Dsect) => {
                li.addr2 = Some((self.assembled(&v) & 0xFF_FFFF) as u32);
                self.entry = Some(v);
            }
            Ok(v) if v.is_abs() => {
                li.addr2 = Some((v.off & 0xFF_FFFF) as u32);
                self.entry = Some(v);
            }
            Ok(_) => {
                self.err_at(i, 0, ERROR, "END OPERAND MUST BE AN ADDRESS IN A CONTROL SECTION")
            }
            Err(e) => self.eval_err(i, e),
        }
        li.loc = None;
    }

    /// Notes external references left unresolved, and checks ENTRY symbols.
    fn relocation_targets(&mut self) {
        for (name, i) in self.entries.clone() {
            match self.syms.get(&name) {
                Some(s) if s.value.simple().is_some_and(|x| self.is_control(x)) => {}
                Some(_) => self.err_at(
                    i,
                    0,
                    ERROR,
                    format!("ENTRY SYMBOL '{name}' IS NOT IN A CONTROL SECTION"),
                ),
                None => self.err_at(i, 0, ERROR, format!("UNDEFINED ENTRY SYMBOL '{name}'")),
            }
        }
        let mut unresolved: Vec<String> = self
            .sects
            .iter()
            .enumerate()
            .filter(|(k, s)| {
                matches!(s.kind, SectKind::Extern | SectKind::Weak)
                    && self.rlds.iter().any(|r| r.target == *k as u32)
            })
            .map(|(_, s)| s.name.clone())
            .collect();
        unresolved.sort();
        unresolved.dedup();
        self.unresolved = unresolved;
    }
}

fn title_text(operand: &str) -> String {
    match super::lex::quoted(operand) {
        Ok((_, t)) => super::lex::char_string(t),
        Err(_) => operand.to_string(),
    }
}
