//! Ending a vCPU's run early from another thread: a real-time signal plus `immediate_exit`.
//!
//! ```text
//!  kicker thread                         thread inside Vcpu::run
//!  -------------                         -----------------------
//!                                        lock; running = pthread_self(); unlock
//!  lock                                  ioctl(KVM_RUN) ... guest runs ...
//!  immediate_exit = 1   (covers a kick that lands before KVM_RUN polls it)
//!  pthread_kill(running, KICK)  ------>  signal: no-op handler, no SA_RESTART,
//!  unlock                                so KVM_RUN returns EINTR
//!                                        lock; immediate_exit = 0; running = none; unlock
//!                                        return Exit::Interrupted
//! ```
//!
//! The mutex makes two promises: the thread a kicker signals is still inside `run` (so the
//! `pthread_t` is alive and the signal cannot hit unrelated code of a worker that moved on), and
//! the `kvm_run` page the kicker writes is still mapped (the vCPU detaches under the lock before
//! it unmaps). A kick while no run is in progress sets `immediate_exit` only, so the *next* run
//! returns [`Exit::Interrupted`](crate::Exit::Interrupted) at once: a kick is never lost.

use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::error::{Error, Result};

/// The offset from `SIGRTMIN` of the signal used to kick vCPU threads.
const KICK_SIGNAL_OFFSET: libc::c_int = 1;

/// The signal number used to kick a thread out of `KVM_RUN` (`SIGRTMIN + 1`). The process must
/// not use it for anything else; a no-op handler for it is installed when the first vCPU is made.
pub fn kick_signal() -> libc::c_int {
    libc::SIGRTMIN() + KICK_SIGNAL_OFFSET
}

extern "C" fn on_kick(_signal: libc::c_int) {
    // Nothing to do: the signal's only job is to make KVM_RUN return EINTR.
}

/// Installs the no-op handler for [`kick_signal`] once per process (without `SA_RESTART`, so
/// the interrupted `KVM_RUN` returns `EINTR` instead of being restarted).
pub(crate) fn install_kick_handler() -> Result<()> {
    static INSTALLED: OnceLock<std::result::Result<(), i32>> = OnceLock::new();
    let outcome = INSTALLED.get_or_init(|| {
        // SAFETY: `sigaction` is plain old data; all-zero is a valid empty value.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_kick as *const () as libc::sighandler_t;
        action.sa_flags = 0;
        // SAFETY: `sa_mask` is a valid sigset_t inside our local `action`.
        unsafe { libc::sigemptyset(&mut action.sa_mask) };
        // SAFETY: we pass a valid signal number and a fully initialised action whose handler is
        // async-signal-safe (it does nothing); the old action is not requested.
        let rc = unsafe { libc::sigaction(kick_signal(), &action, std::ptr::null_mut()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL))
        }
    });
    outcome
        .as_ref()
        .map(|_| ())
        .map_err(|&errno| Error::Signal(io::Error::from_raw_os_error(errno)))
}

/// A pointer to the `immediate_exit` byte of a vCPU's mapped `kvm_run` page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunFlag(NonNull<u8>);

// SAFETY: the pointer is only dereferenced under `KickShared::state`'s lock while the vCPU is
// attached, i.e. while its `kvm_run` mapping is alive; the byte is shared memory that the kernel
// also reads, so which thread writes it does not matter.
unsafe impl Send for RunFlag {}

impl RunFlag {
    /// # Safety
    /// `byte` must point at the `immediate_exit` field of a mapped `kvm_run` page that stays
    /// mapped until [`KickShared::detach`] has returned.
    pub(crate) unsafe fn new(byte: NonNull<u8>) -> RunFlag {
        RunFlag(byte)
    }

    fn store(self, v: u8) {
        // SAFETY: by the contract of `new` the byte is mapped while we are attached (callers
        // hold the lock and checked `flag` is `Some`); `AtomicU8` has the layout of `u8`, and
        // every Rust access to this byte is atomic, so there is no data race.
        unsafe { AtomicU8::from_ptr(self.0.as_ptr()) }.store(v, Ordering::SeqCst);
    }
}

#[derive(Debug)]
struct KickState {
    /// `None` once the vCPU is gone.
    flag: Option<RunFlag>,
    /// The thread currently inside `KVM_RUN` for this vCPU, if any.
    running: Option<libc::pthread_t>,
}

/// The state a vCPU shares with its kickers.
#[derive(Debug)]
pub(crate) struct KickShared {
    state: Mutex<KickState>,
}

impl KickShared {
    pub(crate) fn new(flag: RunFlag) -> Arc<KickShared> {
        Arc::new(KickShared { state: Mutex::new(KickState { flag: Some(flag), running: None }) })
    }

    fn lock(&self) -> MutexGuard<'_, KickState> {
        // Nothing panics while holding the lock, but if something did the state is still valid.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the calling thread as the one about to enter `KVM_RUN`.
    pub(crate) fn enter(&self) {
        // SAFETY: pthread_self has no preconditions.
        let me = unsafe { libc::pthread_self() };
        self.lock().running = Some(me);
    }

    /// Records that the run is over; if it ended with `EINTR`, clears `immediate_exit` (under
    /// the lock, so a kick that lands after this is kept for the next run).
    pub(crate) fn leave(&self, interrupted: bool) {
        let mut st = self.lock();
        if interrupted && let Some(flag) = st.flag {
            flag.store(0);
        }
        st.running = None;
    }

    /// Called by the vCPU before its `kvm_run` page is unmapped: later kicks do nothing.
    pub(crate) fn detach(&self) {
        let mut st = self.lock();
        st.flag = None;
        st.running = None;
    }
}

/// A handle that ends a vCPU's current (or next) run early from any thread.
///
/// Cheap to clone, `Send + Sync`, and safe to keep after the vCPU is gone (kicks then do
/// nothing). Made by [`Vcpu::kicker`](crate::Vcpu::kicker). Call it from a thread (a timer or
/// another worker), not from a signal handler: it takes a short lock.
#[derive(Debug, Clone)]
pub struct Kicker {
    shared: Arc<KickShared>,
}

impl Kicker {
    pub(crate) fn new(shared: Arc<KickShared>) -> Kicker {
        Kicker { shared }
    }

    /// Makes the vCPU's run return [`Exit::Interrupted`](crate::Exit::Interrupted): the run in
    /// progress if there is one (the thread inside it is signalled), otherwise the next one.
    ///
    /// Returns `true` if a thread was inside `run` and was signalled, `false` if the kick was
    /// only recorded for the next run (or the vCPU no longer exists).
    pub fn kick(&self) -> bool {
        let st = self.shared.lock();
        let Some(flag) = st.flag else {
            return false;
        };
        flag.store(1);
        match st.running {
            Some(thread) => {
                // SAFETY: `thread` is inside `Vcpu::run` and cannot leave it (and so cannot
                // exit) before we release the lock, so the pthread_t is valid; the handler for
                // the signal was installed before the vCPU existed.
                unsafe { libc::pthread_kill(thread, kick_signal()) };
                true
            }
            None => false,
        }
    }
}
