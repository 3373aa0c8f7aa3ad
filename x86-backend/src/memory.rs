//! Guest memory: one anonymous, lazily backed host mapping that KVM uses as the guest's RAM,
//! and bounds-checked copies in and out of it for the host.
//!
//! The mapping is `MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE`, so a 16 MiB guest that touches
//! 200 KiB costs the host about 200 KiB. The host never gets a Rust reference into guest memory,
//! only copies: the guest may change it at any moment while its vCPU runs, and a `&[u8]` over
//! memory that changes underneath would be undefined behaviour.

use std::io;
use std::ptr::NonNull;

use crate::error::{Error, Result};

/// The host page size this crate assumes for guest memory sizes.
pub const PAGE_SIZE: u64 = 4096;

/// A guest's RAM, mapped at guest-physical address 0.
///
/// Shared between the [`Vm`](crate::Vm) and its [`Vcpu`](crate::Vcpu)s through an `Arc`, so the
/// mapping outlives every file descriptor through which KVM could touch it.
#[derive(Debug)]
pub struct GuestMemory {
    base: NonNull<u8>,
    size: u64,
}

// SAFETY: `GuestMemory` owns its mapping; the pointer is never handed out, and every access is a
// bounds-checked byte copy through a raw pointer (the same way the guest and the kernel touch
// this memory concurrently). Nothing in it is tied to the creating thread.
unsafe impl Send for GuestMemory {}
// SAFETY: see `Send`; `&GuestMemory` methods only copy bytes through raw pointers, so concurrent
// use from several threads is no different from the guest writing while the host reads.
unsafe impl Sync for GuestMemory {}

impl GuestMemory {
    /// Maps `size` bytes (a non-zero multiple of [`PAGE_SIZE`]) of zero-filled, lazily backed
    /// memory.
    pub fn new(size: u64) -> Result<GuestMemory> {
        if size == 0 || !size.is_multiple_of(PAGE_SIZE) {
            return Err(Error::InvalidArgument(format!(
                "guest memory size {size:#x} is not a non-zero multiple of {PAGE_SIZE:#x}"
            )));
        }
        let len = usize::try_from(size).map_err(|_| {
            Error::InvalidArgument(format!("guest memory size {size:#x} too large"))
        })?;
        // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing cannot alias
        // anything else in this process; the result is checked for MAP_FAILED below.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(Error::Mmap { what: "guest memory", source: io::Error::last_os_error() });
        }
        let base = NonNull::new(addr.cast::<u8>()).ok_or_else(|| Error::Mmap {
            what: "guest memory",
            source: io::Error::other("mmap returned a null address"),
        })?;
        Ok(GuestMemory { base, size })
    }

    /// The size of guest memory in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether `[gpa, gpa + len)` lies wholly inside guest memory.
    pub fn contains(&self, gpa: u64, len: u64) -> bool {
        gpa.checked_add(len).is_some_and(|end| end <= self.size)
    }

    /// The host address of the mapping, for `KVM_SET_USER_MEMORY_REGION`.
    pub(crate) fn host_address(&self) -> u64 {
        self.base.as_ptr() as u64
    }

    fn check(&self, gpa: u64, len: usize) -> Result<usize> {
        let len64 = len as u64;
        if self.contains(gpa, len64) {
            // In bounds, so `gpa < size`, which fits a usize (the mapping exists).
            Ok(gpa as usize)
        } else {
            Err(Error::OutOfBounds { gpa, len: len64, size: self.size })
        }
    }

    /// Copies guest memory at `gpa` into `buf`; fails (copying nothing) if any byte is outside.
    pub fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<()> {
        let offset = self.check(gpa, buf.len())?;
        // SAFETY: `check` proved `offset + buf.len() <= size`, so the source range lies inside
        // our live mapping; `buf` is a distinct host buffer, so the ranges do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.base.as_ptr().add(offset),
                buf.as_mut_ptr(),
                buf.len(),
            );
        }
        Ok(())
    }

    /// Copies `data` into guest memory at `gpa`; fails (copying nothing) if any byte is outside.
    pub fn write(&self, gpa: u64, data: &[u8]) -> Result<()> {
        let offset = self.check(gpa, data.len())?;
        // SAFETY: `check` proved the destination range lies inside our live, writable mapping;
        // `data` is a host buffer, never part of guest memory, so the ranges do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.base.as_ptr().add(offset),
                data.len(),
            );
        }
        Ok(())
    }

    /// Sets `len` bytes at `gpa` to `byte`.
    pub fn fill(&self, gpa: u64, len: u64, byte: u8) -> Result<()> {
        let n =
            usize::try_from(len).map_err(|_| Error::OutOfBounds { gpa, len, size: self.size })?;
        let offset = self.check(gpa, n)?;
        // SAFETY: `check` proved `[offset, offset + n)` lies inside our live, writable mapping.
        unsafe {
            std::ptr::write_bytes(self.base.as_ptr().add(offset), byte, n);
        }
        Ok(())
    }

    /// Reads `N` bytes at `gpa`.
    pub fn read_array<const N: usize>(&self, gpa: u64) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        self.read(gpa, &mut a)?;
        Ok(a)
    }

    /// Reads a little-endian `u16` at `gpa` (any alignment).
    pub fn read_u16(&self, gpa: u64) -> Result<u16> {
        self.read_array(gpa).map(u16::from_le_bytes)
    }

    /// Reads a little-endian `u32` at `gpa` (any alignment).
    pub fn read_u32(&self, gpa: u64) -> Result<u32> {
        self.read_array(gpa).map(u32::from_le_bytes)
    }

    /// Reads a little-endian `u64` at `gpa` (any alignment).
    pub fn read_u64(&self, gpa: u64) -> Result<u64> {
        self.read_array(gpa).map(u64::from_le_bytes)
    }

    /// Writes a little-endian `u16` at `gpa` (any alignment).
    pub fn write_u16(&self, gpa: u64, v: u16) -> Result<()> {
        self.write(gpa, &v.to_le_bytes())
    }

    /// Writes a little-endian `u32` at `gpa` (any alignment).
    pub fn write_u32(&self, gpa: u64, v: u32) -> Result<()> {
        self.write(gpa, &v.to_le_bytes())
    }

    /// Writes a little-endian `u64` at `gpa` (any alignment).
    pub fn write_u64(&self, gpa: u64, v: u64) -> Result<()> {
        self.write(gpa, &v.to_le_bytes())
    }
}

impl Drop for GuestMemory {
    fn drop(&mut self) {
        // SAFETY: we mapped exactly `size` bytes at `base` in `new` and nobody else unmaps it;
        // after this no method can run, so no access can follow.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.size as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked() {
        assert!(matches!(GuestMemory::new(0), Err(Error::InvalidArgument(_))));
        assert!(matches!(GuestMemory::new(4097), Err(Error::InvalidArgument(_))));
        let m = GuestMemory::new(64 * 1024).expect("64 KiB map");
        assert_eq!(m.size(), 0x10000);
    }

    #[test]
    fn read_write_round_trip_and_zero_fill() {
        let m = GuestMemory::new(2 * PAGE_SIZE).expect("map");
        assert_eq!(m.read_u64(0x100).expect("read"), 0, "fresh memory is zero");
        m.write(0xffe, &[1, 2, 3, 4]).expect("write across a page boundary");
        assert_eq!(m.read_array::<4>(0xffe).expect("read"), [1, 2, 3, 4]);
        m.write_u32(0x1001, 0xdead_beef).expect("unaligned write");
        assert_eq!(m.read_u32(0x1001).expect("read"), 0xdead_beef);
        assert_eq!(m.read_u16(0x1001).expect("read"), 0xbeef);
        m.write_u64(0x1ff8, u64::MAX).expect("last 8 bytes");
        assert_eq!(m.read_u64(0x1ff8).expect("read"), u64::MAX);
        m.fill(0x10, 4, 0xab).expect("fill");
        assert_eq!(m.read_u32(0x10).expect("read"), 0xabab_abab);
    }

    #[test]
    fn out_of_bounds_is_an_error_and_copies_nothing() {
        let m = GuestMemory::new(PAGE_SIZE).expect("map");
        m.write_u32(0xffc, 0x1122_3344).expect("last word");
        let e = m.write(0xffe, &[9, 9, 9, 9]).expect_err("straddles the end");
        assert!(matches!(e, Error::OutOfBounds { gpa: 0xffe, len: 4, size: 0x1000 }));
        assert_eq!(m.read_u32(0xffc).expect("read"), 0x1122_3344, "nothing written");
        assert!(m.read_u64(u64::MAX - 3).is_err(), "address overflow is caught");
        assert!(m.read(0x1000, &mut []).is_ok(), "empty access at the end is fine");
        assert!(m.read(0x1001, &mut []).is_err(), "empty access past the end is not");
        assert!(m.fill(0, u64::MAX, 0).is_err());
        assert!(m.contains(0, 0x1000));
        assert!(!m.contains(1, 0x1000));
    }
}
