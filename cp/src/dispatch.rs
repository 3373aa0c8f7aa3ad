//! The dispatcher: N worker threads ("real processors") running virtual machines a slice at a
//! time.
//!
//! As in VM/370's scheduler (PLM §"Dispatching and Scheduling"), a virtual machine that has
//! just been given terminal input is *interactive* and waits in Q1, which is served first with
//! short slices; one that keeps using its slices uses up its Q1 allowance and drops to Q2,
//! served after Q1 with longer slices. Within a queue the machine that has had the least
//! weighted processor time goes first (weights from `SET PRIORITY`), so equal CPU-bound
//! machines get equal shares; `SET FAVORED` machines go before the others, and a favored
//! machine with a percentage goes first whenever it has had less than that share. A machine in
//! an enabled wait or a console read is not queued at all and costs nothing until [`Dispatcher::wake`].
//!
//! ```text
//!            wake(Interactive)                     slice used, Q1 allowance spent
//!   Idle ─────────────────────────► Q1 ─────────────────────────────────────► Q2
//!    ▲  ▲      wake(Other)          │ ▲                                         │
//!    │  └──────────────────────────►│ │ wake(Interactive)                       │
//!    │        Blocked / Stopped     │ └─────────────────────────────────────────┤
//!    └──────────────────────────────┴──────────────────────────────────────────┘
//! ```
//!
//! When an interactive machine becomes ready and every worker is busy, the worker running the
//! Q2 machine furthest ahead is kicked, so terminal users are not kept waiting for a slice.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::backend::Slice;

/// Identifies a machine known to the dispatcher.
pub type VmId = u64;

/// What a slice ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceEnd {
    /// Used its slice (or was kicked) and still wants to run.
    Preempted,
    /// Waits for an event (enabled wait, console read, I/O); run it again after a wake.
    Blocked,
    /// Stopped (disabled wait, CP mode, logged off); run it again only after a wake.
    Stopped,
}

/// The outcome of one slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceOutcome {
    /// How the slice ended.
    pub end: SliceEnd,
    /// The processor time the slice used, in nanoseconds (host time, or virtual time in a
    /// deterministic system).
    pub used_ns: u64,
}

/// A machine the dispatcher can run.
pub trait Dispatchable: Send + Sync {
    /// Runs one slice on the calling worker thread.
    fn run_slice(&self, slice: Slice) -> SliceOutcome;
    /// Ends a running slice early (called from another thread).
    fn kick(&self);
}

/// Why a machine is being woken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// Terminal input: the machine becomes interactive (Q1).
    Interactive,
    /// Anything else (I/O completion, timer, message): it keeps its queue.
    Other,
}

/// Slice lengths and the Q1 allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Slice given to a Q1 machine.
    pub q1_slice: Duration,
    /// Slice given to a Q2 machine.
    pub q2_slice: Duration,
    /// Processor time a machine may use in Q1 before it drops to Q2.
    pub q1_allowance: Duration,
    /// Instruction bound of every slice (`u64::MAX` = time only).
    pub max_instructions: u64,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            q1_slice: Duration::from_millis(2),
            q2_slice: Duration::from_millis(10),
            q1_allowance: Duration::from_millis(50),
            max_instructions: u64::MAX,
        }
    }
}

/// Accounting of one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VmStats {
    /// Processor time used, ns.
    pub cpu_ns: u64,
    /// Slices run.
    pub slices: u64,
    /// Is it in Q1 now?
    pub in_q1: bool,
    /// Is it queued or running?
    pub runnable: bool,
}

/// Default priority (`SET PRIORITY`): 1 is the best, 99 the worst.
pub const DEFAULT_PRIORITY: u8 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Queued,
    Running { wake_pending: bool },
}

struct Entry {
    vm: Arc<dyn Dispatchable>,
    state: State,
    q1: bool,
    q1_used: u64,
    vtime: u128,
    priority: u8,
    favored: Option<Option<u8>>,
    stats: VmStats,
    removed: bool,
}

struct Sched {
    vms: HashMap<VmId, Entry>,
    next_id: VmId,
    running: Vec<Option<VmId>>,
    total_ns: u64,
    shutdown: bool,
}

struct Shared {
    sched: Mutex<Sched>,
    work: Condvar,
    tuning: Tuning,
}

/// The dispatcher and its worker threads.
pub struct Dispatcher {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").field("workers", &self.workers.len()).finish()
    }
}

/// Weight of a priority: each 8 steps better doubles the share.
fn weight_shift(priority: u8) -> i32 {
    (i32::from(DEFAULT_PRIORITY) - i32::from(priority.clamp(1, 99))) / 8
}

fn weighted(ns: u64, priority: u8) -> u128 {
    let s = weight_shift(priority);
    let ns = u128::from(ns) << 16;
    if s >= 0 { ns >> s } else { ns << (-s) }
}

impl Dispatcher {
    /// Starts `workers` worker threads (at least one).
    pub fn new(workers: usize, tuning: Tuning) -> Dispatcher {
        let n = workers.max(1);
        let shared = Arc::new(Shared {
            sched: Mutex::new(Sched {
                vms: HashMap::new(),
                next_id: 1,
                running: vec![None; n],
                total_ns: 0,
                shutdown: false,
            }),
            work: Condvar::new(),
            tuning,
        });
        let workers = (0..n)
            .map(|w| {
                let s = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("cpu{w}"))
                    .spawn(move || worker(&s, w))
                    .expect("spawning a worker thread")
            })
            .collect();
        Dispatcher { shared, workers }
    }

    /// The number of worker threads.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    fn lock(&self) -> MutexGuard<'_, Sched> {
        self.shared.sched.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a machine, idle; it runs after its first [`Dispatcher::wake`].
    pub fn add(&self, vm: Arc<dyn Dispatchable>) -> VmId {
        let mut s = self.lock();
        let id = s.next_id;
        s.next_id += 1;
        s.vms.insert(
            id,
            Entry {
                vm,
                state: State::Idle,
                q1: false,
                q1_used: 0,
                vtime: 0,
                priority: DEFAULT_PRIORITY,
                favored: None,
                stats: VmStats::default(),
                removed: false,
            },
        );
        id
    }

    /// Removes a machine. If it is running, it is kicked and dropped when its slice ends;
    /// this call does not wait.
    pub fn remove(&self, id: VmId) {
        let mut s = self.lock();
        let running = matches!(s.vms.get(&id).map(|e| e.state), Some(State::Running { .. }));
        if running {
            if let Some(e) = s.vms.get_mut(&id) {
                e.removed = true;
                e.vm.kick();
            }
        } else {
            s.vms.remove(&id);
        }
    }

    /// Makes a machine runnable (or notes the wake if it is running now).
    pub fn wake(&self, id: VmId, why: Wake) {
        let mut s = self.lock();
        let min_vtime = min_runnable_vtime(&s);
        let tuning = self.shared.tuning;
        let Some(e) = s.vms.get_mut(&id) else { return };
        if why == Wake::Interactive && !e.q1 {
            e.q1 = true;
            e.q1_used = 0;
        }
        let queued_now = match e.state {
            State::Idle => {
                e.state = State::Queued;
                // A machine that slept must not come back with a claim to the time it slept.
                e.vtime = e.vtime.max(min_vtime.unwrap_or(e.vtime));
                true
            }
            State::Running { .. } => {
                e.state = State::Running { wake_pending: true };
                false
            }
            State::Queued => false,
        };
        let interactive = e.q1;
        if queued_now {
            self.shared.work.notify_one();
            if interactive && s.running.iter().all(Option::is_some) {
                preempt_for_interactive(&s, tuning);
            }
        }
    }

    /// Sets a machine's priority (1 best .. 99 worst).
    pub fn set_priority(&self, id: VmId, priority: u8) {
        if let Some(e) = self.lock().vms.get_mut(&id) {
            e.priority = priority.clamp(1, 99);
        }
    }

    /// Favors a machine: `Some(None)` always before unfavored ones, `Some(Some(pct))` first
    /// whenever its share is below `pct` percent, `None` not favored.
    pub fn set_favored(&self, id: VmId, favored: Option<Option<u8>>) {
        if let Some(e) = self.lock().vms.get_mut(&id) {
            e.favored = favored.map(|p| p.map(|v| v.clamp(1, 100)));
        }
    }

    /// A machine's priority and favored setting (as [`Dispatcher::set_favored`] takes it).
    pub fn priority(&self, id: VmId) -> Option<(u8, Option<Option<u8>>)> {
        self.lock().vms.get(&id).map(|e| (e.priority, e.favored))
    }

    /// Processor time used by every machine since the dispatcher started, ns.
    pub fn total_ns(&self) -> u64 {
        self.lock().total_ns
    }

    /// Makes the workers stop after their current slices, without waiting for them (CP's
    /// SHUTDOWN, from any thread, a worker's included); dropping the dispatcher joins them.
    pub fn stop(&self) {
        let mut s = self.lock();
        s.shutdown = true;
        for e in s.vms.values() {
            if matches!(e.state, State::Running { .. }) {
                e.vm.kick();
            }
        }
        drop(s);
        self.shared.work.notify_all();
    }

    /// A machine's accounting.
    pub fn stats(&self, id: VmId) -> Option<VmStats> {
        self.lock().vms.get(&id).map(|e| e.stats)
    }

    /// Machines queued or running now: (in Q1, in Q2).
    pub fn queue_lengths(&self) -> (usize, usize) {
        let s = self.lock();
        let mut q = (0, 0);
        for e in s.vms.values().filter(|e| e.state != State::Idle) {
            if e.q1 {
                q.0 += 1;
            } else {
                q.1 += 1;
            }
        }
        q
    }

    /// Is every machine idle (none queued or running)?
    pub fn quiescent(&self) -> bool {
        self.lock().vms.values().all(|e| e.state == State::Idle)
    }

    /// Stops the workers after their current slices.
    pub fn shutdown(&mut self) {
        {
            let mut s = self.lock();
            s.shutdown = true;
            for e in s.vms.values() {
                if matches!(e.state, State::Running { .. }) {
                    e.vm.kick();
                }
            }
        }
        self.shared.work.notify_all();
        let me = std::thread::current().id();
        for w in self.workers.drain(..) {
            // The last owner of the system may be a worker itself (it held the system while
            // running a slice): it cannot wait for its own end, and it stops after this slice.
            if w.thread().id() != me {
                let _ = w.join();
            }
        }
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn min_runnable_vtime(s: &Sched) -> Option<u128> {
    s.vms.values().filter(|e| e.state != State::Idle).map(|e| e.vtime).min()
}

/// Kicks the worker running the Q2 machine with the most weighted time, if any.
fn preempt_for_interactive(s: &Sched, _tuning: Tuning) {
    let victim = s
        .running
        .iter()
        .flatten()
        .filter_map(|id| s.vms.get(id))
        .filter(|e| !e.q1 && e.favored.is_none())
        .max_by_key(|e| e.vtime);
    if let Some(e) = victim {
        e.vm.kick();
    }
}

/// The order in which queued machines are served: smaller is sooner.
fn rank(e: &Entry, total_ns: u64) -> (u8, u128) {
    let starved_favorite = match e.favored {
        Some(Some(pct)) => {
            u128::from(e.stats.cpu_ns) * 100 < u128::from(total_ns) * u128::from(pct)
        }
        _ => false,
    };
    let class = if starved_favorite {
        0
    } else if e.q1 {
        1
    } else if e.favored.is_some() {
        2
    } else {
        3
    };
    (class, e.vtime)
}

fn pick(s: &mut Sched) -> Option<VmId> {
    let total = s.total_ns;
    s.vms
        .iter()
        .filter(|(_, e)| e.state == State::Queued && !e.removed)
        .min_by_key(|(id, e)| (rank(e, total), **id))
        .map(|(id, _)| *id)
}

fn worker(shared: &Shared, me: usize) {
    let tuning = shared.tuning;
    let mut s = shared.sched.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if s.shutdown {
            return;
        }
        let Some(id) = pick(&mut s) else {
            s = shared.work.wait(s).unwrap_or_else(|p| p.into_inner());
            continue;
        };
        let Some(e) = s.vms.get_mut(&id) else { continue };
        e.state = State::Running { wake_pending: false };
        let slice_len = if e.q1 { tuning.q1_slice } else { tuning.q2_slice };
        let vm = Arc::clone(&e.vm);
        s.running[me] = Some(id);
        drop(s);

        let started = Instant::now();
        let out =
            vm.run_slice(Slice { max_instructions: tuning.max_instructions, max_time: slice_len });
        let used = if out.used_ns == 0 { started.elapsed().as_nanos() as u64 } else { out.used_ns };

        s = shared.sched.lock().unwrap_or_else(|p| p.into_inner());
        s.running[me] = None;
        s.total_ns = s.total_ns.saturating_add(used);
        let Some(e) = s.vms.get_mut(&id) else { continue };
        if e.removed {
            s.vms.remove(&id);
            continue;
        }
        e.stats.cpu_ns = e.stats.cpu_ns.saturating_add(used);
        e.stats.slices += 1;
        e.vtime = e.vtime.saturating_add(weighted(used, e.priority));
        if e.q1 {
            e.q1_used = e.q1_used.saturating_add(used);
            if e.q1_used >= tuning.q1_allowance.as_nanos() as u64 {
                e.q1 = false;
            }
        }
        let wake_pending = matches!(e.state, State::Running { wake_pending: true });
        e.state = match out.end {
            SliceEnd::Preempted => State::Queued,
            SliceEnd::Blocked | SliceEnd::Stopped if wake_pending => State::Queued,
            SliceEnd::Blocked | SliceEnd::Stopped => {
                // Leaving the processor to wait ends the interactive burst.
                if out.end == SliceEnd::Stopped {
                    e.q1 = false;
                }
                State::Idle
            }
        };
        e.stats.in_q1 = e.q1;
        e.stats.runnable = e.state != State::Idle;
        if e.state == State::Queued {
            shared.work.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    /// Burns its slices; counts them.
    struct Burner {
        kicked: AtomicBool,
        slices: AtomicU64,
    }

    impl Burner {
        fn new() -> Arc<Burner> {
            Arc::new(Burner { kicked: AtomicBool::new(false), slices: AtomicU64::new(0) })
        }
    }

    impl Dispatchable for Burner {
        fn run_slice(&self, slice: Slice) -> SliceOutcome {
            let start = Instant::now();
            while start.elapsed() < slice.max_time && !self.kicked.swap(false, Ordering::AcqRel) {
                std::hint::spin_loop();
            }
            self.slices.fetch_add(1, Ordering::Relaxed);
            SliceOutcome { end: SliceEnd::Preempted, used_ns: start.elapsed().as_nanos() as u64 }
        }
        fn kick(&self) {
            self.kicked.store(true, Ordering::Release);
        }
    }

    /// Runs once per wake, briefly, then blocks; records when it ran.
    struct Waiter {
        ran: Mutex<Vec<Instant>>,
    }

    impl Dispatchable for Waiter {
        fn run_slice(&self, _slice: Slice) -> SliceOutcome {
            self.ran.lock().expect("lock").push(Instant::now());
            SliceOutcome { end: SliceEnd::Blocked, used_ns: 1_000 }
        }
        fn kick(&self) {}
    }

    fn jain(xs: &[f64]) -> f64 {
        let s: f64 = xs.iter().sum();
        let q: f64 = xs.iter().map(|x| x * x).sum();
        s * s / (xs.len() as f64 * q)
    }

    #[test]
    fn idle_machines_cost_nothing_and_wake_runs_them() {
        let d = Dispatcher::new(2, Tuning::default());
        let w = Arc::new(Waiter { ran: Mutex::new(Vec::new()) });
        let id = d.add(w.clone());
        std::thread::sleep(Duration::from_millis(20));
        assert!(w.ran.lock().expect("lock").is_empty(), "never woken, never run");
        d.wake(id, Wake::Interactive);
        let deadline = Instant::now() + Duration::from_secs(5);
        while w.ran.lock().expect("lock").is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(w.ran.lock().expect("lock").len(), 1, "runs once per wake");
        assert!(d.quiescent());
    }

    #[test]
    fn equal_cpu_bound_machines_share_fairly() {
        let d = Dispatcher::new(2, Tuning::default());
        let ids: Vec<_> = (0..5).map(|_| d.add(Burner::new())).collect();
        for &id in &ids {
            d.wake(id, Wake::Other);
        }
        std::thread::sleep(Duration::from_millis(600));
        let shares: Vec<f64> =
            ids.iter().map(|&id| d.stats(id).expect("known").cpu_ns as f64).collect();
        assert!(jain(&shares) > 0.95, "shares {shares:?}");
    }

    #[test]
    fn priority_changes_shares() {
        let d = Dispatcher::new(1, Tuning::default());
        let a = d.add(Burner::new());
        let b = d.add(Burner::new());
        d.set_priority(a, 48); // two steps of 8 better: four times the weight
        d.wake(a, Wake::Other);
        d.wake(b, Wake::Other);
        std::thread::sleep(Duration::from_millis(500));
        let (ta, tb) = (d.stats(a).expect("a").cpu_ns, d.stats(b).expect("b").cpu_ns);
        assert!(ta > tb * 2, "a {ta} b {tb}");
    }

    #[test]
    fn favored_share_is_guaranteed() {
        let d = Dispatcher::new(1, Tuning::default());
        let ids: Vec<_> = (0..4).map(|_| d.add(Burner::new())).collect();
        d.set_favored(ids[0], Some(Some(60)));
        for &id in &ids {
            d.wake(id, Wake::Other);
        }
        std::thread::sleep(Duration::from_millis(500));
        let total: u64 = ids.iter().map(|&id| d.stats(id).expect("known").cpu_ns).sum();
        let fav = d.stats(ids[0]).expect("fav").cpu_ns;
        assert!(fav * 100 >= total * 55, "favored got {fav} of {total}");
    }

    #[test]
    fn cpu_bound_drops_to_q2_and_interactive_goes_first() {
        let d = Dispatcher::new(1, Tuning::default());
        let hog = d.add(Burner::new());
        d.wake(hog, Wake::Interactive);
        std::thread::sleep(Duration::from_millis(150));
        assert!(!d.stats(hog).expect("hog").in_q1, "used its Q1 allowance");
        let w = Arc::new(Waiter { ran: Mutex::new(Vec::new()) });
        let id = d.add(w.clone());
        let mut lat = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let before = w.ran.lock().expect("lock").len();
            d.wake(id, Wake::Interactive);
            while w.ran.lock().expect("lock").len() == before {
                std::thread::yield_now();
            }
            lat.push(t.elapsed());
            std::thread::sleep(Duration::from_millis(3));
        }
        lat.sort();
        assert!(lat[lat.len() / 2] < Duration::from_millis(10), "latencies {lat:?}");
    }

    #[test]
    fn remove_while_running() {
        let mut d = Dispatcher::new(1, Tuning::default());
        let b = Burner::new();
        let id = d.add(b.clone());
        d.wake(id, Wake::Other);
        std::thread::sleep(Duration::from_millis(20));
        d.remove(id);
        std::thread::sleep(Duration::from_millis(30));
        assert!(d.stats(id).is_none());
        let n = b.slices.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(b.slices.load(Ordering::Relaxed), n, "no longer dispatched");
        d.shutdown();
    }
}
