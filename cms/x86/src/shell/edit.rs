//! EDIT, the R6 line-mode editor (`cms/doc/edit.md`).
//!
//! The file is held in storage as lines (trailing blanks removed; F records are padded again
//! when written). The current line pointer `cur` is 0 at TOF, `1..=n` at a line, `n + 1` at
//! EOF. Subcommands are read like any CMS line (stacked lines first); CASE U translates every
//! line read, CASE M only the subcommand names.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::disks::Scope;
use super::files::ModeOp;
use super::plist;
use super::{Cms, Host};
use crate::fs::{FileId, FileMode, Name, RecFm, WriteMode, ebcdic};

/// SERIAL: off, or the prefix (3 characters, or none for ALL) and the increment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Serial {
    Off,
    On { prefix: Option<String>, incr: u32 },
}

/// The settings PRESERVE saves.
#[derive(Debug, Clone)]
struct Settings {
    recfm: RecFm,
    lrecl: usize,
    trunc: usize,
    zone: (usize, usize),
    upper: bool,
    verify: bool,
    serial: Serial,
    autosave: Option<u32>,
    image: bool,
    tabs: Vec<usize>,
    letter: char,
    number: u8,
    fname: String,
}

/// The file being edited.
struct Editor {
    ftype: String,
    set: Settings,
    lines: Vec<String>,
    cur: usize,
    changes: u32,
    last: Option<String>,
    x: Option<String>,
    y: Option<String>,
    saved: Option<Settings>,
}

/// Defaults by filetype: RECFM, LRECL, TRUNC, CASE U, tab stops.
fn defaults(ftype: &str) -> (RecFm, usize, usize, bool, Vec<usize>) {
    let every = |n: usize, to: usize| (1..=to).step_by(n).collect::<Vec<_>>();
    match ftype {
        "ASSEMBLE" | "MACRO" | "COPY" | "UPDATE" => {
            (RecFm::F, 80, 71, true, alloc::vec![1, 10, 16, 31, 36, 41, 46, 69, 72, 80])
        }
        "FORTRAN" => (RecFm::F, 80, 72, true, alloc::vec![1, 7, 10, 15, 20, 25, 30]),
        "COBOL" => (RecFm::F, 80, 72, true, alloc::vec![1, 8, 12, 20, 28, 36, 44, 68, 72, 80]),
        "PLI" | "PLIOPT" => (
            RecFm::F,
            80,
            72,
            true,
            alloc::vec![2, 4, 7, 10, 13, 16, 19, 22, 25, 31, 37, 43, 49, 55, 61, 67, 71],
        ),
        "EXEC" => (RecFm::V, 80, 80, true, every(5, 80)),
        "MEMO" => (RecFm::V, 80, 80, false, every(5, 80)),
        "SCRIPT" => (RecFm::V, 132, 132, false, every(5, 132)),
        "FREEFORT" => (RecFm::V, 81, 81, true, every(5, 81)),
        "LISTING" => (RecFm::F, 121, 121, true, every(10, 121)),
        _ => (RecFm::F, 80, 80, true, every(10, 80)),
    }
}

/// The subcommands, with the shortest abbreviation of each.
const SUBCOMMANDS: &[(&str, usize)] = &[
    ("FILE", 4),
    ("FMODE", 2),
    ("FNAME", 2),
    ("FORWARD", 3),
    ("FIND", 1),
    ("TOP", 1),
    ("TYPE", 2),
    ("TRUNC", 2),
    ("TABSET", 4),
    ("TABS", 4),
    ("BOTTOM", 1),
    ("BACKWARD", 2),
    ("NEXT", 1),
    ("DOWN", 2),
    ("DELETE", 3),
    ("DSTRING", 2),
    ("UP", 1),
    ("LOCATE", 1),
    ("LONG", 4),
    ("INPUT", 1),
    ("INSERT", 6),
    ("IMAGE", 2),
    ("REPLACE", 1),
    ("RECFM", 3),
    ("RESTORE", 4),
    ("RETURN", 6),
    ("CHANGE", 1),
    ("CASE", 4),
    ("CMS", 3),
    ("ALTER", 2),
    ("AUTOSAVE", 4),
    ("OVERLAY", 1),
    ("GETFILE", 3),
    ("ZONE", 1),
    ("VERIFY", 1),
    ("SERIAL", 3),
    ("SAVE", 4),
    ("SHORT", 5),
    ("QUIT", 4),
    ("PRESERVE", 4),
    ("$DUP", 4),
    ("$MOVE", 5),
    ("X", 1),
    ("Y", 1),
];

fn subcommand(word: &str) -> Option<&'static str> {
    let w = word.to_uppercase();
    SUBCOMMANDS.iter().find(|(full, min)| plist::abbrev(&w, full, *min)).map(|(f, _)| *f)
}

/// Characters `a..b` of `s`.
fn chars(s: &str, a: usize, b: usize) -> String {
    s.chars().skip(a).take(b.saturating_sub(a)).collect()
}

/// A count operand: `n` (1-99999) or `*`; `None` when it is invalid.
fn count(s: Option<&str>, default: usize) -> Option<usize> {
    match s {
        None => Some(default),
        Some("*") => Some(usize::MAX),
        Some(n) => plist::number(n).filter(|&n| (1..=99999).contains(&n)).map(|n| n as usize),
    }
}

/// The text after a subcommand name and exactly one blank.
fn text_operand(line: &str) -> Option<String> {
    let t = line.trim_start();
    let i = t.find(' ')?;
    Some(t[i + 1..].to_string())
}

/// Splits `/s1/s2/ rest` at its delimiter (the first non-blank character after the name).
fn delimited(line: &str, parts: usize) -> Option<(Vec<String>, String)> {
    let t = line.trim_start();
    let after_name = t.find(|c: char| c == ' ' || !c.is_ascii_alphabetic()).unwrap_or(t.len());
    let rest = t[after_name..].trim_start();
    let mut chars = rest.chars();
    let delim = chars.next()?;
    let body: String = chars.collect();
    let mut out = Vec::new();
    let mut remaining = body.as_str();
    for _ in 0..parts {
        match remaining.find(delim) {
            Some(i) => {
                out.push(remaining[..i].to_string());
                remaining = &remaining[i + delim.len_utf8()..];
            }
            None => {
                out.push(remaining.to_string());
                remaining = "";
            }
        }
    }
    Some((out, remaining.to_string()))
}

impl Editor {
    fn n(&self) -> usize {
        self.lines.len()
    }

    fn eof(&self) -> usize {
        self.lines.len() + 1
    }

    /// The zone of a line as a range of character positions.
    fn zone_of(&self, line: &str) -> (usize, usize) {
        let len = line.chars().count();
        let start = (self.set.zone.0 - 1).min(len);
        let end = self.set.zone.1.min(len).max(start);
        (start, end)
    }

    /// Whether `s` occurs within the zone of `line`.
    fn zone_contains(&self, line: &str, s: &str) -> bool {
        let (a, b) = self.zone_of(line);
        chars(line, a, b).contains(s)
    }

    /// Expands tabs and cuts a data line at TRUNC; `true` if it was cut.
    fn data_line(&self, text: &str) -> (String, bool) {
        let mut s = String::new();
        for c in text.chars() {
            if c == '\t' && self.set.image {
                let col = s.chars().count() + 1;
                let next = self.set.tabs.iter().copied().find(|&t| t > col).unwrap_or(col + 1);
                while s.chars().count() + 1 < next {
                    s.push(' ');
                }
            } else {
                s.push(c);
            }
        }
        let trimmed = s.trim_end();
        if trimmed.chars().count() > self.set.trunc {
            let cut: String = s.chars().take(self.set.trunc).collect();
            (cut.trim_end().to_string(), true)
        } else {
            (trimmed.to_string(), false)
        }
    }

    fn records(&self) -> Vec<Vec<u8>> {
        let mut number = 0u32;
        self.lines
            .iter()
            .map(|l| {
                let mut b = ebcdic::encode(l);
                match self.set.recfm {
                    RecFm::F => {
                        b.resize(self.set.lrecl, 0x40);
                        if let Serial::On { prefix, incr } = &self.set.serial
                            && self.set.lrecl == 80
                        {
                            number += incr;
                            let tag = match prefix {
                                Some(p) => format!("{p:<3.3}{:05}", number % 100_000),
                                None => format!("{:08}", number % 100_000_000),
                            };
                            b[72..80].copy_from_slice(&ebcdic::encode(&tag));
                        }
                    }
                    _ => {
                        while b.len() > 1 && b.last() == Some(&0x40) {
                            b.pop();
                        }
                        if b.is_empty() {
                            b.push(0x40);
                        }
                    }
                }
                b
            })
            .collect()
    }
}

impl<H: Host> Cms<'_, H> {
    /// `EDIT fn ft [fm|*] [(LRECL n | NODISP]`.
    pub(super) fn edit(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut lrecl_opt = None;
        let mut i = 0;
        while i < opts.len() {
            match opts[i].as_str() {
                "NODISP" => {}
                o if plist::abbrev(o, "LRECL", 2) => {
                    let v = opts.get(i + 1).cloned().unwrap_or_default();
                    match plist::number(&v).filter(|&n| (1..=160).contains(&n)) {
                        Some(n) => lrecl_opt = Some(n as usize),
                        None => {
                            return self.error(
                                "DMSEDI029E",
                                &format!("INVALID PARAMETER '{v}' IN THE OPTION 'LRECL' FIELD"),
                                24,
                            );
                        }
                    }
                    i += 1;
                }
                o => return self.bad_option("EDI", o),
            }
            i += 1;
        }
        if ops.len() < 2 {
            return self.incomplete("EDI");
        }
        let m = ops.get(2).map_or("A", String::as_str).to_string();
        let shown = super::files::fid(&ops[0], &ops[1], &m);
        let fname = match self.exact_name("EDI", &ops[0], &shown) {
            Ok(n) => n,
            Err(rc) => return rc,
        };
        let ftype = match self.exact_name("EDI", &ops[1], &shown) {
            Ok(n) => n,
            Err(rc) => return rc,
        };
        let mode = match self.mode_operand("EDI", &m) {
            Ok(m) => m,
            Err(rc) => return rc,
        };
        let id = FileId { fname, ftype };
        let ft = ftype.to_text();
        let (d_recfm, d_lrecl, d_trunc, upper, tabs) = defaults(&ft);
        let found = self.disks.find(&id, mode.scope());
        let (letter, number) = match (mode, found) {
            (_, Some((l, f))) => {
                let parent = self.disks.get(l).and_then(|d| d.parent).unwrap_or(l);
                (parent, f.mode_number().unwrap_or(1))
            }
            (ModeOp::Letter(l, n), None) => (l, n.unwrap_or(1)),
            (ModeOp::Star, None) => ('A', 1),
        };
        let mut ed = Editor {
            ftype: ft,
            set: Settings {
                recfm: d_recfm,
                lrecl: d_lrecl,
                trunc: d_trunc,
                zone: (1, d_trunc),
                upper,
                verify: true,
                serial: Serial::Off,
                autosave: None,
                image: true,
                tabs,
                letter,
                number,
                fname: fname.to_text(),
            },
            lines: Vec::new(),
            cur: 0,
            changes: 0,
            last: None,
            x: None,
            y: None,
            saved: None,
        };
        match found {
            Some((l, f)) => {
                if f.lrecl > 160 && lrecl_opt.is_none() {
                    return self.error("DMSEDI044E", "RECORD LENGTH EXCEEDS ALLOWABLE MAXIMUM", 32);
                }
                let text = super::files::fid_of(&id, l, f.mode_number());
                let Some(d) = self.disks.get_mut(l) else { return 36 };
                let recs = match d.fs.read_records(&id) {
                    Ok(r) => r,
                    Err(_) => return self.read_error("EDI", &text),
                };
                ed.set.recfm = f.recfm;
                ed.set.lrecl = match f.recfm {
                    RecFm::V => (f.lrecl as usize).max(80),
                    _ => f.lrecl as usize,
                };
                ed.lines = recs.iter().map(|r| ebcdic::decode(r).trim_end().to_string()).collect();
            }
            None => self.say("NEW FILE:"),
        }
        if let Some(l) = lrecl_opt {
            ed.set.lrecl = l;
        }
        ed.set.trunc = ed.set.trunc.min(ed.set.lrecl);
        ed.set.zone = (1, ed.set.trunc);
        self.say("EDIT:");
        self.edit_loop(&mut ed)
    }

    /// Reads one line for the editor, translated under CASE U.
    fn edit_read(&mut self, ed: &Editor) -> Option<String> {
        let l = self.read_line(false)?;
        Some(if ed.set.upper { l.to_uppercase() } else { l })
    }

    fn verify(&mut self, ed: &Editor) {
        if ed.set.verify {
            self.show_line(ed, ed.cur);
        }
    }

    fn show_line(&mut self, ed: &Editor, at: usize) {
        if at == 0 {
            self.say("TOF:");
        } else if at > ed.n() {
            self.say("EOF:");
        } else {
            let l = ed.lines[at - 1].clone();
            self.say(&l);
        }
    }

    /// Counts a change for AUTOSAVE; saves every n changes.
    fn changed(&mut self, ed: &mut Editor, n: u32) {
        ed.changes += n;
        if let Some(every) = ed.set.autosave
            && ed.changes >= every
        {
            ed.changes = 0;
            match self.edit_save(ed, None) {
                Ok(()) => self.say("SAVED"),
                Err(true) => self.say("SET NEW FILEMODE AND RETRY"),
                Err(false) => {}
            }
        }
    }

    /// INPUT mode: lines after the current one until a null line.
    fn input_mode(&mut self, ed: &mut Editor) -> bool {
        self.say("INPUT:");
        loop {
            let Some(l) = self.edit_read(ed) else { return false };
            if l.is_empty() {
                self.say("EDIT:");
                return true;
            }
            let (text, cut) = ed.data_line(&l);
            let at = ed.cur.min(ed.n());
            ed.lines.insert(at, text);
            ed.cur = at + 1;
            if cut {
                self.say("TRUNCATED");
            }
            self.changed(ed, 1);
        }
    }

    /// Writes the file; `Err(read_only)` after the message.
    fn edit_save(
        &mut self,
        ed: &mut Editor,
        new_id: Option<(&str, &str, &str)>,
    ) -> Result<(), bool> {
        if let Some((f, t, m)) = new_id {
            if !f.is_empty() && Name::parse(f).is_ok() {
                ed.set.fname = f.to_string();
            }
            if !t.is_empty() && Name::parse(t).is_ok() {
                ed.ftype = t.to_string();
            }
            if let Some(ModeOp::Letter(l, n)) = ModeOp::parse(m) {
                ed.set.letter = l;
                if let Some(n) = n {
                    ed.set.number = n;
                }
            }
        }
        let letter = ed.set.letter;
        let Some(d) = self.disks.get(letter) else {
            self.message("DMSEDI069E", &format!("DISK '{letter}' NOT ACCESSED"));
            return Err(false);
        };
        if !d.rw {
            self.message("DMSEDI037E", &format!("DISK '{letter}' IS READ/ONLY"));
            return Err(true);
        }
        let (Ok(f), Ok(t)) = (Name::parse(&ed.set.fname), Name::parse(&ed.ftype)) else {
            return Err(false);
        };
        let id = FileId { fname: f, ftype: t };
        let recs = ed.records();
        let stamp = self.now();
        let mode = FileMode::new(letter, ed.set.number).expect("a letter and 0-6");
        let lrecl = ed.set.lrecl as u32;
        let Some(d) = self.disks.get_mut(letter) else { return Err(false) };
        match d.fs.write_file(id, mode, ed.set.recfm, lrecl, WriteMode::Replace, &recs, stamp) {
            Ok(_) => Ok(()),
            Err(e) => {
                let shown = format!("{} {} {letter}{}", ed.set.fname, ed.ftype, ed.set.number);
                self.write_error("EDI", letter, &shown, &e);
                Err(false)
            }
        }
    }

    /// The subcommand loop; returns the EDIT command's return code.
    fn edit_loop(&mut self, ed: &mut Editor) -> i32 {
        loop {
            if self.halted() {
                return 0;
            }
            let Some(line) = self.edit_read(ed) else { return 0 };
            if line.trim().is_empty() {
                continue;
            }
            match self.subcommand(ed, &line) {
                Some(rc) => return rc,
                None => continue,
            }
        }
    }

    /// Runs one subcommand; `Some(rc)` when the editor ends.
    fn subcommand(&mut self, ed: &mut Editor, line: &str) -> Option<i32> {
        match line.trim() {
            "?" => {
                if let Some(l) = ed.last.clone() {
                    self.say(l.trim());
                }
                return None;
            }
            "=" => {
                let last = ed.last.clone()?;
                return self.subcommand(ed, &last);
            }
            _ => {}
        }
        // The name is the leading letters (and `$`): `c/ONE/X/` is CHANGE.
        let t = line.trim_start();
        let name_len = t
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i == 0 && c == '$')))
            .map_or(t.len(), |(i, _)| i);
        let word = t[..name_len].to_string();
        let ops: Vec<String> = t[name_len..].split_whitespace().map(|t| t.to_uppercase()).collect();
        let bad = |me: &mut Self| {
            me.say(&format!("?EDIT: {}", line.trim()));
            None
        };
        let Some(cmd) = subcommand(&word) else { return bad(self) };
        if !matches!(cmd, "X" | "Y") {
            ed.last = Some(line.to_string());
        }
        let n_op = || count(ops.first().map(String::as_str), 1);
        match cmd {
            "TOP" => {
                ed.cur = 0;
                self.verify(ed);
            }
            "BOTTOM" => {
                ed.cur = ed.n();
                self.verify(ed);
            }
            "NEXT" | "DOWN" | "FORWARD" => {
                let Some(n) = n_op() else { return bad(self) };
                ed.cur = ed.cur.saturating_add(n).min(ed.eof());
                self.verify(ed);
            }
            "UP" | "BACKWARD" => {
                let Some(n) = n_op() else { return bad(self) };
                ed.cur = ed.cur.saturating_sub(n);
                self.verify(ed);
            }
            "LOCATE" => {
                let Some((parts, _)) = delimited(line, 1) else { return bad(self) };
                let s = &parts[0];
                let from = if ed.cur >= ed.eof() { 1 } else { ed.cur + 1 };
                let hit = (from..=ed.n()).find(|&i| ed.zone_contains(&ed.lines[i - 1], s));
                ed.cur = hit.unwrap_or(ed.eof());
                self.show_line(ed, ed.cur);
            }
            "FIND" => {
                let text = text_operand(line).unwrap_or_default();
                let from = if ed.cur >= ed.eof() { 1 } else { ed.cur + 1 };
                let pat: Vec<char> = text.chars().collect();
                let hit = (from..=ed.n()).find(|&i| {
                    let l: Vec<char> = ed.lines[i - 1].chars().collect();
                    pat.iter().enumerate().all(|(k, &c)| c == ' ' || l.get(k) == Some(&c))
                });
                ed.cur = hit.unwrap_or(ed.eof());
                self.show_line(ed, ed.cur);
            }
            "TYPE" => {
                let Some(n) = n_op() else { return bad(self) };
                let last = ed.cur.saturating_add(n - 1).min(ed.eof());
                for at in ed.cur..=last {
                    self.show_line(ed, at);
                }
                ed.cur = last;
            }
            "INPUT" | "INSERT" => match text_operand(line) {
                Some(t) if cmd == "INSERT" || !t.is_empty() => {
                    let (text, cut) = ed.data_line(&t);
                    let at = ed.cur.min(ed.n());
                    ed.lines.insert(at, text);
                    ed.cur = at + 1;
                    if cut {
                        self.say("TRUNCATED");
                    }
                    self.changed(ed, 1);
                }
                _ => {
                    if !self.input_mode(ed) {
                        return Some(0);
                    }
                }
            },
            "REPLACE" => match text_operand(line) {
                Some(t) => {
                    let (text, cut) = ed.data_line(&t);
                    if ed.cur == 0 || ed.cur > ed.n() {
                        let at = ed.cur.min(ed.n());
                        ed.lines.insert(at, text);
                        ed.cur = at + 1;
                    } else {
                        ed.lines[ed.cur - 1] = text;
                    }
                    if cut {
                        self.say("TRUNCATED");
                    }
                    self.changed(ed, 1);
                }
                None => {
                    if ed.cur >= 1 && ed.cur <= ed.n() {
                        ed.lines.remove(ed.cur - 1);
                        ed.cur -= 1;
                    }
                    if !self.input_mode(ed) {
                        return Some(0);
                    }
                }
            },
            "DELETE" => {
                let Some(n) = n_op() else { return bad(self) };
                if ed.cur == 0 {
                    ed.cur = 1;
                }
                if ed.cur <= ed.n() {
                    let end = ed.cur.saturating_add(n - 1).min(ed.n());
                    ed.lines.drain(ed.cur - 1..end);
                    self.changed(ed, 1);
                }
                if ed.cur > ed.n() {
                    ed.cur = ed.eof();
                    self.say("EOF:");
                }
            }
            "CHANGE" | "ALTER" => return self.change(ed, cmd, line),
            "OVERLAY" => {
                let text = text_operand(line).unwrap_or_default();
                if ed.cur == 0 || ed.cur > ed.n() {
                    return bad(self);
                }
                let mut l: Vec<char> = ed.lines[ed.cur - 1].chars().collect();
                for (k, c) in text.chars().enumerate() {
                    if c == ' ' {
                        continue;
                    }
                    while l.len() <= k {
                        l.push(' ');
                    }
                    l[k] = if c == '_' { ' ' } else { c };
                }
                let s: String = l.into_iter().collect();
                let (text, _) = ed.data_line(&s);
                ed.lines[ed.cur - 1] = text;
                self.verify(ed);
                self.changed(ed, 1);
            }
            "DSTRING" => {
                let Some((parts, _)) = delimited(line, 1) else { return bad(self) };
                let s = &parts[0];
                let start = ed.cur.max(1);
                let hit = (start + 1..=ed.n()).find(|&i| ed.zone_contains(&ed.lines[i - 1], s));
                match hit {
                    Some(h) => {
                        ed.lines.drain(start - 1..h - 1);
                        ed.cur = start;
                        self.changed(ed, 1);
                    }
                    None => self.say("STRING NOT FOUND, NO DELETIONS MADE"),
                }
            }
            "$DUP" => {
                let n = match ops.first() {
                    None => 1,
                    Some(s) => match plist::number(s).filter(|&n| (1..=25).contains(&n)) {
                        Some(n) => n as usize,
                        None => return bad(self),
                    },
                };
                if ed.cur == 0 || ed.cur > ed.n() {
                    return bad(self);
                }
                let l = ed.lines[ed.cur - 1].clone();
                for _ in 0..n {
                    ed.lines.insert(ed.cur, l.clone());
                    ed.cur += 1;
                }
                self.show_line(ed, ed.cur);
                self.changed(ed, 1);
            }
            "$MOVE" => {
                let n = ops.first().and_then(|s| plist::number(s)).map(|n| n as usize);
                let m = ops.get(2).and_then(|s| plist::number(s)).map(|n| n as usize);
                let (Some(n), Some(dir), Some(m)) = (n, ops.get(1), m) else { return bad(self) };
                if ed.cur == 0 || ed.cur > ed.n() || !(dir == "UP" || dir == "DOWN") {
                    return bad(self);
                }
                let start = ed.cur - 1;
                let end = (start + n).min(ed.n());
                let block: Vec<String> = ed.lines.drain(start..end).collect();
                let moved = block.len() as u32;
                let at =
                    if dir == "UP" { start.saturating_sub(m) } else { (start + m).min(ed.n()) };
                for (k, l) in block.into_iter().enumerate() {
                    ed.lines.insert(at + k, l);
                }
                ed.cur = at + 1;
                self.show_line(ed, ed.cur);
                self.changed(ed, moved);
            }
            "GETFILE" => return self.getfile(ed, &ops),
            "SAVE" | "FILE" => {
                let id = (
                    ops.first().map_or("", String::as_str),
                    ops.get(1).map_or("", String::as_str),
                    ops.get(2).map_or("", String::as_str),
                );
                if ed.lines.is_empty() {
                    self.say("FILE IS EMPTY");
                    return (cmd == "FILE").then_some(0);
                }
                let ok = self.edit_save(ed, Some(id)).is_ok();
                if ok && cmd == "FILE" {
                    return Some(0);
                }
            }
            "QUIT" => return Some(0),
            "CMS" => self.subset(),
            "RETURN" => {}
            "X" | "Y" => {
                let slot = if cmd == "X" { &mut ed.x } else { &mut ed.y };
                match ops.first() {
                    Some(s) if plist::number(s).is_none() => {
                        *slot = text_operand(line);
                    }
                    _ => {
                        let times = ops.first().and_then(|s| plist::number(s)).unwrap_or(1);
                        let Some(sub) = slot.clone() else { return bad(self) };
                        for _ in 0..times {
                            if let Some(rc) = self.subcommand(ed, &sub) {
                                return Some(rc);
                            }
                        }
                    }
                }
            }
            "LONG" | "SHORT" => {}
            "PRESERVE" => ed.saved = Some(ed.set.clone()),
            "RESTORE" => {
                if let Some(s) = ed.saved.clone() {
                    ed.set = s;
                }
            }
            _ => {
                if !self.edit_setting(ed, cmd, &ops) {
                    return bad(self);
                }
            }
        }
        None
    }

    /// CHANGE /s1/s2/ [n|*] [G|*] and ALTER c1 c2 [n|*] [G|*].
    fn change(&mut self, ed: &mut Editor, cmd: &str, line: &str) -> Option<i32> {
        let bad = |me: &mut Self| {
            me.say(&format!("?EDIT: {}", line.trim()));
            None
        };
        let (s1, s2, rest) = if cmd == "ALTER" {
            let toks: Vec<&str> = line.split_whitespace().collect();
            let ch = |s: Option<&&str>| -> Option<String> {
                let s = s?;
                match s.len() {
                    1 => Some(s.to_string()),
                    2 => u8::from_str_radix(s, 16).ok().map(|b| ebcdic::decode(&[b])),
                    _ => None,
                }
            };
            let (Some(a), Some(b)) = (ch(toks.get(1)), ch(toks.get(2))) else { return bad(self) };
            (a, b, toks[3.min(toks.len())..].join(" "))
        } else {
            let Some((parts, rest)) = delimited(line, 2) else { return bad(self) };
            if line.split_whitespace().count() == 1 && !line.trim().contains('/') {
                return bad(self);
            }
            (parts[0].clone(), parts[1].clone(), rest)
        };
        let rest_ops: Vec<String> = rest.split_whitespace().map(|s| s.to_uppercase()).collect();
        let Some(n) = count(rest_ops.first().map(String::as_str), 1) else { return bad(self) };
        let global = match rest_ops.get(1).map(String::as_str) {
            None => false,
            Some("G" | "*") => true,
            Some(_) => return bad(self),
        };
        if s1.is_empty() && global {
            return bad(self);
        }
        let zone_len = ed.set.zone.1 + 1 - ed.set.zone.0;
        if s1.chars().count() > zone_len {
            self.say("ZONE ERROR");
            return None;
        }
        let first = ed.cur;
        let last_wanted = if n == usize::MAX { ed.eof() } else { first.saturating_add(n - 1) };
        let mut changed_any = false;
        let mut at = first;
        let mut last_done = first;
        while at <= last_wanted && at <= ed.n() {
            if at >= 1 {
                let l = ed.lines[at - 1].clone();
                let (a, b) = ed.zone_of(&l);
                let len = l.chars().count();
                let zone = chars(&l, a, b);
                let zone = zone.as_str();
                let new_zone = if s1.is_empty() {
                    Some(format!("{s2}{zone}"))
                } else if zone.contains(s1.as_str()) {
                    Some(if global {
                        zone.replace(s1.as_str(), &s2)
                    } else {
                        zone.replacen(s1.as_str(), &s2, 1)
                    })
                } else {
                    None
                };
                if let Some(z) = new_zone {
                    let full = format!("{}{}{}", chars(&l, 0, a), z, chars(&l, b, len));
                    let (text, cut) = ed.data_line(&full);
                    ed.lines[at - 1] = text;
                    changed_any = true;
                    if ed.set.verify {
                        self.show_line(ed, at);
                    }
                    if cut {
                        self.say("TRUNCATED");
                    }
                }
            }
            last_done = at;
            at += 1;
        }
        if !changed_any {
            self.say("NOT FOUND");
            return None;
        }
        if last_wanted > ed.n() {
            ed.cur = ed.eof();
            self.say("EOF:");
        } else {
            ed.cur = last_done;
        }
        self.changed(ed, 1);
        None
    }

    /// GETFILE fn [ft [fm]] [first [count]].
    fn getfile(&mut self, ed: &mut Editor, ops: &[String]) -> Option<i32> {
        let Some(f) = ops.first() else {
            self.say("?EDIT: GETFILE");
            return None;
        };
        let mut rest = ops[1..].iter();
        let ft = rest.next().cloned().unwrap_or_else(|| ed.ftype.clone());
        let fm = rest.next().cloned().unwrap_or_else(|| format!("{}", ed.set.letter));
        let first = rest.next().and_then(|s| plist::number(s)).unwrap_or(1).max(1);
        let wanted = rest.next().and_then(|s| plist::number(s));
        let (Ok(id), Some(mode)) = (FileId::new(f, &ft), ModeOp::parse(&fm)) else {
            self.say("FILE NOT FOUND");
            return None;
        };
        let scope = match mode {
            ModeOp::Star => Scope::All,
            ModeOp::Letter(l, n) => Scope::Disk(l, n),
        };
        let Some((letter, fst)) = self.disks.find(&id, scope) else {
            self.say("FILE NOT FOUND");
            return None;
        };
        if fst.lrecl as usize > ed.set.lrecl && fst.recfm == RecFm::F {
            self.say("RECORD LENGTH OF FILE TOO LARGE");
            return None;
        }
        if first > u32::from(fst.records) {
            self.say("GIVEN STARTING LINE IS BEYOND EOF");
            return None;
        }
        let Some(d) = self.disks.get_mut(letter) else { return None };
        let Ok(recs) = d.fs.read_records(&id) else {
            self.say("FILE NOT FOUND");
            return None;
        };
        let take: Vec<String> = recs
            .iter()
            .skip(first as usize - 1)
            .take(wanted.map_or(usize::MAX, |w| w as usize))
            .map(|r| ebcdic::decode(r).trim_end().to_string())
            .collect();
        let short = wanted.is_some_and(|w| (take.len() as u32) < w);
        let at = ed.cur.min(ed.n());
        let k = take.len();
        for (i, l) in take.into_iter().enumerate() {
            ed.lines.insert(at + i, l);
        }
        ed.cur = at + k;
        if short {
            self.say("EOF REACHED");
        }
        self.show_line(ed, ed.cur);
        self.changed(ed, 1);
        None
    }

    /// The setting subcommands; false for a bad operand.
    fn edit_setting(&mut self, ed: &mut Editor, cmd: &str, ops: &[String]) -> bool {
        let s = &mut ed.set;
        let on_off = |v: bool| if v { "ON" } else { "OFF" };
        if ops.is_empty() {
            let shown = match cmd {
                "ZONE" => format!("ZONE = {} {}", s.zone.0, s.zone.1),
                "TRUNC" => format!("TRUNC = {}", s.trunc),
                "CASE" => format!("CASE = {}", if s.upper { "U" } else { "M" }),
                "VERIFY" => format!("VERIFY = {}", on_off(s.verify)),
                "SERIAL" => match &s.serial {
                    Serial::Off => "SERIAL = OFF".to_string(),
                    Serial::On { prefix: Some(p), incr }
                        if *p == s.fname.chars().take(3).collect::<String>() =>
                    {
                        format!("SERIAL = ON {incr}")
                    }
                    Serial::On { prefix: Some(p), incr } => format!("SERIAL = {p} {incr}"),
                    Serial::On { prefix: None, incr } => format!("SERIAL = ALL {incr}"),
                },
                "AUTOSAVE" => match s.autosave {
                    None => "AUTOSAVE = OFF".to_string(),
                    Some(n) => format!("AUTOSAVE = {n}"),
                },
                "RECFM" => format!("RECFM = {}", if s.recfm == RecFm::V { "V" } else { "F" }),
                "FMODE" => format!("FMODE = {}{}", s.letter, s.number),
                "FNAME" => format!("FNAME = {}", s.fname),
                "IMAGE" => format!("IMAGE = {}", on_off(s.image)),
                "TABSET" | "TABS" => {
                    let t: Vec<String> = s.tabs.iter().map(ToString::to_string).collect();
                    format!("TABSET = {}", t.join(" "))
                }
                _ => return false,
            };
            self.say(&shown);
            return true;
        }
        let num = |x: &str| plist::number(x).map(|n| n as usize);
        match cmd {
            "ZONE" => {
                let a = num(&ops[0]);
                let b = match ops.get(1).map(String::as_str) {
                    None => Some(s.trunc),
                    Some("*") => Some(s.lrecl),
                    Some(x) => num(x),
                };
                match (a, b) {
                    (Some(a), Some(b)) if a >= 1 && a <= b && b <= s.lrecl => s.zone = (a, b),
                    _ => return false,
                }
            }
            "TRUNC" => {
                let t = if ops[0] == "*" { Some(s.lrecl) } else { num(&ops[0]) };
                match t {
                    Some(t) if t >= 1 && t <= s.lrecl => s.trunc = t,
                    _ => return false,
                }
            }
            "CASE" => match ops[0].as_str() {
                "U" => s.upper = true,
                "M" => s.upper = false,
                _ => return false,
            },
            "VERIFY" => match ops[0].as_str() {
                "ON" => s.verify = true,
                "OFF" => s.verify = false,
                _ => return false,
            },
            "IMAGE" => match ops[0].as_str() {
                "ON" | "CANON" => s.image = true,
                "OFF" => s.image = false,
                _ => return false,
            },
            "AUTOSAVE" => match ops[0].as_str() {
                "OFF" => s.autosave = None,
                x => match plist::number(x).filter(|&n| (1..=32767).contains(&n)) {
                    Some(n) => s.autosave = Some(n),
                    None => return false,
                },
            },
            "RECFM" => match ops[0].as_str() {
                "F" => s.recfm = RecFm::F,
                "V" => {
                    s.recfm = RecFm::V;
                    if s.serial != Serial::Off {
                        s.serial = Serial::Off;
                        self.say("SERIALIZATION TURNED OFF FOR V FORMAT");
                    }
                }
                _ => return false,
            },
            "FMODE" => match ModeOp::parse(&ops[0]) {
                Some(ModeOp::Letter(l, n)) => {
                    s.letter = l;
                    if let Some(n) = n {
                        s.number = n;
                    }
                }
                _ => return false,
            },
            "FNAME" => {
                if Name::parse(&ops[0]).is_err() {
                    return false;
                }
                s.fname = ops[0].clone();
            }
            "TABSET" | "TABS" => {
                let t: Option<Vec<usize>> = ops.iter().map(|x| num(x)).collect();
                match t {
                    Some(t) if !t.is_empty() => s.tabs = t,
                    _ => return false,
                }
            }
            "SERIAL" => {
                let incr = match ops.get(1) {
                    None => 10,
                    Some(x) => match plist::number(x).filter(|&n| n > 0) {
                        Some(n) => n,
                        None => return false,
                    },
                };
                let prefix = match ops[0].as_str() {
                    "OFF" => {
                        s.serial = Serial::Off;
                        return true;
                    }
                    "ON" => Some(s.fname.chars().take(3).collect::<String>()),
                    "ALL" => None,
                    p => Some(p.chars().take(3).collect()),
                };
                if s.recfm != RecFm::F || s.lrecl != 80 {
                    self.say("WRONG FILE FORMAT FOR SERIALIZATION");
                    return true;
                }
                s.serial = Serial::On { prefix, incr };
                let mut notes = Vec::new();
                if s.trunc > 72 {
                    s.trunc = 72;
                    notes.push("TRUNC SET TO 72");
                }
                if s.zone.1 > 72 {
                    s.zone.1 = 72;
                    notes.push("END ZONE SET TO 72");
                }
                for n in notes {
                    self.say(n);
                }
            }
            _ => return false,
        }
        true
    }

    /// CMS subset (commands.md §7.19): commands that leave the editor's storage alone.
    fn subset(&mut self) {
        self.say("CMS SUBSET");
        const ALLOWED: &[(&str, usize)] = &[
            ("ACCESS", 3),
            ("CP", 2),
            ("ERASE", 5),
            ("LISTFILE", 1),
            ("QUERY", 1),
            ("RELEASE", 3),
            ("RENAME", 1),
            ("SET", 3),
            ("STATE", 5),
            ("STATEW", 6),
            ("TYPE", 1),
        ];
        while let Some(line) = self.read_line(true) {
            let toks = plist::tokens(&line);
            let Some(word) = toks.first() else { continue };
            if word == "RETURN" {
                return;
            }
            let allowed = ALLOWED.iter().any(|(f, m)| self.is_command(word, f, *m))
                || FileId::new(word, "EXEC")
                    .is_ok_and(|id| self.disks.find(&id, Scope::All).is_some());
            if allowed {
                let rc = self.execute(&line, super::Origin::Console);
                self.ready(rc);
            } else {
                self.say("INVALID SUBSET COMMAND");
                self.ready(-2);
            }
        }
    }
}
