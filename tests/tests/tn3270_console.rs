//! CP's 3270 console with real clients: s3270 over TN3270E and over plain TN3270 (`N:`)
//! logs on, fills the screen to MORE..., clears it, uses PA1, logs off; c3270 under tmux
//! logs on and off; our own terminal model does the same through its client connection.

use std::process::Command;
use std::time::{Duration, Instant};

use s370::ebcdic::CodePage;
use terminals::client::{ClientConfig, Connection};
use terminals::ds::Model;
use terminals::tui::model::{Key, Terminal3270};
use tests::s3270::{self, S3270};
use tests::system::TestSystem;

fn console_session(prefix: &str) {
    let ts = TestSystem::start(&[], true);
    let mut t = S3270::spawn(&[]).expect("s3270");
    assert!(t.act(&format!("Connect({prefix}{})", ts.addr)) && t.act("Wait(10,InputField)"));
    assert!(t.enter("") && t.enter("logon bob bob"));
    assert!(t.wait_for(5, |l| l.starts_with("LOGON AT")), "{:#?}", t.screen());
    assert_eq!(t.status(), "CP READ        VM370");
    // Fill the output area: QUERY VIRTUAL answers several lines.
    for _ in 0..4 {
        assert!(t.enter("query virtual"));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !t.status().starts_with("MORE...") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(t.status().starts_with("MORE..."), "{:#?}", t.screen());
    assert!(t.act("Clear"));
    assert!(t.wait_for(5, |l| l.contains("CP READ")), "{:#?}", t.screen());
    // PA1 is attention: CP mode (already there) stays CP READ.
    assert!(t.act("PA(1)"));
    assert!(t.wait_for(5, |l| l.contains("CP READ")));
    assert!(t.enter("query users"));
    assert!(t.wait_for(5, |l| l.contains("USERS,")), "{:#?}", t.screen());
    assert!(t.enter("logoff"));
    assert!(t.wait_for(5, |l| l.starts_with("VM/370 ONLINE")), "{:#?}", t.screen());
}

#[test]
fn tn3270e_console() {
    if !s3270::available() {
        println!("skipped: s3270 not installed");
        return;
    }
    console_session("");
}

#[test]
fn plain_tn3270_console() {
    if !s3270::available() {
        println!("skipped: s3270 not installed");
        return;
    }
    console_session("N:");
}

fn tool(name: &str) -> bool {
    Command::new("which").arg(name).output().is_ok_and(|o| o.status.success())
}

#[test]
fn c3270_under_tmux() {
    if !tool("c3270") || !tool("tmux") {
        println!("skipped: c3270 or tmux not installed");
        return;
    }
    let ts = TestSystem::start(&[], true);
    let session = format!("vm370c3270{}", std::process::id());
    let tmux = |args: &[&str]| Command::new("tmux").args(args).output().expect("tmux runs");
    let cmd = format!("c3270 -model 3279-2 -codepage cp037 {}", ts.addr);
    let started = tmux(&["new-session", "-d", "-s", &session, "-x", "90", "-y", "30", &cmd]);
    assert!(started.status.success(), "tmux: {}", String::from_utf8_lossy(&started.stderr));
    let capture = || {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).to_string()
    };
    let wait = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if capture().contains(what) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    let ok = wait("VM/370 ONLINE");
    tmux(&["send-keys", "-t", &session, "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["send-keys", "-t", &session, "logon alice alice", "Enter"]);
    let logged = wait("LOGON AT");
    tmux(&["send-keys", "-t", &session, "logoff", "Enter"]);
    let off = wait("LOGOFF AT") || wait("VM/370 ONLINE");
    let screen = capture();
    tmux(&["kill-session", "-t", &session]);
    assert!(ok && logged && off, "{screen}");
}

#[test]
fn our_terminal_model_logs_on() {
    let ts = TestSystem::start(&[], true);
    let mut c = Connection::connect(ts.addr.as_str(), &ClientConfig::default()).expect("connect");
    let mut t = Terminal3270::new(Model::M2, CodePage::Cp037, true);
    let has = |t: &Terminal3270, s: &str| {
        let want = CodePage::Cp037.encode(s);
        if want.is_empty() {
            return true;
        }
        let cells: Vec<u8> = t.screen().cells().iter().map(|c| c.ch).collect();
        cells.windows(want.len()).any(|w| w == want.as_slice())
    };
    let pump = |c: &mut Connection, t: &mut Terminal3270, what: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(has(t, what) && t.lock().is_none()) && Instant::now() < deadline {
            if let Ok(Some(rec)) = c.recv(Duration::from_millis(100))
                && let Ok(Some(reply)) = t.host_record(&rec)
            {
                let _ = c.send(&reply);
            }
        }
        has(t, what)
    };
    assert!(pump(&mut c, &mut t, "VM/370 ONLINE"));
    c.send(&t.key(Key::Enter).expect("ENTER sends")).expect("send");
    assert!(pump(&mut c, &mut t, ""), "keyboard unlocked after dismissing the logo");
    t.type_str("logon cmsuser cmsuser");
    c.send(&t.key(Key::Enter).expect("ENTER sends")).expect("send");
    assert!(pump(&mut c, &mut t, "LOGON AT"));
    // CMSUSER IPLs CMS; #CP gives the line to CP whoever is reading.
    t.type_str("#cp logoff");
    c.send(&t.key(Key::Enter).expect("ENTER")).expect("send");
    assert!(pump(&mut c, &mut t, "VM/370 ONLINE"));
}
