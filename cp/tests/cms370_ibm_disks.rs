//! Our S/370 CMS on IBM's own R6 disks (../shared/data/vm370r6), the cross-checks of issue 7:
//! files on IBM's disks are listed and typed by our CMS exactly as `cms::fs` reads them, and
//! files our CMS writes (COPYFILE onto a writable copy of IBM's 191) are read back the same by
//! `cms::fs` and by the independent reader `../shared/tools/cmsfs.py`.
//!
//! The system is the R6 configuration (`cp::defaults::r6`) with its `SAVESYS CMS` pointed at
//! our built-in S/370 CMS instead of IBM's saved segment.

mod common;
use common::Screen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use cms::fs::{FileId, ebcdic};
use cp::system::{StartOptions, System};
use cp::user::User;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn data() -> Option<PathBuf> {
    let d = shared().join("data/vm370r6");
    if d.join("cmsuser-191.3350.ckd.gz").exists() && d.join("maint-19d.3350.ckd.gz").exists() {
        Some(d)
    } else {
        println!("skipped: ../shared/data/vm370r6 not present");
        None
    }
}

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(")
}

/// CMSR6 of the R6 system, logged on and at our CMS's ready message.
struct Session {
    dir: tempfile::TempDir,
    sys: Arc<System>,
    user: Arc<User>,
    screen: Arc<Screen>,
}

impl Session {
    fn start() -> Session {
        let dir = tempfile::tempdir().expect("tempdir");
        cp::defaults::r6::write_files(dir.path(), cp::defaults::r6::Cms::Ours)
            .expect("write config");
        let sys = System::start(&StartOptions {
            data_dir: dir.path().to_path_buf(),
            deterministic: false,
            cpus: Some(1),
        })
        .expect("the R6 system starts");
        let screen = Arc::new(Screen::default());
        let user = User::logon(&sys, "CMSR6", "CMSR6", Some(screen.clone())).expect("logon");
        let banner = screen.wait(0, 60, |l| l.starts_with("CMS VERSION 6.0"));
        assert!(banner.is_some(), "no banner: {:#?}", screen.lines());
        // As IBM's CMS does, ours reads one line after its banner (ACCESS (NOPROF could be
        // typed there); ENTER lets IBM's PROFILE EXEC on the 191 run (GLOBAL, CP SET, ACCESS,
        // EXEC HELP), then the ready message.
        std::thread::sleep(std::time::Duration::from_millis(300));
        user.input(&sys, "");
        assert!(screen.wait(0, 60, is_ready).is_some(), "no ready: {:#?}", screen.lines());
        Session { dir, sys, user, screen }
    }

    /// Types a CMS command and returns what followed it, the ready message last.
    fn cmd(&self, line: &str) -> Vec<String> {
        let from = self.screen.len();
        self.user.input(&self.sys, line);
        let end = self.screen.wait(from, 120, is_ready);
        let all = self.screen.lines();
        let Some(end) = end else { panic!("{line}: no ready message: {:#?}", &all[from..]) };
        all[from..=end].to_vec()
    }

    fn logoff(self) -> tempfile::TempDir {
        self.user.logoff(&self.sys, false);
        self.dir
    }
}

#[test]
fn our_cms_lists_and_types_ibm_disks_and_writes_files_ibm_tools_read() {
    let Some(_data) = data() else { return };
    let s = Session::start();
    let vols = s.dir.path().join("volumes");

    // LISTFILE of IBM's 19D (374 files, mode P2 on its own disk) accessed as B.
    let out = s.cmd("ACCESS 19D B");
    assert_eq!(out[0], "B (19D) R/O", "{out:#?}");
    assert!(out[1].starts_with("R;"), "{out:#?}");
    let out = s.cmd("LISTFILE * * B");
    let listed: Vec<String> = out[..out.len() - 1].to_vec();
    let mut d19 = common::open_disk(&vols.join("maint-19d.3350.ckd"));
    let mut expect: Vec<String> = d19
        .files()
        .map(|f| {
            let mode = ebcdic::decode(&f.mode_raw);
            let num = mode.chars().nth(1).unwrap_or('1');
            format!("{:<8} {:<8} B{num}", f.id.fname.to_text(), f.id.ftype.to_text())
        })
        .collect();
    expect.sort();
    let mut got = listed.clone();
    got.sort();
    assert_eq!(got.len(), 374, "{listed:#?}");
    assert_eq!(got, expect);

    // TYPE of a V file and of a 565-record F file, against cms::fs's reading.
    for (fname, ftype) in [("HELLO", "C"), ("FORTH", "$HELP$")] {
        let id = FileId::new(fname, ftype).expect("fileid");
        let want = common::ebcdic_lines(&d19.read_records(&id).expect("read with cms::fs"));
        let out = s.cmd(&format!("TYPE {fname} {ftype} B"));
        let got: Vec<String> =
            out[..out.len() - 1].iter().map(|l| l.trim_end().to_string()).collect();
        assert_eq!(got, want, "TYPE {fname} {ftype}");
    }

    // Files written by our CMS onto the writable copy of IBM's 191.
    let out = s.cmd("COPYFILE FORTH $HELP$ B = = A");
    assert!(out[0].starts_with("R;"), "{out:#?}");
    let out = s.cmd("COPYFILE HELLO C B XHELLO = A (RECFM F LRECL 40");
    assert!(out[0].starts_with("R;"), "{out:#?}");
    let dir = s.logoff();
    let vols = dir.path().join("volumes");
    let image = vols.join("cmsuser-191.3350.ckd");
    let mut a = common::open_disk(&image);
    let forth = FileId::new("FORTH", "$HELP$").expect("fileid");
    let hello = FileId::new("HELLO", "C").expect("fileid");
    let orig = d19.read_records(&forth).expect("19D FORTH");
    assert_eq!(a.read_records(&forth).expect("191 FORTH"), orig, "FORTH $HELP$ copy");
    let fixed = a.read_records(&FileId::new("XHELLO", "C").expect("fileid")).expect("XHELLO");
    let src = d19.read_records(&hello).expect("HELLO C");
    assert_eq!(fixed.len(), src.len());
    for (f, v) in fixed.iter().zip(&src) {
        assert_eq!(f.len(), 40, "RECFM F LRECL 40");
        assert_eq!(&f[..v.len()], &v[..]);
        assert!(f[v.len()..].iter().all(|&b| b == 0x40), "padded with blanks");
    }
    assert!(a.check().expect("check").is_clean(), "191 consistent after our CMS wrote it");

    // The independent reader agrees.
    let tool = shared().join("tools/cmsfs.py");
    let py = Command::new("python3").arg(&tool).arg(&image).arg("list").output();
    let Ok(py) = py else {
        println!("skipped: python3 not available for the cmsfs.py cross-check");
        return;
    };
    assert!(py.status.success(), "cmsfs.py: {}", String::from_utf8_lossy(&py.stderr));
    let list = String::from_utf8_lossy(&py.stdout).to_string();
    let row = |fname: &str, ftype: &str| {
        list.lines()
            .find(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w.len() > 6 && w[0] == fname && w[1] == ftype
            })
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    };
    let f = row("FORTH", "$HELP$").unwrap_or_else(|| panic!("FORTH $HELP$ in {list}"));
    assert_eq!((f[3].as_str(), f[4].as_str(), f[5].as_str()), ("F", "80", "565"), "{f:?}");
    let x = row("XHELLO", "C").unwrap_or_else(|| panic!("XHELLO C in {list}"));
    assert_eq!((x[3].as_str(), x[4].as_str(), x[5].as_str()), ("F", "40", "7"), "{x:?}");
    let out = Command::new("python3")
        .arg(&tool)
        .arg(&image)
        .args(["cat", "FORTH", "$HELP$"])
        .output()
        .expect("cmsfs.py cat");
    assert!(out.status.success(), "cmsfs.py cat: {}", String::from_utf8_lossy(&out.stderr));
    let cat: Vec<String> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim_end().to_string()).collect();
    assert_eq!(cat, common::ebcdic_lines(&orig), "cmsfs.py reads the copy our CMS wrote");
}
