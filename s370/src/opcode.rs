//! The one opcode table: every S/370 instruction's code, mnemonic, format and handler.
//!
//! The decoder, the disassembler, the tracer and the assembler all read [`OPCODES`]; nothing
//! else lists instructions. Two-byte opcodes (the B2xx control instructions and the I/O
//! instructions 9C00-9F00) have `code > 0xFF`. Only the System/370 instructions of
//! GA22-7000 are here: the 370-XA and ESA/390 additions that Hercules also executes in S/370
//! mode (BASR, BAS, IPM, ...) are absent and so give an operation exception, as the book says.

use crate::cpu::{Cpu, ExecResult, Stop};
use crate::format::Insn;
use crate::insn::{branch, control, decimal, fixed, float, io, logical};
use crate::interrupt::pic;

/// The operand shape of an instruction, as the assembler writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `R1,R2`
    Rr,
    /// `R1` (SPM)
    RrR1,
    /// `M1,R2` (BCR)
    RrM,
    /// `I` (SVC)
    I,
    /// `R1,D2(X2,B2)`
    Rx,
    /// `M1,D2(X2,B2)` (BC)
    RxM,
    /// `R1,R3,D2(B2)`
    Rs,
    /// `R1,D2(B2)` (shifts; R3 field unused)
    RsShift,
    /// `R1,M3,D2(B2)` (ICM, STCM, CLM)
    RsMask,
    /// `R1,R3,D2(B2)` (DIAGNOSE; the D2/B2 field is the function code)
    Diag,
    /// `D1(B1),I2`
    Si,
    /// `D2(B2)`
    S,
    /// `D1(L,B1),D2(B2)`
    Ss1,
    /// `D1(L1,B1),D2(L2,B2)`
    Ss2,
    /// `D1(L1,B1),D2(B2),I3` (SRP)
    Srp,
}

/// Instruction attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpFlags(pub u8);

impl OpFlags {
    /// No attributes.
    pub const NONE: OpFlags = OpFlags(0);
    /// Privileged: a privileged-operation exception in the problem state.
    pub const PRIVILEGED: OpFlags = OpFlags(1);
    /// An I/O instruction.
    pub const IO: OpFlags = OpFlags(2);
    /// A privileged I/O instruction.
    pub const PRIVILEGED_IO: OpFlags = OpFlags(3);

    /// Are all of `other`'s bits set?
    pub const fn contains(self, other: OpFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for OpFlags {
    type Output = OpFlags;
    fn bitor(self, o: OpFlags) -> OpFlags {
        OpFlags(self.0 | o.0)
    }
}

/// Executes one instruction.
pub type Handler = fn(&mut Cpu, Insn) -> ExecResult;

/// One instruction of the table.
#[derive(Clone, Copy)]
pub struct Op {
    /// The opcode: one byte, or two bytes (`0xB205`) for two-byte opcodes.
    pub code: u16,
    /// The assembler mnemonic.
    pub mnemonic: &'static str,
    /// The operand format.
    pub format: Format,
    /// Attributes.
    pub flags: OpFlags,
    /// The handler.
    pub exec: Handler,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Op({:X} {} {:?})", self.code, self.mnemonic, self.format)
    }
}

impl Op {
    /// The instruction length in bytes.
    #[allow(clippy::len_without_is_empty)] // an instruction is never empty
    pub fn len(&self) -> u32 {
        crate::format::length_of(self.first_byte())
    }

    /// The first opcode byte.
    pub fn first_byte(&self) -> u8 {
        if self.code > 0xFF { (self.code >> 8) as u8 } else { self.code as u8 }
    }

    /// Is this a two-byte opcode?
    pub fn two_byte(&self) -> bool {
        self.code > 0xFF
    }
}

/// First bytes that introduce a two-byte opcode.
pub const TWO_BYTE_PREFIXES: [u8; 5] = [0x9C, 0x9D, 0x9E, 0x9F, 0xB2];

/// Every S/370 instruction.
pub static OPCODES: &[Op] = TABLE;

const TABLE: &[Op] = &[
    Op {
        code: 0x04,
        mnemonic: "SPM",
        format: Format::RrR1,
        flags: OpFlags::NONE,
        exec: |c, i| control::spm(c, i.into()),
    },
    Op {
        code: 0x05,
        mnemonic: "BALR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| branch::balr(c, i.into()),
    },
    Op {
        code: 0x06,
        mnemonic: "BCTR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bctr(c, i.into()),
    },
    Op {
        code: 0x07,
        mnemonic: "BCR",
        format: Format::RrM,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bcr(c, i.into()),
    },
    Op {
        code: 0x08,
        mnemonic: "SSK",
        format: Format::Rr,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::ssk(c, i.into())
        },
    },
    Op {
        code: 0x09,
        mnemonic: "ISK",
        format: Format::Rr,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::isk(c, i.into())
        },
    },
    Op {
        code: 0x0A,
        mnemonic: "SVC",
        format: Format::I,
        flags: OpFlags::NONE,
        exec: |c, i| branch::svc(c, i),
    },
    Op {
        code: 0x0E,
        mnemonic: "MVCL",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| logical::mvcl(c, i.into()),
    },
    Op {
        code: 0x0F,
        mnemonic: "CLCL",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| logical::clcl(c, i.into()),
    },
    Op {
        code: 0x10,
        mnemonic: "LPR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::lpr(c, i.into()),
    },
    Op {
        code: 0x11,
        mnemonic: "LNR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::lnr(c, i.into()),
    },
    Op {
        code: 0x12,
        mnemonic: "LTR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::ltr(c, i.into()),
    },
    Op {
        code: 0x13,
        mnemonic: "LCR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::lcr(c, i.into()),
    },
    Op {
        code: 0x14,
        mnemonic: "NR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| logical::nr(c, i.into()),
    },
    Op {
        code: 0x15,
        mnemonic: "CLR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| logical::clr(c, i.into()),
    },
    Op {
        code: 0x16,
        mnemonic: "OR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| logical::or(c, i.into()),
    },
    Op {
        code: 0x17,
        mnemonic: "XR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| logical::xr(c, i.into()),
    },
    Op {
        code: 0x18,
        mnemonic: "LR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::lr(c, i.into()),
    },
    Op {
        code: 0x19,
        mnemonic: "CR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::cr(c, i.into()),
    },
    Op {
        code: 0x1A,
        mnemonic: "AR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::ar(c, i.into()),
    },
    Op {
        code: 0x1B,
        mnemonic: "SR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::sr(c, i.into()),
    },
    Op {
        code: 0x1C,
        mnemonic: "MR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::mr(c, i.into()),
    },
    Op {
        code: 0x1D,
        mnemonic: "DR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::dr(c, i.into()),
    },
    Op {
        code: 0x1E,
        mnemonic: "ALR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::alr(c, i.into()),
    },
    Op {
        code: 0x1F,
        mnemonic: "SLR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::slr(c, i.into()),
    },
    Op {
        code: 0x20,
        mnemonic: "LPDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lpdr(c, i.into()),
    },
    Op {
        code: 0x21,
        mnemonic: "LNDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lndr(c, i.into()),
    },
    Op {
        code: 0x22,
        mnemonic: "LTDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::ltdr(c, i.into()),
    },
    Op {
        code: 0x23,
        mnemonic: "LCDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lcdr(c, i.into()),
    },
    Op {
        code: 0x24,
        mnemonic: "HDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::hdr(c, i.into()),
    },
    Op {
        code: 0x25,
        mnemonic: "LRDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lrdr(c, i.into()),
    },
    Op {
        code: 0x26,
        mnemonic: "MXR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::mxr(c, i.into()),
    },
    Op {
        code: 0x27,
        mnemonic: "MXDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::mxdr(c, i.into()),
    },
    Op {
        code: 0x28,
        mnemonic: "LDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::ldr(c, i.into()),
    },
    Op {
        code: 0x29,
        mnemonic: "CDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::cdr(c, i.into()),
    },
    Op {
        code: 0x2A,
        mnemonic: "ADR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::adr(c, i.into()),
    },
    Op {
        code: 0x2B,
        mnemonic: "SDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::sdr(c, i.into()),
    },
    Op {
        code: 0x2C,
        mnemonic: "MDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::mdr(c, i.into()),
    },
    Op {
        code: 0x2D,
        mnemonic: "DDR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::ddr(c, i.into()),
    },
    Op {
        code: 0x2E,
        mnemonic: "AWR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::awr(c, i.into()),
    },
    Op {
        code: 0x2F,
        mnemonic: "SWR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::swr(c, i.into()),
    },
    Op {
        code: 0x30,
        mnemonic: "LPER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lper(c, i.into()),
    },
    Op {
        code: 0x31,
        mnemonic: "LNER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lner(c, i.into()),
    },
    Op {
        code: 0x32,
        mnemonic: "LTER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lter(c, i.into()),
    },
    Op {
        code: 0x33,
        mnemonic: "LCER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lcer(c, i.into()),
    },
    Op {
        code: 0x34,
        mnemonic: "HER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::her(c, i.into()),
    },
    Op {
        code: 0x35,
        mnemonic: "LRER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::lrer(c, i.into()),
    },
    Op {
        code: 0x36,
        mnemonic: "AXR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::axr(c, i.into()),
    },
    Op {
        code: 0x37,
        mnemonic: "SXR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::sxr(c, i.into()),
    },
    Op {
        code: 0x38,
        mnemonic: "LER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::ler(c, i.into()),
    },
    Op {
        code: 0x39,
        mnemonic: "CER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::cer(c, i.into()),
    },
    Op {
        code: 0x3A,
        mnemonic: "AER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::aer(c, i.into()),
    },
    Op {
        code: 0x3B,
        mnemonic: "SER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::ser(c, i.into()),
    },
    Op {
        code: 0x3C,
        mnemonic: "MER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::mer(c, i.into()),
    },
    Op {
        code: 0x3D,
        mnemonic: "DER",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::der(c, i.into()),
    },
    Op {
        code: 0x3E,
        mnemonic: "AUR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::aur(c, i.into()),
    },
    Op {
        code: 0x3F,
        mnemonic: "SUR",
        format: Format::Rr,
        flags: OpFlags::NONE,
        exec: |c, i| float::sur(c, i.into()),
    },
    Op {
        code: 0x40,
        mnemonic: "STH",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::sth(c, i.into()),
    },
    Op {
        code: 0x41,
        mnemonic: "LA",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::la(c, i.into()),
    },
    Op {
        code: 0x42,
        mnemonic: "STC",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::stc(c, i.into()),
    },
    Op {
        code: 0x43,
        mnemonic: "IC",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::ic(c, i.into()),
    },
    Op {
        code: 0x44,
        mnemonic: "EX",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| branch::ex(c, i.into()),
    },
    Op {
        code: 0x45,
        mnemonic: "BAL",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bal(c, i.into()),
    },
    Op {
        code: 0x46,
        mnemonic: "BCT",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bct(c, i.into()),
    },
    Op {
        code: 0x47,
        mnemonic: "BC",
        format: Format::RxM,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bc(c, i.into()),
    },
    Op {
        code: 0x48,
        mnemonic: "LH",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::lh(c, i.into()),
    },
    Op {
        code: 0x49,
        mnemonic: "CH",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::ch(c, i.into()),
    },
    Op {
        code: 0x4A,
        mnemonic: "AH",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::ah(c, i.into()),
    },
    Op {
        code: 0x4B,
        mnemonic: "SH",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::sh(c, i.into()),
    },
    Op {
        code: 0x4C,
        mnemonic: "MH",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::mh(c, i.into()),
    },
    Op {
        code: 0x4E,
        mnemonic: "CVD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::cvd(c, i.into()),
    },
    Op {
        code: 0x4F,
        mnemonic: "CVB",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::cvb(c, i.into()),
    },
    Op {
        code: 0x50,
        mnemonic: "ST",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::st(c, i.into()),
    },
    Op {
        code: 0x54,
        mnemonic: "N",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| logical::n(c, i.into()),
    },
    Op {
        code: 0x55,
        mnemonic: "CL",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| logical::cl(c, i.into()),
    },
    Op {
        code: 0x56,
        mnemonic: "O",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| logical::o(c, i.into()),
    },
    Op {
        code: 0x57,
        mnemonic: "X",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| logical::x(c, i.into()),
    },
    Op {
        code: 0x58,
        mnemonic: "L",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::l(c, i.into()),
    },
    Op {
        code: 0x59,
        mnemonic: "C",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::c(c, i.into()),
    },
    Op {
        code: 0x5A,
        mnemonic: "A",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::a(c, i.into()),
    },
    Op {
        code: 0x5B,
        mnemonic: "S",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::s(c, i.into()),
    },
    Op {
        code: 0x5C,
        mnemonic: "M",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::m(c, i.into()),
    },
    Op {
        code: 0x5D,
        mnemonic: "D",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::d(c, i.into()),
    },
    Op {
        code: 0x5E,
        mnemonic: "AL",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::al(c, i.into()),
    },
    Op {
        code: 0x5F,
        mnemonic: "SL",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::sl(c, i.into()),
    },
    Op {
        code: 0x60,
        mnemonic: "STD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::std(c, i.into()),
    },
    Op {
        code: 0x67,
        mnemonic: "MXD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::mxd(c, i.into()),
    },
    Op {
        code: 0x68,
        mnemonic: "LD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::ld(c, i.into()),
    },
    Op {
        code: 0x69,
        mnemonic: "CD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::cd(c, i.into()),
    },
    Op {
        code: 0x6A,
        mnemonic: "AD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::ad(c, i.into()),
    },
    Op {
        code: 0x6B,
        mnemonic: "SD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::sd(c, i.into()),
    },
    Op {
        code: 0x6C,
        mnemonic: "MD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::md(c, i.into()),
    },
    Op {
        code: 0x6D,
        mnemonic: "DD",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::dd(c, i.into()),
    },
    Op {
        code: 0x6E,
        mnemonic: "AW",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::aw(c, i.into()),
    },
    Op {
        code: 0x6F,
        mnemonic: "SW",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::sw(c, i.into()),
    },
    Op {
        code: 0x70,
        mnemonic: "STE",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::ste(c, i.into()),
    },
    Op {
        code: 0x78,
        mnemonic: "LE",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::le(c, i.into()),
    },
    Op {
        code: 0x79,
        mnemonic: "CE",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::ce(c, i.into()),
    },
    Op {
        code: 0x7A,
        mnemonic: "AE",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::ae(c, i.into()),
    },
    Op {
        code: 0x7B,
        mnemonic: "SE",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::se(c, i.into()),
    },
    Op {
        code: 0x7C,
        mnemonic: "ME",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::me(c, i.into()),
    },
    Op {
        code: 0x7D,
        mnemonic: "DE",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::de(c, i.into()),
    },
    Op {
        code: 0x7E,
        mnemonic: "AU",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::au(c, i.into()),
    },
    Op {
        code: 0x7F,
        mnemonic: "SU",
        format: Format::Rx,
        flags: OpFlags::NONE,
        exec: |c, i| float::su(c, i.into()),
    },
    Op {
        code: 0x80,
        mnemonic: "SSM",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::ssm(c, i.into())
        },
    },
    Op {
        code: 0x82,
        mnemonic: "LPSW",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::lpsw(c, i.into())
        },
    },
    Op {
        code: 0x83,
        mnemonic: "DIAG",
        format: Format::Diag,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| control::diagnose(c, i.into()),
    },
    Op {
        code: 0x84,
        mnemonic: "WRD",
        format: Format::Si,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| control::wrd(c, i.into()),
    },
    Op {
        code: 0x85,
        mnemonic: "RDD",
        format: Format::Si,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| control::rdd(c, i.into()),
    },
    Op {
        code: 0x86,
        mnemonic: "BXH",
        format: Format::Rs,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bxh(c, i.into()),
    },
    Op {
        code: 0x87,
        mnemonic: "BXLE",
        format: Format::Rs,
        flags: OpFlags::NONE,
        exec: |c, i| branch::bxle(c, i.into()),
    },
    Op {
        code: 0x88,
        mnemonic: "SRL",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| logical::srl(c, i.into()),
    },
    Op {
        code: 0x89,
        mnemonic: "SLL",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| logical::sll(c, i.into()),
    },
    Op {
        code: 0x8A,
        mnemonic: "SRA",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::sra(c, i.into()),
    },
    Op {
        code: 0x8B,
        mnemonic: "SLA",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::sla(c, i.into()),
    },
    Op {
        code: 0x8C,
        mnemonic: "SRDL",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| logical::srdl(c, i.into()),
    },
    Op {
        code: 0x8D,
        mnemonic: "SLDL",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| logical::sldl(c, i.into()),
    },
    Op {
        code: 0x8E,
        mnemonic: "SRDA",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::srda(c, i.into()),
    },
    Op {
        code: 0x8F,
        mnemonic: "SLDA",
        format: Format::RsShift,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::slda(c, i.into()),
    },
    Op {
        code: 0x90,
        mnemonic: "STM",
        format: Format::Rs,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::stm(c, i.into()),
    },
    Op {
        code: 0x91,
        mnemonic: "TM",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| logical::tm(c, i.into()),
    },
    Op {
        code: 0x92,
        mnemonic: "MVI",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| logical::mvi(c, i.into()),
    },
    Op {
        code: 0x93,
        mnemonic: "TS",
        format: Format::S,
        flags: OpFlags::NONE,
        exec: |c, i| logical::ts(c, i.into()),
    },
    Op {
        code: 0x94,
        mnemonic: "NI",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| logical::ni(c, i.into()),
    },
    Op {
        code: 0x95,
        mnemonic: "CLI",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| logical::cli(c, i.into()),
    },
    Op {
        code: 0x96,
        mnemonic: "OI",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| logical::oi(c, i.into()),
    },
    Op {
        code: 0x97,
        mnemonic: "XI",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| logical::xi(c, i.into()),
    },
    Op {
        code: 0x98,
        mnemonic: "LM",
        format: Format::Rs,
        flags: OpFlags::NONE,
        exec: |c, i| fixed::lm(c, i.into()),
    },
    Op {
        code: 0x9C00,
        mnemonic: "SIO",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::sio(c, i.into()),
    },
    Op {
        code: 0x9C01,
        mnemonic: "SIOF",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::siof(c, i.into()),
    },
    Op {
        code: 0x9D00,
        mnemonic: "TIO",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::tio(c, i.into()),
    },
    Op {
        code: 0x9D01,
        mnemonic: "CLRIO",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::clrio(c, i.into()),
    },
    Op {
        code: 0x9E00,
        mnemonic: "HIO",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::hio(c, i.into()),
    },
    Op {
        code: 0x9E01,
        mnemonic: "HDV",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::hdv(c, i.into()),
    },
    Op {
        code: 0x9F00,
        mnemonic: "TCH",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::tch(c, i.into()),
    },
    Op {
        code: 0xAC,
        mnemonic: "STNSM",
        format: Format::Si,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stnsm(c, i.into())
        },
    },
    Op {
        code: 0xAD,
        mnemonic: "STOSM",
        format: Format::Si,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stosm(c, i.into())
        },
    },
    Op {
        code: 0xAE,
        mnemonic: "SIGP",
        format: Format::Rs,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::sigp(c, i.into())
        },
    },
    Op {
        code: 0xAF,
        mnemonic: "MC",
        format: Format::Si,
        flags: OpFlags::NONE,
        exec: |c, i| control::mc(c, i.into()),
    },
    Op {
        code: 0xB1,
        mnemonic: "LRA",
        format: Format::Rx,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::lra(c, i.into())
        },
    },
    Op {
        code: 0xB202,
        mnemonic: "STIDP",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stidp(c, i.into())
        },
    },
    Op {
        code: 0xB203,
        mnemonic: "STIDC",
        format: Format::S,
        flags: OpFlags::PRIVILEGED_IO,
        exec: |c, i| io::stidc(c, i.into()),
    },
    Op {
        code: 0xB204,
        mnemonic: "SCK",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::sck(c, i.into())
        },
    },
    Op {
        code: 0xB205,
        mnemonic: "STCK",
        format: Format::S,
        flags: OpFlags::NONE,
        exec: |c, i| control::stck(c, i.into()),
    },
    Op {
        code: 0xB206,
        mnemonic: "SCKC",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::sckc(c, i.into())
        },
    },
    Op {
        code: 0xB207,
        mnemonic: "STCKC",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stckc(c, i.into())
        },
    },
    Op {
        code: 0xB208,
        mnemonic: "SPT",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::spt(c, i.into())
        },
    },
    Op {
        code: 0xB209,
        mnemonic: "STPT",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stpt(c, i.into())
        },
    },
    Op {
        code: 0xB20A,
        mnemonic: "SPKA",
        format: Format::S,
        flags: OpFlags::NONE,
        exec: |c, i| control::spka(c, i.into()),
    },
    Op {
        code: 0xB20B,
        mnemonic: "IPK",
        format: Format::S,
        flags: OpFlags::NONE,
        exec: |c, i| control::ipk(c, i.into()),
    },
    Op {
        code: 0xB20D,
        mnemonic: "PTLB",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::ptlb(c, i.into())
        },
    },
    Op {
        code: 0xB210,
        mnemonic: "SPX",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::spx(c, i.into())
        },
    },
    Op {
        code: 0xB211,
        mnemonic: "STPX",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stpx(c, i.into())
        },
    },
    Op {
        code: 0xB212,
        mnemonic: "STAP",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stap(c, i.into())
        },
    },
    Op {
        code: 0xB213,
        mnemonic: "RRB",
        format: Format::S,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::rrb(c, i.into())
        },
    },
    Op {
        code: 0xB6,
        mnemonic: "STCTL",
        format: Format::Rs,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::stctl(c, i.into())
        },
    },
    Op {
        code: 0xB7,
        mnemonic: "LCTL",
        format: Format::Rs,
        flags: OpFlags::PRIVILEGED,
        exec: |c, i| {
            c.privileged(i)?;
            control::lctl(c, i.into())
        },
    },
    Op {
        code: 0xBA,
        mnemonic: "CS",
        format: Format::Rs,
        flags: OpFlags::NONE,
        exec: |c, i| logical::cs(c, i.into()),
    },
    Op {
        code: 0xBB,
        mnemonic: "CDS",
        format: Format::Rs,
        flags: OpFlags::NONE,
        exec: |c, i| logical::cds(c, i.into()),
    },
    Op {
        code: 0xBD,
        mnemonic: "CLM",
        format: Format::RsMask,
        flags: OpFlags::NONE,
        exec: |c, i| logical::clm(c, i.into()),
    },
    Op {
        code: 0xBE,
        mnemonic: "STCM",
        format: Format::RsMask,
        flags: OpFlags::NONE,
        exec: |c, i| logical::stcm(c, i.into()),
    },
    Op {
        code: 0xBF,
        mnemonic: "ICM",
        format: Format::RsMask,
        flags: OpFlags::NONE,
        exec: |c, i| logical::icm(c, i.into()),
    },
    Op {
        code: 0xD1,
        mnemonic: "MVN",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::mvn(c, i.into()),
    },
    Op {
        code: 0xD2,
        mnemonic: "MVC",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::mvc(c, i.into()),
    },
    Op {
        code: 0xD3,
        mnemonic: "MVZ",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::mvz(c, i.into()),
    },
    Op {
        code: 0xD4,
        mnemonic: "NC",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::nc(c, i.into()),
    },
    Op {
        code: 0xD5,
        mnemonic: "CLC",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::clc(c, i.into()),
    },
    Op {
        code: 0xD6,
        mnemonic: "OC",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::oc(c, i.into()),
    },
    Op {
        code: 0xD7,
        mnemonic: "XC",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::xc(c, i.into()),
    },
    Op {
        code: 0xDC,
        mnemonic: "TR",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::tr(c, i.into()),
    },
    Op {
        code: 0xDD,
        mnemonic: "TRT",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| logical::trt(c, i.into()),
    },
    Op {
        code: 0xDE,
        mnemonic: "ED",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::ed(c, i.into()),
    },
    Op {
        code: 0xDF,
        mnemonic: "EDMK",
        format: Format::Ss1,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::edmk(c, i.into()),
    },
    Op {
        code: 0xF0,
        mnemonic: "SRP",
        format: Format::Srp,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::srp(c, i.into()),
    },
    Op {
        code: 0xF1,
        mnemonic: "MVO",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::mvo(c, i.into()),
    },
    Op {
        code: 0xF2,
        mnemonic: "PACK",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::pack(c, i.into()),
    },
    Op {
        code: 0xF3,
        mnemonic: "UNPK",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::unpk(c, i.into()),
    },
    Op {
        code: 0xF8,
        mnemonic: "ZAP",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::zap(c, i.into()),
    },
    Op {
        code: 0xF9,
        mnemonic: "CP",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::cp(c, i.into()),
    },
    Op {
        code: 0xFA,
        mnemonic: "AP",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::ap(c, i.into()),
    },
    Op {
        code: 0xFB,
        mnemonic: "SP",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::sp(c, i.into()),
    },
    Op {
        code: 0xFC,
        mnemonic: "MP",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::mp(c, i.into()),
    },
    Op {
        code: 0xFD,
        mnemonic: "DP",
        format: Format::Ss2,
        flags: OpFlags::NONE,
        exec: |c, i| decimal::dp(c, i.into()),
    },
];

/// Gives an operation exception: the handler of every code the table does not define.
fn invalid(_: &mut Cpu, _: Insn) -> ExecResult {
    Err(Stop::Program(pic::OPERATION))
}

/// The handlers of the one-byte opcodes, and of the first byte of the two-byte ones.
const fn primary() -> [Handler; 256] {
    let mut t: [Handler; 256] = [invalid; 256];
    let mut i = 0;
    while i < TABLE.len() {
        if TABLE[i].code <= 0xFF {
            t[TABLE[i].code as usize] = TABLE[i].exec;
        }
        i += 1;
    }
    t[0x9C] = |c, i| SECOND[0][i.byte(1) as usize](c, i);
    t[0x9D] = |c, i| SECOND[1][i.byte(1) as usize](c, i);
    t[0x9E] = |c, i| SECOND[2][i.byte(1) as usize](c, i);
    t[0x9F] = |c, i| SECOND[3][i.byte(1) as usize](c, i);
    t[0xB2] = |c, i| SECOND[4][i.byte(1) as usize](c, i);
    t
}

/// The handlers of the two-byte opcodes, one table per prefix of [`TWO_BYTE_PREFIXES`].
const fn secondary() -> [[Handler; 256]; 5] {
    let mut t: [[Handler; 256]; 5] = [[invalid; 256]; 5];
    let mut i = 0;
    while i < TABLE.len() {
        let code = TABLE[i].code;
        if code > 0xFF {
            let first = (code >> 8) as u8;
            let mut k = 0;
            while k < TWO_BYTE_PREFIXES.len() {
                if TWO_BYTE_PREFIXES[k] == first {
                    t[k][(code & 0xFF) as usize] = TABLE[i].exec;
                }
                k += 1;
            }
        }
        i += 1;
    }
    t
}

/// The instruction cycle's dispatch table, indexed by the first opcode byte.
pub(crate) static DISPATCH: [Handler; 256] = primary();
static SECOND: [[Handler; 256]; 5] = secondary();

/// Finds an instruction by its mnemonic (upper case).
pub fn by_mnemonic(m: &str) -> Option<&'static Op> {
    OPCODES.iter().find(|o| o.mnemonic == m)
}

/// Finds the instruction an instruction's first bytes encode.
pub fn lookup(first: u8, second: u8) -> Option<&'static Op> {
    let code = if TWO_BYTE_PREFIXES.contains(&first) {
        u16::from_be_bytes([first, second])
    } else {
        u16::from(first)
    };
    OPCODES.iter().find(|o| o.code == code)
}

/// An extended branch mnemonic: `B` is `BC 15`, `BNER` is `BCR 7`, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extended {
    /// The extended mnemonic.
    pub mnemonic: &'static str,
    /// The base instruction (`BC` or `BCR`).
    pub base: &'static str,
    /// The mask it supplies as the first operand.
    pub mask: u8,
}

macro_rules! ext {
    ($($m:literal $r:literal $mask:literal),* $(,)?) => {
        &[$(Extended { mnemonic: $m, base: "BC", mask: $mask },
            Extended { mnemonic: $r, base: "BCR", mask: $mask }),*]
    };
}

/// The extended branch mnemonics (BC and BCR forms).
pub static EXTENDED: &[Extended] = ext![
    "B" "BR" 15, "NOP" "NOPR" 0,
    "BH" "BHR" 2, "BL" "BLR" 4, "BE" "BER" 8, "BNH" "BNHR" 13, "BNL" "BNLR" 11, "BNE" "BNER" 7,
    "BO" "BOR" 1, "BP" "BPR" 2, "BM" "BMR" 4, "BZ" "BZR" 8, "BNO" "BNOR" 14, "BNP" "BNPR" 13,
    "BNM" "BNMR" 11, "BNZ" "BNZR" 7,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for op in OPCODES {
            assert!(seen.insert(op.code), "duplicate {:X}", op.code);
            assert_eq!(op.two_byte(), TWO_BYTE_PREFIXES.contains(&op.first_byte()), "{op:?}");
            assert_eq!(lookup(op.first_byte(), op.code as u8).map(|o| o.code), Some(op.code));
            assert_eq!(by_mnemonic(op.mnemonic).map(|o| o.code), Some(op.code));
        }
        assert!(lookup(0x0D, 0).is_none(), "BASR is 370-XA, not S/370");
        assert!(lookup(0xB2, 0x22).is_none(), "IPM is 370-XA, not S/370");
    }
}
