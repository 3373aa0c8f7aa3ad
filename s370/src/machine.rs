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
//! the PoO figure "Condition-Code Settings for I/O States and Functions", as
//! [`crate::channel::subchannel`] draws it.

use crate::channel::subchannel::{Subchannels, SyncOutcome};
use crate::channel::{Csw, Device, DeviceInfo, unit};
use crate::cpu::{Cpu, Exit, IoRequest};
use crate::interrupt::lowcore;
use crate::psw::Psw;

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
    /// The processor is in the check-stop state ([`Exit::CheckStop`]); only a reset
    /// (`cpu.reset`) or a new IPL ends it.
    CheckStop,
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

/// A bare S/370: a processor, its storage, and devices by address.
pub struct Machine {
    /// The processor (with main storage).
    pub cpu: Cpu,
    devices: Subchannels,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine")
            .field("cpu", &self.cpu.psw)
            .field("devices", &self.devices)
            .finish()
    }
}

impl Machine {
    /// A machine with `storage` bytes of main storage and no devices.
    pub fn new(storage: usize) -> Machine {
        Machine { cpu: Cpu::new(storage), devices: Subchannels::new() }
    }

    /// Attaches a device at `addr` (channel in the high byte), returning any device it
    /// replaces.
    pub fn attach(&mut self, addr: u16, dev: Box<dyn Device>) -> Option<Box<dyn Device>> {
        self.devices.attach(addr, dev)
    }

    /// Detaches the device at `addr`.
    pub fn detach(&mut self, addr: u16) -> Option<Box<dyn Device>> {
        self.cpu.take_pending_io(addr);
        self.devices.detach(addr)
    }

    /// What is attached at `addr`.
    pub fn device_info(&self, addr: u16) -> Option<DeviceInfo> {
        self.devices.device(addr).map(|d| d.info())
    }

    /// Addresses of the attached devices, in order.
    pub fn addresses(&self) -> Vec<u16> {
        self.devices.addresses()
    }

    /// Makes an attention interruption pending for `addr` (the console's request key).
    /// Returns false if there is no such device.
    pub fn attention(&mut self, addr: u16) -> bool {
        self.devices.attention(addr, &mut self.cpu)
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
                Exit::CheckStop => return MachineExit::CheckStop,
                // Only interpretive execution intercepts privileged instructions; a bare
                // machine performs them itself.
                Exit::Privileged(ic) => self.cpu.execute_intercepted(&ic),
            }
        }
    }

    /// Gives every waiting channel program a chance to go on; true if one ended (or
    /// presented a PCI), i.e. an interruption was posted.
    pub fn poll(&mut self) -> bool {
        self.devices.poll(&mut self.cpu)
    }

    /// Performs an I/O instruction: storage, CSW and condition code.
    pub fn perform(&mut self, req: IoRequest) {
        let cc = self.devices.perform(req, &mut self.cpu);
        self.cpu.complete_io(cc);
    }

    /// Initial program load from `addr`: resets the processor (`clear`: clear reset, else
    /// the initial CPU reset) and the devices, reads 24 bytes with the IPL CCW
    /// `02 000000 60 0018` at absolute 0 and goes on with the CCWs it read at 8 and 16, stores
    /// the device address in bytes 2-3 (and at X'BA'), then loads the PSW at 0.
    pub fn ipl(&mut self, addr: u16, clear: bool) -> Result<(), IplError> {
        if !self.devices.contains(addr) {
            return Err(IplError::NoDevice(addr));
        }
        self.cpu.reset(clear);
        self.devices.reset();
        let ipl_ccw = [0x02, 0, 0, 0, 0x60, 0, 0, 24];
        let _ = self.cpu.storage.write(0, &ipl_ccw);
        let csw = match self.devices.run_sync(addr, 0, 0, &mut self.cpu) {
            SyncOutcome::Done(csw) => csw,
            SyncOutcome::Waited(_) => return Err(IplError::NotReady(addr)),
            SyncOutcome::NoDevice | SyncOutcome::Busy => return Err(IplError::NoDevice(addr)),
        };
        let bad = unit::UNIT_CHECK | unit::UNIT_EXCEPTION | unit::ATTENTION | unit::BUSY;
        if csw.unit & bad != 0 || csw.channel & !crate::channel::chan::PCI != 0 {
            return Err(IplError::Failed(csw));
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
