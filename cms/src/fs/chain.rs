//! Chain links: which blocks hold a file's data.
//!
//! The first chain link holds, in bytes 0-79, the addresses of up to 40 Nth chain links and, in
//! bytes 80-199, the addresses of the first 60 data blocks; each Nth chain link holds 400
//! data-block addresses. Walking a chain reads at most 41 blocks and never loops, whatever the
//! disk holds.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::device::BlockDevice;
use super::error::FsError;
use super::fst::Fst;
use super::mfd::FIRST_FREE_BLOCK;
use super::{BLOCK_SIZE, Block, MAX_FILE_BLOCKS};

/// Nth chain link addresses in the first chain link.
pub(super) const FCL_LINKS: usize = 40;
/// Data-block addresses in the first chain link.
pub(super) const FCL_DATA: usize = 60;
/// Data-block addresses in an Nth chain link.
pub(super) const NTH_DATA: usize = 400;
/// Offset of the data-block addresses in the first chain link.
const FCL_DATA_OFFSET: usize = 2 * FCL_LINKS;

/// Chain links a file of `data_blocks` data blocks needs.
pub(super) fn links_for(data_blocks: usize) -> usize {
    if data_blocks == 0 { 0 } else { 1 + data_blocks.saturating_sub(FCL_DATA).div_ceil(NTH_DATA) }
}

/// What walking a file's chain found.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// Chain link blocks read (first chain link first); all in range.
    pub links: Vec<u16>,
    /// Data-block addresses, in file order; all in range.
    pub data: Vec<u16>,
    /// Addresses found in the chain that are outside `5..=ADTNUM`.
    pub out_of_range: Vec<u16>,
    /// Why the walk stopped early, if it did.
    pub broken: Option<String>,
}

impl Walk {
    /// The walk as a strict result: any damage is an error.
    pub fn into_strict(self, fst: &Fst) -> Result<Walk, FsError> {
        if let Some(why) = &self.broken {
            return Err(FsError::Corrupt(format!("{}: {why}", fst.id)));
        }
        if let Some(b) = self.out_of_range.first() {
            return Err(FsError::Corrupt(format!("{}: block {b} out of range", fst.id)));
        }
        Ok(self)
    }
}

/// Whether `b` can hold file data on a disk of `adtnum` blocks.
pub(super) fn in_range(b: u32, adtnum: u32) -> bool {
    (FIRST_FREE_BLOCK..=adtnum).contains(&b)
}

fn half(b: &Block, i: usize) -> u16 {
    u16::from_be_bytes([b[2 * i], b[2 * i + 1]])
}

/// Walk the chain of `fst`. Damage is reported in the [`Walk`]; `Err` only for device errors.
pub(super) fn walk<D: BlockDevice + ?Sized>(
    dev: &mut D,
    adtnum: u32,
    fst: &Fst,
) -> Result<Walk, FsError> {
    let mut w = Walk::default();
    let mut left = fst.blocks as usize;
    if left == 0 {
        return Ok(w);
    }
    if left > MAX_FILE_BLOCKS as usize {
        w.broken = Some(format!("block count {left} exceeds {MAX_FILE_BLOCKS}"));
        left = MAX_FILE_BLOCKS as usize;
    }
    let fcl = fst.first_chain_link;
    if !in_range(u32::from(fcl), adtnum) {
        w.broken = Some(format!("first chain link {fcl} out of range"));
        return Ok(w);
    }
    let mut blk = Box::new([0u8; BLOCK_SIZE]);
    dev.read_block(u32::from(fcl), &mut blk)?;
    w.links.push(fcl);
    let take = |w: &mut Walk, blk: &Block, first: usize, n: usize| {
        for i in first..first + n {
            let a = half(blk, i);
            if in_range(u32::from(a), adtnum) {
                w.data.push(a);
            } else {
                w.out_of_range.push(a);
            }
        }
    };
    let n = left.min(FCL_DATA);
    take(&mut w, &blk, FCL_DATA_OFFSET / 2, n);
    left -= n;
    let nth: Vec<u16> = (0..FCL_LINKS).map(|i| half(&blk, i)).collect();
    for (k, &a) in nth.iter().enumerate() {
        if left == 0 {
            break;
        }
        if !in_range(u32::from(a), adtnum) {
            w.broken = Some(format!("chain link {} address {a} out of range", k + 2));
            return Ok(w);
        }
        dev.read_block(u32::from(a), &mut blk)?;
        w.links.push(a);
        let n = left.min(NTH_DATA);
        take(&mut w, &blk, 0, n);
        left -= n;
    }
    Ok(w)
}

/// The chain link blocks for a file: `links[0]` is the first chain link, `links[k]` the Nth
/// chain link that maps data blocks `60 + 400 (k-1) ..`. Returns one block per link.
pub(super) fn encode(links: &[u16], data: &[u16]) -> Vec<Block> {
    let mut out = vec![[0u8; BLOCK_SIZE]; links.len().max(1)];
    let put = |b: &mut Block, at: usize, v: u16| b[at..at + 2].copy_from_slice(&v.to_be_bytes());
    for (i, &l) in links.iter().skip(1).take(FCL_LINKS).enumerate() {
        put(&mut out[0], 2 * i, l);
    }
    for (i, &d) in data.iter().take(FCL_DATA).enumerate() {
        put(&mut out[0], FCL_DATA_OFFSET + 2 * i, d);
    }
    for (k, b) in out.iter_mut().enumerate().skip(1) {
        let start = FCL_DATA + (k - 1) * NTH_DATA;
        for (i, &d) in data.iter().skip(start).take(NTH_DATA).enumerate() {
            put(b, 2 * i, d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_counts_at_the_boundaries() {
        assert_eq!(links_for(0), 0);
        assert_eq!(links_for(1), 1);
        assert_eq!(links_for(60), 1);
        assert_eq!(links_for(61), 2);
        assert_eq!(links_for(460), 2);
        assert_eq!(links_for(461), 3);
        assert_eq!(links_for(MAX_FILE_BLOCKS as usize), 41);
    }

    #[test]
    fn encoded_links_place_addresses() {
        let data: Vec<u16> = (100..100 + 461).collect();
        let links = [10u16, 11, 12];
        let b = encode(&links, &data);
        assert_eq!(b.len(), 3);
        assert_eq!(&b[0][..6], &[0, 11, 0, 12, 0, 0]);
        assert_eq!(&b[0][80..82], &[0, 100]);
        assert_eq!(&b[0][198..202], &[0, 159, 0, 0]);
        assert_eq!(&b[1][..2], &[0, 160]);
        assert_eq!(&b[1][798..800], &[2, 47]); // data[459] = 559 = X'022F'
        assert_eq!(&b[2][..4], &[2, 48, 0, 0]); // data[460] = 560
    }
}
