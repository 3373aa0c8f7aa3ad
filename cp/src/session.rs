//! Terminal sessions: the logo, LOGON with its password prompt, reconnecting, and then the
//! traffic between a connected terminal and the user's virtual console.
//!
//! ```text
//!   connect ─► logo (CP READ) ── LOGON ok ──► logged on ── LOGOFF, DISCONN ──► logo
//!                 │  ▲                          │   │      (DISCONN: the machine runs on)
//!                 │  └──── wrong password ──────┘   └── line drop ──► (gone;
//!                 │        (5 tries, then dropped)       the machine runs on)
//!                 └── line drop ──► (gone)
//! ```
//!
//! Each terminal has one session thread. It reads [`TermEvent`]s from the terminal's
//! [`Console`] and hands them to CP (pre-logon commands) or to the user ([`User::input`],
//! [`User::attention`]); the user's output reaches the console through [`ConsoleSink`], the
//! [`TermSink`] the user's console link writes to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use terminals::console::{Console, MoreTimes, PfKey, Read, Status as TStatus, TermEvent};
use terminals::ds::Command;
use terminals::server::{ServerConfig, TerminalServer};

use crate::command::table::{Verb, find};
use crate::command::tokens::Tokens;
use crate::directory::Classes;
use crate::system::System;
use crate::user::{LogonError, User};
use crate::vdev::{FullScreen, Status, TermSink};

/// Wrong passwords a terminal may give before CP drops it.
pub const MAX_LOGON_FAILURES: u32 = 5;

/// The user's console output and status, on a terminal.
#[derive(Debug)]
pub struct ConsoleSink {
    console: Console,
    state: Mutex<(Status, bool)>,
}

impl ConsoleSink {
    /// A sink writing to `console`.
    pub fn new(console: Console) -> Arc<ConsoleSink> {
        Arc::new(ConsoleSink { console, state: Mutex::new((Status::CpRead, false)) })
    }

    /// Arms the console's read again for whoever reads now (CP, the guest, or the running
    /// guest's attention): after every line, since a line uses up the read it answered.
    pub fn rearm(&self) {
        let (status, hidden) = *self.state.lock().unwrap_or_else(|p| p.into_inner());
        let status = match status {
            Status::CpRead => TStatus::CpRead,
            Status::VmRead => TStatus::VmRead,
            // RUNNING with a read armed: what the user types while the guest runs reaches
            // CP at once (it becomes an attention interruption for the guest).
            Status::Running => TStatus::Running,
        };
        self.console.read(Read { status, hidden });
    }
}

impl TermSink for ConsoleSink {
    fn line(&self, text: &str) {
        self.console.write_line(text);
    }

    fn display_model(&self) -> Option<u8> {
        self.console.info().model.map(|m| m.number())
    }

    fn status(&self, status: Status) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).0 = status;
        self.rearm();
    }

    fn hidden(&self, hidden: bool) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1 = hidden;
        self.rearm();
    }

    fn set_pf(&self, n: u8, text: Option<(bool, String)>) {
        let key = text
            .map(|(immediate, t)| if immediate { PfKey::Immediate(t) } else { PfKey::Delayed(t) });
        self.console.set_pf(n, key);
    }

    fn full_screen_write(&self, cmd: FullScreen, data: &[u8]) -> bool {
        let cmd = match cmd {
            FullScreen::Write => Command::Write,
            FullScreen::EraseWrite => Command::EraseWrite,
            FullScreen::EraseWriteAlternate => Command::EraseWriteAlternate,
            FullScreen::Wsf => Command::WriteStructuredField,
        };
        self.console.full_screen_write(cmd, data).is_ok()
    }

    fn full_screen_read(&self, read_buffer: bool) -> bool {
        let cmd = if read_buffer { Command::ReadBuffer } else { Command::ReadModified };
        self.console.full_screen_read(cmd).is_ok()
    }

    fn line_mode(&self) {
        if self.console.is_full_screen() {
            self.console.line_mode();
            self.rearm();
        }
    }

    fn set_more(&self, first: u16, next: u16) {
        self.console.set_more(MoreTimes {
            first: Duration::from_secs(u64::from(first)),
            next: Duration::from_secs(u64::from(next)),
        });
    }

    fn ended(&self) {
        // The session thread may be waiting for input: it shows the logo at once, so what
        // the screen shows after a FORCE or the guest's LOGOFF does not depend on timing.
        self.console.interrupt();
    }
}

/// Arms `read` and waits for the next event; `None` only when the terminal is gone (an
/// interruption while logged off means nothing: read again).
fn read_event(console: &Console, read: Read) -> Option<TermEvent> {
    loop {
        if let Some(ev) = console.read_line(read, None) {
            return Some(ev);
        }
        if !console.is_connected() {
            return None;
        }
    }
}

/// Accepts terminals on `server` until the system shuts down, each in its own session
/// thread.
pub fn serve(sys: Arc<System>, server: Arc<TerminalServer>) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("listener".into())
        .spawn(move || {
            while let Some(term) = server.accept() {
                if sys.shutting_down() {
                    break;
                }
                let sys = Arc::clone(&sys);
                let console = term.into_console();
                let _ = std::thread::Builder::new()
                    .name(format!("term-{}", console.info().device_name))
                    .spawn(move || run_session(&sys, &console));
            }
        })
        .expect("spawning the listener thread")
}

/// Starts a TN3270/telnet listener on `addr` for the system.
pub fn listen(
    sys: &Arc<System>,
    addr: &str,
) -> std::io::Result<(Arc<TerminalServer>, std::thread::JoinHandle<()>)> {
    let mut cfg = ServerConfig::default();
    cfg.console.system_id = sys.config.sysid.clone();
    let server = Arc::new(TerminalServer::bind(addr, cfg)?);
    let handle = serve(Arc::clone(sys), Arc::clone(&server));
    Ok((server, handle))
}

/// Runs one terminal's session to its end.
pub fn run_session(sys: &Arc<System>, console: &Console) {
    let mut failures = 0u32;
    loop {
        // Before logon: CP READ on the logo screen.
        let Some((user, sink)) = pre_logon(sys, console, &mut failures) else { return };
        if !logged_on(sys, console, &user, &sink) {
            return;
        }
        console.show_logo();
    }
}

/// Reads pre-logon commands until a LOGON succeeds (the user) or the terminal goes.
fn pre_logon(
    sys: &Arc<System>,
    console: &Console,
    failures: &mut u32,
) -> Option<(Arc<User>, Arc<ConsoleSink>)> {
    loop {
        if *failures >= MAX_LOGON_FAILURES {
            console.write_line("DMKLOG052E LOGON ATTEMPTS EXCEEDED; TERMINAL DISCONNECTED");
            let _ = console.wait_output_drained(Duration::from_secs(2));
            console.close();
            return None;
        }
        let line = match read_event(console, Read::cp())? {
            TermEvent::Line(l) => l,
            TermEvent::Disconnected => return None,
            _ => continue,
        };
        let mut t = Tokens::new(&line);
        let Some(word) = t.next_upper() else { continue };
        let Some(entry) = find(&word, Classes::NONE, false) else {
            console.write_line(&format!("?CP: {word}"));
            continue;
        };
        match entry.verb {
            Verb::Logon if !sys.logons_enabled() => {
                console.write_line("DMKLOG059E LOGON REJECTED; SYSTEM DISABLED FOR LOGONS");
            }
            Verb::Logon => {
                let Some(userid) = t.next_upper() else {
                    console.write_line("DMKLOG020E USERID MISSING OR INVALID");
                    continue;
                };
                let password = match t.next_raw() {
                    Some(p) => p.to_string(),
                    None => {
                        console.write_line("ENTER PASSWORD:");
                        match read_event(console, Read::cp().hidden())? {
                            TermEvent::Line(p) => p,
                            TermEvent::Disconnected => return None,
                            _ => String::new(),
                        }
                    }
                };
                match logon_or_reconnect(sys, console, &userid, password.trim()) {
                    Ok(u) => return Some(u),
                    Err(e) => {
                        if matches!(e, LogonError::Refused) {
                            *failures += 1;
                        }
                        console.write_line(&e.to_string());
                    }
                }
            }
            Verb::Logoff | Verb::Disconn => {
                console.close();
                return None;
            }
            Verb::Comment => {}
            _ => console.write_line(&format!("?CP: {word}")),
        }
    }
}

fn logon_or_reconnect(
    sys: &Arc<System>,
    console: &Console,
    userid: &str,
    password: &str,
) -> Result<(Arc<User>, Arc<ConsoleSink>), LogonError> {
    let sink = ConsoleSink::new(console.clone());
    let name = console.info().device_name.clone();
    let userid = userid.to_ascii_uppercase();
    if let Some(existing) = sys.user(&userid) {
        let ok = sys
            .directory
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .user(&userid)
            .is_some_and(|e| e.password_matches(password));
        if !ok {
            return Err(LogonError::Refused);
        }
        if existing.terminal_name() != "DSC" {
            return Err(LogonError::AlreadyLoggedOn(userid));
        }
        existing.reconnect(sys, sink.clone(), &name);
        return Ok((existing, sink));
    }
    let user = User::logon(sys, &userid, password, Some(sink.clone()))?;
    user.set_terminal_name(Some(name));
    Ok((user, sink))
}

/// The logged-on part of a session; false if the terminal went away.
fn logged_on(sys: &Arc<System>, console: &Console, user: &Arc<User>, sink: &ConsoleSink) -> bool {
    loop {
        // Logged off, or disconnected (DISCONN, the guest's CP DISCONN): the terminal shows
        // the logo again and may log on anew.
        if user.logged_off() || user.terminal_name() != console.info().device_name {
            return true;
        }
        let Some(ev) = console.next_event(Some(Duration::from_millis(250))) else {
            if !console.is_connected() {
                user.disconnect(sys);
                return false;
            }
            continue;
        };
        match ev {
            TermEvent::Line(l) => {
                user.input(sys, &l);
                sink.rearm();
            }
            TermEvent::Attention => user.attention(),
            TermEvent::Pf(n) => {
                let text =
                    user.lock().settings.pf.get(usize::from(n).wrapping_sub(1)).cloned().flatten();
                if let Some(t) = text {
                    user.input(sys, &t);
                }
                sink.rearm();
            }
            TermEvent::FullScreenInput(bytes) => user.full_screen_input(&bytes),
            TermEvent::Pa(_) => {}
            TermEvent::Disconnected => {
                user.disconnect(sys);
                return false;
            }
        }
    }
}
