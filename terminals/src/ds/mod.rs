//! The 3270 data stream: commands, write control characters, orders, AIDs, buffer
//! addresses, field and extended attributes, and a screen buffer that applies outbound
//! data and produces inbound data.
//!
//! Outbound (host → terminal) records start with a [`Command`] byte; write commands carry a
//! [`Wcc`] then text and orders ([`order`]). Inbound (terminal → host) records start with an
//! [`Aid`]: a short read is the AID alone (PA keys, CLEAR); a Read Modified reply is
//! `AID cursor(2) {SBA addr(2) data}*`. Facts: *3270 Data Stream Programmer's Reference*
//! (GA23-0059) and `../shared/reference/tn3270.md` §1.3.

pub mod addr;
pub mod attr;
pub mod builder;
pub mod diff;
pub mod inbound;
pub mod model;
pub mod query;
pub mod screen;
pub mod snapshot;

pub use addr::{decode_address, encode_address};
pub use attr::{Color, ExtAttr, FieldAttr, Highlight};
pub use builder::Outbound;
pub use inbound::{InField, Inbound, parse_inbound};
pub use model::{Model, ScreenSize, TerminalType};
pub use screen::{Applied, Cell, Screen};

/// Errors found in a data stream. Bad data never panics: it gives one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsError {
    /// The record was empty.
    #[error("empty 3270 record")]
    Empty,
    /// The first byte is not a 3270 command.
    #[error("unknown 3270 command X'{0:02X}'")]
    UnknownCommand(u8),
    /// An order or structured field ended before its operands.
    #[error("3270 order or structured field cut short at offset {0}")]
    Truncated(usize),
    /// A buffer address lies outside the current screen.
    #[error("buffer address {0} outside the {1}-cell screen")]
    AddressOutOfRange(u16, usize),
    /// A structured field has an impossible length.
    #[error("structured field length {0} at offset {1} is invalid")]
    BadFieldLength(usize, usize),
}

/// A 3270 command: the first byte of an outbound record.
///
/// Each has a local (channel) code and an SNA code; a TN3270 host may send either, and
/// [`Command::from_byte`] accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Write (F1 / 01).
    Write,
    /// Erase/Write: clear the buffer, default screen size (F5 / 05).
    EraseWrite,
    /// Erase/Write Alternate: clear the buffer, alternate screen size (7E / 0D).
    EraseWriteAlternate,
    /// Read Buffer (F2 / 02).
    ReadBuffer,
    /// Read Modified (F6 / 06).
    ReadModified,
    /// Read Modified All (6E / 0E).
    ReadModifiedAll,
    /// Erase All Unprotected (6F / 0F).
    EraseAllUnprotected,
    /// Write Structured Field (F3 / 11).
    WriteStructuredField,
}

impl Command {
    /// Decodes a command byte, local or SNA code.
    pub fn from_byte(b: u8) -> Option<Command> {
        Some(match b {
            0xF1 | 0x01 => Command::Write,
            0xF5 | 0x05 => Command::EraseWrite,
            0x7E | 0x0D => Command::EraseWriteAlternate,
            0xF2 | 0x02 => Command::ReadBuffer,
            0xF6 | 0x06 => Command::ReadModified,
            0x6E | 0x0E => Command::ReadModifiedAll,
            0x6F | 0x0F => Command::EraseAllUnprotected,
            0xF3 | 0x11 => Command::WriteStructuredField,
            _ => return None,
        })
    }

    /// The local (channel-attached 3274) command code.
    pub fn local(self) -> u8 {
        match self {
            Command::Write => 0xF1,
            Command::EraseWrite => 0xF5,
            Command::EraseWriteAlternate => 0x7E,
            Command::ReadBuffer => 0xF2,
            Command::ReadModified => 0xF6,
            Command::ReadModifiedAll => 0x6E,
            Command::EraseAllUnprotected => 0x6F,
            Command::WriteStructuredField => 0xF3,
        }
    }

    /// The SNA command code.
    pub fn sna(self) -> u8 {
        match self {
            Command::Write => 0x01,
            Command::EraseWrite => 0x05,
            Command::EraseWriteAlternate => 0x0D,
            Command::ReadBuffer => 0x02,
            Command::ReadModified => 0x06,
            Command::ReadModifiedAll => 0x0E,
            Command::EraseAllUnprotected => 0x0F,
            Command::WriteStructuredField => 0x11,
        }
    }

    /// True for the commands that carry a WCC and orders (W, EW, EWA).
    pub fn is_write(self) -> bool {
        matches!(self, Command::Write | Command::EraseWrite | Command::EraseWriteAlternate)
    }

    /// True for the read commands (RB, RM, RMA).
    pub fn is_read(self) -> bool {
        matches!(self, Command::ReadBuffer | Command::ReadModified | Command::ReadModifiedAll)
    }
}

/// Order codes: bytes below X'40' in write data that are instructions, not characters.
pub mod order {
    /// Start Field: `1D attr`.
    pub const SF: u8 = 0x1D;
    /// Start Field Extended: `29 n (type value)×n`.
    pub const SFE: u8 = 0x29;
    /// Set Buffer Address: `11 addr(2)`.
    pub const SBA: u8 = 0x11;
    /// Insert Cursor: `13`.
    pub const IC: u8 = 0x13;
    /// Program Tab: `05`.
    pub const PT: u8 = 0x05;
    /// Repeat to Address: `3C addr(2) char` (char may be `08 c` for a GE character).
    pub const RA: u8 = 0x3C;
    /// Erase Unprotected to Address: `12 addr(2)`.
    pub const EUA: u8 = 0x12;
    /// Set Attribute: `28 type value`.
    pub const SA: u8 = 0x28;
    /// Modify Field: `2C n (type value)×n`.
    pub const MF: u8 = 0x2C;
    /// Graphic Escape: `08 char`.
    pub const GE: u8 = 0x08;

    /// True if `b` starts an order.
    pub fn is_order(b: u8) -> bool {
        matches!(b, SF | SFE | SBA | IC | PT | RA | EUA | SA | MF | GE)
    }
}

/// An attention identifier: the first byte of an inbound record, naming the key pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aid {
    /// No AID (X'60'): Read Buffer with nothing pending.
    NoAid,
    /// ENTER (X'7D').
    Enter,
    /// PF1..PF24.
    Pf(u8),
    /// PA1..PA3.
    Pa(u8),
    /// CLEAR (X'6D').
    Clear,
    /// Structured field reply, e.g. a Query Reply (X'88').
    StructuredField,
    /// Cursor select / light pen (X'7E').
    CursorSelect,
    /// SYSREQ in TN3270E (X'F0').
    SysReq,
    /// Any other byte.
    Other(u8),
}

impl Aid {
    /// Decodes an AID byte.
    pub fn from_byte(b: u8) -> Aid {
        match b {
            0x60 => Aid::NoAid,
            0x7D => Aid::Enter,
            0xF1..=0xF9 => Aid::Pf(b - 0xF0),
            0x7A..=0x7C => Aid::Pf(b - 0x7A + 10),
            0xC1..=0xC9 => Aid::Pf(b - 0xC1 + 13),
            0x4A..=0x4C => Aid::Pf(b - 0x4A + 22),
            0x6C => Aid::Pa(1),
            0x6E => Aid::Pa(2),
            0x6B => Aid::Pa(3),
            0x6D => Aid::Clear,
            0x88 => Aid::StructuredField,
            0x7E => Aid::CursorSelect,
            0xF0 => Aid::SysReq,
            other => Aid::Other(other),
        }
    }

    /// The AID byte; PF/PA numbers out of range give X'60' (no AID).
    pub fn to_byte(self) -> u8 {
        match self {
            Aid::NoAid => 0x60,
            Aid::Enter => 0x7D,
            Aid::Pf(n @ 1..=9) => 0xF0 + n,
            Aid::Pf(n @ 10..=12) => 0x7A + n - 10,
            Aid::Pf(n @ 13..=21) => 0xC1 + n - 13,
            Aid::Pf(n @ 22..=24) => 0x4A + n - 22,
            Aid::Pf(_) => 0x60,
            Aid::Pa(1) => 0x6C,
            Aid::Pa(2) => 0x6E,
            Aid::Pa(3) => 0x6B,
            Aid::Pa(_) => 0x60,
            Aid::Clear => 0x6D,
            Aid::StructuredField => 0x88,
            Aid::CursorSelect => 0x7E,
            Aid::SysReq => 0xF0,
            Aid::Other(b) => b,
        }
    }

    /// True for the AIDs whose Read Modified reply is the AID byte alone.
    pub fn is_short_read(self) -> bool {
        matches!(self, Aid::Pa(_) | Aid::Clear)
    }
}

/// The Write Control Character that follows W, EW and EWA.
///
/// Bits (0 = most significant): 1 reset (X'40'), 4 start printer (X'08'), 5 sound alarm
/// (X'04'), 6 keyboard restore (X'02'), 7 reset MDTs (X'01'). On the wire the low six bits
/// pass through the address code table, so restore + reset MDT is sent as X'C3'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wcc(pub u8);

impl Wcc {
    /// Reset bit.
    pub const RESET: u8 = 0x40;
    /// Start printer.
    pub const START_PRINTER: u8 = 0x08;
    /// Sound the alarm.
    pub const ALARM: u8 = 0x04;
    /// Restore (unlock) the keyboard and reset the pending AID.
    pub const RESTORE: u8 = 0x02;
    /// Reset every modified data tag before the write.
    pub const RESET_MDT: u8 = 0x01;

    /// A WCC with the given flag bits.
    pub fn new(bits: u8) -> Wcc {
        Wcc(bits)
    }

    /// The byte to send: the low six bits through the code table.
    pub fn to_byte(self) -> u8 {
        addr::code(self.0 & 0x3F)
    }

    /// Keyboard restore requested.
    pub fn restore(self) -> bool {
        self.0 & Self::RESTORE != 0
    }

    /// Reset MDTs requested.
    pub fn reset_mdt(self) -> bool {
        self.0 & Self::RESET_MDT != 0
    }

    /// Alarm requested.
    pub fn alarm(self) -> bool {
        self.0 & Self::ALARM != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aids_round_trip_and_match_the_reference() {
        for n in 1..=24 {
            assert_eq!(Aid::from_byte(Aid::Pf(n).to_byte()), Aid::Pf(n));
        }
        assert_eq!(Aid::Pf(3).to_byte(), 0xF3);
        assert_eq!(Aid::Pf(10).to_byte(), 0x7A);
        assert_eq!(Aid::Pf(12).to_byte(), 0x7C);
        assert_eq!(Aid::Pf(13).to_byte(), 0xC1);
        assert_eq!(Aid::Pf(22).to_byte(), 0x4A);
        assert_eq!(Aid::Pf(24).to_byte(), 0x4C);
        assert_eq!(Aid::Pa(1).to_byte(), 0x6C);
        assert_eq!(Aid::Pa(2).to_byte(), 0x6E);
        assert_eq!(Aid::Pa(3).to_byte(), 0x6B);
        assert_eq!(Aid::from_byte(0x6D), Aid::Clear);
        assert_eq!(Aid::from_byte(0x7D), Aid::Enter);
        assert!(Aid::Clear.is_short_read() && !Aid::Enter.is_short_read());
    }

    #[test]
    fn commands_accept_local_and_sna_codes() {
        for c in [
            Command::Write,
            Command::EraseWrite,
            Command::EraseWriteAlternate,
            Command::ReadBuffer,
            Command::ReadModified,
            Command::ReadModifiedAll,
            Command::EraseAllUnprotected,
            Command::WriteStructuredField,
        ] {
            assert_eq!(Command::from_byte(c.local()), Some(c));
            assert_eq!(Command::from_byte(c.sna()), Some(c));
        }
        assert_eq!(Command::from_byte(0x42), None);
    }

    #[test]
    fn wcc_restore_and_reset_mdt_is_c3() {
        assert_eq!(Wcc::new(Wcc::RESTORE | Wcc::RESET_MDT).to_byte(), 0xC3);
        let w = Wcc(0xC3);
        assert!(w.restore() && w.reset_mdt() && !w.alarm());
    }
}
