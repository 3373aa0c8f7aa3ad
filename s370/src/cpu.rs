//! The processor state and the instruction cycle.
//!
//! Skeleton: the state, the result type every handler returns, and a plain fetch-decode-execute
//! step. The instruction cycle, interruptions, DAT and timers are filled in by issue 2.

use crate::format::Insn;
use crate::psw::Psw;
use crate::storage::Storage;

/// Why an instruction did not complete normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A program interruption with this code (see [`crate::interrupt::pic`]).
    Program(u16),
}

/// What every instruction handler returns.
pub type ExecResult = Result<(), Stop>;

/// One S/370 central processor with its main storage.
#[derive(Debug, Clone)]
pub struct Cpu {
    /// General registers 0-15.
    pub gpr: [u32; 16],
    /// Floating-point registers 0, 2, 4, 6 (index = register number / 2).
    pub fpr: [u64; 4],
    /// Control registers 0-15.
    pub cr: [u32; 16],
    /// The current PSW.
    pub psw: Psw,
    /// The prefix register (a multiple of 4K).
    pub prefix: u32,
    /// Main storage.
    pub storage: Storage,
}

impl Cpu {
    /// A processor in the reset state with `storage_size` bytes of zeroed storage.
    pub fn new(storage_size: usize) -> Cpu {
        Cpu {
            gpr: [0; 16],
            fpr: [0; 4],
            cr: [0; 16],
            psw: Psw::default(),
            prefix: 0,
            storage: Storage::new(storage_size),
        }
    }

    /// The instruction at `ia`, if it is fully inside storage.
    pub fn fetch(&self, ia: u32) -> Option<Insn> {
        let a = ia as usize;
        let b = self.storage.bytes();
        let first = *b.get(a)?;
        let len = crate::format::length_of(first) as usize;
        b.get(a..a + len).map(Insn::from_bytes)
    }
}
