//! `cms::fs` on in-memory disks: format layout, F and V records, chain links across the 60-
//! and 460-block boundaries, erase, rename, replace, append, disk full, and what a write
//! sequence cut off at every point leaves.

use cms::fs::{
    BLOCK_SIZE, Block, BlockDevice, CmsDisk, DeviceError, FileId, FileMode, FilePattern, FsError,
    Geometry, MAX_FILE_BLOCKS, MemDevice, RecFm, Timestamp, WriteMode, ebcdic,
};

const WHEN: Timestamp = Timestamp::new(1981, 4, 1, 13, 5);

fn a1() -> FileMode {
    FileMode::parse("A1").unwrap()
}

fn id(s: &str) -> FileId {
    FileId::parse(s).unwrap().0
}

fn disk(cyl: u32) -> CmsDisk<MemDevice> {
    CmsDisk::format(MemDevice::new(Geometry::ibm3350(cyl)), "TEST01").unwrap()
}

/// `n` F records of `lrecl` bytes, each different.
fn f_records(n: usize, lrecl: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| (0..lrecl).map(|j| (i * 7 + j * 13) as u8).collect()).collect()
}

fn block(d: &CmsDisk<MemDevice>, n: u32) -> Block {
    let o = (n as usize - 1) * BLOCK_SIZE;
    d.device().as_bytes()[o..o + BLOCK_SIZE].try_into().unwrap()
}

fn assert_clean(d: &mut CmsDisk<impl BlockDevice>) {
    let r = d.check().unwrap();
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.blocks_referenced, r.qmsk_bits_set);
    assert_eq!(r.adtused, r.qmsk_bits_set);
}

#[test]
fn format_writes_the_r6_layout() {
    let d = disk(1);
    let label = block(&d, 3);
    assert_eq!(&label[..10], &ebcdic::encode("CMS=TEST01")[..]);
    assert!(label[10..].iter().all(|&b| b == 0));
    let mfd = block(&d, 4);
    assert_eq!(&mfd[..6], &[0x00, 0x05, 0xFF, 0xFF, 0x00, 0x00]);
    let words: Vec<u32> = (0..5)
        .map(|i| u32::from_be_bytes(mfd[364 + 4 * i..368 + 4 * i].try_into().unwrap()))
        .collect();
    assert_eq!(words, [570, 5, 565, 0, 1]); // ADTNUM ADTUSED ADTLEFT ADTLAST ADTCYL
    assert_eq!(mfd[384], 0xF8); // blocks 1-5
    assert_eq!(mfd[599], 0x0B); // 3350
    assert!(block(&d, 5).iter().all(|&b| b == 0)); // the empty FST block
    let s = d.status();
    assert_eq!((s.label.as_str(), s.blocks, s.used, s.left, s.files), ("TEST01", 570, 5, 565, 0));
    // A 115-cylinder 3350 is capped at 65,531 blocks, as R6 does.
    let big = disk(115);
    assert_eq!(
        (big.status().blocks, big.status().cylinders, big.status().qmsk_extensions),
        (65531, 115, 0)
    );
    assert!(matches!(
        CmsDisk::format(MemDevice::from_bytes(Geometry::ibm3350(1), vec![0; 6 * 800]), "X"),
        Err(FsError::DeviceTooSmall)
    ));
    assert!(matches!(
        CmsDisk::format(MemDevice::new(Geometry::ibm3350(1)), "TOOLONG"),
        Err(FsError::InvalidFileId(_))
    ));
}

#[test]
fn f_and_v_files_round_trip_with_their_fsts() {
    let mut d = disk(1);
    let fix = f_records(25, 80);
    let f = d.write_file(id("A B"), a1(), RecFm::F, 80, WriteMode::New, &fix, WHEN).unwrap();
    assert_eq!((f.records, f.blocks, f.lrecl, f.write_pointer, f.read_pointer), (25, 3, 80, 26, 1));
    assert_eq!(
        f.first_chain_link, 6,
        "first chain link allocated before the data, as on IBM's disks"
    );
    assert_eq!(d.read_records(&id("a b")).unwrap(), fix);

    // V records whose halfword length straddles a block boundary: 2 + 797 = 799 bytes, then
    // the next length occupies bytes 799 and 800.
    let var: Vec<Vec<u8>> =
        vec![vec![1; 797], vec![2; 5], vec![3; 1500], vec![4; 1], vec![5; 65535]];
    let v = d
        .write_file(
            id("V FILE"),
            FileMode::parse("A2").unwrap(),
            RecFm::V,
            0,
            WriteMode::New,
            &var,
            WHEN,
        )
        .unwrap();
    assert_eq!((v.records, v.lrecl, v.recfm), (5, 65535, RecFm::V));
    assert_eq!(v.blocks as usize, (var.iter().map(|r| r.len() + 2).sum::<usize>()).div_ceil(800));
    assert_eq!(d.read_records(&id("v file")).unwrap(), var);
    assert_eq!(d.find(&id("v file")).unwrap().mode().unwrap().to_string(), "A2");
    assert_eq!(d.find(&id("v file")).unwrap().stamp.to_string(), "04/01/81 13:05");

    // Record-level errors leave the writer usable.
    let mut w = d.create(id("BAD RECS"), a1(), RecFm::F, 10, WriteMode::New).unwrap();
    assert!(matches!(w.write_record(b"short"), Err(FsError::InvalidRecord(_))));
    w.write_record(b"0123456789").unwrap();
    w.finish(WHEN).unwrap();
    let mut w = d.create(id("BAD V"), a1(), RecFm::V, 0, WriteMode::New).unwrap();
    assert!(matches!(w.write_record(b""), Err(FsError::InvalidRecord(_))));
    assert!(matches!(w.write_record(&vec![0; 65536]), Err(FsError::InvalidRecord(_))));
    drop(w);
    assert!(matches!(
        d.write_file(
            id("EMPTY F"),
            a1(),
            RecFm::F,
            80,
            WriteMode::New,
            Vec::<Vec<u8>>::new(),
            WHEN
        ),
        Err(FsError::InvalidRecord(_))
    ));
    assert!(d.find(&id("EMPTY F")).is_none() && d.find(&id("BAD V")).is_none());
    assert_clean(&mut d);
}

#[test]
fn reader_seeks_f_and_v() {
    let mut d = disk(1);
    let fix = f_records(300, 33);
    d.write_file(id("F SEEK"), a1(), RecFm::F, 33, WriteMode::New, &fix, WHEN).unwrap();
    let var: Vec<Vec<u8>> = (0..300).map(|i| vec![i as u8; 1 + i % 97]).collect();
    d.write_file(id("V SEEK"), a1(), RecFm::V, 0, WriteMode::New, &var, WHEN).unwrap();
    for (name, recs) in [("F SEEK", &fix), ("V SEEK", &var)] {
        let mut r = d.open(&id(name)).unwrap();
        for n in [250u32, 3, 300, 1] {
            r.seek(n).unwrap();
            assert_eq!(r.next().unwrap().unwrap(), recs[n as usize - 1], "{name} record {n}");
        }
        r.seek(301).unwrap();
        assert!(r.next().is_none());
    }
}

/// A file of `blocks` 800-byte F records: its chain links, read back, and checked.
fn big_file(d: &mut CmsDisk<MemDevice>, name: &str, blocks: usize) -> Vec<u16> {
    let recs = f_records(blocks, 800);
    let f = d.write_file(id(name), a1(), RecFm::F, 800, WriteMode::New, &recs, WHEN).unwrap();
    assert_eq!(f.blocks as usize, blocks);
    assert_eq!(d.read_records(&id(name)).unwrap(), recs);
    let fcl = block(d, u32::from(f.first_chain_link));
    let nth: Vec<u16> = (0..40)
        .map(|i| u16::from_be_bytes([fcl[2 * i], fcl[2 * i + 1]]))
        .take_while(|&a| a != 0)
        .collect();
    nth
}

#[test]
fn chain_links_across_the_60_and_460_block_boundaries() {
    let mut d = disk(29); // 16,530 blocks: room for the largest file
    assert_eq!(big_file(&mut d, "F60 X", 60).len(), 0);
    assert_eq!(big_file(&mut d, "F61 X", 61).len(), 1);
    assert_eq!(big_file(&mut d, "F460 X", 460).len(), 1);
    assert_eq!(big_file(&mut d, "F461 X", 461).len(), 2);
    assert_clean(&mut d);
    for n in ["F60 X", "F61 X", "F460 X", "F461 X"] {
        d.erase(&id(n)).unwrap();
    }
    assert_eq!(d.status().used, 5, "blocks 1-4 and one FST block");
    let nth = big_file(&mut d, "MAX FILE", MAX_FILE_BLOCKS as usize);
    assert_eq!(nth.len(), 40);
    assert_clean(&mut d);
    d.erase(&id("MAX FILE")).unwrap();
    let mut w = d.create(id("TOO BIG"), a1(), RecFm::F, 800, WriteMode::New).unwrap();
    let rec = vec![0u8; 800];
    let mut err = None;
    for _ in 0..=MAX_FILE_BLOCKS {
        if let Err(e) = w.write_record(&rec) {
            err = Some(e);
            break;
        }
    }
    assert_eq!(err, Some(FsError::FileTooLarge));
    assert_eq!(w.finish(WHEN), Err(FsError::FileTooLarge));
    assert_eq!(d.status().used, 5);
    assert_clean(&mut d);
}

#[test]
fn erase_rename_replace_append() {
    let mut d = disk(1);
    let before = d.status().used;
    d.write_file(id("ONE EXEC"), a1(), RecFm::F, 80, WriteMode::New, f_records(30, 80), WHEN)
        .unwrap();
    assert!(matches!(
        d.write_file(id("ONE EXEC"), a1(), RecFm::F, 80, WriteMode::New, f_records(1, 80), WHEN),
        Err(FsError::AlreadyExists(_))
    ));
    // Replace frees the old blocks.
    d.write_file(id("ONE EXEC"), a1(), RecFm::F, 80, WriteMode::Replace, f_records(5, 80), WHEN)
        .unwrap();
    assert_eq!(d.status().used, before + 2); // chain link + 1 data block
    assert_eq!(d.read_records(&id("ONE EXEC")).unwrap(), f_records(5, 80));
    // Append F: 5 x 80 = 400 bytes, the last block is partial and is rewritten elsewhere.
    let more = f_records(20, 80);
    let f =
        d.write_file(id("ONE EXEC"), a1(), RecFm::F, 80, WriteMode::Append, &more, WHEN).unwrap();
    assert_eq!((f.records, f.blocks), (25, 3));
    let mut all = f_records(5, 80);
    all.extend(more);
    assert_eq!(d.read_records(&id("ONE EXEC")).unwrap(), all);
    assert!(matches!(
        d.write_file(id("ONE EXEC"), a1(), RecFm::F, 40, WriteMode::Append, f_records(1, 40), WHEN),
        Err(FsError::InvalidRecord(_))
    ));
    // Append V; LRECL becomes the longest record.
    let v1: Vec<Vec<u8>> = vec![vec![9; 300]; 3];
    d.write_file(id("LOG V"), a1(), RecFm::V, 0, WriteMode::Append, &v1, WHEN).unwrap();
    let v2: Vec<Vec<u8>> = vec![vec![8; 700], vec![7; 10]];
    let f = d.write_file(id("LOG V"), a1(), RecFm::V, 0, WriteMode::Append, &v2, WHEN).unwrap();
    assert_eq!((f.records, f.lrecl), (5, 700));
    assert_eq!(d.read_records(&id("LOG V")).unwrap(), [v1, v2].concat());
    // Appending nothing changes nothing.
    let same = d
        .write_file(id("LOG V"), a1(), RecFm::V, 0, WriteMode::Append, Vec::<Vec<u8>>::new(), WHEN)
        .unwrap();
    assert_eq!(same, f);
    assert_clean(&mut d);

    // Rename, with and without a new mode number.
    let r =
        d.rename(&id("ONE EXEC"), &id("TWO EXEC"), Some(FileMode::parse("A2").unwrap())).unwrap();
    assert_eq!((r.id, r.mode().unwrap().number()), (id("TWO EXEC"), 2));
    assert!(d.find(&id("ONE EXEC")).is_none());
    assert_eq!(d.read_records(&id("TWO EXEC")).unwrap(), all);
    assert_eq!(
        d.rename(&id("TWO EXEC"), &id("LOG V"), None),
        Err(FsError::AlreadyExists(id("LOG V")))
    );
    assert_eq!(d.rename(&id("NONE X"), &id("Y Z"), None), Err(FsError::NotFound(id("NONE X"))));
    // Erase returns every block.
    d.erase(&id("TWO EXEC")).unwrap();
    d.erase(&id("LOG V")).unwrap();
    assert_eq!(d.erase(&id("LOG V")), Err(FsError::NotFound(id("LOG V"))));
    assert_eq!(d.status().used, before);
    assert_eq!(d.status().files, 0);
    assert_clean(&mut d);
}

#[test]
fn directory_grows_and_shrinks_by_fst_blocks_and_patterns_select() {
    let mut d = disk(2);
    for i in 0..45 {
        let t = if i % 3 == 0 { "EXEC" } else { "TEXT" };
        d.write_file(
            id(&format!("F{i:03} {t}")),
            a1(),
            RecFm::F,
            80,
            WriteMode::New,
            f_records(1, 80),
            WHEN,
        )
        .unwrap();
    }
    assert_eq!(d.status().fst_blocks, 3);
    assert_eq!(d.files().count(), 45);
    let p = FilePattern::parse("* exec a").unwrap();
    assert_eq!(d.matching(&p).count(), 15);
    let p = FilePattern::parse("F01* *").unwrap();
    assert_eq!(d.matching(&p).count(), 10);
    assert_eq!(d.matching(&FilePattern::parse("* * a2").unwrap()).count(), 0);
    for i in 20..40 {
        let t = if i % 3 == 0 { "EXEC" } else { "TEXT" };
        d.erase(&id(&format!("F{i:03} {t}"))).unwrap();
    }
    assert_eq!(d.status().fst_blocks, 2, "the emptied FST block is dropped");
    assert_eq!(d.files().count(), 25);
    // Reopen from the device: the same directory.
    let names: Vec<FileId> = d.files().map(|f| f.id).collect();
    let mut d = CmsDisk::mount(d.into_device()).unwrap();
    assert_eq!(d.files().map(|f| f.id).collect::<Vec<_>>(), names);
    assert_clean(&mut d);
}

#[test]
fn disk_full_is_its_own_error_and_changes_nothing() {
    let mut d = disk(1); // 570 blocks
    d.write_file(id("KEEP ME"), a1(), RecFm::V, 0, WriteMode::New, [b"precious".to_vec()], WHEN)
        .unwrap();
    let used = d.status().used;
    let r = d.write_file(
        id("HUGE FILE"),
        a1(),
        RecFm::F,
        800,
        WriteMode::New,
        f_records(600, 800),
        WHEN,
    );
    assert_eq!(r, Err(FsError::DiskFull));
    assert_eq!(d.status().used, used);
    assert!(d.find(&id("HUGE FILE")).is_none());
    assert_clean(&mut d);
    // Fill it exactly, then one record more fails.
    let mut n = 0;
    loop {
        match d.write_file(
            id(&format!("FILL{n} X")),
            a1(),
            RecFm::F,
            800,
            WriteMode::New,
            f_records(50, 800),
            WHEN,
        ) {
            Ok(_) => n += 1,
            Err(e) => {
                assert_eq!(e, FsError::DiskFull);
                break;
            }
        }
    }
    assert!(n >= 9);
    while d
        .write_file(id("LAST X"), a1(), RecFm::F, 800, WriteMode::Append, f_records(1, 800), WHEN)
        .is_ok()
    {}
    assert_eq!(
        d.write_file(id("LAST X"), a1(), RecFm::F, 800, WriteMode::Append, f_records(1, 800), WHEN),
        Err(FsError::DiskFull)
    );
    assert!(d.status().left <= 2, "left {}", d.status().left);
    assert_eq!(d.read_records(&id("KEEP ME")).unwrap(), [b"precious".to_vec()]);
    assert_clean(&mut d);
}

#[test]
fn a_dropped_writer_leaves_no_trace() {
    let mut d = disk(1);
    let before = d.device().clone();
    let mut w = d.create(id("HALF DONE"), a1(), RecFm::F, 80, WriteMode::New).unwrap();
    for r in f_records(100, 80) {
        w.write_record(&r).unwrap();
    }
    drop(w);
    assert!(d.find(&id("HALF DONE")).is_none());
    assert_eq!(d.status().used, 5);
    // Data blocks were written into free space, but the MFD and FST blocks are unchanged.
    assert_eq!(block(&d, 4), before.as_bytes()[3 * 800..4 * 800]);
    assert_clean(&mut d);
}

/// A device whose writes fail after `limit` of them (a write sequence cut off).
struct CutOff {
    inner: MemDevice,
    limit: usize,
    done: usize,
}

impl BlockDevice for CutOff {
    fn geometry(&self) -> Geometry {
        self.inner.geometry()
    }
    fn block_count(&self) -> u32 {
        self.inner.block_count()
    }
    fn read_block(&mut self, n: u32, buf: &mut Block) -> Result<(), DeviceError> {
        self.inner.read_block(n, buf)
    }
    fn write_block(&mut self, n: u32, buf: &Block) -> Result<(), DeviceError> {
        if self.done >= self.limit {
            return Err(DeviceError::Io { block: n, message: "cut off".into() });
        }
        self.done += 1;
        self.inner.write_block(n, buf)
    }
}

type Op = fn(&mut CmsDisk<CutOff>) -> Result<(), FsError>;

/// Run `op` on a copy of `base` cut off after every possible number of writes; each time the
/// disk must mount, be clean, and hold exactly the old or exactly the new files.
fn cut_everywhere(base: &MemDevice, op: Op) {
    let listing = |d: &mut CmsDisk<MemDevice>| -> Vec<(FileId, Vec<Vec<u8>>)> {
        let ids: Vec<FileId> = d.files().map(|f| f.id).collect();
        ids.into_iter().map(|i| (i, d.read_records(&i).unwrap())).collect()
    };
    let mut old = CmsDisk::mount(base.clone()).unwrap();
    let old_files = listing(&mut old);
    let mut full =
        CmsDisk::mount(CutOff { inner: base.clone(), limit: usize::MAX, done: 0 }).unwrap();
    op(&mut full).unwrap();
    let writes = full.device().done;
    let mut new = CmsDisk::mount(full.into_device().inner).unwrap();
    let new_files = listing(&mut new);
    assert_ne!(old_files, new_files);
    for limit in 0..writes {
        let mut d = CmsDisk::mount(CutOff { inner: base.clone(), limit, done: 0 }).unwrap();
        assert!(op(&mut d).is_err(), "cut after {limit} of {writes} writes");
        let mut after = CmsDisk::mount(d.into_device().inner).unwrap();
        assert_clean(&mut after);
        let files = listing(&mut after);
        // Only the last write (the MFD) switches from old to new.
        assert_eq!(files, old_files, "cut after {limit} of {writes} writes");
    }
}

fn base_disk(cyl: u32) -> MemDevice {
    let mut d = disk(cyl);
    for i in 0..25 {
        let n = 1 + i * 7;
        d.write_file(
            id(&format!("FILE{i} DATA")),
            a1(),
            RecFm::F,
            80,
            WriteMode::New,
            f_records(n, 80),
            WHEN,
        )
        .unwrap();
    }
    // A file beyond block 1,720 on big disks, so that the QMSK has its extension blocks.
    if cyl > 3 {
        d.write_file(
            id("BIG FILE"),
            a1(),
            RecFm::F,
            800,
            WriteMode::New,
            f_records(1800, 800),
            WHEN,
        )
        .unwrap();
        assert_eq!(
            d.status().qmsk_extensions,
            cms::fs::MAX_DISK_BLOCKS.min(cyl * 570).div_ceil(8).saturating_sub(215).div_ceil(800)
                as usize
        );
    }
    d.into_device()
}

#[test]
fn a_cut_off_write_sequence_leaves_the_old_disk() {
    for cyl in [1, 115] {
        let base = base_disk(cyl);
        cut_everywhere(&base, |d| {
            d.write_file(
                id("NEW FILE"),
                a1(),
                RecFm::V,
                0,
                WriteMode::New,
                f_records(200, 50),
                WHEN,
            )
            .map(drop)
        });
        cut_everywhere(&base, |d| {
            d.write_file(
                id("FILE3 DATA"),
                a1(),
                RecFm::F,
                80,
                WriteMode::Replace,
                f_records(90, 80),
                WHEN,
            )
            .map(drop)
        });
        cut_everywhere(&base, |d| {
            d.write_file(
                id("FILE4 DATA"),
                a1(),
                RecFm::F,
                80,
                WriteMode::Append,
                f_records(3, 80),
                WHEN,
            )
            .map(drop)
        });
        cut_everywhere(&base, |d| d.erase(&id("FILE20 DATA")));
        cut_everywhere(&base, |d| d.rename(&id("FILE1 DATA"), &id("RENAMED DATA"), None).map(drop));
    }
}

#[test]
fn extensions_come_and_go_with_blocks_beyond_1720() {
    let mut d = disk(115);
    assert_eq!(d.status().qmsk_extensions, 0);
    d.write_file(id("BIG FILE"), a1(), RecFm::F, 800, WriteMode::New, f_records(1800, 800), WHEN)
        .unwrap();
    assert_eq!(d.status().qmsk_extensions, 10);
    assert_clean(&mut d);
    d.erase(&id("BIG FILE")).unwrap();
    assert_eq!(d.status().qmsk_extensions, 0);
    assert_eq!(d.status().used, 5);
    assert_clean(&mut d);
}
