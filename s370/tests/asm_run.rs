//! Assemble and run: programs written in assembler language, assembled by `s370::asm`,
//! executed by the `s370` processor until a disabled wait whose address is the verdict
//! (0: every check passed; n: check n failed — see the macros in `tests/asm/maclib`).

use s370::asm::{Assembly, Options, assemble, object};
use s370::cpu::{Cpu, Exit};

fn opts() -> Options {
    Options::default().maclib(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/asm/maclib"))
}

fn build(src: &str) -> Assembly {
    assemble(src, &opts()).unwrap_or_else(|e| panic!("{e}\n{}", e.listing))
}

/// Runs an image loaded at `origin` from `entry`; returns the verdict and the CPU.
fn run_image(image: &[u8], origin: u32, entry: u32) -> (u32, Cpu) {
    let mut cpu = Cpu::new(256 * 1024);
    // Any interruption ends in a disabled wait at the new-PSW slot's address.
    for slot in [0x58u32, 0x60, 0x68, 0x70, 0x78] {
        let psw = 0x0002_0000_0000_0000u64 | u64::from(slot);
        cpu.storage.bytes_mut()[slot as usize..slot as usize + 8]
            .copy_from_slice(&psw.to_be_bytes());
    }
    cpu.storage.bytes_mut()[origin as usize..origin as usize + image.len()].copy_from_slice(image);
    cpu.load_psw(u64::from(entry));
    let exit = cpu.run(1_000_000);
    assert_eq!(exit, Exit::Wait { enabled: false }, "the program must end in a disabled wait");
    (cpu.psw.to_u64() as u32 & 0x00FF_FFFF, cpu)
}

fn run(src: &str) -> (u32, Cpu) {
    let a = build(src);
    run_image(&a.image, a.origin, a.entry.expect("END names the entry point"))
}

#[test]
fn hello_moves_and_compares() {
    let a = build(include_str!("asm/hello.asm"));
    let (verdict, _) = run_image(&a.image, a.origin, a.entry.unwrap());
    assert_eq!(verdict, 0);
    // The program checks itself: break the greeting and it must fail.
    let mut broken = a.image.clone();
    let msg = (a.value("MSG").unwrap() - a.origin) as usize;
    broken[msg] = 0x40;
    assert_eq!(run_image(&broken, a.origin, a.entry.unwrap()).0, 0xBAD);
}

#[test]
fn literals_macros_and_arithmetic() {
    let (verdict, cpu) = run(&[
        "         COPY  REGS",
        "ARITH    START X'2000'",
        "         BALR  R12,0",
        "         USING *,R12",
        "         L     R1,=F'6'",
        "         M     R0,=F'7'",
        "         CHKR  R1,42",
        "         LH    R2,=H'-5'",
        "         AH    R2,=H'20'",
        "         CHKR  R2,15",
        "         ZAP   PACKED,=P'999'",
        "         AP    PACKED,=P'1'",
        "         UNPK  ZONED,PACKED",
        "         OI    ZONED+3,X'F0'",
        "         CHKC  ZONED,'1000'",
        "         LA    R3,TABLE",
        "         LA    R4,0",
        "         LA    R5,5",
        "LOOP     A     R4,0(R3)",
        "         LA    R3,4(R3)",
        "         BCT   R5,LOOP",
        "         CHKR  R4,150",
        "         VERDICT",
        "TABLE    DC    F'10,20,30,40,50'",
        "PACKED   DS    PL3",
        "ZONED    DS    ZL4",
        "         END   ARITH",
    ]
    .join("\n")
    .to_string());
    assert_eq!(verdict, 0, "check {verdict} failed; R4={:08X}", cpu.gpr[4]);
}

#[test]
fn dsects_and_several_base_registers() {
    let src = [
        "         COPY  REGS",
        "BIG      START X'2000'",
        "         BALR  R11,0",
        "         USING *,R11,R10",
        "         LA    R10,2048(R11)",
        "         LA    R10,2048(R10)",
        "         L     R1,FARDATA           THROUGH THE SECOND BASE",
        "         CHKR  R1,12345",
        "         LA    R5,RECORDS",
        "         USING REC,R5",
        "         SR    R6,R6",
        "         LA    R7,NRECS",
        "NEXT     AH    R6,RAMOUNT",
        "         MVI   RFLAG,C'Y'",
        "         LA    R5,RECLEN(R5)",
        "         BCT   R7,NEXT",
        "         DROP  R5",
        "         CHKR  R6,600",
        "         CLI   RECORDS+RFLAG-REC,C'Y'",
        "         BNE   BAD",
        "         B     FAR",
        "BAD      LA    R15,99",
        "         B     FAILED",
        "RECORDS  DC    CL6'FIRST',HL2'100',C'N'",
        "         DC    CL6'SECOND',HL2'200',C'N'",
        "         DC    CL6'THIRD',HL2'300',C'N'",
        "NRECS    EQU   (*-RECORDS)/RECLEN",
        "         DS    4500X",
        "FAR      L     R2,=A(FARDATA)        CODE BEYOND THE FIRST 4K",
        "         L     R3,0(R2)",
        "         CHKR  R3,12345",
        "         VERDICT",
        "FARDATA  DC    F'12345'",
        "REC      DSECT",
        "RNAME    DS    CL6",
        "RAMOUNT  DS    H",
        "RFLAG    DS    C",
        "RECLEN   EQU   *-REC",
        "         END   BIG",
    ]
    .join("\n");
    let a = build(&src);
    assert!(a.value("FAR").unwrap() - a.origin > 4096);
    let (verdict, cpu) = run_image(&a.image, a.origin, a.entry.unwrap());
    assert_eq!(verdict, 0, "check {verdict} failed; R6={:08X}", cpu.gpr[6]);
    // Each record's flag was set through the DSECT.
    for k in 0..3 {
        let flag = a.value("RECORDS").unwrap() + 9 * k + 8;
        assert_eq!(cpu.storage.bytes()[flag as usize], 0xE8, "record {k}");
    }
}

#[test]
fn macro_generated_code_and_conditional_assembly() {
    let src = [
        "         MACRO",
        "&L       FIB   &N",
        ".*       GENERATES STRAIGHT-LINE CODE LEAVING FIB(&N) IN R1",
        "         LCLA  &I",
        "&L       LA    1,1",
        "         LA    2,0",
        "&I       SETA  2",
        ".LOOP    AIF   (&I GT &N).DONE",
        "         LR    3,1",
        "         AR    1,2",
        "         LR    2,3",
        "&I       SETA  &I+1",
        "         AGO   .LOOP",
        ".DONE    MEND",
        "F        START X'2000'",
        "         BALR  12,0",
        "         USING *,12",
        "         FIB   10",
        "         CHKR  1,55",
        "         FIB   20",
        "         CHKR  1,6765",
        "         VERDICT",
        "         END   F",
    ]
    .join("\n");
    let (verdict, _) = run(&src);
    assert_eq!(verdict, 0);
}

#[test]
fn the_object_deck_runs_wherever_it_is_loaded() {
    let a = build(include_str!("asm/hello.asm"));
    for at in [0x4000u32, 0x10008, 0x20000] {
        let l = object::load(&a.object, at, &|_| None).expect("loads");
        assert_eq!(l.entry, Some(at), "HELLO starts at its first byte");
        let (verdict, _) = run_image(&l.image, at, l.entry.unwrap());
        assert_eq!(verdict, 0, "loaded at {at:X}");
    }
}
