//! LINK with every mode and the R6 access table, passwords given and prompted for, own
//! disks, the ten-failures limit, QUERY LINKS and DETACH; DEFINE of devices, addresses and
//! temporary disks.

mod common;

use common::{Term, start};

#[test]
fn link_modes_passwords_and_the_access_table() {
    let (_dir, sys) = start();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let bob = Term::logon(&sys, "BOB", "BOB");
    let carol = Term::logon(&sys, "CAROL", "CAROL");

    // One's own disk needs no password (ALICE has her 191 R/W since logon).
    alice.expect("link * 191 291 rr", "DASD 291 LINKED R/O; R/W BY ALICE");
    alice.expect("q v 291", "DASD 291 3350 TEST01 R/O    001 CYL");

    // Another user's disk: the password is asked for, not shown, and checked.
    let out = bob.cmd("link to alice 191 as 291 rr");
    assert_eq!(out, vec!["ENTER READ PASSWORD:".to_string()]);
    assert!(bob.user.lock().prompt.is_some(), "the next line answers the prompt");
    bob.expect("rsecret", "DASD 291 LINKED R/O; R/W BY ALICE; R/O BY ALICE");
    bob.expect("link alice 191 292 r wrong", "ALICE 191 NOT LINKED; PASSWORD INCORRECT");
    bob.cmd("link alice 191 292 rr");
    bob.expect("nope", "ALICE 191 NOT LINKED; PASSWORD INCORRECT");

    // R, W and M against ALICE's write link; MR falls back to read; MW writes anyway.
    bob.expect("link alice 191 292 r rsecret", "ALICE 191 NOT LINKED; R/W BY ALICE");
    bob.expect("link alice 191 292 w wsecret", "ALICE 191 NOT LINKED; R/W BY ALICE");
    bob.expect("link alice 191 292 m msecret", "ALICE 191 NOT LINKED; R/W BY ALICE");
    bob.expect("link alice 191 293 wr pass=wsecret", "DASD 293 FORCED R/O; R/W BY ALICE");
    bob.expect("link alice 191 294 mr msecret", "DASD 294 FORCED R/O; R/W BY ALICE");
    bob.expect(
        "link alice 191 295 mw msecret",
        "DASD 295 LINKED R/W; R/W BY ALICE; R/O BY 002 USERS",
    );
    let links = alice.cmd("query links 191");
    let all = links.join(", ");
    for want in ["ALICE    191 R/W", "ALICE    291 R/O", "BOB      291 R/O", "BOB      295 R/W"] {
        assert!(all.contains(want), "{want} in {links:?}");
    }

    // No read password in the directory: nobody else may link.
    carol.expect("link bob 192 192", "BOB 192 NOT LINKED; NO READ PASSWORD");
    // Password ALL: no password needed.
    carol.expect("link bob 191 391", "BOB 191 NOT LINKED; R/W BY BOB");
    carol.expect("link bob 191 391 rr", "DASD 391 LINKED R/O; R/W BY BOB");
    carol.expect("link bob 193 393 m", "BOB 193 NOT LINKED; R/W BY BOB");
    carol.expect("link bob 193 393 mw", "DASD 393 LINKED R/W; R/W BY BOB");

    // Errors.
    carol.expect("link nobody 191 394", "NOBODY 191 NOT LINKED; NOT IN CP DIRECTORY");
    carol.expect("link bob 999 394", "BOB 999 NOT LINKED; NO DASD 999");
    carol.expect("link bob 191 391 rr", "BOB 191 NOT LINKED; DASD 391 ALREADY DEFINED");
    carol.expect("link bob 191 00c rr", "BOB 191 NOT LINKED; RDR 00C ALREADY DEFINED");
    carol.expect("link bob 191", "VADDR MISSING OR INVALID");
    carol.expect("link bob 191 600 rr", "VADDR MISSING OR INVALID");
    carol.expect("link", "USERID MISSING OR INVALID");
    carol.expect("link bob 191 394 rr extra junk", "OPERAND MISSING OR INVALID");
    carol.cmd("set emsg on");
    carol.expect("link bob 999 394", "DMKLNK109E BOB 999 NOT LINKED; NO DASD 999");
    carol.cmd("set emsg text");

    // W needs nobody else linked: once everyone else has let go, it is given.
    for a in ["291", "293", "294", "295"] {
        bob.expect(&format!("detach {a}"), &format!("DASD {a} DETACHED"));
    }
    alice.cmd("detach 291");
    carol.expect("link alice 191 395 w wsecret", "ALICE 191 NOT LINKED; R/W BY ALICE");
    alice.expect("detach 191", "DASD 191 DETACHED");
    carol.expect("link alice 191 395 w wsecret", "DASD 395 LINKED R/W");
    bob.expect("link alice 191 291 w wsecret", "ALICE 191 NOT LINKED; R/W BY CAROL");
    bob.expect("link alice 191 291 rr rsecret", "DASD 291 LINKED R/O; R/W BY CAROL");
    carol.cmd("detach 395");
    alice.expect("link * 191 191 w", "ALICE 191 NOT LINKED; R/O BY BOB");
    alice.expect("link * 191 191 wr", "DASD 191 FORCED R/O; R/O BY BOB");
}

#[test]
fn ten_wrong_passwords_disable_link() {
    let (_dir, sys) = start();
    let _alice = Term::logon(&sys, "ALICE", "ALICE");
    let carol = Term::logon(&sys, "CAROL", "CAROL");
    for _ in 0..10 {
        carol.expect("link alice 191 291 rr bad", "ALICE 191 NOT LINKED; PASSWORD INCORRECT");
    }
    carol.expect("link alice 191 291 rr rsecret", "LINK INVALID; EXCESSIVE INCORRECT PASSWORDS");
}

#[test]
fn detach_and_define() {
    let (dir, sys) = start();
    let bob = Term::logon(&sys, "BOB", "BOB");
    bob.expect("detach 009", "DEV 009 IS CONSOLE, NOT DETACHED");
    bob.expect("detach 555", "DEV 555 DOES NOT EXIST");
    bob.expect("detach", "VADDR MISSING OR INVALID");

    // A device moves; its link moves with it.
    bob.expect("define 192 as 292", "DASD 292 DEFINED");
    bob.expect_in("query links 292", "BOB      292 R/O");
    bob.expect("define 292 as 191", "DASD 191 ALREADY DEFINED");
    bob.expect("define 777 as 778", "DEV 777 DOES NOT EXIST");

    // Spooled devices.
    bob.expect("define reader as 00f", "RDR 00F DEFINED");
    bob.expect("define punch 00f", "RDR 00F ALREADY DEFINED");
    bob.expect("define printer 01e", "PRT 01E DEFINED");
    bob.expect("define 2540p as 01d", "PUN 01D DEFINED");
    bob.expect_in("query virtual ur", "PRT  01E CL A NOCONT NOHOLD COPY 01");
    bob.expect("detach 01e", "PRT 01E DETACHED");
    bob.expect("define gadget 300", "INVALID OPTION - GADGET");

    // A temporary disk is an image file of its own, gone when detached.
    bob.expect("define t3350 as 2a0 cyl 2", "DASD 2A0 DEFINED");
    bob.expect("q v 2a0", "DASD 2A0 3350 $TDSK$ R/W    002 CYL");
    let tdisks = || std::fs::read_dir(dir.path().join("tdisk")).map_or(0, |d| d.count());
    assert_eq!(tdisks(), 1);
    bob.expect("detach 2a0", "DASD 2A0 DETACHED");
    assert_eq!(tdisks(), 0);
    bob.expect("define t3330 2a1 1", "DASD 2A1 DEFINED");
    bob.expect_in("q v 2a1", "DASD 2A1 3330 $TDSK$ R/W    001 CYL");
    bob.expect("define t3350 as 2a2 cyl 999", "OPERAND MISSING OR INVALID");
    bob.expect("define t9999 as 2a2 cyl 1", "INVALID OPTION - T9999");
    assert_eq!(tdisks(), 1);
    bob.cmd("set imsg off");
    assert!(bob.cmd("define t3350 2a3 1").is_empty());
    assert_eq!(tdisks(), 2);
    // ... and at logoff.
    bob.cmd("logoff");
    assert!(bob.screen.wait_for("LOGOFF AT"));
    assert_eq!(tdisks(), 0);
}
