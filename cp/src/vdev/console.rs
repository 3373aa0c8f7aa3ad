//! The virtual console: a 3215 the guest drives with CCWs, simulated on whatever terminal the
//! user has (a 3270 screen or a line-mode telnet), or on nothing while disconnected.
//!
//! Writes become output lines for the terminal. A read takes the next line the user typed; if
//! there is none the channel program blocks (the terminal shows `VM READ`) until the session
//! layer delivers a line with [`ConsoleLink::input`].
//!
//! 3215 commands (3210/3215 Console Printer-Keyboard component description; the codes CMS
//! uses, `../shared/reference/real-cms.md` §7): `01` write without carrier return, `09` write
//! with carrier return, `0A` read inquiry, `03` no-op, `0B` audible alarm, `04` sense.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use s370::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};
use s370::devices::sense;

/// The longest line a 3215 read returns (CP reads 130 characters for CMS).
pub const MAX_READ: usize = 130;

/// What the terminal's status area says about whose turn it is to type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// CP wants a command (`CP READ`).
    CpRead,
    /// The guest has a console read outstanding (`VM READ`).
    VmRead,
    /// The guest is running (`RUNNING`).
    Running,
}

/// Where console output goes and how the terminal shows the console's state.
pub trait TermSink: Send + Sync {
    /// A line of output (already converted from EBCDIC).
    fn line(&self, text: &str);
    /// The status changed.
    fn status(&self, status: Status);
    /// The next line is typed without being shown (a password), or shown again.
    fn hidden(&self, _hidden: bool) {}
    /// PF key `n` (1-24) now enters `text` (IMMED: at once; DELAYED: into the input area)
    /// or nothing (`None`).
    fn set_pf(&self, _n: u8, _text: Option<(bool, String)>) {}
    /// The MORE... delays changed (TERMINAL MORE), in seconds.
    fn set_more(&self, _first: u16, _next: u16) {}
    /// The user left the terminal (LOGOFF, FORCE, DISCONN, the guest's `CP LOGOFF`):
    /// whoever runs the terminal takes it back now, not at its next poll.
    fn ended(&self) {}
    /// DIAGNOSE X'58' full-screen write of the guest's 3270 data stream: the command (what
    /// the CCW's control byte asks for) and the bytes after it. False when the terminal is
    /// not a 3270.
    fn full_screen_write(&self, _cmd: FullScreen, _data: &[u8]) -> bool {
        false
    }
    /// DIAGNOSE X'58' full-screen read: the next inbound record (Read Modified) or the buffer
    /// (Read Buffer) is delivered later through [`crate::user::User::full_screen_input`].
    /// False when the terminal is not a 3270.
    fn full_screen_read(&self, _read_buffer: bool) -> bool {
        false
    }
    /// The guest is back in line mode: CP's console screen is drawn again.
    fn line_mode(&self) {}
    /// The terminal's 3270 model (2-5) when it is a display station; `None` for a
    /// typewriter or line-mode client. DIAGNOSE X'24' reports the console as a 3277/3278
    /// then, so guests know DIAGNOSE X'58' full-screen I/O will work.
    fn display_model(&self) -> Option<u8> {
        None
    }
}

/// The write a DIAGNOSE X'58' full-screen CCW (X'29') asks for, from its control byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullScreen {
    /// Write.
    Write,
    /// Erase/Write.
    EraseWrite,
    /// Erase/Write Alternate.
    EraseWriteAlternate,
    /// Write Structured Field.
    Wsf,
}

#[derive(Default)]
struct LinkState {
    input: VecDeque<String>,
    reading: bool,
    cp_mode: bool,
    sink: Option<Arc<dyn TermSink>>,
    /// Output kept while no terminal is attached (spooled console or discarded).
    held: Vec<String>,
    spooling: bool,
}

/// The shared link between a virtual console device and the user's session.
#[derive(Clone, Default)]
pub struct ConsoleLink(Arc<Mutex<LinkState>>);

impl std::fmt::Debug for ConsoleLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConsoleLink")
    }
}

impl LinkState {
    fn status(&self) -> Status {
        if self.cp_mode {
            Status::CpRead
        } else if self.reading {
            Status::VmRead
        } else {
            Status::Running
        }
    }
}

impl ConsoleLink {
    fn lock(&self) -> MutexGuard<'_, LinkState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts the terminal in CP mode (`CP READ`) or takes it out.
    pub fn set_cp_mode(&self, on: bool) {
        let mut s = self.lock();
        if s.cp_mode != on {
            s.cp_mode = on;
            let st = s.status();
            if let Some(t) = s.sink.clone() {
                drop(s);
                t.status(st);
            }
        }
    }

    /// The status the terminal shows.
    pub fn status(&self) -> Status {
        self.lock().status()
    }

    /// Tells the terminal what PF key `n` does (SET PFnn).
    pub fn set_pf(&self, n: u8, text: Option<(bool, String)>) {
        let sink = self.lock().sink.clone();
        if let Some(t) = sink {
            t.set_pf(n, text);
        }
    }

    /// Tells the terminal its MORE... delays (TERMINAL MORE).
    pub fn set_more(&self, first: u16, next: u16) {
        let sink = self.lock().sink.clone();
        if let Some(t) = sink {
            t.set_more(first, next);
        }
    }

    /// Tells the terminal the user's session ended (see [`TermSink::ended`]).
    pub fn ended(&self) {
        let sink = self.lock().sink.clone();
        if let Some(t) = sink {
            t.ended();
        }
    }

    /// The attached terminal, if any.
    pub fn sink(&self) -> Option<Arc<dyn TermSink>> {
        self.lock().sink.clone()
    }

    /// Makes the next line typed non-display (a password prompt) or displayed again.
    pub fn set_hidden(&self, hidden: bool) {
        let sink = self.lock().sink.clone();
        if let Some(t) = sink {
            t.hidden(hidden);
        }
    }

    /// Attaches a terminal (logon, reconnect) or detaches it (`None`: disconnect).
    pub fn attach(&self, sink: Option<Arc<dyn TermSink>>) {
        let mut s = self.lock();
        s.sink = sink;
        if let Some(t) = &s.sink {
            t.status(s.status());
        }
    }

    /// Queues a line the user typed for the guest's next console read.
    pub fn input(&self, line: &str) {
        self.lock().input.push_back(line.to_string());
    }

    /// Is a line waiting to be read?
    pub fn has_input(&self) -> bool {
        !self.lock().input.is_empty()
    }

    /// Does the guest have a console read outstanding?
    pub fn reading(&self) -> bool {
        self.lock().reading
    }

    /// Drops typed-ahead input (system reset).
    pub fn clear_input(&self) {
        let mut s = self.lock();
        s.input.clear();
        s.reading = false;
    }

    /// Starts or stops keeping console output while disconnected (`SPOOL CONSOLE`).
    pub fn set_spooling(&self, on: bool) {
        self.lock().spooling = on;
    }

    /// Takes the console output kept while spooling.
    pub fn take_held(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().held)
    }

    /// Writes a line to the terminal (guest output or CP's own messages).
    pub fn write(&self, text: &str) {
        let mut s = self.lock();
        if s.spooling {
            s.held.push(text.to_string());
        }
        if let Some(t) = s.sink.clone() {
            drop(s);
            t.line(text);
        }
    }

    fn set_reading(&self, reading: bool) {
        let mut s = self.lock();
        if s.reading != reading {
            s.reading = reading;
            let st = s.status();
            if let Some(t) = s.sink.clone() {
                drop(s);
                t.status(st);
            }
        }
    }

    fn take_line(&self) -> Option<String> {
        self.lock().input.pop_front()
    }
}

/// The 3215 model CP attaches at the console address.
#[derive(Debug)]
pub struct ConsoleDevice {
    link: ConsoleLink,
    sense: u8,
    /// Text of a write without carrier return, waiting for the rest of its line.
    partial: String,
}

impl ConsoleDevice {
    /// A console on `link`.
    pub fn new(link: ConsoleLink) -> ConsoleDevice {
        ConsoleDevice { link, sense: 0, partial: String::new() }
    }

    /// A write (`01` without, `09` with carriage return). The new-line characters NL
    /// (X'15') and LF (X'25') in the data end a line as they move a 3215's carriage; text
    /// written without a carriage return waits for the rest of its line (a prompt before a
    /// read is flushed by the read).
    fn write(&mut self, data: &mut dyn DataPath, carriage_return: bool) -> Response {
        let mut buf = vec![0u8; data.remaining().min(4096)];
        let n = data.get(&mut buf);
        buf.truncate(n);
        let mut ended_line = false;
        for &b in &buf {
            ended_line = false;
            match b {
                0x15 | 0x25 => {
                    self.flush_line();
                    ended_line = true;
                }
                b if b < 0x40 => self.partial.push(' '),
                b => self.partial.push(s370::ebcdic::CodePage::Cp037.to_char(b)),
            }
            if self.partial.len() >= 4096 {
                self.flush_line();
            }
        }
        if carriage_return && (!self.partial.is_empty() || !ended_line) {
            self.flush_line();
        }
        Response::Status(unit::CE_DE)
    }

    fn flush_line(&mut self) {
        let line = std::mem::take(&mut self.partial);
        self.link.write(line.trim_end());
    }

    fn read(&mut self, data: &mut dyn DataPath) -> Response {
        if !self.partial.is_empty() {
            // A prompt written without a carriage return shows before the read.
            self.flush_line();
        }
        match self.link.take_line() {
            None => {
                self.link.set_reading(true);
                Response::Blocked
            }
            Some(line) => {
                self.link.set_reading(false);
                let mut bytes = s370::ebcdic::from_str(&line);
                bytes.truncate(MAX_READ);
                data.put(&bytes);
                Response::Status(unit::CE_DE)
            }
        }
    }
}

impl Device for ConsoleDevice {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        match cmd.code {
            0x01 => self.write(data, false),
            0x09 => self.write(data, true),
            0x0A => self.read(data),
            0x03 | 0x0B => Response::Status(unit::CE_DE),
            0x04 => {
                data.put(&[self.sense]);
                self.sense = 0;
                Response::Status(unit::CE_DE)
            }
            _ => {
                self.sense = sense::COMMAND_REJECT;
                Response::Status(unit::CE_DE | unit::UNIT_CHECK)
            }
        }
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Terminal, device_type: 0x3215, model: 1 }
    }

    fn reset(&mut self) {
        self.sense = 0;
        self.partial.clear();
        self.link.set_reading(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use s370::channel::{ChannelProgram, Progress};
    use s370::storage::Storage;

    #[derive(Default)]
    struct Capture(Mutex<(Vec<String>, Vec<Status>)>);

    impl TermSink for Capture {
        fn line(&self, text: &str) {
            self.0.lock().expect("lock").0.push(text.to_string());
        }
        fn status(&self, s: Status) {
            self.0.lock().expect("lock").1.push(s);
        }
    }

    fn ccw(mem: &mut Storage, at: u32, cmd: u8, addr: u32, flags: u8, count: u16) {
        let mut b = [0u8; 8];
        b[0] = cmd;
        b[1..4].copy_from_slice(&addr.to_be_bytes()[1..]);
        b[4] = flags;
        b[6..8].copy_from_slice(&count.to_be_bytes());
        mem.write(at, &b).expect("in storage");
    }

    #[test]
    fn write_then_blocked_read_resumes_with_the_typed_line() {
        let link = ConsoleLink::default();
        let cap = Arc::new(Capture::default());
        link.attach(Some(cap.clone()));
        let mut dev = ConsoleDevice::new(link.clone());
        let mut mem = Storage::new(64 * 1024);
        mem.write(0x2000, &s370::ebcdic::from_str("HELLO")).expect("in storage");
        ccw(&mut mem, 0x1000, 0x09, 0x2000, 0x40, 5); // write, command chain
        ccw(&mut mem, 0x1008, 0x0A, 0x3000, 0x20, 130); // read, SLI
        let mut p = ChannelProgram::new(0x1000);
        assert!(matches!(p.run(&mut dev, &mut mem), Progress::Blocked { .. }));
        assert!(link.reading());
        link.input("ready now");
        let Progress::Done(end) = p.run(&mut dev, &mut mem) else { panic!("still blocked") };
        assert_eq!(end.csw.unit & unit::CE_DE, unit::CE_DE);
        let mut got = [0u8; 9];
        mem.read(0x3000, &mut got).expect("in storage");
        assert_eq!(s370::ebcdic::to_string(&got), "ready now");
        let c = cap.0.lock().expect("lock");
        assert_eq!(c.0, vec!["HELLO".to_string()]);
        assert_eq!(c.1, vec![Status::Running, Status::VmRead, Status::Running]);
    }

    #[test]
    fn new_line_characters_end_lines_and_a_read_shows_the_prompt() {
        let link = ConsoleLink::default();
        let cap = Arc::new(Capture::default());
        link.attach(Some(cap.clone()));
        let mut dev = ConsoleDevice::new(link.clone());
        let mut mem = Storage::new(64 * 1024);
        // "Usage:" NL "X Y" NL written without carriage return (as CMS WRTERM EDIT=NO),
        // then "READY" with one, then a prompt without one, then a read.
        let mut text = s370::ebcdic::from_str("Usage:");
        text.push(0x15);
        text.extend(s370::ebcdic::from_str("X Y"));
        text.push(0x25);
        mem.write(0x2000, &text).expect("in storage");
        mem.write(0x2100, &s370::ebcdic::from_str("READY")).expect("in storage");
        mem.write(0x2200, &s370::ebcdic::from_str("ENTER:")).expect("in storage");
        ccw(&mut mem, 0x1000, 0x01, 0x2000, 0x40, text.len() as u16);
        ccw(&mut mem, 0x1008, 0x09, 0x2100, 0x40, 5);
        ccw(&mut mem, 0x1010, 0x01, 0x2200, 0x40, 6);
        ccw(&mut mem, 0x1018, 0x0A, 0x3000, 0x20, 130);
        let mut p = ChannelProgram::new(0x1000);
        assert!(matches!(p.run(&mut dev, &mut mem), Progress::Blocked { .. }));
        let c = cap.0.lock().expect("lock");
        assert_eq!(c.0, ["Usage:", "X Y", "READY", "ENTER:"]);
    }
}
