//! A logged-on user: the virtual machine, the console, CP's settings, accounting.
//!
//! ```text
//!              LOGON ok                 BEGIN / IPL
//!   (none) ───────────────► CP READ ─────────────────► running / VM READ
//!                             ▲   ▲                        │      │
//!                             │   └── PA1, #CP, DIAG 8 ────┘      │
//!                             └───── disabled wait ───────────────┘
//!   LOGOFF / FORCE from any state ends the session; DISCONNECT keeps the machine running.
//! ```
//!
//! A [`User`] is shared (`Arc`) by the dispatcher (which runs its machine), its terminal
//! session, and other users' commands; its [`UserState`] sits behind one lock. Nothing here
//! takes another user's state lock: messages go to other users through their
//! [`ConsoleLink`], which has its own lock.

pub mod build;
pub mod diag;
mod input;
mod run;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use crate::backend::Kicker;
use crate::directory::{Classes, UserEntry};
use crate::dispatch::{VmId, Wake};
use crate::system::System;
use crate::vdev::ConsoleLink;
use crate::vm::Vm;

pub use build::LogonError;
pub use input::{TerminalSettings, line_edit};
pub(crate) use run::Deferred;

/// The settings CP's SET command changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// SET MSG: receive messages.
    pub msg: bool,
    /// SET WNG: receive warnings.
    pub wng: bool,
    /// SET EMSG: ON, OFF, CODE or TEXT.
    pub emsg: Emsg,
    /// SET IMSG: informational responses.
    pub imsg: bool,
    /// SET RUN: stay running when the terminal enters CP mode.
    pub run: bool,
    /// SET TIMER: ON (virtual), OFF, REAL.
    pub timer: Timer,
    /// SET ECMODE.
    pub ecmode: bool,
    /// SET ASSIST.
    pub assist: bool,
    /// SET ACNT: show the accounting line at logoff.
    pub acnt: bool,
    /// PF keys (SET PFnn), 1-24.
    pub pf: Vec<Option<String>>,
}

/// How error messages are shown (CP SET EMSG; DIAGNOSE X'5C').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emsg {
    /// Code and text.
    On,
    /// Neither.
    Off,
    /// The code only.
    Code,
    /// The text only (the default).
    Text,
}

/// The virtual machine's interval timer (SET TIMER).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Runs while the machine runs (the default).
    On,
    /// Does not run.
    Off,
    /// Runs in real time, also while the machine waits.
    Real,
}

impl Timer {
    /// Sets the machine's interval timer to run this way.
    pub fn apply(self, b: &mut dyn crate::backend::Backend) {
        match self {
            Timer::On => b.set_interval_timer(true, false),
            Timer::Off => b.set_interval_timer(false, false),
            Timer::Real => b.set_interval_timer(true, true),
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            msg: true,
            wng: true,
            emsg: Emsg::Text,
            imsg: true,
            run: false,
            timer: Timer::On,
            ecmode: false,
            assist: true,
            acnt: true,
            pf: vec![None; 24],
        }
    }
}

/// What a logged-on user's state holds.
#[derive(Debug)]
pub struct UserState {
    /// The directory entry the user logged on with.
    pub entry: UserEntry,
    /// The virtual machine.
    pub vm: Vm,
    /// The storage size the machine is defined with (DIAGNOSE X'60', QUERY STORAGE); the
    /// backend may hold more, to make room for shared segments above it.
    pub storage: u32,
    /// The console's virtual address.
    pub console_addr: u16,
    /// In CP mode (`CP READ`).
    pub cp_mode: bool,
    /// SET RUN ON: the terminal reads one CP command while the machine keeps running.
    pub cp_once: bool,
    /// SET values.
    pub settings: Settings,
    /// TERMINAL values.
    pub terminal: TerminalSettings,
    /// When the user logged on (seconds since 1970).
    pub logon_secs: i64,
    /// Virtual processor time used (ns).
    pub virt_ns: u64,
    /// Total processor time used, CP's work for the user included (ns).
    pub total_ns: u64,
    /// When the user disconnected, if disconnected.
    pub disconnected_at: Option<i64>,
    /// Failed LINK password attempts this session.
    pub link_failures: u32,
    /// What the machine was last IPLed from (`CMS`, `190`).
    pub ipl_name: Option<String>,
    /// Address stop (ADSTOP).
    pub adstop: Option<u32>,
    /// The PARM text of the last IPL.
    pub ipl_parm: Option<String>,
    /// Saved segments loaded with DIAGNOSE X'64'.
    pub segments: Vec<String>,
    /// Work for after the state lock is released (LOGOFF, DISCONNECT from the guest).
    pub(crate) deferred: Option<Deferred>,
    /// A question a command asked; the next line the user types answers it.
    pub prompt: Option<crate::command::Prompt>,
    /// What CP's commands keep for the user (tracing, T-disks, console spooling, ...).
    pub cmd: crate::command::state::CmdState,
    /// A DIAGNOSE X'08' waiting for the answer to a prompt: the guest's registers and the
    /// Ry register number, to complete it with the command's return code.
    pub(crate) held_diag: Option<([u32; 16], usize)>,
    /// A DIAGNOSE X'58' full-screen read waiting for the user's key.
    pub(crate) full_screen_read: Option<diag::FsRead>,
    /// A full-screen inbound record (a key the user pressed, a Query Reply) the guest has not
    /// read yet; it was announced with an attention interruption from the console.
    pub(crate) fs_inbound: Option<Vec<u8>>,
}

/// A logged-on user.
pub struct User {
    /// User id, upper case.
    pub userid: String,
    /// The console link: output to the terminal, input to the guest. Other users' MSG and
    /// WARNING go through it without taking this user's state lock.
    pub console: ConsoleLink,
    state: Mutex<UserState>,
    kicker: Mutex<Kicker>,
    vm_id: OnceLock<VmId>,
    logged_off: AtomicBool,
    /// Threads waiting in [`User::lock`] (a terminal's input, a command): while there are
    /// any, the dispatcher gives the machine no new slice, so a guest that never waits
    /// cannot keep its own user (PA1, `#CP`, FORCE) out of its state.
    lock_waiters: AtomicUsize,
    term_name: Mutex<Option<String>>,
    sys: Weak<System>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("userid", &self.userid).finish()
    }
}

impl User {
    /// Locks the user's state. If the machine is running a slice, the slice is ended and
    /// no new one starts until the lock is held, so this waits for at most the rest of one
    /// chunk of the guest's instructions, however busy the guest is.
    pub fn lock(&self) -> MutexGuard<'_, UserState> {
        match self.state.try_lock() {
            Ok(g) => return g,
            Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {}
        }
        self.lock_waiters.fetch_add(1, Ordering::AcqRel);
        self.kick();
        let g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.lock_waiters.fetch_sub(1, Ordering::AcqRel);
        g
    }

    /// Locks the user's state for the dispatcher's slice, or `None` when another thread
    /// waits in [`User::lock`] (the slice then yields to it).
    pub(crate) fn lock_for_slice(&self) -> Option<MutexGuard<'_, UserState>> {
        if self.lock_waiters.load(Ordering::Acquire) != 0 {
            return None;
        }
        Some(self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Locks the user's state if nobody holds it now.
    pub fn try_lock_state(&self) -> Result<MutexGuard<'_, UserState>, ()> {
        match self.state.try_lock() {
            Ok(g) => Ok(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => Err(()),
        }
    }

    /// The system the user is on (gone only while the system is being dropped).
    pub fn system(&self) -> Option<Arc<System>> {
        self.sys.upgrade()
    }

    /// The user's privilege classes.
    pub fn classes(&self) -> Classes {
        self.lock().entry.classes
    }

    /// Has the user logged off (the session should show the logo again)?
    pub fn logged_off(&self) -> bool {
        self.logged_off.load(Ordering::Acquire)
    }

    /// Makes the machine runnable (terminal input, an I/O ending, BEGIN).
    pub fn wake(&self, why: Wake) {
        if let (Some(sys), Some(id)) = (self.sys.upgrade(), self.vm_id.get()) {
            sys.dispatcher.wake(*id, why);
        }
    }

    /// Ends the machine's running slice soon (PA1, FORCE, a CP command from the terminal).
    pub fn kick(&self) {
        self.kicker.lock().unwrap_or_else(|p| p.into_inner()).kick();
    }

    /// Replaces the handle that ends the machine's slices (a new backend after DEFINE STORAGE).
    pub fn set_kicker(&self, k: Kicker) {
        *self.kicker.lock().unwrap_or_else(|p| p.into_inner()) = k;
    }

    /// The dispatcher's id for the machine.
    pub fn vm_id(&self) -> Option<VmId> {
        self.vm_id.get().copied()
    }

    /// The terminal the user is on, as QUERY NAMES shows it (`DSC` when disconnected).
    pub fn terminal_name(&self) -> String {
        self.term_name
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| "DSC".into())
    }

    /// Records the terminal the user is on (`None`: disconnected).
    pub fn set_terminal_name(&self, name: Option<String>) {
        *self.term_name.lock().unwrap_or_else(|p| p.into_inner()) = name;
    }

    /// MSG, WNG and "disconnected" of another user, without waiting for its state lock
    /// (`None` when it is busy).
    pub fn try_settings(&self) -> Option<(bool, bool, bool)> {
        let st = self.state.try_lock().ok()?;
        Some((st.settings.msg, st.settings.wng, st.disconnected_at.is_some()))
    }

    /// The machine's defined storage, without waiting for the state lock (`None` while it
    /// is held, e.g. by the user's own running command).
    pub fn try_storage(&self) -> Option<u32> {
        self.state.try_lock().ok().map(|s| s.storage)
    }

    /// Attaches a new terminal to a disconnected user (`RECONNECT AT ...`); the user is in
    /// CP mode and goes on with BEGIN.
    pub fn reconnect(
        &self,
        sys: &System,
        terminal: std::sync::Arc<dyn crate::vdev::TermSink>,
        name: &str,
    ) {
        self.console.attach(Some(terminal));
        self.set_terminal_name(Some(name.to_string()));
        self.kick();
        let mut st = self.lock();
        st.disconnected_at = None;
        st.cp_mode = true;
        drop(st);
        self.console.set_cp_mode(true);
        self.console.write(&format!("RECONNECT AT {}", sys.zone.stamp(sys.now())));
    }

    /// The inbound record of a full-screen read (AID, cursor, fields): stored in the waiting
    /// DIAGNOSE X'58' read's data area, which then completes.
    pub fn full_screen_input(&self, bytes: &[u8]) {
        let mut st = self.lock();
        let console = st.console_addr;
        match st.full_screen_read.take() {
            Some(read) => {
                // A DIAGNOSE X'58' read was waiting for this key: the DIAGNOSE completes,
                // and the read ends as for a channel program.
                let gpr = read.gpr;
                let _ = st.vm.backend.complete(crate::backend::Completion::Service { gpr, cc: 0 });
                diag::end_fs_read(&mut st, &read, bytes);
            }
            None => {
                // The guest is not reading: the key waits, and the console presents
                // attention (the guest reads it with DIAGNOSE X'58' CCW X'2A').
                st.fs_inbound = Some(bytes.to_vec());
                st.vm.attention(console);
            }
        }
        drop(st);
        self.wake(Wake::Interactive);
    }

    /// Disconnects the user's terminal; the machine runs on (`DISCONNECT AT ...`).
    pub fn disconnect(&self, sys: &System) {
        self.console.write(&format!("DISCONNECT AT {}", sys.zone.stamp(sys.now())));
        self.console.ended();
        self.console.attach(None);
        self.set_terminal_name(None);
        let mut st = self.lock();
        st.disconnected_at = Some(sys.now());
        let resume = st.cp_mode && st.runnable();
        if resume {
            st.cp_mode = false;
        }
        drop(st);
        self.console.set_cp_mode(false);
        if resume {
            self.wake(Wake::Other);
        }
    }
}

impl UserState {
    /// Writes a line of CP output to the user's terminal.
    pub fn say(&self, console: &ConsoleLink, text: &str) {
        console.write(text);
    }

    /// Is the machine in a state where it can run (IPLed and not stopped)?
    pub fn runnable(&self) -> bool {
        matches!(self.vm.state, crate::vm::RunState::Running | crate::vm::RunState::Waiting)
    }
}
