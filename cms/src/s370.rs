//! The S/370 CMS: the nucleus image assembled at build time from `cms/s370/` (see
//! `cms/s370/README.md`), with its entry point and the files CP puts on the system disk.
//!
//! CP makes the built-in saved system `CMS` from [`image`]: the pages from address 0, the
//! PSW `X'00040000'` + [`ENTRY`] (BC mode, key 0, disabled), and R2 = the ready-message style
//! (0 `R;`, 1 `Ready;`). [`ipl_records`] are blocks 1 and 2 of a disk holding the nucleus file
//! [`NUCLEUS_FILE`], so that `IPL 190` starts the same nucleus.

include!(concat!(env!("OUT_DIR"), "/cms370.rs"));

static IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cms370.bin"));
static IPLBOOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/iplboot.bin"));

/// The nucleus image: storage from address 0 up to [`END`] (low storage with its new PSWs,
/// the nucleus, the resident programs).
pub fn image() -> &'static [u8] {
    IMAGE
}

/// The IPL records (blocks 1 and 2 of the S-disk, 800 bytes each): a PSW and channel program
/// that read the bootstrap, which loads the nucleus file and starts it.
pub fn ipl_records() -> &'static [u8] {
    IPLBOOT
}

/// The name under which the nucleus image is kept on the system disk (190), as fn, ft: an
/// F 4096 file of the storage image from address 0, one record per page.
pub const NUCLEUS_FILE: (&str, &str) = ("CMSNUC", "NUCLEUS");

/// The initial PSW of the saved system: BC mode, key 0, machine checks on, I/O and external
/// interruptions off, at [`ENTRY`].
pub const fn initial_psw() -> u64 {
    0x0004_0000_0000_0000 | ENTRY as u64
}
