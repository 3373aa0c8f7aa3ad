//! The disassembler: storage to mnemonics and operands, from [`crate::opcode::OPCODES`]
//! (and [`crate::opcode::EXTENDED`] for the branch masks of BC and BCR).
//!
//! Operands are written in explicit assembler syntax (`1,8(0,12)`, `0(4,13),16(10)`), so
//! the output assembles back to the same bytes. Bytes that are no instruction come out as
//! `DC X'...'`, two, four or six bytes as their first byte's length code says.
//!
//! ```
//! use s370::disasm::{decode, Options};
//! let d = decode(&[0x58, 0x10, 0xC0, 0x0E], 0x1000, &Options::default()).unwrap();
//! assert_eq!((d.mnemonic.as_str(), d.operands.as_str(), d.len), ("L", "1,14(0,12)", 4));
//! ```

use std::fmt::Write;

use crate::format::length_of;
use crate::opcode::{EXTENDED, Format, Op, lookup};

/// How to disassemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Show BC and BCR with extended mnemonics (`BE`, `BNZR`, `B`, `NOP`).
    pub extended: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { extended: true }
    }
}

/// One decoded instruction.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The mnemonic (`DC` for bytes that are no instruction).
    pub mnemonic: String,
    /// The operands in assembler syntax.
    pub operands: String,
    /// The instruction's length in bytes (2, 4 or 6).
    pub len: usize,
    /// The opcode table entry, if it is an instruction.
    pub op: Option<&'static Op>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Decodes the instruction at the start of `bytes`, which sits at address `addr` (unused by
/// S/370 formats, which have no relative operands, but part of the interface for tracers).
/// `None` when `bytes` is shorter than the instruction the first byte announces.
pub fn decode(bytes: &[u8], addr: u32, opts: &Options) -> Option<Decoded> {
    let _ = addr;
    let first = *bytes.first()?;
    let len = length_of(first) as usize;
    let b = bytes.get(..len)?;
    let Some(op) = lookup(first, b[1]) else {
        return Some(Decoded {
            mnemonic: "DC".into(),
            operands: format!("X'{}'", hex(b)),
            len,
            op: None,
        });
    };
    let n = |k: usize| u32::from(b[k]);
    let (hi1, lo1) = (n(1) >> 4, n(1) & 15);
    let bd = |k: usize| (n(k) >> 4, (n(k) & 15) << 8 | n(k + 1));
    let mut mnemonic = op.mnemonic.to_string();
    let ext = |base: &str, mask: u32| {
        EXTENDED.iter().find(|e| e.base == base && u32::from(e.mask) == mask).map(|e| e.mnemonic)
    };
    let operands = match op.format {
        Format::Rr => format!("{hi1},{lo1}"),
        Format::RrR1 => format!("{hi1}"),
        Format::RrM => match ext("BCR", hi1).filter(|_| opts.extended) {
            Some(m) => {
                mnemonic = m.to_string();
                format!("{lo1}")
            }
            None => format!("{hi1},{lo1}"),
        },
        Format::I => format!("{}", n(1)),
        Format::Rx | Format::RxM => {
            let (b2, d2) = bd(2);
            let addr = format!("{d2}({lo1},{b2})");
            match ext("BC", hi1).filter(|_| opts.extended && op.format == Format::RxM) {
                Some(m) => {
                    mnemonic = m.to_string();
                    addr
                }
                None => format!("{hi1},{addr}"),
            }
        }
        Format::Rs | Format::RsMask | Format::Diag => {
            let (b2, d2) = bd(2);
            format!("{hi1},{lo1},{d2}({b2})")
        }
        Format::RsShift => {
            let (b2, d2) = bd(2);
            format!("{hi1},{d2}({b2})")
        }
        Format::Si => {
            let (b1, d1) = bd(2);
            format!("{d1}({b1}),{}", n(1))
        }
        Format::S => {
            let (b2, d2) = bd(2);
            if (op.mnemonic == "IPK" || op.mnemonic == "PTLB") && b2 == 0 && d2 == 0 {
                String::new()
            } else {
                format!("{d2}({b2})")
            }
        }
        Format::Ss1 => {
            let ((b1, d1), (b2, d2)) = (bd(2), bd(4));
            format!("{d1}({},{b1}),{d2}({b2})", n(1) + 1)
        }
        Format::Ss2 => {
            let ((b1, d1), (b2, d2)) = (bd(2), bd(4));
            format!("{d1}({},{b1}),{d2}({},{b2})", hi1 + 1, lo1 + 1)
        }
        Format::Srp => {
            let ((b1, d1), (b2, d2)) = (bd(2), bd(4));
            format!("{d1}({},{b1}),{d2}({b2}),{lo1}", hi1 + 1)
        }
    };
    Some(Decoded { mnemonic, operands, len, op: Some(op) })
}

/// One line of a disassembly.
#[derive(Debug, Clone)]
pub struct Line {
    /// Address.
    pub addr: u32,
    /// The instruction's bytes.
    pub bytes: Vec<u8>,
    /// What they decode to.
    pub decoded: Decoded,
}

/// Disassembles `bytes`, which start at address `origin`. A trailing fragment shorter than
/// its instruction comes out as `DC X'...'`.
pub fn lines(bytes: &[u8], origin: u32, opts: &Options) -> Vec<Line> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < bytes.len() {
        let addr = origin.wrapping_add(k as u32);
        let decoded = decode(&bytes[k..], addr, opts).unwrap_or_else(|| Decoded {
            mnemonic: "DC".into(),
            operands: format!("X'{}'", hex(&bytes[k..])),
            len: bytes.len() - k,
            op: None,
        });
        let len = decoded.len;
        out.push(Line { addr, bytes: bytes[k..k + len].to_vec(), decoded });
        k += len;
    }
    out
}

/// Formats a disassembly as text: address, object code, mnemonic, operands.
pub fn format(bytes: &[u8], origin: u32, opts: &Options) -> String {
    let mut s = String::new();
    for l in lines(bytes, origin, opts) {
        let obj: Vec<String> = l.bytes.chunks(2).map(hex).collect();
        let text = format!(
            "{:06X}  {:<14}  {:<6}{}",
            l.addr & 0xFF_FFFF,
            obj.join(" "),
            l.decoded.mnemonic,
            l.decoded.operands
        );
        let _ = writeln!(s, "{}", text.trim_end());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(b: &[u8]) -> (String, String) {
        let x = decode(b, 0, &Options::default()).unwrap();
        (x.mnemonic, x.operands)
    }

    #[test]
    fn formats() {
        assert_eq!(d(&[0x18, 0x12]), ("LR".into(), "1,2".into()));
        assert_eq!(d(&[0x07, 0xFE]), ("BR".into(), "14".into()));
        assert_eq!(d(&[0x07, 0x00]), ("NOPR".into(), "0".into()));
        assert_eq!(d(&[0x47, 0x80, 0xC0, 0x10]), ("BE".into(), "16(0,12)".into()));
        assert_eq!(d(&[0x90, 0xEC, 0xD0, 0x0C]), ("STM".into(), "14,12,12(13)".into()));
        assert_eq!(d(&[0x92, 0x40, 0x10, 0x00]), ("MVI".into(), "0(1),64".into()));
        assert_eq!(d(&[0xD2, 0x07, 0x10, 0x00, 0x20, 0x08]), ("MVC".into(), "0(8,1),8(2)".into()));
        assert_eq!(
            d(&[0xF2, 0x73, 0x10, 0x00, 0x20, 0x08]),
            ("PACK".into(), "0(8,1),8(4,2)".into())
        );
        assert_eq!(
            d(&[0xF0, 0x25, 0x10, 0x00, 0x00, 0x03]),
            ("SRP".into(), "0(3,1),3(0),5".into())
        );
        assert_eq!(d(&[0xB2, 0x05, 0x10, 0x00]), ("STCK".into(), "0(1)".into()));
        assert_eq!(d(&[0xB2, 0x0D, 0x00, 0x00]), ("PTLB".into(), String::new()));
        assert_eq!(d(&[0x9C, 0x00, 0x00, 0xC0]), ("SIO".into(), "192(0)".into()));
        assert_eq!(d(&[0x00, 0x00]), ("DC".into(), "X'0000'".into()));
        assert_eq!(d(&[0xB2, 0x22, 0, 0]), ("DC".into(), "X'B2220000'".into()));
        assert!(decode(&[0x58, 0x10], 0, &Options::default()).is_none());
        let plain = decode(&[0x07, 0xFE], 0, &Options { extended: false }).unwrap();
        assert_eq!(plain.mnemonic, "BCR");
        assert_eq!(plain.operands, "15,14");
    }

    #[test]
    fn range_formatter() {
        let text = format(&[0x05, 0xC0, 0x58, 0x10, 0xC0, 0x0E, 0x07], 0x100, &Options::default());
        assert_eq!(
            text,
            "000100  05C0            BALR  12,0\n000102  5810 C00E       L     1,14(0,12)\n000106  07              DC    X'07'\n"
        );
    }
}
