//! Files written by `cms::fs` onto copies of IBM's R6 disks and onto a freshly formatted
//! Hercules image, checked by the independent reader `cmsfs.py` (list, info with no
//! problems, get byte-identical).

mod common;

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode, ebcdic};
use common::ckd::CkdImage;

const WHEN: Timestamp = Timestamp::new(2025, 11, 23, 21, 59);

fn id(s: &str) -> FileId {
    FileId::parse(s).unwrap().0
}

fn text(lines: &[&str], lrecl: Option<usize>) -> Vec<Vec<u8>> {
    lines
        .iter()
        .map(|l| {
            let mut e = ebcdic::encode(l);
            if let Some(n) = lrecl {
                e.resize(n, 0x40);
            }
            e
        })
        .collect()
}

/// Write a mix of files: F 80 text, V text, a binary V file, and a file of `big` blocks.
fn write_mix(disk: &mut CmsDisk<CkdImage>, big: usize) {
    let p1 = FileMode::parse("A1").unwrap();
    let lines: Vec<String> = (0..150).map(|i| format!("* LINE {i:04} OF A TEST FILE")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    disk.write_file(
        id("OURS EXEC"),
        p1,
        RecFm::F,
        80,
        WriteMode::New,
        text(&lines, Some(80)),
        WHEN,
    )
    .unwrap();
    disk.write_file(id("OURS MEMO"), p1, RecFm::V, 0, WriteMode::New, text(&lines, None), WHEN)
        .unwrap();
    let binary: Vec<Vec<u8>> =
        (0..40u32).map(|i| (0..(1 + i * 37)).map(|j| (i ^ j) as u8).collect()).collect();
    disk.write_file(
        id("OURS BIN"),
        FileMode::parse("A2").unwrap(),
        RecFm::V,
        0,
        WriteMode::New,
        &binary,
        WHEN,
    )
    .unwrap();
    let rec: Vec<Vec<u8>> = (0..big).map(|i| vec![(i % 251) as u8; 800]).collect();
    disk.write_file(id("OURS BIG"), p1, RecFm::F, 800, WriteMode::New, &rec, WHEN).unwrap();
    disk.write_file(
        id("OURS MEMO"),
        p1,
        RecFm::V,
        0,
        WriteMode::Append,
        text(&["APPENDED"], None),
        WHEN,
    )
    .unwrap();
}

/// Save, and let cmsfs.py judge: no problems, the same listing, the same contents.
fn verify(disk: &mut CmsDisk<CkdImage>, tmp: &std::path::Path, name: &str) -> Option<()> {
    let report = disk.check().unwrap();
    assert!(report.is_clean(), "{name}: {:?}", report.problems);
    let image = common::save(disk.device(), tmp, name);
    let info = common::cmsfs_text(&image, &["info"])?;
    assert_eq!(common::json_number(&info, "problem_count"), 0, "{name}: {info}");
    let s = disk.status();
    assert_eq!(common::json_number(&info, "adtused"), u64::from(s.used), "{name}");
    assert_eq!(common::json_number(&info, "qmsk_bits_set"), u64::from(s.used), "{name}");
    assert_eq!(common::json_number(&info, "blocks_referenced"), u64::from(s.used), "{name}");
    assert_eq!(common::json_number(&info, "referenced_but_free_in_qmsk"), 0, "{name}");
    assert_eq!(common::json_number(&info, "adtleft"), u64::from(s.left), "{name}");
    let list = common::cmsfs_text(&image, &["list"])?;
    assert_eq!(common::listing(disk), list.lines().collect::<Vec<_>>(), "{name}");
    common::compare_with_cmsfs(disk, &image)?;
    Some(())
}

#[test]
fn writing_onto_copies_of_real_disks() {
    let tmp = tempfile::tempdir().unwrap();
    // 191: 65,531 blocks, QMSK in the MFD only (X'FFFF'); a 2,000-block file brings in the
    // ten extension blocks.
    let Some(path) = common::real_disk("cmsuser-191") else { return };
    let original = common::load(&path);
    let mut disk = CmsDisk::mount(common::load(&path)).unwrap();
    let untouched: Vec<FileId> = disk
        .files()
        .map(|f| f.id)
        .filter(|i| *i != id("HELLO C") && *i != id("TESTBLKS EXEC"))
        .collect();
    write_mix(&mut disk, 2000);
    assert_eq!(disk.status().qmsk_extensions, 10);
    disk.write_file(
        id("HELLO C"),
        FileMode::parse("P1").unwrap(),
        RecFm::V,
        0,
        WriteMode::Replace,
        text(&["int main() { return 0; }"], None),
        WHEN,
    )
    .unwrap();
    disk.erase(&id("TESTBLKS EXEC")).unwrap();
    disk.rename(&id("CMS EXEC"), &id("CMSOLD EXEC"), None).unwrap();
    let mut before = CmsDisk::mount(original).unwrap();
    for i in &untouched {
        let now = if *i == id("CMS EXEC") { id("CMSOLD EXEC") } else { *i };
        assert_eq!(disk.read_records(&now).unwrap(), before.read_records(i).unwrap(), "{i}");
    }
    if verify(&mut disk, tmp.path(), "191.ckd").is_none() {
        return;
    }

    // 192: X'FFFD' with ten extensions and seven FST blocks; 30 more files add an FST block.
    let Some(path) = common::real_disk("cmsuser-192") else { return };
    let mut disk = CmsDisk::mount(common::load(&path)).unwrap();
    let fst_blocks = disk.status().fst_blocks;
    for i in 0..30 {
        disk.write_file(
            id(&format!("NEW{i:02} DATA")),
            FileMode::parse("P1").unwrap(),
            RecFm::F,
            80,
            WriteMode::New,
            text(&[&format!("FILE {i}")], Some(80)),
            WHEN,
        )
        .unwrap();
    }
    assert!(disk.status().fst_blocks > fst_blocks);
    write_mix(&mut disk, 700);
    for i in (0..30).step_by(3) {
        disk.erase(&id(&format!("NEW{i:02} DATA"))).unwrap();
    }
    verify(&mut disk, tmp.path(), "192.ckd");

    // GCC 201: a one-cylinder disk nearly a fifth full.
    let Some(path) = common::real_disk("gcccms-201") else { return };
    let mut disk = CmsDisk::mount(common::load(&path)).unwrap();
    write_mix(&mut disk, 100);
    verify(&mut disk, tmp.path(), "201.ckd");
}

#[test]
fn a_freshly_formatted_image() {
    let tmp = tempfile::tempdir().unwrap();
    let mut disk = CmsDisk::format(CkdImage::new_3350(3), "NEWDSK").unwrap();
    assert_eq!(disk.status().blocks, 3 * 570);
    // 500 blocks: a first chain link, an Nth chain link past 60, another past 460.
    write_mix(&mut disk, 500);
    let saved = common::save(disk.device(), tmp.path(), "new.ckd");
    if let Some(info) = common::cmsfs_text(&saved, &["info"]) {
        assert_eq!(common::json_string(&info, "volid"), "NEWDSK");
        assert_eq!(common::json_string(&info, "format"), "CDF");
        assert_eq!(common::json_string(&info, "unit_type"), "0B");
        assert_eq!(common::json_number(&info, "cylinders"), 3);
        assert_eq!(common::json_number(&info, "adtcyl"), 3);
    }
    verify(&mut disk, tmp.path(), "new.ckd");
}
