//! Our S/370 CMS at work under CP, in milliseconds (issue 7's speed figures; nothing is
//! asserted): IPL to the ready message, LISTFILE on a disk of 1,000 files, and COPYFILE of a
//! 10 MB file — beside IBM's R6 CMS (../shared/data/vm370r6) where it can run. IBM's LISTFILE
//! and COPYFILE are MODULEs on the S-disk, which is not in the data, so for those only our
//! figure is printed.
//!
//!     flock /tmp/build.lock cargo run --release -p cp --example cms370_bench [-- runs]
//!
//! Both systems are the R6 configuration (`cp::defaults::r6`) on the same volumes; ours has
//! `SAVESYS CMS` pointed at the built-in S/370 CMS. The 195 disk (IBM's, copied) gets 1,000
//! small files and one 10 MB file (13,108 F 800 records: a CMS file has at most 65,535 records) written by `cms::fs` beforehand.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode};
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};
use s370::devices::ckd::Volume;

#[derive(Default)]
struct Screen(Mutex<Vec<String>>);

impl TermSink for Screen {
    fn line(&self, text: &str) {
        self.0.lock().expect("lock").push(text.to_string());
    }
    fn status(&self, _s: Status) {}
}

impl Screen {
    fn len(&self) -> usize {
        self.0.lock().expect("lock").len()
    }
    /// Waits for a line after `from` that `f` accepts; its index.
    fn wait(&self, from: usize, f: impl Fn(&str) -> bool) -> usize {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            if let Some(i) = self.0.lock().expect("lock").iter().skip(from).position(|l| f(l)) {
                return from + i;
            }
            assert!(Instant::now() < deadline, "no answer: {:?}", self.0.lock());
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(") || l.starts_with("Ready")
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The 195 copy with 1,000 small files and BIG DATA (10 MB).
fn prepare(volumes: &Path) {
    let data = shared().join("data/vm370r6");
    let vol = Volume::open_gz(
        &data.join("cmsuser-195.3350.ckd.gz"),
        &volumes.join("cmsuser-195.3350.ckd"),
    )
    .expect("copy of 195");
    let vol = Arc::new(vol);
    let mut disk =
        CmsDisk::mount(MinidiskBlocks::new(vol.clone(), 0, vol.cylinders())).expect("195");
    let when = Timestamp::new(2026, 11, 24, 12, 0);
    let mode = FileMode::new('A', 1).expect("A1");
    for i in 0..1000 {
        let id =
            FileId::new(&format!("F{i:04}"), if i % 2 == 0 { "EXEC" } else { "DATA" }).expect("id");
        let recs = (0..3).map(|j| vec![0xC1 + ((i + j) % 9) as u8; 80]);
        disk.write_file(id, mode, RecFm::F, 80, WriteMode::New, recs, when)
            .expect("write a small file");
    }
    let big = (0..13_108u32).map(|i| {
        let mut r = vec![0x40u8; 800];
        r[..4].copy_from_slice(&i.to_be_bytes());
        r
    });
    let id = FileId::new("BIG", "DATA").expect("id");
    disk.write_file(id, mode, RecFm::F, 800, WriteMode::New, big, when).expect("write BIG DATA");
}

struct Run {
    ipl: f64,
    listfile: Option<f64>,
    copyfile: Option<f64>,
}

fn run(ours: bool) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let cms = if ours { cp::defaults::r6::Cms::Ours } else { cp::defaults::r6::Cms::Ibm };
    cp::defaults::r6::write_files(dir.path(), cms).expect("write config");
    std::fs::create_dir_all(dir.path().join("volumes")).expect("volumes");
    prepare(&dir.path().join("volumes"));
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: Some(1),
    })
    .expect("the system starts");
    let screen = Arc::new(Screen::default());
    let t = Instant::now();
    let user = User::logon(&sys, "CMSR6", "CMSR6", Some(screen.clone())).expect("logon");
    let banner = screen.wait(0, |l| l.starts_with("CMS VERSION"));
    // Both CMSes read one line after the banner (ACCESS (NOPROF could be typed there); the
    // 300 ms before ENTER is not counted.
    std::thread::sleep(Duration::from_millis(300));
    user.input(&sys, "");
    screen.wait(banner, is_ready);
    let ipl = t.elapsed().as_secs_f64() * 1000.0 - 300.0;
    if !ours {
        user.logoff(&sys, false);
        return Run { ipl, listfile: None, copyfile: None };
    }
    let cmd = |line: &str| {
        let from = screen.len();
        let t = Instant::now();
        user.input(&sys, line);
        let end = screen.wait(from, is_ready);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let lines = screen.0.lock().expect("lock")[from..=end].to_vec();
        (ms, lines)
    };
    let (_, out) = cmd("ACCESS 195 D");
    assert!(out.last().is_some_and(|l| l.starts_with("R;")), "{out:?}");
    let (listfile, out) = cmd("LISTFILE * * D");
    assert!(out.len() > 1000, "LISTFILE listed {} lines", out.len());
    let (copyfile, out) = cmd("COPYFILE BIG DATA D BIG2 = D");
    assert!(out.last().is_some_and(|l| l.starts_with("R;")), "{out:?}");
    user.logoff(&sys, false);
    Run { ipl, listfile: Some(listfile), copyfile: Some(copyfile) }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if !shared().join("data/vm370r6/cmsuser-195.3350.ckd.gz").exists() {
        println!("skipped: ../shared/data/vm370r6 not present");
        return;
    }
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let ours: Vec<Run> = (0..runs).map(|_| run(true)).collect();
    let ibm: Vec<Run> = (0..runs).map(|_| run(false)).collect();
    let col = |v: &[Run], f: fn(&Run) -> Option<f64>| -> String {
        let xs: Vec<f64> = v.iter().filter_map(f).collect();
        if xs.is_empty() { "n/a".to_string() } else { format!("{:.1}", median(xs)) }
    };
    println!("S/370 CMS under CP, median of {runs} runs (ms)");
    println!("{:<34} {:>10} {:>10}", "work", "ours", "IBM R6");
    for (name, f) in [
        ("IPL CMS to the ready message", (|r: &Run| Some(r.ipl)) as fn(&Run) -> Option<f64>),
        ("LISTFILE * * D (1,000+ files)", |r: &Run| r.listfile),
        ("COPYFILE of a 10 MB file", |r: &Run| r.copyfile),
    ] {
        println!("{:<34} {:>10} {:>10}", name, col(&ours, f), col(&ibm, f));
    }
}
