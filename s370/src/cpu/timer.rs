//! TOD clock, clock comparator, CPU timer and the interval timer at X'50' (PoO "Timing").
//!
//! All four run from one monotonic count of elapsed time in TOD units (bit 63 of the TOD
//! clock = 1/4096 µs), taken from the [`TimeSource`]:
//!
//! ```text
//!   elapsed  = Host:    host monotonic time since the processor was created
//!              Virtual: instructions executed x units_per_insn
//!   TOD      = elapsed + offset            (SET CLOCK changes offset)
//!   CPU timer = value_at_set - (elapsed - elapsed_at_set)
//!   interval timer (X'50') -= elapsed x 3 / 160000   (bit 31 = 1/76800 s; bit 23 ticks at 300 Hz)
//! ```
//!
//! In virtual time the clocks advance only while instructions execute: a CPU in the wait
//! state sees no time pass (CP dispatches a virtual machine, and its clocks, only while it
//! runs). The interval timer is decremented in storage at slice boundaries (at most every
//! [`SLICE`] instructions, and before an external interruption could be taken).

use super::Cpu;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Longest run of instructions between two looks at the clocks and pending interruptions.
pub(crate) const SLICE: u64 = 1 << 16;

/// Seconds from 1900-01-01 (the TOD epoch) to 1970-01-01.
const EPOCH_1900_TO_1970: u64 = 2_208_988_800;

/// TOD units in one interval-timer unit (bit 31 at 76 800 Hz) are 160000/3.
const IT_NUM: u128 = 3;
const IT_DEN: u128 = 160_000;

/// Where the processor's clocks get their time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// The host's clock: the TOD clock starts at the host's date and time (UTC) and all
    /// timers follow host time.
    Host,
    /// Virtual time, for reproducible runs: every executed instruction advances all clocks
    /// by `units_per_insn` TOD units (4096 units = 1 µs). The TOD clock starts at zero
    /// (1900-01-01) unless set.
    Virtual {
        /// TOD units per instruction.
        units_per_insn: u64,
    },
}

impl Default for TimeSource {
    /// Virtual time at 40 units (about 10 ns) per instruction.
    fn default() -> TimeSource {
        TimeSource::Virtual { units_per_insn: 40 }
    }
}

/// The processor's timing facilities.
#[derive(Debug, Clone)]
pub(crate) struct Clocks {
    source: TimeSource,
    /// Host time origin.
    host_start: Instant,
    /// Instructions executed before the current burst (virtual time).
    pub(crate) executed: u64,
    /// TOD = elapsed + offset.
    tod_offset: u64,
    /// The last TOD value STORE CLOCK returned (values must increase).
    last_stck: u64,
    /// Clock comparator.
    pub(crate) ckc: u64,
    /// CPU timer value when it was set, and the elapsed time then.
    cpt_value: u64,
    cpt_at: u64,
    /// Interval-timer units already subtracted from X'50', counted from `it_origin`.
    it_applied: u64,
    it_origin: u64,
}

impl Clocks {
    pub(crate) fn new(source: TimeSource) -> Clocks {
        let mut c = Clocks {
            source,
            host_start: Instant::now(),
            executed: 0,
            tod_offset: 0,
            last_stck: 0,
            ckc: 0,
            cpt_value: 0,
            cpt_at: 0,
            it_applied: 0,
            it_origin: 0,
        };
        c.set_source(source);
        c
    }

    /// Switches the time source; the TOD clock starts over from the source's origin.
    pub(crate) fn set_source(&mut self, source: TimeSource) {
        self.source = source;
        self.host_start = Instant::now();
        self.executed = 0;
        self.tod_offset = match source {
            TimeSource::Host => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| {
                    (d.as_secs() + EPOCH_1900_TO_1970) * 1_000_000 * 4096
                        + u64::from(d.subsec_micros()) * 4096
                })
                .unwrap_or(0),
            TimeSource::Virtual { .. } => 0,
        };
        self.last_stck = 0;
        self.cpt_at = 0;
        self.it_applied = 0;
        self.it_origin = 0;
    }

    /// Initial CPU reset: CPU timer and clock comparator zero.
    pub(crate) fn reset_timers(&mut self) {
        self.ckc = 0;
        self.cpt_value = 0;
        self.cpt_at = self.elapsed(0);
    }

    /// Elapsed TOD units; `extra` instructions of the current burst included.
    pub(crate) fn elapsed(&self, extra: u64) -> u64 {
        match self.source {
            TimeSource::Host => {
                let d = self.host_start.elapsed();
                d.as_secs() * 1_000_000 * 4096 + u64::from(d.subsec_nanos()) * 4096 / 1000
            }
            TimeSource::Virtual { units_per_insn } => {
                (self.executed + extra).wrapping_mul(units_per_insn)
            }
        }
    }

    /// The TOD clock.
    pub(crate) fn tod(&self, extra: u64) -> u64 {
        self.elapsed(extra).wrapping_add(self.tod_offset)
    }

    /// A TOD value for STORE CLOCK: strictly greater than the last one returned.
    pub(crate) fn stck(&mut self, extra: u64) -> u64 {
        let t = self.tod(extra).max(self.last_stck.wrapping_add(1));
        self.last_stck = t;
        t
    }

    /// Sets the TOD clock.
    pub(crate) fn set_tod(&mut self, value: u64, extra: u64) {
        self.tod_offset = value.wrapping_sub(self.elapsed(extra));
        self.last_stck = 0;
    }

    /// The CPU timer as a signed value.
    pub(crate) fn cpu_timer(&self, extra: u64) -> i64 {
        self.cpt_value.wrapping_sub(self.elapsed(extra).wrapping_sub(self.cpt_at)) as i64
    }

    /// Sets the CPU timer.
    pub(crate) fn set_cpu_timer(&mut self, value: u64, extra: u64) {
        self.cpt_value = value;
        self.cpt_at = self.elapsed(extra);
    }

    /// Interval-timer units elapsed since the last call.
    fn interval_ticks(&mut self) -> u64 {
        let e = self.elapsed(0).wrapping_sub(self.it_origin);
        let total = (u128::from(e) * IT_NUM / IT_DEN) as u64;
        let d = total.wrapping_sub(self.it_applied);
        self.it_applied = total;
        d
    }

    /// TOD units per instruction in virtual time (None with host time).
    fn units_per_insn(&self) -> Option<u64> {
        match self.source {
            TimeSource::Virtual { units_per_insn } => Some(units_per_insn.max(1)),
            TimeSource::Host => None,
        }
    }
}

/// CR0 subclass masks of the timer interruptions.
pub(crate) const CR0_CLOCK_COMPARATOR: u32 = 0x0000_0800;
pub(crate) const CR0_CPU_TIMER: u32 = 0x0000_0400;
pub(crate) const CR0_INTERVAL_TIMER: u32 = 0x0000_0080;

impl Cpu {
    /// Selects where the clocks get their time (see [`TimeSource`]). The TOD clock restarts
    /// from the source's origin.
    pub fn set_time_source(&mut self, source: TimeSource) {
        self.clocks.set_source(source);
    }

    /// Instructions executed so far in the current burst.
    #[inline(always)]
    pub(crate) fn burst_done(&self) -> u64 {
        self.burst_len - self.burst_left
    }

    /// The TOD clock now.
    pub fn tod(&self) -> u64 {
        self.clocks.tod(self.burst_done())
    }

    /// Sets the TOD clock (as SET CLOCK does).
    pub fn set_tod(&mut self, value: u64) {
        let extra = self.burst_done();
        self.clocks.set_tod(value, extra);
    }

    /// Decrements the interval timer at real X'50' by the time elapsed since the last
    /// update, making an interval-timer interruption pending when it goes from positive to
    /// negative.
    pub(crate) fn update_timers(&mut self) {
        let d = self.clocks.interval_ticks();
        if d == 0 {
            return;
        }
        let mut b = [0u8; 4];
        if self.read_real(crate::interrupt::lowcore::TIMER, &mut b).is_err() {
            return;
        }
        let old = i32::from_be_bytes(b);
        let new = i64::from(old) - d.min(1 << 40) as i64;
        if old >= 0 && new < 0 {
            self.irq.ext_bits |= 0x0080;
        }
        let _ = self.write_real(crate::interrupt::lowcore::TIMER, &(new as i32).to_be_bytes());
    }

    /// Is the clock-comparator condition present (TOD > comparator)?
    pub(crate) fn ckc_pending(&self) -> bool {
        self.tod() > self.clocks.ckc
    }

    /// Is the CPU-timer condition present (timer negative)?
    pub(crate) fn cpt_pending(&self) -> bool {
        self.clocks.cpu_timer(self.burst_done()) < 0
    }

    /// How many instructions may run before the clocks must be looked at again: in virtual
    /// time, until the next enabled timer interruption could become pending.
    pub(crate) fn slice_limit(&self) -> u64 {
        let Some(u) = self.clocks.units_per_insn() else {
            return SLICE;
        };
        if !self.psw.external_enabled() {
            return SLICE;
        }
        let mut n = SLICE;
        if self.cr[0] & CR0_CLOCK_COMPARATOR != 0 {
            let tod = self.tod();
            let left = self.clocks.ckc.saturating_sub(tod);
            n = n.min(left / u + 1);
        }
        if self.cr[0] & CR0_CPU_TIMER != 0 {
            let t = self.clocks.cpu_timer(0);
            n = n.min(if t < 0 { 1 } else { t as u64 / u + 1 });
        }
        if self.cr[0] & CR0_INTERVAL_TIMER != 0 {
            let mut b = [0u8; 4];
            if self.read_real(crate::interrupt::lowcore::TIMER, &mut b).is_ok() {
                let v = i32::from_be_bytes(b);
                if v >= 0 {
                    let units = (u128::from(v as u32) + 1) * IT_DEN / IT_NUM + 1;
                    n = n.min((units / u128::from(u)).min(u128::from(SLICE)) as u64 + 1);
                }
            }
        }
        n.max(1)
    }
}
