//! Where Hercules 3.13 (in S/370 mode) and the Principles of Operation disagree, this
//! machine follows the book. Each test runs a small program here and asserts the PoO
//! result; when Hercules is installed it also runs the program there (through
//! `../shared/tools/hercules/run_s370.py`) and asserts that Hercules does differ, so the
//! list stays true.
//!
//! | what | PoO (GA22-7000) | Hercules 3.13 |
//! |---|---|---|
//! | BASR (0D), IPM (B222) | not S/370 instructions ("General Instructions" lists neither): operation exception | executed |
//! | RRB | reference bit of the 2K block ("Control Instructions", RESET REFERENCE BIT; "Storage Key": one key per 2K block) | the 4K frame's bits |
//! | ISK after SSK and a store | the change bit is set by every store ("Storage Key", change recording) | bits not recorded until its TLB is refilled |
//! | MONITOR CALL in BC mode | class at 148-149, code at 156-159 "in either the BC or EC mode" ("Assigned Storage Locations") | stored only in EC mode |
//! | program check in an EXECUTE target | "instruction-length code 2 is set to indicate the length of EXECUTE" ("Instruction-Length Code") | the target's length (the differential test sets `Cpu::hercules_ex_ilc` to compare) |
//! | optional facilities: CLEAR CHANNEL (9F01), CONNECT/DISCONNECT CHANNEL SET (B200/B201), MOVE INVERSE (E8), the extended facility (IPTE B221, TPROT E501), dual address space (PC B218, ...) | not part of the base System/370 this machine models (VM/370 R6 and CMS need none): operation exception | executed (or a facility-specific exception) |
//! | interval timer (X'50'), TOD clock | "Timing": run while the CPU runs | host time; the differential test masks X'50' and avoids STCK/SPT/STPT |
//!
//! Model-dependent or unpredictable in the PoO, where we chose Hercules' behavior: the ILC
//! of a fetch exception at an odd address (2), SSM/STOSM making an invalid EC mask (ILC 2,
//! the new mask in the old PSW), the clock comparator's resolution (bit 55), SIGP orders to
//! the CPU itself.

mod common;
use common::herc::*;
use common::*;

/// Runs on both; returns (ours, Hercules if installed).
fn both(
    prog: &str,
    gpr: &[(usize, u32)],
    cr: &[(usize, u32)],
    dump: &[(u32, u32)],
) -> (Vec<String>, Option<Vec<String>>) {
    both_image(&hex(prog), gpr, cr, dump)
}

/// The disabled-wait PSW the programs below end with, at X'2018'.
const END: &str = "00020000 00000E0D";

#[test]
fn basr_and_ipm_are_not_s370() {
    // BASR 14,0 : operation exception, ending on the program trap.
    let (o, h) = both(
        "0DE0 8200 F018 0000 0000 0000 0000 0000 0000 0000 0000 0000 00020000 00000E0D",
        &[(15, 0x2000)],
        &[],
        &[],
    );
    assert_eq!(line(&o, "PSW"), "PSW 00020000 00000068");
    if let Some(h) = h {
        assert_eq!(line(&h, "PSW"), "PSW 00020000 80000E0D", "Hercules executes BASR");
    }
    // IPM 1
    let (o, h) = both(
        "B222 0010 8200 F018 0000 0000 0000 0000 0000 0000 0000 0000 00020000 00000E0D",
        &[(15, 0x2000)],
        &[],
        &[],
    );
    assert_eq!(line(&o, "PSW"), "PSW 00020000 00000068");
    if let Some(h) = h {
        assert_ne!(line(&h, "PSW"), "PSW 00020000 00000068", "Hercules executes IPM");
    }
}

#[test]
fn rrb_works_on_the_2k_block() {
    // SSK 1,2 (X'3000') ; SSK 1,3 (X'3800') ; MVI 0(3),1 ; RRB 0(2) ; BALR 4,0 ; LPSW end
    let prog = format!("0812 0813 9201 3000 B213 2000 0540 8200 F018 0000 0000 0000 {END}");
    let regs = [(1, 0x30), (2, 0x3000), (3, 0x3800), (15, 0x2000)];
    let (o, h) = both(&prog, &regs, &[], &[]);
    assert_eq!(line(&o, "GR04"), "GR04 4000200E", "CC 0: the X'3000' block is untouched");
    if let Some(h) = h {
        assert_ne!(line(&h, "GR04"), "GR04 4000200E", "Hercules reports the 4K frame's bits");
    }
}

#[test]
fn isk_sees_the_change_bit_of_a_store() {
    // SSK 1,2 ; MVI 0(2),1 ; ISK 3,2 ; LPSW end
    let prog = format!("0812 9201 2000 0932 8200 F018 0000 0000 0000 0000 0000 0000 {END}");
    let regs = [(1, 0x30), (2, 0x3000), (3, 0), (15, 0x2000)];
    let (o, h) = both(&prog, &regs, &[], &[]);
    assert_eq!(line(&o, "GR03"), "GR03 00000036", "key 3, referenced, changed");
    if let Some(h) = h {
        assert_ne!(line(&h, "GR03"), "GR03 00000036", "Hercules 3.13 misses R/C here");
    }
}

#[test]
fn monitor_call_stores_class_and_code_in_bc_mode() {
    // MC X'123',5 with CR8 enabling class 5: a monitor event (code X'40').
    let prog = "AF05 0123";
    let (o, h) = both(prog, &[], &[(8, 0x0400)], &[(0x90, 0x9F)]);
    assert_eq!(line(&o, "PSW"), "PSW 00020000 00000068");
    assert_eq!(line(&o, "MEM 00000090"), "MEM 00000090 00000000000500000000000000000123");
    if let Some(h) = h {
        assert_eq!(line(&h, "MEM 00000090"), "MEM 00000090 00000000000000000000000000000000");
    }
}

#[test]
fn an_executed_instruction_reports_executes_ilc() {
    // EX 0,X'010'(15) of DR 3,4 (R1 odd: specification): the program old PSW's ILC is 2.
    let prog = "4400 F010 0000 0000 0000 0000 0000 0000 1D34";
    let (o, h) = both(prog, &[(15, 0x2000)], &[], &[(0x28, 0x2F)]);
    assert_eq!(line(&o, "MEM 00000020"), "MEM 00000020 00000000000000000000000680002004");
    if let Some(h) = h {
        assert_eq!(
            line(&h, "MEM 00000020"),
            "MEM 00000020 00000000000000000000000640002004",
            "Hercules: the target's ILC 1"
        );
    }
}

#[test]
fn optional_facility_instructions_are_operation_exceptions_here() {
    // Each instruction followed by X'0000': an operation exception on the instruction
    // leaves the old PSW past it; Hercules executes it and traps on the X'0000' after it.
    for (op, len) in [
        ("9F010000", 4),     // CLRCH
        ("B2000000", 4),     // CONCS
        ("B2010000", 4),     // DISCS
        ("E80000000000", 6), // MVCIN
        ("B2210000", 4),     // IPTE
        ("E50100000000", 6), // TPROT
        ("B2180000", 4),     // PC
    ] {
        let (o, h) = both(&format!("{op} 0000"), &[], &[], &[(0x28, 0x2F)]);
        let ilc = if len == 4 { "8" } else { "C" };
        assert_eq!(
            line(&o, "MEM 00000020"),
            format!("MEM 00000020 000000000000000000000001{ilc}00020{len:02X}"),
            "{op}: operation exception here"
        );
        if let Some(h) = h {
            assert_ne!(line(&h, "MEM 00000020"), line(&o, "MEM 00000020"), "{op} in Hercules");
        }
    }
}
