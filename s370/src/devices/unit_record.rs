//! What the unit-record models share: sense bits, the card, and the [`Output`] handle through
//! which a punch or printer hands its files to whoever owns it (the bare machine's user, CP's
//! spool).

use crate::channel::{DataPath, Response, unit};
use std::sync::{Arc, Mutex, MutexGuard};

/// Unit-record sense byte 0 bits.
pub mod sense {
    /// Command reject: an invalid command code.
    pub const COMMAND_REJECT: u8 = 0x80;
    /// Intervention required: the device is not ready (no cards, no paper).
    pub const INTERVENTION_REQUIRED: u8 = 0x40;
    /// Bus-out check.
    pub const BUS_OUT_CHECK: u8 = 0x20;
    /// Equipment check.
    pub const EQUIPMENT_CHECK: u8 = 0x10;
    /// Data check.
    pub const DATA_CHECK: u8 = 0x08;
}

/// One 80-column card, in EBCDIC.
pub type Card = [u8; 80];

/// Makes a card from EBCDIC bytes: truncated or padded with blanks (X'40') to 80 columns.
pub fn card(bytes: &[u8]) -> Card {
    let mut c = [0x40u8; 80];
    let n = bytes.len().min(80);
    c[..n].copy_from_slice(&bytes[..n]);
    c
}

/// Makes a card from text (converted to EBCDIC, code page 037).
pub fn text_card(text: &str) -> Card {
    card(&crate::ebcdic::from_str(text))
}

/// A shared handle on the file a punch or printer is producing: the owner keeps a clone
/// and takes each finished file with [`Output::close`] (CP's CLOSE command makes a spool file
/// of it).
#[derive(Debug)]
pub struct Output<T>(Arc<Mutex<Vec<T>>>);

impl<T> Clone for Output<T> {
    fn clone(&self) -> Self {
        Output(Arc::clone(&self.0))
    }
}

impl<T> Default for Output<T> {
    fn default() -> Self {
        Output(Arc::new(Mutex::new(Vec::new())))
    }
}

impl<T: Clone> Output<T> {
    fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn push(&self, r: T) {
        self.lock().push(r);
    }

    /// The records of the open file so far.
    pub fn records(&self) -> Vec<T> {
        self.lock().clone()
    }

    /// How many records the open file holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Is the open file empty?
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Closes the open file and returns its records (empty if nothing was written); the next
    /// record starts a new file.
    pub fn close(&self) -> Vec<T> {
        std::mem::take(&mut *self.lock())
    }
}

/// The SENSE command of a unit-record device: one sense byte, then the sense is reset.
pub(crate) fn sense_command(sense: &mut u8, data: &mut dyn DataPath) -> Response {
    data.put(&[*sense]);
    *sense = 0;
    Response::Status(unit::CE_DE)
}

/// Ends a command with a unit check and this sense byte.
pub(crate) fn unit_check(sense: &mut u8, bits: u8) -> Response {
    *sense = bits;
    Response::Status(unit::CE_DE | unit::UNIT_CHECK)
}

/// Fetches a command's output bytes, at most `max` of them.
pub(crate) fn get_up_to(max: usize, data: &mut dyn DataPath) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let want = data.remaining().min(max - out.len());
        if want == 0 {
            break;
        }
        let start = out.len();
        out.resize(start + want, 0);
        let got = data.get(&mut out[start..]);
        out.truncate(start + got);
        if got < want {
            break;
        }
    }
    if out.is_empty() {
        // Still a data phase: the channel reports incorrect length as it should.
        data.get(&mut []);
    }
    out
}
