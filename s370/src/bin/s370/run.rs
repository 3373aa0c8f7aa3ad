//! `s370 run`: load a raw image into a bare machine, run it until a disabled wait, and print
//! the final state in the line format of `run_s370.py` (see [`s370::runner`]).

use anyhow::{Context, bail};
use s370::runner::{self, RunSpec, Start};

/// Options of `s370 run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The raw big-endian image.
    image: std::path::PathBuf,
    /// Hex load address.
    #[arg(long, default_value = "2000")]
    load: String,
    /// Full 16-hex-digit initial PSW, stored at 0 and made current by a restart
    /// interruption.
    #[arg(long, conflicts_with = "start")]
    psw: Option<String>,
    /// Hex start address (a BC-mode PSW with all masks off); default: the load address.
    #[arg(long)]
    start: Option<String>,
    /// General register before starting: N=HEX (repeatable).
    #[arg(long, value_name = "N=HEX")]
    gpr: Vec<String>,
    /// Control register before starting: N=HEX (repeatable).
    #[arg(long, value_name = "N=HEX")]
    cr: Vec<String>,
    /// Storage to print: START.LEN or START-END, hex (repeatable).
    #[arg(long, value_name = "RANGE")]
    dump: Vec<String>,
    /// Stop after this many instructions (STATUS TIMEOUT).
    #[arg(long, default_value_t = 100_000_000)]
    max_insns: u64,
    /// Do not plant disabled-wait trap PSWs in the new-PSW slots.
    #[arg(long)]
    no_traps: bool,
    /// Main storage in MB.
    #[arg(long, default_value_t = 2)]
    mainsize: usize,
}

fn hex(s: &str) -> anyhow::Result<u64> {
    u64::from_str_radix(s.trim(), 16).with_context(|| format!("not hex: {s}"))
}

fn reg(s: &str) -> anyhow::Result<(usize, u32)> {
    let (n, v) = s.split_once('=').with_context(|| format!("expected N=HEX: {s}"))?;
    let n: usize = n.trim().parse().with_context(|| format!("bad register number: {n}"))?;
    if n > 15 {
        bail!("register number out of range: {n}");
    }
    Ok((n, hex(v)? as u32))
}

/// Runs `s370 run`.
pub fn main(args: Args) -> anyhow::Result<()> {
    let image =
        std::fs::read(&args.image).with_context(|| format!("reading {}", args.image.display()))?;
    let load = hex(&args.load)? as u32;
    let mut spec = RunSpec::new(image, load);
    spec.start = match (&args.psw, &args.start) {
        (Some(p), _) => Start::Psw(hex(p)?),
        (None, Some(s)) => Start::At(hex(s)? as u32),
        (None, None) => Start::At(load),
    };
    spec.gpr = args.gpr.iter().map(|s| reg(s)).collect::<anyhow::Result<_>>()?;
    spec.cr = args.cr.iter().map(|s| reg(s)).collect::<anyhow::Result<_>>()?;
    spec.dump = args
        .dump
        .iter()
        .map(|s| runner::parse_range(s).with_context(|| format!("bad range: {s}")))
        .collect::<anyhow::Result<_>>()?;
    spec.max_insns = args.max_insns;
    spec.traps = !args.no_traps;
    spec.storage = args.mainsize.clamp(1, 16) << 20;
    let t0 = std::time::Instant::now();
    let report = runner::run(&spec);
    for line in report.lines() {
        println!("{line}");
    }
    println!("WALL_S {:.4}", t0.elapsed().as_secs_f64());
    if report.status != runner::Status::Wait {
        std::process::exit(1);
    }
    Ok(())
}
