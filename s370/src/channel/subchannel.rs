//! Subchannels: the I/O instructions' view of attached devices, shared by the bare machine
//! ([`crate::machine`]) and CP's virtual machines.
//!
//! Every device has its own subchannel, which is *available*, *working* (a channel program
//! waits for its device), or has an *interruption pending* — status that ended an operation,
//! or unsolicited status such as attention. [`Subchannels::perform`] carries out SIO, SIOF,
//! TIO, CLRIO, HIO, HDV, TCH and STIDC against them, with the condition codes of the PoO
//! figure "Condition-Code Settings for I/O States and Functions":
//!
//! ```text
//!  state of the device's subchannel        SIO/SIOF   TIO   CLRIO   HIO/HDV
//!  available                                0 or 1*    0      0       1*
//!  interruption pending (operation ended)     2        1*     1*      0
//!  interruption pending (attention only)      1*       1*     0       1*
//!  working (program waiting for its device)   2        2      1*      1*
//!  no such device                             3        3      3       3
//!  (* = CSW, or its status half, stored at X'40')
//! ```
//!
//! Pending interruptions live with whoever takes them (the processor, or CP's virtual
//! processor); [`IoHost`] is how the subchannels reach them and storage.

use std::collections::BTreeMap;

use super::{ChannelMemory, ChannelProgram, Csw, Device, Progress, unit};
use crate::cpu::{IoOp, IoRequest};
use crate::interrupt::lowcore;

/// What the subchannels need from the machine they belong to.
pub trait IoHost {
    /// Storage as the channel sees it (absolute addresses, access keys).
    fn channel_memory(&mut self) -> &mut dyn ChannelMemory;
    /// Stores bytes at a real address (the CSW at X'40', the channel ID at X'A8').
    fn store_real(&mut self, addr: u32, data: &[u8]);
    /// Fetches bytes from a real address (the CAW at X'48').
    fn fetch_real(&mut self, addr: u32, buf: &mut [u8]);
    /// Makes an I/O interruption pending.
    fn post(&mut self, addr: u16, csw: Csw);
    /// Is an I/O interruption pending for `addr`?
    fn has_pending(&self, addr: u16) -> bool;
    /// Takes back the pending I/O interruption of `addr`.
    fn take_pending(&mut self, addr: u16) -> Option<Csw>;
    /// Is an I/O interruption pending for any device on channel `ch`?
    fn has_pending_on_channel(&self, ch: u8) -> bool;
}

/// One attached device and its subchannel.
struct Slot {
    dev: Box<dyn Device>,
    /// A program waiting for its device (the subchannel is working).
    program: Option<ChannelProgram>,
    /// The interruption last posted for this device carries only unsolicited status
    /// (attention): it is pending in the device, not the subchannel.
    unsolicited: bool,
}

/// The result of a channel program run to its end without an interruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// No device at that address.
    NoDevice,
    /// The subchannel is working on another program.
    Busy,
    /// The program ended with this CSW.
    Done(Csw),
    /// The device had to wait (nothing to read); the program was ended.
    Waited(Csw),
}

/// The subchannels of one machine, by device address.
#[derive(Default)]
pub struct Subchannels {
    slots: BTreeMap<u16, Slot>,
}

impl std::fmt::Debug for Subchannels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let devs: Vec<String> = self
            .slots
            .iter()
            .map(|(a, s)| format!("{a:03X}:{:04X}", s.dev.info().device_type))
            .collect();
        f.debug_list().entries(devs).finish()
    }
}

impl Subchannels {
    /// No devices.
    pub fn new() -> Subchannels {
        Subchannels::default()
    }

    /// Attaches a device at `addr`, returning any device it replaces.
    pub fn attach(&mut self, addr: u16, dev: Box<dyn Device>) -> Option<Box<dyn Device>> {
        let old = self.slots.insert(addr, Slot { dev, program: None, unsolicited: false });
        old.map(|s| s.dev)
    }

    /// Detaches the device at `addr`.
    pub fn detach(&mut self, addr: u16) -> Option<Box<dyn Device>> {
        self.slots.remove(&addr).map(|s| s.dev)
    }

    /// Is a device attached at `addr`?
    pub fn contains(&self, addr: u16) -> bool {
        self.slots.contains_key(&addr)
    }

    /// The device at `addr`.
    pub fn device(&self, addr: u16) -> Option<&dyn Device> {
        self.slots.get(&addr).map(|s| s.dev.as_ref())
    }

    /// The device at `addr`, mutably.
    pub fn device_mut(&mut self, addr: u16) -> Option<&mut (dyn Device + 'static)> {
        self.slots.get_mut(&addr).map(|s| s.dev.as_mut())
    }

    /// Addresses of the attached devices, in order.
    pub fn addresses(&self) -> Vec<u16> {
        self.slots.keys().copied().collect()
    }

    /// Is the subchannel of `addr` working (a program waiting for its device)?
    pub fn working(&self, addr: u16) -> bool {
        self.slots.get(&addr).is_some_and(|s| s.program.is_some())
    }

    /// Resets every device and forgets every program in flight (system reset, IPL).
    pub fn reset(&mut self) {
        for slot in self.slots.values_mut() {
            slot.program = None;
            slot.unsolicited = false;
            slot.dev.reset();
        }
    }

    /// Makes an attention interruption pending for `addr` (a console's request key). False
    /// if there is no such device.
    pub fn attention(&mut self, addr: u16, host: &mut dyn IoHost) -> bool {
        let Some(slot) = self.slots.get_mut(&addr) else { return false };
        slot.unsolicited = true;
        host.post(addr, Csw::status_only(unit::ATTENTION));
        true
    }

    /// Presents ending status for an operation CP performed for the device outside a
    /// channel program (DIAGNOSE X'58' full-screen I/O): the interruption is pending in the
    /// subchannel as if a program had ended with `csw`. False if there is no such device.
    pub fn present(&mut self, addr: u16, csw: Csw, host: &mut dyn IoHost) -> bool {
        let Some(slot) = self.slots.get_mut(&addr) else { return false };
        slot.unsolicited = false;
        host.post(addr, csw);
        true
    }

    /// Gives every waiting channel program a chance to go on; true if one ended (or
    /// presented a PCI), i.e. an interruption was posted.
    pub fn poll(&mut self, host: &mut dyn IoHost) -> bool {
        let mut posted = false;
        for (&addr, slot) in self.slots.iter_mut() {
            let Some(p) = slot.program.as_mut() else { continue };
            match p.run(slot.dev.as_mut(), host.channel_memory()) {
                Progress::Blocked { pci } => {
                    if let Some(csw) = pci {
                        host.post(addr, csw);
                        posted = true;
                    }
                }
                Progress::Done(end) => {
                    slot.program = None;
                    slot.unsolicited = false;
                    host.post(addr, end.csw);
                    posted = true;
                }
            }
        }
        posted
    }

    /// Runs a channel program on `addr` to its end with no interruption (CP's DIAGNOSE
    /// X'18' and X'20'; IPL). A device that would have to wait ends the program.
    pub fn run_sync(
        &mut self,
        addr: u16,
        key: u8,
        ccw_addr: u32,
        host: &mut dyn IoHost,
    ) -> SyncOutcome {
        let Some(slot) = self.slots.get_mut(&addr) else { return SyncOutcome::NoDevice };
        if slot.program.is_some() {
            return SyncOutcome::Busy;
        }
        let mut p = ChannelProgram::at(key, ccw_addr);
        match p.run(slot.dev.as_mut(), host.channel_memory()) {
            Progress::Done(end) => SyncOutcome::Done(end.csw),
            Progress::Blocked { .. } => {
                let csw =
                    p.halt().unwrap_or_else(|| Csw::status_only(unit::CE_DE | unit::UNIT_CHECK));
                slot.dev.reset();
                SyncOutcome::Waited(csw)
            }
        }
    }

    /// Performs an I/O instruction; returns the condition code (CSWs stored through `host`).
    pub fn perform(&mut self, req: IoRequest, host: &mut dyn IoHost) -> u8 {
        let addr = req.device;
        match req.op {
            IoOp::Tch => return self.tch((addr >> 8) as u8, host),
            IoOp::Stidc => return self.stidc((addr >> 8) as u8, host),
            _ => {}
        }
        let pending = host.has_pending(addr);
        let Some(slot) = self.slots.get_mut(&addr) else { return 3 };
        let working = slot.program.is_some();
        let unsolicited = pending && slot.unsolicited;
        match req.op {
            IoOp::Sio | IoOp::Siof => {
                if working || (pending && !unsolicited) {
                    return 2;
                }
                if unsolicited {
                    let mut csw = self.take(addr, host).unwrap_or_default();
                    csw.unit |= unit::BUSY;
                    store_csw_status(host, csw);
                    return 1;
                }
                self.start(addr, host)
            }
            IoOp::Tio => {
                if working {
                    return 2;
                }
                match self.take(addr, host) {
                    Some(csw) => {
                        store_csw(host, csw);
                        1
                    }
                    None => 0,
                }
            }
            IoOp::Clrio => {
                if let Some(csw) = slot.program.take().and_then(|mut p| p.halt()) {
                    slot.dev.reset();
                    store_csw(host, csw);
                    return 1;
                }
                if pending && !unsolicited {
                    let csw = self.take(addr, host).unwrap_or_default();
                    store_csw(host, csw);
                    return 1;
                }
                0
            }
            IoOp::Hio | IoOp::Hdv => {
                if let Some(csw) = slot.program.take().and_then(|mut p| p.halt()) {
                    slot.dev.reset();
                    host.post(addr, csw);
                    store_csw_status(host, Csw::default());
                    return 1;
                }
                if pending && !unsolicited {
                    return 0;
                }
                store_csw_status(host, Csw::default());
                1
            }
            IoOp::Tch | IoOp::Stidc => unreachable!("handled above"),
        }
    }

    /// Takes the pending interruption of `addr`, if any.
    fn take(&mut self, addr: u16, host: &mut dyn IoHost) -> Option<Csw> {
        let csw = host.take_pending(addr);
        if let Some(slot) = self.slots.get_mut(&addr) {
            slot.unsolicited = false;
        }
        csw
    }

    /// START I/O on an available device.
    fn start(&mut self, addr: u16, host: &mut dyn IoHost) -> u8 {
        let mut caw = [0u8; 4];
        host.fetch_real(lowcore::CAW, &mut caw);
        let mut p = ChannelProgram::new(u32::from_be_bytes(caw));
        let slot = self.slots.get_mut(&addr).expect("checked by the caller");
        match p.run(slot.dev.as_mut(), host.channel_memory()) {
            Progress::Done(end) if end.initial => {
                store_csw(host, end.csw);
                1
            }
            Progress::Done(end) => {
                slot.unsolicited = false;
                host.post(addr, end.csw);
                0
            }
            Progress::Blocked { pci } => {
                slot.program = Some(p);
                if let Some(csw) = pci {
                    slot.unsolicited = false;
                    host.post(addr, csw);
                }
                0
            }
        }
    }

    fn channel_exists(&self, ch: u8) -> bool {
        self.slots.keys().any(|&a| (a >> 8) as u8 == ch)
    }

    /// TEST CHANNEL.
    fn tch(&self, ch: u8, host: &dyn IoHost) -> u8 {
        if !self.channel_exists(ch) {
            3
        } else if host.has_pending_on_channel(ch) {
            1
        } else {
            0
        }
    }

    /// STORE CHANNEL ID: the channel-ID word at X'A8' (type: 0001 byte multiplexer for
    /// channel 0, 0010 block multiplexer for the others).
    fn stidc(&self, ch: u8, host: &mut dyn IoHost) -> u8 {
        if !self.channel_exists(ch) {
            return 3;
        }
        let kind: u32 = if ch == 0 { 1 } else { 2 };
        host.store_real(lowcore::CHANNEL_ID, &(kind << 28).to_be_bytes());
        0
    }
}

fn store_csw(host: &mut dyn IoHost, csw: Csw) {
    host.store_real(lowcore::CSW, &csw.to_bytes());
}

/// Stores only the status half of a CSW (unit status, channel status, count).
fn store_csw_status(host: &mut dyn IoHost, csw: Csw) {
    host.store_real(lowcore::CSW + 4, &csw.to_bytes()[4..]);
}

impl IoHost for crate::cpu::Cpu {
    fn channel_memory(&mut self) -> &mut dyn ChannelMemory {
        &mut self.storage
    }

    fn store_real(&mut self, addr: u32, data: &[u8]) {
        // The lowcore fields are inside every storage size (at least 4K).
        let _ = self.write_real(addr, data);
    }

    fn fetch_real(&mut self, addr: u32, buf: &mut [u8]) {
        let _ = self.read_real(addr, buf);
    }

    fn post(&mut self, addr: u16, csw: Csw) {
        self.post_io_interrupt(addr, csw.to_bytes());
    }

    fn has_pending(&self, addr: u16) -> bool {
        self.has_pending_io(addr)
    }

    fn take_pending(&mut self, addr: u16) -> Option<Csw> {
        self.take_pending_io(addr).map(Csw::from_bytes)
    }

    fn has_pending_on_channel(&self, ch: u8) -> bool {
        self.has_pending_io_on_channel(ch)
    }
}
