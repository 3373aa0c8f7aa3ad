//! The interpreter's benchmark workloads (issue 2's speed table), as raw images that run
//! unchanged on this machine and in Hercules, so both can be timed on the same code.
//!
//! Every image is loaded at X'2000' and started there (BC mode, key 0, all masks off) with
//! R3 = the loop count. It brackets its loop with STORE CLOCK (at X'2100' and X'2108'),
//! so a run in Hercules can be timed from inside the guest, and ends in a disabled wait.
//!
//! ```text
//! 2000  BALR 12,0 ; [setup] ; STCK T0 ; LOOP: body ; BCT 3,LOOP ; STCK T1 ; LPSW DONE
//! 2100  T0   2108  T1   2110  DONE (disabled wait)   2200  data
//! ```

/// One benchmark program.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Short name, as printed.
    pub name: &'static str,
    /// The image, loaded at [`LOAD`].
    pub image: Vec<u8>,
    /// Instructions per loop iteration (the BCT included).
    pub per_iteration: u64,
    /// Instructions outside the loop.
    pub fixed: u64,
    /// A loop count for about a second of Hercules time.
    pub default_count: u32,
}

impl Workload {
    /// Instructions executed with loop count `n`.
    pub fn instructions(&self, n: u32) -> u64 {
        self.fixed + self.per_iteration * u64::from(n)
    }
}

/// Where the images are loaded and started.
pub const LOAD: u32 = 0x2000;
/// Where the two STORE CLOCK values are.
pub const TOD_AT: u32 = 0x2100;

/// A tiny assembler for the loops: base register 12 holds X'2002'.
struct Asm {
    code: Vec<u8>,
}

const BASE: u32 = 0x2002;

impl Asm {
    fn here(&self) -> u32 {
        LOAD + self.code.len() as u32
    }
    fn rr(&mut self, op: u8, r1: u8, r2: u8) -> &mut Asm {
        self.code.extend([op, (r1 << 4) | r2]);
        self
    }
    /// An RX/RS/S-style instruction addressing absolute `a` through R12.
    fn rx(&mut self, op: u8, r1: u8, a: u32) -> &mut Asm {
        let d = a - BASE;
        self.code.extend([op, r1 << 4, 0xC0 | (d >> 8) as u8, d as u8]);
        self
    }
    /// An RS instruction with R1/R3 byte `r` addressing absolute `a` through R12.
    fn rs(&mut self, op: u8, r: u8, a: u32) -> &mut Asm {
        let d = a - BASE;
        self.code.extend([op, r, 0xC0 | (d >> 8) as u8, d as u8]);
        self
    }
    fn s(&mut self, op: u16, a: u32) -> &mut Asm {
        let d = a - BASE;
        self.code.extend([(op >> 8) as u8, op as u8, 0xC0 | (d >> 8) as u8, d as u8]);
        self
    }
    fn ss(&mut self, op: u8, l: u8, a1: u32, a2: u32) -> &mut Asm {
        let (d1, d2) = (a1 - BASE, a2 - BASE);
        self.code.extend([
            op,
            l,
            0xC0 | (d1 >> 8) as u8,
            d1 as u8,
            0xC0 | (d2 >> 8) as u8,
            d2 as u8,
        ]);
        self
    }
}

const T0: u32 = TOD_AT;
const T1: u32 = TOD_AT + 8;
const DONE: u32 = 0x2110;
const DATA: u32 = 0x2200;

/// Builds an image: BALR 12,0 ; setup ; STCK T0 ; LOOP: body ; BCT 3,LOOP ; STCK T1 ;
/// LPSW DONE ; data.
fn build(
    name: &'static str,
    setup: impl Fn(&mut Asm),
    body: impl Fn(&mut Asm),
    data: &[(u32, Vec<u8>)],
    default_count: u32,
) -> Workload {
    let mut a = Asm { code: Vec::new() };
    a.rr(0x05, 12, 0);
    setup(&mut a);
    let setup_len = count(&a.code) - 1;
    a.s(0xB205, T0);
    let top = a.here();
    let before = count(&a.code);
    body(&mut a);
    let per = count(&a.code) - before + 1;
    a.rx(0x46, 3, top);
    a.s(0xB205, T1);
    a.s(0x8200, DONE);
    let mut image = vec![0u8; 0x1000];
    image[..a.code.len()].copy_from_slice(&a.code);
    let done = (DONE - LOAD) as usize;
    image[done..done + 8].copy_from_slice(&0x0002_0000_0000_0E0Du64.to_be_bytes());
    for (at, bytes) in data {
        let o = (at - LOAD) as usize;
        image[o..o + bytes.len()].copy_from_slice(bytes);
    }
    Workload { name, image, per_iteration: per, fixed: setup_len + 4, default_count }
}

/// Instructions in a straight run of code.
fn count(code: &[u8]) -> u64 {
    let mut i = 0;
    let mut n = 0;
    while i < code.len() {
        i += crate::format::length_of(code[i]) as usize;
        n += 1;
    }
    n
}

/// The L/A/ST/BCT loop (Hercules' usual anchor: `L 4,W ; A 4,ONE ; ST 4,W ; BCT 3,LOOP`).
pub fn load_add_store() -> Workload {
    build(
        "L/A/ST/BCT",
        |_| {},
        |a| {
            a.rx(0x58, 4, DATA).rx(0x5A, 4, DATA + 4).rx(0x50, 4, DATA);
        },
        &[(DATA + 4, 1u32.to_be_bytes().to_vec())],
        60_000_000,
    )
}

/// The register loop: `AR 4,5 ; AR 6,7 ; BCT 3,LOOP`.
pub fn add_register() -> Workload {
    build(
        "AR/AR/BCT",
        |_| {},
        |a| {
            a.rr(0x1A, 4, 5).rr(0x1A, 6, 7);
        },
        &[],
        80_000_000,
    )
}

/// Strings: `MVC A(256),B ; CLC A(256),B ; TR A(256),TABLE ; BCT`.
pub fn strings() -> Workload {
    let b: Vec<u8> = (0..=255u8).collect();
    let table: Vec<u8> = (0..=255u8).map(|x| x.wrapping_add(1)).collect();
    build(
        "MVC/CLC/TR",
        |_| {},
        |a| {
            a.ss(0xD2, 255, DATA, DATA + 0x100).ss(0xD5, 255, DATA, DATA + 0x100).ss(
                0xDC,
                255,
                DATA,
                DATA + 0x200,
            );
        },
        &[(DATA + 0x100, b), (DATA + 0x200, table)],
        4_000_000,
    )
}

/// Packed decimal: `ZAP ACC(8),INIT(8) ; AP ACC(8),ADD(5) ; SP ACC(8),SUB(3) ; CP ACC(8),INIT(8) ; BCT`.
pub fn decimal() -> Workload {
    build(
        "ZAP/AP/SP/CP",
        |_| {},
        |a| {
            a.ss(0xF8, 0x77, DATA, DATA + 8)
                .ss(0xFA, 0x74, DATA, DATA + 16)
                .ss(0xFB, 0x72, DATA, DATA + 24)
                .ss(0xF9, 0x77, DATA, DATA + 8);
        },
        &[
            (DATA + 8, vec![0, 0, 0, 0x01, 0x23, 0x45, 0x67, 0x8C]),
            (DATA + 16, vec![0, 0x98, 0x76, 0x54, 0x3C]),
            (DATA + 24, vec![0x12, 0x34, 0x5D]),
        ],
        10_000_000,
    )
}

/// Floating point: `LD 0,X ; AD 0,Y ; MD 0,ONE ; STD 0,R ; BCT`.
pub fn floating_point() -> Workload {
    build(
        "LD/AD/MD/STD",
        |_| {},
        |a| {
            a.rx(0x68, 0, DATA).rx(0x6A, 0, DATA + 8).rx(0x6C, 0, DATA + 16).rx(0x60, 0, DATA + 24);
        },
        &[
            (DATA, 0x4131_4159_2653_5898u64.to_be_bytes().to_vec()),
            (DATA + 8, 0x4127_1828_1828_4590u64.to_be_bytes().to_vec()),
            (DATA + 16, 0x4110_0000_0000_0000u64.to_be_bytes().to_vec()),
        ],
        30_000_000,
    )
}

/// The L/A/ST/BCT loop with DAT on: 4K pages, 64K segments, the first 64K identity
/// mapped; the setup loads CR0 and CR1 and an EC-mode PSW with the DAT bit.
pub fn load_add_store_dat() -> Workload {
    const SEGTAB: u32 = 0x2800;
    const PAGETAB: u32 = 0x2840;
    const CRS: u32 = 0x2300;
    const PSW: u32 = 0x2310;
    let mut w = build(
        "L/A/ST/BCT DAT",
        |a| {
            // LCTL 0,1,CRS ; LPSW PSW (continues at the next instruction, translated)
            a.rs(0xB7, 0x01, CRS).s(0x8200, PSW);
        },
        |a| {
            a.rx(0x58, 4, DATA).rx(0x5A, 4, DATA + 4).rx(0x50, 4, DATA);
        },
        &[(DATA + 4, 1u32.to_be_bytes().to_vec())],
        60_000_000,
    );
    let put = |img: &mut Vec<u8>, at: u32, b: &[u8]| {
        let o = (at - LOAD) as usize;
        img[o..o + b.len()].copy_from_slice(b);
    };
    put(&mut w.image, CRS, &0x0080_0000u32.to_be_bytes());
    put(&mut w.image, CRS + 4, &SEGTAB.to_be_bytes());
    // EC PSW, DAT on, IA = the instruction after the LPSW (2 + 4 + 4 = X'200A').
    put(&mut w.image, PSW, &0x0408_0000_0000_200Au64.to_be_bytes());
    put(&mut w.image, SEGTAB, &(0xF000_0000 | PAGETAB).to_be_bytes());
    for s in 1..16u32 {
        put(&mut w.image, SEGTAB + 4 * s, &1u32.to_be_bytes());
    }
    for p in 0..16u32 {
        put(&mut w.image, PAGETAB + 2 * p, &((p << 4) as u16).to_be_bytes());
    }
    w
}

/// All workloads, in the order of the speed table.
pub fn all() -> Vec<Workload> {
    vec![
        load_add_store(),
        add_register(),
        strings(),
        decimal(),
        floating_point(),
        load_add_store_dat(),
    ]
}

/// Runs `w` with loop count `n` on this interpreter; returns the instructions executed and
/// the host seconds they took.
pub fn run_here(w: &Workload, n: u32) -> (u64, f64) {
    let mut cpu = crate::cpu::Cpu::new(1 << 20);
    let _ = cpu.storage.write(LOAD, &w.image);
    cpu.gpr[3] = n;
    cpu.load_psw(u64::from(LOAD));
    let t0 = std::time::Instant::now();
    loop {
        match cpu.run(1 << 32) {
            crate::cpu::Exit::Wait { .. } => break,
            crate::cpu::Exit::Budget => {}
            _ => break,
        }
    }
    (cpu.counters().instructions, t0.elapsed().as_secs_f64())
}

/// Runs `w` with loop count `n` in Hercules through `run_s370.py` (path `script`) and
/// returns the instructions and the guest-measured seconds (from its two STORE CLOCKs),
/// or why not.
pub fn run_hercules(script: &std::path::Path, w: &Workload, n: u32) -> Result<(u64, f64), String> {
    let dir = std::env::temp_dir().join(format!("s370bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let img = dir.join("w.bin");
    std::fs::write(&img, &w.image).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&img)
        .arg(format!("--gpr=3={n:X}"))
        .arg(format!("--dump={TOD_AT:X}-{:X}", TOD_AT + 15))
        .arg("--timeout=120")
        .output()
        .map_err(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("STATUS WAIT") {
        return Err(format!("Hercules did not finish: {}", text.lines().next().unwrap_or("")));
    }
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("MEM {TOD_AT:08X} ")))
        .ok_or("no clock values in the dump")?;
    let hex = &line[13..];
    let t0 = u64::from_str_radix(&hex[..16], 16).map_err(|e| e.to_string())?;
    let t1 = u64::from_str_radix(&hex[16..32], 16).map_err(|e| e.to_string())?;
    let secs = (t1.wrapping_sub(t0) >> 12) as f64 / 1e6;
    Ok((w.instructions(n), secs))
}
