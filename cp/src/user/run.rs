//! Running a user's machine for one slice and handling what it asks of CP.

use std::sync::Arc;
use std::time::Instant;

use super::{User, UserState};
use crate::backend::s370::S370Backend;
use crate::backend::{Completion, Exit, Slice, StopReason};
use crate::dispatch::{Dispatchable, SliceEnd, SliceOutcome};
use crate::system::System;
use crate::vm::RunState;

/// Something a slice found that must be done after the user's state lock is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deferred {
    /// The guest logged the user off (`CP LOGOFF` through DIAGNOSE X'08').
    Logoff,
    /// The guest disconnected (`CP DISCONN`).
    Disconnect,
}

/// Nanoseconds of virtual processor time charged per instruction in deterministic mode.
const NS_PER_INSN: u64 = 10;

/// Sets up an S/370 machine's clocks: host time normally; in a deterministic system, virtual
/// time starting at the system clock's instant.
pub(crate) fn configure_time(sys: &System, b: &mut S370Backend) {
    use s370::cpu::TimeSource;
    if sys.deterministic {
        let cpu = b.cpu();
        cpu.set_time_source(TimeSource::Virtual { units_per_insn: NS_PER_INSN * 4096 / 1000 });
        cpu.set_tod(sys.clock.tod());
    } else {
        // As VM/370: the TOD clock and clock comparator are real; the CPU timer and the
        // interval timer (SET TIMER ON) count the machine's own processor time.
        b.cpu().set_time_source(TimeSource::Dispatched { interval_timer_real: false });
    }
}

impl Dispatchable for User {
    fn run_slice(&self, slice: Slice) -> SliceOutcome {
        let stopped = SliceOutcome { end: SliceEnd::Stopped, used_ns: 1 };
        let Some(sys) = self.system() else { return stopped };
        if self.logged_off() {
            return stopped;
        }
        let (out, deferred) = {
            let Some(mut st) = self.lock_for_slice() else {
                // Someone waits for this user's state: let them have it first.
                std::thread::yield_now();
                return SliceOutcome { end: SliceEnd::Preempted, used_ns: 1 };
            };
            let out = st.run_slice(&sys, self, slice);
            (out, st.deferred.take())
        };
        if let Some(d) = deferred {
            if let Some(me) = sys.user(&self.userid) {
                match d {
                    Deferred::Logoff => me.logoff(&sys, false),
                    Deferred::Disconnect => me.disconnect(&sys),
                }
            }
            return stopped;
        }
        out
    }

    fn kick(&self) {
        User::kick(self);
    }
}

impl UserState {
    fn charge(&mut self, sys: &System, ns: u64) {
        self.virt_ns += ns;
        self.total_ns += ns;
        if sys.deterministic {
            sys.clock.advance((ns / 1000) as i64);
        }
    }

    /// Runs the machine for up to one slice.
    pub(crate) fn run_slice(
        &mut self,
        sys: &Arc<System>,
        user: &User,
        slice: Slice,
    ) -> SliceOutcome {
        if self.cp_mode || !self.runnable() {
            return SliceOutcome { end: SliceEnd::Stopped, used_ns: 1 };
        }
        if self.held_diag.is_some() || self.full_screen_read.is_some() {
            return SliceOutcome { end: SliceEnd::Blocked, used_ns: 1 };
        }
        self.vm.state = RunState::Running;
        self.vm.resume_blocked();
        let start = Instant::now();
        let insns_before = self.vm.backend.counters().instructions.unwrap_or(0);
        let end = loop {
            let left = slice.max_time.saturating_sub(start.elapsed());
            // TRACE and ADSTOP step the machine through the command layer.
            let slice_left = Slice { max_instructions: slice.max_instructions, max_time: left };
            let exit = match crate::command::trace::run(self, user, slice_left) {
                Ok(e) => e,
                Err(e) => {
                    self.stop(user, format!("CP ENTERED; MACHINE FAILURE: {e}"));
                    break SliceEnd::Stopped;
                }
            };
            match exit {
                Exit::Preempted => break SliceEnd::Preempted,
                Exit::Idle => {
                    let timer = self.vm.backend.idle_timer();
                    match timer {
                        // A deterministic system lets the wait's time pass at once.
                        Some(d) if sys.deterministic => self.vm.backend.skip_idle(d),
                        _ => {
                            if let Some(d) = timer {
                                sys.timers.wake_at(Instant::now().checked_add(d), user);
                            }
                            self.vm.state = RunState::Waiting;
                            break SliceEnd::Blocked;
                        }
                    }
                }
                Exit::Stopped(StopReason::DisabledWait { psw }) => {
                    let text = format!(
                        "DMKDSP450W CP ENTERED; DISABLED WAIT PSW '{:08X} {:08X}'",
                        psw >> 32,
                        psw & 0xFFFF_FFFF
                    );
                    self.stop(user, text);
                    break SliceEnd::Stopped;
                }
                Exit::Stopped(StopReason::CheckStop(why)) => {
                    self.stop(user, format!("DMKDSP450W CP ENTERED; {why}"));
                    break SliceEnd::Stopped;
                }
                Exit::Io(req) => {
                    let cc = crate::command::trace::io_instruction(self, user, req);
                    let _ = self.vm.backend.complete(Completion::Io { cc });
                    if self.cp_mode {
                        break SliceEnd::Stopped;
                    }
                }
                Exit::Privileged { mnemonic } => {
                    crate::command::trace::simulate(self, user, mnemonic);
                    if self.cp_mode {
                        break SliceEnd::Stopped;
                    }
                }
                Exit::Service(req) => {
                    crate::command::trace::diagnose(self, user, &req);
                    let Some(answer) = super::diag::diagnose(sys, user, self, &req) else {
                        // A CP command asked a question: the guest waits for the answer.
                        break SliceEnd::Blocked;
                    };
                    let _ = self.vm.backend.complete(answer);
                    if self.cp_mode || self.deferred.is_some() {
                        break SliceEnd::Stopped;
                    }
                }
            }
            if start.elapsed() >= slice.max_time {
                break SliceEnd::Preempted;
            }
        };
        let used = if sys.deterministic {
            let after = self.vm.backend.counters().instructions.unwrap_or(0);
            after.saturating_sub(insns_before).max(1) * NS_PER_INSN
        } else {
            start.elapsed().as_nanos() as u64
        };
        self.charge(sys, used);
        SliceOutcome { end, used_ns: used }
    }

    /// Stops the machine for good (until IPL or SYSTEM RESET) and puts the user in CP mode.
    pub(crate) fn stop(&mut self, user: &User, message: String) {
        self.vm.state = RunState::Stopped(message.clone());
        self.cp_mode = true;
        user.console.write(&message);
        user.console.set_cp_mode(true);
    }
}
