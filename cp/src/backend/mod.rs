//! The one trait every virtual machine runs behind, whatever machine it is.
//!
//! CP sees a virtual machine only through [`Backend`]: run it for a slice, answer what it
//! asked for, make an interruption pending, end a running slice early, reach its memory and
//! registers, read its counters. Exits are plain data ([`Exit`]); the backend that knows the
//! machine keeps the machine's details (the S/370 adapter simulates an intercepted privileged
//! instruction itself when CP answers [`Completion::Simulate`]).
//!
//! ```text
//!            run(slice)                      complete(answer)
//!   CP  ───────────────►  Backend  ──Exit──►  CP handles Io / Service / Privileged
//!    ▲                     │   ▲                          │
//!    │   Preempted/Idle/   │   └──────────────────────────┘
//!    └───── Stopped ◄──────┘        (then run again)
//! ```
//!
//! Adapters: [`s370::S370Backend`] (the interpreter in interpretive execution),
//! [`x86::X86Backend`] (a KVM virtual machine speaking the CP<->CMS ABI of `cms::abi`) and
//! [`scripted::ScriptedBackend`] (queued exits, recorded completions: the test double for
//! everything above this trait).

pub mod s370;
pub mod scripted;
pub mod x86;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ::s370::channel::ChannelMemory;

/// How much a [`Backend::run`] may do before it returns [`Exit::Preempted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    /// Upper bound on guest instructions (where the backend can count them).
    pub max_instructions: u64,
    /// Upper bound on host time.
    pub max_time: Duration,
}

impl Slice {
    /// A slice bounded by time only.
    pub fn time(max_time: Duration) -> Slice {
        Slice { max_instructions: u64::MAX, max_time }
    }
}

/// The guest's request for a service from CP: a DIAGNOSE on S/370, a port call on x86. The
/// register conventions are VM/370's (`Rx`, `Ry`, `Rx+1`, `Ry+1`, R15), carried as sixteen
/// 32-bit registers whatever the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceRequest {
    /// The DIAGNOSE code (X'08' CP command, X'18' disk I/O, ...).
    pub code: u16,
    /// The `Rx` register number.
    pub rx: usize,
    /// The `Ry` register number.
    pub ry: usize,
    /// The guest's general registers at the request.
    pub gpr: [u32; 16],
}

/// Why a guest cannot go on without CP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The guest loaded a disabled wait PSW (or the x86 equivalent: HLT with nothing to wake it).
    DisabledWait {
        /// The wait PSW (S/370) or the instruction pointer (x86).
        psw: u64,
    },
    /// The machine cannot continue (check stop, triple fault, an invalid state).
    CheckStop(String),
}

/// What made [`Backend::run`] return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The slice ended (budget used up, or a kick).
    Preempted,
    /// The guest is in an enabled wait: it costs nothing until an interruption is posted.
    Idle,
    /// The guest stopped and cannot continue by itself.
    Stopped(StopReason),
    /// An S/370 I/O instruction on a virtual device; answer with [`Completion::Io`].
    Io(::s370::cpu::IoRequest),
    /// A service call (DIAGNOSE); answer with [`Completion::Service`] or
    /// [`Completion::ProgramCheck`].
    Service(ServiceRequest),
    /// A privileged instruction in virtual supervisor state that the backend does not run by
    /// itself (S/370 with the assist off); answer with [`Completion::Simulate`] after any
    /// tracing or accounting CP does for it.
    Privileged {
        /// The instruction's mnemonic.
        mnemonic: &'static str,
    },
}

/// CP's answer to the exit the last [`Backend::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// The condition code of an I/O instruction (CP has stored any CSW through memory).
    Io {
        /// Condition code 0-3.
        cc: u8,
    },
    /// The registers and condition code after a service call.
    Service {
        /// The guest's general registers to load.
        gpr: [u32; 16],
        /// Condition code 0-3.
        cc: u8,
    },
    /// Execute the intercepted privileged instruction architecturally.
    Simulate,
    /// Give the guest a program interruption with this code instead.
    ProgramCheck(u16),
}

/// An interruption CP makes pending in the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// An I/O interruption from a virtual device, with its channel status word.
    Io {
        /// Device address.
        device: u16,
        /// Channel status word.
        csw: [u8; 8],
    },
    /// An external interruption (X'0040' the external key, X'0080' the interval timer, ...).
    External {
        /// External interruption code.
        code: u16,
    },
}

/// The architected registers, whatever the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchRegs {
    /// A System/370.
    S370(S370Regs),
    /// An x86-64 processor.
    X86(X86Regs),
}

/// System/370 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct S370Regs {
    /// The PSW.
    pub psw: u64,
    /// General registers.
    pub gpr: [u32; 16],
    /// Floating-point registers 0, 2, 4, 6.
    pub fpr: [u64; 4],
    /// Control registers.
    pub cr: [u32; 16],
    /// Prefix register.
    pub prefix: u32,
}

/// x86-64 registers CP shows and changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct X86Regs {
    /// RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, R8-R15 (in that order).
    pub gpr: [u64; 16],
    /// Instruction pointer.
    pub rip: u64,
    /// Flags.
    pub rflags: u64,
}

/// Work and interception counts of a virtual machine: the figures that show the efficiency
/// property (most instructions run without CP).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Guest instructions executed, where the backend can count them.
    pub instructions: Option<u64>,
    /// Exits to CP, by kind (e.g. `("SIO", 12)`, `("DIAG", 40)`), in a stable order.
    pub interceptions: Vec<(&'static str, u64)>,
}

impl Counters {
    /// The total number of interceptions.
    pub fn total_interceptions(&self) -> u64 {
        self.interceptions.iter().map(|(_, n)| n).sum()
    }
}

/// A fault of the host, never of the guest: the guest's mistakes are architected results.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// `complete` was called with an answer that does not fit the last exit.
    #[error("completion {answer:?} does not answer the last exit")]
    UnexpectedCompletion {
        /// The answer given.
        answer: Completion,
    },
    /// The registers given are for another kind of machine.
    #[error("registers of another machine type")]
    WrongMachine,
    /// The host failed (a KVM ioctl, memory mapping).
    #[error("host failure: {0}")]
    Host(String),
}

/// An access to guest memory outside the guest's storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("guest address {addr:#X} length {len} is outside the guest's {size:#X} bytes")]
pub struct MemoryError {
    /// First address of the access.
    pub addr: u64,
    /// Length of the access.
    pub len: usize,
    /// The guest's storage size.
    pub size: u64,
}

/// Guest memory as CP sees it: guest real (S/370) or guest physical (x86) addresses.
pub trait GuestMemory {
    /// The size of guest memory in bytes.
    fn size(&self) -> u64;
    /// Copies guest memory at `addr` into `buf`.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError>;
    /// Copies `data` into guest memory at `addr`.
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError>;
    /// Sets the storage key of the block holding `addr` (S/370; machines without storage
    /// keys have nothing to set).
    fn set_storage_key(&mut self, addr: u64, key: u8);
    /// The same memory as a channel sees it (absolute addresses, access keys), for running
    /// a guest's channel programs against its virtual devices.
    fn channel(&mut self) -> &mut dyn ChannelMemory;
    /// The storage key of the block holding `addr` (CP's `DISPLAY K`); `None` on machines
    /// without storage keys or outside storage.
    fn storage_key(&self, _addr: u64) -> Option<u8> {
        None
    }
}

/// Reads a big-endian fullword from guest memory.
pub fn read_u32(mem: &dyn GuestMemory, addr: u64) -> Result<u32, MemoryError> {
    let mut b = [0u8; 4];
    mem.read(addr, &mut b)?;
    Ok(u32::from_be_bytes(b))
}

/// Something that can end a running slice early from another thread.
pub trait Kick: Send + Sync {
    /// Ends the current (or next) `run` of the backend as soon as possible.
    fn kick(&self);
}

/// A cloneable, thread-safe handle that ends a running slice early.
#[derive(Clone)]
pub struct Kicker(Arc<dyn Kick>);

impl std::fmt::Debug for Kicker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kicker")
    }
}

impl Kicker {
    /// Wraps a kick implementation.
    pub fn new(k: Arc<dyn Kick>) -> Kicker {
        Kicker(k)
    }

    /// Ends the current (or next) `run` as soon as possible.
    pub fn kick(&self) {
        self.0.kick();
    }
}

/// The simplest kick: a flag the backend polls between chunks of work.
#[derive(Debug, Default)]
pub struct FlagKick(AtomicBool);

impl FlagKick {
    /// Takes the flag: true if a kick arrived since the last call.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::AcqRel)
    }
}

impl Kick for FlagKick {
    fn kick(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// A virtual machine's processor, as CP drives it.
pub trait Backend: Send {
    /// The kind of machine, for QUERY VIRTUAL and INDICATE (`"370"`, `"X86"`).
    fn machine(&self) -> &'static str;
    /// Runs the guest until it needs CP or the slice ends. `Err` is a host failure only.
    fn run(&mut self, slice: Slice) -> Result<Exit, BackendError>;
    /// Answers the Io/Service/Privileged exit the last `run` returned.
    fn complete(&mut self, answer: Completion) -> Result<(), BackendError>;
    /// Makes an interruption pending.
    fn post(&mut self, irq: Interrupt) -> Result<(), BackendError>;
    /// Takes back an I/O interruption from `device` that the guest has not taken yet, and
    /// returns its CSW (TEST I/O and CLEAR I/O clear a pending interruption this way).
    fn withdraw_io(&mut self, device: u16) -> Option<[u8; 8]>;
    /// Is an I/O interruption from `device` pending (posted, not yet taken)?
    fn has_pending_io(&self, device: u16) -> bool;
    /// Is an I/O interruption from any device on channel `channel` pending?
    fn has_pending_io_on_channel(&self, channel: u8) -> bool;
    /// A handle that ends a running `run` early, from any thread.
    fn kicker(&self) -> Kicker;
    /// Guest memory.
    fn memory(&mut self) -> &mut dyn GuestMemory;
    /// The architected registers.
    fn regs(&self) -> Result<ArchRegs, BackendError>;
    /// Loads the architected registers.
    fn set_regs(&mut self, regs: &ArchRegs) -> Result<(), BackendError>;
    /// Work and interception counts.
    fn counters(&self) -> Counters;
    /// Interruptions the guest has taken, by class (`"SVC"`, `"PROGRAM"`, `"EXTERNAL"`,
    /// `"I/O"`), where the backend can count them: CP's TRACE sees an interruption happen
    /// by these counts changing. Empty for machines that cannot count them.
    fn interruptions(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
    /// Resets the processor (SYSTEM RESET), and with `clear` all of memory too (SYSTEM
    /// CLEAR). Any unanswered exit is forgotten.
    fn reset(&mut self, clear: bool);
    /// Turns the machine's virtualization assist on or off (`SET ASSIST`): on S/370, whether
    /// privileged instructions run in the interpreter or are intercepted for CP. Machines
    /// without such a choice keep running as they do.
    fn set_assist(&mut self, on: bool);
    /// After an [`Exit::Idle`]: how long until a timer the guest armed (clock comparator,
    /// or a timer that runs in waits) could interrupt it, so CP can wake it then. `None`:
    /// only an outside event (I/O, a console line) can end the wait.
    fn idle_timer(&self) -> Option<Duration> {
        None
    }
    /// Deterministic systems: lets `d` of clock time pass in the wait at once (the guest's
    /// TOD clock moves, its processor time does not).
    fn skip_idle(&mut self, _d: Duration) {}
    /// CP's SET TIMER: the interval timer stops (`runs` false), counts real time (`real`),
    /// or counts the machine's processor time.
    fn set_interval_timer(&mut self, _runs: bool, _real: bool) {}
}
