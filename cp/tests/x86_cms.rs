//! The x86 CMS end to end through CP and KVM: LOGON of an x86 user, IPL CMS (the built-in
//! saved system), the banner and ready message, commands that read and write the A-disk, CP
//! commands through DIAGNOSE X'08', a file written by x86 CMS read back with `cms::fs` on the
//! host, LOGOFF. Every test prints `skipped: /dev/kvm not available` and returns on a host
//! without KVM.

mod common;
use common::Screen;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::Status;

const CONFIG: &str = "SYSID TESTVM\nCPUS 2\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n\
VOLUME X86VOL 3350 vol.3350 CYLINDERS 20\n\
SAVESYS CMS 1024 0 BUILTIN IPL MACHINE X86\n";

const DIRECT: &str = "DIRECTORY 130 3350 X86VOL
USER MAINT CPCMS 2M 16M ABCDEFGH
 MDISK 190 3350 001 005 X86VOL MR ALL WRITE MULT
 MDISK 19E 3350 006 002 X86VOL MR ALL WRITE MULT
USER X86USER X86USER 16M 64M G
 MACHINE X86
 IPL CMS
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 LINK MAINT 190 190 RR
 LINK MAINT 19E 19E RR
 MDISK 191 3350 010 005 X86VOL MR ALL WRITE MULT
USER X86TWO X86TWO 16M 64M G
 MACHINE X86
 CONSOLE 009 3215
 MDISK 191 3350 015 002 X86VOL MR ALL WRITE MULT
";

fn start() -> (tempfile::TempDir, Arc<System>) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), CONFIG).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), DIRECT).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    (dir, sys)
}

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(")
}

/// Types `line` and waits for the ready message that follows; returns the lines between.
fn command(sys: &Arc<System>, user: &Arc<User>, screen: &Screen, line: &str) -> Vec<String> {
    let from = screen.lines().len();
    wait_reading(user);
    user.input(sys, line);
    let end = screen.wait(from, 20, is_ready).unwrap_or_else(|| {
        panic!("no ready message after `{line}`: {:?}", &screen.lines()[from..])
    });
    screen.lines()[from..=end].to_vec()
}

fn wait_reading(user: &Arc<User>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while user.console.status() != Status::VmRead && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn x86_user_logs_on_ipls_cms_and_works_with_files() {
    if !common::kvm() {
        return;
    }
    let (dir, sys) = start();
    // A file put on the A-disk by the host, before logon.
    common::put_v_file(&sys, "X86VOL", (10, 5), ("HELLO", "DATA"), &["FIRST LINE", "SECOND LINE"]);
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "x86user", "x86user", Some(screen.clone())).expect("logon");
    let banner = screen.wait(0, 20, |l| l.starts_with("CMS VERSION 6.0")).expect("the banner");
    assert_eq!(screen.lines()[banner], "CMS VERSION 6.0 - VM370 RUST X86");
    wait_reading(&user);
    user.input(&sys, "");
    let ready = screen.wait(banner, 20, is_ready).expect("the first ready message");
    let first = screen.lines()[ready].clone();
    assert!(first.starts_with("R; T="), "{first}");
    assert!(screen.lines()[banner..ready].contains(&"Y (19E) R/O".to_string()));

    let out = command(&sys, &user, &screen, "query disk a");
    assert_eq!(
        out[0],
        "A (191): 1 FILES, 7 REC IN USE, 2843 LEFT (OF 2850), 0% FULL (5 CYL), 3350, R/W"
    );
    let out = command(&sys, &user, &screen, "type hello data");
    assert_eq!(out[..2], ["FIRST LINE", "SECOND LINE"]);
    let out = command(&sys, &user, &screen, "listfile * exec s (exec");
    assert!(out.iter().any(|l| l == "FILE '* EXEC S' NOT FOUND"), "{out:?}");
    // The system disk CP wrote on the first run (cp/src/sysdisk.rs).
    let out = command(&sys, &user, &screen, "listfile * * s");
    assert!(out.iter().any(|l| l == "CMSNUC   MAP      S2"), "{out:?}");
    let out = command(&sys, &user, &screen, "access 19e b");
    assert!(out.contains(&"B (19E) R/O".to_string()), "{out:?}");
    let out = command(&sys, &user, &screen, "state nosuch file");
    assert_eq!(out[0], "FILE 'NOSUCH FILE *' NOT FOUND");
    assert!(out[1].starts_with("R(00028); T="), "{out:?}");
    // CP through DIAGNOSE X'08', explicit and implicit.
    let out = command(&sys, &user, &screen, "cp query time");
    assert!(out[0].starts_with("TIME IS "), "{out:?}");
    let out = command(&sys, &user, &screen, "query time");
    assert!(out[0].starts_with("TIME IS "), "{out:?}");
    // Write files on the A-disk: LISTFILE (EXEC makes CMS EXEC A1, COPYFILE copies it.
    let out = command(&sys, &user, &screen, "listfile * * a (exec");
    assert!(out[0].starts_with("R;"), "{out:?}");
    let out = command(&sys, &user, &screen, "copyfile cms exec a saved list a (upcase");
    assert!(out[0].starts_with("R;"), "{out:?}");
    let out = command(&sys, &user, &screen, "listfile * * a (alloc");
    assert_eq!(out[0], "FILENAME FILETYPE FM  FORMAT    RECS BLOCKS");
    assert!(out.iter().any(|l| l.starts_with("SAVED    LIST     A1  F    80")), "{out:?}");
    let out = command(&sys, &user, &screen, "type saved list");
    assert!(out[0].starts_with(" &1 &2 HELLO    DATA      A1"), "{out:?}");

    // The file x86 CMS wrote, read on the host with cms::fs.
    let vol = Arc::clone(&sys.volumes["X86VOL"]);
    let md = cp::dasd::MinidiskBlocks::new(vol, 10, 5);
    let mut disk = cms::fs::CmsDisk::mount(md).expect("a CMS disk");
    let id = cms::fs::FileId::new("SAVED", "LIST").expect("fileid");
    let fst = disk.find(&id).expect("SAVED LIST is on the disk");
    assert_eq!((fst.recfm, fst.lrecl), (cms::fs::RecFm::F, 80));
    let recs = disk.read_records(&id).expect("records");
    assert_eq!(recs.len(), 1);
    assert!(cms::fs::ebcdic::decode(&recs[0]).starts_with(" &1 &2 HELLO    DATA      A1"));
    assert!(disk.check().expect("check").is_clean());

    let from = screen.lines().len();
    user.input(&sys, "logoff");
    screen.wait(from, 20, |l| l.starts_with("LOGOFF AT")).expect("logoff");
    assert!(sys.user("X86USER").is_none());
    drop(dir);
}

#[test]
fn x86_machine_reports_its_type_and_counters() {
    if !common::kvm() {
        return;
    }
    let (_dir, sys) = start();
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "x86user", "x86user", Some(screen.clone())).expect("logon");
    screen.wait(0, 20, |l| l.starts_with("CMS VERSION")).expect("banner");
    wait_reading(&user);
    user.input(&sys, "");
    screen.wait(0, 20, is_ready).expect("ready");
    // What the user sees: QUERY VIRTUAL names the machine type, INDICATE USER the exits.
    let out = command(&sys, &user, &screen, "cp query virtual machine");
    assert_eq!(out[0], "MACHINE = X86", "{out:?}");
    let out = command(&sys, &user, &screen, "cp query virtual");
    assert_eq!(out[..2], ["MACHINE = X86", "STORAGE = 16384K"], "{out:?}");
    assert!(out.iter().any(|l| l.starts_with("DASD 191 3350 X86VOL R/W")), "{out:?}");
    let out = command(&sys, &user, &screen, "cp indicate user");
    assert!(out[0].starts_with("PAGES: RES-4096"), "{out:?}");
    let third = &out[2];
    assert!(third.starts_with("MACHINE=X86 INTERCEPTS="), "{out:?}");
    let count = |k: &str| -> u64 {
        let at = third.find(&format!("{k}=")).unwrap_or_else(|| panic!("{k} in {third}"));
        let digits: String =
            third[at + k.len() + 1..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect("a count")
    };
    assert!(count("DIAG") > 0 && count("EXIT IO-OUT") >= count("DIAG"), "{third}");
    let st = user.lock();
    assert_eq!(st.vm.backend.machine(), "X86");
    let c = st.vm.backend.counters();
    assert_eq!(c.instructions, None, "guest instructions are not countable under KVM");
    let get = |k: &str| c.interceptions.iter().find(|(n, _)| *n == k).map_or(0, |(_, n)| *n);
    assert!(get("DIAG") > 0 && get("SIO") > 0 && get("WAIT") > 0, "{c:?}");
    assert!(get("EXIT IO-OUT") >= get("DIAG") + get("SIO"), "{c:?}");
    drop(st);
    user.logoff(&sys, false);
}
