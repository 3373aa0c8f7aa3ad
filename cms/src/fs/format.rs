//! FORMAT: an empty CMS disk, laid out as R6 leaves one.
//!
//! Blocks 1-2 (IPL) zero; block 3 the label; block 4 the MFD with one FST block (block 5,
//! empty), X'FFFF' (no QMSK extension: R6 adds those only once a block beyond 1,720 is used,
//! as IBM's 195 disk formatted under emx370 shows), ADTNUM = the device's blocks (at most
//! 65,531), ADTUSED 5, ADTCYL = cylinders, the unit type byte. Only blocks 1-5 are written
//! (the device's tracks are assumed formatted into 800-byte records already); the label goes
//! last, so a format cut off early does not leave something that looks like a CMS disk.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::bitmap::Bitmap;
use super::device::BlockDevice;
use super::disk::parse_label;
use super::error::FsError;
use super::mfd::{self, FIRST_FREE_BLOCK, LABEL_BLOCK, MFD_BLOCK, Mfd};
use super::{BLOCK_SIZE, MAX_DISK_BLOCKS};

/// The fewest blocks a disk may have: the system blocks, one FST block, and room for one
/// small file (a chain link and a data block).
const MIN_BLOCKS: u32 = FIRST_FREE_BLOCK + 2;

/// Write an empty CMS file system labelled `label` (1-6 characters) on `dev`.
pub fn format<D: BlockDevice + ?Sized>(dev: &mut D, label: &str) -> Result<(), FsError> {
    let label = parse_label(label)?;
    let geometry = dev.geometry();
    let adtnum = dev.block_count().min(MAX_DISK_BLOCKS);
    if adtnum < MIN_BLOCKS {
        return Err(FsError::DeviceTooSmall);
    }
    let zero = Box::new([0u8; BLOCK_SIZE]);
    for b in [1, 2, FIRST_FREE_BLOCK] {
        dev.write_block(b, &zero)?;
    }
    let mut qmsk = Bitmap::new(adtnum);
    for b in 1..=FIRST_FREE_BLOCK {
        qmsk.set(b);
    }
    let m = Mfd {
        fst_blocks: Vec::from([FIRST_FREE_BLOCK as u16]),
        ext_blocks: Vec::new(),
        adtnum,
        adtused: 0,
        adtleft: 0,
        adtlast: 0,
        adtcyl: geometry.cylinders,
        unit_type: geometry.unit_type,
        raw: zero,
    };
    dev.write_block(MFD_BLOCK, &m.encode(&qmsk))?;
    dev.write_block(LABEL_BLOCK, &mfd::encode_label(&label))?;
    Ok(())
}
