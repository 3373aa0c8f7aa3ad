//! `s370` — the IBM System/370 as a library.
//!
//! This crate is the machine of *IBM System/370 Principles of Operation* (GA22-7000): the PSW in
//! BC and EC mode, registers, storage with keys, dynamic address translation, clocks and
//! timers, interruptions, the channel-program engine with a `Device` trait for device models,
//! and every S/370 instruction, plus the assembler and disassembler that read the same opcode
//! table. It runs as a bare machine (every instruction architectural, I/O to attached device
//! models) or in interpretive execution for CP (I/O and DIAGNOSE returned to the caller). It
//! knows nothing of users, CP or terminals.
//!
//! Start reading at [`opcode`] (the one table of instructions), then [`cpu`] (state and the
//! instruction cycle) and [`storage`].

pub mod asm;
pub mod channel;
pub mod cpu;
pub mod devices;
pub mod disasm;
pub mod ebcdic;
pub mod format;
mod insn;
pub mod interrupt;
pub mod machine;
pub mod opcode;
pub mod psw;
pub mod runner;
pub mod storage;
pub mod workloads;
