//! Interpretive execution for CP: with the assist off, privileged instructions in the
//! (virtual) supervisor state are intercepted and can be executed on request; with it on
//! they run in the interpreter. I/O and DIAGNOSE always exit; the problem state gets
//! privileged-operation exceptions. Counters record instructions and interceptions.

mod common;
use common::*;
use s370::cpu::{Exit, Intercept, IoOp, IoRequest, Mode};
use s370::format::Insn;

const ASSIST_OFF: Mode = Mode { interpretive: true, assist: false };
const ASSIST_ON: Mode = Mode { interpretive: true, assist: true };

#[test]
fn assist_off_intercepts_then_executes_on_request() {
    // SSM X'800' ; SVC 1
    let mut cpu = machine(&hex("80000800 0A01"));
    cpu.storage.write(0x800, &[0xFF]).expect("operand");
    cpu.set_mode(ASSIST_OFF);
    let e = cpu.run(10);
    let want =
        Intercept { ia: ORIGIN, insn: Insn::from_bytes(&hex("80000800")), len: 4, executed: false };
    assert_eq!(e, Exit::Privileged(want));
    assert_eq!(cpu.psw.sysmask, 0, "not yet performed");
    assert_eq!(cpu.psw.ia, ORIGIN + 4, "the PSW is past the instruction");
    assert_eq!(want.op().map(|o| o.mnemonic), Some("SSM"));
    cpu.execute_intercepted(&want);
    assert_eq!(cpu.psw.sysmask, 0xFF);
    assert_eq!(cpu.run(1), Exit::Budget);
    assert_eq!(cpu.counters().privileged, 1);
    assert_eq!(cpu.counters().svc, 1);
}

#[test]
fn assist_on_runs_privileged_instructions_inline() {
    let mut cpu = machine(&hex("80000800 0A01"));
    cpu.storage.write(0x800, &[0x03]).expect("operand");
    cpu.set_mode(ASSIST_ON);
    assert_eq!(cpu.run(2), Exit::Budget);
    assert_eq!(cpu.counters().privileged, 0);
    assert_eq!(dword(&cpu, 0x20) >> 56, 0x03, "SSM done, then the SVC");
}

#[test]
fn problem_state_gets_the_program_check_not_an_interception() {
    let mut cpu = machine(&hex("80000800"));
    cpu.load_psw(0x0001_0000_0000_0000 | u64::from(ORIGIN));
    cpu.set_mode(ASSIST_OFF);
    cpu.run(1);
    assert_eq!(dword(&cpu, 0x28), 0x0001_0002_8000_2004);
    assert_eq!(cpu.counters().privileged, 0);
    assert_eq!(cpu.counters().program, 1);
}

#[test]
fn io_and_diagnose_exit_in_both_assist_settings() {
    for mode in [ASSIST_OFF, ASSIST_ON, Mode::default()] {
        let mut cpu = machine(&hex("9C00000C 83120024"));
        cpu.set_mode(mode);
        assert_eq!(cpu.run(10), Exit::Io(IoRequest { op: IoOp::Sio, device: 0x00C }));
        cpu.complete_io(1);
        assert_eq!(cpu.psw.cc, 1);
        assert_eq!(cpu.run(10), Exit::Diagnose { r1: 1, r3: 2, code: 0x24 });
        assert_eq!(cpu.psw.ia, ORIGIN + 8);
        assert_eq!((cpu.counters().io, cpu.counters().diagnose), (1, 1));
    }
}

#[test]
fn semiprivileged_and_unprivileged_instructions_are_not_intercepted() {
    // SPKA X'50' ; IPK ; STCK X'800'
    let mut cpu = machine(&hex("B20A0050 B20B0000 B2050800"));
    cpu.storage.set_key(0x800, 0x50);
    cpu.set_mode(ASSIST_OFF);
    assert_eq!(cpu.run(3), Exit::Budget);
    assert_eq!(cpu.psw.key, 5);
    assert_eq!(cpu.gpr[2] & 0xFF, 0x50);
    assert_ne!(dword(&cpu, 0x800), 0, "STCK with key 5 into a key-5 block");
    assert_eq!(cpu.counters().privileged, 0);
}

#[test]
fn intercepted_target_of_execute() {
    // EX 1,X'800' where X'800' holds LCTL 0,0,X'810' and R1 = X'0F' (LCTL 0,15)
    let mut cpu = machine(&hex("44100800"));
    cpu.storage.write(0x800, &hex("B7000810")).expect("target");
    cpu.gpr[1] = 0x0F;
    cpu.set_mode(ASSIST_OFF);
    let Exit::Privileged(ic) = cpu.run(1) else { panic!("expected an interception") };
    assert_eq!((ic.ia, ic.len, ic.executed), (ORIGIN, 4, true));
    assert_eq!(ic.insn, Insn::from_bytes(&hex("B70F0810")), "as modified by EX");
    // Misaligned LCTL operand? No: X'810' is aligned; run it.
    let vals: Vec<u8> = (0..16u32).flat_map(|k| (k * 0x101).to_be_bytes()).collect();
    cpu.storage.write(0x810, &vals).expect("values");
    cpu.execute_intercepted(&ic);
    assert_eq!(cpu.cr[15], 15 * 0x101);
}

#[test]
fn intercepted_instruction_that_faults_takes_its_program_interruption() {
    // LPSW X'804' (not on a doubleword boundary)
    let mut cpu = machine(&hex("82000804"));
    cpu.set_mode(ASSIST_OFF);
    let Exit::Privileged(ic) = cpu.run(1) else { panic!("expected an interception") };
    cpu.execute_intercepted(&ic);
    assert_eq!(dword(&cpu, 0x28), 0x0000_0006_8000_2004, "specification, ILC 2, past the LPSW");
    assert_eq!(cpu.psw.to_u64(), wait_psw(0x68));
}

#[test]
fn counters_count_instructions() {
    // LA 3,50 ; loop: BCT 3,loop (R15 = its address) ; then a wait PSW via LPSW
    let mut cpu = machine(&hex("41300032 4630F000 82000800"));
    cpu.gpr[15] = ORIGIN + 4;
    cpu.storage.write(0x800, &wait_psw(0x1234).to_be_bytes()).expect("psw");
    assert_eq!(cpu.run(1000), Exit::Wait { enabled: false });
    assert_eq!(cpu.counters().instructions, 1 + 50 + 1);
    cpu.reset_counters();
    assert_eq!(cpu.counters().instructions, 0);
}
