//! End to end through CP: a user logs on, a small guest program (hand-assembled S/370 code)
//! does console I/O with SIO and waits for its interruptions, and ends in a disabled wait.

mod common;
use common::Screen;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cp::backend::{ArchRegs, S370Regs};
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::Status;
use cp::vm::RunState;

const CONFIG: &str =
    "SYSID TESTVM\nCPUS 1\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n";
const DIRECT: &str = "DIRECTORY 130 3350 TEST01\nUSER TEST PASS 1M 16M G\n CONSOLE 009 3215\n SPOOL 00D 2540 PUNCH A\n";

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

/// Puts `program` at X'400' and starts it with a disabled BC-mode PSW.
fn run_program(user: &Arc<User>, program: &[u8], extra: &[(u64, &[u8])]) {
    let mut st = user.lock();
    st.vm.memory().write(0x400, program).expect("program fits");
    for (at, bytes) in extra {
        st.vm.memory().write(*at, bytes).expect("data fits");
    }
    let regs = S370Regs { psw: 0x0000_0000_0000_0400, ..S370Regs::default() };
    st.vm.backend.set_regs(&ArchRegs::S370(regs)).expect("S/370 registers");
    st.vm.state = RunState::Running;
    st.cp_mode = false;
    drop(st);
    user.console.set_cp_mode(false);
    user.wake(cp::dispatch::Wake::Interactive);
}

fn ebcdic(s: &str) -> Vec<u8> {
    s370::ebcdic::from_str(s)
}

#[test]
fn guest_writes_and_reads_the_console_through_sio() {
    let (_dir, sys) = start();
    let screen = Arc::new(Screen::default());
    assert!(User::logon(&sys, "test", "wrong", Some(screen.clone())).is_err());
    let user = User::logon(&sys, "test", "pass", Some(screen.clone())).expect("logon");
    assert!(screen.lines().iter().any(|l| l.starts_with("LOGON AT ")), "{:?}", screen.lines());

    // Each wait resumes where the I/O new PSW (its address word at X'7C', set before each
    // SIO) says. All addresses are below 4K, so no base register is needed.
    // 400 MVC X'7C'(4),X'4A0'   resume at 410
    // 406 SIO X'009'            write "HELLO" (CCW at 500 via the CAW at X'48')
    // 40A LPSW X'480'           enabled wait for the I/O interruption
    // 40E NOPR
    // 410 MVC X'48'(4),X'484'   CAW -> read CCW at 508
    // 416 MVC X'7C'(4),X'4A4'   resume at 426
    // 41C SIO X'009'
    // 420 LPSW X'480'           wait: the read ends when the user types
    // 424 NOPR
    // 426 MVC X'48'(4),X'488'   CAW -> echo CCW at 510
    // 42C MVC X'7C'(4),X'4A8'   resume at 43C
    // 432 SIO X'009'
    // 436 LPSW X'480'
    // 43A NOPR
    // 43C LPSW X'490'           disabled wait, code BAD
    let program: Vec<u8> = vec![
        0xD2, 0x03, 0x00, 0x7C, 0x04, 0xA0, //
        0x9C, 0x00, 0x00, 0x09, //
        0x82, 0x00, 0x04, 0x80, //
        0x07, 0x00, //
        0xD2, 0x03, 0x00, 0x48, 0x04, 0x84, //
        0xD2, 0x03, 0x00, 0x7C, 0x04, 0xA4, //
        0x9C, 0x00, 0x00, 0x09, //
        0x82, 0x00, 0x04, 0x80, //
        0x07, 0x00, //
        0xD2, 0x03, 0x00, 0x48, 0x04, 0x88, //
        0xD2, 0x03, 0x00, 0x7C, 0x04, 0xA8, //
        0x9C, 0x00, 0x00, 0x09, //
        0x82, 0x00, 0x04, 0x80, //
        0x07, 0x00, //
        0x82, 0x00, 0x04, 0x90,
    ];
    let caw = 0x500u32.to_be_bytes();
    let wait_psw = [0x80, 0x02, 0, 0, 0, 0, 0, 0]; // channel 0 enabled, wait
    let cawr = 0x508u32.to_be_bytes();
    let cawe = 0x510u32.to_be_bytes();
    let dwait = [0x00, 0x02, 0, 0, 0, 0, 0x0B, 0xAD];
    let resumes: Vec<u8> = [0x410u32, 0x426, 0x43C].iter().flat_map(|a| a.to_be_bytes()).collect();
    let mut ccws = vec![0x09, 0x00, 0x06, 0x00, 0x20, 0x00, 0x00, 0x05]; // write 5 from 600
    ccws.extend([0x0A, 0x00, 0x07, 0x00, 0x20, 0x00, 0x00, 0x50]); // read 80 into 700, SLI
    ccws.extend([0x09, 0x00, 0x07, 0x00, 0x20, 0x00, 0x00, 0x08]); // write 8 from 700
    let hello = ebcdic("HELLO");
    run_program(
        &user,
        &program,
        &[
            (0x48, &caw),
            (0x480, &wait_psw),
            (0x484, &cawr),
            (0x488, &cawe),
            (0x490, &dwait),
            (0x4A0, &resumes),
            (0x500, &ccws),
            (0x600, &hello),
        ],
    );
    assert!(screen.wait_for("HELLO"), "{:?}", screen.lines());
    let deadline = Instant::now() + Duration::from_secs(10);
    while user.console.status() != Status::VmRead && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(user.console.status(), Status::VmRead, "the guest is reading");
    user.input(&sys, "tyx@ped");
    assert!(screen.wait_for("typed"), "{:?}", screen.lines());
    assert!(screen.wait_for("DISABLED WAIT PSW '00020000 00000BAD'"), "{:?}", screen.lines());
    assert!(matches!(user.lock().vm.state, RunState::Stopped(_)));
    assert_eq!(user.console.status(), Status::CpRead);

    // CP commands now, in CP mode.
    user.input(&sys, "query time");
    assert!(screen.wait_for("TIME IS "), "{:?}", screen.lines());
    user.input(&sys, "foobar");
    assert!(screen.wait_for("?CP: FOOBAR"), "{:?}", screen.lines());
    user.input(&sys, "logoff");
    assert!(screen.wait_for("LOGOFF AT "), "{:?}", screen.lines());
    assert!(screen.lines().iter().any(|l| l.starts_with("CONNECT= ")));
    assert!(user.logged_off());
    assert!(sys.user("TEST").is_none());
}

#[test]
fn sio_to_a_missing_device_and_diag_codes() {
    let (_dir, sys) = start();
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "TEST", "PASS", Some(screen.clone())).expect("logon");
    // 400 SIO X'191'         no such device: CC 3
    // 404 BC 1,X'410'        CC 3 -> 410
    // 408 LPSW X'480'        (wrong path) disabled wait BAD
    // 410 LA 2,X'600'        DIAGNOSE X'08' "QUERY USERS"
    // 414 LA 3,11
    // 418 DIAG 2,3,X'008'
    // 41C LPSW X'488'        disabled wait 600D
    let program = vec![
        0x9C, 0x00, 0x01, 0x91, //
        0x47, 0x10, 0x04, 0x10, //
        0x82, 0x00, 0x04, 0x80, //
        0x07, 0x00, 0x07, 0x00, //
        0x41, 0x20, 0x06, 0x00, //
        0x41, 0x30, 0x00, 0x0B, //
        0x83, 0x23, 0x00, 0x08, //
        0x82, 0x00, 0x04, 0x88,
    ];
    let bad = [0x00, 0x02, 0, 0, 0, 0, 0x0B, 0xAD];
    let good = [0x00, 0x02, 0, 0, 0, 0, 0x60, 0x0D];
    let text = ebcdic("QUERY USERS");
    run_program(&user, &program, &[(0x480, &bad), (0x488, &good), (0x600, &text)]);
    assert!(screen.wait_for("DISABLED WAIT PSW '00020000 0000600D'"), "{:?}", screen.lines());
    assert!(screen.lines().iter().any(|l| l == "001 USERS, 000 DIALED"), "{:?}", screen.lines());
    user.input(&sys, "#cp logoff");
    assert!(screen.wait_for("LOGOFF AT "));
}
