//! A virtual machine's devices: what sits at each virtual address, the channel program it is
//! running, and what CP knows about it (spool options, which minidisk it is).
//!
//! Every device is a [`s370::channel::Device`] model run by the `s370` channel engine: CP's
//! console and spool reader (here), the `s370` punch and printer, and CKD minidisks (views of
//! a volume's cylinders). The guest's channel programs run against them through
//! [`crate::vm`]'s virtual I/O.

pub mod console;
pub mod spool;

use std::sync::{Arc, Mutex};

use s370::channel::{ChannelProgram, Csw, Device};
use s370::devices::{Card, Output, PrintRecord};

pub use console::{ConsoleDevice, ConsoleLink, Status, TermSink};
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

/// One virtual device.
pub struct VDev {
    /// Virtual address.
    pub addr: u16,
    /// The model the channel programs run against.
    pub model: Box<dyn Device>,
    /// What it is.
    pub kind: Kind,
    /// A channel program waiting for the device (a console read, a reader with no file yet).
    pub program: Option<ChannelProgram>,
    /// Status the guest has not yet been given (an attention, an ending that TIO took).
    pub pending: Option<Csw>,
}

impl std::fmt::Debug for VDev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VDev")
            .field("addr", &format_args!("{:03X}", self.addr))
            .field("kind", &self.kind)
            .finish()
    }
}

impl VDev {
    /// A device at `addr`.
    pub fn new(addr: u16, model: Box<dyn Device>, kind: Kind) -> VDev {
        VDev { addr, model, kind, program: None, pending: None }
    }

    /// Is a channel program in progress on it?
    pub fn busy(&self) -> bool {
        self.program.is_some()
    }

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
