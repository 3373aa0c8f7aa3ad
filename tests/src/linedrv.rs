//! A line-mode telnet terminal for transcripts that start before LOGON (`# start: logon`):
//! the driver talks to CP's own session code (logo, `LOGON`, `ENTER PASSWORD:`) over a TCP
//! connection that refuses every TN3270 option, so CP treats it as a typewriter. Whose turn it
//! is comes from the user's console status in-process, once the user is logged on.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cp::system::System;
use cp::vdev::Status;

use crate::cmsdrv::{Failure, attention};
use crate::transcript::{Input, ReadyStyle, Step};

const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const SB: u8 = 250;
const SE: u8 = 240;

/// A telnet terminal: a connection and the lines received.
#[derive(Debug)]
pub struct NvtTerminal {
    stream: TcpStream,
    lines: Receiver<(Instant, String)>,
    seen: Vec<(Instant, String)>,
    userid: String,
    /// Keeps the listener alive.
    _server: Arc<terminals::server::TerminalServer>,
    last_line: Arc<Mutex<Instant>>,
}

impl NvtTerminal {
    /// Connects to a new listener on the system, as the terminal for `userid`.
    pub fn connect(sys: &Arc<System>, userid: &str) -> Result<NvtTerminal, Failure> {
        let (server, _h) =
            cp::session::listen(sys, "127.0.0.1:0").map_err(|e| Failure(format!("listen: {e}")))?;
        let stream = TcpStream::connect(server.local_addr())
            .map_err(|e| Failure(format!("connect: {e}")))?;
        let _ = stream.set_nodelay(true);
        let mut rd = stream.try_clone().map_err(|e| Failure(e.to_string()))?;
        let mut wr = stream.try_clone().map_err(|e| Failure(e.to_string()))?;
        let (tx, rx) = mpsc::channel();
        let last_line = Arc::new(Mutex::new(Instant::now()));
        let last = Arc::clone(&last_line);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            let mut line = Vec::new();
            let mut state = 0u8; // 0 data, 1 IAC, 2 verb, 3 SB, 4 SB IAC
            let mut verb = 0u8;
            loop {
                let n = match rd.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                for &b in &buf[..n] {
                    match state {
                        0 if b == IAC => state = 1,
                        0 if b == b'\n' => {
                            let text = String::from_utf8_lossy(&line).trim_end().to_string();
                            line.clear();
                            *last.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
                            if tx.send((Instant::now(), text)).is_err() {
                                return;
                            }
                        }
                        0 if b == b'\r' || b == 0 => {}
                        0 => line.push(b),
                        1 => match b {
                            DO | DONT | WILL | WONT => {
                                verb = b;
                                state = 2;
                            }
                            SB => state = 3,
                            _ => state = 0,
                        },
                        2 => {
                            // Refuse everything: the terminal stays a plain typewriter.
                            let answer = match verb {
                                DO => Some(WONT),
                                WILL => Some(DONT),
                                _ => None,
                            };
                            if let Some(a) = answer {
                                let _ = wr.write_all(&[IAC, a, b]);
                            }
                            state = 0;
                        }
                        3 if b == IAC => state = 4,
                        3 => {}
                        4 if b == SE => state = 0,
                        _ => state = 3,
                    }
                }
            }
        });
        let mut t = NvtTerminal {
            stream,
            lines: rx,
            seen: Vec::new(),
            userid: userid.to_ascii_uppercase(),
            _server: server,
            last_line,
        };
        // The logo: wait until it is there, then forget it.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            t.drain();
            if t.seen.iter().any(|(_, l)| l.contains("ONLINE")) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(100));
        t.drain();
        t.seen.clear();
        Ok(t)
    }

    fn drain(&mut self) {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
    }

    /// Runs one step on this terminal.
    pub fn step(
        &mut self,
        sys: &Arc<System>,
        step: &Step,
        next_is_attn: bool,
        style: ReadyStyle,
    ) -> Result<Vec<String>, Failure> {
        self.drain();
        let mark = self.seen.len();
        let sent = Instant::now();
        match &step.input {
            Input::Line(l) => {
                let mut b = l.as_bytes().to_vec();
                b.extend_from_slice(b"\r\n");
                self.stream.write_all(&b).map_err(|e| Failure(e.to_string()))?;
            }
            Input::Attention => {
                if let Some(u) = sys.user(&self.userid) {
                    attention(&u);
                }
            }
        }
        let deadline = sent + Duration::from_secs(60);
        let mut was_on = sys.user(&self.userid).is_some();
        loop {
            std::thread::sleep(Duration::from_millis(10));
            self.drain();
            let lines: Vec<String> = self.seen[mark..].iter().map(|(_, l)| l.clone()).collect();
            let last = (*self.last_line.lock().unwrap_or_else(|p| p.into_inner())).max(sent);
            let quiet = last.elapsed();
            let user = sys.user(&self.userid);
            if let Some(u) = &user {
                was_on = true;
                if next_is_attn {
                    if crate::cmsdrv::lines_match(step, &lines, style)
                        && quiet >= Duration::from_millis(300)
                    {
                        return Ok(lines);
                    }
                } else {
                    let st = u.console.status();
                    if matches!(st, Status::VmRead | Status::CpRead)
                        && !u.console.has_input()
                        && quiet >= Duration::from_millis(400)
                    {
                        return Ok(lines);
                    }
                }
            } else if quiet >= Duration::from_millis(600) {
                // Before logon, or logged off: CP's turn; drop the logo shown again.
                let mut lines = lines;
                if was_on {
                    while lines.last().is_some_and(|l| l.contains("ONLINE") || l.is_empty()) {
                        lines.pop();
                    }
                }
                return Ok(lines);
            }
            if Instant::now() > deadline {
                return Err(Failure(format!(
                    "line {}: the step did not end; output so far: {lines:?}",
                    step.line
                )));
            }
        }
    }
}
