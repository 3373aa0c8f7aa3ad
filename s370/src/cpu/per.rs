//! Program-event recording (PoO GA22-7000, "Program-Event Recording").
//!
//! PER is on when the PSW is in EC mode with its PER mask (bit 1) on and control register 9
//! asks for at least one kind of event:
//!
//! ```text
//!  CR9   bit 0 successful branching   bit 1 instruction fetching
//!        bit 2 storage alteration     bit 3 general-register alteration
//!        bits 16-31 one mask per general register (bit 16 = GR0)
//!  CR10  bits 8-31 starting address   CR11  bits 8-31 ending address (both inclusive;
//!        the area wraps past X'FFFFFF' when the start is above the end)
//!
//!  program interruption: code bit X'0080' (with any other condition's code),
//!        X'96' PER code (bits 0-3 = the events, as in CR9), X'98' PER address (the
//!        instruction's, EXECUTE's for a target), ILC of that instruction
//! ```
//!
//! While PER is on, every instruction runs through [`Cpu::step_per`] instead of the block
//! cache, and storage operands go through the checked access path: the TLB context then
//! carries a PER bit, so no store right is ever cached and every store reaches
//! [`Cpu::per_note_store`]. With PER off nothing here runs: the instruction cycle looks
//! at the PSW and CR9 once per burst.
//!
//! When events are recognized: instruction fetching whenever the instruction (or
//! EXECUTE's target) was fetched from the area; successful branching, storage and
//! register alteration only when the instruction completed (or completed with a
//! completing exception: fixed-point or decimal overflow, exponent overflow or underflow,
//! significance, monitor event; MVCL/CLCL also when a unit was done), never for a
//! suppressed or nullified one (PoO "Indication of PER Events Concurrently with Other
//! Interruption Conditions"). The interruption follows the instruction: after an SVC or
//! a LOAD PSW it comes right after the new PSW becomes current (ILC of the SVC or LPSW).

use super::{Cpu, Stop};
use crate::format::{Insn, length_of};
use crate::interrupt::{lowcore, pic};
use crate::opcode::DISPATCH;

/// PER code bit: successful branching (CR9 bit 0).
pub const BRANCH: u8 = 0x80;
/// PER code bit: instruction fetching (CR9 bit 1).
pub const FETCH: u8 = 0x40;
/// PER code bit: storage alteration (CR9 bit 2).
pub const STORE: u8 = 0x20;
/// PER code bit: general-register alteration (CR9 bit 3).
pub const REGISTER: u8 = 0x10;

/// A PER interruption recognized but not yet taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PerEvent {
    /// The PER code (bits [`BRANCH`], [`FETCH`], [`STORE`], [`REGISTER`]).
    pub(crate) code: u8,
    /// Address of the instruction (of EXECUTE for a target).
    pub(crate) addr: u32,
    /// Its instruction-length code.
    pub(crate) ilc: u32,
}

/// PER state of the processor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Per {
    /// Storage alteration seen during the current instruction.
    pub(crate) stored: bool,
    /// An interruption to take before anything else.
    pub(crate) pending: Option<PerEvent>,
}

/// Program-interruption codes with which the instruction completed: its branching and
/// alterations count.
pub(crate) fn completes(code: u16) -> bool {
    matches!(
        code & 0x3F,
        pic::FIXED_OVERFLOW
            | pic::DECIMAL_OVERFLOW
            | pic::EXPONENT_OVERFLOW
            | pic::EXPONENT_UNDERFLOW
            | pic::SIGNIFICANCE
    ) || code == pic::MONITOR_EVENT
}

/// One register's bit in a 16-bit mask laid out as CR9 bits 16-31 (GR0 leftmost).
fn reg(r: usize) -> u16 {
    0x8000 >> (r & 15)
}

/// A register and the next one (an even-odd pair, wrapping after 15).
fn pair(r: usize) -> u16 {
    reg(r) | reg(r + 1)
}

/// The general registers `insn` places a value in when it completes with condition code
/// `cc` (PoO: "a new value is placed into the register", whether or not it differs).
/// Registers changed by value are found by comparison as well; this list adds the ones
/// rewritten with the value they held.
fn registers_written(insn: Insn, cc: u8) -> u16 {
    let b1 = insn.byte(1);
    let (r1, r2) = (usize::from(b1 >> 4), usize::from(b1 & 15));
    match insn.opcode() {
        // R1 of RR, RX and RS instructions.
        0x05
        | 0x06
        | 0x09
        | 0x10..=0x14
        | 0x16..=0x18
        | 0x1A
        | 0x1B
        | 0x1E
        | 0x1F
        | 0x41
        | 0x43
        | 0x45
        | 0x46
        | 0x48
        | 0x4A..=0x4C
        | 0x4F
        | 0x54
        | 0x56..=0x58
        | 0x5A
        | 0x5B
        | 0x5E
        | 0x5F
        | 0x86..=0x8B
        | 0xB1 => reg(r1),
        // ICM replaces the bytes its mask selects.
        0xBF if r2 != 0 => reg(r1),
        // R1 and R1+1.
        0x1C | 0x1D | 0x5C | 0x5D | 0x8C..=0x8F => pair(r1),
        // LM: R1 through R3, wrapping.
        0x98 => {
            let mut m = 0;
            let mut r = r1;
            loop {
                m |= reg(r);
                if r == r2 {
                    break m;
                }
                r = (r + 1) & 15;
            }
        }
        // MVCL, CLCL: both pairs, on every execution or resumption.
        0x0E | 0x0F => pair(r1) | pair(r2),
        // CS, CDS: the first operand is replaced when the comparison fails.
        0xBA if cc == 1 => reg(r1),
        0xBB if cc == 1 => pair(r1),
        // TRT: GR1 and GR2 when a nonzero function byte was found.
        0xDD if cc != 0 => reg(1) | reg(2),
        // IPK: GR2.
        0xB2 if b1 == 0x0B => reg(2),
        _ => 0,
    }
}

impl Cpu {
    /// Is program-event recording monitoring anything (PSW in EC mode with the PER mask
    /// on, and an event mask on in CR9)?
    #[inline(always)]
    pub(crate) fn per_active(&self) -> bool {
        self.psw.per_enabled() && self.cr[9] & 0xF000_0000 != 0
    }

    /// Is storage alteration being monitored?
    #[inline]
    pub(crate) fn per_store_active(&self) -> bool {
        self.per_active() && self.cr[9] & 0x2000_0000 != 0
    }

    /// Does the range `lo..=hi` (no wrap) meet the PER storage area of CR10/CR11?
    fn per_area_meets(&self, lo: u32, hi: u32) -> bool {
        let (start, end) = (self.cr[10] & 0x00FF_FFFF, self.cr[11] & 0x00FF_FFFF);
        if start <= end { lo <= end && hi >= start } else { hi >= start || lo <= end }
    }

    /// Records a store of `n` bytes at logical address `addr` (called by the checked
    /// access path while storage alteration is monitored).
    pub(crate) fn per_note_store(&mut self, addr: u32, n: usize) {
        if n == 0 {
            return;
        }
        let lo = addr & 0x00FF_FFFF;
        let last = lo + (n as u32 - 1);
        let hit = if last <= 0x00FF_FFFF {
            self.per_area_meets(lo, last)
        } else {
            self.per_area_meets(lo, 0x00FF_FFFF) || self.per_area_meets(0, last & 0x00FF_FFFF)
        };
        self.per.stored |= hit;
    }

    /// EXECUTE's target as EXECUTE will run it, and its address; `None` when fetching it
    /// fails (EXECUTE then ends in that exception, with no PER event but the fetch).
    fn per_ex_target(&mut self, insn: Insn) -> Option<(Insn, u32)> {
        let b1 = insn.byte(1);
        let (r1, x2) = (usize::from(b1 >> 4), usize::from(b1 & 15));
        let b2 = usize::from(insn.byte(2) >> 4);
        let d2 = (u32::from(insn.byte(2) & 15) << 8) | u32::from(insn.byte(3));
        let a = self.ea(x2, b2, d2);
        if a & 1 != 0 {
            return None;
        }
        let raw = self.ifetch_slow(a).ok()?;
        let mut t = Insn(raw);
        if r1 != 0 {
            t = Insn(t.0 | (u64::from(self.gpr[r1] & 0xFF) << 32));
        }
        Some((t, a))
    }

    /// Will branch instruction `insn` branch, given the registers and CC as they are now?
    fn per_branches(&self, insn: Insn) -> bool {
        let b1 = insn.byte(1);
        let (r1, r2) = (usize::from(b1 >> 4), usize::from(b1 & 15));
        let cc_ok = usize::from(b1 >> 4) & (8 >> self.psw.cc) != 0;
        match insn.opcode() {
            0x05 => r2 != 0,
            0x06 => r2 != 0 && self.gpr[r1] != 1,
            0x07 => r2 != 0 && cc_ok,
            0x45 => true,
            0x46 => self.gpr[r1] != 1,
            0x47 => cc_ok,
            0x86 | 0x87 => {
                // BXH/BXLE: R1 + R3 against the odd register of the R3 pair.
                let sum = (self.gpr[r1] as i32).wrapping_add(self.gpr[r2] as i32);
                let cmp = self.gpr[r2 | 1] as i32;
                if insn.opcode() == 0x86 { sum > cmp } else { sum <= cmp }
            }
            _ => false,
        }
    }

    /// Executes the instruction at `ia` with program-event recording: the slow path of
    /// the instruction cycle, used for every instruction while [`Cpu::per_active`].
    pub(crate) fn step_per(&mut self, ia: u32) -> Option<Stop> {
        let raw = match self.ifetch_fast(ia) {
            Some(raw) => raw,
            None => match self.ifetch_slow(ia) {
                Ok(raw) => raw,
                Err((code, len)) => {
                    // No event for an instruction that could not be fetched.
                    self.fetch_exception(code, ia, len.unwrap_or(4));
                    return Some(Stop::Break);
                }
            },
        };
        let insn = Insn(raw);
        let len = length_of(insn.opcode());
        let cr9 = self.cr[9];
        let mut code = 0u8;
        if cr9 & 0x4000_0000 != 0 && self.per_area_meets(ia, ia) {
            code |= FETCH;
        }
        // The instruction whose effects count: EXECUTE's target when this is EXECUTE.
        let mut effective = insn;
        if insn.opcode() == 0x44 {
            match self.per_ex_target(insn) {
                Some((t, at)) => {
                    if cr9 & 0x4000_0000 != 0 && self.per_area_meets(at, at) {
                        code |= FETCH;
                    }
                    effective = t;
                }
                None => effective = Insn(0),
            }
        }
        let branches = cr9 & 0x8000_0000 != 0 && self.per_branches(effective);
        let before = self.gpr;
        self.per.stored = false;
        self.psw.ia = (ia + len) & 0x00FF_FFFF;
        let r = DISPATCH[insn.opcode() as usize](self, insn);
        let completed = match r {
            Ok(()) | Err(Stop::Exit | Stop::Break) => true,
            Err(Stop::Program(c)) => {
                completes(c) || (matches!(effective.opcode(), 0x0E | 0x0F) && self.gpr != before)
            }
        };
        if completed {
            code |= self.per_alterations(effective, &before, branches);
        }
        self.per.stored = false;
        if code != 0 {
            let ilc = if insn.opcode() == 0x44 { 2 } else { len / 2 };
            self.per.pending = Some(PerEvent { code, addr: ia, ilc });
        }
        match r {
            Ok(()) => self.per.pending.map(|_| Stop::Break),
            Err(Stop::Program(c)) => {
                self.program_interrupt(c, ia, len);
                Some(Stop::Break)
            }
            Err(stop) => Some(stop),
        }
    }

    /// The branching, storage- and register-alteration events of `insn`, which completed:
    /// `before` holds the general registers before it, `branches` whether it branched.
    fn per_alterations(&self, insn: Insn, before: &[u32; 16], branches: bool) -> u8 {
        let cr9 = self.cr[9];
        let mut code = 0;
        if branches {
            code |= BRANCH;
        }
        // CS and CDS alter storage only when they store (CC 0).
        let cs_unequal = matches!(insn.opcode(), 0xBA | 0xBB) && self.psw.cc != 0;
        if self.per.stored && cr9 & 0x2000_0000 != 0 && !cs_unequal {
            code |= STORE;
        }
        if cr9 & 0x1000_0000 != 0 {
            let mut written = registers_written(insn, self.psw.cc);
            for (r, (a, b)) in self.gpr.iter().zip(before).enumerate() {
                if a != b {
                    written |= reg(r);
                }
            }
            if written & (cr9 & 0xFFFF) as u16 != 0 {
                code |= REGISTER;
            }
        }
        code
    }

    /// The general-register and storage-alteration events of an instruction CP executes
    /// for an interception ([`Cpu::execute_intercepted`]) while PER is on: added to the
    /// event its fetch recorded.
    pub(crate) fn per_after_intercepted(
        &mut self,
        insn: Insn,
        ia: u32,
        ilc: u32,
        before: &[u32; 16],
        ok: bool,
    ) {
        let code = if ok { self.per_alterations(insn, before, false) } else { 0 };
        self.per.stored = false;
        if code != 0 {
            let p = self.per.pending.get_or_insert(PerEvent { code: 0, addr: ia, ilc });
            p.code |= code;
        }
    }

    /// Stores the PER code and address of a pending event for the program interruption
    /// being taken, and returns the code bit to add to its interruption code.
    pub(crate) fn per_store_info(&mut self) -> u16 {
        let Some(p) = self.per.pending.take() else { return 0 };
        let _ = self.write_real(lowcore::PER_CODE, &[p.code, 0]);
        let _ = self.write_real(lowcore::PER_ADDR, &(p.addr & 0x00FF_FFFF).to_be_bytes());
        pic::PER_EVENT
    }

    /// Takes the program interruption of a pending PER event on its own (the instruction
    /// completed). Returns whether there was one.
    pub(crate) fn take_pending_per(&mut self) -> bool {
        let Some(p) = self.per.pending else { return false };
        self.take_program(0, p.ilc);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instruction from its bytes (left-justified in the 48-bit form).
    fn insn(bytes: &[u8]) -> Insn {
        let mut b = [0u8; 8];
        b[..bytes.len()].copy_from_slice(bytes);
        Insn(u64::from_be_bytes(b) >> 16)
    }

    #[test]
    fn registers_written_by_family() {
        // LR 3,4; L 5,0(0,0); CR 3,4 (none); M 6,X; LM 14,1; MVCL 2,8.
        assert_eq!(registers_written(insn(&[0x18, 0x34]), 0), reg(3));
        assert_eq!(registers_written(insn(&[0x58, 0x50, 0, 0]), 0), reg(5));
        assert_eq!(registers_written(insn(&[0x19, 0x34]), 0), 0);
        assert_eq!(registers_written(insn(&[0x5C, 0x60, 0, 0]), 0), reg(6) | reg(7));
        assert_eq!(
            registers_written(insn(&[0x98, 0xE1, 0, 0]), 0),
            reg(14) | reg(15) | reg(0) | reg(1)
        );
        assert_eq!(registers_written(insn(&[0x0E, 0x28]), 0), reg(2) | reg(3) | reg(8) | reg(9));
        // CS replaces R1 only when unequal; ICM with mask 0 replaces nothing; TRT only
        // when it found a nonzero byte; IPK sets GR2.
        assert_eq!(registers_written(insn(&[0xBA, 0x46, 0, 0]), 0), 0);
        assert_eq!(registers_written(insn(&[0xBA, 0x46, 0, 0]), 1), reg(4));
        assert_eq!(registers_written(insn(&[0xBF, 0x30, 0, 0]), 0), 0);
        assert_eq!(registers_written(insn(&[0xBF, 0x31, 0, 0]), 0), reg(3));
        assert_eq!(registers_written(insn(&[0xDD, 0, 0, 0, 0, 0]), 0), 0);
        assert_eq!(registers_written(insn(&[0xDD, 0, 0, 0, 0, 0]), 2), reg(1) | reg(2));
        assert_eq!(registers_written(insn(&[0xB2, 0x0B, 0, 0]), 0), reg(2));
    }

    #[test]
    fn storage_area_wraps_and_operands_may_straddle_it() {
        let mut cpu = Cpu::new(0x10000);
        cpu.cr[10] = 0x1000;
        cpu.cr[11] = 0x10FF;
        assert!(cpu.per_area_meets(0x1000, 0x1000));
        assert!(cpu.per_area_meets(0x0FFC, 0x1003), "an operand ending inside");
        assert!(cpu.per_area_meets(0x0F00, 0x1200), "an operand covering the area");
        assert!(!cpu.per_area_meets(0x1100, 0x1100));
        assert!(!cpu.per_area_meets(0x0FF0, 0x0FFF));
        // Start above end: the area is X'FFFF00'-X'FFFFFF' and 0-X'FF'.
        cpu.cr[10] = 0x00FF_FF00;
        cpu.cr[11] = 0x0000_00FF;
        assert!(cpu.per_area_meets(0x0080, 0x0080));
        assert!(cpu.per_area_meets(0x00FF_FF80, 0x00FF_FF80));
        assert!(!cpu.per_area_meets(0x0100, 0x00FF_FEFF));
        // A store that wraps past X'FFFFFF' into the low part of the area.
        cpu.cr[10] = 0x0000_0000;
        cpu.cr[11] = 0x0000_0003;
        cpu.per.stored = false;
        cpu.per_note_store(0x00FF_FFFE, 4);
        assert!(cpu.per.stored);
        cpu.per.stored = false;
        cpu.per_note_store(0x0000_0004, 0);
        cpu.per_note_store(0x0000_0004, 8);
        assert!(!cpu.per.stored);
    }
}
