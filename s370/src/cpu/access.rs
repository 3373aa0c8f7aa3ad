//! Storage-operand access: the TLB fast path and the architected slow path.
//!
//! Every logical address a program uses goes, on its first use, through the slow path:
//! DAT (when the PSW says so), prefixing, the addressing check, low-address protection,
//! key-controlled protection, and the setting of the reference (and change) bit. The
//! result is cached per 2K block in a direct-mapped TLB — one table for fetches, one for
//! stores — whose tag holds the block, the PSW key, the DAT bit and an epoch:
//!
//! ```text
//!  tag = | epoch (19..) | PER-SA (18) | DAT (17) | key (13-16) | block = addr >> 11 (0-12) |
//! ```
//!
//! While program-event recording monitors storage alteration (the PER-SA bit), no store
//! right is cached: every store takes the checked path, which reports it to
//! [`Cpu::per_note_store`]. Reads are cached as usual.
//!
//! A hit means "this access is allowed and its reference/change bits are already on", so
//! the fast path is a compare and a copy. Anything that could make a cached right wrong
//! bumps the epoch (purging every entry at once): PTLB, a change of CR0, CR1 or the prefix,
//! and any storage-key change other than gaining R/C bits ([`Storage::key_epoch`]).
//! Key and DAT-mode changes need no purge: they are part of the tag.
//!
//! [`Storage::key_epoch`]: crate::storage::Storage::key_epoch

use super::{Cpu, ExecResult, Stop};
use crate::interrupt::pic;
use crate::storage::{KEY_CHANGE, KEY_FETCH, KEY_REF};

/// Masks an absolute address from the TLB into the storage array: a no-op for the
/// addresses the TLB holds (all inside storage), and the proof the compiler needs to drop
/// the bounds checks.
const MASK: usize = 0x00FF_FFFF;

/// `N` bytes at absolute `a` (inside storage).
#[inline(always)]
fn load<const N: usize>(mem: &crate::storage::Mem, a: usize) -> [u8; N] {
    let a = a & MASK;
    let mut b = [0u8; N];
    b.copy_from_slice(&mem[a..a + N]);
    b
}

/// Stores `N` bytes at absolute `a` (inside storage).
#[inline(always)]
fn store<const N: usize>(mem: &mut crate::storage::Mem, a: usize, v: [u8; N]) {
    let a = a & MASK;
    mem[a..a + N].copy_from_slice(&v);
}

/// Number of TLB entries per table (a power of two).
const TLB_SIZE: usize = 1024;
const TLB_MASK: usize = TLB_SIZE - 1;

/// The tag bit of a context in which storage alteration is monitored (PER).
const CTX_PER_STORE: u64 = 1 << 18;

/// Control register 0 bit 3: low-address protection.
const CR0_LOW_PROT: u32 = 0x1000_0000;

/// One cached 2K block.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    tag: u64,
    /// Absolute address of the block.
    base: u32,
}

/// The access TLB.
#[derive(Clone)]
pub(crate) struct Tlb {
    rd: [Entry; TLB_SIZE],
    wr: [Entry; TLB_SIZE],
    epoch: u64,
    /// Tag bits of the current context (epoch, DAT, key).
    ctx: u64,
    /// What the cached entries were built from: key epoch, CR0, CR1, prefix.
    seen: (u64, u32, u32, u32),
}

impl std::fmt::Debug for Tlb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tlb").field("epoch", &self.epoch).finish()
    }
}

impl Tlb {
    pub(crate) fn new() -> Tlb {
        Tlb {
            rd: [Entry::default(); TLB_SIZE],
            wr: [Entry::default(); TLB_SIZE],
            epoch: 1,
            ctx: 1 << 19,
            seen: (0, 0, 0, 0),
        }
    }

    /// Drops every entry.
    pub(crate) fn purge(&mut self) {
        self.epoch += 1;
    }
}

/// Where a storage operand of up to 2K bytes lies in absolute storage: one piece, or two
/// when it crosses a 2K block boundary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    /// Absolute address of byte 0.
    pub(crate) a: usize,
    /// Bytes in the first piece.
    pub(crate) split: usize,
    /// Absolute address of the first byte of the second piece.
    pub(crate) b: usize,
}

impl Span {
    /// Absolute address of operand byte `i`.
    #[inline(always)]
    pub(crate) fn at(&self, i: usize) -> usize {
        if i < self.split { self.a + i } else { self.b + (i - self.split) }
    }

    /// Is the operand one contiguous run of `len` bytes?
    #[inline(always)]
    pub(crate) fn contiguous(&self, len: usize) -> bool {
        len <= self.split || self.b == self.a + self.split
    }
}

impl Cpu {
    /// Recomputes the TLB context after a change of PSW key or DAT mode, and purges the TLB
    /// if CR0, CR1, the prefix or a storage key changed since the entries were made.
    pub(crate) fn sync_context(&mut self) {
        let seen = (self.storage.key_epoch(), self.cr[0], self.cr[1], self.prefix);
        if seen != self.tlb.seen {
            self.tlb.seen = seen;
            self.tlb.epoch += 1;
        }
        self.tlb.ctx = (self.tlb.epoch << 19)
            | if self.per_store_active() { CTX_PER_STORE } else { 0 }
            | (u64::from(self.psw.translation()) << 17)
            | (u64::from(self.psw.key & 15) << 13);
    }

    /// Purges the TLB (PTLB, and everything that changes translation).
    pub(crate) fn purge_tlb(&mut self) {
        self.tlb.purge();
        self.sync_context();
    }

    /// The absolute address of `addr` if the TLB allows this access to `len` bytes within
    /// one 2K block.
    #[inline(always)]
    fn tlb_hit(&self, write: bool, addr: u32, len: u32) -> Option<usize> {
        let off = addr & 0x7FF;
        if off + len > 0x800 {
            return None;
        }
        let blk = addr >> 11;
        let table = if write { &self.tlb.wr } else { &self.tlb.rd };
        let e = table[blk as usize & TLB_MASK];
        (e.tag == self.tlb.ctx | u64::from(blk)).then_some(e.base as usize + off as usize)
    }

    /// Checks an access to the byte at logical address `addr` (24 bits) with every
    /// architected rule, without side effects: returns its absolute address. Order as in
    /// the PoO: translation, addressing, protection.
    fn check_access(&mut self, addr: u32, write: bool) -> Result<u32, Stop> {
        let real = if self.psw.translation() { self.dat_access(addr)? } else { addr };
        let abs = self.real_to_absolute(real);
        if abs as usize >= self.storage.size() {
            return Err(Stop::Program(pic::ADDRESSING));
        }
        if write && addr < 512 && self.cr[0] & CR0_LOW_PROT != 0 {
            return Err(Stop::Program(pic::PROTECTION));
        }
        let key = self.psw.key;
        if key != 0 {
            let sk = self.storage.keys.get(abs as usize >> 11).copied().unwrap_or(0);
            if sk >> 4 != key && (write || sk & KEY_FETCH != 0) {
                return Err(Stop::Program(pic::PROTECTION));
            }
        }
        Ok(abs)
    }

    /// Records an allowed access: reference (and change) bit, and a TLB entry.
    fn commit_access(&mut self, addr: u32, abs: u32, write: bool) {
        if let Some(k) = self.storage.keys.get_mut(abs as usize >> 11) {
            *k |= if write { KEY_REF | KEY_CHANGE } else { KEY_REF };
        }
        let blk = addr >> 11;
        let e = Entry { tag: self.tlb.ctx | u64::from(blk), base: abs & !0x7FF };
        let i = blk as usize & TLB_MASK;
        if write {
            // Low-address protection covers part of block 0 only: never cache it then.
            // Nor any store right while PER watches stores.
            if (blk == 0 && self.cr[0] & CR0_LOW_PROT != 0) || self.tlb.ctx & CTX_PER_STORE != 0 {
                return;
            }
            self.tlb.wr[i] = e;
        }
        // A store right implies a fetch right (same key, or key 0), and R is now on.
        self.tlb.rd[i] = e;
    }

    /// The absolute address for an access to the byte at `addr`, checked and recorded.
    #[inline]
    pub(crate) fn resolve(&mut self, addr: u32, write: bool) -> Result<usize, Stop> {
        self.resolve_n(addr, write, 1)
    }

    /// [`Cpu::resolve`] for the first of `n` bytes the caller will access in the same 2K
    /// block (a store of `n` bytes, for program-event recording).
    #[inline]
    pub(crate) fn resolve_n(&mut self, addr: u32, write: bool, n: usize) -> Result<usize, Stop> {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(write, addr, 1) {
            return Ok(a);
        }
        let abs = self.check_access(addr, write)?;
        self.commit_access(addr, abs, write);
        if write && self.tlb.ctx & CTX_PER_STORE != 0 {
            self.per_note_store(addr, n);
        }
        Ok(abs as usize)
    }

    /// Where an operand of `len` bytes (1..=2048) at `addr` lies, every byte checked for the
    /// access; nothing has been stored when this fails.
    #[inline(always)]
    pub(crate) fn span(&mut self, addr: u32, len: usize, write: bool) -> Result<Span, Stop> {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(write, addr, len as u32) {
            return Ok(Span { a, split: len, b: a + len });
        }
        self.span_slow(addr, len, write)
    }

    /// [`Cpu::span`] when the operand is not in one block the TLB allows.
    fn span_slow(&mut self, addr: u32, len: usize, write: bool) -> Result<Span, Stop> {
        let first = (0x800 - (addr & 0x7FF) as usize).min(len.max(1));
        let a = self.resolve_n(addr, write, first.min(len))?;
        if first >= len {
            return Ok(Span { a, split: len, b: a + len });
        }
        let b = self.resolve_n(addr.wrapping_add(first as u32), write, len - first)?;
        Ok(Span { a, split: first, b })
    }

    /// Fetches `buf.len()` bytes of a storage operand at logical address `addr` (wrapping at
    /// 16 MB), with every architected check: translation, prefixing, addressing, fetch
    /// protection; sets reference bits.
    pub fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> ExecResult {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(false, addr, buf.len() as u32)
            && let Some(src) = self.storage.mem.get(a..a + buf.len())
        {
            buf.copy_from_slice(src);
            return Ok(());
        }
        let mut done = 0;
        while done < buf.len() {
            let at = addr.wrapping_add(done as u32) & 0x00FF_FFFF;
            let n = (0x800 - (at & 0x7FF) as usize).min(buf.len() - done);
            let a = self.resolve(at, false)?;
            let src = self.storage.mem.get(a..a + n).ok_or(Stop::Program(pic::ADDRESSING))?;
            buf[done..done + n].copy_from_slice(src);
            done += n;
        }
        Ok(())
    }

    /// Stores `data` as a storage operand at logical address `addr` (wrapping at 16 MB), with
    /// every architected check; sets reference and change bits. Every byte is checked before
    /// any is stored.
    pub fn write_bytes(&mut self, addr: u32, data: &[u8]) -> ExecResult {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(true, addr, data.len() as u32)
            && a + data.len() <= self.storage.size()
        {
            self.storage.touch(a, data.len());
            self.storage.mem[a..a + data.len()].copy_from_slice(data);
            return Ok(());
        }
        // First pass: check (and record) every block; second pass: store.
        let mut done = 0;
        while done < data.len() {
            let at = addr.wrapping_add(done as u32) & 0x00FF_FFFF;
            let n = (0x800 - (at & 0x7FF) as usize).min(data.len() - done);
            self.resolve_n(at, true, n)?;
            done += n;
        }
        let mut done = 0;
        while done < data.len() {
            let at = addr.wrapping_add(done as u32) & 0x00FF_FFFF;
            let n = (0x800 - (at & 0x7FF) as usize).min(data.len() - done);
            let a = self.resolve_n(at, true, n)?;
            self.storage.touch(a, n);
            let dst = self.storage.mem.get_mut(a..a + n).ok_or(Stop::Program(pic::ADDRESSING))?;
            dst.copy_from_slice(&data[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// Checks that every byte of `[addr, addr+len)` may be stored into, without storing
    /// (for instructions that must recognize access exceptions before changing anything).
    pub(crate) fn check_store(&mut self, addr: u32, len: usize) -> ExecResult {
        let mut done = 0;
        while done < len {
            let at = addr.wrapping_add(done as u32) & 0x00FF_FFFF;
            let n = (0x800 - (at & 0x7FF) as usize).min(len - done);
            self.resolve_n(at, true, n)?;
            done += n;
        }
        Ok(())
    }

    /// Fetches a byte operand.
    #[inline(always)]
    pub fn read_u8(&mut self, addr: u32) -> Result<u8, Stop> {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(false, addr, 1) {
            return Ok(self.storage.mem[a & MASK]);
        }
        let mut b = [0u8; 1];
        self.read_bytes(addr, &mut b)?;
        Ok(b[0])
    }

    /// Fetches a halfword operand (big-endian).
    #[inline(always)]
    pub fn read_u16(&mut self, addr: u32) -> Result<u16, Stop> {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(false, addr, 2) {
            return Ok(u16::from_be_bytes(load::<2>(&self.storage.mem, a)));
        }
        let mut b = [0u8; 2];
        self.read_bytes(addr, &mut b)?;
        Ok(u16::from_be_bytes(b))
    }

    /// Fetches a fullword operand (big-endian).
    #[inline(always)]
    pub fn read_u32(&mut self, addr: u32) -> Result<u32, Stop> {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(false, addr, 4) {
            return Ok(u32::from_be_bytes(load::<4>(&self.storage.mem, a)));
        }
        let mut b = [0u8; 4];
        self.read_bytes(addr, &mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    /// Fetches a doubleword operand (big-endian).
    #[inline(always)]
    pub fn read_u64(&mut self, addr: u32) -> Result<u64, Stop> {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(false, addr, 8) {
            return Ok(u64::from_be_bytes(load::<8>(&self.storage.mem, a)));
        }
        let mut b = [0u8; 8];
        self.read_bytes(addr, &mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    /// Stores a byte operand.
    #[inline(always)]
    pub fn write_u8(&mut self, addr: u32, v: u8) -> ExecResult {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(true, addr, 1) {
            self.storage.touch(a, 1);
            self.storage.mem[a & MASK] = v;
            return Ok(());
        }
        self.write_bytes(addr, &[v])
    }

    /// Stores a halfword operand (big-endian).
    #[inline(always)]
    pub fn write_u16(&mut self, addr: u32, v: u16) -> ExecResult {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(true, addr, 2) {
            self.storage.touch(a, 2);
            store::<2>(&mut self.storage.mem, a, v.to_be_bytes());
            return Ok(());
        }

        self.write_bytes(addr, &v.to_be_bytes())
    }

    /// Stores a fullword operand (big-endian).
    #[inline(always)]
    pub fn write_u32(&mut self, addr: u32, v: u32) -> ExecResult {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(true, addr, 4) {
            self.storage.touch(a, 4);
            store::<4>(&mut self.storage.mem, a, v.to_be_bytes());
            return Ok(());
        }

        self.write_bytes(addr, &v.to_be_bytes())
    }

    /// Stores a doubleword operand (big-endian).
    #[inline(always)]
    pub fn write_u64(&mut self, addr: u32, v: u64) -> ExecResult {
        let addr = addr & 0x00FF_FFFF;
        if let Some(a) = self.tlb_hit(true, addr, 8) {
            self.storage.touch(a, 8);
            store::<8>(&mut self.storage.mem, a, v.to_be_bytes());
            return Ok(());
        }

        self.write_bytes(addr, &v.to_be_bytes())
    }

    /// The byte at absolute address `a` (a span position); 0 outside storage.
    #[inline(always)]
    pub(crate) fn abs_byte(&self, a: usize) -> u8 {
        self.storage.mem[a & MASK]
    }

    /// Stores the byte at absolute address `a` (a span position).
    #[inline(always)]
    pub(crate) fn set_abs_byte(&mut self, a: usize, v: u8) {
        self.storage.touch(a, 1);
        self.storage.mem[a & MASK] = v;
    }

    /// Marks the bytes of operand `d` (`n` bytes) as about to change (the code map).
    #[inline]
    pub(crate) fn touch_span(&mut self, d: Span, n: usize) {
        self.storage.touch(d.a, n.min(d.split));
        if n > d.split {
            self.storage.touch(d.b, n - d.split);
        }
    }

    /// Replaces each byte of operand `d` by `f(its byte, the same byte of s)`, left to
    /// right, reading each byte when it is used (so overlapping operands behave as the
    /// architecture defines); returns the OR of the results. Both spans are checked.
    #[inline(always)]
    pub(crate) fn combine(&mut self, d: Span, s: Span, n: usize, f: impl Fn(u8, u8) -> u8) -> u8 {
        self.touch_span(d, n);
        let mem = &mut self.storage.mem;
        let mut any = 0;
        if d.contiguous(n) && s.contiguous(n) {
            for k in 0..n {
                let (da, sa) = ((d.a + k) & MASK, (s.a + k) & MASK);
                let x = f(mem[da], mem[sa]);
                mem[da] = x;
                any |= x;
            }
        } else {
            for k in 0..n {
                let (da, sa) = (d.at(k) & MASK, s.at(k) & MASK);
                let x = f(mem[da], mem[sa]);
                mem[da] = x;
                any |= x;
            }
        }
        any
    }

    /// Translates operand `d` (`n` bytes) through the 256-byte table `t`, byte by byte.
    #[inline]
    pub(crate) fn translate_span(&mut self, d: Span, t: Span, n: usize) {
        self.touch_span(d, n);
        let mem = &mut self.storage.mem;
        let disjoint = d.a + n <= t.a || t.a + 256 <= d.a;
        if d.contiguous(n) && t.contiguous(256) && disjoint && d.a + n <= MASK && t.a + 256 <= MASK
        {
            // No byte of the table changes: translate in place (the borrows tell the
            // compiler so, and it need not reload the table after each store).
            let (dst, table) = if d.a < t.a {
                let (lo, hi) = mem.split_at_mut(t.a);
                (&mut lo[d.a..d.a + n], &hi[..256])
            } else {
                let (lo, hi) = mem.split_at_mut(d.a);
                (&mut hi[..n], &lo[t.a..t.a + 256])
            };
            let table: &[u8; 256] = table.try_into().expect("256 bytes");
            for b in dst.iter_mut() {
                *b = table[usize::from(*b)];
            }
        } else if d.contiguous(n) && t.contiguous(256) {
            for k in 0..n {
                let da = (d.a + k) & MASK;
                mem[da] = mem[(t.a + usize::from(mem[da])) & MASK];
            }
        } else {
            for k in 0..n {
                let da = d.at(k) & MASK;
                mem[da] = mem[t.at(usize::from(mem[da])) & MASK];
            }
        }
    }

    /// Fetches an instruction at `ia` through the TLB: the fast path of the instruction
    /// cycle (the whole six bytes lie in one cached block).
    #[inline(always)]
    pub(crate) fn ifetch_fast(&self, ia: u32) -> Option<u64> {
        if ia & 1 != 0 {
            return None;
        }
        let a = self.tlb_hit(false, ia, 6)?;
        Some(u64::from_be_bytes(load::<8>(&self.storage.mem, a)) >> 16)
    }

    /// The absolute address of instruction address `ia`, which [`Cpu::ifetch_fast`] just
    /// found in the TLB.
    #[inline]
    pub(crate) fn ifetch_abs(&self, ia: u32) -> usize {
        self.tlb_hit(false, ia, 2).unwrap_or(usize::MAX)
    }

    /// The tag bits of the current access context.
    #[inline(always)]
    pub(crate) fn tlb_ctx(&self) -> u64 {
        self.tlb.ctx
    }

    /// Fetches an instruction halfword by halfword, with every check. On an exception,
    /// returns its code and the instruction length if the first halfword was fetched.
    pub(crate) fn ifetch_slow(&mut self, ia: u32) -> Result<u64, (u16, Option<u32>)> {
        if ia & 1 != 0 {
            return Err((pic::SPECIFICATION, None));
        }
        let mut bytes = [0u8; 8];
        let mut len = 2;
        let mut i = 0;
        while i < len {
            let at = ia.wrapping_add(i) & 0x00FF_FFFF;
            let a = match self.resolve(at, false) {
                Ok(a) => a,
                Err(Stop::Program(code)) => return Err((code, (i > 0).then_some(len))),
                Err(_) => return Err((pic::ADDRESSING, None)),
            };
            // A halfword never crosses a 2K block (the address is even).
            bytes[i as usize] = self.abs_byte(a);
            bytes[i as usize + 1] = self.abs_byte(a + 1);
            if i == 0 {
                len = crate::format::length_of(bytes[0]);
            }
            i += 2;
        }
        Ok(u64::from_be_bytes(bytes) >> 16)
    }
}
