//! A virtual machine as CP holds it: the processor (behind [`Backend`]) and the devices at
//! its virtual addresses, with the virtual I/O that connects them.
//!
//! Virtual I/O (PoO "Input/Output Instructions"; VM/370 DMKVIO) uses the same subchannels as
//! the bare machine ([`s370::channel::subchannel`]): START I/O on a virtual device runs the
//! guest's channel program against the device model right away, the `s370` channel engine
//! checking every CCW against the guest's storage; TEST I/O, CLEAR I/O, HALT I/O, HALT
//! DEVICE, TEST CHANNEL and STORE CHANNEL ID get the condition codes of the PoO figure. A
//! program whose device must wait (a console read) stays with its subchannel and is resumed
//! by [`Vm::resume_blocked`] when the device can go on. Interruptions are posted to, and
//! taken back from, the virtual processor through the [`Backend`].

use std::collections::BTreeMap;

use s370::channel::subchannel::{IoHost, Subchannels, SyncOutcome};
use s370::channel::{ChannelMemory, Csw, Device};
use s370::cpu::IoRequest;

use crate::backend::{Backend, GuestMemory, Interrupt};
use crate::vdev::{Kind, VDev};

/// Where a virtual machine stands, as CP and its user see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    /// Never IPLed (or reset): nothing to run.
    NotIpled,
    /// Runnable or running.
    Running,
    /// In an enabled wait: runs when an interruption arrives.
    Waiting,
    /// In a disabled wait or check-stopped: stopped for good until IPL or SYSTEM RESET.
    Stopped(String),
}

/// The result of a synchronous channel program (DIAGNOSE X'18'/X'20').
pub type SyncIo = SyncOutcome;

/// A virtual machine.
pub struct Vm {
    /// The processor.
    pub backend: Box<dyn Backend>,
    /// What CP knows about each device, by virtual address.
    pub devices: BTreeMap<u16, VDev>,
    /// The devices' subchannels (models and channel programs in flight).
    pub io: Subchannels,
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

/// The virtual processor and storage as the subchannels see them.
struct Host<'a>(&'a mut dyn Backend);

impl IoHost for Host<'_> {
    fn channel_memory(&mut self) -> &mut dyn ChannelMemory {
        self.0.memory().channel()
    }

    fn store_real(&mut self, addr: u32, data: &[u8]) {
        let _ = self.0.memory().write(u64::from(addr), data);
    }

    fn fetch_real(&mut self, addr: u32, buf: &mut [u8]) {
        if self.0.memory().read(u64::from(addr), buf).is_err() {
            buf.fill(0xFF);
        }
    }

    fn post(&mut self, addr: u16, csw: Csw) {
        let _ = self.0.post(Interrupt::Io { device: addr, csw: csw.to_bytes() });
    }

    fn has_pending(&self, addr: u16) -> bool {
        self.0.has_pending_io(addr)
    }

    fn take_pending(&mut self, addr: u16) -> Option<Csw> {
        self.0.withdraw_io(addr).map(Csw::from_bytes)
    }

    fn has_pending_on_channel(&self, ch: u8) -> bool {
        self.0.has_pending_io_on_channel(ch)
    }
}

impl Vm {
    /// A virtual machine on `backend` with no devices, not yet IPLed.
    pub fn new(backend: Box<dyn Backend>) -> Vm {
        Vm { backend, devices: BTreeMap::new(), io: Subchannels::new(), state: RunState::NotIpled }
    }

    /// Adds (or replaces) a device.
    pub fn attach(&mut self, addr: u16, model: Box<dyn Device>, kind: Kind) {
        self.io.attach(addr, model);
        self.devices.insert(addr, VDev { addr, kind });
    }

    /// Removes a device.
    pub fn detach(&mut self, addr: u16) -> Option<VDev> {
        self.backend.withdraw_io(addr);
        self.io.detach(addr);
        self.devices.remove(&addr)
    }

    /// Performs an I/O instruction of the guest; returns the condition code (any CSW is
    /// stored at X'40').
    pub fn io_instruction(&mut self, req: IoRequest) -> u8 {
        self.io.perform(req, &mut Host(self.backend.as_mut()))
    }

    /// Runs again every blocked channel program whose device may now go on (a line typed, a
    /// file spooled); presents the endings as interruptions. Returns whether anything ended.
    pub fn resume_blocked(&mut self) -> bool {
        self.io.poll(&mut Host(self.backend.as_mut()))
    }

    /// Presents an attention interruption from a device (the console when the user presses
    /// ENTER while the machine runs).
    pub fn attention(&mut self, addr: u16) {
        self.io.attention(addr, &mut Host(self.backend.as_mut()));
    }

    /// Presents ending status `csw` for device `addr` (DIAGNOSE X'58' full-screen I/O, which
    /// ends asynchronously like a channel program).
    pub fn present(&mut self, addr: u16, csw: s370::channel::Csw) {
        self.io.present(addr, csw, &mut Host(self.backend.as_mut()));
    }

    /// Runs a channel program to its end without an interruption (DIAGNOSE X'18' and
    /// X'20', IPL); a device that would have to wait ends the program.
    pub fn run_sync(&mut self, addr: u16, key: u8, ccw_addr: u32) -> SyncIo {
        self.io.run_sync(addr, key, ccw_addr, &mut Host(self.backend.as_mut()))
    }

    /// Resets every device and forgets every program in flight (SYSTEM RESET, IPL).
    pub fn reset_devices(&mut self) {
        self.io.reset();
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
    use crate::vdev::{ConsoleDevice, ConsoleLink};
    use s370::channel::unit;
    use s370::cpu::IoOp;

    fn vm_with_console()
    -> (Vm, ConsoleLink, std::sync::Arc<std::sync::Mutex<crate::backend::scripted::Record>>) {
        let b = ScriptedBackend::new([], 64 * 1024);
        let rec = b.record();
        let mut vm = Vm::new(Box::new(b));
        let link = ConsoleLink::default();
        vm.attach(0x009, Box::new(ConsoleDevice::new(link.clone())), Kind::Console(link.clone()));
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

    fn io(op: IoOp, dev: u16) -> IoRequest {
        IoRequest { op, device: dev }
    }

    #[test]
    fn sio_to_a_missing_device_is_not_operational() {
        let (mut vm, _, _) = vm_with_console();
        assert_eq!(vm.io_instruction(io(IoOp::Sio, 0x00E)), 3);
        assert_eq!(vm.io_instruction(io(IoOp::Tio, 0x191)), 3);
    }

    #[test]
    fn console_read_blocks_then_completes_with_an_interruption() {
        let (mut vm, link, rec) = vm_with_console();
        put_ccw(&mut vm, 0x1000, 0x0A, 0x2000, 0x20, 130);
        vm.memory().write(0x48, &0x1000u32.to_be_bytes()).expect("CAW");
        assert_eq!(vm.io_instruction(io(IoOp::Sio, 0x009)), 0);
        assert!(link.reading());
        assert_eq!(vm.io_instruction(io(IoOp::Tio, 0x009)), 2, "working");
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
            vm.io_instruction(io(IoOp::Sio, 0x009)),
            2,
            "interruption pending: SIO gets CC 2"
        );
        assert_eq!(vm.io_instruction(io(IoOp::Tio, 0x009)), 1, "status pending");
        assert_eq!(vm.io_instruction(io(IoOp::Tio, 0x009)), 0, "taken by TIO");
    }

    #[test]
    fn channel_program_outside_storage_gets_program_check() {
        let (mut vm, _, _) = vm_with_console();
        vm.memory().write(0x48, &0x00FF_FFF8u32.to_be_bytes()).expect("CAW");
        assert_eq!(vm.io_instruction(io(IoOp::Sio, 0x009)), 1, "invalid CAW address: CSW stored");
        let mut csw = [0u8; 8];
        vm.memory().read(0x40, &mut csw).expect("CSW");
        let csw = Csw::from_bytes(csw);
        assert_ne!(csw.channel, 0, "channel status reports the error");
    }
}
