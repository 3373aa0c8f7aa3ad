//! The disassembler: storage to mnemonics and operands, from [`crate::opcode::OPCODES`].
//! Being built (issue 3).
