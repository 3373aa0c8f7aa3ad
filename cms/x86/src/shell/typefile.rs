//! TYPE (commands.md §7.6).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::disks::Scope;
use super::files::{ModeOp, fid, fid_of};
use super::plist;
use super::{Cms, Host, LINE_MAX};
use crate::fs::{FileId, ebcdic};

/// The HEX form of one record: a heading and lines of 32 bytes.
pub fn hex_lines(n: u32, rec: &[u8]) -> Vec<String> {
    let mut out = alloc::vec![format!("RECORD {n} LENGTH={}", rec.len())];
    for (i, chunk) in rec.chunks(32).enumerate() {
        let mut l = format!("{:04X} ", i * 32);
        for group in chunk.chunks(4) {
            l.push(' ');
            for b in group {
                l.push_str(&format!("{b:02X}"));
            }
        }
        out.push(l);
    }
    out
}

impl<H: Host> Cms<'_, H> {
    /// `TYPE fn ft [fm|*] [rec1|* [recn|*]] [(HEX | COL m-n]`.
    pub(super) fn type_file(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut hex = false;
        let mut cols: Option<(usize, Option<usize>)> = None;
        let mut i = 0;
        while i < opts.len() {
            let o = &opts[i];
            if plist::abbrev(o, "HEX", 1) {
                hex = true;
            } else if plist::abbrev(o, "COL", 1) {
                let Some(spec) = opts.get(i + 1) else { return self.bad_option("TYP", o) };
                let (a, b) = match spec.split_once('-') {
                    Some((a, b)) => (a, Some(b)),
                    None => (spec.as_str(), None),
                };
                let from = plist::number(a).filter(|&n| n >= 1);
                let to = match b {
                    None | Some("") => Some(None),
                    Some(b) => plist::number(b).map(Some),
                };
                match (from, to) {
                    (Some(f), Some(t)) if t.is_none_or(|t| t >= f) => {
                        cols = Some((f as usize, t.map(|t| t as usize)));
                    }
                    _ => return self.bad_parameter("TYP", spec),
                }
                i += 1;
            } else {
                return self.bad_option("TYP", o);
            }
            i += 1;
        }
        if ops.len() < 2 {
            return self.incomplete("TYP");
        }
        if ops.len() > 5 {
            return self.bad_parameter("TYP", &ops[5]);
        }
        let m = ops.get(2).map_or("A", String::as_str);
        let shown = fid(&ops[0], &ops[1], m);
        let fname = match self.exact_name("TYP", &ops[0], &shown) {
            Ok(n) => n,
            Err(rc) => return rc,
        };
        let ftype = match self.exact_name("TYP", &ops[1], &shown) {
            Ok(n) => n,
            Err(rc) => return rc,
        };
        let mode = match self.mode_operand("TYP", m) {
            Ok(m) => m,
            Err(rc) => return rc,
        };
        let first = match ops.get(3).map(String::as_str) {
            None | Some("*") => 1,
            Some(s) => match plist::number(s) {
                Some(n) if n >= 1 => n,
                _ => return self.bad_parameter("TYP", s),
            },
        };
        let last = match ops.get(4).map(String::as_str) {
            None | Some("*") => u32::MAX,
            Some(s) => match plist::number(s) {
                Some(n) if n >= first => n,
                _ => return self.bad_parameter("TYP", s),
            },
        };
        let id = FileId { fname, ftype };
        let scope = match mode {
            ModeOp::Star => Scope::All,
            ModeOp::Letter(l, n) => Scope::Disk(l, n),
        };
        let Some((letter, fst)) = self.disks.find(&id, scope) else {
            return self.not_found("TYP", &shown);
        };
        if first > u32::from(fst.records) {
            return self.error("DMSTYP049E", &format!("INVALID LINE NUMBER '{first}'"), 24);
        }
        let listing = ftype.to_text() == "LISTING" && cols.is_none();
        let text = fid_of(&id, letter, fst.mode_number());
        let Some(mut disk) = self.second_mount(letter) else {
            return self.read_error("TYP", &text);
        };
        let mut reader = match disk.open(&id) {
            Ok(r) => r,
            Err(_) => return self.read_error("TYP", &text),
        };
        if reader.seek(first).is_err() {
            return self.read_error("TYP", &text);
        }
        let mut n = first;
        let mut rec = Vec::new();
        loop {
            let mut batch: Vec<String> = Vec::new();
            let mut failed = false;
            while batch.len() < 64 && n <= last {
                match reader.read_into(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
                if hex {
                    batch.extend(hex_lines(n, &rec));
                } else {
                    let mut bytes: &[u8] = &rec;
                    if listing && !bytes.is_empty() {
                        bytes = &bytes[1..];
                    }
                    if let Some((from, to)) = cols {
                        let end = to.unwrap_or(bytes.len()).min(bytes.len());
                        bytes = if from - 1 < end { &bytes[from - 1..end] } else { &[] };
                    }
                    let shown = &bytes[..bytes.len().min(LINE_MAX)];
                    batch.push(ebcdic::decode(shown));
                }
                n += 1;
            }
            let done = batch.is_empty() || n > last || n > u32::from(fst.records);
            for l in batch {
                if self.halted() {
                    return 0;
                }
                self.say(&l);
            }
            if failed {
                return self.read_error("TYP", &text);
            }
            if done {
                return 0;
            }
        }
    }
}
