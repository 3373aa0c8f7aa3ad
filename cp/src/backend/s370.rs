//! The S/370 adapter: the `s370` interpreter in interpretive execution, behind [`Backend`].
//!
//! The interpreter's PSW is the guest's virtual PSW. It runs in chunks of instructions so a
//! kick or the end of the slice is noticed within microseconds; I/O instructions and DIAGNOSE
//! come back as [`Exit::Io`] and [`Exit::Service`], privileged instructions (with the assist
//! off) as [`Exit::Privileged`], which CP answers with [`Completion::Simulate`] so the
//! interpreter performs them architecturally. An enabled wait is [`Exit::Idle`]; a disabled
//! wait stops the machine.
//!
//! Guest memory is guest real storage; CP's virtual machines never set a prefix other than
//! zero, so guest real and absolute addresses are the same here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use s370::channel::ChannelMemory;
use s370::cpu::{Cpu, Exit as CpuExit, Intercept, IoOp, Mode};
use s370::storage::Storage;

use super::{
    ArchRegs, Backend, BackendError, Completion, Counters, Exit, FlagKick, GuestMemory, Interrupt,
    Kicker, MemoryError, S370Regs, ServiceRequest, Slice, StopReason,
};

/// Instructions run between two looks at the kick flag and the clock.
const CHUNK: u64 = 20_000;

#[derive(Debug, Clone, Copy)]
enum Awaiting {
    Nothing,
    Io,
    Service,
    Privileged(Intercept),
}

/// A System/370 virtual machine's processor.
#[derive(Debug)]
pub struct S370Backend {
    cpu: Cpu,
    kick: Arc<FlagKick>,
    awaiting: Awaiting,
    counts: Vec<(&'static str, u64)>,
}

fn io_name(op: IoOp) -> &'static str {
    match op {
        IoOp::Sio => "SIO",
        IoOp::Siof => "SIOF",
        IoOp::Tio => "TIO",
        IoOp::Clrio => "CLRIO",
        IoOp::Hio => "HIO",
        IoOp::Hdv => "HDV",
        IoOp::Tch => "TCH",
        IoOp::Stidc => "STIDC",
    }
}

impl S370Backend {
    /// A virtual machine with `storage` bytes, reset, in interpretive execution with the
    /// assist on.
    pub fn new(storage: usize) -> S370Backend {
        let mut cpu = Cpu::new(storage);
        cpu.set_mode(Mode { interpretive: true, assist: true });
        S370Backend { cpu, kick: Arc::default(), awaiting: Awaiting::Nothing, counts: Vec::new() }
    }

    /// The processor, for S/370-specific work CP does (IPL, DISPLAY, TRACE).
    pub fn cpu(&mut self) -> &mut Cpu {
        &mut self.cpu
    }

    fn count(&mut self, kind: &'static str) {
        match self.counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((kind, 1)),
        }
    }
}

impl Backend for S370Backend {
    fn machine(&self) -> &'static str {
        "370"
    }

    fn run(&mut self, slice: Slice) -> Result<Exit, BackendError> {
        if !matches!(self.awaiting, Awaiting::Nothing) {
            // The last exit was never answered: the guest cannot go on past it.
            return Err(BackendError::Host("run with an exit still unanswered".into()));
        }
        let start = Instant::now();
        let mut left = slice.max_instructions;
        loop {
            if self.kick.take() {
                return Ok(Exit::Preempted);
            }
            let budget = left.min(CHUNK);
            if budget == 0 {
                return Ok(Exit::Preempted);
            }
            let before = self.cpu.counters().instructions;
            let exit = self.cpu.run(budget);
            // An interruption taken counts as a step too, so a one-instruction slice (CP's
            // TRACE and ADSTOP stepping) ends right after it.
            left = left.saturating_sub((self.cpu.counters().instructions - before).max(1));
            match exit {
                CpuExit::Budget => {
                    if start.elapsed() >= slice.max_time {
                        return Ok(Exit::Preempted);
                    }
                }
                CpuExit::Io(req) => {
                    self.count(io_name(req.op));
                    self.awaiting = Awaiting::Io;
                    return Ok(Exit::Io(req));
                }
                CpuExit::Diagnose { r1, r3, code } => {
                    self.count("DIAG");
                    self.awaiting = Awaiting::Service;
                    return Ok(Exit::Service(ServiceRequest {
                        code: (code & 0xFFFF) as u16,
                        rx: r1,
                        ry: r3,
                        gpr: self.cpu.gpr,
                    }));
                }
                CpuExit::Privileged(ic) => {
                    self.count("PRIV");
                    let mnemonic = ic.op().map_or("????", |o| o.mnemonic);
                    self.awaiting = Awaiting::Privileged(ic);
                    return Ok(Exit::Privileged { mnemonic });
                }
                CpuExit::Wait { enabled: true } => return Ok(Exit::Idle),
                CpuExit::Wait { enabled: false } => {
                    return Ok(Exit::Stopped(StopReason::DisabledWait {
                        psw: self.cpu.psw.to_u64(),
                    }));
                }
                CpuExit::CheckStop => {
                    return Ok(Exit::Stopped(StopReason::CheckStop(
                        "S/370 check stop: a machine check the processor could not take".into(),
                    )));
                }
            }
        }
    }

    fn complete(&mut self, answer: Completion) -> Result<(), BackendError> {
        match (self.awaiting, answer) {
            (Awaiting::Io, Completion::Io { cc }) => self.cpu.complete_io(cc),
            (Awaiting::Service, Completion::Service { gpr, cc }) => {
                self.cpu.gpr = gpr;
                self.cpu.psw.cc = cc & 3;
            }
            (Awaiting::Privileged(ic), Completion::Simulate) => self.cpu.execute_intercepted(&ic),
            (
                Awaiting::Io | Awaiting::Service | Awaiting::Privileged(_),
                Completion::ProgramCheck(code),
            ) => self.cpu.program_interrupt_after(code),
            _ => return Err(BackendError::UnexpectedCompletion { answer }),
        }
        self.awaiting = Awaiting::Nothing;
        Ok(())
    }

    fn post(&mut self, irq: Interrupt) -> Result<(), BackendError> {
        match irq {
            Interrupt::Io { device, csw } => self.cpu.post_io_interrupt(device, csw),
            Interrupt::External { code } => self.cpu.post_external(code),
        }
        Ok(())
    }

    fn withdraw_io(&mut self, device: u16) -> Option<[u8; 8]> {
        self.cpu.take_pending_io(device)
    }

    fn has_pending_io(&self, device: u16) -> bool {
        self.cpu.has_pending_io(device)
    }

    fn has_pending_io_on_channel(&self, channel: u8) -> bool {
        self.cpu.has_pending_io_on_channel(channel)
    }

    fn kicker(&self) -> Kicker {
        Kicker::new(self.kick.clone())
    }

    fn memory(&mut self) -> &mut dyn GuestMemory {
        &mut self.cpu.storage
    }

    fn regs(&self) -> Result<ArchRegs, BackendError> {
        Ok(ArchRegs::S370(S370Regs {
            psw: self.cpu.psw.to_u64(),
            gpr: self.cpu.gpr,
            fpr: self.cpu.fpr,
            cr: self.cpu.cr,
            prefix: self.cpu.prefix,
        }))
    }

    fn set_regs(&mut self, regs: &ArchRegs) -> Result<(), BackendError> {
        let ArchRegs::S370(r) = regs else { return Err(BackendError::WrongMachine) };
        self.cpu.gpr = r.gpr;
        self.cpu.fpr = r.fpr;
        self.cpu.cr = r.cr;
        self.cpu.prefix = r.prefix & 0x00FF_F000;
        self.cpu.load_psw(r.psw);
        Ok(())
    }

    fn counters(&self) -> Counters {
        Counters {
            instructions: Some(self.cpu.counters().instructions),
            interceptions: self.counts.clone(),
        }
    }

    fn interruptions(&self) -> Vec<(&'static str, u64)> {
        let c = self.cpu.counters();
        vec![
            ("SVC", c.svc),
            ("PROGRAM", c.program),
            ("EXTERNAL", c.external),
            ("I/O", c.io_interrupts),
        ]
    }

    fn reset(&mut self, clear: bool) {
        self.cpu.reset(clear);
        self.awaiting = Awaiting::Nothing;
    }

    fn set_assist(&mut self, on: bool) {
        self.cpu.set_mode(Mode { interpretive: true, assist: on });
    }

    fn idle_timer(&self) -> Option<Duration> {
        // TOD units are 1/4096 µs.
        self.cpu.idle_timer().map(|u| {
            Duration::from_nanos((u128::from(u) * 1000 / 4096).min(u128::from(u64::MAX)) as u64)
        })
    }

    fn skip_idle(&mut self, d: Duration) {
        self.cpu.skip_idle((d.as_nanos() * 4096 / 1000).min(u128::from(u64::MAX)) as u64);
    }

    fn set_interval_timer(&mut self, runs: bool, real: bool) {
        self.cpu.set_interval_timer(runs, real);
    }
}

impl GuestMemory for Storage {
    fn size(&self) -> u64 {
        Storage::size(self) as u64
    }

    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let err = MemoryError { addr, len: buf.len(), size: Storage::size(self) as u64 };
        let a = u32::try_from(addr).map_err(|_| err)?;
        Storage::read(self, a, buf).map_err(|_| err)
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError> {
        let err = MemoryError { addr, len: data.len(), size: Storage::size(self) as u64 };
        let a = u32::try_from(addr).map_err(|_| err)?;
        Storage::write(self, a, data).map_err(|_| err)
    }

    fn set_storage_key(&mut self, addr: u64, key: u8) {
        if let Ok(a) = u32::try_from(addr) {
            self.set_key(a, key);
        }
    }

    fn channel(&mut self) -> &mut dyn ChannelMemory {
        self
    }

    fn storage_key(&self, addr: u64) -> Option<u8> {
        let a = u32::try_from(addr).ok().filter(|&a| (a as usize) < Storage::size(self))?;
        Some(self.key(a))
    }
}
