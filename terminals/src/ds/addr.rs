//! Buffer addresses: 12-bit coded and 14-bit binary forms, and the six-bit code table
//! shared with attribute bytes and the WCC.
//!
//! An address is `row * cols + col`. The 12-bit form puts each six-bit half through
//! [`CODE_TABLE`], so both bytes are printable EBCDIC; the 14-bit form is binary and is
//! recognised by bits 0-1 of the first byte being `00` (GA23-0059, "Buffer Addressing").

/// The 64-entry table that turns a six-bit value into a graphic EBCDIC byte.
pub const CODE_TABLE: [u8; 64] = [
    0x40, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
    0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
];

/// The coded byte for a six-bit value (the high two bits of `v` are ignored).
pub fn code(v: u8) -> u8 {
    CODE_TABLE[usize::from(v & 0x3F)]
}

/// Encodes an address: 12-bit coded below 4096, otherwise 14-bit binary.
pub fn encode_address(addr: u16) -> [u8; 2] {
    if addr < 4096 {
        [code((addr >> 6) as u8), code((addr & 0x3F) as u8)]
    } else {
        [((addr >> 8) & 0x3F) as u8, (addr & 0xFF) as u8]
    }
}

/// Decodes an address in either form.
pub fn decode_address(b1: u8, b2: u8) -> u16 {
    if b1 & 0xC0 == 0 {
        (u16::from(b1 & 0x3F) << 8) | u16::from(b2)
    } else {
        (u16::from(b1 & 0x3F) << 6) | u16::from(b2 & 0x3F)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples() {
        let at = |r: u16, c: u16, cols: u16| encode_address(r * cols + c);
        assert_eq!(at(0, 0, 80), [0x40, 0x40]);
        assert_eq!(at(1, 0, 80), [0xC1, 0x50]);
        assert_eq!(at(2, 12, 80), [0xC2, 0x6C]);
        assert_eq!(at(23, 60, 80), [0x5D, 0x6C]);
        assert_eq!(at(23, 79, 80), [0x5D, 0x7F]);
        assert_eq!(at(42, 79, 80), [0xF5, 0x6F]);
        assert_eq!(at(26, 131, 132), [0xF7, 0x6B]);
    }

    #[test]
    fn every_address_round_trips() {
        for a in 0..16384u16 {
            let [b1, b2] = encode_address(a);
            assert_eq!(decode_address(b1, b2), a, "{a}");
        }
    }

    #[test]
    fn fourteen_bit_input_decodes() {
        assert_eq!(decode_address(0x05, 0x10), 0x0510);
        assert_eq!(decode_address(0x00, 0x00), 0);
    }
}
