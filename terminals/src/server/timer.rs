//! Time for consoles: one thread for every console's timers (MORE... delays) however
//! many terminals, or a virtual clock that only moves when told (deterministic replays).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// Something woken by the timer.
pub trait Tick: Send + Sync {
    /// Called at (or soon after) a scheduled time.
    fn tick(&self, now: Instant);
}

type Entry = (Instant, Weak<dyn Tick>);

/// A handle to the timer thread.
#[derive(Debug)]
pub struct Timer {
    tx: Mutex<Sender<Entry>>,
}

impl Timer {
    /// The process-wide timer, started on first use.
    pub fn global() -> &'static Timer {
        static TIMER: OnceLock<Timer> = OnceLock::new();
        TIMER.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Entry>();
            std::thread::Builder::new()
                .name("terminal-timer".into())
                .stack_size(128 * 1024)
                .spawn(move || {
                    let mut heap: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
                    let mut targets: HashMap<u64, Weak<dyn Tick>> = HashMap::new();
                    let mut seq = 0u64;
                    loop {
                        let now = Instant::now();
                        while let Some(Reverse((at, id))) = heap.peek().copied() {
                            if at > now {
                                break;
                            }
                            heap.pop();
                            if let Some(t) = targets.remove(&id).and_then(|w| w.upgrade()) {
                                t.tick(now);
                            }
                        }
                        let got = match heap.peek() {
                            Some(Reverse((at, _))) => {
                                rx.recv_timeout(at.saturating_duration_since(Instant::now()))
                            }
                            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        };
                        match got {
                            Ok((at, target)) => {
                                seq += 1;
                                heap.push(Reverse((at, seq)));
                                targets.insert(seq, target);
                            }
                            Err(RecvTimeoutError::Timeout) => {}
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                })
                .expect("spawn the terminal timer thread");
            Timer { tx: Mutex::new(tx) }
        })
    }

    /// Calls `target.tick` at `at` (if it still exists then).
    pub fn schedule(&self, at: Instant, target: Weak<dyn Tick>) {
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let _ = tx.send((at, target));
    }
}

/// Where consoles read the time and keep their timers.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The host's clock; timers run on the shared timer thread.
    #[default]
    Host,
    /// A clock that moves only by [`VirtualClock::advance`], which also runs the timers
    /// that fall due: the same inputs then give the same screens every time.
    Virtual(Arc<VirtualClock>),
}

impl Clock {
    /// The time now.
    pub fn now(&self) -> Instant {
        match self {
            Clock::Host => Instant::now(),
            Clock::Virtual(v) => v.now(),
        }
    }

    /// Calls `target.tick` when this clock reaches `at`.
    pub fn schedule(&self, at: Instant, target: Weak<dyn Tick>) {
        match self {
            Clock::Host => Timer::global().schedule(at, target),
            Clock::Virtual(v) => v.lock_due().push((at, target)),
        }
    }
}

/// A clock that moves only when told.
#[derive(Debug)]
pub struct VirtualClock {
    base: Instant,
    offset: Mutex<Duration>,
    due: Mutex<Vec<Entry>>,
}

impl VirtualClock {
    /// A clock standing at an arbitrary fixed point.
    pub fn new() -> Arc<VirtualClock> {
        Arc::new(VirtualClock {
            base: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
            due: Mutex::new(Vec::new()),
        })
    }

    fn lock_due(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        self.due.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The time now.
    pub fn now(&self) -> Instant {
        self.base + *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Time elapsed since the clock was made.
    pub fn elapsed(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward and runs, in this thread, every timer now due.
    pub fn advance(&self, by: Duration) {
        let now = {
            let mut o = self.offset.lock().unwrap_or_else(|e| e.into_inner());
            *o += by;
            self.base + *o
        };
        let fired: Vec<Entry> = {
            let mut due = self.lock_due();
            let (ready, rest): (Vec<Entry>, Vec<Entry>) =
                due.drain(..).partition(|(at, _)| *at <= now);
            *due = rest;
            ready
        };
        for (_, t) in fired {
            if let Some(t) = t.upgrade() {
                t.tick(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    struct Count(AtomicUsize);
    impl Tick for Count {
        fn tick(&self, _: Instant) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn fires_in_order_and_skips_the_dropped() {
        let a = Arc::new(Count(AtomicUsize::new(0)));
        let gone = Arc::new(Count(AtomicUsize::new(0)));
        let now = Instant::now();
        let wa: Weak<dyn Tick> = Arc::downgrade(&a) as Weak<dyn Tick>;
        let wg: Weak<dyn Tick> = Arc::downgrade(&gone) as Weak<dyn Tick>;
        Timer::global().schedule(now + Duration::from_millis(30), wa.clone());
        Timer::global().schedule(now + Duration::from_millis(10), wa);
        Timer::global().schedule(now + Duration::from_millis(10), wg);
        drop(gone);
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(a.0.load(Ordering::SeqCst), 2);
    }
}
