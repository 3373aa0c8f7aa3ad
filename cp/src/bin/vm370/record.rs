//! `vm370 record --out FILE`: a recording proxy between TN3270 clients and CP.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use cp::recording::{RecordOptions, Recorder, to_text};

/// Options of `vm370 record`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file to write (rewritten after every step).
    #[arg(long)]
    out: PathBuf,
    /// Where clients connect.
    #[arg(long, default_value = "127.0.0.1:3270")]
    listen: String,
    /// A running CP to record against; without it, a fresh deterministic default system is
    /// started (so the recording replays exactly).
    #[arg(long)]
    target: Option<String>,
    /// The session's title.
    #[arg(long, default_value = "a recorded session")]
    title: String,
    /// Run the terminal UI on the proxy in this process (else connect c3270, s3270 or
    /// `vm370 terminal` yourself).
    #[arg(long)]
    ui: bool,
}

fn save(rec: &Recorder, out: &PathBuf) -> anyhow::Result<()> {
    std::fs::write(out, to_text(&rec.session()))
        .with_context(|| format!("writing {}", out.display()))
}

/// Runs `vm370 record` until the last client disconnects.
pub fn main(a: Args) -> anyhow::Result<()> {
    let opts = RecordOptions {
        listen: a.listen.clone(),
        target: a.target.clone(),
        title: a.title.clone(),
        ..RecordOptions::default()
    };
    let rec = Recorder::start(opts).context("vm370 record")?;
    let addr = rec.local_addr();
    eprintln!(
        "vm370 record: recording on {addr} into {}; connect a 3270 client (c3270 {addr}, \
         vm370 terminal {addr}); the recording ends when the last one disconnects",
        a.out.display()
    );
    if a.ui {
        let ui = terminals::tui::run_client(&addr.to_string(), 2);
        let session = rec.finish();
        std::fs::write(&a.out, to_text(&session))
            .with_context(|| format!("writing {}", a.out.display()))?;
        return ui.map_err(|e| anyhow::anyhow!("vm370 record: terminal: {e}"));
    }
    let mut written = usize::MAX;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let steps = rec.steps();
        if steps != written {
            save(&rec, &a.out)?;
            written = steps;
        }
        if rec.connections_seen() > 0 && rec.connected() == 0 {
            break;
        }
    }
    let session = rec.finish();
    std::fs::write(&a.out, to_text(&session))
        .with_context(|| format!("writing {}", a.out.display()))?;
    eprintln!("vm370 record: {} steps written to {}", session.steps.len(), a.out.display());
    Ok(())
}
