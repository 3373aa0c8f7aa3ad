//! ACCESS and RELEASE (commands.md §7.1, §7.2), and the disks accessed at IPL.

use alloc::format;
use alloc::string::{String, ToString};

use super::disks::{Disk, MAX_DISKS};
use super::host::DevClass;
use super::plist;
use super::{Cms, Host};
use crate::fs::{CmsDisk, FilePattern};

/// Why a disk could not be mounted.
enum MountError {
    NotAttached,
    DeviceError,
}

impl<H: Host> Cms<'_, H> {
    /// Mounts the CMS disk at `cuu`; `Ok((disk, read_only))`.
    fn mount(
        &mut self,
        cuu: u16,
    ) -> Result<(CmsDisk<alloc::boxed::Box<dyn crate::fs::BlockDevice>>, bool), MountError> {
        let Some(info) = self.host.device(cuu) else { return Err(MountError::NotAttached) };
        if info.class != DevClass::Dasd {
            return Err(MountError::DeviceError);
        }
        let dev = self.host.open_disk(cuu).map_err(|_| MountError::DeviceError)?;
        let fs = CmsDisk::mount(dev).map_err(|_| MountError::DeviceError)?;
        Ok((fs, info.read_only))
    }

    /// Accesses a default disk at IPL: silently, except `m (cuu) R/O` for a read-only disk
    /// that is not the S-disk.
    pub(super) fn access_default(&mut self, cuu: u16, letter: char, parent: Option<char>) {
        let Ok((fs, ro)) = self.mount(cuu) else { return };
        let rw = !ro && parent.is_none();
        if !rw && letter != 'S' {
            self.message("DMSACC723I", &format!("{letter} ({cuu:03X}) R/O"));
        }
        self.disks.insert(Disk { letter, cuu, parent, rw, mode0: false, subset: None, fs });
    }

    /// `ACCESS [cuu [m[/p [fn [ft [fm]]]]]] [(ERASE|MODE0|NODISK|NOPROF]`.
    pub(super) fn access(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let (mut erase, mut mode0) = (false, false);
        for o in &opts {
            match o.as_str() {
                "ERASE" => erase = true,
                "MODE0" => mode0 = true,
                "NODISK" | "NOPROF" => {}
                _ => return self.bad_option("ACC", o),
            }
        }
        let cuu_text = ops.first().map_or("191", String::as_str).to_string();
        let Some(cuu) = plist::cuu(&cuu_text) else {
            return self.error("DMSACC017E", &format!("INVALID DEVICE ADDRESS '{cuu_text}'"), 24);
        };
        let mode_text = ops.get(1).map_or("A", String::as_str).to_string();
        let (letter, parent) = match mode_text.split_once('/') {
            Some((m, p)) => (m.to_string(), Some(p.to_string())),
            None => (mode_text.clone(), None),
        };
        let letter = match single_letter(&letter) {
            Some(l) if l != 'S' => l,
            _ => return self.error("DMSACC048E", &format!("INVALID MODE '{letter}'"), 24),
        };
        let parent = match parent {
            None => None,
            Some(p) => match single_letter(&p) {
                Some(p) if p == letter || self.disks.get(p).is_some() => Some(p),
                Some(p) => {
                    return self.error("DMSACC069E", &format!("DISK '{p}' NOT ACCESSED"), 36);
                }
                None => return self.error("DMSACC048E", &format!("INVALID MODE '{p}'"), 24),
            },
        };
        let subset = if ops.len() > 2 {
            if parent.is_none() {
                return self.bad_parameter("ACC", &ops[2]);
            }
            let text = format!(
                "{} {} {}",
                ops[2],
                ops.get(3).map_or("*", String::as_str),
                ops.get(4).map_or("*", String::as_str)
            );
            match FilePattern::parse(&text) {
                Ok(p) => Some((p, text)),
                Err(_) => return self.bad_parameter("ACC", &ops[2]),
            }
        } else {
            None
        };
        // The same R/W disk at the same letter: nothing to do.
        if let Some(d) = self.disks.get(letter)
            && d.cuu == cuu
            && d.rw
            && parent.is_none()
            && !erase
        {
            return 0;
        }
        let replacing_new = self.disks.get(letter).is_none();
        if replacing_new && self.disks.count() >= MAX_DISKS {
            return self.error(
                "DMSACC119S",
                &format!("MAXIMUM NUMBER OF DISKS ({MAX_DISKS}) ALREADY ACCESSED"),
                100,
            );
        }
        let (fs, ro) = match self.mount(cuu) {
            Ok(x) => x,
            Err(MountError::NotAttached) => {
                return self.error(
                    "DMSACC113S",
                    &format!("{letter} ({cuu:03X}) NOT ATTACHED"),
                    100,
                );
            }
            Err(MountError::DeviceError) => {
                return self.error(
                    "DMSACC112S",
                    &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"),
                    100,
                );
            }
        };
        let rw = !ro && parent.is_none();
        if erase && !rw {
            return self.read_only("ACC", letter);
        }
        let mut disk = Disk {
            letter,
            cuu,
            parent: parent.filter(|&p| p != letter),
            rw,
            mode0,
            subset: subset.as_ref().map(|(p, _)| *p),
            fs,
        };
        if let Some((p, text)) = &subset {
            let any = disk.fs.files().any(|f| {
                p.matches_names(&f.id) && p.mode.number.is_none_or(|n| f.mode_number() == Some(n))
            });
            if !any {
                return self.error(
                    "DMSACC060E",
                    &format!("FILE(S) '{text}' NOT FOUND. DISK '{letter}({cuu:03X})' WILL NOT BE ACCESSED"),
                    28,
                );
            }
        }
        // A R/W access of a disk accessed R/W elsewhere moves it; R/O stays at both.
        let mut also = None;
        for other in self.disks.letters_of(cuu) {
            if other == letter {
                continue;
            }
            let other_rw = self.disks.get(other).is_some_and(|d| d.rw);
            if other_rw || rw {
                self.disks.remove(other);
                self.message("DMSACC726I", &format!("{cuu:03X} {other} RELEASED"));
            } else {
                also = Some(other);
            }
        }
        let replaced = self.disks.get(letter).filter(|d| d.cuu != cuu).map(|d| (d.cuu, d.letter));
        if erase {
            let ids: alloc::vec::Vec<_> = disk.fs.files().map(|f| f.id).collect();
            for id in ids {
                if let Err(e) = disk.fs.erase(&id) {
                    let text = format!("{} {} {letter}", id.fname, id.ftype);
                    return self.write_error("ACC", letter, &text, &e);
                }
            }
        }
        self.disks.insert(disk);
        if let Some((old, l)) = replaced {
            self.message("DMSACC724I", &format!("'{cuu:03X}' REPLACES ' {l} ({old:03X}) '"));
        }
        if !rw {
            self.message("DMSACC723I", &format!("{letter} ({cuu:03X}) R/O"));
        }
        if let Some(o) = also {
            self.message("DMSACC725I", &format!("{cuu:03X} ALSO = {o} DISK"));
        }
        0
    }

    /// `RELEASE cuu|m [(DET]`.
    pub(super) fn release(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let mut det = false;
        for o in &opts {
            if o == "DET" {
                det = true;
            } else {
                return self.bad_option("ARE", o);
            }
        }
        let Some(what) = ops.first().cloned() else {
            return self.error("DMSARE028E", "NO DEVICE SPECIFIED", 24);
        };
        let letters = if what.len() == 1 && what.chars().all(|c| c.is_ascii_uppercase()) {
            let l = what.chars().next().expect("one char");
            if l == 'S' {
                return self.error("DMSARE048E", &format!("INVALID MODE '{what}'"), 24);
            }
            if self.disks.get(l).is_none() {
                return self.error("DMSARE069E", &format!("DISK '{l}' NOT ACCESSED"), 36);
            }
            alloc::vec![l]
        } else if let Some(cuu) = plist::cuu(&what) {
            let ls = self.disks.letters_of(cuu);
            if ls.is_empty() {
                return self.error("DMSARE069E", &format!("DISK '{what}' NOT ACCESSED"), 36);
            }
            ls
        } else if what.len() == 1 {
            return self.error("DMSARE048E", &format!("INVALID MODE '{what}'"), 24);
        } else {
            return self.error("DMSARE017E", &format!("INVALID DEVICE ADDRESS '{what}'"), 24);
        };
        let cuu = self.disks.get(letters[0]).map(|d| d.cuu);
        for l in letters {
            self.disks.remove(l);
        }
        if det && let Some(c) = cuu {
            self.host.cp(&format!("DETACH {c:03X}"), false);
        }
        0
    }
}

/// A single letter A-Z.
fn single_letter(s: &str) -> Option<char> {
    let mut c = s.chars();
    let l = c.next()?;
    (c.next().is_none() && l.is_ascii_uppercase()).then_some(l)
}
