//! CKD DASD: Hercules `CKD_P370` image files ([`Volume`]), their tracks ([`Track`]), the
//! geometry of the 3330 and 3350 ([`DasdType`]) and the device model ([`Dasd`]), a view of a
//! volume over a cylinder extent (a minidisk), optionally read-only.

mod dasd;
mod geometry;
mod image;
pub mod track;

pub use dasd::{
    Dasd, SENSE_BYTES, SENSE_COMMAND_REJECT, SENSE_END_OF_CYLINDER, SENSE_EQUIPMENT_CHECK,
    SENSE_FILE_PROTECTED, SENSE_INVALID_TRACK_FORMAT, SENSE_NO_RECORD_FOUND,
};
pub use geometry::{D3330, D3350, DasdType};
pub use image::{DasdError, Volume};
pub use track::{Count, Track, TrackFull};

#[cfg(test)]
mod tests;
