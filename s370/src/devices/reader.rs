//! The 2540 card reader: reads 80-column cards from a queue of decks.
//!
//! IBM 2540 Component Description. Commands: read (`xxxx xx10`, the high bits select a
//! stacker), control (`xxxx xx11`, no operation), sense (`04`). After the last card of a deck
//! the next read ends with unit exception and no data (end of file), and the following deck
//! begins. With no deck at all the reader is not ready: unit check, intervention required, or
//! (with [`Empty::Wait`]) the read blocks until a deck arrives (CP's spooled reader).

use super::unit_record::{Card, card, sense, sense_command, text_card, unit_check};
use crate::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a read does when no deck is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Unit check, intervention required (a real reader with an empty hopper).
    NotReady,
    /// Block until a deck is queued.
    Wait,
}

#[derive(Debug, Default)]
struct Decks {
    decks: VecDeque<VecDeque<Card>>,
}

/// A shared handle on the reader's hopper: the owner queues decks through it.
#[derive(Debug, Clone, Default)]
pub struct Hopper(Arc<Mutex<Decks>>);

impl Hopper {
    fn lock(&self) -> MutexGuard<'_, Decks> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a deck of cards (one file: its end is signalled by unit exception).
    pub fn push_deck(&self, cards: Vec<Card>) {
        self.lock().decks.push_back(cards.into());
    }

    /// Queues a deck from text, one card per line (EBCDIC, blank-padded to 80 columns).
    pub fn push_text(&self, text: &str) {
        self.push_deck(text.lines().map(text_card).collect());
    }

    /// Queues a deck from a host file of EBCDIC card images, 80 bytes each (a short last
    /// card is padded with blanks).
    pub fn push_file(&self, path: &Path) -> std::io::Result<()> {
        let bytes = std::fs::read(path)?;
        self.push_deck(bytes.chunks(80).map(card).collect());
        Ok(())
    }

    /// Decks still queued (including one being read).
    pub fn decks(&self) -> usize {
        self.lock().decks.len()
    }
}

/// The 2540 reader.
#[derive(Debug)]
pub struct Reader {
    hopper: Hopper,
    empty: Empty,
    sense: u8,
}

impl Reader {
    /// A reader with an empty hopper.
    pub fn new(empty: Empty) -> Reader {
        Reader { hopper: Hopper::default(), empty, sense: 0 }
    }

    /// The handle to queue decks with (keep a clone before attaching the reader).
    pub fn hopper(&self) -> Hopper {
        self.hopper.clone()
    }

    fn read(&mut self, data: &mut dyn DataPath) -> Response {
        let mut h = self.hopper.lock();
        let Some(deck) = h.decks.front_mut() else {
            drop(h);
            return match self.empty {
                Empty::Wait => Response::Blocked,
                Empty::NotReady => unit_check(&mut self.sense, sense::INTERVENTION_REQUIRED),
            };
        };
        match deck.pop_front() {
            Some(c) => {
                data.put(&c);
                Response::Status(unit::CE_DE)
            }
            None => {
                h.decks.pop_front();
                Response::Status(unit::CE_DE | unit::UNIT_EXCEPTION)
            }
        }
    }
}

impl Device for Reader {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        match cmd.code {
            0x04 => sense_command(&mut self.sense, data),
            c if c & 0x03 == 0x02 && c & 0x0F != 0x0C => {
                self.sense = 0;
                self.read(data)
            }
            c if c & 0x03 == 0x03 => {
                self.sense = 0;
                Response::Status(unit::CE_DE)
            }
            _ => unit_check(&mut self.sense, sense::COMMAND_REJECT),
        }
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Reader, device_type: 0x2540, model: 1 }
    }

    fn reset(&mut self) {
        self.sense = 0;
    }
}
