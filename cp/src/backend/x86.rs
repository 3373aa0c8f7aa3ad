//! The x86 adapter: a KVM virtual machine (`x86_backend`) behind [`Backend`], speaking the
//! CP<->CMS ABI of `cms::abi`.
//!
//! The guest runs at CPL3 in long mode and calls CP with `OUT` to [`CALL_PORT`] carrying the
//! address of a [`CallBlock`] in its memory. A call becomes an exit CP already knows:
//!
//! ```text
//!   KIND_DIAGNOSE  ->  Exit::Service (code, Rx, Ry, R0-R15)   answered by Completion::Service
//!   KIND_IO        ->  CAW -> X'48', Exit::Io (op, device)    answered by Completion::Io
//!   KIND_WAIT      ->  an interruption queued? it is delivered at once and the guest goes on;
//!                      otherwise Exit::Idle, and the next run delivers the one CP posts
//!   KIND_POLL      ->  delivers one if queued, never waits (no exit to CP)
//!   KIND_STOP      ->  Exit::Stopped(DisabledWait)
//! ```
//!
//! Interruptions CP posts ([`Backend::post`]) wait in a queue until the guest's next WAIT or
//! POLL takes them (an x86 guest at CPL3 has no interruption mechanism CP could drive).
//! Everything else the guest might do that is not a call — `OUT`/`IN` on another port, a
//! store or load outside its memory (an MMIO exit), a triple fault, an instruction KVM cannot
//! emulate — stops that machine with a [`StopReason::CheckStop`] saying what happened, and
//! touches nothing else. A guest that loops is kicked at the end of its slice by the slice
//! timer, like every vCPU.
//!
//! Without KVM (no `/dev/kvm`, no permission, or `VM370_FORCE_NO_KVM=1`) the backend still
//! exists — memory, devices and CP commands work — but it cannot run: [`X86Backend::start`]
//! and [`Backend::run`] say why.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cms::abi::{
    CALL_BLOCK_LEN, CALL_PORT, CAW_ADDR, CSW_ADDR, CallBlock, IPL_INFO_ADDR, IplInfo, io_op, irq,
    kind, status,
};
use s370::channel::ChannelMemory;
use s370::cpu::{IoOp, IoRequest};
use s370::storage::AccessError;
use x86_backend::{Exit as KvmExit, ExitKind, Kvm, LongModeSetup, Regs, Ring, Vcpu, Vm};

use super::{
    ArchRegs, Backend, BackendError, Completion, Counters, Exit, FlagKick, GuestMemory, Interrupt,
    Kick, Kicker, MemoryError, ServiceRequest, Slice, StopReason, X86Regs,
};

/// The smallest x86 machine (the monitor's image, stack and a heap).
pub const MIN_STORAGE: u64 = 1 << 20;

/// The process's `/dev/kvm`, opened once; `Err` says why KVM cannot be used.
fn kvm() -> Result<&'static Kvm, String> {
    static KVM: OnceLock<Result<Kvm, String>> = OnceLock::new();
    if std::env::var_os(x86_backend::FORCE_NO_KVM_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        return Err(format!("{} is set", x86_backend::FORCE_NO_KVM_ENV));
    }
    KVM.get_or_init(|| Kvm::open().map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
}

/// Whether x86 virtual machines can run on this host; `Err` is the reason they cannot.
pub fn available() -> Result<(), String> {
    kvm().map(drop)
}

// ---- the slice timer ---------------------------------------------------------------------

/// One thread kicks every vCPU whose slice has run out: the dispatcher's workers arm it
/// around `KVM_RUN`, so a guest that never exits still gives its processor back on time.
struct SliceTimer {
    armed: Mutex<BTreeMap<(Instant, u64), x86_backend::Kicker>>,
    changed: Condvar,
}

fn slice_timer() -> &'static SliceTimer {
    static TIMER: OnceLock<&'static SliceTimer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let t: &'static SliceTimer = Box::leak(Box::new(SliceTimer {
            armed: Mutex::new(BTreeMap::new()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("x86-slice-timer".into())
            .spawn(move || t.serve())
            .expect("spawn the x86 slice timer thread");
        t
    })
}

impl SliceTimer {
    fn arm(&self, deadline: Instant, kicker: &x86_backend::Kicker) -> (Instant, u64) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let key = (deadline, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let mut a = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        let first = a.keys().next().is_none_or(|k| *k > key);
        a.insert(key, kicker.clone());
        drop(a);
        if first {
            self.changed.notify_one();
        }
        key
    }

    /// Whether `key` is still armed (its deadline has not come).
    fn is_armed(&self, key: (Instant, u64)) -> bool {
        self.armed.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&key)
    }

    fn disarm(&self, key: (Instant, u64)) {
        self.armed.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
    }

    fn serve(&self) {
        let mut a = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let now = Instant::now();
            match a.keys().next().copied() {
                None => a = self.changed.wait(a).unwrap_or_else(|p| p.into_inner()),
                Some(k) if k.0 <= now => {
                    if let Some(kicker) = a.remove(&k) {
                        drop(a);
                        kicker.kick();
                        a = self.armed.lock().unwrap_or_else(|p| p.into_inner());
                    }
                }
                Some(k) => {
                    a = self
                        .changed
                        .wait_timeout(a, k.0 - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
            }
        }
    }
}

// ---- memory --------------------------------------------------------------------------------

/// The guest's RAM as CP sees it: guest-physical addresses, bounds-checked copies.
#[derive(Debug, Clone)]
pub struct X86Memory(Arc<x86_backend::GuestMemory>);

impl X86Memory {
    fn err(&self, addr: u64, len: usize) -> MemoryError {
        MemoryError { addr, len, size: self.0.size() }
    }
}

impl GuestMemory for X86Memory {
    fn size(&self) -> u64 {
        self.0.size()
    }

    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        self.0.read(addr, buf).map_err(|_| self.err(addr, buf.len()))
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError> {
        self.0.write(addr, data).map_err(|_| self.err(addr, data.len()))
    }

    fn set_storage_key(&mut self, _addr: u64, _key: u8) {
        // x86 memory has no storage keys.
    }

    fn channel(&mut self) -> &mut dyn ChannelMemory {
        self
    }
}

/// Channel programs address the memory directly; there are no keys to check.
impl ChannelMemory for X86Memory {
    fn fetch(&mut self, addr: u32, buf: &mut [u8], _key: u8) -> Result<(), AccessError> {
        self.0.read(u64::from(addr), buf).map_err(|_| AccessError::Addressing(addr))
    }

    fn store(&mut self, addr: u32, data: &[u8], _key: u8) -> Result<(), AccessError> {
        self.0.write(u64::from(addr), data).map_err(|_| AccessError::Addressing(addr))
    }
}

/// A vCPU's kicker as CP's [`Kick`].
struct VcpuKick(x86_backend::Kicker);

impl Kick for VcpuKick {
    fn kick(&self) {
        self.0.kick();
    }
}

// ---- the backend ---------------------------------------------------------------------------

/// What the last `run` left for CP to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Nothing,
    /// A DIAGNOSE whose block is at this address.
    Service(u64),
    /// An I/O instruction whose block is at this address.
    Io(u64),
}

/// The KVM machine, when there is one.
#[derive(Debug)]
struct Live {
    // Field order is drop order: the vCPU goes before its VM.
    vcpu: Vcpu,
    _vm: Vm,
}

/// Calls and exits counted for INDICATE, in a stable order.
const COUNTED: [&str; 15] = [
    "DIAG", "SIO", "SIOF", "TIO", "CLRIO", "HIO", "HDV", "TCH", "STIDC", "WAIT", "POLL", "STOP",
    "KICK", "BADCALL", "FAULT",
];

/// An x86 virtual machine on KVM.
#[derive(Debug)]
pub struct X86Backend {
    live: Option<Live>,
    /// Why there is no KVM machine.
    unavailable: Option<String>,
    memory: X86Memory,
    queue: VecDeque<Interrupt>,
    /// The guest is in a WAIT call whose block is at this address.
    waiting: Option<u64>,
    awaiting: Awaiting,
    counts: [u64; COUNTED.len()],
    flag_kick: Arc<FlagKick>,
    /// The slice timer entry of the current slice, kept across the calls CP answers within
    /// one slice (CP runs the backend again with the rest of the same slice).
    armed: Option<(Instant, u64)>,
}

fn count_index(name: &str) -> usize {
    COUNTED.iter().position(|&n| n == name).expect("a counted name")
}

impl X86Backend {
    /// A machine with `storage` bytes (rounded up to whole pages, at least [`MIN_STORAGE`]).
    /// Without KVM it is created all the same, but cannot run (see the module docs).
    pub fn new(storage: u64) -> Result<X86Backend, BackendError> {
        let size = storage.max(MIN_STORAGE).next_multiple_of(x86_backend::PAGE_SIZE);
        let host = |e: x86_backend::Error| BackendError::Host(e.to_string());
        let (live, unavailable, memory) = match kvm() {
            Ok(kvm) => {
                let vm = Vm::new(kvm, size).map_err(host)?;
                let vcpu = vm.create_vcpu(0).map_err(host)?;
                let mem = Arc::clone(vm.memory());
                (Some(Live { vcpu, _vm: vm }), None, mem)
            }
            Err(why) => {
                (None, Some(why), Arc::new(x86_backend::GuestMemory::new(size).map_err(host)?))
            }
        };
        let mut b = X86Backend {
            live,
            unavailable,
            memory: X86Memory(memory),
            queue: VecDeque::new(),
            waiting: None,
            awaiting: Awaiting::Nothing,
            counts: [0; COUNTED.len()],
            flag_kick: Arc::default(),
            armed: None,
        };
        b.reset(false);
        Ok(b)
    }

    /// Why this machine cannot run, if it cannot.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    /// Starts a program loaded in memory: `rip` = `entry`, `rdi` = the [`IplInfo`] block CP
    /// writes at [`IPL_INFO_ADDR`], in long mode at CPL3 (the state `reset` left).
    pub fn start(&mut self, entry: u64, info: &IplInfo) -> Result<(), String> {
        if let Some(why) = &self.unavailable {
            return Err(format!("KVM IS NOT AVAILABLE ({why})"));
        }
        self.memory.write(IPL_INFO_ADDR, &info.to_bytes()).map_err(|e| e.to_string())?;
        let live = self.live.as_mut().ok_or("no vCPU")?;
        let mut regs = live.vcpu.regs().map_err(|e| e.to_string())?;
        regs.rip = entry;
        regs.rdi = IPL_INFO_ADDR;
        regs.rsp = 0;
        live.vcpu.set_regs(&regs).map_err(|e| e.to_string())
    }

    /// The vCPU's exits so far, by kind.
    pub fn exit_counts(&self) -> Option<x86_backend::ExitCounts> {
        self.live.as_ref().map(|l| l.vcpu.exit_counts())
    }

    fn count(&mut self, name: &str) {
        self.counts[count_index(name)] += 1;
    }

    fn read_block(&self, addr: u64) -> Option<CallBlock> {
        let mut raw = [0u8; CALL_BLOCK_LEN];
        self.memory.read(addr, &mut raw).ok()?;
        Some(CallBlock::from_bytes(&raw))
    }

    fn write_block(&mut self, addr: u64, b: &CallBlock) {
        // The block was read from here a moment ago, so it is inside memory.
        let _ = self.memory.write(addr, &b.to_bytes());
    }

    /// Puts `irq` in the block at `addr` (a WAIT or POLL) and, for an I/O interruption, the
    /// CSW at X'40' as S/370 does.
    fn deliver(&mut self, addr: u64, irq_: Option<Interrupt>) {
        let Some(mut b) = self.read_block(addr) else { return };
        b.status = status::OK;
        match irq_ {
            Some(Interrupt::Io { device, csw }) => {
                b.irq = irq::IO;
                b.device = device;
                b.csw = csw;
                let _ = self.memory.write(CSW_ADDR, &csw);
            }
            Some(Interrupt::External { code }) => {
                b.irq = irq::EXTERNAL;
                b.ext_code = code;
            }
            None => b.irq = irq::NONE,
        }
        self.write_block(addr, &b);
    }

    fn check_stop(&mut self, what: String) -> Exit {
        self.count("FAULT");
        let rip = self.live.as_ref().and_then(|l| l.vcpu.regs().ok()).map_or(0, |r| r.rip);
        Exit::Stopped(StopReason::CheckStop(format!("{what} AT RIP X'{rip:X}'")))
    }

    /// Arms the slice timer for the end of `slice`, unless the entry armed for this slice
    /// (CP continuing it after answering a call) is still there.
    fn arm(&mut self, slice: Slice) {
        let timer = slice_timer();
        let deadline = Instant::now() + slice.max_time.max(Duration::from_micros(50));
        if let Some(key) = self.armed {
            let same = key.0.max(deadline) - key.0.min(deadline) < Duration::from_micros(200);
            if same && timer.is_armed(key) {
                return;
            }
            timer.disarm(key);
        }
        let kicker = self.live.as_ref().expect("available").vcpu.kicker();
        self.armed = Some(timer.arm(deadline, &kicker));
    }

    fn disarm(&mut self) {
        if let Some(key) = self.armed.take() {
            slice_timer().disarm(key);
        }
    }

    /// Handles one call; `Some(exit)` when CP must see it, `None` to let the guest go on.
    fn call(&mut self, addr: u64) -> Option<Exit> {
        let Some(mut b) = self.read_block(addr) else {
            self.count("BADCALL");
            return Some(
                self.check_stop(format!(
                    "X86 MACHINE CHECK: CALL BLOCK X'{addr:X}' OUTSIDE STORAGE"
                )),
            );
        };
        match b.kind {
            kind::DIAGNOSE if b.rx < 16 && b.ry < 16 => {
                self.count("DIAG");
                self.awaiting = Awaiting::Service(addr);
                Some(Exit::Service(ServiceRequest {
                    code: b.code,
                    rx: usize::from(b.rx),
                    ry: usize::from(b.ry),
                    gpr: b.gpr,
                }))
            }
            kind::IO => {
                let (op, name) = match b.code {
                    io_op::SIO => (IoOp::Sio, "SIO"),
                    io_op::SIOF => (IoOp::Siof, "SIOF"),
                    io_op::TIO => (IoOp::Tio, "TIO"),
                    io_op::CLRIO => (IoOp::Clrio, "CLRIO"),
                    io_op::HIO => (IoOp::Hio, "HIO"),
                    io_op::HDV => (IoOp::Hdv, "HDV"),
                    io_op::TCH => (IoOp::Tch, "TCH"),
                    io_op::STIDC => (IoOp::Stidc, "STIDC"),
                    _ => return self.invalid(addr, &mut b),
                };
                self.count(name);
                let _ = self.memory.write(CAW_ADDR, &b.caw.to_be_bytes());
                self.awaiting = Awaiting::Io(addr);
                Some(Exit::Io(IoRequest { op, device: b.device }))
            }
            kind::WAIT => {
                self.count("WAIT");
                match self.queue.pop_front() {
                    Some(i) => {
                        self.deliver(addr, Some(i));
                        None
                    }
                    None => {
                        self.waiting = Some(addr);
                        Some(Exit::Idle)
                    }
                }
            }
            kind::POLL => {
                self.count("POLL");
                let i = self.queue.pop_front();
                self.deliver(addr, i);
                None
            }
            kind::STOP => {
                self.count("STOP");
                Some(Exit::Stopped(StopReason::DisabledWait { psw: u64::from(b.code) }))
            }
            _ => self.invalid(addr, &mut b),
        }
    }

    fn invalid(&mut self, addr: u64, b: &mut CallBlock) -> Option<Exit> {
        self.count("BADCALL");
        b.status = status::INVALID;
        self.write_block(addr, b);
        None
    }

    /// Runs the vCPU until something needs CP.
    fn run_vcpu(&mut self) -> Result<Exit, BackendError> {
        loop {
            let live = self.live.as_mut().expect("checked by run");
            let exit = live.vcpu.run().map_err(|e| BackendError::Host(e.to_string()))?;
            let stop = match exit {
                KvmExit::IoOut { port: CALL_PORT, size: 4, data } => {
                    match self.call(u64::from(data)) {
                        Some(e) => return Ok(e),
                        None => continue,
                    }
                }
                KvmExit::Interrupted => {
                    self.count("KICK");
                    return Ok(Exit::Preempted);
                }
                KvmExit::IoOut { port, .. }
                | KvmExit::IoIn { port, .. }
                | KvmExit::StringIo { port, .. } => {
                    format!("X86 MACHINE CHECK: I/O TO PORT X'{port:04X}', NOT THE CP CALL PORT")
                }
                KvmExit::MmioWrite { addr, .. } => {
                    format!("ADDRESSING EXCEPTION: STORE AT X'{addr:X}' OUTSIDE STORAGE")
                }
                KvmExit::MmioRead { addr, .. } => {
                    format!("ADDRESSING EXCEPTION: FETCH AT X'{addr:X}' OUTSIDE STORAGE")
                }
                KvmExit::Shutdown => "X86 MACHINE CHECK: TRIPLE FAULT".to_string(),
                KvmExit::Hlt => "X86 MACHINE CHECK: HLT".to_string(),
                KvmExit::InternalError { suberror, .. } => {
                    format!("X86 MACHINE CHECK: KVM INTERNAL ERROR {suberror}")
                }
                KvmExit::FailEntry { reason, .. } => {
                    format!("X86 MACHINE CHECK: ENTRY FAILED, REASON X'{reason:X}'")
                }
                KvmExit::Other { reason } => format!("X86 MACHINE CHECK: KVM EXIT {reason}"),
            };
            return Ok(self.check_stop(stop));
        }
    }
}

fn exit_name(k: ExitKind) -> &'static str {
    match k {
        ExitKind::IoOut => "EXIT IO-OUT",
        ExitKind::IoIn => "EXIT IO-IN",
        ExitKind::StringIo => "EXIT STRING-IO",
        ExitKind::MmioRead => "EXIT MMIO-READ",
        ExitKind::MmioWrite => "EXIT MMIO-WRITE",
        ExitKind::Hlt => "EXIT HLT",
        ExitKind::Shutdown => "EXIT SHUTDOWN",
        ExitKind::InternalError => "EXIT INTERNAL",
        ExitKind::Interrupted => "EXIT KICK",
        ExitKind::FailEntry => "EXIT FAIL-ENTRY",
        ExitKind::Other => "EXIT OTHER",
    }
}

impl Backend for X86Backend {
    fn machine(&self) -> &'static str {
        "X86"
    }

    fn run(&mut self, slice: Slice) -> Result<Exit, BackendError> {
        if self.awaiting != Awaiting::Nothing {
            return Err(BackendError::Host("run with an exit still unanswered".into()));
        }
        if let Some(why) = &self.unavailable {
            return Ok(Exit::Stopped(StopReason::CheckStop(format!(
                "X86 MACHINE NOT AVAILABLE: KVM IS NOT AVAILABLE ({why})"
            ))));
        }
        if let Some(addr) = self.waiting {
            match self.queue.pop_front() {
                Some(i) => {
                    self.waiting = None;
                    self.deliver(addr, Some(i));
                }
                None => return Ok(Exit::Idle),
            }
        }
        self.arm(slice);
        let exit = self.run_vcpu();
        if !matches!(exit, Ok(Exit::Service(_) | Exit::Io(_))) {
            // The slice ends here: the timer must not kick the next one.
            self.disarm();
        }
        exit
    }

    fn complete(&mut self, answer: Completion) -> Result<(), BackendError> {
        let addr = match (self.awaiting, answer) {
            (Awaiting::Service(a), Completion::Service { .. })
            | (Awaiting::Io(a), Completion::Io { .. })
            | (Awaiting::Service(a) | Awaiting::Io(a), Completion::ProgramCheck(_)) => a,
            _ => return Err(BackendError::UnexpectedCompletion { answer }),
        };
        self.awaiting = Awaiting::Nothing;
        let Some(mut b) = self.read_block(addr) else { return Ok(()) };
        match answer {
            Completion::Service { gpr, cc } => {
                b.gpr = gpr;
                b.cc = cc & 3;
                b.status = status::OK;
            }
            Completion::Io { cc } => {
                b.cc = cc & 3;
                b.status = status::OK;
                let mut csw = [0u8; 8];
                let _ = self.memory.read(CSW_ADDR, &mut csw);
                b.csw = csw;
            }
            Completion::ProgramCheck(code) => {
                b.status = status::PROGRAM_CHECK;
                b.pic = code;
            }
            Completion::Simulate => {}
        }
        self.write_block(addr, &b);
        Ok(())
    }

    fn post(&mut self, irq_: Interrupt) -> Result<(), BackendError> {
        self.queue.push_back(irq_);
        Ok(())
    }

    fn withdraw_io(&mut self, device: u16) -> Option<[u8; 8]> {
        let i = self
            .queue
            .iter()
            .position(|q| matches!(q, Interrupt::Io { device: d, .. } if *d == device))?;
        match self.queue.remove(i) {
            Some(Interrupt::Io { csw, .. }) => Some(csw),
            _ => None,
        }
    }

    fn has_pending_io(&self, device: u16) -> bool {
        self.queue.iter().any(|q| matches!(q, Interrupt::Io { device: d, .. } if *d == device))
    }

    fn has_pending_io_on_channel(&self, channel: u8) -> bool {
        self.queue
            .iter()
            .any(|q| matches!(q, Interrupt::Io { device, .. } if (device >> 8) as u8 == channel))
    }

    fn kicker(&self) -> Kicker {
        match &self.live {
            Some(l) => Kicker::new(Arc::new(VcpuKick(l.vcpu.kicker()))),
            None => Kicker::new(self.flag_kick.clone()),
        }
    }

    fn memory(&mut self) -> &mut dyn GuestMemory {
        &mut self.memory
    }

    fn regs(&self) -> Result<ArchRegs, BackendError> {
        let Some(l) = &self.live else {
            return Err(BackendError::Host(format!(
                "KVM is not available ({})",
                self.unavailable.as_deref().unwrap_or("")
            )));
        };
        let r = l.vcpu.regs().map_err(|e| BackendError::Host(e.to_string()))?;
        Ok(ArchRegs::X86(X86Regs {
            gpr: [
                r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.r8, r.r9, r.r10, r.r11,
                r.r12, r.r13, r.r14, r.r15,
            ],
            rip: r.rip,
            rflags: r.rflags,
        }))
    }

    fn set_regs(&mut self, regs: &ArchRegs) -> Result<(), BackendError> {
        let ArchRegs::X86(x) = regs else { return Err(BackendError::WrongMachine) };
        let Some(l) = &mut self.live else {
            return Err(BackendError::Host("KVM is not available".into()));
        };
        let g = x.gpr;
        let r = Regs {
            rax: g[0],
            rbx: g[1],
            rcx: g[2],
            rdx: g[3],
            rsi: g[4],
            rdi: g[5],
            rsp: g[6],
            rbp: g[7],
            r8: g[8],
            r9: g[9],
            r10: g[10],
            r11: g[11],
            r12: g[12],
            r13: g[13],
            r14: g[14],
            r15: g[15],
            rip: x.rip,
            rflags: x.rflags,
        };
        l.vcpu.set_regs(&r).map_err(|e| BackendError::Host(e.to_string()))
    }

    fn counters(&self) -> Counters {
        let mut interceptions: Vec<(&'static str, u64)> = COUNTED
            .iter()
            .zip(self.counts)
            .filter(|(_, n)| *n != 0)
            .map(|(&k, n)| (k, n))
            .collect();
        if let Some(l) = &self.live {
            // Exits that were not calls (kicks, faults) are counted above already; the raw
            // vCPU figures are shown too, by KVM's kind.
            interceptions.extend(l.vcpu.exit_counts().nonzero().map(|(k, n)| (exit_name(k), n)));
        }
        Counters { instructions: None, interceptions }
    }

    fn reset(&mut self, clear: bool) {
        self.disarm();
        self.awaiting = Awaiting::Nothing;
        self.waiting = None;
        self.queue.clear();
        if clear {
            clear_memory(&self.memory.0);
        }
        if let Some(l) = &mut self.live {
            // The system area (GDT, TSS, page tables) and CPL3 long mode; `start` sets the
            // entry. Failure here is a host failure that the next run reports.
            let setup = LongModeSetup { entry: 0, stack: 0, ring: Ring::User };
            let _ = l.vcpu.setup_long_mode(&setup);
        }
    }

    fn set_assist(&mut self, _on: bool) {
        // Nothing to choose: the hardware runs the guest.
    }
}

/// Zeroes guest memory, touching only pages that hold something (untouched pages of the
/// lazily backed mapping stay unbacked).
fn clear_memory(mem: &x86_backend::GuestMemory) {
    let page = x86_backend::PAGE_SIZE;
    let mut buf = vec![0u8; page as usize];
    let zero = vec![0u8; page as usize];
    let mut addr = 0;
    while addr < mem.size() {
        if mem.read(addr, &mut buf).is_ok() && buf.iter().any(|&b| b != 0) {
            let _ = mem.write(addr, &zero);
        }
        addr += page;
    }
}

/// The built-in x86 CMS as a saved system (`SAVESYS name pages page BUILTIN IPL MACHINE X86`):
/// the image's pages at its load address; the entry point is kept in the saved PSW field.
/// `None` when this build has no x86 CMS.
pub fn builtin_cms(name: &str, ipl: bool) -> Option<crate::nss::SavedSystem> {
    let img = cms::x86_image()?;
    let mut pages = img.bytes.to_vec();
    pages.resize(pages.len().next_multiple_of(crate::nss::PAGE), 0);
    let count = pages.len() / crate::nss::PAGE;
    Some(crate::nss::SavedSystem {
        name: name.to_ascii_uppercase(),
        load_page: (img.load_addr / crate::nss::PAGE as u64) as u32,
        ipl,
        state: crate::nss::SavedState {
            psw: img.entry,
            gpr: [0; 16],
            fpr: [0; 4],
            cr: [0; 16],
            keys: vec![0; count],
        },
        pages,
    })
}

/// Starts a saved system on an x86 machine: the pages are already loaded; sets up the entry
/// and the IPL information. `Err` is the text CP shows (KVM missing, storage too small).
pub fn ipl_saved(
    backend: &mut dyn Backend,
    seg: &crate::nss::SavedSystem,
    info: &IplInfo,
) -> Result<(), String> {
    if let Some(img) = cms::x86_image()
        && backend.memory().size() < img.mem_end + (256 << 10)
    {
        return Err(format!("SYSTEM {} EXCEEDS STORAGE", seg.name));
    }
    if let Err(why) = available() {
        return Err(format!("X86 MACHINE NOT AVAILABLE - KVM: {}", why.to_uppercase()));
    }
    // The adapter is reached through the trait: write the block, then set the registers.
    backend.memory().write(IPL_INFO_ADDR, &info.to_bytes()).map_err(|e| e.to_string())?;
    let ArchRegs::X86(mut r) = backend.regs().map_err(|e| e.to_string())? else {
        return Err("NOT AN X86 MACHINE".into());
    };
    r.rip = seg.state.psw;
    r.gpr[5] = IPL_INFO_ADDR; // rdi
    r.gpr[6] = 0; // rsp: the monitor takes its own stack
    backend.set_regs(&ArchRegs::X86(r)).map_err(|e| e.to_string())
}
