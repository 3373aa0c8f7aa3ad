//! Fileids as commands take them, the messages about them, and the small file commands:
//! STATE, STATEW, ERASE, RENAME (commands.md §4, §7.7-7.9).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::disks::Scope;
use super::plist;
use super::{Cms, Host};
use crate::fs::{
    BlockDevice, CmsDisk, FileId, FileIdError, FileMode, FilePattern, FsError, ModePattern, Name,
    NamePattern, RecFm, WriteMode,
};

/// A mode operand: `*` or a letter with an optional number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeOp {
    /// `*`.
    Star,
    /// A letter and maybe a number.
    Letter(char, Option<u8>),
}

impl ModeOp {
    /// Parses `*`, `A`, `A1`.
    pub fn parse(s: &str) -> Option<ModeOp> {
        if s == "*" {
            return Some(ModeOp::Star);
        }
        let mut c = s.chars();
        let l = c.next()?;
        if !l.is_ascii_uppercase() {
            return None;
        }
        let n = match c.next() {
            None => None,
            Some(d) => {
                let v = d.to_digit(10)? as u8;
                if v > 6 {
                    return None;
                }
                Some(v)
            }
        };
        if c.next().is_some() {
            return None;
        }
        Some(ModeOp::Letter(l, n))
    }

    /// The search scope: the letter and its extensions, or all disks.
    pub fn scope(self) -> Scope {
        match self {
            ModeOp::Star => Scope::All,
            ModeOp::Letter(l, n) => Scope::Disk(l, n),
        }
    }
}

/// The text of a fileid in a message: `fn ft fm`.
pub fn fid(f: &str, t: &str, m: &str) -> String {
    format!("{f} {t} {m}")
}

/// A file's id and mode as a message shows it: `FN FT A1`.
pub fn fid_of(id: &FileId, letter: char, number: Option<u8>) -> String {
    match number {
        Some(n) => format!("{} {} {letter}{n}", id.fname, id.ftype),
        None => format!("{} {} {letter}", id.fname, id.ftype),
    }
}

/// Which character of a name is not allowed in a fileid.
fn bad_char(e: FileIdError) -> Option<char> {
    match e {
        FileIdError::BadChar(c) => Some(c),
        _ => None,
    }
}

impl<H: Host> Cms<'_, H> {
    /// Checks a mode operand: `DMSmmm048E INVALID MODE` (24) or `DMSmmm069E DISK 'x' NOT
    /// ACCESSED` (36).
    pub(super) fn mode_operand(&mut self, module: &str, s: &str) -> Result<ModeOp, i32> {
        let Some(m) = ModeOp::parse(s) else {
            return Err(self.error(
                &format!("DMS{module}048E"),
                &format!("INVALID MODE '{s}'"),
                24,
            ));
        };
        if let ModeOp::Letter(l, _) = m
            && self.disks.get(l).is_none()
        {
            return Err(self.error(
                &format!("DMS{module}069E"),
                &format!("DISK '{l}' NOT ACCESSED"),
                36,
            ));
        }
        Ok(m)
    }

    /// Checks a filename or filetype operand (patterns allowed): `DMSmmm062E INVALID
    /// CHARACTER 'c' IN FILEID '...'` (20).
    pub(super) fn name_pattern(
        &mut self,
        module: &str,
        s: &str,
        fileid: &str,
    ) -> Result<NamePattern, i32> {
        NamePattern::parse(s).map_err(|e| self.bad_name(module, s, e, fileid))
    }

    /// Checks an exact filename or filetype.
    pub(super) fn exact_name(&mut self, module: &str, s: &str, fileid: &str) -> Result<Name, i32> {
        Name::parse(s).map_err(|e| self.bad_name(module, s, e, fileid))
    }

    fn bad_name(&mut self, module: &str, s: &str, e: FileIdError, fileid: &str) -> i32 {
        let c = bad_char(e).or_else(|| s.chars().find(|&c| c == '*')).unwrap_or('?');
        self.error(
            &format!("DMS{module}062E"),
            &format!("INVALID CHARACTER '{c}' IN FILEID '{fileid}'"),
            20,
        )
    }

    /// `DMSmmm002E FILE '...' NOT FOUND` (28), unless an EXEC said `&CONTROL NOMSG`.
    pub(super) fn not_found(&mut self, module: &str, fileid: &str) -> i32 {
        if !self.nomsg {
            self.message(&format!("DMS{module}002E"), &format!("FILE '{fileid}' NOT FOUND"));
        }
        28
    }

    /// `DMSmmm037E DISK 'm' IS READ/ONLY` (36).
    pub(super) fn read_only(&mut self, module: &str, letter: char) -> i32 {
        self.error(&format!("DMS{module}037E"), &format!("DISK '{letter}' IS READ/ONLY"), 36)
    }

    /// `DMSmmm054E INCOMPLETE FILEID SPECIFIED` (24).
    pub(super) fn incomplete(&mut self, module: &str) -> i32 {
        self.error(&format!("DMS{module}054E"), "INCOMPLETE FILEID SPECIFIED", 24)
    }

    /// `DMSmmm003E INVALID OPTION 'x'` (24).
    pub(super) fn bad_option(&mut self, module: &str, opt: &str) -> i32 {
        self.error(&format!("DMS{module}003E"), &format!("INVALID OPTION '{opt}'"), 24)
    }

    /// `DMSmmm070E INVALID PARAMETER 'x'` (24).
    pub(super) fn bad_parameter(&mut self, module: &str, p: &str) -> i32 {
        self.error(&format!("DMS{module}070E"), &format!("INVALID PARAMETER '{p}'"), 24)
    }

    /// `DMSmmm066E 'x' AND 'y' ARE CONFLICTING OPTIONS` (24).
    pub(super) fn conflict(&mut self, module: &str, a: &str, b: &str) -> i32 {
        self.error(
            &format!("DMS{module}066E"),
            &format!("'{a}' AND '{b}' ARE CONFLICTING OPTIONS"),
            24,
        )
    }

    /// The message for a failed read: `DMSmmm104S ERROR '03' READING FILE ...` (100).
    pub(super) fn read_error(&mut self, module: &str, fileid: &str) -> i32 {
        self.error(
            &format!("DMS{module}104S"),
            &format!("ERROR '03' READING FILE '{fileid}' FROM DISK"),
            100,
        )
    }

    /// The messages for a failed write (commands.md §10.1) and rc 100.
    pub(super) fn write_error(
        &mut self,
        module: &str,
        letter: char,
        fileid: &str,
        e: &FsError,
    ) -> i32 {
        let cuu = self.disks.get(letter).map_or(0, |d| d.cuu);
        let code = match e {
            FsError::DiskFull | FsError::FileTooLarge => {
                self.message("DMSBWR107S", &format!("DISK '{letter}({cuu:03X})' IS FULL"));
                13
            }
            FsError::DirectoryFull => {
                self.message(
                    "DMSBWR108S",
                    &format!("DISK '{letter}({cuu:03X})' HAS MAXIMUM NUMBER OF FILES"),
                );
                10
            }
            _ => 13,
        };
        self.error(
            &format!("DMS{module}105S"),
            &format!("ERROR '{code:02}' WRITING FILE '{fileid}' ON DISK"),
            100,
        )
    }

    /// A second, independent mount of the disk at `letter`, for reading a file while the
    /// disk's own mount writes another (COPYFILE, EDIT's GETFILE).
    pub(super) fn second_mount(&mut self, letter: char) -> Option<CmsDisk<Box<dyn BlockDevice>>> {
        let cuu = self.disks.get(letter)?.cuu;
        let dev = self.host.open_disk(cuu).ok()?;
        CmsDisk::mount(dev).ok()
    }

    /// Writes a whole file; on failure types the messages (with `module`, the fileid as
    /// `shown`) and returns the rc.
    #[allow(clippy::too_many_arguments)] // the fileid, its format and the messages' names
    pub(super) fn write_file(
        &mut self,
        module: &str,
        letter: char,
        id: FileId,
        number: u8,
        recfm: RecFm,
        lrecl: u32,
        how: WriteMode,
        records: &[Vec<u8>],
        shown: &str,
    ) -> Result<(), i32> {
        let stamp = self.now();
        let mode = FileMode::new(letter, number).expect("a letter and 0-6");
        let Some(d) = self.disks.get_mut(letter) else { return Err(36) };
        if let Err(e) = d.fs.write_file(id, mode, recfm, lrecl, how, records, stamp) {
            return Err(self.write_error(module, letter, shown, &e));
        }
        Ok(())
    }

    /// `STATE` / `STATEW fn ft [fm]`.
    pub(super) fn state(&mut self, args: &[String], writable: bool) -> i32 {
        let (ops, _) = plist::split(args);
        if ops.len() < 2 {
            return self.incomplete("STT");
        }
        if ops.len() > 3 {
            return self.bad_parameter("STT", &ops[3]);
        }
        let m = ops.get(2).map_or("*", String::as_str).to_string();
        let shown = fid(&ops[0], &ops[1], &m);
        let fname = match self.name_pattern("STT", &ops[0], &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let ftype = match self.name_pattern("STT", &ops[1], &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let mode = match self.mode_operand("STT", &m) {
            Ok(m) => m,
            Err(rc) => return rc,
        };
        let exact = matches!((fname, ftype), (NamePattern::Exact(_), NamePattern::Exact(_)));
        let scope = match mode {
            ModeOp::Letter(l, n) => Scope::Disk(l, if exact { None } else { n }),
            ModeOp::Star => Scope::All,
        };
        let pat = FilePattern { fname, ftype, mode: ModePattern { letter: None, number: None } };
        let found = self
            .disks
            .matching(&pat, scope)
            .into_iter()
            .any(|(l, _)| !writable || self.disks.get(l).is_some_and(|d| d.rw));
        if found { 0 } else { self.not_found("STT", &shown) }
    }

    /// `ERASE fn ft [fm] [(TYPE|NOTYPE]`.
    pub(super) fn erase(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut typed = false;
        for o in &opts {
            if plist::abbrev(o, "TYPE", 1) {
                typed = true;
            } else if plist::abbrev(o, "NOTYPE", 1) {
                typed = false;
            } else {
                return self.bad_option("ERS", o);
            }
        }
        if ops.len() < 2 {
            return self.incomplete("ERS");
        }
        if ops.len() > 3 {
            return self.bad_parameter("ERS", &ops[3]);
        }
        let m = ops.get(2).map_or("A", String::as_str).to_string();
        let shown = fid(&ops[0], &ops[1], &m);
        let fname = match self.name_pattern("ERS", &ops[0], &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let ftype = match self.name_pattern("ERS", &ops[1], &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let Some(mode) = ModeOp::parse(&m) else {
            return self.error("DMSERS048E", &format!("INVALID MODE '{m}'"), 24);
        };
        let all = matches!((fname, ftype), (NamePattern::Any, NamePattern::Any));
        if all && !matches!(mode, ModeOp::Letter(_, Some(_))) {
            return self.error("DMSERS071E", &format!("ERASE * * {m} NOT ALLOWED"), 24);
        }
        let mode = match self.mode_operand("ERS", &m) {
            Ok(m) => m,
            Err(rc) => return rc,
        };
        let scope = match mode {
            ModeOp::Letter(l, n) => {
                if self.disks.get(l).is_some_and(|d| !d.rw) {
                    return self.read_only("ERS", l);
                }
                Scope::Only(l, n)
            }
            ModeOp::Star => Scope::All,
        };
        let pat = FilePattern { fname, ftype, mode: ModePattern { letter: None, number: None } };
        let files: Vec<_> = self
            .disks
            .matching(&pat, scope)
            .into_iter()
            .filter(|(l, _)| self.disks.get(*l).is_some_and(|d| d.rw))
            .collect();
        if files.is_empty() {
            return self.not_found("ERS", &shown);
        }
        for (l, f) in files {
            let Some(d) = self.disks.get_mut(l) else { continue };
            let text = fid_of(&f.id, l, f.mode_number());
            if let Err(e) = d.fs.erase(&f.id) {
                return self.write_error("ERS", l, &text, &e);
            }
            if typed {
                self.say(&text);
            }
        }
        0
    }

    /// `RENAME fn1 ft1 fm1 fn2 ft2 fm2 [(TYPE|NOTYPE UPDIRT|NOUPDIRT]`.
    pub(super) fn rename(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut typed = false;
        for o in &opts {
            if plist::abbrev(o, "TYPE", 1) {
                typed = true;
            } else if plist::abbrev(o, "NOTYPE", 3) {
                typed = false;
            } else if !(plist::abbrev(o, "UPDIRT", 2) || plist::abbrev(o, "NOUPDIRT", 4)) {
                return self.bad_option("RNM", o);
            }
        }
        if ops.len() < 6 {
            return self.incomplete("RNM");
        }
        if ops.len() > 6 {
            return self.bad_parameter("RNM", &ops[6]);
        }
        let shown = fid(&ops[0], &ops[1], &ops[2]);
        let fname = match self.name_pattern("RNM", &ops[0], &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let ftype = match self.name_pattern("RNM", &ops[1], &shown) {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        let (l1, n1) = match self.mode_operand("RNM", &ops[2]) {
            Ok(ModeOp::Letter(l, n)) => (l, n),
            Ok(ModeOp::Star) | Err(_) => {
                return self.error("DMSRNM048E", &format!("INVALID MODE '{}'", ops[2]), 24);
            }
        };
        let out_mode = if ops[5] == "*" || ops[5] == "=" {
            None
        } else {
            match ModeOp::parse(&ops[5]) {
                Some(ModeOp::Letter(l, n)) if l == l1 => n,
                _ => return self.error("DMSRNM048E", &format!("INVALID MODE '{}'", ops[5]), 24),
            }
        };
        if self.disks.get(l1).is_some_and(|d| !d.rw) {
            return self.read_only("RNM", l1);
        }
        let pat = FilePattern { fname, ftype, mode: ModePattern { letter: None, number: None } };
        let files = self.disks.matching(&pat, Scope::Only(l1, n1));
        if files.is_empty() {
            return self.not_found("RNM", &shown);
        }
        let pattern_in = !matches!((fname, ftype), (NamePattern::Exact(_), NamePattern::Exact(_)));
        for (i, (_, f)) in files.iter().enumerate() {
            let new_fn = out_name(&ops[3], &f.id.fname);
            let new_ft = out_name(&ops[4], &f.id.ftype);
            let (Ok(nf), Ok(nt)) = (Name::parse(&new_fn), Name::parse(&new_ft)) else {
                let shown2 = fid(&ops[3], &ops[4], &ops[5]);
                return self.bad_name("RNM", &new_fn, FileIdError::BadChar('?'), &shown2);
            };
            let to = FileId { fname: nf, ftype: nt };
            let each = pattern_in && (ops[3] == "=" || ops[4] == "=");
            let shown_to = fid(&new_fn, &new_ft, &ops[5].replace('*', &l1.to_string()));
            if i > 0 && !each {
                self.message("DMSRNM024E", &format!("FILE '{shown_to}' ALREADY EXISTS"));
                continue;
            }
            let number = out_mode.or(f.mode_number()).unwrap_or(1);
            let mode = FileMode::new(l1, number).expect("valid");
            let Some(d) = self.disks.get_mut(l1) else { return 36 };
            match d.fs.rename(&f.id, &to, Some(mode)) {
                Ok(_) => {
                    if typed {
                        let t = fid_of(&to, l1, Some(number));
                        self.say(&t);
                    }
                }
                Err(FsError::AlreadyExists(_)) => {
                    let t = fid(&new_fn, &new_ft, &ops[5]);
                    return self.error("DMSRNM024E", &format!("FILE '{t}' ALREADY EXISTS"), 28);
                }
                Err(e) => {
                    let t = fid(&new_fn, &new_ft, &ops[5]);
                    return self.write_error("RNM", l1, &t, &e);
                }
            }
        }
        0
    }
}

/// An output name part: `=` is the input's name, `x=`/`=x` put it before or after `x`.
pub fn out_name(spec: &str, input: &Name) -> String {
    let inp = input.to_text();
    if spec == "=" {
        return inp;
    }
    let s = if let Some(head) = spec.strip_suffix('=') {
        format!("{head}{inp}")
    } else if let Some(tail) = spec.strip_prefix('=') {
        format!("{inp}{tail}")
    } else {
        spec.to_string()
    };
    plist::cut8(&s)
}
