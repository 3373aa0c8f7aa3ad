//! The recorded-session suite (`tests/sessions/*.session`), determinism of replays, and a
//! live recording through `vm370 record`'s proxy with s3270 replayed at once.
//!
//! A changed screen fails with a diff; accept changes with
//! `SESSIONS_UPDATE=1 cargo test -p tests --test sessions` (see `tests::sessions`).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cp::recording::{RecordOptions, Recorder, parse, replay, to_text};
use tests::s3270::{self, S3270};
use tests::sessions::{self, Outcome};

#[test]
fn session_suite() {
    let files = sessions::files();
    assert!(files.len() >= 25, "the suite has {} sessions, expected at least 25", files.len());
    let update = sessions::update_requested();
    let queue = Mutex::new(files.clone());
    let results = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(f) = queue.lock().expect("queue").pop() else { break };
                    let out = sessions::run_file(&f, update);
                    results.lock().expect("results").push((f, out));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut failures = Vec::new();
    let (mut steps, mut screens) = (0, 0);
    for (f, out) in &results {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match out {
            Outcome::Passed(r) => {
                steps += r.steps;
                screens += r.screens;
                println!(
                    "ok      {name} ({} steps, {} screens, {:.2} s)",
                    r.steps,
                    r.screens,
                    r.elapsed.as_secs_f64()
                );
            }
            Outcome::Skipped(why) => println!("skipped: {name}: {why}"),
            Outcome::Updated(msg) => println!("{msg}"),
            Outcome::Failed(msg) => {
                println!("FAILED  {name}");
                failures.push(msg.clone());
            }
        }
    }
    println!(
        "{} sessions, {steps} steps, {screens} screens compared in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} session(s) differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The session replayed for the determinism proof: two users, messages between them, output
/// paging behind MORE... with the consoles' clock moved, CLEAR and PA keys, and a guest
/// program running DIAGNOSE X'58' full screen on the dispatcher while the other user sends it
/// a message.
fn determinism_session() -> PathBuf {
    sessions::dir().join("determinism-two-users.session")
}

#[test]
fn one_session_replayed_100_times_gives_identical_screens() {
    let path = determinism_session();
    let session = parse(&std::fs::read_to_string(&path).expect("the session exists"))
        .expect("the session parses");
    let opts = sessions::options();
    let started = Instant::now();
    let first = replay(&session, &opts).expect("replays");
    assert!(
        first.passed(),
        "{}",
        first.failure.as_ref().map(ToString::to_string).unwrap_or_default()
    );
    let mut slowest = first.elapsed;
    for run in 2..=100 {
        let r = replay(&session, &opts).expect("replays");
        assert!(
            r.failure.is_none(),
            "run {run}: {}",
            r.failure.as_ref().map(ToString::to_string).unwrap_or_default()
        );
        assert_eq!(r.actual, first.actual, "run {run} saw different screens");
        slowest = slowest.max(r.elapsed);
    }
    let total = started.elapsed();
    println!(
        "100 replays of {} ({} steps, {} screens each): identical; {:.1} s in all, {:.0} ms per replay, slowest {:.0} ms",
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        first.steps,
        first.screens,
        total.as_secs_f64(),
        total.as_secs_f64() * 10.0,
        slowest.as_secs_f64() * 1000.0
    );
}

#[test]
fn a_session_recorded_with_s3270_replays_at_once() {
    if !s3270::available() {
        println!("skipped: s3270 not installed");
        return;
    }
    let rec = Recorder::start(RecordOptions {
        listen: "127.0.0.1:0".into(),
        title: "recorded live with s3270".into(),
        ..RecordOptions::default()
    })
    .expect("the recorder starts");
    let addr = rec.local_addr().to_string();
    let mut alice = S3270::spawn(&[]).expect("s3270 starts");
    assert!(alice.act(&format!("Connect({addr})")));
    assert!(alice.act("Wait(10,InputField)"));
    assert!(alice.enter(""));
    assert!(alice.enter("logon alice"));
    assert!(alice.enter("alice"), "the password");
    let mut bob = S3270::spawn(&[]).expect("s3270 starts");
    assert!(bob.act(&format!("Connect({addr})")));
    assert!(bob.act("Wait(10,InputField)"));
    assert!(bob.enter(""));
    assert!(bob.enter("logon bob bob"));
    assert!(alice.enter("msg bob hello from alice"));
    assert!(bob.enter("query names"));
    assert!(bob.screen().iter().any(|l| l.starts_with("MSG FROM ALICE")), "{:?}", bob.screen());
    assert!(alice.act("PA(1)"));
    assert!(alice.act("Clear"));
    assert!(alice.enter("logoff"));
    assert!(alice.wait_for(10, |l| l.starts_with("VM/370 ONLINE")), "{:?}", alice.screen());
    assert!(bob.enter("logoff"));
    // The logo is back before the client goes, so the recorded screen is the settled one.
    assert!(bob.wait_for(10, |l| l.starts_with("VM/370 ONLINE")), "{:?}", bob.screen());
    let _ = alice.action("Disconnect", Duration::from_secs(5));
    let _ = bob.action("Disconnect", Duration::from_secs(5));
    drop((alice, bob));
    let until = Instant::now() + Duration::from_secs(10);
    while rec.connected() > 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let session = rec.finish();
    let text = to_text(&session);
    println!("{text}");
    let names: Vec<&str> = session.header.terminals.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(session.header.users, ["ALICE", "BOB"]);
    assert!(session.steps.len() >= 14, "{} steps", session.steps.len());
    assert!(text.contains("MSG FROM ALICE"), "bob's screen shows the message");
    assert!(
        !text.lines().any(|l| l.trim_end().ends_with(" |alice")),
        "the password is not on a screen"
    );
    let again = parse(&text).expect("the recording parses");
    let report = replay(&again, &sessions::options()).expect("replays");
    assert!(
        report.passed(),
        "{}",
        report.failure.as_ref().map(ToString::to_string).unwrap_or_default()
    );
    assert_eq!(report.screens, session.steps.iter().map(|s| s.expects.len()).sum::<usize>());
}

/// A line-mode telnet client that refuses every option but the server's echo.
struct Telnet(std::net::TcpStream, Vec<u8>);

impl Telnet {
    fn connect(addr: &str) -> Telnet {
        let s = std::net::TcpStream::connect(addr).expect("the recorder accepts");
        s.set_read_timeout(Some(Duration::from_millis(50))).expect("a timeout");
        Telnet(s, Vec::new())
    }

    /// Reads (answering negotiation) until the text received contains `want`.
    fn until(&mut self, want: &str) -> bool {
        use std::io::{Read, Write};
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            if String::from_utf8_lossy(&self.1).contains(want) {
                return true;
            }
            let n = match self.0.read(&mut buf) {
                Ok(0) => return false,
                Ok(n) => n,
                Err(_) => continue,
            };
            let mut i = 0;
            while i < n {
                if buf[i] == 0xFF && i + 2 < n && (0xFB..=0xFE).contains(&buf[i + 1]) {
                    let (verb, opt) = (buf[i + 1], buf[i + 2]);
                    let reply = match verb {
                        0xFB if opt == 1 => 0xFD,
                        0xFB | 0xFC => 0xFE,
                        _ => 0xFC,
                    };
                    let _ = self.0.write_all(&[0xFF, reply, opt]);
                    i += 3;
                } else {
                    self.1.push(buf[i]);
                    i += 1;
                }
            }
        }
        false
    }

    fn line(&mut self, text: &str, then: &str) -> bool {
        use std::io::Write;
        self.1.clear();
        self.0.write_all(format!("{text}\r\n").as_bytes()).is_ok() && self.until(then)
    }
}

#[test]
fn a_typewriter_session_recorded_through_the_proxy_replays() {
    let rec = Recorder::start(RecordOptions {
        listen: "127.0.0.1:0".into(),
        title: "a line-mode telnet client".into(),
        ..RecordOptions::default()
    })
    .expect("the recorder starts");
    let mut t = Telnet::connect(&rec.local_addr().to_string());
    assert!(t.until("VM/370 ONLINE"));
    assert!(t.line("logon bob", "ENTER PASSWORD:"));
    assert!(t.line("bob", "LOGON AT"));
    assert!(t.line("query names", "BOB"));
    assert!(t.line("logoff", "VM/370 ONLINE"));
    drop(t);
    let until = Instant::now() + Duration::from_secs(10);
    while rec.connected() > 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let session = rec.finish();
    let text = to_text(&session);
    println!("{text}");
    assert!(text.contains("terminal bob typewriter TERM0001"), "{text}");
    assert!(text.contains("> bob line \"query names\"\n= bob\n  |BOB      - TERM0001\n"), "{text}");
    assert!(!text.contains("wait"), "every line's output belongs to its own step");
    let report = replay(&parse(&text).expect("parses"), &sessions::options()).expect("replays");
    assert!(report.passed(), "{}", report.failure.map(|f| f.to_string()).unwrap_or_default());
}
