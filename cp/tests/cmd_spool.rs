//! Spooling between users end to end: a guest punches cards through SIO, CLOSE makes a
//! spool file in another user's reader, QUERY RDR shows it in R6's layout, ORDER, CHANGE,
//! TRANSFER and PURGE work on it, a reader guest reads it; classes, HOLD, COPY, CONT and
//! console spooling; spool files and the directory survive SHUTDOWN and a restart.

mod common;

use common::{Term, punch_cards, read_cards, start};

fn run_to_wait(t: &Term) {
    t.wait_cp_read();
    assert!(
        t.screen.lines().iter().any(|l| l.contains("DISABLED WAIT PSW '00020000 0000600D'")),
        "{:?}",
        t.screen.lines()
    );
}

#[test]
fn punch_to_another_users_reader_then_order_change_transfer_purge_and_read() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let bob = Term::logon(&sys, "BOB", "BOB");
    let carol = Term::logon(&sys, "CAROL", "CAROL");

    assert!(alice.cmd("spool punch to bob").is_empty());
    punch_cards(&alice.user, &["HELLO CARD ONE", "HELLO CARD TWO"]);
    run_to_wait(&alice);
    alice.expect("close 00d name hello exec", "PUN FILE 0001  TO  BOB      COPY 01 NOHOLD");

    bob.expect("query rdr", "OWNERID  FILE CLASS RECDS  CPY HOLD");
    bob.expect("q rdr", "ALICE    0001 A PUN 00000002 01 NONE");
    let all = bob.cmd("query reader all");
    assert_eq!(
        all[0],
        "OWNERID  FILE CLASS RECDS  CPY HOLD  DATE  TIME     NAME     TYPE     DIST"
    );
    assert!(all[1].starts_with("ALICE    0001 A PUN 00000002 01 NONE  "), "{all:?}");
    assert!(all[1].ends_with(" HELLO    EXEC     ALICE"), "{all:?}");
    bob.expect("query files", "FILES: 001 RDR, NO PRT, NO PUN");
    alice.expect("query rdr", "NO RDR FILES");

    // A second file; the punch is still spooled to BOB.
    punch_cards(&alice.user, &["SECOND CARD"]);
    run_to_wait(&alice);
    alice.expect("close punch name second file", "PUN FILE 0002  TO  BOB      COPY 01 NOHOLD");

    bob.expect("order rdr 2", "0001 FILES ORDERED");
    let q = bob.cmd("query rdr");
    assert!(q[1].contains(" 0002 ") && q[2].contains(" 0001 "), "{q:?}");
    bob.expect("change rdr 1 hold", "0001 FILES CHANGED");
    bob.expect(
        "query rdr 1",
        "OWNERID  FILE CLASS RECDS  CPY HOLD  DATE  TIME     NAME     TYPE     DIST",
    );
    bob.expect_in("query rdr", "ALICE    0001 A PUN 00000002 01 USER");
    bob.expect("change rdr 9000 nohold", "NO FILES CHANGED");
    bob.expect("change rdr 9999 nohold", "OPERAND MISSING OR INVALID");

    // BOB's reader skips the held file and reads file 2 to its end; it is then gone.
    read_cards(&bob.user);
    run_to_wait(&bob);
    assert_eq!(bob.gpr(3), 1, "one card read");
    let shown = bob.cmd("display t700.10");
    assert!(shown[0].contains("*SECOND CARD     *"), "{shown:?}");
    bob.expect_in("query rdr", "0001 A PUN");
    assert!(!bob.cmd("query rdr").iter().any(|l| l.contains(" 0002 ")));

    // TRANSFER to CAROL, who hears of it; ALICE, who made it, reclaims it.
    bob.expect("change rdr all nohold", "0001 FILES CHANGED");
    let out = bob.expect("transfer rdr 1 to carol", "RDR FILE 0001 TRANSFERRED TO CAROL");
    assert!(out.contains(&"0001 FILES TRANSFERRED".to_string()), "{out:?}");
    assert!(carol.screen.wait_for("RDR FILE 0001 TRANSFERRED FROM BOB"));
    carol.expect_in("query rdr", "ALICE    0001 A PUN");
    bob.expect("transfer 1 from carol", "NO FILES TRANSFERRED");
    alice.expect("transfer 1 from carol", "RDR FILE 0001 TRANSFERRED FROM CAROL");
    alice.expect_in("query rdr", "ALICE    0001 A PUN 00000002");
    alice.expect("transfer all to nosuchus", "USERID MISSING OR INVALID");

    alice.expect("purge rdr 1", "0001 FILES PURGED");
    alice.expect("query rdr", "NO RDR FILES");
    alice.expect("purge rdr all", "NO FILES PURGED");
    alice.expect("purge foo", "INVALID OPTION - FOO");
}

#[test]
fn classes_hold_copy_cont_and_console_spooling() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let carol = Term::logon(&sys, "CAROL", "CAROL");

    // CAROL's reader is class A: a class B file waits until she reads class B.
    alice.cmd("spool pun to carol class b");
    punch_cards(&alice.user, &["CLASS B CARD"]);
    run_to_wait(&alice);
    alice.expect_in("close 00d", "PUN FILE 0001  TO  CAROL");
    read_cards(&carol.user);
    run_to_wait(&carol);
    assert_eq!(carol.gpr(3), 0, "the class A reader looks empty");
    carol.expect_in("query rdr", "ALICE    0001 B PUN 00000001");
    carol.expect_in("query virtual 00c", "RDR  00C CL A NOCONT NOHOLD EOF");
    carol.cmd("spool rdr class b");
    carol.expect_in("q v ur", "RDR  00C CL B");
    read_cards(&carol.user);
    run_to_wait(&carol);
    assert_eq!(carol.gpr(3), 1);
    carol.expect("query rdr", "NO RDR FILES");
    carol.expect("spool rdr class $", "CLASS MISSING OR INVALID");

    // HOLD and COPY show in the message and the file; OFF sends to one's own punch queue.
    alice.cmd("spool punch off hold copy 3");
    alice.expect_in("query virtual 00d", "PUN  00D CL B NOCONT HOLD   COPY 03");
    alice.expect_in("q v 00d", "00D FOR ALICE    DIST ALICE");
    punch_cards(&alice.user, &["HELD"]);
    run_to_wait(&alice);
    alice.expect("close 00d", "PUN FILE 0002  FOR  ALICE    COPY 03 HOLD");
    alice.expect_in("query punch", "ALICE    0002 B PUN 00000001 03 USER");
    alice.expect("query files class b", "FILES: NO RDR, NO PRT, 001 PUN");
    alice.expect("query files class a", "FILES: NO RDR, NO PRT, NO PUN");

    // CONT: CLOSE is ignored until SPOOL ... CLOSE.
    alice.cmd("spool punch nohold cont copy 1");
    punch_cards(&alice.user, &["ONE"]);
    run_to_wait(&alice);
    assert!(alice.cmd("close 00d").is_empty());
    punch_cards(&alice.user, &["TWO"]);
    run_to_wait(&alice);
    alice.cmd("spool punch close");
    alice.expect_in("query pun", "ALICE    0003 B PUN 00000002 01 NONE");
    alice.cmd("spool punch nocont");
    alice.expect("spool punch frobnicate", "INVALID OPTION - FROBNICATE");
    alice.expect("spool 0ff class a", "DEV 0FF DOES NOT EXIST");

    // Console spooling: what the console shows becomes a printer file (class T).
    alice.cmd("spool console start");
    alice.expect_in("query virtual console", "TERM START");
    alice.cmd("query users");
    alice.cmd("spool console stop");
    alice.cmd("close console");
    let q = alice.cmd("query prt all");
    assert!(q.iter().any(|l| l.starts_with("ALICE    0004 T CON ")), "{q:?}");
    let file = sys.spool().get(4).cloned().expect("console file");
    let text: Vec<String> = file.records.iter().map(|r| s370::ebcdic::to_string(&r.data)).collect();
    assert!(text.iter().any(|l| l == "002 USERS, 000 DIALED"), "{text:?}");
    assert!(text.iter().any(|l| l.contains("TERM START")), "{text:?}");

    // SET IMSG OFF silences the informational answers.
    alice.cmd("set imsg off");
    assert!(alice.cmd("purge prt all").is_empty());
    alice.cmd("set imsg on");
    alice.expect("purge all", "0002 FILES PURGED");
}

#[test]
fn spool_and_directory_survive_shutdown_and_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = common::start_in(dir.path(), common::CONFIG, common::DIRECT);
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let op = Term::logon(&sys, "OPERATOR", "OPERATOR");
    alice.cmd("spool punch to bob");
    punch_cards(&alice.user, &["KEEP ME"]);
    run_to_wait(&alice);
    alice.cmd("close 00d name keep me");
    // An open file is closed at the forced logoff.
    punch_cards(&alice.user, &["OPEN AT SHUTDOWN"]);
    run_to_wait(&alice);

    // A new directory entry, reloaded live: it must also be there after the restart.
    let text = format!("{}USER DAVE DAVE 1M 2M G\n CONSOLE 009 3215\n", common::DIRECT);
    std::fs::write(dir.path().join("USER.DIRECT"), text).expect("new directory");
    op.expect("direct", "EOJ DIRECTORY UPDATED");

    op.cmd("shutdown");
    sys.wait_for_shutdown();
    assert!(sys.shut_down());
    assert!(alice.screen.wait_for("FORCED AT") || alice.screen.wait_for("LOGOFF AT"));
    assert!(alice.screen.wait_for("PUN FILE 0002  TO  BOB"), "{:?}", alice.screen.lines());
    assert!(op.screen.wait_for("SYSTEM SHUTDOWN COMPLETE"));
    assert_eq!(sys.user_count(), 0);
    assert!(cp::user::User::logon(&sys, "BOB", "BOB", None).is_err(), "no logons after shutdown");
    drop((alice, op, sys));

    let sys = common::start_in(dir.path(), common::CONFIG, common::DIRECT);
    let bob = Term::logon(&sys, "BOB", "BOB");
    bob.expect_in("query rdr all", "ALICE    0001 A PUN 00000001 01 NONE");
    bob.expect_in("query rdr", "ALICE    0002 A PUN 00000001");
    read_cards(&bob.user);
    run_to_wait(&bob);
    assert_eq!(bob.gpr(3), 1);
    let dave = Term::logon(&sys, "DAVE", "DAVE");
    dave.expect("query userid", "DAVE     AT TESTVM");
}
