//! What an operation code names: a machine instruction (from [`crate::opcode::OPCODES`]),
//! an extended branch mnemonic ([`crate::opcode::EXTENDED`]), or an assembler instruction.

use crate::opcode::{EXTENDED, Op, by_mnemonic};

/// Assembler instructions the passes handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// CSECT
    Csect,
    /// DSECT
    Dsect,
    /// START
    Start,
    /// END
    End,
    /// USING
    Using,
    /// DROP
    Drop,
    /// EQU
    Equ,
    /// ORG
    Org,
    /// LTORG
    Ltorg,
    /// CNOP
    Cnop,
    /// DC
    Dc,
    /// DS
    Ds,
    /// CCW (and CCW0)
    Ccw,
    /// ENTRY
    Entry,
    /// EXTRN
    Extrn,
    /// WXTRN
    Wxtrn,
    /// PRINT
    Print,
    /// TITLE
    Title,
    /// EJECT
    Eject,
    /// SPACE
    Space,
    /// PUSH
    Push,
    /// POP
    Pop,
    /// Accepted and ignored: ICTL (default columns only), ISEQ, PUNCH, REPRO, AMODE, RMODE.
    Ignored,
    /// OPSYN (handled by the macro phase).
    Opsyn,
    /// COM, DXD, CXD: not supported.
    Unsupported,
}

/// What an operation code is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OpKind {
    /// A machine instruction; for an extended mnemonic, the mask it supplies.
    Machine(&'static Op, Option<u8>),
    /// An assembler instruction.
    Directive(Dir),
}

/// Conditional-assembly and macro-definition operations (handled by the macro phase).
pub(crate) fn is_conditional(op: &str) -> bool {
    matches!(
        op,
        "SETA"
            | "SETB"
            | "SETC"
            | "AIF"
            | "AGO"
            | "ANOP"
            | "LCLA"
            | "LCLB"
            | "LCLC"
            | "GBLA"
            | "GBLB"
            | "GBLC"
            | "ACTR"
            | "MNOTE"
            | "MEXIT"
            | "MEND"
            | "MACRO"
            | "AREAD"
    )
}

/// Classifies an upper-case operation code.
pub(crate) fn classify(op: &str) -> Option<OpKind> {
    if let Some(d) = directive(op) {
        return Some(OpKind::Directive(d));
    }
    if let Some(m) = by_mnemonic(op) {
        return Some(OpKind::Machine(m, None));
    }
    let e = EXTENDED.iter().find(|e| e.mnemonic == op)?;
    Some(OpKind::Machine(by_mnemonic(e.base)?, Some(e.mask)))
}

fn directive(op: &str) -> Option<Dir> {
    Some(match op {
        "CSECT" => Dir::Csect,
        "DSECT" => Dir::Dsect,
        "START" => Dir::Start,
        "END" => Dir::End,
        "USING" => Dir::Using,
        "DROP" => Dir::Drop,
        "EQU" => Dir::Equ,
        "ORG" => Dir::Org,
        "LTORG" => Dir::Ltorg,
        "CNOP" => Dir::Cnop,
        "DC" => Dir::Dc,
        "DS" => Dir::Ds,
        "CCW" | "CCW0" => Dir::Ccw,
        "ENTRY" => Dir::Entry,
        "EXTRN" => Dir::Extrn,
        "WXTRN" => Dir::Wxtrn,
        "PRINT" => Dir::Print,
        "TITLE" => Dir::Title,
        "EJECT" => Dir::Eject,
        "SPACE" => Dir::Space,
        "PUSH" => Dir::Push,
        "POP" => Dir::Pop,
        "ICTL" | "ISEQ" | "PUNCH" | "REPRO" | "AMODE" | "RMODE" => Dir::Ignored,
        "OPSYN" => Dir::Opsyn,
        "COM" | "DXD" | "CXD" => Dir::Unsupported,
        _ => return None,
    })
}

/// Is `op` known to the assembler without a macro library (instruction or directive, or a
/// conditional-assembly operation, or COPY)?
pub(crate) fn is_builtin(op: &str) -> bool {
    classify(op).is_some() || is_conditional(op) || op == "COPY"
}
