//! The differential test's machinery: run generated programs in Hercules 3.13 (many per
//! process, through `tests/hercules/batch.py`) and here, and compare the final states.

pub mod progs;

use s370::runner::{self, RunSpec, Start};
use std::path::{Path, PathBuf};

/// Storage compared after each program: low storage (saved registers, old PSWs,
/// interruption codes) and code + data.
pub const RANGES: [(u32, u32); 2] = [(0x0000, 0x09FF), (0x1000, 0x33FF)];

/// Hercules' CPU identification with the batch driver's configuration (version FD,
/// serial 000001, model 3033).
pub const HERCULES_CPU_ID: u64 = 0xFD00_0001_3033_0000;

/// The repository's `tests/hercules/batch.py`.
fn batch_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hercules/batch.py")
}

/// Is Hercules (and Python to drive it) installed?
pub fn hercules_available() -> bool {
    let found = |exe: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
    };
    found("hercules") && found("python3")
}

/// One program's result as comparable lines: STATUS, PSW, MEM.
pub type Lines = Vec<String>;

/// Runs `images` in one Hercules process; returns each program's lines.
pub fn run_hercules(dir: &Path, images: &[Vec<u8>]) -> Vec<Lines> {
    for (k, img) in images.iter().enumerate() {
        std::fs::write(dir.join(format!("{k}.bin")), img).expect("write image");
    }
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(batch_script()).arg(dir).arg(images.len().to_string());
    for (lo, hi) in RANGES {
        cmd.arg(format!("{lo:X}-{hi:X}"));
    }
    let out = cmd.output().expect("run batch.py");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut results = vec![Vec::new(); images.len()];
    let mut cur: Option<usize> = None;
    for line in text.lines() {
        if let Some(k) = line.strip_prefix("PROG ") {
            cur = k.trim().parse().ok();
        } else if line.starts_with("END ") {
            cur = None;
        } else if let Some(k) = cur
            && let Some(r) = results.get_mut(k)
        {
            r.push(line.to_string());
        }
    }
    results
}

/// Runs `image` here the way the batch driver runs it in Hercules.
pub fn run_ours(image: &[u8]) -> Lines {
    let mut spec = RunSpec::new(image.to_vec(), 0);
    spec.start = Start::Restart;
    spec.traps = false;
    spec.max_insns = 50_000_000;
    spec.dump = RANGES.to_vec();
    let mut cpu = runner::prepare(&spec);
    cpu.cpu_id = HERCULES_CPU_ID;
    cpu.hercules_ex_ilc = true;
    let status = runner::run_bare(&mut cpu, spec.max_insns);
    let mut out =
        vec![format!("STATUS {}", if status == runner::Status::Wait { "WAIT" } else { "TIMEOUT" })];
    let psw = cpu.psw.to_u64();
    out.push(format!("PSW {:08X} {:08X}", psw >> 32, psw as u32));
    for (lo, hi) in RANGES {
        let mut a = lo;
        while a <= hi {
            let mut b = [0u8; 16];
            let _ = cpu.storage.read(a, &mut b);
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            out.push(format!("MEM {a:08X} {hex}"));
            a += 16;
        }
    }
    out
}

/// Masks what legitimately differs: the ILC Hercules shows in a current BC-mode PSW, the
/// interval timer at X'50' (Hercules decrements it from host time), and the monitor class
/// and code at X'94' and X'9C', which Hercules 3.13 stores only in EC mode while the PoO
/// stores them in both modes ("Assigned Storage Locations"; tests/deviations.rs).
pub fn normalize(lines: &[String]) -> Lines {
    lines
        .iter()
        .map(|l| {
            if let Some(p) = l.strip_prefix("PSW ") {
                let v = u64::from_str_radix(&p.replace(' ', ""), 16).unwrap_or(0);
                let bc = v & 0x0008_0000_0000_0000 == 0;
                let v = if bc { v & !0x0000_0000_C000_0000 } else { v };
                format!("PSW {:08X} {:08X}", v >> 32, v as u32)
            } else if l.starts_with("MEM 00000050 ") {
                let mut s = l.clone();
                s.replace_range(13..21, "--------");
                s
            } else if l.starts_with("MEM 00000090 ") {
                let mut s = l.clone();
                s.replace_range(21..29, "--------");
                s.replace_range(37..45, "--------");
                s
            } else {
                l.clone()
            }
        })
        .collect()
}

/// The lines that differ, as "ours | hercules".
pub fn differences(ours: &[String], theirs: &[String]) -> Vec<String> {
    let (a, b) = (normalize(ours), normalize(theirs));
    let mut out = Vec::new();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).map_or("<none>", String::as_str);
        let y = b.get(i).map_or("<none>", String::as_str);
        if x != y {
            out.push(format!("ours {x}\nherc {y}"));
        }
    }
    out
}
