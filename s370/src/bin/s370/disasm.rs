//! `s370 disasm`.

/// Options of `s370 disasm`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `s370 disasm`.
pub fn main(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("s370 disasm: not yet available")
}
