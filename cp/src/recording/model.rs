//! What a session file holds, as data: the header, the steps (an action on one terminal and
//! the screens expected after it), and the screens a terminal actually showed.
//!
//! The text form is written by [`super::write`] and read by [`super::parse`]; the format is
//! described in the [`super`] module documentation.

use std::time::Duration;

use regex::Regex;

/// The version written on a session file's first line (`vm370-session 1`).
pub const FORMAT_VERSION: u32 = 1;

/// A whole session file.
#[derive(Debug, Clone)]
pub struct Session {
    /// The header.
    pub header: Header,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Which machine the session's users run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The S/370 interpreter.
    S370,
    /// x86 on KVM (replays skip without `/dev/kvm`).
    X86,
}

impl Backend {
    /// The word in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::S370 => "s370",
            Backend::X86 => "x86",
        }
    }
}

/// How a terminal is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// A 3270 over TN3270E.
    Tn3270e,
    /// A 3270 over plain TN3270.
    Tn3270,
    /// A line-mode telnet client (CP's 3215-style typewriter console).
    Typewriter,
}

impl TermKind {
    /// The word in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            TermKind::Tn3270e => "tn3270e",
            TermKind::Tn3270 => "tn3270",
            TermKind::Typewriter => "typewriter",
        }
    }

    /// True for the 3270 kinds.
    pub fn is_graf(self) -> bool {
        self != TermKind::Typewriter
    }
}

/// One terminal of the session (`terminal alice 3278-2 tn3270e TERM0001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalDecl {
    /// The name steps use.
    pub name: String,
    /// How it is connected.
    pub kind: TermKind,
    /// The 3278 model (2-5); 0 for a typewriter.
    pub model: u8,
    /// The device name CP knows it by (QUERY NAMES shows it).
    pub device: String,
}

/// A rewrite applied to every screen row before it is compared or written: for what the
/// hardware makes variable (x86 processor times).
#[derive(Debug, Clone)]
pub struct Mask {
    /// The pattern.
    pub regex: Regex,
    /// What replaces each match (`$1` names a group, as in [`Regex::replace_all`]).
    pub replacement: String,
}

/// The header of a session file.
#[derive(Debug, Clone)]
pub struct Header {
    /// One line saying what the session shows.
    pub title: String,
    /// The system it runs on: `default` (a fresh default system) or `r6` (IBM's R6 CMS,
    /// from `../shared/data`; skipped where that is absent).
    pub system: String,
    /// The backend of its users' machines.
    pub backend: Backend,
    /// The users it logs on (for people and for skipping).
    pub users: Vec<String>,
    /// Its terminals.
    pub terminals: Vec<TerminalDecl>,
    /// Masks for variable text.
    pub masks: Vec<Mask>,
}

impl Header {
    /// A header with no terminals: the default system on the S/370 backend.
    pub fn empty() -> Header {
        Header {
            title: String::new(),
            system: "default".into(),
            backend: Backend::S370,
            users: Vec::new(),
            terminals: Vec::new(),
            masks: Vec::new(),
        }
    }

    /// The terminal called `name`.
    pub fn terminal(&self, name: &str) -> Option<&TerminalDecl> {
        self.terminals.iter().find(|t| t.name == name)
    }

    /// Applies the masks to one row of text.
    pub fn mask(&self, text: &str) -> String {
        let mut s = text.to_string();
        for m in &self.masks {
            s = m.regex.replace_all(&s, m.replacement.as_str()).into_owned();
        }
        s
    }
}

/// A screen position, 0-origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Row.
    pub row: u16,
    /// Column.
    pub col: u16,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02},{:02}", self.row, self.col)
    }
}

/// A 3270 attention key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// ENTER.
    Enter,
    /// PF1-PF24.
    Pf(u8),
    /// PA1-PA3.
    Pa(u8),
    /// CLEAR.
    Clear,
}

impl Key {
    /// The AID it sends.
    pub fn aid(self) -> terminals::ds::Aid {
        use terminals::ds::Aid;
        match self {
            Key::Enter => Aid::Enter,
            Key::Pf(n) => Aid::Pf(n),
            Key::Pa(n) => Aid::Pa(n),
            Key::Clear => Aid::Clear,
        }
    }

    /// The key of an AID, if it is one a person presses.
    pub fn from_aid(aid: terminals::ds::Aid) -> Option<Key> {
        use terminals::ds::Aid;
        match aid {
            Aid::Enter => Some(Key::Enter),
            Aid::Pf(n @ 1..=24) => Some(Key::Pf(n)),
            Aid::Pa(n @ 1..=3) => Some(Key::Pa(n)),
            Aid::Clear => Some(Key::Clear),
            _ => None,
        }
    }

    /// True for keys that send the AID alone (PA keys, CLEAR).
    pub fn is_short(self) -> bool {
        matches!(self, Key::Pa(_) | Key::Clear)
    }

    /// The word in a step (`enter`, `pf3`, `pa1`, `clear`).
    pub fn word(self) -> String {
        match self {
            Key::Enter => "enter".into(),
            Key::Pf(n) => format!("pf{n}"),
            Key::Pa(n) => format!("pa{n}"),
            Key::Clear => "clear".into(),
        }
    }
}

/// What a key sends besides its AID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// Nothing (PA keys, CLEAR).
    Nothing,
    /// The text of the first unprotected field (CP's input area), the cursor after it:
    /// `enter "q time"`. EBCDIC.
    Text(Vec<u8>),
    /// The cursor and every modified field as sent: `enter cursor 05,20 05,01="abc"`.
    Fields {
        /// The cursor.
        cursor: Pos,
        /// Each field's first data position (`None`: data from an unformatted screen,
        /// written `@`) and its characters (EBCDIC).
        fields: Vec<(Option<Pos>, Vec<u8>)>,
    },
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The terminal connects (and shows the logo).
    Connect,
    /// The terminal hangs up.
    Disconnect,
    /// A 3270 key, with what was typed.
    Key(Key, Typed),
    /// A typewriter line.
    Line(String),
    /// The typewriter's attention (BREAK).
    Break,
    /// Time passes on the consoles' clocks (MORE... and HOLDING delays).
    Wait(Duration),
}

/// How one row (or typewriter line) is checked.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// `|text`: the row is this text (trailing blanks ignored).
    Exact(String),
    /// `~pattern`: the row (trailing blanks removed) matches the whole pattern.
    Pattern {
        /// The pattern as written (placeholders unexpanded).
        source: String,
        /// The compiled, anchored pattern.
        regex: Regex,
    },
    /// `*`: anything.
    Any,
}

impl Matcher {
    /// Does `row` (trailing blanks removed) satisfy it?
    pub fn matches(&self, row: &str) -> bool {
        match self {
            Matcher::Exact(t) => t.trim_end() == row,
            Matcher::Pattern { regex, .. } => regex.is_match(row),
            Matcher::Any => true,
        }
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Matcher) -> bool {
        match (self, other) {
            (Matcher::Exact(a), Matcher::Exact(b)) => a == b,
            (Matcher::Pattern { source: a, .. }, Matcher::Pattern { source: b, .. }) => a == b,
            (Matcher::Any, Matcher::Any) => true,
            _ => false,
        }
    }
}

/// One expected row: its number on a 3270 (`None` for a typewriter line) and its matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct RowExpect {
    /// The row (3270), or `None` (typewriter lines, in order).
    pub row: Option<u16>,
    /// How it is checked.
    pub matcher: Matcher,
}

/// A field attribute as written: position and code (`21,79=UM`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldSpec {
    /// The attribute's position.
    pub pos: Pos,
    /// Its code: `P`/`U`, then `I` intensified, `N` non-display, `D` detectable, `#`
    /// numeric, `M` modified; then `:fg=red`, `:bg=blue`, `:hl=reverse`, `:cs=F1`.
    pub code: String,
}

/// A screen expected after a step (`= alice ...` and the rows under it).
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// The terminal.
    pub terminal: String,
    /// Only the rows (and fields, cursor) written are checked; otherwise every row is,
    /// rows not written must be blank, and the field list must be exact.
    pub partial: bool,
    /// The screen size, when not 24x80.
    pub size: Option<(u16, u16)>,
    /// The cursor, if checked.
    pub cursor: Option<Pos>,
    /// The rows.
    pub rows: Vec<RowExpect>,
    /// The field attributes, if checked.
    pub fields: Option<Vec<FieldSpec>>,
    /// Line of the `=` in the file (0 if not from a file).
    pub line: usize,
}

/// One step: an action and the screens that followed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The terminal acting (`None` for `wait`).
    pub terminal: Option<String>,
    /// What it did.
    pub action: Action,
    /// The screens to check afterwards.
    pub expects: Vec<Expect>,
    /// Line of the `>` in the file (0 if not from a file).
    pub line: usize,
}

/// What a terminal showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Snapshot {
    /// A 3270 screen.
    Graf {
        /// Rows and columns.
        size: (u16, u16),
        /// The cursor.
        cursor: Pos,
        /// Every row, trailing blanks removed (attribute positions as `◆`, non-display
        /// characters as `*`).
        rows: Vec<String>,
        /// The field attributes.
        fields: Vec<FieldSpec>,
    },
    /// The lines a typewriter printed since the previous snapshot.
    Lines(Vec<String>),
}

impl Snapshot {
    /// The rows (3270) or lines (typewriter).
    pub fn rows(&self) -> &[String] {
        match self {
            Snapshot::Graf { rows, .. } => rows,
            Snapshot::Lines(l) => l,
        }
    }
}
