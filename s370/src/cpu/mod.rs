//! The processor: its state, the instruction cycle and the interface to its callers.
//!
//! A [`Cpu`] is one System/370 central processor with its main storage. It runs in one of two
//! ways ([`Mode`]):
//!
//! - **bare machine**: every instruction is executed architecturally; I/O instructions and
//!   DIAGNOSE end [`Cpu::run`] so that the caller (the channel subsystem of
//!   [`crate::machine`]-style code) can perform them.
//! - **interpretive execution for CP**: the PSW is the guest's virtual PSW. I/O instructions
//!   and DIAGNOSE in the (virtual) supervisor state are intercepted as above; with the assist
//!   off, every other privileged instruction executed in the supervisor state is intercepted
//!   too ([`Exit::Privileged`]), and CP can simulate it or simply call
//!   [`Cpu::execute_intercepted`]. Problem-state privileged operations get their program
//!   interruption as on real hardware, in both modes.
//!
//! # The caller's interface
//!
//! ```text
//!   Cpu::new(size)                 a processor in the reset state, `size` bytes of storage
//!   cpu.load_psw(psw)              IPL: make `psw` current
//!   cpu.run(budget) -> Exit        execute up to `budget` instructions
//!     Exit::Budget                 budget used up; call run again
//!     Exit::Io(IoRequest)          perform it, store a CSW (write_real at X'40') if the
//!                                  instruction calls for one, complete_io(cc), run again
//!     Exit::Diagnose{r1,r3,code}   DIAGNOSE in supervisor state; IA is past it
//!     Exit::Privileged(Intercept)  interpretive mode, assist off; execute_intercepted(&i)
//!     Exit::Wait{enabled}          wait state: disabled = stopped for good; enabled = the
//!                                  caller idles until it posts an interruption
//!     Exit::CheckStop              check-stop state (an exigent machine check that could
//!                                  not be taken): nothing runs until cpu.reset(..)
//!   cpu.post_io_interrupt(dev, csw)    queue an I/O interruption (taken when enabled)
//!   cpu.take_pending_io(dev) / has_pending_io(dev)   for TIO, TCH, CLRIO
//!   cpu.post_external(code)        e.g. X'0040' interrupt key (CP's EXTERNAL command)
//!   cpu.restart()                  a restart interruption (taken at the next run)
//!   cpu.post_machine_check(mcic)   machine-check conditions (mcic::*), taken when enabled;
//!                                  exigent ones while disabled: check stop (check_stopped())
//!   cpu.reset(clear)               initial CPU reset, or clear reset (storage and keys too)
//!   cpu.set_mode(Mode), counters(), set_time_source(..), tod(), set_tod(..)
//!   cpu.read_real / write_real     real storage (prefixing, no key check) for channels and CP
//!   cpu.translate(vaddr)           DAT as LOAD REAL ADDRESS does it, for CP's displays
//! ```
//!
//! Nothing a program does can panic the host: every byte sequence and every PSW gives an
//! architected result. Instruction handlers (in [`crate::insn`]) use the operand accessors
//! ([`Cpu::ea`], `read_*`, `write_*`) and return [`ExecResult`]; the one place that knows
//! which program interruptions nullify, suppress or complete is `exec.rs`.

mod access;
mod blocks;
mod dat;
mod exec;
mod intr;
mod per;
mod timer;

pub(crate) use access::Span;
pub use dat::DatFault;
pub use intr::mcic;
pub use per::{
    BRANCH as PER_BRANCH, FETCH as PER_FETCH, REGISTER as PER_REGISTER, STORE as PER_STORE,
};
pub use timer::TimeSource;

use crate::format::Insn;
use crate::psw::Psw;
use crate::storage::Storage;

/// Why an instruction did not complete normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A program interruption with this code (see [`crate::interrupt::pic`]).
    Program(u16),
    /// The instruction completed and [`Cpu::run`] must return to its caller (an I/O
    /// instruction, DIAGNOSE, an intercepted privileged instruction). The exit is recorded
    /// in the processor.
    Exit,
    /// The instruction completed and changed state that decides which interruptions can be
    /// taken (PSW, control registers, timers): the instruction cycle re-examines them.
    Break,
}

/// What every instruction handler returns.
pub type ExecResult = Result<(), Stop>;

/// An I/O instruction, as the processor hands it to its caller (the bare machine's channel
/// subsystem, or CP). The instruction address has already been advanced past it; the caller
/// performs it, stores a CSW if the instruction calls for one ([`Cpu::write_real`] at
/// X'40'), and sets the condition code with [`Cpu::complete_io`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoRequest {
    /// Which I/O instruction.
    pub op: IoOp,
    /// The device address: bits 16-31 of the second-operand address (channel in the high
    /// byte, unit in the low byte). Zero for STIDC's unit bits.
    pub device: u16,
}

/// The S/370 I/O instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoOp {
    /// START I/O (9C00).
    Sio,
    /// START I/O FAST RELEASE (9C01).
    Siof,
    /// TEST I/O (9D00).
    Tio,
    /// CLEAR I/O (9D01).
    Clrio,
    /// HALT I/O (9E00).
    Hio,
    /// HALT DEVICE (9E01).
    Hdv,
    /// TEST CHANNEL (9F00).
    Tch,
    /// STORE CHANNEL ID (B203).
    Stidc,
}

/// A privileged instruction intercepted in interpretive execution with the assist off.
///
/// The instruction address in the PSW is already past the instruction (past the EXECUTE
/// when it was the target of one). CP either simulates it or calls
/// [`Cpu::execute_intercepted`], which performs it exactly as the bare machine would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intercept {
    /// Address of the instruction (of the EXECUTE, when executed by one).
    pub ia: u32,
    /// The instruction, as modified by EXECUTE if executed by one; bytes past its length
    /// are zero.
    pub insn: Insn,
    /// Length in bytes of the instruction at `ia` (4 when executed by EXECUTE).
    pub len: u8,
    /// Was it the target of an EXECUTE?
    pub executed: bool,
}

impl Intercept {
    /// The opcode table entry of the intercepted instruction.
    pub fn op(&self) -> Option<&'static crate::opcode::Op> {
        crate::opcode::lookup(self.insn.byte(0), self.insn.byte(1))
    }
}

/// Why [`Cpu::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The instruction budget was used up.
    Budget,
    /// An I/O instruction for the caller to perform.
    Io(IoRequest),
    /// A DIAGNOSE (83) in the supervisor state: the R1 and R3 fields and the second-operand
    /// address (the function code). The instruction address is past the DIAGNOSE.
    Diagnose {
        /// R1 field.
        r1: usize,
        /// R3 field.
        r3: usize,
        /// The second-operand address D2(B2).
        code: u32,
    },
    /// Interpretive execution with the assist off: a privileged instruction in the
    /// supervisor state, for CP to simulate.
    Privileged(Intercept),
    /// The PSW has the wait bit on. `enabled` says whether any interruption could end the
    /// wait (I/O, external or machine-check mask on).
    Wait {
        /// Could an interruption end this wait?
        enabled: bool,
    },
    /// The processor is in the check-stop state: an exigent machine-check condition
    /// arrived while machine checks were disabled (PSW bit 13 zero) and the check-stop
    /// control (CR14 bit 0) was one. It executes no instructions and takes no
    /// interruptions until a CPU reset ([`Cpu::reset`]). PoO "Check-Stop State".
    CheckStop,
}

/// How the processor is being run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mode {
    /// Interpretive execution for CP: privileged instructions in the supervisor state may be
    /// intercepted ([`Exit::Privileged`]).
    pub interpretive: bool,
    /// With `interpretive`: execute privileged instructions in the interpreter instead of
    /// intercepting them (VM/370's Virtual Machine Assist, `SET ASSIST ON`).
    pub assist: bool,
}

/// What the processor has done since it was created (or since [`Cpu::reset_counters`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Instructions executed (including those ending in a program interruption).
    pub instructions: u64,
    /// I/O instructions handed to the caller.
    pub io: u64,
    /// DIAGNOSE instructions handed to the caller.
    pub diagnose: u64,
    /// Privileged instructions intercepted (interpretive mode, assist off).
    pub privileged: u64,
    /// Program interruptions taken.
    pub program: u64,
    /// Supervisor-call interruptions taken.
    pub svc: u64,
    /// External interruptions taken.
    pub external: u64,
    /// I/O interruptions taken.
    pub io_interrupts: u64,
    /// Restart interruptions taken.
    pub restart: u64,
    /// Machine-check interruptions taken.
    pub machine_check: u64,
}

/// One S/370 central processor with its main storage.
#[derive(Debug, Clone)]
pub struct Cpu {
    /// General registers 0-15.
    pub gpr: [u32; 16],
    /// Floating-point registers 0, 2, 4, 6 (index = register number / 2).
    pub fpr: [u64; 4],
    /// Control registers 0-15.
    pub cr: [u32; 16],
    /// The current PSW. A caller that changes it between runs needs nothing else; during a
    /// run, instructions change it through [`Cpu::set_psw`]-style paths.
    pub psw: Psw,
    /// The prefix register (a multiple of 4K).
    pub prefix: u32,
    /// Main storage.
    pub storage: Storage,
    /// The access TLB (translation, prefixing, keys and reference bits, cached per 2K).
    pub(crate) tlb: access::Tlb,
    /// Decoded-instruction blocks.
    pub(crate) blocks: blocks::Blocks,
    /// Pending interruptions.
    pub(crate) irq: intr::Pending,
    /// Program-event recording: the events of the current instruction, and one not yet
    /// presented.
    pub(crate) per: per::Per,
    /// The check-stop state: no instructions or interruptions until a CPU reset.
    pub(crate) check_stop: bool,
    /// TOD clock, clock comparator, CPU timer, interval timer.
    pub(crate) clocks: timer::Clocks,
    /// The exit an instruction recorded before returning [`Stop::Exit`].
    pub(crate) exit: Option<Exit>,
    /// Set while EXECUTE runs its target (ILC 2 for link information and SVC).
    pub(crate) ex_active: bool,
    /// Set while [`Cpu::execute_intercepted`] runs an instruction: do not intercept it again.
    pub(crate) simulating: bool,
    /// The raw form of a current PSW with an invalid format: a specification exception is
    /// due before the next instruction (an "early" exception, ILC 0).
    pub(crate) psw_invalid: Option<[u8; 8]>,
    /// Translation-exception address for the segment/page-translation exception being
    /// reported.
    pub(crate) tea: u32,
    /// Monitor class and code for the monitor event being reported.
    pub(crate) monitor: (u8, u32),
    pub(crate) mode: Mode,
    pub(crate) counters: Counters,
    /// Instructions left in the current burst, and its length (for the time source).
    pub(crate) burst_left: u64,
    pub(crate) burst_len: u64,

    /// The CPU identification STIDP stores.
    pub cpu_id: u64,
    /// Report a program interruption caused by the target of EXECUTE with the target's
    /// ILC, as Hercules 3.13 does, instead of EXECUTE's 2 (PoO: "whenever an instruction
    /// is executed by means of EXECUTE, instruction-length code 2 is set"). Off by
    /// default; the differential tests turn it on.
    pub hercules_ex_ilc: bool,
    /// Length of the EXECUTE target that just caused a program interruption (with
    /// `hercules_ex_ilc`).
    pub(crate) ex_fault_len: u32,
}

impl Cpu {
    /// A processor after a clear reset with `storage_size` bytes of zeroed storage: PSW zero,
    /// control registers at their initial values, virtual time.
    pub fn new(storage_size: usize) -> Cpu {
        let mut cpu = Cpu {
            gpr: [0; 16],
            fpr: [0; 4],
            cr: [0; 16],
            psw: Psw::default(),
            prefix: 0,
            storage: Storage::new(storage_size),
            tlb: access::Tlb::new(),
            blocks: blocks::Blocks::new(),
            irq: intr::Pending::default(),
            per: per::Per::default(),
            check_stop: false,
            clocks: timer::Clocks::new(TimeSource::default()),
            exit: None,
            ex_active: false,
            simulating: false,
            psw_invalid: None,
            tea: 0,
            monitor: (0, 0),
            mode: Mode::default(),
            counters: Counters::default(),
            burst_left: 0,
            burst_len: 0,
            // Version FF (as VM reports to its guests), serial 000001, model 3033.
            cpu_id: 0xFF00_0001_3033_0000,
            hercules_ex_ilc: false,
            ex_fault_len: 0,
        };
        cpu.reset(false);
        cpu
    }

    /// Resets the processor. `clear == false` is the initial CPU reset that precedes an IPL:
    /// pending interruptions are dropped, the PSW, prefix, CPU timer and clock comparator
    /// become zero and the control registers get their initial values (CR0 X'000000E0',
    /// CR2 X'FFFFFFFF', CR14 X'C2000000', CR15 X'00000200'); general and floating-point
    /// registers and storage are kept. `clear == true` (clear reset) also zeroes the general
    /// and floating-point registers, storage and storage keys. PoO "Resets".
    pub fn reset(&mut self, clear: bool) {
        self.irq = intr::Pending::default();
        self.per = per::Per::default();
        self.check_stop = false;
        self.psw = Psw::default();
        self.psw_invalid = None;
        self.prefix = 0;
        self.cr = [0; 16];
        self.cr[0] = 0x0000_00E0;
        self.cr[2] = 0xFFFF_FFFF;
        self.cr[14] = 0xC200_0000;
        self.cr[15] = 0x0000_0200;
        self.clocks.reset_timers();
        self.exit = None;
        self.ex_active = false;
        self.simulating = false;
        if clear {
            self.gpr = [0; 16];
            self.fpr = [0; 4];
            self.storage.clear();
        }
        self.tlb.purge();
        self.sync_context();
    }

    /// Makes `psw` (the 64-bit architected form) the current PSW, as IPL does with the
    /// doubleword at absolute 0. An invalid format gives a specification exception before
    /// the first instruction, as the architecture requires.
    pub fn load_psw(&mut self, psw: u64) {
        self.set_psw_bytes(psw.to_be_bytes());
    }

    /// Makes a decoded PSW current during or between runs, keeping the cached access
    /// context in step.
    pub fn set_psw(&mut self, psw: Psw) {
        self.psw = psw;
        self.psw_invalid = None;
        self.sync_context();
    }

    /// Makes the 8-byte PSW current, recording an invalid format for the early exception.
    pub(crate) fn set_psw_bytes(&mut self, raw: [u8; 8]) {
        let (psw, valid) = Psw::from_bytes(raw);
        self.psw = psw;
        self.psw_invalid = if valid { None } else { Some(raw) };
        self.sync_context();
    }

    /// How the processor runs (bare machine or interpretive execution, assist).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Sets how the processor runs.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The counts of instructions and interceptions so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Sets all counters to zero.
    pub fn reset_counters(&mut self) {
        self.counters = Counters::default();
    }

    /// The effective address `D(X,B)`: the sum of the index register (unless `x` is 0), the
    /// base register (unless `b` is 0) and the displacement, truncated to 24 bits.
    #[inline(always)]
    pub fn ea(&self, x: usize, b: usize, d: u32) -> u32 {
        let xv = if x != 0 { self.gpr[x & 15] } else { 0 };
        let bv = if b != 0 { self.gpr[b & 15] } else { 0 };
        xv.wrapping_add(bv).wrapping_add(d) & 0x00FF_FFFF
    }

    /// Sets the condition code after the caller performed an [`IoRequest`].
    pub fn complete_io(&mut self, cc: u8) {
        self.psw.cc = cc & 3;
    }

    /// The absolute address of real address `addr` (prefixing applied).
    #[inline(always)]
    pub fn real_to_absolute(&self, addr: u32) -> u32 {
        let page = addr & 0x00FF_F000;
        if page == 0 {
            addr | self.prefix
        } else if page == self.prefix {
            addr & 0xFFF
        } else {
            addr
        }
    }

    /// Stores bytes at a real address (prefixing applied, no key check, reference and
    /// change bits set), e.g. a CSW at X'40'.
    pub fn write_real(
        &mut self,
        addr: u32,
        data: &[u8],
    ) -> Result<(), crate::storage::AccessError> {
        // A real range may cross from the prefix page into the next one: go byte by byte
        // only when it does.
        let a = addr & 0x00FF_FFFF;
        if (a & 0xFFF) as usize + data.len() <= 0x1000 {
            let abs = self.real_to_absolute(a);
            return self.storage.write(abs, data);
        }
        for (i, &b) in data.iter().enumerate() {
            let abs = self.real_to_absolute(a.wrapping_add(i as u32) & 0x00FF_FFFF);
            self.storage.write(abs, &[b])?;
        }
        Ok(())
    }

    /// Fetches bytes from a real address (prefixing applied, no key check), e.g. the CAW.
    pub fn read_real(&self, addr: u32, buf: &mut [u8]) -> Result<(), crate::storage::AccessError> {
        let a = addr & 0x00FF_FFFF;
        if (a & 0xFFF) as usize + buf.len() <= 0x1000 {
            let abs = self.real_to_absolute(a);
            return self.storage.read(abs, buf);
        }
        for (i, b) in buf.iter_mut().enumerate() {
            let abs = self.real_to_absolute(a.wrapping_add(i as u32) & 0x00FF_FFFF);
            let mut one = [0u8];
            self.storage.read(abs, &mut one)?;
            *b = one[0];
        }
        Ok(())
    }

    /// The instruction at absolute address `ia`, if it is fully inside storage (for
    /// tracing and disassembly; the instruction cycle fetches through DAT and keys).
    pub fn fetch(&self, ia: u32) -> Option<Insn> {
        let a = ia as usize;
        let b = self.storage.bytes();
        let first = *b.get(a)?;
        let len = crate::format::length_of(first) as usize;
        b.get(a..a + len).map(Insn::from_bytes)
    }

    /// The instruction-length code of the instruction being executed with length `len`
    /// bytes: EXECUTE's (2) when it runs as the target of one.
    #[inline(always)]
    pub(crate) fn ilc_of(&self, len: u32) -> u32 {
        if self.ex_active { 2 } else { len / 2 }
    }
}
