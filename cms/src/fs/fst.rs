//! The 40-byte file status table entry (FST) and its fields.
//!
//! ```text
//!  0 FSTFNAME  CL8   8 FSTFTYPE CL8   16 FSTDATEW  MMDD (BCD)  18 FSTTIMEW HHMM (BCD)
//! 20 FSTWRPNT  H    22 FSTRDPNT H     24 FSTFMODE  CL2         26 FSTRECCT H (items)
//! 28 FSTFCLPT  H (first chain link)   30 FSTRECFM  C'F'/C'V'   31 FSTFLAGS X
//! 32 FSTLRECL  F    36 FSTBLKCT H     38 FSTYEARW  CL2 (EBCDIC digits)
//! ```
//! (VM/370 R6 Data Areas and Control Block Logic, FSTD.)

use core::fmt;

use super::fileid::{FileId, FileMode, Name};

/// Bytes in an FST entry.
pub const FST_SIZE: usize = 40;

/// A record format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecFm {
    /// Fixed: every record is LRECL bytes.
    F,
    /// Variable: each record is a halfword length and that many bytes; LRECL is the longest.
    V,
    /// Neither `F` nor `V` (a damaged FST); the byte as found.
    Unknown(u8),
}

impl RecFm {
    /// The FSTRECFM byte.
    pub const fn to_ebcdic(self) -> u8 {
        match self {
            RecFm::F => 0xC6,
            RecFm::V => 0xE5,
            RecFm::Unknown(b) => b,
        }
    }

    /// From the FSTRECFM byte.
    pub const fn from_ebcdic(b: u8) -> RecFm {
        match b {
            0xC6 => RecFm::F,
            0xE5 => RecFm::V,
            b => RecFm::Unknown(b),
        }
    }
}

impl fmt::Display for RecFm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecFm::F => f.write_str("F"),
            RecFm::V => f.write_str("V"),
            RecFm::Unknown(b) => write!(f, "?{b:02X}"),
        }
    }
}

/// When a file was last written, as the FST records it (two-digit year, minute resolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Year within the century, 0-99.
    pub year: u8,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute, 0-59.
    pub minute: u8,
}

impl Timestamp {
    /// A time stamp; the year may be given in full (only its last two digits are kept).
    pub const fn new(year: u32, month: u8, day: u8, hour: u8, minute: u8) -> Timestamp {
        Timestamp { year: (year % 100) as u8, month, day, hour, minute }
    }
}

impl fmt::Display for Timestamp {
    /// `MM/DD/YY HH:MM`, as LISTFILE shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}/{:02}/{:02} {:02}:{:02}",
            self.month, self.day, self.year, self.hour, self.minute
        )
    }
}

fn to_bcd(v: u8) -> u8 {
    ((v / 10 % 10) << 4) | (v % 10)
}

/// BCD to binary; a nibble above 9 (a damaged FST) still gives a number, never a panic.
fn from_bcd(b: u8) -> u8 {
    (b >> 4) * 10 + (b & 0x0F)
}

/// One file's directory entry, decoded. Every field of the 40 bytes is kept, so
/// `Fst::from_bytes(b).to_bytes() == b` for any bytes whose date, time and year are decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fst {
    /// Filename and filetype.
    pub id: FileId,
    /// FSTFMODE as written (EBCDIC letter and digit, e.g. `C'P1'`); see [`Fst::mode`].
    pub mode_raw: [u8; 2],
    /// Record format.
    pub recfm: RecFm,
    /// Record length (F) or longest record (V).
    pub lrecl: u32,
    /// Number of records (items).
    pub records: u16,
    /// Number of 800-byte data blocks (chain links not counted).
    pub blocks: u16,
    /// Date and time last written.
    pub stamp: Timestamp,
    /// Block number of the first chain link (0 when the file has no blocks).
    pub first_chain_link: u16,
    /// FSTWRPNT: the item number the next write goes to (records + 1 on disk).
    pub write_pointer: u16,
    /// FSTRDPNT: the next item to read (1 on disk).
    pub read_pointer: u16,
    /// FSTFLAGS (in-storage state; 0 on disk).
    pub flags: u8,
}

impl Fst {
    /// Decode an FST entry (any 40 bytes decode; nothing is validated here).
    pub fn from_bytes(b: &[u8; FST_SIZE]) -> Fst {
        let h = |o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
        let mut fname = [0; 8];
        let mut ftype = [0; 8];
        fname.copy_from_slice(&b[0..8]);
        ftype.copy_from_slice(&b[8..16]);
        let year = from_bcd(((b[38] & 0x0F) << 4) | (b[39] & 0x0F));
        Fst {
            id: FileId { fname: Name::from_ebcdic(fname), ftype: Name::from_ebcdic(ftype) },
            stamp: Timestamp {
                year,
                month: from_bcd(b[16]),
                day: from_bcd(b[17]),
                hour: from_bcd(b[18]),
                minute: from_bcd(b[19]),
            },
            write_pointer: h(20),
            read_pointer: h(22),
            mode_raw: [b[24], b[25]],
            records: h(26),
            first_chain_link: h(28),
            recfm: RecFm::from_ebcdic(b[30]),
            flags: b[31],
            lrecl: u32::from_be_bytes([b[32], b[33], b[34], b[35]]),
            blocks: h(36),
        }
    }

    /// Encode the 40 bytes.
    pub fn to_bytes(&self) -> [u8; FST_SIZE] {
        let mut b = [0u8; FST_SIZE];
        b[0..8].copy_from_slice(self.id.fname.as_ebcdic());
        b[8..16].copy_from_slice(self.id.ftype.as_ebcdic());
        b[16] = to_bcd(self.stamp.month);
        b[17] = to_bcd(self.stamp.day);
        b[18] = to_bcd(self.stamp.hour);
        b[19] = to_bcd(self.stamp.minute);
        b[20..22].copy_from_slice(&self.write_pointer.to_be_bytes());
        b[22..24].copy_from_slice(&self.read_pointer.to_be_bytes());
        b[24..26].copy_from_slice(&self.mode_raw);
        b[26..28].copy_from_slice(&self.records.to_be_bytes());
        b[28..30].copy_from_slice(&self.first_chain_link.to_be_bytes());
        b[30] = self.recfm.to_ebcdic();
        b[31] = self.flags;
        b[32..36].copy_from_slice(&self.lrecl.to_be_bytes());
        b[36..38].copy_from_slice(&self.blocks.to_be_bytes());
        b[38] = 0xF0 | (self.stamp.year / 10 % 10);
        b[39] = 0xF0 | (self.stamp.year % 10);
        b
    }

    /// The file mode recorded in the FST, if it is a letter and a digit 0-6.
    pub fn mode(&self) -> Option<FileMode> {
        FileMode::from_ebcdic(self.mode_raw)
    }

    /// The mode number, if the FST holds a valid one.
    pub fn mode_number(&self) -> Option<u8> {
        self.mode().map(FileMode::number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TESTCMD MODULE P1 from IBM's CMSUSER 191 disk (block 15, slot 6).
    const TESTCMD_MODULE: [u8; 40] = [
        0xE3, 0xC5, 0xE2, 0xE3, 0xC3, 0xD4, 0xC4, 0x40, 0xD4, 0xD6, 0xC4, 0xE4, 0xD3, 0xC5, 0x40,
        0x40, 0x08, 0x08, 0x09, 0x29, 0x00, 0x04, 0x00, 0x01, 0xD7, 0xF1, 0x00, 0x03, 0x00, 0x12,
        0xE5, 0x00, 0x00, 0x00, 0x09, 0xF8, 0x00, 0x04, 0xF1, 0xF4,
    ];

    #[test]
    fn decodes_a_real_fst_and_round_trips() {
        let f = Fst::from_bytes(&TESTCMD_MODULE);
        assert_eq!(f.id.to_string(), "TESTCMD MODULE");
        assert_eq!(f.mode().unwrap().to_string(), "P1");
        assert_eq!(f.recfm, RecFm::V);
        assert_eq!((f.lrecl, f.records, f.blocks, f.first_chain_link), (2552, 3, 4, 18));
        assert_eq!((f.write_pointer, f.read_pointer, f.flags), (4, 1, 0));
        assert_eq!(f.stamp, Timestamp::new(2014, 8, 8, 9, 29));
        assert_eq!(f.stamp.to_string(), "08/08/14 09:29");
        assert_eq!(f.to_bytes(), TESTCMD_MODULE);
    }

    #[test]
    fn damaged_fields_decode_without_panicking() {
        let f = Fst::from_bytes(&[0xFF; 40]);
        assert_eq!(f.recfm, RecFm::Unknown(0xFF));
        assert_eq!(f.mode(), None);
        assert_eq!(f.stamp.month, 165);
    }
}
