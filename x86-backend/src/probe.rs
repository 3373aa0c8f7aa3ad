//! The Popek–Goldberg probe: run x86 instructions that are sensitive but unprivileged inside a
//! guest and report what the guest saw next to what its registers and tables really say.
//!
//! Robin & Irvine (2000) list the x86 instructions that read or depend on privileged state
//! without trapping at CPL3: SGDT, SIDT, SLDT, SMSW, STR, PUSHF/POPF, MOV from a segment
//! register, LAR, LSL, VERR, ... With VT-x or AMD-V a guest sees its own state (equivalence);
//! under PVM, where guest CPL3 code runs directly on the host's CPU, some of them show the
//! host's state instead (see `../shared/reference/kvm.md` §4). Each item runs in a fresh VM so
//! one instruction that faults or is not emulated cannot hide the others.

use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

use crate::error::Result;
use crate::exit::Exit;
use crate::long_mode::{
    GDT, GDT_ADDR, GDT_LIMIT, IDT_ADDR, KERNEL_CS, KERNEL_DS, LongModeSetup, Ring, SYSTEM_AREA_END,
    TSS_SELECTOR, USER_CS, USER_DS,
};
use crate::regs::{RFLAGS_IF, RFLAGS_IOPL3};
use crate::system::{Flavour, Kvm};
use crate::vm::Vm;

/// The port each probe snippet writes to when it is done.
const DONE_PORT: u16 = 0x7f0;
/// Where the snippet is loaded.
const CODE: u64 = SYSTEM_AREA_END;
/// Where it stores what it saw (`rdi` points here).
const RESULT: u64 = SYSTEM_AREA_END + 0x1000;
/// Initial stack pointer.
const STACK: u64 = SYSTEM_AREA_END + 0x8000;
/// CR0 for the probe: the usual long-mode CR0 without WP and AM, so it differs from the CR0 of
/// a typical host (0x80050033) and a leak of the host's value would show.
const PROBE_CR0: u64 = 0x8000_0033;
/// RFLAGS bits the PUSHF items compare: IF and IOPL.
const FLAGS_MASK: u64 = RFLAGS_IF | RFLAGS_IOPL3;
/// How long one snippet may run before it is kicked (they take microseconds).
const DEADLINE: Duration = Duration::from_secs(5);

/// What a probe item saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The value the instruction produced.
    Value(u64),
    /// The guest did not get that far: it ended with this exit instead (e.g. an
    /// `InternalError` where KVM's emulator lacks the instruction, or `Shutdown` on a fault).
    Exit(Exit),
}

/// One instruction of the probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeItem {
    /// What was executed and which part of the result is shown, e.g. `"SGDT base"`.
    pub instruction: &'static str,
    /// The value the guest's own state implies (what a real machine would give).
    pub programmed: u64,
    /// What the guest saw.
    pub observed: Observed,
}

impl ProbeItem {
    /// Whether the guest saw its own state: the equivalence property for this instruction.
    pub fn equivalent(&self) -> bool {
        self.observed == Observed::Value(self.programmed)
    }
}

/// The probe's result for one host and ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeReport {
    /// The host's virtualization flavour.
    pub flavour: Flavour,
    /// The privilege level the probe ran at.
    pub ring: Ring,
    /// One entry per instruction, in a fixed order.
    pub items: Vec<ProbeItem>,
}

impl ProbeReport {
    /// The item for `instruction`, if the probe has one.
    pub fn item(&self, instruction: &str) -> Option<&ProbeItem> {
        self.items.iter().find(|i| i.instruction == instruction)
    }

    /// How many items were equivalent.
    pub fn equivalent_count(&self) -> usize {
        self.items.iter().filter(|i| i.equivalent()).count()
    }
}

impl fmt::Display for ProbeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ring = match self.ring {
            Ring::User => "CPL3",
            Ring::Supervisor => "CPL0",
        };
        writeln!(
            f,
            "sensitive-instruction probe: host {} at guest {ring}, {}/{} equivalent",
            self.flavour,
            self.equivalent_count(),
            self.items.len()
        )?;
        for item in &self.items {
            let seen = match &item.observed {
                Observed::Value(v) => format!("{v:#x}"),
                Observed::Exit(e) => format!("{:?}", e.kind()),
            };
            let verdict = if item.equivalent() { "ok" } else { "DIFFERS" };
            writeln!(
                f,
                "  {:<18} programmed {:<12} observed {:<14} {verdict}",
                item.instruction,
                format!("{:#x}", item.programmed),
                seen
            )?;
        }
        Ok(())
    }
}

/// How to read the answer out of the result area.
#[derive(Debug, Clone, Copy)]
enum Read {
    U8(u64),
    U16(u64),
    U64(u64),
    Flags,
}

struct Snippet {
    name: &'static str,
    /// Machine code; runs with `rdi` = RESULT, `dx` = DONE_PORT, rax = 0, and ends in OUT.
    code: &'static [u8],
    read: Read,
    programmed: fn(Ring) -> u64,
}

// Each snippet ends with `ee` = out dx, al.
const SGDT: &[u8] = &[0x0f, 0x01, 0x07, 0xee]; // sgdt [rdi]
const SIDT: &[u8] = &[0x0f, 0x01, 0x0f, 0xee]; // sidt [rdi]
const SLDT: &[u8] = &[0x0f, 0x00, 0x07, 0xee]; // sldt word [rdi]
const STR: &[u8] = &[0x0f, 0x00, 0x0f, 0xee]; // str word [rdi]
const SMSW: &[u8] = &[
    0x48, 0x0f, 0x01, 0xe0, // smsw rax
    0x48, 0x89, 0x07, // mov [rdi], rax
    0xee,
];
const PUSHF: &[u8] = &[
    0x9c, // pushfq
    0x8f, 0x07, // pop qword [rdi]
    0xee,
];
const POPF_SET: &[u8] = &[
    0x9c, // pushfq
    0x48, 0x81, 0x0c, 0x24, 0x00, 0x02, 0x00, 0x00, // or qword [rsp], 0x200 (IF)
    0x9d, // popfq
    0x9c, // pushfq
    0x8f, 0x07, // pop qword [rdi]
    0xee,
];
const POPF_CLEAR: &[u8] = &[
    0x9c, // pushfq
    0x48, 0x81, 0x0c, 0x24, 0x00, 0x02, 0x00, 0x00, // or qword [rsp], 0x200 (IF)
    0x9d, // popfq
    0x9c, // pushfq
    0x48, 0x81, 0x24, 0x24, 0xff, 0xfd, 0xff, 0xff, // and qword [rsp], ~0x200
    0x9d, // popfq
    0x9c, // pushfq
    0x8f, 0x07, // pop qword [rdi]
    0xee,
];
const MOV_CS: &[u8] = &[0x8c, 0x0f, 0xee]; // mov word [rdi], cs
const MOV_SS: &[u8] = &[0x8c, 0x17, 0xee]; // mov word [rdi], ss
const LAR: &[u8] = &[
    0xb9, 0x1b, 0x00, 0x00, 0x00, // mov ecx, 0x1b (USER_CS)
    0x0f, 0x02, 0xc1, // lar eax, ecx (eax stays 0 if the selector is refused)
    0x48, 0x89, 0x07, // mov [rdi], rax
    0xee,
];
const LSL: &[u8] = &[
    0xb9, 0x23, 0x00, 0x00, 0x00, // mov ecx, 0x23 (USER_DS)
    0x0f, 0x03, 0xc1, // lsl eax, ecx
    0x48, 0x89, 0x07, // mov [rdi], rax
    0xee,
];
const VERR: &[u8] = &[
    0xb9, 0x1b, 0x00, 0x00, 0x00, // mov ecx, 0x1b (USER_CS)
    0x0f, 0x00, 0xe1, // verr cx
    0x0f, 0x94, 0x07, // sete byte [rdi]
    0xee,
];

fn flags_for(ring: Ring, interrupts: bool) -> u64 {
    let iopl = if ring == Ring::User { RFLAGS_IOPL3 } else { 0 };
    iopl | if interrupts { RFLAGS_IF } else { 0 }
}

fn cs_for(ring: Ring) -> u64 {
    u64::from(if ring == Ring::User { USER_CS } else { KERNEL_CS })
}

fn ss_for(ring: Ring) -> u64 {
    u64::from(if ring == Ring::User { USER_DS } else { KERNEL_DS })
}

#[rustfmt::skip] // a table reads better aligned
const SNIPPETS: &[Snippet] = &[
    Snippet { name: "SGDT base",       code: SGDT,       read: Read::U64(2), programmed: |_| GDT_ADDR },
    Snippet { name: "SGDT limit",      code: SGDT,       read: Read::U16(0), programmed: |_| GDT_LIMIT as u64 },
    Snippet { name: "SIDT base",       code: SIDT,       read: Read::U64(2), programmed: |_| IDT_ADDR },
    Snippet { name: "SIDT limit",      code: SIDT,       read: Read::U16(0), programmed: |_| 0 },
    Snippet { name: "SLDT",            code: SLDT,       read: Read::U16(0), programmed: |_| 0 },
    Snippet { name: "STR",             code: STR,        read: Read::U16(0), programmed: |_| TSS_SELECTOR as u64 },
    Snippet { name: "SMSW",            code: SMSW,       read: Read::U64(0), programmed: |_| PROBE_CR0 },
    Snippet { name: "PUSHF (IF,IOPL)", code: PUSHF,      read: Read::Flags,  programmed: |r| flags_for(r, false) },
    Snippet { name: "POPF IF=1",       code: POPF_SET,   read: Read::Flags,  programmed: |r| flags_for(r, true) },
    Snippet { name: "POPF IF=0",       code: POPF_CLEAR, read: Read::Flags,  programmed: |r| flags_for(r, false) },
    Snippet { name: "MOV r/m,CS",      code: MOV_CS,     read: Read::U16(0), programmed: cs_for },
    Snippet { name: "MOV r/m,SS",      code: MOV_SS,     read: Read::U16(0), programmed: ss_for },
    // LAR yields the access-rights bytes of the descriptor: its high dword AND 0x00F0FF00.
    Snippet { name: "LAR user code",   code: LAR,        read: Read::U64(0), programmed: |_| (GDT[3] >> 32) & 0x00f0_ff00 },
    Snippet { name: "LSL user data",   code: LSL,        read: Read::U64(0), programmed: |_| 0xffff_ffff },
    Snippet { name: "VERR user code",  code: VERR,       read: Read::U8(0),  programmed: |_| 1 },
];

/// Runs every probe instruction in a fresh guest at `ring` and reports what each one saw.
///
/// `Err` only if the host fails (cannot create a VM); whatever the guest does is reported in
/// the items.
pub fn run_sensitive_probe(kvm: &Kvm, ring: Ring) -> Result<ProbeReport> {
    let mut items = Vec::with_capacity(SNIPPETS.len());
    for s in SNIPPETS {
        items.push(ProbeItem {
            instruction: s.name,
            programmed: (s.programmed)(ring),
            observed: run_snippet(kvm, ring, s)?,
        });
    }
    Ok(ProbeReport { flavour: kvm.flavour(), ring, items })
}

fn run_snippet(kvm: &Kvm, ring: Ring, s: &Snippet) -> Result<Observed> {
    let vm = Vm::new(kvm, 1 << 20)?;
    let mem = vm.memory();
    mem.write(CODE, s.code)?;
    mem.fill(RESULT, 16, 0xaa)?; // so "stored nothing" is visible
    let mut vcpu = vm.create_vcpu(0)?;
    let setup = LongModeSetup { entry: CODE, stack: STACK, ring };
    vcpu.setup_long_mode(&setup)?;
    let mut sregs = vcpu.sregs()?;
    sregs.cr0 = PROBE_CR0;
    vcpu.set_sregs(&sregs)?;
    let mut regs = vcpu.regs()?;
    regs.rdi = RESULT;
    regs.rdx = u64::from(DONE_PORT);
    vcpu.set_regs(&regs)?;

    // A watchdog kicks the vCPU if a snippet ever hangs (VMCALL-like behaviour at CPL0).
    let (done, wait) = mpsc::channel::<()>();
    let kicker = vcpu.kicker();
    let watchdog = std::thread::spawn(move || {
        if wait.recv_timeout(DEADLINE).is_err() {
            kicker.kick();
        }
    });
    let exit = vcpu.run();
    let _ = done.send(()); // the watchdog may already have given up waiting
    let _ = watchdog.join(); // it cannot panic
    let exit = exit?;
    if !matches!(exit, Exit::IoOut { port: DONE_PORT, .. }) {
        return Ok(Observed::Exit(exit));
    }
    let value = match s.read {
        Read::U8(off) => u64::from(mem.read_array::<1>(RESULT + off)?[0]),
        Read::U16(off) => u64::from(mem.read_u16(RESULT + off)?),
        Read::U64(off) => mem.read_u64(RESULT + off)?,
        Read::Flags => mem.read_u64(RESULT)? & FLAGS_MASK,
    };
    Ok(Observed::Value(value))
}
