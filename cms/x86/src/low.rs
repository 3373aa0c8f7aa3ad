//! Storage that CP reads and writes on the monitor's behalf: channel programs, their data
//! areas and DIAGNOSE buffers. It lives in the image's bss, so its addresses are fixed, below
//! 16 MiB (CCWs and DIAGNOSE operands carry 24-bit addresses) and identity-mapped.
//!
//! CP changes this memory only while the vCPU is stopped inside a call (an `OUT` the compiler
//! treats as reading and writing all memory), so plain copies in and out are enough.

use core::cell::UnsafeCell;

/// A fixed area of `N` bytes whose guest address CP can be given (doubleword-aligned, as
/// CCWs must be).
#[repr(C, align(16))]
pub struct Area<const N: usize>(UnsafeCell<[u8; N]>);

// SAFETY: the monitor is single-threaded; CP touches the bytes only during a call.
unsafe impl<const N: usize> Sync for Area<N> {}

impl<const N: usize> Area<N> {
    /// A zeroed area (bss).
    pub const fn new() -> Self {
        Area(UnsafeCell::new([0; N]))
    }

    /// Its guest (24-bit) address.
    pub fn addr(&self) -> u32 {
        self.0.get() as usize as u32
    }

    /// Its size.
    pub const fn len(&self) -> usize {
        N
    }

    /// Copies `data` to offset `at` (cut at the end of the area).
    pub fn put(&self, at: usize, data: &[u8]) {
        let n = data.len().min(N.saturating_sub(at));
        // SAFETY: single-threaded; `at + n <= N`; no reference to the array outlives this call.
        let a = unsafe { &mut *self.0.get() };
        a[at..at + n].copy_from_slice(&data[..n]);
    }

    /// Copies bytes from offset `at` into `buf` (cut at the end of the area).
    pub fn get(&self, at: usize, buf: &mut [u8]) {
        let n = buf.len().min(N.saturating_sub(at));
        // SAFETY: as for `put`.
        let a = unsafe { &*self.0.get() };
        buf[..n].copy_from_slice(&a[at..at + n]);
    }
}

/// Copies `buf.len()` bytes of guest memory at the fixed address `addr` (CP's IPL information
/// block in the first page).
pub fn read_fixed(addr: u64, buf: &mut [u8]) {
    let p = addr as usize as *const u8;
    for (i, b) in buf.iter_mut().enumerate() {
        // SAFETY: the first 64 KiB of guest memory are always mapped (the system area of the
        // backend's long-mode set-up, identity-mapped and user-readable); callers pass
        // addresses there. Volatile: CP wrote it, not Rust.
        *b = unsafe { p.add(i).read_volatile() };
    }
}

/// A line of text built without the heap (for the panic handler).
pub struct LineBuf {
    buf: [u8; 256],
    len: usize,
}

impl LineBuf {
    /// An empty line.
    pub const fn new() -> Self {
        LineBuf { buf: [0; 256], len: 0 }
    }

    /// The text so far.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}

impl core::fmt::Write for LineBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if self.len < self.buf.len() && b.is_ascii() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}
