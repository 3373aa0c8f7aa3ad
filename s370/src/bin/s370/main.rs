//! `s370` — run, assemble and disassemble System/370 programs, and measure the interpreter.

use clap::{Parser, Subcommand};

mod asm;
mod bench;
mod disasm;
mod run;

/// The System/370 machine, assembler and disassembler.
#[derive(Debug, Parser)]
#[command(name = "s370", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load a raw image into a bare machine and run it until a disabled wait.
    Run(run::Args),
    /// Assemble a source file.
    Asm(asm::Args),
    /// Disassemble an image.
    Disasm(disasm::Args),
    /// Measure the interpreter (and Hercules, when installed).
    Bench(bench::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Run(a) => run::main(a),
        Command::Asm(a) => asm::main(a),
        Command::Disasm(a) => disasm::main(a),
        Command::Bench(a) => bench::main(a),
    }
}
