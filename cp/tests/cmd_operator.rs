//! Logon and logoff with accounting, refused logons, unknown and unauthorized commands,
//! MSG and WARNING, DISCONNECT, and the operator's FORCE, AUTOLOG, ENABLE/DISABLE, SET
//! LOGMSG/PRIORITY/FAVORED and DIRECT (from the host file and from a CMS file on MAINT's
//! 191, as MAINT would after editing USER DIRECT).

mod common;

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode};
use common::{Term, start};
use cp::dasd::MinidiskBlocks;
use cp::user::{LogonError, User};

#[test]
fn logon_logoff_refusals_and_unknown_commands() {
    let (_dir, sys) = start();
    assert_eq!(User::logon(&sys, "ALICE", "wrong", None).err(), Some(LogonError::Refused));
    assert_eq!(User::logon(&sys, "NOSUCH", "x", None).err(), Some(LogonError::Refused));
    assert_eq!(
        User::logon(&sys, "$ALLOC$", "NOLOG", None).err(),
        Some(LogonError::NoLog("$ALLOC$".into()))
    );
    assert_eq!(LogonError::Refused.to_string(), "DMKLOG050E PASSWORD INCORRECT - REENTER LOGON");
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    assert!(alice.screen.lines().iter().any(|l| l.starts_with("LOGON AT ")));
    alice.expect("foobar", "?CP: FOOBAR");
    // Commands outside the user's classes are invisible.
    alice.expect("force bob", "?CP: FORCE");
    alice.expect("warning all hello", "?CP: WARNING");
    alice.expect("shutdown", "?CP: SHUTDOWN");
    alice.expect("direct", "?CP: DIRECT");
    alice.expect("autolog bob bob", "?CP: AUTOLOG");
    alice.expect("set priority alice 1", "INVALID OPTION - PRIORITY");
    assert!(alice.cmd("* a comment").is_empty());
    assert!(alice.cmd("cp * another").is_empty());
    let out = alice.cmd("log");
    assert!(
        out.iter().any(|l| l.starts_with("CONNECT= 00:00:0") && l.contains(" VIRTCPU= 000:00.")),
        "{out:?}"
    );
    assert!(out.iter().any(|l| l.starts_with("LOGOFF AT ")), "{out:?}");
    assert!(sys.user("ALICE").is_none());
}

#[test]
fn msg_warning_disconnect_force_and_autolog() {
    let (_dir, sys) = start();
    let op = Term::logon(&sys, "OPERATOR", "OPERATOR");
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let bob = Term::logon(&sys, "BOB", "BOB");

    assert!(alice.cmd("msg bob hi there").is_empty());
    assert!(bob.screen.wait_for("MSG FROM ALICE   : hi there"));
    alice.expect("m * note to self", "MSG FROM ALICE   : note to self");
    alice.cmd("msg op need help");
    assert!(op.screen.wait_for("MSG FROM ALICE   : need help"));
    alice.expect("msg nobody x", "NOBODY NOT LOGGED ON");
    bob.cmd("set msg off");
    alice.expect("msg bob x", "BOB NOT RECEIVING; MSG OFF");
    bob.cmd("set msg on");

    bob.cmd("set wng off");
    let n = (alice.screen.len(), bob.screen.len());
    op.cmd("warning all system down in 5");
    assert!(alice.screen.wait_from(n.0, "WNG FROM OPERATOR: system down in 5"));
    assert!(!bob.screen.since(n.1).iter().any(|l| l.contains("WNG FROM")));
    op.expect("wng bob hello", "BOB NOT RECEIVING; WNG OFF");

    // DISCONNECT: the machine stays, messages are not received.
    bob.cmd("disc");
    assert!(bob.screen.wait_for("DISCONNECT AT "));
    alice.expect_in("query names", "BOB      - DSC");
    alice.expect("msg bob x", "BOB NOT RECEIVING; DISCONNECTED");

    op.cmd("force bob");
    assert!(
        op.screen.wait_for("USER DSC LOGOFF AS BOB      USERS = 002 FORCED"),
        "{:?}",
        op.screen.lines()
    );
    // BOB was disconnected: his terminal gets nothing, his machine is gone.
    assert!(sys.user("BOB").is_none());
    op.expect("force bob", "BOB NOT LOGGED ON");
    op.expect("force", "USERID MISSING OR INVALID");

    // AUTOLOG: logged on without a terminal, disconnected.
    op.cmd("autolog carol carol");
    assert!(op.screen.wait_for("AUTO LOGON  ***  CAROL    USERS = 003"), "{:?}", op.screen.lines());
    op.expect("query carol", "CAROL    - DSC");
    op.expect("autolog carol carol", "CAROL ALREADY LOGGED ON");
    op.cmd("autolog bob wrong");
    assert!(op.screen.wait_for("PASSWORD INCORRECT - REENTER LOGON"));
    op.expect("autolog bob", "OPERAND MISSING OR INVALID");

    // ENABLE / DISABLE gate new terminal logons.
    assert!(sys.logons_enabled());
    op.cmd("disable all");
    assert!(!sys.logons_enabled());
    op.cmd("enable all");
    assert!(sys.logons_enabled());
    op.expect("enable 0c0", "INVALID OPTION - 0C0");

    // The log message, shown at logon.
    op.cmd("set logmsg Maintenance at 22:00 UTC");
    op.expect("query logmsg", "*  Maintenance at 22:00 UTC");
    let dave = Term::logon(&sys, "BOB", "BOB");
    assert!(dave.screen.lines().iter().any(|l| l == "Maintenance at 22:00 UTC"));
    op.cmd("set logmsg null");
    op.expect("query logmsg", "LOGMSG - NONE");

    // PRIORITY and FAVORED reach the dispatcher.
    op.expect("query priority alice", "ALICE    PRIORITY = 50");
    op.cmd("set priority alice 10");
    op.cmd("set favored alice 20");
    op.expect("q prio alice", "ALICE    PRIORITY = 10 FAVORED 20");
    op.cmd("set favored alice off");
    op.expect("query priority alice", "ALICE    PRIORITY = 10");
    op.expect("set priority alice 100", "OPERAND MISSING OR INVALID");
    op.expect("set priority nobody 5", "NOBODY NOT LOGGED ON");
}

const NEW_USER: &str = "USER ERIN ERIN 1M 2M G\n CONSOLE 009 3215\n";

#[test]
fn direct_from_the_host_file_and_from_a_cms_file() {
    let (dir, sys) = start();
    let maint = Term::logon(&sys, "MAINT", "CPCMS");
    // The host file, with an error: listed, and the old directory stays.
    std::fs::write(dir.path().join("USER.DIRECT"), format!("{}USER\n", common::DIRECT))
        .expect("write");
    let out = maint.cmd("direct");
    assert!(out.iter().any(|l| l.contains("USER DIRECT") && l.contains("line")), "{out:?}");
    assert_eq!(out.last().map(String::as_str), Some("EOJ DIRECTORY NOT UPDATED"));
    assert!(User::logon(&sys, "ERIN", "ERIN", None).is_err());

    // USER DIRECT on MAINT's 191 (as EDIT would leave it), checked, then put in force.
    let vol = sys.volumes.get("TEST01").expect("volume").clone();
    let mut disk = CmsDisk::mount(MinidiskBlocks::new(vol, 2, 2)).expect("MAINT 191 is formatted");
    let text = format!("{}{NEW_USER}", common::DIRECT);
    let recs: Vec<Vec<u8>> = text
        .lines()
        .map(|l| {
            let mut r = s370::ebcdic::from_str(l);
            r.resize(80, 0x40);
            r
        })
        .collect();
    disk.write_file(
        FileId::new("USER", "DIRECT").expect("fileid"),
        FileMode::parse("A1").expect("mode"),
        RecFm::F,
        80,
        WriteMode::Replace,
        recs,
        Timestamp::new(2026, 1, 2, 3, 4),
    )
    .expect("write USER DIRECT");
    maint.expect("direct user direct a (edit", "EOJ DIRECTORY NOT UPDATED");
    assert!(User::logon(&sys, "ERIN", "ERIN", None).is_err(), "EDIT only checks");
    maint.expect("direct user", "EOJ DIRECTORY UPDATED");
    let erin = Term::logon(&sys, "ERIN", "ERIN");
    erin.expect("query userid", "ERIN     AT TESTVM");
    let host = std::fs::read_to_string(dir.path().join("USER.DIRECT")).expect("read");
    assert!(host.contains("USER ERIN ERIN"), "written back for the next start");
    maint.expect("direct nosuch", "FILE 'NOSUCH DIRECT' NOT FOUND");
    maint.expect("direct user direct a (frob", "INVALID OPTION - FROB");
}
