//! DISCONNECT, reconnect with BEGIN, and the logoff of a user left disconnected in a
//! console read for longer than DISCTIME.

mod common;
use common::Screen;

use std::sync::Arc;

use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::Status;

#[test]
fn disconnect_reconnect_and_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: true,
        cpus: None,
    })
    .expect("default system");
    let screen = Arc::new(Screen::default());
    let alice = User::logon(&sys, "ALICE", "ALICE", Some(screen.clone())).expect("logon");
    alice.input(&sys, "disconnect");
    assert!(screen.lines().iter().any(|l| l.starts_with("DISCONNECT AT ")));
    assert_eq!(alice.terminal_name(), "DSC");
    assert!(sys.user("ALICE").is_some(), "the machine stays logged on");

    let again = Arc::new(Screen::default());
    alice.reconnect(&sys, again.clone(), "TERM0002");
    assert!(again.lines().iter().any(|l| l.starts_with("RECONNECT AT ")));
    assert_eq!(alice.console.status(), Status::CpRead);

    // Left disconnected in CP mode: logged off after DISCTIME (15 minutes), not before.
    alice.input(&sys, "disc");
    let now = sys.now();
    assert!(sys.reap_disconnected(now + 14 * 60).is_empty());
    assert_eq!(sys.reap_disconnected(now + 15 * 60), vec!["ALICE".to_string()]);
    assert!(sys.user("ALICE").is_none());
}

#[test]
fn set_run_on_keeps_the_machine_running_through_attention() {
    use cp::backend::{ArchRegs, S370Regs};
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("default system");
    let screen = Arc::new(Screen::default());
    let bob = User::logon(&sys, "BOB", "BOB", Some(screen.clone())).expect("logon");
    bob.input(&sys, "set run on");
    {
        // 400 B X'400': a machine that runs for ever.
        let mut st = bob.lock();
        st.vm.memory().write(0x400, &[0x47, 0xF0, 0x04, 0x00]).expect("program");
        st.vm
            .backend
            .set_regs(&ArchRegs::S370(S370Regs { psw: 0x400, ..S370Regs::default() }))
            .expect("regs");
        st.vm.state = cp::vm::RunState::Running;
        st.cp_mode = false;
    }
    bob.console.set_cp_mode(false);
    bob.wake(cp::dispatch::Wake::Other);
    let count = || bob.lock().vm.backend.counters().instructions.unwrap_or(0);
    std::thread::sleep(std::time::Duration::from_millis(50));
    bob.attention();
    assert_eq!(bob.console.status(), Status::CpRead, "CP reads a command");
    let before = count();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(count() > before, "the machine runs on while CP reads");
    bob.input(&sys, "query time");
    assert!(screen.lines().iter().any(|l| l.starts_with("TIME IS ")));
    assert_eq!(bob.console.status(), Status::Running, "back to the machine after the command");
    // SET RUN OFF: attention stops the machine.
    bob.attention();
    bob.input(&sys, "set run off");
    bob.input(&sys, "begin");
    bob.attention();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let stopped = count();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(count(), stopped, "stopped in CP mode");
}
