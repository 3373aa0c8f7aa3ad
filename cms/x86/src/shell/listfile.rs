//! LISTFILE (commands.md §7.5).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::disks::Scope;
use super::files::{ModeOp, fid};
use super::plist;
use super::{Cms, Host};
use crate::fs::{FileId, FilePattern, Fst, ModePattern, RecFm, WriteMode};

/// How much LISTFILE shows, each level including the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Fname,
    Ftype,
    Fmode,
    Format,
    Alloc,
    Date,
    Label,
}

const HEADER: &str = "FILENAME FILETYPE FM  FORMAT    RECS BLOCKS    DATE     TIME   LABEL";

fn header(level: Level) -> &'static str {
    let last = match level {
        Level::Fname => "FILENAME",
        Level::Ftype => "FILETYPE",
        Level::Fmode => "FM",
        Level::Format => "FORMAT",
        Level::Alloc => "BLOCKS",
        Level::Date => "TIME",
        Level::Label => "LABEL",
    };
    let end = HEADER.find(last).map_or(HEADER.len(), |i| i + last.len());
    &HEADER[..end]
}

fn date(f: &Fst) -> String {
    format!("{:02}/{:02}/{:02}", f.stamp.month, f.stamp.day, f.stamp.year)
}

fn time(f: &Fst) -> String {
    format!("{}:{:02}", f.stamp.hour, f.stamp.minute)
}

fn recfm(f: &Fst) -> String {
    match f.recfm {
        RecFm::F => "F".into(),
        RecFm::V => "V".into(),
        RecFm::Unknown(_) => "?".into(),
    }
}

impl<H: Host> Cms<'_, H> {
    fn list_line(&self, level: Level, letter: char, f: &Fst) -> String {
        let fm = format!("{letter}{}", f.mode_number().map_or('?', |n| (b'0' + n) as char));
        let mut s = match level {
            Level::Fname => return f.id.fname.to_text(),
            Level::Ftype => return format!("{:<8} {}", f.id.fname, f.id.ftype),
            _ => format!("{:<8} {:<8} {}", f.id.fname, f.id.ftype, fm),
        };
        if level >= Level::Format {
            s.push_str(&format!("  {}{:>6}", recfm(f), f.lrecl));
        }
        if level >= Level::Alloc {
            s.push_str(&format!("{:>7}{:>7}", f.records, f.blocks));
        }
        if level >= Level::Date {
            s.push_str(&format!("  {}{:>8}", date(f), time(f)));
        }
        if level >= Level::Label {
            let label = self.disks.get(letter).map(|d| d.fs.label()).unwrap_or_default();
            s.push_str(&format!("  {label}"));
        }
        s
    }

    fn cms_exec_line(&self, level: Level, letter: char, f: &Fst) -> String {
        let fm = format!("{letter}{}", f.mode_number().map_or('?', |n| (b'0' + n) as char));
        let mut s = format!(" &1 &2 {:<8} {:<8}  {}", f.id.fname, f.id.ftype, fm);
        if level >= Level::Format {
            s.push_str(&format!("  {}{:>6}", recfm(f), f.lrecl));
        }
        if level >= Level::Alloc {
            s.push_str(&format!("{:>7}{:>7}", f.records, f.blocks));
        }
        if level >= Level::Date {
            s.push_str(&format!(" {}{:>8}", date(f), time(f)));
        }
        if level >= Level::Label {
            let label = self.disks.get(letter).map(|d| d.fs.label()).unwrap_or_default();
            s.push_str(&format!("  {label}"));
        }
        s
    }

    /// `LISTFILE [fn [ft [fm]]] [(options]`.
    pub(super) fn listfile(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut level: Option<(Level, String)> = None;
        let mut exec: Option<(bool, String)> = None; // (append, as typed)
        let mut header_opt: Option<bool> = None;
        let mut stack: Option<(bool, String)> = None; // (lifo, as typed)
        for o in &opts {
            let a = |full: &str, min: usize| plist::abbrev(o, full, min);
            let lv = if a("FNAME", 2) {
                Some(Level::Fname)
            } else if a("FTYPE", 2) {
                Some(Level::Ftype)
            } else if a("FMODE", 2) {
                Some(Level::Fmode)
            } else if a("FORMAT", 2) {
                Some(Level::Format)
            } else if a("ALLOC", 2) {
                Some(Level::Alloc)
            } else if a("DATE", 1) {
                Some(Level::Date)
            } else if a("LABEL", 1) {
                Some(Level::Label)
            } else {
                None
            };
            if let Some(lv) = lv {
                if let Some((_, prev)) = &level {
                    let prev = prev.clone();
                    return self.conflict("LST", &prev, o);
                }
                level = Some((lv, o.clone()));
            } else if a("EXEC", 1) || a("APPEND", 2) {
                if let Some((_, prev)) = &exec {
                    let prev = prev.clone();
                    return self.conflict("LST", &prev, o);
                }
                exec = Some((a("APPEND", 2), o.clone()));
            } else if a("HEADER", 1) {
                header_opt = Some(true);
            } else if a("NOHEADER", 3) {
                header_opt = Some(false);
            } else if o == "STACK" || o == "FIFO" || o == "LIFO" {
                let lifo = o == "LIFO" || stack.as_ref().is_some_and(|s| s.0);
                stack = Some((lifo, o.clone()));
            } else {
                return self.bad_option("LST", o);
            }
        }
        if let (Some((_, e)), Some((_, s))) = (&exec, &stack) {
            let (e, s) = (e.clone(), s.clone());
            return self.conflict("LST", &e, &s);
        }
        if ops.len() > 3 {
            return self.bad_parameter("LST", &ops[3]);
        }
        let f = ops.first().map_or("*", String::as_str).to_string();
        let t = ops.get(1).map_or("*", String::as_str).to_string();
        let m = ops.get(2).map_or("A", String::as_str).to_string();
        let shown = fid(&f, &t, &m);
        let fname = match self.name_pattern("LST", &f, &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let ftype = match self.name_pattern("LST", &t, &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let mode = match self.mode_operand("LST", &m) {
            Ok(m) => m,
            Err(rc) => return rc,
        };
        let scope = match mode {
            ModeOp::Star => Scope::All,
            ModeOp::Letter(l, n) => Scope::Only(l, n),
        };
        let level_v = level.as_ref().map_or(Level::Fmode, |l| l.0);
        let cms_exec = FileId::new("CMS", "EXEC").expect("valid");
        if let Some((false, _)) = exec
            && let Some(d) = self.disks.get_mut('A')
            && d.rw
            && d.fs.find(&cms_exec).is_some()
        {
            let _ = d.fs.erase(&cms_exec);
        }
        let pat = FilePattern { fname, ftype, mode: ModePattern { letter: None, number: None } };
        let files = self.disks.matching(&pat, scope);
        if files.is_empty() {
            return self.not_found("LST", &shown);
        }
        if exec.is_some() {
            let mut recs: Vec<Vec<u8>> = Vec::with_capacity(files.len());
            for (l, f) in &files {
                let mut line = self.cms_exec_line(level_v, *l, f);
                while line.len() < 80 {
                    line.push(' ');
                }
                line.truncate(80);
                recs.push(crate::fs::ebcdic::encode(&line));
            }
            if self.disks.get('A').is_none_or(|d| !d.rw) {
                return self.read_only("LST", 'A');
            }
            let how = if matches!(exec, Some((true, _))) {
                WriteMode::Append
            } else {
                WriteMode::Replace
            };
            return match self.write_file(
                "LST",
                'A',
                cms_exec,
                1,
                RecFm::F,
                80,
                how,
                &recs,
                "CMS EXEC A1",
            ) {
                Ok(()) => 0,
                Err(rc) => rc,
            };
        }
        let lines: Vec<String> =
            files.iter().map(|(l, f)| self.list_line(level_v, *l, f)).collect();
        if let Some((lifo, _)) = stack {
            for l in lines {
                if lifo {
                    self.stack.push_front(l);
                } else {
                    self.stack.push_back(l);
                }
            }
            return 0;
        }
        let show_header = header_opt.unwrap_or(level_v >= Level::Format);
        if show_header {
            self.say(header(level_v));
        }
        for l in lines {
            if self.halted() {
                break;
            }
            self.say(&l);
        }
        0
    }
}
