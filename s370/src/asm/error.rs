//! Diagnostics: what went wrong, where, and how badly.
//!
//! Severities follow the IBM assembler's return-code scale: 0 informational, 4 warning,
//! 8 error, 12 severe. An assembly fails when any diagnostic reaches 8.

use std::fmt;

/// A severity of 0: informational (MNOTE 0, or an `MNOTE *` comment).
pub const NOTE: u8 = 0;
/// A severity of 4: the program assembles, but look at this.
pub const WARNING: u8 = 4;
/// A severity of 8: the statement is wrong; the assembly fails.
pub const ERROR: u8 = 8;
/// A severity of 12: the statement could not be processed at all.
pub const SEVERE: u8 = 12;

/// One message about one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 0-255 on the IBM scale ([`NOTE`], [`WARNING`], [`ERROR`], [`SEVERE`]; MNOTE may give any).
    pub severity: u8,
    /// The file the line is in: `None` for the primary source, else a COPY or macro member.
    pub file: Option<String>,
    /// 1-based line number in that file.
    pub line: u32,
    /// 1-based column of the offending text.
    pub column: u32,
    /// What is wrong, in capitals as the period's assemblers wrote it.
    pub message: String,
    /// Where a macro-generated statement came from (`IN MACRO X CALLED AT LINE 12`).
    pub context: Option<String>,
    /// The listing statement number, when the message belongs to a listed statement.
    pub statement: Option<u32>,
}

impl Diagnostic {
    /// The label the listing prints for this severity.
    pub fn label(&self) -> &'static str {
        match self.severity {
            0..=3 => "NOTE",
            4..=7 => "WARNING",
            8..=11 => "ERROR",
            _ => "SEVERE",
        }
    }

    /// Does this diagnostic make the assembly fail?
    pub fn is_error(&self) -> bool {
        self.severity >= ERROR
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "** {} ** ", self.label())?;
        if let Some(file) = &self.file {
            write!(f, "{file} ")?;
        }
        write!(f, "line {} col {}: {}", self.line, self.column, self.message)?;
        if let Some(c) = &self.context {
            write!(f, " ({c})")?;
        }
        Ok(())
    }
}

/// A failed assembly: every diagnostic (errors and warnings, in statement order) and the
/// listing, which shows each error under its statement.
#[derive(Debug, Clone)]
pub struct Errors {
    /// All diagnostics; at least one has severity 8 or more.
    pub diagnostics: Vec<Diagnostic>,
    /// The listing of the failed assembly.
    pub listing: String,
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.iter().filter(|d| d.is_error()).count();
        writeln!(f, "assembly failed: {n} statement(s) flagged")?;
        for d in self.diagnostics.iter().filter(|d| d.is_error()).take(50) {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_line_column_and_file() {
        let mut d = Diagnostic {
            severity: ERROR,
            file: None,
            line: 12,
            column: 16,
            message: "UNDEFINED SYMBOL 'FOO'".into(),
            context: None,
            statement: Some(3),
        };
        assert_eq!(d.to_string(), "** ERROR ** line 12 col 16: UNDEFINED SYMBOL 'FOO'");
        d.file = Some("REGS.copy".into());
        d.severity = WARNING;
        d.context = Some("IN MACRO X CALLED AT LINE 4".into());
        assert_eq!(
            d.to_string(),
            "** WARNING ** REGS.copy line 12 col 16: UNDEFINED SYMBOL 'FOO' (IN MACRO X CALLED AT LINE 4)"
        );
        assert!(!d.is_error());
    }
}
