//! Per-instruction case tables: one instruction at X'2000' on a fresh 64K machine, with
//! the registers, storage, keys and PSW a row sets up, executed with `run(1)`; the row's
//! expectations are then checked (registers, CC, storage, the program interruption and
//! its ILC, the instruction address).

#![allow(dead_code)]

use s370::cpu::{Cpu, Exit};

/// Where the instruction is placed.
pub const AT: u32 = 0x2000;

/// One row of a case table.
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// The mnemonic (for coverage and messages).
    pub name: &'static str,
    insn: Vec<u8>,
    regs: Vec<(usize, u32)>,
    fprs: Vec<(usize, u64)>,
    crs: Vec<(usize, u32)>,
    mem: Vec<(u32, Vec<u8>)>,
    keys: Vec<(u32, u8)>,
    psw_key: u8,
    problem: bool,
    ec: bool,
    sysmask: u8,
    pm: u8,
    cc_in: u8,
    // Expectations.
    cc: Option<u8>,
    want_regs: Vec<(usize, u32)>,
    want_fprs: Vec<(usize, u64)>,
    want_crs: Vec<(usize, u32)>,
    want_mem: Vec<(u32, Vec<u8>)>,
    pgm: Option<u16>,
    ilc: Option<u32>,
    nullify: bool,
    ia: Option<u32>,
    exit: Option<Exit>,
    note: &'static str,
}

/// Parses hex text (spaces allowed).
pub fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(|c| c.is_ascii_hexdigit()).collect();
    d.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}

/// A row executing `insn` (hex).
pub fn c(name: &'static str, insn: &str) -> Case {
    Case { name, insn: hex(insn), ..Default::default() }
}

impl Case {
    /// Sets a general register.
    pub fn r(mut self, n: usize, v: u32) -> Case {
        self.regs.push((n, v));
        self
    }
    /// Sets a floating-point register (0, 2, 4, 6).
    pub fn f(mut self, n: usize, v: u64) -> Case {
        self.fprs.push((n, v));
        self
    }
    /// Sets a control register.
    pub fn cr(mut self, n: usize, v: u32) -> Case {
        self.crs.push((n, v));
        self
    }
    /// Puts bytes (hex) in storage.
    pub fn m(mut self, a: u32, h: &str) -> Case {
        self.mem.push((a, hex(h)));
        self
    }
    /// Sets the storage key of the 2K block holding `a`.
    pub fn key(mut self, a: u32, k: u8) -> Case {
        self.keys.push((a, k));
        self
    }
    /// Runs with this PSW key.
    pub fn psw_key(mut self, k: u8) -> Case {
        self.psw_key = k;
        self
    }
    /// Runs in the problem state.
    pub fn problem(mut self) -> Case {
        self.problem = true;
        self
    }
    /// Runs in EC mode.
    pub fn ec(mut self) -> Case {
        self.ec = true;
        self
    }
    /// Runs with this system mask.
    pub fn sysmask(mut self, m: u8) -> Case {
        self.sysmask = m;
        self
    }
    /// Runs with this program mask.
    pub fn pm(mut self, m: u8) -> Case {
        self.pm = m;
        self
    }
    /// Runs with this condition code.
    pub fn cc_in(mut self, cc: u8) -> Case {
        self.cc_in = cc;
        self
    }
    /// Expects this condition code.
    pub fn cc(mut self, cc: u8) -> Case {
        self.cc = Some(cc);
        self
    }
    /// Expects this register value.
    pub fn gives(mut self, n: usize, v: u32) -> Case {
        self.want_regs.push((n, v));
        self
    }
    /// Expects this floating-point register value.
    pub fn gives_f(mut self, n: usize, v: u64) -> Case {
        self.want_fprs.push((n, v));
        self
    }
    /// Expects this control register value.
    pub fn gives_cr(mut self, n: usize, v: u32) -> Case {
        self.want_crs.push((n, v));
        self
    }
    /// Expects these storage bytes.
    pub fn stores(mut self, a: u32, h: &str) -> Case {
        self.want_mem.push((a, hex(h)));
        self
    }
    /// Expects a program interruption with this code (suppressed or completed: the old
    /// PSW points past the instruction).
    pub fn pgm(mut self, code: u16) -> Case {
        self.pgm = Some(code);
        self
    }
    /// Expects a nullifying program interruption (old PSW at the instruction).
    pub fn pgm_null(mut self, code: u16) -> Case {
        self.pgm = Some(code);
        self.nullify = true;
        self
    }
    /// Expects this ILC with the program interruption (default: the instruction's).
    pub fn ilc(mut self, ilc: u32) -> Case {
        self.ilc = Some(ilc);
        self
    }
    /// Expects the PSW's instruction address after the instruction (a branch).
    pub fn ia(mut self, a: u32) -> Case {
        self.ia = Some(a);
        self
    }
    /// Expects `run(1)` to end with this exit.
    pub fn exit(mut self, e: Exit) -> Case {
        self.exit = Some(e);
        self
    }
    /// A note printed with a failure.
    pub fn note(mut self, n: &'static str) -> Case {
        self.note = n;
        self
    }

    /// Builds the machine of this row.
    pub fn machine(&self) -> Cpu {
        let mut cpu = Cpu::new(64 * 1024);
        // Program new PSW: a disabled wait, so nothing runs after the interruption.
        cpu.storage.write(0x68, &0x0002_0000_0000_0068u64.to_be_bytes()).expect("low storage");
        cpu.storage.write(AT, &self.insn).expect("program");
        for (a, b) in &self.mem {
            cpu.storage.write(*a, b).expect("row storage");
        }
        for &(a, k) in &self.keys {
            cpu.storage.set_key(a, k);
        }
        for &(n, v) in &self.regs {
            cpu.gpr[n] = v;
        }
        for &(n, v) in &self.fprs {
            cpu.fpr[n / 2] = v;
        }
        for &(n, v) in &self.crs {
            cpu.cr[n] = v;
        }
        let b1 = (self.psw_key << 4)
            | if self.ec { 0x08 } else { 0 }
            | if self.problem { 0x01 } else { 0 };
        let psw = if self.ec {
            [self.sysmask, b1, (self.cc_in << 4) | self.pm, 0, 0, 0, (AT >> 8) as u8, AT as u8]
        } else {
            [self.sysmask, b1, 0, 0, (self.cc_in << 4) | self.pm, 0, (AT >> 8) as u8, AT as u8]
        };
        cpu.load_psw(u64::from_be_bytes(psw));
        cpu
    }

    /// Runs the row and checks it; returns a description of what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let mut cpu = self.machine();
        let exit = cpu.run(1);
        let mut errs = Vec::new();
        if let Some(e) = self.exit
            && e != exit
        {
            errs.push(format!("exit {exit:?}, want {e:?}"));
        }
        let mut old = [0u8; 8];
        cpu.storage.read(0x28, &mut old).expect("low storage");
        let taken = old != [0; 8];
        let len = length(self.insn[0]);
        match self.pgm {
            None => {
                if taken {
                    let code = if self.ec {
                        pgm_code_ec(&cpu)
                    } else {
                        u16::from_be_bytes([old[2], old[3]])
                    };
                    errs.push(format!("program interruption {code:04X}"));
                }
                if let Some(cc) = self.cc
                    && cpu.psw.cc != cc
                {
                    errs.push(format!("CC {}, want {cc}", cpu.psw.cc));
                }
                let ia = self.ia.unwrap_or(AT + len);
                if self.exit.is_none() && cpu.psw.ia != ia {
                    errs.push(format!("IA {:06X}, want {ia:06X}", cpu.psw.ia));
                }
            }
            Some(code) => {
                if !taken {
                    errs.push(format!("no program interruption, want {code:04X}"));
                } else {
                    let (got, ilc) = if self.ec {
                        (pgm_code_ec(&cpu), u32::from(cpu.storage.bytes()[0x8D] >> 1))
                    } else {
                        (u16::from_be_bytes([old[2], old[3]]), u32::from(old[4] >> 6))
                    };
                    if got != code {
                        errs.push(format!("program code {got:04X}, want {code:04X}"));
                    }
                    let want_ilc = self.ilc.unwrap_or(len / 2);
                    if ilc != want_ilc {
                        errs.push(format!("ILC {ilc}, want {want_ilc}"));
                    }
                    let ia = u32::from_be_bytes([0, old[5], old[6], old[7]]);
                    let want_ia = self.ia.unwrap_or(if self.nullify { AT } else { AT + len });
                    if ia != want_ia {
                        errs.push(format!("old PSW IA {ia:06X}, want {want_ia:06X}"));
                    }
                    let cc = if self.ec { (old[2] >> 4) & 3 } else { (old[4] >> 4) & 3 };
                    if let Some(want) = self.cc
                        && cc != want
                    {
                        errs.push(format!("old PSW CC {cc}, want {want}"));
                    }
                }
            }
        }
        for &(n, v) in &self.want_regs {
            if cpu.gpr[n] != v {
                errs.push(format!("R{n} {:08X}, want {v:08X}", cpu.gpr[n]));
            }
        }
        for &(n, v) in &self.want_fprs {
            if cpu.fpr[n / 2] != v {
                errs.push(format!("F{n} {:016X}, want {v:016X}", cpu.fpr[n / 2]));
            }
        }
        for &(n, v) in &self.want_crs {
            if cpu.cr[n] != v {
                errs.push(format!("CR{n} {:08X}, want {v:08X}", cpu.cr[n]));
            }
        }
        for (a, b) in &self.want_mem {
            let mut got = vec![0u8; b.len()];
            cpu.storage.read(*a, &mut got).expect("inside storage");
            if &got != b {
                errs.push(format!("storage {a:06X} {}, want {}", hexs(&got), hexs(b)));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(format!("{} {} {}: {}", self.name, hexs(&self.insn), self.note, errs.join("; ")))
        }
    }
}

/// The instruction length of an opcode byte.
pub fn length(op: u8) -> u32 {
    match op >> 6 {
        0 => 2,
        1 | 2 => 4,
        _ => 6,
    }
}

fn pgm_code_ec(cpu: &Cpu) -> u16 {
    let b = cpu.storage.bytes();
    u16::from_be_bytes([b[0x8E], b[0x8F]])
}

fn hexs(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Runs every row; panics listing the failures.
pub fn run_table(rows: &[Case]) {
    let fails: Vec<String> = rows.iter().filter_map(|c| c.check().err()).collect();
    assert!(fails.is_empty(), "{} of {} rows fail:\n{}", fails.len(), rows.len(), fails.join("\n"));
}
