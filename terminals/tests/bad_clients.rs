//! Misbehaving clients lose their own connection and nothing else: a healthy session
//! runs alongside every one of them and keeps answering.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::driver::Driver;
use support::echo_cp::EchoCp;
use terminals::client::ClientConfig;
use terminals::console::{Console, ConsoleConfig, Read as ReadKind, TermEvent, TerminalKind};
use terminals::server::{ServerConfig, TerminalServer};
use terminals::telnet::NegotiationConfig;

fn config() -> ServerConfig {
    ServerConfig {
        negotiation: NegotiationConfig {
            offer_tn3270e: true,
            nvt_wait: Duration::from_millis(300),
            timeout: Duration::from_secs(1),
        },
        max_output: 64 * 1024,
        ..ServerConfig::default()
    }
}

/// A healthy 3270 that is still answered promptly.
fn healthy(cp: &EchoCp) -> Driver {
    let mut d = Driver::connect(cp.addr, ClientConfig::default());
    d.wait_for("VM/370 ONLINE", Duration::from_secs(5));
    d.enter("");
    d.wait_for("CP READ", Duration::from_secs(5));
    d
}

fn still_fine(d: &mut Driver, n: usize) {
    d.press(terminals::tui::model::Key::Clear);
    d.pump(Duration::from_millis(20));
    let took = {
        d.enter(&format!("ping {n}"));
        d.wait_for(&format!("ECHO: ping {n}"), Duration::from_secs(2))
    };
    assert!(took < Duration::from_secs(1), "healthy session slowed to {took:?}");
}

/// Reads until EOF; how long it took (or panics after `limit`).
fn dropped_within(s: &mut TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(100))).expect("timeout");
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return start.elapsed(),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return start.elapsed(),
        }
        assert!(start.elapsed() < limit, "not dropped within {limit:?}");
    }
}

fn wait_connections(cp: &EchoCp, n: usize) {
    let until = Instant::now() + Duration::from_secs(5);
    while cp.connections() != n {
        assert!(Instant::now() < until, "{} connections, expected {n}", cp.connections());
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn garbage_half_negotiations_and_huge_records_are_dropped() {
    let cp = EchoCp::start(config());
    let mut good = healthy(&cp);
    still_fine(&mut good, 0);

    // Garbage with telnet commands in it: a subnegotiation that never ends.
    let mut g = TcpStream::connect(cp.addr).expect("connect");
    let mut junk = vec![0xFF, 0xFA, 0x18];
    junk.extend((0..100_000u32).map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x7F));
    let _ = g.write_all(&junk);
    dropped_within(&mut g, Duration::from_secs(3));
    still_fine(&mut good, 1);

    // Random bytes with no telnet in them: a typewriter that reads lines of junk.
    let mut r = TcpStream::connect(cp.addr).expect("connect");
    let noise: Vec<u8> =
        (0..50_000u32).map(|k| (k.wrapping_mul(40_503) >> 7) as u8 & 0x7E).collect();
    r.write_all(&noise).expect("write");
    still_fine(&mut good, 2);
    drop(r);

    // A negotiation cut in half: WILL TN3270E, then silence.
    let mut h = TcpStream::connect(cp.addr).expect("connect");
    h.write_all(&[0xFF, 0xFB, 0x28]).expect("write");
    let took = dropped_within(&mut h, Duration::from_secs(5));
    assert!(took >= Duration::from_millis(500), "dropped too early: {took:?}");
    still_fine(&mut good, 3);

    // A 1 MiB record from a negotiated 3270.
    let mut big = Driver::connect(cp.addr, ClientConfig::default());
    big.wait_for("VM/370 ONLINE", Duration::from_secs(5));
    let payload = vec![0x7Du8; 1 << 20];
    let _ = big.conn.send(&payload);
    let mut s = big.conn.try_clone_stream().expect("clone");
    dropped_within(&mut s, Duration::from_secs(5));
    still_fine(&mut good, 4);

    wait_connections(&cp, 1);
    // The typewriter of noise and the 3270 with the huge record both reached CP, and CP
    // saw both go.
    let until = Instant::now() + Duration::from_secs(5);
    while cp.log.lock().expect("lock").disconnects < 2 {
        assert!(
            Instant::now() < until,
            "CP missed a disconnection: {:?}",
            cp.log.lock().expect("lock").disconnects
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_client_that_never_reads_is_dropped_without_blocking_cp() {
    let mut server = TerminalServer::bind("127.0.0.1:0", config()).expect("bind");
    let addr = server.local_addr();
    // A plain telnet client (it answers nothing, so it becomes a typewriter) that
    // never reads what it is sent.
    let mut slow = TcpStream::connect(addr).expect("connect");
    let term = server.accept_timeout(Duration::from_secs(5)).expect("a terminal");
    assert_eq!(term.info().kind, TerminalKind::Typewriter);
    let slow_console = term.into_console();
    // And a healthy 3270 alongside.
    let good = std::thread::spawn(move || {
        let mut d = Driver::connect(addr, ClientConfig::default());
        d.wait_for("VM/370 ONLINE", Duration::from_secs(5));
        d
    });
    let good_console =
        server.accept_timeout(Duration::from_secs(5)).expect("a terminal").into_console();
    let mut good = good.join().expect("no panic");

    let line = "X".repeat(100);
    let start = Instant::now();
    for _ in 0..50_000 {
        slow_console.write_line(&line);
    }
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "CP blocked for {took:?} on a client that does not read"
    );
    assert_eq!(
        slow_console.next_event(Some(Duration::from_secs(5))),
        Some(TermEvent::Disconnected)
    );
    assert!(!slow_console.is_connected());
    let _ = slow.write_all(b"x");

    good.enter("");
    good_console.read(ReadKind::cp());
    good.enter("still here");
    assert_eq!(
        good_console.next_event(Some(Duration::from_secs(2))),
        Some(TermEvent::Line("still here".into()))
    );
    server.shutdown();
}

#[test]
fn a_dropped_console_never_blocks_its_callers() {
    let (console, lb) = Console::loopback(
        terminals::console::TerminalInfo::typewriter("T"),
        ConsoleConfig::default(),
    );
    lb.hang_up();
    console.write_line("nobody listens");
    console.read(ReadKind::cp());
    assert_eq!(console.next_event(None), Some(TermEvent::Disconnected));
    assert_eq!(console.next_event(None), None);
}
