//! Errors of the card-image parsers (`USER DIRECT` and the system configuration).
//!
//! Every error names the file, the line and the column where the offending operand starts,
//! and says what is wrong in the upper-case style of the VM/370 utilities, followed by a
//! plain explanation:
//!
//! ```text
//! USER DIRECT line 12 column 17: INVALID OPERAND 'XYZ' — expected a storage size
//! ```
//!
//! A parse collects every error in the file (as `DIRECT` validates all statements before it
//! stops, PSG p.230) so the caller can list them all and keep the old directory.

use std::fmt;

/// One error found while parsing a directory or configuration file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line} column {column}: {kind}")]
pub struct ParseError {
    /// The file name given to the parser (e.g. `USER DIRECT`).
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters) where the offending text starts.
    pub column: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The first token is not a statement this file knows.
    UnknownStatement {
        /// The token, as written.
        statement: String,
    },
    /// An operand is malformed or out of range.
    InvalidOperand {
        /// The operand, as written.
        operand: String,
        /// What was expected there.
        expected: String,
    },
    /// A required operand is missing.
    MissingOperand {
        /// What was expected there.
        expected: String,
    },
    /// An operand follows the last one the statement takes (configuration files only; the
    /// directory ignores such data as R6 did).
    ExtraOperand {
        /// The operand, as written.
        operand: String,
    },
    /// A statement appears where it is not allowed.
    OutOfSequence {
        /// The statement keyword.
        statement: String,
        /// The ordering rule it breaks.
        rule: String,
    },
    /// The file does not start with a `DIRECTORY` statement.
    MissingDirectoryStatement,
    /// A user id is defined twice.
    DuplicateUser {
        /// The user id.
        userid: String,
        /// Line of the first definition.
        first_line: usize,
    },
    /// A virtual device address is defined twice in one user's entry.
    DuplicateAddress {
        /// The address, as three hex digits.
        vaddr: String,
        /// Line of the first definition.
        first_line: usize,
    },
    /// Something that may be given once is given again (a statement, a volume, a name).
    Duplicate {
        /// What is duplicated, e.g. `STATEMENT IPL` or `VOLUME VM370S`.
        what: String,
        /// Line of the first definition.
        first_line: usize,
    },
    /// Logon storage is larger than the maximum storage.
    StorageExceedsMaximum {
        /// Logon storage, e.g. `16M`.
        storage: String,
        /// Maximum storage, e.g. `8M`.
        maximum: String,
    },
    /// Storage larger than the machine can address.
    StorageTooLarge {
        /// The size given, e.g. `32M`.
        storage: String,
        /// The limit, e.g. `16M`.
        limit: String,
    },
    /// An `OPTION` keyword that is not known.
    UnknownOption {
        /// The keyword, as written.
        option: String,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownStatement { statement } => {
                write!(f, "UNKNOWN STATEMENT '{statement}'")
            }
            Self::InvalidOperand { operand, expected } => {
                write!(f, "INVALID OPERAND '{operand}' — expected {expected}")
            }
            Self::MissingOperand { expected } => write!(f, "MISSING OPERAND — expected {expected}"),
            Self::ExtraOperand { operand } => {
                write!(f, "EXTRANEOUS OPERAND '{operand}' — the statement ends before it")
            }
            Self::OutOfSequence { statement, rule } => {
                write!(f, "STATEMENT OUT OF SEQUENCE '{statement}' — {rule}")
            }
            Self::MissingDirectoryStatement => {
                write!(f, "DIRECTORY STATEMENT MISSING — the first statement must be DIRECTORY")
            }
            Self::DuplicateUser { userid, first_line } => {
                write!(f, "DUPLICATE USERID '{userid}' — first defined on line {first_line}")
            }
            Self::DuplicateAddress { vaddr, first_line } => {
                write!(f, "DUPLICATE DEVICE ADDRESS '{vaddr}' — first defined on line {first_line}")
            }
            Self::Duplicate { what, first_line } => {
                write!(f, "DUPLICATE {what} — first given on line {first_line}")
            }
            Self::StorageExceedsMaximum { storage, maximum } => write!(
                f,
                "STORAGE {storage} EXCEEDS MAXIMUM {maximum} — logon storage must not exceed the maximum"
            ),
            Self::StorageTooLarge { storage, limit } => {
                write!(f, "STORAGE {storage} TOO LARGE — the machine addresses at most {limit}")
            }
            Self::UnknownOption { option } => write!(f, "INVALID OPTION '{option}'"),
        }
    }
}

/// Collects errors for one file.
#[derive(Debug)]
pub(crate) struct Errors {
    file: String,
    list: Vec<ParseError>,
}

impl Errors {
    pub(crate) fn new(file: &str) -> Self {
        Self { file: file.to_string(), list: Vec::new() }
    }

    /// Record an error. A missing operand is reported once per card: positional operands
    /// after the first missing one are missing too, and saying so again helps nobody.
    pub(crate) fn push(&mut self, line: usize, column: usize, kind: ErrorKind) {
        let repeat =
            matches!(kind, ErrorKind::MissingOperand { .. })
                && self.list.iter().rev().take_while(|e| e.line == line).any(|e| {
                    matches!(e.kind, ErrorKind::MissingOperand { .. }) && e.column == column
                });
        if !repeat {
            self.list.push(ParseError { file: self.file.clone(), line, column, kind });
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The errors in file order (line, then column).
    pub(crate) fn into_vec(mut self) -> Vec<ParseError> {
        self.list.sort_by_key(|e| (e.line, e.column));
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_column() {
        let e = ParseError {
            file: "USER DIRECT".into(),
            line: 12,
            column: 17,
            kind: ErrorKind::InvalidOperand {
                operand: "XYZ".into(),
                expected: "a storage size".into(),
            },
        };
        assert_eq!(
            e.to_string(),
            "USER DIRECT line 12 column 17: INVALID OPERAND 'XYZ' — expected a storage size"
        );
    }
}
