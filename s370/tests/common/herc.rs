//! Running a small image both here (`s370::runner`) and in Hercules 3.13 (through
//! `../shared/tools/hercules/run_s370.py`), as lines in run_s370.py's format.

use s370::runner::{self, RunSpec};

/// The repository's shared Hercules runner, if Hercules and Python are installed.
pub fn hercules_runner() -> Option<std::path::PathBuf> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/hercules/run_s370.py");
    let on_path = |exe: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
    };
    (script.is_file() && on_path("hercules") && on_path("python3")).then_some(script)
}

/// Runs `image` at X'2000' with `args` (run_s370.py options) in Hercules.
pub fn hercules(image: &[u8], args: &[&str]) -> Option<Vec<String>> {
    let script = hercules_runner()?;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("prog.bin");
    std::fs::write(&path, image).expect("image");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .args(args)
        .output()
        .expect("run_s370.py");
    Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

/// Runs `image` at X'2000' here with the same kind of options.
pub fn ours(
    image: &[u8],
    gpr: &[(usize, u32)],
    cr: &[(usize, u32)],
    dump: &[(u32, u32)],
) -> Vec<String> {
    let mut spec = RunSpec::new(image.to_vec(), 0x2000);
    spec.gpr = gpr.to_vec();
    spec.cr = cr.to_vec();
    spec.dump = dump.to_vec();
    spec.max_insns = 10_000;
    runner::run(&spec).lines()
}

/// The first line starting with `prefix`, or "".
pub fn line<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines.iter().find(|l| l.starts_with(prefix)).map_or("", |l| l.as_str())
}

/// run_s370.py options for these registers and dumps.
pub fn args(gpr: &[(usize, u32)], cr: &[(usize, u32)], dump: &[(u32, u32)]) -> Vec<String> {
    let mut a = vec!["--timeout".to_string(), "2".to_string()];
    for (n, v) in gpr {
        a.push(format!("--gpr={n}={v:X}"));
    }
    for (n, v) in cr {
        a.push(format!("--cr={n}={v:X}"));
    }
    for (lo, hi) in dump {
        a.push(format!("--dump={lo:X}-{hi:X}"));
    }
    a
}

/// Runs `image` on both; returns (ours, Hercules if installed).
pub fn both_image(
    image: &[u8],
    gpr: &[(usize, u32)],
    cr: &[(usize, u32)],
    dump: &[(u32, u32)],
) -> (Vec<String>, Option<Vec<String>>) {
    let a = args(gpr, cr, dump);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    (ours(image, gpr, cr, dump), hercules(image, &a))
}
