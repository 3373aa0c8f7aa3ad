//! Several x86 CMS users at once under one CP, beside an S/370 CMS user: each works on its
//! own A-disk at the same time and sees only its own files; an x86 user LINKs the S/370
//! user's disk and reads its file, and the S/370 user reads the file x86 CMS wrote; a punch
//! file spooled from x86 CMS reaches the S/370 user's reader, and another x86 user's punch
//! is read by READCARD. Skipped without KVM.

mod common;
use common::Screen;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::Status;

const CONFIG: &str = "SYSID TESTVM\nCPUS 2\nTIMEZONE UTC +00:00\nSPOOLDIR spool\n\
DIRECTORY USER.DIRECT\nREADYMSG R\n\
VOLUME VMSYS 3350 sys.3350 CYLINDERS 20\nVOLUME VMUSR 3350 usr.3350 CYLINDERS 30\n\
SAVESYS CMS 256 0 BUILTIN IPL\nSAVESYS CMS 1024 0 BUILTIN IPL MACHINE X86\n";

/// Users, their machine and the first cylinder of their 191 on VMUSR.
const USERS: [(&str, bool, u32); 4] =
    [("X1", true, 1), ("X2", true, 6), ("X3", true, 11), ("S1", false, 16)];

fn directory() -> String {
    let mut d = String::from(
        "DIRECTORY 130 3350 VMSYS\nUSER $ALLOC$ NOLOG\n MDISK A00 3350 000 001 VMSYS R\n \
         MDISK A01 3350 000 001 VMUSR R\nUSER MAINT CPCMS 2M 16M ABCDEFGH\n \
         MDISK 190 3350 001 010 VMSYS MR\n MDISK 19E 3350 011 005 VMSYS MR\n",
    );
    for (u, x86, cyl) in USERS {
        let (size, machine) = if x86 { ("16M 64M", " MACHINE X86\n") } else { ("4M 16M", "") };
        d.push_str(&format!(
            "USER {u} {u} {size} G\n{machine} IPL CMS\n CONSOLE 009 3215\n \
             SPOOL 00C 2540 READER *\n SPOOL 00D 2540 PUNCH A\n SPOOL 00E 1403 A\n \
             LINK MAINT 190 190 RR\n LINK MAINT 19E 19E RR\n \
             MDISK 191 3350 {cyl:03} 005 VMUSR MR ALL WRITE MULT\n"
        ));
    }
    d
}

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(")
}

fn wait_reading(user: &Arc<User>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while user.console.status() != Status::VmRead && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A logged-on CMS user and its terminal.
struct Session {
    name: &'static str,
    user: Arc<User>,
    screen: Arc<Screen>,
}

impl Session {
    /// LOGON, the banner, the null line CMS reads after it, the first ready message.
    fn logon(sys: &Arc<System>, name: &'static str) -> Session {
        let screen = Arc::new(Screen::default());
        let user = User::logon(sys, name, name, Some(screen.clone())).expect("logon");
        let banner = screen
            .wait(0, 60, |l| l.starts_with("CMS VERSION 6.0"))
            .unwrap_or_else(|| panic!("{name}: no banner: {:?}", screen.lines()));
        wait_reading(&user);
        user.input(sys, "");
        screen.wait(banner, 60, is_ready).unwrap_or_else(|| panic!("{name}: no first ready"));
        Session { name, user, screen }
    }

    /// Types `line`; returns the lines up to and including the ready message.
    fn command(&self, sys: &Arc<System>, line: &str) -> Vec<String> {
        let from = self.screen.lines().len();
        wait_reading(&self.user);
        self.user.input(sys, line);
        let end = self.screen.wait(from, 60, is_ready).unwrap_or_else(|| {
            panic!("{}: no ready after `{line}`: {:?}", self.name, &self.screen.lines()[from..])
        });
        self.screen.lines()[from..=end].to_vec()
    }

    fn ok(&self, sys: &Arc<System>, line: &str) -> Vec<String> {
        let out = self.command(sys, line);
        let last = out.last().expect("a ready line");
        if !last.starts_with("R;") {
            let all = self.screen.lines();
            panic!("{}: `{line}` failed: {out:?}\nthe screen: {all:?}", self.name);
        }
        out
    }
}

/// The host writes `SEED DATA A1` on each user's A-disk: one line naming the user.
fn seed(sys: &Arc<System>) {
    for (u, _, cyl) in USERS {
        let line = format!("{u} WAS HERE");
        common::put_v_file(sys, "VMUSR", (cyl, 5), ("SEED", "DATA"), &[line.as_str()]);
    }
}

#[test]
fn x86_cms_users_work_at_once_and_share_disks_and_spool_with_s370_cms() {
    if !common::kvm() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), CONFIG).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), directory()).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    seed(&sys);
    let sessions: Vec<Session> = USERS.iter().map(|(u, _, _)| Session::logon(&sys, u)).collect();
    for s in &sessions {
        let machine = s.user.lock().vm.backend.machine();
        assert_eq!(machine, if s.name.starts_with('X') { "X86" } else { "370" }, "{}", s.name);
    }

    // Everybody at once: each x86 user copies its seed file several times, lists and types
    // them; the S/370 user lists and types its own (the S/370 CMS of this tree has no
    // COPYFILE, PUNCH or READCARD yet, so it only reads).
    std::thread::scope(|scope| {
        for s in &sessions {
            let sys = &sys;
            scope.spawn(move || {
                let n = s.name;
                let x86 = n.starts_with('X');
                if x86 {
                    for i in 1..=3 {
                        s.ok(sys, &format!("copyfile seed data a {n} note{i} a"));
                    }
                }
                let out = s.ok(sys, "listfile * * a");
                let mut files: Vec<&str> =
                    out[..out.len() - 1].iter().map(String::as_str).collect();
                files.sort_unstable();
                let own = |t: &str| format!("{n:<8} {t:<8} A1");
                let mut want = vec!["SEED     DATA     A1".to_string()];
                if x86 {
                    want.extend([own("NOTE1"), own("NOTE2"), own("NOTE3")]);
                }
                want.sort_unstable();
                assert_eq!(files, want, "{n} sees exactly its own files");
                let file = if x86 { format!("{n} note3 a") } else { "seed data a".into() };
                let out = s.ok(sys, &format!("type {file}"));
                assert_eq!(out[0], format!("{n} WAS HERE"), "{n}");
            });
        }
    });

    // The files each x86 CMS wrote, read back on the host: the right content, a clean disk.
    for (u, x86, cyl) in USERS {
        let blocks = cp::dasd::MinidiskBlocks::new(Arc::clone(&sys.volumes["VMUSR"]), cyl, 5);
        let mut disk = cms::fs::CmsDisk::mount(blocks).expect("a CMS disk");
        assert!(disk.check().expect("check").is_clean(), "{u}'s disk is consistent");
        if !x86 {
            continue;
        }
        let id = cms::fs::FileId::new(u, "NOTE2").expect("fileid");
        let recs = disk.read_records(&id).expect("the file CMS wrote");
        assert_eq!(cms::fs::ebcdic::decode(&recs[0]).trim_end(), format!("{u} WAS HERE"));
    }

    // LINK across machine types: x86 CMS reads the S/370 user's file, and S/370 CMS reads
    // the file x86 CMS wrote.
    let (x1, s1) = (&sessions[0], &sessions[3]);
    for (reader, owner, file) in [(x1, "S1", "seed data"), (s1, "X1", "x1 note1")] {
        let n = reader.name;
        reader.ok(&sys, &format!("cp link {owner} 191 192 rr"));
        let out = reader.ok(&sys, "access 192 b");
        assert!(out.iter().any(|l| l == "B (192) R/O"), "{n}: {out:?}");
        let out = reader.ok(&sys, &format!("type {file} b"));
        assert_eq!(out[0], format!("{owner} WAS HERE"), "{n} reads {owner}'s file");
    }
    // Read-only: x86 CMS cannot write the S/370 user's disk it linked RR.
    let out = x1.command(&sys, "copyfile seed data b = = b");
    assert!(!out.last().expect("ready").starts_with("R;"), "wrote on R/O: {out:?}");

    // Spool across machine types: x86 CMS punches to the S/370 user, whose reader has it;
    // x86 CMS reads what another x86 user punched.
    x1.ok(&sys, "cp spool punch to s1");
    let out = x1.ok(&sys, "punch x1 note1 a (noheader");
    assert!(out[0].starts_with("PUN FILE ") && out[0].contains("TO  S1"), "{out:?}");
    let out = s1.ok(&sys, "cp query reader all");
    assert!(out.iter().any(|l| l.contains("X1") && l.contains("PUN")), "S1's reader: {out:?}");
    let x2 = &sessions[1];
    x2.ok(&sys, "cp spool punch to x1");
    x2.ok(&sys, "punch x2 note1 a (noheader");
    x1.ok(&sys, "readcard fromx2 card a");
    let out = x1.ok(&sys, "type fromx2 card a");
    assert_eq!(out[0].trim_end(), "X2 WAS HERE", "X1 reads X2's cards");

    // Everybody still answers, and logs off.
    for s in &sessions {
        let out = s.ok(&sys, "query disk a");
        assert!(out[0].starts_with("A (191): "), "{}: {out:?}", s.name);
        s.user.logoff(&sys, false);
    }
    drop(dir);
}
