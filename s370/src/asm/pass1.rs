//! Pass 1: locations. Assigns every statement its section and location, defines symbols
//! with their length and type attributes, collects literals into pools and places them,
//! resolves EQUs that refer forward, and finally gives each control section its address.

use super::dc::dc_operand;
use super::error::{ERROR, WARNING};
use super::expr::{EvalErr, Value, eval, expr};
use super::instr::{self, parse_operands};
use super::lex::{all, is_symbol, perr, split_top};
use super::ops::{self, Dir, OpKind};
use super::state::{Asm, Ctx, Literal, P1, SectKind, Section, Sym, literal_key};
use super::stmt::Kind;

const MAX_LOC: u32 = 0x00FF_FFFF;

impl<'o> Asm<'o> {
    /// Runs pass 1 and the work between the passes.
    pub fn pass1(&mut self) {
        for i in 0..self.stmts.len() {
            self.p1[i].pool = self.pools.len() - 1;
            self.p1[i].sect = self.cur;
            self.p1[i].loc = self.cur.map_or(0, |s| self.sects[s as usize].loc);
            if self.stmts[i].kind != Kind::Ordinary || self.saw_end {
                continue;
            }
            self.statement1(i);
        }
        if !self.saw_end {
            if let Some(last) = self.stmts.len().checked_sub(1) {
                self.err_op(last, WARNING, "END STATEMENT MISSING");
            }
            self.place_final_pool(None);
        }
        self.resolve_deferred();
        self.externals();
        self.assign_origins();
    }

    fn ensure_section(&mut self, i: usize) -> u32 {
        if let Some(s) = self.cur {
            return s;
        }
        let s = self.new_section(String::new(), SectKind::Private);
        self.cur = Some(s);
        self.p1[i].sect = Some(s);
        s
    }

    fn new_section(&mut self, name: String, kind: SectKind) -> u32 {
        self.sects.push(Section { name, kind, loc: 0, max: 0, origin: 0 });
        (self.sects.len() - 1) as u32
    }

    /// Aligns the current location counter to `a` and records it as the statement's.
    fn align(&mut self, i: usize, a: u32) -> u32 {
        let s = self.ensure_section(i);
        let sec = &mut self.sects[s as usize];
        sec.loc = sec.loc.next_multiple_of(a.max(1));
        sec.max = sec.max.max(sec.loc);
        self.p1[i].sect = Some(s);
        self.p1[i].loc = sec.loc;
        sec.loc
    }

    fn advance(&mut self, i: usize, n: u64) {
        let Some(s) = self.cur else { return };
        let sec = &mut self.sects[s as usize];
        let end = u64::from(sec.loc) + n;
        if end > u64::from(MAX_LOC) + 1 {
            self.err_op(i, ERROR, "LOCATION COUNTER OVERFLOW (16 MB)");
            return;
        }
        sec.loc = end as u32;
        sec.max = sec.max.max(sec.loc);
    }

    fn here(&self, i: usize) -> Value {
        match self.p1[i].sect {
            Some(s) => Value::reloc(s, i64::from(self.p1[i].loc)),
            None => Value::abs(0),
        }
    }

    /// Defines the statement's name-field symbol.
    pub(super) fn define(&mut self, i: usize, value: Value, len: u32, typ: char) {
        let name = self.stmts[i].f.name.clone();
        if name.is_empty() {
            return;
        }
        let up = name.to_ascii_uppercase();
        if !is_symbol(&up) {
            self.err_name(i, ERROR, format!("INVALID SYMBOL '{name}'"));
            return;
        }
        if self.syms.contains_key(&up) {
            self.err_name(i, ERROR, format!("PREVIOUSLY DEFINED SYMBOL '{up}'"));
            return;
        }
        self.syms.insert(up, Sym { value, len, typ, stmt: i, refs: Vec::new() });
    }

    fn ctx(&mut self, i: usize) -> Ctx<'_, 'o> {
        let loc = self.here(i);
        Ctx { asm: self, stmt: i, loc, loc_len: 1, pass2: false }
    }

    fn statement1(&mut self, i: usize) {
        let opu = self.stmts[i].f.op.to_ascii_uppercase();
        let Some(kind) = ops::classify(&opu) else {
            let msg = if opu.is_empty() {
                "MISSING OPERATION CODE".to_string()
            } else {
                format!("UNDEFINED OPERATION CODE '{opu}'")
            };
            self.err_op(i, ERROR, msg);
            self.p1[i].skip = true;
            return;
        };
        self.p1[i].op = Some(kind);
        match kind {
            OpKind::Machine(op, _) => {
                let loc = self.align(i, 2);
                let s = self.cur.expect("align made a section");
                self.define(i, Value::reloc(s, i64::from(loc)), op.len(), 'I');
                let field = self.stmts[i].f.operand.clone();
                let parsed = match parse_operands(&field) {
                    // IPK and PTLB take no operand: what follows them is remarks.
                    Err(_) if instr::operand_optional(op) => Ok(Vec::new()),
                    r => r,
                };
                match parsed {
                    Ok(v) => {
                        let mut lits = Vec::new();
                        instr::literals(&v, &mut |t, r| lits.push((t.to_string(), r)));
                        for (t, r) in lits {
                            self.add_literal(i, &t, field.len().saturating_sub(r + t.len() + 1));
                        }
                        self.p1[i].operands = v;
                    }
                    Err((off, msg)) => {
                        self.err_at(i, off, ERROR, msg);
                        self.p1[i].skip = true;
                    }
                }
                self.p1[i].len = op.len();
                self.advance(i, u64::from(op.len()));
            }
            OpKind::Directive(d) => self.directive1(i, d),
        }
    }

    fn add_literal(&mut self, i: usize, text: &str, at: usize) {
        let key = literal_key(text, i);
        let pool = self.pools.len() - 1;
        if self.pools[pool].index.contains_key(&key) {
            return;
        }
        let op = match all(text, dc_operand) {
            Ok(op) => op,
            Err(e) => {
                self.err_at(i, at, ERROR, format!("INVALID LITERAL: {}", e.msg));
                return;
            }
        };
        let layout = match op.layout(&mut self.ctx(i), false) {
            Ok(l) if l.total() > 0 => l,
            Ok(_) => {
                self.err_at(i, at, ERROR, "LITERAL HAS NO LENGTH");
                return;
            }
            Err(e) => {
                self.eval_err(i, e);
                return;
            }
        };
        if let super::dc::Nominal::Addrs(v) = &op.nominal
            && op.typ == 'V'
        {
            for a in v {
                if let super::expr::Expr::Sym { name, .. } = &a.expr {
                    self.vcon_names.push((name.clone(), i));
                }
            }
        }
        let lit =
            Literal { text: text.to_string(), op, layout, at: self.here(i), stmt: i, place: None };
        let p = &mut self.pools[pool];
        p.index.insert(key, p.lits.len());
        p.lits.push(lit);
    }

    /// Places the current pool at the current location (LTORG) and starts a new one.
    fn place_pool(&mut self, i: usize) {
        let pool = self.pools.len() - 1;
        let s = self.ensure_section(i);
        let mut order: Vec<usize> = Vec::new();
        for m in [8u64, 4, 2, 1] {
            for (k, l) in self.pools[pool].lits.iter().enumerate() {
                let t = l.layout.total();
                let group = if t % 8 == 0 {
                    8
                } else if t % 4 == 0 {
                    4
                } else if t % 2 == 0 {
                    2
                } else {
                    1
                };
                if group == m {
                    order.push(k);
                }
            }
        }
        for k in order {
            let loc = self.sects[s as usize].loc;
            self.pools[pool].lits[k].place = Some((s, loc));
            let t = self.pools[pool].lits[k].layout.total();
            self.advance(i, t);
        }
        self.p1[i].places_pool = Some(pool);
        self.pools.push(Default::default());
    }

    /// At END: literals not yet placed go to the end of the first control section.
    fn place_final_pool(&mut self, end_stmt: Option<usize>) {
        if self.pools.last().is_some_and(|p| p.lits.is_empty()) {
            return;
        }
        let i = end_stmt.unwrap_or(self.stmts.len().saturating_sub(1));
        let first =
            self.sects.iter().position(|s| matches!(s.kind, SectKind::Csect | SectKind::Private));
        let saved = self.cur;
        if let Some(f) = first {
            self.cur = Some(f as u32);
            let sec = &mut self.sects[f];
            sec.loc = sec.max.next_multiple_of(8);
            sec.max = sec.loc;
        }
        self.place_pool(i);
        self.cur = saved;
    }

    fn directive1(&mut self, i: usize, d: Dir) {
        let f = self.stmts[i].f.clone();
        let name = f.name.to_ascii_uppercase();
        match d {
            Dir::Csect | Dir::Start => {
                if d == Dir::Start {
                    if self
                        .sects
                        .iter()
                        .any(|s| matches!(s.kind, SectKind::Csect | SectKind::Private))
                    {
                        self.err_op(i, ERROR, "START MUST COME BEFORE ANY CONTROL SECTION");
                        return;
                    }
                    let origin = if f.operand.is_empty() {
                        0
                    } else {
                        match all(&f.operand, expr)
                            .map_err(|e| (f.operand.len() - e.input.len(), e.msg))
                        {
                            Ok(e) => match eval(&e, &mut self.ctx(i)) {
                                Ok(v)
                                    if v.is_abs() && (0..=i64::from(MAX_LOC)).contains(&v.off) =>
                                {
                                    v.off as u32
                                }
                                Ok(_) => {
                                    self.err_at(
                                        i,
                                        0,
                                        ERROR,
                                        "START OPERAND MUST BE AN ABSOLUTE ADDRESS",
                                    );
                                    0
                                }
                                Err(e) => {
                                    self.eval_err(i, e);
                                    0
                                }
                            },
                            Err((off, msg)) => {
                                self.err_at(i, off, ERROR, msg);
                                0
                            }
                        }
                    };
                    self.start = Some(origin.next_multiple_of(8));
                }
                let existing = self.sects.iter().position(|s| {
                    s.name == name
                        && (matches!(s.kind, SectKind::Csect)
                            || (name.is_empty() && s.kind == SectKind::Private))
                });
                let s = match existing {
                    Some(s) => s as u32,
                    None => {
                        if !name.is_empty() && self.syms.contains_key(&name) {
                            self.err_name(i, ERROR, format!("PREVIOUSLY DEFINED SYMBOL '{name}'"));
                        }
                        let kind =
                            if name.is_empty() { SectKind::Private } else { SectKind::Csect };
                        let s = self.new_section(name.clone(), kind);
                        if !name.is_empty() {
                            self.define(i, Value::reloc(s, 0), 1, 'J');
                        }
                        s
                    }
                };
                self.cur = Some(s);
                self.p1[i].sect = Some(s);
                self.p1[i].loc = self.sects[s as usize].loc;
            }
            Dir::Dsect => {
                if name.is_empty() {
                    self.err_name(i, ERROR, "DSECT NEEDS A NAME");
                    return;
                }
                let existing =
                    self.sects.iter().position(|s| s.name == name && s.kind == SectKind::Dsect);
                let s = match existing {
                    Some(s) => s as u32,
                    None => {
                        let s = self.new_section(name.clone(), SectKind::Dsect);
                        self.define(i, Value::reloc(s, 0), 1, 'J');
                        s
                    }
                };
                self.cur = Some(s);
                self.p1[i].sect = Some(s);
                self.p1[i].loc = self.sects[s as usize].loc;
            }
            Dir::Dc | Dir::Ds => self.dc1(i, d == Dir::Ds),
            Dir::Ccw => {
                let loc = self.align(i, 8);
                let s = self.cur.expect("aligned");
                self.define(i, Value::reloc(s, i64::from(loc)), 8, 'W');
                self.p1[i].len = 8;
                self.advance(i, 8);
            }
            Dir::Equ => self.equ1(i),
            Dir::Org => self.org1(i),
            Dir::Ltorg => {
                let loc = self.align(i, 8);
                let s = self.cur.expect("aligned");
                self.define(i, Value::reloc(s, i64::from(loc)), 1, 'U');
                self.place_pool(i);
            }
            Dir::Cnop => self.cnop1(i),
            Dir::End => {
                self.saw_end = true;
                self.place_final_pool(Some(i));
            }
            Dir::Entry => {
                for (a, b) in split_top(&f.operand) {
                    let s = f.operand[a..b].to_ascii_uppercase();
                    if is_symbol(&s) {
                        self.entries.push((s, i));
                    } else {
                        self.err_at(i, a, ERROR, "ENTRY NEEDS SYMBOLS");
                    }
                }
            }
            Dir::Extrn | Dir::Wxtrn => {
                for (a, b) in split_top(&f.operand) {
                    let s = f.operand[a..b].to_ascii_uppercase();
                    if !is_symbol(&s) {
                        self.err_at(i, a, ERROR, "EXTRN NEEDS SYMBOLS");
                        continue;
                    }
                    if self.syms.contains_key(&s) {
                        self.err_at(i, a, ERROR, format!("PREVIOUSLY DEFINED SYMBOL '{s}'"));
                        continue;
                    }
                    let kind = if d == Dir::Extrn { SectKind::Extern } else { SectKind::Weak };
                    let x = self.new_section(s.clone(), kind);
                    self.syms.insert(
                        s,
                        Sym {
                            value: Value::reloc(x, 0),
                            len: 1,
                            typ: if d == Dir::Extrn { 'T' } else { '$' },
                            stmt: i,
                            refs: Vec::new(),
                        },
                    );
                }
            }
            Dir::Title => {
                if self.deck_id.is_empty() && !f.name.is_empty() {
                    self.deck_id = f.name.chars().take(8).collect::<String>().to_ascii_uppercase();
                }
            }
            Dir::Unsupported => {
                self.err_op(i, ERROR, format!("{} IS NOT SUPPORTED", f.op.to_ascii_uppercase()));
                self.p1[i].skip = true;
            }
            Dir::Using => {
                // `USING *,...` before any section starts private code, as `*` does anywhere.
                let field = self.stmts[i].f.operand.clone();
                if let Ok((_, e)) = expr(&field)
                    && matches!(e.leftmost(), super::expr::Expr::Loc)
                {
                    self.ensure_section(i);
                }
            }
            Dir::Opsyn
            | Dir::Drop
            | Dir::Print
            | Dir::Eject
            | Dir::Space
            | Dir::Push
            | Dir::Pop
            | Dir::Ignored => {}
        }
    }

    fn dc1(&mut self, i: usize, ds: bool) {
        let field = self.stmts[i].f.operand.clone();
        if field.is_empty() {
            self.err_op(i, ERROR, "MISSING OPERAND");
            self.p1[i].skip = true;
            return;
        }
        let mut first = true;
        let mut base: Option<u32> = None;
        let mut consts = Vec::new();
        for (a, b) in split_top(&field) {
            let op = match dc_operand(&field[a..]) {
                Ok((rest, op)) if field.len() - rest.len() == b => op,
                Ok((rest, _)) => {
                    self.err_at(i, field.len() - rest.len(), ERROR, "INVALID CONSTANT");
                    self.p1[i].skip = true;
                    return;
                }
                Err(e) => {
                    let p = perr(e);
                    self.err_at(i, field.len() - p.input.len(), ERROR, p.msg);
                    self.p1[i].skip = true;
                    return;
                }
            };
            if op.typ == 'V'
                && let super::dc::Nominal::Addrs(v) = &op.nominal
            {
                for a in v {
                    if let super::expr::Expr::Sym { name, .. } = &a.expr {
                        self.vcon_names.push((name.clone(), i));
                    }
                }
            }
            let layout = match op.layout(&mut self.ctx(i), ds) {
                Ok(l) => l,
                Err(EvalErr::Undefined { name, rlen }) => {
                    self.eval_err(
                        i,
                        EvalErr::bad(
                            format!("SYMBOL '{name}' NOT PREVIOUSLY DEFINED"),
                            rlen + name.len(),
                        ),
                    );
                    self.p1[i].skip = true;
                    return;
                }
                Err(e) => {
                    self.eval_err(i, e);
                    self.p1[i].skip = true;
                    return;
                }
            };
            let loc = self.align(i, layout.align);
            if first {
                let s = self.cur.expect("aligned");
                self.define(i, Value::reloc(s, i64::from(loc)), layout.length_attr, op.type_attr());
                first = false;
            }
            let start = *base.get_or_insert(loc);
            let total = layout.total();
            consts.push((op, layout, loc - start));
            self.advance(i, total);
        }
        let start = base.unwrap_or(0);
        self.p1[i].loc = start;
        self.p1[i].sect = self.cur;
        self.p1[i].len = self.cur.map_or(0, |s| self.sects[s as usize].loc) - start;
        self.p1[i].consts = consts;
    }

    fn equ1(&mut self, i: usize) {
        if self.stmts[i].f.name.is_empty() {
            self.err_name(i, ERROR, "EQU NEEDS A NAME");
            return;
        }
        match self.equ_value(i) {
            Ok(Some((v, len, typ))) => self.define(i, v, len, typ),
            Ok(None) => self.deferred.push(i),
            Err(()) => self.p1[i].skip = true,
        }
    }

    /// Evaluates an EQU: `Ok(None)` if a symbol is not defined yet.
    fn equ_value(&mut self, i: usize) -> Result<Option<(Value, u32, char)>, ()> {
        let field = self.stmts[i].f.operand.clone();
        let parts = split_top(&field);
        let mut exprs = Vec::new();
        for &(a, b) in &parts {
            if a == b {
                exprs.push(None);
                continue;
            }
            match expr(&field[a..]) {
                Ok((rest, e)) if field.len() - rest.len() == b => exprs.push(Some(e)),
                Ok((rest, _)) => {
                    self.err_at(i, field.len() - rest.len(), ERROR, "INVALID EXPRESSION");
                    return Err(());
                }
                Err(e) => {
                    let p = perr(e);
                    self.err_at(i, field.len() - p.input.len(), ERROR, p.msg);
                    return Err(());
                }
            }
        }
        let Some(Some(e)) = exprs.first() else {
            self.err_at(i, 0, ERROR, "EQU NEEDS A VALUE");
            return Err(());
        };
        let v = match eval(e, &mut self.ctx(i)) {
            Ok(v) => v,
            Err(EvalErr::Undefined { .. }) => return Ok(None),
            Err(e) => {
                self.eval_err(i, e);
                return Err(());
            }
        };
        let len = match exprs.get(1).cloned().flatten() {
            Some(le) => match eval(&le, &mut self.ctx(i)) {
                Ok(l) if l.is_abs() && (0..=65535).contains(&l.off) => l.off as u32,
                Ok(_) => {
                    self.err_at(i, parts[1].0, ERROR, "LENGTH MUST BE ABSOLUTE 0-65535");
                    1
                }
                Err(EvalErr::Undefined { .. }) => return Ok(None),
                Err(e) => {
                    self.eval_err(i, e);
                    1
                }
            },
            None => match e.leftmost() {
                super::expr::Expr::Sym { name, .. } => self.syms.get(name).map_or(1, |s| s.len),
                super::expr::Expr::Len { .. }
                | super::expr::Expr::Num(_)
                | super::expr::Expr::Loc => 1,
                _ => 1,
            },
        };
        let typ = match exprs.get(2).cloned().flatten() {
            Some(te) => match eval(&te, &mut self.ctx(i)) {
                Ok(t) if t.is_abs() && (0x40..=0xFF).contains(&t.off) => {
                    crate::ebcdic::e2a(t.off as u8) as char
                }
                _ => {
                    self.err_at(
                        i,
                        parts[2].0,
                        ERROR,
                        "TYPE MUST BE A CHARACTER SELF-DEFINING TERM",
                    );
                    'U'
                }
            },
            None => 'U',
        };
        Ok(Some((v, len, typ)))
    }

    fn resolve_deferred(&mut self) {
        loop {
            let pending = std::mem::take(&mut self.deferred);
            let before = pending.len();
            for i in pending {
                match self.equ_value(i) {
                    Ok(Some((v, len, typ))) => self.define(i, v, len, typ),
                    Ok(None) => self.deferred.push(i),
                    Err(()) => self.p1[i].skip = true,
                }
            }
            if self.deferred.len() == before || self.deferred.is_empty() {
                break;
            }
        }
        // Whatever is left refers to undefined symbols: pass 2 reports them.
    }

    fn org1(&mut self, i: usize) {
        let s = self.ensure_section(i);
        let field = self.stmts[i].f.operand.clone();
        if field.is_empty() {
            let sec = &mut self.sects[s as usize];
            sec.loc = sec.max;
        } else {
            let e = match all(&field, expr) {
                Ok(e) => e,
                Err(p) => {
                    self.err_at(i, field.len() - p.input.len(), ERROR, p.msg);
                    return;
                }
            };
            match eval(&e, &mut self.ctx(i)) {
                Ok(v) if v.simple() == Some(s) && (0..=i64::from(MAX_LOC)).contains(&v.off) => {
                    let sec = &mut self.sects[s as usize];
                    sec.loc = v.off as u32;
                    sec.max = sec.max.max(sec.loc);
                }
                Ok(_) => self.err_at(
                    i,
                    0,
                    ERROR,
                    "ORG OPERAND MUST BE AN ADDRESS IN THE CURRENT SECTION",
                ),
                Err(EvalErr::Undefined { name, rlen }) => self.eval_err(
                    i,
                    EvalErr::bad(
                        format!("SYMBOL '{name}' NOT PREVIOUSLY DEFINED"),
                        rlen + name.len(),
                    ),
                ),
                Err(e) => self.eval_err(i, e),
            }
        }
        let loc = self.sects[s as usize].loc;
        self.p1[i].loc = loc;
        self.define(i, Value::reloc(s, i64::from(loc)), 1, 'U');
    }

    fn cnop1(&mut self, i: usize) {
        let field = self.stmts[i].f.operand.clone();
        let parts = split_top(&field);
        let mut vals = Vec::new();
        for &(a, b) in &parts {
            let v = all(&field[a..b], expr)
                .ok()
                .and_then(|e| eval(&e, &mut self.ctx(i)).ok())
                .filter(|v| v.is_abs());
            match v {
                Some(v) => vals.push(v.off),
                None => {
                    self.err_at(i, a, ERROR, "CNOP NEEDS ABSOLUTE OPERANDS");
                    return;
                }
            }
        }
        let (b, w) = match vals.as_slice() {
            [b, w] if (*w == 4 || *w == 8) && *b >= 0 && *b < *w && b % 2 == 0 => {
                (*b as u32, *w as u32)
            }
            _ => {
                self.err_at(i, 0, ERROR, "CNOP OPERANDS MUST BE 0,2,4 OR 6 AND 4 OR 8");
                return;
            }
        };
        let loc = self.align(i, 2);
        let pad = (b + w - loc % w) % w;
        self.p1[i].len = pad;
        self.advance(i, u64::from(pad));
        let s = self.cur.expect("aligned");
        self.define(i, Value::reloc(s, i64::from(loc + pad)), 1, 'I');
    }

    /// Creates external symbols for V-type constants that name nothing in this assembly.
    fn externals(&mut self) {
        let names = std::mem::take(&mut self.vcon_names);
        for (n, _) in names {
            let local = self.sects.iter().any(|s| s.name == n && s.kind != SectKind::Dsect)
                || self
                    .syms
                    .get(&n)
                    .is_some_and(|s| s.value.simple().is_some_and(|x| self.is_control(x)));
            if !local {
                self.new_section(n, SectKind::Extern);
            }
        }
    }

    /// Gives every control section its address: the first at the START origin, each next
    /// on the doubleword after the previous one ends.
    fn assign_origins(&mut self) {
        let mut next = self.start.unwrap_or(0);
        for s in &mut self.sects {
            if matches!(s.kind, SectKind::Csect | SectKind::Private) {
                s.origin = next;
                next = next.saturating_add(s.max).next_multiple_of(8).min(MAX_LOC + 1);
            }
        }
    }
}

/// Reports EQUs still undefined after pass 1 (called at the start of pass 2).
pub(crate) fn undefined_equs(asm: &mut Asm<'_>) {
    for i in std::mem::take(&mut asm.deferred) {
        let field = asm.stmts[i].f.operand.clone();
        let mut undefined = None;
        if let Ok((_, e)) = expr(&field) {
            e.symbols(&mut |s| {
                if undefined.is_none() && !asm.syms.contains_key(s) {
                    undefined = Some(s.to_string());
                }
            });
        }
        let msg = match undefined {
            Some(s) => format!("UNDEFINED SYMBOL '{s}'"),
            None => "EQU REFERS TO ITSELF".to_string(),
        };
        asm.err_at(i, 0, ERROR, msg);
        asm.p1[i].skip = true;
    }
}

impl P1 {
    /// The statement's address as assembled, if it has a location.
    pub fn address(&self, asm: &Asm<'_>) -> Option<u32> {
        self.sect.map(|s| asm.sects[s as usize].origin.wrapping_add(self.loc))
    }
}
