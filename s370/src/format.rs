//! Instruction formats: the fields of each S/370 instruction shape.
//!
//! An instruction arrives as an [`Insn`], its (up to) six bytes left-aligned in the low 48 bits
//! of a `u64`; each format struct picks its fields out of it. Field names follow the Principles
//! of Operation ("Instruction Formats"). Register fields are `usize` so they index register
//! arrays directly.

/// The raw bytes of one instruction: byte 0 in bits 47-40, byte 5 in bits 7-0. Bytes past the
/// instruction's length are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Insn(pub u64);

impl Insn {
    /// Builds an instruction from up to six bytes.
    pub fn from_bytes(b: &[u8]) -> Insn {
        let mut w = [0u8; 8];
        let n = b.len().min(6);
        w[2..2 + n].copy_from_slice(&b[..n]);
        Insn(u64::from_be_bytes(w))
    }

    /// Byte `n` (0-5) of the instruction.
    #[inline(always)]
    pub fn byte(self, n: u32) -> u8 {
        (self.0 >> (40 - 8 * n)) as u8
    }

    /// The first opcode byte.
    #[inline(always)]
    pub fn opcode(self) -> u8 {
        self.byte(0)
    }

    /// The instruction length in bytes (2, 4 or 6), from the two high bits of the opcode.
    #[allow(clippy::len_without_is_empty)] // an instruction is never empty
    #[inline(always)]
    pub fn len(self) -> u32 {
        length_of(self.opcode())
    }

    /// Halfword `n` (0-2) of the instruction.
    #[inline(always)]
    pub fn halfword(self, n: u32) -> u16 {
        (self.0 >> (32 - 16 * n)) as u16
    }
}

/// The instruction length (2, 4 or 6 bytes) implied by an opcode's two high bits.
#[inline(always)]
pub const fn length_of(opcode: u8) -> u32 {
    match opcode >> 6 {
        0 => 2,
        1 | 2 => 4,
        _ => 6,
    }
}

/// RR: register and register.
/// ```text
/// | op 0-7 | R1 8-11 | R2 12-15 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rr {
    /// First operand register (or mask M1 for BCR).
    pub r1: usize,
    /// Second operand register.
    pub r2: usize,
}

impl From<Insn> for Rr {
    #[inline(always)]
    fn from(i: Insn) -> Rr {
        let b = i.byte(1);
        Rr { r1: usize::from(b >> 4), r2: usize::from(b & 15) }
    }
}

/// RX: register and indexed storage.
/// ```text
/// | op 0-7 | R1 8-11 | X2 12-15 | B2 16-19 | D2 20-31 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rx {
    /// First operand register (or mask M1 for BC).
    pub r1: usize,
    /// Index register (0 = none).
    pub x2: usize,
    /// Base register (0 = none).
    pub b2: usize,
    /// 12-bit displacement.
    pub d2: u32,
}

impl From<Insn> for Rx {
    #[inline(always)]
    fn from(i: Insn) -> Rx {
        let b = i.byte(1);
        let h = u32::from(i.halfword(1));
        Rx {
            r1: usize::from(b >> 4),
            x2: usize::from(b & 15),
            b2: (h >> 12) as usize,
            d2: h & 0xFFF,
        }
    }
}

/// RS: two registers and storage (R3 is a mask M3 for ICM/STCM/CLM, unused for shifts).
/// ```text
/// | op 0-7 | R1 8-11 | R3 12-15 | B2 16-19 | D2 20-31 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rs {
    /// First operand register.
    pub r1: usize,
    /// Third operand register (or mask M3).
    pub r3: usize,
    /// Base register.
    pub b2: usize,
    /// 12-bit displacement.
    pub d2: u32,
}

impl From<Insn> for Rs {
    #[inline(always)]
    fn from(i: Insn) -> Rs {
        let b = i.byte(1);
        let h = u32::from(i.halfword(1));
        Rs {
            r1: usize::from(b >> 4),
            r3: usize::from(b & 15),
            b2: (h >> 12) as usize,
            d2: h & 0xFFF,
        }
    }
}

/// SI: storage and immediate.
/// ```text
/// | op 0-7 | I2 8-15 | B1 16-19 | D1 20-31 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Si {
    /// Immediate byte.
    pub i2: u8,
    /// Base register.
    pub b1: usize,
    /// 12-bit displacement.
    pub d1: u32,
}

impl From<Insn> for Si {
    #[inline(always)]
    fn from(i: Insn) -> Si {
        let h = u32::from(i.halfword(1));
        Si { i2: i.byte(1), b1: (h >> 12) as usize, d1: h & 0xFFF }
    }
}

/// S: storage only; the opcode is 16 bits (B2xx, 9Cxx..9Fxx) or 8 bits with byte 1 ignored
/// (SSM, LPSW, TS).
/// ```text
/// | op 0-15 | B2 16-19 | D2 20-31 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct S {
    /// Base register.
    pub b2: usize,
    /// 12-bit displacement.
    pub d2: u32,
}

impl From<Insn> for S {
    #[inline(always)]
    fn from(i: Insn) -> S {
        let h = u32::from(i.halfword(1));
        S { b2: (h >> 12) as usize, d2: h & 0xFFF }
    }
}

/// SS: storage and storage, with one 8-bit length (MVC) or two 4-bit lengths (AP); for SRP
/// the second length field is the rounding factor I3.
/// ```text
/// | op 0-7 | L 8-15 or L1 8-11 L2 12-15 | B1 16-19 | D1 20-31 | B2 32-35 | D2 36-47 |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ss {
    /// The length byte (bits 8-15): one length, or L1 and L2.
    pub l: u8,
    /// First operand base register.
    pub b1: usize,
    /// First operand displacement.
    pub d1: u32,
    /// Second operand base register.
    pub b2: usize,
    /// Second operand displacement.
    pub d2: u32,
}

impl Ss {
    /// L1 of a two-length instruction (bits 8-11).
    #[inline(always)]
    pub fn l1(&self) -> u8 {
        self.l >> 4
    }
    /// L2 of a two-length instruction, or I3 of SRP (bits 12-15).
    #[inline(always)]
    pub fn l2(&self) -> u8 {
        self.l & 15
    }
}

impl From<Insn> for Ss {
    #[inline(always)]
    fn from(i: Insn) -> Ss {
        let h1 = u32::from(i.halfword(1));
        let h2 = u32::from(i.halfword(2));
        Ss {
            l: i.byte(1),
            b1: (h1 >> 12) as usize,
            d1: h1 & 0xFFF,
            b2: (h2 >> 12) as usize,
            d2: h2 & 0xFFF,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let i = Insn::from_bytes(&[0x5A, 0x12, 0x3F, 0xFF]);
        assert_eq!(i.len(), 4);
        assert_eq!(Rx::from(i), Rx { r1: 1, x2: 2, b2: 3, d2: 0xFFF });
        let s = Ss::from(Insn::from_bytes(&[0xFA, 0x73, 0x10, 0x04, 0x20, 0x08]));
        assert_eq!((s.l1(), s.l2(), s.b1, s.d1, s.b2, s.d2), (7, 3, 1, 4, 2, 8));
        assert_eq!(Rr::from(Insn::from_bytes(&[0x1A, 0xAB])), Rr { r1: 10, r2: 11 });
        assert_eq!(length_of(0x05), 2);
        assert_eq!(length_of(0xD2), 6);
    }
}
