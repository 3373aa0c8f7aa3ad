//! Dynamic address translation (PoO "Dynamic Address Translation").
//!
//! ```text
//! CR0 bits 8-9  page size:    01 = 2K, 10 = 4K      (others: translation specification)
//! CR0 bits 10-12 segment size: 000 = 64K, 010 = 1M   (others: translation specification)
//! CR1  | STL 0-7 | STO 8-25 (64-byte aligned) |
//! STE  | PTL 0-3 | 0000 | PTO 8-28 (8-byte aligned) | . | . | I 31 |
//! PTE (4K) | PFRA 0-11 | I 12 | 00 (13-14) | . |     PTE (2K) | PFRA 0-12 | I 13 | 0 (14) | . |
//! ```
//!
//! Segment-table length (64K segments only) is compared with the leftmost four bits of the
//! segment index, page-table length with the leftmost four bits of the page index. Table
//! entries are fetched from real storage (prefixed) without key checks. The results are
//! cached by the access TLB (`access.rs`), purged by PTLB and by changes of CR0 or CR1.

use super::{Cpu, Stop};
use crate::interrupt::pic;

/// The outcome of a translation that did not produce a real address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatFault {
    /// The segment-table entry is invalid (LRA CC 1); the entry's real address.
    SegmentInvalid(u32),
    /// The page-table entry is invalid (LRA CC 2); the entry's real address.
    PageInvalid(u32),
    /// The segment index is beyond the segment-table length (LRA CC 3); the address the
    /// entry would have.
    SegmentLength(u32),
    /// The page index is beyond the page-table length (LRA CC 3); the address the entry
    /// would have.
    PageLength(u32),
    /// Translation-specification exception (invalid CR0 sizes or table entry bits).
    Specification,
    /// A table entry lies outside main storage (addressing exception).
    Addressing,
}

impl DatFault {
    /// The program-interruption code this fault gives on a storage access.
    pub fn code(self) -> u16 {
        match self {
            DatFault::SegmentInvalid(_) | DatFault::SegmentLength(_) => pic::SEGMENT_TRANSLATION,
            DatFault::PageInvalid(_) | DatFault::PageLength(_) => pic::PAGE_TRANSLATION,
            DatFault::Specification => pic::TRANSLATION_SPECIFICATION,
            DatFault::Addressing => pic::ADDRESSING,
        }
    }
}

impl Cpu {
    /// Translates virtual address `vaddr` with the current CR0 and CR1, as LOAD REAL
    /// ADDRESS does (whatever the PSW's DAT bit): the real address, or why not.
    pub fn translate(&self, vaddr: u32) -> Result<u32, DatFault> {
        let vaddr = vaddr & 0x00FF_FFFF;
        let cr0 = self.cr[0];
        let page4k = match (cr0 >> 22) & 3 {
            1 => false,
            2 => true,
            _ => return Err(DatFault::Specification),
        };
        // Bits 10-12 together: 000 is 64K segments, 010 1M (bit 10 must be zero).
        let seg1m = match (cr0 >> 19) & 7 {
            0 => false,
            2 => true,
            _ => return Err(DatFault::Specification),
        };
        let cr1 = self.cr[1];
        let sto = cr1 & 0x00FF_FFC0;
        let (sx, ptl_bits) = if seg1m {
            ((vaddr >> 20) & 0xF, (vaddr >> 16) & 0xF)
        } else {
            ((vaddr >> 16) & 0xFF, (vaddr >> 12) & 0xF)
        };
        let ste_addr = (sto + sx * 4) & 0x00FF_FFFF;
        if !seg1m && (sx >> 4) > cr1 >> 24 {
            return Err(DatFault::SegmentLength(ste_addr));
        }
        let ste = self.table_word(ste_addr)?;
        if ste & 1 != 0 {
            return Err(DatFault::SegmentInvalid(ste_addr));
        }
        if ste & 0x0F00_0000 != 0 {
            return Err(DatFault::Specification);
        }
        let pto = ste & 0x00FF_FFF8;
        let px = match (seg1m, page4k) {
            (true, true) => (vaddr >> 12) & 0xFF,
            (true, false) => (vaddr >> 11) & 0x1FF,
            (false, true) => (vaddr >> 12) & 0xF,
            (false, false) => (vaddr >> 11) & 0x1F,
        };
        let pte_addr = (pto + px * 2) & 0x00FF_FFFF;
        if ptl_bits > ste >> 28 {
            return Err(DatFault::PageLength(pte_addr));
        }
        let pte = self.table_half(pte_addr)?;
        if page4k {
            if pte & 0x0008 != 0 {
                return Err(DatFault::PageInvalid(pte_addr));
            }
            if pte & 0x0006 != 0 {
                return Err(DatFault::Specification);
            }
            Ok((u32::from(pte & 0xFFF0) << 8) | (vaddr & 0xFFF))
        } else {
            if pte & 0x0004 != 0 {
                return Err(DatFault::PageInvalid(pte_addr));
            }
            if pte & 0x0002 != 0 {
                return Err(DatFault::Specification);
            }
            Ok((u32::from(pte & 0xFFF8) << 8) | (vaddr & 0x7FF))
        }
    }

    /// A fullword of a translation table at a real address.
    fn table_word(&self, real: u32) -> Result<u32, DatFault> {
        let mut b = [0u8; 4];
        self.read_real(real, &mut b).map_err(|_| DatFault::Addressing)?;
        Ok(u32::from_be_bytes(b))
    }

    /// A halfword of a translation table at a real address.
    fn table_half(&self, real: u32) -> Result<u16, DatFault> {
        let mut b = [0u8; 2];
        self.read_real(real, &mut b).map_err(|_| DatFault::Addressing)?;
        Ok(u16::from_be_bytes(b))
    }

    /// Translates for a storage access with DAT on: a translation fault becomes the
    /// program interruption, with the translation-exception address recorded.
    pub(crate) fn dat_access(&mut self, vaddr: u32) -> Result<u32, Stop> {
        self.translate(vaddr).map_err(|f| {
            let code = f.code();
            if code == pic::SEGMENT_TRANSLATION || code == pic::PAGE_TRANSLATION {
                // The byte index is unpredictable in the architecture; keep the 2K page.
                self.tea = vaddr & 0x00FF_F800;
            }
            Stop::Program(code)
        })
    }
}
