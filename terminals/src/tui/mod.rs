//! The 3270 terminal UI (`vm370 terminal`): a TN3270 client like c3270, drawn with
//! ratatui. [`model`] is the terminal without a screen (testable); the rest draws it and
//! reads the keyboard.

pub mod model;
