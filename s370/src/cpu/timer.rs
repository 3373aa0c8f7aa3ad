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
//! state sees no time pass. In dispatched time (a virtual machine under CP, as VM/370 gives
//! it) the TOD clock and the clock comparator follow the host's clock at all times, while
//! the CPU timer and the interval timer advance only while [`Cpu::run`] executes
//! instructions (virtual CPU time), or, for the interval timer with `interval_timer_real`,
//! also during waits (CP's SET TIMER REAL). The interval timer is decremented in storage at slice boundaries (at most every
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
    /// A virtual machine's clocks under a control program: the TOD clock starts at the
    /// host's date and time and follows the host's clock whether or not the machine runs;
    /// the CPU timer (and the interval timer unless `interval_timer_real`) counts only the
    /// host time spent inside [`Cpu::run`].
    Dispatched {
        /// The interval timer at X'50' counts real time, waits included.
        interval_timer_real: bool,
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
    /// Dispatched time: host time spent running before the current run, in TOD units, and
    /// when the current run started.
    run_total: u64,
    run_since: Option<Instant>,
    /// Time skipped over while idle (virtual time), added to the TOD clock.
    skipped: u64,
    /// The interval timer is stopped (CP's SET TIMER OFF).
    it_off: bool,
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
            run_total: 0,
            run_since: None,
            skipped: 0,
            it_off: false,
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
            TimeSource::Host | TimeSource::Dispatched { .. } => SystemTime::now()
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
        self.run_total = 0;
        self.run_since = None;
        self.skipped = 0;
    }

    /// A run of the processor begins (dispatched time starts counting).
    #[inline]
    pub(crate) fn start_run(&mut self) {
        if matches!(self.source, TimeSource::Dispatched { .. }) {
            self.run_since = Some(Instant::now());
        }
    }

    /// The run ends.
    #[inline]
    pub(crate) fn end_run(&mut self) {
        if let Some(t) = self.run_since.take() {
            self.run_total = self.run_total.wrapping_add(units_of(t.elapsed()));
        }
    }

    /// Initial CPU reset: CPU timer and clock comparator zero.
    pub(crate) fn reset_timers(&mut self) {
        self.ckc = 0;
        self.cpt_value = 0;
        self.cpt_at = self.cpu_elapsed(0);
    }

    /// Elapsed TOD units of the TOD clock; `extra` instructions of the current burst
    /// included.
    pub(crate) fn elapsed(&self, extra: u64) -> u64 {
        match self.source {
            TimeSource::Host | TimeSource::Dispatched { .. } => units_of(self.host_start.elapsed()),
            TimeSource::Virtual { units_per_insn } => {
                (self.executed + extra).wrapping_mul(units_per_insn).wrapping_add(self.skipped)
            }
        }
    }

    /// Elapsed TOD units of processor time (what the CPU timer counts).
    pub(crate) fn cpu_elapsed(&self, extra: u64) -> u64 {
        match self.source {
            TimeSource::Host => self.elapsed(extra),
            TimeSource::Virtual { units_per_insn } => {
                (self.executed + extra).wrapping_mul(units_per_insn)
            }
            TimeSource::Dispatched { .. } => {
                self.run_total.wrapping_add(self.run_since.map_or(0, |t| units_of(t.elapsed())))
            }
        }
    }

    /// Elapsed TOD units of the interval timer.
    fn interval_elapsed(&self) -> u64 {
        match self.source {
            TimeSource::Dispatched { interval_timer_real: true } => self.elapsed(0),
            _ => self.cpu_elapsed(0),
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
        self.cpt_value.wrapping_sub(self.cpu_elapsed(extra).wrapping_sub(self.cpt_at)) as i64
    }

    /// Sets the CPU timer.
    pub(crate) fn set_cpu_timer(&mut self, value: u64, extra: u64) {
        self.cpt_value = value;
        self.cpt_at = self.cpu_elapsed(extra);
    }

    /// Interval-timer units elapsed since the last call.
    fn interval_ticks(&mut self) -> u64 {
        if self.it_off {
            return 0;
        }
        let e = self.interval_elapsed().wrapping_sub(self.it_origin);
        let total = (u128::from(e) * IT_NUM / IT_DEN) as u64;
        let d = total.wrapping_sub(self.it_applied);
        self.it_applied = total;
        d
    }

    /// TOD units per instruction in virtual time (None with host time).
    fn units_per_insn(&self) -> Option<u64> {
        match self.source {
            TimeSource::Virtual { units_per_insn } => Some(units_per_insn.max(1)),
            TimeSource::Host | TimeSource::Dispatched { .. } => None,
        }
    }
}

/// TOD units in a host duration.
fn units_of(d: std::time::Duration) -> u64 {
    d.as_secs() * 1_000_000 * 4096 + u64::from(d.subsec_nanos()) * 4096 / 1000
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

    /// In an enabled wait: how long (in TOD units) until a timer interruption the PSW and
    /// CR0 allow could become pending while the processor waits, if one could. In dispatched
    /// time that is the clock comparator (and the interval timer when it counts real time);
    /// with the host's clock any timer; in virtual time nothing advances in a wait, and the
    /// clock comparator's distance is returned for [`Cpu::skip_idle`].
    pub fn idle_timer(&self) -> Option<u64> {
        if !self.psw.external_enabled() {
            return None;
        }
        let mut best: Option<u64> = None;
        let mut consider = |n: u64| best = Some(best.map_or(n, |b| b.min(n)));
        if self.cr[0] & CR0_CLOCK_COMPARATOR != 0 {
            consider(self.clocks.ckc.saturating_sub(self.tod()).saturating_add(1));
        }
        let host = matches!(self.clocks.source, TimeSource::Host);
        if host && self.cr[0] & CR0_CPU_TIMER != 0 {
            let t = self.clocks.cpu_timer(0);
            consider(if t < 0 { 0 } else { t as u64 + 1 });
        }
        let it_real = host
            || matches!(self.clocks.source, TimeSource::Dispatched { interval_timer_real: true });
        if it_real && !self.clocks.it_off && self.cr[0] & CR0_INTERVAL_TIMER != 0 {
            let mut b = [0u8; 4];
            if self.read_real(crate::interrupt::lowcore::TIMER, &mut b).is_ok() {
                let v = i32::from_be_bytes(b);
                if v >= 0 {
                    let units = (u128::from(v as u32) + 1) * IT_DEN / IT_NUM + 1;
                    consider(units.min(u128::from(u64::MAX)) as u64);
                }
            }
        }
        best
    }

    /// Chooses how the interval timer at X'50' runs from now on (CP's SET TIMER): stopped
    /// (`runs` false), counting real time including waits (`real`, dispatched time only), or
    /// counting processor time.
    pub fn set_interval_timer(&mut self, runs: bool, real: bool) {
        self.update_timers();
        self.clocks.it_off = !runs;
        if let TimeSource::Dispatched { interval_timer_real } = &mut self.clocks.source {
            *interval_timer_real = real;
        }
        self.clocks.it_origin = self.clocks.interval_elapsed();
        self.clocks.it_applied = 0;
    }

    /// Virtual time only: lets `units` of TOD time pass while the processor waits (the TOD
    /// clock and clock comparator move; the CPU timer, which counts execution, does not).
    pub fn skip_idle(&mut self, units: u64) {
        if matches!(self.clocks.source, TimeSource::Virtual { .. }) {
            self.clocks.skipped = self.clocks.skipped.wrapping_add(units);
        }
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
