//! A virtual machine's devices: what sits at each virtual address and what CP knows about it
//! (spool options, which minidisk it is).
//!
//! Every device is a [`s370::channel::Device`] model run by the `s370` channel engine on the
//! machine's subchannels: CP's console and spool reader (here), the `s370` punch and printer,
//! and CKD minidisks (views of a volume's cylinders). The guest's channel programs run against
//! them through [`crate::vm`]'s virtual I/O; [`VDev`] is what CP itself keeps about each.

pub mod console;
pub mod ready;
pub mod spool;

use std::sync::{Arc, Mutex};

use s370::devices::{Card, Output, PrintRecord};

pub use console::{ConsoleDevice, ConsoleLink, FullScreen, Status, TermSink};
pub use spool::{SpoolOptions, SpoolReader};

/// What a virtual device is, with what CP keeps for each kind.
#[derive(Debug)]
pub enum Kind {
    /// The virtual console.
    Console(ConsoleLink),
    /// A spooled reader.
    Reader(Arc<Mutex<SpoolOptions>>),
    /// A spooled punch: its open file and options.
    Punch(Output<Card>, SpoolOptions),
    /// A spooled printer: its open file and options.
    Printer(Output<PrintRecord>, SpoolOptions),
    /// A minidisk (or temporary disk).
    Dasd(DasdLink),
}

/// Which minidisk a virtual DASD is and how it is linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DasdLink {
    /// The owner of the minidisk (the user itself for its own MDISKs, `$TDSK$` for T-disks).
    pub owner: String,
    /// The owner's virtual address of the minidisk.
    pub owner_addr: u16,
    /// The volume.
    pub volser: String,
    /// First real cylinder.
    pub start: u32,
    /// Cylinders.
    pub cylinders: u32,
    /// Linked read/write?
    pub write: bool,
    /// Device type (`0x3350`, `0x3330`).
    pub devtype: u16,
    /// A temporary disk (contents go when it is detached).
    pub temporary: bool,
}

/// What CP knows about one virtual device (the model itself is attached to the machine's
/// subchannels).
#[derive(Debug)]
pub struct VDev {
    /// Virtual address.
    pub addr: u16,
    /// What it is.
    pub kind: Kind,
}

impl VDev {
    /// The three-letter kind CP shows in QUERY VIRTUAL and messages.
    pub fn class_name(&self) -> &'static str {
        match self.kind {
            Kind::Console(_) => "CONS",
            Kind::Reader(_) => "RDR",
            Kind::Punch(..) => "PUN",
            Kind::Printer(..) => "PRT",
            Kind::Dasd(_) => "DASD",
        }
    }
}
