//! Block 3 (the label) and block 4 (the master file directory, MFD).

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::bitmap::Bitmap;
use super::error::{FsError, corrupt};
use super::{BLOCK_SIZE, Block};

/// The label block.
pub(super) const LABEL_BLOCK: u32 = 3;
/// The MFD block.
pub(super) const MFD_BLOCK: u32 = 4;
/// The first block that may hold files or directory blocks.
pub(super) const FIRST_FREE_BLOCK: u32 = 5;

/// `C'CMS='`: the R6 800-byte format.
const CDF_LABEL: [u8; 4] = [0xC3, 0xD4, 0xE2, 0x7E];
/// `C'CMS1'`: the later EDF format.
const EDF_LABEL: [u8; 4] = [0xC3, 0xD4, 0xE2, 0xF1];

/// End of the halfword address area of the MFD.
const ADDR_END: usize = 364;
/// Offset of ADTNUM ADTUSED ADTLEFT ADTLAST ADTCYL.
const ADT_FIELDS: usize = 364;
/// Offset of the QMSK bytes held in the MFD.
const QMSK_OFFSET: usize = 384;
/// QMSK bytes held in the MFD (blocks 1..=1720).
pub(super) const QMSK_IN_MFD: usize = 215;
/// Offset of the unit type byte.
const UNIT_OFFSET: usize = 599;

/// Sentinel: QMSK extension addresses follow.
const SENTINEL_EXT: u16 = 0xFFFD;
/// Sentinel: no QMSK extension.
const SENTINEL_NONE: u16 = 0xFFFF;

/// Halfword slots in the address area.
const ADDR_SLOTS: usize = ADDR_END / 2;

/// The most FST blocks an MFD with `ext` extension addresses can list (one slot for the
/// sentinel, and one for the terminating zero when there are extensions).
pub(super) fn max_fst_blocks(ext: usize) -> usize {
    if ext == 0 { ADDR_SLOTS - 1 } else { ADDR_SLOTS - 2 - ext }
}

/// QMSK extension blocks a disk of `blocks` blocks has when it has any.
pub(super) fn ext_blocks_for(blocks: u32) -> usize {
    (blocks as usize).div_ceil(8).saturating_sub(QMSK_IN_MFD).div_ceil(BLOCK_SIZE)
}

/// The highest block the QMSK in the MFD alone can describe.
pub(super) const MFD_QMSK_BLOCKS: u32 = (QMSK_IN_MFD * 8) as u32;

/// Check block 3; return the 6-byte label (EBCDIC).
pub(super) fn decode_label(b: &Block) -> Result<[u8; 6], FsError> {
    let head = [b[0], b[1], b[2], b[3]];
    if head == EDF_LABEL {
        return Err(FsError::Edf);
    }
    if head != CDF_LABEL {
        return Err(FsError::NotCms(head));
    }
    let mut label = [0; 6];
    label.copy_from_slice(&b[4..10]);
    Ok(label)
}

/// Block 3 for `label` (EBCDIC): `CMS=` + label, the rest zero.
pub(super) fn encode_label(label: &[u8; 6]) -> Box<Block> {
    let mut b = Box::new([0u8; BLOCK_SIZE]);
    b[..4].copy_from_slice(&CDF_LABEL);
    b[4..10].copy_from_slice(label);
    b
}

/// The MFD as read from block 4.
#[derive(Debug, Clone)]
pub(super) struct Mfd {
    /// FST block addresses, in MFD order.
    pub fst_blocks: Vec<u16>,
    /// QMSK extension block addresses.
    pub ext_blocks: Vec<u16>,
    /// ADTNUM: blocks on the disk.
    pub adtnum: u32,
    /// ADTUSED as recorded.
    pub adtused: u32,
    /// ADTLEFT as recorded.
    pub adtleft: u32,
    /// ADTLAST as recorded.
    pub adtlast: u32,
    /// ADTCYL: cylinders.
    pub adtcyl: u32,
    /// The unit type byte.
    pub unit_type: u8,
    /// The block as read (bytes 600..800, the QQMSK, are written back unchanged).
    pub raw: Box<Block>,
}

fn half(b: &Block, o: usize) -> u16 {
    u16::from_be_bytes([b[o], b[o + 1]])
}

fn word(b: &Block, o: usize) -> u32 {
    u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

impl Mfd {
    /// Decode block 4 (structure only; addresses are range-checked by the caller).
    pub fn decode(b: &Block) -> Result<Mfd, FsError> {
        let mut fst_blocks = Vec::new();
        let mut ext_blocks = Vec::new();
        let mut slot = 0;
        let sentinel = loop {
            if slot == ADDR_SLOTS {
                return Err(corrupt!("MFD: no X'FFFF' or X'FFFD' after the FST block addresses"));
            }
            let a = half(b, slot * 2);
            slot += 1;
            match a {
                SENTINEL_EXT | SENTINEL_NONE => break a,
                0 => return Err(corrupt!("MFD: FST block address 0")),
                a => fst_blocks.push(a),
            }
        };
        if sentinel == SENTINEL_EXT {
            while slot < ADDR_SLOTS {
                let a = half(b, slot * 2);
                slot += 1;
                if a == 0 {
                    break;
                }
                ext_blocks.push(a);
            }
        }
        Ok(Mfd {
            fst_blocks,
            ext_blocks,
            adtnum: word(b, ADT_FIELDS),
            adtused: word(b, ADT_FIELDS + 4),
            adtleft: word(b, ADT_FIELDS + 8),
            adtlast: word(b, ADT_FIELDS + 12),
            adtcyl: word(b, ADT_FIELDS + 16),
            unit_type: b[UNIT_OFFSET],
            raw: Box::new(*b),
        })
    }

    /// The QMSK bytes held in the MFD.
    pub fn qmsk_head(&self) -> &[u8] {
        &self.raw[QMSK_OFFSET..QMSK_OFFSET + QMSK_IN_MFD]
    }

    /// Encode block 4 from the fields and `qmsk` (ADTUSED, ADTLEFT and ADTLAST are computed
    /// from it). Bytes 600..800 are kept from the block as read.
    pub fn encode(&self, qmsk: &Bitmap) -> Box<Block> {
        let mut b = self.raw.clone();
        b[..ADDR_END].fill(0);
        let mut o = 0;
        let mut put = |b: &mut Block, v: u16| {
            b[o..o + 2].copy_from_slice(&v.to_be_bytes());
            o += 2;
        };
        for &a in &self.fst_blocks {
            put(&mut b, a);
        }
        if self.ext_blocks.is_empty() {
            put(&mut b, SENTINEL_NONE);
        } else {
            put(&mut b, SENTINEL_EXT);
            for &a in &self.ext_blocks {
                put(&mut b, a);
            }
        }
        let used = qmsk.count();
        let words = [
            self.adtnum,
            used,
            self.adtnum.saturating_sub(used),
            qmsk.last_nonzero_byte(),
            self.adtcyl,
        ];
        for (i, w) in words.iter().enumerate() {
            let at = ADT_FIELDS + i * 4;
            b[at..at + 4].copy_from_slice(&w.to_be_bytes());
        }
        let head = &mut b[QMSK_OFFSET..QMSK_OFFSET + QMSK_IN_MFD];
        head.fill(0);
        let n = qmsk.bytes().len().min(QMSK_IN_MFD);
        head[..n].copy_from_slice(&qmsk.bytes()[..n]);
        b[UNIT_OFFSET] = self.unit_type;
        b
    }

    /// The QMSK extension blocks' contents for `qmsk` (`count` blocks).
    pub fn encode_ext(qmsk: &Bitmap, count: usize) -> Vec<Block> {
        let tail = qmsk.bytes().get(QMSK_IN_MFD..).unwrap_or(&[]);
        (0..count)
            .map(|i| {
                let mut b = [0u8; BLOCK_SIZE];
                let chunk = tail.get(i * BLOCK_SIZE..).unwrap_or(&[]);
                let n = chunk.len().min(BLOCK_SIZE);
                b[..n].copy_from_slice(&chunk[..n]);
                b
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_counts_match_ibms_disks() {
        // 3350 115 cyl (capped at 65531 blocks): 10; 70 cyl: 6; 1 cyl: none.
        assert_eq!(ext_blocks_for(65531), 10);
        assert_eq!(ext_blocks_for(39900), 6);
        assert_eq!(ext_blocks_for(570), 0);
        assert_eq!(ext_blocks_for(1720), 0);
        assert_eq!(ext_blocks_for(1721), 1);
        assert_eq!(max_fst_blocks(0), 181);
        assert_eq!(max_fst_blocks(10), 170);
    }

    #[test]
    fn mfd_round_trip_and_sentinels() {
        let mut q = Bitmap::new(65531);
        for n in [1, 2, 3, 4, 15, 1721, 65531] {
            q.set(n);
        }
        let mut raw = Box::new([0u8; BLOCK_SIZE]);
        raw[700] = 0x5A; // QQMSK bytes survive
        let m = Mfd {
            fst_blocks: alloc::vec![15],
            ext_blocks: alloc::vec![16, 17],
            adtnum: 65531,
            adtused: 0,
            adtleft: 0,
            adtlast: 0,
            adtcyl: 115,
            unit_type: 0x0B,
            raw,
        };
        let b = m.encode(&q);
        assert_eq!(&b[..10], &[0, 15, 0xFF, 0xFD, 0, 16, 0, 17, 0, 0]);
        let d = Mfd::decode(&b).unwrap();
        assert_eq!((&d.fst_blocks[..], &d.ext_blocks[..]), (&[15][..], &[16, 17][..]));
        assert_eq!((d.adtnum, d.adtused, d.adtleft, d.adtlast), (65531, 7, 65524, 8191));
        assert_eq!((d.adtcyl, d.unit_type, d.raw[700]), (115, 0x0B, 0x5A));
        assert_eq!(d.qmsk_head()[0], 0xF0);
        assert_eq!(d.qmsk_head()[1], 0x02); // block 15
        let ext = Mfd::encode_ext(&q, 10);
        assert_eq!(ext[0][0], 0x80); // block 1721
        assert_eq!(ext[9][(8191 - 215) - 9 * 800], 0x20); // block 65531 = bit 2 of byte 8191
    }

    #[test]
    fn bad_mfds_are_errors() {
        assert!(Mfd::decode(&[0x11; BLOCK_SIZE]).is_err()); // no sentinel
        assert!(Mfd::decode(&[0; BLOCK_SIZE]).is_err()); // address 0
        let mut b = [0u8; BLOCK_SIZE];
        b[..2].copy_from_slice(&[0xFF, 0xFF]);
        assert!(Mfd::decode(&b).unwrap().fst_blocks.is_empty());
        assert_eq!(decode_label(&[0; BLOCK_SIZE]), Err(FsError::NotCms([0; 4])));
        let mut l = [0u8; BLOCK_SIZE];
        l[..4].copy_from_slice(&EDF_LABEL);
        assert_eq!(decode_label(&l), Err(FsError::Edf));
    }
}
