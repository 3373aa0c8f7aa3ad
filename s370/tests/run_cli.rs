//! `s370 run` from the command line, compared line by line with the same image run in
//! Hercules 3.13 through `../shared/tools/hercules/run_s370.py` (same options, same planted
//! trap PSWs). Only INSTCOUNT, WALL_S and PGMINT are Hercules-specific, and the ILC bits
//! Hercules shows in a BC-mode current PSW (byte 4, bits 0-1) are masked.

use std::process::Command;

/// AR/BCT sum of 1..100 (the oracle's `sum.s`, relocated through BALR 12,0), the sum
/// stored at X'2040', then LPSW of the disabled wait X'00020000 00000E0D' at X'2018'.
const SUM: &str = "05C0 1B22 41300064 1A23 4630C006 5020C03E 8200C016 0000 00020000 00000E0D";

/// Opcode X'01': an operation exception that ends on the trap PSW planted at X'68'
/// (X'00' would show a Hercules deviation, see `deviations.rs`).
const TRAP: &str = "1B33 0100";

fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    d.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

fn hercules_script() -> Option<std::path::PathBuf> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/tools/hercules/run_s370.py");
    let on_path = |exe: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
    };
    (script.is_file() && on_path("hercules") && on_path("python3")).then_some(script)
}

/// The comparable lines of one run's output.
fn comparable(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !["INSTCOUNT", "WALL_S", "PGMINT"].iter().any(|p| l.starts_with(p)))
        .map(|l| match l.strip_prefix("PSW ") {
            Some(p) if p.len() == 17 => {
                let b4 = u8::from_str_radix(&p[9..11], 16).unwrap() & 0x3F;
                format!("PSW {} {b4:02X}{}", &p[..8], &p[11..])
            }
            _ => l.to_string(),
        })
        .collect()
}

/// Runs `prog` with `args` here (the `s370 run` binary) and, if installed, in Hercules.
fn both(prog: &str, args: &[&str]) -> (Vec<String>, Option<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("prog.bin");
    std::fs::write(&image, hex(prog)).unwrap();
    let ours = Command::new(env!("CARGO_BIN_EXE_s370"))
        .arg("run")
        .arg(&image)
        .args(args)
        .output()
        .unwrap();
    assert!(ours.status.success(), "s370 run failed: {}", String::from_utf8_lossy(&ours.stderr));
    let theirs = hercules_script().map(|script| {
        let out = Command::new("python3").arg(script).arg(&image).args(args).output().unwrap();
        comparable(&out.stdout)
    });
    (comparable(&ours.stdout), theirs)
}

fn check(prog: &str, args: &[&str], expect: &[&str]) {
    let (ours, theirs) = both(prog, args);
    for e in expect {
        assert!(ours.iter().any(|l| l == e), "missing {e:?} in {ours:#?}");
    }
    let gr = ours.iter().filter(|l| l.starts_with("GR")).count();
    let cr = ours.iter().filter(|l| l.starts_with("CR")).count();
    let fpr = ours.iter().filter(|l| l.starts_with("FPR")).count();
    assert_eq!((gr, cr, fpr), (16, 16, 4), "every register listed");
    match theirs {
        Some(h) => assert_eq!(ours, h, "s370 run and Hercules differ"),
        None => {
            eprintln!("skipped: hercules or ../shared/tools/hercules/run_s370.py not installed")
        }
    }
}

#[test]
fn sum_program_with_registers_and_dumps_matches_hercules() {
    check(
        SUM,
        &[
            "--load",
            "2000",
            "--gpr",
            "5=12345678",
            "--cr",
            "0=0",
            "--dump",
            "2040.10",
            "--dump",
            "60.20",
        ],
        &[
            "STATUS WAIT",
            "PSW 00020000 00000E0D",
            "GR02 000013BA",
            "GR05 12345678",
            "GR12 40002002",
            "CR00 00000000",
            "CR14 C2000000",
            "MEM 00002040 000013BA000000000000000000000000",
            "MEM 00000060 00020000000000600002000000000068",
        ],
    );
}

#[test]
fn program_check_ends_on_the_planted_trap_like_hercules() {
    check(
        TRAP,
        &["--load", "2000", "--cr", "0=0", "--dump", "20.10"],
        &["STATUS WAIT", "PSW 00020000 00000068", "MEM 00000020 00000000000000000000000140002004"],
    );
}
