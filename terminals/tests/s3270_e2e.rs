//! End to end with the real client: s3270 against a TerminalServer running a toy CP,
//! over TN3270E and over plain TN3270 (`N:` host prefix).

mod support;

use std::time::{Duration, Instant};

use support::echo_cp::EchoCp;
use support::s3270::{S3270, have};
use terminals::console::{ConsoleConfig, MoreTimes, TerminalKind};
use terminals::ds::{Model, ScreenSize};
use terminals::server::ServerConfig;

fn config() -> ServerConfig {
    ServerConfig {
        console: ConsoleConfig {
            more: MoreTimes { first: Duration::from_secs(60), next: Duration::from_secs(60) },
            ..ConsoleConfig::default()
        },
        ..ServerConfig::default()
    }
}

fn status_area(s: &mut S3270) -> String {
    s.ok("Ascii(23,60,20)").data.concat()
}

fn wait_for(s: &mut S3270, what: &str) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = s.screen();
        if screen.iter().any(|l| l.contains(what)) {
            return screen;
        }
        assert!(Instant::now() < until, "{what:?} never appeared:\n{}", screen.join("\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn session(prefix: &str, kind: TerminalKind) {
    let cp = EchoCp::start(config());
    let mut s = S3270::spawn(Duration::from_secs(60));
    s.ok(&format!("Connect({prefix}127.0.0.1:{})", cp.addr.port()));
    s.ok("Wait(10,InputField)");

    // The logo.
    let screen = wait_for(&mut s, "VM/370 ONLINE");
    assert!(screen[0].starts_with("VM/370 ONLINE"), "{screen:?}");
    assert!(screen.iter().any(|l| l.contains("V     V   M     M")));
    assert!(status_area(&mut s).contains("RUNNING"));
    let info = cp.terminal(0);
    assert_eq!(info.kind, kind);
    assert_eq!(info.model, Some(Model::M2));
    assert_eq!(info.size, Some(ScreenSize::DEFAULT));
    assert!(info.device_name.starts_with("TERM"));
    let q = info.query.expect("s3270 answered the Query");
    assert_eq!(q.usable_area, Some(ScreenSize::DEFAULT));

    // Typed on the logo: discarded.
    s.ok("String(\"ignored\")");
    s.ok("Enter");
    wait_for(&mut s, "CP READ");
    assert!(!s.screen().iter().any(|l| l.contains("ignored")));

    // A line, echoed.
    s.ok("String(\"hello [world]\")");
    s.ok("Enter");
    let screen = wait_for(&mut s, "ECHO: hello [world]");
    assert_eq!(screen[0].trim_end(), "hello [world]", "input echoed first");
    assert_eq!(
        cp.log.lock().expect("lock").lines.last().map(String::as_str),
        Some("hello [world]")
    );

    // Fill the screen: MORE..., then CLEAR.
    s.ok("String(\"fill 40\")");
    s.ok("Enter");
    wait_for(&mut s, "MORE...");
    let screen = s.screen();
    assert!(screen[21].starts_with("LINE 019"), "{screen:?}");
    s.ok("Clear");
    let screen = wait_for(&mut s, "LINE 040");
    assert!(screen[0].starts_with("LINE 020"), "{screen:?}");
    assert!(status_area(&mut s).contains("CP READ"));

    // PA1: attention.
    s.ok("PA(1)");
    wait_for(&mut s, "ATTENTION RECEIVED");
    assert_eq!(cp.log.lock().expect("lock").attentions, 1);
    // CLEAR with nothing waiting empties the output area.
    s.ok("Clear");
    wait_for(&mut s, "CP READ");
    assert!(s.screen()[0].trim().is_empty());

    // A password field does not display.
    s.ok("String(\"password\")");
    s.ok("Enter");
    wait_for(&mut s, "ENTER PASSWORD:");
    s.ok("String(\"secret\")");
    let input = s.ok("Ascii(22,0,20)").data.concat();
    assert!(!input.contains("secret"), "typed password visible: {input:?}");
    s.ok("Enter");
    let screen = wait_for(&mut s, "PASSWORD ACCEPTED (6 CHARACTERS)");
    assert!(!screen.iter().any(|l| l.contains("secret")));
    assert_eq!(cp.log.lock().expect("lock").lines.last().map(String::as_str), Some("secret"));

    // An unset PF key reaches CP.
    s.ok("PF(5)");
    wait_for(&mut s, "PF05 PRESSED");

    s.ok("String(\"quit\")");
    s.ok("Enter");
    let until = Instant::now() + Duration::from_secs(10);
    while !s.ok("Query(ConnectionState)").data.concat().contains("not-connected") {
        assert!(Instant::now() < until, "the server did not close");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn s3270_over_tn3270e() {
    if !have("s3270") {
        return;
    }
    session("", TerminalKind::Tn3270e);
}

#[test]
fn s3270_over_plain_tn3270() {
    if !have("s3270") {
        return;
    }
    session("N:", TerminalKind::Tn3270);
}

#[test]
fn s3270_model_4_gets_a_43_row_console() {
    if !have("s3270") {
        return;
    }
    let cp = EchoCp::start(config());
    let mut s = S3270::spawn_model(Duration::from_secs(60), "3278-4");
    s.ok(&format!("Connect(127.0.0.1:{})", cp.addr.port()));
    s.ok("Wait(10,InputField)");
    let screen = wait_for(&mut s, "VM/370 ONLINE");
    assert_eq!(screen.len(), 43);
    assert!(screen[42].contains("RUNNING"), "{:?}", screen[42]);
    let info = cp.terminal(0);
    assert_eq!(info.model, Some(Model::M4));
    assert_eq!(info.size, Some(ScreenSize::new(43, 80)));
    let q = info.query.expect("s3270 answered the Query");
    assert_eq!(q.alternate(), Some(ScreenSize::new(43, 80)));
    assert_eq!(q.default_size, Some(ScreenSize::DEFAULT));
    s.ok("Enter");
    s.ok("String(\"fill 60\")");
    s.ok("Enter");
    let screen = wait_for(&mut s, "MORE...");
    assert!(screen[40].starts_with("LINE 040"), "41 output rows: {:?}", &screen[38..]);
}
