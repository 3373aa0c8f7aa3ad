//! `ScriptedBackend`: the test double for everything above the [`Backend`] trait.
//!
//! It plays a queue of [`Step`]s — exits to return, or host time to burn as if the guest ran
//! — and records every completion and posted interruption, so dispatcher and exit-handling
//! tests can script a guest exactly.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use s370::channel::ChannelMemory;
use s370::storage::AccessError;

use super::{
    ArchRegs, Backend, BackendError, Completion, Counters, Exit, FlagKick, GuestMemory, Interrupt,
    Kicker, MemoryError, S370Regs, Slice,
};

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Return this exit from `run`.
    Exit(Exit),
    /// Burn host CPU for the whole slice (or until kicked), then return `Preempted`; the step
    /// stays at the head of the script, so the guest is CPU-bound for ever.
    CpuBound,
    /// Burn host CPU for this long (at most the slice), then return `Preempted`.
    Spin(Duration),
}

/// What a script has seen: shared, so a test keeps a handle after giving the backend away.
#[derive(Debug, Default)]
pub struct Record {
    /// Every completion, in order.
    pub completions: Vec<Completion>,
    /// Every posted interruption, in order.
    pub posted: Vec<Interrupt>,
    /// Number of `run` calls.
    pub runs: u64,
    /// Host time spent inside `run`.
    pub busy: Duration,
}

/// A backend that plays a script.
#[derive(Debug)]
pub struct ScriptedBackend {
    script: VecDeque<Step>,
    record: Arc<Mutex<Record>>,
    kick: Arc<FlagKick>,
    memory: VecMemory,
    regs: S370Regs,
    counts: Vec<(&'static str, u64)>,
    /// When the script runs dry: `Idle` (the default) or `Stopped`.
    idle_when_empty: bool,
    awaiting: bool,
}

/// Guest memory in a vector.
#[derive(Debug, Clone)]
pub struct VecMemory(pub Vec<u8>);

impl GuestMemory for VecMemory {
    fn size(&self) -> u64 {
        self.0.len() as u64
    }

    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let err = MemoryError { addr, len: buf.len(), size: self.size() };
        let a = usize::try_from(addr).map_err(|_| err)?;
        let src = self.0.get(a..a.checked_add(buf.len()).ok_or(err)?).ok_or(err)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError> {
        let err = MemoryError { addr, len: data.len(), size: self.size() };
        let a = usize::try_from(addr).map_err(|_| err)?;
        let end = a.checked_add(data.len()).ok_or(err)?;
        self.0.get_mut(a..end).ok_or(err)?.copy_from_slice(data);
        Ok(())
    }

    fn set_storage_key(&mut self, _addr: u64, _key: u8) {}

    fn channel(&mut self) -> &mut dyn ChannelMemory {
        self
    }
}

impl ChannelMemory for VecMemory {
    fn fetch(&mut self, addr: u32, buf: &mut [u8], _key: u8) -> Result<(), AccessError> {
        GuestMemory::read(self, u64::from(addr), buf).map_err(|_| AccessError::Addressing(addr))
    }

    fn store(&mut self, addr: u32, data: &[u8], _key: u8) -> Result<(), AccessError> {
        GuestMemory::write(self, u64::from(addr), data).map_err(|_| AccessError::Addressing(addr))
    }
}

impl ScriptedBackend {
    /// A backend playing `steps`, with `mem` bytes of guest memory.
    pub fn new(steps: impl IntoIterator<Item = Step>, mem: usize) -> ScriptedBackend {
        ScriptedBackend {
            script: steps.into_iter().collect(),
            record: Arc::default(),
            kick: Arc::default(),
            memory: VecMemory(vec![0; mem]),
            regs: S370Regs::default(),
            counts: Vec::new(),
            idle_when_empty: true,
            awaiting: false,
        }
    }

    /// A guest that burns every slice it gets.
    pub fn cpu_bound() -> ScriptedBackend {
        ScriptedBackend::new([Step::CpuBound], 4096)
    }

    /// The shared record of completions and interruptions.
    pub fn record(&self) -> Arc<Mutex<Record>> {
        Arc::clone(&self.record)
    }

    /// Appends steps to the script.
    pub fn push(&mut self, steps: impl IntoIterator<Item = Step>) {
        self.script.extend(steps);
    }

    /// When the script is empty, stop with a disabled wait instead of idling.
    pub fn stop_when_empty(mut self) -> ScriptedBackend {
        self.idle_when_empty = false;
        self
    }

    fn count(&mut self, kind: &'static str) {
        match self.counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((kind, 1)),
        }
    }

    fn burn(&self, until: Instant) {
        while Instant::now() < until && !self.kick.take() {
            std::hint::spin_loop();
        }
    }
}

impl Backend for ScriptedBackend {
    fn machine(&self) -> &'static str {
        "370"
    }

    fn run(&mut self, slice: Slice) -> Result<Exit, BackendError> {
        let start = Instant::now();
        let exit = match self.script.front().cloned() {
            None if self.idle_when_empty => Exit::Idle,
            None => Exit::Stopped(super::StopReason::DisabledWait { psw: 0x000A_0000_0000_0000 }),
            Some(Step::CpuBound) => {
                self.burn(start + slice.max_time);
                Exit::Preempted
            }
            Some(Step::Spin(d)) => {
                self.script.pop_front();
                self.burn(start + d.min(slice.max_time));
                Exit::Preempted
            }
            Some(Step::Exit(e)) => {
                self.script.pop_front();
                e
            }
        };
        match &exit {
            Exit::Io(_) => self.count("SIO"),
            Exit::Service(_) => self.count("DIAG"),
            Exit::Privileged { .. } => self.count("PRIV"),
            _ => {}
        }
        self.awaiting = matches!(exit, Exit::Io(_) | Exit::Service(_) | Exit::Privileged { .. });
        let mut r = self.record.lock().expect("record lock");
        r.runs += 1;
        r.busy += start.elapsed();
        Ok(exit)
    }

    fn complete(&mut self, answer: Completion) -> Result<(), BackendError> {
        if !self.awaiting {
            return Err(BackendError::UnexpectedCompletion { answer });
        }
        self.awaiting = false;
        if let Completion::Service { gpr, .. } = answer {
            self.regs.gpr = gpr;
        }
        self.record.lock().expect("record lock").completions.push(answer);
        Ok(())
    }

    fn post(&mut self, irq: Interrupt) -> Result<(), BackendError> {
        self.record.lock().expect("record lock").posted.push(irq);
        Ok(())
    }

    fn withdraw_io(&mut self, device: u16) -> Option<[u8; 8]> {
        let mut r = self.record.lock().expect("record lock");
        let at = r
            .posted
            .iter()
            .position(|i| matches!(i, Interrupt::Io { device: d, .. } if *d == device))?;
        match r.posted.remove(at) {
            Interrupt::Io { csw, .. } => Some(csw),
            Interrupt::External { .. } => None,
        }
    }

    fn has_pending_io(&self, device: u16) -> bool {
        let r = self.record.lock().expect("record lock");
        r.posted.iter().any(|i| matches!(i, Interrupt::Io { device: d, .. } if *d == device))
    }

    fn has_pending_io_on_channel(&self, channel: u8) -> bool {
        let r = self.record.lock().expect("record lock");
        r.posted
            .iter()
            .any(|i| matches!(i, Interrupt::Io { device: d, .. } if (*d >> 8) as u8 == channel))
    }

    fn kicker(&self) -> Kicker {
        Kicker::new(self.kick.clone())
    }

    fn memory(&mut self) -> &mut dyn GuestMemory {
        &mut self.memory
    }

    fn regs(&self) -> Result<ArchRegs, BackendError> {
        Ok(ArchRegs::S370(self.regs))
    }

    fn set_regs(&mut self, regs: &ArchRegs) -> Result<(), BackendError> {
        match regs {
            ArchRegs::S370(r) => {
                self.regs = *r;
                Ok(())
            }
            ArchRegs::X86(_) => Err(BackendError::WrongMachine),
        }
    }

    fn counters(&self) -> Counters {
        Counters { instructions: None, interceptions: self.counts.clone() }
    }

    fn reset(&mut self, _clear: bool) {
        self.awaiting = false;
    }

    fn set_assist(&mut self, _on: bool) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ServiceRequest;

    #[test]
    fn plays_exits_and_records_answers() {
        let req = ServiceRequest { code: 8, rx: 1, ry: 2, gpr: [0; 16] };
        let mut b = ScriptedBackend::new([Step::Exit(Exit::Service(req))], 64);
        let rec = b.record();
        assert_eq!(b.run(Slice::time(Duration::from_millis(1))).expect("run"), Exit::Service(req));
        let mut gpr = [0; 16];
        gpr[2] = 7;
        b.complete(Completion::Service { gpr, cc: 0 }).expect("answer fits");
        assert!(b.complete(Completion::Simulate).is_err(), "nothing to answer");
        assert_eq!(b.run(Slice::time(Duration::from_millis(1))).expect("run"), Exit::Idle);
        assert_eq!(rec.lock().expect("lock").completions.len(), 1);
        assert_eq!(b.counters().interceptions, vec![("DIAG", 1)]);
        match b.regs().expect("regs") {
            ArchRegs::S370(r) => assert_eq!(r.gpr[2], 7),
            ArchRegs::X86(_) => panic!("S/370 double"),
        }
    }

    #[test]
    fn cpu_bound_ends_on_kick() {
        let mut b = ScriptedBackend::cpu_bound();
        let k = b.kicker();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            k.kick();
        });
        let start = Instant::now();
        assert_eq!(b.run(Slice::time(Duration::from_secs(10))).expect("run"), Exit::Preempted);
        assert!(start.elapsed() < Duration::from_secs(5));
        t.join().expect("kicker thread");
    }

    #[test]
    fn memory_bounds() {
        let mut b = ScriptedBackend::new([], 16);
        assert!(b.memory().write(12, &[1, 2, 3, 4]).is_ok());
        assert!(b.memory().write(13, &[1, 2, 3, 4]).is_err());
        assert!(b.memory().read(u64::MAX, &mut [0; 2]).is_err());
    }
}
