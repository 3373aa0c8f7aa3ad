//! The crate's one error type: what can go wrong between us and the kernel.
//!
//! A guest's mistakes are never errors here: they are [`Exit`](crate::Exit)s (a triple fault is
//! `Exit::Shutdown`, a store outside memory is `Exit::MmioWrite`). An `Error` means the host could
//! not do what was asked: KVM is missing, an ioctl failed, or the caller passed a bad argument.

use std::io;

/// Everything that can fail in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// KVM cannot be used on this host; the text says why, in words a user can act on.
    #[error("KVM is not available: {0}")]
    KvmUnavailable(String),
    /// An ioctl on `/dev/kvm`, a VM or a vCPU failed.
    #[error("KVM {op} failed: {source}")]
    Kvm {
        /// The operation, e.g. `"KVM_CREATE_VM"`.
        op: &'static str,
        /// The kernel's error.
        source: io::Error,
    },
    /// A host memory mapping (guest memory or the vCPU's `kvm_run` page) could not be made.
    #[error("mmap of {what} failed: {source}")]
    Mmap {
        /// What was being mapped.
        what: &'static str,
        /// The kernel's error.
        source: io::Error,
    },
    /// The real-time signal used for kicks could not be installed.
    #[error("installing the kick signal handler failed: {0}")]
    Signal(io::Error),
    /// A guest-memory access fell (partly) outside guest memory.
    #[error("guest memory access at {gpa:#x} of {len} bytes is outside the {size:#x}-byte memory")]
    OutOfBounds {
        /// Guest-physical address of the access.
        gpa: u64,
        /// Its length in bytes.
        len: u64,
        /// The size of guest memory.
        size: u64,
    },
    /// A size or address argument was not acceptable (the text says which and why).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `complete_io_in`/`complete_mmio_read` was called but the last exit was not that kind.
    #[error("no {0} is waiting for data")]
    NotPending(&'static str),
    /// A guest ended in an exit that the caller (e.g. the probe) did not expect.
    #[error("unexpected exit: {0:?}")]
    UnexpectedExit(crate::Exit),
}

impl Error {
    /// Wraps an error from `kvm-ioctls` (an errno) as a [`Error::Kvm`].
    pub(crate) fn kvm(op: &'static str, e: kvm_ioctls::Error) -> Self {
        Error::Kvm { op, source: io::Error::from_raw_os_error(e.errno()) }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;
