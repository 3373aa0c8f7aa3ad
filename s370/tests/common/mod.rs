//! Helpers shared by the processor tests: a bare machine with a program loaded at X'2000',
//! the trap PSWs of `run_s370.py` planted in the new-PSW slots, run to a wait.

#![allow(dead_code)]

pub mod case;
pub mod herc;

use s370::cpu::{Cpu, Exit};

/// Where test programs are loaded and started.
pub const ORIGIN: u32 = 0x2000;

/// A disabled-wait PSW whose address is `code`: the verdict of a test program.
pub fn wait_psw(code: u32) -> u64 {
    0x0002_0000_0000_0000 | u64::from(code)
}

/// A 64K machine with `prog` at X'2000', traps in the new-PSW slots (a disabled wait at the
/// slot's own address), and a BC-mode supervisor PSW at X'2000'.
pub fn machine(prog: &[u8]) -> Cpu {
    let mut cpu = Cpu::new(64 * 1024);
    plant_traps(&mut cpu);
    cpu.storage.bytes_mut()[ORIGIN as usize..ORIGIN as usize + prog.len()].copy_from_slice(prog);
    cpu.load_psw(u64::from(ORIGIN));
    cpu
}

/// Disabled-wait trap PSWs at X'58', X'60', X'68', X'70', X'78'.
pub fn plant_traps(cpu: &mut Cpu) {
    for slot in [0x58u32, 0x60, 0x68, 0x70, 0x78] {
        cpu.storage.bytes_mut()[slot as usize..slot as usize + 8]
            .copy_from_slice(&wait_psw(slot).to_be_bytes());
    }
}

/// Runs until the CPU waits (or `max` instructions); returns the exit.
pub fn run(cpu: &mut Cpu, max: u64) -> Exit {
    cpu.run(max)
}

/// The doubleword at real address `a`.
pub fn dword(cpu: &Cpu, a: u32) -> u64 {
    let mut b = [0u8; 8];
    cpu.read_real(a, &mut b).expect("inside storage");
    u64::from_be_bytes(b)
}

/// The word at real address `a`.
pub fn word(cpu: &Cpu, a: u32) -> u32 {
    let mut b = [0u8; 4];
    cpu.read_real(a, &mut b).expect("inside storage");
    u32::from_be_bytes(b)
}

/// Parses hex text (spaces allowed) into bytes.
pub fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(|c| c.is_ascii_hexdigit()).collect();
    d.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}
