//! One smoke test with the interactive client: c3270 under tmux against the toy CP.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::echo_cp::EchoCp;
use terminals::server::ServerConfig;

fn tmux(args: &[&str]) -> String {
    let out = Command::new("timeout").arg("10").arg("tmux").args(args).output().expect("run tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have(prog: &str, arg: &str) -> bool {
    let ok = Command::new(prog).arg(arg).output().is_ok();
    if !ok {
        println!("skipped: {prog} not installed");
    }
    ok
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

fn wait_pane(session: &str, what: &str) -> String {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let pane = tmux(&["capture-pane", "-p", "-t", session]);
        if pane.contains(what) {
            return pane;
        }
        assert!(Instant::now() < until, "{what:?} never appeared in c3270:\n{pane}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn c3270_under_tmux() {
    if !have("c3270", "-v") || !have("tmux", "-V") {
        return;
    }
    let cp = EchoCp::start(ServerConfig::default());
    let name = format!("vm370-c3270-{}", std::process::id());
    let cmd =
        format!("timeout 60 c3270 -model 3279-2 -codepage cp037 127.0.0.1:{}", cp.addr.port());
    tmux(&["new-session", "-d", "-s", &name, "-x", "100", "-y", "32", &cmd]);
    let _session = Session(name.clone());
    wait_pane(&name, "VM/370 ONLINE");
    tmux(&["send-keys", "-t", &name, "Enter"]);
    wait_pane(&name, "CP READ");
    tmux(&["send-keys", "-t", &name, "-l", "hello from c3270"]);
    tmux(&["send-keys", "-t", &name, "Enter"]);
    let pane = wait_pane(&name, "ECHO: hello from c3270");
    assert!(pane.contains("TERM0"), "c3270 shows the LU name in its status line:\n{pane}");
    tmux(&["send-keys", "-t", &name, "F5"]);
    wait_pane(&name, "PF05 PRESSED");
}
