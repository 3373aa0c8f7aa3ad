//! Whole floating-point programs through the instruction cycle, compared with Hercules 3.13.
//!
//! The same seeded programs as the handler-level test (`src/insn/float/hercules.rs`, see
//! `src/insn/float/progs.rs` for their layout) run from X'2000' to their disabled wait on a
//! bare machine here and in Hercules, and every case's block is compared: registers, the CC
//! and program mask captured by BALR, the storage operand, and the whole program old PSW
//! (interruption code, ILC, CC and the address past the instruction).

mod common;
#[path = "../src/insn/float/progs.rs"]
mod progs;

use common::machine;
use progs::{After, BLOCK, Case, DATA, Tally};
use s370::cpu::Exit;

/// Programs in the normal test run (100 cases each).
const PROGRAMS: usize = 40;
/// Cases per program.
const PER: usize = 100;

/// Runs a batch on our machine and reads back what each case left.
fn run_ours(cases: &[Case]) -> Vec<After> {
    let mut cpu = machine(&progs::program(cases));
    let exit = cpu.run(1_000_000);
    assert_eq!(exit, Exit::Wait { enabled: false });
    assert_eq!(cpu.psw.to_u64() & 0xFFFF_0000_00FF_FFFF, 0x0002_0000_0012_3456, "the verdict");
    let mut data = vec![0u8; BLOCK as usize * cases.len()];
    cpu.read_real(DATA, &mut data).expect("data area in storage");
    progs::blocks_after(&data)
}

#[test]
fn float_programs_against_hercules() {
    let (seed, programs) = progs::seed_and_count(1370, PROGRAMS);
    let all = progs::batches(seed, programs, PER);
    // Our side runs whether or not Hercules is here: every program must reach its verdict.
    let ours: Vec<Vec<After>> = all.iter().map(|b| run_ours(b)).collect();
    let Some(runner) = progs::runner() else {
        println!("skipped: hercules not installed");
        return;
    };
    let theirs = progs::run_all_hercules(&runner, &all);
    let mut tally = Tally::default();
    for ((batch, o), t) in all.iter().zip(&ours).zip(&theirs) {
        for ((c, o), t) in batch.iter().zip(o).zip(t) {
            tally.add(c, o, t);
        }
    }
    tally.report("float programs vs hercules", seed, programs);
    assert!(tally.covers_every_instruction(), "every instruction exercised");
    assert!(tally.bad.is_empty(), "{} cases differ from Hercules", tally.bad.len());
}
