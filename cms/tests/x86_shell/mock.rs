//! An in-memory machine for the x86 CMS shell: a scripted console, minidisks in memory, a
//! little of CP (the commands the CMS sessions use), a reader, punch and printer.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use cms::fs::{Block, BlockDevice, CmsDisk, DeviceError, Geometry, MemDevice};

use crate::shell::{Clock, CpReply, DevClass, DeviceInfo, DiskError, Host, UnitError};

/// A minidisk shared between the mock and the disks CMS has open.
#[derive(Clone)]
pub struct SharedDisk(pub Rc<RefCell<MemDevice>>);

impl BlockDevice for SharedDisk {
    fn geometry(&self) -> Geometry {
        self.0.borrow().geometry()
    }
    fn block_count(&self) -> u32 {
        self.0.borrow().block_count()
    }
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        self.0.borrow_mut().read_block(block, buf)
    }
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        self.0.borrow_mut().write_block(block, buf)
    }
}

/// A minidisk and how it is linked.
pub struct MockDisk {
    /// The blocks.
    pub dev: SharedDisk,
    /// Linked read-only.
    pub read_only: bool,
}

/// One thing CMS saw on the console: a line it typed, or an input it consumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// A line typed.
    Line(String),
    /// The next scripted input was consumed here (a step boundary).
    Step,
}

/// What CP's `SET EMSG` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emsg {
    /// Code and text.
    On,
    /// Text only (the default).
    Text,
    /// Code only.
    Code,
    /// Nothing.
    Off,
}

/// The mock machine.
pub struct Mock {
    /// Lines still to be typed.
    pub input: VecDeque<String>,
    /// What happened on the console.
    pub out: Vec<Out>,
    /// Minidisks by address.
    pub disks: BTreeMap<u16, MockDisk>,
    /// SET EMSG.
    pub emsg: Emsg,
    /// Spool files waiting in the reader.
    pub reader: VecDeque<Vec<Vec<u8>>>,
    /// The spool file being read.
    reading: Option<VecDeque<Vec<u8>>>,
    /// Cards punched since the last CLOSE.
    pub punched: Vec<Vec<u8>>,
    /// Lines printed since the last CLOSE (command, data).
    pub printed: Vec<(u8, Vec<u8>)>,
    /// Closed printer files.
    pub print_files: Vec<Vec<(u8, Vec<u8>)>>,
    /// Where the punch is spooled (`None`: the system; `Some(user)`).
    pub punch_to: Option<String>,
    /// Where the printer is spooled.
    pub printer_to: Option<String>,
    /// Is there a printer?
    pub printer: bool,
    /// CP commands given, in order.
    pub cp_log: Vec<String>,
    /// IPL CMS was asked for: the current CMS ends.
    pub ipl_again: bool,
    /// LOGOFF was asked for.
    pub logged_off: bool,
    /// The user.
    pub userid: String,
    spool_id: u32,
    virt_us: u64,
}

impl Mock {
    /// A machine for `userid` with the console script `input`.
    pub fn new(userid: &str, input: &[&str]) -> Mock {
        Mock {
            input: input.iter().map(|s| s.to_string()).collect(),
            out: Vec::new(),
            disks: BTreeMap::new(),
            emsg: Emsg::Text,
            reader: VecDeque::new(),
            reading: None,
            punched: Vec::new(),
            printed: Vec::new(),
            print_files: Vec::new(),
            punch_to: None,
            printer_to: None,
            printer: true,
            cp_log: Vec::new(),
            ipl_again: false,
            logged_off: false,
            userid: userid.to_uppercase(),
            spool_id: 0,
            virt_us: 0,
        }
    }

    /// Adds a 3350 minidisk of `cyl` cylinders at `cuu`, CMS-formatted with `label` (or all
    /// zeros when `label` is `None`).
    pub fn add_disk(
        &mut self,
        cuu: u16,
        cyl: u32,
        label: Option<&str>,
        read_only: bool,
    ) -> SharedDisk {
        let mut dev = MemDevice::new(Geometry::ibm3350(cyl));
        if let Some(l) = label {
            cms::fs::format(&mut dev, l).expect("format");
        }
        let shared = SharedDisk(Rc::new(RefCell::new(dev)));
        self.disks.insert(cuu, MockDisk { dev: shared.clone(), read_only });
        shared
    }

    /// The lines typed, all of them.
    pub fn lines(&self) -> Vec<String> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Out::Line(l) => Some(l.clone()),
                Out::Step => None,
            })
            .collect()
    }

    /// A mounted view of the disk at `cuu` (to look at what CMS wrote).
    pub fn mount(&self, cuu: u16) -> CmsDisk<SharedDisk> {
        CmsDisk::mount(self.disks[&cuu].dev.clone()).expect("a CMS disk")
    }

    fn say(&mut self, l: &str) {
        self.out.push(Out::Line(l.to_string()));
    }

    fn next_input(&mut self) -> Option<String> {
        let l = self.input.pop_front()?;
        self.out.push(Out::Step);
        Some(l)
    }

    fn close(&mut self, what: &str) {
        let (kind, to, empty) = match what {
            "00D" | "PUN" | "PUNCH" => ("PUN", self.punch_to.clone(), self.punched.is_empty()),
            _ => ("PRT", self.printer_to.clone(), self.printed.is_empty()),
        };
        if empty {
            return;
        }
        self.spool_id += 1;
        if kind == "PUN" {
            let cards = std::mem::take(&mut self.punched);
            if to.as_deref() == Some(self.userid.as_str()) {
                self.reader.push_back(cards);
            }
        } else {
            let lines = std::mem::take(&mut self.printed);
            self.print_files.push(lines);
        }
        if let Some(u) = to {
            let id = self.spool_id;
            self.say(&format!("{kind} FILE {id:04}  TO  {u:<8} COPY 01 NOHOLD"));
        }
    }

    fn cp_line(&mut self, line: &str) -> i32 {
        self.cp_log.push(line.to_string());
        let w: Vec<String> = line.split_whitespace().map(|s| s.to_uppercase()).collect();
        let w: Vec<&str> = w.iter().map(String::as_str).collect();
        match w.as_slice() {
            [] => {
                // CP mode until BEGIN.
                while let Some(l) = self.next_input() {
                    if l.trim().eq_ignore_ascii_case("begin") {
                        break;
                    }
                    self.cp_line(&l);
                }
                0
            }
            ["Q" | "QUERY", "TIME"] => {
                self.say("TIME IS 12:00:00 UTC MONDAY 11/23/26");
                self.say("CONNECT= 00:00:01 VIRTCPU= 000:00.01 TOTCPU= 000:00.01");
                0
            }
            ["SET", "EMSG", v] => {
                self.emsg = match *v {
                    "ON" => Emsg::On,
                    "CODE" => Emsg::Code,
                    "OFF" => Emsg::Off,
                    _ => Emsg::Text,
                };
                0
            }
            ["SP" | "SPOOL", dev, "TO", who] => {
                let who = if *who == "*" { self.userid.clone() } else { who.to_string() };
                if dev.starts_with("PU") {
                    self.punch_to = Some(who);
                } else {
                    self.printer_to = Some(who);
                }
                0
            }
            // Line editing is CP's, before the guest sees a line; the mock has none to change.
            ["TERMINAL" | "TERM", ..] => 0,
            ["CLOSE", what] => {
                self.close(what);
                0
            }
            ["DETACH", "00E" | "PRT" | "PRINTER"] => {
                self.printer = false;
                self.say("PRT 00E DETACHED");
                0
            }
            ["DETACH", cuu] => {
                let c = u16::from_str_radix(cuu, 16).unwrap_or(0);
                if self.disks.remove(&c).is_some() {
                    self.say(&format!("DASD {c:03X} DETACHED"));
                }
                0
            }
            ["IPL", ..] => {
                self.ipl_again = true;
                0
            }
            ["LOGOFF" | "LOG" | "LOGO"] => {
                self.say("CONNECT= 00:00:01 VIRTCPU= 000:00.01 TOTCPU= 000:00.01");
                self.say("LOGOFF AT 12:00:01 UTC MONDAY 11/23/26");
                self.logged_off = true;
                0
            }
            _ => 1,
        }
    }
}

impl Host for Mock {
    fn write_line(&mut self, text: &str) {
        // After LOGOFF or IPL the machine is gone: nothing more reaches the terminal.
        if !self.logged_off && !self.ipl_again {
            self.say(text);
        }
    }

    fn read_line(&mut self) -> Option<String> {
        if self.ipl_again || self.logged_off {
            return None;
        }
        loop {
            let l = self.next_input()?;
            // `#CP` lines never reach the guest.
            if let Some(rest) = l.strip_prefix("#cp").or_else(|| l.strip_prefix("#CP")) {
                self.cp_line(rest.trim());
                continue;
            }
            return Some(l);
        }
    }

    fn attention(&mut self) -> bool {
        false
    }

    fn cp(&mut self, line: &str, capture: bool) -> CpReply {
        let before = self.out.len();
        let rc = self.cp_line(line);
        let mut lines = Vec::new();
        // After LOGOFF or IPL the machine is gone: CP's lines stay on the terminal, as CP
        // types them there itself.
        if capture && !self.logged_off && !self.ipl_again {
            for o in self.out.drain(before..) {
                if let Out::Line(l) = o {
                    lines.push(l);
                }
            }
        }
        CpReply { rc, lines }
    }

    fn edit_message(&mut self, msg: &str) -> String {
        match self.emsg {
            Emsg::On => msg.to_string(),
            Emsg::Text => msg.get(11..).unwrap_or("").to_string(),
            Emsg::Code => msg.chars().take(10).collect(),
            Emsg::Off => String::new(),
        }
    }

    fn device(&mut self, cuu: u16) -> Option<DeviceInfo> {
        let unit = |class| Some(DeviceInfo { class, devtype: 0, read_only: false });
        match cuu {
            0x009 => unit(DevClass::Console),
            0x00C => unit(DevClass::Reader),
            0x00D => unit(DevClass::Punch),
            0x00E if self.printer => unit(DevClass::Printer),
            _ => self.disks.get(&cuu).map(|d| DeviceInfo {
                class: DevClass::Dasd,
                devtype: 3350,
                read_only: d.read_only,
            }),
        }
    }

    fn open_disk(&mut self, cuu: u16) -> Result<Box<dyn BlockDevice>, DiskError> {
        match self.disks.get(&cuu) {
            Some(d) => Ok(Box::new(d.dev.clone())),
            None => Err(DiskError::NotAttached),
        }
    }

    fn format_tracks(&mut self, cuu: u16, cylinders: Option<u32>) -> Result<u32, DiskError> {
        let d = self.disks.get(&cuu).ok_or(DiskError::NotAttached)?;
        let all = d.dev.geometry().cylinders;
        Ok(cylinders.map_or(all, |c| c.min(all)))
    }

    fn clock(&mut self) -> Clock {
        self.virt_us += 1000;
        Clock {
            year: 26,
            month: 11,
            day: 23,
            hour: 12,
            minute: 0,
            second: 5,
            virt_us: self.virt_us,
            total_us: self.virt_us * 2,
        }
    }

    fn unit_write(&mut self, cuu: u16, cmd: u8, data: &[u8]) -> Result<(), UnitError> {
        match cuu {
            0x00D => self.punched.push(data.to_vec()),
            0x00E if self.printer => self.printed.push((cmd, data.to_vec())),
            _ => return Err(UnitError::NotAttached),
        }
        Ok(())
    }

    fn unit_read(&mut self, cuu: u16) -> Result<Option<Vec<u8>>, UnitError> {
        if cuu != 0x00C {
            return Err(UnitError::NotAttached);
        }
        if self.reading.is_none() {
            let f = self.reader.pop_front().ok_or(UnitError::NotReady)?;
            self.reading = Some(f.into());
        }
        let r = self.reading.as_mut().expect("opened");
        match r.pop_front() {
            Some(mut c) => {
                c.resize(80, 0x40);
                Ok(Some(c))
            }
            None => {
                self.reading = None;
                Ok(None)
            }
        }
    }
}
