//! Plain telnet clients get the 3215-style typewriter console: a raw TCP client that
//! negotiates nothing (like `nc`), and a telnet client that refuses TN3270E and says it
//! is an xterm.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::echo_cp::EchoCp;
use terminals::console::TerminalKind;
use terminals::server::ServerConfig;
use terminals::telnet::NegotiationConfig;

fn config() -> ServerConfig {
    ServerConfig {
        negotiation: NegotiationConfig {
            nvt_wait: Duration::from_millis(200),
            ..NegotiationConfig::default()
        },
        ..ServerConfig::default()
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Reads until `what` has arrived; returns everything read.
fn read_until(s: &mut TcpStream, what: &[u8]) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_millis(50))).expect("timeout");
    let until = Instant::now() + Duration::from_secs(5);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !contains(&got, what) {
        assert!(
            Instant::now() < until,
            "never got {:?}; got {:?}",
            String::from_utf8_lossy(what),
            String::from_utf8_lossy(&got)
        );
        if let Ok(n) = s.read(&mut buf) {
            assert!(n > 0, "closed; got {:?}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
        }
    }
    got
}

#[test]
fn a_raw_client_gets_a_typewriter() {
    let cp = EchoCp::start(config());
    let mut s = TcpStream::connect(cp.addr).expect("connect");
    let first = read_until(&mut s, b"VM/370 ONLINE\r\n");
    assert!(first.starts_with(&[0xFF, 0xFD, 0x28]), "offered TN3270E first");
    s.write_all(b"hello there\r\n").expect("write");
    read_until(&mut s, b"ECHO: hello there\r\n");

    s.write_all(b"password\r\n").expect("write");
    let got = read_until(&mut s, &[0xFF, 0xFB, 0x01]);
    assert!(contains(&got, b"ENTER PASSWORD:"));
    s.write_all(b"topsecret\r\n").expect("write");
    // WONT ECHO when CP's next read is not hidden: the client echoes again.
    let got = read_until(&mut s, &[0xFF, 0xFC, 0x01]);
    assert!(contains(&got, b"PASSWORD ACCEPTED (9 CHARACTERS)\r\n"));
    assert!(!contains(&got, b"topsecret"), "never echoed");

    s.write_all(&[0x03]).expect("write");
    read_until(&mut s, b"ATTENTION RECEIVED\r\n");
    s.write_all(&[0xFF, 0xF4]).expect("write");
    read_until(&mut s, b"ATTENTION RECEIVED\r\n");
    assert_eq!(cp.log.lock().expect("lock").attentions, 2);
    assert_eq!(cp.terminal(0).kind, TerminalKind::Typewriter);
}

#[test]
fn a_telnet_client_that_is_an_xterm_gets_a_typewriter() {
    let cp = EchoCp::start(config());
    let mut s = TcpStream::connect(cp.addr).expect("connect");
    read_until(&mut s, &[0xFF, 0xFD, 0x28]);
    s.write_all(&[0xFF, 0xFC, 0x28]).expect("WONT TN3270E");
    read_until(&mut s, &[0xFF, 0xFD, 0x18]);
    s.write_all(&[0xFF, 0xFB, 0x18]).expect("WILL TTYPE");
    read_until(&mut s, &[0xFF, 0xFA, 0x18, 0x01, 0xFF, 0xF0]);
    let mut is = vec![0xFF, 0xFA, 0x18, 0x00];
    is.extend_from_slice(b"XTERM-256COLOR");
    is.extend_from_slice(&[0xFF, 0xF0]);
    s.write_all(&is).expect("IS");
    read_until(&mut s, b"VM/370 ONLINE\r\n");
    s.write_all(b"q names\r\n").expect("write");
    read_until(&mut s, b"ECHO: q names\r\n");
    let info = cp.terminal(0);
    assert_eq!(info.kind, TerminalKind::Typewriter);
    assert_eq!(info.terminal_type.as_deref(), Some("XTERM-256COLOR"));
}
