//! Statements as the macro phase hands them to the assembly passes, and internal
//! diagnostics tied to them.

use std::rc::Rc;

use super::source::Fields;

/// What a statement is, for the passes and the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// To be assembled: a machine instruction, DC/DS, or an assembler instruction.
    Ordinary,
    /// A comment or blank line: listed only.
    Comment,
    /// Listed only: a macro definition line, an open-code conditional-assembly statement.
    Listed,
    /// A macro instruction whose expansion follows: listed only.
    MacroCall,
    /// An MNOTE: its severity (`None` for `MNOTE *`) and message.
    Mnote(Option<u8>, String),
}

/// One statement of the assembly, in listing order.
#[derive(Debug, Clone)]
pub(crate) struct Stmt {
    /// What it is.
    pub kind: Kind,
    /// Its fields.
    pub f: Fields,
    /// Index into the file table of the line it came from.
    pub file: u32,
    /// Its first line in that file.
    pub line: u32,
    /// Its text as listed.
    pub raw: Vec<String>,
    /// For a macro-generated statement: the macro and the line that called it.
    pub context: Option<Rc<str>>,
    /// Macro nesting level: 0 for open code.
    pub level: u16,
}

/// A diagnostic before it is made public.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    /// The statement (index) it belongs to, if any.
    pub stmt: Option<usize>,
    /// Severity.
    pub sev: u8,
    /// File index.
    pub file: u32,
    /// Line.
    pub line: u32,
    /// Column.
    pub col: u32,
    /// Message.
    pub msg: String,
    /// Macro context.
    pub context: Option<Rc<str>>,
}

impl Stmt {
    /// A diagnostic at byte `offset` of the operand field.
    pub fn at_operand(&self, idx: usize, offset: usize, sev: u8, msg: impl Into<String>) -> Diag {
        let (line, col) = self.f.operand_pos(offset);
        self.diag(idx, line, col, sev, msg)
    }

    /// A diagnostic at the name field.
    pub fn at_name(&self, idx: usize, sev: u8, msg: impl Into<String>) -> Diag {
        self.diag(idx, self.line, 1, sev, msg)
    }

    /// A diagnostic at the operation field.
    pub fn at_op(&self, idx: usize, sev: u8, msg: impl Into<String>) -> Diag {
        let (line, col) = self.f.op_pos;
        self.diag(idx, line, col, sev, msg)
    }

    fn diag(&self, idx: usize, line: u32, col: u32, sev: u8, msg: impl Into<String>) -> Diag {
        Diag {
            stmt: Some(idx),
            sev,
            file: self.file,
            line,
            col,
            msg: msg.into(),
            context: self.context.clone(),
        }
    }
}
