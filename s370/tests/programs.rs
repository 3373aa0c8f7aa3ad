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
