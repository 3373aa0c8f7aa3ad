//! CP's console on a plain telnet client: a 3215-style typewriter.
//!
//! Output is a line followed by CR LF. Input is assembled into lines (CR, CR LF, CR NUL or
//! LF ends one; backspace and DEL rub out; Ctrl-U kills the line). Ctrl-C, telnet IP and
//! BREAK are the attention key. For a password the server says WILL ECHO, so the client
//! stops echoing locally, and prints nothing back: the typed line stays invisible.

use bytes::{BufMut, Bytes, BytesMut};

/// What the user did on a typewriter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NvtInput {
    /// A line was entered.
    Line(String),
    /// Attention (Ctrl-C).
    Attention,
}

/// Line assembly for a typewriter console.
#[derive(Debug, Clone)]
pub struct Nvt {
    line: Vec<u8>,
    after_cr: bool,
    overflow: bool,
    max_line: usize,
}

impl Nvt {
    /// A typewriter whose lines may hold `max_line` bytes (more is discarded).
    pub fn new(max_line: usize) -> Nvt {
        Nvt { line: Vec::new(), after_cr: false, overflow: false, max_line }
    }

    /// Takes typed bytes.
    pub fn on_data(&mut self, data: &[u8], out: &mut Vec<NvtInput>) {
        for &b in data {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' || b == 0 {
                    continue;
                }
            }
            match b {
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    let text = String::from_utf8_lossy(&self.line).into_owned();
                    out.push(NvtInput::Line(text));
                    self.line.clear();
                    self.overflow = false;
                }
                0x03 => {
                    self.line.clear();
                    out.push(NvtInput::Attention);
                }
                0x08 | 0x7F => self.rub_out(),
                0x15 => self.line.clear(),
                b'\t' => self.push(b' '),
                b if b < 0x20 => {}
                b => self.push(b),
            }
        }
    }

    /// Telnet EC (erase character).
    pub fn erase_char(&mut self) {
        self.rub_out();
    }

    /// Telnet EL (erase line).
    pub fn erase_line(&mut self) {
        self.line.clear();
    }

    fn push(&mut self, b: u8) {
        if self.line.len() < self.max_line {
            self.line.push(b);
        } else {
            self.overflow = true;
        }
    }

    fn rub_out(&mut self) {
        // Remove one whole UTF-8 character.
        while let Some(b) = self.line.pop() {
            if b & 0xC0 != 0x80 {
                break;
            }
        }
    }

    /// A line of output as sent: UTF-8 text then CR LF (UTF-8 never contains X'FF', so
    /// no IAC doubling is needed).
    pub fn line_bytes(text: &str) -> Bytes {
        let mut b = BytesMut::with_capacity(text.len() + 2);
        for ch in text.chars() {
            let ch = if ch.is_control() { ' ' } else { ch };
            let mut buf = [0u8; 4];
            b.put_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
        b.put_slice(b"\r\n");
        b.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(n: &mut Nvt, data: &[u8]) -> Vec<NvtInput> {
        let mut out = Vec::new();
        n.on_data(data, &mut out);
        out
    }

    #[test]
    fn line_endings_and_editing() {
        let mut n = Nvt::new(100);
        assert_eq!(
            feed(&mut n, b"logon x\r\nq tim\x7fme\r\0a"),
            vec![NvtInput::Line("logon x".into()), NvtInput::Line("q time".into())]
        );
        assert_eq!(feed(&mut n, b"b\n"), vec![NvtInput::Line("ab".into())]);
        assert_eq!(feed(&mut n, b"junk\x15ok\r"), vec![NvtInput::Line("ok".into())]);
        assert_eq!(feed(&mut n, b"\nxx\x03"), vec![NvtInput::Attention]);
        assert_eq!(feed(&mut n, "é\x08\r".as_bytes()), vec![NvtInput::Line(String::new())]);
    }

    #[test]
    fn long_lines_are_cut() {
        let mut n = Nvt::new(4);
        assert_eq!(feed(&mut n, b"abcdefgh\r"), vec![NvtInput::Line("abcd".into())]);
    }

    #[test]
    fn output_lines_end_in_crlf() {
        assert_eq!(&Nvt::line_bytes("R; T=0.01")[..], b"R; T=0.01\r\n");
        assert_eq!(&Nvt::line_bytes("a\u{7}b")[..], b"a b\r\n");
    }
}
