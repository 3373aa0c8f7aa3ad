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
//! terminals there and drives each through its `Console`. The console's state machine is
//! [`console::core::Core`] (no sockets, threads or clocks), the terminal side is
//! [`tui::model::Terminal3270`]; tests run one against the other.
//!
//! Limits that keep a bad client from costing anything but its own connection: inbound
//! records ([`server::ServerConfig::max_record`], 64 KiB), subnegotiations (1 KiB),
//! queued output ([`server::ServerConfig::max_output`], 1 MiB; a client that does not read
//! is dropped, CP never waits), negotiation time (10 s), output waiting behind MORE...
//! (10 000 rows), events waiting for CP (256).
//!
//! Try it by hand: `cargo run -p terminals --example echo_server` (a toy CP), then
//! `c3270 127.0.0.1:3270`, `telnet 127.0.0.1 3270`, or
//! `cargo run -p terminals --example terminal`. Latency figures:
//! `cargo run --release -p terminals --example latency -- 500 20`.

pub mod client;
pub mod console;
pub mod ds;
pub mod server;
pub mod telnet;
pub mod tui;
