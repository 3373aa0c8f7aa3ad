//! The bare machine: one processor and channels with attached devices.
//!
//! [`Machine::run`] runs the processor and performs the I/O instructions it hands back
//! ([`Exit::Io`]) against the attached [`Device`]s with the channel engine
//! ([`crate::channel`]), storing CSWs at real X'40', setting condition codes and posting I/O
//! interruptions; [`Machine::ipl`] loads a program from a device as the IPL key does.
//!
//! Every device has its own subchannel on a block-multiplexer channel (channel 0 is a byte
//! multiplexer), and a channel program runs to its end in one go unless its device blocks
//! (a console read with nothing typed): then the subchannel stays *working* until the device
//! can go on, which [`Machine::run`] checks whenever the processor waits. Condition codes follow
//! the PoO figure "Condition-Code Settings for I/O States and Functions":
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

use crate::channel::{ChannelProgram, Csw, Device, DeviceInfo, Progress, unit};
use crate::cpu::{Cpu, Exit, IoOp, IoRequest};
use crate::interrupt::lowcore;
use crate::psw::Psw;
use std::collections::BTreeMap;

/// Why [`Machine::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineExit {
    /// The PSW is a disabled wait (nothing can end it): the program is finished. The PSW is
    /// the verdict (its instruction address is the code test programs use).
    DisabledWait(Psw),
    /// An enabled wait that nothing pending can end now: a device is waiting (console input,
    /// a card deck) or the program waits for a timer. Call `run` again later.
    Idle,
    /// The instruction budget was used up.
    Budget,
    /// A DIAGNOSE, for the caller (its function is model-dependent on a real machine). The
    /// instruction address is past it; call `run` again to go on.
    Diagnose {
        /// R1 field.
        r1: usize,
        /// R3 field.
        r3: usize,
        /// The second-operand address (function code).
        code: u32,
    },
}

/// Why an IPL failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IplError {
    /// No device at that address.
    #[error("no device at {0:03X}")]
    NoDevice(u16),
    /// The IPL channel program did not end normally.
    #[error("IPL I/O ended with unit status {:02X}, channel status {:02X}", .0.unit, .0.channel)]
    Failed(Csw),
    /// The device waited (nothing to read) during the IPL.
    #[error("the IPL device {0:03X} has nothing to read")]
    NotReady(u16),
}

/// One attached device and its subchannel.
struct Slot {
    dev: Box<dyn Device>,
    /// A program waiting for its device (the subchannel is working).
    program: Option<ChannelProgram>,
    /// The interruption last posted for this device carries only attention (or other status
    /// presented outside an operation): it is pending in the device, not the subchannel.
    unsolicited: bool,
}

/// A bare S/370: a processor, its storage, and devices by address.
pub struct Machine {
    /// The processor (with main storage).
    pub cpu: Cpu,
    devices: BTreeMap<u16, Slot>,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let devs: Vec<String> = self
            .devices
            .iter()
            .map(|(a, s)| format!("{a:03X}:{:04X}", s.dev.info().device_type))
            .collect();
        f.debug_struct("Machine").field("cpu", &self.cpu.psw).field("devices", &devs).finish()
    }
}

impl Machine {
    /// A machine with `storage` bytes of main storage and no devices.
    pub fn new(storage: usize) -> Machine {
        Machine { cpu: Cpu::new(storage), devices: BTreeMap::new() }
    }

    /// Attaches a device at `addr` (channel in the high byte), returning any device it
    /// replaces.
    pub fn attach(&mut self, addr: u16, dev: Box<dyn Device>) -> Option<Box<dyn Device>> {
        let old = self.devices.insert(addr, Slot { dev, program: None, unsolicited: false });
        old.map(|s| s.dev)
    }

    /// Detaches the device at `addr`.
    pub fn detach(&mut self, addr: u16) -> Option<Box<dyn Device>> {
        self.cpu.take_pending_io(addr);
        self.devices.remove(&addr).map(|s| s.dev)
    }

    /// What is attached at `addr`.
    pub fn device_info(&self, addr: u16) -> Option<DeviceInfo> {
        self.devices.get(&addr).map(|s| s.dev.info())
    }

    /// Addresses of the attached devices, in order.
    pub fn addresses(&self) -> Vec<u16> {
        self.devices.keys().copied().collect()
    }

    /// Makes an attention interruption pending for `addr` (the console's request key).
    /// Returns false if there is no such device.
    pub fn attention(&mut self, addr: u16) -> bool {
        let Some(slot) = self.devices.get_mut(&addr) else { return false };
        slot.unsolicited = true;
        self.cpu.post_io_interrupt(addr, Csw::status_only(unit::ATTENTION).to_bytes());
        true
    }

    /// Runs the processor for up to `budget` instructions, performing its I/O.
    pub fn run(&mut self, budget: u64) -> MachineExit {
        let start = self.cpu.counters().instructions;
        self.poll();
        loop {
            let used = self.cpu.counters().instructions - start;
            if used >= budget {
                return MachineExit::Budget;
            }
            match self.cpu.run(budget - used) {
                Exit::Io(req) => self.perform(req),
                Exit::Budget => return MachineExit::Budget,
                Exit::Wait { enabled: false } => return MachineExit::DisabledWait(self.cpu.psw),
                Exit::Wait { enabled: true } => {
                    if !self.poll() {
                        return MachineExit::Idle;
                    }
                }
                Exit::Diagnose { r1, r3, code } => return MachineExit::Diagnose { r1, r3, code },
                // Only interpretive execution intercepts privileged instructions; a bare
                // machine performs them itself.
                Exit::Privileged(ic) => self.cpu.execute_intercepted(&ic),
            }
        }
    }

    /// Gives every waiting channel program a chance to go on; true if one ended (or
    /// presented a PCI), i.e. an interruption was posted.
    pub fn poll(&mut self) -> bool {
        let mut posted = false;
        for (&addr, slot) in self.devices.iter_mut() {
            let Some(p) = slot.program.as_mut() else { continue };
            match p.run(slot.dev.as_mut(), &mut self.cpu.storage) {
                Progress::Blocked { pci } => {
                    if let Some(csw) = pci {
                        self.cpu.post_io_interrupt(addr, csw.to_bytes());
                        posted = true;
                    }
                }
                Progress::Done(end) => {
                    slot.program = None;
                    slot.unsolicited = false;
                    self.cpu.post_io_interrupt(addr, end.csw.to_bytes());
                    posted = true;
                }
            }
        }
        posted
    }

    fn store_csw(&mut self, csw: Csw) {
        // X'40' is inside every storage size (at least 4K); the write cannot fail.
        let _ = self.cpu.write_real(lowcore::CSW, &csw.to_bytes());
    }

    /// Stores only the status half of a CSW (unit status, channel status, count).
    fn store_csw_status(&mut self, csw: Csw) {
        let _ = self.cpu.write_real(lowcore::CSW + 4, &csw.to_bytes()[4..]);
    }

    /// Performs an I/O instruction: storage, CSW and condition code.
    pub fn perform(&mut self, req: IoRequest) {
        let cc = self.io(req);
        self.cpu.complete_io(cc);
    }

    fn io(&mut self, req: IoRequest) -> u8 {
        let addr = req.device;
        match req.op {
            IoOp::Tch => return self.tch((addr >> 8) as u8),
            IoOp::Stidc => return self.stidc((addr >> 8) as u8),
            _ => {}
        }
        let pending = self.cpu.has_pending_io(addr);
        let Some(slot) = self.devices.get_mut(&addr) else { return 3 };
        let working = slot.program.is_some();
        let unsolicited = pending && slot.unsolicited;
        match req.op {
            IoOp::Sio | IoOp::Siof => {
                if working || (pending && !unsolicited) {
                    return 2;
                }
                if unsolicited {
                    let mut csw = self.take(addr).unwrap_or_default();
                    csw.unit |= unit::BUSY;
                    self.store_csw_status(csw);
                    return 1;
                }
                self.start(addr)
            }
            IoOp::Tio => {
                if working {
                    return 2;
                }
                match self.take(addr) {
                    Some(csw) => {
                        self.store_csw(csw);
                        1
                    }
                    None => 0,
                }
            }
            IoOp::Clrio => {
                if let Some(csw) = slot.program.take().and_then(|mut p| p.halt()) {
                    self.store_csw(csw);
                    return 1;
                }
                if pending && !unsolicited {
                    let csw = self.take(addr).unwrap_or_default();
                    self.store_csw(csw);
                    return 1;
                }
                0
            }
            IoOp::Hio | IoOp::Hdv => {
                if let Some(csw) = slot.program.take().and_then(|mut p| p.halt()) {
                    self.cpu.post_io_interrupt(addr, csw.to_bytes());
                    self.store_csw_status(Csw::default());
                    return 1;
                }
                if pending && !unsolicited {
                    return 0;
                }
                self.store_csw_status(Csw::default());
                1
            }
            IoOp::Tch | IoOp::Stidc => unreachable!("handled above"),
        }
    }

    /// Takes the pending interruption of `addr`, if any.
    fn take(&mut self, addr: u16) -> Option<Csw> {
        let csw = self.cpu.take_pending_io(addr).map(Csw::from_bytes);
        if let Some(slot) = self.devices.get_mut(&addr) {
            slot.unsolicited = false;
        }
        csw
    }

    /// START I/O on an available device.
    fn start(&mut self, addr: u16) -> u8 {
        let mut caw = [0u8; 4];
        let _ = self.cpu.read_real(lowcore::CAW, &mut caw);
        let mut p = ChannelProgram::new(u32::from_be_bytes(caw));
        let slot = self.devices.get_mut(&addr).expect("checked by the caller");
        match p.run(slot.dev.as_mut(), &mut self.cpu.storage) {
            Progress::Done(end) if end.initial => {
                self.store_csw(end.csw);
                1
            }
            Progress::Done(end) => {
                slot.unsolicited = false;
                self.cpu.post_io_interrupt(addr, end.csw.to_bytes());
                0
            }
            Progress::Blocked { pci } => {
                slot.program = Some(p);
                if let Some(csw) = pci {
                    slot.unsolicited = false;
                    self.cpu.post_io_interrupt(addr, csw.to_bytes());
                }
                0
            }
        }
    }

    fn channel_exists(&self, ch: u8) -> bool {
        self.devices.keys().any(|&a| (a >> 8) as u8 == ch)
    }

    /// TEST CHANNEL.
    fn tch(&self, ch: u8) -> u8 {
        if !self.channel_exists(ch) {
            3
        } else if self.cpu.has_pending_io_on_channel(ch) {
            1
        } else {
            0
        }
    }

    /// STORE CHANNEL ID: the channel-ID word at X'A8' (type: 0001 byte multiplexer for
    /// channel 0, 0010 block multiplexer for the others).
    fn stidc(&mut self, ch: u8) -> u8 {
        if !self.channel_exists(ch) {
            return 3;
        }
        let kind: u32 = if ch == 0 { 1 } else { 2 };
        let _ = self.cpu.write_real(lowcore::CHANNEL_ID, &(kind << 28).to_be_bytes());
        0
    }

    /// Initial program load from `addr`: resets the processor (`clear`: clear reset, else
    /// the initial CPU reset) and the devices, reads 24 bytes with the IPL CCW
    /// `02 000000 60 0018` at absolute 0 and goes on with the CCWs it read at 8 and 16, stores
    /// the device address in bytes 2-3 (and at X'BA'), then loads the PSW at 0.
    pub fn ipl(&mut self, addr: u16, clear: bool) -> Result<(), IplError> {
        if !self.devices.contains_key(&addr) {
            return Err(IplError::NoDevice(addr));
        }
        self.cpu.reset(clear);
        for slot in self.devices.values_mut() {
            slot.program = None;
            slot.unsolicited = false;
            slot.dev.reset();
        }
        let ipl_ccw = [0x02, 0, 0, 0, 0x60, 0, 0, 24];
        let _ = self.cpu.storage.write(0, &ipl_ccw);
        let slot = self.devices.get_mut(&addr).expect("checked above");
        let end = match ChannelProgram::at(0, 0).run(slot.dev.as_mut(), &mut self.cpu.storage) {
            Progress::Done(end) => end,
            Progress::Blocked { .. } => return Err(IplError::NotReady(addr)),
        };
        let bad = unit::UNIT_CHECK | unit::UNIT_EXCEPTION | unit::ATTENTION | unit::BUSY;
        if end.csw.unit & bad != 0 || end.csw.channel & !crate::channel::chan::PCI != 0 {
            return Err(IplError::Failed(end.csw));
        }
        let a = addr.to_be_bytes();
        let _ = self.cpu.storage.write(2, &a);
        let _ = self.cpu.storage.write(lowcore::IO_ADDR, &[0, 0, a[0], a[1]]);
        let mut psw = [0u8; 8];
        let _ = self.cpu.storage.read(0, &mut psw);
        self.cpu.load_psw(u64::from_be_bytes(psw));
        Ok(())
    }
}

#[cfg(test)]
mod tests;
