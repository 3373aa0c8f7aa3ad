//! Tries commands on IBM's R6 CMS under our CP and prints the console:
//! `cargo run -p cp --example r6probe -- "LISTFILE * * A" "FSQRY"`.
//! A line-mode session for finding out what real CMS does; needs ../shared/data/vm370r6.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};

#[derive(Default)]
struct Screen(Mutex<Vec<String>>);

impl TermSink for Screen {
    fn line(&self, text: &str) {
        println!("{text}");
        self.0.lock().expect("lock").push(text.to_string());
    }
    fn status(&self, _s: Status) {}
}

fn is_ready(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(") || l.starts_with("Ready")
}

fn wait_ready(screen: &Screen, from: usize, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if screen.0.lock().expect("lock").iter().skip(from).any(|l| is_ready(l)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn main() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/vm370r6");
    if !data.join("CMS.segment").exists() {
        eprintln!("../shared/data/vm370r6 is missing");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    cp::defaults::r6::write_files(dir.path(), cp::defaults::r6::Cms::Ibm).expect("write config");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("the R6 system starts");
    let screen = Arc::new(Screen::default());
    let user = User::logon(&sys, "CMSR6", "CMSR6", Some(screen.clone())).expect("logon");
    std::thread::sleep(Duration::from_millis(500));
    if !wait_ready(&screen, 0, 2) {
        user.input(&sys, "");
    }
    wait_ready(&screen, 0, 30);
    for cmd in std::env::args().skip(1) {
        // `!line`: send the line and just wait two seconds (for #CP commands to a busy machine).
        if let Some(line) = cmd.strip_prefix('!') {
            println!("==> {line}");
            user.input(&sys, line);
            std::thread::sleep(Duration::from_secs(2));
            continue;
        }
        let n = screen.0.lock().expect("lock").len();
        println!("==> {cmd}");
        user.input(&sys, &cmd);
        if !wait_ready(&screen, n, 5) {
            println!("==> (no ready message in 10 s; status {:?})", user.console.status());
        }
    }
    user.logoff(&sys, false);
}
