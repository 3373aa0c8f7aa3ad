//! `s370` — run, assemble and disassemble System/370 programs.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("s370: no subcommands yet")
}
