//! Differential test of every floating-point handler against Hercules 3.13.
//!
//! The programs of [`progs`](super::progs) run in Hercules
//! (`../shared/tools/hercules/run_s370.py`); here each case goes straight to its handler on
//! a fresh [`Cpu`], and the two are compared on the registers, CC, program mask,
//! interruption code and storage operand. (`s370/tests/float_programs.rs` runs the same
//! programs whole through the instruction cycle.)

use super::progs::{self, After, Case, OPND, OPS, Shape, Tally, block};
use super::*;

/// An instruction handler of either shape.
#[derive(Clone, Copy)]
pub(super) enum Handler {
    /// RR format.
    Rr(fn(&mut Cpu, Rr) -> ExecResult),
    /// RX format.
    Rx(fn(&mut Cpu, Rx) -> ExecResult),
}

/// Every S/370 floating-point instruction: opcode, mnemonic, handler, operand shape.
pub(super) const INSNS: &[(u8, &str, Handler, Shape)] = &[
    (0x20, "LPDR", Handler::Rr(lpdr), Shape::Long),
    (0x21, "LNDR", Handler::Rr(lndr), Shape::Long),
    (0x22, "LTDR", Handler::Rr(ltdr), Shape::Long),
    (0x23, "LCDR", Handler::Rr(lcdr), Shape::Long),
    (0x24, "HDR", Handler::Rr(hdr), Shape::Long),
    (0x25, "LRDR", Handler::Rr(lrdr), Shape::ExtToLong),
    (0x26, "MXR", Handler::Rr(mxr), Shape::Ext),
    (0x27, "MXDR", Handler::Rr(mxdr), Shape::LongToExt),
    (0x28, "LDR", Handler::Rr(ldr), Shape::Long),
    (0x29, "CDR", Handler::Rr(cdr), Shape::Long),
    (0x2A, "ADR", Handler::Rr(adr), Shape::Long),
    (0x2B, "SDR", Handler::Rr(sdr), Shape::Long),
    (0x2C, "MDR", Handler::Rr(mdr), Shape::Long),
    (0x2D, "DDR", Handler::Rr(ddr), Shape::Long),
    (0x2E, "AWR", Handler::Rr(awr), Shape::Long),
    (0x2F, "SWR", Handler::Rr(swr), Shape::Long),
    (0x30, "LPER", Handler::Rr(lper), Shape::Short),
    (0x31, "LNER", Handler::Rr(lner), Shape::Short),
    (0x32, "LTER", Handler::Rr(lter), Shape::Short),
    (0x33, "LCER", Handler::Rr(lcer), Shape::Short),
    (0x34, "HER", Handler::Rr(her), Shape::Short),
    (0x35, "LRER", Handler::Rr(lrer), Shape::Long),
    (0x36, "AXR", Handler::Rr(axr), Shape::Ext),
    (0x37, "SXR", Handler::Rr(sxr), Shape::Ext),
    (0x38, "LER", Handler::Rr(ler), Shape::Short),
    (0x39, "CER", Handler::Rr(cer), Shape::Short),
    (0x3A, "AER", Handler::Rr(aer), Shape::Short),
    (0x3B, "SER", Handler::Rr(ser), Shape::Short),
    (0x3C, "MER", Handler::Rr(mer), Shape::Short),
    (0x3D, "DER", Handler::Rr(der), Shape::Short),
    (0x3E, "AUR", Handler::Rr(aur), Shape::Short),
    (0x3F, "SUR", Handler::Rr(sur), Shape::Short),
    (0x60, "STD", Handler::Rx(std), Shape::Long),
    (0x67, "MXD", Handler::Rx(mxd), Shape::LongToExt),
    (0x68, "LD", Handler::Rx(ld), Shape::Long),
    (0x69, "CD", Handler::Rx(cd), Shape::Long),
    (0x6A, "AD", Handler::Rx(ad), Shape::Long),
    (0x6B, "SD", Handler::Rx(sd), Shape::Long),
    (0x6C, "MD", Handler::Rx(md), Shape::Long),
    (0x6D, "DD", Handler::Rx(dd), Shape::Long),
    (0x6E, "AW", Handler::Rx(aw), Shape::Long),
    (0x6F, "SW", Handler::Rx(sw), Shape::Long),
    (0x70, "STE", Handler::Rx(ste), Shape::Short),
    (0x78, "LE", Handler::Rx(le), Shape::Short),
    (0x79, "CE", Handler::Rx(ce), Shape::Short),
    (0x7A, "AE", Handler::Rx(ae), Shape::Short),
    (0x7B, "SE", Handler::Rx(se), Shape::Short),
    (0x7C, "ME", Handler::Rx(me), Shape::Short),
    (0x7D, "DE", Handler::Rx(de), Shape::Short),
    (0x7E, "AU", Handler::Rx(au), Shape::Short),
    (0x7F, "SU", Handler::Rx(su), Shape::Short),
];

/// Runs a case on a fresh processor, calling the handler directly.
pub(super) fn simulate(c: &Case, k: usize) -> After {
    let mut cpu = Cpu::new(0x10000);
    let b = block(k);
    cpu.fpr = c.fpr;
    cpu.gpr[12] = b;
    cpu.psw.cc = c.cc;
    cpu.psw.progmask = c.pm;
    cpu.write_bytes(b + OPND, &c.mem).expect("operand field in storage");
    let (_, _, h, _) = INSNS[c.insn];
    let r1 = usize::from(c.regs >> 4);
    let r2 = usize::from(c.regs & 15);
    let res = match h {
        Handler::Rr(f) => f(&mut cpu, Rr { r1, r2 }),
        Handler::Rx(f) => f(&mut cpu, Rx { r1, x2: r2, b2: 12, d2: OPND + u32::from(c.offset) }),
    };
    let code = program_code(res);
    let mut mem = [0u8; 16];
    cpu.read_bytes(b + OPND, &mut mem).expect("operand field in storage");
    After { fpr: cpu.fpr, cc: cpu.psw.cc, pm: cpu.psw.progmask, code, mem, old_psw: 0 }
}

/// The program-interruption code a handler reported, 0 for none. Floating-point handlers
/// stop only with program interruptions.
#[allow(unreachable_patterns)]
pub(super) fn program_code(res: ExecResult) -> u16 {
    match res {
        Ok(()) => 0,
        Err(Stop::Program(code)) => code,
        Err(other) => panic!("a floating-point handler stopped with {other:?}"),
    }
}

/// Number of programs in the normal test run.
const PROGRAMS: usize = 60;
/// Cases per program (one block of 128 bytes each, all within the first 64K).
pub(super) const PER: usize = 100;

#[test]
fn handler_table_matches_program_table() {
    assert_eq!(INSNS.len(), OPS.len());
    for (h, o) in INSNS.iter().zip(OPS) {
        assert_eq!((h.0, h.1, h.3), (o.0, o.1, o.2));
        assert_eq!(matches!(h.2, Handler::Rx(_)), o.3, "{}", h.1);
    }
}

#[test]
fn against_hercules() {
    let Some(runner) = progs::runner() else {
        println!("skipped: hercules not installed");
        return;
    };
    let (seed, programs) = progs::seed_and_count(370, PROGRAMS);
    let all = progs::batches(seed, programs, PER);
    let results = progs::run_all_hercules(&runner, &all);
    let mut tally = Tally::default();
    for (batch, theirs) in all.iter().zip(&results) {
        for (k, (c, t)) in batch.iter().zip(theirs).enumerate() {
            // The handler alone cannot say where the old PSW would go.
            let t = After { old_psw: 0, ..t.clone() };
            tally.add(c, &simulate(c, k), &t);
        }
    }
    tally.report("float handlers vs hercules", seed, programs);
    assert!(tally.covers_every_instruction(), "every instruction exercised");
    assert!(tally.bad.is_empty(), "{} cases differ from Hercules", tally.bad.len());
}
