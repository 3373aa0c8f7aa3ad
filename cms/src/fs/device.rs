//! The block device a CMS disk lives on, and an in-memory one.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::{BLOCK_SIZE, Block};

/// The CMS unit type byte of a 3350 (MFD offset 599), as found on IBM's R6 disks.
pub const UNIT_3350: u8 = 0x0B;

/// The device facts CMS records in the MFD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// The unit type byte written at MFD offset 599 ([`UNIT_3350`] on a 3350).
    pub unit_type: u8,
    /// Cylinders of the (mini)disk: ADTCYL.
    pub cylinders: u32,
    /// Tracks per cylinder (heads).
    pub tracks_per_cylinder: u32,
    /// 800-byte blocks per track (19 on a 3350).
    pub blocks_per_track: u32,
}

impl Geometry {
    /// A 3350 minidisk of `cylinders` cylinders: 30 tracks of 19 blocks each.
    pub const fn ibm3350(cylinders: u32) -> Geometry {
        Geometry { unit_type: UNIT_3350, cylinders, tracks_per_cylinder: 30, blocks_per_track: 19 }
    }

    /// Blocks the geometry holds (cylinders x tracks x blocks per track, saturating).
    pub const fn blocks(&self) -> u32 {
        self.cylinders
            .saturating_mul(self.tracks_per_cylinder)
            .saturating_mul(self.blocks_per_track)
    }
}

/// Why a block device could not read or write a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// The block number is 0 or beyond the device.
    OutOfRange {
        /// The block asked for.
        block: u32,
    },
    /// The device is read-only.
    ReadOnly,
    /// The host (or CP) reported an I/O error.
    Io {
        /// The block being transferred.
        block: u32,
        /// What the host said.
        message: String,
    },
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::OutOfRange { block } => write!(f, "block {block} out of range"),
            DeviceError::ReadOnly => f.write_str("device is read-only"),
            DeviceError::Io { block, message } => write!(f, "block {block}: {message}"),
        }
    }
}

impl core::error::Error for DeviceError {}

/// A disk of 800-byte blocks numbered from 1, as CMS addresses them.
///
/// Implementations: [`MemDevice`]; CKD minidisk images (host side); DIAGNOSE X'18' (the x86
/// monitor). A write must be all-or-nothing per block: the file system's crash safety rests
/// on single-block writes of the MFD.
pub trait BlockDevice {
    /// The device facts CMS records in the MFD (unit type, cylinders).
    fn geometry(&self) -> Geometry;
    /// The number of 800-byte blocks on the device.
    fn block_count(&self) -> u32;
    /// Read block `block` (1-based) into `buf`.
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError>;
    /// Write `buf` to block `block` (1-based).
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError>;
}

impl<T: BlockDevice + ?Sized> BlockDevice for &mut T {
    fn geometry(&self) -> Geometry {
        (**self).geometry()
    }
    fn block_count(&self) -> u32 {
        (**self).block_count()
    }
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        (**self).read_block(block, buf)
    }
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        (**self).write_block(block, buf)
    }
}

impl<T: BlockDevice + ?Sized> BlockDevice for alloc::boxed::Box<T> {
    fn geometry(&self) -> Geometry {
        (**self).geometry()
    }
    fn block_count(&self) -> u32 {
        (**self).block_count()
    }
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        (**self).read_block(block, buf)
    }
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        (**self).write_block(block, buf)
    }
}

/// A block device held in memory (tests, temporary disks, building disk images).
#[derive(Clone, PartialEq, Eq)]
pub struct MemDevice {
    geometry: Geometry,
    data: Vec<u8>,
    writes: u64,
}

impl fmt::Debug for MemDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemDevice")
            .field("geometry", &self.geometry)
            .field("blocks", &self.block_count())
            .field("writes", &self.writes)
            .finish()
    }
}

impl MemDevice {
    /// A zeroed device with `geometry.blocks()` blocks.
    pub fn new(geometry: Geometry) -> MemDevice {
        let bytes = geometry.blocks() as usize * BLOCK_SIZE;
        MemDevice { geometry, data: vec![0; bytes], writes: 0 }
    }

    /// A device over existing block contents (block 1 first); a trailing partial block is
    /// dropped.
    pub fn from_bytes(geometry: Geometry, mut data: Vec<u8>) -> MemDevice {
        data.truncate(data.len() / BLOCK_SIZE * BLOCK_SIZE);
        MemDevice { geometry, data, writes: 0 }
    }

    /// All blocks, block 1 first.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// All blocks, block 1 first, for direct changes (tests damage disks this way).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Block writes done so far.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    fn range(&self, block: u32) -> Result<core::ops::Range<usize>, DeviceError> {
        if block == 0 || block > self.block_count() {
            return Err(DeviceError::OutOfRange { block });
        }
        let start = (block as usize - 1) * BLOCK_SIZE;
        Ok(start..start + BLOCK_SIZE)
    }
}

impl BlockDevice for MemDevice {
    fn geometry(&self) -> Geometry {
        self.geometry
    }
    fn block_count(&self) -> u32 {
        u32::try_from(self.data.len() / BLOCK_SIZE).unwrap_or(u32::MAX)
    }
    fn read_block(&mut self, block: u32, buf: &mut Block) -> Result<(), DeviceError> {
        let r = self.range(block)?;
        buf.copy_from_slice(&self.data[r]);
        Ok(())
    }
    fn write_block(&mut self, block: u32, buf: &Block) -> Result<(), DeviceError> {
        let r = self.range(block)?;
        self.data[r].copy_from_slice(buf);
        self.writes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_device_numbers_blocks_from_one() {
        let mut d = MemDevice::new(Geometry::ibm3350(1));
        assert_eq!(d.block_count(), 570);
        let mut b = [0u8; BLOCK_SIZE];
        b[0] = 7;
        d.write_block(1, &b).unwrap();
        assert_eq!(d.as_bytes()[0], 7);
        assert_eq!(d.read_block(0, &mut b), Err(DeviceError::OutOfRange { block: 0 }));
        assert_eq!(d.read_block(571, &mut b), Err(DeviceError::OutOfRange { block: 571 }));
        d.read_block(570, &mut b).unwrap();
        assert_eq!(d.writes(), 1);
    }
}
