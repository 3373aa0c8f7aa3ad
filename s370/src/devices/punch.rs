//! The 2540 card punch: each write punches one 80-column card into the open file.
//!
//! IBM 2540 Component Description. Commands: write (`xxxx xx01`, the high bits select a
//! stacker: CMS uses `01`, `41`, `81`), control (`xxxx xx11`, no operation), sense (`04`). A
//! write takes up to 80 bytes (the channel reports incorrect length for any other count,
//! unless SLI); columns not given are blank. The owner takes finished files through
//! [`Output::close`].

use super::unit_record::{Card, Output, card, sense, sense_command, unit_check};
use crate::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};

/// The 2540 punch.
#[derive(Debug, Default)]
pub struct Punch {
    out: Output<Card>,
    sense: u8,
}

impl Punch {
    /// A punch with an empty open file.
    pub fn new() -> Punch {
        Punch::default()
    }

    /// The handle on its output (keep a clone before attaching the punch).
    pub fn output(&self) -> Output<Card> {
        self.out.clone()
    }
}

impl Device for Punch {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        match cmd.code {
            0x04 => sense_command(&mut self.sense, data),
            c if c & 0x03 == 0x01 => {
                self.sense = 0;
                // A card has 80 columns: a shorter count is incorrect length (unless SLI).
                let mut cols = [0u8; 80];
                let n = data.get(&mut cols);
                self.out.push(card(&cols[..n]));
                Response::Status(unit::CE_DE)
            }
            c if c & 0x03 == 0x03 => {
                self.sense = 0;
                Response::Status(unit::CE_DE)
            }
            _ => unit_check(&mut self.sense, sense::COMMAND_REJECT),
        }
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Punch, device_type: 0x2540, model: 1 }
    }

    fn reset(&mut self) {
        self.sense = 0;
    }
}
