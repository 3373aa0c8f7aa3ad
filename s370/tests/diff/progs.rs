//! A seeded generator of random S/370 test programs for the differential test.
//!
//! Every program is a 12K image loaded at absolute 0 and started by a restart interruption:
//!
//! ```text
//! 0000  restart new PSW -> 1000          0058-0078  new PSWs -> stubs at 0200 + 16*class
//! 0200  stubs: MVI 3F0,class ; B 280     0280  epilogue: STM 0,15,300 ; STCTL 0,15,340 ;
//!                                              [STD 0-6,380] ; LPSW 3F8 (disabled wait)
//! 0800  program / 0840 SVC interruption handlers: log the old PSW and code at 0900+12n,
//!       then resume the program (LPSW of the old PSW), at most 16 times
//! 0400  GPR values  0440 CR values  0480 FPR values  04C0 key/address pairs for SSK
//! 0500  the CC log: after every generated instruction BALR 8,0 ; ST 8,0500+4n(0)
//! 1000  prologue: LCTL 0,15,440 ; LM 0,7,4C0 ; SSK x4 ; LM 0,15,400 ; [LD 0-6,480]
//! 1040  body: random instructions, forward branches only ; B 280 ; EXECUTE targets
//! 2000  random data (bases R10-R13 point into 2000-27F8)   2800  planted fields
//! ```
//!
//! So every program ends in the same disabled wait with registers, control registers and
//! the interruption class saved in low storage, and the whole state is compared as storage.
//! R8 is the CC logger, R9 the code base; R10-R12 are data bases and R13 points near the
//! end of storage (for loads); no generated instruction changes them. The other
//! registers are data with edge values. Stores always use a data base, so a
//! program cannot damage its own low storage or code; loads may use any address.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Image size.
pub const SIZE: usize = 0x3400;
const BODY: u32 = 0x1040;
const DATA: u32 = 0x2000;
const FIELDS: u32 = 0x2800;
const EPILOGUE: u32 = 0x280;

/// The data registers (results may go there).
const DREG: [u8; 10] = [0, 1, 2, 3, 4, 5, 6, 7, 14, 15];
/// Where the CC log goes: after every generated instruction, `BALR 8,0 ; ST 8,LOG+4n`.
const LOG: u32 = 0x500;
/// Where program and SVC interruptions are logged (old PSW, EC code: 12 bytes each).
const INTLOG: u32 = 0x900;
/// Even registers whose pair is all data registers.
const PAIRS: [u8; 5] = [0, 2, 4, 6, 14];
/// Data base registers.
const BASES: [u8; 3] = [10, 11, 12];
/// A register pointing near or past the end of the 2M storage (loads only: addressing
/// exceptions and operands crossing the end of storage).
const FAR: u8 = 13;

/// Generator options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Config {
    /// Include the floating-point instructions (and save/restore the FPRs).
    pub fp: bool,
}

/// A generated program.
#[derive(Debug, Clone)]
pub struct Program {
    /// The image, to be loaded at 0.
    pub image: Vec<u8>,
    /// Mnemonics of the body, in order (for coverage and for reading a failure).
    pub listing: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    /// The start of body item n.
    Item(usize),
    /// EXECUTE target n.
    Ex(usize),
}

#[derive(Debug, Clone, Default)]
struct Item {
    bytes: Vec<u8>,
    /// (byte offset of a B2/D2 halfword, target): patched with base 9 and the target's
    /// displacement from X'1000'.
    fixups: Vec<(usize, Target)>,
    name: String,
    /// A setup instruction (no CC log after it).
    setup: bool,
    /// Part of a group begun by an earlier setup item: never a branch target (a branch
    /// into the middle of a setup sequence would run the instruction half set up).
    continued: bool,
}

struct Gen {
    rng: StdRng,
    cfg: Config,
    image: Vec<u8>,
    items: Vec<Item>,
    ex: Vec<Item>,
    /// Data PSWs whose instruction address must be the start of an item.
    psw_fixups: Vec<(usize, usize)>,
    base: [u32; 16],
    next_field: u32,
}

/// The instructions the generator covers, by mnemonic.
pub fn covered(cfg: &Config) -> Vec<&'static str> {
    s370::opcode::OPCODES.iter().map(|o| o.mnemonic).filter(|m| eligible(m, cfg)).collect()
}

/// Floating-point mnemonics (the other helper's work; behind `Config::fp`).
pub fn is_float(m: &str) -> bool {
    s370::opcode::by_mnemonic(m).is_some_and(|o| {
        let c = o.code;
        (0x20..=0x3F).contains(&c) || (0x60..=0x7F).contains(&c) || c == 0x67
    })
}

/// Instructions whose results depend on time, on the configuration (I/O), or on a CPU
/// Hercules has different from ours, and so are not generated: I/O instructions,
/// DIAGNOSE, the TOD clock and CPU timer ones, SET CLOCK and SET PREFIX (they would change
/// Hercules' state for the next program), RESET REFERENCE BIT (Hercules 3.13 works on
/// the 4K frame, not the 2K block the PoO's S/370 storage keys cover) and INSERT STORAGE
/// KEY (Hercules 3.13 records reference and change bits only when it fills its TLB, so
/// ISK after SSK misses them): see tests/deviations.rs.
fn eligible(m: &str, cfg: &Config) -> bool {
    const EXCLUDED: &[&str] = &[
        "SIO", "SIOF", "TIO", "CLRIO", "HIO", "HDV", "TCH", "STIDC", "DIAG", "SCK", "STCK", "SPT",
        "STPT", "SPX", "RRB", "ISK",
    ];
    !EXCLUDED.contains(&m) && (cfg.fp || !is_float(m))
}

impl Gen {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.gen_range(0..xs.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    fn put(&mut self, at: u32, bytes: &[u8]) {
        let a = at as usize;
        self.image[a..a + bytes.len()].copy_from_slice(bytes);
    }

    fn edge32(&mut self) -> u32 {
        const EDGES: [u32; 16] = [
            0,
            1,
            2,
            0xFFFF_FFFF,
            0xFFFF_FFFE,
            0x7FFF_FFFF,
            0x8000_0000,
            0x8000_0001,
            0x7FFF_FFFE,
            0xFFFF,
            0x1_0000,
            0x8000,
            0x7FFF,
            0xFF,
            0x100,
            0x4000_0000,
        ];
        match self.rng.gen_range(0..4) {
            0 => self.pick(&EDGES),
            1 => self.rng.gen_range(0..64),
            _ => self.rng.r#gen(),
        }
    }

    /// A base register and displacement addressing `addr` (which must be at or above the
    /// smallest base).
    fn address(&mut self, addr: u32) -> (u8, u32) {
        let ok: Vec<u8> = BASES
            .iter()
            .copied()
            .filter(|&b| self.base[b as usize] <= addr && addr - self.base[b as usize] < 0x1000)
            .collect();
        let b = self.pick(&ok);
        (b, addr - self.base[b as usize])
    }

    /// A random storage operand in the data area: (base, displacement).
    fn data_operand(&mut self) -> (u8, u32) {
        let b = self.pick(&BASES);
        (b, self.rng.gen_range(0..0x800))
    }

    /// A fresh place for a planted field of `len` bytes, aligned to `align`.
    fn field(&mut self, len: u32, align: u32) -> u32 {
        let mut a = self.next_field.next_multiple_of(align);
        if a + len > DATA + 0x1000 {
            a = FIELDS.next_multiple_of(align);
        }
        self.next_field = a + len;
        a
    }

    /// Plants a packed-decimal number of `len` bytes (sometimes invalid) and returns its
    /// address.
    fn packed(&mut self, len: u32) -> u32 {
        let a = self.field(len, 1);
        let mut b = vec![0u8; len as usize];
        let digits = 2 * len as usize - 1;
        let used = self.rng.gen_range(0..=digits);
        for k in 0..digits {
            let d = if k >= digits - used { self.rng.gen_range(0..10u8) } else { 0 };
            let byte = k / 2;
            if k % 2 == 0 {
                b[byte] |= d << 4;
            } else {
                b[byte] |= d;
            }
        }
        let sign = self.pick(&[0xC, 0xD, 0xC, 0xD, 0xF, 0xA, 0xB, 0xE]);
        b[len as usize - 1] |= sign;
        if self.chance(0.06) {
            // An invalid digit or sign.
            let k = self.rng.gen_range(0..len as usize);
            b[k] = self.rng.r#gen();
        }
        self.put(a, &b);
        a
    }

    /// Plants an edit pattern of `len` bytes.
    fn pattern(&mut self, len: u32) -> u32 {
        let a = self.field(len, 1);
        let mut p = vec![0u8; len as usize];
        p[0] = self.pick(&[0x40, 0x5C, 0x20, 0x21]);
        for x in p.iter_mut().skip(1) {
            *x = self.pick(&[0x20, 0x20, 0x20, 0x21, 0x22, 0x4B, 0x6B, 0xC3, 0xD9, 0x60]);
        }
        self.put(a, &p);
        a
    }

    fn rr(op: u8, r1: u8, r2: u8) -> Vec<u8> {
        vec![op, (r1 << 4) | (r2 & 15)]
    }

    fn rx(op: u8, r1: u8, x2: u8, b2: u8, d2: u32) -> Vec<u8> {
        vec![op, (r1 << 4) | x2, (b2 << 4) | ((d2 >> 8) as u8 & 15), d2 as u8]
    }

    fn s(op: u16, b2: u8, d2: u32) -> Vec<u8> {
        // One-byte opcodes (TS, SSM, LPSW) have a zero second byte.
        let o = if op <= 0xFF { [op as u8, 0] } else { op.to_be_bytes() };
        vec![o[0], o[1], (b2 << 4) | ((d2 >> 8) as u8 & 15), d2 as u8]
    }

    fn ss(op: u8, l: u8, b1: u8, d1: u32, b2: u8, d2: u32) -> Vec<u8> {
        vec![
            op,
            l,
            (b1 << 4) | ((d1 >> 8) as u8 & 15),
            d1 as u8,
            (b2 << 4) | ((d2 >> 8) as u8 & 15),
            d2 as u8,
        ]
    }

    fn dreg(&mut self) -> u8 {
        self.pick(&DREG)
    }

    fn anyreg(&mut self) -> u8 {
        self.rng.gen_range(0..16)
    }

    /// An even-odd pair register, or now and then an odd one (specification exception).
    fn pair(&mut self) -> u8 {
        if self.chance(0.08) { self.pick(&[1, 3, 5, 7]) } else { self.pick(&PAIRS) }
    }

    /// A fixup item: `bytes` with the B2/D2 halfword at `at` pointing to `t`.
    fn item(&mut self, name: &str, bytes: Vec<u8>, fix: Option<(usize, Target)>) {
        let continued = self.items.last().is_some_and(|i| i.setup);
        let fixups = fix.into_iter().collect();
        self.items.push(Item { bytes, fixups, name: name.into(), setup: false, continued });
    }

    /// A setup instruction for the next one (not logged, not counted as covered).
    fn setup(&mut self, bytes: Vec<u8>, fix: Option<(usize, Target)>) {
        let continued = self.items.last().is_some_and(|i| i.setup);
        let fixups = fix.into_iter().collect();
        self.items.push(Item { bytes, fixups, name: "setup".into(), setup: true, continued });
    }

    /// A forward target 1-3 items ahead (an item index).
    fn forward(&mut self) -> Target {
        let n = self.items.len() + self.rng.gen_range(1..=3);
        Target::Item(n)
    }

    /// Generates one instruction (with any setup it needs) for mnemonic `m`.
    fn instruction(&mut self, m: &'static str) {
        let op = s370::opcode::by_mnemonic(m).expect("mnemonic from the table");
        let code = op.code;
        let c8 = code as u8;
        match m {
            "BALR" | "BCTR" | "BCR" => {
                let r1 = if m == "BCR" { self.rng.gen_range(0..16) } else { self.dreg() };
                if self.chance(0.3) {
                    self.item(m, Self::rr(c8, r1, 0), None);
                } else {
                    // LA 14,target(9) ; xR r1,14 (the target is counted from the branch, which
                    // comes after the LA)
                    let t = Target::Item(self.items.len() + 1 + self.rng.gen_range(1..=3));
                    let la = Self::rx(0x41, 14, 0, 9, 0);
                    self.setup(la, Some((2, t)));
                    let r1 = if r1 == 14 && m != "BCR" { 15 } else { r1 };
                    self.item(m, Self::rr(c8, r1, 14), None);
                }
            }
            "BAL" | "BCT" | "BC" => {
                let r1 = if m == "BC" { self.rng.gen_range(0..16) } else { self.dreg() };
                let t = self.forward();
                self.item(m, Self::rx(c8, r1, 0, 9, 0), Some((2, t)));
            }
            "BXH" | "BXLE" => {
                let (r1, r3) = (self.dreg(), self.pick(&[0, 1, 2, 3, 4, 5, 6, 7, 14, 15]));
                let t = self.forward();
                self.item(m, vec![c8, (r1 << 4) | r3, 0, 0], Some((2, t)));
            }
            "SVC" => {
                let n = self.rng.r#gen();
                self.item(m, vec![0x0A, n], None);
            }
            "EX" => {
                let r1 = if self.chance(0.6) { 0 } else { self.anyreg() };
                let target = if self.chance(0.05) {
                    Item { bytes: Self::rx(0x44, 0, 0, 0, 0), ..Default::default() }
                } else {
                    self.ex_target(r1 != 0)
                };
                self.ex.push(target);
                let n = self.ex.len() - 1;
                self.item(m, Self::rx(0x44, r1, 0, 9, 0), Some((2, Target::Ex(n))));
            }
            "MVCL" | "CLCL" => {
                let (r1, r2) = (self.pick(&[0, 2, 4]), self.pick(&[6, 14]));
                let (r1, r2) = if self.chance(0.5) { (r1, r2) } else { (r2, r1) };
                for (r, len_max) in [(r1, 0x300u32), (r2, 0x300)] {
                    let (b, d) = self.data_operand();
                    self.setup(Self::rx(0x41, r, 0, b, d), None);
                    let l = self.rng.gen_range(0..len_max);
                    self.setup(Self::rx(0x41, r + 1, 0, 0, l & 0xFFF), None);
                }
                if self.chance(0.5) {
                    // A padding byte in R2+1 bits 0-7.
                    let (b, d) = self.data_operand();
                    self.setup(
                        vec![0xBF, ((r2 + 1) << 4) | 8, (b << 4) | (d >> 8) as u8, d as u8],
                        None,
                    );
                }
                let (r1, r2) = if self.chance(0.05) { (r1 + 1, r2) } else { (r1, r2) };
                self.item(m, Self::rr(c8, r1, r2), None);
            }
            "MR" | "DR" => {
                let (r1, r2) = (self.pair(), self.dreg());
                self.item(m, Self::rr(c8, r1, r2), None);
            }
            "M" | "D" => {
                let r1 = self.pair();
                let (b, d) = self.data_operand();
                self.item(m, Self::rx(c8, r1, 0, b, d), None);
            }
            "SSK" | "ISK" => {
                let r1 = if m == "ISK" { self.dreg() } else { self.anyreg() };
                let r2 = if self.chance(0.8) { self.pick(&BASES) } else { self.dreg() };
                self.item(m, Self::rr(c8, r1, r2), None);
            }
            "CVB" => {
                let a = self.packed(8);
                let (b, d) = self.address(a);
                let r1 = self.dreg();
                self.item(m, Self::rx(c8, r1, 0, b, d), None);
            }
            "ST" | "STH" | "STC" | "CVD" | "STE" | "STD" => {
                let r1 = if is_float(m) { self.fpreg() } else { self.anyreg() };
                let (b, d) = self.data_operand();
                self.item(m, Self::rx(c8, r1, 0, b, d), None);
            }
            "LRA" => {
                let r1 = self.dreg();
                let (b, d) = self.data_operand();
                self.item(m, Self::rx(c8, r1, 0, b, d), None);
            }
            "LPSW" => self.lpsw(),
            "SSM" => {
                // Never the PER mask (PER is not modelled by the generator's comparison).
                let a = self.field(1, 1);
                let v = self.rng.r#gen::<u8>() & !0x40;
                self.put(a, &[v]);
                let (b, d) = self.address(a);
                self.item(m, Self::s(0x8000, b, d), None);
            }
            "STOSM" | "STNSM" => {
                let i2 = self.rng.r#gen::<u8>() & !0x40;
                let (b, d) = self.data_operand();
                self.item(m, vec![c8, i2, (b << 4) | (d >> 8) as u8, d as u8], None);
            }
            "SIGP" => {
                // CPU address from a base register (never 0): CC 3, not operational. Orders
                // to the CPU itself are model-dependent (Hercules stops on "stop").
                let (r1, r3) = (self.dreg(), self.pick(&[9, 10, 11, 12]));
                let order = self.rng.gen_range(0..16u32);
                self.item(m, vec![0xAE, (r1 << 4) | r3, 0, order as u8], None);
            }
            "STM" | "STCTL" => {
                let (r1, r3) = (self.anyreg(), self.anyreg());
                let (b, d) = self.data_operand();
                let d = if self.chance(0.8) { d & !3 } else { d };
                self.item(m, vec![c8, (r1 << 4) | r3, (b << 4) | (d >> 8) as u8, d as u8], None);
            }
            "LM" => {
                // A register range that avoids R9-R13.
                let (r1, r3) = match self.rng.gen_range(0..3) {
                    0 => {
                        let a = self.rng.gen_range(0..=7);
                        (a, self.rng.gen_range(a..=7))
                    }
                    1 => (14, self.rng.gen_range(0..=7)),
                    _ => (self.pick(&[14, 15]), 15),
                };
                let (b, d) = self.data_operand();
                self.item(m, vec![c8, (r1 << 4) | r3, (b << 4) | (d >> 8) as u8, d as u8], None);
            }
            "LCTL" => self.lctl(),
            "CS" | "CDS" => {
                let (r1, r3) = if m == "CDS" {
                    (self.pair(), self.pair())
                } else {
                    (self.dreg(), self.anyreg())
                };
                let (b, d) = self.data_operand();
                let d = if self.chance(0.85) { d & !7 } else { d };
                self.item(m, vec![c8, (r1 << 4) | r3, (b << 4) | (d >> 8) as u8, d as u8], None);
            }
            "ED" | "EDMK" => {
                let l = self.rng.gen_range(1..=12u32);
                let p = self.pattern(l);
                let sl = self.rng.gen_range(1..=6);
                let s = self.packed(sl);
                let (b1, d1) = self.address(p);
                let (b2, d2) = self.address(s);
                self.item(m, Self::ss(c8, (l - 1) as u8, b1, d1, b2, d2), None);
            }
            "SRP" => {
                let l = self.rng.gen_range(1..=16u32);
                let a = self.packed(l);
                let (b1, d1) = self.address(a);
                let shift = self.rng.gen_range(0..64u32);
                let round = if self.chance(0.9) { self.rng.gen_range(0..10u8) } else { 15 };
                let byte1 = (((l - 1) as u8) << 4) | round;
                self.item(m, Self::ss(c8, byte1, b1, d1, 0, shift), None);
            }
            "ZAP" | "CP" | "AP" | "SP" | "MP" | "DP" => {
                let l1 = self.rng.gen_range(1..=16u32);
                let l2 = if matches!(m, "MP" | "DP") && self.chance(0.85) {
                    self.rng.gen_range(1..=l1.min(8))
                } else {
                    self.rng.gen_range(1..=16u32)
                };
                let a1 = self.packed(l1);
                let a2 = if self.chance(0.1) { a1 } else { self.packed(l2) };
                let l2 = if a2 == a1 { l1 } else { l2 };
                let (b1, d1) = self.address(a1);
                let (b2, d2) = self.address(a2);
                let byte1 = (((l1 - 1) as u8) << 4) | (l2 - 1) as u8;
                self.item(m, Self::ss(c8, byte1, b1, d1, b2, d2), None);
            }
            "SPKA" => {
                let key = self.rng.gen_range(0..16u32);
                self.item(m, Self::s(code, 0, key << 4), None);
            }
            "MC" => {
                let class = if self.chance(0.9) { self.rng.gen_range(0..16u8) } else { 0x35 };
                let (b, d) = self.data_operand();
                self.item(m, vec![0xAF, class, (b << 4) | (d >> 8) as u8, d as u8], None);
            }
            _ => self.generic(m, op.format, code),
        }
    }

    fn fpreg(&mut self) -> u8 {
        if self.chance(0.95) { self.pick(&[0, 2, 4, 6]) } else { self.rng.gen_range(0..16) }
    }

    /// Instructions with nothing special about their operands.
    fn generic(&mut self, m: &'static str, f: s370::opcode::Format, code: u16) {
        use s370::opcode::Format as F;
        let c8 = code as u8;
        let fp = is_float(m);
        let bytes = match f {
            F::Rr | F::RrR1 | F::RrM => {
                let (r1, r2) =
                    if fp { (self.fpreg(), self.fpreg()) } else { (self.dreg(), self.anyreg()) };
                Self::rr(c8, r1, r2)
            }
            F::Rx | F::RxM => {
                let r1 = if fp { self.fpreg() } else { self.dreg() };
                // Now and then a load from low storage, never the interval timer at X'50'.
                let low = if self.chance(0.5) {
                    self.rng.gen_range(0..0x44)
                } else {
                    self.rng.gen_range(0x58..0x500)
                };
                let (b, d) = if self.chance(0.1) { (0, low) } else { self.data_operand() };
                // Index registers only with known values (a data register could point at the
                // interval timer, which Hercules runs on host time).
                let x = if self.chance(0.15) { self.pick(&[10, 11, 12, FAR]) } else { 0 };
                let (b, d) =
                    if self.chance(0.08) { (FAR, self.rng.gen_range(0..0x1000)) } else { (b, d) };
                Self::rx(c8, r1, x, b, d)
            }
            F::RsShift => {
                let r1 = if matches!(m, "SRDL" | "SLDL" | "SRDA" | "SLDA") {
                    self.pair()
                } else {
                    self.dreg()
                };
                let (b, d) = if self.chance(0.7) {
                    (0, self.rng.gen_range(0..0x80))
                } else {
                    self.data_operand()
                };
                vec![c8, r1 << 4, (b << 4) | (d >> 8) as u8, d as u8]
            }
            F::Rs | F::RsMask | F::Diag => {
                let (r1, r3) = (self.dreg(), self.rng.gen_range(0..16));
                let (b, d) = self.data_operand();
                vec![c8, (r1 << 4) | r3, (b << 4) | (d >> 8) as u8, d as u8]
            }
            F::Si => {
                let i2 = self.rng.r#gen();
                let (b, d) = self.data_operand();
                vec![c8, i2, (b << 4) | (d >> 8) as u8, d as u8]
            }
            F::S => {
                let (b, d) = self.data_operand();
                let d = if self.chance(0.8) { d & !7 } else { d };
                Self::s(code, b, d)
            }
            F::Ss1 => {
                let l = if self.chance(0.7) { self.rng.gen_range(0..16) } else { self.rng.r#gen() };
                let (b1, d1) = self.data_operand();
                let (b2, d2) = self.data_operand();
                Self::ss(c8, l, b1, d1, b2, d2)
            }
            F::Ss2 | F::Srp => {
                let l = self.rng.r#gen();
                let (b1, d1) = self.data_operand();
                let (b2, d2) = self.data_operand();
                Self::ss(c8, l, b1, d1, b2, d2)
            }
            F::I => vec![c8, self.rng.r#gen()],
        };
        self.item(m, bytes, None);
    }

    /// A target for EXECUTE: any generated instruction when R1 is 0; otherwise one whose
    /// byte 1 is an immediate, a length or a read-only register pair (ORing R1 into it
    /// cannot turn a store into a store through a non-data base).
    fn ex_target(&mut self, modified: bool) -> Item {
        let saved = std::mem::take(&mut self.items);
        let pool: Vec<&'static str> = if modified {
            vec![
                "MVI", "CLI", "TM", "NI", "OI", "XI", "MVC", "CLC", "TR", "NC", "OC", "XC", "MVN",
                "MVZ", "SVC", "CR", "CLR",
            ]
        } else {
            covered(&self.cfg)
                .into_iter()
                .filter(|m| {
                    !matches!(
                        *m,
                        "EX" | "BAL"
                            | "BCT"
                            | "BC"
                            | "BXH"
                            | "BXLE"
                            | "BALR"
                            | "BCTR"
                            | "BCR"
                            | "MVCL"
                            | "CLCL"
                            | "LPSW"
                    )
                })
                .collect()
        };
        let m = self.pick(&pool);
        self.instruction(m);
        let mut made = std::mem::replace(&mut self.items, saved);
        // Setup items (if any) are dropped: the target is the last one.
        made.pop().unwrap_or_default()
    }

    /// LPSW of a planted PSW that continues at the next item (BC or EC, problem state or
    /// not, any key, CC and program mask; now and then an invalid EC format).
    fn lpsw(&mut self) {
        let a = self.field(8, 8);
        let ec = self.chance(0.4);
        let mut sys: u8 = self.rng.r#gen::<u8>() & if ec { 0x03 } else { 0xFF };
        if ec && self.chance(0.1) {
            sys |= self.pick(&[0x80, 0x20, 0x10, 0x08]);
        }
        let key = if self.chance(0.6) { 0 } else { self.rng.gen_range(0..16u8) };
        let problem = u8::from(self.chance(0.3));
        let b1 = (key << 4) | if ec { 0x08 } else { 0 } | problem;
        let ccpm: u8 = self.rng.r#gen::<u8>() & 0x3F;
        let psw = if ec {
            let b3 = if self.chance(0.05) { 1 } else { 0 };
            [sys, b1, ccpm, b3, 0, 0, 0, 0]
        } else {
            [sys, b1, 0, 0, ccpm, 0, 0, 0]
        };
        self.put(a, &psw);
        let n = self.items.len() + 1;
        self.psw_fixups.push((a as usize, n));
        let (b, d) = self.address(a);
        let d = if self.chance(0.05) { d + 4 } else { d };
        self.item("LPSW", Self::s(0x8200, b, d), None);
    }

    /// LCTL of control registers with values that cannot make interruptions depend on
    /// time: CR0 without the timer subclass masks, the others random.
    fn lctl(&mut self) {
        let a = self.field(64, 4);
        let mut v = [0u8; 64];
        for k in 0..16 {
            // Any of them may land in CR0: never the timer subclass masks.
            let w = self.edge32() & !0x0000_0CF0;
            let _ = k;
            v[4 * k..4 * k + 4].copy_from_slice(&w.to_be_bytes());
        }
        self.put(a, &v);
        let (r1, r3) = (self.anyreg(), self.anyreg());
        let (b, d) = self.address(a);
        self.item("LCTL", vec![0xB7, (r1 << 4) | r3, (b << 4) | (d >> 8) as u8, d as u8], None);
    }
}

/// Generates the program for `seed`.
pub fn generate(seed: u64, cfg: &Config) -> Program {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed),
        cfg: *cfg,
        image: vec![0; SIZE],
        items: Vec::new(),
        ex: Vec::new(),
        psw_fixups: Vec::new(),
        base: [0; 16],
        next_field: FIELDS,
    };
    // Low storage: restart PSW, new PSWs, stubs, epilogue, final wait PSW.
    g.put(0, &[0, 0, 0, 0, 0, 0, 0x10, 0]);
    for (class, slot) in [(1u8, 0x58u32), (2, 0x60), (3, 0x68), (4, 0x70), (5, 0x78)] {
        let stub = 0x200 + 16 * u32::from(class);
        g.put(slot, &(u64::from(stub)).to_be_bytes());
        g.put(stub, &[0x92, class, 0x03, 0xF0, 0x47, 0xF0, 0x02, 0x80]);
    }
    // Program and SVC interruptions resume the program after logging the old PSW and the
    // EC-mode interruption code (up to 16 times; then the epilogue).
    for (new_slot, handler, old, code, stub) in
        [(0x68u32, 0x800u32, 0x28u8, 0x8Cu8, 0x230u32), (0x60, 0x840, 0x20, 0x88, 0x220)]
    {
        g.put(new_slot, &u64::from(handler).to_be_bytes());
        g.put(
            handler,
            &[
                0x50,
                0x80,
                0x03,
                0xE8, // ST 8,SAVE8
                0x58,
                0x80,
                0x03,
                0xE4, // L 8,PTR
                0xD2,
                0x07,
                0x80,
                0x00,
                0x00,
                old, // MVC 0(8,8),old PSW
                0xD2,
                0x03,
                0x80,
                0x08,
                0x00,
                code, // MVC 8(4,8),EC code
                0x41,
                0x80,
                0x80,
                0x0C, // LA 8,12(8)
                0x50,
                0x80,
                0x03,
                0xE4, // ST 8,PTR
                0x59,
                0x80,
                0x03,
                0xEC, // C 8,LIMIT
                0x58,
                0x80,
                0x03,
                0xE8, // L 8,SAVE8
                0x47,
                0xA0,
                (stub >> 8) as u8,
                stub as u8, // BNL stub (epilogue)
                0x82,
                0x00,
                0x00,
                old, // LPSW old
            ],
        );
    }
    g.put(0x3E4, &INTLOG.to_be_bytes());
    g.put(0x3EC, &(INTLOG + 16 * 12).to_be_bytes());
    let mut epi = vec![0x90, 0x0F, 0x03, 0x00, 0xB6, 0x0F, 0x03, 0x40];
    if cfg.fp {
        epi.extend([0x60, 0x00, 0x03, 0x80, 0x60, 0x20, 0x03, 0x88]);
        epi.extend([0x60, 0x40, 0x03, 0x90, 0x60, 0x60, 0x03, 0x98]);
    }
    epi.extend([0x82, 0x00, 0x03, 0xF8]);
    g.put(EPILOGUE, &epi);
    g.put(0x3F8, &[0x00, 0x02, 0, 0, 0, 0, 0x0A, 0xBC]);
    // Register values.
    let mut regs = [0u32; 16];
    for r in DREG {
        regs[r as usize] = g.edge32();
    }
    regs[9] = 0x1000;
    for b in BASES {
        regs[b as usize] = DATA + 8 * g.rng.gen_range(0..0x100);
    }
    regs[FAR as usize] = g.pick(&[0x001F_FF00, 0x001F_F800, 0x00FF_F000, 0x0020_0000]);
    g.base = regs;
    for (k, v) in regs.iter().enumerate() {
        g.put(0x400 + 4 * k as u32, &v.to_be_bytes());
    }
    // Control registers: CR0 without timer masks (and now and then a DAT format), CR2
    // all channels, CR8 monitor masks, the rest zero.
    let mut crs = [0u32; 16];
    crs[0] = if g.chance(0.3) {
        g.pick(&[0x0040_0000, 0x0080_0000, 0x0050_0000, 0x00C0_0000])
    } else {
        0
    };
    crs[2] = 0xFFFF_FFFF;
    crs[8] = g.rng.gen_range(0..0x1_0000);
    crs[14] = 0xC200_0000;
    crs[15] = 0x200;
    for (k, v) in crs.iter().enumerate() {
        g.put(0x440 + 4 * k as u32, &v.to_be_bytes());
    }
    // FPR values.
    for k in 0..4u32 {
        let v: u64 = g.rng.r#gen();
        g.put(0x480 + 8 * k, &v.to_be_bytes());
    }
    // Storage keys of the data blocks (2000, 2800, 3000, and code block 1000 key 0).
    let key_blocks = [0x2000u32, 0x2800, 0x3000, 0x1000];
    for (k, blk) in key_blocks.iter().enumerate() {
        let key = if k < 3 && g.chance(0.15) {
            g.rng.gen_range(0..16u32) << 4 | g.pick(&[0, 8])
        } else {
            0
        };
        g.put(0x4C0 + 8 * k as u32, &key.to_be_bytes());
        g.put(0x4C4 + 8 * k as u32, &blk.to_be_bytes());
    }
    // Prologue.
    let mut pro = vec![0xB7, 0x0F, 0x04, 0x40, 0x98, 0x07, 0x04, 0xC0];
    pro.extend([0x08, 0x01, 0x08, 0x23, 0x08, 0x45, 0x08, 0x67]);
    pro.extend([0x98, 0x0F, 0x04, 0x00]);
    if cfg.fp {
        pro.extend([0x68, 0x00, 0x04, 0x80, 0x68, 0x20, 0x04, 0x88]);
        pro.extend([0x68, 0x40, 0x04, 0x90, 0x68, 0x60, 0x04, 0x98]);
    }
    assert!(0x1000 + pro.len() as u32 <= BODY);
    // NOPR (BCR 0,0) up to the body.
    while 0x1000 + (pro.len() as u32) < BODY {
        pro.extend([0x07, 0x00]);
    }
    g.put(0x1000, &pro);
    // Random data.
    for a in DATA..FIELDS {
        g.image[a as usize] = g.rng.r#gen();
    }
    // The body.
    let pool = covered(cfg);
    let n = g.rng.gen_range(4..24);
    while g.items.len() < n {
        let m = g.pick(&pool);
        g.instruction(m);
    }
    // The end: branch to the epilogue.
    g.item("B", vec![0x47, 0xF0, 0x02, 0x80], None);
    // Lay out: body items (each non-setup one followed by its CC log), then EXECUTE
    // targets (even addresses).
    let log_pair = |n: u32| -> [u8; 6] { [0x05, 0x80, 0x50, 0x80, (n >> 8) as u8, n as u8] };
    let mut addr = BODY;
    let mut item_addr = Vec::new();
    let mut logged = 0u32;
    for it in &g.items {
        item_addr.push(addr);
        addr += it.bytes.len() as u32;
        if !it.setup && it.name != "B" && logged < 128 {
            addr += 6;
            logged += 1;
        }
    }
    let end_addr = addr;
    let mut ex_addr = Vec::new();
    for it in &g.ex {
        ex_addr.push(addr);
        addr += it.bytes.len() as u32;
    }
    assert!(addr < DATA, "program too long");
    let continued: Vec<bool> = g.items.iter().map(|i| i.continued).collect();
    let resolve = |t: Target| -> u32 {
        match t {
            Target::Item(mut n) => {
                while continued.get(n) == Some(&true) {
                    n += 1;
                }
                item_addr.get(n).copied().unwrap_or(end_addr - 4)
            }
            Target::Ex(n) => ex_addr[n],
        }
    };
    let mut listing = Vec::new();
    let items = std::mem::take(&mut g.items);
    let mut logged = 0u32;
    for (it, &a) in items.iter().zip(&item_addr) {
        let mut b = it.bytes.clone();
        for &(at, t) in &it.fixups {
            let d = resolve(t) - 0x1000;
            b[at] = 0x90 | (d >> 8) as u8;
            b[at + 1] = d as u8;
        }
        if !it.setup && it.name != "B" && logged < 128 {
            b.extend(log_pair(LOG + 4 * logged));
            logged += 1;
        }
        g.put(a, &b);
        if !it.setup {
            listing.push(it.name.clone());
        }
    }
    let ex = std::mem::take(&mut g.ex);
    for (it, &a) in ex.iter().zip(&ex_addr) {
        g.put(a, &it.bytes);
        listing.push(format!("EX-target {}", it.name));
    }
    for (at, n) in std::mem::take(&mut g.psw_fixups) {
        let ia = resolve(Target::Item(n));
        g.image[at + 5] = (ia >> 16) as u8;
        g.image[at + 6] = (ia >> 8) as u8;
        g.image[at + 7] = ia as u8;
    }
    Program { image: g.image, listing }
}
