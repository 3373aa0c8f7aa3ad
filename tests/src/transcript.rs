//! CMS session transcripts (`tests/cms/*.cmst`): parsing, and comparing console output.
//!
//! A transcript is a header (title, users, backends, files and disks the driver prepares before
//! logon) and a list of steps: what a user types, and the exact lines CMS answers, with a few
//! placeholders for the parts that vary (`{T}`, `{DATE}`, ...). The format is specified in
//! `tests/cms/README.md`; this module is its single parser, so a session driver only has to
//! type each [`Step::input`] and hand the console lines it saw to [`Step::check`].
//!
//! ```
//! use tests::transcript::{parse, ReadyStyle};
//! let t = parse("# title: t\n> state x y\nFILE 'X Y *' NOT FOUND\nR(00028); {T}\n").unwrap();
//! let out = ["FILE 'X Y *' NOT FOUND", "R(00028); T=0.01/0.01 12:00:00"];
//! assert!(t.steps[0].check(&out, ReadyStyle::R).is_ok());
//! ```

use std::fmt;

use thiserror::Error;

/// Why a transcript could not be parsed: the 1-based line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number in the transcript.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Why a step's output did not match its expected lines.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("output does not match: {detail}")]
pub struct Mismatch {
    /// A description naming the first expected line that could not be matched.
    pub detail: String,
}

/// A backend a session applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The S/370 CMS on the interpreter.
    S370,
    /// The x86 CMS on KVM.
    X86,
}

/// Where a session begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Users are logged on and CMS is at its first ready message (the default).
    Ready,
    /// The terminal is connected, before `LOGON`.
    Logon,
}

/// The ready message style of the system under test (commands.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyStyle {
    /// R6: `R;`, `R(00028);`.
    R,
    /// SixPack/CE: `Ready;`, `Ready(00028);`.
    Ready,
}

/// A CMS record format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecFm {
    /// Fixed-length records.
    F,
    /// Variable-length records.
    V,
}

/// A file the driver writes onto a minidisk before logon (`# file:` or `# asm:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpec {
    /// Owner of the minidisk.
    pub user: String,
    /// Virtual address of the minidisk.
    pub vaddr: u16,
    /// Filename (upper case).
    pub fname: String,
    /// Filetype (upper case).
    pub ftype: String,
    /// Filemode as written (`A1`).
    pub fmode: String,
    /// Record format.
    pub recfm: RecFm,
    /// Record length (the longest record for V).
    pub lrecl: u32,
    /// The records' text (`# file:`); empty for `# asm:`.
    pub records: Vec<String>,
    /// For `# asm:`: the source under `tests/cms/programs/` to assemble into an object deck.
    pub asm_source: Option<String>,
    /// Line of the directive.
    pub line: usize,
}

/// Link mode of an extra minidisk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskMode {
    /// Read/write.
    W,
    /// Read-only.
    R,
}

/// An extra minidisk for a user (`# disk:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskSpec {
    /// Owner.
    pub user: String,
    /// Virtual address.
    pub vaddr: u16,
    /// 3350 cylinders.
    pub cylinders: u16,
    /// CMS label, or `None` for an unformatted disk.
    pub label: Option<String>,
    /// Directory link mode.
    pub mode: DiskMode,
}

/// How the driver damages a disk (`# damage:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DamageKind {
    /// Block 3 no longer holds a CMS label.
    Label,
    /// The first FST-block address in the MFD points beyond the disk.
    Mfd,
    /// The file's first chain link points beyond the disk.
    ChainRange(String, String),
    /// Every data-block address in the file's first chain link names the same block.
    ChainCycle(String, String),
    /// The file's record count is ten times too large.
    Count(String, String),
}

/// A damage directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamageSpec {
    /// Owner of the disk.
    pub user: String,
    /// Virtual address of the disk.
    pub vaddr: u16,
    /// What to break.
    pub kind: DamageKind,
}

/// What a step sends to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line typed and entered (empty = a null line).
    Line(String),
    /// An attention interruption.
    Attention,
}

/// One piece of an expected line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// `{T}`: `T=v.vv/t.tt hh:mm:ss`.
    T,
    /// `{DATE}`: `mm/dd/yy`, first character may be blank.
    Date,
    /// `{TIME}`: `hh:mm:ss`.
    Time,
    /// `{HHMM}`: `hh:mm`, first character may be blank.
    Hhmm,
    /// `{SPOOLID}`: four digits.
    SpoolId,
    /// `{*}`: any text.
    Any,
}

/// One expected element of a step's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// One line made of pieces (a line that is only `{*}` is `Line(vec![Any])`).
    Line(Vec<Piece>),
    /// `{...}`: any number of lines.
    AnyLines,
}

/// One step: a user's input and the output expected before the next console read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The user whose console this is.
    pub user: String,
    /// What is typed.
    pub input: Input,
    /// The expected output lines.
    pub expect: Vec<Expect>,
    /// Line of the step in the transcript.
    pub line: usize,
}

/// A parsed transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// `# title:`.
    pub title: String,
    /// `# users:` (default `ALICE`).
    pub users: Vec<String>,
    /// `# backends:` (default both).
    pub backends: Vec<Backend>,
    /// `# start:`.
    pub start: Start,
    /// Files to write before logon (`# file:` and `# asm:`).
    pub files: Vec<FileSpec>,
    /// Extra minidisks.
    pub disks: Vec<DiskSpec>,
    /// Damage to apply after the files are written.
    pub damage: Vec<DamageSpec>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Transcript {
    /// Whether the session applies to `backend`.
    pub fn runs_on(&self, backend: Backend) -> bool {
        self.backends.contains(&backend)
    }
}

impl Step {
    /// Compare the console lines seen after this step's input with its expected lines.
    pub fn check<S: AsRef<str>>(&self, actual: &[S], style: ReadyStyle) -> Result<(), Mismatch> {
        let expect: Vec<Expect> = self.expect.iter().map(|e| ready_styled(e, style)).collect();
        match_lines(&expect, actual)
    }
}

/// `e` with a leading `R;`/`R(` rewritten for `style` (the README's ready-style rule).
pub fn ready_styled(e: &Expect, style: ReadyStyle) -> Expect {
    match (e, style) {
        (Expect::Line(pieces), ReadyStyle::Ready) => {
            let mut pieces = pieces.clone();
            if let Some(Piece::Text(t)) = pieces.first_mut()
                && (t.starts_with("R;") || t.starts_with("R("))
            {
                t.replace_range(0..1, "Ready");
            }
            Expect::Line(pieces)
        }
        _ => e.clone(),
    }
}

/// Match actual console lines (trailing blanks ignored) against expected elements.
pub fn match_lines<S: AsRef<str>>(expect: &[Expect], actual: &[S]) -> Result<(), Mismatch> {
    let actual: Vec<&str> = actual.iter().map(|s| s.as_ref().trim_end()).collect();
    // reach[i][j]: expect[i..] can match actual[j..]. Filled from the end.
    let (n, m) = (expect.len(), actual.len());
    let mut reach = vec![vec![false; m + 1]; n + 1];
    reach[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            reach[i][j] = match &expect[i] {
                Expect::AnyLines => reach[i + 1][j] || (j < m && reach[i][j + 1]),
                Expect::Line(p) => j < m && line_matches(p, actual[j]) && reach[i + 1][j + 1],
            };
        }
    }
    if reach[0][0] {
        return Ok(());
    }
    // Report the first expected element that cannot be placed after the longest good prefix.
    let (mut i, mut j) = (0, 0);
    while i < n {
        match &expect[i] {
            Expect::AnyLines => i += 1,
            Expect::Line(p) if j < m && line_matches(p, actual[j]) => {
                i += 1;
                j += 1;
            }
            Expect::Line(p) => {
                let got =
                    actual.get(j).map_or("(no more output)".to_string(), |s| format!("{s:?}"));
                return Err(Mismatch {
                    detail: format!("expected line {} {:?}, got {got}", i + 1, render(p)),
                });
            }
        }
    }
    Err(Mismatch {
        detail: format!("unexpected extra output from line {}: {:?}", j + 1, actual.get(j)),
    })
}

/// Whether one actual line matches `pieces` (trailing blanks of both are ignored).
pub fn line_matches(pieces: &[Piece], line: &str) -> bool {
    let chars: Vec<char> = line.trim_end().chars().collect();
    let want = trim_pieces(pieces);
    // ok[k][pos]: pieces[k..] match chars[pos..].
    let n = want.len();
    let mut ok = vec![vec![false; chars.len() + 1]; n + 1];
    ok[n][chars.len()] = true;
    for k in (0..n).rev() {
        for pos in (0..=chars.len()).rev() {
            ok[k][pos] = match &want[k] {
                Piece::Any => ok[k + 1][pos] || (pos < chars.len() && ok[k][pos + 1]),
                p => fixed_len(p, &chars[pos..]).is_some_and(|len| ok[k + 1][pos + len]),
            };
        }
    }
    ok[0][0]
}

/// The pieces with the trailing blanks of the last literal removed (lines are compared
/// without trailing blanks).
fn trim_pieces(pieces: &[Piece]) -> Vec<Piece> {
    let mut v = pieces.to_vec();
    while let Some(Piece::Text(t)) = v.last_mut() {
        let trimmed = t.trim_end().to_string();
        if trimmed.is_empty() {
            v.pop();
        } else {
            *t = trimmed;
            break;
        }
    }
    v
}

/// The length a non-`Any` piece matches at the start of `s`, if it matches.
fn fixed_len(p: &Piece, s: &[char]) -> Option<usize> {
    let digit = |c: &char| c.is_ascii_digit();
    let at = |i: usize, f: &dyn Fn(&char) -> bool| s.get(i).is_some_and(f);
    let lit = |i: usize, c: char| s.get(i) == Some(&c);
    let digit_or_blank = |c: &char| c.is_ascii_digit() || *c == ' ';
    match p {
        Piece::Text(t) => {
            let t: Vec<char> = t.chars().collect();
            s.starts_with(&t).then_some(t.len())
        }
        Piece::Date => (at(0, &digit_or_blank)
            && at(1, &digit)
            && lit(2, '/')
            && at(3, &digit)
            && at(4, &digit)
            && lit(5, '/')
            && at(6, &digit)
            && at(7, &digit))
        .then_some(8),
        Piece::Time => (at(0, &digit)
            && at(1, &digit)
            && lit(2, ':')
            && at(3, &digit)
            && at(4, &digit)
            && lit(5, ':')
            && at(6, &digit)
            && at(7, &digit))
        .then_some(8),
        Piece::Hhmm => (at(0, &digit_or_blank)
            && at(1, &digit)
            && lit(2, ':')
            && at(3, &digit)
            && at(4, &digit))
        .then_some(5),
        Piece::SpoolId => (0..4).all(|i| at(i, &digit)).then_some(4),
        Piece::T => {
            // T= d+ . dd / d+ . dd blank hh:mm:ss
            let mut i = 0;
            if !(lit(0, 'T') && lit(1, '=')) {
                return None;
            }
            i += 2;
            for sep in ['/', ' '] {
                let start = i;
                while at(i, &digit) {
                    i += 1;
                }
                if i == start || !lit(i, '.') || !at(i + 1, &digit) || !at(i + 2, &digit) {
                    return None;
                }
                i += 3;
                if !lit(i, sep) {
                    return None;
                }
                i += 1;
            }
            fixed_len(&Piece::Time, &s[i..]).map(|len| i + len)
        }
        Piece::Any => None,
    }
}

/// An expected line written back in transcript notation (for messages).
fn render(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.clone(),
            Piece::T => "{T}".into(),
            Piece::Date => "{DATE}".into(),
            Piece::Time => "{TIME}".into(),
            Piece::Hhmm => "{HHMM}".into(),
            Piece::SpoolId => "{SPOOLID}".into(),
            Piece::Any => "{*}".into(),
        })
        .collect()
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::AnyLines => f.write_str("{...}"),
            Expect::Line(p) => f.write_str(&render(p)),
        }
    }
}

/// Split an expected line into pieces (placeholders are exactly the names of the README).
pub fn parse_pieces(line: &str) -> Vec<Piece> {
    const NAMES: [(&str, Piece); 6] = [
        ("{T}", Piece::T),
        ("{DATE}", Piece::Date),
        ("{TIME}", Piece::Time),
        ("{HHMM}", Piece::Hhmm),
        ("{SPOOLID}", Piece::SpoolId),
        ("{*}", Piece::Any),
    ];
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    'scan: while !rest.is_empty() {
        if rest.starts_with('{') {
            for (name, piece) in &NAMES {
                if let Some(after) = rest.strip_prefix(name) {
                    if !text.is_empty() {
                        out.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    out.push(piece.clone());
                    rest = after;
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().expect("rest is not empty");
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// Parse a transcript (`tests/cms/README.md`).
pub fn parse(text: &str) -> Result<Transcript, ParseError> {
    let mut t = Parser::default().run(text)?;
    settle_users(&mut t)?;
    Ok(t)
}

#[derive(Default)]
struct Parser {
    title: Option<String>,
    users: Option<Vec<String>>,
    backends: Option<Vec<Backend>>,
    start: Option<Start>,
    files: Vec<FileSpec>,
    disks: Vec<DiskSpec>,
    damage: Vec<DamageSpec>,
    steps: Vec<Step>,
    /// The `# file:` whose `#|` records are being collected.
    open_file: Option<usize>,
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError { line, message: message.into() }
}

/// A CMS filename/filetype or userid-like name: 1-8 of `A-Z 0-9 $ # @ + - : _`.
fn valid_name(s: &str) -> bool {
    (1..=8).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "$#@+-:_".contains(c))
}

fn valid_fmode(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        1 => b[0].is_ascii_uppercase(),
        2 => b[0].is_ascii_uppercase() && (b'0'..=b'6').contains(&b[1]),
        _ => false,
    }
}

fn parse_vaddr(s: &str, line: usize) -> Result<u16, ParseError> {
    u16::from_str_radix(s, 16)
        .ok()
        .filter(|v| (1..=0xFFF).contains(v) && s.len() <= 3)
        .ok_or_else(|| err(line, format!("bad device address {s:?}")))
}

impl Parser {
    fn run(mut self, text: &str) -> Result<Transcript, ParseError> {
        let mut in_header = true;
        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if in_header {
                if raw.starts_with('#') {
                    self.header_line(raw, line)?;
                    continue;
                }
                if raw.trim().is_empty() {
                    continue;
                }
                in_header = false;
                self.finish_header(line)?;
            }
            self.body_line(raw, line)?;
        }
        if in_header {
            self.finish_header(text.lines().count())?;
        }
        if self.steps.is_empty() {
            return Err(err(text.lines().count(), "no steps"));
        }
        Ok(Transcript {
            title: self.title.expect("checked by finish_header"),
            users: self.users.expect("set by finish_header"),
            backends: self.backends.unwrap_or_else(|| vec![Backend::S370, Backend::X86]),
            start: self.start.unwrap_or(Start::Ready),
            files: self.files,
            disks: self.disks,
            damage: self.damage,
            steps: self.steps,
        })
    }

    fn header_line(&mut self, raw: &str, line: usize) -> Result<(), ParseError> {
        if let Some(rec) = raw.strip_prefix("#|") {
            let i = self.open_file.ok_or_else(|| err(line, "'#|' record outside a '# file:'"))?;
            let rec = rec.strip_prefix(' ').unwrap_or(rec).to_string();
            self.files[i].records.push(rec);
            return Ok(());
        }
        self.open_file = None;
        let body = raw.trim_start_matches('#').trim();
        let Some((key, value)) = body.split_once(':') else {
            return Ok(()); // a comment
        };
        let value = value.trim();
        let words: Vec<&str> = value.split_whitespace().collect();
        match key.trim() {
            "title" => {
                if self.title.is_some() {
                    return Err(err(line, "second '# title:'"));
                }
                if value.is_empty() {
                    return Err(err(line, "empty title"));
                }
                self.title = Some(value.to_string());
            }
            "users" => {
                if words.is_empty() || !words.iter().all(|w| valid_name(w)) {
                    return Err(err(line, "'# users:' needs upper-case userids"));
                }
                self.users = Some(words.iter().map(|w| w.to_string()).collect());
            }
            "backends" => {
                let mut v = Vec::new();
                for w in &words {
                    v.push(match *w {
                        "s370" => Backend::S370,
                        "x86" => Backend::X86,
                        _ => return Err(err(line, format!("unknown backend {w:?}"))),
                    });
                }
                if v.is_empty() {
                    return Err(err(line, "'# backends:' is empty"));
                }
                self.backends = Some(v);
            }
            "start" => {
                self.start = Some(match value {
                    "ready" => Start::Ready,
                    "logon" => Start::Logon,
                    _ => return Err(err(line, format!("unknown start {value:?}"))),
                });
            }
            "file" => self.file_directive(&words, line, false)?,
            "asm" => self.file_directive(&words, line, true)?,
            "disk" => self.disk_directive(&words, line)?,
            "damage" => self.damage_directive(&words, line)?,
            _ => {} // a comment that happens to contain ':'
        }
        Ok(())
    }

    fn first_user(&self) -> String {
        self.users.as_ref().and_then(|u| u.first().cloned()).unwrap_or_else(|| "ALICE".into())
    }

    fn file_directive(&mut self, words: &[&str], line: usize, asm: bool) -> Result<(), ParseError> {
        let positional = if asm { 4 } else { 5 };
        if words.len() < positional {
            let form = if asm { "FN FT FM SOURCE" } else { "FN FT FM RECFM LRECL" };
            return Err(err(line, format!("expected {form} [options]")));
        }
        let (fname, ftype, fmode) = (words[0], words[1], words[2]);
        if !valid_name(fname) || !valid_name(ftype) || !valid_fmode(fmode) {
            return Err(err(line, format!("bad fileid {fname} {ftype} {fmode}")));
        }
        let (recfm, lrecl, asm_source) = if asm {
            (RecFm::F, 80, Some(words[3].to_string()))
        } else {
            let recfm = match words[3] {
                "F" => RecFm::F,
                "V" => RecFm::V,
                r => return Err(err(line, format!("bad record format {r:?}"))),
            };
            let lrecl: u32 = words[4]
                .parse()
                .ok()
                .filter(|l| (1..=65535).contains(l))
                .ok_or_else(|| err(line, format!("bad LRECL {:?}", words[4])))?;
            (recfm, lrecl, None)
        };
        let mut spec = FileSpec {
            user: self.first_user(),
            vaddr: 0x191,
            fname: fname.into(),
            ftype: ftype.into(),
            fmode: fmode.into(),
            recfm,
            lrecl,
            records: Vec::new(),
            asm_source,
            line,
        };
        for opt in &words[positional..] {
            match opt.split_once('=') {
                Some(("user", u)) if valid_name(u) => spec.user = u.into(),
                Some(("disk", d)) => spec.vaddr = parse_vaddr(d, line)?,
                Some(("gen", n)) if !asm => {
                    let n: usize = n.parse().map_err(|_| err(line, format!("bad gen={n}")))?;
                    spec.records.extend((1..=n).map(|i| format!("RECORD {i:05}")));
                }
                _ => return Err(err(line, format!("unknown option {opt:?}"))),
            }
        }
        self.files.push(spec);
        if !asm {
            self.open_file = Some(self.files.len() - 1);
        }
        Ok(())
    }

    fn disk_directive(&mut self, words: &[&str], line: usize) -> Result<(), ParseError> {
        if words.len() < 4 || words.len() > 5 || !valid_name(words[0]) {
            return Err(err(line, "expected '# disk: USER cuu CYL LABEL [mode=W|R]'"));
        }
        let vaddr = parse_vaddr(words[1], line)?;
        let cylinders: u16 = words[2]
            .parse()
            .ok()
            .filter(|c| (1..=115).contains(c))
            .ok_or_else(|| err(line, format!("bad cylinder count {:?}", words[2])))?;
        let label = match words[3] {
            "-" => None,
            l if (1..=6).contains(&l.len()) => Some(l.to_string()),
            l => return Err(err(line, format!("bad label {l:?}"))),
        };
        let mode = match words.get(4).copied() {
            None | Some("mode=W") => DiskMode::W,
            Some("mode=R") => DiskMode::R,
            Some(o) => return Err(err(line, format!("unknown option {o:?}"))),
        };
        self.disks.push(DiskSpec { user: words[0].into(), vaddr, cylinders, label, mode });
        Ok(())
    }

    fn damage_directive(&mut self, words: &[&str], line: usize) -> Result<(), ParseError> {
        if words.len() < 3 || !valid_name(words[0]) {
            return Err(err(line, "expected '# damage: USER cuu KIND [FN FT]'"));
        }
        let vaddr = parse_vaddr(words[1], line)?;
        let file = || -> Result<(String, String), ParseError> {
            match words.get(3..) {
                Some([f, t]) if valid_name(f) && valid_name(t) => {
                    Ok((f.to_string(), t.to_string()))
                }
                _ => Err(err(line, format!("'{}' needs FN FT", words[2]))),
            }
        };
        let kind = match words[2] {
            "label" | "mfd" if words.len() == 3 => {
                if words[2] == "label" {
                    DamageKind::Label
                } else {
                    DamageKind::Mfd
                }
            }
            "chain-range" => {
                let (f, t) = file()?;
                DamageKind::ChainRange(f, t)
            }
            "chain-cycle" => {
                let (f, t) = file()?;
                DamageKind::ChainCycle(f, t)
            }
            "count" => {
                let (f, t) = file()?;
                DamageKind::Count(f, t)
            }
            k => return Err(err(line, format!("unknown damage {k:?}"))),
        };
        self.damage.push(DamageSpec { user: words[0].into(), vaddr, kind });
        Ok(())
    }

    fn finish_header(&mut self, line: usize) -> Result<(), ParseError> {
        if self.title.is_none() {
            return Err(err(line, "missing '# title:'"));
        }
        let users = self.users.get_or_insert_with(|| vec!["ALICE".into()]).clone();
        for f in &mut self.files {
            if !users.contains(&f.user) {
                return Err(err(f.line, format!("file for unknown user {}", f.user)));
            }
            if f.recfm == RecFm::F
                && let Some(r) = f.records.iter().find(|r| r.chars().count() > f.lrecl as usize)
            {
                return Err(err(f.line, format!("record longer than LRECL: {r:?}")));
            }
            if f.recfm == RecFm::V && f.asm_source.is_none() {
                let longest = f.records.iter().map(|r| r.chars().count()).max().unwrap_or(0);
                if longest > f.lrecl as usize {
                    return Err(err(f.line, "a record is longer than the LRECL given"));
                }
            }
        }
        for d in &self.disks {
            if !users.contains(&d.user) {
                return Err(err(line, format!("disk for unknown user {}", d.user)));
            }
        }
        Ok(())
    }

    fn body_line(&mut self, raw: &str, line: usize) -> Result<(), ParseError> {
        if raw.starts_with('#') || raw.trim().is_empty() {
            return Ok(());
        }
        if let Some(rest) = raw.strip_prefix('\\') {
            return self.expect_line(rest, line);
        }
        if let Some((user, input)) = self.step_prefix(raw) {
            let input = input.strip_prefix(' ').unwrap_or(input).trim_end();
            let input =
                if input == "{ATTN}" { Input::Attention } else { Input::Line(input.to_string()) };
            self.steps.push(Step { user, input, expect: Vec::new(), line });
            return Ok(());
        }
        self.expect_line(raw, line)
    }

    /// `> ...` or `NAME> ...` for a declared user.
    fn step_prefix<'a>(&self, raw: &'a str) -> Option<(String, &'a str)> {
        let users = self.users.as_ref().expect("set by finish_header");
        if let Some(rest) = raw.strip_prefix('>') {
            return Some((String::new(), rest));
        }
        let (name, rest) = raw.split_once('>')?;
        users.iter().any(|u| u == name).then(|| (name.to_string(), rest))
    }

    fn expect_line(&mut self, text: &str, line: usize) -> Result<(), ParseError> {
        let users = self.users.clone().expect("set by finish_header");
        let step =
            self.steps.last_mut().ok_or_else(|| err(line, "output before the first step"))?;
        if step.user.is_empty() {
            if users.len() > 1 {
                return Err(err(step.line, "several users: the step needs a 'NAME>' prefix"));
            }
            step.user = users[0].clone();
        }
        let e = if text.trim() == "{...}" {
            if step.expect.last() == Some(&Expect::AnyLines) {
                return Err(err(line, "two '{...}' in a row"));
            }
            Expect::AnyLines
        } else {
            Expect::Line(parse_pieces(text))
        };
        step.expect.push(e);
        Ok(())
    }
}

/// Fill in the user of steps that expect no output (`expect_line` does it for the others).
fn settle_users(t: &mut Transcript) -> Result<(), ParseError> {
    for s in &mut t.steps {
        if s.user.is_empty() {
            if t.users.len() > 1 {
                return Err(err(s.line, "several users: the step needs a 'NAME>' prefix"));
            }
            s.user = t.users[0].clone();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Transcript {
        parse(text).expect("parses")
    }

    #[test]
    fn header_defaults_and_steps() {
        let t = one("# title: demo\n> listfile\nPROFILE  EXEC     A1\nR; {T}\n");
        assert_eq!(t.title, "demo");
        assert_eq!(t.users, vec!["ALICE".to_string()]);
        assert_eq!(t.backends, vec![Backend::S370, Backend::X86]);
        assert_eq!(t.start, Start::Ready);
        assert_eq!(t.steps.len(), 1);
        let s = &t.steps[0];
        assert_eq!(s.user, "ALICE");
        assert_eq!(s.input, Input::Line("listfile".into()));
        assert_eq!(s.expect.len(), 2);
        assert_eq!(s.expect[1], Expect::Line(vec![Piece::Text("R; ".into()), Piece::T]));
    }

    #[test]
    fn files_records_gen_and_options() {
        let t = one(
            "# title: f\n# users: ALICE BOB\n# file: HELLO EXEC A1 V 80 user=BOB disk=192\n\
             #| &TYPE HI\n#|\n#| x\n# file: BIG DATA A1 F 80 gen=3\n# asm: HELLO TEXT A1 hello.assemble\n\
             BOB> hello\nHI\n",
        );
        let f = &t.files[0];
        assert_eq!((f.user.as_str(), f.vaddr, f.recfm, f.lrecl), ("BOB", 0x192, RecFm::V, 80));
        assert_eq!(f.records, vec!["&TYPE HI".to_string(), String::new(), "x".into()]);
        assert_eq!(t.files[1].records, vec!["RECORD 00001", "RECORD 00002", "RECORD 00003"]);
        assert_eq!(t.files[2].asm_source.as_deref(), Some("hello.assemble"));
        assert_eq!(t.files[2].user, "ALICE");
    }

    #[test]
    fn disks_damage_backends_start() {
        let t = one("# title: d\n# backends: s370\n# start: logon\n# disk: ALICE 192 1 TEST92\n\
             # disk: ALICE 193 2 - mode=R\n# damage: ALICE 192 chain-cycle BAD FILE\n# damage: ALICE 193 mfd\n> x\n");
        assert_eq!(t.backends, vec![Backend::S370]);
        assert!(!t.runs_on(Backend::X86));
        assert_eq!(t.start, Start::Logon);
        assert_eq!(t.disks[0].label.as_deref(), Some("TEST92"));
        assert_eq!((t.disks[1].label.clone(), t.disks[1].mode), (None, DiskMode::R));
        assert_eq!(t.damage[0].kind, DamageKind::ChainCycle("BAD".into(), "FILE".into()));
        assert_eq!(t.damage[1].kind, DamageKind::Mfd);
    }

    #[test]
    fn body_escapes_comments_blank_lines_attention() {
        let t = one("# title: e\n> a\n# a comment\n\n\\# not a comment\n\\\n\\> x\n> {ATTN}\n>\n");
        let e = &t.steps[0].expect;
        assert_eq!(e[0], Expect::Line(vec![Piece::Text("# not a comment".into())]));
        assert_eq!(e[1], Expect::Line(vec![]));
        assert_eq!(e[2], Expect::Line(vec![Piece::Text("> x".into())]));
        assert_eq!(t.steps[1].input, Input::Attention);
        assert_eq!(t.steps[2].input, Input::Line(String::new()));
        assert!(t.steps[2].expect.is_empty());
    }

    #[test]
    fn multi_user_prefixes() {
        let t = one(
            "# title: m\n# users: ALICE BOB\nALICE> cp spool punch to bob\nR; {T}\nBOB> q rdr\n",
        );
        assert_eq!(t.steps[0].user, "ALICE");
        assert_eq!(t.steps[1].user, "BOB");
        let bad = parse("# title: m\n# users: ALICE BOB\n> x\nR;\n");
        assert!(bad.is_err());
        // A line naming an undeclared user is output, not a step.
        let t = one("# title: m\n> x\nCAROL> hi\n");
        assert_eq!(t.steps.len(), 1);
        assert_eq!(t.steps[0].expect[0], Expect::Line(vec![Piece::Text("CAROL> hi".into())]));
    }

    #[test]
    fn parse_errors_name_the_line() {
        let cases = [
            ("> x\n", 1, "missing '# title:'"),
            ("# title: t\n", 1, "no steps"),
            ("# title: t\n# file: A B A1 X 80\n> x\n", 2, "bad record format"),
            ("# title: t\n# file: A B A1 F 3\n#| toolong\n> x\n", 2, "longer than LRECL"),
            ("# title: t\n#| stray\n> x\n", 2, "outside"),
            ("# title: t\n# disk: ALICE 1000 1 L\n> x\n", 2, "bad device address"),
            ("# title: t\n# damage: ALICE 192 chain-range X\n> x\n", 2, "needs FN FT"),
            ("# title: t\nhello\n", 2, "before the first step"),
            ("# title: t\n> x\n{...}\n{...}\n", 4, "two '{...}'"),
            ("# title: t\n# backends: z80\n> x\n", 2, "unknown backend"),
        ];
        for (text, line, what) in cases {
            let e = parse(text).expect_err(text);
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.message.contains(what), "{text}: {e}");
        }
    }

    #[test]
    fn placeholders_match_their_fields() {
        let p = parse_pieces("R; {T}");
        assert!(line_matches(&p, "R; T=0.01/0.02 12:34:56"));
        assert!(line_matches(&p, "R; T=12.30/100.02 00:00:00"));
        assert!(!line_matches(&p, "R; T=0.1/0.02 12:34:56"));
        assert!(!line_matches(&p, "R; T=0.01/0.02 12:34"));
        assert!(!line_matches(&p, "R;"));
        let p = parse_pieces("X {DATE}   {HHMM}  L");
        assert!(line_matches(&p, "X 01/11/26   14:47  L"));
        assert!(line_matches(&p, "X  7/01/14    9:52  L"));
        assert!(!line_matches(&p, "X 1/11/26   14:47  L"));
        let p = parse_pieces("PUN FILE {SPOOLID}  TO  BOB      COPY 01 NOHOLD");
        assert!(line_matches(&p, "PUN FILE 0012  TO  BOB      COPY 01 NOHOLD"));
        assert!(!line_matches(&p, "PUN FILE 12  TO  BOB      COPY 01 NOHOLD"));
        assert!(line_matches(&parse_pieces("AT {TIME}"), "AT 21:48:25"));
        assert!(line_matches(&parse_pieces("{*}"), ""));
        assert!(line_matches(&parse_pieces("A {*} C {*} E"), "A B C D E"));
        assert!(!line_matches(&parse_pieces("A {*} C"), "A B D"));
        // Unknown brace names are literal text.
        assert_eq!(parse_pieces("{X}"), vec![Piece::Text("{X}".into())]);
    }

    #[test]
    fn trailing_blanks_are_not_significant() {
        assert!(line_matches(&parse_pieces("ABC   "), "ABC"));
        assert!(line_matches(&parse_pieces("ABC"), "ABC   "));
        assert!(match_lines(&[Expect::Line(parse_pieces("X"))], &["X    "]).is_ok());
        assert!(line_matches(&[], "   "));
    }

    #[test]
    fn any_lines_matches_zero_or_more() {
        let e = vec![
            Expect::Line(parse_pieces("A")),
            Expect::AnyLines,
            Expect::Line(parse_pieces("Z")),
        ];
        assert!(match_lines(&e, &["A", "Z"]).is_ok());
        assert!(match_lines(&e, &["A", "B", "C", "Z"]).is_ok());
        assert!(match_lines(&e, &["A", "Z", "Z"]).is_ok());
        assert!(match_lines(&e, &["A", "B"]).is_err());
        assert!(match_lines(&[Expect::AnyLines], &Vec::<String>::new()).is_ok());
    }

    #[test]
    fn mismatch_reports_the_first_bad_line() {
        let e: Vec<Expect> = ["R; {T}"].iter().map(|l| Expect::Line(parse_pieces(l))).collect();
        let m = match_lines(&e, &["R(00028); T=0.01/0.01 12:00:00"]).expect_err("differs");
        assert!(m.detail.contains("expected line 1"), "{m}");
        let m = match_lines(&e, &["R; T=0.01/0.01 12:00:00", "extra"]).expect_err("extra");
        assert!(m.detail.contains("extra"), "{m}");
        let m = match_lines(&e, &Vec::<String>::new()).expect_err("missing");
        assert!(m.detail.contains("no more output"), "{m}");
    }

    #[test]
    fn ready_style_rewrites_only_ready_lines() {
        let t = one("# title: r\n> x\nR(00028); {T}\n+++ R(00028) +++\n> y\nR;\n");
        let out = ["Ready(00028); T=0.01/0.01 12:00:00", "+++ R(00028) +++"];
        assert!(t.steps[0].check(&out, ReadyStyle::Ready).is_ok());
        assert!(t.steps[0].check(&out, ReadyStyle::R).is_err());
        assert!(t.steps[1].check(&["Ready;"], ReadyStyle::Ready).is_ok());
        assert!(t.steps[1].check(&["R;"], ReadyStyle::R).is_ok());
    }

    #[test]
    fn step_input_keeps_inner_blanks() {
        let t = one("# title: i\n> input   two  blanks   \n");
        assert_eq!(t.steps[0].input, Input::Line("input   two  blanks".into()));
    }

    /// Every session file under `tests/cms/` parses and is self-consistent.
    #[test]
    fn every_session_file_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cms");
        let mut titles = std::collections::HashSet::new();
        let mut count = 0;
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .expect("tests/cms exists")
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "cmst"))
            .collect();
        entries.sort();
        for path in entries {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).expect("readable");
            let t = parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            count += 1;
            assert!(titles.insert(t.title.clone()), "{name}: duplicate title");
            for f in &t.files {
                if let Some(src) = &f.asm_source {
                    assert!(dir.join("programs").join(src).is_file(), "{name}: no {src}");
                    assert!(
                        !t.runs_on(Backend::X86),
                        "{name}: S/370 programs need '# backends: s370'"
                    );
                }
            }
            for s in &t.steps {
                assert!(t.users.contains(&s.user), "{name} line {}: user {}", s.line, s.user);
                for e in &s.expect {
                    if let Expect::Line(p) = e
                        && let Some(Piece::Text(text)) = p.first()
                        && text.starts_with("R(")
                    {
                        let code = &text[2..text.find(')').unwrap_or(2)];
                        let ok = code.len() == 5
                            && (code.chars().all(|c| c.is_ascii_digit())
                                || (code.starts_with('-')
                                    && code[1..].chars().all(|c| c.is_ascii_digit())));
                        assert!(ok, "{name} line {}: bad ready code {text:?}", s.line);
                    }
                }
            }
            if t.start == Start::Logon {
                let first = &t.steps[0].input;
                assert!(
                    matches!(first, Input::Line(l) if l.to_ascii_uppercase().starts_with("LOGON")),
                    "{name}: a logon session starts with LOGON"
                );
            }
        }
        assert!(count >= 40, "only {count} session files");
    }
}
