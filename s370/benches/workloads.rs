//! `cargo bench -p s370`: the issue-2 speed table, the same as `s370 bench` (the six
//! workloads of [`s370::workloads`] here and, when installed, in Hercules 3.13 through
//! `../shared/tools/hercules/run_s370.py`), printed as MIPS and the ratio. A benchmark
//! that prints figures; nothing is asserted.

use s370::workloads;

fn main() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/hercules/run_s370.py");
    let on_path = |exe: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
    };
    let herc = (script.is_file() && on_path("hercules") && on_path("python3")).then_some(script);
    if herc.is_none() {
        println!("(Hercules or run_s370.py not found: this interpreter only)");
    }
    println!("{:<16} {:>9} {:>9} {:>8}", "workload", "MIPS", "Hercules", "ratio");
    for w in workloads::all() {
        let n = w.default_count;
        let best = (0..3)
            .map(|_| workloads::run_here(&w, n))
            .fold((0, f64::MAX), |b, r| if r.1 < b.1 { r } else { b });
        let ours = best.0 as f64 / best.1 / 1e6;
        match herc.as_deref().map(|p| workloads::run_hercules(p, &w, n)) {
            Some(Ok((hi, hs))) => {
                let theirs = hi as f64 / hs / 1e6;
                println!("{:<16} {ours:>9.1} {theirs:>9.1} {:>7.2}x", w.name, ours / theirs);
            }
            Some(Err(e)) => println!("{:<16} {ours:>9.1} {:>9} {:>8}  {e}", w.name, "-", "-"),
            None => println!("{:<16} {ours:>9.1} {:>9} {:>8}", w.name, "-", "-"),
        }
    }
}
