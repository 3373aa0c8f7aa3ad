//! Acceptance scenarios of vm370-behaviour.md §4.2 that no other test ran end to end, on the
//! default system: 8 (a looping EXEC runs on while its user is disconnected; reconnect, BEGIN) and
//! 10 (MAINT adds CAROL with DIRECT, CAROL formats her new disk in CMS, SHUTDOWN forces
//! everyone off).
//!
//! Where each of the ten scenarios is tested (`.cmst`: `tests/cms/`, run on the S/370 CMS by
//! `tests/tests/cms_transcripts.rs` unless listed in its `NOT_YET`, and on the x86 CMS by
//! `cp/tests/x86_transcripts.rs` when KVM is there; `.session`: `tests/sessions/`):
//!
//! | # | scenario | tests |
//! |---|---|---|
//! | 1 | logon, banner, ready, logoff with accounting | `ipl-logon-logoff.cmst` (through CP's telnet logon), `logon-logoff.session` |
//! | 2 | bad password, NOLOG, unknown command | `logon-bad-password.session`, `logon-attempts-exceeded.session`, `cmd_operator.rs` (`$ALLOC$` NOLOG, `?CP: FOOBAR`), `unknown-command.cmst` |
//! | 3 | file lifecycle on the A-disk | `file-lifecycle.cmst` |
//! | 4 | EDIT round trip | `edit-roundtrip.cmst`, `cms-edit.session` |
//! | 5 | EXEC 1 loop and return code | `exec-loop.cmst`, `cms-exec.session` |
//! | 6 | LINK/ACCESS with modes and passwords | `cmd_link.rs`, `link-detach.session`, `link-access.cmst` |
//! | 7 | spool transfer between users | `cmd_spool.rs`, `spool-file-commands.session`, `spool-punch-readcard.cmst` and `spool-disk-dump-load.cmst`, `tests/tests/cms370_unit_record.rs` |
//! | 8 | MSG/WARNING, DISCONNECT/reconnect | `cmd_operator.rs`, `msg-two-users.session`, `disconnect-reconnect.session`, `disctime.session`, `disconnect.rs`, here |
//! | 9 | virtual machine control | `query-virtual.session`, `define-devices.session`, `ipl-system-begin.session`, `display-store.session`, `set-emsg.session`, `emsg.cmst`, `sysdisk_ipl.rs` (IPL 190) |
//! | 10 | operator and multi-user | here; `cmd_operator.rs`, `warning-all.session`, `force-autolog.session`, `query-names-users.session`, `cmd_spool.rs` (SHUTDOWN and restart) |

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode};
use common::{Screen, Term};
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::vdev::Status;

fn default_system(data: &std::path::Path) -> Arc<System> {
    System::start(&StartOptions { data_dir: data.to_path_buf(), deterministic: false, cpus: None })
        .expect("the default system starts")
}

/// Types `line` and waits for a line containing `want` after it; the lines since.
fn step(t: &Term, line: &str, want: &str) -> Vec<String> {
    let n = t.screen.len();
    t.user.input(&t.sys, line);
    assert!(t.screen.wait_from(n, want), "`{line}`: wanted `{want}`, got {:?}", t.screen.since(n));
    t.screen.since(n)
}

fn wait_status(t: &Term, want: Status) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if t.user.console.status() == want {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("never {want:?}: {:?}", t.screen.lines());
}

/// Writes an F 80 file on a user's minidisk (as EDIT would leave it) before the user logs on.
fn put_file(sys: &System, userid: &str, vaddr: u16, fileid: (&str, &str), lines: &[&str]) {
    let m = sys
        .directory
        .read()
        .expect("directory")
        .user(userid)
        .expect("user")
        .mdisks
        .iter()
        .find(|m| m.vaddr.0 == vaddr)
        .expect("the minidisk")
        .clone();
    let vol = Arc::clone(sys.volumes.get(&m.volser).expect("volume"));
    let md = MinidiskBlocks::new(vol, u32::from(m.start), u32::from(m.cylinders));
    let mut disk = CmsDisk::mount(md).expect("a CMS disk");
    let recs: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| {
            let mut r = s370::ebcdic::from_str(l);
            r.resize(80, 0x40);
            r
        })
        .collect();
    disk.write_file(
        FileId::new(fileid.0, fileid.1).expect("fileid"),
        FileMode::parse("A1").expect("mode"),
        RecFm::F,
        80,
        WriteMode::Replace,
        recs,
        Timestamp::new(2026, 11, 24, 9, 0),
    )
    .expect("write");
}

#[test]
fn scenario_8_a_disconnected_machine_runs_on_and_begin_resumes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = default_system(&dir.path().join("data"));
    let op = Term::logon(&sys, "OPERATOR", "OPERATOR");
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    // A looping EXEC in our S/370 CMS.
    put_file(
        &sys,
        "ALICE",
        0x191,
        ("LOOP", "EXEC"),
        &["&CONTROL OFF", "&I = 0", "-TOP", "&I = &I + 1", "&GOTO -TOP"],
    );
    step(&alice, "ipl cms", "CMS VERSION 6.0 - ");
    wait_status(&alice, Status::VmRead);
    step(&alice, "", "R;");
    alice.user.input(&sys, "loop");
    wait_status(&alice, Status::Running);
    step(&alice, "#cp disconnect", "DISCONNECT AT ");
    assert_eq!(alice.user.terminal_name(), "DSC");
    op.expect_in("query names", "ALICE    - DSC");
    let executed = |t: &Term| t.user.lock().vm.backend.counters().instructions.unwrap_or(0);
    // The loop goes on while nobody watches.
    let before = executed(&alice);
    std::thread::sleep(Duration::from_millis(200));
    assert!(executed(&alice) > before, "the disconnected machine runs");

    // LOGON again: RECONNECT, CP READ, the machine stopped; BEGIN resumes the loop.
    let screen = Arc::new(Screen::default());
    alice.user.reconnect(&sys, screen.clone(), "TERM0002");
    let again = Term { user: Arc::clone(&alice.user), screen, sys: Arc::clone(&sys) };
    assert!(again.screen.wait_for("RECONNECT AT "));
    assert_eq!(again.user.console.status(), Status::CpRead);
    std::thread::sleep(Duration::from_millis(50));
    let stopped = executed(&again);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(executed(&again), stopped, "in CP mode the machine waits");
    again.user.input(&sys, "begin");
    wait_status(&again, Status::Running);
    std::thread::sleep(Duration::from_millis(100));
    assert!(executed(&again) > stopped, "BEGIN resumes it");
}

#[test]
fn scenario_10_maint_adds_carol_who_formats_her_disk_then_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sys = default_system(&data);
    let op = Term::logon(&sys, "OPERATOR", "OPERATOR");
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let bob = Term::logon(&sys, "BOB", "BOB");
    step(&alice, "disconnect", "DISCONNECT AT ");
    let names = op.cmd("query names");
    assert!(names.iter().any(|l| l.contains("ALICE    - DSC")), "{names:?}");
    assert!(names.iter().any(|l| l.contains("BOB      - ")), "{names:?}");
    op.cmd("warning all system down in 5");
    assert!(bob.screen.wait_for("WNG FROM OPERATOR: system down in 5"));
    op.cmd("force bob");
    assert!(bob.screen.wait_for("LOGOFF AT "), "{:?}", bob.screen.lines());
    assert!(bob.screen.lines().iter().any(|l| l.starts_with("CONNECT= ")));

    // MAINT's edited USER DIRECT on his 191 adds CAROL with a new, unformatted A-disk.
    let carol = "USER CAROL CAROL 4M 16M G\n IPL CMS\n CONSOLE 009 3215\n \
                 SPOOL 00C 2540 READER *\n SPOOL 00D 2540 PUNCH A\n SPOOL 00E 1403 A\n \
                 LINK MAINT 190 190 RR\n LINK MAINT 19E 19E RR\n \
                 MDISK 191 3350 026 003 VM370U MR ALL WRITE MULT\n";
    let text = format!("{}{carol}", cp::defaults::USER_DIRECT);
    let lines: Vec<&str> = text.lines().collect();
    put_file(&sys, "MAINT", 0x191, ("USER", "DIRECT"), &lines);
    let maint = Term::logon(&sys, "MAINT", "CPCMS");
    assert!(maint.screen.wait_for("CMS VERSION 6.0 - "));
    wait_status(&maint, Status::VmRead);
    step(&maint, "", "R;");
    step(&maint, "listfile user direct a", "USER     DIRECT   A1");
    step(&maint, "cp direct user", "EOJ DIRECTORY UPDATED");

    let carol = Term::logon(&sys, "CAROL", "CAROL");
    assert!(carol.screen.wait_for("CMS VERSION 6.0 - "), "{:?}", carol.screen.lines());
    wait_status(&carol, Status::VmRead);
    step(&carol, "", "R;");
    step(&carol, "query disk a", "DISK 'A' NOT ACCESSED");
    step(&carol, "format 191 a", "DO YOU WISH TO CONTINUE? (YES|NO):");
    step(&carol, "yes", "ENTER DISK LABEL:");
    let out = step(&carol, "car191", "R;");
    assert!(out.iter().any(|l| l == "'3' CYLINDERS FORMATTED ON DISK 'A(191)'"), "{out:?}");
    step(&carol, "query disk a", "A (191): 0 FILES, 5 REC IN USE");
    let out = step(&carol, "listfile * * a", "R(");
    assert!(out.iter().any(|l| l == "FILE '* * A' NOT FOUND"), "{out:?}");

    // SHUTDOWN: everyone is forced off, nobody may log on.
    op.cmd("shutdown");
    sys.wait_for_shutdown();
    for u in ["OPERATOR", "ALICE", "MAINT", "CAROL"] {
        assert!(sys.user(u).is_none(), "{u} is logged off");
    }
    assert!(cp::user::User::logon(&sys, "CAROL", "CAROL", None).is_err());
}
