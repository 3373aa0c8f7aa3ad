//! TOD clock, clock comparator, CPU timer and interval timer, in virtual time (every
//! instruction advances the clocks by a fixed amount, so these tests are exact).

mod common;
use common::*;
use s370::cpu::{Cpu, Exit, TimeSource};

const UNITS: u64 = 40;

fn timed(prog: &str) -> Cpu {
    let mut cpu = machine(&hex(prog));
    cpu.set_time_source(TimeSource::Virtual { units_per_insn: UNITS });
    cpu
}

fn set_dword(cpu: &mut Cpu, a: u32, v: u64) {
    cpu.storage.write(a, &v.to_be_bytes()).expect("storage");
}

#[test]
fn stck_advances_with_executed_instructions_and_is_unique() {
    // STCK X'800' ; NOPR x3 ; STCK X'808' ; STCK X'810'
    let mut cpu = timed("B2050800 0700 0700 0700 B2050808 B2050810");
    cpu.run(6);
    let (a, b, c) = (dword(&cpu, 0x800), dword(&cpu, 0x808), dword(&cpu, 0x810));
    assert_eq!(b - a, 4 * UNITS, "four instructions later");
    assert!(c > b, "unique and increasing: {b:X} {c:X}");
    assert_eq!(cpu.psw.cc, 0);
}

#[test]
fn virtual_time_is_deterministic() {
    let run = || {
        let mut cpu = timed("0700 0700 B2050800");
        cpu.run(3);
        dword(&cpu, 0x800)
    };
    assert_eq!(run(), run());
}

#[test]
fn sck_sets_the_clock() {
    // SCK X'800' ; STCK X'808'
    let mut cpu = timed("B2040800 B2050808");
    set_dword(&mut cpu, 0x800, 0x1234_5678_0000_0000);
    cpu.run(2);
    assert_eq!(dword(&cpu, 0x808), 0x1234_5678_0000_0000 + UNITS);
    assert_eq!(cpu.tod(), 0x1234_5678_0000_0000 + UNITS, "no time passes between runs");
}

#[test]
fn clock_comparator_interruption() {
    // SCKC X'800' (TOD + 100 instructions) ; STCKC X'808' ; then loop: BC 15,0(15)
    let mut cpu = timed("B2060800 B2070808 47F0F008");
    cpu.gpr[15] = ORIGIN;
    set_dword(&mut cpu, 0x800, 100 * UNITS + 0x123);
    cpu.storage.write(0x58, &0x0002_0000_0000_0058u64.to_be_bytes()).expect("ext new");
    cpu.cr[0] = 0x800;
    cpu.load_psw(0x0100_0000_0000_0000 | u64::from(ORIGIN));
    assert_eq!(cpu.run(1000), Exit::Wait { enabled: false });
    assert_eq!(
        dword(&cpu, 0x808),
        (100 * UNITS + 0x123) & !0xFF,
        "bits right of bit 55 are not kept"
    );
    assert_eq!((dword(&cpu, 0x18) >> 32) as u16, 0x1004);
    let n = cpu.counters().instructions;
    assert!((100..=104).contains(&n), "taken when the TOD passed the comparator ({n})");
}

#[test]
fn clock_comparator_masked_by_cr0() {
    let mut cpu = timed("47F0F000");
    cpu.gpr[15] = ORIGIN;
    cpu.cr[0] = 0;
    cpu.load_psw(0x0100_0000_0000_0000 | u64::from(ORIGIN));
    assert_eq!(cpu.run(1000), Exit::Budget, "comparator 0 is passed but subclass-masked");
}

#[test]
fn cpu_timer_counts_down_and_interrupts_when_negative() {
    // SPT X'800' ; STPT X'808' ; loop
    let mut cpu = timed("B2080800 B2090808 47F0F008");
    cpu.gpr[15] = ORIGIN;
    set_dword(&mut cpu, 0x800, 50 * UNITS);
    cpu.cr[0] = 0x400;
    cpu.load_psw(0x0100_0000_0000_0000 | u64::from(ORIGIN));
    assert_eq!(cpu.run(1000), Exit::Wait { enabled: false });
    assert_eq!(dword(&cpu, 0x808), 49 * UNITS, "one instruction after SPT");
    assert_eq!((dword(&cpu, 0x18) >> 32) as u16, 0x1005);
    assert!(cpu.counters().instructions <= 53);
}

#[test]
fn interval_timer_decrements_at_x50_and_interrupts() {
    // One interval-timer unit (bit 31, 1/76800 s) is 160000/3 TOD units: with 4000 units
    // per instruction, 3 units every 40 instructions.
    let mut cpu = machine(&hex("47F0F000"));
    cpu.set_time_source(TimeSource::Virtual { units_per_insn: 4000 });
    cpu.gpr[15] = ORIGIN;
    cpu.storage.write(0x50, &300u32.to_be_bytes()).expect("timer");
    cpu.cr[0] = 0; // interval-timer subclass off: it counts, but cannot interrupt
    cpu.load_psw(0x0100_0000_0000_0000 | u64::from(ORIGIN));
    assert_eq!(cpu.run(4000), Exit::Budget);
    let t = word(&cpu, 0x50) as i32;
    assert!((0..=2).contains(&t), "300 - 4000 x 4000 x 3 / 160000 = 0 ({t})");
    cpu.cr[0] = 0x80;
    assert_eq!(cpu.run(100_000), Exit::Wait { enabled: false }, "positive to negative: X'0080'");
    assert_eq!((dword(&cpu, 0x18) >> 32) as u16, 0x0080);
    assert!((word(&cpu, 0x50) as i32) < 0);
}

#[test]
fn host_time_source_runs() {
    let mut cpu = machine(&hex("B2050800 B2050808"));
    cpu.set_time_source(TimeSource::Host);
    cpu.run(2);
    let (a, b) = (dword(&cpu, 0x800), dword(&cpu, 0x808));
    assert!(b > a);
    // 2020-01-01 is about X'D6...' in TOD terms (bit 51 = 1 µs since 1900).
    assert!(a > 0xD600_0000_0000_0000, "host TOD starts at the date: {a:X}");
}
