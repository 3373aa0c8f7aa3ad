//! The CMS system disk (MAINT's 190, the S-disk) of a fresh system: a CMS file system holding
//! the system files, the nucleus in the last cylinders outside it, and IPL records that load
//! the nucleus, so that `IPL 190` starts CMS as `IPL CMS` does (`cms/doc/sysdisk.md`).
//!
//! Layout of an *n*-cylinder minidisk, as on R6 (where `FORMAT 190 S (RECOMP)` leaves the
//! cylinders past the file system to the nucleus):
//!
//! - cylinders `0 .. n-k`: the CMS file system, labelled [`SYSTEM_DISK_LABEL`], its blocks 1
//!   and 2 (cylinder 0 track 0 records 1 and 2) the IPL records of [`cms::s370::ipl_records`];
//! - cylinders `n-k .. n`: the nucleus, one 4096-byte record per page, page *p* record
//!   `p mod r + 1` of track `p div r` (r records per track: 4 on a 3350), *k* the fewest
//!   cylinders that hold it. The first of them is in the bootstrap's parameters and in the
//!   file [`NUCLEUS_MAP`] on the disk.

use std::sync::Arc;

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode};
use s370::devices::ckd::{Volume, track::Count};

use crate::config::ReadyMessage;
use crate::dasd::MinidiskBlocks;

/// The label of the system disk (R6's S-disk is `CMS190`).
pub const SYSTEM_DISK_LABEL: &str = "CMS190";

/// The file that records where the nucleus is and its landmarks: `CMSNUC MAP S2`, F 80.
pub const NUCLEUS_MAP: (&str, &str) = ("CMSNUC", "MAP");

/// The program macro library (`cms/s370/maclib/`), when it has members: `CMSLIB MACLIB S2`.
pub const MACLIB_FILE: (&str, &str) = ("CMSLIB", "MACLIB");

/// The owner and address of the system disk in the directory.
pub const SYSTEM_DISK: (&str, u16) = ("MAINT", 0x190);

/// The date the system files carry: the nucleus build date.
fn build_date() -> Timestamp {
    // BUILD_STAMP is "mm/dd/yy hh:mm".
    let s = cms::s370::BUILD_STAMP;
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u8>().ok()).unwrap_or(0);
    Timestamp::new(2000 + u32::from(n(6..8)), n(0..2), n(3..5), n(9..11), n(12..14))
}

/// Where the nucleus goes on an extent of `cylinders` cylinders of `vol`, or why it cannot.
pub fn nucleus_location(
    vol: &Volume,
    cylinders: u32,
    ready: ReadyMessage,
) -> Result<cms::s370::NucleusLocation, String> {
    let heads = vol.heads();
    let per_track = vol.dasd_type().records_per_track(0, cms::s370::NUCLEUS_RECORD as u16);
    let pages = cms::s370::nucleus_pages() as u32;
    if per_track == 0 {
        return Err("the device holds no 4096-byte records".into());
    }
    let nuc_cyls = pages.div_ceil(per_track).div_ceil(heads);
    if nuc_cyls + 1 > cylinders {
        return Err(format!(
            "{cylinders} cylinders hold no CMS file system besides the {nuc_cyls}-cylinder nucleus"
        ));
    }
    let small = |v: u32| u16::try_from(v).map_err(|_| format!("{v} is too large"));
    Ok(cms::s370::NucleusLocation {
        cylinder: small(cylinders - nuc_cyls)?,
        heads: small(heads)?,
        records_per_track: small(per_track)?,
        pages: small(pages)?,
        ready_long: ready == ReadyMessage::Ready,
    })
}

/// The text of [`NUCLEUS_MAP`]: where the nucleus is, its entry point and landmarks, the
/// resident programs.
pub fn nucleus_map(at: &cms::s370::NucleusLocation) -> Vec<String> {
    let mut lines = vec![
        format!("CMS VERSION 6.0 - {}", cms::s370::BUILD_STAMP),
        format!(
            "NUCLEUS CYLINDER {} PAGES {} RECORDS 4096 {} PER TRACK",
            at.cylinder, at.pages, at.records_per_track
        ),
        format!("ENTRY    DMSINIT  {:06X}", cms::s370::ENTRY),
        format!("END               {:06X}", cms::s370::END),
    ];
    for (name, addr) in cms::s370::LANDMARKS {
        lines.push(format!("SYMBOL   {name:<8} {addr:06X}"));
    }
    for (name, entry, len) in cms::s370::RESIDENT {
        lines.push(format!("RESIDENT {name:<8} {entry:06X} LENGTH {len:06X}"));
    }
    lines
}

/// A CMS macro library of `members` (name, source text) as F 80 records: a header record
/// (`LIBPDS`, two bytes zero, the member count and the directory's record number as
/// fullwords), each member's lines ended by a record starting X'61FFFF61', then the directory
/// of 16-byte entries (name, flags X'00000080', the member's first record number) — the
/// layout the project's assembler reads (`s370::asm`, `*.maclib` in a macro directory).
pub fn maclib_records(members: &[(&str, &str)]) -> Vec<Vec<u8>> {
    let card = |s: &str| {
        let mut r = s370::ebcdic::from_str(&format!("{s:<80}"));
        r.resize(80, 0x40);
        r
    };
    let mut recs: Vec<Vec<u8>> = vec![Vec::new()];
    let mut dir = Vec::new();
    for (name, text) in members {
        dir.push((name.to_ascii_uppercase(), recs.len() as u32 + 1));
        recs.extend(text.lines().map(card));
        let mut d = vec![0x40u8; 80];
        d[..4].copy_from_slice(&[0x61, 0xFF, 0xFF, 0x61]);
        recs.push(d);
    }
    let dir_item = recs.len() as u32 + 1;
    let mut entries = Vec::new();
    for (name, item) in dir {
        let mut n = s370::ebcdic::from_str(&format!("{name:<8}"));
        n.truncate(8);
        entries.extend_from_slice(&n);
        entries.extend_from_slice(&[0, 0, 0, 0x80]);
        entries.extend_from_slice(&item.to_be_bytes());
    }
    for chunk in entries.chunks(80) {
        let mut r = chunk.to_vec();
        r.resize(80, 0);
        recs.push(r);
    }
    let mut hdr = s370::ebcdic::from_str("LIBPDS");
    hdr.extend_from_slice(&[0, 0]);
    hdr.extend_from_slice(&(members.len() as u32).to_be_bytes());
    hdr.extend_from_slice(&dir_item.to_be_bytes());
    hdr.resize(80, 0);
    recs[0] = hdr;
    recs
}

/// Makes the extent `start .. start+cylinders` of `vol` the system disk: formats its file
/// system cylinders with 800-byte records and as an empty CMS disk, writes the system files,
/// the nucleus records and the IPL records.
pub fn write_system_disk(
    vol: &Arc<Volume>,
    start: u32,
    cylinders: u32,
    ready: ReadyMessage,
) -> Result<(), String> {
    let at = nucleus_location(vol, cylinders, ready)?;
    let fs_cyls = u32::from(at.cylinder);
    let md = MinidiskBlocks::new(Arc::clone(vol), start, fs_cyls);
    md.format_tracks()?;
    let mut disk = CmsDisk::format(md, SYSTEM_DISK_LABEL).map_err(|e| e.to_string())?;
    let when = build_date();
    let fs = |e: cms::fs::FsError| e.to_string();
    let id = FileId::new(NUCLEUS_MAP.0, NUCLEUS_MAP.1).map_err(|e| e.to_string())?;
    let mode = FileMode::new('A', 2).map_err(|e| e.to_string())?;
    let card = |l: &String| {
        let mut r = s370::ebcdic::from_str(&format!("{l:<80}"));
        r.truncate(80);
        r
    };
    let map: Vec<Vec<u8>> = nucleus_map(&at).iter().map(card).collect();
    disk.write_file(id, mode, RecFm::F, 80, WriteMode::New, &map, when).map_err(fs)?;
    if !cms::s370::MACLIB.is_empty() {
        let id = FileId::new(MACLIB_FILE.0, MACLIB_FILE.1).map_err(|e| e.to_string())?;
        let lib = maclib_records(cms::s370::MACLIB);
        disk.write_file(id, mode, RecFm::F, 80, WriteMode::New, &lib, when).map_err(fs)?;
    }
    for (name, source, deck) in cms::s370::SAMPLES {
        let src: Vec<Vec<u8>> = source.lines().map(|l| card(&l.to_string())).collect();
        let id = FileId::new(name, "ASSEMBLE").map_err(|e| e.to_string())?;
        disk.write_file(id, mode, RecFm::F, 80, WriteMode::New, &src, when).map_err(fs)?;
        let text: Vec<Vec<u8>> = deck.chunks(80).map(<[u8]>::to_vec).collect();
        let id = FileId::new(name, "TEXT").map_err(|e| e.to_string())?;
        disk.write_file(id, mode, RecFm::F, 80, WriteMode::New, &text, when).map_err(fs)?;
    }
    let mut dev = disk.into_device();
    let [r1, r2] = cms::s370::ipl_records(&at);
    use cms::fs::BlockDevice as _;
    dev.write_block(1, &r1).map_err(|e| e.to_string())?;
    dev.write_block(2, &r2).map_err(|e| e.to_string())?;
    write_nucleus(vol, start, &at)
}

/// Writes the nucleus pages as 4096-byte records on the tracks of its cylinders (every track
/// of them, erased first).
fn write_nucleus(vol: &Volume, start: u32, at: &cms::s370::NucleusLocation) -> Result<(), String> {
    let per_track = u32::from(at.records_per_track);
    let tracks = u32::from(at.pages).div_ceil(per_track);
    let dt = vol.dasd_type();
    for t in 0..tracks {
        let cyl = start + u32::from(at.cylinder) + t / vol.heads();
        let head = t % vol.heads();
        vol.edit_track(cyl, head, |trk| {
            let mut range = trk.truncate_after(Some(0));
            for r in 0..per_track {
                let page = t * per_track + r;
                if page >= u32::from(at.pages) {
                    break;
                }
                if !trk.fits(&dt, 0, cms::s370::NUCLEUS_RECORD as u16) {
                    return Err("track full".to_string());
                }
                let c = Count {
                    cyl: cyl as u16,
                    head: head as u16,
                    rec: (r + 1) as u8,
                    key_len: 0,
                    data_len: cms::s370::NUCLEUS_RECORD as u16,
                };
                let data = cms::s370::nucleus_page(page as usize);
                let w = trk.append(c, &[], &data).map_err(|_| "track full".to_string())?;
                range = range.start.min(w.start)..range.end.max(w.end);
            }
            Ok::<_, String>(range)
        })
        .map_err(|e| e.to_string())??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assembler_finds_macros_in_the_maclib_we_write() {
        let lib = maclib_records(&[
            ("HELLO", "         MACRO\n&L       HELLO\n&L       DC    C'HI'\n         MEND"),
            ("BYE", "         MACRO\n         BYE\n         DC    X'FF'\n         MEND"),
            ("REGDEF", "R7       EQU   7"),
        ]);
        assert!(lib.iter().all(|r| r.len() == 80));
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("CMSLIB.maclib"), lib.concat()).expect("write");
        let opts = s370::asm::Options::default().named("T").maclib(dir.path());
        // REGDEF is no macro: only the directory names it.
        let src = "T        START 0\n         COPY  REGDEF\n         HELLO\n         BYE\n         DC    AL1(R7)\n         END\n";
        let a = s370::asm::assemble(src, &opts).expect("assembles with the library's members");
        assert_eq!(a.image, [0xC8, 0xC9, 0xFF, 0x07]);
    }

    #[test]
    fn the_nucleus_needs_a_cylinder_and_leaves_the_rest_to_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.3350");
        let geometry = s370::devices::ckd::DasdType::by_name("3350").expect("3350");
        Volume::create(&path, geometry, 3, "SYS001").expect("create");
        let vol = Volume::open(&path, false).expect("open");
        let at = nucleus_location(&vol, 20, ReadyMessage::R).expect("fits");
        assert_eq!((at.cylinder, at.heads, at.records_per_track), (19, 30, 4));
        assert!(!at.ready_long);
        assert!(nucleus_location(&vol, 1, ReadyMessage::Ready).is_err());
    }
}
