//! Small S/370 programs, hand-assembled, that end in a disabled wait whose PSW (and
//! registers/storage) is the verdict.

mod common;
use common::*;
use s370::cpu::Exit;

#[test]
fn sum_1_to_100_with_ar_bct() {
    // BALR 12,0 ; SR 2,2 ; LA 3,100 ; LOOP AR 2,3 ; BCT 3,LOOP ; LPSW DONE
    let prog = hex("05C0 1B22 4130 0064 1A23 4630 C006 8200 C016 0000 0000 0000
                    0002 0000 0012 3456");
    let mut cpu = machine(&prog);
    assert_eq!(run(&mut cpu, 10_000), Exit::Wait { enabled: false });
    assert_eq!(cpu.gpr[2], 0x13BA);
    assert_eq!(cpu.psw.to_u64(), 0x0002_0000_0012_3456);
    assert_eq!(cpu.gpr[12], 0x4000_2002, "BC-mode BALR link: ILC 1, CC 0, PM 0");
}

#[test]
fn storing_into_the_next_instruction_takes_effect() {
    // BALR 12,0 ; MVI X'00B'(12),7 ; NOPR ; NOPR ; LA 3,1 (becomes LA 3,7) ; LPSW DONE
    let prog = hex("05C0 9207C00B 0700 0700 41300001 8200C016 0000 0000 0000 0002000000000E0D");
    let mut cpu = machine(&prog);
    assert_eq!(run(&mut cpu, 100), Exit::Wait { enabled: false });
    assert_eq!(cpu.gpr[3], 7, "the instruction was modified after being decoded");
}

#[test]
fn a_loop_that_rewrites_its_own_body() {
    // BALR 12,0 ; LA 4,3 ; LOOP: LA 5,1(5) ; MVI X'007'(12),2 ; BCT 4,LOOP(12) ; LPSW
    // The first pass adds 1 to R5 and patches the LA's displacement to 2: later passes add 2.
    let prog = hex("05C0 41400003 41505001 9202C007 4640C004 8200C016 00000002000000000E0D");
    let mut cpu = machine(&prog);
    assert_eq!(run(&mut cpu, 100), Exit::Wait { enabled: false });
    assert_eq!(cpu.gpr[5], 1 + 2 + 2);
}

#[test]
fn a_store_by_the_caller_between_runs_replaces_decoded_code() {
    // A loop: LA 6,1(6) ; BCR 15,15   (R15 = its address)
    let mut cpu = machine(&hex("41606001 07FF"));
    cpu.gpr[15] = ORIGIN;
    assert_eq!(cpu.run(10), Exit::Budget);
    assert_eq!(cpu.gpr[6], 5);
    // As a channel program would: change the LA to LA 6,3(6).
    cpu.storage.write(ORIGIN + 3, &[3]).expect("inside storage");
    assert_eq!(cpu.run(10), Exit::Budget);
    assert_eq!(cpu.gpr[6], 5 + 5 * 3);
}

#[test]
fn a_block_whose_slot_was_reused_by_a_failed_build_runs_again() {
    // 2000 LTR 3,3 ; BC 8,X'00E'(12) ; BCTR 3,0 ; BCR 15,12 ; (pad) ;
    // 200E BALR 14,15 ; BCTR 4,12 ; LPSW X'018'(12) ; 2018 the wait PSW.
    // 4000 BCR 15,14 — the same block-cache slot as 2000, reached for the first time (no
    // TLB entry: its block cannot be built) while 2000's block is cached; 2000 then runs
    // again and must not find an empty block (it used to spin there for ever).
    let mut prog = hex("1233 4780C00E 0630 07FC 00000000 05EF 064C 8200C018 0000
                        0002000000000E0D");
    prog.resize(0x2002, 0);
    prog[0x2000..0x2002].copy_from_slice(&hex("07FE"));
    let mut cpu = machine(&prog);
    cpu.gpr[3] = 2;
    cpu.gpr[4] = 2;
    cpu.gpr[12] = ORIGIN;
    cpu.gpr[15] = ORIGIN + 0x2000;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let exit = run(&mut cpu, 1000);
        let _ = tx.send((exit, cpu.psw.to_u64(), cpu.gpr[4]));
    });
    let (exit, psw, r4) =
        rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the CPU never returned");
    assert_eq!(exit, Exit::Wait { enabled: false });
    assert_eq!(psw, 0x0002_0000_0000_0E0D);
    assert_eq!(r4, 0);
}
