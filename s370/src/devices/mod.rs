//! Device models for the bare machine, reusable by CP: CKD DASD on Hercules images
//! ([`ckd`]), the 2540 card reader ([`Reader`]) and punch ([`Punch`]), the 1403 printer
//! ([`Printer`]) and the 3215 console ([`Console`]).
//!
//! Every model implements [`crate::channel::Device`]. The unit-record models are driven
//! through shared handles their owner keeps: a [`Hopper`] to queue card decks, an [`Output`]
//! to take each finished punch or print file (CP's CLOSE makes a spool file of it), a
//! [`Keyboard`] to type console lines and read what was printed.

pub mod ckd;
mod console;
mod printer;
mod punch;
mod reader;
mod unit_record;

pub use console::{Console, Keyboard, MAX_LINE};
pub use printer::{Carriage, LINE_WIDTH, PrintRecord, Printer, render};
pub use punch::Punch;
pub use reader::{Empty, Hopper, Reader};
pub use unit_record::{Card, Output, card, sense, text_card};

#[cfg(test)]
mod tests;
