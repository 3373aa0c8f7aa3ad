//! Reading a session file (the format is in the [`super`] module documentation).
//!
//! The file is line-oriented: each line is classified by its first characters (`#`
//! comment, a header keyword, `>` step, `=` screen, two-space indented row or `fields`), and
//! its operands are parsed with nom. Every error names its line and column.

use std::time::Duration;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char as ch, digit1, space0, space1};
use nom::combinator::{all_consuming, map, opt, value};
use nom::error::{ErrorKind, ParseError as NomParseError};
use nom::multi::many0;
use nom::sequence::{preceded, separated_pair};
use nom::{IResult, Parser};
use regex::Regex;
use s370::ebcdic::CodePage;

use super::model::{
    Action, Backend, Expect, FORMAT_VERSION, FieldSpec, Header, Key, Mask, Matcher, Pos, RowExpect,
    Session, Step, TermKind, TerminalDecl, Typed,
};

/// Why a session file could not be read: where, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A nom error: where it happened and, once known, what was expected there.
#[derive(Debug)]
struct PErr<'a> {
    at: &'a str,
    msg: Option<String>,
}

impl<'a> NomParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PErr { at: input, msg: None }
    }
    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

type Res<'a, T> = IResult<&'a str, T, PErr<'a>>;

/// Runs `p`; on failure, says `what` was expected (unless a deeper parser already said).
fn expect<'a, T>(
    what: &'static str,
    mut p: impl Parser<&'a str, Output = T, Error = PErr<'a>>,
) -> impl Parser<&'a str, Output = T, Error = PErr<'a>> {
    move |i: &'a str| match p.parse(i) {
        Err(nom::Err::Error(mut e)) | Err(nom::Err::Failure(mut e)) => {
            if e.msg.is_none() {
                e.msg = Some(format!("expected {what}"));
                e.at = i;
            }
            Err(nom::Err::Failure(e))
        }
        other => other,
    }
}

fn fail<'a, T>(at: &'a str, msg: impl Into<String>) -> Res<'a, T> {
    Err(nom::Err::Failure(PErr { at, msg: Some(msg.into()) }))
}

fn name(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')(i)
}

fn number<T: std::str::FromStr>(i: &str) -> Res<'_, T> {
    let (r, d) = digit1(i)?;
    match d.parse() {
        Ok(v) => Ok((r, v)),
        Err(_) => fail(i, "number too large"),
    }
}

fn pos(i: &str) -> Res<'_, Pos> {
    map(separated_pair(number, ch(','), number), |(row, col)| Pos { row, col }).parse(i)
}

/// A quoted string with `\"`, `\\` and `\xNN` escapes.
fn quoted(i: &str) -> Res<'_, String> {
    let Some(body) = i.strip_prefix('"') else { return fail(i, "expected a quoted string") };
    let mut out = String::new();
    let mut it = body.char_indices();
    while let Some((k, c)) = it.next() {
        match c {
            '"' => return Ok((&body[k + 1..], out)),
            '\\' => match it.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((h, 'x')) => {
                    let hex = body.get(h + 1..h + 3).unwrap_or("");
                    let Ok(v) = u8::from_str_radix(hex, 16) else {
                        return fail(&body[k..], "\\x needs two hexadecimal digits");
                    };
                    out.push(char::from(v));
                    it.next();
                    it.next();
                }
                _ => return fail(&body[k..], "unknown escape (use \\\", \\\\ or \\xNN)"),
            },
            c => out.push(c),
        }
    }
    fail(i, "the string is not closed")
}

/// A raw quoted string (masks): `\"` is a quote, every other character stands for itself.
fn raw_quoted(i: &str) -> Res<'_, String> {
    let Some(body) = i.strip_prefix('"') else { return fail(i, "expected a quoted string") };
    let mut out = String::new();
    let mut it = body.char_indices().peekable();
    while let Some((k, c)) = it.next() {
        match c {
            '\\' if it.peek().is_some_and(|(_, n)| *n == '"') => {
                it.next();
                out.push('"');
            }
            '"' => return Ok((&body[k + 1..], out)),
            c => out.push(c),
        }
    }
    fail(i, "the string is not closed")
}

/// Field data: a quoted string in code page 037.
fn ebcdic(i: &str) -> Res<'_, Vec<u8>> {
    let (rest, s) = quoted(i)?;
    if let Some((k, _)) = s.char_indices().find(|&(_, c)| u32::from(c) > 0xFF) {
        let at = i.find(&s[k..]).map_or(i, |o| &i[o..]);
        return fail(at, "character not in code page 037");
    }
    Ok((rest, CodePage::Cp037.encode(&s)))
}

fn duration(i: &str) -> Res<'_, Duration> {
    let (r, n) = number::<u64>(i)?;
    alt((
        value(Duration::from_millis(n), tag("ms")),
        value(Duration::from_secs(n), tag("s")),
        value(Duration::from_secs(n * 60), tag("m")),
    ))
    .parse(r)
}

fn key(i: &str) -> Res<'_, Key> {
    let numbered = |prefix: &'static str, max: u8, make: fn(u8) -> Key| {
        move |i| {
            let (r, n) = preceded(tag(prefix), number::<u8>).parse(i)?;
            if n == 0 || n > max {
                return fail(i, format!("{prefix}1 to {prefix}{max}"));
            }
            Ok((r, make(n)))
        }
    };
    alt((
        value(Key::Enter, tag("enter")),
        value(Key::Clear, tag("clear")),
        numbered("pf", 24, Key::Pf),
        numbered("pa", 3, Key::Pa),
    ))
    .parse(i)
}

fn field_entry(i: &str) -> Res<'_, (Option<Pos>, Vec<u8>)> {
    let (r, p) = alt((map(pos, Some), value(None, tag("@")))).parse(i)?;
    let (r, _) = expect("'=' after the field position", ch('=')).parse(r)?;
    let (r, d) = ebcdic(r)?;
    Ok((r, (p, d)))
}

fn typed(k: Key) -> impl FnMut(&str) -> Res<'_, Typed> {
    move |i: &str| {
        let (r, _) = space0(i)?;
        if r.is_empty() {
            return Ok((r, if k.is_short() { Typed::Nothing } else { Typed::Text(Vec::new()) }));
        }
        if k.is_short() {
            return fail(r, "PA keys and CLEAR send no data");
        }
        if let Ok((r2, _)) = tag::<_, _, PErr>("cursor").parse(r) {
            let (r2, cursor) =
                preceded(space1, expect("the cursor as row,column", pos)).parse(r2)?;
            let (r2, fields) = many0(preceded(space1, field_entry)).parse(r2)?;
            return Ok((r2, Typed::Fields { cursor, fields }));
        }
        map(ebcdic, Typed::Text).parse(r)
    }
}

fn action(i: &str) -> Res<'_, Action> {
    if let Ok((r, _)) = tag::<_, _, PErr>("line").parse(i) {
        return map(preceded(space1, quoted), Action::Line).parse(r);
    }
    if let Ok((r, k)) = key(i) {
        return map(typed(k), |t| Action::Key(k, t)).parse(r);
    }
    expect(
        "an action: connect, disconnect, enter, pfN, paN, clear, line, break",
        alt((
            value(Action::Connect, tag("connect")),
            value(Action::Disconnect, tag("disconnect")),
            value(Action::Break, tag("break")),
        )),
    )
    .parse(i)
}

fn step_line(i: &str) -> Res<'_, (Option<String>, Action)> {
    let (r, _) = preceded(ch('>'), space1).parse(i)?;
    if let Ok((r2, _)) = preceded(tag::<_, _, PErr>("wait"), space1).parse(r) {
        let (r2, d) = expect("a duration (50s, 500ms, 2m)", duration).parse(r2)?;
        return Ok((r2, (None, Action::Wait(d))));
    }
    let (r, who) = expect("a terminal name", name).parse(r)?;
    let (r, a) = preceded(expect("an action", space1), action).parse(r)?;
    Ok((r, (Some(who.to_string()), a)))
}

#[derive(Clone)]
enum Opt {
    Partial,
    Size(u16, u16),
    Cursor(Pos),
}

fn expect_line(i: &str) -> Res<'_, (String, Vec<Opt>)> {
    let (r, _) = preceded(ch('='), space1).parse(i)?;
    let (r, who) = expect("a terminal name", name).parse(r)?;
    let opt_p = alt((
        value(Opt::Partial, tag("partial")),
        map(preceded((tag("size"), space1), separated_pair(number, ch('x'), number)), |(a, b)| {
            Opt::Size(a, b)
        }),
        map(preceded((tag("cursor"), space1), pos), Opt::Cursor),
    ));
    let (r, opts) =
        many0(preceded(space1, expect("partial, size RxC or cursor R,C", opt_p))).parse(r)?;
    Ok((r, (who.to_string(), opts)))
}

/// Expands `{TIME}` and friends and anchors the pattern.
fn compile_pattern(src: &str) -> Result<Regex, regex::Error> {
    let expanded = src
        .replace("{TIME}", r"\d\d:\d\d:\d\d")
        .replace("{DATE}", r"\d\d/\d\d/\d\d")
        .replace("{NUM}", r"\d+")
        .replace("{WORD}", r"\S+")
        .replace("{ANY}", r".*");
    Regex::new(&format!("^(?:{expanded})$"))
}

fn matcher(i: &str) -> Res<'_, Matcher> {
    if let Some(t) = i.strip_prefix('|') {
        return Ok(("", Matcher::Exact(t.trim_end().to_string())));
    }
    if let Some(t) = i.strip_prefix('~') {
        let src = t.trim_end();
        return match compile_pattern(src) {
            Ok(regex) => Ok(("", Matcher::Pattern { source: src.to_string(), regex })),
            Err(e) => fail(t, format!("bad pattern: {e}")),
        };
    }
    if let Some(t) = i.strip_prefix('*') {
        return all_consuming(space0).parse(t).map(|(r, _)| (r, Matcher::Any));
    }
    fail(i, "expected |text, ~pattern or *")
}

/// A field code in canonical form (`UM`, `PI:fg=red`).
fn field_code(i: &str) -> Res<'_, String> {
    let (r, pu) = expect("P or U", alt((tag("P"), tag("U")))).parse(i)?;
    let (r, disp) = opt(alt((tag("I"), tag("N"), tag("D")))).parse(r)?;
    let (r, num) = opt(tag("#")).parse(r)?;
    let (r, mdt) = opt(tag("M")).parse(r)?;
    let ext_key = alt((tag("fg"), tag("bg"), tag("hl"), tag("cs")));
    let (r, ext) = many0(preceded(
        ch(':'),
        separated_pair(ext_key, ch('='), take_while1(|c: char| c.is_ascii_alphanumeric())),
    ))
    .parse(r)?;
    let mut s = format!("{pu}{}{}{}", disp.unwrap_or(""), num.unwrap_or(""), mdt.unwrap_or(""));
    for k in ["fg", "bg", "hl", "cs"] {
        for (_, v) in ext.iter().filter(|(kk, _)| *kk == k) {
            s.push_str(&format!(":{k}={v}"));
        }
    }
    Ok((r, s))
}

fn fields_line(i: &str) -> Res<'_, Vec<FieldSpec>> {
    let (r, _) = tag("fields").parse(i)?;
    let entry =
        map(separated_pair(pos, ch('='), field_code), |(pos, code)| FieldSpec { pos, code });
    let (r, v) = many0(preceded(space1, expect("a field as R,C=CODE", entry))).parse(r)?;
    let (r, _) = space0(r)?;
    Ok((r, v))
}

fn row_line(i: &str) -> Res<'_, RowExpect> {
    if let Ok((r, n)) = number::<u16>(i) {
        let (r, _) = expect("a space after the row number", ch(' ')).parse(r)?;
        let (r, m) = matcher(r)?;
        return Ok((r, RowExpect { row: Some(n), matcher: m }));
    }
    map(matcher, |m| RowExpect { row: None, matcher: m }).parse(i)
}

fn terminal_line(i: &str) -> Res<'_, TerminalDecl> {
    let (r, n) = expect("a terminal name", name).parse(i)?;
    let (r, _) = space1(r)?;
    if let Ok((r2, _)) = tag::<_, _, PErr>("typewriter").parse(r) {
        let (r2, dev) = preceded(space1, expect("a device name", name)).parse(r2)?;
        let decl = TerminalDecl {
            name: n.into(),
            kind: TermKind::Typewriter,
            model: 0,
            device: dev.to_ascii_uppercase(),
        };
        return Ok((r2, decl));
    }
    let (r, model) = expect(
        "3278-N (N = 2..5) or typewriter",
        preceded(alt((tag("3278-"), tag("3279-"))), number::<u8>),
    )
    .parse(r)?;
    if !(2..=5).contains(&model) {
        return fail(i, "the 3278 model is 2, 3, 4 or 5");
    }
    let (r, kind) = preceded(
        space1,
        expect(
            "tn3270e or tn3270",
            alt((value(TermKind::Tn3270e, tag("tn3270e")), value(TermKind::Tn3270, tag("tn3270")))),
        ),
    )
    .parse(r)?;
    let (r, dev) = preceded(space1, expect("a device name", name)).parse(r)?;
    Ok((r, TerminalDecl { name: n.into(), kind, model, device: dev.to_ascii_uppercase() }))
}

/// Where `at` lies in `line`, as a 1-based character column.
fn column(line: &str, at: &str) -> usize {
    let off = line.len().saturating_sub(at.len());
    line.get(..off).map_or(1, |p| p.chars().count() + 1)
}

/// Parses a whole session file.
pub fn parse(text: &str) -> Result<Session, ParseError> {
    let mut p = FileParser::default();
    for (k, line) in text.lines().enumerate() {
        p.line(k + 1, line)?;
    }
    p.finish()
}

struct FileParser {
    header: Header,
    steps: Vec<Step>,
    seen_version: bool,
    current: Option<Expect>,
}

impl Default for FileParser {
    fn default() -> FileParser {
        FileParser {
            header: Header::empty(),
            steps: Vec::new(),
            seen_version: false,
            current: None,
        }
    }
}

fn err(line_no: usize, line: &str, e: nom::Err<PErr<'_>>) -> ParseError {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => ParseError {
            line: line_no,
            column: column(line, e.at),
            message: e.msg.unwrap_or_else(|| "unexpected text".into()),
        },
        nom::Err::Incomplete(_) => {
            ParseError { line: line_no, column: line.len() + 1, message: "incomplete".into() }
        }
    }
}

impl FileParser {
    fn run<'a, T>(
        &self,
        n: usize,
        line: &'a str,
        input: &'a str,
        p: impl FnMut(&'a str) -> Res<'a, T>,
    ) -> Result<T, ParseError> {
        let mut p = p;
        match p(input) {
            Ok((r, v)) if r.trim().is_empty() => Ok(v),
            Ok((r, _)) => Err(ParseError {
                line: n,
                column: column(line, r),
                message: "unexpected text".into(),
            }),
            Err(e) => Err(err(n, line, e)),
        }
    }

    fn error(n: usize, column: usize, message: impl Into<String>) -> ParseError {
        ParseError { line: n, column, message: message.into() }
    }

    fn close_expect(&mut self) {
        if let Some(e) = self.current.take()
            && let Some(s) = self.steps.last_mut()
        {
            s.expects.push(e);
        }
    }

    fn line(&mut self, n: usize, line: &str) -> Result<(), ParseError> {
        if line.trim().is_empty() || line.starts_with('#') {
            return Ok(());
        }
        if !self.seen_version {
            let v: u32 = self.run(n, line, line, |i| {
                preceded((tag("vm370-session"), space1), number).parse(i)
            })?;
            if v != FORMAT_VERSION {
                return Err(Self::error(
                    n,
                    15,
                    format!("version {v}: this vm370 reads version {FORMAT_VERSION}"),
                ));
            }
            self.seen_version = true;
            return Ok(());
        }
        if let Some(body) = line.strip_prefix("  ") {
            return self.indented(n, line, body);
        }
        if line.starts_with('>') {
            self.close_expect();
            let (who, action) = self.run(n, line, line, step_line)?;
            if let Some(w) = &who {
                let Some(t) = self.header.terminal(w) else {
                    return Err(Self::error(n, 3, format!("no terminal {w} in the header")));
                };
                let ok = match action {
                    Action::Key(..) => t.kind.is_graf(),
                    Action::Line(_) | Action::Break => !t.kind.is_graf(),
                    _ => true,
                };
                if !ok {
                    let what = if t.kind.is_graf() { "a 3270" } else { "a typewriter" };
                    return Err(Self::error(
                        n,
                        4 + w.len(),
                        format!("{w} is {what}: no such action"),
                    ));
                }
            }
            self.steps.push(Step { terminal: who, action, expects: Vec::new(), line: n });
            return Ok(());
        }
        if line.starts_with('=') {
            self.close_expect();
            if self.steps.is_empty() {
                return Err(Self::error(n, 1, "a screen before the first step"));
            }
            let (who, opts) = self.run(n, line, line, expect_line)?;
            if self.header.terminal(&who).is_none() {
                return Err(Self::error(n, 3, format!("no terminal {who} in the header")));
            }
            let mut e = Expect {
                terminal: who,
                partial: false,
                size: None,
                cursor: None,
                rows: Vec::new(),
                fields: None,
                line: n,
            };
            for o in opts {
                match o {
                    Opt::Partial => e.partial = true,
                    Opt::Size(r, c) => e.size = Some((r, c)),
                    Opt::Cursor(p) => e.cursor = Some(p),
                }
            }
            self.current = Some(e);
            return Ok(());
        }
        if !self.steps.is_empty() {
            return Err(Self::error(n, 1, "expected a step (>), a screen (=) or an indented row"));
        }
        self.header_line(n, line)
    }

    fn indented(&mut self, n: usize, line: &str, body: &str) -> Result<(), ParseError> {
        let Some(cur) = &self.current else {
            return Err(Self::error(n, 1, "an indented row outside a screen (=)"));
        };
        let graf = self.header.terminal(&cur.terminal).is_some_and(|t| t.kind.is_graf());
        if body.starts_with("fields") {
            if !graf {
                return Err(Self::error(n, 3, "a typewriter has no fields"));
            }
            let f = self.run(n, line, body, fields_line)?;
            if let Some(cur) = self.current.as_mut() {
                cur.fields.get_or_insert_with(Vec::new).extend(f);
            }
            return Ok(());
        }
        let row = self.run(n, line, body, row_line)?;
        match (graf, row.row) {
            (true, None) => return Err(Self::error(n, 3, "a 3270 row starts with its number")),
            (false, Some(_)) => return Err(Self::error(n, 3, "typewriter lines have no numbers")),
            (true, Some(r)) if cur.rows.iter().any(|x| x.row == Some(r)) => {
                return Err(Self::error(n, 3, format!("row {r:02} twice")));
            }
            _ => {}
        }
        if let Some(cur) = self.current.as_mut() {
            cur.rows.push(row);
        }
        Ok(())
    }

    fn header_line(&mut self, n: usize, line: &str) -> Result<(), ParseError> {
        let (word, rest_of) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let operands = rest_of.trim_start();
        let col = line.len() - operands.len() + 1;
        match word {
            "title" => self.header.title = operands.trim_end().to_string(),
            "system" => {
                let s = self.run(n, line, operands, name)?;
                if s != "default" && s != "r6" {
                    return Err(Self::error(n, col, format!("unknown system {s} (default or r6)")));
                }
                self.header.system = s.to_string();
            }
            "backend" => {
                self.header.backend = self.run(n, line, operands, |i| {
                    expect(
                        "s370 or x86",
                        alt((value(Backend::S370, tag("s370")), value(Backend::X86, tag("x86")))),
                    )
                    .parse(i)
                })?;
            }
            "users" => {
                self.header.users =
                    operands.split_whitespace().map(|u| u.to_ascii_uppercase()).collect();
            }
            "terminal" => {
                let t = self.run(n, line, operands, terminal_line)?;
                if t.name == "wait" {
                    return Err(Self::error(n, col, "a terminal may not be called wait"));
                }
                if self.header.terminals.iter().any(|x| x.name == t.name || x.device == t.device) {
                    return Err(Self::error(n, col, "terminal name or device used twice"));
                }
                self.header.terminals.push(t);
            }
            "mask" => {
                let (pat, rep) = self.run(n, line, operands, |i| {
                    separated_pair(raw_quoted, space1, raw_quoted).parse(i)
                })?;
                let regex = Regex::new(&pat)
                    .map_err(|e| Self::error(n, col + 1, format!("bad pattern: {e}")))?;
                self.header.masks.push(Mask { regex, replacement: rep });
            }
            _ => {
                return Err(Self::error(
                    n,
                    1,
                    format!(
                        "unknown header line {word:?} (title, system, backend, users, terminal, mask)"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Session, ParseError> {
        if !self.seen_version {
            return Err(Self::error(1, 1, "expected vm370-session 1"));
        }
        self.close_expect();
        Ok(Session { header: self.header, steps: self.steps })
    }
}
