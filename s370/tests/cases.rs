//! Per-instruction case tables for every non-floating-point S/370 instruction: condition
//! codes, results and exceptions, one row per case (see `common/case.rs` for the harness).
//! SVC, the clock instructions, LRA and PTLB have their own tests (interrupts.rs,
//! timers.rs, dat.rs); floating point has its tables in `src/insn/float/tests.rs`.

mod common;

#[path = "cases/branch.rs"]
mod branch;
#[path = "cases/control.rs"]
mod control;
#[path = "cases/decimal.rs"]
mod decimal;
#[path = "cases/fixed.rs"]
mod fixed;
#[path = "cases/logical.rs"]
mod logical;

use common::case::run_table;

#[test]
fn fixed_point() {
    run_table(&fixed::rows());
}

#[test]
fn logical_and_moves() {
    run_table(&logical::rows());
}

#[test]
fn branching_and_execute() {
    run_table(&branch::rows());
}

#[test]
fn decimal() {
    run_table(&decimal::rows());
}

#[test]
fn control() {
    run_table(&control::rows());
}

/// Every non-floating-point opcode of the table has rows here, or a test elsewhere.
#[test]
fn every_opcode_has_cases() {
    const ELSEWHERE: &[&str] =
        &["SVC", "LRA", "PTLB", "SCK", "STCK", "SCKC", "STCKC", "SPT", "STPT"];
    let mut names = std::collections::BTreeSet::new();
    for rows in [fixed::rows(), logical::rows(), branch::rows(), decimal::rows(), control::rows()] {
        names.extend(rows.iter().map(|r| r.name));
    }
    let missing: Vec<&str> = s370::opcode::OPCODES
        .iter()
        .filter(|o| !matches!(o.code, 0x20..=0x3F | 0x60..=0x7F))
        .map(|o| o.mnemonic)
        .filter(|m| !names.contains(m) && !ELSEWHERE.contains(m))
        .collect();
    assert!(missing.is_empty(), "no case rows for {missing:?}");
}
