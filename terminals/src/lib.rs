//! `terminals` — how people reach VM/370: bytes on a socket in, terminal events out.
//!
//! It owns the 3270 data stream (commands, orders, fields, AIDs, buffer addresses), Telnet
//! negotiation for TN3270, TN3270E and plain line-mode telnet, the screen model CP's console
//! is drawn from, and the ratatui 3270 client. EBCDIC tables come from `s370::ebcdic`. It
//! knows nothing of users, virtual machines or CP commands.
//!
//! Status: being built (issue 6).
