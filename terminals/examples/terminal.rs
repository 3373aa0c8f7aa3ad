//! The 3270 terminal UI on its own (what `vm370 terminal` will run):
//!
//! ```text
//! cargo run -p terminals --example terminal -- [HOST:PORT] [MODEL]
//! ```

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3270".into());
    let model = args.next().and_then(|m| m.parse().ok()).unwrap_or(2);
    if let Err(e) = terminals::tui::run_client(&addr, model) {
        eprintln!("terminal: {e}");
        std::process::exit(1);
    }
}
