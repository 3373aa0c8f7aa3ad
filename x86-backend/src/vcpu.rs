//! A virtual CPU: run it, answer its I/O, read and write its registers, kick it.
//!
//! ```text
//!            set regs / setup_long_mode
//!                     |
//!                     v
//!   +-------------> run() ------------------> Exit::IoOut / MmioWrite / Hlt / ...
//!   |                 |                                 |
//!   |                 +--> Exit::IoIn / MmioRead        |
//!   |                          |                        |
//!   |               complete_io_in / complete_mmio_read |
//!   |                          |                        |
//!   +--------------------------+------------------------+
//! ```
//! A `Vcpu` is `Send`: it may be run by one thread now and another later (CP's workers do
//! this), though each change of thread costs KVM some microseconds.

use std::io;
use std::sync::Arc;

use kvm_ioctls::VcpuFd;

use crate::error::{Error, Result};
use crate::exit::{Exit, ExitCounts};
use crate::kick::{KickShared, Kicker, install_kick_handler};
use crate::memory::GuestMemory;
use crate::regs::{Regs, SpecialRegs};
use crate::run_page::{Pending, RunPage};

/// `KVM_RUN` = `_IO(KVMIO, 0x80)` with `KVMIO` = 0xAE. `kvm-ioctls` keeps its constant private,
/// and we issue this one ioctl ourselves (see `run_page.rs` for why).
const KVM_RUN: libc::c_ulong = 0xAE80;

/// One virtual CPU of a [`Vm`](crate::Vm).
#[derive(Debug)]
pub struct Vcpu {
    // Field order is drop order: unmap our `kvm_run` view (kickers are detached in `drop`),
    // close the vCPU fd, and only then release the guest memory KVM maps.
    run_page: RunPage,
    kick: Arc<KickShared>,
    pending: Option<Pending>,
    counts: ExitCounts,
    fd: VcpuFd,
    memory: Arc<GuestMemory>,
}

impl Vcpu {
    pub(crate) fn new(fd: VcpuFd, run_size: usize, memory: Arc<GuestMemory>) -> Result<Vcpu> {
        install_kick_handler()?;
        let run_page = RunPage::map(&fd, run_size)?;
        let kick = KickShared::new(run_page.immediate_exit_flag());
        Ok(Vcpu { run_page, kick, pending: None, counts: ExitCounts::default(), fd, memory })
    }

    /// Runs the guest until it exits, and says why.
    ///
    /// `Ok` for everything the guest can cause (including triple faults and emulation
    /// failures); `Err` only when the host side failed. A pending `IN` or MMIO read from the
    /// previous exit is answered first (all ones if nobody called `complete_*`).
    pub fn run(&mut self) -> Result<Exit> {
        self.pending = None;
        self.kick.enter();
        // SAFETY: KVM_RUN takes no argument and acts on our own vCPU fd; the kernel writes only
        // the kvm_run area, which we read solely through raw pointers after it returns.
        let rc = unsafe { libc::ioctl(std::os::fd::AsRawFd::as_raw_fd(&self.fd), KVM_RUN, 0) };
        let err = (rc < 0).then(io::Error::last_os_error);
        let interrupted = err.as_ref().and_then(io::Error::raw_os_error) == Some(libc::EINTR);
        self.kick.leave(interrupted);
        let exit = match err {
            None => {
                let (exit, pending) = self.run_page.decode();
                self.pending = pending;
                exit
            }
            Some(_) if interrupted => Exit::Interrupted,
            Some(source) => return Err(Error::Kvm { op: "KVM_RUN", source }),
        };
        self.counts.record(exit.kind());
        Ok(exit)
    }

    /// Answers the `IN` of the last exit with `data` (truncated to the access width).
    pub fn complete_io_in(&mut self, data: u32) -> Result<()> {
        match self.pending {
            Some(p @ Pending::IoIn { .. }) => {
                self.run_page.answer(p, u64::from(data));
                Ok(())
            }
            _ => Err(Error::NotPending("IN")),
        }
    }

    /// Answers the MMIO read of the last exit with `data` (truncated to the access width).
    pub fn complete_mmio_read(&mut self, data: u64) -> Result<()> {
        match self.pending {
            Some(p @ Pending::MmioRead { .. }) => {
                self.run_page.answer(p, data);
                Ok(())
            }
            _ => Err(Error::NotPending("MMIO read")),
        }
    }

    /// A handle that ends this vCPU's current or next run from any thread.
    pub fn kicker(&self) -> Kicker {
        Kicker::new(Arc::clone(&self.kick))
    }

    /// The guest's RAM (the same memory as [`Vm::memory`](crate::Vm::memory)).
    pub fn memory(&self) -> &Arc<GuestMemory> {
        &self.memory
    }

    /// Exits so far, by kind.
    pub fn exit_counts(&self) -> ExitCounts {
        self.counts
    }

    /// The general registers, `rip` and `rflags`.
    pub fn regs(&self) -> Result<Regs> {
        self.fd.get_regs().map(Regs::from).map_err(|e| Error::kvm("KVM_GET_REGS", e))
    }

    /// Sets the general registers, `rip` and `rflags`.
    pub fn set_regs(&mut self, regs: &Regs) -> Result<()> {
        self.fd.set_regs(&(*regs).into()).map_err(|e| Error::kvm("KVM_SET_REGS", e))
    }

    /// The segment, descriptor-table and control registers.
    pub fn sregs(&self) -> Result<SpecialRegs> {
        self.fd
            .get_sregs()
            .map(|s| SpecialRegs::from_kvm(&s))
            .map_err(|e| Error::kvm("KVM_GET_SREGS", e))
    }

    /// Sets the segment, descriptor-table and control registers (KVM's `cr8`, APIC base and
    /// pending-interrupt bitmap are kept).
    pub fn set_sregs(&mut self, sregs: &SpecialRegs) -> Result<()> {
        let mut k = self.fd.get_sregs().map_err(|e| Error::kvm("KVM_GET_SREGS", e))?;
        sregs.apply_to(&mut k);
        self.fd.set_sregs(&k).map_err(|e| Error::kvm("KVM_SET_SREGS", e))
    }
}

impl Drop for Vcpu {
    fn drop(&mut self) {
        // Before `run_page` is unmapped: from now on kicks touch nothing.
        self.kick.detach();
    }
}
