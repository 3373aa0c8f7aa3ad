//! File ids (`fn ft fm`), file modes, and `*` patterns.
//!
//! A filename and a filetype are 1-8 characters; the CMS command line upper-cases them. The
//! characters accepted here are A-Z, 0-9 and `$ # @ + - : _` (IBM's disks hold names with
//! `$`, `-` and `_`). A file mode is a disk letter A-Z and an optional mode number 0-6
//! (default 1); the number is stored in the FST, the letter names the disk it is on
//! (vm370-behaviour.md §2.2). Patterns: `*` matches any name, `ABC*` any name that begins with
//! `ABC` (LISTFILE, ERASE and the like).

use alloc::string::String;
use core::fmt;

use super::ebcdic;

/// Why a file id, mode or label was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileIdError {
    /// An empty name.
    Empty,
    /// A name longer than 8 characters (a label longer than 6).
    TooLong,
    /// A character CMS does not allow in a name.
    BadChar(char),
    /// A mode that is not a letter A-Z followed by an optional digit 0-6.
    BadMode,
    /// `fn ft [fm]`: a field is missing or there are too many.
    Fields,
}

impl fmt::Display for FileIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileIdError::Empty => f.write_str("empty name"),
            FileIdError::TooLong => f.write_str("name too long"),
            FileIdError::BadChar(c) => write!(f, "character '{c}' not allowed"),
            FileIdError::BadMode => f.write_str("invalid file mode"),
            FileIdError::Fields => f.write_str("expected 'fn ft [fm]'"),
        }
    }
}

impl core::error::Error for FileIdError {}

/// Whether CMS allows `c` in a filename or filetype (after upper-casing).
pub(super) fn valid_name_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || "$#@+-:_".contains(c)
}

/// A filename or filetype: 8 EBCDIC bytes, blank-padded, as in the FST.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name([u8; 8]);

impl Name {
    /// Parse a name as the CMS command line does: upper-cased, 1-8 allowed characters.
    pub fn parse(s: &str) -> Result<Name, FileIdError> {
        let mut out = [ebcdic::BLANK; 8];
        let mut n = 0;
        for c in s.chars() {
            let c = c.to_ascii_uppercase();
            if !valid_name_char(c) {
                return Err(FileIdError::BadChar(c));
            }
            if n == 8 {
                return Err(FileIdError::TooLong);
            }
            out[n] = ebcdic::from_char(c).ok_or(FileIdError::BadChar(c))?;
            n += 1;
        }
        if n == 0 {
            return Err(FileIdError::Empty);
        }
        Ok(Name(out))
    }

    /// A name exactly as stored on disk (any bytes; used when reading FSTs).
    pub const fn from_ebcdic(raw: [u8; 8]) -> Name {
        Name(raw)
    }

    /// The 8 EBCDIC bytes, blank-padded.
    pub const fn as_ebcdic(&self) -> &[u8; 8] {
        &self.0
    }

    /// The name without its trailing blanks, as a string.
    pub fn to_text(&self) -> String {
        let end = self.0.iter().rposition(|&b| b != ebcdic::BLANK).map_or(0, |p| p + 1);
        ebcdic::decode(&self.0[..end])
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.to_text())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_text())
    }
}

/// A file's identity on one disk: filename and filetype.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId {
    /// The filename.
    pub fname: Name,
    /// The filetype.
    pub ftype: Name,
}

impl FileId {
    /// A file id from two names typed as on the CMS command line (`FileId::new("profile", "exec")`).
    pub fn new(fname: &str, ftype: &str) -> Result<FileId, FileIdError> {
        Ok(FileId { fname: Name::parse(fname)?, ftype: Name::parse(ftype)? })
    }

    /// Parse `fn ft [fm]` (blank-separated, as typed); the mode, if given, is returned too.
    pub fn parse(s: &str) -> Result<(FileId, Option<FileMode>), FileIdError> {
        let mut it = s.split_ascii_whitespace();
        let (Some(f), Some(t)) = (it.next(), it.next()) else {
            return Err(FileIdError::Fields);
        };
        let mode = it.next().map(FileMode::parse).transpose()?;
        if it.next().is_some() {
            return Err(FileIdError::Fields);
        }
        Ok((FileId::new(f, t)?, mode))
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.fname, self.ftype)
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({self})")
    }
}

/// A file mode: disk letter and mode number.
///
/// Mode numbers (CMS User's Guide, R6): 0 private (not seen through a read-only link), 1 the
/// default, 2 shared, 3 erased after it is read, 4 OS-format, 5 user-defined, 6 update in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileMode {
    letter: char,
    number: u8,
}

impl FileMode {
    /// Letter A-Z (either case) and number 0-6.
    pub fn new(letter: char, number: u8) -> Result<FileMode, FileIdError> {
        let letter = letter.to_ascii_uppercase();
        if !letter.is_ascii_uppercase() || number > 6 {
            return Err(FileIdError::BadMode);
        }
        Ok(FileMode { letter, number })
    }

    /// Parse `A`, `A1`, `b2`; a missing number means 1.
    pub fn parse(s: &str) -> Result<FileMode, FileIdError> {
        let mut c = s.chars();
        let letter = c.next().ok_or(FileIdError::BadMode)?;
        let number = match c.next() {
            None => 1,
            Some(d) => d.to_digit(10).ok_or(FileIdError::BadMode)? as u8,
        };
        if c.next().is_some() {
            return Err(FileIdError::BadMode);
        }
        FileMode::new(letter, number)
    }

    /// The FST's 2 EBCDIC bytes (`C'A1'`) decoded; `None` if they are not a letter and a digit.
    pub fn from_ebcdic(raw: [u8; 2]) -> Option<FileMode> {
        let letter = ebcdic::to_char(raw[0]);
        let number = ebcdic::to_char(raw[1]).to_digit(10)? as u8;
        FileMode::new(letter, number).ok()
    }

    /// The FST's 2 EBCDIC bytes.
    pub fn to_ebcdic(self) -> [u8; 2] {
        [ebcdic::from_char(self.letter).unwrap_or(ebcdic::BLANK), 0xF0 + self.number]
    }

    /// The disk letter.
    pub const fn letter(self) -> char {
        self.letter
    }

    /// The mode number 0-6.
    pub const fn number(self) -> u8 {
        self.number
    }

    /// The same number on another disk letter.
    pub fn with_letter(self, letter: char) -> Result<FileMode, FileIdError> {
        FileMode::new(letter, self.number)
    }

    /// Mode 0: private, invisible to users who link the disk read-only.
    pub const fn is_private(self) -> bool {
        self.number == 0
    }

    /// Mode 3: CMS erases the file after it has been read.
    pub const fn erased_after_read(self) -> bool {
        self.number == 3
    }

    /// Mode 4: the file holds OS-format (blocked variable) data.
    pub const fn is_os_format(self) -> bool {
        self.number == 4
    }

    /// Mode 6: updates are written in place.
    pub const fn updates_in_place(self) -> bool {
        self.number == 6
    }
}

impl fmt::Display for FileMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.letter, self.number)
    }
}

/// A filename or filetype pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePattern {
    /// `*`: any name.
    Any,
    /// Exactly this name.
    Exact(Name),
    /// `ABC*`: names that begin with the first `len` bytes of `prefix`.
    Prefix {
        /// The leading characters (EBCDIC), blank-padded.
        prefix: Name,
        /// How many of them count (1-7).
        len: u8,
    },
}

impl NamePattern {
    /// Parse `*`, `ABC*` or a name.
    pub fn parse(s: &str) -> Result<NamePattern, FileIdError> {
        match s.strip_suffix('*') {
            Some("") => Ok(NamePattern::Any),
            Some(head) => {
                let prefix = Name::parse(head)?;
                let len = head.chars().count();
                if len >= 8 {
                    return Err(FileIdError::TooLong);
                }
                Ok(NamePattern::Prefix { prefix, len: len as u8 })
            }
            None => Ok(NamePattern::Exact(Name::parse(s)?)),
        }
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &Name) -> bool {
        match self {
            NamePattern::Any => true,
            NamePattern::Exact(n) => n == name,
            NamePattern::Prefix { prefix, len } => {
                let l = *len as usize;
                name.as_ebcdic()[..l] == prefix.as_ebcdic()[..l]
            }
        }
    }
}

/// A file-mode pattern: which disk letter(s), and which mode number(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModePattern {
    /// The disk letter; `None` for `*` (all accessed disks).
    pub letter: Option<char>,
    /// The mode number; `None` matches any number.
    pub number: Option<u8>,
}

impl ModePattern {
    /// Parse `*`, `A`, `A1`; a letter alone matches every mode number.
    pub fn parse(s: &str) -> Result<ModePattern, FileIdError> {
        if s == "*" {
            return Ok(ModePattern { letter: None, number: None });
        }
        let mode = FileMode::parse(s)?;
        let number = if s.chars().count() > 1 { Some(mode.number()) } else { None };
        Ok(ModePattern { letter: Some(mode.letter()), number })
    }
}

/// `fn ft [fm]` with `*` patterns, as LISTFILE and ERASE take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePattern {
    /// The filename pattern.
    pub fname: NamePattern,
    /// The filetype pattern.
    pub ftype: NamePattern,
    /// The mode pattern (the A-disk, any number, when omitted).
    pub mode: ModePattern,
}

impl FilePattern {
    /// Parse `fn ft [fm]`; a missing fm means `A` (the A-disk, any mode number).
    pub fn parse(s: &str) -> Result<FilePattern, FileIdError> {
        let mut it = s.split_ascii_whitespace();
        let (Some(f), Some(t)) = (it.next(), it.next()) else {
            return Err(FileIdError::Fields);
        };
        let mode = match it.next() {
            Some(m) => ModePattern::parse(m)?,
            None => ModePattern { letter: Some('A'), number: None },
        };
        if it.next().is_some() {
            return Err(FileIdError::Fields);
        }
        Ok(FilePattern { fname: NamePattern::parse(f)?, ftype: NamePattern::parse(t)?, mode })
    }

    /// Whether a file on a disk accessed as `disk_letter` matches (names, letter, number).
    /// `mode_number` is the file's mode number from its FST, if readable.
    pub fn matches(&self, id: &FileId, disk_letter: char, mode_number: Option<u8>) -> bool {
        self.fname.matches(&id.fname)
            && self.ftype.matches(&id.ftype)
            && self.mode.letter.is_none_or(|l| l == disk_letter.to_ascii_uppercase())
            && self.mode.number.is_none_or(|n| mode_number == Some(n))
    }

    /// Whether the names match (the caller has already chosen the disk).
    pub fn matches_names(&self, id: &FileId) -> bool {
        self.fname.matches(&id.fname) && self.ftype.matches(&id.ftype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_upper_cased_and_checked() {
        let n = Name::parse("profile").unwrap();
        assert_eq!(n.as_ebcdic(), &[0xD7, 0xD9, 0xD6, 0xC6, 0xC9, 0xD3, 0xC5, 0x40]);
        assert_eq!(n.to_text(), "PROFILE");
        assert_eq!(Name::parse(""), Err(FileIdError::Empty));
        assert_eq!(Name::parse("ABCDEFGHI"), Err(FileIdError::TooLong));
        assert_eq!(Name::parse("A.B"), Err(FileIdError::BadChar('.')));
        assert_eq!(Name::parse("A*"), Err(FileIdError::BadChar('*')));
        assert!(Name::parse("$EE").is_ok() && Name::parse("IS-STALE").is_ok());
        assert!(Name::parse("__MEMMGR").is_ok() && Name::parse("#@+:").is_ok());
    }

    #[test]
    fn fileid_and_mode_parsing() {
        let (id, m) = FileId::parse("profile exec a").unwrap();
        assert_eq!(id.to_string(), "PROFILE EXEC");
        assert_eq!(m, Some(FileMode::new('A', 1).unwrap()));
        assert_eq!(FileId::parse("x").unwrap_err(), FileIdError::Fields);
        assert_eq!(FileId::parse("a b c d").unwrap_err(), FileIdError::Fields);
        assert_eq!(FileMode::parse("b2").unwrap().to_string(), "B2");
        assert_eq!(FileMode::parse("A7"), Err(FileIdError::BadMode));
        assert_eq!(FileMode::parse("1"), Err(FileIdError::BadMode));
        assert_eq!(FileMode::parse("A12"), Err(FileIdError::BadMode));
        let p1 = FileMode::parse("P1").unwrap();
        assert_eq!(p1.to_ebcdic(), [0xD7, 0xF1]);
        assert_eq!(FileMode::from_ebcdic([0xD7, 0xF1]), Some(p1));
        assert_eq!(FileMode::from_ebcdic([0x00, 0x00]), None);
        assert!(FileMode::parse("A0").unwrap().is_private());
        assert!(FileMode::parse("A3").unwrap().erased_after_read());
        assert!(FileMode::parse("A6").unwrap().updates_in_place());
    }

    #[test]
    fn patterns() {
        let id = FileId::new("TESTCMD", "MODULE").unwrap();
        let p = FilePattern::parse("* * a").unwrap();
        assert!(p.matches(&id, 'A', Some(1)));
        assert!(!p.matches(&id, 'B', Some(1)));
        assert!(FilePattern::parse("test* mod* *").unwrap().matches(&id, 'Z', None));
        assert!(!FilePattern::parse("tests* * *").unwrap().matches_names(&id));
        assert!(FilePattern::parse("testcmd module a1").unwrap().matches(&id, 'a', Some(1)));
        assert!(!FilePattern::parse("testcmd module a2").unwrap().matches(&id, 'A', Some(1)));
        assert_eq!(FilePattern::parse("a*b c"), Err(FileIdError::BadChar('*')));
        assert_eq!(FilePattern::parse("ABCDEFGH* c"), Err(FileIdError::TooLong));
        // `TEST*` does not match the shorter `TES`.
        let short = FileId::new("TES", "X").unwrap();
        assert!(!FilePattern::parse("test* *").unwrap().matches_names(&short));
    }
}
