//! A plain telnet (NVT) client for tests: refuses every option the server offers (so CP
//! gives it the 3215-style typewriter console), sends lines, and collects the text it gets.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const IAC: u8 = 255;
const DONT: u8 = 254;
const DO: u8 = 253;
const WONT: u8 = 252;
const WILL: u8 = 251;
const SB: u8 = 250;
const SE: u8 = 240;

/// A line-mode telnet connection.
#[derive(Debug)]
pub struct Nvt {
    stream: TcpStream,
    text: String,
    pending: Vec<u8>,
}

impl Nvt {
    /// Connects to `addr`.
    pub fn connect(addr: &str) -> std::io::Result<Nvt> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_millis(50)))?;
        Ok(Nvt { stream, text: String::new(), pending: Vec::new() })
    }

    /// Sends raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends a line (CR LF appended).
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.send_raw(format!("{text}\r\n").as_bytes())
    }

    /// Reads what has arrived (answering option negotiation), for at most `wait`.
    pub fn pump(&mut self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        let mut buf = [0u8; 4096];
        let mut alive = true;
        while Instant::now() < until {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    alive = false;
                    break;
                }
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => {
                    alive = false;
                    break;
                }
            }
            self.digest();
        }
        self.digest();
        alive
    }

    fn digest(&mut self) {
        let mut out = Vec::new();
        let mut i = 0;
        let p = std::mem::take(&mut self.pending);
        while i < p.len() {
            if p[i] != IAC {
                out.push(p[i]);
                i += 1;
                continue;
            }
            let Some(&cmd) = p.get(i + 1) else {
                self.pending = p[i..].to_vec();
                break;
            };
            match cmd {
                DO | DONT | WILL | WONT => {
                    let Some(&opt) = p.get(i + 2) else {
                        self.pending = p[i..].to_vec();
                        break;
                    };
                    let reply = match cmd {
                        DO => Some(WONT),
                        WILL => Some(DONT),
                        _ => None,
                    };
                    if let Some(r) = reply {
                        let _ = self.stream.write_all(&[IAC, r, opt]);
                    }
                    i += 3;
                }
                SB => match p[i..].windows(2).position(|w| w == [IAC, SE]) {
                    Some(end) => i += end + 2,
                    None => {
                        self.pending = p[i..].to_vec();
                        break;
                    }
                },
                IAC => {
                    out.push(IAC);
                    i += 2;
                }
                _ => i += 2,
            }
        }
        self.text.push_str(&String::from_utf8_lossy(&out));
    }

    /// Everything received so far, as text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Waits (at most `secs`) until the received text contains `what`.
    pub fn wait_for(&mut self, secs: u64, what: &str) -> bool {
        let until = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < until {
            if self.text.contains(what) {
                return true;
            }
            if !self.pump(Duration::from_millis(50)) {
                return self.text.contains(what);
            }
        }
        self.text.contains(what)
    }
}
