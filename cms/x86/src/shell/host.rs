//! What CMS needs from the machine it runs on: the virtual console, CP, the devices.
//!
//! On x86 these are DIAGNOSE calls and channel programs through the call port
//! (`crate::machine`); in the host tests they are an in-memory machine. Nothing above this
//! trait knows which.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::fs::BlockDevice;

/// The device class of a virtual device (DIAGNOSE X'24' VDEVTYPC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevClass {
    /// A terminal (the virtual console).
    Console,
    /// A DASD.
    Dasd,
    /// A card reader.
    Reader,
    /// A card punch.
    Punch,
    /// A printer.
    Printer,
    /// Anything else.
    Other,
}

/// What DIAGNOSE X'24' says about a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Its class.
    pub class: DevClass,
    /// The device type (DASD: 3350, 3330, ...; 0 when not known).
    pub devtype: u16,
    /// Linked (or attached) read-only.
    pub read_only: bool,
}

/// The answer to CP commands given with DIAGNOSE X'08'.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpReply {
    /// CP's return code (1: CP does not know the command).
    pub rc: i32,
    /// The response lines, when they were captured.
    pub lines: Vec<String>,
}

/// The time of day and the processor time used (DIAGNOSE X'0C').
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Year within the century.
    pub year: u8,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Virtual processor time used since logon, microseconds.
    pub virt_us: u64,
    /// Total (virtual + CP) processor time used since logon, microseconds.
    pub total_us: u64,
}

/// Why a unit-record operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitError {
    /// No such device.
    NotAttached,
    /// The device is not ready (an empty reader) or reported an error.
    NotReady,
}

/// Why a disk could not be opened as a block device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskError {
    /// No such device.
    NotAttached,
    /// Not a DASD, or a DASD of a kind CMS cannot use.
    NotDasd,
}

/// The machine under CMS.
pub trait Host {
    /// Types one line on the console.
    fn write_line(&mut self, text: &str);
    /// Reads one line from the console, as typed (no translation); waits for the user.
    /// `None` when no line will ever come (only a test machine runs out of input).
    fn read_line(&mut self) -> Option<String>;
    /// Has the user signalled attention (a line typed while CMS was not reading) since the
    /// last call? Does not wait.
    fn attention(&mut self) -> bool;
    /// Runs a CP command line (DIAGNOSE X'08'); with `capture` the response comes back
    /// instead of being typed by CP.
    fn cp(&mut self, line: &str, capture: bool) -> CpReply;
    /// What to type of the CMS message `msg` (`DMSmmmnnns text`) per CP's `SET EMSG`
    /// (DIAGNOSE X'5C'); empty: nothing.
    fn edit_message(&mut self, msg: &str) -> String;
    /// The device at `cuu` (DIAGNOSE X'24'), if there is one.
    fn device(&mut self, cuu: u16) -> Option<DeviceInfo>;
    /// The DASD at `cuu` as a block device of 800-byte CMS blocks (DIAGNOSE X'18').
    fn open_disk(&mut self, cuu: u16) -> Result<Box<dyn BlockDevice>, DiskError>;
    /// Writes the 800-byte CMS record structure on every track of the DASD at `cuu` (the
    /// first step of FORMAT), using `cylinders` cylinders (`None`: all). Returns the
    /// cylinders formatted.
    fn format_tracks(&mut self, cuu: u16, cylinders: Option<u32>) -> Result<u32, DiskError>;
    /// The date, time and processor times.
    fn clock(&mut self) -> Clock;
    /// Writes one record with channel command `cmd` to the unit-record device `cuu`.
    fn unit_write(&mut self, cuu: u16, cmd: u8, data: &[u8]) -> Result<(), UnitError>;
    /// Reads one card from the reader `cuu`: `Ok(Some(card))`, `Ok(None)` at the end of the
    /// spool file, `Err(NotReady)` when the reader holds no file.
    fn unit_read(&mut self, cuu: u16) -> Result<Option<Vec<u8>>, UnitError>;
}
