//! Spooled unit-record devices: the virtual reader reads the files in its owner's reader
//! queue; the virtual punch and printer (the `s370` models) collect records that CLOSE turns
//! into spool files.
//!
//! The reader works as VM/370's does (CP Command Reference, SPOOL and CLOSE): it opens the
//! first file of its class (in queue order, skipping held files), gives one record per read,
//! and at the end of the file presents unit exception (`EOF`) or unit check with intervention
//! required (`NOEOF`); with `CONT` it goes straight on to the next file and signals the end
//! only when no file is left. A file read to its end is purged, or kept when the reader is
//! spooled `HOLD` (held for the user when also `CONT`). With no file to read, a read gets
//! intervention required. The file being read is marked in use in the spool, so commands
//! leave it alone; `CLOSE RDR` ends its use and the reader lets it go.

use std::sync::{Arc, Mutex};

use s370::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};
use s370::devices::sense;

use crate::spool::{Queue, SpoolStore};

/// The spooling options of a virtual unit-record device (`SPOOL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolOptions {
    /// Class (`*` = any, readers only).
    pub class: char,
    /// Continuous spooling: CLOSE is not implied at the end of a file.
    pub cont: bool,
    /// Files are held when closed (or, for a reader, kept after reading).
    pub hold: bool,
    /// Copies (1-99).
    pub copies: u8,
    /// Send closed files to this user's reader (`SPOOL PUNCH TO user`).
    pub to: Option<String>,
    /// Produce files for this user (`FOR user`).
    pub for_user: Option<String>,
    /// Reader: present unit exception at the end of each file (`EOF`), the R6 default.
    pub eof: bool,
    /// Records read (reader) this session, for INDICATE USER.
    pub records: u64,
}

impl SpoolOptions {
    /// The defaults of a virtual reader: class `*`, NOHOLD, NOCONT, EOF.
    pub fn reader() -> SpoolOptions {
        SpoolOptions {
            class: '*',
            cont: false,
            hold: false,
            copies: 1,
            to: None,
            for_user: None,
            eof: true,
            records: 0,
        }
    }

    /// The defaults of a virtual punch or printer of class `class`.
    pub fn output(class: char) -> SpoolOptions {
        SpoolOptions {
            class,
            cont: false,
            hold: false,
            copies: 1,
            to: None,
            for_user: None,
            eof: true,
            records: 0,
        }
    }
}

/// A virtual 2540 reader on a user's reader queue.
#[derive(Debug)]
pub struct SpoolReader {
    spool: Arc<Mutex<SpoolStore>>,
    owner: String,
    /// Options (class, HOLD) — shared with CP's SPOOL command.
    pub options: Arc<Mutex<SpoolOptions>>,
    open: Option<OpenFile>,
    sense: u8,
}

#[derive(Debug)]
struct OpenFile {
    id: u16,
    records: Vec<Vec<u8>>,
    next: usize,
}

impl SpoolReader {
    /// A reader for `owner`'s reader queue.
    pub fn new(
        spool: Arc<Mutex<SpoolStore>>,
        owner: &str,
        options: Arc<Mutex<SpoolOptions>>,
    ) -> SpoolReader {
        SpoolReader { spool, owner: owner.to_string(), options, open: None, sense: 0 }
    }

    /// The spool id of the file being read, if one is open.
    pub fn open_file(&self) -> Option<u16> {
        self.open.as_ref().map(|f| f.id)
    }

    fn options(&self) -> SpoolOptions {
        self.options.lock().map(|o| o.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    fn open_next(&mut self) -> bool {
        let class = self.options().class;
        let mut spool = self.spool.lock().unwrap_or_else(|p| p.into_inner());
        let next = spool
            .queue(&self.owner, Queue::Reader)
            .into_iter()
            .find(|f| !f.hold && !spool.in_use(f.id) && (class == '*' || f.class == class))
            .map(|f| OpenFile {
                id: f.id,
                records: f.records.iter().map(|r| r.data.clone()).collect(),
                next: 0,
            });
        if let Some(f) = &next {
            spool.set_in_use(f.id, true);
        }
        drop(spool);
        self.open = next;
        self.open.is_some()
    }

    /// Lets go of the open file if CP ended its use (CLOSE RDR, or it was purged).
    fn check_still_open(&mut self) {
        if let Some(f) = &self.open {
            let spool = self.spool.lock().unwrap_or_else(|p| p.into_inner());
            if !spool.in_use(f.id) {
                drop(spool);
                self.open = None;
            }
        }
    }

    fn finish_file(&mut self) {
        let Some(f) = self.open.take() else { return };
        let o = self.options();
        let mut spool = self.spool.lock().unwrap_or_else(|p| p.into_inner());
        spool.set_in_use(f.id, false);
        // A file read to its end is gone, unless the reader keeps what it reads: saved
        // (readable again), or held for the user when the reader is also continuous.
        let _ = match (o.hold, o.cont) {
            (true, true) => spool.update(f.id, |s| s.hold = true),
            (true, false) => Ok(()),
            (false, _) => spool.purge(f.id).map(|_| ()),
        };
    }

    fn end_of_file(&mut self, eof: bool) -> Response {
        if eof {
            Response::Status(unit::CE_DE | unit::UNIT_EXCEPTION)
        } else {
            self.sense = sense::INTERVENTION_REQUIRED;
            Response::Status(unit::CE_DE | unit::UNIT_CHECK)
        }
    }

    fn read(&mut self, data: &mut dyn DataPath) -> Response {
        self.check_still_open();
        if self.open.is_none() && !self.open_next() {
            self.sense = sense::INTERVENTION_REQUIRED;
            return Response::Status(unit::CE_DE | unit::UNIT_CHECK);
        }
        loop {
            let f = self.open.as_mut().expect("opened above");
            if let Some(rec) = f.records.get(f.next) {
                let mut card = [0x40u8; 80];
                let n = rec.len().min(80);
                card[..n].copy_from_slice(&rec[..n]);
                f.next += 1;
                data.put(&card);
                if let Ok(mut o) = self.options.lock() {
                    o.records += 1;
                }
                return Response::Status(unit::CE_DE);
            }
            let o = self.options();
            self.finish_file();
            if !(o.cont && self.open_next()) {
                return self.end_of_file(o.eof);
            }
        }
    }
}

impl Device for SpoolReader {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        match cmd.code {
            0x04 => {
                data.put(&[self.sense]);
                self.sense = 0;
                Response::Status(unit::CE_DE)
            }
            c if c & 0x03 == 0x02 && c & 0x0F != 0x0C => {
                self.sense = 0;
                self.read(data)
            }
            c if c & 0x03 == 0x03 => Response::Status(unit::CE_DE),
            _ => {
                self.sense = sense::COMMAND_REJECT;
                Response::Status(unit::CE_DE | unit::UNIT_CHECK)
            }
        }
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Reader, device_type: 0x2540, model: 1 }
    }

    fn reset(&mut self) {
        self.sense = 0;
    }
}
