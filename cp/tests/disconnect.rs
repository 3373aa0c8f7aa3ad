//! DISCONNECT, reconnect with BEGIN, and the logoff of a user left disconnected in a
//! console read for longer than DISCTIME.

use std::sync::{Arc, Mutex};

use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};

#[derive(Default)]
struct Screen(Mutex<Vec<String>>);

impl TermSink for Screen {
    fn line(&self, text: &str) {
        self.0.lock().expect("lock").push(text.to_string());
    }
    fn status(&self, _s: Status) {}
}

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
    assert!(screen.0.lock().expect("lock").iter().any(|l| l.starts_with("DISCONNECT AT ")));
    assert_eq!(alice.terminal_name(), "DSC");
    assert!(sys.user("ALICE").is_some(), "the machine stays logged on");

    let again = Arc::new(Screen::default());
    alice.reconnect(&sys, again.clone(), "TERM0002");
    assert!(again.0.lock().expect("lock").iter().any(|l| l.starts_with("RECONNECT AT ")));
    assert_eq!(alice.console.status(), Status::CpRead);

    // Left disconnected in CP mode: logged off after DISCTIME (15 minutes), not before.
    alice.input(&sys, "disc");
    let now = sys.now();
    assert!(sys.reap_disconnected(now + 14 * 60).is_empty());
    assert_eq!(sys.reap_disconnected(now + 15 * 60), vec!["ALICE".to_string()]);
    assert!(sys.user("ALICE").is_none());
}
