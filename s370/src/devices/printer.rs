//! The 1403 printer: lines and carriage control into the open file.
//!
//! IBM 1403 Component Description. The command code carries the carriage operation in its high
//! five bits:
//!
//! ```text
//!  write:   0000 0001  print, no space      control (immediate):  0000 0011  no operation
//!           0000 1001  print, space 1 after                        0000 1011  space 1 line
//!           0001 0001  print, space 2 after                        0001 0011  space 2 lines
//!           0001 1001  print, space 3 after                        0001 1011  space 3 lines
//!           1nnn n001  print, skip to channel n+1 after            1nnn n011  skip to channel n+1
//! ```
//! (channels 1-12: X'89'...X'E1' and X'8B'...X'E3'). A line is at most 132 bytes. Each write
//! and each carriage operation is kept as a [`PrintRecord`] (the command code and the data),
//! the form VM/370 spools print files in; [`render`] turns records into text.

use super::unit_record::{Output, get_up_to, sense, sense_command, unit_check};
use crate::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};

/// Print positions of a 1403.
pub const LINE_WIDTH: usize = 132;

/// One printer operation: the CCW command code and the line (empty for control commands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintRecord {
    /// The command code (carriage control).
    pub cmd: u8,
    /// The line, in EBCDIC.
    pub data: Vec<u8>,
}

/// The carriage operation of a write or control command code, if it has a valid one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carriage {
    /// No movement.
    None,
    /// Space this many lines (1-3).
    Space(u8),
    /// Skip to this carriage-tape channel (1-12).
    Skip(u8),
}

impl Carriage {
    /// Decodes the carriage bits of a command code.
    pub fn of(cmd: u8) -> Option<Carriage> {
        match cmd >> 3 {
            0 => Some(Carriage::None),
            n @ 1..=3 => Some(Carriage::Space(n)),
            n @ 0x11..=0x1C => Some(Carriage::Skip(n - 0x10)),
            _ => None,
        }
    }
}

/// The 1403 printer.
#[derive(Debug, Default)]
pub struct Printer {
    out: Output<PrintRecord>,
    sense: u8,
}

impl Printer {
    /// A printer with an empty open file.
    pub fn new() -> Printer {
        Printer::default()
    }

    /// The handle on its output (keep a clone before attaching the printer).
    pub fn output(&self) -> Output<PrintRecord> {
        self.out.clone()
    }
}

impl Device for Printer {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        let code = cmd.code;
        if code == 0x04 {
            return sense_command(&mut self.sense, data);
        }
        self.sense = 0;
        match (code & 0x07, Carriage::of(code)) {
            (0x01, Some(_)) => {
                let line = get_up_to(LINE_WIDTH, data);
                self.out.push(PrintRecord { cmd: code, data: line });
                Response::Status(unit::CE_DE)
            }
            (0x03, Some(c)) => {
                if c != Carriage::None {
                    self.out.push(PrintRecord { cmd: code, data: Vec::new() });
                }
                Response::Status(unit::CE_DE)
            }
            // Other control orders (UCS and forms-control loads, data-check blocking): accepted.
            (0x03, None) | (0x07, _) => Response::Status(unit::CE_DE),
            _ => unit_check(&mut self.sense, sense::COMMAND_REJECT),
        }
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Printer, device_type: 0x1403, model: 2 }
    }

    fn reset(&mut self) {
        self.sense = 0;
    }
}

/// Renders print records as text: lines end in `\n`, a skip to channel 1 is a form feed.
pub fn render(records: &[PrintRecord]) -> String {
    let mut s = String::new();
    for r in records {
        let write = r.cmd & 0x07 == 0x01;
        if write {
            s.push_str(crate::ebcdic::to_string(&r.data).trim_end());
        }
        match Carriage::of(r.cmd) {
            Some(Carriage::Space(n)) => s.extend(std::iter::repeat_n('\n', usize::from(n))),
            Some(Carriage::Skip(1)) => s.push_str("\n\x0C"),
            Some(Carriage::Skip(_)) => s.push('\n'),
            Some(Carriage::None) if write => s.push('\r'),
            _ => {}
        }
    }
    s
}
