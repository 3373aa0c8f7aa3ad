//! `s370 bench`: the speed table of issue 2. Runs each workload of [`s370::workloads`] on
//! this interpreter and, when Hercules is installed, in Hercules, and prints MIPS and the
//! ratio. Build with `--release` for meaningful figures.

use s370::workloads::{self, Workload};

/// Options of `s370 bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only workloads whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Do not run Hercules even if it is installed.
    #[arg(long)]
    no_hercules: bool,
    /// Scale every workload's loop count (1.0 = about a second of Hercules time each).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Runs per workload on this interpreter (the best is reported).
    #[arg(long, default_value_t = 3)]
    repeat: u32,
}

/// `../shared/tools/hercules/run_s370.py`, found from the current directory or the
/// executable's, if it and Hercules are installed.
fn hercules_script() -> Option<std::path::PathBuf> {
    let on_path = |exe: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
    };
    if !on_path("hercules") || !on_path("python3") {
        return None;
    }
    let mut starts = vec![std::env::current_dir().ok()?];
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    for start in starts {
        for dir in start.ancestors() {
            let p = dir.join("../shared/tools/hercules/run_s370.py");
            if p.is_file() {
                return Some(p);
            }
            let p = dir.join("shared/tools/hercules/run_s370.py");
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn row(w: &Workload, args: &Args, herc: Option<&std::path::Path>) {
    let n = ((f64::from(w.default_count) * args.scale) as u32).max(1);
    let mut best = f64::MAX;
    let mut insns = 0;
    for _ in 0..args.repeat.max(1) {
        let (i, s) = workloads::run_here(w, n);
        insns = i;
        best = best.min(s);
    }
    let ours = insns as f64 / best / 1e6;
    let expected = w.instructions(n);
    let check = if insns == expected { "" } else { " (instruction count differs!)" };
    match herc.map(|p| workloads::run_hercules(p, w, n)) {
        Some(Ok((hi, hs))) => {
            let theirs = hi as f64 / hs / 1e6;
            println!("{:<16} {:>9.1} {:>9.1} {:>7.2}x{check}", w.name, ours, theirs, ours / theirs);
        }
        Some(Err(e)) => println!("{:<16} {:>9.1} {:>9} {:>8}  {e}", w.name, ours, "-", "-"),
        None => println!("{:<16} {:>9.1} {:>9} {:>8}{check}", w.name, ours, "-", "-"),
    }
}

/// Runs `s370 bench`.
pub fn main(args: Args) -> anyhow::Result<()> {
    let herc = if args.no_hercules { None } else { hercules_script() };
    if herc.is_none() && !args.no_hercules {
        println!("(Hercules or run_s370.py not found: this interpreter only)");
    }
    if cfg!(debug_assertions) {
        println!("(a debug build of the CLI; the interpreter itself is optimized)");
    }
    println!("{:<16} {:>9} {:>9} {:>8}", "workload", "MIPS", "Hercules", "ratio");
    for w in workloads::all() {
        if args.only.as_deref().is_some_and(|o| !w.name.contains(o)) {
            continue;
        }
        row(&w, &args, herc.as_deref());
    }
    memory();
    Ok(())
}

/// This process's resident set and its peak, in KB (`/proc/self/status`, Linux).
fn rss_kb() -> Option<(u64, u64)> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        s.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Prints the host memory a 16 MB machine costs while it runs the L/A/ST loop (storage is
/// allocated lazily, so only the touched pages, the key and code maps, the TLB and the
/// decoded-block cache are resident), and the peak resident set of the whole bench.
fn memory() {
    let Some((before, _)) = rss_kb() else {
        println!("memory: (no /proc/self/status on this host)");
        return;
    };
    let w = workloads::load_add_store();
    let mut cpu = s370::cpu::Cpu::new(16 << 20);
    if cpu.storage.write(workloads::LOAD, &w.image).is_err() {
        return;
    }
    cpu.gpr[3] = 1_000_000;
    cpu.load_psw(u64::from(workloads::LOAD));
    while cpu.run(1 << 32) == s370::cpu::Exit::Budget {}
    let Some((after, peak)) = rss_kb() else { return };
    println!(
        "memory: a 16 MB machine running {}: {} KB resident (process {} KB, peak {} KB)",
        w.name,
        after.saturating_sub(before),
        after,
        peak
    );
}
