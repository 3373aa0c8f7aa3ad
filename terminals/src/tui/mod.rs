//! The 3270 terminal UI (`vm370 terminal`): a TN3270 client like c3270, drawn with
//! ratatui. [`model`] is the terminal without a screen (the keyboard state machine and
//! the buffer, testable anywhere); [`keys`] maps PC keys to 3270 keys; [`render`] draws;
//! [`app`] ties them together and runs on a real terminal with [`run_client`].

pub mod app;
pub mod keys;
pub mod model;
pub mod render;

pub use app::{App, run_client};
