//! Decoded-instruction blocks: the instruction cycle's cache.
//!
//! A block is a run of instructions decoded once — handler, raw instruction, address of
//! the next one — starting at a logical address and ending before a 2K boundary, after an
//! unconditional transfer, or at [`MAX_OPS`]. Running a block needs no instruction fetch
//! and no length decoding, so the next instruction address is a constant rather than
//! something computed from just-loaded bytes (which would chain every instruction's fetch
//! to the one before it).
//!
//! ```text
//!  slot = (IA >> 1) mod SLOTS     valid while: block.ia == IA
//!                                               block.ctx == TLB context (key, DAT, epoch)
//!                                               block.epoch == storage code epoch
//! ```
//!
//! Decoding a block marks its bytes in the storage's code map
//! ([`Storage::note_code`](crate::storage::Storage::note_code)); any store into them (by
//! this CPU, a channel or CP) moves the code epoch on and so invalidates every block. The
//! TLB context in the tag covers translation, keys (fetch protection) and reference bits,
//! which were checked when the block was decoded.

use super::Cpu;
use crate::format::{Insn, length_of};
use crate::opcode::{DISPATCH, Handler};

/// Slots of the direct-mapped block cache (a power of two).
const SLOTS: usize = 4096;
/// Longest block.
pub(crate) const MAX_OPS: usize = 32;

/// One decoded instruction.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    /// The handler.
    pub(crate) exec: Handler,
    /// The instruction (bytes past its length are whatever followed it).
    pub(crate) insn: Insn,
    /// The address of the next instruction.
    pub(crate) next: u32,
    /// The instruction's length.
    pub(crate) len: u32,
}

/// A cached block.
#[derive(Clone, Default)]
pub(crate) struct Block {
    ia: u32,
    ctx: u64,
    epoch: u64,
    pub(crate) ops: Vec<Op>,
}

/// The block cache.
#[derive(Clone)]
pub(crate) struct Blocks {
    slots: Vec<Block>,
}

impl std::fmt::Debug for Blocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blocks").field("slots", &self.slots.len()).finish()
    }
}

impl Blocks {
    pub(crate) fn new() -> Blocks {
        Blocks { slots: (0..SLOTS).map(|_| Block { ia: u32::MAX, ..Block::default() }).collect() }
    }

    /// The slot for instruction address `ia`.
    #[inline(always)]
    pub(crate) fn slot(ia: u32) -> usize {
        (ia as usize >> 1) & (SLOTS - 1)
    }

    /// Is the block in `slot` the one for `ia` in this context?
    #[inline(always)]
    pub(crate) fn valid(&self, slot: usize, ia: u32, ctx: u64, epoch: u64) -> bool {
        let b = &self.slots[slot];
        b.ia == ia && b.ctx == ctx && b.epoch == epoch
    }

    /// Takes the ops of `slot` out (to run them while the CPU is borrowed mutably).
    #[inline(always)]
    pub(crate) fn take(&mut self, slot: usize) -> Vec<Op> {
        std::mem::take(&mut self.slots[slot].ops)
    }

    /// Puts ops taken with [`Blocks::take`] back.
    #[inline(always)]
    pub(crate) fn put(&mut self, slot: usize, ops: Vec<Op>) {
        self.slots[slot].ops = ops;
    }
}

/// Does an instruction end a block (nothing after it runs in sequence)? Unconditional
/// branches, SVC and LPSW: the bytes after them are often data.
fn ends_block(insn: Insn) -> bool {
    match insn.opcode() {
        0x07 | 0x47 => insn.byte(1) >> 4 == 15,
        0x05 => insn.byte(1) & 15 != 0,
        0x45 | 0x0A | 0x82 => true,
        _ => false,
    }
}

/// Does an instruction read the TOD clock or CPU timer (SCK, STCK, SPT, STPT)?
fn reads_clock(insn: Insn) -> bool {
    insn.opcode() == 0xB2 && matches!(insn.byte(1), 0x04 | 0x05 | 0x08 | 0x09)
}

impl Cpu {
    /// Decodes the block starting at `ia` into `slot`. Returns false (nothing cached) when
    /// the first instruction cannot be fetched from a cached 2K block: the caller then
    /// steps it the slow way.
    pub(crate) fn build_block(&mut self, ia: u32, slot: usize) -> bool {
        let mut ops = self.blocks.take(slot);
        ops.clear();
        let page = ia & !0x7FF;
        let mut a = ia;
        let mut first_abs = None;
        let mut last_abs = 0usize;
        while ops.len() < MAX_OPS {
            let Some(raw) = self.ifetch_fast(a) else { break };
            let insn = Insn(raw);
            // An instruction that reads the clocks starts a block of its own, where the
            // instruction count the clocks see is exact.
            if !ops.is_empty() && reads_clock(insn) {
                break;
            }
            let len = length_of(insn.opcode());
            if (a & 0x7FF) + len > 0x800 {
                break;
            }
            // The fast fetch hit the TLB: the block's absolute address for the code map.
            let abs = self.ifetch_abs(a);
            first_abs.get_or_insert(abs);
            last_abs = abs + len as usize;
            let next = (a + len) & 0x00FF_FFFF;
            ops.push(Op { exec: DISPATCH[insn.opcode() as usize], insn, next, len });
            a = next;
            if ends_block(insn) || a & !0x7FF != page {
                break;
            }
        }
        let Some(first) = first_abs else {
            // The slot's ops were cleared: its tag must no longer name the block it held,
            // or that block's address would find an empty block and never advance.
            self.blocks.put(slot, ops);
            self.blocks.slots[slot].ia = u32::MAX;
            return false;
        };
        self.storage.note_code(first, last_abs - first);
        let (ctx, epoch) = (self.tlb_ctx(), self.storage.code_epoch());
        let b = &mut self.blocks.slots[slot];
        b.ia = ia;
        b.ctx = ctx;
        b.epoch = epoch;
        b.ops = ops;
        true
    }
}
