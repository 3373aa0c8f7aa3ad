//! Interruptions: old/new PSW locations, interruption codes in BC and EC mode, ILC, the
//! early PSW exception, masks (PSW, CR0 subclasses, CR2 channel masks), priorities,
//! waits, restart, machine checks and the reset functions.

mod common;
use common::*;
use s370::cpu::{Cpu, Exit};

/// A machine running `prog` at X'2000' with the given PSW bits (first 4 bytes).
fn with_psw(prog: &str, psw_hi: u32) -> Cpu {
    let mut cpu = machine(&hex(prog));
    cpu.load_psw((u64::from(psw_hi) << 32) | u64::from(ORIGIN));
    cpu.gpr[15] = ORIGIN; // "47F0 F000" loops on itself
    cpu
}

fn put_psw(cpu: &mut Cpu, at: u32, psw: u64) {
    cpu.storage.write(at, &psw.to_be_bytes()).expect("low storage");
}

#[test]
fn svc_bc_mode_code_and_ilc_in_old_psw() {
    let mut cpu = machine(&hex("0A2A"));
    cpu.psw.cc = 1;
    assert_eq!(cpu.run(1), Exit::Budget);
    assert_eq!(dword(&cpu, 0x20), 0x0000_002A_5000_2002, "code 2A, ILC 1, CC 1, next address");
    assert_eq!(cpu.psw.to_u64(), wait_psw(0x60), "SVC new PSW");
    assert_eq!(cpu.counters().svc, 1);
}

#[test]
fn svc_ec_mode_code_and_ilc_at_x88() {
    let mut cpu = with_psw("0A2A", 0x0008_0000);
    cpu.run(1);
    assert_eq!(dword(&cpu, 0x20), 0x0008_0000_0000_2002);
    assert_eq!(word(&cpu, 0x88), 0x0002_002A, "ILC 1 in bits 5-6 of X'89', code at X'8A'");
}

#[test]
fn svc_executed_has_ilc_2() {
    // EX 0,X'800' with SVC 5 at X'800'.
    let mut cpu = machine(&hex("44000800"));
    cpu.storage.write(0x800, &hex("0A05")).expect("target");
    cpu.run(1);
    assert_eq!(dword(&cpu, 0x20), 0x0000_0005_8000_2004);
}

#[test]
fn program_interruption_ec_mode_stores_code_at_x8c() {
    // An operation exception (opcode 00) in EC mode.
    let mut cpu = with_psw("0000", 0x0008_0000);
    cpu.run(1);
    assert_eq!(dword(&cpu, 0x28), 0x0008_0000_0000_2002);
    assert_eq!(word(&cpu, 0x8C), 0x0002_0001);
}

#[test]
fn invalid_psw_from_lpsw_is_an_early_exception_with_ilc_0() {
    // LPSW X'800' of an EC PSW with bit 24 on.
    let mut cpu = machine(&hex("82000800"));
    put_psw(&mut cpu, 0x800, 0x0008_0000_8000_3000);
    cpu.run(2);
    assert_eq!(dword(&cpu, 0x28), 0x0008_0000_8000_3000, "the invalid PSW itself is the old PSW");
    assert_eq!(word(&cpu, 0x8C), 0x0000_0006, "ILC 0, specification");
}

#[test]
fn invalid_new_psw_loops_but_run_returns() {
    let mut cpu = machine(&hex("0000"));
    put_psw(&mut cpu, 0x68, 0x0008_0000_0100_0000);
    assert_eq!(cpu.run(1000), Exit::Budget, "a program-interruption loop still uses up the budget");
    assert!(cpu.counters().program >= 999);
}

#[test]
fn io_interruption_bc_mode() {
    let mut cpu = with_psw("47F0 F000", 0x4000_0000); // channel 1 mask
    put_psw(&mut cpu, 0x78, 0x0000_0000_0000_3000);
    cpu.post_io_interrupt(0x0191, [0x00, 0, 0, 0x40, 0x0C, 0, 0, 0]);
    assert!(cpu.has_pending_io(0x191));
    cpu.run(1);
    assert_eq!(
        dword(&cpu, 0x38) & 0xFFFF_FFFF_3FFF_FFFF,
        0x4000_0191_0000_2000,
        "device in the BC old PSW"
    );
    assert_eq!(dword(&cpu, 0x40), 0x0000_0040_0C00_0000, "CSW at X'40'");
    assert_eq!(cpu.psw.ia, 0x3000);
    assert!(!cpu.has_pending_io(0x191));
}

#[test]
fn io_interruption_masked_until_the_channel_mask_allows() {
    let mut cpu = with_psw("47F0 F000", 0x8000_0000); // channel 0 only
    cpu.post_io_interrupt(0x0191, [0; 8]);
    cpu.run(10);
    assert!(cpu.has_pending_io(0x191), "channel 1 is masked");
    assert_eq!(cpu.take_pending_io(0x191), Some([0; 8]));
    assert!(!cpu.has_pending_io(0x191));
}

#[test]
fn io_interruption_ec_mode_needs_cr2_and_stores_device_at_xba() {
    let mut cpu = with_psw("47F0 F000", 0x0208_0000);
    put_psw(&mut cpu, 0x78, 0x0008_0000_0000_3000);
    cpu.cr[2] = 0;
    cpu.post_io_interrupt(0x0291, [0; 8]);
    cpu.run(5);
    assert!(cpu.has_pending_io(0x291), "CR2 masks channel 2");
    cpu.cr[2] = 0x2000_0000;
    cpu.run(1);
    assert_eq!(cpu.psw.ia, 0x3000);
    assert_eq!(word(&cpu, 0xB8), 0x0000_0291);
    assert_eq!(cpu.counters().io_interrupts, 1);
}

#[test]
fn bc_channels_6_and_up_use_the_io_mask_and_cr2() {
    let mut cpu = with_psw("47F0 F000", 0x0200_0000); // PSW bit 6
    put_psw(&mut cpu, 0x78, 0x0000_0000_0000_3000);
    cpu.cr[2] = 0;
    cpu.post_io_interrupt(0x0700, [0; 8]);
    cpu.run(3);
    assert!(cpu.has_pending_io(0x700));
    cpu.cr[2] = 0x0100_0000;
    cpu.run(1);
    assert_eq!(cpu.psw.ia, 0x3000);
}

#[test]
fn external_interruption_needs_psw_and_cr0_masks() {
    let mut cpu = with_psw("47F0 F000", 0x0100_0000);
    put_psw(&mut cpu, 0x58, 0x0000_0000_0000_3000);
    cpu.cr[0] = 0; // interrupt-key subclass off
    cpu.post_external(0x0040);
    cpu.run(3);
    assert_ne!(cpu.psw.ia, 0x3000);
    cpu.cr[0] = 0x40;
    cpu.run(1);
    assert_eq!(cpu.psw.ia, 0x3000);
    assert_eq!((dword(&cpu, 0x18) >> 32) as u16, 0x0040, "code in the BC old PSW");
}

#[test]
fn external_interruption_ec_code_at_x86() {
    let mut cpu = with_psw("47F0 F000", 0x0108_0000);
    put_psw(&mut cpu, 0x58, 0x0008_0000_0000_3000);
    cpu.cr[0] = 0x0000_2000; // external call
    cpu.post_external(0x1202);
    cpu.run(1);
    assert_eq!(word(&cpu, 0x84), 0x0000_1202);
    assert_eq!(cpu.counters().external, 1);
}

#[test]
fn external_before_io_when_both_pending() {
    let mut cpu = with_psw("47F0 F000", 0xFF00_0000);
    put_psw(&mut cpu, 0x58, 0x0000_0000_0000_3000);
    put_psw(&mut cpu, 0x78, 0x0000_0000_0000_4000);
    cpu.cr[0] = 0x40;
    cpu.post_io_interrupt(0x0010, [0; 8]);
    cpu.post_external(0x0040);
    cpu.run(1);
    assert_eq!(cpu.psw.ia, 0x3000, "external first");
    assert!(cpu.has_pending_io(0x10), "the disabled external new PSW holds the I/O");
}

#[test]
fn waits_exit_enabled_or_disabled_and_an_interruption_ends_one() {
    // LPSW an enabled wait (I/O mask for channel 0).
    let mut cpu = machine(&hex("82000800"));
    put_psw(&mut cpu, 0x800, 0x8002_0000_0000_5000);
    put_psw(&mut cpu, 0x78, 0x0002_0000_0000_0078);
    assert_eq!(cpu.run(100), Exit::Wait { enabled: true });
    assert_eq!(cpu.run(100), Exit::Wait { enabled: true }, "still waiting");
    cpu.post_io_interrupt(0x0001, [0; 8]);
    assert_eq!(cpu.run(100), Exit::Wait { enabled: false }, "the I/O new PSW is a disabled wait");
    assert_eq!(dword(&cpu, 0x38) & 0xFFFF_FFFF_00FF_FFFF, 0x8002_0001_0000_5000);
}

#[test]
fn restart_interruption_ends_a_wait_whatever_the_masks() {
    let mut cpu = machine(&hex("0700"));
    cpu.load_psw(0x0002_0000_0000_2000);
    assert_eq!(cpu.run(10), Exit::Wait { enabled: false });
    put_psw(&mut cpu, 0, 0x0000_0000_0000_3000);
    cpu.restart();
    cpu.run(1);
    assert_eq!(dword(&cpu, 8), 0x0002_0000_0000_2000);
    assert_eq!(cpu.psw.ia, 0x3000);
    assert_eq!(cpu.counters().restart, 1);
}

#[test]
fn resets() {
    let mut cpu = machine(&hex("0700"));
    cpu.gpr[3] = 7;
    cpu.cr[0] = 0xFFFF_FFFF;
    cpu.prefix = 0x3000;
    cpu.post_external(0x40);
    cpu.storage.set_key(0x800, 0x30);
    cpu.reset(false);
    assert_eq!(cpu.gpr[3], 7, "initial CPU reset keeps registers");
    assert_eq!(
        (cpu.cr[0], cpu.cr[2], cpu.cr[14], cpu.cr[15]),
        (0xE0, 0xFFFF_FFFF, 0xC200_0000, 0x200)
    );
    assert_eq!(cpu.prefix, 0);
    assert_eq!(cpu.psw.to_u64(), 0);
    assert_eq!(cpu.storage.key(0x800), 0x30, "keys kept");
    assert_eq!(cpu.storage.bytes()[ORIGIN as usize], 0x07, "storage kept");
    cpu.reset(true);
    assert_eq!(cpu.gpr[3], 0);
    assert_eq!(cpu.storage.key(0x800), 0);
    assert_eq!(cpu.storage.bytes()[ORIGIN as usize], 0);
}

#[test]
fn prefixing_moves_low_storage() {
    // SPX X'800' (= X'4000'), then SVC 1: the old PSW goes to absolute X'4020'.
    let mut cpu = machine(&hex("B2100800 0A01"));
    cpu.storage.write(0x800, &hex("00004000")).expect("operand");
    cpu.storage.write(0x4060, &0x0002_0000_0000_0BADu64.to_be_bytes()).expect("new SVC PSW");
    assert_eq!(cpu.run(10), Exit::Wait { enabled: false });
    assert_eq!(cpu.psw.ia, 0xBAD);
    assert_eq!(dword(&cpu, 0x20), 0x0000_0001_4000_2006, "real X'20' is absolute X'4020'");
    let mut b = [0u8; 8];
    cpu.storage.read(0x4020, &mut b).expect("absolute");
    assert_eq!(u64::from_be_bytes(b), 0x0000_0001_4000_2006);
    cpu.storage.read(0x20, &mut b).expect("absolute");
    assert_eq!(b, [0; 8], "absolute X'20' untouched");
}

#[test]
fn machine_check_needs_the_psw_mask_and_its_cr14_subclass() {
    use s370::cpu::mcic;
    let mut cpu = with_psw("47F0 F000", 0x0000_0000);
    cpu.gpr[7] = 0x0707_0707;
    cpu.post_machine_check(mcic::WARNING);
    assert_eq!(cpu.run(5), Exit::Budget, "PSW bit 13 off: the warning stays pending");
    cpu.psw.mcheck = true;
    assert_eq!(cpu.cr[14], 0xC200_0000, "initial CR14: warning mask (bit 7) off");
    assert_eq!(cpu.run(5), Exit::Budget, "subclass masked: still pending");
    assert_eq!(cpu.counters().machine_check, 0);
    cpu.cr[14] |= 0x0100_0000;
    assert_eq!(cpu.run(5), Exit::Wait { enabled: false });
    assert_eq!(cpu.counters().machine_check, 1);
    assert_eq!(dword(&cpu, 0x30), 0x0004_0000_0000_2000, "old PSW at X'30', BC mode, code 0");
    assert_eq!(cpu.psw.to_u64(), wait_psw(0x70), "new PSW from X'70'");
    assert_eq!(dword(&cpu, 0xE8), mcic::WARNING | mcic::VALIDITY, "MCIC at X'E8'");
    assert_eq!(word(&cpu, 0x180 + 7 * 4), 0x0707_0707, "general registers saved at X'180'");
    assert_eq!(word(&cpu, 0x1C0 + 14 * 4), 0xC300_0000, "control registers saved at X'1C0'");
}

#[test]
fn exigent_machine_check_ignores_cr14_and_comes_before_external() {
    use s370::cpu::mcic;
    // EC mode, external and machine-check masks on.
    let mut cpu = with_psw("47F0 F000", 0x0104_0000 | 0x0008_0000);
    cpu.cr[14] = 0;
    cpu.cr[0] |= 0x40;
    cpu.post_external(0x40);
    cpu.post_machine_check(mcic::INSTRUCTION_DAMAGE | mcic::DEGRADATION);
    assert_eq!(cpu.run(1), Exit::Budget);
    assert_eq!(cpu.counters().machine_check, 1);
    assert_eq!(cpu.counters().external, 0, "the machine check is taken first");
    assert_eq!(dword(&cpu, 0x30), 0x010C_0000_0000_2000, "EC-mode old PSW");
    assert_eq!(dword(&cpu, 0xE8), mcic::INSTRUCTION_DAMAGE | mcic::VALIDITY, "degradation masked");
    // The new PSW (a disabled wait) masks everything; from an enabled PSW the rest follow.
    put_psw(&mut cpu, 0x70, 0x0000_0000_0000_2000);
    cpu.cr[14] = 0x0400_0000;
    cpu.load_psw(0x0104_0000_0000_2000 | 0x0008_0000_0000_0000);
    cpu.run(1);
    assert_eq!(cpu.counters().machine_check, 2);
    assert_eq!(dword(&cpu, 0xE8), mcic::DEGRADATION | mcic::VALIDITY);
}
