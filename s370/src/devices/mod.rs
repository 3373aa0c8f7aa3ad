//! Device models for the bare machine, reusable by CP: CKD DASD on Hercules images
//! ([`ckd`]), the 2540 card reader and punch, the 1403 printer and the 3215 console.
//!
//! Every model implements [`crate::channel::Device`]. The unit-record models keep what they
//! read and write as plain records and hand each closed file to a sink, so CP can build its
//! spooled devices on them.

pub mod ckd;
