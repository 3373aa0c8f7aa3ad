//! The running system: configuration, directory, volumes, spool, saved systems, the
//! dispatcher and the users logged on.
//!
//! [`System::start`] brings a system up from a data directory (creating a complete default
//! system there on first run, see [`crate::setup`]). Everything users share lives here behind
//! its own lock; a user's own state is in [`crate::user`]. Lock order, to rule out deadlock:
//! a user's state lock may be held while taking any of the system's locks below, never the
//! other way round, and never two users' state locks at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use s370::devices::ckd::Volume;

use crate::clock::{Clock, DETERMINISTIC_START_MICROS, Zone};
use crate::config::{SavedSource, SystemConfig, standard_placeholder};
use crate::directory::{Directory, Machine};
use crate::dispatch::{Dispatcher, Tuning};
use crate::nss::SavedSystem;
use crate::spool::SpoolStore;
use crate::user::User;

/// How to start a system.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// The data directory (created with the default system if it does not exist).
    pub data_dir: PathBuf,
    /// Deterministic mode (session replay): a virtual clock starting at a fixed instant, one
    /// worker, virtual time for the guests' timers.
    pub deterministic: bool,
    /// Worker threads; `None` = the configuration's `CPUS` (0 = host cores).
    pub cpus: Option<usize>,
}

/// Why a system could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created or read.
    #[error("data directory {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The host error.
        source: std::io::Error,
    },
    /// The configuration or directory has errors (one per line).
    #[error("{0}")]
    Config(String),
    /// A volume could not be opened or created.
    #[error("volume {volser}: {message}")]
    Volume {
        /// Its serial.
        volser: String,
        /// What went wrong.
        message: String,
    },
    /// A saved system could not be loaded.
    #[error("{0}")]
    SavedSystem(String),
    /// The spool could not be opened.
    #[error("spool: {0}")]
    Spool(String),
}

/// One link to a minidisk, as the system keeps track of them (for LINK's R/O–R/W rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    /// The user holding the link.
    pub user: String,
    /// Its virtual address there.
    pub vaddr: u16,
    /// The minidisk's owner.
    pub owner: String,
    /// The owner's address of the minidisk.
    pub owner_addr: u16,
    /// Linked read/write?
    pub write: bool,
}

/// The running system.
pub struct System {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The configuration as started.
    pub config: SystemConfig,
    /// The directory in force (`DIRECT` replaces it).
    pub directory: RwLock<Directory>,
    /// The clock.
    pub clock: Clock,
    /// The time zone of the configuration.
    pub zone: Zone,
    /// Deterministic mode.
    pub deterministic: bool,
    /// Logged-on users, by userid.
    users: Mutex<BTreeMap<String, Arc<User>>>,
    /// The spool.
    pub spool: Arc<Mutex<SpoolStore>>,
    /// Real volumes, by serial.
    pub volumes: BTreeMap<String, Arc<Volume>>,
    /// Every minidisk link held by a logged-on user.
    pub links: Mutex<Vec<LinkRecord>>,
    /// Saved systems and segments, by name and machine.
    pub saved: BTreeMap<(String, Machine), Arc<SavedSystem>>,
    /// The dispatcher.
    pub dispatcher: Dispatcher,
    /// Timed wake-ups of waiting machines (clock comparator).
    pub timers: Arc<crate::timers::Timers>,
    /// The log message (`SET LOGMSG`).
    pub logmsg: Mutex<Vec<String>>,
    /// When the system started (INDICATE LOAD's processor use is measured from it).
    pub started: Instant,
    shutting_down: AtomicBool,
    /// Commands finishing on threads of their own (FORCE, AUTOLOG, SHUTDOWN).
    background: std::sync::atomic::AtomicUsize,
    logons_disabled: AtomicBool,
    shut_down: (Mutex<bool>, Condvar),
}

impl std::fmt::Debug for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("System").field("data_dir", &self.data_dir).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl System {
    /// Starts a system on a data directory.
    pub fn start(opts: &StartOptions) -> Result<Arc<System>, StartError> {
        let dir = &opts.data_dir;
        crate::setup::ensure_data_dir(dir)?;
        let cfg_path = dir.join(crate::defaults::SYSTEM_CONFIG_FILE);
        let cfg_text = read(&cfg_path)?;
        let config = crate::config::parse(&cfg_text, crate::defaults::SYSTEM_CONFIG_FILE)
            .map_err(|e| StartError::Config(join_errors(&e)))?;
        let resolve = |p: &crate::config::ConfigPath| -> Result<PathBuf, StartError> {
            p.resolve(dir, standard_placeholder).map_err(|e| StartError::Config(e.to_string()))
        };
        let dir_path = resolve(&config.directory_file)?;
        let directory = crate::directory::parse(&read(&dir_path)?, "USER DIRECT")
            .map_err(|e| StartError::Config(join_errors(&e)))?;

        let mut volumes = BTreeMap::new();
        let mut created = BTreeMap::new();
        for v in &config.volumes {
            let path = resolve(&v.path)?;
            let source = v.source.as_ref().map(resolve).transpose()?;
            let (vol, new) = crate::setup::open_volume(&path, source.as_deref(), v)?;
            let vol = Arc::new(vol);
            if new {
                created.insert(v.volser.clone(), Arc::clone(&vol));
            }
            volumes.insert(v.volser.clone(), vol);
        }
        crate::setup::format_new_minidisks(&directory, &created, config.ready_message)?;

        let mut saved = BTreeMap::new();
        for s in &config.saved_systems {
            let sys = match &s.source {
                SavedSource::File(p) => {
                    let path = resolve(p)?;
                    SavedSystem::load(&s.name, &path, s.pages as usize, s.load_page, s.ipl)
                        .map_err(|e| StartError::SavedSystem(e.to_string()))?
                }
                SavedSource::Builtin => {
                    match crate::setup::builtin_saved_system(s, config.ready_message) {
                        Some(sys) => sys,
                        None => continue,
                    }
                }
            };
            saved.insert((s.name.clone(), s.machine), Arc::new(sys));
        }

        crate::command::define::clean_tdisks(dir);
        let spool_dir = resolve(&config.spool_dir)?;
        let (spool, damaged) =
            SpoolStore::open(&spool_dir).map_err(|e| StartError::Spool(e.to_string()))?;
        for d in damaged {
            eprintln!("vm370: {d}; left on disk");
        }

        let clock = if opts.deterministic {
            Clock::virtual_at(DETERMINISTIC_START_MICROS)
        } else {
            Clock::host()
        };
        let zone = Zone {
            name: config.timezone.name.clone(),
            offset_secs: config.timezone.offset_minutes * 60,
        };
        let host_cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        let workers = if opts.deterministic {
            1
        } else {
            opts.cpus.unwrap_or(config.processors(host_cores) as usize)
        };
        let mut tuning = Tuning::default();
        if opts.deterministic {
            // Slices measured in instructions, so the same work always ends the same slices.
            tuning.max_instructions = 200_000;
            tuning.q1_slice = std::time::Duration::from_secs(3600);
            tuning.q2_slice = std::time::Duration::from_secs(3600);
        }
        let logmsg = config.log_message.clone();
        let sys = Arc::new(System {
            data_dir: dir.clone(),
            config,
            directory: RwLock::new(directory),
            clock,
            zone,
            deterministic: opts.deterministic,
            users: Mutex::new(BTreeMap::new()),
            spool: Arc::new(Mutex::new(spool)),
            volumes,
            links: Mutex::new(Vec::new()),
            saved,
            dispatcher: Dispatcher::new(workers, tuning),
            timers: Arc::new(crate::timers::Timers::new()),
            logmsg: Mutex::new(logmsg),
            started: Instant::now(),
            shutting_down: AtomicBool::new(false),
            background: std::sync::atomic::AtomicUsize::new(0),
            logons_disabled: AtomicBool::new(false),
            shut_down: (Mutex::new(false), Condvar::new()),
        });
        sys.start_housekeeping();
        sys.timers.start(Arc::downgrade(&sys));
        Ok(sys)
    }

    /// The logged-on user `userid` (upper case), if any.
    pub fn user(&self, userid: &str) -> Option<Arc<User>> {
        lock(&self.users).get(userid).cloned()
    }

    /// Every logged-on user, by userid.
    pub fn users(&self) -> Vec<Arc<User>> {
        lock(&self.users).values().cloned().collect()
    }

    /// Number of users logged on.
    pub fn user_count(&self) -> usize {
        lock(&self.users).len()
    }

    /// Registers a user that has just logged on; false if the userid is taken.
    pub(crate) fn add_user(&self, user: Arc<User>) -> bool {
        let mut u = lock(&self.users);
        if u.contains_key(&user.userid) {
            return false;
        }
        u.insert(user.userid.clone(), user);
        true
    }

    /// Forgets a user that has logged off.
    pub(crate) fn remove_user(&self, userid: &str) -> Option<Arc<User>> {
        lock(&self.users).remove(userid)
    }

    /// The saved system `name` for `machine`.
    pub fn saved_system(&self, name: &str, machine: Machine) -> Option<Arc<SavedSystem>> {
        self.saved.get(&(name.to_ascii_uppercase(), machine)).cloned()
    }

    /// Seconds since 1970, by the system clock.
    pub fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    /// Commands still finishing on threads of their own (FORCE, AUTOLOG, SHUTDOWN): a
    /// replay waits for none before it compares screens.
    pub fn background_work(&self) -> usize {
        self.background.load(Ordering::Acquire)
    }

    /// Runs `work` on a thread of its own, counted by [`System::background_work`]
    /// until it ends; false if no thread could be started.
    pub fn spawn_background(
        self: &Arc<Self>,
        name: &str,
        work: impl FnOnce() + Send + 'static,
    ) -> bool {
        struct Done(Arc<System>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.background.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.background.fetch_add(1, Ordering::AcqRel);
        let done = Done(Arc::clone(self));
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let _done = done;
                work();
            })
            .is_ok()
    }

    /// Is the system shutting down?
    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Marks the system as shutting down (no new logons).
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }

    /// Do terminals accept new logons (`ENABLE` / `DISABLE`)? The session layer asks before
    /// it lets a terminal log on; AUTOLOG does not.
    pub fn logons_enabled(&self) -> bool {
        !self.logons_disabled.load(Ordering::Acquire)
    }

    /// `ENABLE ALL` (true) or `DISABLE ALL` (false).
    pub fn set_logons_enabled(&self, on: bool) {
        self.logons_disabled.store(!on, Ordering::Release);
    }

    /// Records that SHUTDOWN has finished (users off, spool closed, dispatcher stopped) and
    /// wakes [`System::wait_for_shutdown`].
    pub fn finish_shutdown(&self) {
        self.begin_shutdown();
        self.timers.stop();
        *lock(&self.shut_down.0) = true;
        self.shut_down.1.notify_all();
    }

    /// Has SHUTDOWN finished?
    pub fn shut_down(&self) -> bool {
        *lock(&self.shut_down.0)
    }

    /// Waits until SHUTDOWN has finished; the binary then ends the process.
    pub fn wait_for_shutdown(&self) {
        let mut done = lock(&self.shut_down.0);
        while !*done {
            done = self.shut_down.1.wait(done).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The spool, locked.
    pub fn spool(&self) -> MutexGuard<'_, SpoolStore> {
        lock(&self.spool)
    }

    /// Logs off every disconnected user whose machine has waited for its console (a console
    /// read, CP mode, or stopped) for longer than the disconnect timeout (`DISCTIME`, R6's 15
    /// minutes), counting from `now` (seconds since 1970). Returns the users logged off.
    pub fn reap_disconnected(self: &Arc<Self>, now: i64) -> Vec<String> {
        let limit = i64::from(self.config.disconnect_timeout) * 60;
        if limit == 0 {
            return Vec::new();
        }
        let mut gone = Vec::new();
        for u in self.users() {
            let waiting_since = {
                let Ok(st) = u.try_lock_state() else { continue };
                let needs_console = st.cp_mode
                    || !st.runnable()
                    || u.console.status() == crate::vdev::Status::VmRead;
                match st.disconnected_at {
                    Some(t) if needs_console => Some(t),
                    _ => None,
                }
            };
            if waiting_since.is_some_and(|t| now - t >= limit) {
                u.logoff(self, true);
                gone.push(u.userid.clone());
            }
        }
        gone
    }

    /// Starts the housekeeping thread: disconnected users are reaped once a second.
    pub fn start_housekeeping(self: &Arc<Self>) {
        if self.deterministic {
            // Idle time does not pass in a deterministic system: whoever moves its clock
            // (a replay's `wait`) reaps, so the moment a user goes never depends on a thread.
            return;
        }
        let weak = Arc::downgrade(self);
        let _ = std::thread::Builder::new().name("housekeeping".into()).spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
                let Some(sys) = weak.upgrade() else { return };
                if sys.shutting_down() {
                    return;
                }
                let now = sys.now();
                sys.reap_disconnected(now);
            }
        });
    }
}

fn read(path: &Path) -> Result<String, StartError> {
    std::fs::read_to_string(path)
        .map_err(|source| StartError::Io { path: path.to_path_buf(), source })
}

fn join_errors<E: std::fmt::Display>(errors: &[E]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}
