//! QUERY and SET (commands.md §6).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::plist;
use super::{Cms, Host};

fn on_off(b: bool) -> &'static str {
    if b { "ON" } else { "OFF" }
}

/// The device type a QUERY DISK line shows, from the MFD unit type byte.
fn devtype_name(unit: u8) -> &'static str {
    match unit {
        0x09 => "3330",
        0x08 => "2314",
        _ => "3350",
    }
}

impl<H: Host> Cms<'_, H> {
    /// The QUERY DISK line of the disk at `letter`.
    pub(super) fn disk_line(&self, letter: char) -> Option<String> {
        let d = self.disks.get(letter)?;
        let s = d.fs.status();
        let pct = if s.blocks == 0 { 0 } else { u64::from(s.used) * 100 / u64::from(s.blocks) };
        Some(format!(
            "{} ({:03X}): {} FILES, {} REC IN USE, {} LEFT (OF {}), {}% FULL ({} CYL), {}, {}",
            letter,
            d.cuu,
            s.files,
            s.used,
            s.left,
            s.blocks,
            pct,
            s.cylinders,
            devtype_name(s.unit_type),
            if d.rw { "R/W" } else { "R/O" }
        ))
    }

    /// `QUERY function [(STACK [FIFO|LIFO] | FIFO | LIFO]`.
    pub(super) fn query(&mut self, args: &[String], line: &str) -> i32 {
        let (ops, opts) = plist::split(args);
        let Some(func) = ops.first().cloned() else {
            return self.error("DMSQRY047E", "NO FUNCTION SPECIFIED", 24);
        };
        let mut stack: Option<bool> = None; // Some(lifo)
        for o in &opts {
            match o.as_str() {
                "STACK" | "FIFO" => stack = Some(stack.unwrap_or(false)),
                "LIFO" => stack = Some(true),
                _ => return self.bad_option("QRY", o),
            }
        }
        let s = &self.settings;
        let lines: Vec<String> = match func.as_str() {
            "ABBREV" => alloc::vec![format!("ABBREV = {}", on_off(s.abbrev))],
            "IMPCP" => alloc::vec![format!("IMPCP = {}", on_off(s.impcp))],
            "IMPEX" => alloc::vec![format!("IMPEX = {}", on_off(s.impex))],
            "PROTECT" => alloc::vec![format!("PROTECT = {}", on_off(s.protect))],
            "RELPAGE" => alloc::vec![format!("RELPAGE = {}", on_off(s.relpage))],
            "REDTYPE" => alloc::vec![format!("REDTYPE = {}", on_off(s.redtype))],
            "AUTOREAD" => alloc::vec![format!("AUTOREAD = {}", on_off(s.autoread))],
            "RDYMSG" => {
                alloc::vec![format!("RDYMSG = {}", if s.lmsg { "LMSG" } else { "SMSG" })]
            }
            "BLIP" => alloc::vec![match &s.blip {
                None => "BLIP = OFF".to_string(),
                Some(b) => format!("BLIP = {b}"),
            }],
            "LDRTBLS" => alloc::vec![format!("LDRTBLS = {}", s.ldrtbls)],
            "INPUT" => alloc::vec!["INPUT = NONE".to_string()],
            "OUTPUT" => alloc::vec!["OUTPUT = NONE".to_string()],
            "DISK" => match self.query_disk(ops.get(1).map(String::as_str)) {
                Ok(l) => l,
                Err(rc) => return rc,
            },
            "SEARCH" => self.query_search(),
            other => {
                if self.settings.impcp {
                    let cmd = format!("QUERY {}", super::after_first_word(line));
                    return self.host.cp(cmd.trim(), false).rc;
                }
                return self.error("DMSQRY014E", &format!("INVALID FUNCTION '{other}'"), 24);
            }
        };
        match stack {
            Some(lifo) => {
                for l in lines {
                    if lifo {
                        self.stack.push_front(l);
                    } else {
                        self.stack.push_back(l);
                    }
                }
            }
            None => {
                for l in lines {
                    self.say(&l);
                }
            }
        }
        0
    }

    fn query_disk(&mut self, which: Option<&str>) -> Result<Vec<String>, i32> {
        let letters: Vec<char> = match which.unwrap_or("*") {
            "*" => self.disks.search_order(),
            "MAX" => self.disks.most_free_rw().into_iter().collect(),
            "R/W" => self
                .disks
                .search_order()
                .into_iter()
                .filter(|&l| self.disks.get(l).is_some_and(|d| d.rw))
                .collect(),
            m => {
                let mut c = m.chars();
                match (c.next(), c.next()) {
                    (Some(l), None) if l.is_ascii_uppercase() => {
                        if self.disks.get(l).is_none() {
                            return Err(self.error(
                                "DMSQRY069E",
                                &format!("DISK '{l}' NOT ACCESSED"),
                                36,
                            ));
                        }
                        alloc::vec![l]
                    }
                    _ => return Err(self.error("DMSQRY048E", &format!("INVALID MODE '{m}'"), 24)),
                }
            }
        };
        Ok(letters.into_iter().filter_map(|l| self.disk_line(l)).collect())
    }

    fn query_search(&self) -> Vec<String> {
        self.disks
            .search_order()
            .into_iter()
            .filter_map(|l| {
                let d = self.disks.get(l)?;
                Some(format!(
                    "{:<8} {:03X}  {:<4} {}",
                    d.fs.label(),
                    d.cuu,
                    d.mode_field(),
                    if d.rw { "R/W" } else { "R/O" }
                ))
            })
            .collect()
    }

    /// `SET function value`.
    pub(super) fn set(&mut self, args: &[String], line: &str) -> i32 {
        let Some(func) = args.first().cloned() else {
            return self.error("DMSSET047E", "NO FUNCTION SPECIFIED", 24);
        };
        let value = args.get(1).cloned().unwrap_or_default();
        let flag = |v: &str| match v {
            "ON" => Some(true),
            "OFF" => Some(false),
            _ => None,
        };
        let bad = |me: &mut Self, v: &str| me.bad_parameter("SET", v);
        macro_rules! toggle {
            ($field:ident) => {
                match flag(&value) {
                    Some(b) => {
                        self.settings.$field = b;
                        0
                    }
                    None => bad(self, &value),
                }
            };
        }
        match func.as_str() {
            "ABBREV" => toggle!(abbrev),
            "IMPCP" => toggle!(impcp),
            "IMPEX" => toggle!(impex),
            "PROTECT" => toggle!(protect),
            "RELPAGE" => toggle!(relpage),
            "REDTYPE" => toggle!(redtype),
            "AUTOREAD" => toggle!(autoread),
            "RDYMSG" => match value.as_str() {
                "LMSG" => {
                    self.settings.lmsg = true;
                    0
                }
                "SMSG" => {
                    self.settings.lmsg = false;
                    0
                }
                v => bad(self, v),
            },
            "BLIP" => {
                match value.as_str() {
                    "" => return bad(self, ""),
                    "OFF" => self.settings.blip = None,
                    "ON" => self.settings.blip = Some("*".to_string()),
                    s => self.settings.blip = Some(s.to_string()),
                }
                0
            }
            "LDRTBLS" => match plist::number(&value).filter(|&n| n <= 128) {
                Some(n) => {
                    self.settings.ldrtbls = n;
                    0
                }
                None => bad(self, &value),
            },
            "INPUT" | "OUTPUT" => 0,
            other => {
                if self.settings.impcp {
                    let cmd = format!("SET {}", super::after_first_word(line));
                    return self.host.cp(cmd.trim(), false).rc;
                }
                self.error("DMSSET014E", &format!("INVALID FUNCTION '{other}'"), 24)
            }
        }
    }
}
