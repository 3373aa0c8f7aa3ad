//! DIAGNOSE: what a virtual machine asks of CP (VM/370 R6 System Programmer's Guide,
//! "DIAGNOSE Instruction in a Virtual Machine"; `../shared/reference/real-cms.md` §6).
//!
//! | code | function |
//! |---|---|
//! | X'00' | store extended identification |
//! | X'08' | virtual console function: run CP commands, optionally capturing the response |
//! | X'0C' | pseudo timer: date, time, virtual and total processor time |
//! | X'10' | release pages (a hint; nothing to do) |
//! | X'18' | standard DASD I/O: a channel program run synchronously, no interruption |
//! | X'20' | general I/O: the same for any device |
//! | X'24' | device type and features |
//! | X'58' | 3270 virtual console: line-mode writes to CP's console screen |
//! | X'5C' | error message editing per SET EMSG |
//! | X'60' | virtual storage size |
//! | X'64' | named segments: LOADSYS, PURGESYS, FINDSYS |
//!
//! Any other code (or one that is not a multiple of 4) is a specification exception, as on
//! VM/370.

use std::sync::Arc;

use s370::channel::{chan, unit};

use super::{Emsg, User, UserState};
use crate::backend::{Completion, GuestMemory, ServiceRequest};
use crate::system::System;
use crate::vdev::Kind;
use crate::vm::SyncIo;

const SPECIFICATION: u16 = s370::interrupt::pic::SPECIFICATION;

/// The registers and condition code a DIAGNOSE leaves.
struct Answer {
    gpr: [u32; 16],
    cc: u8,
}

impl Answer {
    fn done(self) -> Completion {
        Completion::Service { gpr: self.gpr, cc: self.cc }
    }
}

fn read_bytes(mem: &dyn GuestMemory, addr: u32, len: usize) -> Option<Vec<u8>> {
    let mut b = vec![0u8; len];
    mem.read(u64::from(addr & 0x00FF_FFFF), &mut b).ok()?;
    Some(b)
}

fn write_bytes(mem: &mut dyn GuestMemory, addr: u32, data: &[u8]) -> bool {
    mem.write(u64::from(addr & 0x00FF_FFFF), data).is_ok()
}

/// Handles a DIAGNOSE and returns the answer for the processor, or `None` when the answer
/// must wait (a CP command asked the user a question; `st.held_diag` keeps the registers).
pub(crate) fn diagnose(
    sys: &Arc<System>,
    user: &User,
    st: &mut UserState,
    req: &ServiceRequest,
) -> Option<Completion> {
    let mut a = Answer { gpr: req.gpr, cc: 0 };
    let (rx, ry) = (req.rx, req.ry);
    let ok = match req.code {
        0x00 => store_extended_id(user, st, &mut a, rx, ry),
        0x08 => console_function(sys, user, st, &mut a, rx, ry),
        0x0C => pseudo_timer(sys, st, &mut a, rx),
        0x10 => true,
        0x18 => dasd_io(st, &mut a, rx, ry),
        0x20 => general_io(st, &mut a, rx, ry),
        0x24 => device_type(user, st, &mut a, rx, ry),
        0x58 => console_3270(user, st, &mut a, rx),
        0x5C => message_editing(st, &mut a, rx, ry),
        0x60 => {
            a.gpr[rx] = st.storage;
            true
        }
        0x64 => named_segment(sys, st, &mut a, rx, ry),
        _ => false,
    };
    if st.prompt.is_some() && req.code == 0x08 {
        st.held_diag = Some((a.gpr, ry));
        return None;
    }
    if st.full_screen_read.is_some() && req.code == 0x58 {
        // The guest waits for the user's key; User::full_screen_input completes the DIAGNOSE.
        return None;
    }
    Some(if ok { a.done() } else { Completion::ProgramCheck(SPECIFICATION) })
}

/// X'00': `VM/370  ` + version + userid, as R6 (SixPack 1.2) stores it.
fn store_extended_id(
    user: &User,
    st: &mut UserState,
    a: &mut Answer,
    rx: usize,
    ry: usize,
) -> bool {
    let mut res = s370::ebcdic::from_str("VM/370  ");
    res.extend_from_slice(&[0x6F, 0xFA, 0xFC, 0xFD, 0, 0, 0, 0]);
    let mut uid = s370::ebcdic::from_str(&format!("{:<8}", user.userid));
    uid.truncate(8);
    res.extend_from_slice(&uid);
    res.extend_from_slice(&[0; 8]);
    let n = (a.gpr[ry] as usize).min(res.len());
    write_bytes(st.vm.memory(), a.gpr[rx], &res[..n]);
    true
}

/// X'08': run CP commands (X'15' separates several); length 0 enters CP mode; flag
/// X'40000000' in Ry captures the response into the buffer at Rx+1 of Ry+1 bytes.
fn console_function(
    sys: &Arc<System>,
    user: &User,
    st: &mut UserState,
    a: &mut Answer,
    rx: usize,
    ry: usize,
) -> bool {
    let len = a.gpr[ry] & 0x00FF_FFFF;
    let capture = a.gpr[ry] & 0x4000_0000 != 0;
    if len == 0 {
        st.cp_mode = true;
        user.console.set_cp_mode(true);
        return true;
    }
    let Some(text) = read_bytes(st.vm.memory(), a.gpr[rx], len.min(240) as usize) else {
        a.gpr[ry] = 0;
        a.cc = 0;
        return true;
    };
    let mut rc = 0;
    let mut response: Vec<String> = Vec::new();
    for cmd in text.split(|&b| b == 0x15) {
        let line = s370::ebcdic::to_string(cmd);
        let out = crate::command::execute(sys, user, st, &line, capture);
        rc = out.rc;
        if capture {
            response.extend(out.lines);
        }
    }
    if capture {
        if rx == 15 || ry == 15 || rx.abs_diff(ry) <= 1 {
            a.gpr[(ry + 1) & 15] = 0;
            a.cc = 1;
        } else {
            let bytes: Vec<u8> = response
                .iter()
                .map(|l| s370::ebcdic::from_str(l))
                .collect::<Vec<_>>()
                .join(&0x15u8);
            let room = a.gpr[ry + 1] as usize;
            if room >= bytes.len() {
                write_bytes(st.vm.memory(), a.gpr[rx + 1], &bytes);
                a.gpr[ry + 1] = bytes.len() as u32;
                a.cc = 0;
            } else {
                write_bytes(st.vm.memory(), a.gpr[rx + 1], &bytes[..room]);
                a.gpr[ry + 1] = (bytes.len() - room) as u32;
                a.cc = 1;
            }
        }
    }
    a.gpr[ry] = rc as u32;
    true
}

/// X'0C': `MM/DD/YYHH:MM:SS`, virtual and total processor time in microseconds.
fn pseudo_timer(sys: &System, st: &mut UserState, a: &mut Answer, rx: usize) -> bool {
    let now = sys.now();
    let c = sys.zone.civil(now);
    let stamp = format!(
        "{:02}/{:02}/{:02}{:02}:{:02}:{:02}",
        c.month,
        c.day,
        c.year.rem_euclid(100),
        c.hour,
        c.minute,
        c.second
    );
    let mut out = s370::ebcdic::from_str(&stamp);
    out.extend_from_slice(&(st.virt_ns / 1000).to_be_bytes());
    out.extend_from_slice(&(st.total_ns / 1000).to_be_bytes());
    write_bytes(st.vm.memory(), a.gpr[rx], &out);
    true
}

/// X'18': a DASD channel program run synchronously. CC 0 ok; CC 1 with R15 = 1 not
/// attached, 2 not a DASD, 3 write to a read-only disk, 4 seek outside the minidisk; CC 2
/// with R15 = 5 a bad channel program; CC 3 with R15 = 13 any other error (sense available).
fn dasd_io(st: &mut UserState, a: &mut Answer, rx: usize, ry: usize) -> bool {
    let addr = (a.gpr[rx] & 0xFFFF) as u16;
    let ccw = a.gpr[ry] & 0x00FF_FFFF;
    match st.vm.devices.get(&addr) {
        None => {
            a.gpr[15] = 1;
            a.cc = 1;
            return true;
        }
        Some(d) if !matches!(d.kind, Kind::Dasd(_)) => {
            a.gpr[15] = 2;
            a.cc = 1;
            return true;
        }
        Some(_) => {}
    }
    if ccw & 7 != 0 {
        a.gpr[15] = 5;
        a.cc = 2;
        return true;
    }
    match st.vm.run_sync(addr, 0, ccw) {
        SyncIo::NoDevice => {
            a.gpr[15] = 1;
            a.cc = 1;
        }
        SyncIo::Busy => {
            a.gpr[15] = 13;
            a.cc = 3;
        }
        SyncIo::Done(csw) | SyncIo::Waited(csw) => {
            if csw.channel & (chan::PROGRAM_CHECK | chan::PROTECTION_CHECK) != 0 {
                a.gpr[15] = 5;
                a.cc = 2;
            } else if csw.unit & unit::UNIT_CHECK != 0 {
                let sense = dasd_sense(st, addr);
                if sense[1] & 0x02 != 0 {
                    a.gpr[15] = 3;
                    a.cc = 1;
                } else if sense[0] & 0x01 != 0 || sense[1] & 0x04 != 0 {
                    a.gpr[15] = 4;
                    a.cc = 1;
                } else {
                    a.gpr[15] = 13;
                    a.cc = 3;
                }
            } else if csw.unit & unit::UNIT_EXCEPTION != 0 || csw.channel != 0 {
                a.gpr[15] = 13;
                a.cc = 3;
            } else {
                a.cc = 0;
            }
        }
    }
    true
}

/// The sense bytes a DASD holds after a unit check (read with a SENSE command).
fn dasd_sense(st: &mut UserState, addr: u16) -> [u8; 2] {
    use s370::channel::{Command, DataPath};
    struct Grab(Vec<u8>);
    impl DataPath for Grab {
        fn get(&mut self, _buf: &mut [u8]) -> usize {
            0
        }
        fn put(&mut self, data: &[u8]) -> usize {
            self.0.extend_from_slice(data);
            data.len()
        }
        fn remaining(&self) -> usize {
            32
        }
    }
    let Some(d) = st.vm.io.device_mut(addr) else { return [0; 2] };
    let mut g = Grab(Vec::new());
    d.execute(Command { code: 0x04, chained: false }, &mut g);
    [g.0.first().copied().unwrap_or(0), g.0.get(1).copied().unwrap_or(0)]
}

/// X'20': any device's channel program, synchronously. CC 0 ok; CC 1 R15 = 1 no device;
/// CC 2 R15 = 2 unit exception; CC 3 R15 = 13 an error, sense bytes 0-1 in Ry's low half.
fn general_io(st: &mut UserState, a: &mut Answer, rx: usize, ry: usize) -> bool {
    let addr = (a.gpr[rx] & 0xFFFF) as u16;
    let ccw = a.gpr[ry] & 0x00FF_FFFF;
    match st.vm.run_sync(addr, 0, ccw) {
        SyncIo::NoDevice => {
            a.gpr[15] = 1;
            a.cc = 1;
        }
        SyncIo::Busy => {
            a.gpr[15] = 13;
            a.cc = 3;
        }
        SyncIo::Done(csw) | SyncIo::Waited(csw) => {
            if csw.unit & unit::UNIT_EXCEPTION != 0 {
                a.gpr[15] = 2;
                a.cc = 2;
            } else if csw.unit & unit::UNIT_CHECK != 0 || csw.channel != 0 {
                let sense = dasd_sense(st, addr);
                a.gpr[ry] =
                    (a.gpr[ry] & 0xFFFF_0000) | (u32::from(sense[0]) << 8) | u32::from(sense[1]);
                a.gpr[15] = 13;
                a.cc = 3;
            } else {
                a.cc = 0;
            }
        }
    }
    true
}

/// X'24': VDEVTYPC VDEVTYPE VDEVSTAT VDEVFLAG in Ry, RDEVTYPC RDEVTYPE RDEVMDL RDEVFTR in
/// Ry+1; Rx = -1 asks for the virtual console (and gets its address).
fn device_type(user: &User, st: &mut UserState, a: &mut Answer, rx: usize, ry: usize) -> bool {
    let mut addr = a.gpr[rx];
    if addr == u32::MAX {
        addr = u32::from(st.console_addr);
        a.gpr[rx] = addr;
    }
    let Some(d) = st.vm.devices.get(&((addr & 0xFFFF) as u16)) else {
        a.cc = 3;
        return true;
    };
    let (vdev, rdev): (u32, u32) = match &d.kind {
        // A 3270 display reached through a 3215 virtual console: RDEVTYPC X'40' (display),
        // RDEVTYPE X'01' (3277/3278), the model, features X'50'.
        Kind::Console(_) => match user.console.sink().and_then(|s| s.display_model()) {
            Some(model) => (0x8000_A010, 0x4001_0050 | (u32::from(model) << 8)),
            None => (0x8000_0000, 0x8000_0082),
        },
        Kind::Reader(_) => (0x2082_0000, 0x0000_0040),
        Kind::Punch(..) => (0x1082_0000, 0x0000_0040),
        Kind::Printer(..) => (0x1041_0000, 0x0000_0040),
        Kind::Dasd(l) => {
            let t: u32 = match l.devtype {
                3350 => 0x08,
                3330 => 0x10,
                3340 => 0x01,
                2314 | 2319 => 0x40,
                2305 => 0x02,
                _ => 0x08,
            };
            let ro = if l.write { 0 } else { 0x80 };
            (0x0400_0000 | (t << 16) | ro, 0x0400_0000 | (t << 16))
        }
    };
    a.gpr[ry] = vdev;
    if ry < 15 {
        a.gpr[ry + 1] = rdev;
    }
    a.cc = 0;
    true
}

/// X'58': the 3270 console interface (`../shared/reference/real-cms.md` §6). CCW X'19' writes
/// its data as lines on CP's console screen (control byte X'FF': clears it only). CCW X'29'
/// is a full-screen write of the guest's own 3270 data stream — control X'80'/X'90'
/// Erase/Write, X'C0'/X'D0'/X'40' Erase/Write Alternate, X'20' Write Structured Field, else
/// Write — and CCW X'2A' a full-screen read (control X'80' Read Modified, else Read Buffer):
/// the guest waits until the user presses a key; the inbound record is stored in the CCW's
/// data area and the residual count returned in Ry. CC 1 when the console is not a 3270 or
/// the CCW is not one of these.
fn console_3270(user: &User, st: &mut UserState, a: &mut Answer, rx: usize) -> bool {
    let ccw_addr = a.gpr[rx] & 0x00FF_FFFF;
    let Some(ccw) = read_bytes(st.vm.memory(), ccw_addr, 8) else {
        a.cc = 1;
        return true;
    };
    let data = u32::from_be_bytes([0, ccw[1], ccw[2], ccw[3]]);
    let count = usize::from(u16::from_be_bytes([ccw[6], ccw[7]]));
    let ctl = ccw[5];
    a.cc = 0;
    match ccw[0] {
        0x19 => {
            if let Some(sink) = user.console.sink() {
                sink.line_mode();
            }
            if ctl != 0xFF
                && let Some(bytes) = read_bytes(st.vm.memory(), data, count)
            {
                let text: String = bytes
                    .iter()
                    .map(|&b| if b < 0x40 { ' ' } else { s370::ebcdic::CodePage::Cp037.to_char(b) })
                    .collect();
                user.console.write(text.trim_end());
            }
        }
        0x29 => {
            let cmd = match ctl {
                0x80 | 0x90 => crate::vdev::FullScreen::EraseWrite,
                0xC0 | 0xD0 | 0x40 => crate::vdev::FullScreen::EraseWriteAlternate,
                0x20 => crate::vdev::FullScreen::Wsf,
                _ => crate::vdev::FullScreen::Write,
            };
            let ok = read_bytes(st.vm.memory(), data, count)
                .zip(user.console.sink())
                .is_some_and(|(bytes, sink)| sink.full_screen_write(cmd, &bytes));
            let console = st.console_addr;
            if ok {
                // Started: the ending status comes as for a channel program (TEST I/O or
                // an I/O interruption), as the SixPack DIAGNOSE X'58' gives it.
                st.fs_inbound = None;
                st.vm.present(console, fs_ending(ccw_addr, 0));
                a.cc = 0;
            } else {
                // Not a display, or a data stream the terminal would reject: unit check,
                // CSW stored.
                let mut csw = fs_ending(ccw_addr, count);
                csw.unit |= s370::channel::unit::UNIT_CHECK;
                let _ = st.vm.memory().write(0x40, &csw.to_bytes());
                a.cc = 1;
            }
        }
        0x2A => {
            let read_buffer = ctl & 0x80 == 0;
            match st.fs_inbound.take() {
                // Read Modified after the attention: the key that is waiting.
                Some(bytes) if !read_buffer => {
                    end_fs_read(st, &FsRead { gpr: a.gpr, ccw: ccw_addr, data, count }, &bytes);
                }
                _ => {
                    // Nothing typed yet (or Read Buffer, which asks the terminal): the
                    // machine waits in the DIAGNOSE for the terminal's answer.
                    let ok =
                        user.console.sink().is_some_and(|sink| sink.full_screen_read(read_buffer));
                    if ok {
                        st.full_screen_read =
                            Some(FsRead { gpr: a.gpr, ccw: ccw_addr, data, count });
                    } else {
                        a.cc = 1;
                    }
                }
            }
        }
        // Control query (the SixPack DIAG 58 v1.08 probe): CC 0 when full-screen I/O is
        // possible, i.e. the console is a 3270 display.
        0x63 => {
            let display = user.console.sink().and_then(|s| s.display_model()).is_some();
            a.cc = if display { 0 } else { 1 };
        }
        _ => a.cc = 1,
    }
    true
}

/// A DIAGNOSE X'58' full-screen read: the guest's registers at the DIAGNOSE, the CCW's
/// address, and its data area (address, count).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FsRead {
    pub(crate) gpr: [u32; 16],
    pub(crate) ccw: u32,
    pub(crate) data: u32,
    pub(crate) count: usize,
}

/// Ends a full-screen read with the terminal's inbound record: the bytes that fit go to the
/// data area, and CE+DE with the residual count is presented on the console.
pub(crate) fn end_fs_read(st: &mut UserState, read: &FsRead, bytes: &[u8]) {
    let n = bytes.len().min(read.count);
    let _ = st.vm.memory().write(u64::from(read.data), &bytes[..n]);
    let console = st.console_addr;
    st.vm.present(console, fs_ending(read.ccw, read.count - n));
}

/// The ending status of a DIAGNOSE X'58' full-screen operation: channel end and device end,
/// the CCW address plus 8, `residual` bytes not transferred.
pub(crate) fn fs_ending(ccw_addr: u32, residual: usize) -> s370::channel::Csw {
    s370::channel::Csw {
        ccw_addr: (ccw_addr + 8) & 0x00FF_FFFF,
        unit: s370::channel::unit::CE_DE,
        count: residual.min(0xFFFF) as u16,
        ..s370::channel::Csw::default()
    }
}

/// X'5C': shortens a `DMSxxxnnnE text` message per SET EMSG: TEXT skips the 10-character
/// code and its blank, CODE keeps only the code, OFF nothing, ON all.
fn message_editing(st: &mut UserState, a: &mut Answer, rx: usize, ry: usize) -> bool {
    match st.settings.emsg {
        Emsg::On => {}
        Emsg::Text => {
            a.gpr[rx] = a.gpr[rx].wrapping_add(11);
            a.gpr[ry] = a.gpr[ry].saturating_sub(11);
        }
        Emsg::Code => a.gpr[ry] = a.gpr[ry].min(10),
        Emsg::Off => a.gpr[ry] = 0,
    }
    true
}

/// X'64': named segments. Subcode 0/4 LOADSYS, 8 PURGESYS, X'0C' FINDSYS. An unknown
/// segment: CC 2, Ry = 44.
fn named_segment(sys: &System, st: &mut UserState, a: &mut Answer, rx: usize, ry: usize) -> bool {
    let Some(raw) = read_bytes(st.vm.memory(), a.gpr[rx], 8) else {
        a.cc = 2;
        a.gpr[ry] = 44;
        return true;
    };
    let name = s370::ebcdic::to_string(&raw).trim().to_ascii_uppercase();
    let machine = st.entry.machine;
    let Some(seg) = sys.saved_system(&name, machine) else {
        a.cc = 2;
        a.gpr[ry] = 44;
        return true;
    };
    let loaded = st.segments.contains(&name);
    match a.gpr[ry] {
        0x0C => {
            a.cc = if loaded { 0 } else { 1 };
            a.gpr[rx] = seg.start();
            a.gpr[ry] = seg.end();
        }
        0x00 | 0x04 => {
            if !crate::command::ipl::load_pages(st, &seg) {
                a.cc = 2;
                a.gpr[ry] = 44;
                return true;
            }
            if !loaded {
                st.segments.push(name);
            }
            a.cc = 0;
            a.gpr[rx] = seg.start();
        }
        0x08 => {
            if loaded {
                let zero = vec![0u8; seg.pages.len()];
                write_bytes(st.vm.memory(), seg.start(), &zero);
                st.segments.retain(|s| *s != name);
                a.cc = 0;
            } else {
                a.cc = 1;
            }
        }
        _ => {
            a.cc = 3;
            a.gpr[ry] = u32::MAX;
        }
    }
    true
}
