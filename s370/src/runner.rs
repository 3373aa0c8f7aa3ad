//! Running a raw image on a bare machine without devices, and reporting the final state in
//! the line format of `../shared/tools/hercules/run_s370.py`, so that a run here and a run
//! in Hercules can be compared line by line (`s370 run`, the differential tests).
//!
//! ```text
//! STATUS WAIT|TIMEOUT
//! PSW xxxxxxxx xxxxxxxx
//! GR00 xxxxxxxx ... GR15 xxxxxxxx
//! CR00 xxxxxxxx ... CR15 xxxxxxxx
//! FPR0 xxxxxxxxxxxxxxxx ... FPR6
//! INSTCOUNT n
//! MEM aaaaaaaa <16 bytes in hex>      one line per 16 bytes of every dump range
//! ```
//!
//! With no devices attached, every I/O instruction finds its device not operational
//! (CC 3), and DIAGNOSE gives a specification exception (as Hercules does for codes it does
//! not implement).

use crate::cpu::{Cpu, Exit, TimeSource};
use crate::interrupt::pic;

/// The new-PSW slots that get a disabled-wait "trap" PSW (IA = the slot's address), as
/// `run_s370.py` plants them, so an unexpected interruption ends the run visibly.
pub const TRAP_SLOTS: [u32; 5] = [0x58, 0x60, 0x68, 0x70, 0x78];

/// How to start the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A BC-mode PSW with all masks off, key 0, supervisor state, at this address (Hercules'
    /// `psw ia=` + `start`).
    At(u32),
    /// This PSW, stored at absolute 0 and made current by a restart interruption
    /// (Hercules' `r 0=` + `restart`).
    Psw(u64),
    /// A restart interruption with the PSW the image has at absolute 0 (Hercules'
    /// `restart`).
    Restart,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The raw big-endian image.
    pub image: Vec<u8>,
    /// Where it is loaded (absolute).
    pub load: u32,
    /// How it is started.
    pub start: Start,
    /// General registers to set before starting.
    pub gpr: Vec<(usize, u32)>,
    /// Control registers to set before starting.
    pub cr: Vec<(usize, u32)>,
    /// Storage ranges to report: (first address, last address), inclusive.
    pub dump: Vec<(u32, u32)>,
    /// Instruction limit (then STATUS TIMEOUT).
    pub max_insns: u64,
    /// Plant the trap PSWs.
    pub traps: bool,
    /// Main storage size in bytes.
    pub storage: usize,
}

impl RunSpec {
    /// A spec with the defaults of `run_s370.py`: 2 MB, traps, started at the load address.
    pub fn new(image: Vec<u8>, load: u32) -> RunSpec {
        RunSpec {
            image,
            load,
            start: Start::At(load),
            gpr: Vec::new(),
            cr: Vec::new(),
            dump: Vec::new(),
            max_insns: 100_000_000,
            traps: true,
            storage: 2 << 20,
        }
    }
}

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A disabled wait.
    Wait,
    /// The instruction limit, or an enabled wait nothing can end.
    Timeout,
    /// The processor entered the check-stop state.
    CheckStop,
}

/// The final state of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// How it ended.
    pub status: Status,
    /// The final PSW.
    pub psw: u64,
    /// General registers.
    pub gpr: [u32; 16],
    /// Control registers.
    pub cr: [u32; 16],
    /// Floating-point registers 0, 2, 4, 6.
    pub fpr: [u64; 4],
    /// Instructions executed.
    pub instructions: u64,
    /// The dumped storage, 16 bytes per line (address of the line, bytes), in address order.
    pub mem: Vec<(u32, [u8; 16])>,
}

impl Report {
    /// The report in `run_s370.py`'s line format.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "STATUS {}",
                match self.status {
                    Status::Wait => "WAIT",
                    Status::Timeout => "TIMEOUT",
                    Status::CheckStop => "CHECKSTOP",
                }
            ),
            format!("PSW {:08X} {:08X}", self.psw >> 32, self.psw as u32),
        ];
        out.extend(self.gpr.iter().enumerate().map(|(n, v)| format!("GR{n:02} {v:08X}")));
        out.extend(self.cr.iter().enumerate().map(|(n, v)| format!("CR{n:02} {v:08X}")));
        out.extend(self.fpr.iter().enumerate().map(|(n, v)| format!("FPR{} {v:016X}", 2 * n)));
        out.push(format!("INSTCOUNT {}", self.instructions));
        for (a, b) in &self.mem {
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            out.push(format!("MEM {a:08X} {hex}"));
        }
        out
    }
}

/// Parses a dump range: `START.LEN` or `START-END` (hex), or `START` (16 bytes).
pub fn parse_range(s: &str) -> Option<(u32, u32)> {
    let hex = |t: &str| u32::from_str_radix(t.trim(), 16).ok();
    if let Some((a, l)) = s.split_once('.') {
        let (a, l) = (hex(a)?, hex(l)?);
        Some((a, a.checked_add(l.max(1) - 1)?))
    } else if let Some((a, b)) = s.split_once('-') {
        Some((hex(a)?, hex(b)?))
    } else {
        let a = hex(s)?;
        Some((a, a.checked_add(15)?))
    }
}

/// Builds the machine of `spec`, ready to run.
pub fn prepare(spec: &RunSpec) -> Cpu {
    let mut cpu = Cpu::new(spec.storage);
    cpu.set_time_source(TimeSource::default());
    if spec.traps {
        for slot in TRAP_SLOTS {
            let _ = cpu
                .storage
                .write(slot, &(0x0002_0000_0000_0000u64 | u64::from(slot)).to_be_bytes());
        }
    }
    let size = cpu.storage.size();
    let load = spec.load as usize;
    if load < size {
        let n = spec.image.len().min(size - load);
        let _ = cpu.storage.write(spec.load, &spec.image[..n]);
    }
    for &(n, v) in &spec.gpr {
        cpu.gpr[n & 15] = v;
    }
    for &(n, v) in &spec.cr {
        cpu.cr[n & 15] = v;
    }
    match spec.start {
        Start::At(ia) => cpu.load_psw(u64::from(ia & 0x00FF_FFFF)),
        Start::Psw(psw) => {
            let _ = cpu.storage.write(0, &psw.to_be_bytes());
            cpu.load_psw(0);
            cpu.restart();
        }
        Start::Restart => {
            cpu.load_psw(0);
            cpu.restart();
        }
    }
    cpu
}

/// Runs `cpu` as a bare machine without devices until a disabled wait or `max_insns`.
pub fn run_bare(cpu: &mut Cpu, max_insns: u64) -> Status {
    let start = cpu.counters().instructions;
    loop {
        let done = cpu.counters().instructions - start;
        if done >= max_insns {
            return Status::Timeout;
        }
        match cpu.run((max_insns - done).min(1 << 24)) {
            Exit::Budget => {}
            Exit::Io(_) => cpu.complete_io(3),
            Exit::Diagnose { .. } => cpu.program_check(pic::SPECIFICATION, 2),
            Exit::Privileged(ic) => cpu.execute_intercepted(&ic),
            Exit::Wait { enabled: false } => return Status::Wait,
            // Nothing outside can post an interruption, and no time passes in a wait.
            Exit::Wait { enabled: true } => return Status::Timeout,
            Exit::CheckStop => return Status::CheckStop,
        }
    }
}

/// Runs `spec` and reports the final state.
pub fn run(spec: &RunSpec) -> Report {
    let mut cpu = prepare(spec);
    let status = run_bare(&mut cpu, spec.max_insns);
    let mut mem = Vec::new();
    for &(lo, hi) in &spec.dump {
        let mut a = lo & !15;
        while a <= hi {
            let mut b = [0u8; 16];
            let _ = cpu.storage.read(a, &mut b);
            mem.push((a, b));
            match a.checked_add(16) {
                Some(n) => a = n,
                None => break,
            }
        }
    }
    // One line per 16 bytes, in address order, as run_s370.py prints them.
    mem.sort_by_key(|&(a, _)| a);
    mem.dedup_by_key(|&mut (a, _)| a);
    Report {
        status,
        psw: cpu.psw.to_u64(),
        gpr: cpu.gpr,
        cr: cpu.cr,
        fpr: cpu.fpr,
        instructions: cpu.counters().instructions,
        mem,
    }
}
