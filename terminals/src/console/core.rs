//! The console state machine, free of sockets, threads and clocks: CP's calls and the
//! terminal's input go in, records and events come out. [`super::Console`] wraps it.
//!
//! Input is one line of type-ahead on a 3270 (a second line while the first waits gets
//! `NOT ACCEPTED` and stays in the input field), a few lines on a typewriter. A line is
//! handed to CP (as [`TermEvent::Line`]) only while CP has a read armed; attention, PF and
//! PA keys go out at once.

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;

use super::graf::{Content, Draw, Graf};
use super::logo::{self, logo_rows};
use super::nvt::{Nvt, NvtInput};
use super::page::{Page, PageState};
use super::{ConsoleConfig, ConsoleError, PfKey, Read, Status, StatusWord, TermEvent};
use crate::ds::{Aid, Command, parse_inbound};
use crate::telnet::{self, Verb, framing::negotiate, opt};

/// Output of the core, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutItem {
    /// A 3270 record (to be framed: TN3270E header, IAC doubling, IAC EOR).
    Record(Bytes),
    /// Bytes for the wire as they are (typewriter text, telnet commands).
    Raw(Bytes),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Logo,
    Line,
    FullScreen,
}

const MAX_EVENTS: usize = 256;

/// The console state machine.
#[derive(Debug)]
pub struct Core {
    config: ConsoleConfig,
    page: Page,
    graf: Option<Graf>,
    nvt: Option<Nvt>,
    view: View,
    status: Status,
    read: Option<Read>,
    hidden: bool,
    echo_off: bool,
    slot: VecDeque<String>,
    slot_cap: usize,
    not_accepted: bool,
    prefill: Option<String>,
    pf: Vec<Option<PfKey>>,
    events: VecDeque<TermEvent>,
    out: Vec<OutItem>,
    connected: bool,
    fs_read: Option<Command>,
    seq: u16,
    pushed: u64,
    inputs: u64,
    pending_draw: Option<Draw>,
}

impl Core {
    /// A console for a 3270 (`graf`) or a typewriter (`None`).
    pub fn new(graf: Option<Graf>, config: ConsoleConfig) -> Core {
        let (rows, cols) = match &graf {
            Some(g) => (g.layout.out_rows, usize::from(g.layout.size.cols)),
            None => (1, 80),
        };
        let page = Page::new(rows, cols, config.more, config.max_waiting_rows);
        let nvt = graf.is_none().then(|| Nvt::new(config.max_line));
        let slot_cap = if graf.is_some() { 1 } else { config.typewriter_type_ahead.max(1) };
        Core {
            config,
            page,
            graf,
            nvt,
            view: View::Line,
            status: Status::Running,
            read: None,
            hidden: false,
            echo_off: false,
            slot: VecDeque::new(),
            slot_cap,
            not_accepted: false,
            prefill: None,
            pf: vec![None; 24],
            events: VecDeque::new(),
            out: Vec::new(),
            connected: true,
            fs_read: None,
            seq: 0,
            pushed: 0,
            inputs: 0,
            pending_draw: None,
        }
    }

    /// True for a 3270.
    pub fn is_graf(&self) -> bool {
        self.graf.is_some()
    }

    /// Drains what must be sent (drawing the screen first if it changed).
    pub fn take_output(&mut self) -> Vec<OutItem> {
        self.flush();
        std::mem::take(&mut self.out)
    }

    /// The next TN3270E sequence number.
    pub fn next_seq(&mut self) -> u16 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    /// The next event for CP.
    pub fn next_event(&mut self) -> Option<TermEvent> {
        self.events.pop_front()
    }

    /// Events waiting.
    pub fn events_waiting(&self) -> usize {
        self.events.len()
    }

    /// Events queued since the start (a counter, to notice new ones).
    pub fn events_pushed(&self) -> u64 {
        self.pushed
    }

    /// Inputs taken from the terminal since the start: 3270 records, typewriter lines,
    /// attentions (a counter, so a recorder knows its key has arrived).
    pub fn inputs_received(&self) -> u64 {
        self.inputs
    }

    /// When [`Core::on_time`] must next run.
    pub fn deadline(&self) -> Option<Instant> {
        if self.view == View::Line { self.page.deadline() } else { None }
    }

    /// Still connected.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The status word on the screen now.
    pub fn status_word(&self) -> StatusWord {
        if self.view == View::Logo {
            return StatusWord::Running;
        }
        if self.not_accepted {
            return StatusWord::NotAccepted;
        }
        match self.page.state() {
            PageState::Holding => StatusWord::Holding,
            PageState::More(_) => StatusWord::More,
            PageState::Normal => match self.status {
                Status::CpRead => StatusWord::CpRead,
                Status::VmRead => StatusWord::VmRead,
                Status::Running => StatusWord::Running,
            },
        }
    }

    /// Rows of output not yet on the screen.
    pub fn waiting_output(&self) -> usize {
        self.page.waiting()
    }

    /// What a 3270 shows, as far as the host knows.
    pub fn screen(&self) -> Option<&crate::ds::Screen> {
        self.graf.as_ref().map(|g| &g.shown)
    }

    /// True while a guest owns the screen (DIAGNOSE X'58' full screen).
    pub fn is_full_screen(&self) -> bool {
        self.view == View::FullScreen
    }

    fn push_event(&mut self, e: TermEvent) {
        let repeat = e == TermEvent::Attention && self.events.back() == Some(&TermEvent::Attention);
        if repeat || (self.events.len() >= MAX_EVENTS && e != TermEvent::Disconnected) {
            return;
        }
        self.events.push_back(e);
        self.pushed += 1;
    }

    /// Notes that the screen must be drawn; changes made together go out as one Write.
    fn redraw(&mut self, how: Draw) {
        let p = self.pending_draw.get_or_insert_with(Draw::default);
        p.erase_input |= how.erase_input;
        p.cursor |= how.cursor;
        p.restore |= how.restore;
    }

    /// Draws what [`Core::redraw`] noted.
    pub fn flush(&mut self) {
        let Some(how) = self.pending_draw.take() else {
            return;
        };
        if self.view == View::FullScreen {
            return;
        }
        let word = self.status_word();
        let logo;
        let rows: &[String] = if self.view == View::Logo {
            let g = self.graf.as_ref().map(|g| g.layout);
            logo =
                logo_rows(g.map_or(22, |l| l.out_rows), g.map_or(80, |l| usize::from(l.size.cols)));
            &logo
        } else {
            self.page.rows()
        };
        let Some(graf) = self.graf.as_mut() else {
            return;
        };
        let content = Content {
            rows,
            status: word.as_str(),
            system_id: &self.config.system_id,
            hidden: self.hidden,
            prefill: self.prefill.as_deref(),
        };
        if let Some(rec) = graf.draw(&content, how) {
            self.out.push(OutItem::Record(rec));
        }
    }

    fn deliver(&mut self) {
        if self.read.is_some()
            && let Some(line) = self.slot.pop_front()
        {
            self.read = None;
            self.not_accepted = false;
            self.push_event(TermEvent::Line(line));
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.out.push(OutItem::Raw(Bytes::copy_from_slice(bytes)));
    }

    fn set_echo_off(&mut self, off: bool) {
        if self.nvt.is_some() && self.echo_off != off {
            self.echo_off = off;
            let verb = if off { Verb::Will } else { Verb::Wont };
            self.raw(&negotiate(verb, opt::ECHO));
        }
    }

    // ----- CP's side -----

    /// Writes a line of output.
    pub fn write_line(&mut self, text: &str, now: Instant) {
        if !self.connected {
            return;
        }
        if self.nvt.is_some() {
            self.out.push(OutItem::Raw(Nvt::line_bytes(text)));
            return;
        }
        // Line output after the guest's full-screen I/O: CP takes the screen back, as VM/370
        // does when a full-screen program writes a line (or CP has a message).
        self.line_mode(now);
        self.page.add_line(text, now);
        self.redraw(Draw::default());
    }

    /// Arms a read: shows `CP READ` or `VM READ` and hands CP the next line entered.
    pub fn read(&mut self, r: Read, _now: Instant) {
        self.status = r.status;
        self.read = Some(r);
        self.hidden = r.hidden;
        self.set_echo_off(r.hidden);
        self.deliver();
        self.redraw(Draw::default());
    }

    /// The guest runs: `RUNNING`, no read armed.
    pub fn running(&mut self, _now: Instant) {
        self.status = Status::Running;
        self.read = None;
        self.hidden = false;
        self.set_echo_off(false);
        self.redraw(Draw::default());
    }

    /// Sets or clears what PF key `n` (1-24) does.
    pub fn set_pf(&mut self, n: u8, key: Option<PfKey>) {
        if let Some(slot) = self.pf.get_mut(usize::from(n).wrapping_sub(1)) {
            *slot = key;
        }
    }

    /// The PF key setting.
    pub fn pf(&self, n: u8) -> Option<PfKey> {
        self.pf.get(usize::from(n).wrapping_sub(1)).cloned().flatten()
    }

    /// Changes the MORE... delays (`TERMINAL MORE`).
    pub fn set_more(&mut self, more: super::MoreTimes) {
        self.config.more = more;
        self.page.set_more(more);
    }

    /// Shows the logo screen (on connect, after LOGOFF and DISCONNECT). On a 3270,
    /// anything typed before the first ENTER is discarded.
    pub fn show_logo(&mut self, _now: Instant) {
        self.slot.clear();
        self.not_accepted = false;
        self.prefill = None;
        self.clear_page();
        if self.nvt.is_some() {
            self.out.push(OutItem::Raw(Nvt::line_bytes(logo::ONLINE)));
            return;
        }
        self.view = View::Logo;
        if let Some(g) = self.graf.as_mut() {
            g.force_full = true;
        }
        self.redraw(Draw::default());
    }

    fn clear_page(&mut self) {
        let (rows, cols) = match &self.graf {
            Some(g) => (g.layout.out_rows, usize::from(g.layout.size.cols)),
            None => (1, 80),
        };
        self.page = Page::new(rows, cols, self.config.more, self.config.max_waiting_rows);
    }

    /// Erases the output area and drops waiting output.
    pub fn clear_output(&mut self, _now: Instant) {
        self.clear_page();
        self.redraw(Draw::default());
    }

    /// A guest's full-screen write (DIAGNOSE X'58'): `cmd` is W, EW, EWA, EAU or WSF and
    /// `data` what follows the command byte.
    pub fn full_screen_write(&mut self, cmd: Command, data: &[u8]) -> Result<(), ConsoleError> {
        if !self.connected {
            return Err(ConsoleError::Disconnected);
        }
        self.flush();
        let graf = self.graf.as_mut().ok_or(ConsoleError::NotGraphic)?;
        if cmd.is_read() {
            return Err(ConsoleError::NotAWrite);
        }
        let mut rec = Vec::with_capacity(data.len() + 1);
        rec.push(cmd.local());
        rec.extend_from_slice(data);
        let mut trial = graf.shown.clone();
        trial.apply(&rec).map_err(ConsoleError::DataStream)?;
        graf.shown = trial;
        self.view = View::FullScreen;
        self.out.push(OutItem::Record(Bytes::from(rec)));
        Ok(())
    }

    /// A guest's full-screen read: RM/RMA wait for the next key, RB asks the terminal for
    /// its buffer. The reply comes as [`TermEvent::FullScreenInput`].
    pub fn full_screen_read(&mut self, cmd: Command) -> Result<(), ConsoleError> {
        if !self.connected {
            return Err(ConsoleError::Disconnected);
        }
        if self.graf.is_none() {
            return Err(ConsoleError::NotGraphic);
        }
        self.view = View::FullScreen;
        match cmd {
            Command::ReadBuffer => {
                self.fs_read = Some(cmd);
                self.out.push(OutItem::Record(Bytes::from_static(&[0xF2])));
            }
            Command::ReadModified | Command::ReadModifiedAll => self.fs_read = Some(cmd),
            _ => return Err(ConsoleError::NotARead),
        }
        Ok(())
    }

    /// The guest is back in line mode: CP's screen is drawn again.
    pub fn line_mode(&mut self, now: Instant) {
        if self.view != View::FullScreen {
            return;
        }
        self.view = View::Line;
        self.fs_read = None;
        if let Some(g) = self.graf.as_mut() {
            g.force_full = true;
        }
        self.page.rearm(now);
        self.redraw(Draw { restore: true, ..Draw::default() });
    }

    // ----- the terminal's side -----

    /// A 3270 record from the terminal.
    pub fn on_record(&mut self, rec: &[u8], now: Instant) {
        self.inputs += 1;
        if self.graf.is_none() {
            return;
        }
        let Ok(inb) = parse_inbound(rec) else {
            self.redraw(Draw { restore: true, ..Draw::default() });
            return;
        };
        if inb.aid == Aid::StructuredField {
            if self.view == View::FullScreen {
                self.full_screen_input(rec);
            }
            return;
        }
        if inb.aid == Aid::Clear
            && let Some(g) = self.graf.as_mut()
        {
            g.cleared_by_terminal();
        }
        match self.view {
            View::FullScreen => {
                if inb.aid == Aid::Pa(1) {
                    self.push_event(TermEvent::Attention);
                } else {
                    self.full_screen_input(rec);
                }
            }
            View::Logo => {
                // The first key only dismisses the logo; what was typed is discarded.
                self.view = View::Line;
                self.page.rearm(now);
                self.redraw(Draw { erase_input: true, cursor: true, restore: true });
            }
            View::Line => self.line_key(&inb, now),
        }
    }

    /// A key (or a structured-field reply) in full-screen mode goes to the host at once,
    /// whether or not the guest is reading: the host announces it to the guest with an
    /// attention interruption, as a 3270 does.
    fn full_screen_input(&mut self, rec: &[u8]) {
        self.fs_read = None;
        self.push_event(TermEvent::FullScreenInput(Bytes::copy_from_slice(rec)));
    }

    fn line_key(&mut self, inb: &crate::ds::Inbound, now: Instant) {
        self.page.user_acted();
        let restore = Draw { restore: true, ..Draw::default() };
        match inb.aid {
            Aid::Enter => {
                let text = self.graf.as_ref().map(|g| g.input_text(inb)).unwrap_or_default();
                self.prefill = None;
                self.enter_text(text, now);
            }
            Aid::Pf(n) => match self.pf(n) {
                Some(PfKey::Immediate(text)) => {
                    self.prefill = None;
                    self.enter_text(text, now);
                }
                Some(PfKey::Delayed(text)) => {
                    self.prefill = Some(text);
                    self.redraw(Draw { erase_input: true, cursor: true, restore: true });
                }
                None => {
                    self.push_event(TermEvent::Pf(n));
                    self.redraw(restore);
                }
            },
            Aid::Pa(1) => {
                self.not_accepted = false;
                self.push_event(TermEvent::Attention);
                self.redraw(Draw { erase_input: true, cursor: true, restore: true });
            }
            Aid::Pa(2) => {
                self.page.turn(now, false);
                self.redraw(restore);
            }
            Aid::Clear => {
                self.page.turn(now, false);
                self.redraw(restore);
            }
            Aid::Pa(n) => {
                self.push_event(TermEvent::Pa(n));
                self.redraw(restore);
            }
            _ => self.redraw(restore),
        }
    }

    /// A line typed on a 3270 (or sent by an IMMEDIATE PF key).
    fn enter_text(&mut self, text: String, now: Instant) {
        let taken = Draw { erase_input: true, cursor: true, restore: true };
        if text.is_empty() {
            if self.page.state() != PageState::Normal {
                // ENTER with nothing typed while MORE...: hold the screen.
                self.page.hold();
                self.redraw(taken);
                return;
            }
            if self.read.is_none() {
                self.redraw(taken);
                return;
            }
        }
        if self.slot.len() >= self.slot_cap {
            self.not_accepted = true;
            self.redraw(Draw { restore: true, ..Draw::default() });
            return;
        }
        self.not_accepted = false;
        if !self.hidden {
            self.page.add_line(&text, now);
        }
        self.slot.push_back(text);
        self.deliver();
        self.redraw(taken);
    }

    /// Bytes typed on a typewriter.
    pub fn on_nvt_data(&mut self, data: &[u8], _now: Instant) {
        let Some(nvt) = self.nvt.as_mut() else {
            return;
        };
        let mut inputs = Vec::new();
        nvt.on_data(data, &mut inputs);
        for i in inputs {
            self.inputs += 1;
            match i {
                NvtInput::Attention => self.push_event(TermEvent::Attention),
                NvtInput::Line(text) => {
                    if self.echo_off {
                        // The client does not echo the hidden line's return either.
                        self.raw(b"\r\n");
                    }
                    if text.is_empty() && self.read.is_none() {
                        continue;
                    }
                    if self.slot.len() >= self.slot_cap {
                        self.raw(&[0x07]);
                        continue;
                    }
                    self.slot.push_back(text);
                    self.deliver();
                }
            }
        }
    }

    /// A telnet command: BREAK and IP are attention; EC and EL edit a typewriter line.
    pub fn on_telnet_command(&mut self, cmd: u8) {
        match cmd {
            telnet::BREAK | telnet::IP => {
                self.inputs += 1;
                self.push_event(TermEvent::Attention);
            }
            telnet::EC => {
                if let Some(n) = self.nvt.as_mut() {
                    n.erase_char();
                }
            }
            telnet::EL => {
                if let Some(n) = self.nvt.as_mut() {
                    n.erase_line();
                }
            }
            _ => {}
        }
    }

    /// An option request after the negotiation: acknowledgements of what we asked for
    /// are ignored, anything else is refused.
    pub fn on_negotiate(&mut self, verb: Verb, option: u8) {
        let graf = self.graf.is_some();
        let ack = match (verb, option) {
            (Verb::Do, opt::ECHO) => self.echo_off,
            (Verb::Do | Verb::Will, opt::BINARY | opt::EOR) => graf,
            (Verb::Will, opt::TTYPE | opt::TN3270E) => graf,
            _ => false,
        };
        if ack {
            return;
        }
        match verb {
            Verb::Do => self.raw(&negotiate(Verb::Wont, option)),
            Verb::Will => self.raw(&negotiate(Verb::Dont, option)),
            _ => {}
        }
    }

    /// Advances on the clock (MORE... timeouts).
    pub fn on_time(&mut self, now: Instant) {
        if self.view == View::Line && self.page.on_time(now) {
            self.redraw(Draw::default());
        }
    }

    /// The terminal went away.
    pub fn disconnected(&mut self) {
        if self.connected {
            self.connected = false;
            self.push_event(TermEvent::Disconnected);
        }
    }
}
