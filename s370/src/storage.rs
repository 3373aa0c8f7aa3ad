//! Main storage and its storage keys.
//!
//! Principles of Operation, "Storage": main storage is a byte array addressed by 24-bit
//! absolute addresses, up to 16 MB. Each 2K block has a storage key (SSK/ISK/RRB):
//!
//! ```text
//! key byte:  | ACC 0-3 | F 4 | R 5 | C 6 | 0 |
//!   ACC = access-control bits, F = fetch protection, R = referenced, C = changed
//! ```
//!
//! The bytes are allocated zeroed in one block (`vec![0; n]`, which the allocator backs with
//! zero-fill-on-demand pages), so an untouched megabyte of a 16 MB machine costs no host memory.
//! This module knows absolute addresses only; prefixing, DAT and key-controlled protection
//! are the CPU's business ([`crate::cpu`]), and channels use [`Storage::check_access`] with
//! the key from the CAW.

/// Key bit: fetch protection.
pub const KEY_FETCH: u8 = 0x08;
/// Key bit: reference.
pub const KEY_REF: u8 = 0x04;
/// Key bit: change.
pub const KEY_CHANGE: u8 = 0x02;

/// Size of the block one storage key covers.
pub const KEY_BLOCK: usize = 2048;

/// Largest main storage of a System/370: 16 MB (24-bit addresses).
pub const MAX_STORAGE: usize = 16 << 20;

/// An access outside main storage or forbidden by a storage key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The address is not in the configured main storage (addressing exception).
    #[error("address {0:06X} is outside main storage")]
    Addressing(u32),
    /// The storage key forbids the access (protection exception).
    #[error("protection at {0:06X}")]
    Protection(u32),
}

/// Bytes allocated past the configured size, so the processor can fetch an instruction's
/// six bytes (as eight) without a second bounds check. Never addressable by a program.
pub(crate) const PAD: usize = 8;

/// Bytes reserved for every storage: the largest size plus [`PAD`]. Only the configured
/// size is ever addressed, and untouched pages are never backed, so a small storage costs
/// no more host memory than a small vector; the fixed length lets the processor's fast
/// paths index it with a 24-bit address and no bounds check.
pub(crate) const MEM: usize = MAX_STORAGE + PAD;

/// The bytes of a storage.
pub(crate) type Mem = Box<[u8; MEM]>;

/// Zeroed bytes, allocated lazily by the system (no stack copy, no page touched).
fn zeroed() -> Mem {
    vec![0u8; MEM].into_boxed_slice().try_into().expect("the vector has exactly MEM bytes")
}

/// Main storage: the bytes and one key byte per 2K block.
pub struct Storage {
    /// The bytes (see [`MEM`]).
    pub(crate) mem: Mem,
    /// One key byte per 2K block.
    pub(crate) keys: Vec<u8>,
    size: usize,
    /// Bumped whenever a key loses bits or changes (SSK, RRB, clear): processors drop the
    /// access rights they cached for the old keys.
    epoch: u64,
    /// One byte per 64-byte granule: nonzero when a processor holds decoded instructions
    /// from it ([`Storage::note_code`]).
    code: Vec<u8>,
    /// Bumped whenever a granule holding decoded instructions is stored into: processors
    /// drop the instructions they decoded.
    code_epoch: u64,
}

/// Bytes per granule of the code map (a power of two).
const CODE_GRANULE: usize = 64;

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("size", &self.size).finish()
    }
}

impl Clone for Storage {
    /// Copies the configured size only (the rest stays unbacked).
    fn clone(&self) -> Storage {
        let mut mem = zeroed();
        mem[..self.size].copy_from_slice(&self.mem[..self.size]);
        Storage {
            mem,
            keys: self.keys.clone(),
            size: self.size,
            epoch: self.epoch,
            code: self.code.clone(),
            code_epoch: self.code_epoch,
        }
    }
}

impl Storage {
    /// Main storage of `size` bytes (rounded up to a 4K multiple, at most 16 MB), all zero,
    /// with all keys zero.
    pub fn new(size: usize) -> Storage {
        let size = size.clamp(4096, MAX_STORAGE).next_multiple_of(4096);
        Storage {
            mem: zeroed(),
            keys: vec![0; size / KEY_BLOCK],
            size,
            epoch: 1,
            code: vec![0; size / CODE_GRANULE],
            code_epoch: 1,
        }
    }

    /// The configured size in bytes.
    #[inline(always)]
    pub fn size(&self) -> usize {
        self.size
    }

    /// All of storage as a slice (absolute addresses).
    #[inline(always)]
    pub fn bytes(&self) -> &[u8] {
        &self.mem[..self.size]
    }

    /// All of storage as a mutable slice. Callers that change bytes through it are
    /// responsible for the change bits ([`Storage::mark_changed`]). Any instructions a
    /// processor decoded are dropped.
    #[inline(always)]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.code_epoch += 1;
        let n = self.size;
        &mut self.mem[..n]
    }

    /// The code epoch: it changes whenever storage that held decoded instructions is
    /// changed. A processor keeps decoded instructions only while it stays the same.
    #[inline(always)]
    pub fn code_epoch(&self) -> u64 {
        self.code_epoch
    }

    /// Records that the instructions in absolute `[addr, addr+len)` have been decoded.
    pub(crate) fn note_code(&mut self, addr: usize, len: usize) {
        if len == 0 {
            return;
        }
        let (g0, g1) = (addr / CODE_GRANULE, (addr + len - 1) / CODE_GRANULE);
        for g in self.code.iter_mut().take(g1 + 1).skip(g0) {
            *g = 1;
        }
    }

    /// To be called before `len` bytes at absolute `addr` are changed (a processor's own
    /// stores): if they held decoded instructions, the code epoch moves on.
    #[inline(always)]
    pub(crate) fn touch(&mut self, addr: usize, len: usize) {
        let (g0, g1) = (addr / CODE_GRANULE, (addr + len.max(1) - 1) / CODE_GRANULE);
        if g1 <= g0 + 1
            && self.code.get(g0).is_none_or(|&c| c == 0)
            && self.code.get(g1).is_none_or(|&c| c == 0)
        {
            return;
        }
        self.touch_slow(g0, g1);
    }

    fn touch_slow(&mut self, g0: usize, g1: usize) {
        let end = (g1 + 1).min(self.code.len());
        let Some(range) = self.code.get_mut(g0.min(end)..end) else { return };
        if range.iter().any(|&g| g != 0) {
            range.fill(0);
            self.code_epoch += 1;
        }
    }

    /// Is `[addr, addr+len)` inside storage?
    #[inline(always)]
    pub fn contains(&self, addr: u32, len: usize) -> bool {
        (addr as usize).checked_add(len).is_some_and(|end| end <= self.size)
    }

    /// The key epoch: it changes whenever a storage key changes other than by gaining a
    /// reference or change bit. A processor that cached access rights compares it.
    #[inline(always)]
    pub fn key_epoch(&self) -> u64 {
        self.epoch
    }

    /// Resets the reference bit of the 2K block holding `addr` and returns the key byte as
    /// it was before (RESET REFERENCE BIT; ignored outside storage, returning 0).
    pub fn reset_reference(&mut self, addr: u32) -> u8 {
        self.epoch += 1;
        match self.keys.get_mut(addr as usize / KEY_BLOCK) {
            Some(k) => {
                let old = *k;
                *k &= !KEY_REF;
                old
            }
            None => 0,
        }
    }

    /// The storage key of the 2K block holding `addr` (0 outside storage).
    #[inline(always)]
    pub fn key(&self, addr: u32) -> u8 {
        self.keys.get(addr as usize / KEY_BLOCK).copied().unwrap_or(0)
    }

    /// Sets the storage key of the 2K block holding `addr` (ignored outside storage).
    #[inline(always)]
    pub fn set_key(&mut self, addr: u32, key: u8) {
        self.epoch += 1;
        if let Some(k) = self.keys.get_mut(addr as usize / KEY_BLOCK) {
            *k = key & 0xFE;
        }
    }

    /// Sets the reference and change bits of every block in `[addr, addr+len)`.
    pub fn mark_changed(&mut self, addr: u32, len: usize) {
        if len == 0 {
            return;
        }
        let first = addr as usize / KEY_BLOCK;
        let last = (addr as usize + len - 1) / KEY_BLOCK;
        for k in self.keys.iter_mut().take(last + 1).skip(first) {
            *k |= KEY_REF | KEY_CHANGE;
        }
    }

    /// Sets the reference bit of every block in `[addr, addr+len)`.
    pub fn mark_referenced(&mut self, addr: u32, len: usize) {
        if len == 0 {
            return;
        }
        let first = addr as usize / KEY_BLOCK;
        let last = (addr as usize + len - 1) / KEY_BLOCK;
        for k in self.keys.iter_mut().take(last + 1).skip(first) {
            *k |= KEY_REF;
        }
    }

    /// Checks that an access with access key `key` to `[addr, addr+len)` is allowed: inside
    /// storage, and (for a nonzero key) matching each block's key, or a fetch from a block
    /// without fetch protection. Does not set reference or change bits.
    pub fn check_access(
        &self,
        addr: u32,
        len: usize,
        key: u8,
        store: bool,
    ) -> Result<(), AccessError> {
        if !self.contains(addr, len) {
            let bad = if (addr as usize) < self.size() { self.size() as u32 } else { addr };
            return Err(AccessError::Addressing(bad));
        }
        if key == 0 || len == 0 {
            return Ok(());
        }
        let first = addr as usize / KEY_BLOCK;
        let last = (addr as usize + len - 1) / KEY_BLOCK;
        for (i, &k) in self.keys[first..=last].iter().enumerate() {
            let allowed = k >> 4 == key || (!store && k & KEY_FETCH == 0);
            if !allowed {
                let blk = ((first + i) * KEY_BLOCK) as u32;
                return Err(AccessError::Protection(blk.max(addr)));
            }
        }
        Ok(())
    }

    /// Copies `buf.len()` bytes from absolute `addr` (no key check).
    pub fn read(&self, addr: u32, buf: &mut [u8]) -> Result<(), AccessError> {
        if !self.contains(addr, buf.len()) {
            return Err(AccessError::Addressing(addr));
        }
        let a = addr as usize;
        buf.copy_from_slice(&self.mem[a..a + buf.len()]);
        Ok(())
    }

    /// Copies `data` to absolute `addr` (no key check), setting reference and change bits.
    pub fn write(&mut self, addr: u32, data: &[u8]) -> Result<(), AccessError> {
        if !self.contains(addr, data.len()) {
            return Err(AccessError::Addressing(addr));
        }
        let a = addr as usize;
        self.touch(a, data.len());
        self.mem[a..a + data.len()].copy_from_slice(data);
        self.mark_changed(addr, data.len());
        Ok(())
    }

    /// Reads a big-endian fullword at absolute `addr` (no key check).
    pub fn read_u32(&self, addr: u32) -> Result<u32, AccessError> {
        let mut b = [0u8; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    /// Writes a big-endian fullword at absolute `addr` (no key check).
    pub fn write_u32(&mut self, addr: u32, v: u32) -> Result<(), AccessError> {
        self.write(addr, &v.to_be_bytes())
    }

    /// Reads a big-endian doubleword at absolute `addr` (no key check).
    pub fn read_u64(&self, addr: u32) -> Result<u64, AccessError> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    /// Writes a big-endian doubleword at absolute `addr` (no key check).
    pub fn write_u64(&mut self, addr: u32, v: u64) -> Result<(), AccessError> {
        self.write(addr, &v.to_be_bytes())
    }

    /// Sets every byte and every key to zero (system reset clear). Storage that was never
    /// touched stays unbacked.
    pub fn clear(&mut self) {
        self.mem = zeroed();
        self.keys.fill(0);
        self.epoch += 1;
        self.code.fill(0);
        self.code_epoch += 1;
    }

    /// Host bytes actually resident for this storage, estimated as the 4K pages that hold a
    /// nonzero byte (for memory benchmarks; linear in the storage size).
    pub fn touched_pages(&self) -> usize {
        self.bytes().chunks(4096).filter(|p| p.iter().any(|&b| b != 0)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_protection() {
        let mut s = Storage::new(64 * 1024);
        s.set_key(0x1000, 0x60);
        assert_eq!(s.key(0x17FF), 0x60);
        assert_eq!(s.key(0x1800), 0);
        assert!(s.check_access(0x1000, 4, 6, true).is_ok());
        assert_eq!(s.check_access(0x1000, 4, 5, true), Err(AccessError::Protection(0x1000)));
        assert!(s.check_access(0x1000, 4, 5, false).is_ok(), "no fetch protection");
        s.set_key(0x1000, 0x68);
        assert!(s.check_access(0x1000, 4, 5, false).is_err());
        assert!(s.check_access(0x1000, 4, 0, true).is_ok(), "key 0 matches all");
        assert!(matches!(s.check_access(0xFFFE, 4, 0, false), Err(AccessError::Addressing(_))));
    }

    #[test]
    fn code_map_moves_the_epoch_only_for_decoded_bytes() {
        let mut s = Storage::new(8192);
        s.note_code(0x1000, 16);
        let e = s.code_epoch();
        s.touch(0x1040, 4);
        assert_eq!(s.code_epoch(), e, "another granule");
        s.touch(0x100C, 1);
        assert_eq!(s.code_epoch(), e + 1);
        s.touch(0x100C, 1);
        assert_eq!(s.code_epoch(), e + 1, "the mark was cleared");
        s.note_code(0x1000, 16);
        s.write(0x0FF0, &[0; 32]).expect("inside");
        assert_eq!(s.code_epoch(), e + 2, "writes by others too");
        s.bytes_mut();
        assert_eq!(s.code_epoch(), e + 3, "raw access drops everything");
    }

    #[test]
    fn read_write_marks_change() {
        let mut s = Storage::new(8192);
        s.write_u32(0x900, 0xDEADBEEF).expect("inside storage");
        assert_eq!(s.read_u32(0x900), Ok(0xDEADBEEF));
        assert_eq!(s.key(0x900) & (KEY_REF | KEY_CHANGE), KEY_REF | KEY_CHANGE);
        assert!(s.write_u32(0x1FFE, 0).is_err());
    }
}
