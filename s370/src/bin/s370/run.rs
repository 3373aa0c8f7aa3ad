//! `s370 run`.

/// Options of `s370 run`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `s370 run`.
pub fn main(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("s370 run: not yet available")
}
