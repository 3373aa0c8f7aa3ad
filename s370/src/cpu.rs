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

/// An I/O instruction, as the processor hands it to its caller (the bare machine's channel
/// subsystem, or CP). The instruction address has already been advanced past it; the caller
/// performs it, stores a CSW if the instruction calls for one ([`Cpu::write_real`] at
/// X'40'), and sets the condition code with [`Cpu::complete_io`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoRequest {
    /// Which I/O instruction.
    pub op: IoOp,
    /// The device address: bits 16-31 of the second-operand address (channel in the high
    /// byte, unit in the low byte). Zero for STIDC's unit bits.
    pub device: u16,
}

/// The S/370 I/O instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoOp {
    /// START I/O (9C00).
    Sio,
    /// START I/O FAST RELEASE (9C01).
    Siof,
    /// TEST I/O (9D00).
    Tio,
    /// CLEAR I/O (9D01).
    Clrio,
    /// HALT I/O (9E00).
    Hio,
    /// HALT DEVICE (9E01).
    Hdv,
    /// TEST CHANNEL (9F00).
    Tch,
    /// STORE CHANNEL ID (B203).
    Stidc,
}

/// Why [`Cpu::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The instruction budget was used up.
    Budget,
    /// An I/O instruction for the caller to perform.
    Io(IoRequest),
    /// A DIAGNOSE (83) in the supervisor state: the R1 and R3 fields and the second-operand
    /// address (the function code). The instruction address is past the DIAGNOSE.
    Diagnose {
        /// R1 field.
        r1: usize,
        /// R3 field.
        r3: usize,
        /// The second-operand address D2(B2).
        code: u32,
    },
    /// The PSW has the wait bit on. `enabled` says whether any interruption could end the
    /// wait (I/O, external or machine-check mask on).
    Wait {
        /// Could an interruption end this wait?
        enabled: bool,
    },
}

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

    /// The effective address `D(X,B)`: the sum of the index register (unless `x` is 0), the
    /// base register (unless `b` is 0) and the displacement, truncated to 24 bits.
    #[inline(always)]
    pub fn ea(&self, x: usize, b: usize, d: u32) -> u32 {
        let xv = if x != 0 { self.gpr[x] } else { 0 };
        let bv = if b != 0 { self.gpr[b] } else { 0 };
        xv.wrapping_add(bv).wrapping_add(d) & 0x00FF_FFFF
    }

    /// Fetches `buf.len()` bytes of a storage operand at logical address `addr` (wrapping at
    /// 16 MB), with every architected check: translation, prefixing, addressing, fetch
    /// protection; sets reference bits.
    pub fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> ExecResult {
        for (i, b) in buf.iter_mut().enumerate() {
            let a = addr.wrapping_add(i as u32) & 0x00FF_FFFF;
            *b = *self
                .storage
                .bytes()
                .get(a as usize)
                .ok_or(Stop::Program(crate::interrupt::pic::ADDRESSING))?;
        }
        Ok(())
    }

    /// Stores `data` as a storage operand at logical address `addr` (wrapping at 16 MB), with
    /// every architected check; sets reference and change bits.
    pub fn write_bytes(&mut self, addr: u32, data: &[u8]) -> ExecResult {
        let size = self.storage.size() as u32;
        for i in 0..data.len() as u32 {
            if addr.wrapping_add(i) & 0x00FF_FFFF >= size {
                return Err(Stop::Program(crate::interrupt::pic::ADDRESSING));
            }
        }
        for (i, &b) in data.iter().enumerate() {
            let a = (addr.wrapping_add(i as u32) & 0x00FF_FFFF) as usize;
            self.storage.bytes_mut()[a] = b;
        }
        Ok(())
    }

    /// Fetches a byte operand.
    pub fn read_u8(&mut self, addr: u32) -> Result<u8, Stop> {
        let mut b = [0u8; 1];
        self.read_bytes(addr, &mut b)?;
        Ok(b[0])
    }

    /// Fetches a halfword operand (big-endian).
    pub fn read_u16(&mut self, addr: u32) -> Result<u16, Stop> {
        let mut b = [0u8; 2];
        self.read_bytes(addr, &mut b)?;
        Ok(u16::from_be_bytes(b))
    }

    /// Fetches a fullword operand (big-endian).
    pub fn read_u32(&mut self, addr: u32) -> Result<u32, Stop> {
        let mut b = [0u8; 4];
        self.read_bytes(addr, &mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    /// Fetches a doubleword operand (big-endian).
    pub fn read_u64(&mut self, addr: u32) -> Result<u64, Stop> {
        let mut b = [0u8; 8];
        self.read_bytes(addr, &mut b)?;
        Ok(u64::from_be_bytes(b))
    }

    /// Stores a byte operand.
    pub fn write_u8(&mut self, addr: u32, v: u8) -> ExecResult {
        self.write_bytes(addr, &[v])
    }

    /// Stores a halfword operand (big-endian).
    pub fn write_u16(&mut self, addr: u32, v: u16) -> ExecResult {
        self.write_bytes(addr, &v.to_be_bytes())
    }

    /// Stores a fullword operand (big-endian).
    pub fn write_u32(&mut self, addr: u32, v: u32) -> ExecResult {
        self.write_bytes(addr, &v.to_be_bytes())
    }

    /// Stores a doubleword operand (big-endian).
    pub fn write_u64(&mut self, addr: u32, v: u64) -> ExecResult {
        self.write_bytes(addr, &v.to_be_bytes())
    }

    /// Sets the condition code after the caller performed an [`IoRequest`].
    pub fn complete_io(&mut self, cc: u8) {
        self.psw.cc = cc & 3;
    }

    /// The absolute address of real address `addr` (prefixing applied).
    #[inline(always)]
    pub fn real_to_absolute(&self, addr: u32) -> u32 {
        let page = addr & 0x00FF_F000;
        if page == 0 {
            addr | self.prefix
        } else if page == self.prefix {
            addr & 0xFFF
        } else {
            addr
        }
    }

    /// Stores bytes at a real address (prefixing applied, no key check), e.g. a CSW at X'40'.
    pub fn write_real(&mut self, addr: u32, data: &[u8]) -> Result<(), crate::storage::AccessError> {
        let abs = self.real_to_absolute(addr);
        self.storage.write(abs, data)
    }

    /// Fetches bytes from a real address (prefixing applied, no key check), e.g. the CAW.
    pub fn read_real(&self, addr: u32, buf: &mut [u8]) -> Result<(), crate::storage::AccessError> {
        let abs = self.real_to_absolute(addr);
        self.storage.read(abs, buf)
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
