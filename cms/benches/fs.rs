//! `cms::fs` speed: LISTFILE on a disk of 1,000 files and COPYFILE of a 10 MB file, on an
//! in-memory 3350 minidisk (115 cylinders). Prints figures; asserts nothing about time.
//!
//!     flock /tmp/build.lock cargo bench -p cms --bench fs

use std::hint::black_box;
use std::time::Instant;

use cms::fs::{
    CmsDisk, FileId, FileMode, FilePattern, Geometry, MemDevice, RecFm, Timestamp, WriteMode,
};

const WHEN: Timestamp = Timestamp::new(1981, 4, 1, 12, 0);

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let a1 = FileMode::parse("A1").expect("mode");
    let mut disk =
        CmsDisk::format(MemDevice::new(Geometry::ibm3350(115)), "BENCH").expect("format");

    let t = Instant::now();
    for i in 0..1000 {
        let id = FileId::new(&format!("FILE{i:04}"), if i % 2 == 0 { "EXEC" } else { "DATA" })
            .expect("id");
        let recs = (0..10).map(|j| vec![(i + j) as u8; 80]);
        disk.write_file(id, a1, RecFm::F, 80, WriteMode::New, recs, WHEN).expect("write");
    }
    println!("create 1,000 files of 10 records:      {:8.1} ms", ms(t));

    let dev = disk.into_device();
    let t = Instant::now();
    let mut disk = CmsDisk::mount(dev).expect("mount");
    println!("mount (1,000 files, 50 FST blocks):    {:8.2} ms", ms(t));
    let t = Instant::now();
    let mut listing: Vec<_> = disk.files().collect();
    listing.sort_by_key(|f| (f.id.ftype, f.id.fname));
    black_box(&listing);
    println!("LISTFILE * * A (1,000 files, sorted):  {:8.2} ms", ms(t));
    let t = Instant::now();
    let p = FilePattern::parse("FILE05* EXEC A").expect("pattern");
    let n = disk.matching(&p).count();
    println!("LISTFILE FILE05* EXEC A ({n} files):   {:8.2} ms", ms(t));

    // 10 MiB in 1,024-byte F records: 10,240 records, 13,108 blocks.
    let big = FileId::new("BIG", "DATA").expect("id");
    let t = Instant::now();
    let recs = (0..10240u32).map(|i| vec![i as u8; 1024]);
    disk.write_file(big, a1, RecFm::F, 1024, WriteMode::New, recs, WHEN).expect("write big");
    println!("write a 10 MB file:                    {:8.1} ms", ms(t));

    let t = Instant::now();
    let mut bytes = 0usize;
    let mut buf = Vec::new();
    let mut r = disk.open(&big).expect("open");
    while r.read_into(&mut buf).expect("read") {
        bytes += buf.len();
    }
    println!("read it ({bytes} bytes):           {:8.1} ms", ms(t));

    let t = Instant::now();
    let copy = FileId::new("COPY", "DATA").expect("id");
    let recs = disk.read_records(&big).expect("read");
    disk.write_file(copy, a1, RecFm::F, 1024, WriteMode::New, &recs, WHEN).expect("copy");
    println!("COPYFILE of the 10 MB file:            {:8.1} ms", ms(t));

    let t = Instant::now();
    disk.erase(&copy).expect("erase");
    println!("ERASE it:                              {:8.1} ms", ms(t));

    let t = Instant::now();
    let report = disk.check().expect("check");
    assert!(report.is_clean());
    println!("consistency check (whole disk):        {:8.1} ms", ms(t));
}
