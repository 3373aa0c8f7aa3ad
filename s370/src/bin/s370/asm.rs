//! `s370 asm`.

/// Options of `s370 asm`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `s370 asm`.
pub fn main(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("s370 asm: not yet available")
}
