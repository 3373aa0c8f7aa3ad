//! The program status word, in basic-control (BC) and extended-control (EC) mode.
//!
//! Principles of Operation (GA22-7000), "Program-Status Word". The PSW is kept decoded, so the
//! interpreter reads the condition code or the key without shifting; [`Psw::to_bytes`] and
//! [`Psw::from_bytes`] give the architected 8-byte form.
//!
//! ```text
//! BC mode:  0       8    12 13 14 15 16              32 34 36   40                      63
//!          | sysmask | key |0 | M| W| P| interruption code |ILC|CC|PM | instruction address  |
//! EC mode:  0 1 2   5 6 7  8    12 13 14 15 16 18 20   24      40                      63
//!          |0|R|000|T|I|E| key |1 | M| W| P|00|CC|PM |00000000|0..0| instruction address  |
//! ```

/// A decoded program status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Psw {
    /// Byte 0. BC mode: channel masks 0-5 (bits 0-5), mask for channels 6 and up (bit 6),
    /// external mask (bit 7). EC mode: PER mask (bit 1), translation (bit 5), I/O mask (bit 6),
    /// external mask (bit 7).
    pub sysmask: u8,
    /// PSW key, 0-15.
    pub key: u8,
    /// Bit 12: extended-control mode.
    pub ec: bool,
    /// Bit 13: machine-check mask.
    pub mcheck: bool,
    /// Bit 14: wait state.
    pub wait: bool,
    /// Bit 15: problem state.
    pub problem: bool,
    /// BC mode bits 16-31: interruption code (stored on an interruption).
    pub intcode: u16,
    /// BC mode bits 32-33: instruction length code (stored on an interruption).
    pub ilc: u8,
    /// Condition code, 0-3.
    pub cc: u8,
    /// Program mask (fixed-point overflow, decimal overflow, exponent underflow, significance).
    pub progmask: u8,
    /// Instruction address, 24 bits.
    pub ia: u32,
}

/// Program-mask bit: fixed-point overflow.
pub const PM_FIXED_OVERFLOW: u8 = 0x8;
/// Program-mask bit: decimal overflow.
pub const PM_DECIMAL_OVERFLOW: u8 = 0x4;
/// Program-mask bit: exponent underflow.
pub const PM_EXPONENT_UNDERFLOW: u8 = 0x2;
/// Program-mask bit: significance.
pub const PM_SIGNIFICANCE: u8 = 0x1;

impl Psw {
    /// Builds the PSW from its 8-byte architected form. Returns the PSW and whether its
    /// format is valid (an invalid format is a specification exception when it becomes
    /// current, PoO "Exceptions Associated with the PSW").
    pub fn from_bytes(b: [u8; 8]) -> (Psw, bool) {
        let ec = b[1] & 0x08 != 0;
        let psw = Psw {
            sysmask: b[0],
            key: b[1] >> 4,
            ec,
            mcheck: b[1] & 0x04 != 0,
            wait: b[1] & 0x02 != 0,
            problem: b[1] & 0x01 != 0,
            intcode: if ec { 0 } else { u16::from_be_bytes([b[2], b[3]]) },
            ilc: if ec { 0 } else { b[4] >> 6 },
            cc: if ec { (b[2] >> 4) & 3 } else { (b[4] >> 4) & 3 },
            progmask: if ec { b[2] & 0x0F } else { b[4] & 0x0F },
            ia: u32::from_be_bytes([0, b[5], b[6], b[7]]),
        };
        let valid = !ec || (b[0] & 0xB8 == 0 && b[2] & 0xC0 == 0 && b[3] == 0 && b[4] == 0);
        (psw, valid)
    }

    /// The 8-byte architected form of this PSW.
    pub fn to_bytes(&self) -> [u8; 8] {
        let ia = self.ia.to_be_bytes();
        let b1 = (self.key << 4)
            | if self.ec { 0x08 } else { 0 }
            | if self.mcheck { 0x04 } else { 0 }
            | if self.wait { 0x02 } else { 0 }
            | if self.problem { 0x01 } else { 0 };
        if self.ec {
            [self.sysmask, b1, (self.cc << 4) | self.progmask, 0, 0, ia[1], ia[2], ia[3]]
        } else {
            let ic = self.intcode.to_be_bytes();
            [
                self.sysmask,
                b1,
                ic[0],
                ic[1],
                (self.ilc << 6) | (self.cc << 4) | self.progmask,
                ia[1],
                ia[2],
                ia[3],
            ]
        }
    }

    /// The PSW as a 64-bit big-endian value (as Hercules and CP's DISPLAY PSW show it).
    pub fn to_u64(&self) -> u64 {
        u64::from_be_bytes(self.to_bytes())
    }

    /// Builds a PSW from a 64-bit value; see [`Psw::from_bytes`].
    pub fn from_u64(v: u64) -> (Psw, bool) {
        Psw::from_bytes(v.to_be_bytes())
    }

    /// Is dynamic address translation on (EC mode, bit 5)?
    pub fn translation(&self) -> bool {
        self.ec && self.sysmask & 0x04 != 0
    }

    /// Is the external mask on (bit 7 in both modes)?
    pub fn external_enabled(&self) -> bool {
        self.sysmask & 0x01 != 0
    }

    /// Is the PER mask on (EC mode, bit 1)?
    pub fn per_enabled(&self) -> bool {
        self.ec && self.sysmask & 0x40 != 0
    }

    /// Is an I/O interruption from `channel` allowed by the PSW and the channel masks in
    /// control register 2 (`cr2`)? EC mode: PSW bit 6 and CR2 bit `channel`. BC mode:
    /// channels 0-5 by PSW bits 0-5 alone; channels 6 and up by PSW bit 6 and CR2 bit
    /// `channel` (PoO "Channel Masks").
    pub fn io_enabled(&self, channel: u8, cr2: u32) -> bool {
        let cr2_bit = channel < 32 && cr2 & (0x8000_0000u32 >> (channel & 31)) != 0;
        if self.ec || channel >= 6 {
            self.sysmask & 0x02 != 0 && cr2_bit
        } else {
            self.sysmask & (0x80 >> channel) != 0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bc_round_trip() {
        let raw = 0x000400CA_80020128u64;
        let (p, ok) = Psw::from_u64(raw);
        assert!(ok);
        assert!(!p.ec && p.mcheck && !p.wait && !p.problem);
        assert_eq!((p.intcode, p.ilc, p.cc, p.ia), (0x00CA, 2, 0, 0x020128));
        assert_eq!(p.to_u64(), raw);
    }

    #[test]
    fn ec_round_trip_and_validity() {
        let raw = 0x070E0000_00001234u64;
        let (p, ok) = Psw::from_u64(raw);
        assert!(ok && p.ec && p.wait && p.translation() && p.external_enabled());
        assert_eq!(p.to_u64(), raw);
        let (_, ok) = Psw::from_u64(0x00080000_01000000);
        assert!(!ok, "bits 32-39 must be zero in EC mode");
    }

    #[test]
    fn io_masks() {
        let (bc, _) = Psw::from_u64(0x82000000_00000000);
        assert!(bc.io_enabled(0, 0) && !bc.io_enabled(1, 0) && !bc.io_enabled(7, 0));
        assert!(bc.io_enabled(7, 0x0100_0000), "channel 7 needs its CR2 mask bit too");
        let (ec, _) = Psw::from_u64(0x02080000_00000000);
        assert!(ec.io_enabled(1, 0x4000_0000) && !ec.io_enabled(0, 0x4000_0000));
    }
}
