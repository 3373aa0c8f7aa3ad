//! The unit-record commands: PRINT, PUNCH (with the `:READ` card), READCARD, DISK DUMP and
//! DISK LOAD (commands.md §7.11-7.14). The devices are the R6 ones: reader 00C, punch 00D,
//! printer 00E; a file is closed with CP's CLOSE, which spools it.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::disks::Scope;
use super::files::{ModeOp, fid, fid_of};
use super::host::UnitError;
use super::plist;
use super::typefile::hex_lines;
use super::{Cms, Host};
use crate::fs::{FileId, FileMode, Fst, Name, RecFm, Timestamp, WriteMode, ebcdic};

/// The virtual reader, punch and printer of a CMS machine.
pub const READER: u16 = 0x00C;
/// The virtual punch.
pub const PUNCH: u16 = 0x00D;
/// The virtual printer.
pub const PRINTER: u16 = 0x00E;

/// Printer channel commands: write and space 1 line; skip to channel 1 (immediate); space 1
/// line (immediate).
const PRT_WRITE: u8 = 0x09;
const PRT_SKIP1: u8 = 0x8B;
const PRT_SPACE1: u8 = 0x0B;
/// Punch: write (feed a card).
const PUN_WRITE: u8 = 0x01;

/// Lines per printed page by default.
const LINECOUNT: u32 = 55;

/// The heading of a printed page.
const HEADING: &str = "CONVERSATIONAL MONITOR SYSTEM";

/// `:READ` card for a file: `:READ  fn       ft       fm label   m/dd/yy  hh:mm`.
pub fn read_card(f: &Fst, letter: char, label: &str) -> String {
    let fm = format!("{letter}{}", f.mode_number().unwrap_or(1));
    let date = format!("{}/{:02}/{:02}", f.stamp.month, f.stamp.day, f.stamp.year);
    let time = format!("{}:{:02}", f.stamp.hour, f.stamp.minute);
    format!(
        ":READ  {:<8} {:<8} {} {:<6} {:>8}  {:>5}",
        f.id.fname, f.id.ftype, fm, label, date, time
    )
}

impl<H: Host> Cms<'_, H> {
    /// Finds `fn ft [fm|*]` for PRINT/PUNCH/DISK DUMP; `Err(rc)` after the message.
    fn unit_file(&mut self, module: &str, ops: &[String], only: bool) -> Result<(char, Fst), i32> {
        if ops.len() < 2 {
            return Err(self.incomplete(module));
        }
        if ops.len() > 3 {
            return Err(self.bad_parameter(module, &ops[3]));
        }
        let m = ops.get(2).map_or("A", String::as_str).to_string();
        let shown = fid(&ops[0], &ops[1], &m);
        let fname = self.exact_name(module, &ops[0], &shown)?;
        let ftype = self.exact_name(module, &ops[1], &shown)?;
        let scope = match self.mode_operand(module, &m)? {
            ModeOp::Star => Scope::All,
            ModeOp::Letter(l, n) if only => Scope::Only(l, n),
            ModeOp::Letter(l, n) => Scope::Disk(l, n),
        };
        let id = FileId { fname, ftype };
        match self.disks.find(&id, scope) {
            Some(x) => Ok(x),
            None => Err(self.not_found(module, &shown)),
        }
    }

    /// All records of a file, or the read-error message.
    fn records_of(&mut self, module: &str, letter: char, f: &Fst) -> Result<Vec<Vec<u8>>, i32> {
        let text = fid_of(&f.id, letter, f.mode_number());
        let Some(d) = self.disks.get_mut(letter) else { return Err(36) };
        match d.fs.read_records(&f.id) {
            Ok(r) => Ok(r),
            Err(_) => Err(self.read_error(module, &text)),
        }
    }

    fn close(&mut self, cuu: u16) {
        self.host.cp(&format!("CLOSE {cuu:03X}"), false);
    }

    /// `PRINT fn ft [fm|*] [(CC|NOCC HEX LINECOUN n UPCASE]`.
    pub(super) fn print(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let (mut cc, mut hex, mut upper, mut linecount) = (None, false, false, LINECOUNT);
        let mut i = 0;
        while i < opts.len() {
            let o = opts[i].as_str();
            if o == "CC" {
                cc = Some(true);
            } else if o == "NOCC" {
                cc = Some(false);
            } else if o == "HEX" {
                hex = true;
            } else if plist::abbrev(o, "UPCASE", 2) {
                upper = true;
            } else if plist::abbrev(o, "LINECOUN", 2) || o == "LINECOUNT" {
                match opts.get(i + 1).and_then(|v| plist::number(v)) {
                    Some(n) => linecount = n,
                    None => {
                        return self
                            .bad_parameter("PRT", opts.get(i + 1).map_or("", String::as_str));
                    }
                }
                i += 1;
            } else {
                return self.bad_option("PRT", o);
            }
            i += 1;
        }
        let (letter, f) = match self.unit_file("PRT", &ops, false) {
            Ok(x) => x,
            Err(rc) => return rc,
        };
        let cc = cc.unwrap_or(f.id.ftype.to_text() == "LISTING");
        let max = if cc { 133 } else { 132 };
        if !hex && f.lrecl > max {
            return self.error("DMSPRT044E", "RECORD LENGTH EXCEEDS ALLOWABLE MAXIMUM", 32);
        }
        if self.host.device(PRINTER).is_none() {
            return self.error("DMSPRT113S", "PRINTER NOT ATTACHED", 100);
        }
        let recs = match self.records_of("PRT", letter, &f) {
            Ok(r) => r,
            Err(rc) => return rc,
        };
        let title = fid_of(&f.id, letter, f.mode_number());
        let mut page = 0u32;
        let mut on_page = 0u32;
        let mut out: Vec<(u8, Vec<u8>)> = Vec::new();
        let heading = |page: &mut u32, out: &mut Vec<(u8, Vec<u8>)>| {
            *page += 1;
            out.push((PRT_SKIP1, Vec::new()));
            let h = format!("{HEADING:<64}{title:<35}PAGE {:03}", *page);
            out.push((PRT_WRITE, ebcdic::encode(&h)));
            out.push((PRT_SPACE1, Vec::new()));
            out.push((PRT_SPACE1, Vec::new()));
        };
        let lines: Vec<Vec<u8>> = if hex {
            recs.iter()
                .enumerate()
                .flat_map(|(n, r)| {
                    hex_lines(n as u32 + 1, r).into_iter().map(|l| ebcdic::encode(&l))
                })
                .collect()
        } else {
            recs
        };
        for mut l in lines {
            if upper {
                l = ebcdic::encode(&ebcdic::decode(&l).to_uppercase());
            }
            if cc {
                let (ctl, data) = match l.split_first() {
                    Some((&c, rest)) => (c, rest.to_vec()),
                    None => (0x40, Vec::new()),
                };
                match ctl {
                    0xF1 => out.push((PRT_SKIP1, Vec::new())),
                    0xF0 => out.push((PRT_SPACE1, Vec::new())),
                    0x60 => {
                        out.push((PRT_SPACE1, Vec::new()));
                        out.push((PRT_SPACE1, Vec::new()));
                    }
                    _ => {}
                }
                out.push((PRT_WRITE, data));
            } else {
                if on_page == 0 || (linecount > 0 && on_page >= linecount) {
                    heading(&mut page, &mut out);
                    on_page = 0;
                }
                out.push((PRT_WRITE, l));
                on_page += 1;
            }
        }
        for (cmd, data) in out {
            let data = if data.is_empty() && cmd == PRT_WRITE { alloc::vec![0x40] } else { data };
            if self.host.unit_write(PRINTER, cmd, &data).is_err() {
                return self.error("DMSPRT113S", "PRINTER NOT ATTACHED", 100);
            }
        }
        self.close(PRINTER);
        0
    }

    /// `PUNCH fn ft [fm|*] [(HEADER|NOHEADER]`.
    pub(super) fn punch(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut header = true;
        for o in &opts {
            if plist::abbrev(o, "HEADER", 1) {
                header = true;
            } else if plist::abbrev(o, "NOHEADER", 3) {
                header = false;
            } else {
                return self.bad_option("PUN", o);
            }
        }
        let (letter, f) = match self.unit_file("PUN", &ops, false) {
            Ok(x) => x,
            Err(rc) => return rc,
        };
        if f.lrecl > 80 {
            return self.error("DMSPUN044E", "RECORD LENGTH EXCEEDS ALLOWABLE MAXIMUM", 32);
        }
        if self.host.device(PUNCH).is_none() {
            return self.error("DMSPUN113S", "PUNCH NOT ATTACHED", 100);
        }
        let recs = match self.records_of("PUN", letter, &f) {
            Ok(r) => r,
            Err(rc) => return rc,
        };
        let mut cards: Vec<Vec<u8>> = Vec::with_capacity(recs.len() + 1);
        if header {
            let label = self.disks.get(letter).map(|d| d.fs.label()).unwrap_or_default();
            cards.push(ebcdic::encode(&read_card(&f, letter, &label)));
        }
        cards.extend(recs);
        for mut c in cards {
            c.resize(80, 0x40);
            if self.host.unit_write(PUNCH, PUN_WRITE, &c).is_err() {
                return self.error("DMSPUN113S", "PUNCH NOT ATTACHED", 100);
            }
        }
        self.close(PUNCH);
        0
    }

    /// Reads the next reader file's cards; `Err(rc)` after the message when it is empty.
    fn read_spool_file(&mut self, module: &str) -> Result<Vec<Vec<u8>>, i32> {
        let mut cards = Vec::new();
        loop {
            match self.host.unit_read(READER) {
                Ok(Some(c)) => cards.push(c),
                Ok(None) => return Ok(cards),
                Err(UnitError::NotReady | UnitError::NotAttached) if cards.is_empty() => {
                    return Err(self.error(
                        &format!("DMS{module}708E"),
                        "CARD READER EMPTY OR NOT READY",
                        8,
                    ));
                }
                Err(_) => return Ok(cards),
            }
        }
    }

    /// `READCARD fn ft [fm]` or `READCARD * [* [fm]]`.
    pub(super) fn readcard(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        if let Some(o) = opts.first() {
            return self.bad_option("RDC", o);
        }
        if ops.is_empty() {
            return self.incomplete("RDC");
        }
        let by_card = ops[0] == "*";
        let mode = match ops.get(2) {
            None => None,
            Some(m) => match self.mode_operand("RDC", m) {
                Ok(ModeOp::Letter(l, n)) => Some((l, n)),
                Ok(ModeOp::Star) => None,
                Err(rc) => return rc,
            },
        };
        let letter = mode.map_or('A', |m| m.0);
        if self.disks.get(letter).is_none() {
            return self.error("DMSRDC069E", &format!("DISK '{letter}' NOT ACCESSED"), 36);
        }
        if self.disks.get(letter).is_some_and(|d| !d.rw) {
            return self.read_only("RDC", letter);
        }
        if !by_card && ops.len() < 2 {
            return self.incomplete("RDC");
        }
        let cards = match self.read_spool_file("RDC") {
            Ok(c) => c,
            Err(rc) => return rc,
        };
        let stamp = self.now();
        if !by_card {
            let shown = fid(&ops[0], &ops[1], ops.get(2).map_or("A1", String::as_str));
            let (Ok(f), Ok(t)) = (Name::parse(&ops[0]), Name::parse(&ops[1])) else {
                return self.error(
                    "DMSRDC062E",
                    &format!("INVALID CHARACTER IN FILEID '{shown}'"),
                    20,
                );
            };
            let number = mode.and_then(|m| m.1).unwrap_or(1);
            return self.store_cards(
                "RDC",
                letter,
                FileId { fname: f, ftype: t },
                number,
                &cards,
                &shown,
                stamp,
            );
        }
        // By control cards.
        let mut current: Option<(FileId, u8, String)> = None;
        let mut data: Vec<Vec<u8>> = Vec::new();
        let mut first = true;
        let mut rc = 0;
        let mut pending: Vec<(FileId, u8, String, Vec<Vec<u8>>)> = Vec::new();
        for c in cards {
            let text = ebcdic::decode(&c);
            if text.starts_with(":READ") {
                if let Some((id, n, shown)) = current.take() {
                    if data.is_empty() {
                        self.message("DMSRDC701I", "NULL FILE");
                    } else {
                        pending.push((id, n, shown, core::mem::take(&mut data)));
                    }
                }
                let trimmed = text.trim_end().to_string();
                self.message("DMSRDC702I", &trimmed);
                let words: Vec<&str> = text[5..].split_ascii_whitespace().collect();
                let (Some(f), Some(t)) = (words.first(), words.get(1)) else { continue };
                let (Ok(f), Ok(t)) = (Name::parse(f), Name::parse(t)) else { continue };
                let card_number = words
                    .get(2)
                    .and_then(|m| m.chars().nth(1))
                    .and_then(|d| d.to_digit(10))
                    .map_or(1, |d| d as u8);
                let number = mode.and_then(|m| m.1).unwrap_or(card_number);
                let id = FileId { fname: f, ftype: t };
                current = Some((id, number, fid_of(&id, letter, Some(number))));
                first = false;
            } else {
                if first {
                    self.message("DMSRDC702I", "READ CONTROL CARD MISSING. FOLLOWING ASSUMED:");
                    self.message("DMSRDC702I", ":READ READCARD CMSUT1 A1");
                    let id = FileId::new("READCARD", "CMSUT1").expect("valid");
                    current = Some((id, 1, "READCARD CMSUT1 A1".to_string()));
                    first = false;
                }
                data.push(c);
            }
        }
        if let Some((id, n, shown)) = current.take() {
            pending.push((id, n, shown, data));
        }
        for (id, n, shown, recs) in pending {
            if recs.is_empty() {
                self.message("DMSRDC701I", "NULL FILE");
                continue;
            }
            rc = self.store_cards("RDC", letter, id, n, &recs, &shown, stamp);
            if rc != 0 {
                break;
            }
        }
        rc
    }

    #[allow(clippy::too_many_arguments)] // the file id and its messages
    fn store_cards(
        &mut self,
        module: &str,
        letter: char,
        id: FileId,
        number: u8,
        cards: &[Vec<u8>],
        shown: &str,
        stamp: Timestamp,
    ) -> i32 {
        if cards.is_empty() {
            self.message("DMSRDC701I", "NULL FILE");
            return 0;
        }
        let lrecl = cards.iter().map(Vec::len).max().unwrap_or(80).max(80) as u32;
        let recs: Vec<Vec<u8>> = cards
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.resize(lrecl as usize, 0x40);
                c
            })
            .collect();
        let mode = FileMode::new(letter, number).expect("valid");
        let Some(d) = self.disks.get_mut(letter) else { return 36 };
        match d.fs.write_file(id, mode, RecFm::F, lrecl, WriteMode::Replace, &recs, stamp) {
            Ok(_) => 0,
            Err(e) => self.write_error(module, letter, shown, &e),
        }
    }

    /// `DISK DUMP fn ft [fm]` / `DISK LOAD`.
    pub(super) fn disk_command(&mut self, args: &[String]) -> i32 {
        let Some(func) = args.first().cloned() else {
            return self.error("DMSDSK047E", "NO FUNCTION SPECIFIED", 24);
        };
        match func.as_str() {
            "DUMP" => self.disk_dump(&args[1..]),
            "LOAD" => self.disk_load(),
            f => self.error("DMSDSK014E", &format!("INVALID FUNCTION '{f}'"), 24),
        }
    }

    fn disk_dump(&mut self, args: &[String]) -> i32 {
        let (ops, _) = plist::split(args);
        let (letter, f) = match self.unit_file("DSK", &ops, true) {
            Ok(x) => x,
            Err(rc) => return rc,
        };
        if self.host.device(PUNCH).is_none() {
            return self.error("DMSDSK113S", "PUNCH NOT ATTACHED", 100);
        }
        let recs = match self.records_of("DSK", letter, &f) {
            Ok(r) => r,
            Err(rc) => return rc,
        };
        let mut data = Vec::new();
        for r in &recs {
            if f.recfm == RecFm::V {
                data.extend_from_slice(&(r.len() as u16).to_be_bytes());
            }
            data.extend_from_slice(r);
        }
        let mut number = 0u32;
        let mut card = |last: bool, payload: &[u8]| -> Vec<u8> {
            number += 1;
            let mut c = alloc::vec![0x40u8; 80];
            c[0] = 0x02;
            c[1..4].copy_from_slice(&[0xC3, 0xD4, 0xE2]); // CMS
            c[4] = if last { 0xD5 } else { 0x40 }; // N
            c[5..7].copy_from_slice(&(payload.len() as u16).to_be_bytes());
            c[7..57].fill(0);
            c[7..7 + payload.len()].copy_from_slice(payload);
            c[72..80].copy_from_slice(&ebcdic::encode(&format!("{number:08}")));
            c
        };
        let mut cards: Vec<Vec<u8>> = data.chunks(50).map(|p| card(false, p)).collect();
        let mut fst = f;
        fst.first_chain_link = 0;
        fst.write_pointer = 0;
        fst.read_pointer = 0;
        fst.mode_raw = FileMode::new('A', f.mode_number().unwrap_or(1)).expect("valid").to_ebcdic();
        cards.push(card(true, &fst.to_bytes()));
        for c in cards {
            if self.host.unit_write(PUNCH, PUN_WRITE, &c).is_err() {
                return self.error("DMSDSK113S", "PUNCH NOT ATTACHED", 100);
            }
        }
        self.close(PUNCH);
        0
    }

    fn disk_load(&mut self) -> i32 {
        if self.disks.get('A').is_none_or(|d| !d.rw) {
            return self.read_only("DSK", 'A');
        }
        let cards = match self.read_spool_file("DSK") {
            Ok(c) => c,
            Err(rc) => return rc,
        };
        let mut data: Vec<u8> = Vec::new();
        let mut files: Vec<(Fst, Vec<u8>)> = Vec::new();
        for c in &cards {
            if c.len() < 57 || c[0] != 0x02 || c[1..4] != [0xC3, 0xD4, 0xE2] {
                return self.error("DMSDSK078E", "INVALID CARD IN READER FILE", 32);
            }
            let n = usize::from(u16::from_be_bytes([c[5], c[6]]));
            if c[4] == 0xD5 {
                if n != 40 {
                    return self.error("DMSDSK078E", "INVALID CARD IN READER FILE", 32);
                }
                let mut raw = [0u8; 40];
                raw.copy_from_slice(&c[7..47]);
                files.push((Fst::from_bytes(&raw), core::mem::take(&mut data)));
            } else {
                if n > 50 {
                    return self.error("DMSDSK078E", "INVALID CARD IN READER FILE", 32);
                }
                data.extend_from_slice(&c[7..7 + n]);
            }
        }
        if !data.is_empty() || files.is_empty() {
            return self.error("DMSDSK078E", "INVALID CARD IN READER FILE", 32);
        }
        for (fst, bytes) in files {
            let mut recs: Vec<Vec<u8>> = Vec::new();
            let mut at = 0;
            let ok = match fst.recfm {
                RecFm::F if fst.lrecl > 0 => {
                    for chunk in bytes.chunks(fst.lrecl as usize) {
                        recs.push(chunk.to_vec());
                    }
                    bytes.len() % fst.lrecl as usize == 0
                }
                RecFm::V => loop {
                    if at == bytes.len() {
                        break true;
                    }
                    if at + 2 > bytes.len() {
                        break false;
                    }
                    let l = usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
                    if at + 2 + l > bytes.len() {
                        break false;
                    }
                    recs.push(bytes[at + 2..at + 2 + l].to_vec());
                    at += 2 + l;
                },
                _ => false,
            };
            if !ok {
                return self.error("DMSDSK078E", "INVALID CARD IN READER FILE", 32);
            }
            let number = fst.mode_number().unwrap_or(1);
            let shown = fid_of(&fst.id, 'A', Some(number));
            let mode = FileMode::new('A', number).expect("valid");
            let Some(d) = self.disks.get_mut('A') else { return 36 };
            if let Err(e) = d.fs.write_file(
                fst.id,
                mode,
                fst.recfm,
                fst.lrecl,
                WriteMode::Replace,
                &recs,
                fst.stamp,
            ) {
                return self.write_error("DSK", 'A', &shown, &e);
            }
            self.say(&shown);
        }
        0
    }
}
