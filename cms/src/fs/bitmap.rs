//! The QMSK: one bit per block, most significant bit first, bit 0 of byte 0 = block 1.

use alloc::vec;
use alloc::vec::Vec;

/// A block bitmap of `blocks` bits (block numbers 1..=blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Bitmap {
    bytes: Vec<u8>,
    blocks: u32,
}

impl Bitmap {
    /// All blocks free.
    pub fn new(blocks: u32) -> Bitmap {
        Bitmap { bytes: vec![0; (blocks as usize).div_ceil(8)], blocks }
    }

    /// From QMSK bytes; missing bytes are free, bits beyond `blocks` are dropped.
    pub fn from_bytes(raw: &[u8], blocks: u32) -> Bitmap {
        let mut m = Bitmap::new(blocks);
        let n = m.bytes.len().min(raw.len());
        m.bytes[..n].copy_from_slice(&raw[..n]);
        m.clear_tail();
        m
    }

    fn clear_tail(&mut self) {
        let rem = self.blocks % 8;
        if rem != 0
            && let Some(last) = self.bytes.last_mut()
        {
            *last &= 0xFFu8 << (8 - rem);
        }
    }

    /// The QMSK bytes (`ceil(blocks / 8)` of them).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether block `n` is marked; blocks outside 1..=blocks are reported as not marked.
    pub fn get(&self, n: u32) -> bool {
        if n == 0 || n > self.blocks {
            return false;
        }
        let i = (n - 1) as usize;
        self.bytes[i / 8] & (0x80 >> (i % 8)) != 0
    }

    /// Mark block `n` (ignored outside 1..=blocks).
    pub fn set(&mut self, n: u32) {
        if n != 0 && n <= self.blocks {
            let i = (n - 1) as usize;
            self.bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }

    /// Unmark block `n` (ignored outside 1..=blocks).
    pub fn clear(&mut self, n: u32) {
        if n != 0 && n <= self.blocks {
            let i = (n - 1) as usize;
            self.bytes[i / 8] &= !(0x80 >> (i % 8));
        }
    }

    /// Marked blocks.
    pub fn count(&self) -> u32 {
        self.bytes.iter().map(|b| b.count_ones()).sum()
    }

    /// Index of the last non-zero byte (ADTLAST); 0 for an empty map.
    pub fn last_nonzero_byte(&self) -> u32 {
        self.bytes.iter().rposition(|&b| b != 0).unwrap_or(0) as u32
    }

    /// The highest marked block, if any.
    pub fn highest(&self) -> Option<u32> {
        let i = self.bytes.iter().rposition(|&b| b != 0)?;
        let b = self.bytes[i];
        Some(i as u32 * 8 + 8 - b.trailing_zeros())
    }

    /// Set every bit that is set in `other` (same size).
    pub fn union_with(&mut self, other: &Bitmap) {
        for (a, b) in self.bytes.iter_mut().zip(&other.bytes) {
            *a |= b;
        }
    }

    /// The first block `>= from` that is free here and, if given, in `also`.
    pub fn first_free(&self, from: u32, also: Option<&Bitmap>) -> Option<u32> {
        if from == 0 || from > self.blocks {
            return None;
        }
        let mut i = (from - 1) as usize / 8;
        // Bits before `from` in its byte count as used.
        let mut mask = 0xFFu8.checked_shl(8 - (from - 1) % 8).unwrap_or(0);
        while i < self.bytes.len() {
            let used = self.bytes[i] | also.map_or(0, |o| o.bytes.get(i).copied().unwrap_or(0xFF));
            let used = used | mask;
            mask = 0;
            if used != 0xFF {
                let n = i as u32 * 8 + used.leading_ones() + 1;
                return (n <= self.blocks).then_some(n);
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first_from_block_one() {
        let mut m = Bitmap::new(20);
        for n in 1..=5 {
            m.set(n);
        }
        assert_eq!(m.bytes(), &[0xF8, 0, 0]);
        assert_eq!(m.count(), 5);
        assert_eq!(m.first_free(1, None), Some(6));
        assert_eq!(m.first_free(7, None), Some(7));
        m.set(20);
        assert_eq!(m.highest(), Some(20));
        assert_eq!(m.last_nonzero_byte(), 2);
        m.set(21); // beyond the map: ignored
        assert!(!m.get(21) && !m.get(0));
        for n in 6..=19 {
            m.set(n);
        }
        assert_eq!(m.first_free(1, None), None);
        m.clear(9);
        let mut other = Bitmap::new(20);
        assert_eq!(m.first_free(5, Some(&other)), Some(9));
        other.set(9);
        assert_eq!(m.first_free(5, Some(&other)), None);
    }

    #[test]
    fn bits_beyond_the_map_in_the_last_byte_are_dropped() {
        let m = Bitmap::from_bytes(&[0xFF, 0xFF], 12);
        assert_eq!(m.bytes(), &[0xFF, 0xF0]);
        assert_eq!(m.first_free(1, None), None);
        assert_eq!(Bitmap::new(0).first_free(1, None), None);
    }
}
