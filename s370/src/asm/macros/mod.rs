//! The macro phase: reads the open code, processes macro definitions (inline and from
//! libraries), COPY, conditional assembly (SET symbols, AIF, AGO, sequence symbols, ACTR,
//! MNOTE, MEXIT) and expands macro instructions, nested to any reasonable depth. Its output
//! is the flat list of statements the assembly passes process, in listing order.
//!
//! ```text
//! source ─> open code ─┬─ MACRO..MEND ─> definitions
//!                      ├─ COPY ─> member lines spliced in
//!                      ├─ SETx/AIF/AGO/... ─> variables, jumps
//!                      └─ other ─> substitute ─> macro? ─yes─> expand (recursively)
//!                                                    └─no──> output statement
//! ```
//!
//! T' and L' of ordinary symbols come from a look-ahead scan of the open code plus every
//! statement generated so far, which is what the period's assemblers allowed.

mod cond;
mod condstmt;
mod def;
mod library;
mod vars;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use cond::{CondErr, Ctx};
use def::{MStmt, MacroDef};
use vars::{DEFAULT_ACTR, Scope, SetVar, SymAttr, SysVals};

use super::Options;
use super::dc::dc_operand;
use super::error::{ERROR, SEVERE, WARNING};
use super::expr::{Env, EvalErr, Value};
use super::lex::{is_symbol, split_top};
use super::ops::{self, Dir, OpKind};
use super::source::{CommentKind, Fields, SrcStmt, read_source, split_fields};
use super::stmt::{Diag, Kind, Stmt};

const MAX_DEPTH: u16 = 50;
const MAX_STMTS: usize = 400_000;
const MAX_COPIES: usize = 2000;
const MAX_BRANCHES: u64 = 2_000_000;
const MAX_DIAGS: usize = 10_000;

/// What the macro phase produces.
#[derive(Debug)]
pub(crate) struct Output {
    /// Statements in listing order.
    pub stmts: Vec<Stmt>,
    /// Diagnostics found so far.
    pub diags: Vec<Diag>,
    /// File names: 0 is the primary source.
    pub files: Vec<String>,
}

/// Runs the macro phase over a source program.
pub(crate) fn generate(source: &str, opts: &Options) -> Output {
    let mut g = Gen {
        opts,
        macros: HashMap::new(),
        not_found: HashSet::new(),
        globals: HashMap::new(),
        attrs: HashMap::new(),
        sys: SysVals {
            sysect: String::new(),
            sysparm: opts.sysparm.clone(),
            sysdate: opts.sysdate.clone(),
            systime: opts.systime.clone(),
        },
        opsyn: HashMap::new(),
        out: Vec::new(),
        diags: Vec::new(),
        files: vec![opts.source_name.clone()],
        sysndx: 0,
        copies: 0,
        branches: 0,
        ended: false,
    };
    let lines = read_source(source, 0);
    g.prescan(&lines);
    g.open_code(lines);
    Output { stmts: g.out, diags: g.diags, files: g.files }
}

/// Where a conditional-assembly statement is, for messages.
#[derive(Clone)]
pub(super) struct Here {
    stmt: Option<usize>,
    file: u32,
    context: Option<Rc<str>>,
}

pub(super) enum Flow {
    Next,
    Jump(String, usize),
    Exit,
}

pub(super) struct Gen<'o> {
    opts: &'o Options,
    macros: HashMap<String, Rc<MacroDef>>,
    not_found: HashSet<String>,
    globals: HashMap<String, SetVar>,
    attrs: HashMap<String, SymAttr>,
    sys: SysVals,
    opsyn: HashMap<String, Option<String>>,
    out: Vec<Stmt>,
    diags: Vec<Diag>,
    files: Vec<String>,
    sysndx: u32,
    copies: usize,
    branches: u64,
    ended: bool,
}

struct NoSymbols;
impl Env for NoSymbols {
    fn symbol(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr> {
        Err(EvalErr::Undefined { name: name.into(), rlen })
    }
    fn length_of(&mut self, name: &str, rlen: usize) -> Result<i64, EvalErr> {
        Err(EvalErr::Undefined { name: name.into(), rlen })
    }
    fn location(&mut self) -> Result<Value, EvalErr> {
        Ok(Value::abs(0))
    }
    fn location_length(&self) -> i64 {
        1
    }
    fn literal(&mut self, _: &str, rlen: usize) -> Result<Value, EvalErr> {
        Err(EvalErr::bad("", rlen))
    }
}

/// The T' and L' attributes a statement gives the symbol in its name field.
fn stmt_attr(opu: &str, operand: &str) -> Option<SymAttr> {
    match ops::classify(opu)? {
        OpKind::Machine(op, _) => Some(SymAttr { typ: 'I', len: op.len() }),
        OpKind::Directive(Dir::Dc | Dir::Ds) => {
            let first = operand.get(..split_top(operand)[0].1).unwrap_or("");
            let (_, d) = dc_operand(first).ok()?;
            let len = d.layout(&mut NoSymbols, true).map_or(1, |l| l.length_attr);
            Some(SymAttr { typ: d.type_attr(), len })
        }
        OpKind::Directive(Dir::Equ) => {
            let parts = split_top(operand);
            let len =
                parts.get(1).and_then(|&(a, b)| operand[a..b].parse::<u32>().ok()).unwrap_or(1);
            Some(SymAttr { typ: 'U', len })
        }
        OpKind::Directive(Dir::Csect | Dir::Dsect | Dir::Start) => {
            Some(SymAttr { typ: 'J', len: 1 })
        }
        OpKind::Directive(Dir::Ccw) => Some(SymAttr { typ: 'W', len: 8 }),
        _ => None,
    }
}

/// Builds a statement's text from its (substituted) fields, keeping the model's layout.
fn build_line(f: &Fields, name: &str, op: &str, operand: &str) -> String {
    let mut s = String::with_capacity(80);
    s.push_str(name);
    let op_col = f.op_index.max(name.chars().count() + 1);
    while s.chars().count() < op_col {
        s.push(' ');
    }
    s.push_str(op);
    if !operand.is_empty() {
        let opnd_col = f
            .operand_index
            .max(op_col + op.chars().count() + 1)
            .min(op_col + op.chars().count() + 8);
        while s.chars().count() < opnd_col {
            s.push(' ');
        }
        s.push_str(operand);
        if !f.remarks.is_empty() {
            s.push(' ');
            s.push_str(&f.remarks);
        }
    }
    s
}

impl Gen<'_> {
    fn ctx<'a>(&'a self, scope: &'a Scope) -> Ctx<'a> {
        Ctx { scope, globals: &self.globals, attrs: &self.attrs, sys: &self.sys }
    }

    fn push(
        &mut self,
        kind: Kind,
        mut f: Fields,
        src: &SrcStmt,
        context: Option<Rc<str>>,
        level: u16,
    ) -> usize {
        if f.op_pos.0 == 0 {
            f.op_pos = (src.line, 1);
        }
        if self.out.len() >= MAX_STMTS {
            if !self.ended {
                self.ended = true;
                let d = Diag {
                    stmt: None,
                    sev: SEVERE,
                    file: src.file,
                    line: src.line,
                    col: 1,
                    msg: "TOO MANY STATEMENTS GENERATED; ASSEMBLY STOPPED".into(),
                    context,
                };
                self.diags.push(d);
            }
            return self.out.len().saturating_sub(1);
        }
        self.out.push(Stmt {
            kind,
            f,
            file: src.file,
            line: src.line,
            raw: src.raw.clone(),
            context,
            level,
        });
        self.out.len() - 1
    }

    fn err(
        &mut self,
        here: &Here,
        f: &Fields,
        offset: Option<usize>,
        sev: u8,
        msg: impl Into<String>,
    ) {
        if self.diags.len() >= MAX_DIAGS {
            if !self.ended {
                self.ended = true;
                let d = Diag {
                    msg: "TOO MANY ERRORS; ASSEMBLY STOPPED".into(),
                    sev: SEVERE,
                    ..self.diags[0].clone()
                };
                self.diags.push(d);
            }
            return;
        }
        let (line, col) = match offset {
            Some(o) => f.operand_pos(o),
            None => f.op_pos,
        };
        self.diags.push(Diag {
            stmt: here.stmt,
            sev,
            file: here.file,
            line,
            col,
            msg: msg.into(),
            context: here.context.clone(),
        });
    }

    fn cond_err(&mut self, here: &Here, f: &Fields, base: usize, e: CondErr) {
        self.err(here, f, Some(base + e.pos), ERROR, e.msg);
    }

    fn file_id(&mut self, name: &str) -> u32 {
        match self.files.iter().position(|f| f == name) {
            Some(i) => i as u32,
            None => {
                self.files.push(name.to_string());
                (self.files.len() - 1) as u32
            }
        }
    }

    /// Records the attributes of symbols defined in the open code (look-ahead).
    fn prescan(&mut self, lines: &[SrcStmt]) {
        let mut in_macro = 0usize;
        for st in lines {
            if st.comment_kind().is_some() {
                continue;
            }
            let f = split_fields(st);
            let opu = f.op.to_ascii_uppercase();
            match opu.as_str() {
                "MACRO" => in_macro += 1,
                "MEND" => in_macro = in_macro.saturating_sub(1),
                _ if in_macro == 0 && is_symbol(&f.name) => {
                    if let Some(a) = stmt_attr(&opu, &f.operand) {
                        self.attrs.entry(f.name.to_ascii_uppercase()).or_insert(a);
                    }
                }
                _ => {}
            }
        }
    }

    fn open_code(&mut self, mut lines: Vec<SrcStmt>) {
        let mut scope = Scope { actr: DEFAULT_ACTR, ..Scope::default() };
        let mut seq: HashMap<String, usize> = HashMap::new();
        let mut pc = 0;
        while pc < lines.len() && !self.ended {
            let st = lines[pc].clone();
            pc += 1;
            if st.comment_kind().is_some() {
                self.push(Kind::Comment, Fields::default(), &st, None, 0);
                continue;
            }
            let mut f = split_fields(&st);
            let opu = f.op.to_ascii_uppercase();
            let here = Here { stmt: Some(self.out.len()), file: st.file, context: None };
            if st.bad_continuation {
                self.err(&here, &f, None, WARNING, "CONTINUATION LINE NOT BLANK IN COLUMNS 1-15");
            }
            if f.name.starts_with('.') {
                seq.insert(f.name.to_ascii_uppercase(), pc - 1);
            }
            if opu == "MACRO" {
                self.push(Kind::Listed, f, &st, None, 0);
                pc = self.define_from(&lines, pc, true, &here);
                continue;
            }
            if opu == "COPY" {
                let idx = self.push(Kind::Listed, f.clone(), &st, None, 0);
                let here = Here { stmt: Some(idx), ..here };
                if let Some(member) = self.copy_member(&f, &here) {
                    lines.splice(pc..pc, member);
                }
                continue;
            }
            if ops::is_conditional(&opu) {
                let kind = if opu == "MNOTE" { None } else { Some(Kind::Listed) };
                if let Some(k) = kind {
                    self.push(k, f.clone(), &st, None, 0);
                }
                match self.cond_stmt(&mut scope, &opu, &f, &st, &here, 0) {
                    Flow::Next => {}
                    Flow::Exit => self.err(
                        &here,
                        &f,
                        None,
                        ERROR,
                        format!("{opu} OUTSIDE A MACRO DEFINITION"),
                    ),
                    Flow::Jump(name, off) => match find_seq(&lines, pc, &mut seq, &name) {
                        Some(target) => {
                            scope.actr -= 1;
                            if scope.actr < 0 {
                                self.err(
                                    &here,
                                    &f,
                                    None,
                                    SEVERE,
                                    "ACTR LIMIT EXCEEDED; ASSEMBLY STOPPED",
                                );
                                self.ended = true;
                            }
                            pc = target;
                        }
                        None => self.err(
                            &here,
                            &f,
                            Some(off),
                            ERROR,
                            format!("UNDEFINED SEQUENCE SYMBOL {name}"),
                        ),
                    },
                }
                continue;
            }
            if f.name.starts_with('.') {
                f.name.clear();
            }
            let f = if (f.name.contains('&') || f.op.contains('&') || f.operand.contains('&'))
                && !matches!(opu.as_str(), "TITLE")
            {
                match self.substitute_fields(&scope, &f, &here) {
                    Some(line) => {
                        let g = SrcStmt {
                            segs: SrcStmt::generated(&line, st.file, st.line).segs,
                            ..st.clone()
                        };
                        split_fields(&g)
                    }
                    None => f,
                }
            } else {
                f
            };
            self.emit(f, &st, None, 0);
        }
    }

    /// Substitutes a model statement's fields; `None` (with a message) on error.
    fn substitute_fields(&mut self, scope: &Scope, f: &Fields, here: &Here) -> Option<String> {
        let name = if f.name.starts_with('.') {
            Ok(String::new())
        } else {
            cond::substitute(&f.name, self.ctx(scope))
        };
        let op = cond::substitute(&f.op, self.ctx(scope));
        let operand = cond::substitute(&f.operand, self.ctx(scope));
        match (name, op, operand) {
            (Ok(n), Ok(o), Ok(p)) => Some(build_line(f, &n, &o, &p)),
            (Err(e), _, _) | (_, Err(e), _) => {
                self.err(here, f, None, ERROR, e.msg);
                None
            }
            (_, _, Err(e)) => {
                self.cond_err(here, f, 0, e);
                None
            }
        }
    }

    /// Reads a COPY member's statements.
    fn copy_member(&mut self, f: &Fields, here: &Here) -> Option<Vec<SrcStmt>> {
        let name = f.operand.to_ascii_uppercase();
        if !is_symbol(&name) {
            self.err(here, f, Some(0), ERROR, "COPY OPERAND MUST BE A MEMBER NAME");
            return None;
        }
        self.copies += 1;
        if self.copies > MAX_COPIES {
            self.err(here, f, Some(0), SEVERE, "TOO MANY COPY STATEMENTS (RECURSIVE COPY?)");
            return None;
        }
        match library::find(self.opts, &name) {
            Some(m) => {
                let fid = self.file_id(&m.origin);
                Some(read_source(&m.text, fid))
            }
            None => {
                self.err(here, f, Some(0), ERROR, format!("COPY MEMBER {name} NOT FOUND"));
                None
            }
        }
    }

    /// Reads a macro definition whose MACRO statement precedes `lines[start]`; returns the
    /// index after its MEND. `list` lists the definition (inline definitions).
    fn define_from(&mut self, lines: &[SrcStmt], start: usize, list: bool, here: &Here) -> usize {
        let mut pc = start;
        let mut proto: Option<(Fields, SrcStmt)> = None;
        let mut body: Vec<MStmt> = Vec::new();
        let mut pending: Vec<SrcStmt> = Vec::new();
        let mut ended = false;
        loop {
            let st = match pending.pop() {
                Some(s) => s,
                None if pc < lines.len() => {
                    pc += 1;
                    lines[pc - 1].clone()
                }
                None => break,
            };
            let comment = st.comment_kind();
            let f = if comment.is_some() { Fields::default() } else { split_fields(&st) };
            let opu = f.op.to_ascii_uppercase();
            let here = Here {
                stmt: if list { Some(self.out.len()) } else { here.stmt },
                file: st.file,
                context: here.context.clone(),
            };
            if list {
                let k = if comment.is_some() { Kind::Comment } else { Kind::Listed };
                self.push(k, f.clone(), &st, None, 0);
            }
            if comment.is_some() {
                if proto.is_some() {
                    body.push(MStmt { src: st, f, opu, comment });
                }
                continue;
            }
            if proto.is_none() {
                proto = Some((f, st));
                continue;
            }
            match opu.as_str() {
                "MEND" => {
                    // A sequence symbol on MEND is a target that ends the expansion.
                    if f.name.starts_with('.') {
                        body.push(MStmt { src: st, f, opu, comment: None });
                    }
                    ended = true;
                    break;
                }
                "MACRO" => {
                    self.err(&here, &f, None, ERROR, "NESTED MACRO DEFINITIONS ARE NOT SUPPORTED");
                }
                "COPY" => {
                    if let Some(mut member) = self.copy_member(&f, &here) {
                        member.reverse();
                        pending.extend(member);
                    }
                }
                _ => body.push(MStmt { src: st, f, opu, comment: None }),
            }
        }
        let Some((pf, pst)) = proto else {
            self.diags.push(Diag {
                stmt: here.stmt,
                sev: ERROR,
                file: here.file,
                line: lines.get(start.saturating_sub(1)).map_or(0, |s| s.line),
                col: 1,
                msg: "MACRO WITHOUT A PROTOTYPE".into(),
                context: None,
            });
            return pc;
        };
        let phere = Here { stmt: here.stmt, file: pst.file, context: here.context.clone() };
        if !ended {
            self.err(&phere, &pf, None, ERROR, "MACRO DEFINITION WITHOUT MEND");
        }
        let (def, problems) = MacroDef::new(&pf, body);
        for (off, msg) in problems {
            self.err(&phere, &pf, Some(off), ERROR, msg);
        }
        if let Some(def) = def {
            self.not_found.remove(&def.name);
            self.macros.insert(def.name.clone(), Rc::new(def));
        }
        pc
    }

    fn lookup_macro(&mut self, opu: &str, f: &Fields, src: &SrcStmt) -> Option<Rc<MacroDef>> {
        if let Some(d) = self.macros.get(opu) {
            return Some(d.clone());
        }
        if ops::is_builtin(opu) || self.not_found.contains(opu) || !is_symbol(opu) {
            return None;
        }
        let Some(m) = library::find(self.opts, opu) else {
            self.not_found.insert(opu.to_string());
            return None;
        };
        let fid = self.file_id(&m.origin);
        let lines = read_source(&m.text, fid);
        let here = Here { stmt: Some(self.out.len()), file: fid, context: None };
        let start = lines.iter().position(|l| l.comment_kind().is_none());
        let is_macro =
            start.is_some_and(|s| split_fields(&lines[s]).op.eq_ignore_ascii_case("MACRO"));
        if !is_macro {
            let h = Here { file: src.file, ..here };
            self.err(&h, f, None, ERROR, format!("LIBRARY MEMBER {opu} IS NOT A MACRO DEFINITION"));
            self.not_found.insert(opu.to_string());
            return None;
        }
        self.define_from(&lines, start.map_or(0, |s| s + 1), false, &here);
        match self.macros.get(opu) {
            Some(d) => Some(d.clone()),
            None => {
                let h = Here { file: src.file, ..here };
                self.err(
                    &h,
                    f,
                    None,
                    ERROR,
                    format!("LIBRARY MEMBER {opu} DOES NOT DEFINE MACRO {opu}"),
                );
                self.not_found.insert(opu.to_string());
                None
            }
        }
    }

    /// Emits an ordinary statement or expands a macro instruction.
    fn emit(&mut self, f: Fields, src: &SrcStmt, context: Option<Rc<str>>, level: u16) {
        let mut opu = f.op.to_ascii_uppercase();
        if let Some(t) = self.opsyn.get(&opu) {
            match t {
                Some(t) => opu = t.clone(),
                None => opu = format!("*{opu}"), // deleted by OPSYN: undefined
            }
        }
        if opu.is_empty() {
            let kind = if f.name.is_empty() { Kind::Comment } else { Kind::Ordinary };
            self.push(kind, f, src, context, level);
            return;
        }
        if opu == "OPSYN" {
            let here =
                Here { stmt: Some(self.out.len()), file: src.file, context: context.clone() };
            let new = f.name.to_ascii_uppercase();
            let old = f.operand.to_ascii_uppercase();
            if !is_symbol(&new) || !(old.is_empty() || is_symbol(&old)) {
                self.err(&here, &f, Some(0), ERROR, "OPSYN NEEDS A NAME AND AN OPERATION CODE");
            } else if old.is_empty() {
                self.opsyn.insert(new, None);
            } else {
                let target = self.opsyn.get(&old).cloned().unwrap_or(Some(old));
                self.opsyn.insert(new, target);
            }
            self.push(Kind::Listed, f, src, context, level);
            return;
        }
        if let Some(def) = self.lookup_macro(&opu, &f, src) {
            let idx = self.push(Kind::MacroCall, f.clone(), src, context.clone(), level);
            if is_symbol(&f.name) {
                self.attrs.insert(f.name.to_ascii_uppercase(), SymAttr { typ: 'M', len: 1 });
            }
            let root = context.as_ref().map_or_else(
                || format!("CALLED AT LINE {}", src.line),
                |c| {
                    c.split_once("CALLED AT")
                        .map_or(c.to_string(), |(_, r)| format!("CALLED AT{r}"))
                },
            );
            self.expand(def, &f, idx, level, &root);
            return;
        }
        let here = Here { stmt: Some(self.out.len()), file: src.file, context: context.clone() };
        if level > 0 && (ops::is_conditional(&opu) || opu == "COPY") {
            self.err(&here, &f, None, ERROR, format!("{opu} CANNOT BE GENERATED"));
        }
        if is_symbol(&f.name)
            && let Some(a) = stmt_attr(&opu, &f.operand)
        {
            self.attrs.insert(f.name.to_ascii_uppercase(), a);
        }
        match opu.as_str() {
            "CSECT" | "DSECT" | "START" => self.sys.sysect = f.name.to_ascii_uppercase(),
            "EXTRN" | "WXTRN" => {
                for (a, b) in split_top(&f.operand) {
                    let s = f.operand[a..b].to_ascii_uppercase();
                    if is_symbol(&s) {
                        self.attrs.insert(
                            s,
                            SymAttr { typ: if opu == "EXTRN" { 'T' } else { '$' }, len: 1 },
                        );
                    }
                }
            }
            "END" => self.ended = true,
            _ => {}
        }
        let mut f = f;
        if f.op.to_ascii_uppercase() != opu && !opu.starts_with('*') {
            f.op = opu; // an OPSYN synonym: assemble the real operation
        }
        self.push(Kind::Ordinary, f, src, context, level);
    }

    /// Expands one macro instruction.
    fn expand(
        &mut self,
        def: Rc<MacroDef>,
        call: &Fields,
        call_idx: usize,
        level: u16,
        root: &str,
    ) {
        let here0 = Here {
            stmt: Some(call_idx),
            file: self.out[call_idx].file,
            context: self.out[call_idx].context.clone(),
        };
        if level >= MAX_DEPTH {
            // Recursion this deep never ends well: stop the assembly here.
            self.err(&here0, call, None, SEVERE, "MACRO NESTING TOO DEEP; ASSEMBLY STOPPED");
            self.ended = true;
            return;
        }
        self.sysndx += 1;
        let (mut scope, problems) = def.bind(&call.name, &call.operand);
        scope.sysndx = self.sysndx;
        for (off, msg) in problems {
            self.err(&here0, call, Some(off), WARNING, msg);
        }
        let context: Rc<str> = Rc::from(format!("IN MACRO {} {root}", def.name));
        let mut pc = 0;
        while pc < def.body.len() && !self.ended {
            let ms = &def.body[pc];
            pc += 1;
            let here =
                Here { stmt: Some(call_idx), file: ms.src.file, context: Some(context.clone()) };
            match ms.comment {
                Some(CommentKind::Comment) => {
                    let st = ms.src.clone();
                    self.push(
                        Kind::Comment,
                        Fields::default(),
                        &st,
                        Some(context.clone()),
                        level + 1,
                    );
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            if ops::is_conditional(&ms.opu) {
                let (opu, f, src) = (ms.opu.clone(), ms.f.clone(), ms.src.clone());
                match self.cond_stmt(&mut scope, &opu, &f, &src, &here, level + 1) {
                    Flow::Next => {}
                    Flow::Exit => break,
                    Flow::Jump(name, off) => match def.seq.get(&name) {
                        Some(&t) => {
                            scope.actr -= 1;
                            if scope.actr < 0 {
                                self.err(
                                    &here,
                                    &f,
                                    None,
                                    ERROR,
                                    "ACTR LIMIT EXCEEDED; EXPANSION ENDED",
                                );
                                break;
                            }
                            pc = t;
                        }
                        None => {
                            self.err(
                                &here,
                                &f,
                                Some(off),
                                ERROR,
                                format!("UNDEFINED SEQUENCE SYMBOL {name}"),
                            );
                            break;
                        }
                    },
                }
                continue;
            }
            let (f, src) = (ms.f.clone(), ms.src.clone());
            let Some(line) = self.substitute_fields(&scope, &f, &here) else { continue };
            if line.trim().is_empty() {
                continue;
            }
            let g = SrcStmt::generated(&line, src.file, src.line);
            let gf = split_fields(&g);
            self.emit(gf, &g, Some(context.clone()), level + 1);
        }
    }
}

/// Finds a sequence symbol in the open code: known ones, else by scanning ahead (skipping
/// macro definitions) and remembering what is passed.
fn find_seq(
    lines: &[SrcStmt],
    from: usize,
    seq: &mut HashMap<String, usize>,
    name: &str,
) -> Option<usize> {
    if let Some(&i) = seq.get(name) {
        return Some(i);
    }
    let mut depth = 0usize;
    for (i, st) in lines.iter().enumerate().skip(from) {
        if st.comment_kind().is_some() {
            continue;
        }
        {
            let f = split_fields(st);
            match f.op.to_ascii_uppercase().as_str() {
                "MACRO" => depth += 1,
                "MEND" => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && f.name.starts_with('.') {
                let s = f.name.to_ascii_uppercase();
                seq.entry(s.clone()).or_insert(i);
                if s == name {
                    return Some(i);
                }
            }
        }
    }
    None
}
