//! `s370 bench`.

/// Options of `s370 bench`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `s370 bench`.
pub fn main(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("s370 bench: not yet available")
}
