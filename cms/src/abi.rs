//! The CP<->CMS ABI: how a CMS monitor asks CP for something, on either machine.
//!
//! Both monitors use VM/370's own interface: DIAGNOSE with the R6 numbering and register
//! conventions ([`diag`]), and S/370 channel programs (CCWs) for the console, the spool devices
//! and the minidisks. On S/370 that is the DIAGNOSE and SIO instructions themselves. On x86 the
//! same requests travel through one I/O port ([`CALL_PORT`]): the guest builds a [`CallBlock`]
//! in its memory and executes `OUT dx, eax` with `dx` = [`CALL_PORT`] and `eax` = the block's
//! address. When the `OUT` completes, CP has written its answer into the block. Nothing else
//! reaches CP: an `OUT`/`IN` to another port, a store outside storage, or a fault stops the
//! machine (CP tells its user).
//!
//! ```text
//!   x86 CMS (CPL3)                        CP
//!   ---------------                       ----------------------------------------------
//!   block = { kind, code, rx, ry, gpr[16], device, caw }
//!   OUT CALL_PORT, &block  ───────────►   KIND_DIAGNOSE: Exit::Service (code, Rx, Ry, GPRs)
//!                                         KIND_IO:       CAW -> X'48', Exit::Io (op, device)
//!                                         KIND_WAIT:     an interruption pending? deliver it,
//!                                                        else Exit::Idle until CP posts one
//!                                         KIND_POLL:     deliver one if pending, else none
//!                                         KIND_STOP:     Exit::Stopped (a disabled wait)
//!   ◄──────────── block = { cc, status, gpr[16], pic, irq, device, csw, ext_code }
//! ```
//!
//! The x86 guest keeps an S/370-style low core for the channel: the CAW at [`CAW_ADDR`] and
//! the CSW stored at [`CSW_ADDR`] (CP's virtual I/O runs unchanged). CCWs, CAW and CSW are in
//! S/370 (big-endian) format; the call block itself is little-endian (x86). Every address a
//! channel program or a DIAGNOSE names is a 24-bit S/370 address, so the x86 monitor keeps its
//! I/O buffers below 16 MiB.
//!
//! At IPL of the x86 CMS, CP writes an [`IplInfo`] block at [`IPL_INFO_ADDR`] and starts the
//! image at its entry with `rdi` = [`IPL_INFO_ADDR`]: the system's ready-message style, the
//! machine's storage size, the user id and the IPL parameter.
//!
//! This module uses only `core`, so the x86 monitor includes it with `#[path]`.

/// The I/O port the x86 guest calls CP through (`OUT dx, eax`, 32 bits: the block address).
pub const CALL_PORT: u16 = 0x0370;

/// Where CP stores the channel status word at an I/O interruption or a CSW-storing I/O
/// instruction (S/370 PSA X'40').
pub const CSW_ADDR: u64 = 0x40;

/// Where the channel address word is fetched from at START I/O (S/370 PSA X'48'). On x86, CP
/// copies [`CallBlock::caw`] here before it performs the instruction.
pub const CAW_ADDR: u64 = 0x48;

/// Where CP writes the [`IplInfo`] block before starting the x86 CMS.
pub const IPL_INFO_ADDR: u64 = 0x200;

/// The guest-physical address the x86 CMS image is linked at and loaded to: the end of the
/// x86 backend's system area (`x86_backend::long_mode::SYSTEM_AREA_END`).
pub const X86_LOAD_ADDR: u64 = 0x1_0000;

/// The DIAGNOSE codes CP provides (VM/370 R6 System Programmer's Guide, "DIAGNOSE Instruction
/// in a Virtual Machine"), with the R6 register conventions.
pub mod diag {
    /// X'00': store extended identification (Rx = buffer, Ry = length).
    pub const STORE_EXTENDED_ID: u16 = 0x00;
    /// X'08': virtual console function: Rx = the CP command line (EBCDIC, X'15' separates
    /// commands), Ry = its length, plus [`CAPTURE`] to return the response in the buffer at
    /// Rx+1 of Ry+1 bytes. Ry returns CP's return code (1 = unknown command); with capture,
    /// Ry+1 returns the response length (CC 0) or the bytes that did not fit (CC 1). Length 0
    /// enters CP mode.
    pub const CP_COMMAND: u16 = 0x08;
    /// X'0C': pseudo timer: 32 bytes at Rx: `MM/DD/YYHH:MM:SS` (EBCDIC), then the virtual and
    /// the total processor time in microseconds (two doublewords).
    pub const PSEUDO_TIMER: u16 = 0x0C;
    /// X'10': release pages (a hint).
    pub const RELEASE_PAGES: u16 = 0x10;
    /// X'18': standard DASD I/O: Rx = device address, Ry = address of a channel program
    /// (SEEK, SEARCH ID EQUAL, TIC, READ/WRITE DATA ...) run synchronously. CC 0 done; CC 1
    /// with R15 = 1 not attached, 2 not a DASD, 3 read-only, 4 outside the minidisk; CC 2 with
    /// R15 = 5 a bad channel program; CC 3 with R15 = 13 another error.
    pub const DASD_IO: u16 = 0x18;
    /// X'20': general I/O: like X'18' for any device.
    pub const GENERAL_IO: u16 = 0x20;
    /// X'24': device type: Rx = device address (-1: the virtual console), returns VDEVTYPC
    /// VDEVTYPE VDEVSTAT VDEVFLAG in Ry and the real device's in Ry+1; CC 3 no such device.
    /// For a DASD, VDEVFLAG X'80' means read-only.
    pub const DEVICE_TYPE: u16 = 0x24;
    /// X'58': 3270 virtual console interface.
    pub const CONSOLE_3270: u16 = 0x58;
    /// X'5C': error message editing: Rx = message address, Ry = length; returns the part to
    /// type per `CP SET EMSG`.
    pub const MESSAGE_EDIT: u16 = 0x5C;
    /// X'60': virtual storage size in Rx.
    pub const STORAGE_SIZE: u16 = 0x60;
    /// X'64': named segments (LOADSYS, PURGESYS, FINDSYS).
    pub const NAMED_SEGMENT: u16 = 0x64;
    /// The flag in Ry of DIAGNOSE X'08' that asks for the response to be returned.
    pub const CAPTURE: u32 = 0x4000_0000;
}

/// What a call asks for ([`CallBlock::kind`]).
pub mod kind {
    /// A DIAGNOSE: `code` is the DIAGNOSE code, `rx`/`ry` the register numbers, `gpr` the
    /// registers. CP answers `gpr` and `cc` (or a program check in `status`/`pic`).
    pub const DIAGNOSE: u16 = 1;
    /// An S/370 I/O instruction on a virtual device: `code` is one of [`super::io_op`],
    /// `device` the address, `caw` the channel address word (START I/O). CP answers `cc`; when
    /// the instruction stores a CSW, it is in `csw` (and at X'40').
    pub const IO: u16 = 2;
    /// Wait for an interruption (the x86 form of an enabled wait PSW): returns at once with
    /// the oldest pending one, else the machine idles, costing nothing, until CP posts one.
    pub const WAIT: u16 = 3;
    /// Like [`WAIT`] but never waits: `irq` is [`super::irq::NONE`] when nothing is pending.
    pub const POLL: u16 = 4;
    /// Stop: the x86 form of a disabled wait; `code` is shown in CP's message.
    pub const STOP: u16 = 5;
}

/// The I/O instructions of [`kind::IO`] (`code`).
pub mod io_op {
    /// START I/O.
    pub const SIO: u16 = 0;
    /// START I/O FAST RELEASE.
    pub const SIOF: u16 = 1;
    /// TEST I/O.
    pub const TIO: u16 = 2;
    /// CLEAR I/O.
    pub const CLRIO: u16 = 3;
    /// HALT I/O.
    pub const HIO: u16 = 4;
    /// HALT DEVICE.
    pub const HDV: u16 = 5;
    /// TEST CHANNEL.
    pub const TCH: u16 = 6;
    /// STORE CHANNEL ID.
    pub const STIDC: u16 = 7;
}

/// How CP answered ([`CallBlock::status`]).
pub mod status {
    /// Done: `cc`, `gpr`, `csw` hold the answer.
    pub const OK: u8 = 0;
    /// CP gave a program interruption instead (e.g. specification for an unknown DIAGNOSE
    /// code); the interruption code is in `pic`.
    pub const PROGRAM_CHECK: u8 = 1;
    /// The call itself was invalid (unknown kind, I/O operation or register number).
    pub const INVALID: u8 = 2;
}

/// The interruption a [`kind::WAIT`] or [`kind::POLL`] returns ([`CallBlock::irq`]).
pub mod irq {
    /// None pending (POLL only).
    pub const NONE: u16 = 0;
    /// An I/O interruption: `device` and `csw`.
    pub const IO: u16 = 1;
    /// An external interruption: `ext_code`.
    pub const EXTERNAL: u16 = 2;
}

/// Bytes in a [`CallBlock`] as it lies in guest memory.
pub const CALL_BLOCK_LEN: usize = 96;

/// The parameter block of a call, as it lies in guest memory (little-endian):
///
/// ```text
///  0 kind u16    2 code u16    4 rx u8   5 ry u8   6 cc u8   7 status u8
///  8 gpr[16] u32 (VM/370 registers R0-R15)
/// 72 device u16 74 irq u16    76 ext_code u16     78 pic u16
/// 80 caw u32    84 (reserved, zero) u32           88 csw[8] (S/370 CSW, big-endian)
/// 96
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallBlock {
    /// What is asked: one of [`kind`].
    pub kind: u16,
    /// The DIAGNOSE code, the I/O operation ([`io_op`]) or the STOP code.
    pub code: u16,
    /// The DIAGNOSE Rx register number (0-15).
    pub rx: u8,
    /// The DIAGNOSE Ry register number (0-15).
    pub ry: u8,
    /// Out: the condition code.
    pub cc: u8,
    /// Out: one of [`status`].
    pub status: u8,
    /// In/out: the general registers R0-R15 with VM/370's conventions.
    pub gpr: [u32; 16],
    /// In: the device of an I/O instruction; out: the device of an I/O interruption.
    pub device: u16,
    /// Out: the interruption delivered by WAIT/POLL, one of [`irq`].
    pub irq: u16,
    /// Out: the external interruption code.
    pub ext_code: u16,
    /// Out: the program interruption code when `status` is [`status::PROGRAM_CHECK`].
    pub pic: u16,
    /// In: the channel address word for START I/O (key in bits 0-3, CCW address in 8-31).
    pub caw: u32,
    /// Out: the CSW of an I/O interruption or of a CSW-storing I/O instruction.
    pub csw: [u8; 8],
}

fn get16(b: &[u8; CALL_BLOCK_LEN], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn get32(b: &[u8; CALL_BLOCK_LEN], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl CallBlock {
    /// Decodes the bytes of a block (any bytes decode; CP validates the fields).
    pub fn from_bytes(b: &[u8; CALL_BLOCK_LEN]) -> CallBlock {
        let mut gpr = [0u32; 16];
        for (i, g) in gpr.iter_mut().enumerate() {
            *g = get32(b, 8 + 4 * i);
        }
        let mut csw = [0u8; 8];
        csw.copy_from_slice(&b[88..96]);
        CallBlock {
            kind: get16(b, 0),
            code: get16(b, 2),
            rx: b[4],
            ry: b[5],
            cc: b[6],
            status: b[7],
            gpr,
            device: get16(b, 72),
            irq: get16(b, 74),
            ext_code: get16(b, 76),
            pic: get16(b, 78),
            caw: get32(b, 80),
            csw,
        }
    }

    /// Encodes the block.
    pub fn to_bytes(&self) -> [u8; CALL_BLOCK_LEN] {
        let mut b = [0u8; CALL_BLOCK_LEN];
        b[0..2].copy_from_slice(&self.kind.to_le_bytes());
        b[2..4].copy_from_slice(&self.code.to_le_bytes());
        b[4] = self.rx;
        b[5] = self.ry;
        b[6] = self.cc;
        b[7] = self.status;
        for (i, g) in self.gpr.iter().enumerate() {
            b[8 + 4 * i..12 + 4 * i].copy_from_slice(&g.to_le_bytes());
        }
        b[72..74].copy_from_slice(&self.device.to_le_bytes());
        b[74..76].copy_from_slice(&self.irq.to_le_bytes());
        b[76..78].copy_from_slice(&self.ext_code.to_le_bytes());
        b[78..80].copy_from_slice(&self.pic.to_le_bytes());
        b[80..84].copy_from_slice(&self.caw.to_le_bytes());
        b[88..96].copy_from_slice(&self.csw);
        b
    }
}

/// The first bytes of an [`IplInfo`] block.
pub const IPL_MAGIC: [u8; 8] = *b"VM370CMS";

/// Bytes in an [`IplInfo`] block.
pub const IPL_INFO_LEN: usize = 112;

/// The longest IPL parameter CP passes (longer text is cut).
pub const IPL_PARM_MAX: usize = 64;

/// [`IplInfo::flags`]: the system's ready message is `Ready;` (`READYMSG READY`), not `R;`.
pub const IPL_FLAG_READY_LONG: u32 = 1;

/// What CP tells the x86 CMS at IPL, at [`IPL_INFO_ADDR`] (little-endian):
///
/// ```text
///  0 magic "VM370CMS"   8 version u32 (1)   12 flags u32   16 storage u32 (bytes)
/// 20 parm_len u32      24 userid[8] (ASCII, blank-padded)  32 parm[64] (ASCII)
/// 96 (reserved, zero) up to 112
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IplInfo {
    /// [`IPL_FLAG_READY_LONG`] and future flags.
    pub flags: u32,
    /// The machine's defined storage size in bytes (as DIAGNOSE X'60' reports it).
    pub storage: u32,
    /// The user id, ASCII, blank-padded.
    pub userid: [u8; 8],
    /// Bytes of `parm` in use.
    pub parm_len: u32,
    /// The IPL parameter (`IPL CMS PARM text`), ASCII upper case.
    pub parm: [u8; IPL_PARM_MAX],
}

impl IplInfo {
    /// The version CP writes.
    pub const VERSION: u32 = 1;

    /// A block for `userid` with `storage` bytes and the IPL parameter `parm` (cut to
    /// [`IPL_PARM_MAX`] bytes; non-ASCII bytes become `?`).
    pub fn new(userid: &str, storage: u32, parm: &str, ready_long: bool) -> IplInfo {
        let mut u = [b' '; 8];
        for (d, s) in u.iter_mut().zip(userid.bytes()) {
            *d = if s.is_ascii() { s.to_ascii_uppercase() } else { b'?' };
        }
        let mut p = [0u8; IPL_PARM_MAX];
        let mut n = 0;
        for (d, s) in p.iter_mut().zip(parm.bytes()) {
            *d = if s.is_ascii() { s } else { b'?' };
            n += 1;
        }
        IplInfo {
            flags: if ready_long { IPL_FLAG_READY_LONG } else { 0 },
            storage,
            userid: u,
            parm_len: n as u32,
            parm: p,
        }
    }

    /// Decodes a block; `None` if the magic or version is wrong.
    pub fn from_bytes(b: &[u8; IPL_INFO_LEN]) -> Option<IplInfo> {
        let w = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        if b[0..8] != IPL_MAGIC || w(8) != Self::VERSION {
            return None;
        }
        let mut userid = [0u8; 8];
        userid.copy_from_slice(&b[24..32]);
        let mut parm = [0u8; IPL_PARM_MAX];
        parm.copy_from_slice(&b[32..32 + IPL_PARM_MAX]);
        Some(IplInfo {
            flags: w(12),
            storage: w(16),
            parm_len: w(20).min(IPL_PARM_MAX as u32),
            userid,
            parm,
        })
    }

    /// Encodes the block.
    pub fn to_bytes(&self) -> [u8; IPL_INFO_LEN] {
        let mut b = [0u8; IPL_INFO_LEN];
        b[0..8].copy_from_slice(&IPL_MAGIC);
        b[8..12].copy_from_slice(&Self::VERSION.to_le_bytes());
        b[12..16].copy_from_slice(&self.flags.to_le_bytes());
        b[16..20].copy_from_slice(&self.storage.to_le_bytes());
        b[20..24].copy_from_slice(&self.parm_len.to_le_bytes());
        b[24..32].copy_from_slice(&self.userid);
        b[32..32 + IPL_PARM_MAX].copy_from_slice(&self.parm);
        b
    }

    /// The IPL parameter as text.
    pub fn parm_bytes(&self) -> &[u8] {
        &self.parm[..(self.parm_len as usize).min(IPL_PARM_MAX)]
    }

    /// Whether the ready message is `Ready;`.
    pub fn ready_long(&self) -> bool {
        self.flags & IPL_FLAG_READY_LONG != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_block_round_trips_at_the_documented_offsets() {
        let mut gpr = [0u32; 16];
        for (i, g) in gpr.iter_mut().enumerate() {
            *g = 0x1000_0000 + i as u32;
        }
        let b = CallBlock {
            kind: kind::DIAGNOSE,
            code: diag::CP_COMMAND,
            rx: 2,
            ry: 3,
            cc: 1,
            status: status::PROGRAM_CHECK,
            gpr,
            device: 0x191,
            irq: irq::IO,
            ext_code: 0x40,
            pic: 6,
            caw: 0x0000_1000,
            csw: [1, 2, 3, 4, 5, 6, 7, 8],
        };
        let bytes = b.to_bytes();
        assert_eq!(&bytes[0..8], &[1, 0, 8, 0, 2, 3, 1, 1]);
        assert_eq!(&bytes[8..12], &0x1000_0000u32.to_le_bytes());
        assert_eq!(&bytes[68..72], &0x1000_000Fu32.to_le_bytes());
        assert_eq!(&bytes[72..74], &0x191u16.to_le_bytes());
        assert_eq!(&bytes[80..84], &0x1000u32.to_le_bytes());
        assert_eq!(&bytes[84..88], &[0; 4]);
        assert_eq!(&bytes[88..96], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(CallBlock::from_bytes(&bytes), b);
    }

    #[test]
    fn ipl_info_round_trips_and_checks_its_magic() {
        let i = IplInfo::new("x86user", 16 << 20, "AUTOCR", true);
        assert_eq!(&i.userid, b"X86USER ");
        assert_eq!(i.parm_bytes(), b"AUTOCR");
        assert!(i.ready_long());
        let b = i.to_bytes();
        assert_eq!(IplInfo::from_bytes(&b), Some(i));
        let mut bad = b;
        bad[0] = 0;
        assert_eq!(IplInfo::from_bytes(&bad), None);
        let long = IplInfo::new("U", 0, &"P".repeat(100), false);
        assert_eq!(long.parm_len as usize, IPL_PARM_MAX);
        assert!(!long.ready_long());
    }
}
