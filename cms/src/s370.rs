//! The S/370 CMS: the nucleus image assembled at build time from `cms/s370/` (see
//! `cms/s370/README.md`), with its entry point and what CP writes on the system disk.
//!
//! CP makes the built-in saved system `CMS` from [`image`]: the pages from address 0, the
//! PSW `X'00040000'` + [`ENTRY`] (BC mode, key 0, disabled), and R2 = the ready-message style
//! (0 `R;`, 1 `Ready;`). For `IPL 190` CP writes the same pages on the system disk, one
//! 4096-byte record per page in cylinders outside the CMS file system, and [`ipl_records`]
//! (blocks 1 and 2) whose bootstrap reads them and starts the nucleus with the same storage,
//! registers and PSW (`cms/doc/sysdisk.md`).

include!(concat!(env!("OUT_DIR"), "/cms370.rs"));

static IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cms370.bin"));
static IPLBOOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/iplboot.bin"));

/// The nucleus image: storage from address 0 up to [`END`] (low storage with its new PSWs,
/// the nucleus, the resident programs).
pub fn image() -> &'static [u8] {
    IMAGE
}

/// Bytes per nucleus record on the system disk: one page.
pub const NUCLEUS_RECORD: usize = 4096;

/// The pages of the nucleus image, i.e. the 4096-byte records it takes on the system disk.
pub fn nucleus_pages() -> usize {
    IMAGE.len().div_ceil(NUCLEUS_RECORD)
}

/// Page `n` of the nucleus image, zero-padded to [`NUCLEUS_RECORD`] bytes (zeros past the
/// end of the image).
pub fn nucleus_page(n: usize) -> [u8; NUCLEUS_RECORD] {
    let mut page = [0u8; NUCLEUS_RECORD];
    let from = (n * NUCLEUS_RECORD).min(IMAGE.len());
    let to = (from + NUCLEUS_RECORD).min(IMAGE.len());
    page[..to - from].copy_from_slice(&IMAGE[from..to]);
    page
}

/// Where the nucleus is on a system disk, as the bootstrap in the IPL records needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NucleusLocation {
    /// The first cylinder (relative to the minidisk) of the nucleus records; page `n` is
    /// record `n mod records_per_track + 1` of track `n div records_per_track` from there.
    pub cylinder: u16,
    /// Tracks per cylinder of the device.
    pub heads: u16,
    /// [`NUCLEUS_RECORD`]-byte records per track.
    pub records_per_track: u16,
    /// Pages to read ([`nucleus_pages`]).
    pub pages: u16,
    /// The ready-message style the bootstrap puts in R2: false `R;`, true `Ready;`.
    pub ready_long: bool,
}

/// The IPL records of a system disk (blocks 1 and 2, cylinder 0 track 0 records 1 and 2,
/// 800 bytes each): record 1 holds the IPL PSW and a CCW that reads record 2, the bootstrap,
/// to X'20000'; the bootstrap reads the nucleus from `at` and starts it as the saved system
/// starts.
pub fn ipl_records(at: &NucleusLocation) -> [[u8; 800]; 2] {
    let mut r = [[0u8; 800]; 2];
    r[0].copy_from_slice(&IPLBOOT[..800]);
    r[1].copy_from_slice(&IPLBOOT[800..1600]);
    let p = IPL_PARM_OFFSET - 800;
    let parm = &mut r[1][p..p + 12];
    parm[0..2].copy_from_slice(&at.cylinder.to_be_bytes());
    parm[2..4].copy_from_slice(&at.heads.to_be_bytes());
    parm[4..6].copy_from_slice(&at.records_per_track.to_be_bytes());
    parm[6..8].copy_from_slice(&at.pages.to_be_bytes());
    parm[8..12].copy_from_slice(&u32::from(at.ready_long).to_be_bytes());
    r
}

/// The initial PSW of the saved system: BC mode, key 0, machine checks on, I/O and external
/// interruptions off, at [`ENTRY`].
pub const fn initial_psw() -> u64 {
    0x0004_0000_0000_0000 | ENTRY as u64
}
