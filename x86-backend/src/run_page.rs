//! The vCPU's shared `kvm_run` page: our own mapping of it, and decoding an exit out of it.
//!
//! `kvm-ioctls` maps this page too, but hands it out as `&mut kvm_run`, which would alias the
//! kicker's concurrent write of `immediate_exit`. So the vCPU maps the page a second time and
//! only ever touches it through raw pointers, field by field, with volatile reads (the kernel
//! writes it between runs).

use std::io;
use std::os::fd::AsRawFd;
use std::ptr::{NonNull, addr_of, addr_of_mut};

use kvm_bindings::{
    KVM_EXIT_FAIL_ENTRY, KVM_EXIT_HLT, KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_IO, KVM_EXIT_IO_OUT,
    KVM_EXIT_MMIO, KVM_EXIT_SHUTDOWN, kvm_run,
};

use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::kick::RunFlag;

/// Where an `IN` or MMIO read waits for the host's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Bytes at `offset` in the page, `len` of them.
    IoIn { offset: usize, len: usize },
    /// The `mmio.data` field, `len` bytes.
    MmioRead { len: usize },
}

/// A mapping of a vCPU's `kvm_run` area (the `kvm_run` struct plus the PIO data page).
#[derive(Debug)]
pub(crate) struct RunPage {
    base: NonNull<kvm_run>,
    size: usize,
}

// SAFETY: the mapping is owned by this value and only accessed through raw pointers by its
// owner (the `Vcpu`, which is moved between threads, never shared) and, for the single
// `immediate_exit` byte, atomically by kickers under the kick lock.
unsafe impl Send for RunPage {}

impl RunPage {
    /// Maps `size` bytes (`KVM_GET_VCPU_MMAP_SIZE`) of the vCPU file `fd`.
    pub(crate) fn map(fd: &impl AsRawFd, size: usize) -> Result<RunPage> {
        if size < std::mem::size_of::<kvm_run>() {
            return Err(Error::InvalidArgument(format!(
                "KVM reports a vCPU mmap size of {size} bytes, smaller than kvm_run"
            )));
        }
        // SAFETY: a new shared mapping of the vCPU fd at an address of the kernel's choosing;
        // it aliases nothing in this process, and the result is checked below.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(Error::Mmap {
                what: "the vCPU's kvm_run page",
                source: io::Error::last_os_error(),
            });
        }
        let base = NonNull::new(addr.cast::<kvm_run>()).ok_or_else(|| Error::Mmap {
            what: "the vCPU's kvm_run page",
            source: io::Error::other("mmap returned a null address"),
        })?;
        Ok(RunPage { base, size })
    }

    /// The `immediate_exit` byte, for the kicker.
    pub(crate) fn immediate_exit_flag(&self) -> RunFlag {
        let run = self.base.as_ptr();
        // SAFETY: `run` points at our live mapping, which holds a whole `kvm_run`; taking a
        // field's address creates no reference.
        let byte = unsafe { addr_of_mut!((*run).immediate_exit) };
        let byte = NonNull::new(byte).expect("a field of a non-null mapping is non-null");
        // SAFETY: the byte is the `immediate_exit` of our mapping, and the `Vcpu` detaches its
        // kickers before it drops this `RunPage`.
        unsafe { RunFlag::new(byte) }
    }

    /// Decodes the exit the kernel just wrote after a successful `KVM_RUN`. For an `IN` or an
    /// MMIO read it fills the answer with all ones and says where the answer goes.
    pub(crate) fn decode(&mut self) -> (Exit, Option<Pending>) {
        let run = self.base.as_ptr();
        // For every read in this function: `run` points at our live mapping of a whole
        // `kvm_run`; the kernel has finished writing it (KVM_RUN returned on this thread), we
        // read fields by raw pointer without making references, and we read union members only
        // as the `exit_reason` the kernel wrote tells us to.
        // SAFETY: see above; `exit_reason` is a plain u32 field.
        let reason = unsafe { addr_of!((*run).exit_reason).read_volatile() };
        match reason {
            KVM_EXIT_IO => {
                // SAFETY: see above; `io` is the member for KVM_EXIT_IO.
                let io = unsafe { addr_of!((*run).__bindgen_anon_1.io).read_volatile() };
                let size = usize::from(io.size);
                let count = io.count as usize;
                let out = u32::from(io.direction) == KVM_EXIT_IO_OUT;
                let offset = usize::try_from(io.data_offset).unwrap_or(usize::MAX);
                let len = size.saturating_mul(count);
                let in_page = offset.checked_add(len).is_some_and(|end| end <= self.size);
                if !in_page || !matches!(size, 1 | 2 | 4) {
                    return (Exit::Other { reason }, None);
                }
                if count != 1 {
                    if !out {
                        self.fill(offset, len);
                    }
                    let exit =
                        Exit::StringIo { port: io.port, size: io.size, count: io.count, out };
                    return (exit, None);
                }
                if out {
                    let mut bytes = [0u8; 4];
                    self.copy_out(offset, &mut bytes[..size]);
                    let exit = Exit::IoOut {
                        port: io.port,
                        size: io.size,
                        data: u32::from_le_bytes(bytes),
                    };
                    (exit, None)
                } else {
                    self.fill(offset, len);
                    let exit = Exit::IoIn { port: io.port, size: io.size };
                    (exit, Some(Pending::IoIn { offset, len }))
                }
            }
            KVM_EXIT_MMIO => {
                // SAFETY: see above; `mmio` is the member for KVM_EXIT_MMIO.
                let mmio = unsafe { addr_of!((*run).__bindgen_anon_1.mmio).read_volatile() };
                let len = (mmio.len as usize).min(8);
                if mmio.is_write != 0 {
                    let mut bytes = [0u8; 8];
                    bytes[..len].copy_from_slice(&mmio.data[..len]);
                    let exit = Exit::MmioWrite {
                        addr: mmio.phys_addr,
                        len: len as u8,
                        data: u64::from_le_bytes(bytes),
                    };
                    (exit, None)
                } else {
                    self.set_mmio_data(&[0xff; 8][..len]);
                    let exit = Exit::MmioRead { addr: mmio.phys_addr, len: len as u8 };
                    (exit, Some(Pending::MmioRead { len }))
                }
            }
            KVM_EXIT_HLT => (Exit::Hlt, None),
            KVM_EXIT_SHUTDOWN => (Exit::Shutdown, None),
            KVM_EXIT_INTERNAL_ERROR => {
                // SAFETY: see above; `internal` is the member for KVM_EXIT_INTERNAL_ERROR.
                let ie = unsafe { addr_of!((*run).__bindgen_anon_1.internal).read_volatile() };
                let n = (ie.ndata as usize).min(ie.data.len());
                let exit =
                    Exit::InternalError { suberror: ie.suberror, data: ie.data[..n].to_vec() };
                (exit, None)
            }
            KVM_EXIT_FAIL_ENTRY => {
                // SAFETY: see above; `fail_entry` is the member for KVM_EXIT_FAIL_ENTRY.
                let fe = unsafe { addr_of!((*run).__bindgen_anon_1.fail_entry).read_volatile() };
                let exit =
                    Exit::FailEntry { reason: fe.hardware_entry_failure_reason, cpu: fe.cpu };
                (exit, None)
            }
            _ => (Exit::Other { reason }, None),
        }
    }

    /// Writes the host's answer to a pending `IN` or MMIO read (`value` little-endian,
    /// truncated to the access width).
    pub(crate) fn answer(&mut self, pending: Pending, value: u64) {
        let bytes = value.to_le_bytes();
        match pending {
            Pending::IoIn { offset, len } => {
                // An IN moves at most 4 bytes; `len` was checked against the page in `decode`.
                let len = len.min(4);
                let dst = self.byte_ptr(offset);
                // SAFETY: `decode` checked `offset + len <= size`, so the destination lies in
                // our live mapping; `bytes` is a local array, so the ranges do not overlap.
                unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, len) };
            }
            Pending::MmioRead { len } => self.set_mmio_data(&bytes[..len.min(8)]),
        }
    }

    fn byte_ptr(&self, offset: usize) -> *mut u8 {
        // `offset` is at most `size`, so the result stays inside (or one past) the mapping.
        self.base.as_ptr().cast::<u8>().wrapping_add(offset)
    }

    fn copy_out(&self, offset: usize, dst: &mut [u8]) {
        let src = self.byte_ptr(offset);
        // SAFETY: callers checked `offset + dst.len() <= size`, so the source lies in our live
        // mapping; `dst` is a host buffer, so the ranges do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(src, dst.as_mut_ptr(), dst.len()) };
    }

    fn fill(&mut self, offset: usize, len: usize) {
        let dst = self.byte_ptr(offset);
        // SAFETY: callers checked `offset + len <= size`, so the range lies in our live mapping.
        unsafe { std::ptr::write_bytes(dst, 0xff, len) };
    }

    fn set_mmio_data(&mut self, data: &[u8]) {
        let run = self.base.as_ptr();
        // SAFETY: `run` points at our live mapping of a whole `kvm_run`; `mmio.data` is an
        // 8-byte array and `data` has at most 8 bytes; we write through a raw pointer without
        // making a reference, and `data` is a host buffer, so the ranges do not overlap.
        unsafe {
            let field = addr_of_mut!((*run).__bindgen_anon_1.mmio.data).cast::<u8>();
            std::ptr::copy_nonoverlapping(data.as_ptr(), field, data.len().min(8));
        }
    }
}

impl Drop for RunPage {
    fn drop(&mut self) {
        // SAFETY: we mapped exactly `size` bytes at `base` in `map`; the owning `Vcpu` has
        // detached its kickers, so nothing can touch the mapping after this.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.size);
        }
    }
}
