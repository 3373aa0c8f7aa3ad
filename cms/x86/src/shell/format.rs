//! FORMAT (commands.md §7.3): a new CMS disk, a new label, or the QUERY DISK line (RECOMP).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;

use super::host::DevClass;
use super::plist;
use super::{Cms, Host};
use crate::fs::{Block, BlockDevice, CmsDisk, DeviceError, Geometry, ebcdic};

/// A device seen with fewer cylinders than it has (`FORMAT cuu m ncyl`).
struct Limited {
    dev: Box<dyn BlockDevice>,
    cylinders: u32,
}

impl BlockDevice for Limited {
    fn geometry(&self) -> Geometry {
        Geometry { cylinders: self.cylinders, ..self.dev.geometry() }
    }
    fn block_count(&self) -> u32 {
        self.geometry().blocks()
    }
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        if block > self.block_count() {
            return Err(DeviceError::OutOfRange { block });
        }
        self.dev.read_block(block, buf)
    }
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        if block > self.block_count() {
            return Err(DeviceError::OutOfRange { block });
        }
        self.dev.write_block(block, buf)
    }
}

/// Block 3 of a CMS disk labelled `label` (any 1-6 characters; blanks pad).
fn label_block(label: &str) -> Box<Block> {
    let mut b = Box::new([0u8; crate::fs::BLOCK_SIZE]);
    b[..4].copy_from_slice(&[0xC3, 0xD4, 0xE2, 0x7E]); // C'CMS='
    let mut l = ebcdic::encode(label);
    l.resize(6, 0x40);
    b[4..10].copy_from_slice(&l[..6]);
    b
}

impl<H: Host> Cms<'_, H> {
    /// Asks for the disk label (`DMSFOR605R`) and returns it: 6 characters at most.
    fn ask_label(&mut self) -> Option<String> {
        self.message("DMSFOR605R", "ENTER DISK LABEL:");
        let l = self.read_line(true)?;
        Some(l.trim().chars().take(6).collect())
    }

    /// `FORMAT cuu m [ncyl] [(LABEL|RECOMP]`.
    pub(super) fn format(&mut self, args: &[String]) -> i32 {
        let (ops, opts) = plist::split(args);
        let (mut label_only, mut recomp) = (false, false);
        for o in &opts {
            if plist::abbrev(o, "LABEL", 1) {
                label_only = true;
            } else if plist::abbrev(o, "RECOMP", 1) {
                recomp = true;
            } else {
                return self.bad_option("FOR", o);
            }
        }
        if ops.len() < 2 {
            return self.error("DMSFOR028E", "NO DEVICE SPECIFIED", 24);
        }
        let Some(cuu) = plist::cuu(&ops[0]) else {
            return self.error("DMSFOR017E", &format!("INVALID DEVICE ADDRESS '{}'", ops[0]), 24);
        };
        let letter = match ops[1].chars().next() {
            Some(l) if ops[1].len() == 1 && matches!(l, 'A'..='G' | 'Y' | 'Z') => l,
            _ => return self.error("DMSFOR048E", &format!("INVALID MODE '{}'", ops[1]), 24),
        };
        let ncyl = match ops.get(2) {
            None => None,
            Some(n) => match plist::number(n).filter(|&n| n > 0) {
                Some(n) => Some(n),
                None => return self.bad_parameter("FOR", n),
            },
        };
        if ops.len() > 3 {
            return self.bad_parameter("FOR", &ops[3]);
        }
        let Some(info) = self.host.device(cuu) else {
            return self.error("DMSFOR113S", &format!("{letter} ({cuu:03X}) NOT ATTACHED"), 100);
        };
        if info.class != DevClass::Dasd {
            return self.error(
                "DMSFOR112S",
                &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"),
                100,
            );
        }
        if info.read_only {
            return self.read_only("FOR", letter);
        }
        if recomp {
            return self.recomp(cuu, letter, ncyl);
        }
        if label_only {
            return self.relabel(cuu, letter);
        }
        self.message(
            "DMSFOR603R",
            &format!(
                "FORMAT WILL ERASE ALL FILES ON DISK '{letter}({cuu:03X})'.  DO YOU WISH TO CONTINUE? (YES|NO):"
            ),
        );
        let answer = self.read_line(true).unwrap_or_default();
        let a = answer.trim();
        if a.is_empty() || !"YES".starts_with(a) {
            self.message("DMSFOR705I", "DISK REMAINS UNCHANGED");
            return 0;
        }
        let Some(label) = self.ask_label() else { return 0 };
        self.disks.remove(letter);
        for l in self.disks.letters_of(cuu) {
            self.disks.remove(l);
        }
        self.message("DMSFOR733I", &format!("FORMATTING DISK '{letter}'"));
        let device_error = |me: &mut Self| {
            me.error("DMSFOR112S", &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"), 100)
        };
        let Ok(cyls) = self.host.format_tracks(cuu, ncyl) else { return device_error(self) };
        let Ok(dev) = self.host.open_disk(cuu) else { return device_error(self) };
        let mut dev: Box<dyn BlockDevice> = Box::new(Limited { dev, cylinders: cyls });
        if crate::fs::format(&mut dev, "CMS").is_err()
            || dev.write_block(3, &label_block(&label)).is_err()
        {
            return device_error(self);
        }
        let Ok(fs) = CmsDisk::mount(dev) else { return device_error(self) };
        self.message(
            "DMSFOR732I",
            &format!("'{cyls}' CYLINDERS FORMATTED ON DISK '{letter}({cuu:03X})'"),
        );
        self.disks.insert(super::disks::Disk {
            letter,
            cuu,
            parent: None,
            rw: true,
            mode0: false,
            subset: None,
            fs,
        });
        0
    }

    /// `FORMAT cuu m (LABEL`: only the label changes.
    fn relabel(&mut self, cuu: u16, letter: char) -> i32 {
        let Some(label) = self.ask_label() else { return 0 };
        let Ok(mut dev) = self.host.open_disk(cuu) else {
            return self.error(
                "DMSFOR112S",
                &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"),
                100,
            );
        };
        if dev.write_block(3, &label_block(&label)).is_err() {
            return self.error(
                "DMSFOR112S",
                &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"),
                100,
            );
        }
        // Every letter the disk is accessed at sees the new label.
        for l in self.disks.letters_of(cuu) {
            if let Some(d) = self.disks.get_mut(l)
                && let Ok(dev) = self.host.open_disk(cuu)
                && let Ok(fs) = CmsDisk::mount(dev)
            {
                d.fs = fs;
            }
        }
        0
    }

    /// `FORMAT cuu m [ncyl] (RECOMP`: the disk keeps its files; its QUERY DISK line is typed.
    fn recomp(&mut self, cuu: u16, letter: char, ncyl: Option<u32>) -> i32 {
        if self.disks.get(letter).is_none_or(|d| d.cuu != cuu) {
            let Ok(dev) = self.host.open_disk(cuu) else {
                return self.error(
                    "DMSFOR112S",
                    &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"),
                    100,
                );
            };
            let Ok(fs) = CmsDisk::mount(dev) else {
                return self.error(
                    "DMSFOR112S",
                    &format!("DISK '{letter}({cuu:03X})' DEVICE ERROR"),
                    100,
                );
            };
            self.disks.insert(super::disks::Disk {
                letter,
                cuu,
                parent: None,
                rw: true,
                mode0: false,
                subset: None,
                fs,
            });
        }
        let current = self.disks.get(letter).map_or(0, |d| d.fs.status().cylinders);
        if let Some(n) = ncyl
            && n != current
        {
            // Changing a disk's size in place is not provided: the files would have to be
            // checked against the new end block by block.
            return self.bad_parameter("FOR", &format!("{n}"));
        }
        if let Some(l) = self.disk_line(letter) {
            self.say(&l);
        }
        0
    }
}
