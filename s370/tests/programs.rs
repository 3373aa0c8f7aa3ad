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
fn a_block_whose_slot_failed_to_decode_another_address_still_runs() {
    // X'2010' and X'4010' share a slot of the block cache. X'2010' is decoded and run;
    // then X'4010' is entered for the first time (its 2K block is not yet in the TLB, so no
    // block can be decoded there and it is stepped the slow way); then X'2010' again.
    //   2000 BALR 12,0 ; LA 15,14(12) ; BALR 14,15 (call 2010) ; B 2020
    //   2010 LA 1,1(1) ; BR 14
    //   2020 L 15,=A(X'4010') ; BALR 14,15 ; LA 15,14(12) ; BALR 14,15 (2010 again) ; LPSW
    //   2040 A(X'4010') ; 2048 the done PSW
    //   4010 LA 2,1(2) ; BR 14
    let mut prog = vec![0u8; 0x2016];
    let mut put = |at: usize, h: &str| {
        let b = hex(h);
        prog[at..at + b.len()].copy_from_slice(&b);
    };
    put(0x000, "05C0 41F0C00E 05EF 47F0C01E");
    put(0x010, "41101001 07FE");
    put(0x020, "58F0C03E 05EF 41F0C00E 05EF 8200C046");
    put(0x040, "00004010 00000000 0002000000000E0D");
    put(0x2010, "41202001 07FE");
    let mut cpu = machine(&prog);
    // A hang is the failure mode: run on a thread and give up after a while.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let exit = run(&mut cpu, 1000);
        tx.send((exit, cpu.gpr[1], cpu.gpr[2], cpu.psw.to_u64())).expect("receiver waits");
    });
    let (exit, r1, r2, psw) =
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the program ends (no hang)");
    assert_eq!(exit, Exit::Wait { enabled: false });
    assert_eq!((r1, r2), (2, 1), "X'2010' ran twice, X'4010' once");
    assert_eq!(psw, 0x0002_0000_0000_0E0D);
}
