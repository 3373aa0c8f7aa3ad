//! The instruction cycle: [`Cpu::run`], and the one place that knows how a program
//! interruption leaves the PSW.
//!
//! ```text
//!  run(budget)
//!   update the interval timer
//!   loop:  budget used up?            -> Exit::Budget
//!          take a pending interruption the PSW allows (counts one against the budget)
//!          wait bit on?                -> Exit::Wait
//!          burst: up to min(budget, next timer event) instructions
//!             fetch (TLB fast path) -> decode length -> IA += length -> dispatch
//!             handler Err(Program)  -> program interruption, end burst
//!             handler Err(Break)    -> end burst (masks changed)
//!             handler Err(Exit)     -> return the recorded exit
//!          update the interval timer
//! ```
//!
//! Program interruptions: segment- and page-translation exceptions *nullify* (the old PSW
//! points at the instruction); every other exception *suppresses*, *terminates* or
//! *completes*, and the old PSW points past the instruction (PoO "Program Interruption",
//! and "Handling of Access Exceptions"). Handlers do the suppress-vs-complete part
//! themselves by checking everything before changing anything, or by completing first
//! (fixed-point overflow).

use super::blocks::Blocks;
use super::{Cpu, Exit, Intercept, IoOp, IoRequest, Stop};
use crate::format::{Insn, length_of};
use crate::interrupt::pic;
use crate::opcode::DISPATCH;

impl Cpu {
    /// Executes up to `budget` instructions, taking pending interruptions when the PSW
    /// allows them, and returns why it stopped. Each interruption taken counts as one
    /// instruction against the budget, so `run` always returns in bounded time.
    pub fn run(&mut self, budget: u64) -> Exit {
        self.clocks.start_run();
        let e = self.run_budget(budget);
        self.clocks.end_run();
        e
    }

    fn run_budget(&mut self, budget: u64) -> Exit {
        if self.check_stop {
            return Exit::CheckStop;
        }
        self.sync_context();
        self.exit = None;
        self.ex_active = false;
        let mut left = budget;
        self.update_timers();
        loop {
            if left == 0 {
                return Exit::Budget;
            }
            if self.take_interruption() {
                left -= 1;
                if self.check_stop {
                    return Exit::CheckStop;
                }
                continue;
            }
            if self.psw.wait {
                return self.wait_exit();
            }
            let n = left.min(self.slice_limit());
            let stop = self.burst(n);
            let done = self.burst_len - self.burst_left;
            self.burst_len = 0;
            self.burst_left = 0;
            self.clocks.executed += done;
            self.counters.instructions += done;
            left = left.saturating_sub(done);
            self.update_timers();
            if stop == Some(Stop::Exit)
                && let Some(e) = self.exit.take()
            {
                return e;
            }
        }
    }

    /// Runs up to `n` instructions without looking at interruptions: decoded blocks from
    /// the block cache, or one instruction the slow way when its block cannot be cached.
    fn burst(&mut self, n: u64) -> Option<Stop> {
        if self.per_active() {
            return self.burst_per(n);
        }
        self.burst_len = n;
        let mut left = n;
        while left != 0 {
            let ia = self.psw.ia;
            let slot = Blocks::slot(ia);
            let (ctx, epoch) = (self.tlb_ctx(), self.storage.code_epoch());
            if !self.blocks.valid(slot, ia, ctx, epoch) && !self.build_block(ia, slot) {
                left -= 1;
                self.burst_left = left;
                if let Some(stop) = self.step_slow(ia) {
                    return Some(stop);
                }
                continue;
            }
            let ops = self.blocks.take(slot);
            let mut stop = None;
            // The clocks see the count at the block's start, with the block's first
            // instruction counted (as `step_slow` counts the instruction it runs):
            // instructions that read the clocks always begin a block (see blocks.rs), so
            // that is exact for them. `left >= 1` here.
            self.burst_left = left - 1;
            'block: loop {
                for op in &ops {
                    left -= 1;
                    self.psw.ia = op.next;
                    match (op.exec)(self, op.insn) {
                        Ok(()) => {
                            if self.psw.ia != op.next
                                || self.storage.code_epoch() != epoch
                                || left == 0
                            {
                                // A loop back to this block's start runs it again at once.
                                if self.psw.ia == ia
                                    && left != 0
                                    && self.storage.code_epoch() == epoch
                                    && self.tlb_ctx() == ctx
                                {
                                    self.burst_left = left - 1;
                                    continue 'block;
                                }
                                break 'block;
                            }
                        }
                        Err(Stop::Program(code)) => {
                            self.burst_left = left;
                            self.program_interrupt(
                                code,
                                op.next.wrapping_sub(op.len) & 0x00FF_FFFF,
                                op.len,
                            );
                            stop = Some(Stop::Break);
                            break 'block;
                        }
                        Err(other) => {
                            stop = Some(other);
                            break 'block;
                        }
                    }
                }
                break;
            }
            self.burst_left = left;
            self.blocks.put(slot, ops);
            if stop.is_some() {
                return stop;
            }
        }
        self.burst_left = 0;
        None
    }

    /// A burst while program-event recording is on: every instruction through
    /// [`Cpu::step_per`], none from the block cache. Ends after an instruction with a
    /// PER event, so that its interruption is taken next.
    fn burst_per(&mut self, n: u64) -> Option<Stop> {
        self.burst_len = n;
        let mut left = n;
        while left != 0 {
            left -= 1;
            self.burst_left = left;
            if let Some(stop) = self.step_per(self.psw.ia) {
                return Some(stop);
            }
        }
        self.burst_left = 0;
        None
    }

    /// Fetches and executes one instruction without the block cache (the first visit to
    /// a 2K block, an instruction crossing one, an odd address, a fetch exception).
    fn step_slow(&mut self, ia: u32) -> Option<Stop> {
        let raw = match self.ifetch_fast(ia) {
            Some(raw) => raw,
            None => match self.ifetch_slow(ia) {
                Ok(raw) => raw,
                Err((code, len)) => {
                    self.fetch_exception(code, ia, len.unwrap_or(4));
                    return Some(Stop::Break);
                }
            },
        };
        let op = (raw >> 40) as u8;
        let len = length_of(op);
        self.psw.ia = (ia + len) & 0x00FF_FFFF;
        match DISPATCH[op as usize](self, Insn(raw)) {
            Ok(()) => None,
            Err(Stop::Program(code)) => {
                self.program_interrupt(code, ia, len);
                Some(Stop::Break)
            }
            Err(stop) => Some(stop),
        }
    }

    /// Takes a program interruption for the instruction of `len` bytes at `ia` (for an
    /// EXECUTE's target: the EXECUTE).
    pub(crate) fn program_interrupt(&mut self, code: u16, ia: u32, len: u32) {
        self.ex_active = false;
        if code == pic::SEGMENT_TRANSLATION || code == pic::PAGE_TRANSLATION {
            // Nullification: the old PSW designates the instruction itself.
            self.psw.ia = ia;
        }
        let len = match std::mem::take(&mut self.ex_fault_len) {
            0 => len,
            target => target,
        };
        self.take_program(code, len / 2);
    }

    /// A program interruption while fetching the instruction at `ia`. Translation
    /// exceptions nullify; for the others the instruction address is advanced by the ILC
    /// (PoO: "the ILC is 1, 2 or 3, indicating the number of halfwords by which the
    /// instruction address has been updated", which one being unpredictable). `len` is the
    /// instruction's length when its first halfword could be fetched, otherwise 4 (ILC 2,
    /// as Hercules 3.13 reports it).
    pub(crate) fn fetch_exception(&mut self, code: u16, ia: u32, len: u32) {
        let ilc = (len / 2).max(1);
        self.psw.ia = if code == pic::SEGMENT_TRANSLATION || code == pic::PAGE_TRANSLATION {
            ia
        } else {
            (ia + 2 * ilc) & 0x00FF_FFFF
        };
        self.take_program(code, ilc);
    }

    /// The check at the start of every privileged instruction: a privileged-operation
    /// exception in the problem state; in interpretive execution with the assist off, an
    /// interception.
    #[inline]
    pub(crate) fn privileged(&mut self, insn: Insn) -> Result<(), Stop> {
        if self.psw.problem {
            return Err(Stop::Program(pic::PRIVILEGED));
        }
        if self.mode.interpretive && !self.mode.assist && !self.simulating {
            let len = if self.ex_active { 4 } else { insn.len() };
            let keep = insn.len() * 8;
            let masked = Insn(insn.0 & !((1u64 << (48 - keep)) - 1) & 0xFFFF_FFFF_FFFF);
            self.exit = Some(Exit::Privileged(Intercept {
                ia: self.psw.ia.wrapping_sub(len) & 0x00FF_FFFF,
                insn: masked,
                len: len as u8,
                executed: self.ex_active,
            }));
            self.counters.privileged += 1;
            return Err(Stop::Exit);
        }
        Ok(())
    }

    /// Ends the run with an I/O request (after the privileged-operation check).
    pub(crate) fn io_request(&mut self, op: IoOp, device: u16) -> Result<(), Stop> {
        if self.psw.problem {
            return Err(Stop::Program(pic::PRIVILEGED));
        }
        self.exit = Some(Exit::Io(IoRequest { op, device }));
        self.counters.io += 1;
        Err(Stop::Exit)
    }

    /// Takes a program interruption for the instruction that just ended [`Cpu::run`] (an I/O
    /// instruction, DIAGNOSE, or an intercepted instruction the caller simulated and found
    /// in error). The PSW points past it; `ilc` is its length code (2 for the usual
    /// four-byte instruction). Segment- and page-translation codes nullify: the old PSW
    /// then points at the instruction.
    pub fn program_check(&mut self, code: u16, ilc: u8) {
        let len = 2 * u32::from(ilc & 3);
        let ia = self.psw.ia.wrapping_sub(len) & 0x00FF_FFFF;
        self.program_interrupt(code, ia, len);
    }

    /// Executes an instruction CP intercepted ([`Exit::Privileged`]) exactly as the bare
    /// machine would, including any program interruption it causes. The PSW must still be
    /// as the interception left it.
    pub fn execute_intercepted(&mut self, ic: &Intercept) {
        self.sync_context();
        self.simulating = true;
        self.ex_active = ic.executed;
        let (per, before) = (self.per_active(), self.gpr);
        let r = DISPATCH[ic.insn.opcode() as usize](self, ic.insn);
        self.simulating = false;
        self.ex_active = false;
        if per {
            let ilc = if ic.executed { 2 } else { u32::from(ic.len) / 2 };
            let done = !matches!(r, Err(Stop::Program(c)) if !super::per::completes(c));
            self.per_after_intercepted(ic.insn, ic.ia, ilc, &before, done);
        }
        if let Err(Stop::Program(code)) = r {
            self.program_interrupt(code, ic.ia, u32::from(ic.len));
        }
    }
}
