//! CP's console: one per connected terminal, driven by CP through a line-mode API.
//!
//! On a 3270 it is the VM/370 screen: output area, two-line input area, status word
//! (`CP READ`, `VM READ`, `RUNNING`, `MORE...`, `HOLDING`, `NOT ACCEPTED`), the logo,
//! non-display input for passwords, PF keys as `SET PFnn` defines them, and full-screen
//! passthrough for DIAGNOSE X'58'. On a plain telnet client it is a 3215-style typewriter:
//! lines out with CR LF, lines in, no echo for passwords, BREAK/IP/Ctrl-C for attention.
//!
//! Every method returns at once (nothing waits on a slow client; output past the
//! connection's cap drops it). CP learns what the user did from [`TermEvent`]s: block in
//! [`Console::next_event`], poll [`Console::try_event`], or get a callback
//! ([`Console::set_notify`]) to wake whatever runs the session.
//!
//! ```no_run
//! use terminals::console::{Read, TermEvent};
//! # fn run(console: terminals::console::Console) {
//! console.show_logo();
//! console.read(Read::cp());
//! while let Some(ev) = console.next_event(None) {
//!     match ev {
//!         TermEvent::Line(cmd) => {
//!             console.write_line(&format!("you typed {cmd}"));
//!             console.read(Read::cp());
//!         }
//!         TermEvent::Attention => console.read(Read::cp()),
//!         TermEvent::Disconnected => break,
//!         _ => {}
//!     }
//! }
//! # }
//! ```

pub mod core;
pub mod graf;
pub mod logo;
pub mod nvt;
pub mod page;
mod wire;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use s370::ebcdic::CodePage;

use self::core::{Core, OutItem};
pub use self::page::MoreTimes;
pub use self::wire::Loopback;
pub(crate) use self::wire::WireIn;
use crate::ds::{Command, DsError, Model, ScreenSize};
use crate::server::outbox::{Closed, Outbox};
use crate::server::timer::Tick;
pub use crate::server::timer::{Clock, VirtualClock};
use crate::telnet::Tn3270eHeader;
use crate::telnet::framing::{record, tn3270e_record};

/// What the user did, for CP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermEvent {
    /// A line entered while a read was armed (typed, or from an IMMEDIATE PF key).
    Line(String),
    /// Attention: PA1 on a 3270, BREAK / IP / Ctrl-C on a typewriter.
    Attention,
    /// A PF key with no setting (1-24).
    Pf(u8),
    /// PA3 (PA1 is [`TermEvent::Attention`]; PA2 is handled by the console).
    Pa(u8),
    /// In full-screen mode: an inbound record (AID, cursor, fields) for the guest.
    FullScreenInput(Bytes),
    /// The terminal is gone.
    Disconnected,
}

/// What CP says the console is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// CP reads a command: `CP READ`.
    CpRead,
    /// The guest reads its console: `VM READ`.
    VmRead,
    /// The guest runs: `RUNNING`.
    Running,
}

/// A read request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    /// `CpRead` or `VmRead`.
    pub status: Status,
    /// Non-display input (passwords): no echo.
    pub hidden: bool,
}

impl Read {
    /// CP reads: `CP READ`.
    pub fn cp() -> Read {
        Read { status: Status::CpRead, hidden: false }
    }

    /// The guest reads: `VM READ`.
    pub fn vm() -> Read {
        Read { status: Status::VmRead, hidden: false }
    }

    /// The same read, not displayed (passwords).
    pub fn hidden(self) -> Read {
        Read { hidden: true, ..self }
    }
}

/// The status word in the bottom right corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWord {
    /// `CP READ`.
    CpRead,
    /// `VM READ`.
    VmRead,
    /// `RUNNING`.
    Running,
    /// `MORE...`.
    More,
    /// `HOLDING`.
    Holding,
    /// `NOT ACCEPTED`.
    NotAccepted,
}

impl StatusWord {
    /// The text shown.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusWord::CpRead => "CP READ",
            StatusWord::VmRead => "VM READ",
            StatusWord::Running => "RUNNING",
            StatusWord::More => "MORE...",
            StatusWord::Holding => "HOLDING",
            StatusWord::NotAccepted => "NOT ACCEPTED",
        }
    }
}

/// What a PF key does (`SET PFnn IMMED|DELAYED text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PfKey {
    /// The text is entered at once, as if typed and ENTER pressed.
    Immediate(String),
    /// The text is put in the input area for the user to edit.
    Delayed(String),
}

/// Console settings.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// System id shown after the status word.
    pub system_id: String,
    /// MORE... delays.
    pub more: MoreTimes,
    /// Host code page for output (input accepts both bracket conventions).
    pub code_page: CodePage,
    /// Output rows that may wait behind MORE... before more are dropped.
    pub max_waiting_rows: usize,
    /// Longest typewriter input line.
    pub max_line: usize,
    /// Lines a typewriter user may type ahead.
    pub typewriter_type_ahead: usize,
    /// The clock for MORE... timers (host time, or virtual time for replays).
    pub clock: Clock,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            system_id: "VM/370".into(),
            more: MoreTimes::default(),
            code_page: CodePage::Cp037,
            max_waiting_rows: 10_000,
            max_line: 1024,
            typewriter_type_ahead: 16,
            clock: Clock::Host,
        }
    }
}

/// How the terminal is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalKind {
    /// TN3270E (RFC 2355).
    Tn3270e,
    /// Plain TN3270 (RFC 1576).
    Tn3270,
    /// A plain telnet client: a typewriter console.
    Typewriter,
}

/// What is known about a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalInfo {
    /// Connection kind.
    pub kind: TerminalKind,
    /// The terminal type it sent (`IBM-3278-2-E`, `XTERM`), if any.
    pub terminal_type: Option<String>,
    /// Its device name: the TN3270E LU, or one the server made up (`TERM0001`).
    pub device_name: String,
    /// The 3270 model, if a 3270.
    pub model: Option<Model>,
    /// The screen size the console uses (the alternate size), if a 3270.
    pub size: Option<ScreenSize>,
    /// Extended data stream (SFE, SA, WSF, Query).
    pub extended: bool,
    /// A colour terminal (3279, or a Query Reply listing colours).
    pub color: bool,
    /// The remote address.
    pub peer: Option<SocketAddr>,
    /// The terminal's Query Reply, if it was asked and answered.
    pub query: Option<crate::ds::query::QueryReply>,
}

impl TerminalInfo {
    /// A 3270 of model `model` reached over `kind`.
    pub fn graf(kind: TerminalKind, model: Model, device_name: &str) -> TerminalInfo {
        TerminalInfo {
            kind,
            terminal_type: Some(format!("IBM-3278-{}-E", model.number())),
            device_name: device_name.into(),
            model: Some(model),
            size: Some(model.alternate()),
            extended: true,
            color: false,
            peer: None,
            query: None,
        }
    }

    /// A typewriter.
    pub fn typewriter(device_name: &str) -> TerminalInfo {
        TerminalInfo {
            kind: TerminalKind::Typewriter,
            terminal_type: None,
            device_name: device_name.into(),
            model: None,
            size: None,
            extended: false,
            color: false,
            peer: None,
            query: None,
        }
    }
}

/// Errors of the full-screen calls.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsoleError {
    /// A typewriter has no full-screen mode.
    #[error("not a 3270")]
    NotGraphic,
    /// The terminal is gone.
    #[error("terminal disconnected")]
    Disconnected,
    /// The command is not a write (W, EW, EWA, EAU, WSF).
    #[error("not a write command")]
    NotAWrite,
    /// The command is not a read (RB, RM, RMA).
    #[error("not a read command")]
    NotARead,
    /// The guest's data stream is invalid.
    #[error("invalid 3270 data stream: {0}")]
    DataStream(DsError),
}

/// A callback run (outside any lock) whenever a console has a new event.
pub type Notify = Arc<dyn Fn() + Send + Sync>;

struct State {
    core: Core,
    scheduled: Option<Instant>,
    /// Threads blocked in [`Console::next_event`].
    waiters: u32,
    /// [`Console::interrupt`] was called and no `next_event` has returned for it yet.
    interrupted: bool,
    /// Bytes handed to the connection so far (framed, as on the wire).
    out_bytes: u64,
}

pub(crate) struct Shared {
    info: TerminalInfo,
    state: Mutex<State>,
    events: Condvar,
    drained: Condvar,
    outbox: Arc<Outbox>,
    notify: Mutex<Option<Notify>>,
    clock: Clock,
    me: Weak<Shared>,
}

impl Tick for Shared {
    fn tick(&self, now: Instant) {
        self.with(|core| core.on_time(now));
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the core, then sends its output, schedules its timer and wakes
    /// whoever waits for events.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut st = self.lock();
        let before = st.core.events_pushed();
        let r = f(&mut st.core);
        for item in st.core.take_output() {
            let wire = match item {
                OutItem::Raw(b) => b,
                OutItem::Record(rec) => match self.info.kind {
                    TerminalKind::Tn3270e => {
                        let seq = st.core.next_seq();
                        tn3270e_record(Tn3270eHeader { seq, ..Default::default() }, &rec)
                    }
                    _ => record(&rec),
                },
            };
            st.out_bytes += wire.len() as u64;
            if !self.outbox.push(wire) {
                st.core.disconnected();
            }
        }
        let deadline = st.core.deadline();
        if deadline != st.scheduled {
            st.scheduled = deadline;
            if let Some(at) = deadline {
                let me: Weak<dyn Tick> = self.me.clone();
                self.clock.schedule(at, me);
            }
        }
        let new_events = st.core.events_pushed() != before;
        let drained = st.core.waiting_output() == 0 || !st.core.is_connected();
        drop(st);
        if new_events {
            self.events.notify_all();
            let n = self.notify.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some(n) = n {
                n();
            }
        }
        if drained {
            self.drained.notify_all();
        }
        r
    }
}

/// CP's handle on one terminal's console. Cheap to clone; every clone is the same console.
#[derive(Clone)]
pub struct Console {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("info", &self.shared.info).finish()
    }
}

impl Console {
    pub(crate) fn new(info: TerminalInfo, config: ConsoleConfig, outbox: Arc<Outbox>) -> Console {
        let graf = info.size.map(|size| graf::Graf::new(size, config.code_page));
        let clock = config.clock.clone();
        let core = Core::new(graf, config);
        let shared = Arc::new_cyclic(|me| Shared {
            info,
            state: Mutex::new(State {
                core,
                scheduled: None,
                waiters: 0,
                interrupted: false,
                out_bytes: 0,
            }),
            events: Condvar::new(),
            drained: Condvar::new(),
            outbox,
            notify: Mutex::new(None),
            clock,
            me: me.clone(),
        });
        Console { shared }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The console's time now.
    pub(crate) fn now(&self) -> Instant {
        self.shared.clock.now()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        self.shared.with(f)
    }

    /// What is known about the terminal.
    pub fn info(&self) -> &TerminalInfo {
        &self.shared.info
    }

    /// True for a 3270 (false for a typewriter).
    pub fn is_graf(&self) -> bool {
        self.shared.info.kind != TerminalKind::Typewriter
    }

    /// Writes one line of output (CP's or the guest's). Long lines wrap; when the output
    /// area is full the line waits behind `MORE...`.
    pub fn write_line(&self, text: &str) {
        let now = self.now();
        self.with(|c| c.write_line(text, now));
    }

    /// Writes several lines.
    pub fn write_lines<I, S>(&self, lines: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let now = self.now();
        self.with(|c| {
            for l in lines {
                c.write_line(l.as_ref(), now);
            }
        });
    }

    /// Arms a read (`CP READ` or `VM READ`, hidden for passwords). The line arrives as
    /// [`TermEvent::Line`]; a line typed ahead arrives at once.
    pub fn read(&self, read: Read) {
        let now = self.now();
        self.with(|c| c.read(read, now));
    }

    /// The guest is running: `RUNNING`, no read armed (typed lines wait).
    pub fn running(&self) {
        let now = self.now();
        self.with(|c| c.running(now));
    }

    /// Arms a read and waits for the next event (a line, attention, a key, or
    /// disconnection). `None` after `timeout`.
    pub fn read_line(&self, read: Read, timeout: Option<Duration>) -> Option<TermEvent> {
        self.read(read);
        self.next_event(timeout)
    }

    /// Waits for the next event. `None` after `timeout`, or at once when the terminal is
    /// gone and its [`TermEvent::Disconnected`] was already taken.
    pub fn next_event(&self, timeout: Option<Duration>) -> Option<TermEvent> {
        let until = timeout.map(|t| Instant::now() + t);
        let mut st = self.shared.lock();
        loop {
            if let Some(e) = st.core.next_event() {
                return Some(e);
            }
            if std::mem::take(&mut st.interrupted) || !st.core.is_connected() {
                return None;
            }
            st.waiters += 1;
            st = match until {
                None => self.shared.events.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(u) => {
                    let left = u.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        st.waiters -= 1;
                        return None;
                    }
                    self.shared.events.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0
                }
            };
            st.waiters -= 1;
        }
    }

    /// Makes a thread blocked in [`Console::next_event`] return `None` now (or the next
    /// call, if none is blocked): CP uses it to take a terminal back when its user is
    /// logged off from elsewhere (FORCE, the guest's LOGOFF).
    pub fn interrupt(&self) {
        self.shared.lock().interrupted = true;
        self.shared.events.notify_all();
    }

    /// True when a thread is blocked in [`Console::next_event`] with no event waiting for
    /// it: whoever drives the console is idle until the terminal does something. Session
    /// replay waits for this before it compares screens.
    pub fn awaiting_input(&self) -> bool {
        let st = self.shared.lock();
        st.waiters > 0 && !st.interrupted && st.core.events_waiting() == 0
    }

    /// Inputs taken from the terminal so far: 3270 records, typewriter lines and
    /// attentions. A recording proxy compares it before and after forwarding a key.
    pub fn inputs_received(&self) -> u64 {
        self.shared.lock().core.inputs_received()
    }

    /// Bytes this console has handed to its connection so far, framed as on the wire (not
    /// counting the negotiation before it existed). A recording proxy compares it with what
    /// it has received to know a typewriter's output has all arrived.
    pub fn output_bytes(&self) -> u64 {
        self.shared.lock().out_bytes
    }

    /// When the console's next timer (a MORE... delay) falls due, by its clock.
    pub fn timer_deadline(&self) -> Option<Instant> {
        self.shared.lock().core.deadline()
    }

    /// The next event, if one is waiting.
    pub fn try_event(&self) -> Option<TermEvent> {
        self.shared.lock().core.next_event()
    }

    /// Calls `notify` (from the thread that queued it, outside any lock) each time an
    /// event is queued; `None` removes it.
    pub fn set_notify(&self, notify: Option<Notify>) {
        *self.shared.notify.lock().unwrap_or_else(|e| e.into_inner()) = notify;
    }

    /// The status word shown now.
    pub fn status(&self) -> StatusWord {
        self.shared.lock().core.status_word()
    }

    /// Sets what PF key `n` (1-24) does; `None` makes it arrive as [`TermEvent::Pf`].
    pub fn set_pf(&self, n: u8, key: Option<PfKey>) {
        self.with(|c| c.set_pf(n, key));
    }

    /// Changes the MORE... delays (`TERMINAL MORE n1 n2`).
    pub fn set_more(&self, more: MoreTimes) {
        self.with(|c| c.set_more(more));
    }

    /// Shows the logo screen (`VM/370 ONLINE`); a typewriter gets the line.
    pub fn show_logo(&self) {
        let now = self.now();
        self.with(|c| c.show_logo(now));
    }

    /// Erases the output area, dropping output still waiting behind MORE...
    pub fn clear_output(&self) {
        let now = self.now();
        self.with(|c| c.clear_output(now));
    }

    /// Output rows still waiting behind `MORE...`/`HOLDING`. CP may hold a guest's
    /// console write until this drains, as a real console write waits for the screen.
    pub fn waiting_output(&self) -> usize {
        self.shared.lock().core.waiting_output()
    }

    /// Waits until no output waits (or the terminal is gone); false after `timeout`.
    pub fn wait_output_drained(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        let mut st = self.shared.lock();
        loop {
            if st.core.waiting_output() == 0 || !st.core.is_connected() {
                return true;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            st = self.shared.drained.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// DIAGNOSE X'58' full-screen write: `cmd` (W, EW, EWA, EAU, WSF) and the data after
    /// the command byte (WCC and orders). The guest owns the screen until
    /// [`Console::line_mode`]; PA1 still reaches CP as [`TermEvent::Attention`].
    pub fn full_screen_write(&self, cmd: Command, data: &[u8]) -> Result<(), ConsoleError> {
        self.with(|c| c.full_screen_write(cmd, data))
    }

    /// DIAGNOSE X'58' full-screen read (RM, RMA: the next key; RB: the whole buffer). The
    /// reply arrives as [`TermEvent::FullScreenInput`].
    pub fn full_screen_read(&self, cmd: Command) -> Result<(), ConsoleError> {
        self.with(|c| c.full_screen_read(cmd))
    }

    /// Back to line mode: CP's screen is drawn again.
    pub fn line_mode(&self) {
        let now = self.now();
        self.with(|c| c.line_mode(now));
    }

    /// True while the guest owns the screen.
    pub fn is_full_screen(&self) -> bool {
        self.shared.lock().core.is_full_screen()
    }

    /// The screen as the terminal shows it, as text with attributes (3270 only).
    pub fn screen_text(&self) -> Option<String> {
        let st = self.shared.lock();
        st.core.screen().map(|s| crate::ds::snapshot::render(s, CodePage::Cp037))
    }

    /// Still connected.
    pub fn is_connected(&self) -> bool {
        self.shared.lock().core.is_connected()
    }

    /// Drops the connection (output already queued is still sent).
    pub fn close(&self) {
        self.shared.outbox.close(Closed::Normal);
        self.with(|c| c.disconnected());
    }

    pub(crate) fn hang_up(&self) {
        self.with(|c| c.disconnected());
    }
}
