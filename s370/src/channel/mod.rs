//! The channel-program engine: CAW, CCWs, chaining, CSW, and the [`Device`] trait.
//!
//! Principles of Operation (GA22-7000), chapters "Input/Output Operations" and "Input/Output
//! Instructions". A channel program is a chain of CCWs that a channel runs against one device
//! on behalf of START I/O (the bare machine, [`crate::machine`]) or of CP (a guest's SIO, or
//! DIAGNOSE X'18'/X'20'). This module knows storage only through [`ChannelMemory`] and devices
//! only through [`Device`], so both the bare machine and CP's virtual devices use it unchanged.
//!
//! # The pieces
//! - [`ChannelProgram`]: one program in execution. [`ChannelProgram::run`] fetches and checks
//!   CCWs, lets the device execute each command, moves the data (data chaining, skip,
//!   indirect data addressing, read backward, key-controlled protection), handles TIC,
//!   command chaining and the status modifier, and ends with a [`Csw`].
//! - [`Device`]: a device model. It sees one command at a time and moves its data through a
//!   [`DataPath`]; it never sees CCWs, addresses or storage.
//! - [`ChannelMemory`]: the storage the data goes to (implemented for [`Storage`]).
//!
//! # States of a program
//!
//! ```text
//!   ChannelProgram::new(CAW)
//!          |
//!          v
//!   +--> [fetch CCW] ---- invalid CAW/CCW/TIC, protection, addressing ----> [Done(CSW)]
//!   |      |  (TIC: follow it; TIC to TIC or too many TICs without data: program check)
//!   |      v
//!   |  [execute command] -- Device::execute -> Blocked --> [Blocked] --run() again--+
//!   |      |        ^                                          |                  |
//!   |      |        +-------------- re-executes the same command <----------------+
//!   |      |                                                   +--halt()--> [Done(CSW)]
//!   |      v
//!   |  device status CE+DE, no check, no unsuppressed incorrect length, CC flag on
//!   +------+  (next CCW at +8, or at +16 when the status modifier is on)
//!          |
//!          | otherwise (end of chain, unit check/exception, channel error)
//!          v
//!     [Done(CSW)]   -- initial = ended at the first command without moving data:
//!                      START I/O gives CC 1 and stores this CSW instead of interrupting
//! ```
//!
//! A synchronous device (DASD, printer, punch) never blocks: one [`ChannelProgram::run`] runs the
//! whole chain. A device that must wait (a console read with no line typed yet, a reader with
//! no file) answers [`Response::Blocked`] *before moving any data*; `run` returns
//! [`Progress::Blocked`] and the program keeps its place (current CCW, key, counts). When the
//! device can go on, the owner calls `run` again and the same command is executed afresh.
//!
//! Guests are untrusted: every CCW, IDAW and data address is checked; a chain of TICs that moves
//! no data ends in a program check after [`MAX_TICS_WITHOUT_DATA`], and any program ends in a
//! program check after [`MAX_CCWS`] CCWs.
//!
//! # Using it from CP
//! - **SIO on a virtual device**: `let mut p = ChannelProgram::new(caw)`; `p.run(dev, mem)`.
//!   `Done(end)` with `end.initial` → CC 1, store `end.csw`; otherwise CC 0 and present
//!   `end.csw` as an I/O interruption. `Blocked { pci }` → CC 0, keep `p` with the device
//!   (present `pci` as an interruption if there is one); when input arrives (a line typed, a
//!   file spooled), call `p.run(dev, mem)` again and present the CSW when it is `Done`.
//!   HIO/CLRIO on a blocked program: [`ChannelProgram::halt`].
//! - **DIAGNOSE X'18' / X'20'** (synchronous, no interruption):
//!   `ChannelProgram::at(key, ccw_addr).run(dev, mem)` and read the CSW of `Done` to set the
//!   DIAGNOSE's condition code and return codes. A DASD never blocks.

mod ccw;
mod path;
mod program;
pub mod subchannel;

pub use ccw::{Caw, Ccw, CommandKind, Csw, chan, flag, unit};
pub use program::{ChannelProgram, Ending, MAX_CCWS, MAX_TICS_WITHOUT_DATA, Progress};

use crate::storage::{AccessError, Storage};

/// One command as a device sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    /// The CCW command code.
    pub code: u8,
    /// Reached by command chaining from the previous command of the same program (false for
    /// the first command of a program). DASD uses it for its chaining rules (a WRITE DATA must
    /// be chained from a satisfied search; the file mask is reset at each program's start).
    pub chained: bool,
}

/// A device's answer to one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// The command ended with this unit status ([`unit`]); normally channel end and device
    /// end, plus status modifier, unit check or unit exception.
    Status(u8),
    /// The device cannot execute the command now (no input yet). It has moved no data; the
    /// command will be executed again when the program is resumed.
    Blocked,
}

/// The data area of the command in execution, as the device sees it: a stream of bytes that
/// the channel maps onto the CCW's data area and its data-chained continuations.
///
/// Input commands (read, read backward, sense) use [`DataPath::put`]; output commands (write,
/// control) use [`DataPath::get`]. Either returns fewer bytes than asked when the CCW count (and
/// data chaining) is exhausted or when a storage access failed; the device then ends the
/// command with its status and the channel adds incorrect length or the check.
///
/// A command that calls neither is an *immediate* command (no data phase: no incorrect
/// length, and at the start of a program START I/O ends with condition code 1); calling either,
/// even with an empty buffer, gives the command a data phase.
pub trait DataPath {
    /// Fetches up to `buf.len()` output bytes from storage; returns how many.
    fn get(&mut self, buf: &mut [u8]) -> usize;
    /// Stores input bytes; returns how many the data area took.
    fn put(&mut self, data: &[u8]) -> usize;
    /// Bytes left in the current CCW's count (0 once it and any data chaining are exhausted).
    fn remaining(&self) -> usize;
}

/// The kind of a device, for CP's device-type queries (DIAGNOSE X'24') and for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceClass {
    /// A terminal or console (3215, 3270).
    Terminal,
    /// A card reader.
    Reader,
    /// A card punch.
    Punch,
    /// A printer.
    Printer,
    /// Direct-access storage (CKD DASD).
    Dasd,
    /// Magnetic tape.
    Tape,
    /// Anything else.
    Other,
}

/// What a device is: class, type number and model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The class.
    pub class: DeviceClass,
    /// The type number, e.g. `0x3350`, `0x1403`, `0x3215`.
    pub device_type: u16,
    /// The model number.
    pub model: u8,
}

/// A device model attached to a channel.
///
/// Small and object-safe: the channel calls [`Device::execute`] once per command (never for a
/// TIC, never again for a data-chained CCW of the same command). Implemented by the bare
/// machine's devices ([`crate::devices`]) and by CP's virtual devices.
pub trait Device: Send {
    /// Executes one command: move its data through `data`, and answer its ending status or
    /// [`Response::Blocked`] (only before moving any data).
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response;

    /// What the device is.
    fn info(&self) -> DeviceInfo;

    /// System reset or CLEAR I/O: forget pending sense and any half-done state.
    fn reset(&mut self) {}
}

/// Storage as a channel sees it: absolute addresses and the key from the CAW.
///
/// The engine never asks for a range that crosses a 2K boundary, so a protection or
/// addressing failure stops the transfer exactly at the failing block. CP implements this over
/// a guest's storage, which is where its address checking ("inside the guest's storage")
/// happens.
pub trait ChannelMemory {
    /// Fetches `buf.len()` bytes at `addr` with access key `key` (fetch protection applies).
    fn fetch(&mut self, addr: u32, buf: &mut [u8], key: u8) -> Result<(), AccessError>;
    /// Stores `data` at `addr` with access key `key` (store protection applies).
    fn store(&mut self, addr: u32, data: &[u8], key: u8) -> Result<(), AccessError>;
}

impl ChannelMemory for Storage {
    fn fetch(&mut self, addr: u32, buf: &mut [u8], key: u8) -> Result<(), AccessError> {
        self.check_access(addr, buf.len(), key, false)?;
        self.read(addr, buf)?;
        self.mark_referenced(addr, buf.len());
        Ok(())
    }

    fn store(&mut self, addr: u32, data: &[u8], key: u8) -> Result<(), AccessError> {
        self.check_access(addr, data.len(), key, true)?;
        self.write(addr, data)
    }
}

#[cfg(test)]
mod tests;
