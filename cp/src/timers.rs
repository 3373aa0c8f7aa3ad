//! Timed wake-ups of waiting virtual machines.
//!
//! A machine that loads an enabled wait PSW with its clock comparator set (or an interval
//! timer that counts real time) must be dispatched again when that time comes, though no
//! I/O or terminal input arrives. CP keeps one deadline per machine; a single thread sleeps
//! until the earliest and wakes the machine through the dispatcher, which runs it and lets
//! it take its timer interruption.
//!
//! ```text
//!   run_slice: Exit::Idle + backend.idle_timer() = d  ->  timers.wake_at(now + d, vm)
//!   timer thread: earliest deadline passed            ->  dispatcher.wake(vm, Other)
//! ```

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::dispatch::{VmId, Wake};
use crate::system::System;

#[derive(Default)]
struct Table {
    by_time: BTreeSet<(Instant, VmId)>,
    by_vm: HashMap<VmId, Instant>,
    stop: bool,
}

/// The system's timer queue.
pub struct Timers {
    table: Mutex<Table>,
    changed: Condvar,
}

impl std::fmt::Debug for Timers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Timers")
    }
}

impl Default for Timers {
    fn default() -> Timers {
        Timers::new()
    }
}

impl Timers {
    /// An empty queue; [`Timers::start`] runs it.
    pub fn new() -> Timers {
        Timers { table: Mutex::new(Table::default()), changed: Condvar::new() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes machine `vm` at `when` (replacing any earlier deadline it had).
    pub fn wake_vm_at(&self, when: Instant, vm: VmId) {
        let mut t = self.lock();
        if let Some(old) = t.by_vm.insert(vm, when) {
            t.by_time.remove(&(old, vm));
        }
        let first = t.by_time.first().is_none_or(|&(w, _)| when < w);
        t.by_time.insert((when, vm));
        if first {
            self.changed.notify_one();
        }
    }

    /// Wakes the user's machine `d` from now; a deadline too far to represent is never.
    pub fn wake_at(&self, when: Option<Instant>, user: &crate::user::User) {
        if let (Some(when), Some(id)) = (when, user.vm_id()) {
            self.wake_vm_at(when, id);
        }
    }

    /// Forgets machine `vm`'s deadline.
    pub fn cancel(&self, vm: VmId) {
        let mut t = self.lock();
        if let Some(old) = t.by_vm.remove(&vm) {
            t.by_time.remove(&(old, vm));
        }
    }

    /// How many machines have a deadline.
    pub fn pending(&self) -> usize {
        self.lock().by_vm.len()
    }

    /// Runs the queue on its own thread until [`Timers::stop`] or the system is gone.
    pub fn start(self: &Arc<Self>, sys: Weak<System>) {
        let me = Arc::clone(self);
        let _ = std::thread::Builder::new().name("cp-timers".into()).spawn(move || me.run(&sys));
    }

    /// Ends the thread.
    pub fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }

    fn run(&self, sys: &Weak<System>) {
        let mut t = self.lock();
        loop {
            if t.stop || sys.strong_count() == 0 {
                return;
            }
            let now = Instant::now();
            let mut due = Vec::new();
            while let Some(&(when, vm)) = t.by_time.first() {
                if when > now {
                    break;
                }
                t.by_time.pop_first();
                t.by_vm.remove(&vm);
                due.push(vm);
            }
            if !due.is_empty() {
                drop(t);
                let Some(sys) = sys.upgrade() else { return };
                for vm in due {
                    sys.dispatcher.wake(vm, Wake::Other);
                }
                drop(sys);
                t = self.lock();
                continue;
            }
            let wait = t
                .by_time
                .first()
                .map_or(Duration::from_secs(1), |&(when, _)| when.saturating_duration_since(now))
                .min(Duration::from_secs(1));
            t = self.changed.wait_timeout(t, wait).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}
