//! A virtual machine as CP holds it: the processor (behind [`Backend`]) and the devices at
//! its virtual addresses, with the virtual I/O that connects them.
//!
//! Virtual I/O (PoO "Input/Output Instructions"; VM/370 DMKVIO): START I/O on a virtual
//! device runs the guest's channel program against the device model right away, with the
//! `s370` channel engine checking every CCW against the guest's storage. A program that ends
//! at once gives condition code 1 and a stored CSW when it ended at its first command, else
//! condition code 0 and an I/O interruption; a program whose device must wait (a console
//! read) stays with the device and is resumed by [`Vm::resume_blocked`] when the device can
//! go on. TEST I/O, CLEAR I/O, HALT I/O and HALT DEVICE see and change that state; TEST
//! CHANNEL finds the channel available.

use std::collections::BTreeMap;

use s370::channel::{ChannelProgram, Csw, Ending, Progress, unit};
use s370::cpu::{IoOp, IoRequest};

use crate::backend::{Backend, GuestMemory, Interrupt, read_u32};
use crate::vdev::VDev;

/// Where a virtual machine stands, as CP and its user see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    /// Never IPLed (or reset): nothing to run.
    NotIpled,
    /// In CP mode: stopped until BEGIN.
    CpMode,
    /// Runnable or running.
    Running,
    /// In an enabled wait: runs when an interruption arrives.
    Waiting,
    /// In a disabled wait or check-stopped: stopped for good until IPL or SYSTEM RESET.
    Stopped(String),
}

/// The result of a synchronous channel program (DIAGNOSE X'18'/X'20').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncIo {
    /// No device at that address.
    NoDevice,
    /// The device is busy with another program.
    Busy,
    /// The program ended with this CSW.
    Done(Csw),
}

/// A virtual machine.
pub struct Vm {
    /// The processor.
    pub backend: Box<dyn Backend>,
    /// The devices, by virtual address.
    pub devices: BTreeMap<u16, VDev>,
    /// Run state.
    pub state: RunState,
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("machine", &self.backend.machine())
            .field("devices", &self.devices.values().collect::<Vec<_>>())
            .field("state", &self.state)
            .finish()
    }
}

fn csw_bytes(c: &Csw) -> [u8; 8] {
    c.to_bytes()
}

impl Vm {
    /// A virtual machine on `backend` with no devices, not yet IPLed.
    pub fn new(backend: Box<dyn Backend>) -> Vm {
        Vm { backend, devices: BTreeMap::new(), state: RunState::NotIpled }
    }

    /// Adds (or replaces) a device.
    pub fn attach(&mut self, dev: VDev) {
        self.devices.insert(dev.addr, dev);
    }

    /// Removes a device.
    pub fn detach(&mut self, addr: u16) -> Option<VDev> {
        self.devices.remove(&addr)
    }

    fn post_csw(&mut self, addr: u16, csw: &Csw) {
        let _ = self.backend.post(Interrupt::Io { device: addr, csw: csw_bytes(csw) });
    }

    /// Performs an I/O instruction of the guest; returns the condition code and stores a
    /// CSW at X'40' where the instruction calls for one.
    pub fn io_instruction(&mut self, req: IoRequest) -> u8 {
        let addr = req.device;
        match req.op {
            IoOp::Stidc => {
                // Channel 0 a byte multiplexer, others block multiplexers (format 0 IDs).
                let id: u32 = if addr >> 8 == 0 { 0x1000_0000 } else { 0x2000_0000 };
                let _ = self.backend.memory().write(0xA8, &id.to_be_bytes());
                0
            }
            IoOp::Tch => {
                if self.devices.keys().any(|a| a >> 8 == addr >> 8) {
                    0
                } else {
                    3
                }
            }
            IoOp::Sio | IoOp::Siof => self.start_io(addr),
            IoOp::Tio => self.test_io(addr),
            IoOp::Clrio | IoOp::Hio | IoOp::Hdv => self.halt_io(addr, req.op == IoOp::Clrio),
        }
    }

    fn store_csw(&mut self, csw: &Csw) {
        let _ = self.backend.memory().write(0x40, &csw_bytes(csw));
    }

    fn start_io(&mut self, addr: u16) -> u8 {
        let Some(busy) = self.devices.get(&addr).map(VDev::busy) else { return 3 };
        if let Some(p) = self.pending_status(addr) {
            self.store_csw(&p);
            return 1;
        }
        if busy {
            let csw = Csw::status_only(unit::BUSY);
            self.store_csw(&csw);
            return 1;
        }
        let caw = match read_u32(self.backend.memory(), 0x48) {
            Ok(c) => c,
            Err(_) => return 3,
        };
        let mut program = ChannelProgram::new(caw);
        let progress = {
            let Vm { backend, devices, .. } = self;
            let dev = devices.get_mut(&addr).expect("looked up above");
            program.run(dev.model.as_mut(), backend.memory().channel())
        };
        match progress {
            Progress::Done(Ending { csw, initial: true }) => {
                self.store_csw(&csw);
                1
            }
            Progress::Done(Ending { csw, initial: false }) => {
                self.post_csw(addr, &csw);
                0
            }
            Progress::Blocked { pci } => {
                if let Some(c) = pci {
                    self.post_csw(addr, &c);
                }
                if let Some(d) = self.devices.get_mut(&addr) {
                    d.program = Some(program);
                }
                0
            }
        }
    }

    /// A status the guest has not been given yet: CP's own (an attention kept back) or an
    /// interruption pending in the processor. Taking it clears it, as TIO and SIO do.
    fn pending_status(&mut self, addr: u16) -> Option<Csw> {
        if let Some(c) = self.devices.get_mut(&addr).and_then(|d| d.pending.take()) {
            return Some(c);
        }
        self.backend.withdraw_io(addr).map(Csw::from_bytes)
    }

    fn test_io(&mut self, addr: u16) -> u8 {
        let Some(dev) = self.devices.get(&addr) else { return 3 };
        let busy = dev.busy();
        if let Some(c) = self.pending_status(addr) {
            self.store_csw(&c);
            return 1;
        }
        if busy { 2 } else { 0 }
    }

    fn halt_io(&mut self, addr: u16, clear: bool) -> u8 {
        let Some(dev) = self.devices.get_mut(&addr) else { return 3 };
        if let Some(mut p) = dev.program.take() {
            dev.model.reset();
            if let Some(csw) = p.halt() {
                if clear {
                    self.store_csw(&csw);
                } else {
                    self.post_csw(addr, &csw);
                }
            }
            return 1;
        }
        if clear {
            if let Some(c) = self.pending_status(addr) {
                self.store_csw(&c);
                return 1;
            }
        }
        0
    }

    /// Runs again every blocked channel program whose device may now go on (a line typed, a
    /// file spooled); presents the endings as interruptions. Returns whether anything ended.
    pub fn resume_blocked(&mut self) -> bool {
        let mut ended = Vec::new();
        let Vm { backend, devices, .. } = self;
        for (addr, dev) in devices.iter_mut() {
            let Some(mut p) = dev.program.take() else { continue };
            match p.run(dev.model.as_mut(), backend.memory().channel()) {
                Progress::Done(end) => ended.push((*addr, end.csw)),
                Progress::Blocked { pci } => {
                    if let Some(c) = pci {
                        ended.push((*addr, c));
                    }
                    dev.program = Some(p);
                }
            }
        }
        let any = !ended.is_empty();
        for (addr, csw) in ended {
            self.post_csw(addr, &csw);
        }
        any
    }

    /// Presents an attention interruption from a device (the console when the user presses
    /// ENTER while the machine runs).
    pub fn attention(&mut self, addr: u16) {
        if self.devices.contains_key(&addr) {
            self.post_csw(addr, &Csw::status_only(unit::ATTENTION));
        }
    }

    /// Runs a channel program to its end without an interruption (DIAGNOSE X'18' and
    /// X'20'); a device that would have to wait ends the program with intervention required.
    pub fn run_sync(&mut self, addr: u16, key: u8, ccw_addr: u32) -> SyncIo {
        let Vm { backend, devices, .. } = self;
        let Some(dev) = devices.get_mut(&addr) else { return SyncIo::NoDevice };
        if dev.busy() {
            return SyncIo::Busy;
        }
        let mut p = ChannelProgram::at(key, ccw_addr);
        match p.run(dev.model.as_mut(), backend.memory().channel()) {
            Progress::Done(end) => SyncIo::Done(end.csw),
            Progress::Blocked { .. } => {
                let csw =
                    p.halt().unwrap_or_else(|| Csw::status_only(unit::CE_DE | unit::UNIT_CHECK));
                dev.model.reset();
                SyncIo::Done(csw)
            }
        }
    }

    /// Resets every device and forgets every program in flight (SYSTEM RESET, IPL).
    pub fn reset_devices(&mut self) {
        for d in self.devices.values_mut() {
            d.program = None;
            d.pending = None;
            d.model.reset();
        }
    }

    /// Guest memory.
    pub fn memory(&mut self) -> &mut dyn GuestMemory {
        self.backend.memory()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::scripted::ScriptedBackend;
    use crate::vdev::{ConsoleDevice, ConsoleLink, Kind};

    fn vm_with_console()
    -> (Vm, ConsoleLink, std::sync::Arc<std::sync::Mutex<crate::backend::scripted::Record>>) {
        let b = ScriptedBackend::new([], 64 * 1024);
        let rec = b.record();
        let mut vm = Vm::new(Box::new(b));
        let link = ConsoleLink::default();
        vm.attach(VDev::new(
            0x009,
            Box::new(ConsoleDevice::new(link.clone())),
            Kind::Console(link.clone()),
        ));
        (vm, link, rec)
    }

    fn put_ccw(vm: &mut Vm, at: u64, cmd: u8, addr: u32, flags: u8, count: u16) {
        let mut b = [0u8; 8];
        b[0] = cmd;
        b[1..4].copy_from_slice(&addr.to_be_bytes()[1..]);
        b[4] = flags;
        b[6..8].copy_from_slice(&count.to_be_bytes());
        vm.memory().write(at, &b).expect("in storage");
    }

    fn sio(dev: u16) -> IoRequest {
        IoRequest { op: IoOp::Sio, device: dev }
    }

    #[test]
    fn sio_to_a_missing_device_is_not_operational() {
        let (mut vm, _, _) = vm_with_console();
        assert_eq!(vm.io_instruction(sio(0x00E)), 3);
        assert_eq!(vm.io_instruction(IoRequest { op: IoOp::Tio, device: 0x191 }), 3);
    }

    #[test]
    fn console_read_blocks_then_completes_with_an_interruption() {
        let (mut vm, link, rec) = vm_with_console();
        put_ccw(&mut vm, 0x1000, 0x0A, 0x2000, 0x20, 130);
        vm.memory().write(0x48, &0x1000u32.to_be_bytes()).expect("CAW");
        assert_eq!(vm.io_instruction(sio(0x009)), 0);
        assert!(link.reading());
        assert_eq!(vm.io_instruction(IoRequest { op: IoOp::Tio, device: 0x009 }), 2, "busy");
        assert!(!vm.resume_blocked(), "nothing typed yet");
        link.input("LISTFILE");
        assert!(vm.resume_blocked());
        let posted = rec.lock().expect("lock").posted.clone();
        assert_eq!(posted.len(), 1);
        let Interrupt::Io { device, csw } = posted[0] else { panic!("an I/O interruption") };
        assert_eq!(device, 0x009);
        let csw = Csw::from_bytes(csw);
        assert_eq!(csw.unit, unit::CE_DE);
        assert_eq!(csw.count, 130 - 8, "residual count");
        assert_eq!(
            vm.io_instruction(IoRequest { op: IoOp::Tio, device: 0x009 }),
            1,
            "status pending"
        );
        assert_eq!(
            vm.io_instruction(IoRequest { op: IoOp::Tio, device: 0x009 }),
            0,
            "taken by TIO"
        );
    }

    #[test]
    fn channel_program_outside_storage_gets_program_check() {
        let (mut vm, _, _) = vm_with_console();
        vm.memory().write(0x48, &0x00FF_FFF8u32.to_be_bytes()).expect("CAW");
        assert_eq!(vm.io_instruction(sio(0x009)), 1, "invalid CAW address: CSW stored");
        let mut csw = [0u8; 8];
        vm.memory().read(0x40, &mut csw).expect("CSW");
        let csw = Csw::from_bytes(csw);
        assert_ne!(csw.channel, 0, "channel status reports the error");
    }
}
