//! The 3215 console printer-keyboard of the bare machine.
//!
//! IBM 3210/3215 Component Description. Commands: write without carrier return (`01`), write
//! with automatic carrier return (`09`), read inquiry (`0A`), audible alarm (`0B`), no operation
//! (`03`), sense (`04`). Text is EBCDIC on the channel and host text (code page 037) here.
//!
//! Two backings: an in-memory [`Keyboard`] handle (tests, programs driving the machine): a read
//! with no line queued *blocks* until one is typed; or the host's standard input and output
//! ([`Console::stdio`]), where a read waits for a line from stdin.

use super::unit_record::{sense, sense_command, unit_check};
use crate::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};
use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex, MutexGuard};

/// The longest line a read returns.
pub const MAX_LINE: usize = 256;

#[derive(Debug, Default)]
struct State {
    input: VecDeque<Vec<u8>>,
    output: String,
}

/// A shared handle on an in-memory console: type lines in, read what was printed.
#[derive(Debug, Clone, Default)]
pub struct Keyboard(Arc<Mutex<State>>);

impl Keyboard {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a line of input (host text, converted to EBCDIC).
    pub fn type_line(&self, line: &str) {
        self.lock().input.push_back(crate::ebcdic::from_str(line));
    }

    /// Lines typed and not read yet.
    pub fn pending_input(&self) -> usize {
        self.lock().input.len()
    }

    /// Everything printed so far, as host text (`\n` after each carrier return).
    pub fn output(&self) -> String {
        self.lock().output.clone()
    }

    /// Takes what was printed so far.
    pub fn take_output(&self) -> String {
        std::mem::take(&mut self.lock().output)
    }
}

#[derive(Debug)]
enum Backing {
    Memory(Keyboard),
    Stdio,
}

/// The 3215 console.
#[derive(Debug)]
pub struct Console {
    backing: Backing,
    sense: u8,
}

impl Console {
    /// A console backed by memory; drive it through [`Console::keyboard`].
    pub fn new() -> Console {
        Console { backing: Backing::Memory(Keyboard::default()), sense: 0 }
    }

    /// A console on the host's standard input and output.
    pub fn stdio() -> Console {
        Console { backing: Backing::Stdio, sense: 0 }
    }

    /// The in-memory handle (a detached one for a stdio console).
    pub fn keyboard(&self) -> Keyboard {
        match &self.backing {
            Backing::Memory(k) => k.clone(),
            Backing::Stdio => Keyboard::default(),
        }
    }

    fn write(&mut self, text: &[u8], carrier_return: bool) {
        let mut s = crate::ebcdic::to_string(text);
        if carrier_return {
            s.push('\n');
        }
        match &self.backing {
            Backing::Memory(k) => k.lock().output.push_str(&s),
            Backing::Stdio => {
                let mut out = std::io::stdout().lock();
                // A closed stdout loses the text, as a console out of paper would.
                let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
            }
        }
    }

    fn read_line(&mut self) -> Option<Vec<u8>> {
        match &self.backing {
            Backing::Memory(k) => k.lock().input.pop_front(),
            Backing::Stdio => {
                let mut line = String::new();
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(crate::ebcdic::from_str(line.trim_end_matches(['\n', '\r']))),
                }
            }
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

impl Device for Console {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        match cmd.code {
            0x04 => return sense_command(&mut self.sense, data),
            0x01 | 0x09 => {
                let text = super::unit_record::get_up_to(usize::from(u16::MAX), data);
                self.write(&text, cmd.code == 0x09);
            }
            0x0A => match self.read_line() {
                Some(mut line) => {
                    line.truncate(MAX_LINE);
                    data.put(&line);
                }
                None if matches!(self.backing, Backing::Memory(_)) => return Response::Blocked,
                None => return unit_check(&mut self.sense, sense::INTERVENTION_REQUIRED),
            },
            0x03 | 0x0B => {}
            _ => return unit_check(&mut self.sense, sense::COMMAND_REJECT),
        }
        self.sense = 0;
        Response::Status(unit::CE_DE)
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Terminal, device_type: 0x3215, model: 1 }
    }

    fn reset(&mut self) {
        self.sense = 0;
    }
}
