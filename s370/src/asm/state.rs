//! The assembler's state between and during the passes: control sections and their
//! location counters, the symbol table, literal pools, the USING table, and the
//! environments expressions are evaluated in.

use std::collections::HashMap;

use super::Options;
use super::dc::{DcEnv, DcOperand, Layout};
use super::error::ERROR;
use super::expr::{Env, EvalErr, Value};
use super::instr::{InsnEnv, Opnd};
use super::ops::OpKind;
use super::stmt::{Diag, Stmt};

/// What a section is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SectKind {
    /// A named control section (CSECT or START).
    Csect,
    /// The unnamed (private) control section.
    Private,
    /// A dummy section.
    Dsect,
    /// An external reference (EXTRN, V-type constant).
    Extern,
    /// A weak external reference (WXTRN).
    Weak,
}

/// A section or external symbol: anything a relocatable value can be relative to.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// Name (empty for private code).
    pub name: String,
    /// Kind.
    pub kind: SectKind,
    /// Location counter (offset from the section's start).
    pub loc: u32,
    /// Highest location reached.
    pub max: u32,
    /// Assigned address (control sections) once pass 1 ends.
    pub origin: u32,
}

/// A symbol table entry.
#[derive(Debug, Clone)]
pub(crate) struct Sym {
    /// Value.
    pub value: Value,
    /// Length attribute.
    pub len: u32,
    /// Type attribute.
    pub typ: char,
    /// Defining statement index.
    pub stmt: usize,
    /// Statement numbers referring to it.
    pub refs: Vec<u32>,
}

/// One literal of a pool.
#[derive(Debug, Clone)]
pub(crate) struct Literal {
    /// Its text after the `=`.
    pub text: String,
    /// Parsed.
    pub op: DcOperand,
    /// Its layout.
    pub layout: Layout,
    /// The location counter at the statement that used it first (for `*` in literals).
    pub at: Value,
    /// The statement that used it first.
    pub stmt: usize,
    /// Where it was placed: (section, offset).
    pub place: Option<(u32, u32)>,
}

/// A literal pool: the literals used since the last LTORG.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pool {
    /// The literals, in order of first use.
    pub lits: Vec<Literal>,
    /// Key (text, or text plus statement for location-dependent ones) to index.
    pub index: HashMap<String, usize>,
}

/// The key a literal is pooled under: literals using `*` are never shared.
pub(crate) fn literal_key(text: &str, stmt: usize) -> String {
    let mut in_quote = false;
    let uses_loc = text.bytes().enumerate().any(|(i, c)| {
        if c == b'\'' && !super::source::attr_quote(text, i) {
            in_quote = !in_quote;
        }
        !in_quote && c == b'*'
    });
    if uses_loc { format!("{text}\u{0}{stmt}") } else { text.to_string() }
}

/// An entry of the USING table: `reg` holds `base`, covering 4096 bytes from it.
#[derive(Debug, Clone)]
pub(crate) struct Using {
    /// The base address.
    pub base: Value,
    /// The register.
    pub reg: u32,
}

/// What pass 1 learnt about a statement.
#[derive(Debug, Clone, Default)]
pub(crate) struct P1 {
    /// The section it is in.
    pub sect: Option<u32>,
    /// Its location (after alignment).
    pub loc: u32,
    /// Its length in bytes.
    pub len: u32,
    /// The literal pool current at it.
    pub pool: usize,
    /// The operation, classified.
    pub op: Option<OpKind>,
    /// Machine-instruction operands.
    pub operands: Vec<Opnd>,
    /// DC/DS operands with their layouts and offsets from `loc`.
    pub consts: Vec<(DcOperand, Layout, u32)>,
    /// Pass 1 found it unusable: pass 2 generates nothing for it.
    pub skip: bool,
    /// The literal pool this statement (LTORG, END) places.
    pub places_pool: Option<usize>,
}

/// A relocation dictionary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rld {
    /// Section holding the address constant.
    pub pos: u32,
    /// Its offset in that section.
    pub off: u32,
    /// Its length.
    pub len: u8,
    /// V-type.
    pub vtype: bool,
    /// The section or external symbol it is relative to.
    pub target: u32,
    /// Subtract rather than add.
    pub negative: bool,
}

/// What the listing shows for a statement (pass 2).
#[derive(Debug, Clone, Default)]
pub(crate) struct ListInfo {
    /// Location shown.
    pub loc: Option<u32>,
    /// Object code shown.
    pub bytes: Vec<u8>,
    /// ADDR1.
    pub addr1: Option<u32>,
    /// ADDR2 (also EQU values, USING bases).
    pub addr2: Option<u32>,
    /// Extra lines (literals placed by LTORG/END): address, bytes, text.
    pub extra: Vec<(u32, Vec<u8>, String)>,
    /// Listed at all (PRINT ON, GEN).
    pub listed: bool,
    /// PRINT DATA in effect.
    pub data: bool,
    /// Start a new page before it (EJECT, TITLE).
    pub eject: bool,
    /// Blank lines to leave (SPACE).
    pub space: u32,
    /// The title in effect.
    pub title: String,
    /// The statement itself is not printed (EJECT, SPACE, TITLE).
    pub hide: bool,
}

/// The whole assembler.
#[derive(Debug)]
pub(crate) struct Asm<'o> {
    /// Options.
    pub opts: &'o Options,
    /// Statements from the macro phase.
    pub stmts: Vec<Stmt>,
    /// Pass 1 results.
    pub p1: Vec<P1>,
    /// Listing data from pass 2.
    pub list: Vec<ListInfo>,
    /// Sections and external symbols.
    pub sects: Vec<Section>,
    /// Symbols.
    pub syms: HashMap<String, Sym>,
    /// Literal pools.
    pub pools: Vec<Pool>,
    /// Diagnostics.
    pub diags: Vec<Diag>,
    /// The current section (pass 1).
    pub cur: Option<u32>,
    /// START origin.
    pub start: Option<u32>,
    /// ENTRY symbols: name and statement.
    pub entries: Vec<(String, usize)>,
    /// V-type constant symbols seen in pass 1.
    pub vcon_names: Vec<(String, usize)>,
    /// EQU statements waiting for forward references.
    pub deferred: Vec<usize>,
    /// Section contents (control sections): bytes and which were generated.
    pub text: Vec<(Vec<u8>, Vec<bool>)>,
    /// Relocation entries.
    pub rlds: Vec<Rld>,
    /// The USING table.
    pub usings: Vec<Using>,
    /// The END statement's entry point.
    pub entry: Option<Value>,
    /// The deck ID (first TITLE name).
    pub deck_id: String,
    /// External references that were not resolved in this assembly.
    pub unresolved: Vec<String>,
    /// The END statement was seen.
    pub saw_end: bool,
}

impl<'o> Asm<'o> {
    /// A new assembler over the macro phase's output.
    pub fn new(opts: &'o Options, stmts: Vec<Stmt>, diags: Vec<Diag>) -> Asm<'o> {
        let n = stmts.len();
        Asm {
            opts,
            stmts,
            p1: vec![P1::default(); n],
            list: vec![ListInfo::default(); n],
            sects: Vec::new(),
            syms: HashMap::new(),
            pools: vec![Pool::default()],
            diags,
            cur: None,
            start: None,
            entries: Vec::new(),
            vcon_names: Vec::new(),
            deferred: Vec::new(),
            text: Vec::new(),
            rlds: Vec::new(),
            usings: Vec::new(),
            entry: None,
            deck_id: String::new(),
            unresolved: Vec::new(),
            saw_end: false,
        }
    }

    /// Records a diagnostic at an operand offset of statement `i`.
    pub fn err_at(&mut self, i: usize, offset: usize, sev: u8, msg: impl Into<String>) {
        let d = self.stmts[i].at_operand(i, offset, sev, msg);
        self.diags.push(d);
    }

    /// Records a diagnostic at the operation field of statement `i`.
    pub fn err_op(&mut self, i: usize, sev: u8, msg: impl Into<String>) {
        let d = self.stmts[i].at_op(i, sev, msg);
        self.diags.push(d);
    }

    /// Records a diagnostic at the name field of statement `i`.
    pub fn err_name(&mut self, i: usize, sev: u8, msg: impl Into<String>) {
        let d = self.stmts[i].at_name(i, sev, msg);
        self.diags.push(d);
    }

    /// Records an evaluation error of statement `i`.
    pub fn eval_err(&mut self, i: usize, e: EvalErr) {
        let flen = self.stmts[i].f.operand.len();
        let (rlen, msg) = match e {
            EvalErr::Undefined { name, rlen } => {
                (rlen + name.len(), format!("UNDEFINED SYMBOL '{name}'"))
            }
            EvalErr::Bad { msg, rlen } => (rlen, msg),
        };
        self.err_at(i, flen.saturating_sub(rlen), ERROR, msg);
    }

    /// The value of `v` as assembled: offsets plus section origins.
    pub fn assembled(&self, v: &Value) -> i64 {
        v.rel.iter().fold(v.off, |a, &(s, c)| {
            a.wrapping_add(
                i64::from(c)
                    .wrapping_mul(i64::from(self.sects.get(s as usize).map_or(0, |x| x.origin))),
            )
        })
    }

    /// Is section `s` a control section (CSECT or private code)?
    pub fn is_control(&self, s: u32) -> bool {
        matches!(
            self.sects.get(s as usize).map(|x| x.kind),
            Some(SectKind::Csect | SectKind::Private)
        )
    }

    /// Resolves an address through the USING table: (base register, displacement).
    pub fn base_disp(&self, v: &Value, rlen: usize) -> Result<(u32, u32), EvalErr> {
        let mut best: Option<(i64, u32)> = None;
        let mut consider = |d: i64, reg: u32| {
            if (0..=4095).contains(&d) {
                let better = match best {
                    None => true,
                    Some((bd, br)) => d < bd || (d == bd && reg > br),
                };
                if better {
                    best = Some((d, reg));
                }
            }
        };
        if v.is_abs() {
            consider(v.off, 0);
            for u in self.usings.iter().filter(|u| u.base.is_abs()) {
                consider(v.off - u.base.off, u.reg);
            }
        } else if let Some(s) = v.simple() {
            for u in self.usings.iter().filter(|u| u.base.simple() == Some(s)) {
                consider(v.off - u.base.off, u.reg);
            }
        } else {
            return Err(EvalErr::bad("COMPLEX RELOCATABLE ADDRESS", rlen));
        }
        match best {
            Some((d, r)) => Ok((r, d as u32)),
            None if v.is_abs() => {
                Err(EvalErr::bad(format!("DISPLACEMENT {} OUT OF RANGE 0-4095", v.off), rlen))
            }
            None => Err(EvalErr::bad(
                "ADDRESSABILITY ERROR: NO BASE REGISTER COVERS THIS ADDRESS",
                rlen,
            )),
        }
    }
}

/// Evaluates expressions for statement `stmt` (pass 1 or pass 2).
pub(crate) struct Ctx<'a, 'o> {
    /// The assembler.
    pub asm: &'a mut Asm<'o>,
    /// The statement.
    pub stmt: usize,
    /// The location counter.
    pub loc: Value,
    /// L'* (the instruction's length, else 1).
    pub loc_len: i64,
    /// Pass 2: symbols are final and references are recorded.
    pub pass2: bool,
}

impl Env for Ctx<'_, '_> {
    fn symbol(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr> {
        let stmt_no = self.stmt as u32 + 1;
        match self.asm.syms.get_mut(name) {
            Some(s) => {
                if self.pass2 && s.refs.last() != Some(&stmt_no) {
                    s.refs.push(stmt_no);
                }
                Ok(s.value.clone())
            }
            None => Err(EvalErr::Undefined { name: name.to_string(), rlen }),
        }
    }

    fn length_of(&mut self, name: &str, rlen: usize) -> Result<i64, EvalErr> {
        let stmt_no = self.stmt as u32 + 1;
        match self.asm.syms.get_mut(name) {
            Some(s) => {
                if self.pass2 && s.refs.last() != Some(&stmt_no) {
                    s.refs.push(stmt_no);
                }
                Ok(i64::from(s.len))
            }
            None => Err(EvalErr::Undefined { name: name.to_string(), rlen }),
        }
    }

    fn location(&mut self) -> Result<Value, EvalErr> {
        Ok(self.loc.clone())
    }

    fn location_length(&self) -> i64 {
        self.loc_len
    }

    fn literal(&mut self, text: &str, rlen: usize) -> Result<Value, EvalErr> {
        if !self.pass2 {
            return Err(EvalErr::bad("LITERAL NOT ALLOWED HERE", rlen));
        }
        let pool = self.asm.p1[self.stmt].pool;
        let key = literal_key(text, self.stmt);
        let lit = self.asm.pools.get(pool).and_then(|p| p.index.get(&key).map(|&i| &p.lits[i]));
        match lit.and_then(|l| l.place) {
            Some((s, off)) => Ok(Value::reloc(s, i64::from(off))),
            None => Err(EvalErr::bad("LITERAL NOT ALLOWED HERE", rlen)),
        }
    }
}

impl DcEnv for Ctx<'_, '_> {
    fn assembled(&self, v: &Value) -> i64 {
        self.asm.assembled(v)
    }

    fn base_disp(&mut self, v: &Value, rlen: usize) -> Result<(u32, u32), EvalErr> {
        self.asm.base_disp(v, rlen)
    }

    fn vcon(&mut self, name: &str, rlen: usize) -> Result<Value, EvalErr> {
        if let Some(i) = self.asm.sects.iter().position(|s| {
            s.name == name && matches!(s.kind, SectKind::Csect | SectKind::Extern | SectKind::Weak)
        }) {
            return Ok(Value::reloc(i as u32, 0));
        }
        match self.asm.syms.get(name) {
            Some(s) if s.value.simple().is_some_and(|x| self.asm.is_control(x)) => {
                Ok(s.value.clone())
            }
            _ => Err(EvalErr::bad(format!("V-TYPE CONSTANT: NO EXTERNAL SYMBOL {name}"), rlen)),
        }
    }
}

impl InsnEnv for Ctx<'_, '_> {
    fn literal_len(&mut self, text: &str, rlen: usize) -> Result<i64, EvalErr> {
        let pool = self.asm.p1[self.stmt].pool;
        let key = literal_key(text, self.stmt);
        match self.asm.pools.get(pool).and_then(|p| p.index.get(&key).map(|&i| &p.lits[i])) {
            Some(l) => Ok(i64::from(l.layout.length_attr)),
            None => Err(EvalErr::bad("LITERAL NOT ALLOWED HERE", rlen)),
        }
    }
}
