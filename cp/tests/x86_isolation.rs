//! Resource control and equivalence on x86 machines: guests that misbehave (a store outside
//! storage, an endless loop, port I/O floods, a triple fault) are stopped or preempted by CP,
//! which tells their users, while an x86 CMS user works on undisturbed; and the sensitive-
//! instruction probe shows per host flavour what a CPL3 guest sees. Skipped without KVM.

mod common;
use common::Screen;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cp::backend::{ArchRegs, X86Regs};
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::Status;
use cp::vm::RunState;

const CONFIG: &str = "SYSID TESTVM\nCPUS 2\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n\
VOLUME X86VOL 3350 vol.3350 CYLINDERS 12\n\
SAVESYS CMS 1024 0 BUILTIN IPL MACHINE X86\n";

const DIRECT: &str = "DIRECTORY 130 3350 X86VOL
USER WORKER WORKER 16M 64M G
 MACHINE X86
 IPL CMS
 CONSOLE 009 3215
 MDISK 191 3350 001 002 X86VOL MR ALL WRITE MULT
USER FUZZ FUZZ 4M 16M G
 MACHINE X86
 CONSOLE 009 3215
 SPOOL 00C 2540 READER *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 LINK WORKER 191 192 RR
 MDISK 191 3350 003 001 X86VOL MR
USER BAD1 BAD1 4M 16M G
 MACHINE X86
 CONSOLE 009 3215
USER BAD2 BAD2 4M 16M G
 MACHINE X86
 CONSOLE 009 3215
USER BAD3 BAD3 4M 16M G
 MACHINE X86
 CONSOLE 009 3215
USER BAD4 BAD4 4M 16M G
 MACHINE X86
 CONSOLE 009 3215
USER BAD5 BAD5 4M 16M G
 MACHINE X86
 CONSOLE 009 3215
";

fn start() -> (tempfile::TempDir, Arc<System>) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), CONFIG).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), DIRECT).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    (dir, sys)
}

/// Loads `code` at X'10000' and starts it at CPL3 (the long-mode state logon left).
fn run_code(user: &Arc<User>, code: &[u8]) {
    let mut st = user.lock();
    st.vm.memory().write(0x10000, code).expect("code fits");
    let regs = X86Regs { rip: 0x10000, rflags: 0x3002, gpr: [0; 16] };
    let mut gpr = regs.gpr;
    gpr[6] = 0x30000; // rsp
    st.vm.backend.set_regs(&ArchRegs::X86(X86Regs { gpr, ..regs })).expect("x86 registers");
    st.vm.state = RunState::Running;
    st.cp_mode = false;
    drop(st);
    user.console.set_cp_mode(false);
    user.wake(cp::dispatch::Wake::Interactive);
}

/// `mov rax, 0x7000_0000 ; mov byte [rax], 1` — a store far beyond 4 MiB of storage.
const WILD_STORE: &[u8] = &[0x48, 0xB8, 0, 0, 0, 0x70, 0, 0, 0, 0, 0xC6, 0x00, 0x01, 0xEB, 0xFE];
/// `jmp $`
const LOOP: &[u8] = &[0xEB, 0xFE];
/// `mov dx, 0x80 ; 1: out dx, al ; jmp 1b`
const PORT_FLOOD: &[u8] = &[0x66, 0xBA, 0x80, 0x00, 0xEE, 0xEB, 0xFD];
/// `mov dx, 0x370 ; mov eax, 0x20000 ; 1: out dx, eax ; jmp 1b` — calls with a zero block
/// (an invalid kind), as fast as the guest can.
const CALL_FLOOD: &[u8] = &[0x66, 0xBA, 0x70, 0x03, 0xB8, 0x00, 0x00, 0x02, 0x00, 0xEF, 0xEB, 0xFD];
/// `ud2`: an invalid opcode with no IDT is a triple fault.
const TRIPLE_FAULT: &[u8] = &[0x0F, 0x0B];

#[test]
fn misbehaving_guests_are_stopped_or_preempted_and_others_run_on() {
    if !common::kvm() {
        return;
    }
    let (_dir, sys) = start();
    // The well-behaved user: x86 CMS.
    let ws = Arc::new(Screen::default());
    let worker = User::logon(&sys, "worker", "worker", Some(ws.clone())).expect("logon");
    ws.wait_line(0, 20, |l| l.starts_with("CMS VERSION")).expect("banner");
    let ready =
        |from: usize| ws.wait_line(from, 20, |l| l.starts_with("R;") || l.starts_with("R("));
    let deadline = Instant::now() + Duration::from_secs(20);
    while worker.console.status() != Status::VmRead && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    worker.input(&sys, "");
    ready(0).expect("first ready");

    let mut bad = Vec::new();
    for (name, code) in [
        ("BAD1", WILD_STORE),
        ("BAD2", LOOP),
        ("BAD3", PORT_FLOOD),
        ("BAD4", CALL_FLOOD),
        ("BAD5", TRIPLE_FAULT),
    ] {
        let s = Arc::new(Screen::default());
        let u = User::logon(&sys, name, name, Some(s.clone())).expect("logon");
        run_code(&u, code);
        bad.push((name, u, s));
    }
    let stop = |s: &Screen, what: &str| {
        s.wait_line(0, 20, |l| l.contains("CP ENTERED") && l.contains(what))
            .unwrap_or_else(|| panic!("no stop message with {what}: {:?}", s.lines()))
    };
    let m = stop(&bad[0].2, "ADDRESSING EXCEPTION: STORE AT X'70000000' OUTSIDE STORAGE");
    println!("BAD1: {m}");
    let m = stop(&bad[2].2, "I/O TO PORT X'0080'");
    println!("BAD3: {m}");
    let m = stop(&bad[4].2, "TRIPLE FAULT");
    println!("BAD5: {m}");
    for (i, (_, u, _)) in bad.iter().enumerate() {
        if matches!(i, 0 | 2 | 4) {
            assert!(matches!(u.lock().vm.state, RunState::Stopped(_)), "{i} stopped");
        }
    }

    // The looping guests keep running, in slices: the worker's commands still answer.
    for cmd in ["query disk a", "cp query time", "listfile * * a", "query search"] {
        let from = ws.lines().len();
        let t = Instant::now();
        let deadline = Instant::now() + Duration::from_secs(20);
        while worker.console.status() != Status::VmRead && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        worker.input(&sys, cmd);
        ready(from).unwrap_or_else(|| panic!("`{cmd}` answered: {:?}", &ws.lines()[from..]));
        println!("worker `{cmd}` answered in {:?} beside two looping guests", t.elapsed());
    }
    for i in [1, 3] {
        let (name, u, s) = &bad[i];
        let st = u.lock();
        assert!(
            matches!(st.vm.state, RunState::Running | RunState::Waiting),
            "{name} runs on: {:?} {:?}",
            st.vm.state,
            s.lines()
        );
        let c = st.vm.backend.counters();
        let kicks = c.interceptions.iter().find(|(k, _)| *k == "KICK").map_or(0, |(_, n)| *n);
        assert!(kicks > 0, "{name} was preempted at slice ends: {c:?}");
        println!("{name}: {c:?}");
    }
    let c = bad[3].1.lock().vm.backend.counters();
    assert!(c.interceptions.iter().any(|(k, n)| *k == "BADCALL" && *n > 0), "{c:?}");
    for (_, u, _) in &bad {
        u.logoff(&sys, true);
    }
    worker.logoff(&sys, false);
}

#[test]
fn sensitive_instruction_probe_per_flavour() {
    if !common::kvm() {
        return;
    }
    let kvm = x86_backend::Kvm::open().expect("kvm");
    let report = x86_backend::probe::run_sensitive_probe(&kvm, x86_backend::Ring::User)
        .expect("the probe runs");
    println!("{report}");
    use x86_backend::probe::Observed;
    let eq = |n: &str| report.item(n).expect("probe item").equivalent();
    // Trapped by UMIP (or hardware virtualization): the guest sees its own tables.
    for n in ["SGDT base", "SGDT limit", "SIDT base", "SIDT limit", "SLDT", "STR", "SMSW"] {
        assert!(eq(n), "{n}");
    }
    if report.flavour == x86_backend::Flavour::Pvm {
        // kvm.md §4, PVM column: PUSHF/POPF leak the real IF, MOV from CS/SS show the host's
        // user selectors, LAR/LSL/VERR consult the host's descriptor table.
        assert!(!eq("POPF IF=0"), "POPF cannot clear IF at CPL3 under PVM");
        for n in ["MOV r/m,CS", "MOV r/m,SS", "LAR user code", "LSL user data", "VERR user code"] {
            assert!(!eq(n), "{n} differs under PVM");
        }
        let cs = report.item("MOV r/m,CS").expect("item");
        assert_eq!(cs.observed, Observed::Value(0x33), "the host's user code selector");
        let ss = report.item("MOV r/m,SS").expect("item");
        assert_eq!(ss.observed, Observed::Value(0x2b), "the host's user data selector");
    }
}

/// A deterministic xorshift generator for the fuzz below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Where the fuzz blocks, channel programs and buffers lie in the guest's 4M.
const BLOCKS: u64 = 0x10_0000;
const CCWS: u64 = 0x20_0000;
const BUFFERS: u64 = 0x21_0000;
const CALLS: u32 = 1000;

/// `CALLS` call blocks of the right kinds with random contents: DIAGNOSE codes CP knows (and
/// some it does not), registers that point anywhere, I/O to real and absent devices with
/// random channel programs.
fn fuzz_blocks(rng: &mut Rng) -> Vec<u8> {
    use cms::abi::{CallBlock, kind};
    let storage = 4u32 << 20;
    let mut out = Vec::new();
    for _ in 0..CALLS {
        let mut gpr = [0u32; 16];
        for g in &mut gpr {
            *g = match rng.next() % 6 {
                0 => 0,
                1 => (rng.next() % 64) as u32,
                2 => storage - (rng.next() % 16) as u32,
                3 => (BUFFERS + rng.next() % 0x1000) as u32,
                4 => u32::MAX - (rng.next() % 16) as u32,
                _ => rng.next() as u32,
            };
        }
        let is_io = rng.next().is_multiple_of(3);
        let b = CallBlock {
            kind: if is_io {
                kind::IO
            } else {
                rng.pick(&[kind::DIAGNOSE, kind::DIAGNOSE, kind::POLL])
            },
            code: if is_io {
                (rng.next() % 9) as u16
            } else {
                rng.pick(&[
                    0x00, 0x08, 0x0C, 0x10, 0x18, 0x20, 0x24, 0x58, 0x5C, 0x60, 0x64, 0x4C, 0xFFFF,
                ])
            },
            rx: (rng.next() % 16) as u8,
            ry: (rng.next() % 16) as u8,
            gpr,
            device: {
                let any = rng.next() as u16;
                rng.pick(&[0x009, 0x00C, 0x00D, 0x00E, 0x191, 0x192, 0x123, any])
            },
            caw: (CCWS + (rng.next() % 0x100) * 8) as u32 | rng.pick(&[0, 0xE000_0000]),
            ..CallBlock::default()
        };
        out.extend_from_slice(&b.to_bytes());
    }
    out
}

/// Random CCWs: real command codes (read, write, sense, TIC, seek, search) on buffers inside,
/// at the edge of and outside storage, with random flags and counts.
fn fuzz_ccws(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..0x2000 / 8 {
        let any = rng.next() as u8;
        let cmd =
            rng.pick(&[0x01, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x29, 0x31, 0x1E, 0x05, any]);
        let addr: u32 = match rng.next() % 4 {
            0 => (CCWS + rng.next() % 0x2000) as u32,
            1 => (BUFFERS + rng.next() % 0x1000) as u32,
            2 => (4 << 20) - (rng.next() % 64) as u32,
            _ => rng.next() as u32 & 0x00FF_FFFF,
        };
        let flags = (rng.next() as u8) & 0xFC;
        let any = rng.next() as u16;
        let count = rng.pick(&[0u16, 1, 6, 80, 800, 0xFFFF, any]);
        let a = addr.to_be_bytes();
        let c = count.to_be_bytes();
        out.extend_from_slice(&[cmd, a[1], a[2], a[3], flags, 0, c[0], c[1]]);
    }
    out
}

/// `mov edx, 0x370 ; mov eax, BLOCKS ; mov ecx, CALLS ; 1: out dx, eax ; add eax, 96 ;
/// dec ecx ; jnz 1b ; jmp $`: every block in turn, then a loop.
fn fuzz_program() -> Vec<u8> {
    let mut p = vec![0xBA, 0x70, 0x03, 0x00, 0x00, 0xB8];
    p.extend_from_slice(&(BLOCKS as u32).to_le_bytes());
    p.push(0xB9);
    p.extend_from_slice(&CALLS.to_le_bytes());
    p.extend_from_slice(&[0xEF, 0x05, 0x60, 0x00, 0x00, 0x00, 0xFF, 0xC9, 0x75, 0xF6, 0xEB, 0xFE]);
    p
}

#[test]
fn garbage_calls_cannot_hurt_cp_or_other_users() {
    if !common::kvm() {
        return;
    }
    let (_dir, sys) = start();
    common::put_v_file(&sys, "X86VOL", (1, 2), ("KEEP", "DATA"), &["KEEP ME"]);
    let ws = Arc::new(Screen::default());
    let worker = User::logon(&sys, "worker", "worker", Some(ws.clone())).expect("logon");
    ws.wait_line(0, 20, |l| l.starts_with("CMS VERSION")).expect("banner");
    let command = |cmd: &str| {
        let from = ws.lines().len();
        let deadline = Instant::now() + Duration::from_secs(20);
        while worker.console.status() != Status::VmRead && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        worker.input(&sys, cmd);
        ws.wait_line(from, 30, |l| l.starts_with("R;") || l.starts_with("R("))
            .unwrap_or_else(|| panic!("`{cmd}` answered: {:?}", &ws.lines()[from..]));
        ws.lines()[from..].to_vec()
    };
    command("");
    command("listfile * * a (exec");
    let before = {
        let vol = Arc::clone(&sys.volumes["X86VOL"]);
        let mut d =
            cms::fs::CmsDisk::mount(cp::dasd::MinidiskBlocks::new(vol, 1, 2)).expect("disk");
        d.read_records(&cms::fs::FileId::new("CMS", "EXEC").expect("id")).expect("CMS EXEC")
    };
    assert!(cms::fs::ebcdic::decode(&before[0]).contains("KEEP     DATA"), "{before:?}");

    for seed in [0x9E37_79B9_7F4A_7C15u64, 0x0123_4567_89AB_CDEF, 42] {
        let mut rng = Rng(seed);
        let fs = Arc::new(Screen::default());
        let fuzz = User::logon(&sys, "fuzz", "fuzz", Some(fs.clone())).expect("logon");
        {
            let mut st = fuzz.lock();
            let mem = st.vm.memory();
            mem.write(BLOCKS, &fuzz_blocks(&mut rng)).expect("blocks fit");
            mem.write(CCWS, &fuzz_ccws(&mut rng)).expect("CCWs fit");
            let junk: Vec<u8> = (0..0x1000).map(|_| rng.next() as u8).collect();
            mem.write(BUFFERS, &junk).expect("buffers fit");
        }
        run_code(&fuzz, &fuzz_program());
        // Until every call was made (the guest then loops), or CP stopped the machine.
        let calls = |u: &Arc<User>| {
            let c = u.lock().vm.backend.counters();
            c.interceptions
                .iter()
                .filter(|(k, _)| !k.starts_with("EXIT") && !matches!(*k, "KICK" | "FAULT" | "WAIT"))
                .map(|(_, n)| n)
                .sum::<u64>()
        };
        // Until every call was made (the guest then loops), or CP stopped the machine. A
        // call may read the console (a DIAGNOSE or a read CCW), as a guest may: the "user"
        // answers with a null line; if it landed in CP mode, with BEGIN.
        let deadline = Instant::now() + Duration::from_secs(30);
        let (mut last, mut since, mut answers) = (0, Instant::now(), 0);
        let finished = loop {
            let done = calls(&fuzz);
            let state = fuzz.lock().vm.state.clone();
            if done >= u64::from(CALLS) || matches!(state, RunState::Stopped(_)) {
                println!("seed {seed:X}: {done} calls, {state:?}, {answers} console answers");
                break true;
            }
            if Instant::now() > deadline {
                println!("seed {seed:X}: {done} calls, {state:?}, {:?}", fs.lines());
                break false;
            }
            if done != last {
                (last, since) = (done, Instant::now());
            } else if since.elapsed() > Duration::from_millis(200) {
                match fuzz.console.status() {
                    Status::VmRead => fuzz.input(&sys, ""),
                    Status::CpRead => fuzz.input(&sys, "begin"),
                    _ => {}
                }
                answers += 1;
                since = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        println!("seed {seed:X}: {:?}", fuzz.lock().vm.backend.counters());
        assert!(finished, "the fuzzer made all its calls or was stopped");
        // CP answers the worker as before, and the fuzzer can be logged off.
        let out = command("cp query time");
        assert!(out[0].starts_with("TIME IS "), "{out:?}");
        fuzz.logoff(&sys, true);
        assert!(sys.user("FUZZ").is_none());
    }
    // The worker's disk, which the fuzzer linked read-only, is as it was.
    let out = command("query disk a");
    assert!(out[0].starts_with("A (191): 2 FILES"), "{out:?}");
    let vol = Arc::clone(&sys.volumes["X86VOL"]);
    let mut d = cms::fs::CmsDisk::mount(cp::dasd::MinidiskBlocks::new(vol, 1, 2)).expect("disk");
    assert!(d.check().expect("check").is_clean());
    let after =
        d.read_records(&cms::fs::FileId::new("CMS", "EXEC").expect("id")).expect("CMS EXEC");
    assert_eq!(before, after);
    worker.logoff(&sys, false);
}
