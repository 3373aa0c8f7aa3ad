//! A guest that never waits (a two-instruction loop) cannot keep CP away from its user:
//! its own `#CP` commands, PA1-style attention and the operator's FORCE all get through
//! while it loops. (Before `User::lock` ended the running slice and held new ones back, the
//! dispatcher re-took the user's state lock after every 10 ms slice and a waiting terminal
//! could starve for seconds.)

mod common;

use common::Term;

/// `LA 3,1(,3)` / `B X'400'`.
const LOOP: [u8; 8] = [0x41, 0x30, 0x30, 0x01, 0x47, 0xF0, 0x04, 0x00];

#[test]
fn cp_commands_reach_a_looping_guest_and_force_ends_it() {
    let (_dir, sys) = common::start();
    let op = Term::logon(&sys, "OPERATOR", "OPERATOR");
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    common::run_program(&alice.user, &LOOP, &[]);
    std::thread::sleep(std::time::Duration::from_millis(100));
    for _ in 0..20 {
        let n = alice.screen.len();
        alice.user.input(&sys, "#cp query time");
        assert!(alice.screen.wait_from(n, "TIME IS "), "{:?}", alice.screen.since(n));
    }
    // The loop went on between the commands.
    let n = alice.screen.len();
    alice.user.input(&sys, "#cp indicate user");
    assert!(alice.screen.wait_from(n, "INSTR="), "{:?}", alice.screen.since(n));
    let line = alice.screen.since(n).into_iter().find(|l| l.starts_with("INSTR=")).expect("INSTR");
    let instr: u64 = line[6..16].parse().expect("a count");
    assert!(instr > 1000, "{line}");
    op.cmd("force alice");
    assert!(alice.screen.wait_for("LOGOFF AT "), "{:?}", alice.screen.lines());
    assert!(sys.user("ALICE").is_none());
}
