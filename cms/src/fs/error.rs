//! The one error type of the file system.
//!
//! Written by hand rather than with `thiserror`: this module must build with nothing but
//! `core` and `alloc` (it is compiled into the x86 CMS monitor without cargo).

use alloc::string::String;
use core::fmt;

use super::device::DeviceError;
use super::fileid::{FileId, FileIdError};

/// Why a file-system operation failed. A damaged disk gives [`FsError::Corrupt`], never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    /// The block device failed.
    Device(DeviceError),
    /// Block 3 holds no CMS label (first four bytes shown).
    NotCms([u8; 4]),
    /// The disk is in the later EDF format (`CMS1` label), not R6's 800-byte format.
    Edf,
    /// The on-disk structures are inconsistent; the text says where.
    Corrupt(String),
    /// No such file on this disk.
    NotFound(FileId),
    /// A file with this id already exists (new file, or rename target).
    AlreadyExists(FileId),
    /// No free block is left on the disk (CMS's "disk full").
    DiskFull,
    /// The MFD has no room for another FST block address.
    DirectoryFull,
    /// The file would exceed [`super::MAX_FILE_BLOCKS`] blocks or [`super::MAX_RECORDS`] records.
    FileTooLarge,
    /// A record (or the record format asked for) cannot be written; the text says why.
    InvalidRecord(&'static str),
    /// A file id, mode or label is not valid.
    InvalidFileId(FileIdError),
    /// The device is too small to hold a CMS file system.
    DeviceTooSmall,
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::Device(e) => write!(f, "disk I/O error: {e}"),
            FsError::NotCms(b) => write!(
                f,
                "not a CMS disk: block 3 begins {:02X}{:02X}{:02X}{:02X}",
                b[0], b[1], b[2], b[3]
            ),
            FsError::Edf => {
                f.write_str("EDF (CMS1) disk: only the R6 800-byte format is supported")
            }
            FsError::Corrupt(what) => write!(f, "damaged CMS disk: {what}"),
            FsError::NotFound(id) => write!(f, "file '{id}' not found"),
            FsError::AlreadyExists(id) => write!(f, "file '{id}' already exists"),
            FsError::DiskFull => f.write_str("disk full"),
            FsError::DirectoryFull => f.write_str("directory full: no room for another FST block"),
            FsError::FileTooLarge => f.write_str("file too large for the 800-byte format"),
            FsError::InvalidRecord(why) => write!(f, "invalid record: {why}"),
            FsError::InvalidFileId(e) => write!(f, "invalid fileid: {e}"),
            FsError::DeviceTooSmall => f.write_str("device too small for a CMS disk"),
        }
    }
}

impl core::error::Error for FsError {}

impl From<DeviceError> for FsError {
    fn from(e: DeviceError) -> Self {
        FsError::Device(e)
    }
}

impl From<FileIdError> for FsError {
    fn from(e: FileIdError) -> Self {
        FsError::InvalidFileId(e)
    }
}

/// Shorthand for a [`FsError::Corrupt`] with a formatted description.
macro_rules! corrupt {
    ($($arg:tt)*) => {
        super::error::FsError::Corrupt(alloc::format!($($arg)*))
    };
}
pub(super) use corrupt;
