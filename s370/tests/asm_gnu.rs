//! Cross-check: every S/370 instruction, in every operand form, assembles to the same bytes
//! as the GNU assembler for s390 in 31-bit mode (`s390x-linux-gnu-as -m31`).
//!
//! One table of cases generates both syntaxes (IBM `1,8(2,12)`, GNU `%r1,8(%r2,%r12)`).
//! Instructions GNU no longer knows (the S/370 I/O instructions, SSK, ISK, RRB, RDD, WRD)
//! are checked through a GNU instruction of the same format: GNU encodes the operands, the
//! opcode bytes are then replaced by ours.

use std::process::Command;

use s370::asm::{Options, assemble};
use s370::opcode::{EXTENDED, Format, OPCODES, Op};

/// An operand, in a form both syntaxes can write.
#[derive(Debug, Clone, Copy)]
enum O {
    /// A register.
    R(u8),
    /// A mask or immediate.
    N(u32),
    /// D(X,B).
    Dxb(u32, u8, u8),
    /// D(B).
    Db(u32, u8),
    /// D(L,B).
    Dlb(u32, u32, u8),
}

#[derive(Debug, Clone)]
struct Case {
    mnemonic: String,
    ops: Vec<O>,
    /// GNU mnemonic to use instead (a same-format proxy), and the opcode bytes to patch in.
    proxy: Option<(&'static str, u16)>,
}

fn ibm_forms(o: O) -> Vec<String> {
    match o {
        O::R(r) => vec![r.to_string()],
        O::N(n) => vec![n.to_string()],
        O::Dxb(d, x, b) => {
            let mut v = vec![format!("{d}({x},{b})")];
            if x == 0 {
                v.push(format!("{d}(,{b})"));
            }
            if b == 0 {
                v.push(format!("{d}({x})"));
                if x == 0 {
                    v.push(format!("{d}"));
                }
            }
            v
        }
        O::Db(d, b) => {
            let mut v = vec![format!("{d}({b})")];
            if b == 0 {
                v.push(format!("{d}"));
            }
            v
        }
        O::Dlb(d, l, b) => {
            let mut v = vec![format!("{d}({l},{b})")];
            if b == 0 {
                v.push(format!("{d}({l})"));
            }
            v
        }
    }
}

fn gnu(o: O) -> String {
    match o {
        O::R(r) => format!("%r{r}"),
        O::N(n) => n.to_string(),
        O::Dxb(d, x, b) => format!("{d}(%r{x},%r{b})"),
        O::Db(d, b) => format!("{d}(%r{b})"),
        O::Dlb(d, l, b) => format!("{d}({l},%r{b})"),
    }
}

fn is_float(op: &Op) -> bool {
    matches!(op.first_byte(), 0x20..=0x3F | 0x60..=0x7F)
}

/// Registers that GNU accepts wherever an even/odd or floating-point pair is needed.
fn regs(op: &Op) -> [(u8, u8); 3] {
    if is_float(op) { [(0, 4), (4, 0), (4, 4)] } else { [(0, 14), (14, 0), (6, 8)] }
}

const STORAGE: [(u32, u8, u8); 4] = [(0, 0, 0), (4095, 15, 15), (100, 2, 12), (8, 0, 13)];

fn proxy(op: &Op) -> Option<(&'static str, u16)> {
    let p = match op.mnemonic {
        "SSK" | "ISK" => "LR",
        "SIO" | "SIOF" | "TIO" | "CLRIO" | "HIO" | "HDV" | "TCH" | "STIDC" | "RRB" => "STCK",
        "RDD" | "WRD" => "MVI",
        _ => return None,
    };
    Some((p, op.code))
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for op in OPCODES {
        let mut add = |ops: Vec<O>| {
            out.push(Case { mnemonic: op.mnemonic.to_string(), ops, proxy: proxy(op) })
        };
        let rs = regs(op);
        match op.format {
            Format::Rr => rs.iter().for_each(|&(a, b)| add(vec![O::R(a), O::R(b)])),
            Format::RrR1 => [0, 15, 7].iter().for_each(|&a| add(vec![O::R(a)])),
            Format::RrM => {
                [(0, 0), (15, 14), (8, 3)].iter().for_each(|&(m, r)| add(vec![O::N(m), O::R(r)]))
            }
            Format::I => [0, 255, 202].iter().for_each(|&i| add(vec![O::N(i)])),
            Format::Rx => {
                for (k, &(d, x, b)) in STORAGE.iter().enumerate() {
                    add(vec![O::R(rs[k % 3].0), O::Dxb(d, x, b)]);
                }
            }
            Format::RxM => {
                for (k, &(d, x, b)) in STORAGE.iter().enumerate() {
                    add(vec![O::N([0, 15, 8, 7][k]), O::Dxb(d, x, b)]);
                }
            }
            Format::Rs | Format::Diag => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    let (a, c) = rs[k % 3];
                    add(vec![O::R(a), O::R(c), O::Db(d, b)]);
                }
            }
            Format::RsShift => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    add(vec![O::R(rs[k % 3].0), O::Db(d % 64, b)]);
                }
            }
            Format::RsMask => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    add(vec![O::R(rs[k % 3].0), O::N([0, 15, 5, 8][k]), O::Db(d, b)]);
                }
            }
            Format::Si => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    add(vec![O::Db(d, b), O::N([0, 255, 64, 1][k])]);
                }
            }
            Format::S => {
                if op.mnemonic == "IPK" || op.mnemonic == "PTLB" {
                    add(vec![]);
                } else {
                    STORAGE.iter().for_each(|&(d, _, b)| add(vec![O::Db(d, b)]));
                }
            }
            Format::Ss1 => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    let (d2, b2) = (STORAGE[(k + 1) % 4].0, STORAGE[(k + 1) % 4].2);
                    add(vec![O::Dlb(d, [1, 256, 80, 2][k], b), O::Db(d2, b2)]);
                }
            }
            Format::Ss2 => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    let (d2, b2) = (STORAGE[(k + 1) % 4].0, STORAGE[(k + 1) % 4].2);
                    add(vec![O::Dlb(d, [1, 16, 8, 3][k], b), O::Dlb(d2, [16, 1, 5, 2][k], b2)]);
                }
            }
            Format::Srp => {
                for (k, &(d, _, b)) in STORAGE.iter().enumerate() {
                    let (d2, b2) = (STORAGE[(k + 1) % 4].0 % 64, STORAGE[(k + 1) % 4].2);
                    add(vec![
                        O::Dlb(d, [1, 16, 8, 3][k], b),
                        O::Db(d2, b2),
                        O::N([0, 15, 5, 9][k]),
                    ]);
                }
            }
        }
    }
    for e in EXTENDED {
        let ops = if e.base == "BCR" {
            vec![vec![O::R(14)], vec![O::R(0)]]
        } else {
            STORAGE.iter().map(|&(d, x, b)| vec![O::Dxb(d, x, b)]).collect()
        };
        for o in ops {
            out.push(Case { mnemonic: e.mnemonic.to_string(), ops: o, proxy: None });
        }
    }
    out
}

/// Every IBM spelling of a case: the cross product of each operand's forms.
fn ibm_spellings(c: &Case) -> Vec<String> {
    let mut acc = vec![String::new()];
    for (k, o) in c.ops.iter().enumerate() {
        let forms = ibm_forms(*o);
        acc = acc
            .iter()
            .flat_map(|a| {
                forms.iter().map(move |f| if k == 0 { f.clone() } else { format!("{a},{f}") })
            })
            .collect();
    }
    acc
}

fn gnu_line(c: &Case) -> String {
    let m = c.proxy.map_or(c.mnemonic.as_str(), |p| p.0).to_ascii_lowercase();
    let ops: Vec<String> = c.ops.iter().map(|o| gnu(*o)).collect();
    format!(" {m} {}", ops.join(","))
}

fn gnu_bytes(src: &str) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (s, o, b) = (dir.path().join("t.s"), dir.path().join("t.o"), dir.path().join("t.bin"));
    std::fs::write(&s, src).map_err(|e| e.to_string())?;
    let out = Command::new("s390x-linux-gnu-as")
        .args(["-m31", "-o"])
        .arg(&o)
        .arg(&s)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let objcopy = ["s390x-linux-gnu-objcopy", "objcopy"];
    for tool in objcopy {
        let st = Command::new(tool).args(["-O", "binary", "-j", ".text"]).arg(&o).arg(&b).status();
        if st.is_ok_and(|s| s.success()) {
            return std::fs::read(&b).map_err(|e| e.to_string());
        }
    }
    Err("no objcopy for s390 found".into())
}

fn have_gnu_as() -> bool {
    Command::new("s390x-linux-gnu-as").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn every_instruction_and_operand_form_matches_gnu_as() {
    if !have_gnu_as() {
        println!("skipped: s390x-linux-gnu-as not installed");
        return;
    }
    let cases = cases();
    let gnu_src: String = cases.iter().map(|c| gnu_line(c) + "\n").collect();
    let gnu = gnu_bytes(&gnu_src).unwrap_or_else(|e| panic!("GNU as failed:\n{e}"));
    let mut ibm_src = String::from("GNUTEST  CSECT\n");
    let mut expected: Vec<(String, Vec<u8>)> = Vec::new();
    let mut at = 0usize;
    let mut total_forms = 0;
    for c in &cases {
        let len = OPCODES
            .iter()
            .find(|o| o.mnemonic == c.mnemonic)
            .or_else(|| {
                EXTENDED
                    .iter()
                    .find(|e| e.mnemonic == c.mnemonic)
                    .and_then(|e| OPCODES.iter().find(|o| o.mnemonic == e.base))
            })
            .map(|o| o.len() as usize)
            .expect("known mnemonic");
        let mut want = gnu[at..at + len].to_vec();
        at += len;
        if let Some((_, code)) = c.proxy {
            if code > 0xFF {
                want[..2].copy_from_slice(&code.to_be_bytes());
            } else {
                want[0] = code as u8;
            }
        }
        for s in ibm_spellings(c) {
            ibm_src.push_str(&format!("         {:<6}{s}\n", c.mnemonic));
            expected.push((format!("{} {s}", c.mnemonic), want.clone()));
            total_forms += 1;
        }
    }
    ibm_src.push_str("         END\n");
    let asm =
        assemble(&ibm_src, &Options::default()).unwrap_or_else(|e| panic!("{e}\n{}", e.listing));
    let mut pos = 0;
    let mut bad = Vec::new();
    for (text, want) in &expected {
        let got = &asm.image[pos..pos + want.len()];
        if got != want.as_slice() {
            bad.push(format!("{text}: ours {got:02X?}, GNU {want:02X?}"));
        }
        pos += want.len();
    }
    assert!(bad.is_empty(), "{} of {total_forms} forms differ:\n{}", bad.len(), bad.join("\n"));
    let proxied = cases.iter().filter(|c| c.proxy.is_some()).count();
    println!(
        "{} cases ({} IBM spellings) of {} instructions and {} extended mnemonics match GNU as ({} through a same-format proxy)",
        cases.len(),
        total_forms,
        OPCODES.len(),
        EXTENDED.len(),
        proxied
    );
}
