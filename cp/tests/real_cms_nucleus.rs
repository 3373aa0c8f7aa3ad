//! IBM's VM/370 R6 CMS (the SixPack 1.2 build in ../shared/data/vm370r6) at work under our
//! CP: EXECs, nucleus file functions on a writable copy of the A-disk, DEBUG, a GCC-compiled
//! MODULE, file interchange with `cms::fs`, and the INDICATE figures of the session.
//!
//! Each test gets its own data directory: CP decompresses the images into `DIR/volumes/`
//! and the user's minidisks are those copies, so the A-disk (191) written here is a copy.
//! Files put there with `cms::fs` before CP starts are what real CMS finds; what real CMS
//! writes is read back with `cms::fs` after LOGOFF. Without the S-disk (190, not in the
//! data) the commands that are S-disk MODULEs (ACCESS, LISTFILE, RENAME, TYPE, QUERY…) end
//! with CMS's own `DMSMOD104S` message; the tests use what the nucleus and CMSSEG hold.

mod common;
use common::Screen;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode, ebcdic};
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::user::User;
use s370::devices::ckd::Volume;

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(") || l.starts_with("Ready")
}

fn data() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/vm370r6");
    p.join("CMS.segment").exists().then_some(p)
}

/// A logged-on CMSR6 at CMS's ready prompt.
struct Session {
    dir: tempfile::TempDir,
    sys: Arc<System>,
    user: Arc<User>,
    screen: Arc<Screen>,
}

impl Session {
    /// Writes the R6 configuration into a new data directory, lets `prepare` put volumes in
    /// `DIR/volumes/` (CP copies only the missing ones), starts CP and IPLs CMS.
    fn start(prepare: impl FnOnce(&Path)) -> Option<Session> {
        data()?;
        let dir = tempfile::tempdir().expect("tempdir");
        cp::defaults::r6::write_files(dir.path(), cp::defaults::r6::Cms::Ibm)
            .expect("write config");
        std::fs::create_dir_all(dir.path().join("volumes")).expect("volumes");
        prepare(&dir.path().join("volumes"));
        let sys = System::start(&StartOptions {
            data_dir: dir.path().to_path_buf(),
            deterministic: false,
            cpus: None,
        })
        .expect("the R6 system starts");
        let screen = Arc::new(Screen::default());
        let user = User::logon(&sys, "CMSR6", "CMSR6", Some(screen.clone())).expect("logon");
        let s = Session { dir, sys, user, screen };
        assert!(s.wait(0, 60, |l| l.starts_with("CMS VERSION 6.0")).is_some(), "{:#?}", s.lines());
        // The SixPack CMS waits for ENTER after the banner.
        std::thread::sleep(Duration::from_millis(300));
        if s.wait(0, 1, is_ready).is_none() {
            s.user.input(&s.sys, "");
        }
        assert!(s.wait(0, 60, is_ready).is_some(), "no ready prompt: {:#?}", s.lines());
        Some(s)
    }

    fn lines(&self) -> Vec<String> {
        self.screen.lines()
    }

    fn wait(&self, from: usize, secs: u64, f: impl Fn(&str) -> bool) -> Option<usize> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(i) = self.lines().iter().skip(from).position(|l| f(l)) {
                return Some(from + i);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Types `line` and returns the console lines that follow it once `done` accepts them.
    fn send(&self, line: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let n = self.lines().len();
        self.user.input(&self.sys, line);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let all = self.lines();
            if done(&all[n..]) {
                return all[n..].to_vec();
            }
            assert!(Instant::now() < deadline, "{line}: no end in 60 s: {:#?}", &all[n..]);
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Types a CMS command and returns its output, the ready message last.
    fn cmd(&self, line: &str) -> Vec<String> {
        self.send(line, |l| l.iter().any(|l| is_ready(l)))
    }

    /// Logs off and returns the data directory (the volumes CMS wrote).
    fn logoff(self) -> tempfile::TempDir {
        self.user.logoff(&self.sys, false);
        self.dir
    }
}

/// The A-disk copy with two files written by `cms::fs`: TESTR6 EXEC (ours) and FSQRY
/// MODULE (IBM's GCC-compiled module, copied from the 192 disk).
fn prepare_a_disk(data: &Path, volumes: &Path) {
    let a = Volume::open_gz(
        &data.join("cmsuser-191.3350.ckd.gz"),
        &volumes.join("cmsuser-191.3350.ckd"),
    )
    .expect("copy of 191");
    let a = Arc::new(a);
    let mut disk = CmsDisk::mount(MinidiskBlocks::new(a.clone(), 0, a.cylinders())).expect("191");
    let exec = [
        "&CONTROL OFF",
        "&TYPE TESTR6 STARTED WITH &INDEX ARGS: &1 &2",
        "&SUM = 0",
        "&I = 0",
        "-LOOP",
        "&I = &I + 1",
        "&SUM = &SUM + &I",
        "&IF &I LT 10 &GOTO -LOOP",
        "&TYPE SUM 1-10 = &SUM",
        "STATE PROFILE EXEC A",
        "&TYPE STATE PROFILE RC = &RETCODE",
        "STATE NOSUCH FILE A",
        "&TYPE STATE NOSUCH RC = &RETCODE",
        "&EXIT 7",
    ];
    let stamp = Timestamp::new(2026, 11, 24, 1, 30);
    let mode = FileMode::new('A', 1).expect("A1");
    disk.write_file(
        FileId::new("TESTR6", "EXEC").expect("id"),
        mode,
        RecFm::V,
        0,
        WriteMode::New,
        exec.iter().map(|l| ebcdic::encode(l)),
        stamp,
    )
    .expect("write TESTR6 EXEC");
    let tmp = tempfile::tempdir().expect("tempdir");
    let b = Volume::open_gz(&data.join("cmsuser-192.3350.ckd.gz"), &tmp.path().join("192.ckd"))
        .expect("copy of 192");
    let b = Arc::new(b);
    let mut b = CmsDisk::mount(MinidiskBlocks::new(b.clone(), 0, b.cylinders())).expect("192");
    let id = FileId::new("FSQRY", "MODULE").expect("id");
    let fst = b.find(&id).expect("FSQRY MODULE on 192");
    let recs = b.read_records(&id).expect("read FSQRY MODULE");
    assert_eq!(recs.len(), usize::from(fst.records));
    disk.write_file(id, mode, RecFm::V, 0, WriteMode::New, recs, fst.stamp)
        .expect("write FSQRY MODULE");
    assert!(disk.check().expect("check").is_clean());
}

#[test]
fn ibm_cms_runs_execs_and_a_gcc_module_written_by_cms_fs() {
    let Some(data) = data() else {
        println!("skipped: ../shared/data not present");
        return;
    };
    let Some(s) = Session::start(|v| prepare_a_disk(&data, v)) else { return };

    // The A-disk's own CMS EXEC (a LISTFILE (EXEC listing: "&1 &2 fn ft fm ..."), run so
    // that every line is typed.
    let out = s.cmd("EXEC CMS &TYPE");
    assert!(out.iter().any(|l| l.starts_with("HELLO TEXT A1 F 80 9 1")), "{out:#?}");
    assert!(out.iter().any(|l| l.starts_with("TESTCMD MODULE A1 V 2552 3 4")), "{out:#?}");
    assert_eq!(out.len(), 9, "8 entries and Ready: {out:#?}");
    assert!(out[8].starts_with("Ready;"), "{out:#?}");

    // The PROFILE EXEC once more: its ACCESS commands are S-disk MODULEs, which CMS reports.
    let out = s.cmd("EXEC PROFILE");
    assert!(
        out.iter().any(|l| l == "DMSMOD104S ERROR '3' READING FILE 'ACCESS MODULE' FROM DISK."),
        "{out:#?}"
    );
    assert!(out.last().is_some_and(|l| l.starts_with("Ready;")), "{out:#?}");

    // Our EXEC, written by cms::fs, run by real CMS's EXEC processor (in CMSSEG).
    let out = s.cmd("TESTR6 ALPHA BETA");
    let typed: Vec<&String> =
        out.iter().filter(|l| !is_ready(l) && !l.starts_with("File ")).collect();
    assert_eq!(
        typed,
        [
            "TESTR6 STARTED WITH 2 ARGS: ALPHA BETA",
            "SUM 1-10 = 55",
            "STATE PROFILE RC = 0",
            "STATE NOSUCH RC = 28",
        ],
        "{out:#?}"
    );
    assert!(out.last().is_some_and(|l| l.starts_with("Ready(00007)")), "{out:#?}");

    // FSQRY MODULE (GCC, statically linked; FS-QRY C on 192), copied by cms::fs.
    let out = s.cmd("FSQRY HELP");
    let text: Vec<&str> = out.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    assert_eq!(text[0], "Usage:", "{out:#?}");
    // The brackets are GCC's (X'AD'/X'BD'), shown through code page 037 on a 3215.
    assert!(
        text[1].starts_with("FSQRY ")
            && text[1]
                .contains(" ALl | ATtrs | TErm | PFkeys | VERsions | STATe | Help | QRYType "),
        "{out:#?}"
    );
    assert!(text[2].starts_with("Ready;"), "{out:#?}");
    // On a 3215 there is no full screen: the MECAFF API first probes for a MECAFF console
    // (a line asking for ENTER); ENTER cancels the probe and FSQRY ends with a ready message.
    let out = s.send("FSQRY", |l| l.iter().any(|l| l.contains("Please press ENTER")));
    assert!(out.iter().any(|l| l.contains("cancel fullscreen operation")), "{out:#?}");
    let out = s.cmd("");
    assert!(out.last().is_some_and(|l| is_ready(l)), "{out:#?}");
    println!("{}", s.lines().join("\n"));
    s.logoff();
}

/// `FILENAME FILETYPE FM F LRECL RECS BLOCKS` rows of a `*.listing.txt`.
fn listing(data: &Path, disk: &str) -> Vec<(String, String, String, u32, u16, u16)> {
    let t = std::fs::read_to_string(data.join(format!("{disk}.listing.txt"))).expect("listing");
    t.lines()
        .skip_while(|l| !l.starts_with("FILENAME"))
        .skip(1)
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() >= 7).then(|| {
                let n = |s: &str| s.parse::<u32>().expect("number");
                (w[0].into(), w[1].into(), w[3].into(), n(w[4]), n(w[5]) as u16, n(w[6]) as u16)
            })
        })
        .collect()
}

#[test]
fn ibm_cms_nucleus_file_functions_debug_and_indicate() {
    let Some(data) = data() else {
        println!("skipped: ../shared/data not present");
        return;
    };
    let Some(s) = Session::start(|_| {}) else { return };

    // STATE, ERASE on the A-disk (the copy in DIR/volumes).
    let out = s.cmd("STATE PROFILE EXEC");
    assert_eq!(out.len(), 1, "{out:#?}");
    assert!(out[0].starts_with("Ready;"), "{out:#?}");
    let out = s.cmd("STATE NOSUCH EXEC");
    assert_eq!(out[0], "File 'NOSUCH EXEC' not found.", "{out:#?}");
    assert!(out[1].starts_with("Ready(00028)"), "{out:#?}");
    let out = s.cmd("ERASE TESTBLKS EXEC");
    assert!(out[0].starts_with("Ready;"), "{out:#?}");
    let out = s.cmd("STATE TESTBLKS EXEC");
    assert_eq!(out[0], "File 'TESTBLKS EXEC' not found.", "{out:#?}");
    // LOAD (the nucleus loader) reads HELLO TEXT, GCC's object deck; without the GCC
    // libraries on the missing disks its two externals stay undefined. GENMOD writes the
    // loaded storage as HELLO MODULE.
    let out = s.cmd("LOAD HELLO");
    assert_eq!(out[0], "THE FOLLOWING NAMES ARE UNDEFINED:", "{out:#?}");
    assert!(out[1].contains("@@CRT0") && out[1].contains("PRINTF"), "{out:#?}");
    assert!(out[2].starts_with("Ready(00004)"), "{out:#?}");
    let out = s.cmd("GENMOD HELLO");
    assert!(out[0].starts_with("Ready;"), "{out:#?}");
    let out = s.cmd("STATE HELLO MODULE A");
    assert!(out[0].starts_with("Ready;"), "{out:#?}");

    // DEBUG: registers, the PSW, and storage, which must be what the machine holds there
    // (HELLO, loaded above).
    let hex = |l: &String, n: usize| l.len() == n && l.chars().all(|c| c.is_ascii_hexdigit());
    let out = s.send("DEBUG", |l| l.iter().any(|l| l == "DEBUG ENTERED."));
    assert_eq!(out[0], "DEBUG ENTERED.");
    std::thread::sleep(Duration::from_millis(300));
    let out = s.send("GPR 0 15", |l| l.iter().filter(|l| hex(l, 8)).count() == 16);
    let regs: Vec<&String> = out.iter().filter(|l| hex(l, 8)).collect();
    assert_eq!(regs.len(), 16, "{out:#?}");
    let mut held = [0u8; 10];
    s.user.lock().vm.memory().read(0x20000, &mut held).expect("storage");
    let want: String = held.iter().map(|b| format!("{b:02X}")).collect();
    let out = s.send("X 20000 10", |l| l.iter().any(|l| hex(l, 20)));
    assert!(out.contains(&want), "storage at X'20000' is {want}: {out:#?}");
    let out = s.send("PSW", |l| l.iter().any(|l| hex(l, 16)));
    assert!(out.iter().any(|l| hex(l, 16)), "{out:#?}");
    let out = s.cmd("RETURN");
    assert!(out.last().is_some_and(|l| l.starts_with("Ready;")), "{out:#?}");

    // CP through DIAGNOSE X'08', and the session's figures.
    let out = s.cmd("CP INDICATE USER");
    println!("CP INDICATE USER:\n{}", out.join("\n"));
    let figures = out.iter().find(|l| l.starts_with("INSTR=")).expect("INSTR= line");
    let per: u64 = figures
        .split("INSTR/INTERCEPT=")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("INSTR/INTERCEPT=n");
    assert!(per > 0, "{figures}");
    println!("{}", s.lines().join("\n"));

    // After LOGOFF, cms::fs reads what real CMS wrote on the copy.
    let dir = s.logoff();
    let mut disk = common::open_disk(&dir.path().join("volumes/cmsuser-191.3350.ckd"));
    let report = disk.check().expect("check");
    assert!(report.is_clean(), "{:?}", report.problems);
    assert!(disk.find(&FileId::new("TESTBLKS", "EXEC").expect("id")).is_none());
    let module = disk.find(&FileId::new("HELLO", "MODULE").expect("id")).expect("HELLO MODULE");
    assert_eq!(module.recfm, RecFm::V);
    let recs = disk.read_records(&FileId::new("HELLO", "MODULE").expect("id")).expect("read");
    assert_eq!(recs.len(), usize::from(module.records));
    assert!(recs.len() >= 2, "header and storage image: {module:?}");
    let map = disk.read_records(&FileId::new("LOAD", "MAP").expect("id")).expect("LOAD MAP");
    println!("LOAD MAP:\n{}", common::ebcdic_lines(&map).join("\n"));
    assert!(!map.is_empty(), "LOAD MAP is empty");
    // Every other file is as the listing of the original disk has it.
    for (fname, ftype, recfm, lrecl, recs, blocks) in listing(&data, "cmsuser-191") {
        let id = FileId::new(&fname, &ftype).expect("id");
        let fst = disk.find(&id);
        if fname == "TESTBLKS" {
            assert!(fst.is_none());
            continue;
        }
        let fst = fst.unwrap_or_else(|| panic!("{fname} {ftype} is gone"));
        let want = if recfm == "F" { RecFm::F } else { RecFm::V };
        assert_eq!((fst.recfm, fst.lrecl, fst.records, fst.blocks), (want, lrecl, recs, blocks));
        assert_eq!(disk.read_records(&id).expect("read").len(), usize::from(recs));
    }
    let profile = disk.read_records(&FileId::new("PROFILE", "EXEC").expect("id")).expect("read");
    assert_eq!(common::ebcdic_lines(&profile)[0], "&CONTROL OFF NOMSG");
}
