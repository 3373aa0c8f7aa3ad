//! `vm370` — the VM/370 system: CP, its terminals and tools.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("vm370: the control program is not built yet")
}
