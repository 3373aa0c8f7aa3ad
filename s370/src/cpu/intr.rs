//! Interruptions: what is pending, when it may be taken, and the PSW swap
//! (PoO "Interruptions").
//!
//! ```text
//!  class          old PSW  new PSW  BC mode code      EC mode code (real locations)
//!  restart        X'08'    X'00'    -                 -
//!  external       X'18'    X'58'    PSW bits 16-31    X'86'
//!  supervisor call X'20'   X'60'    PSW 16-31, ILC    X'8A', ILC at X'89'
//!  program        X'28'    X'68'    PSW 16-31, ILC    X'8E', ILC at X'8D'; X'90' TEA
//!  machine check  X'30'    X'70'    MCIC at X'E8', save areas (see post_machine_check)
//!  I/O            X'38'    X'78'    PSW 16-31 = device   X'BA' = device; CSW at X'40'
//! ```
//!
//! Between instructions the pending interruptions are taken in the order of the PoO's
//! priority list: an early PSW exception, machine check, external, I/O, restart. After each one the new
//! PSW decides whether the next can be taken too.

use super::{Cpu, Exit};
use crate::interrupt::{lowcore, pic};
use std::collections::VecDeque;

/// CR0 subclass masks of the other external interruptions.
const CR0_EMERGENCY: u32 = 0x0000_4000;
const CR0_EXTERNAL_CALL: u32 = 0x0000_2000;
const CR0_MALFUNCTION: u32 = 0x0000_8000;
const CR0_INTERRUPT_KEY: u32 = 0x0000_0040;
const CR0_EXTERNAL_SIGNAL: u32 = 0x0000_0020;

/// Control register 14 bit 0: check-stop control.
const CR14_CHECK_STOP: u32 = 0x8000_0000;

/// Pending interruption requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pending {
    /// I/O interruptions: device and CSW, oldest first.
    pub(crate) io: VecDeque<(u16, [u8; 8])>,
    /// External conditions with codes X'00xx' (interval timer X'80', interrupt key X'40',
    /// external signals X'3F'): taken together in one interruption.
    pub(crate) ext_bits: u16,
    /// Other external interruption codes (emergency signal, external call, ...).
    pub(crate) ext_codes: Vec<u16>,
    /// A restart interruption.
    pub(crate) restart: bool,
    /// Machine-check conditions (interruption-code bits, [`mcic`]) not yet presented.
    pub(crate) mcheck: u64,
}

/// Machine-check interruption-code bits (PoO "Machine-Check Handling", "Machine-Check
/// Interruption Code"; bit 0 is the leftmost bit of the doubleword at X'E8').
pub mod mcic {
    /// Bit 0: system damage (exigent).
    pub const SYSTEM_DAMAGE: u64 = 1 << 63;
    /// Bit 1: instruction-processing damage (exigent).
    pub const INSTRUCTION_DAMAGE: u64 = 1 << 62;
    /// Bit 2: system recovery (repressible; CR14 bit 4, recovery-report mask).
    pub const SYSTEM_RECOVERY: u64 = 1 << 61;
    /// Bit 4: timing-facility damage (repressible; CR14 bit 6, external-damage-report mask).
    pub const TIMING_DAMAGE: u64 = 1 << 59;
    /// Bit 5: external damage (repressible; CR14 bit 6, external-damage-report mask).
    pub const EXTERNAL_DAMAGE: u64 = 1 << 58;
    /// Bit 7: degradation (repressible; CR14 bit 5, degradation-report mask).
    pub const DEGRADATION: u64 = 1 << 56;
    /// Bit 8: warning (repressible; CR14 bit 7, warning mask).
    pub const WARNING: u64 = 1 << 55;
    /// The validity bits this processor sets because it stores the state they cover:
    /// PSW EMWP, mask and key, program mask and CC, instruction address (bits 20-23),
    /// floating-point, general and control registers (27-29), storage logical (31), CPU
    /// timer and clock comparator (46-47).
    pub const VALIDITY: u64 = (0xF << 40) | (0x7 << 34) | (1 << 32) | (0x3 << 16);
}

/// Save areas and code of a machine-check interruption (real addresses).
mod mc_area {
    pub const CPU_TIMER: u32 = 0xD8;
    pub const CLOCK_COMPARATOR: u32 = 0xE0;
    pub const CODE: u32 = 0xE8;
    pub const FPR: u32 = 0x160;
    pub const GPR: u32 = 0x180;
    pub const CR: u32 = 0x1C0;
}

impl Cpu {
    /// Queues an I/O interruption for `device` with its CSW. It is taken when the PSW (and,
    /// for channels 6 and up or in EC mode, control register 2) allows interruptions from the
    /// device's channel; the CSW is then stored at X'40'.
    pub fn post_io_interrupt(&mut self, device: u16, csw: [u8; 8]) {
        self.irq.io.push_back((device, csw));
    }

    /// Removes and returns the pending I/O interruption of `device`, if any (TEST I/O, TEST
    /// CHANNEL and CLEAR I/O clear the condition they report).
    pub fn take_pending_io(&mut self, device: u16) -> Option<[u8; 8]> {
        let i = self.irq.io.iter().position(|&(d, _)| d == device)?;
        self.irq.io.remove(i).map(|(_, csw)| csw)
    }

    /// Is an I/O interruption pending for `device`?
    pub fn has_pending_io(&self, device: u16) -> bool {
        self.irq.io.iter().any(|&(d, _)| d == device)
    }

    /// Is an I/O interruption pending for any device on `channel`?
    pub fn has_pending_io_on_channel(&self, channel: u8) -> bool {
        self.irq.io.iter().any(|&(d, _)| (d >> 8) as u8 == channel)
    }

    /// Makes an external interruption pending: X'0040' (interrupt key), X'0080' (interval
    /// timer), X'0001'-X'0020' (external signals), X'1201' (emergency signal), X'1202'
    /// (external call), ... It is taken when the PSW's external mask and the code's CR0
    /// subclass mask allow.
    pub fn post_external(&mut self, code: u16) {
        if code & 0xFF00 == 0 {
            self.irq.ext_bits |= code;
        } else if !self.irq.ext_codes.contains(&code) {
            self.irq.ext_codes.push(code);
        }
    }

    /// Makes a restart interruption pending (the operator's RESTART key): it is taken
    /// before the next instruction, whatever the masks, and ends a wait.
    pub fn restart(&mut self) {
        self.irq.restart = true;
    }

    /// Makes machine-check conditions pending: `code` holds [`mcic`] condition bits (the
    /// host's hardware never fails, so only a caller — CP reflecting a check, a test — raises
    /// them). Exigent conditions (system or instruction-processing damage) are taken when
    /// the PSW's machine-check mask (bit 13) is one; repressible ones also need their
    /// subclass mask in CR14 (bits 4-7). Conditions that cannot be taken stay pending.
    /// Taking one stores the CPU timer, clock comparator, floating-point, general and control
    /// registers in their save areas (X'D8', X'E0', X'160', X'180', X'1C0'), the
    /// interruption code with its validity bits at X'E8', and swaps the PSWs at X'30'/X'70'.
    ///
    /// An exigent condition that arrives while machine checks are disabled (PSW bit 13
    /// zero — also inside the machine-check handler, whose new PSW normally has it off)
    /// with the check-stop control on (CR14 bit 0, one after a reset) puts the processor
    /// in the check-stop state instead: [`Cpu::run`] then returns [`Exit::CheckStop`]
    /// until [`Cpu::reset`]. With the check-stop control off the condition stays pending
    /// (the PoO leaves that case to the model). PoO "Check-Stop State".
    ///
    /// No fixed logout (X'100'-X'15F') and no machine-check extended logout (at the CR15
    /// address) is stored: their contents are model-dependent, and this processor has no
    /// hardware state to log. The MCEL length in the code (bits 48-63) is zero, as the PoO
    /// requires when no extended logout occurred.
    pub fn post_machine_check(&mut self, code: u64) {
        let code = code & !mcic::VALIDITY;
        let exigent = code & (mcic::SYSTEM_DAMAGE | mcic::INSTRUCTION_DAMAGE);
        if exigent != 0 && !self.psw.mcheck && self.cr[14] & CR14_CHECK_STOP != 0 {
            self.check_stop = true;
            return;
        }
        self.irq.mcheck |= code;
    }

    /// Is the processor in the check-stop state (see [`Cpu::post_machine_check`])?
    pub fn check_stopped(&self) -> bool {
        self.check_stop
    }

    /// The pending machine-check conditions the current PSW and CR14 allow.
    fn mcheck_presentable(&self) -> u64 {
        if !self.psw.mcheck {
            return 0;
        }
        let cr14 = self.cr[14];
        let mut allowed = mcic::SYSTEM_DAMAGE | mcic::INSTRUCTION_DAMAGE;
        if cr14 & 0x0800_0000 != 0 {
            allowed |= mcic::SYSTEM_RECOVERY;
        }
        if cr14 & 0x0400_0000 != 0 {
            allowed |= mcic::DEGRADATION;
        }
        if cr14 & 0x0200_0000 != 0 {
            allowed |= mcic::EXTERNAL_DAMAGE | mcic::TIMING_DAMAGE;
        }
        if cr14 & 0x0100_0000 != 0 {
            allowed |= mcic::WARNING;
        }
        self.irq.mcheck & allowed
    }

    /// Takes a machine-check interruption for the conditions `code`.
    fn take_machine_check(&mut self, code: u64) {
        self.irq.mcheck &= !code;
        self.counters.machine_check += 1;
        let extra = self.burst_done();
        let timer = self.clocks.cpu_timer(extra) as u64;
        let _ = self.write_real(mc_area::CPU_TIMER, &timer.to_be_bytes());
        let _ = self.write_real(mc_area::CLOCK_COMPARATOR, &self.clocks.ckc.to_be_bytes());
        for (i, f) in self.fpr.into_iter().enumerate() {
            let _ = self.write_real(mc_area::FPR + 8 * i as u32, &f.to_be_bytes());
        }
        for (i, g) in self.gpr.into_iter().enumerate() {
            let _ = self.write_real(mc_area::GPR + 4 * i as u32, &g.to_be_bytes());
        }
        for (i, c) in self.cr.into_iter().enumerate() {
            let _ = self.write_real(mc_area::CR + 4 * i as u32, &c.to_be_bytes());
        }
        let stored = self.write_real(mc_area::CODE, &(code | mcic::VALIDITY).to_be_bytes());
        let mut new = [0u8; 8];
        let fetched = self.read_real(lowcore::MCHECK_NEW, &mut new);
        if (stored.is_err() || fetched.is_err()) && self.cr[14] & CR14_CHECK_STOP != 0 {
            // PoO: the code cannot be stored or the new PSW fetched: check stop.
            self.check_stop = true;
            return;
        }
        self.swap_psw(lowcore::MCHECK_OLD, lowcore::MCHECK_NEW, 0, 0);
    }

    /// Could an interruption end the current wait (any I/O, external or machine-check
    /// mask on)?
    pub(crate) fn wait_enabled(&self) -> bool {
        let io =
            if self.psw.ec { self.psw.sysmask & 0x02 != 0 } else { self.psw.sysmask & 0xFE != 0 };
        io || self.psw.external_enabled() || self.psw.mcheck
    }

    /// The CR0 subclass mask of external interruption `code`.
    fn ext_mask(code: u16) -> u32 {
        match code {
            0x1001 => CR0_MALFUNCTION,
            0x1201 => CR0_EMERGENCY,
            0x1202 => CR0_EXTERNAL_CALL,
            0x1004 => super::timer::CR0_CLOCK_COMPARATOR,
            0x1005 => super::timer::CR0_CPU_TIMER,
            _ => CR0_EXTERNAL_SIGNAL,
        }
    }

    /// Takes the highest-priority pending interruption the current PSW allows. Returns
    /// whether one was taken.
    pub(crate) fn take_interruption(&mut self) -> bool {
        if let Some(raw) = self.psw_invalid {
            // Early specification exception: the invalid PSW is the old PSW, ILC 0 (also
            // when a PER event of the LPSW or SVC that made it current goes with it).
            self.counters.program += 1;
            let code = pic::SPECIFICATION | self.per_store_info();
            self.store_program_info(code, 0);
            let _ = self.write_real(lowcore::PROGRAM_OLD, &raw);
            self.load_new_psw(lowcore::PROGRAM_NEW);
            return true;
        }
        if self.take_pending_per() {
            return true;
        }
        if self.check_stop {
            return false;
        }
        if self.irq.mcheck != 0 {
            let code = self.mcheck_presentable();
            if code != 0 {
                self.take_machine_check(code);
                return true;
            }
        }
        if self.psw.external_enabled() && self.take_external() {
            return true;
        }
        if !self.irq.io.is_empty() {
            let cr2 = self.cr[2];
            let psw = self.psw;
            if let Some(i) =
                self.irq.io.iter().position(|&(d, _)| psw.io_enabled((d >> 8) as u8, cr2))
                && let Some((device, csw)) = self.irq.io.remove(i)
            {
                self.counters.io_interrupts += 1;
                let _ = self.write_real(lowcore::CSW, &csw);
                if self.psw.ec {
                    let d = device.to_be_bytes();
                    let _ = self.write_real(lowcore::IO_ADDR, &[0, 0, d[0], d[1]]);
                }
                self.swap_psw(lowcore::IO_OLD, lowcore::IO_NEW, device, 0);
                return true;
            }
        }
        if self.irq.restart {
            self.irq.restart = false;
            self.counters.restart += 1;
            self.swap_psw(lowcore::RESTART_OLD, lowcore::IPL_PSW, 0, 0);
            return true;
        }
        false
    }

    /// Takes an enabled external interruption, if one is pending (external mask is on).
    fn take_external(&mut self) -> bool {
        let cr0 = self.cr[0];
        let mut code = None;
        if let Some(i) = self.irq.ext_codes.iter().position(|&c| cr0 & Self::ext_mask(c) != 0) {
            code = Some(self.irq.ext_codes.remove(i));
        } else if cr0 & super::timer::CR0_CLOCK_COMPARATOR != 0 && self.ckc_pending() {
            code = Some(0x1004);
        } else if cr0 & super::timer::CR0_CPU_TIMER != 0 && self.cpt_pending() {
            code = Some(0x1005);
        } else {
            let mut allowed = 0u16;
            if cr0 & super::timer::CR0_INTERVAL_TIMER != 0 {
                allowed |= 0x80;
            }
            if cr0 & CR0_INTERRUPT_KEY != 0 {
                allowed |= 0x40;
            }
            if cr0 & CR0_EXTERNAL_SIGNAL != 0 {
                allowed |= 0x3F;
            }
            let bits = self.irq.ext_bits & allowed;
            if bits != 0 {
                self.irq.ext_bits &= !bits;
                code = Some(bits);
            }
        }
        let Some(code) = code else { return false };
        self.counters.external += 1;
        if self.psw.ec {
            let c = code.to_be_bytes();
            let _ = self.write_real(lowcore::EXT_CODE - 2, &[0, 0, c[0], c[1]]);
        }
        self.swap_psw(lowcore::EXTERNAL_OLD, lowcore::EXTERNAL_NEW, code, 0);
        true
    }

    /// Stores the EC-mode program-interruption identification and the translation-exception
    /// address and monitor information that go with `code`.
    fn store_program_info(&mut self, code: u16, ilc: u32) {
        let c = code.to_be_bytes();
        if self.psw.ec || self.psw_invalid.is_some() {
            let _ = self.write_real(lowcore::PGM_ILC, &[0, (ilc << 1) as u8, c[0], c[1]]);
        }
        let base = code & 0x3F;
        if base == pic::SEGMENT_TRANSLATION || base == pic::PAGE_TRANSLATION {
            let _ = self.write_real(lowcore::TRANS_ADDR, &(self.tea & 0x00FF_FFFF).to_be_bytes());
        }
        if code & pic::MONITOR_EVENT != 0 {
            let (class, mcode) = self.monitor;
            let _ = self.write_real(lowcore::MONITOR_CLASS, &[0, class]);
            let _ = self.write_real(lowcore::MONITOR_CODE, &(mcode & 0x00FF_FFFF).to_be_bytes());
        }
    }

    /// Takes a program interruption for the 4-byte instruction the processor last handed to
    /// its caller (a DIAGNOSE or I/O instruction the caller refuses, e.g. an unknown DIAGNOSE
    /// code): the instruction is suppressed, the old PSW points past it, ILC 2.
    pub fn program_interrupt_after(&mut self, code: u16) {
        self.take_program(code, 2);
    }

    /// Takes a program interruption for the current instruction: `ilc` is its length code
    /// (EXECUTE's when it ran as a target); the PSW's instruction address is already what
    /// the old PSW must show.
    pub(crate) fn take_program(&mut self, code: u16, ilc: u32) {
        let code = code | self.per_store_info();
        self.counters.program += 1;
        self.store_program_info(code, ilc);
        self.swap_psw(lowcore::PROGRAM_OLD, lowcore::PROGRAM_NEW, code, ilc);
    }

    /// Takes a supervisor-call interruption with code `n` (the PSW already points past the
    /// SVC).
    pub(crate) fn take_svc(&mut self, n: u8, ilc: u32) {
        self.counters.svc += 1;
        if self.psw.ec {
            let _ = self.write_real(lowcore::SVC_ILC, &[0, (ilc << 1) as u8, 0, n]);
        }
        self.swap_psw(lowcore::SVC_OLD, lowcore::SVC_NEW, u16::from(n), ilc);
    }

    /// Stores the current PSW (with `code` and `ilc` in BC mode) at real `old` and makes the
    /// PSW at real `new` current.
    pub(crate) fn swap_psw(&mut self, old: u32, new: u32, code: u16, ilc: u32) {
        let mut p = self.psw;
        if !p.ec {
            p.intcode = code;
            p.ilc = (ilc & 3) as u8;
        }
        let _ = self.write_real(old, &p.to_bytes());
        self.load_new_psw(new);
    }

    /// Makes the PSW at real address `at` current.
    fn load_new_psw(&mut self, at: u32) {
        let mut b = [0u8; 8];
        let _ = self.read_real(at, &mut b);
        self.ex_active = false;
        self.set_psw_bytes(b);
    }

    /// The exit for the current wait state.
    pub(crate) fn wait_exit(&self) -> Exit {
        Exit::Wait { enabled: self.wait_enabled() }
    }
}
