//! Damaged disks give errors and problem reports, never panics or endless loops, and writing
//! on a damaged disk never changes a file that could be read before.

mod common;

use std::collections::BTreeMap;

use cms::fs::{
    BLOCK_SIZE, BlockDevice, CmsDisk, FileId, FileMode, FsError, Geometry, MemDevice, Owner,
    Problem, RecFm, Timestamp, WriteMode,
};
use proptest::prelude::*;

const WHEN: Timestamp = Timestamp::new(1980, 1, 2, 3, 4);

fn id(s: &str) -> FileId {
    FileId::parse(s).unwrap().0
}

fn a1() -> FileMode {
    FileMode::parse("A1").unwrap()
}

/// A two-cylinder disk with 30 small files and one of 500 blocks (three chain links).
fn synthetic() -> MemDevice {
    let mut d = CmsDisk::format(MemDevice::new(Geometry::ibm3350(2)), "DAMAGE").unwrap();
    for i in 0..30usize {
        let recs: Vec<Vec<u8>> =
            (0..(1 + i * 11)).map(|j| vec![(i + j) as u8; 1 + (j % 90)]).collect();
        let recfm = if i % 2 == 0 { RecFm::V } else { RecFm::F };
        let recs = if recfm == RecFm::F {
            recs.into_iter()
                .map(|mut r| {
                    r.resize(90, 0);
                    r
                })
                .collect()
        } else {
            recs
        };
        d.write_file(id(&format!("F{i} DATA")), a1(), recfm, 90, WriteMode::New, &recs, WHEN)
            .unwrap();
    }
    let big: Vec<Vec<u8>> = (0..500).map(|i| vec![i as u8; 800]).collect();
    d.write_file(id("BIG FILE"), a1(), RecFm::F, 800, WriteMode::New, &big, WHEN).unwrap();
    d.into_device()
}

fn poke(dev: &mut MemDevice, block: u32, offset: usize, bytes: &[u8]) {
    let at = (block as usize - 1) * BLOCK_SIZE + offset;
    dev.as_bytes_mut()[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Where the FST of `name` sits: (FST block, byte offset).
fn fst_at(dev: &MemDevice, name: &str) -> (u32, usize) {
    let want = id(name);
    let bytes = dev.as_bytes();
    let mfd = &bytes[3 * BLOCK_SIZE..4 * BLOCK_SIZE];
    for k in 0.. {
        let a = u16::from_be_bytes([mfd[2 * k], mfd[2 * k + 1]]);
        assert!(a < 0xFFFD, "{name} not found");
        let blk = &bytes[(a as usize - 1) * BLOCK_SIZE..a as usize * BLOCK_SIZE];
        for s in 0..20 {
            if blk[s * 40..s * 40 + 8] == want.fname.as_ebcdic()[..]
                && blk[s * 40 + 8..s * 40 + 16] == want.ftype.as_ebcdic()[..]
            {
                return (u32::from(a), s * 40);
            }
        }
    }
    unreachable!()
}

#[test]
fn bad_labels_and_mfds_do_not_mount() {
    let base = synthetic();
    let mut d = base.clone();
    poke(&mut d, 3, 0, &[0; 4]);
    assert_eq!(CmsDisk::mount(d).unwrap_err(), FsError::NotCms([0; 4]));
    let mut d = base.clone();
    poke(&mut d, 3, 3, &[0xF1]); // CMS1
    assert_eq!(CmsDisk::mount(d).unwrap_err(), FsError::Edf);
    let mut d = base.clone();
    poke(&mut d, 4, 0, &[0x11; 364]); // no sentinel
    assert!(matches!(CmsDisk::mount(d), Err(FsError::Corrupt(_))));
    let mut d = base.clone();
    poke(&mut d, 4, 364, &[0, 1, 0, 0]); // ADTNUM 65536 > device
    assert!(matches!(CmsDisk::mount(d), Err(FsError::Corrupt(_))));
    let mut d = base.clone();
    poke(&mut d, 4, 0, &[0, 2]); // an FST block in the IPL area
    assert!(matches!(CmsDisk::mount(d), Err(FsError::Corrupt(_))));
    let mut d = base.clone();
    let second = [d.as_bytes()[3 * 800 + 2], d.as_bytes()[3 * 800 + 3]];
    poke(&mut d, 4, 0, &second); // the same FST block twice
    assert!(matches!(CmsDisk::mount(d), Err(FsError::Corrupt(_))));
    let mut d = base.clone();
    poke(&mut d, 4, 0, &[0xFF, 0xFD, 0x00, 0x09, 0, 0]); // one extension on a 1,140-block disk
    assert!(matches!(CmsDisk::mount(d), Err(FsError::Corrupt(_))));
}

#[test]
fn damaged_files_are_reported_and_the_rest_still_read() {
    let base = synthetic();
    let mut d = base.clone();
    let (b, o) = fst_at(&d, "F3 DATA");
    poke(&mut d, b, o + 28, &[0xFF, 0xF0]); // first chain link beyond the disk
    let (b, o) = fst_at(&d, "F5 DATA");
    poke(&mut d, b, o + 36, &[0xFF, 0xFF]); // 65535 blocks
    let (b, o) = fst_at(&d, "F7 DATA");
    poke(&mut d, b, o + 26, &[0x7F, 0xFF]); // far more F records than blocks
    let (b, o) = fst_at(&d, "F8 DATA");
    poke(&mut d, b, o + 30, &[0xC1]); // RECFM 'A'
    let (b, o) = fst_at(&d, "F10 DATA");
    poke(&mut d, b, o + 26, &[0x7F, 0xFF]); // V items beyond the data
    let big = {
        let m = CmsDisk::mount(base.clone()).unwrap();
        m.find(&id("BIG FILE")).unwrap()
    };
    poke(&mut d, u32::from(big.first_chain_link), 0, &[0, 0]); // missing Nth chain link
    let f12 = {
        let m = CmsDisk::mount(base.clone()).unwrap();
        m.find(&id("F12 DATA")).unwrap().first_chain_link
    };
    let f14 = {
        let m = CmsDisk::mount(base.clone()).unwrap();
        m.find(&id("F14 DATA")).unwrap().first_chain_link
    };
    poke(&mut d, u32::from(f14), 80, &f12.to_be_bytes()); // F14's data block 1 = F12's chain link
    poke(&mut d, u32::from(f12), 80, &f12.to_be_bytes()); // F12 maps its own chain link: a cycle

    let mut disk = CmsDisk::mount(d).unwrap();
    assert_eq!(disk.files().count(), 31);
    for bad in ["F3 DATA", "F5 DATA", "F7 DATA", "F8 DATA", "BIG FILE"] {
        assert!(matches!(disk.read_records(&id(bad)), Err(FsError::Corrupt(_))), "{bad}");
    }
    assert!(matches!(disk.read_records(&id("F10 DATA")), Err(FsError::Corrupt(_))));
    let good = disk.read_records(&id("F9 DATA")).unwrap();
    assert_eq!(good.len(), 100);
    let r = disk.check().unwrap();
    assert!(!r.is_clean());
    let has = |pred: &dyn Fn(&Problem) -> bool| r.problems.iter().any(pred);
    assert!(has(&|p| matches!(p, Problem::BadChain { file, .. } if *file == id("F3 DATA"))));
    assert!(has(&|p| matches!(p, Problem::BadChain { file, .. } if *file == id("F5 DATA"))));
    assert!(has(&|p| matches!(p, Problem::BadChain { file, .. } if *file == id("BIG FILE"))));
    assert!(has(&|p| matches!(p, Problem::BadRecords { file, .. } if *file == id("F7 DATA"))));
    assert!(has(&|p| matches!(p, Problem::BadRecords { file, .. } if *file == id("F8 DATA"))));
    assert!(has(&|p| matches!(p, Problem::BadRecords { file, .. } if *file == id("F10 DATA"))));
    assert!(has(&|p| matches!(p, Problem::BlockUsedTwice { file, block, other: Owner::File(o) }
        if *file == id("F12 DATA") && *block == f12 && *o == id("F12 DATA"))));
    assert!(has(&|p| matches!(p, Problem::BlockUsedTwice { file, other: Owner::File(o), .. }
        if *file == id("F14 DATA") && *o == id("F12 DATA"))));
    assert!(has(&|p| matches!(p, Problem::UnreferencedInQmsk { .. })));
}

#[test]
fn writes_on_a_damaged_disk_spare_every_readable_file() {
    let base = synthetic();
    let mut d = base.clone();
    // Mark every block free in the QMSK (bytes 384..599 of the MFD): only the chains say what
    // is in use.
    poke(&mut d, 4, 384, &[0; 215]);
    let mut disk = CmsDisk::mount(d).unwrap();
    let before = readable(&mut disk);
    let recs: Vec<Vec<u8>> = (0..100).map(|i| vec![i as u8; 800]).collect();
    disk.write_file(id("NEW FILE"), a1(), RecFm::F, 800, WriteMode::New, &recs, WHEN).unwrap();
    disk.erase(&id("F2 DATA")).unwrap();
    let mut after = readable(&mut disk);
    after.remove(&id("NEW FILE"));
    let mut expect = before;
    expect.remove(&id("F2 DATA"));
    assert!(after == expect, "a readable file changed");
    // The QMSK now marks every block in use again: the disk is consistent.
    let r = disk.check().unwrap();
    assert!(r.is_clean(), "{:?}", r.problems);
}

#[test]
fn erasing_a_file_that_shares_a_block_spares_the_other_file() {
    let base = synthetic();
    let mut m = CmsDisk::mount(base.clone()).unwrap();
    let f14_data = m.open(&id("F14 DATA")).unwrap().data_blocks()[0];
    let f12_link = m.find(&id("F12 DATA")).unwrap().first_chain_link;
    let mut d = base;
    poke(&mut d, u32::from(f12_link), 80, &f14_data.to_be_bytes()); // F12 block 1 = F14 block 1
    let mut disk = CmsDisk::mount(d).unwrap();
    let f14 = disk.read_records(&id("F14 DATA")).unwrap();
    disk.erase(&id("F12 DATA")).unwrap();
    // First fit takes every block the erase freed, and more.
    let recs: Vec<Vec<u8>> = (0..60).map(|i| vec![i as u8 ^ 0x5A; 800]).collect();
    disk.write_file(id("NEW FILE"), a1(), RecFm::F, 800, WriteMode::New, &recs, WHEN).unwrap();
    assert_eq!(disk.read_records(&id("F14 DATA")).unwrap(), f14);
    assert_eq!(disk.read_records(&id("NEW FILE")).unwrap(), recs);
}

/// Every file that reads without error, by id (files with duplicate ids left out).
fn readable<D: BlockDevice>(disk: &mut CmsDisk<D>) -> BTreeMap<FileId, Vec<Vec<u8>>> {
    let mut count = BTreeMap::new();
    for f in disk.files() {
        *count.entry(f.id).or_insert(0) += 1;
    }
    count
        .into_iter()
        .filter(|&(_, n)| n == 1)
        .filter_map(|(i, _)| disk.read_records(&i).ok().map(|r| (i, r)))
        .collect()
}

/// The blocks worth damaging: label, MFD, FST blocks and every chain link.
fn structural_blocks(dev: &MemDevice) -> Vec<u32> {
    let mut d = CmsDisk::mount(dev.clone()).unwrap();
    let mut v = vec![3, 4];
    let fsts: Vec<_> = d.files().collect();
    let bytes = dev.as_bytes();
    for k in 0..182 {
        let a = u16::from_be_bytes([bytes[3 * 800 + 2 * k], bytes[3 * 800 + 2 * k + 1]]);
        if a >= 0xFFFD {
            break;
        }
        v.push(u32::from(a));
    }
    for f in fsts {
        v.push(u32::from(f.first_chain_link));
        let r = d.open(&f.id).unwrap();
        v.extend(r.data_blocks().iter().take(2).map(|&b| u32::from(b)));
    }
    v
}

/// Damage, then do everything: nothing may panic; whatever could be read before a write and is
/// not the file written or erased reads the same after.
fn exercise(dev: MemDevice) {
    let Ok(mut disk) = CmsDisk::mount(dev) else { return };
    let _ = disk.status();
    let before = readable(&mut disk);
    let _ = disk.check();
    let files: Vec<FileId> = disk.files().map(|f| f.id).collect();
    let mut touched = vec![id("PROP NEW")];
    let recs: Vec<Vec<u8>> = (0..70).map(|i| vec![i as u8; 700]).collect();
    let _ = disk.write_file(id("PROP NEW"), a1(), RecFm::V, 0, WriteMode::New, &recs, WHEN);
    if let Some(first) = files.first() {
        let _ = disk.erase(first);
        touched.push(*first);
    }
    if let Some(second) = files.get(1) {
        let _ = disk.write_file(
            *second,
            a1(),
            RecFm::V,
            0,
            WriteMode::Append,
            [b"MORE".to_vec()],
            WHEN,
        );
        touched.push(*second);
    }
    if let Some(third) = files.get(2) {
        let _ = disk.rename(third, &id("PROP RENAMED"), None);
        touched.push(*third);
        touched.push(id("PROP RENAMED"));
    }
    let _ = disk.check();
    let mut after = readable(&mut disk);
    let mut before = before;
    for t in &touched {
        before.remove(t);
        after.remove(t);
    }
    for (i, recs) in &before {
        if let Some(now) = after.get(i) {
            assert!(now == recs, "{i} changed");
        } else {
            panic!("{i} was readable and is not");
        }
    }
    // And the disk written by us mounts again.
    let _ = CmsDisk::mount(disk.into_device()).map(|mut d| d.check());
}

fn damage(base: &MemDevice, targets: &[u32], hits: &[(usize, bool, usize, u8, u8)]) -> MemDevice {
    let mut d = base.clone();
    let blocks = d.block_count();
    for &(pick, structural, offset, byte, len) in hits {
        let b = if structural { targets[pick % targets.len()] } else { 1 + (pick as u32 % blocks) };
        let off = offset % BLOCK_SIZE;
        let end = (off + usize::from(len % 4) + 1).min(BLOCK_SIZE);
        let bytes = vec![byte; end - off];
        poke(&mut d, b, off, &bytes);
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn random_damage_to_a_synthetic_disk(
        hits in prop::collection::vec((any::<usize>(), prop::bool::weighted(0.9), any::<usize>(), any::<u8>(), any::<u8>()), 1..12)
    ) {
        thread_local! {
            static BASE: (MemDevice, Vec<u32>) = {
                let b = synthetic();
                let t = structural_blocks(&b);
                (b, t)
            };
        }
        BASE.with(|(base, targets)| exercise(damage(base, targets, &hits)));
    }

    #[test]
    fn random_damage_to_a_real_disk(
        hits in prop::collection::vec((any::<usize>(), prop::bool::weighted(0.9), any::<usize>(), any::<u8>(), any::<u8>()), 1..12)
    ) {
        thread_local! {
            static BASE: Option<(MemDevice, Vec<u32>)> = common::real_disk("gcccms-202").map(|p| {
                let dev = common::load(&p).to_mem_device();
                let t = structural_blocks(&dev);
                (dev, t)
            });
        }
        BASE.with(|b| if let Some((base, targets)) = b { exercise(damage(base, targets, &hits)) });
    }
}
