//! COPYFILE (commands.md §7.10): the common options, several inputs, `=` in output ids.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::disks::Scope;
use super::files::{ModeOp, fid, fid_of, out_name};
use super::plist;
use super::{Cms, Host};
use crate::fs::{
    FileId, FileMode, FilePattern, Fst, ModePattern, Name, NamePattern, RecFm, WriteMode,
};

/// The options of one COPYFILE, as given.
#[derive(Debug, Default)]
struct Opts {
    typed: bool,
    replace: Option<bool>,
    append: bool,
    olddate: bool,
    from: Option<u32>,
    frlabel: Option<Vec<u8>>,
    count: Option<u32>,
    tolabel: Option<Vec<u8>>,
    recfm: Option<RecFm>,
    lrecl: Option<u32>,
    trunc: bool,
    fill: u8,
    upcase: bool,
    lowcase: bool,
}

const CONFLICTS: &[(&str, &str)] = &[
    ("APPEND", "REPLACE"),
    ("APPEND", "NEWFILE"),
    ("APPEND", "RECFM"),
    ("APPEND", "LRECL"),
    ("APPEND", "OLDDATE"),
    ("APPEND", "NEWDATE"),
    ("NEWFILE", "REPLACE"),
    ("FROM", "FRLABEL"),
    ("FOR", "TOLABEL"),
    ("TYPE", "NOTYPE"),
    ("UPCASE", "LOWCASE"),
    ("TRUNC", "NOTRUNC"),
    ("NEWDATE", "OLDDATE"),
];

/// EBCDIC lower-case letters to upper case.
fn upcase(b: u8) -> u8 {
    match b {
        0x81..=0x89 | 0x91..=0x99 | 0xA2..=0xA9 => b + 0x40,
        _ => b,
    }
}

fn lowcase(b: u8) -> u8 {
    match b {
        0xC1..=0xC9 | 0xD1..=0xD9 | 0xE2..=0xE9 => b - 0x40,
        _ => b,
    }
}

/// One output file and the inputs that go into it.
struct Job {
    out: FileId,
    out_letter: char,
    out_number: Option<u8>,
    inputs: Vec<(char, Fst)>,
}

impl<H: Host> Cms<'_, H> {
    fn copy_options(&mut self, opts: &[String]) -> Result<Opts, i32> {
        let mut o = Opts { fill: 0x40, ..Opts::default() };
        let mut seen: Vec<&'static str> = Vec::new();
        let mut i = 0;
        while i < opts.len() {
            let w = opts[i].as_str();
            let a = |full: &str, min: usize| plist::abbrev(w, full, min);
            let value = opts.get(i + 1).cloned();
            let name: &'static str = if a("TYPE", 1) {
                o.typed = true;
                "TYPE"
            } else if a("NOTYPE", 3) {
                o.typed = false;
                "NOTYPE"
            } else if a("NEWFILE", 4) {
                o.replace = Some(false);
                "NEWFILE"
            } else if a("REPLACE", 3) {
                o.replace = Some(true);
                "REPLACE"
            } else if a("APPEND", 2) {
                o.append = true;
                "APPEND"
            } else if a("NEWDATE", 4) {
                o.olddate = false;
                "NEWDATE"
            } else if a("OLDDATE", 3) {
                o.olddate = true;
                "OLDDATE"
            } else if a("TRUNC", 3) {
                o.trunc = true;
                "TRUNC"
            } else if a("NOTRUNC", 5) {
                o.trunc = false;
                "NOTRUNC"
            } else if a("UPCASE", 2) {
                o.upcase = true;
                "UPCASE"
            } else if a("LOWCASE", 2) {
                o.lowcase = true;
                "LOWCASE"
            } else if a("FROM", 2) || a("FOR", 3) || a("LRECL", 2) {
                let full = if a("FROM", 2) {
                    "FROM"
                } else if a("FOR", 3) {
                    "FOR"
                } else {
                    "LRECL"
                };
                let v = value.as_deref().unwrap_or("");
                let n = plist::number(v).filter(|&n| n >= 1 && (full != "LRECL" || n <= 65535));
                let Some(n) = n else {
                    return Err(self.error(
                        "DMSCPY029E",
                        &format!("INVALID PARAMETER '{v}' IN THE OPTION '{full}' FIELD"),
                        24,
                    ));
                };
                match full {
                    "FROM" => o.from = Some(n),
                    "FOR" => o.count = Some(n),
                    _ => o.lrecl = Some(n),
                }
                i += 1;
                full
            } else if a("FRLABEL", 3) || a("TOLABEL", 3) {
                let full = if a("FRLABEL", 3) { "FRLABEL" } else { "TOLABEL" };
                let Some(v) = value else {
                    return Err(self.error(
                        "DMSCPY029E",
                        &format!("INVALID PARAMETER '' IN THE OPTION '{full}' FIELD"),
                        24,
                    ));
                };
                let bytes = crate::fs::ebcdic::encode(&v);
                if full == "FRLABEL" {
                    o.frlabel = Some(bytes);
                } else {
                    o.tolabel = Some(bytes);
                }
                i += 1;
                full
            } else if a("RECFM", 3) {
                o.recfm = match value.as_deref() {
                    Some("F") => Some(RecFm::F),
                    Some("V") => Some(RecFm::V),
                    v => {
                        let v = v.unwrap_or("");
                        return Err(self.error(
                            "DMSCPY029E",
                            &format!("INVALID PARAMETER '{v}' IN THE OPTION 'RECFM' FIELD"),
                            24,
                        ));
                    }
                };
                i += 1;
                "RECFM"
            } else if a("FILL", 2) {
                let v = value.unwrap_or_default();
                o.fill = match v.len() {
                    1 => crate::fs::ebcdic::encode(&v).first().copied().unwrap_or(0x40),
                    2 => match u8::from_str_radix(&v, 16) {
                        Ok(b) => b,
                        Err(_) => return Err(self.bad_fill(&v)),
                    },
                    _ => return Err(self.bad_fill(&v)),
                };
                i += 1;
                "FILL"
            } else {
                return Err(self.bad_option("CPY", w));
            };
            for prev in &seen {
                if CONFLICTS
                    .iter()
                    .any(|&(x, y)| (x == *prev && y == name) || (y == *prev && x == name))
                {
                    let prev = *prev;
                    return Err(self.conflict("CPY", prev, name));
                }
            }
            seen.push(name);
            i += 1;
        }
        Ok(o)
    }

    fn bad_fill(&mut self, v: &str) -> i32 {
        self.error("DMSCPY029E", &format!("INVALID PARAMETER '{v}' IN THE OPTION 'FILL' FIELD"), 24)
    }

    /// `COPYFILE fileid1 [fileid2 ...] [fileido] [(options]`.
    pub(super) fn copyfile(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let o = match self.copy_options(&opts) {
            Ok(o) => o,
            Err(rc) => return rc,
        };
        if ops.is_empty() || ops.len() % 3 != 0 {
            return self.incomplete("CPY");
        }
        let ids: Vec<&[String]> = ops.chunks(3).collect();
        let (inputs, output): (&[&[String]], Vec<String>) = if ids.len() == 1 {
            (&ids[..], alloc::vec!["=".to_string(), "=".to_string(), "=".to_string()])
        } else {
            (&ids[..ids.len() - 1], ids[ids.len() - 1].to_vec())
        };
        let in_place = ids.len() == 1;
        // The input files, in order.
        let mut files: Vec<(char, Fst)> = Vec::new();
        let mut any_pattern = false;
        for (k, idp) in inputs.iter().enumerate() {
            let part = |j: usize| -> String {
                if k > 0 && idp[j] == "=" { inputs[0][j].clone() } else { idp[j].clone() }
            };
            let (f, t, m) = (part(0), part(1), part(2));
            let shown = fid(&f, &t, &m);
            let fname = match self.name_pattern("CPY", &f, &shown) {
                Ok(p) => p,
                Err(rc) => return rc,
            };
            let ftype = match self.name_pattern("CPY", &t, &shown) {
                Ok(p) => p,
                Err(rc) => return rc,
            };
            let mode = match self.mode_operand("CPY", &m) {
                Ok(m) => m,
                Err(rc) => return rc,
            };
            let is_pattern =
                !matches!((fname, ftype), (NamePattern::Exact(_), NamePattern::Exact(_)));
            any_pattern |= is_pattern;
            let scope = match mode {
                ModeOp::Star => Scope::All,
                ModeOp::Letter(l, n) => Scope::Disk(l, n),
            };
            let pat =
                FilePattern { fname, ftype, mode: ModePattern { letter: None, number: None } };
            let found = if is_pattern {
                self.disks.matching(&pat, scope)
            } else {
                let id = FileId { fname: exact(fname), ftype: exact(ftype) };
                self.disks.find(&id, scope).into_iter().collect()
            };
            if found.is_empty() {
                return self.not_found("CPY", &shown);
            }
            files.extend(found);
        }
        // The output: its disk and how names are formed.
        let (first_letter, _) = files[0];
        let (out_letter, out_number) = match output[2].as_str() {
            "=" | "*" => (first_letter, None),
            m => match self.mode_operand("CPY", m) {
                Ok(ModeOp::Letter(l, n)) => (l, n),
                Ok(ModeOp::Star) => (first_letter, None),
                Err(rc) => return rc,
            },
        };
        if self.disks.get(out_letter).is_none_or(|d| !d.rw) {
            let l = self
                .disks
                .get(out_letter)
                .and_then(|d| d.parent)
                .map_or(out_letter, |_| out_letter);
            return self.read_only("CPY", l);
        }
        let separate = any_pattern && (output[0].contains('=') || output[1].contains('='));
        let mut jobs: Vec<Job> = Vec::new();
        for (l, f) in &files {
            let fname = out_name(&output[0], &f.id.fname);
            let ftype = out_name(&output[1], &f.id.ftype);
            let shown = fid(&fname, &ftype, &output[2]);
            let (Ok(nf), Ok(nt)) = (Name::parse(&fname), Name::parse(&ftype)) else {
                let bad = if Name::parse(&fname).is_err() { fname } else { ftype };
                return self.error(
                    "DMSCPY062E",
                    &format!("INVALID CHARACTER '{}' IN FILEID '{shown}'", first_bad(&bad)),
                    20,
                );
            };
            let out = FileId { fname: nf, ftype: nt };
            match jobs.last_mut() {
                Some(j) if !separate => j.inputs.push((*l, *f)),
                _ => jobs.push(Job {
                    out,
                    out_letter,
                    out_number: out_number.or(if output[2] == "=" {
                        f.mode_number()
                    } else {
                        None
                    }),
                    inputs: alloc::vec![(*l, *f)],
                }),
            }
        }
        let replace = o.replace.unwrap_or(in_place);
        for j in &jobs {
            let rc = self.copy_job(&o, j, replace, &output);
            if rc != 0 {
                return rc;
            }
        }
        0
    }

    fn copy_job(&mut self, o: &Opts, j: &Job, replace: bool, output: &[String]) -> i32 {
        let existing = self.disks.get(j.out_letter).and_then(|d| d.fs.find(&j.out));
        let shown_out_typed = fid(
            &j.out.fname.to_text(),
            &j.out.ftype.to_text(),
            &output[2].replace('=', &j.out_letter.to_string()),
        );
        if existing.is_some() && !replace && !o.append {
            return self.error(
                "DMSCPY024E",
                &format!("FILE '{shown_out_typed}' ALREADY EXISTS"),
                28,
            );
        }
        let (l0, f0) = j.inputs[0];
        let number = j
            .out_number
            .or(existing.and_then(|e| e.mode_number()))
            .or(f0.mode_number())
            .unwrap_or(1);
        // Record format of the output.
        let (recfm, lrecl) = match (o.append, existing) {
            (true, Some(e)) => (e.recfm, e.lrecl),
            _ => {
                let recfm = o.recfm.unwrap_or(f0.recfm);
                let lrecl = o.lrecl.unwrap_or(f0.lrecl).max(1);
                (recfm, lrecl)
            }
        };
        let how = if o.append {
            WriteMode::Append
        } else if replace {
            WriteMode::Replace
        } else {
            WriteMode::New
        };
        // FROM beyond the input: checked before anything is written.
        if let Some(from) = o.from
            && j.inputs.iter().all(|(_, f)| from > u32::from(f.records))
        {
            let shown = fid_of(&f0.id, l0, None);
            return self.error(
                "DMSCPY156E",
                &format!(
                    "'FROM {from}' NOT FOUND - FILE '{shown}' HAS ONLY {} RECORDS",
                    f0.records
                ),
                32,
            );
        }
        if o.typed {
            for (k, (l, f)) in j.inputs.iter().enumerate() {
                let inp = fid_of(&f.id, *l, f.mode_number());
                if k == 0 {
                    let word = if o.append { "APPEND" } else { "TO" };
                    let age = if existing.is_some() { "OLD" } else { "NEW" };
                    let out = fid_of(&j.out, j.out_letter, Some(number));
                    self.message(
                        "DMSCPY721I",
                        &format!("COPY '{inp}' {word} '{out}' ({age} FILE)"),
                    );
                } else {
                    self.message("DMSCPY721I", &format!("COPY '{inp}'"));
                }
            }
        }
        let stamp = if o.olddate { f0.stamp } else { self.now() };
        let mode = FileMode::new(j.out_letter, number).expect("a letter and 0-6");
        let shown_out = fid(
            &j.out.fname.to_text(),
            &j.out.ftype.to_text(),
            &output[2].replace('=', &j.out_letter.to_string()),
        );
        // Readers on independent mounts, so the output disk can be written meanwhile.
        let mut mounts: Mounts = Vec::new();
        for (l, _) in &j.inputs {
            if !mounts.iter().any(|(m, _)| m == l) {
                let Some(m) = self.second_mount(*l) else {
                    let shown = fid_of(&f0.id, *l, f0.mode_number());
                    return self.read_error("CPY", &shown);
                };
                mounts.push((*l, m));
            }
        }
        let Some(out_disk) = self.disks.get_mut(j.out_letter) else { return 36 };
        let outcome = match out_disk.fs.create(j.out, mode, recfm, lrecl, how) {
            Err(e) => Outcome::Write(e),
            Ok(mut w) => match copy_records(o, j, recfm, lrecl, &mut mounts, &mut w) {
                Outcome::Done => match w.finish(stamp) {
                    Ok(_) => Outcome::Done,
                    Err(e) => Outcome::Write(e),
                },
                other => other,
            },
        };
        drop(mounts);
        match outcome {
            Outcome::Done => 0,
            Outcome::Write(e) => self.write_error("CPY", j.out_letter, &shown_out, &e),
            Outcome::Read(inp) => self.read_error("CPY", &inp),
        }
    }
}

/// How a copy ended.
enum Outcome {
    Done,
    Write(crate::fs::FsError),
    Read(String),
}

type Mounts = Vec<(char, crate::fs::CmsDisk<alloc::boxed::Box<dyn crate::fs::BlockDevice>>)>;

/// Copies the records of the job's inputs into `w`, applying the options.
fn copy_records<D: crate::fs::BlockDevice>(
    o: &Opts,
    j: &Job,
    recfm: RecFm,
    lrecl: u32,
    mounts: &mut Mounts,
    w: &mut crate::fs::FileWriter<'_, D>,
) -> Outcome {
    for (l, f) in &j.inputs {
        let Some((_, m)) = mounts.iter_mut().find(|(x, _)| x == l) else { continue };
        let Ok(mut r) = m.open(&f.id) else {
            return Outcome::Read(fid_of(&f.id, *l, f.mode_number()));
        };
        let mut n = 0u32;
        let mut started = o.frlabel.is_none();
        let mut copied = 0u32;
        let mut rec = Vec::new();
        loop {
            match r.read_into(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => return Outcome::Read(fid_of(&f.id, *l, f.mode_number())),
            }
            n += 1;
            if o.from.is_some_and(|from| n < from) {
                continue;
            }
            if !started {
                if o.frlabel.as_ref().is_some_and(|lab| rec.starts_with(lab)) {
                    started = true;
                } else {
                    continue;
                }
            }
            if o.tolabel.as_ref().is_some_and(|lab| rec.starts_with(lab)) {
                break;
            }
            if o.count.is_some_and(|c| copied >= c) {
                break;
            }
            let mut out = core::mem::take(&mut rec);
            if o.upcase {
                out.iter_mut().for_each(|b| *b = upcase(*b));
            }
            if o.lowcase {
                out.iter_mut().for_each(|b| *b = lowcase(*b));
            }
            match recfm {
                RecFm::F => out.resize(lrecl as usize, o.fill),
                _ => {
                    if o.trunc {
                        while out.len() > 1 && out.last() == Some(&o.fill) {
                            out.pop();
                        }
                    }
                    if out.is_empty() {
                        out.push(0x40);
                    }
                }
            }
            if let Err(e) = w.write_record(&out) {
                return Outcome::Write(e);
            }
            copied += 1;
        }
    }
    Outcome::Done
}

fn exact(p: NamePattern) -> Name {
    match p {
        NamePattern::Exact(n) => n,
        NamePattern::Any | NamePattern::Prefix { .. } => Name::from_ebcdic([0x40; 8]),
    }
}

fn first_bad(s: &str) -> char {
    s.chars().find(|c| Name::parse(&c.to_string()).is_err()).unwrap_or('?')
}
