//! Random floating-point test programs: the generator, the program builder, the Hercules
//! runner and the comparison, shared by the handler-level test (`hercules.rs`, which calls
//! each handler directly) and the whole-program test (`s370/tests/float_programs.rs`, which
//! runs the same programs through the instruction cycle). Depends on nothing in the crate.
//!
//! A seeded generator makes cases: an instruction with random register fields (now and then
//! invalid ones), random register contents (zero, unnormalized, extreme characteristics,
//! operands close to each other so that sums cancel), a random storage operand, condition
//! code and program mask. Each batch of cases is one S/370 program loaded at X'2000'. Per
//! case it loads the four registers from the case's 128-byte block, sets the CC and program
//! mask with SPM, executes the instruction, and stores the registers and (through BALR) the CC
//! and mask into the block; a program-interruption handler copies the old PSW into the block
//! and resumes with LPSW. The program ends in the disabled wait PSW X'0002000000123456'.
//!
//! ```text
//! block (128 bytes):  0 FPR0-6 in | 32 operand field (16) | 48 SPM byte | 64 FPR0-6 out
//!                     96 BALR link (ILC, CC, PM) | 104 program old PSW (0: none)
//! ```

#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Operand shape of an instruction, for the generator.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// Short operands.
    Short,
    /// Long operands.
    Long,
    /// Extended operands (pairs 0/4).
    Ext,
    /// Extended second operand, long first (LRDR).
    ExtToLong,
    /// Long first operand in a pair, long second operand (MXDR, MXD).
    LongToExt,
}

/// Every S/370 floating-point instruction: opcode, mnemonic, operand shape, RX format.
pub const OPS: &[(u8, &str, Shape, bool)] = &[
    (0x20, "LPDR", Shape::Long, false),
    (0x21, "LNDR", Shape::Long, false),
    (0x22, "LTDR", Shape::Long, false),
    (0x23, "LCDR", Shape::Long, false),
    (0x24, "HDR", Shape::Long, false),
    (0x25, "LRDR", Shape::ExtToLong, false),
    (0x26, "MXR", Shape::Ext, false),
    (0x27, "MXDR", Shape::LongToExt, false),
    (0x28, "LDR", Shape::Long, false),
    (0x29, "CDR", Shape::Long, false),
    (0x2A, "ADR", Shape::Long, false),
    (0x2B, "SDR", Shape::Long, false),
    (0x2C, "MDR", Shape::Long, false),
    (0x2D, "DDR", Shape::Long, false),
    (0x2E, "AWR", Shape::Long, false),
    (0x2F, "SWR", Shape::Long, false),
    (0x30, "LPER", Shape::Short, false),
    (0x31, "LNER", Shape::Short, false),
    (0x32, "LTER", Shape::Short, false),
    (0x33, "LCER", Shape::Short, false),
    (0x34, "HER", Shape::Short, false),
    (0x35, "LRER", Shape::Long, false),
    (0x36, "AXR", Shape::Ext, false),
    (0x37, "SXR", Shape::Ext, false),
    (0x38, "LER", Shape::Short, false),
    (0x39, "CER", Shape::Short, false),
    (0x3A, "AER", Shape::Short, false),
    (0x3B, "SER", Shape::Short, false),
    (0x3C, "MER", Shape::Short, false),
    (0x3D, "DER", Shape::Short, false),
    (0x3E, "AUR", Shape::Short, false),
    (0x3F, "SUR", Shape::Short, false),
    (0x60, "STD", Shape::Long, true),
    (0x67, "MXD", Shape::LongToExt, true),
    (0x68, "LD", Shape::Long, true),
    (0x69, "CD", Shape::Long, true),
    (0x6A, "AD", Shape::Long, true),
    (0x6B, "SD", Shape::Long, true),
    (0x6C, "MD", Shape::Long, true),
    (0x6D, "DD", Shape::Long, true),
    (0x6E, "AW", Shape::Long, true),
    (0x6F, "SW", Shape::Long, true),
    (0x70, "STE", Shape::Short, true),
    (0x78, "LE", Shape::Short, true),
    (0x79, "CE", Shape::Short, true),
    (0x7A, "AE", Shape::Short, true),
    (0x7B, "SE", Shape::Short, true),
    (0x7C, "ME", Shape::Short, true),
    (0x7D, "DE", Shape::Short, true),
    (0x7E, "AU", Shape::Short, true),
    (0x7F, "SU", Shape::Short, true),
];

/// One generated test case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Index into [`OPS`].
    pub insn: usize,
    /// The register byte of the instruction (R1 and R2 or X2).
    pub regs: u8,
    /// RX only: displacement of the operand past the start of the operand field (0-7).
    pub offset: u8,
    /// The registers before.
    pub fpr: [u64; 4],
    /// The 16-byte storage-operand field before.
    pub mem: [u8; 16],
    /// Condition code before.
    pub cc: u8,
    /// Program mask before.
    pub pm: u8,
}

/// The state a case leaves behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct After {
    /// The registers.
    pub fpr: [u64; 4],
    /// Condition code.
    pub cc: u8,
    /// Program mask.
    pub pm: u8,
    /// Program-interruption code, 0 for none.
    pub code: u16,
    /// The storage-operand field.
    pub mem: [u8; 16],
    /// The program old PSW stored by the interruption, 0 for none (whole programs only).
    pub old_psw: u64,
}

/// Where the program is loaded.
pub const LOAD: u32 = 0x2000;
/// Where the case blocks start (128 bytes each).
pub const DATA: u32 = 0x2100;
/// Size of one case block.
pub const BLOCK: u32 = 128;
/// Offset of the storage-operand field in a block.
pub const OPND: u32 = 32;

/// The address of case `k`'s block.
pub fn block(k: usize) -> u32 {
    DATA + BLOCK * k as u32
}

/// Appends big-endian bytes.
fn put(v: &mut Vec<u8>, bytes: &[u8]) {
    v.extend_from_slice(bytes);
}

/// An RX instruction.
fn rx(op: u8, r1: u8, x2: u8, b2: u8, d2: u32) -> [u8; 4] {
    [op, (r1 << 4) | x2, (b2 << 4) | (d2 >> 8) as u8, d2 as u8]
}

/// Builds the program for a batch of cases, to be loaded at [`LOAD`].
pub fn program(cases: &[Case]) -> Vec<u8> {
    let code_at = DATA + BLOCK * cases.len() as u32;
    let base = LOAD + 2; // R11 after BALR 11,0
    let mut p = Vec::new();
    put(&mut p, &[0x05, 0xB0]); // BALR 11,0
    put(&mut p, &[0xD2, 0x07, 0x00, 0x68, 0xB0, (0x2018 - base) as u8]); // MVC X'68'(8),PGMNEW
    put(&mut p, &rx(0x41, 12, 0, 11, DATA - base)); // LA 12,DATA
    put(&mut p, &rx(0x58, 10, 0, 11, 0x2020 - base)); // L 10,CODEADDR
    put(&mut p, &[0x07, 0xFA]); // BCR 15,10
    p.resize(0x18, 0);
    // PGMNEW: BC mode, all interruptions off, handler at 0x2030.
    put(&mut p, &[0, 0, 0, 0, 0, 0, 0x20, 0x30]);
    put(&mut p, &code_at.to_be_bytes()); // CODEADDR
    p.resize(0x28, 0);
    put(&mut p, &[0x00, 0x02, 0, 0, 0, 0x12, 0x34, 0x56]); // DWAIT: the verdict "done"
    // Handler: MVC 104(8,12),X'28' ; LPSW X'28'
    put(&mut p, &[0xD2, 0x07, 0xC0, 0x68, 0x00, 0x28]);
    put(&mut p, &[0x82, 0x00, 0x00, 0x28]);
    p.resize((DATA - LOAD) as usize, 0);
    for (k, c) in cases.iter().enumerate() {
        let mut blk = [0u8; BLOCK as usize];
        for (j, v) in c.fpr.iter().enumerate() {
            blk[8 * j..8 * j + 8].copy_from_slice(&v.to_be_bytes());
        }
        blk[32..48].copy_from_slice(&c.mem);
        blk[48] = (c.cc << 4) | c.pm;
        assert_eq!(p.len() as u32, block(k) - LOAD);
        put(&mut p, &blk);
    }
    for c in cases {
        for j in 0..4u8 {
            put(&mut p, &rx(0x68, 2 * j, 0, 12, 8 * u32::from(j))); // LD 2j,8j(12)
        }
        put(&mut p, &rx(0x58, 1, 0, 12, 48)); // L 1,48(12)
        put(&mut p, &[0x04, 0x10]); // SPM 1
        let (op, _, _, is_rx) = OPS[c.insn];
        if is_rx {
            put(&mut p, &rx(op, c.regs >> 4, c.regs & 15, 12, OPND + u32::from(c.offset)));
        } else {
            put(&mut p, &[op, c.regs]);
        }
        put(&mut p, &[0x05, 0xE0]); // BALR 14,0
        for j in 0..4u8 {
            put(&mut p, &rx(0x60, 2 * j, 0, 12, 64 + 8 * u32::from(j))); // STD 2j,64+8j(12)
        }
        put(&mut p, &rx(0x50, 14, 0, 12, 96)); // ST 14,96(12)
        put(&mut p, &rx(0x41, 12, 0, 12, BLOCK)); // LA 12,128(12)
    }
    put(&mut p, &rx(0x82, 0, 0, 11, 0x2028 - base)); // LPSW DWAIT
    p
}

/// Where `run_s370.py` is, if Hercules and the runner are both present.
pub fn runner() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|d| d.join("hercules").is_file())?;
    let r =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/hercules/run_s370.py");
    r.is_file().then_some(r)
}

/// Runs a batch in Hercules and reads back what each case left.
pub fn run_hercules(runner: &Path, cases: &[Case], tag: &str) -> Vec<After> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let image = dir.path().join(format!("{tag}.bin"));
    std::fs::write(&image, program(cases)).expect("write image");
    let len = BLOCK as usize * cases.len();
    let out = Command::new("python3")
        .arg(runner)
        .arg(&image)
        .args(["--load", "2000", "--cr", "0=0", "--dump", &format!("{DATA:X}.{len:X}")])
        .output()
        .expect("run run_s370.py");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("STATUS WAIT"), "{tag}: Hercules did not finish:\n{text}");
    let psw = text.lines().find(|l| l.starts_with("PSW ")).expect("PSW line");
    assert!(psw.ends_with("123456"), "{tag}: ended on {psw} (unexpected interruption)");
    let mut mem = vec![0u8; len];
    for l in text.lines().filter_map(|l| l.strip_prefix("MEM ")) {
        let (a, hex) = l.split_once(' ').expect("MEM line");
        let a = u32::from_str_radix(a, 16).expect("address") - DATA;
        for (i, ch) in hex.as_bytes().chunks(2).enumerate() {
            let byte = u8::from_str_radix(std::str::from_utf8(ch).expect("hex"), 16).expect("hex");
            if let Some(m) = mem.get_mut(a as usize + i) {
                *m = byte;
            }
        }
    }
    blocks_after(&mem)
}

/// What each case left in its block, from the bytes of the data area.
pub fn blocks_after(data: &[u8]) -> Vec<After> {
    data.chunks(BLOCK as usize)
        .map(|b| {
            let mut fpr = [0u64; 4];
            for (j, f) in fpr.iter_mut().enumerate() {
                *f = u64::from_be_bytes(b[64 + 8 * j..72 + 8 * j].try_into().expect("8 bytes"));
            }
            let old_psw = u64::from_be_bytes(b[104..112].try_into().expect("8 bytes"));
            let code = if old_psw == 0 { 0 } else { u16::from_be_bytes([b[106], b[107]]) };
            After {
                fpr,
                cc: (b[96] >> 4) & 3,
                pm: b[96] & 15,
                code,
                mem: b[32..48].try_into().expect("16 bytes"),
                old_psw,
            }
        })
        .collect()
}

/// A random characteristic, weighted towards the extremes and the middle.
fn characteristic(rng: &mut StdRng) -> u64 {
    match rng.gen_range(0..20) {
        0 => 0,
        1 => 0x7F,
        2 => 1,
        3 => 0x7E,
        4..=9 => rng.gen_range(0x3C..=0x44),
        _ => rng.gen_range(0..=0x7F),
    }
}

/// A random fraction of `digits` hexadecimal digits: zero, all ones, normalized, or with
/// leading zero digits.
fn fraction(rng: &mut StdRng, digits: u32) -> u64 {
    let full = (1u64 << (4 * digits)) - 1;
    match rng.gen_range(0..20) {
        0 | 1 => 0,
        2 => full,
        3 => 1,
        4..=11 => (rng.r#gen::<u64>() & full) | (1 << (4 * digits - rng.gen_range(1..=4))),
        _ => (rng.r#gen::<u64>() & full) >> (4 * rng.gen_range(1..digits)),
    }
}

/// A random long number (short ones take its left half).
fn long_number(rng: &mut StdRng, shape_digits: u32) -> u64 {
    let sign = u64::from(rng.gen_bool(0.5)) << 63;
    let f = fraction(rng, shape_digits) << (4 * (14 - shape_digits));
    let low_noise = if shape_digits < 14 { rng.r#gen::<u32>() as u64 } else { 0 };
    sign | (characteristic(rng) << 56) | f | low_noise
}

/// A number close to `a` (same or nearby characteristic, fraction equal or nearly), so that
/// additions cancel and comparisons come out equal.
fn near(rng: &mut StdRng, a: u64, digits: u32) -> u64 {
    // Mostly close characteristics; sometimes a difference at the edge of the alignment
    // shift (all digits and the guard digit shifted out, or just not).
    let d = i64::from(digits);
    let delta = match rng.gen_range(0..8) {
        0 => d + rng.gen_range(-1..=2),
        1 => -(d + rng.gen_range(-1..=2)),
        2 => 2 * d + rng.gen_range(-1..=2),
        _ => rng.gen_range(-2..=2),
    };
    let ch = ((a >> 56) & 0x7F) as i64 + delta;
    let ch = ch.clamp(0, 0x7F) as u64;
    let sign = if rng.gen_bool(0.5) { a & (1 << 63) } else { !a & (1 << 63) };
    let shift = 4 * (14 - digits);
    let mut f = (a & FRAC) >> shift;
    if rng.gen_bool(0.5) {
        f = f.wrapping_add(rng.gen_range(0..3)).wrapping_sub(1) & ((1 << (4 * digits)) - 1);
    }
    sign | (ch << 56) | (f << shift) | (a & ((1 << shift) - 1))
}

/// The 56-bit fraction mask.
const FRAC: u64 = 0x00FF_FFFF_FFFF_FFFF;

/// A register field: usually one the instruction accepts, sometimes any.
fn regfield(rng: &mut StdRng, pairs: bool) -> u8 {
    if rng.gen_range(0..12) == 0 {
        rng.gen_range(0..16)
    } else if pairs {
        [0, 4][rng.gen_range(0..2)]
    } else {
        [0, 2, 4, 6][rng.gen_range(0..4)]
    }
}

/// Generates one random case.
pub fn gen_case(rng: &mut StdRng) -> Case {
    let insn = rng.gen_range(0..OPS.len());
    let (_, _, shape, is_rx) = OPS[insn];
    let digits = if shape == Shape::Short { 6 } else { 14 };
    let (p1, p2) = match shape {
        Shape::Ext => (true, true),
        Shape::ExtToLong => (false, true),
        Shape::LongToExt => (true, false),
        _ => (false, false),
    };
    let r1 = regfield(rng, p1);
    let r2 = if is_rx { 0 } else { regfield(rng, p2) };
    let mut fpr = [0u64; 4];
    for f in fpr.iter_mut() {
        *f = long_number(rng, digits);
    }
    // Make the operands related often enough to hit cancellation and equality.
    let i1 = usize::from(r1 >> 1) & 3;
    let i2 = usize::from(r2 >> 1) & 3;
    if !is_rx && i1 != i2 && rng.gen_bool(0.4) {
        fpr[i2] = near(rng, fpr[i1], digits);
        if p2 {
            fpr[(i2 | 1) & 3] = near(rng, fpr[(i1 | 1) & 3], 14);
        }
    }
    let mut mem = [0u8; 16];
    rng.fill(&mut mem[..]);
    let offset = if is_rx { rng.gen_range(0..8u8) } else { 0 };
    if is_rx {
        let v =
            if rng.gen_bool(0.4) { near(rng, fpr[i1], digits) } else { long_number(rng, digits) };
        let o = usize::from(offset);
        let bytes = v.to_be_bytes();
        let n = if digits == 6 { 4 } else { 8 };
        mem[o..o + n].copy_from_slice(&bytes[..n]);
    }
    Case {
        insn,
        regs: (r1 << 4) | r2,
        offset,
        fpr,
        mem,
        cc: rng.gen_range(0..4),
        pm: rng.gen_range(0..16),
    }
}

/// The cases of one seeded run, in batches of `per` cases.
pub fn batches(seed: u64, n: usize, per: usize) -> Vec<Vec<Case>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| (0..per).map(|_| gen_case(&mut rng)).collect()).collect()
}

/// Describes a mismatch for the report.
pub fn describe(c: &Case, ours: &After, theirs: &After) -> String {
    let (_, m, _, _) = OPS[c.insn];
    format!(
        "{m} regs={:02X} off={} cc={} pm={:X} fpr={:016X?} mem={:02X?}\n  ours:     {:016X?} cc={} pm={:X} code={:02X} mem={:02X?} old={:016X}\n  hercules: {:016X?} cc={} pm={:X} code={:02X} mem={:02X?} old={:016X}",
        c.regs,
        c.offset,
        c.cc,
        c.pm,
        c.fpr,
        c.mem,
        ours.fpr,
        ours.cc,
        ours.pm,
        ours.code,
        ours.mem,
        ours.old_psw,
        theirs.fpr,
        theirs.cc,
        theirs.pm,
        theirs.code,
        theirs.mem,
        theirs.old_psw
    )
}

/// A difference from Hercules that the Principles of Operation decides in our favour.
///
/// AXR/SXR with a zero intermediate fraction, the significance mask one and an intermediate
/// characteristic of zero: the result is plus, characteristic zero, fraction zero, which is a
/// true zero by definition (PoO "Floating-Point Data Format": "A number with zero
/// characteristic, zero fraction, and plus sign is called a true zero"), and for an extended
/// result "unless the result is a true zero, the low-order characteristic is made 14 less than
/// the high-order characteristic". We store a low-order part of zero; Hercules 3.13 stores
/// X'72' (0 - 14 + 128) as the low-order characteristic.
pub fn known_deviation(c: &Case, ours: &After, theirs: &After) -> bool {
    let (op, ..) = OPS[c.insn];
    let i = usize::from(c.regs >> 5) & 3;
    let mut fixed = ours.clone();
    if (op == 0x36 || op == 0x37) && ours.code == 0x0E && ours.fpr[i] == 0 {
        fixed.fpr[(i + 1) & 3] = 0x7200_0000_0000_0000;
    }
    &fixed == theirs && &fixed != ours
}

/// Runs batches in Hercules, two processes at a time (the machine has two cores).
pub fn run_all_hercules(runner: &Path, all: &[Vec<Case>]) -> Vec<Vec<After>> {
    std::thread::scope(|s| {
        let chunks: Vec<_> = all.chunks(all.len().div_ceil(2).max(1)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(t, ch)| {
                s.spawn(move || {
                    ch.iter()
                        .enumerate()
                        .map(|(i, b)| run_hercules(runner, b, &format!("fp{t}_{i}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("runner thread")).collect()
    })
}

/// The seed and program count of a run: `FLOAT_SEED` and `FLOAT_PROGRAMS` from the
/// environment, or the given defaults.
pub fn seed_and_count(seed: u64, programs: usize) -> (u64, usize) {
    let env = |k: &str| std::env::var(k).ok();
    (
        env("FLOAT_SEED").and_then(|s| s.parse().ok()).unwrap_or(seed),
        env("FLOAT_PROGRAMS").and_then(|s| s.parse().ok()).unwrap_or(programs),
    )
}

/// The outcome of comparing a run: cases, known Hercules deviations, and descriptions of
/// the other differences.
#[derive(Debug, Default)]
pub struct Tally {
    /// Cases compared.
    pub total: usize,
    /// Differences that [`known_deviation`] explains.
    pub known: usize,
    /// Every other difference, described.
    pub bad: Vec<String>,
    /// Cases per (mnemonic, Hercules interruption code).
    pub seen: std::collections::BTreeMap<(&'static str, u16), usize>,
}

impl Tally {
    /// Compares one case.
    pub fn add(&mut self, c: &Case, ours: &After, theirs: &After) {
        self.total += 1;
        *self.seen.entry((OPS[c.insn].1, theirs.code)).or_default() += 1;
        if ours == theirs {
        } else if known_deviation(c, ours, theirs) {
            self.known += 1;
        } else {
            self.bad.push(describe(c, ours, theirs));
        }
    }

    /// Prints the figures (and with `FLOAT_COVERAGE` set, the cases per instruction and
    /// interruption code) and the first differences.
    pub fn report(&self, what: &str, seed: u64, programs: usize) {
        println!(
            "{what}: seed {seed}, {programs} programs, {} cases, {} known Hercules deviations, {} other deviations",
            self.total,
            self.known,
            self.bad.len()
        );
        if std::env::var_os("FLOAT_COVERAGE").is_some() {
            for ((m, code), n) in &self.seen {
                println!("  {m:5} code {code:02X}: {n}");
            }
        }
        for b in self.bad.iter().take(40) {
            println!("{b}");
        }
    }

    /// Every instruction was exercised.
    pub fn covers_every_instruction(&self) -> bool {
        OPS.iter().all(|(_, m, ..)| self.seen.keys().any(|(k, _)| k == m))
    }
}
