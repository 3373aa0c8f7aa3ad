//! The words of the channel interface: CAW, CCW, CSW and their status bits.
//!
//! Principles of Operation, chapter "Input/Output Operations" (GA22-7000-10, "Channel-Address
//! Word", "Channel-Command Word", "Channel-Status Word"). All are big-endian.
//!
//! ```text
//! CAW (real X'48'):  | key 0-3 | 0000 4-7 | CCW address 8-31 |
//! CCW (format 0):    | command 0-7 | data address 8-31 | flags 32-39 | ignored 40-47 | count 48-63 |
//!   flags:  CD 80  CC 40  SLI 20  SKIP 10  PCI 08  IDA 04  (bits 38-39 must be zero)
//! CSW (real X'40'):  | key 0-3 | 0 | L | CC 6-7 | CCW address 8-31 | unit 32-39 | channel 40-47 | count 48-63 |
//! ```

/// Unit-status bits (CSW byte 4), as a device presents them.
pub mod unit {
    /// Attention: an asynchronous condition at the device (e.g. the console's request key).
    pub const ATTENTION: u8 = 0x80;
    /// Status modifier: a search was satisfied (skip the next CCW), or control-unit busy.
    pub const STATUS_MODIFIER: u8 = 0x40;
    /// Control-unit end.
    pub const CONTROL_UNIT_END: u8 = 0x20;
    /// Busy: the device cannot accept the command now.
    pub const BUSY: u8 = 0x10;
    /// Channel end: the data-transfer portion of the operation is over.
    pub const CHANNEL_END: u8 = 0x08;
    /// Device end: the device has finished the operation.
    pub const DEVICE_END: u8 = 0x04;
    /// Unit check: an error or unusual condition; details in the sense bytes.
    pub const UNIT_CHECK: u8 = 0x02;
    /// Unit exception: e.g. end of file on a card reader.
    pub const UNIT_EXCEPTION: u8 = 0x01;
    /// Channel end and device end: a normal ending.
    pub const CE_DE: u8 = CHANNEL_END | DEVICE_END;
}

/// Channel-status bits (CSW byte 5), as the channel detects them.
pub mod chan {
    /// Program-controlled interruption (a CCW had the PCI flag).
    pub const PCI: u8 = 0x80;
    /// Incorrect length: the device did not use exactly the CCW's count (and SLI was off).
    pub const INCORRECT_LENGTH: u8 = 0x40;
    /// Program check: an invalid CAW, CCW, IDAW or address.
    pub const PROGRAM_CHECK: u8 = 0x20;
    /// Protection check: the CAW key does not allow the access.
    pub const PROTECTION_CHECK: u8 = 0x10;
    /// Channel data check.
    pub const CHANNEL_DATA_CHECK: u8 = 0x08;
    /// Channel control check.
    pub const CHANNEL_CONTROL_CHECK: u8 = 0x04;
    /// Interface control check.
    pub const INTERFACE_CONTROL_CHECK: u8 = 0x02;
    /// Chaining check.
    pub const CHAINING_CHECK: u8 = 0x01;
}

/// CCW flag bits (CCW byte 4).
pub mod flag {
    /// Chain data: the next CCW continues this command's data area.
    pub const CD: u8 = 0x80;
    /// Chain command: the next CCW is a new command.
    pub const CC: u8 = 0x40;
    /// Suppress length indication.
    pub const SLI: u8 = 0x20;
    /// Skip: input data is not stored.
    pub const SKIP: u8 = 0x10;
    /// Program-controlled interruption.
    pub const PCI: u8 = 0x08;
    /// Indirect data addressing: the data address designates a list of IDAWs.
    pub const IDA: u8 = 0x04;
    /// Bits that must be zero (38-39).
    pub const RESERVED: u8 = 0x03;
}

/// What a command code asks the channel to do, from its low-order bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// `xxxx 0000`: invalid.
    Invalid,
    /// `xxxx 1000`: transfer in channel.
    Tic,
    /// `xxxx xx01`: write (output).
    Write,
    /// `xxxx xx10`: read (input).
    Read,
    /// `xxxx 1100`: read backward (input, descending addresses).
    ReadBackward,
    /// `xxxx xx11`: control (output, often without data).
    Control,
    /// `xxxx 0100`: sense (input).
    Sense,
}

impl CommandKind {
    /// Classifies a command code.
    pub fn of(cmd: u8) -> CommandKind {
        match cmd & 0x0F {
            0x00 => CommandKind::Invalid,
            0x08 => CommandKind::Tic,
            0x0C => CommandKind::ReadBackward,
            0x04 => CommandKind::Sense,
            _ => match cmd & 0x03 {
                0x01 => CommandKind::Write,
                0x02 => CommandKind::Read,
                _ => CommandKind::Control,
            },
        }
    }

    /// Does data flow from the device into storage?
    pub fn is_input(self) -> bool {
        matches!(self, CommandKind::Read | CommandKind::ReadBackward | CommandKind::Sense)
    }
}

/// A format-0 channel-command word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ccw {
    /// Command code.
    pub cmd: u8,
    /// Data address (24 bits), or the IDAW list address with [`flag::IDA`], or the TIC target.
    pub addr: u32,
    /// Flags ([`flag`]).
    pub flags: u8,
    /// Byte count.
    pub count: u16,
}

impl Ccw {
    /// Decodes eight bytes.
    pub fn from_bytes(b: [u8; 8]) -> Ccw {
        Ccw {
            cmd: b[0],
            addr: u32::from_be_bytes([0, b[1], b[2], b[3]]),
            flags: b[4],
            count: u16::from_be_bytes([b[6], b[7]]),
        }
    }

    /// Encodes as eight bytes (byte 5 zero).
    pub fn to_bytes(self) -> [u8; 8] {
        let a = self.addr.to_be_bytes();
        let c = self.count.to_be_bytes();
        [self.cmd, a[1], a[2], a[3], self.flags, 0, c[0], c[1]]
    }

    /// A CCW from its parts (for building channel programs in tests and tools).
    pub fn new(cmd: u8, addr: u32, flags: u8, count: u16) -> Ccw {
        Ccw { cmd, addr: addr & 0x00FF_FFFF, flags, count }
    }

    /// Is this a transfer in channel?
    pub fn is_tic(self) -> bool {
        self.cmd & 0x0F == 0x08
    }

    /// Is the flag (or any of the flags) set?
    pub fn has(self, f: u8) -> bool {
        self.flags & f != 0
    }
}

/// The channel-address word: protection key and first CCW address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caw {
    /// Protection key (0-15) for every storage access of the program.
    pub key: u8,
    /// Address of the first CCW.
    pub addr: u32,
    /// Bits 4-7 were not zero (invalid CAW format: a program check at start).
    pub invalid: bool,
}

impl Caw {
    /// Decodes the CAW fullword.
    pub fn from_word(w: u32) -> Caw {
        Caw { key: (w >> 28) as u8, addr: w & 0x00FF_FFFF, invalid: w & 0x0F00_0000 != 0 }
    }

    /// Encodes as a fullword.
    pub fn to_word(self) -> u32 {
        (u32::from(self.key & 0xF) << 28) | (self.addr & 0x00FF_FFFF)
    }
}

/// The channel-status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Csw {
    /// Protection key of the program (0-15).
    pub key: u8,
    /// Logout pending (bit 5).
    pub logout: bool,
    /// Deferred condition code (bits 6-7), for START I/O FAST RELEASE.
    pub deferred_cc: u8,
    /// Address of the last CCW used, plus 8.
    pub ccw_addr: u32,
    /// Unit status ([`unit`]).
    pub unit: u8,
    /// Channel status ([`chan`]).
    pub channel: u8,
    /// Residual count of the last CCW used.
    pub count: u16,
}

impl Csw {
    /// Encodes as the eight bytes stored at real X'40'.
    pub fn to_bytes(self) -> [u8; 8] {
        let a = self.ccw_addr.to_be_bytes();
        let c = self.count.to_be_bytes();
        let b0 = (self.key << 4) | (u8::from(self.logout) << 2) | (self.deferred_cc & 3);
        [b0, a[1], a[2], a[3], self.unit, self.channel, c[0], c[1]]
    }

    /// Decodes eight bytes.
    pub fn from_bytes(b: [u8; 8]) -> Csw {
        Csw {
            key: b[0] >> 4,
            logout: b[0] & 0x04 != 0,
            deferred_cc: b[0] & 3,
            ccw_addr: u32::from_be_bytes([0, b[1], b[2], b[3]]),
            unit: b[4],
            channel: b[5],
            count: u16::from_be_bytes([b[6], b[7]]),
        }
    }

    /// A CSW that carries only unit status (attention, or status presented after the
    /// operation has ended): key, address and count are zero.
    pub fn status_only(unit: u8) -> Csw {
        Csw { unit, ..Csw::default() }
    }

    /// The status half-word (unit status, channel status).
    pub fn status(self) -> u16 {
        u16::from_be_bytes([self.unit, self.channel])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ccw_round_trip() {
        let b = [0x02, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x18];
        let c = Ccw::from_bytes(b);
        assert_eq!(c, Ccw::new(0x02, 0, flag::CC | flag::SLI, 24));
        assert_eq!(c.to_bytes(), b);
        assert!(Ccw::new(0x08, 0x1000, 0, 0).is_tic());
        assert!(Ccw::new(0xF8, 0x1000, 0, 0).is_tic());
        assert!(Ccw::new(0x18, 0, 0, 1).is_tic(), "any xxxx1000 code is a TIC");
        assert!(!Ccw::new(0x1B, 0, 0, 1).is_tic());
    }

    #[test]
    fn command_kinds() {
        assert_eq!(CommandKind::of(0x00), CommandKind::Invalid);
        assert_eq!(CommandKind::of(0xF0), CommandKind::Invalid);
        assert_eq!(CommandKind::of(0x08), CommandKind::Tic);
        assert_eq!(CommandKind::of(0x01), CommandKind::Write);
        assert_eq!(CommandKind::of(0x09), CommandKind::Write);
        assert_eq!(CommandKind::of(0x06), CommandKind::Read);
        assert_eq!(CommandKind::of(0x0A), CommandKind::Read);
        assert_eq!(CommandKind::of(0x0C), CommandKind::ReadBackward);
        assert_eq!(CommandKind::of(0x04), CommandKind::Sense);
        assert_eq!(CommandKind::of(0x07), CommandKind::Control);
        assert_eq!(CommandKind::of(0x03), CommandKind::Control);
        assert!(CommandKind::Sense.is_input() && !CommandKind::Control.is_input());
    }

    #[test]
    fn csw_and_caw() {
        let csw = Csw {
            key: 0xE,
            logout: false,
            deferred_cc: 1,
            ccw_addr: 0x012348,
            unit: unit::CE_DE,
            channel: chan::INCORRECT_LENGTH,
            count: 7,
        };
        let b = csw.to_bytes();
        assert_eq!(b, [0xE1, 0x01, 0x23, 0x48, 0x0C, 0x40, 0x00, 0x07]);
        assert_eq!(Csw::from_bytes(b), csw);
        let caw = Caw::from_word(0x5000_2000);
        assert_eq!((caw.key, caw.addr, caw.invalid), (5, 0x2000, false));
        assert!(Caw::from_word(0x0100_2000).invalid);
        assert_eq!(caw.to_word(), 0x5000_2000);
    }
}
