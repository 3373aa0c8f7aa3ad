//! EBCDIC, the character code of the System/370, and the code pages terminals use.
//!
//! Code page 037 (US/Canada) maps the 256 EBCDIC code points one-to-one onto the 256
//! code points of ISO 8859-1 (Latin-1), so a conversion is a table look-up in each
//! direction and never loses a byte. The `Bracket` variant is the host code page x3270,
//! c3270 and s3270 use by default: it is code page 037 with `[` and `]` at X'AD' and X'BD'
//! (where VM/370-era 3270 software put them) instead of X'BA' and X'BB'.

/// A host code page: how EBCDIC bytes map to characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodePage {
    /// IBM code page 037 (US/Canada).
    #[default]
    Cp037,
    /// Code page 037 with `[`/`]` at X'AD'/X'BD' (x3270's default `bracket` page).
    Bracket,
}

/// EBCDIC code page 037 to Latin-1, indexed by the EBCDIC byte.
pub const CP037_TO_LATIN1: [u8; 256] = [
    0x00, 0x01, 0x02, 0x03, 0x9C, 0x09, 0x86, 0x7F, 0x97, 0x8D, 0x8E, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
    0x10, 0x11, 0x12, 0x13, 0x9D, 0x85, 0x08, 0x87, 0x18, 0x19, 0x92, 0x8F, 0x1C, 0x1D, 0x1E, 0x1F,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x0A, 0x17, 0x1B, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x05, 0x06, 0x07,
    0x90, 0x91, 0x16, 0x93, 0x94, 0x95, 0x96, 0x04, 0x98, 0x99, 0x9A, 0x9B, 0x14, 0x15, 0x9E, 0x1A,
    0x20, 0xA0, 0xE2, 0xE4, 0xE0, 0xE1, 0xE3, 0xE5, 0xE7, 0xF1, 0xA2, 0x2E, 0x3C, 0x28, 0x2B, 0x7C,
    0x26, 0xE9, 0xEA, 0xEB, 0xE8, 0xED, 0xEE, 0xEF, 0xEC, 0xDF, 0x21, 0x24, 0x2A, 0x29, 0x3B, 0xAC,
    0x2D, 0x2F, 0xC2, 0xC4, 0xC0, 0xC1, 0xC3, 0xC5, 0xC7, 0xD1, 0xA6, 0x2C, 0x25, 0x5F, 0x3E, 0x3F,
    0xF8, 0xC9, 0xCA, 0xCB, 0xC8, 0xCD, 0xCE, 0xCF, 0xCC, 0x60, 0x3A, 0x23, 0x40, 0x27, 0x3D, 0x22,
    0xD8, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xAB, 0xBB, 0xF0, 0xFD, 0xFE, 0xB1,
    0xB0, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0xAA, 0xBA, 0xE6, 0xB8, 0xC6, 0xA4,
    0xB5, 0x7E, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0xA1, 0xBF, 0xD0, 0xDD, 0xDE, 0xAE,
    0x5E, 0xA3, 0xA5, 0xB7, 0xA9, 0xA7, 0xB6, 0xBC, 0xBD, 0xBE, 0x5B, 0x5D, 0xAF, 0xA8, 0xB4, 0xD7,
    0x7B, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xAD, 0xF4, 0xF6, 0xF2, 0xF3, 0xF5,
    0x7D, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F, 0x50, 0x51, 0x52, 0xB9, 0xFB, 0xFC, 0xF9, 0xFA, 0xFF,
    0x5C, 0xF7, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0xB2, 0xD4, 0xD6, 0xD2, 0xD3, 0xD5,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xB3, 0xDB, 0xDC, 0xD9, 0xDA, 0x9F,
];

/// Latin-1 to EBCDIC code page 037 (the inverse of [`CP037_TO_LATIN1`]).
pub const LATIN1_TO_CP037: [u8; 256] = invert(&CP037_TO_LATIN1);

const fn invert(t: &[u8; 256]) -> [u8; 256] {
    let mut out = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        out[t[i] as usize] = i as u8;
        i += 1;
    }
    out
}

const fn bracket_table() -> [u8; 256] {
    let mut t = CP037_TO_LATIN1;
    // Swap X'AD'<->X'BA' and X'BD'<->X'BB': `[` and `]` move to X'AD' and X'BD'.
    let (ad, ba) = (t[0xAD], t[0xBA]);
    t[0xAD] = ba;
    t[0xBA] = ad;
    let (bd, bb) = (t[0xBD], t[0xBB]);
    t[0xBD] = bb;
    t[0xBB] = bd;
    t
}

/// The `bracket` code page to Latin-1.
pub const BRACKET_TO_LATIN1: [u8; 256] = bracket_table();
/// Latin-1 to the `bracket` code page.
pub const LATIN1_TO_BRACKET: [u8; 256] = invert(&BRACKET_TO_LATIN1);

impl CodePage {
    /// The character an EBCDIC byte stands for.
    pub fn to_char(self, b: u8) -> char {
        let t = match self {
            CodePage::Cp037 => &CP037_TO_LATIN1,
            CodePage::Bracket => &BRACKET_TO_LATIN1,
        };
        char::from(t[usize::from(b)])
    }

    /// The EBCDIC byte for a character; characters outside Latin-1 become `?` (X'6F').
    pub fn from_char(self, c: char) -> u8 {
        let t = match self {
            CodePage::Cp037 => &LATIN1_TO_CP037,
            CodePage::Bracket => &LATIN1_TO_BRACKET,
        };
        match u8::try_from(u32::from(c)) {
            Ok(l) => t[usize::from(l)],
            Err(_) => 0x6F,
        }
    }

    /// Converts EBCDIC bytes to a string.
    pub fn decode(self, bytes: &[u8]) -> String {
        bytes.iter().map(|&b| self.to_char(b)).collect()
    }

    /// Converts a string to EBCDIC bytes.
    pub fn encode(self, s: &str) -> Vec<u8> {
        s.chars().map(|c| self.from_char(c)).collect()
    }
}

/// Converts EBCDIC (code page 037) bytes to a string.
pub fn to_string(bytes: &[u8]) -> String {
    CodePage::Cp037.decode(bytes)
}

/// Converts a string to EBCDIC (code page 037) bytes.
pub fn from_str(s: &str) -> Vec<u8> {
    CodePage::Cp037.encode(s)
}

/// Converts one ASCII/Latin-1 byte to EBCDIC (code page 037).
pub const fn a2e(b: u8) -> u8 {
    LATIN1_TO_CP037[b as usize]
}

/// Converts one EBCDIC (code page 037) byte to Latin-1.
pub const fn e2a(b: u8) -> u8 {
    CP037_TO_LATIN1[b as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_byte() {
        for cp in [CodePage::Cp037, CodePage::Bracket] {
            for b in 0..=255u8 {
                assert_eq!(cp.from_char(cp.to_char(b)), b, "{cp:?} {b:02X}");
            }
        }
    }

    #[test]
    fn known_points() {
        assert_eq!(from_str("HELLO 09"), [0xC8, 0xC5, 0xD3, 0xD3, 0xD6, 0x40, 0xF0, 0xF9]);
        assert_eq!(CodePage::Cp037.to_char(0xBA), '[');
        assert_eq!(CodePage::Cp037.to_char(0x4A), '\u{a2}');
        assert_eq!(CodePage::Bracket.to_char(0xAD), '[');
        assert_eq!(CodePage::Bracket.to_char(0xBD), ']');
        assert_eq!(CodePage::Bracket.from_char('['), 0xAD);
        assert_eq!(CodePage::Cp037.from_char('\u{263a}'), 0x6F);
    }
}
