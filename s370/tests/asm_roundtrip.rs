//! Round trip: for every opcode, what the assembler produces disassembles to text that
//! assembles back to the same bytes — with and without extended branch mnemonics.

use proptest::prelude::*;
use s370::asm::{Options, assemble};
use s370::disasm::{self, decode};
use s370::opcode::{Format, OPCODES, Op};

fn asm_one(text: &str) -> Vec<u8> {
    let src = format!("RT       CSECT\n{text}\n         END\n");
    match assemble(&src, &Options::default()) {
        Ok(a) => a.image,
        Err(e) => panic!("{text:?} does not assemble:\n{e}"),
    }
}

/// Clears the fields an instruction does not use, which the assembler always writes as 0.
fn canonical(op: &Op, b: &mut [u8]) {
    match op.format {
        Format::RsShift | Format::RrR1 => b[1] &= 0xF0,
        Format::S if !op.two_byte() => b[1] = 0,
        _ => {}
    }
}

fn encoding(op: &Op, raw: [u8; 6]) -> Vec<u8> {
    let mut b = raw[..op.len() as usize].to_vec();
    if op.two_byte() {
        b[..2].copy_from_slice(&op.code.to_be_bytes());
    } else {
        b[0] = op.code as u8;
    }
    canonical(op, &mut b);
    b
}

fn round_trip(bytes: &[u8], extended: bool) -> Result<(), String> {
    let d = decode(bytes, 0, &disasm::Options { extended }).ok_or("does not decode")?;
    let text = format!("         {} {}", d.mnemonic, d.operands);
    let again = asm_one(&text);
    if again != bytes {
        return Err(format!("{bytes:02X?} -> {text:?} -> {again:02X?}"));
    }
    Ok(())
}

#[test]
fn every_opcode_round_trips_from_assembled_source() {
    // Assemble a spread of operand values for every instruction, then round-trip.
    let mut n = 0;
    for op in OPCODES {
        for raw in [
            [0u8; 6],
            [0xFF; 6],
            [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC],
            [0, 0x5A, 0xC0, 0x0E, 0xD1, 0x23],
        ] {
            let bytes = encoding(op, raw);
            let d = decode(&bytes, 0, &disasm::Options::default()).expect("decodes");
            let assembled = asm_one(&format!("         {} {}", d.mnemonic, d.operands));
            assert_eq!(assembled, bytes, "{} {}", d.mnemonic, d.operands);
            for extended in [true, false] {
                round_trip(&assembled, extended).unwrap_or_else(|e| panic!("{e}"));
            }
            n += 1;
        }
    }
    assert_eq!(n, OPCODES.len() * 4);
}

#[test]
fn unknown_opcodes_round_trip_as_dc() {
    for b in [
        [0x00u8, 0x00].as_slice(),
        &[0x0D, 0xE0],
        &[0xB2, 0x22, 0x00, 0x10],
        &[0xE3, 1, 2, 3, 4, 5],
    ] {
        let d = decode(b, 0, &disasm::Options::default()).unwrap();
        assert_eq!(d.mnemonic, "DC");
        assert_eq!(asm_one(&format!("         DC {}", d.operands)), b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]
    #[test]
    fn random_encodings_round_trip(k in 0..OPCODES.len(), raw in any::<[u8; 6]>(), extended in any::<bool>()) {
        let bytes = encoding(&OPCODES[k], raw);
        prop_assert_eq!(round_trip(&bytes, extended), Ok(()));
    }
}
