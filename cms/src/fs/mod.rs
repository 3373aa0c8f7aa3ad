//! The CMS file system of VM/370 Release 6: 800-byte blocks, the "CDF" format.
//!
//! A disk (a minidisk, or any [`BlockDevice`]) is numbered in 800-byte blocks from 1; every disk
//! address in a CMS structure is such a halfword block number. The layout, verified on IBM's own
//! R6 disks (`../shared/reference/real-cms.md` §3-§4):
//!
//! ```text
//! block 1-2   IPL records (zero)
//! block 3     label: C'CMS=' + 6-character label (EBCDIC)
//! block 4     MFD:   0..364   halfword addresses of the FST blocks, X'FFFF' (no QMSK
//!                             extension) or X'FFFD' + extension addresses + X'0000'
//!                    364      fullwords ADTNUM ADTUSED ADTLEFT ADTLAST ADTCYL
//!                    384..599 the first 215 bytes of QMSK (1 bit per block, MSB first)
//!                    599      unit type byte (X'0B' on a 3350)
//!                    600..800 QQMSK (2314 only; kept as found)
//! FST block   20 x 40-byte file status table entries (first byte X'00' = free)
//! first chain link  40 addresses of Nth chain links + 60 data-block addresses
//! Nth chain link    400 data-block addresses
//! data        records packed end to end across blocks; F: LRECL bytes, V: halfword length + data
//! ```
//!
//! # Reading and writing
//! [`CmsDisk::mount`] reads and validates the label, the MFD, the QMSK and the FST blocks;
//! [`CmsDisk::files`] lists, [`CmsDisk::open`] streams records, [`CmsDisk::create`] /
//! [`CmsDisk::write_file`] write (new, replace, append), [`CmsDisk::erase`] and
//! [`CmsDisk::rename`] change the directory, [`CmsDisk::check`] is the consistency check.
//! Dates and times are given by the caller ([`Timestamp`]): there is no clock in `no_std`.
//!
//! # Write order, and what a cut-off leaves
//! Every change is a shadow update ended by one single-block write, so a write sequence cut
//! off at any point leaves either the old disk or the new one, never a mixture:
//!
//! 1. data blocks, then the Nth chain links, then the first chain link, all in blocks that are
//!    free in the current QMSK;
//! 2. the changed FST blocks, each written to a *new* block that is free both before and after
//!    the change (the old copy stays where the current MFD points);
//! 3. the QMSK extension blocks, likewise to new blocks;
//! 4. block 4, the MFD, which points at the new FST and QMSK blocks — the commit.
//!
//! Cut off before step 4, the disk is exactly the old disk: every block written so far was
//! free in the old QMSK, and nothing the old MFD reaches was touched. Blocks freed by an erase
//! or a replace become free only in the QMSK written with the new MFD, so they are never
//! reused before the change that frees them is on disk. If the MFD write itself fails, the
//! device may or may not have taken it: the mounted disk keeps the old state in memory, and
//! mounting again shows which one the device holds (both are consistent). As R6 does, the QMSK lives in the MFD
//! alone while every used block fits its 215 bytes; the extension blocks appear (all of them,
//! for the whole disk) once a block beyond 1,720 is used.
//!
//! Before the first change to a disk, its chains are walked once: blocks referenced by a file
//! but free in the QMSK are marked used, and blocks referenced twice are never freed, so a
//! damaged disk can lose nothing more than it already lost.
//!
//! # Names and text
//! File names are kept as EBCDIC bytes ([`Name`]); [`FileId::new`] and [`FilePattern::parse`]
//! convert from ASCII the way the CMS command line does (upper case). Record contents are raw
//! bytes: callers convert text with [`ebcdic`] (a copy of code page 037, so that this module
//! stays free of `std` and of other crates and can be compiled into the x86 CMS monitor).
//!
//! This module uses only `core` and `alloc`, and only `super::` paths, so a `no_std` build can
//! include it with `#[path]` as well as through the `cms` crate.

mod bitmap;
mod chain;
mod check;
mod device;
mod disk;
pub mod ebcdic;
mod error;
mod fileid;
mod format;
mod fst;
mod mfd;
mod read;
mod write;

pub use check::{CheckReport, Owner, Problem};
pub use device::{BlockDevice, DeviceError, Geometry, MemDevice, UNIT_3350};
pub use disk::{CmsDisk, DiskStatus};
pub use error::FsError;
pub use fileid::{FileId, FileIdError, FileMode, FilePattern, ModePattern, Name, NamePattern};
pub use format::format;
pub use fst::{Fst, RecFm, Timestamp};
pub use read::FileReader;
pub use write::{FileWriter, WriteMode};

/// Bytes in a CMS block.
pub const BLOCK_SIZE: usize = 800;

/// One 800-byte CMS block.
pub type Block = [u8; BLOCK_SIZE];

/// The largest ADTNUM (blocks a CMS disk can use): block numbers are halfwords, and R6 caps a
/// 115-cylinder 3350 minidisk (65,550 blocks) at this value.
pub const MAX_DISK_BLOCKS: u32 = 65531;

/// The most data blocks one file can have: 60 in the first chain link + 40 Nth chain links of
/// 400 addresses each.
pub const MAX_FILE_BLOCKS: u32 = 60 + 40 * 400;

/// The most records one file can have: the item count and the write pointer (count + 1) are
/// halfwords.
pub const MAX_RECORDS: u32 = 65534;

/// The longest record: V-format lengths are halfwords, and so is an F LRECL in R6.
pub const MAX_LRECL: u32 = 65535;
