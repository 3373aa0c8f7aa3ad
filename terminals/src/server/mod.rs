//! The listener: accepts TCP connections, negotiates each (TN3270E, TN3270 or a plain
//! telnet typewriter), and hands CP a [`Terminal`] whose [`Console`] is ready.
//!
//! Threads: one acceptor; per connection a reader (negotiation, then input) and a writer
//! (drains the bounded output queue); one timer thread for everybody. A client that
//! misbehaves — garbage, a negotiation cut in half, a record over the cap, not reading
//! its output — loses its own connection and nothing else.
//!
//! ```no_run
//! use terminals::server::{ServerConfig, TerminalServer};
//! let server = TerminalServer::bind("127.0.0.1:3270", ServerConfig::default())?;
//! while let Some(term) = server.accept() {
//!     let console = term.console().clone();
//!     std::thread::spawn(move || { /* run a session on `console` */ });
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

mod conn;
pub mod outbox;
pub mod timer;

use std::collections::HashSet;
use std::io::{self, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::console::{Console, ConsoleConfig, TerminalInfo};
use crate::telnet::{NegotiationConfig, tn3270e};

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Telnet negotiation knobs.
    pub negotiation: NegotiationConfig,
    /// Settings of every console.
    pub console: ConsoleConfig,
    /// Ask extended 3270s for a Query Reply (learns the real alternate size).
    pub query: bool,
    /// How long to wait for the Query Reply.
    pub query_timeout: Duration,
    /// Largest inbound record; a client sending more is dropped.
    pub max_record: usize,
    /// Output bytes a connection may have queued; a client that does not read is dropped.
    pub max_output: usize,
    /// Connections at once; more are refused.
    pub max_connections: usize,
    /// A write stuck this long drops the connection.
    pub write_timeout: Duration,
    /// Draw the logo as soon as a terminal is negotiated.
    pub logo_on_connect: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            negotiation: NegotiationConfig::default(),
            console: ConsoleConfig::default(),
            query: true,
            query_timeout: Duration::from_secs(2),
            max_record: 64 * 1024,
            max_output: 1 << 20,
            max_connections: 1024,
            write_timeout: Duration::from_secs(30),
            logo_on_connect: true,
        }
    }
}

/// A connected, negotiated terminal.
#[derive(Debug, Clone)]
pub struct Terminal {
    console: Console,
}

impl Terminal {
    /// Its console.
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// What is known about it.
    pub fn info(&self) -> &TerminalInfo {
        self.console.info()
    }

    /// The console, keeping nothing else.
    pub fn into_console(self) -> Console {
        self.console
    }
}

/// Device names in use (`TERM0001`, or a TN3270E client's own choice).
#[derive(Debug, Default)]
pub(crate) struct Names {
    used: Mutex<HashSet<String>>,
    next: AtomicU32,
}

impl Names {
    /// A name: the one asked for if free, else the next `TERMnnnn`. `Err` is a TN3270E
    /// reason code.
    pub(crate) fn assign(&self, wanted: Option<&str>) -> Result<String, u8> {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = wanted {
            let w = w.trim().to_ascii_uppercase();
            if w.is_empty() || w.len() > 8 || !w.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(tn3270e::INV_NAME);
            }
            if !used.insert(w.clone()) {
                return Err(tn3270e::DEVICE_IN_USE);
            }
            return Ok(w);
        }
        for _ in 0..10_000 {
            let n = self.next.fetch_add(1, Ordering::Relaxed) % 10_000 + 1;
            let name = format!("TERM{n:04}");
            if used.insert(name.clone()) {
                return Ok(name);
            }
        }
        Err(tn3270e::DEVICE_IN_USE)
    }

    /// Gives a name back.
    pub(crate) fn release(&self, name: &str) {
        self.used.lock().unwrap_or_else(|e| e.into_inner()).remove(name);
    }
}

pub(crate) struct ServerShared {
    pub(crate) config: ServerConfig,
    pub(crate) names: Names,
    pub(crate) live: AtomicUsize,
    stop: AtomicBool,
}

/// Listens for terminals.
#[derive(Debug)]
pub struct TerminalServer {
    shared: Arc<ServerShared>,
    incoming: Mutex<Receiver<Terminal>>,
    local: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for ServerShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerShared").field("live", &self.live).finish()
    }
}

impl TerminalServer {
    /// Listens on `addr` (port 0 picks a free one; see [`TerminalServer::local_addr`]).
    pub fn bind(addr: impl ToSocketAddrs, config: ServerConfig) -> io::Result<TerminalServer> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        let shared = Arc::new(ServerShared {
            config,
            names: Names::default(),
            live: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        // A bounded hand-over queue: connections wait here until CP accepts them.
        let (tx, rx) = mpsc::sync_channel(shared.config.max_connections.max(1));
        let sh = shared.clone();
        let acceptor = std::thread::Builder::new()
            .name("terminal-accept".into())
            .spawn(move || accept_loop(listener, sh, tx))?;
        Ok(TerminalServer { shared, incoming: Mutex::new(rx), local, acceptor: Some(acceptor) })
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Waits for the next negotiated terminal; `None` once shut down.
    pub fn accept(&self) -> Option<Terminal> {
        self.incoming.lock().unwrap_or_else(|e| e.into_inner()).recv().ok()
    }

    /// As [`TerminalServer::accept`], giving up after `timeout`.
    pub fn accept_timeout(&self, timeout: Duration) -> Option<Terminal> {
        self.incoming.lock().unwrap_or_else(|e| e.into_inner()).recv_timeout(timeout).ok()
    }

    /// Connections open now (negotiating or negotiated).
    pub fn connections(&self) -> usize {
        self.shared.live.load(Ordering::SeqCst)
    }

    /// Stops accepting new connections (open ones go on until closed).
    pub fn shutdown(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the acceptor with a connection of our own.
        let _ = TcpStream::connect_timeout(&self.local, Duration::from_secs(1));
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
    }
}

impl Drop for TerminalServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<ServerShared>, tx: SyncSender<Terminal>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else {
            // Out of descriptors or similar: do not spin.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        if shared.live.load(Ordering::SeqCst) >= shared.config.max_connections {
            let _ = stream.write_all(b"VM/370: too many terminals connected\r\n");
            continue;
        }
        shared.live.fetch_add(1, Ordering::SeqCst);
        let (sh, tx) = (shared.clone(), tx.clone());
        let spawned = std::thread::Builder::new()
            .name("terminal".into())
            .stack_size(256 * 1024)
            .spawn(move || conn::serve(stream, sh, tx));
        if spawned.is_err() {
            shared.live.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
