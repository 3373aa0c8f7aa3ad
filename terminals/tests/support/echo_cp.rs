//! A toy "CP" for tests and the benchmark: it accepts terminals from a
//! `TerminalServer` and runs a tiny command loop on each console.
//!
//! Commands: `PASSWORD` (asks for a hidden line), `FILL n` (writes n lines), `QUIT`
//! (closes the terminal), `RUN` (shows RUNNING until the next line), `VM` (a VM READ);
//! anything else is echoed as `ECHO: <line>`. PA1 answers `ATTENTION RECEIVED`, an unset
//! PF key `PFnn PRESSED`.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use terminals::console::{Console, Read, TermEvent, TerminalInfo};
use terminals::server::{ServerConfig, TerminalServer};

/// What the toy CP saw, for assertions.
#[derive(Debug, Default)]
pub struct Log {
    pub terminals: Vec<TerminalInfo>,
    pub lines: Vec<String>,
    pub attentions: usize,
    pub disconnects: usize,
}

/// A running toy CP.
pub struct EchoCp {
    pub addr: std::net::SocketAddr,
    pub log: Arc<Mutex<Log>>,
    pub server: Arc<Mutex<Option<TerminalServer>>>,
    accept: Option<JoinHandle<()>>,
}

impl EchoCp {
    pub fn start(config: ServerConfig) -> EchoCp {
        EchoCp::start_on("127.0.0.1:0", config)
    }

    pub fn start_on(addr: &str, config: ServerConfig) -> EchoCp {
        let server = TerminalServer::bind(addr, config).expect("bind");
        let addr = server.local_addr();
        let log = Arc::new(Mutex::new(Log::default()));
        let server = Arc::new(Mutex::new(Some(server)));
        let (s2, l2) = (server.clone(), log.clone());
        let accept = std::thread::spawn(move || {
            loop {
                let term = {
                    let guard = s2.lock().expect("lock");
                    let Some(srv) = guard.as_ref() else { return };
                    srv.accept_timeout(Duration::from_millis(50))
                };
                if let Some(t) = term {
                    l2.lock().expect("lock").terminals.push(t.info().clone());
                    let l3 = l2.clone();
                    let console = t.into_console();
                    std::thread::spawn(move || session(console, l3));
                }
            }
        });
        EchoCp { addr, log, server, accept: Some(accept) }
    }

    /// The `n`th terminal CP accepted, waiting for it to be accepted.
    pub fn terminal(&self, n: usize) -> TerminalInfo {
        let until = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(t) = self.log.lock().expect("lock").terminals.get(n) {
                return t.clone();
            }
            assert!(std::time::Instant::now() < until, "terminal {n} never reached CP");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn connections(&self) -> usize {
        self.server.lock().expect("lock").as_ref().map_or(0, |s| s.connections())
    }
}

impl Drop for EchoCp {
    fn drop(&mut self) {
        self.server.lock().expect("lock").take();
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn session(console: Console, log: Arc<Mutex<Log>>) {
    console.read(Read::cp());
    while let Some(ev) = console.next_event(None) {
        match ev {
            TermEvent::Line(line) => {
                log.lock().expect("lock").lines.push(line.clone());
                let upper = line.trim().to_ascii_uppercase();
                let mut words = upper.split_whitespace();
                match words.next() {
                    Some("PASSWORD") => {
                        console.write_line("ENTER PASSWORD:");
                        console.read(Read::cp().hidden());
                        if let Some(TermEvent::Line(pw)) = console.next_event(None) {
                            log.lock().expect("lock").lines.push(pw.clone());
                            console.write_line(&format!(
                                "PASSWORD ACCEPTED ({} CHARACTERS)",
                                pw.len()
                            ));
                        }
                    }
                    Some("FILL") => {
                        let n: usize = words.next().and_then(|w| w.parse().ok()).unwrap_or(30);
                        console.write_lines((1..=n).map(|k| format!("LINE {k:03}")));
                    }
                    Some("QUIT") => {
                        console.write_line("BYE");
                        console.close();
                        break;
                    }
                    Some("RUN") => {
                        console.running();
                        continue;
                    }
                    Some("VM") => {
                        console.read(Read::vm());
                        continue;
                    }
                    _ => console.write_line(&format!("ECHO: {line}")),
                }
            }
            TermEvent::Attention => {
                log.lock().expect("lock").attentions += 1;
                console.write_line("ATTENTION RECEIVED");
            }
            TermEvent::Pf(n) => console.write_line(&format!("PF{n:02} PRESSED")),
            TermEvent::Pa(n) => console.write_line(&format!("PA{n} PRESSED")),
            TermEvent::FullScreenInput(_) => {}
            TermEvent::Disconnected => break,
        }
        console.read(Read::cp());
    }
    log.lock().expect("lock").disconnects += 1;
}
