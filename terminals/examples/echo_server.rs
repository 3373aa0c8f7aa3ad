//! A toy CP to try terminals against by hand:
//!
//! ```text
//! cargo run -p terminals --example echo_server -- 127.0.0.1:3270
//! c3270 127.0.0.1:3270      # or: telnet 127.0.0.1 3270, nc 127.0.0.1 3270,
//!                           #     cargo run -p terminals --example terminal -- 127.0.0.1:3270
//! ```
//! It echoes lines; `FILL n` writes n lines (MORE...), `PASSWORD` reads a hidden line,
//! `QUIT` disconnects. Ctrl-C stops it.

#[path = "../tests/support/echo_cp.rs"]
mod echo_cp;

use terminals::server::ServerConfig;

fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3270".into());
    let cp = echo_cp::EchoCp::start_on(&addr, ServerConfig::default());
    println!("toy CP listening on {}", cp.addr);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
