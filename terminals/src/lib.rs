//! `terminals` — how people reach VM/370: bytes on a socket in, terminal events out.
//!
//! It owns the 3270 data stream ([`ds`]: commands, orders, fields, AIDs, buffer addresses,
//! a screen model), Telnet negotiation for TN3270, TN3270E and plain line-mode telnet
//! ([`telnet`]), CP's console — the line-mode screen with its status words, MORE... paging,
//! the logo, full-screen passthrough for DIAGNOSE X'58', and the 3215-style typewriter for
//! plain telnet ([`console`]) — the listener that accepts terminals ([`server`]), a TN3270
//! client connection ([`client`]) and the ratatui 3270 client ([`tui`]). EBCDIC tables come
//! from `s370::ebcdic`. It knows nothing of users, virtual machines or CP commands.
//!
//! Start reading at [`server::TerminalServer`] and [`console::Console`]: CP accepts
//! terminals there and drives each through its `Console`.

pub mod client;
pub mod console;
pub mod ds;
pub mod server;
pub mod telnet;
pub mod tui;
