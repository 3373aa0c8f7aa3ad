//! A fresh deterministic system for recording and replaying, the terminal sessions it runs,
//! and knowing when it has settled.
//!
//! A system has *settled* when nothing will change a screen until a terminal does something
//! or the consoles' clock moves: every session thread waits for terminal input (or has
//! ended), no command is finishing on a thread of its own (FORCE, AUTOLOG), and the
//! dispatcher has no machine queued or running. Both are checked twice
//! around the dispatcher, so a machine that wakes a session (a guest's LOGOFF) is never
//! missed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use terminals::console::{Clock, Console, ConsoleConfig, VirtualClock};

use crate::system::{StartError, StartOptions, System};

/// One terminal session the harness runs.
#[derive(Debug)]
struct Running {
    console: Console,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    fn idle(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished) || self.console.awaiting_input()
    }
}

/// A deterministic system and its terminal sessions.
#[derive(Debug)]
pub struct Harness {
    /// The system.
    pub sys: Arc<System>,
    /// The consoles' clock (MORE... delays): moves only when told.
    pub clock: Arc<VirtualClock>,
    sessions: Mutex<Vec<Running>>,
    _dir: Option<tempfile::TempDir>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pristine default data directory, made once: starting each replay from a copy of it
/// is quicker than creating (and formatting) a new one, and the same.
#[derive(Debug)]
pub struct Template {
    dir: tempfile::TempDir,
}

fn temp_dir() -> Result<tempfile::TempDir, StartError> {
    tempfile::Builder::new()
        .prefix("vm370-session-")
        .tempdir()
        .map_err(|source| StartError::Io { path: PathBuf::from("temporary directory"), source })
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

impl Template {
    /// Creates the default system's data directory (by starting a system on it once).
    pub fn new() -> Result<Template, StartError> {
        let dir = temp_dir()?;
        let sys = System::start(&StartOptions {
            data_dir: dir.path().join("data"),
            deterministic: true,
            cpus: Some(1),
        })?;
        drop(sys);
        Ok(Template { dir })
    }

    fn instantiate(&self) -> Result<(tempfile::TempDir, PathBuf), StartError> {
        let d = temp_dir()?;
        let p = d.path().join("data");
        copy_tree(&self.dir.path().join("data"), &p)
            .map_err(|source| StartError::Io { path: p.clone(), source })?;
        Ok((d, p))
    }
}

/// Where a harness's system comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A fresh default system in a temporary directory.
    Fresh,
    /// A fresh system for IBM's R6 CMS ([`crate::defaults::r6`]) in a temporary directory.
    FreshR6,
    /// A copy of a [`Template`] in a temporary directory.
    Template(&'a Template),
    /// This data directory, as it is.
    Dir(&'a Path),
}

impl Harness {
    /// Starts a deterministic system from `source`.
    pub fn start(source: Source<'_>) -> Result<Harness, StartError> {
        let (dir, path) = match source {
            Source::Dir(p) => (None, p.to_path_buf()),
            Source::Template(t) => {
                let (d, p) = t.instantiate()?;
                (Some(d), p)
            }
            Source::Fresh | Source::FreshR6 => {
                let d = temp_dir()?;
                let p = d.path().join("data");
                if matches!(source, Source::FreshR6) {
                    std::fs::create_dir_all(&p)
                        .map_err(|e| StartError::Io { path: p.clone(), source: e })?;
                    for (name, text) in crate::defaults::r6::FILES {
                        std::fs::write(p.join(name), text)
                            .map_err(|e| StartError::Io { path: p.join(name), source: e })?;
                    }
                }
                (Some(d), p)
            }
        };
        let sys =
            System::start(&StartOptions { data_dir: path, deterministic: true, cpus: Some(1) })?;
        Ok(Harness { sys, clock: VirtualClock::new(), sessions: Mutex::new(Vec::new()), _dir: dir })
    }

    /// The settings of every console: the system's id, the virtual clock.
    pub fn console_config(&self) -> ConsoleConfig {
        ConsoleConfig {
            system_id: self.sys.config.sysid.clone(),
            clock: Clock::Virtual(Arc::clone(&self.clock)),
            ..ConsoleConfig::default()
        }
    }

    /// Runs CP's terminal session on `console` (logo already shown) in a thread of its own.
    pub fn attach(&self, console: Console) {
        let sys = Arc::clone(&self.sys);
        let c = console.clone();
        let thread = std::thread::Builder::new()
            .name(format!("term-{}", console.info().device_name))
            .spawn(move || crate::session::run_session(&sys, &c))
            .ok();
        lock(&self.sessions).push(Running { console, thread });
    }

    /// The consoles of the sessions started, in order.
    pub fn consoles(&self) -> Vec<Console> {
        lock(&self.sessions).iter().map(|r| r.console.clone()).collect()
    }

    /// Has everything settled now?
    pub fn settled(&self) -> bool {
        let all_idle = || lock(&self.sessions).iter().all(Running::idle);
        all_idle()
            && self.sys.background_work() == 0
            && self.sys.dispatcher.quiescent()
            && all_idle()
    }

    /// Waits until everything has settled; false after `timeout`.
    pub fn settle(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        let mut spins = 0u32;
        loop {
            if self.settled() {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            spins += 1;
            if spins < 100 {
                std::thread::yield_now();
            } else {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }

    /// Time passes: the consoles' clock and the system's (TIME, CONNECT=) move by `d`, and
    /// disconnected users past `DISCTIME` are logged off.
    pub fn advance(&self, d: Duration) {
        self.sys.clock.advance(i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        self.clock.advance(d);
        // What CP's housekeeping does once a second when time is real (DISCTIME).
        self.sys.reap_disconnected(self.sys.now());
    }

    /// The earliest console timer (MORE... delay) still to fall due, as a time from now on
    /// the consoles' clock.
    pub fn next_timer(&self) -> Option<Duration> {
        let now = self.clock.now();
        lock(&self.sessions)
            .iter()
            .filter_map(|r| r.console.timer_deadline())
            .map(|d| d.saturating_duration_since(now))
            .min()
    }

    /// Ends every session (their terminals hang up) and waits a moment for the threads.
    pub fn shutdown(&self) {
        self.sys.finish_shutdown();
        let mut sessions = lock(&self.sessions);
        for r in sessions.iter() {
            r.console.close();
        }
        let until = Instant::now() + Duration::from_secs(5);
        for r in sessions.iter_mut() {
            if let Some(t) = r.thread.take() {
                while !t.is_finished() && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(1));
                }
                if t.is_finished() {
                    let _ = t.join();
                }
            }
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown();
    }
}
