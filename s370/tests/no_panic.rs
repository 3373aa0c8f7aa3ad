//! Nothing a guest does can panic the host: random storage images (random bytes, with
//! runs of valid instructions and plausible PSWs in the new-PSW slots), random PSWs,
//! registers, control registers (DAT formats included), storage keys, prefixes and modes,
//! run for many instructions while the caller answers every exit the way a machine or CP
//! would. Afterwards the state must still be architecturally well formed.
//!
//! The default run executes about four million instructions in a few seconds;
//! `S370_FUZZ_INSNS` sets the total (e.g. 200000000 for a long soak).

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use s370::cpu::{Cpu, Exit, Mode, TimeSource};

const STORAGE: usize = 128 * 1024;

fn total_insns() -> u64 {
    std::env::var("S370_FUZZ_INSNS").ok().and_then(|v| v.parse().ok()).unwrap_or(4_000_000)
}

const CASES: u32 = 64;

/// A random machine for `seed`.
fn random_machine(seed: u64) -> Cpu {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cpu = Cpu::new(STORAGE);
    cpu.set_time_source(TimeSource::Virtual { units_per_insn: rng.gen_range(1..5000) });
    {
        let mem = cpu.storage.bytes_mut();
        rng.fill(&mut mem[..]);
        // Runs of valid opcodes make longer straight-line stretches.
        let ops: Vec<u16> = s370::opcode::OPCODES.iter().map(|o| o.code).collect();
        for _ in 0..2000 {
            let at = rng.gen_range(0..STORAGE - 6);
            let op = ops[rng.gen_range(0..ops.len())];
            if op > 0xFF {
                mem[at] = (op >> 8) as u8;
                mem[at + 1] = op as u8;
            } else {
                mem[at] = op as u8;
            }
        }
        // New PSWs: mostly usable ones (BC or EC, DAT now and then), some random.
        for slot in [0x00usize, 0x58, 0x60, 0x68, 0x70, 0x78] {
            if rng.gen_bool(0.8) {
                let ec = rng.gen_bool(0.5);
                let sys: u8 = if ec { rng.r#gen::<u8>() & 0x07 } else { rng.r#gen() };
                let b1 = (rng.gen_range(0..16u8) << 4)
                    | if ec { 8 } else { 0 }
                    | u8::from(rng.gen_bool(0.3));
                let ia = rng.gen_range(0..STORAGE as u32) & !1;
                let psw = [sys, b1, 0, 0, 0, (ia >> 16) as u8, (ia >> 8) as u8, ia as u8];
                mem[slot..slot + 8].copy_from_slice(&psw);
            }
        }
    }
    for k in 0..STORAGE / 2048 {
        if rng.gen_bool(0.2) {
            cpu.storage.set_key((k * 2048) as u32, rng.r#gen());
        }
    }
    for r in cpu.gpr.iter_mut() {
        *r = if rng.gen_bool(0.5) { rng.gen_range(0..STORAGE as u32) } else { rng.r#gen() };
    }
    for f in cpu.fpr.iter_mut() {
        *f = rng.r#gen();
    }
    for c in cpu.cr.iter_mut() {
        *c = rng.r#gen();
    }
    // Plausible translation formats and a segment table inside storage, often.
    if rng.gen_bool(0.7) {
        cpu.cr[0] = (cpu.cr[0] & !0x00F8_0000)
            | [0x0040_0000, 0x0080_0000, 0x0050_0000, 0x0090_0000][rng.gen_range(0..4)];
        cpu.cr[1] =
            (rng.r#gen::<u32>() & 0x0F00_0000) | (rng.gen_range(0..STORAGE as u32) & 0x00FF_FFC0);
    }
    if rng.gen_bool(0.2) {
        cpu.prefix = rng.gen_range(0..(STORAGE / 4096) as u32) << 12;
    }
    let mode = match rng.gen_range(0..3) {
        0 => Mode::default(),
        1 => Mode { interpretive: true, assist: false },
        _ => Mode { interpretive: true, assist: true },
    };
    cpu.set_mode(mode);
    cpu.load_psw(rng.r#gen());
    cpu
}

/// Runs `cpu` for about `insns` instructions, answering exits.
fn drive(cpu: &mut Cpu, seed: u64, insns: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED);
    let mut done = 0u64;
    let mut rounds = 0u64;
    while done < insns && rounds < insns {
        rounds += 1;
        let before = cpu.counters().instructions;
        let exit = cpu.run(rng.gen_range(1..20_000));
        done += cpu.counters().instructions - before;
        match exit {
            Exit::Budget => {}
            Exit::Io(_) => {
                cpu.complete_io(rng.gen_range(0..4));
                if rng.gen_bool(0.3) {
                    let mut csw = [0u8; 8];
                    rng.fill(&mut csw);
                    cpu.post_io_interrupt(rng.r#gen(), csw);
                }
            }
            Exit::Diagnose { .. } => {
                if rng.gen_bool(0.5) {
                    cpu.program_check(rng.gen_range(1..0x14), rng.gen_range(0..4));
                }
            }
            Exit::Privileged(ic) => cpu.execute_intercepted(&ic),
            Exit::Wait { .. } => match rng.gen_range(0..4) {
                0 => cpu.restart(),
                1 => cpu.post_external(rng.r#gen()),
                2 => cpu.post_io_interrupt(rng.r#gen(), [0; 8]),
                _ => cpu.load_psw(rng.r#gen()),
            },
            Exit::CheckStop => {
                cpu.reset(false);
                cpu.load_psw(rng.r#gen());
            }
        }
        if rng.gen_bool(0.005) {
            cpu.post_machine_check(rng.r#gen());
        }
        if rng.gen_bool(0.01) {
            cpu.reset(rng.gen_bool(0.1));
            cpu.load_psw(rng.r#gen());
        }
    }
}

/// The state is well formed whatever happened.
fn check(cpu: &Cpu) {
    assert!(cpu.psw.ia <= 0x00FF_FFFF);
    assert!(cpu.psw.cc <= 3 && cpu.psw.progmask <= 15 && cpu.psw.key <= 15);
    assert_eq!(cpu.prefix & !0x00FF_F000, 0);
    assert!((cpu.prefix as usize) < cpu.storage.size());
    let (p, _) = s370::psw::Psw::from_u64(cpu.psw.to_u64());
    assert_eq!(p.ia, cpu.psw.ia);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn random_machines_never_panic(seed in any::<u64>()) {
        let mut cpu = random_machine(seed);
        drive(&mut cpu, seed, total_insns() / u64::from(CASES));
        check(&cpu);
    }
}

/// Straight runs of random bytes in every mode, with no exit answered but waits: the run
/// loop alone must stay bounded.
#[test]
fn run_is_bounded_on_garbage() {
    for seed in 0..8u64 {
        let mut cpu = random_machine(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let before = cpu.counters().instructions;
        let _ = cpu.run(100_000);
        assert!(cpu.counters().instructions - before <= 100_000);
    }
}
