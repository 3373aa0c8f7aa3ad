//! Dynamic address translation: the four page/segment size combinations, invalid and
//! length-exceeded entries (nullification, translation-exception address), translation
//! specification, LOAD REAL ADDRESS, and the TLB purged by PTLB and LCTL.

mod common;
use common::*;
use s370::cpu::{Cpu, DatFault, Exit};

const SEGTAB: u32 = 0x6000;
const PAGETABS: u32 = 0x7000;

/// Translation formats: (CR0 bits, page size, segment size).
const F_4K_64K: (u32, u32, u32) = (0x0080_0000, 4096, 0x1_0000);
const F_2K_64K: (u32, u32, u32) = (0x0040_0000, 2048, 0x1_0000);
const F_4K_1M: (u32, u32, u32) = (0x0090_0000, 4096, 0x10_0000);
const F_2K_1M: (u32, u32, u32) = (0x0050_0000, 2048, 0x10_0000);

/// A 64K machine with the given format: segment table at X'6000' (16 entries, all
/// invalid), page tables for segments 0 and 1 at X'7000' and X'7400' (all invalid except
/// an identity map of the first 64K of segment 0, which holds low storage, code and
/// tables).
fn dat_machine(fmt: (u32, u32, u32), prog: &str) -> Cpu {
    let (cr0, page, seg) = fmt;
    let mut cpu = machine(&hex(prog));
    cpu.cr[0] = cr0;
    cpu.cr[1] = SEGTAB; // length 0: 16 entries
    for s in 0..16 {
        set_word(&mut cpu, SEGTAB + 4 * s, 1);
    }
    let pages_per_seg = seg / page;
    let ptl = (pages_per_seg / 16).max(1) - 1; // length in sixteenths, minus one
    let ptl = if pages_per_seg >= 16 { 15 } else { ptl };
    for s in 0..2u32 {
        let pt = PAGETABS + 0x400 * s;
        set_word(&mut cpu, SEGTAB + 4 * s, (ptl << 28) | pt);
        for p in 0..pages_per_seg.min(0x200) {
            set_half(&mut cpu, pt + 2 * p, invalid(page));
        }
    }
    // Identity map of real 0-64K in segment 0.
    for p in 0..(0x1_0000 / page) {
        map(&mut cpu, fmt, p * page, p * page);
    }
    // EC mode, DAT on, all else off.
    cpu.load_psw(0x0408_0000_0000_0000 | u64::from(ORIGIN));
    cpu
}

fn invalid(page: u32) -> u16 {
    if page == 4096 { 0x0008 } else { 0x0004 }
}

fn set_word(cpu: &mut Cpu, a: u32, v: u32) {
    cpu.storage.write(a, &v.to_be_bytes()).expect("table in storage");
}

fn set_half(cpu: &mut Cpu, a: u32, v: u16) {
    cpu.storage.write(a, &v.to_be_bytes()).expect("table in storage");
}

/// The real address of the page-table entry for `vaddr` (segments 0 and 1 only).
fn pte_addr(fmt: (u32, u32, u32), vaddr: u32) -> u32 {
    let (_, page, seg) = fmt;
    let s = vaddr / seg;
    assert!(s < 2, "only segments 0 and 1 have page tables");
    PAGETABS + 0x400 * s + 2 * ((vaddr % seg) / page)
}

/// Maps the page of `vaddr` to the frame of `real`.
fn map(cpu: &mut Cpu, fmt: (u32, u32, u32), vaddr: u32, real: u32) {
    let mask = if fmt.1 == 4096 { 0xFFF0 } else { 0xFFF8 };
    set_half(cpu, pte_addr(fmt, vaddr), ((real >> 8) & mask) as u16);
}

/// Runs one instruction and returns the program-interruption code (0 if none).
fn step(cpu: &mut Cpu) -> u16 {
    cpu.storage.write(0x28, &[0; 8]).expect("low storage");
    cpu.run(1);
    let old = dword(cpu, 0x28);
    if old == 0 {
        0
    } else if old & 0x0008_0000_0000_0000 != 0 {
        u16::from_be_bytes([cpu.storage.bytes()[0x8E], cpu.storage.bytes()[0x8F]])
    } else {
        (old >> 32) as u16
    }
}

#[test]
fn translation_in_all_four_formats() {
    for fmt in [F_4K_64K, F_2K_64K, F_4K_1M, F_2K_1M] {
        // L 1,0(2) ; ST 1,4(2)   with R2 = the first address of segment 1
        let mut cpu = dat_machine(fmt, "58102000 50102004");
        let v = fmt.2;
        cpu.gpr[2] = v;
        map(&mut cpu, fmt, v, 0x9000);
        set_word(&mut cpu, 0x9000, 0xCAFE_F00D);
        assert_eq!(step(&mut cpu), 0, "{fmt:X?}");
        assert_eq!(cpu.gpr[1], 0xCAFE_F00D, "{fmt:X?}");
        assert_eq!(step(&mut cpu), 0);
        assert_eq!(word(&cpu, 0x9004), 0xCAFE_F00D, "stored through the same translation");
        assert_eq!(cpu.translate(v + 0x10), Ok(0x9010));
    }
}

#[test]
fn page_invalid_is_nullified_with_the_exception_address() {
    let mut cpu = dat_machine(F_4K_64K, "58102000");
    cpu.gpr[2] = 0x1_0123;
    assert_eq!(step(&mut cpu), 0x11);
    assert_eq!(
        dword(&cpu, 0x28) & 0xFF_FFFF,
        u64::from(ORIGIN),
        "nullified: old PSW at the instruction"
    );
    assert_eq!(word(&cpu, 0x90) & 0x00FF_F000, 0x1_0000, "translation-exception address");
    assert_eq!(cpu.translate(0x1_0123), Err(DatFault::PageInvalid(PAGETABS + 0x400)));
}

#[test]
fn segment_invalid_and_segment_table_length() {
    let mut cpu = dat_machine(F_4K_64K, "58102000");
    cpu.gpr[2] = 0x2_0000; // segment 2: invalid entry
    assert_eq!(step(&mut cpu), 0x10);
    assert_eq!(cpu.translate(0x2_0000), Err(DatFault::SegmentInvalid(SEGTAB + 8)));
    let mut cpu = dat_machine(F_4K_64K, "58102000");
    cpu.gpr[2] = 0x10_0000; // segment 16: beyond a 16-entry table
    assert_eq!(step(&mut cpu), 0x10);
    assert_eq!(cpu.translate(0x10_0000), Err(DatFault::SegmentLength(SEGTAB + 64)));
}

#[test]
fn page_table_length() {
    let mut cpu = dat_machine(F_4K_64K, "58102000");
    set_word(&mut cpu, SEGTAB + 4, PAGETABS + 0x400); // PTL 0: one entry
    cpu.gpr[2] = 0x1_1000; // page 1
    assert_eq!(step(&mut cpu), 0x11);
    assert_eq!(cpu.translate(0x1_1000), Err(DatFault::PageLength(PAGETABS + 0x402)));
}

#[test]
fn translation_specification() {
    for (cr0, what) in
        [(0x00C0_0000, "page size 11"), (0x0088_0000, "segment size 001"), (0x00A0_0000, "bit 10")]
    {
        let mut cpu = dat_machine(F_4K_64K, "0700");
        cpu.cr[0] = cr0;
        assert_eq!(step(&mut cpu), 0x12, "{what}");
        // On instruction fetch the address is advanced by the ILC (1, 2 or 3).
        let ilc = u64::from(cpu.storage.bytes()[0x8D] >> 1);
        assert!((1..=3).contains(&ilc));
        assert_eq!(dword(&cpu, 0x28) & 0xFF_FFFF, u64::from(ORIGIN) + 2 * ilc);
    }
    let mut cpu = dat_machine(F_4K_64K, "58102000");
    cpu.gpr[2] = 0x1_0000;
    set_word(&mut cpu, SEGTAB + 4, 0xF100_0000 | (PAGETABS + 0x400));
    assert_eq!(step(&mut cpu), 0x12, "segment-table entry bits 4-7");
    let mut cpu = dat_machine(F_4K_64K, "58102000");
    cpu.gpr[2] = 0x1_0000;
    set_half(&mut cpu, PAGETABS + 0x400, 0x0092);
    assert_eq!(step(&mut cpu), 0x12, "4K page-table entry bits 13-14");
}

#[test]
fn instruction_fetch_is_translated() {
    // The PSW points at virtual X'10000', mapped to real X'9000' where an SVC waits.
    let mut cpu = dat_machine(F_2K_64K, "0700");
    map(&mut cpu, F_2K_64K, 0x1_0000, 0x9000);
    cpu.storage.write(0x9000, &hex("0A07")).expect("code");
    cpu.load_psw(0x0408_0000_0001_0000);
    cpu.run(1);
    assert_eq!(dword(&cpu, 0x20), 0x0408_0000_0001_0002);
    assert_eq!(word(&cpu, 0x88), 0x0002_0007);
}

#[test]
fn lra_condition_codes() {
    // LRA 1,0(2)
    let cases = [
        (0x1_0000u32, true, 0u8, 0x9000u32),
        (0x1_1000, false, 2, PAGETABS + 0x402),
        (0x2_0000, false, 1, SEGTAB + 8),
        (0x10_0000, false, 3, SEGTAB + 64),
    ];
    for (v, mapped, cc, r1) in cases {
        let mut cpu = dat_machine(F_4K_64K, "B1102000");
        if mapped {
            map(&mut cpu, F_4K_64K, v, 0x9000);
        }
        cpu.gpr[2] = v;
        cpu.load_psw(u64::from(ORIGIN)); // BC mode: LRA translates anyway
        assert_eq!(step(&mut cpu), 0);
        assert_eq!((cpu.psw.cc, cpu.gpr[1]), (cc, r1), "LRA of {v:06X}");
    }
    let mut cpu = dat_machine(F_4K_64K, "B1102000");
    cpu.cr[0] = 0;
    cpu.load_psw(u64::from(ORIGIN));
    assert_eq!(step(&mut cpu), 0x12, "LRA with an invalid format");
}

#[test]
fn ptlb_and_lctl_purge_the_tlb() {
    // L 1,0(2) ; L 1,0(2) ; PTLB ; L 1,0(2)
    let mut cpu = dat_machine(F_4K_64K, "58102000 58102000 B20D0000 58102000");
    cpu.gpr[2] = 0x1_0000;
    map(&mut cpu, F_4K_64K, 0x1_0000, 0x9000);
    set_word(&mut cpu, 0x9000, 1);
    set_word(&mut cpu, 0xA000, 2);
    step(&mut cpu);
    assert_eq!(cpu.gpr[1], 1);
    map(&mut cpu, F_4K_64K, 0x1_0000, 0xA000);
    step(&mut cpu);
    assert_eq!(cpu.gpr[1], 1, "the TLB may keep the old translation until purged");
    step(&mut cpu);
    step(&mut cpu);
    assert_eq!(cpu.gpr[1], 2, "after PTLB the new one");
    // LCTL of CR1 (same value) purges too.
    let mut cpu = dat_machine(F_4K_64K, "58102000 B7110800 58102000");
    set_word(&mut cpu, 0x800, SEGTAB);
    set_word(&mut cpu, 0x9000, 1);
    set_word(&mut cpu, 0xA000, 2);
    cpu.gpr[2] = 0x1_0000;
    map(&mut cpu, F_4K_64K, 0x1_0000, 0x9000);
    step(&mut cpu);
    map(&mut cpu, F_4K_64K, 0x1_0000, 0xA000);
    step(&mut cpu);
    step(&mut cpu);
    assert_eq!(cpu.gpr[1], 2);
}

#[test]
fn keys_apply_to_the_real_frame() {
    // With PSW key 3, a store through DAT to a frame with key 5 is a protection exception.
    let mut cpu = dat_machine(F_4K_64K, "50102000");
    cpu.gpr[2] = 0x1_0000;
    map(&mut cpu, F_4K_64K, 0x1_0000, 0x9000);
    cpu.storage.set_key(0x9000, 0x50);
    cpu.load_psw(0x0438_0000_0000_0000 | u64::from(ORIGIN));
    assert_eq!(step(&mut cpu), 4);
    assert_eq!(cpu.run(0), Exit::Budget);
}
