//! [`shell::Host`](crate::shell::Host) for the x86 virtual machine: every request is a
//! DIAGNOSE or a channel program through the call port, as IBM's CMS does it on S/370.
//!
//! | what | how |
//! |---|---|
//! | console output | SIO on the console with a chain of WRITE (X'09') CCWs, WAIT for its end |
//! | console input | SIO with READ (X'0A', SLI), WAIT; the CSW's residual count gives the length |
//! | attention | an I/O interruption with attention status from the console, seen by any WAIT or POLL |
//! | CP commands | DIAGNOSE X'08' (response captured into a buffer when asked) |
//! | messages | DIAGNOSE X'5C' |
//! | devices | DIAGNOSE X'24' |
//! | minidisks | DIAGNOSE X'18': SEEK, SEARCH ID EQUAL, TIC, READ/WRITE DATA of 800-byte records |
//! | time | DIAGNOSE X'0C' |
//! | reader, punch, printer | DIAGNOSE X'20' with one CCW |

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::abi::{IPL_INFO_LEN, IplInfo, diag, io_op};
use crate::call::{self, Irq};
use crate::fs::{Block, BlockDevice, DeviceError, Geometry, ebcdic};
use crate::low::Area;
use crate::shell::{Clock, CpReply, DevClass, DeviceInfo, DiskError, Host, UnitError};

/// CCW flags: command chaining, suppress incorrect length.
const CC: u8 = 0x40;
const SLI: u8 = 0x20;

/// Console lines written per channel program.
const BATCH: usize = 16;
/// Longest console line.
const LINE: usize = 130;

/// Channel programs.
static CCWS: Area<1024> = Area::new();
/// Console output lines.
static OUT: Area<{ BATCH * LINE }> = Area::new();
/// Console input.
static IN: Area<256> = Area::new();
/// Seek and search arguments.
static ARGS: Area<64> = Area::new();
/// One 800-byte block, or one card or print line.
static BLOCK: Area<832> = Area::new();
/// A track's worth of WRITE CKD count and data areas (19 records of 8 + 800 bytes).
static TRACK: Area<{ 19 * 808 }> = Area::new();
/// DIAGNOSE X'08' command text, X'5C' message, X'0C' clock.
static CMD: Area<256> = Area::new();
/// DIAGNOSE X'08' response.
static RESPONSE: Area<32768> = Area::new();

/// Writes one CCW at slot `i` of an area.
fn put_ccw<const N: usize>(area: &Area<N>, i: usize, cmd: u8, addr: u32, flags: u8, count: u16) {
    let a = addr.to_be_bytes();
    let c = count.to_be_bytes();
    area.put(8 * i, &[cmd, a[1], a[2], a[3], flags, 0, c[0], c[1]]);
}

/// The IPL information block CP wrote, if it is there.
pub fn read_ipl_info(addr: u64) -> Option<IplInfo> {
    if addr == 0 || addr >= 0x1_0000 {
        return None;
    }
    let mut b = [0u8; IPL_INFO_LEN];
    crate::low::read_fixed(addr, &mut b);
    IplInfo::from_bytes(&b)
}

/// The machine's storage size (DIAGNOSE X'60').
pub fn storage_size() -> u64 {
    let r = call::diagnose(diag::STORAGE_SIZE, 2, 0, [0; 16]);
    u64::from(r.gpr[2])
}

/// The virtual console's address (DIAGNOSE X'24' with -1).
fn console_address() -> u16 {
    let mut g = [0u32; 16];
    g[2] = u32::MAX;
    let r = call::diagnose(diag::DEVICE_TYPE, 2, 4, g);
    if r.cc == 3 || r.program_check.is_some() { 0x009 } else { (r.gpr[2] & 0xFFFF) as u16 }
}

/// Writes a line on the console without the heap (the panic handler's last words).
pub fn emergency_write(text: &str) {
    let mut buf = [0x40u8; LINE];
    let mut n = 0;
    for c in text.chars().take(LINE) {
        buf[n] = ebcdic::from_char(c).unwrap_or(0x6F);
        n += 1;
    }
    OUT.put(0, &buf[..n]);
    put_ccw(&CCWS, 0, 0x09, OUT.addr(), SLI, n as u16);
    let console = console_address();
    let (cc, _) = call::io(io_op::SIO, console, CCWS.addr());
    if cc == 0 {
        loop {
            if let Irq::Io(d, _) = call::wait()
                && d == console
            {
                break;
            }
        }
    }
}

/// The CMS machine on x86.
pub struct X86Host {
    console: u16,
    out: Vec<Vec<u8>>,
    attention: bool,
    polls: u32,
}

impl X86Host {
    /// The host for this IPL.
    pub fn new(_info: Option<IplInfo>) -> X86Host {
        X86Host { console: console_address(), out: Vec::new(), attention: false, polls: 0 }
    }

    /// Notes an interruption that is not the one being waited for.
    fn other_interruption(&mut self, irq: Irq) {
        if let Irq::Io(d, csw) = irq
            && d == self.console
            && csw[4] & 0x80 != 0
        {
            self.attention = true;
        }
    }

    /// Waits for the I/O interruption of `device` with device end; returns its CSW.
    fn wait_for(&mut self, device: u16) -> [u8; 8] {
        loop {
            match call::wait() {
                Irq::Io(d, csw) if d == device && csw[4] & 0x04 != 0 => return csw,
                other => self.other_interruption(other),
            }
        }
    }

    /// Starts a channel program on `device` and waits for it to end; `None` if the device
    /// is not there.
    fn start(&mut self, device: u16, ccw: u32) -> Option<[u8; 8]> {
        for _ in 0..1000 {
            let (cc, csw) = call::io(io_op::SIO, device, ccw);
            match cc {
                0 => return Some(self.wait_for(device)),
                1 => return Some(csw),
                2 => {
                    // Busy or an interruption pending: take it and try again.
                    let irq = call::wait();
                    self.other_interruption(irq);
                }
                _ => return None,
            }
        }
        None
    }

    /// Writes the buffered console lines as one channel program.
    fn flush(&mut self) {
        if self.out.is_empty() {
            return;
        }
        let lines = core::mem::take(&mut self.out);
        for chunk in lines.chunks(BATCH) {
            for (i, l) in chunk.iter().enumerate() {
                let at = i * LINE;
                OUT.put(at, l);
                let flags = if i + 1 < chunk.len() { CC | SLI } else { SLI };
                let addr = OUT.addr() + at as u32;
                // A zero count is invalid: an empty line is written as one blank.
                let (addr, n) = if l.is_empty() {
                    OUT.put(at, &[0x40]);
                    (addr, 1)
                } else {
                    (addr, l.len() as u16)
                };
                put_ccw(&CCWS, i, 0x09, addr, flags, n);
            }
            let console = self.console;
            self.start(console, CCWS.addr());
        }
    }

    /// DIAGNOSE X'18' with the channel program at `ccw`; true when it ended cleanly.
    fn dasd_io(cuu: u16, ccw: u32) -> bool {
        let mut g = [0u32; 16];
        g[2] = u32::from(cuu);
        g[4] = ccw;
        let r = call::diagnose(diag::DASD_IO, 2, 4, g);
        r.program_check.is_none() && r.cc == 0
    }

    /// Whether cylinder `cyl` exists on the DASD `cuu` (a SEEK to it succeeds).
    fn seek_ok(cuu: u16, cyl: u32) -> bool {
        let c = (cyl as u16).to_be_bytes();
        ARGS.put(0, &[0, 0, c[0], c[1], 0, 0]);
        put_ccw(&CCWS, 0, 0x07, ARGS.addr(), 0, 6);
        Self::dasd_io(cuu, CCWS.addr())
    }

    /// The geometry of the DASD at `cuu`, cylinders found by seeking.
    fn dasd_geometry(&mut self, cuu: u16) -> Result<Geometry, DiskError> {
        let info = self.device(cuu).ok_or(DiskError::NotAttached)?;
        if info.class != DevClass::Dasd {
            return Err(DiskError::NotDasd);
        }
        let (unit_type, heads, per_track) = match info.devtype {
            3350 => (0x0B, 30, 19),
            3330 => (0x09, 19, 13),
            _ => return Err(DiskError::NotDasd),
        };
        if !Self::seek_ok(cuu, 0) {
            return Err(DiskError::NotDasd);
        }
        // Binary search for the last cylinder that seeks.
        let (mut lo, mut hi) = (0u32, 4096u32);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if Self::seek_ok(cuu, mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(Geometry {
            unit_type,
            cylinders: lo + 1,
            tracks_per_cylinder: heads,
            blocks_per_track: per_track,
        })
    }
}

/// A minidisk as CMS blocks through DIAGNOSE X'18'.
struct Minidisk {
    cuu: u16,
    geometry: Geometry,
}

impl Minidisk {
    /// Runs SEEK, SEARCH ID EQUAL, TIC, then `op` (READ X'06' / WRITE X'05' DATA) of 800 bytes
    /// at the block buffer.
    fn transfer(&self, block: u32, op: u8) -> Result<(), DeviceError> {
        if block == 0 || block > self.geometry.blocks() {
            return Err(DeviceError::OutOfRange { block });
        }
        let per = self.geometry.blocks_per_track;
        let track = (block - 1) / per;
        let rec = ((block - 1) % per + 1) as u8;
        let cyl = (track / self.geometry.tracks_per_cylinder) as u16;
        let head = (track % self.geometry.tracks_per_cylinder) as u16;
        let (c, h) = (cyl.to_be_bytes(), head.to_be_bytes());
        ARGS.put(0, &[0, 0, c[0], c[1], h[0], h[1]]);
        ARGS.put(8, &[c[0], c[1], h[0], h[1], rec]);
        put_ccw(&CCWS, 0, 0x07, ARGS.addr(), CC, 6);
        put_ccw(&CCWS, 1, 0x31, ARGS.addr() + 8, CC, 5);
        put_ccw(&CCWS, 2, 0x08, CCWS.addr() + 8, 0, 0);
        put_ccw(&CCWS, 3, op, BLOCK.addr(), 0, 800);
        if X86Host::dasd_io(self.cuu, CCWS.addr()) {
            Ok(())
        } else {
            Err(DeviceError::Io { block, message: String::from("DIAGNOSE X'18' failed") })
        }
    }
}

impl BlockDevice for Minidisk {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn block_count(&self) -> u32 {
        self.geometry.blocks()
    }

    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        self.transfer(block, 0x06)?;
        BLOCK.get(0, buf);
        Ok(())
    }

    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        BLOCK.put(0, buf);
        self.transfer(block, 0x05)
    }
}

impl Host for X86Host {
    fn write_line(&mut self, text: &str) {
        let mut b: Vec<u8> =
            text.chars().take(LINE).map(|c| ebcdic::from_char(c).unwrap_or(0x6F)).collect();
        b.truncate(LINE);
        self.out.push(b);
        if self.out.len() >= 4 * BATCH {
            self.flush();
        }
    }

    fn read_line(&mut self) -> Option<String> {
        self.flush();
        self.attention = false;
        put_ccw(&CCWS, 0, 0x0A, IN.addr(), SLI, LINE as u16);
        let console = self.console;
        let csw = self.start(console, CCWS.addr())?;
        let residual = usize::from(u16::from_be_bytes([csw[6], csw[7]]));
        let n = LINE.saturating_sub(residual);
        let mut raw = [0u8; LINE];
        IN.get(0, &mut raw[..n]);
        Some(ebcdic::decode(&raw[..n]))
    }

    fn attention(&mut self) -> bool {
        self.polls = self.polls.wrapping_add(1);
        if !self.attention && self.polls % 256 == 0 {
            self.flush();
            while let Some(irq) = call::poll() {
                self.other_interruption(irq);
            }
        }
        core::mem::take(&mut self.attention)
    }

    fn cp(&mut self, line: &str, capture: bool) -> CpReply {
        self.flush();
        let text: Vec<u8> =
            line.chars().take(240).map(|c| ebcdic::from_char(c).unwrap_or(0x6F)).collect();
        CMD.put(0, &text);
        let mut g = [0u32; 16];
        g[2] = CMD.addr();
        g[4] = text.len() as u32 | if capture { diag::CAPTURE } else { 0 };
        g[3] = RESPONSE.addr();
        g[5] = RESPONSE.len() as u32;
        let r = call::diagnose(diag::CP_COMMAND, 2, 4, g);
        if r.program_check.is_some() {
            return CpReply { rc: -1, lines: Vec::new() };
        }
        let mut lines = Vec::new();
        if capture {
            // CC 0: R5 is the response length; CC 1: the buffer is full (R5 says how much
            // did not fit).
            let n = if r.cc == 0 { (r.gpr[5] as usize).min(RESPONSE.len()) } else { RESPONSE.len() };
            let mut raw = alloc::vec![0u8; n];
            RESPONSE.get(0, &mut raw);
            if n > 0 {
                for l in raw.split(|&b| b == 0x15) {
                    lines.push(ebcdic::decode(l));
                }
            }
        }
        CpReply { rc: r.gpr[4] as i32, lines }
    }

    fn edit_message(&mut self, msg: &str) -> String {
        let text: Vec<u8> =
            msg.chars().take(240).map(|c| ebcdic::from_char(c).unwrap_or(0x6F)).collect();
        CMD.put(0, &text);
        let mut g = [0u32; 16];
        g[2] = CMD.addr();
        g[3] = text.len() as u32;
        let r = call::diagnose(diag::MESSAGE_EDIT, 2, 3, g);
        if r.program_check.is_some() {
            return String::from(msg);
        }
        let start = r.gpr[2].wrapping_sub(CMD.addr()) as usize;
        let len = r.gpr[3] as usize;
        if start > text.len() || len > text.len() - start {
            return String::from(msg);
        }
        ebcdic::decode(&text[start..start + len])
    }

    fn device(&mut self, cuu: u16) -> Option<DeviceInfo> {
        let mut g = [0u32; 16];
        g[2] = u32::from(cuu);
        let r = call::diagnose(diag::DEVICE_TYPE, 2, 4, g);
        if r.cc == 3 || r.program_check.is_some() {
            return None;
        }
        let v = r.gpr[4];
        let (typc, typ) = ((v >> 24) as u8, (v >> 16) as u8);
        let class = match typc {
            0x80 => DevClass::Console,
            0x04 => DevClass::Dasd,
            0x20 => DevClass::Reader,
            0x10 if typ == 0x82 => DevClass::Punch,
            0x10 => DevClass::Printer,
            _ => DevClass::Other,
        };
        let devtype = match (class, typ) {
            (DevClass::Dasd, 0x08) => 3350,
            (DevClass::Dasd, 0x10) => 3330,
            (DevClass::Dasd, 0x01) => 3340,
            (DevClass::Dasd, 0x40) => 2314,
            (DevClass::Dasd, 0x02) => 2305,
            _ => 0,
        };
        Some(DeviceInfo { class, devtype, read_only: class == DevClass::Dasd && v & 0x80 != 0 })
    }

    fn open_disk(&mut self, cuu: u16) -> Result<Box<dyn BlockDevice>, DiskError> {
        self.flush();
        let geometry = self.dasd_geometry(cuu)?;
        Ok(Box::new(Minidisk { cuu, geometry }))
    }

    fn format_tracks(&mut self, cuu: u16, cylinders: Option<u32>) -> Result<u32, DiskError> {
        self.flush();
        let g = self.dasd_geometry(cuu)?;
        let cyls = cylinders.map_or(g.cylinders, |c| c.min(g.cylinders));
        let per = g.blocks_per_track as usize;
        for cyl in 0..cyls {
            for head in 0..g.tracks_per_cylinder {
                let (c, h) = ((cyl as u16).to_be_bytes(), (head as u16).to_be_bytes());
                ARGS.put(0, &[0, 0, c[0], c[1], h[0], h[1]]);
                ARGS.put(8, &[c[0], c[1], h[0], h[1], 0]);
                put_ccw(&CCWS, 0, 0x07, ARGS.addr(), CC, 6);
                put_ccw(&CCWS, 1, 0x31, ARGS.addr() + 8, CC, 5);
                put_ccw(&CCWS, 2, 0x08, CCWS.addr() + 8, 0, 0);
                for r in 0..per {
                    let at = r * 808;
                    TRACK.put(at, &[c[0], c[1], h[0], h[1], r as u8 + 1, 0, 0x03, 0x20]);
                    TRACK.put(at + 8, &[0u8; 800]);
                    let flags = if r + 1 < per { CC } else { 0 };
                    put_ccw(&CCWS, 3 + r, 0x1D, TRACK.addr() + at as u32, flags, 808);
                }
                if !Self::dasd_io(cuu, CCWS.addr()) {
                    return Err(DiskError::NotDasd);
                }
            }
        }
        Ok(cyls)
    }

    fn clock(&mut self) -> Clock {
        let mut g = [0u32; 16];
        g[2] = CMD.addr();
        let r = call::diagnose(diag::PSEUDO_TIMER, 2, 0, g);
        if r.program_check.is_some() {
            return Clock::default();
        }
        let mut b = [0u8; 32];
        CMD.get(0, &mut b);
        let t = ebcdic::decode(&b[..16]);
        let num = |s: &str| s.parse::<u8>().unwrap_or(0);
        let u = |at: usize| {
            u64::from_be_bytes([
                b[at],
                b[at + 1],
                b[at + 2],
                b[at + 3],
                b[at + 4],
                b[at + 5],
                b[at + 6],
                b[at + 7],
            ])
        };
        Clock {
            month: num(t.get(0..2).unwrap_or("")),
            day: num(t.get(3..5).unwrap_or("")),
            year: num(t.get(6..8).unwrap_or("")),
            hour: num(t.get(8..10).unwrap_or("")),
            minute: num(t.get(11..13).unwrap_or("")),
            second: num(t.get(14..16).unwrap_or("")),
            virt_us: u(16),
            total_us: u(24),
        }
    }

    fn unit_write(&mut self, cuu: u16, cmd: u8, data: &[u8]) -> Result<(), UnitError> {
        self.flush();
        let n = data.len().min(BLOCK.len());
        BLOCK.put(0, &data[..n]);
        let (addr, count) = if n == 0 { (BLOCK.addr(), 1) } else { (BLOCK.addr(), n as u16) };
        put_ccw(&CCWS, 0, cmd, addr, SLI, count);
        let mut g = [0u32; 16];
        g[2] = u32::from(cuu);
        g[4] = CCWS.addr();
        let r = call::diagnose(diag::GENERAL_IO, 2, 4, g);
        match (r.program_check, r.cc) {
            (None, 0) => Ok(()),
            (None, 1) => Err(UnitError::NotAttached),
            _ => Err(UnitError::NotReady),
        }
    }

    fn unit_read(&mut self, cuu: u16) -> Result<Option<Vec<u8>>, UnitError> {
        self.flush();
        put_ccw(&CCWS, 0, 0x02, BLOCK.addr(), SLI, 80);
        let mut g = [0u32; 16];
        g[2] = u32::from(cuu);
        g[4] = CCWS.addr();
        let r = call::diagnose(diag::GENERAL_IO, 2, 4, g);
        match (r.program_check, r.cc) {
            (None, 0) => {
                let mut card = alloc::vec![0u8; 80];
                BLOCK.get(0, &mut card);
                Ok(Some(card))
            }
            (None, 2) => Ok(None),
            (None, 1) => Err(UnitError::NotAttached),
            _ => Err(UnitError::NotReady),
        }
    }
}
