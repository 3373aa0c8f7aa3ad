//! `vm370 replay FILE... [--update]`: replays recorded sessions on a fresh deterministic
//! system and compares every screen.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use cp::recording::{ReplayOptions, parse, replay, to_text};

/// Options of `vm370 replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Session files to replay.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Rewrite the expected screens with what the replay shows (patterns that still match
    /// are kept).
    #[arg(long)]
    update: bool,
    /// Start from this data directory instead of a fresh default system.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Seconds the system may take to settle after a step.
    #[arg(long, default_value_t = 60)]
    settle_timeout: u64,
}

/// Runs `vm370 replay`; the process exits with status 1 if any session differs.
pub fn main(a: Args) -> anyhow::Result<()> {
    let template = match (&a.data, a.files.len()) {
        (None, 2..) => Some(std::sync::Arc::new(
            cp::recording::harness::Template::new().context("creating the default system")?,
        )),
        _ => None,
    };
    let opts = ReplayOptions {
        data_dir: a.data.clone(),
        template,
        settle_timeout: Duration::from_secs(a.settle_timeout),
    };
    let mut failed = 0;
    for file in &a.files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let session = parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let report = replay(&session, &opts).with_context(|| format!("{}", file.display()))?;
        if let Some(why) = &report.skipped {
            println!("skipped {}: {why}", file.display());
            continue;
        }
        let figures = format!(
            "{} steps, {} screens, {:.2} s",
            report.steps,
            report.screens,
            report.elapsed.as_secs_f64()
        );
        match &report.failure {
            None => println!("ok      {} ({figures})", file.display()),
            Some(f) if a.update => {
                let new = to_text(&report.updated(&session));
                std::fs::write(file, new).with_context(|| format!("writing {}", file.display()))?;
                println!("updated {} ({figures}); first change:\n{f}", file.display());
            }
            Some(f) => {
                failed += 1;
                println!("FAILED  {} ({figures})\n{}:{f}", file.display(), file.display());
            }
        }
    }
    if failed > 0 {
        eprintln!("vm370 replay: {failed} session(s) differ (--update accepts the new screens)");
        std::process::exit(1);
    }
    Ok(())
}
