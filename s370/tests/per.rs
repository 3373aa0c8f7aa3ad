//! Program-event recording (PoO GA22-7000, "Program-Event Recording"): the events of
//! control register 9 over the area of CR10/CR11, reported by program interruptions with
//! code bit X'0080', the PER code at X'96' and the PER address at X'98'.
//!
//! The programs below run a body with PER on; a program-interruption handler (PER off)
//! appends to a log, for every interruption, the old PSW and the 16 bytes at X'8C'
//! (ILC and code, translation-exception address, monitor class, PER code, PER address)
//! and resumes the old PSW. The log is compared with the expected events here and, when
//! Hercules 3.13 is installed, with Hercules (which implements PER without register
//! alteration, so those runs leave CR9 bit 3 off).

mod common;
use common::herc::*;
use common::*;
use s370::asm::{Assembly, Options, assemble};
use s370::cpu::{Cpu, Exit, mcic};

/// One logged interruption: old PSW, the interruption code (with ILC), PER code, PER
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Logged {
    psw: u64,
    ilc: u8,
    code: u16,
    per: u8,
    addr: u32,
}

/// The test harness around `body` (assembler statements run with PER on; it must end by
/// branching to FIN). DATA (16 bytes) and OUTSIDE are storage operands, R9 addresses
/// DATA, the program mask is on for fixed-point overflow.
fn program(body: &str) -> Assembly {
    let src = format!(
        "PERT     START X'2000'
         BALR  12,0
         USING *,12
         MVC   104(8,0),PGMNEW
         LA    10,LOG
         SR    11,11
         LA    9,DATA
         LCTL  9,11,PERCRS
         LPSW  GO
         DS    0D
GO       DC    X'40080800',A(BODY)
PGMNEW   DC    X'00080000',A(HANDLER)
DONE     DC    X'00020000',A(0)
BAD      DC    X'00020000',A(X'BAD')
PERCRS   DC    3F'0'
BODY     DS    0H
{body}
DATA     DC    4F'0'
BODYEND  EQU   *-1
FIN      LPSW  DONE
HANDLER  MVC   0(8,10),40(0)
         MVC   8(16,10),140(0)
         XC    150(6,0),150(0)
         LA    10,24(10)
         LA    11,1(11)
         CH    11,MAXN
         BC    2,STOP
         LPSW  40(0)
STOP     LPSW  BAD
MAXN     DC    H'30'
OUTSIDE  DS    F
         DS    0D
LOG      DS    90D
         END   PERT
"
    );
    assemble(&src, &Options::default()).unwrap_or_else(|e| panic!("{e}\n{}", e.listing))
}

/// The log entries in the dump lines of a run (`MEM aaaaaaaa <32 hex digits>`).
fn log_of(lines: &[String], log: u32, entries: u32) -> Vec<Logged> {
    let mut bytes = std::collections::BTreeMap::new();
    for l in lines.iter().filter(|l| l.starts_with("MEM ")) {
        let mut parts = l.split_whitespace().skip(1);
        let a = u32::from_str_radix(parts.next().expect("address"), 16).expect("hex address");
        let data: String = parts.collect();
        for (i, b) in hex(&data).into_iter().enumerate() {
            bytes.insert(a + i as u32, b);
        }
    }
    let at = |a: u32| *bytes.get(&a).expect("dumped");
    (0..entries)
        .map(|k| {
            let e = log + 24 * k;
            let psw = (0..8).fold(0u64, |v, i| (v << 8) | u64::from(at(e + i)));
            Logged {
                psw,
                ilc: at(e + 9) >> 1,
                code: u16::from_be_bytes([at(e + 10), at(e + 11)]),
                per: at(e + 18),
                addr: u32::from_be_bytes([at(e + 20), at(e + 21), at(e + 22), at(e + 23)]),
            }
        })
        .collect()
}

/// Runs `a` here and (if installed) in Hercules with CR9-CR11 set to `cr` (by the
/// program's LCTL: Hercules 3.13 arms PER only when LCTL loads CR9); returns our log,
/// our lines and Hercules' lines.
fn run_both(a: &Assembly, cr: &[(usize, u32)]) -> (Vec<Logged>, Vec<String>, Option<Vec<String>>) {
    let log = a.value("LOG").expect("LOG");
    let dump = [(log, log + 24 * 30 - 1)];
    let mut image = a.image.clone();
    let at = (a.value("PERCRS").expect("PERCRS") - a.origin) as usize;
    for &(n, v) in cr {
        let k = at + 4 * (n - 9);
        image[k..k + 4].copy_from_slice(&v.to_be_bytes());
    }
    let (o, h) = both_image(&image, &[], &[], &dump);
    assert_eq!(line(&o, "STATUS"), "STATUS WAIT", "{o:?}");
    assert_eq!(line(&o, "PSW"), "PSW 00020000 00000000", "the program ends at FIN: {o:?}");
    let n = u32::from_str_radix(line(&o, "GR11").trim_start_matches("GR11 "), 16).expect("GR11");
    (log_of(&o, log, n), o, h)
}

/// The events every test expects for an instruction at `addr` of `len` bytes followed
/// by nothing else: old PSW at the next instruction (EC mode, PER on, PM 8, CC `cc`).
fn ev(addr: u32, len: u32, cc: u8, per: u8) -> Logged {
    Logged {
        psw: 0x4008_0800_0000_0000 | (u64::from(cc) << 44) | u64::from(addr + len),
        ilc: (len / 2) as u8,
        code: 0x80,
        per,
        addr,
    }
}

/// Compares the dumps (log), registers and PSW with Hercules when it is installed.
fn same_as_hercules(o: &[String], h: Option<Vec<String>>, skip_regs: &[&str]) {
    let Some(h) = h else {
        eprintln!("skipped: hercules (or ../shared/tools/hercules/run_s370.py) not installed");
        return;
    };
    // Hercules shows the last ILC in a BC-mode PSW (bits 32-33): mask them.
    let psw = |l: &[String]| {
        let p = line(l, "PSW ").replace(' ', "");
        u64::from_str_radix(p.trim_start_matches("PSW"), 16).map(|v| v & !(3 << 30))
    };
    assert_eq!(psw(o), psw(&h), "PSW");
    for prefix in ["STATUS", "MEM"] {
        let ours: Vec<&String> = o.iter().filter(|l| l.starts_with(prefix)).collect();
        let theirs: Vec<&String> = h.iter().filter(|l| l.starts_with(prefix)).collect();
        assert_eq!(ours, theirs, "{prefix} lines differ from Hercules");
    }
    for r in 0..16 {
        let p = format!("GR{r:02}");
        if !skip_regs.contains(&p.as_str()) {
            assert_eq!(line(o, &p), line(&h, &p), "{p}");
        }
    }
}

const SB: u8 = 0x80;
const IF: u8 = 0x40;
const SA: u8 = 0x20;
const GRA: u8 = 0x10;

#[test]
fn branching_fetching_and_storing_are_recorded_like_hercules() {
    let a = program(
        "         LA    1,5(1)
         ST    1,0(9)
         MVC   4(4,9),0(9)
         MVC   OUTSIDE(4),0(9)
         BC    15,B1
B1       BC    0,B1
         EX    0,EXT
         L     2,MAXINT
         AR    2,2
         DC    H'0'
         BC    15,FIN
EXT      MVI   8(9),X'AA'
MAXINT   DC    F'2147483647'",
    );
    let body = a.value("BODY").expect("BODY");
    let end = a.value("BODYEND").expect("BODYEND");
    let cr = [(9, 0xE000_0000), (10, body), (11, end)];
    let (log, o, h) = run_both(&a, &cr);
    let b = |label: &str| a.value(label).expect(label);
    let fin = b("FIN");
    // The overflow sets CC 3 (and keeps it); the operation exception leaves the CC.
    let mut expect = vec![
        ev(body, 4, 0, IF),
        ev(body + 4, 4, 0, IF | SA),
        ev(body + 8, 6, 0, IF | SA),
        ev(body + 14, 6, 0, IF),
        Logged { psw: 0x4008_0800_0000_0000 | u64::from(b("B1")), ..ev(body + 20, 4, 0, SB | IF) },
        ev(b("B1"), 4, 0, IF),
        ev(b("B1") + 4, 4, 0, IF | SA),
        ev(b("B1") + 8, 4, 0, IF),
        Logged { code: 0x88, ..ev(b("B1") + 12, 2, 3, IF) },
        Logged { code: 0x81, ilc: 1, ..ev(b("B1") + 14, 2, 3, IF) },
        Logged { psw: 0x4008_3800_0000_0000 | u64::from(fin), ..ev(b("B1") + 16, 4, 3, SB | IF) },
    ];
    // EXECUTE: the PER address is EXECUTE's, its ILC 2.
    expect[6].ilc = 2;
    assert_eq!(log, expect);
    same_as_hercules(&o, h, &[]);
}

#[test]
fn every_kind_of_successful_branch_is_recorded_like_hercules() {
    // BCT taken then not; BXLE taken twice then not; BALR 14,0 (no branch); BALR 14,15;
    // EXECUTE of a BC (the PER address is EXECUTE's).
    let a = program(
        "         LA    2,2
LOOP     BCT   2,LOOP
         LA    4,1
         LA    5,2
         SR    6,6
X1       BXLE  6,4,X1
         BALR  14,0
         LA    15,B2
         BALR  14,15
B2       EX    0,EXBR
EXBR     BC    15,FIN",
    );
    let b = |label: &str| a.value(label).expect(label);
    let cr = [(9, 0x8000_0000), (10, 0), (11, 0x00FF_FFFF)];
    let (log, o, h) = run_both(&a, &cr);
    let to =
        |e: Logged, target: u32| Logged { psw: (e.psw & !0x00FF_FFFF) | u64::from(target), ..e };
    // CC: SR sets 0; nothing after changes it.
    let expect = vec![
        to(ev(b("LOOP"), 4, 0, SB), b("LOOP")),
        to(ev(b("X1"), 4, 0, SB), b("X1")),
        to(ev(b("X1"), 4, 0, SB), b("X1")),
        ev(b("B2") - 2, 2, 0, SB),
        Logged { ilc: 2, ..to(ev(b("B2"), 4, 0, SB), b("FIN")) },
    ];
    assert_eq!(log, expect);
    // Hercules 3.13 agrees on every event, address and old PSW, but the ILC it stores for
    // a branch's PER interruption is at times that of another instruction (BXLE with 1,
    // BALR with 2); the PoO: "the ILC indicates the length of the instruction designated
    // by the PER address".
    let Some(h) = h else {
        eprintln!("skipped: hercules (or ../shared/tools/hercules/run_s370.py) not installed");
        return;
    };
    let no_ilc = |l: Vec<Logged>| l.into_iter().map(|e| Logged { ilc: 0, ..e }).collect::<Vec<_>>();
    let theirs = log_of(&h, a.value("LOG").expect("LOG"), expect.len() as u32);
    assert_eq!(no_ilc(theirs.clone()), no_ilc(log.clone()));
    assert_ne!(theirs, log, "Hercules' ILCs differ (if this fails, Hercules now agrees)");
    assert_eq!(line(&o, "GR11"), line(&h, "GR11"), "the same number of interruptions");
    assert_eq!(line(&o, "GR14"), line(&h, "GR14"), "BALR's link information");
}

#[test]
fn general_register_alteration_follows_the_cr9_register_masks() {
    // Masks for R1, R3 and R4 only: LR 2,1 (R2) is not reported, LR 1,1 (same value) is,
    // CS unequal replaces R3, equal replaces nothing (but stores), LM 3,4 replaces both.
    let a = program(
        "         LR    2,1
         LR    1,1
         L     3,0(9)
         LA    3,1
         CS    3,4,0(9)
         SR    3,3
         CS    3,4,0(9)
         LM    3,4,0(9)
         BCT   4,FIN",
    );
    let body = a.value("BODY").expect("BODY");
    let cr = [(9, 0x1000_0000 | 0x4000 | 0x1000 | 0x0800), (10, 0), (11, 0x00FF_FFFF)];
    let (log, _, _) = run_both(&a, &cr);
    let fin = a.value("FIN").expect("FIN");
    // LR 2,1 (+0) is not reported; CS equal (+18: R3 = 0 = DATA) stores R4 and
    // replaces no register.
    let expect = vec![
        ev(body + 2, 2, 0, GRA),
        ev(body + 4, 4, 0, GRA),
        ev(body + 8, 4, 0, GRA),
        ev(body + 12, 4, 1, GRA),
        ev(body + 16, 2, 0, GRA),
        ev(body + 22, 4, 0, GRA),
        Logged { psw: 0x4008_0800_0000_0000 | u64::from(fin), ..ev(body + 26, 4, 0, GRA) },
    ];
    assert_eq!(log.len(), expect.len(), "{log:#X?}");
    assert_eq!(log, expect);
}

#[test]
fn compare_and_swap_alters_storage_only_when_it_stores() {
    // PoO: CS and CDS "are considered to alter the second-operand location only when
    // storing actually occurs". Hercules 3.13 reports the alteration in both cases.
    let a = program(
        "         LA    3,1
         CS    3,4,0(9)
         SR    3,3
         CS    3,4,0(9)
         BC    15,FIN",
    );
    let body = a.value("BODY").expect("BODY");
    let data = a.value("DATA").expect("DATA");
    let cr = [(9, 0x2000_0000), (10, data), (11, data + 3)];
    let (log, _, h) = run_both(&a, &cr);
    assert_eq!(log, vec![ev(body + 10, 4, 0, SA)]);
    if let Some(h) = h {
        let theirs = log_of(&h, a.value("LOG").expect("LOG"), 2);
        assert_eq!(theirs[0].per, SA, "Hercules reports the unequal CS as a store");
    }
}

#[test]
fn storage_area_wraps_around_and_stores_that_straddle_it_count() {
    // Area from DATA+2 up to the end of storage and from 0 to X'1FFF': ST 1,0(9) straddles
    // its start; the stores to OUTSIDE (after the area's start, so inside) count too; a
    // store below DATA but above X'1FFF' does not.
    let a = program(
        "         ST    1,0(9)
         ST    1,OUTSIDE
         STH   1,GO
         BC    15,FIN",
    );
    let body = a.value("BODY").expect("BODY");
    let data = a.value("DATA").expect("DATA");
    let cr = [(9, 0x2000_0000), (10, data + 2), (11, 0x1FFF)];
    let (log, o, h) = run_both(&a, &cr);
    assert_eq!(log, vec![ev(body, 4, 0, SA), ev(body + 4, 4, 0, SA)]);
    same_as_hercules(&o, h, &[]);
}

#[test]
fn a_suppressed_instruction_reports_its_fetch_but_not_its_store() {
    // CS on an odd address: specification exception, the instruction suppressed: the
    // PER code has the fetch and not the store, the interruption code is X'0086'.
    let a = program(
        "         CS    1,1,1(9)
         BC    15,FIN",
    );
    let body = a.value("BODY").expect("BODY");
    let cr = [(9, 0x6000_0000), (10, body), (11, a.value("BODYEND").expect("end"))];
    let (log, o, h) = run_both(&a, &cr);
    assert_eq!(log[0], Logged { code: 0x86, ..ev(body, 4, 0, IF) });
    same_as_hercules(&o, h, &[]);
}

#[test]
fn per_off_costs_no_events_and_the_block_cache_resumes() {
    // The same program with the PER mask off in CR9 (no event masks): nothing is logged.
    let a = program(
        "         LA    1,5(1)
         ST    1,0(9)
         BC    15,FIN",
    );
    let (log, _, _) = run_both(&a, &[(9, 0), (10, 0), (11, 0x00FF_FFFF)]);
    assert!(log.is_empty());
}

/// A machine in EC mode running `prog` at X'2000' with PER on for every event over all
/// storage, and program-new PSW = a disabled wait at X'68'.
fn per_machine(prog: &[u8]) -> Cpu {
    let mut cpu = machine(prog);
    cpu.cr[9] = 0xF000_FFFF;
    cpu.cr[10] = 0;
    cpu.cr[11] = 0x00FF_FFFF;
    cpu.load_psw(0x4008_0000_0000_2000);
    cpu
}

#[test]
fn an_svc_is_followed_by_its_per_interruption() {
    // SVC 5 at X'2000' with an SVC-new PSW that has PER off: the SVC interruption comes
    // first, then the program interruption for the SVC's fetch (ILC 1, PER address
    // X'2000'), whose old PSW is the SVC new PSW.
    let mut cpu = per_machine(&hex("0A05"));
    cpu.storage.bytes_mut()[0x60..0x68].copy_from_slice(&0x0008_0000_0000_3000u64.to_be_bytes());
    assert_eq!(run(&mut cpu, 100), Exit::Wait { enabled: false });
    assert_eq!(cpu.psw.ia, 0x68, "ended on the program trap");
    assert_eq!(dword(&cpu, 0x20), 0x4008_0000_0000_2002, "SVC old PSW");
    assert_eq!(dword(&cpu, 0x28), 0x0008_0000_0000_3000, "program old PSW: the SVC new PSW");
    assert_eq!(word(&cpu, 0x8C), 0x0002_0080, "ILC 1, code X'0080'");
    assert_eq!(word(&cpu, 0x94) & 0xFFFF, 0x4000, "PER code: instruction fetching");
    assert_eq!(word(&cpu, 0x98), 0x2000);
}

#[test]
fn lpsw_of_an_invalid_psw_reports_per_and_specification_together() {
    // LPSW of an EC PSW with bit 0 on (invalid): the early specification exception and
    // the LPSW's fetch event in one interruption, ILC 0.
    let prog = hex("8200 2008 0000 0000 80080000 00003000");
    let mut cpu = per_machine(&prog);
    cpu.gpr[2] = 0x2000;
    assert_eq!(run(&mut cpu, 100), Exit::Wait { enabled: false });
    assert_eq!(cpu.psw.ia, 0x68);
    assert_eq!(word(&cpu, 0x8C), 0x0000_0086, "ILC 0, specification + PER");
    assert_eq!(word(&cpu, 0x94) & 0xFFFF, 0x4000);
    assert_eq!(word(&cpu, 0x98), 0x2000);
}

#[test]
fn an_execute_target_fetched_from_the_area_counts_with_executes_address() {
    // EX 0,X'3000' (the target, LR 1,2, is the only thing in the area): IF and GRA, PER
    // address X'2000' (EXECUTE's), ILC 2.
    let mut prog = hex("4400 3000 8200 2010 0000 0000 0000 0000 00020000 00000000");
    prog.resize(0x1002, 0);
    prog[0x1000..0x1002].copy_from_slice(&hex("1812"));
    let mut cpu = per_machine(&prog);
    cpu.gpr[2] = 0x2000;
    cpu.gpr[3] = 0x3000;
    cpu.cr[9] = 0x5000_4000;
    cpu.cr[10] = 0x3000;
    cpu.cr[11] = 0x3001;
    assert_eq!(run(&mut cpu, 100), Exit::Wait { enabled: false });
    assert_eq!(cpu.psw.ia, 0x68);
    assert_eq!(dword(&cpu, 0x28), 0x4008_0000_0000_2004);
    assert_eq!(word(&cpu, 0x8C), 0x0004_0080);
    assert_eq!(word(&cpu, 0x94) & 0xFFFF, 0x5000);
    assert_eq!(word(&cpu, 0x98), 0x2000);
}

#[test]
fn an_interrupted_mvcl_reports_at_its_own_address() {
    // MVCL 2,4 padding 256K (the processor interrupts it after each 64K and resumes it)
    // with storage alteration at one byte of its second 64K: the PER interruption comes
    // after that unit, and the PER address and the old PSW both designate the MVCL.
    let mut cpu = Cpu::new(512 * 1024);
    plant_traps(&mut cpu);
    cpu.storage.bytes_mut()[0x2000..0x2006].copy_from_slice(&hex("0E24 8200 0100"));
    cpu.storage.bytes_mut()[0x100..0x108].copy_from_slice(&wait_psw(0).to_be_bytes());
    cpu.gpr[2] = 0x10000;
    cpu.gpr[3] = 0x40000;
    cpu.cr[9] = 0x2000_0000;
    cpu.cr[10] = 0x28000;
    cpu.cr[11] = 0x28000;
    cpu.load_psw(0x4008_0000_0000_2000);
    assert_eq!(run(&mut cpu, 1000), Exit::Wait { enabled: false });
    assert_eq!(cpu.psw.ia, 0x68);
    assert_eq!(word(&cpu, 0x8C), 0x0002_0080, "ILC 1 (MVCL), PER");
    assert_eq!(word(&cpu, 0x94) & 0xFFFF, 0x2000, "storage alteration");
    assert_eq!(word(&cpu, 0x98), 0x2000);
    assert_eq!(dword(&cpu, 0x28), 0x4008_2000_0000_2000, "resumes the MVCL (CC 2 set)");
    assert_eq!(cpu.gpr[2], 0x30000, "after two units");
}

#[test]
fn an_exigent_machine_check_while_disabled_stops_the_processor() {
    // PSW bit 13 off, CR14 bit 0 (check-stop control) on after reset: check stop.
    let mut cpu = machine(&hex("47F0 2000"));
    cpu.gpr[2] = 0x2000;
    cpu.post_machine_check(mcic::SYSTEM_DAMAGE);
    assert!(cpu.check_stopped());
    assert_eq!(run(&mut cpu, 100), Exit::CheckStop);
    assert_eq!(cpu.counters().instructions, 0, "nothing runs in the check-stop state");
    assert_eq!(run(&mut cpu, 100), Exit::CheckStop, "and it stays there");
    // A repressible condition while disabled just stays pending.
    cpu.reset(false);
    cpu.load_psw(0x2000);
    cpu.post_machine_check(mcic::DEGRADATION);
    assert!(!cpu.check_stopped());
    assert_eq!(run(&mut cpu, 100), Exit::Budget);
    // With the check-stop control off, an exigent condition waits for the mask.
    cpu.cr[14] &= !0x8000_0000;
    cpu.post_machine_check(mcic::INSTRUCTION_DAMAGE);
    assert!(!cpu.check_stopped());
    assert_eq!(run(&mut cpu, 100), Exit::Budget);
}

#[test]
fn a_second_exigent_machine_check_in_the_handler_stops_the_processor() {
    // Machine checks enabled: the first is taken (new PSW at X'70' with bit 13 off, a
    // loop at X'3000'); a second one during that handler check-stops.
    let mut cpu = machine(&hex("47F0 2000"));
    cpu.storage.bytes_mut()[0x3000..0x3004].copy_from_slice(&hex("47F0 3000"));
    cpu.gpr[2] = 0x2000;
    cpu.gpr[3] = 0x3000;
    cpu.storage.bytes_mut()[0x70..0x78].copy_from_slice(&0x0000_0000_0000_3000u64.to_be_bytes());
    cpu.cr[15] = 0x0000_4000;
    cpu.load_psw(0x0004_0000_0000_2000);
    assert_eq!(run(&mut cpu, 10), Exit::Budget);
    cpu.post_machine_check(mcic::SYSTEM_DAMAGE);
    assert_eq!(run(&mut cpu, 10), Exit::Budget);
    assert_eq!(cpu.psw.ia, 0x3000, "the first is taken");
    assert_eq!(dword(&cpu, 0xE8) >> 62, 0b10, "system damage in the code");
    assert_eq!(dword(&cpu, 0xE8) & 0xFFFF, 0, "no extended logout (length 0)");
    assert!(cpu.storage.bytes()[0x4000..0x4100].iter().all(|&b| b == 0), "MCEL area untouched");
    cpu.post_machine_check(mcic::INSTRUCTION_DAMAGE);
    assert_eq!(run(&mut cpu, 10), Exit::CheckStop);
    // A CPU reset ends the check-stop state.
    cpu.reset(false);
    assert!(!cpu.check_stopped());
    cpu.load_psw(0x2000);
    assert_eq!(run(&mut cpu, 10), Exit::Budget);
}

#[test]
fn a_machine_check_whose_code_cannot_be_stored_stops_the_processor() {
    // A prefix outside storage: the interruption code at X'E8' cannot be stored.
    let mut cpu = machine(&hex("47F0 2000"));
    cpu.prefix = 0x00FF_0000;
    cpu.load_psw(0x0004_0000_0000_2000);
    cpu.post_machine_check(mcic::SYSTEM_DAMAGE);
    assert_eq!(run(&mut cpu, 10), Exit::CheckStop);
}
