//! Recording: a TN3270 (and line-mode telnet) proxy between real clients and CP that turns
//! what they do into session steps.
//!
//! ```text
//!   s3270 / c3270 / vm370 terminal ──► Recorder (listen) ──► CP (its own deterministic
//!        ▲                                │                    system, or --target)
//!        └──────── CP's output ◄──────────┘ every byte passes; keys become steps
//! ```
//!
//! Every connection has two threads: *down* passes CP's bytes to the client and keeps the
//! terminal's screen model; *up* passes the client's negotiation through and holds each key
//! (or typed line) until CP has settled, then forwards it, waits for CP to settle again and
//! writes the step with the screens that followed. Steps from all terminals are taken one at
//! a time, so the session's order is the order CP saw.
//!
//! With its own system (no `--target`) the recorder knows exactly when CP has settled (see
//! [`super::harness`]) and runs the consoles on a virtual clock: a ticker moves it when a
//! MORE... delay falls due and records that as a `wait` step, so a replay sees the same
//! screens. With `--target` it can only wait for CP to stay quiet for a moment.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use terminals::console::{Console, TerminalKind};
use terminals::ds::snapshot::render;
use terminals::ds::{Model, TerminalType};
use terminals::server::{ServerConfig, TerminalServer};
use terminals::telnet::framing::{negotiate, record, subnegotiation, tn3270e_record};
use terminals::telnet::{
    BREAK, EOR, IAC, IP, Parser, RecordAssembler, TelnetEvent, Tn3270eHeader, Verb, opt, tn3270e,
};

use super::book::{Book, Term, logon_user};
use super::harness::{Harness, Source};
use super::model::{Action, Backend, Key, Session, TermKind, Typed};
use crate::directory::Machine;
use crate::system::StartError;

/// How to record.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// Where clients connect (`127.0.0.1:3270`; port 0 picks one).
    pub listen: String,
    /// A running CP to record against; `None` starts a deterministic system of its own.
    pub target: Option<String>,
    /// The data directory of the own system (`None`: a fresh default system).
    pub data_dir: Option<PathBuf>,
    /// The session's title.
    pub title: String,
    /// How long CP may take to settle after a key.
    pub settle_timeout: Duration,
    /// With `--target`: how long CP must stay quiet to count as settled.
    pub quiet: Duration,
}

impl Default for RecordOptions {
    fn default() -> RecordOptions {
        RecordOptions {
            listen: "127.0.0.1:3270".into(),
            target: None,
            data_dir: None,
            title: "a recorded session".into(),
            settle_timeout: Duration::from_secs(30),
            quiet: Duration::from_millis(300),
        }
    }
}

/// Why recording could not start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The own system did not start.
    #[error("the system did not start: {0}")]
    Start(#[from] StartError),
    /// A socket could not be opened.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The host error.
        source: std::io::Error,
    },
}

struct Own {
    harness: Harness,
    server: Arc<TerminalServer>,
}

struct Shared {
    opts: RecordOptions,
    book: Mutex<Book>,
    steps: Mutex<()>,
    stop: AtomicBool,
    own: Option<Own>,
    upstream: SocketAddr,
    last_output: Mutex<Instant>,
    sockets: Mutex<Vec<TcpStream>>,
    live: AtomicUsize,
    seen: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A recording in progress.
pub struct Recorder {
    shared: Arc<Shared>,
    local: SocketAddr,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").field("local", &self.local).finish()
    }
}

impl Recorder {
    /// Starts listening (and, without a target, starts the system).
    pub fn start(opts: RecordOptions) -> Result<Recorder, RecordError> {
        let io = |what: &str| {
            let what = what.to_string();
            move |source| RecordError::Io { what, source }
        };
        let listener = TcpListener::bind(&opts.listen).map_err(io("listening"))?;
        let local = listener.local_addr().map_err(io("listening"))?;
        let (own, upstream) = match &opts.target {
            Some(t) => {
                let addr = std::net::ToSocketAddrs::to_socket_addrs(t)
                    .map_err(io("the target address"))?
                    .next()
                    .ok_or_else(|| io("the target address")(std::io::ErrorKind::NotFound.into()))?;
                (None, addr)
            }
            None => {
                let source = opts.data_dir.as_deref().map_or(Source::Fresh, Source::Dir);
                let harness = Harness::start(source)?;
                let cfg =
                    ServerConfig { console: harness.console_config(), ..ServerConfig::default() };
                let server = Arc::new(
                    TerminalServer::bind("127.0.0.1:0", cfg)
                        .map_err(io("starting CP's listener"))?,
                );
                let addr = server.local_addr();
                (Some(Own { harness, server }), addr)
            }
        };
        let shared = Arc::new(Shared {
            book: Mutex::new(Book::new(&opts.title, own.is_some())),
            opts,
            steps: Mutex::new(()),
            stop: AtomicBool::new(false),
            own,
            upstream,
            last_output: Mutex::new(Instant::now()),
            sockets: Mutex::new(Vec::new()),
            live: AtomicUsize::new(0),
            seen: AtomicUsize::new(0),
        });
        let mut threads = Vec::new();
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new().name(name.into()).spawn(f).map_err(io("a thread"))
        };
        let sh = Arc::clone(&shared);
        threads.push(spawn("record-listen", Box::new(move || listen_loop(&sh, &listener)))?);
        if shared.own.is_some() {
            let sh = Arc::clone(&shared);
            threads.push(spawn("record-accept", Box::new(move || accept_loop(&sh)))?);
            let sh = Arc::clone(&shared);
            threads.push(spawn("record-ticker", Box::new(move || ticker(&sh)))?);
        }
        Ok(Recorder { shared, local, threads: Mutex::new(threads) })
    }

    /// Where clients connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Clients connected now.
    pub fn connected(&self) -> usize {
        self.shared.live.load(Ordering::SeqCst)
    }

    /// Clients that have connected so far.
    pub fn connections_seen(&self) -> usize {
        self.shared.seen.load(Ordering::SeqCst)
    }

    /// Steps recorded so far.
    pub fn steps(&self) -> usize {
        lock(&self.shared.book).steps.len()
    }

    /// The session as recorded so far.
    pub fn session(&self) -> Session {
        let book = lock(&self.shared.book);
        match &self.shared.own {
            Some(own) => {
                let dir = own.harness.sys.directory.read().unwrap_or_else(|p| p.into_inner());
                book.session(&|u: &str| {
                    dir.user(u).map(|e| match e.machine {
                        Machine::X86 => Backend::X86,
                        Machine::S370 => Backend::S370,
                    })
                })
            }
            None => book.session(&|_: &str| None),
        }
    }

    /// Stops recording: closes every connection and returns the session.
    pub fn finish(self) -> Session {
        let _steps = lock(&self.shared.steps);
        self.shared.stop.store(true, Ordering::SeqCst);
        drop(_steps);
        let _ = TcpStream::connect_timeout(&self.local, Duration::from_secs(1));
        for s in lock(&self.shared.sockets).iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
        for t in lock(&self.threads).drain(..) {
            let _ = t.join();
        }
        let session = self.session();
        if let Some(own) = &self.shared.own {
            own.harness.shutdown();
        }
        session
    }
}

fn listen_loop(sh: &Arc<Shared>, listener: &TcpListener) {
    let mut conns = Vec::new();
    for client in listener.incoming() {
        if sh.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = client else { continue };
        if let Some(threads) = connect(sh, client) {
            conns.extend(threads);
        }
    }
    for t in conns {
        let _ = t.join();
    }
}

/// The own system's side: CP's sessions on the terminals its listener accepts.
fn accept_loop(sh: &Arc<Shared>) {
    let Some(own) = &sh.own else { return };
    while !sh.stop.load(Ordering::SeqCst) {
        if let Some(term) = own.server.accept_timeout(Duration::from_millis(100)) {
            own.harness.attach(term.into_console());
        }
    }
}

/// A new client: a `connect` step, the connection to CP, its two threads, and the screen
/// once the terminal is up.
fn connect(sh: &Arc<Shared>, client: TcpStream) -> Option<Vec<JoinHandle<()>>> {
    let _g = lock(&sh.steps);
    sh.settle();
    let Ok(server) = TcpStream::connect(sh.upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return None;
    };
    let _ = server.set_nodelay(true);
    let _ = client.set_nodelay(true);
    let i = {
        let mut book = lock(&sh.book);
        book.push_spontaneous();
        let mut t = Term::new();
        t.upstream = server.local_addr().ok();
        book.terms.push(t);
        let i = book.terms.len() - 1;
        book.push(Some(i), Action::Connect, Vec::new());
        i
    };
    sh.seen.fetch_add(1, Ordering::SeqCst);
    sh.live.fetch_add(1, Ordering::SeqCst);
    let (Ok(c2), Ok(s2), Ok(c3), Ok(s3)) =
        (client.try_clone(), server.try_clone(), client.try_clone(), server.try_clone())
    else {
        return None;
    };
    lock(&sh.sockets).extend([c3, s3]);
    let (a, b) = (Arc::clone(sh), Arc::clone(sh));
    let down = std::thread::Builder::new()
        .name("record-down".into())
        .spawn(move || down_loop(&a, i, server, c2))
        .ok()?;
    let up = std::thread::Builder::new()
        .name("record-up".into())
        .spawn(move || up_loop(&b, i, client, s2))
        .ok()?;
    sh.await_terminal(i);
    sh.settle();
    let mut book = lock(&sh.book);
    let screens: Vec<_> = book.screen_of(i).into_iter().collect();
    if let Some(step) = book.steps.iter_mut().rev().find(|s| s.term == Some(i)) {
        step.screens = screens;
    }
    Some(vec![down, up])
}

impl Shared {
    /// CP's console for terminal `i` (own system).
    fn console_of(&self, i: usize) -> Option<Console> {
        let own = self.own.as_ref()?;
        let upstream = lock(&self.book).terms.get(i)?.upstream?;
        own.harness.consoles().into_iter().find(|c| c.info().peer == Some(upstream))
    }

    /// Waits until terminal `i` is negotiated and shows its first screen; on the own system,
    /// learns its kind, model and device name from CP's console.
    fn await_terminal(&self, i: usize) {
        let until = Instant::now() + self.opts.settle_timeout;
        while Instant::now() < until && !self.stop.load(Ordering::SeqCst) {
            if self.own.is_some() {
                if let Some(c) = self.console_of(i) {
                    let info = c.info().clone();
                    let mut book = lock(&self.book);
                    let t = &mut book.terms[i];
                    t.device = Some(info.device_name.clone());
                    t.kind = Some(match info.kind {
                        TerminalKind::Tn3270e => TermKind::Tn3270e,
                        TerminalKind::Tn3270 => TermKind::Tn3270,
                        TerminalKind::Typewriter => TermKind::Typewriter,
                    });
                    t.model = info.model.map_or(0, Model::number);
                    return;
                }
            } else if lock(&self.book).terms[i].kind.is_some()
                && lock(&self.last_output).elapsed() >= self.opts.quiet
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits until CP has settled and every terminal model shows what CP sent.
    fn settle(&self) {
        let until = Instant::now() + self.opts.settle_timeout;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let done = match &self.own {
                Some(own) => {
                    own.harness.settle(left)
                        && lock(&self.last_output).elapsed() >= Duration::from_millis(5)
                        && self.in_sync(own)
                }
                None => lock(&self.last_output).elapsed() >= self.opts.quiet,
            };
            if done || left.is_zero() || self.stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Waits until CP has the input just forwarded (it is on its way through a socket):
    /// on the own system, until the console counts one more input (or is gone, after a
    /// hang-up); with `--target`, until CP answers something (at most two seconds).
    fn arrived(&self, console: Option<&Console>, before: Option<u64>, gone: bool, sent: Instant) {
        let until = Instant::now() + self.opts.settle_timeout;
        let until_any = sent + Duration::from_secs(2).min(self.opts.settle_timeout);
        loop {
            let done = match (console, before) {
                (Some(c), _) if gone => !c.is_connected(),
                (Some(c), Some(n)) => c.inputs_received() > n || !c.is_connected(),
                _ => *lock(&self.last_output) > sent || Instant::now() >= until_any,
            };
            if done || Instant::now() >= until || self.stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Has every terminal received what CP's console sent: does every 3270 model show what
    /// the console believes it shows, has every typewriter all its bytes?
    fn in_sync(&self, own: &Own) -> bool {
        let consoles = own.harness.consoles();
        let book = lock(&self.book);
        book.terms.iter().filter(|t| t.connected && t.kind.is_some()).all(|t| {
            let Some(c) =
                consoles.iter().find(|c| c.info().peer == t.upstream && t.upstream.is_some())
            else {
                return true;
            };
            if !c.is_connected() {
                return true;
            }
            if t.kind == Some(TermKind::Typewriter) {
                c.output_bytes() == t.console_bytes
            } else {
                c.screen_text() == Some(render(t.client.screen(), s370::ebcdic::CodePage::Cp037))
            }
        })
    }

    /// Records a step of terminal `i`: waits for CP, notes screens that changed meanwhile,
    /// lets `forward` send the input, waits again, and takes the screens.
    fn step(
        &self,
        i: usize,
        make: impl FnOnce(&mut Book) -> Option<Action>,
        forward: impl FnOnce(),
    ) {
        let _g = lock(&self.steps);
        if self.stop.load(Ordering::SeqCst) {
            forward();
            return;
        }
        self.settle();
        let action = {
            let mut book = lock(&self.book);
            book.push_spontaneous();
            make(&mut book)
        };
        let Some(action) = action else {
            forward();
            return;
        };
        let disconnect = action == Action::Disconnect;
        {
            let mut book = lock(&self.book);
            book.push(Some(i), action, Vec::new());
        }
        let console = self.console_of(i);
        let before = console.as_ref().map(Console::inputs_received);
        let sent = Instant::now();
        forward();
        self.arrived(console.as_ref(), before, disconnect, sent);
        self.settle();
        let mut book = lock(&self.book);
        let mut screens: Vec<_> =
            if disconnect { Vec::new() } else { book.screen_of(i).into_iter().collect() };
        screens.extend(book.changed(Some(i)));
        if let Some(last) = book.steps.last_mut() {
            last.screens = screens;
        }
    }
}

/// CP → client: pass everything on; keep the screen model and learn the device name.
fn down_loop(sh: &Shared, i: usize, mut server: TcpStream, mut client: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut parser = Parser::default();
    loop {
        let n = match server.read(&mut buf) {
            Ok(0) | Err(_) => {
                lock(&sh.book).terms[i].server_closed = true;
                break;
            }
            Ok(n) => n,
        };
        let data = &buf[..n];
        let mut events = Vec::new();
        let _ = parser.feed(data, &mut events);
        {
            let mut book = lock(&sh.book);
            let t = &mut book.terms[i];
            for e in &events {
                if matches!(e, TelnetEvent::Data(_)) {
                    t.seen_data = true;
                }
                if t.seen_data {
                    t.console_bytes += wire_len(e);
                }
                match e {
                    TelnetEvent::Sub(o, body) if *o == opt::TN3270E => {
                        if let Some(dev) = device_is(body) {
                            t.device = Some(dev);
                        }
                    }
                    TelnetEvent::Data(_) if t.kind.is_none() => {
                        t.kind = Some(if t.said_tn3270e {
                            TermKind::Tn3270e
                        } else if t.said_eor {
                            TermKind::Tn3270
                        } else {
                            TermKind::Typewriter
                        });
                    }
                    _ => {}
                }
            }
            if let Some(k) = t.kind {
                t.client.set_kind(k);
                let _ = t.client.from_host(data);
            }
        }
        *lock(&sh.last_output) = Instant::now();
        if client.write_all(data).is_err() {
            break;
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// How many bytes an event took on the wire.
fn wire_len(e: &TelnetEvent) -> u64 {
    let escaped = |d: &[u8]| d.len() as u64 + d.iter().filter(|&&b| b == IAC).count() as u64;
    match e {
        TelnetEvent::Data(d) => escaped(d),
        TelnetEvent::Command(_) => 2,
        TelnetEvent::Negotiate(..) => 3,
        TelnetEvent::Sub(_, body) => 5 + escaped(body),
    }
}

/// The device name in a TN3270E `DEVICE-TYPE IS type CONNECT name`.
fn device_is(body: &[u8]) -> Option<String> {
    let rest = body.strip_prefix(&[tn3270e::DEVICE_TYPE, tn3270e::IS])?;
    let at = rest.iter().position(|&b| b == tn3270e::CONNECT)?;
    let name = String::from_utf8_lossy(&rest[at + 1..]).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The terminal type a client names in TTYPE IS or TN3270E DEVICE-TYPE REQUEST.
fn terminal_type(o: u8, body: &[u8]) -> Option<TerminalType> {
    let name = if o == opt::TTYPE {
        body.strip_prefix(&[0])?
    } else if o == opt::TN3270E {
        body.strip_prefix(&[tn3270e::DEVICE_TYPE, tn3270e::REQUEST])?
    } else {
        return None;
    };
    let end = name.iter().position(|&b| b < 0x20).unwrap_or(name.len());
    Some(TerminalType::parse(&String::from_utf8_lossy(&name[..end])))
}

/// Client → CP: negotiation passes; keys and typed lines become steps.
fn up_loop(sh: &Shared, i: usize, mut client: TcpStream, mut server: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut parser = Parser::default();
    let mut assembler = RecordAssembler::new(1 << 20);
    let mut line: Vec<u8> = Vec::new();
    let mut after_cr = false;
    'conn: loop {
        let n = match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut events = Vec::new();
        if parser.feed(&buf[..n], &mut events).is_err() {
            break;
        }
        for e in events {
            let graf = {
                let book = lock(&sh.book);
                let t = &book.terms[i];
                t.kind.map_or(t.said_tn3270e || t.said_eor, TermKind::is_graf)
            };
            let sent = match e {
                TelnetEvent::Negotiate(v, o) => {
                    let mut book = lock(&sh.book);
                    let t = &mut book.terms[i];
                    match (v, o) {
                        (Verb::Will, opt::TN3270E) => t.said_tn3270e = true,
                        (Verb::Wont, opt::TN3270E) => t.said_tn3270e = false,
                        (Verb::Will, opt::EOR) => t.said_eor = true,
                        _ => {}
                    }
                    drop(book);
                    server.write_all(&negotiate(v, o)).is_ok()
                }
                TelnetEvent::Sub(o, body) => {
                    if let Some(tt) = terminal_type(o, &body)
                        && let Some(m) = tt.model
                    {
                        let mut book = lock(&sh.book);
                        let t = &mut book.terms[i];
                        t.model = m.number();
                        t.client.set_alternate(m.alternate());
                    }
                    server.write_all(&subnegotiation(o, &body)).is_ok()
                }
                TelnetEvent::Data(d) if graf => assembler.push(&d).is_ok(),
                TelnetEvent::Command(EOR) if graf => {
                    let rec = assembler.take();
                    key_record(sh, i, &rec, &mut server)
                }
                TelnetEvent::Command(c @ (BREAK | IP)) if !graf => {
                    let mut ok = true;
                    sh.step(
                        i,
                        |_| Some(Action::Break),
                        || ok = server.write_all(&[IAC, c]).is_ok(),
                    );
                    ok
                }
                TelnetEvent::Command(c) => server.write_all(&[IAC, c]).is_ok(),
                TelnetEvent::Data(d) => {
                    let mut ok = true;
                    for &b in d.iter() {
                        if std::mem::take(&mut after_cr) && (b == b'\n' || b == 0) {
                            continue;
                        }
                        match b {
                            b'\r' | b'\n' => {
                                after_cr = b == b'\r';
                                let text: String = line.drain(..).map(char::from).collect();
                                ok &= typed_line(sh, i, text, &mut server);
                            }
                            0x03 => {
                                line.clear();
                                sh.step(
                                    i,
                                    |_| Some(Action::Break),
                                    || {
                                        ok &= server.write_all(&[IAC, BREAK]).is_ok();
                                    },
                                );
                            }
                            0x08 | 0x7F => {
                                line.pop();
                            }
                            0x15 => line.clear(),
                            b if b >= 0x20 => line.push(b),
                            _ => {}
                        }
                    }
                    ok
                }
            };
            if !sent {
                break 'conn;
            }
        }
    }
    // The client hung up (or the recording ends).
    let server_closed = lock(&sh.book).terms[i].server_closed;
    if server_closed || sh.stop.load(Ordering::SeqCst) {
        let _ = server.shutdown(Shutdown::Both);
    } else {
        sh.step(
            i,
            |_| Some(Action::Disconnect),
            || {
                let _ = server.shutdown(Shutdown::Both);
            },
        );
    }
    lock(&sh.book).terms[i].connected = false;
    sh.live.fetch_sub(1, Ordering::SeqCst);
}

/// A complete record from a 3270: a reply to CP's read passes at once, a key is a step.
fn key_record(sh: &Shared, i: usize, rec: &[u8], server: &mut TcpStream) -> bool {
    let (header, payload) = {
        let book = lock(&sh.book);
        if book.terms[i].kind == Some(TermKind::Tn3270e) || book.terms[i].said_tn3270e {
            match Tn3270eHeader::split(rec) {
                Some((h, p)) => (Some(h), p.to_vec()),
                None => (None, rec.to_vec()),
            }
        } else {
            (None, rec.to_vec())
        }
    };
    let wire = match header {
        Some(h) => tn3270e_record(h, &payload).to_vec(),
        None => record(&payload).to_vec(),
    };
    let is_key = {
        let mut book = lock(&sh.book);
        let reply = book.terms[i].client.take_reply_due();
        let data = header.is_none_or(|h| h.data_type == tn3270e::DT_3270_DATA);
        !reply
            && data
            && payload
                .first()
                .and_then(|&a| Key::from_aid(terminals::ds::Aid::from_byte(a)))
                .is_some()
    };
    if !is_key {
        return server.write_all(&wire).is_ok();
    }
    let mut ok = true;
    sh.step(
        i,
        |book| {
            let t = &mut book.terms[i];
            let (k, typed) = t.client.decode_input(&payload)?;
            if let Typed::Text(text) = &typed
                && let Some(u) = logon_user(&s370::ebcdic::CodePage::Cp037.decode(text))
            {
                t.logons.push(u);
            }
            Some(Action::Key(k, typed))
        },
        || ok = server.write_all(&wire).is_ok(),
    );
    ok
}

/// A line typed on a typewriter: a step.
fn typed_line(sh: &Shared, i: usize, text: String, server: &mut TcpStream) -> bool {
    let mut ok = true;
    let mut wire: Vec<u8> = Vec::new();
    for &b in text.as_bytes() {
        wire.push(b);
        if b == IAC {
            wire.push(IAC);
        }
    }
    wire.extend_from_slice(b"\r\n");
    sh.step(
        i,
        |book| {
            if let Some(u) = logon_user(&text) {
                book.terms[i].logons.push(u);
            }
            Some(Action::Line(text.clone()))
        },
        || ok = server.write_all(&wire).is_ok(),
    );
    ok
}

/// Own system: when a console's MORE... delay falls due while nobody types, move the
/// consoles' clock to it and record the `wait`.
fn ticker(sh: &Arc<Shared>) {
    let Some(own) = &sh.own else { return };
    while !sh.stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
        let Ok(_g) = sh.steps.try_lock() else { continue };
        if !own.harness.settled() {
            continue;
        }
        let Some(due) = own.harness.next_timer() else { continue };
        if lock(&sh.book).last_step_at.elapsed() < due {
            continue;
        }
        sh.settle();
        lock(&sh.book).push_spontaneous();
        own.harness.advance(due);
        sh.settle();
        let mut book = lock(&sh.book);
        let changed = book.changed(None);
        book.push(None, Action::Wait(due), changed);
    }
}
