//! One thread for every console's timers (MORE... delays), however many terminals.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock, Weak};
use std::time::Instant;

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
