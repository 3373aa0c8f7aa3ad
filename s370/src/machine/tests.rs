//! The bare machine end to end: hand-assembled S/370 programs doing SIO to a DASD and a
//! console and ending in a disabled wait whose address is the verdict; I/O instruction
//! condition codes; IPL from a DASD and from a card reader.

use crate::channel::{Ccw, ChannelProgram, Csw, Progress, chan, flag, unit};
use crate::cpu::{IoOp, IoRequest};
use crate::devices::ckd::{Count, D3350, Dasd, Volume};
use crate::devices::{Console, Empty, Reader, card};
use crate::machine::{IplError, Machine, MachineExit};
use std::sync::Arc;

/// The verdict addresses of the test programs' disabled-wait PSWs.
const GOOD: u32 = 0x00C0DE;
const BAD: u32 = 0x000BAD;

/// A little assembler for the handful of instructions the programs use.
struct Asm {
    at: u32,
    bytes: Vec<u8>,
}

impl Asm {
    fn new(at: u32) -> Asm {
        Asm { at, bytes: Vec::new() }
    }
    fn s(&mut self, op: [u8; 2], d: u32) -> &mut Asm {
        self.bytes.extend([op[0], op[1], (d >> 8) as u8 & 0x0F, d as u8]);
        self
    }
    /// MVC d1(l),d2 (base 0).
    fn mvc(&mut self, d1: u32, l: u8, d2: u32) -> &mut Asm {
        self.bytes.extend([0xD2, l - 1, (d1 >> 8) as u8, d1 as u8, (d2 >> 8) as u8, d2 as u8]);
        self
    }
    /// CLC d1(l),d2 (base 0).
    fn clc(&mut self, d1: u32, l: u8, d2: u32) -> &mut Asm {
        self.bytes.extend([0xD5, l - 1, (d1 >> 8) as u8, d1 as u8, (d2 >> 8) as u8, d2 as u8]);
        self
    }
    fn sio(&mut self, dev: u32) -> &mut Asm {
        self.s([0x9C, 0x00], dev)
    }
    fn tio(&mut self, dev: u32) -> &mut Asm {
        self.s([0x9D, 0x00], dev)
    }
    fn lpsw(&mut self, d: u32) -> &mut Asm {
        self.s([0x82, 0x00], d)
    }
    /// BC m,d (base 0).
    fn bc(&mut self, m: u8, d: u32) -> &mut Asm {
        self.bytes.extend([0x47, m << 4, (d >> 8) as u8 & 0x0F, d as u8]);
        self
    }
    /// BAL 14,d (base 0).
    fn bal14(&mut self, d: u32) -> &mut Asm {
        self.bytes.extend([0x45, 0xE0, (d >> 8) as u8 & 0x0F, d as u8]);
        self
    }
    fn load(&self, m: &mut Machine) {
        m.cpu.storage.write(self.at, &self.bytes).expect("in storage");
    }
}

fn psw(mask: u32, ia: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&mask.to_be_bytes());
    b[4..].copy_from_slice(&ia.to_be_bytes());
    b
}

/// Common low storage: I/O new PSW to a `BR 14` at X'400', the enabled-wait PSW at X'620',
/// the verdict PSWs at X'628' (good) and X'630' (bad), `FAIL` at X'FF0'.
fn lowcore(m: &mut Machine) {
    let w = |m: &mut Machine, a: u32, b: &[u8]| m.cpu.storage.write(a, b).expect("in storage");
    w(m, 0x78, &psw(0, 0x400));
    w(m, 0x400, &[0x07, 0xFE]);
    w(m, 0x500, &[0x82, 0x00, 0x06, 0x20]); // WAIT: LPSW X'620'
    w(m, 0x620, &psw(0xFE02_0000, 0));
    w(m, 0x628, &psw(0x0002_0000, GOOD));
    w(m, 0x630, &psw(0x0002_0000, BAD));
    w(m, 0xFF0, &[0x82, 0x00, 0x06, 0x30]);
}

fn ccws(m: &mut Machine, at: u32, list: &[Ccw]) {
    for (i, c) in list.iter().enumerate() {
        m.cpu.storage.write(at + 8 * i as u32, &c.to_bytes()).expect("in storage");
    }
}

fn verdict(exit: MachineExit) -> u32 {
    match exit {
        MachineExit::DisabledWait(p) => p.ia,
        other => panic!("expected a disabled wait, got {other:?}"),
    }
}

/// A 3350 with 800-byte records on cylinder 0, head 1 (R1..R3 filled with 0x11, 0x22, 0x33).
fn dasd(dir: &std::path::Path) -> Dasd {
    let vol = Arc::new(Volume::create(&dir.join("d.ckd"), D3350, 1, "MACH01").expect("create"));
    let mut d = Dasd::new(vol);
    let mut st = crate::storage::Storage::new(65536);
    let mut list = vec![
        Ccw::new(0x07, 0x2000, flag::CC, 6),
        Ccw::new(0x31, 0x2008, flag::CC, 5),
        Ccw::new(0x08, 0x1008, 0, 0),
    ];
    st.write(0x2000, &[0, 0, 0, 0, 0, 1]).expect("in storage");
    st.write(0x2008, &[0, 0, 0, 1, 0]).expect("in storage");
    for r in 1..=3u8 {
        let a = 0x3000 + u32::from(r) * 0x400;
        let c = Count { cyl: 0, head: 1, rec: r, key_len: 0, data_len: 800 };
        st.write(a, &c.to_bytes()).expect("in storage");
        st.write(a + 8, &[r * 0x11; 800]).expect("in storage");
        list.push(Ccw::new(0x1D, a, if r < 3 { flag::CC } else { 0 }, 808));
    }
    for (i, c) in list.iter().enumerate() {
        st.write(0x1000 + 8 * i as u32, &c.to_bytes()).expect("in storage");
    }
    match ChannelProgram::at(0, 0x1000).run(&mut d, &mut st) {
        Progress::Done(e) => assert_eq!(e.csw.unit, unit::CE_DE, "formatting: {e:?}"),
        other => panic!("{other:?}"),
    }
    d
}

#[test]
fn program_reads_dasd_and_writes_console_with_io_interruptions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut m = Machine::new(64 * 1024);
    m.attach(0x190, Box::new(dasd(dir.path())));
    let console = Console::new();
    let kb = console.keyboard();
    m.attach(0x009, Box::new(console));
    lowcore(&mut m);
    // DASD chain at X'800': seek 0/1, search R2, TIC, read 800 bytes to X'2000'.
    ccws(
        &mut m,
        0x800,
        &[
            Ccw::new(0x07, 0x880, flag::CC, 6),
            Ccw::new(0x31, 0x888, flag::CC, 5),
            Ccw::new(0x08, 0x808, 0, 0),
            Ccw::new(0x06, 0x2000, 0, 800),
        ],
    );
    m.cpu.storage.write(0x880, &[0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2]).expect("in storage");
    // Console chain at X'900': write "HELLO" with carrier return.
    ccws(&mut m, 0x900, &[Ccw::new(0x09, 0x950, 0, 5)]);
    m.cpu.storage.write(0x950, &[0xC8, 0xC5, 0xD3, 0xD3, 0xD6]).expect("in storage");
    // CAWs and the CSWs expected after each interruption.
    m.cpu.storage.write(0x600, &0x0000_0800u32.to_be_bytes()).expect("in storage");
    m.cpu.storage.write(0x604, &0x0000_0900u32.to_be_bytes()).expect("in storage");
    let e1 = Csw { ccw_addr: 0x820, unit: unit::CE_DE, ..Csw::default() };
    let e2 = Csw { ccw_addr: 0x908, unit: unit::CE_DE, ..Csw::default() };
    m.cpu.storage.write(0x610, &e1.to_bytes()).expect("in storage");
    m.cpu.storage.write(0x618, &e2.to_bytes()).expect("in storage");

    let mut a = Asm::new(0x200);
    a.mvc(0x48, 4, 0x600).sio(0x190).bc(7, 0xFF0).bal14(0x500).clc(0x40, 8, 0x610).bc(7, 0xFF0);
    a.mvc(0x48, 4, 0x604).sio(0x009).bc(7, 0xFF0).bal14(0x500).clc(0x40, 8, 0x618).bc(7, 0xFF0);
    a.lpsw(0x628);
    a.load(&mut m);
    m.cpu.load_psw(u64::from_be_bytes(psw(0, 0x200)));

    assert_eq!(verdict(m.run(100_000)), GOOD);
    assert_eq!(&m.cpu.storage.bytes()[0x2000..0x2320], &[0x22; 800][..]);
    assert_eq!(kb.output(), "HELLO\n");
    assert_eq!(m.cpu.counters().io_interrupts, 2);
}

#[test]
fn console_read_blocks_the_subchannel_until_a_line_is_typed() {
    let mut m = Machine::new(64 * 1024);
    let console = Console::new();
    let kb = console.keyboard();
    m.attach(0x009, Box::new(console));
    lowcore(&mut m);
    // Read up to 100 bytes to X'3000' with SLI.
    ccws(&mut m, 0x900, &[Ccw::new(0x0A, 0x3000, flag::SLI, 100)]);
    m.cpu.storage.write(0x600, &0x0000_0900u32.to_be_bytes()).expect("in storage");
    let want = Csw { ccw_addr: 0x908, unit: unit::CE_DE, count: 100 - 6, ..Csw::default() };
    m.cpu.storage.write(0x610, &want.to_bytes()).expect("in storage");
    let mut a = Asm::new(0x200);
    a.mvc(0x48, 4, 0x600).sio(0x009).bc(7, 0xFF0);
    // While the read waits, TIO finds the subchannel working: CC 2 (else fail).
    a.tio(0x009).bc(13, 0xFF0);
    a.bal14(0x500).clc(0x40, 8, 0x610).bc(7, 0xFF0).lpsw(0x628);
    a.load(&mut m);
    m.cpu.load_psw(u64::from_be_bytes(psw(0, 0x200)));

    assert_eq!(m.run(100_000), MachineExit::Idle, "waiting for a line");
    assert_eq!(m.run(100_000), MachineExit::Idle, "still waiting");
    kb.type_line("hello!");
    assert_eq!(verdict(m.run(100_000)), GOOD);
    assert_eq!(crate::ebcdic::to_string(&m.cpu.storage.bytes()[0x3000..0x3006]), "hello!");
}

#[test]
fn io_instruction_condition_codes() {
    let mut m = Machine::new(64 * 1024);
    let console = Console::new();
    m.attach(0x009, Box::new(console));
    m.attach(0x10C, Box::new(Reader::new(Empty::NotReady)));
    let io = |m: &mut Machine, op, device| {
        m.perform(IoRequest { op, device });
        m.cpu.psw.cc
    };
    let csw = |m: &Machine| {
        let mut b = [0u8; 8];
        m.cpu.storage.read(0x40, &mut b).expect("in storage");
        Csw::from_bytes(b)
    };
    // No device, no channel.
    assert_eq!(io(&mut m, IoOp::Sio, 0x00A), 3);
    assert_eq!(io(&mut m, IoOp::Tio, 0x00A), 3);
    assert_eq!(io(&mut m, IoOp::Tch, 0x500), 3);
    assert_eq!(io(&mut m, IoOp::Stidc, 0x500), 3);
    assert_eq!(io(&mut m, IoOp::Tch, 0x000), 0);
    assert_eq!(io(&mut m, IoOp::Stidc, 0x100), 0);
    assert_eq!(m.cpu.storage.read_u32(0xA8), Ok(0x2000_0000), "block multiplexer");
    // An immediate command alone: CC 1 and the CSW stored, nothing pending.
    ccws(&mut m, 0x900, &[Ccw::new(0x03, 0, 0, 1)]);
    m.cpu.storage.write(0x48, &0x0000_0900u32.to_be_bytes()).expect("in storage");
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 1);
    assert_eq!(csw(&m), Csw { ccw_addr: 0x908, unit: unit::CE_DE, count: 1, ..Csw::default() });
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 0);
    // A program check in the CAW's CCW: CC 1.
    m.cpu.storage.write(0x48, &0x0000_0904u32.to_be_bytes()).expect("in storage");
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 1);
    assert_eq!(csw(&m).channel, chan::PROGRAM_CHECK);
    // A read on the empty reader: unit check at initial selection -> CC 1.
    ccws(&mut m, 0x900, &[Ccw::new(0x02, 0x3000, 0, 80)]);
    m.cpu.storage.write(0x48, &0x0000_0900u32.to_be_bytes()).expect("in storage");
    assert_eq!(io(&mut m, IoOp::Sio, 0x10C), 1);
    assert_eq!(csw(&m).unit, unit::CE_DE | unit::UNIT_CHECK);
    // A console read: CC 0, working; SIO and TIO give CC 2; HIO halts it: CC 1 and an
    // interruption with incorrect length; then SIO gives CC 2 (interruption pending), TIO
    // takes it: CC 1 with the CSW; then the device is available.
    ccws(&mut m, 0x900, &[Ccw::new(0x0A, 0x3000, 0, 80)]);
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 0);
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 2);
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 2);
    assert_eq!(io(&mut m, IoOp::Tch, 0x000), 0);
    assert_eq!(io(&mut m, IoOp::Hio, 0x009), 1);
    assert_eq!(io(&mut m, IoOp::Tch, 0x000), 1, "interruption pending in channel 0");
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 2);
    assert_eq!(io(&mut m, IoOp::Hio, 0x009), 0);
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 1);
    assert_eq!(
        csw(&m),
        Csw {
            ccw_addr: 0x908,
            unit: unit::CE_DE,
            channel: chan::INCORRECT_LENGTH,
            count: 80,
            ..Csw::default()
        }
    );
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 0);
    // CLRIO on a working subchannel ends the program and stores its CSW.
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 0);
    assert_eq!(io(&mut m, IoOp::Clrio, 0x009), 1);
    assert_eq!(csw(&m).count, 80);
    assert_eq!(io(&mut m, IoOp::Clrio, 0x009), 0);
    // Attention: SIO finds status pending in the device: CC 1, busy and attention.
    assert!(m.attention(0x009));
    assert_eq!(io(&mut m, IoOp::Sio, 0x009), 1);
    assert_eq!(csw(&m).unit, unit::BUSY | unit::ATTENTION);
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 0, "SIO cleared it");
}

#[test]
fn siof_and_hdv_condition_codes() {
    // SIOF executes as SIO and HDV as HIO (every device has its own subchannel, and the
    // PoO lets a channel without fast release perform SIOF as SIO).
    let mut m = Machine::new(64 * 1024);
    m.attach(0x009, Box::new(Console::new()));
    let io = |m: &mut Machine, op, device| {
        m.perform(IoRequest { op, device });
        m.cpu.psw.cc
    };
    ccws(&mut m, 0x900, &[Ccw::new(0x0A, 0x3000, 0, 80)]);
    m.cpu.storage.write(0x48, &0x0000_0900u32.to_be_bytes()).expect("in storage");
    assert_eq!(io(&mut m, IoOp::Siof, 0x00A), 3, "no such device");
    assert_eq!(io(&mut m, IoOp::Hdv, 0x00A), 3, "no such device");
    assert_eq!(io(&mut m, IoOp::Siof, 0x009), 0, "started: the read waits for a line");
    assert_eq!(io(&mut m, IoOp::Siof, 0x009), 2, "working");
    assert_eq!(io(&mut m, IoOp::Hdv, 0x009), 1, "halted, CSW status stored");
    assert_eq!(io(&mut m, IoOp::Hdv, 0x009), 0, "an interruption is pending");
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 1);
    let mut b = [0u8; 8];
    m.cpu.storage.read(0x40, &mut b).expect("in storage");
    let csw = Csw::from_bytes(b);
    assert_eq!((csw.unit, csw.channel, csw.count), (unit::CE_DE, chan::INCORRECT_LENGTH, 80));
    assert_eq!(io(&mut m, IoOp::Tio, 0x009), 0, "available again");
}

#[test]
fn ipl_from_dasd_loads_and_runs_the_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vol =
        Arc::new(Volume::create(&dir.path().join("ipl.ckd"), D3350, 1, "IPL001").expect("create"));
    let mut d = Dasd::new(Arc::clone(&vol));
    // Track 0: R1 = IPL PSW + a READ DATA CCW for R2 into X'200'; R2 = the program.
    let mut r1 = psw(0, 0x200).to_vec();
    r1.extend(Ccw::new(0x06, 0x200, flag::SLI, 0x100).to_bytes());
    r1.extend([0; 8]);
    let mut r2 = vec![0x82, 0x00, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    r2.extend(psw(0x0002_0000, GOOD));
    let mut st = crate::storage::Storage::new(65536);
    let mut put = |a: u32, b: &[u8]| st.write(a, b).expect("in storage");
    put(0x2000, &[0, 0, 0, 0, 0, 0]);
    put(0x2008, &[0, 0, 0, 0, 0]);
    put(0x3000, &Count { cyl: 0, head: 0, rec: 1, key_len: 0, data_len: 24 }.to_bytes());
    put(0x3008, &r1);
    put(
        0x3100,
        &Count { cyl: 0, head: 0, rec: 2, key_len: 0, data_len: r2.len() as u16 }.to_bytes(),
    );
    put(0x3108, &r2);
    let list = [
        Ccw::new(0x07, 0x2000, flag::CC, 6),
        Ccw::new(0x31, 0x2008, flag::CC, 5),
        Ccw::new(0x08, 0x1008, 0, 0),
        Ccw::new(0x1D, 0x3000, flag::CC, 32),
        Ccw::new(0x1D, 0x3100, 0, 8 + r2.len() as u16),
    ];
    for (i, c) in list.iter().enumerate() {
        put(0x1000 + 8 * i as u32, &c.to_bytes());
    }
    match ChannelProgram::at(0, 0x1000).run(&mut d, &mut st) {
        Progress::Done(e) => assert_eq!(e.csw.unit, unit::CE_DE, "{e:?}"),
        other => panic!("{other:?}"),
    }
    let mut m = Machine::new(64 * 1024);
    m.attach(0x190, Box::new(d));
    assert_eq!(m.ipl(0x191, true), Err(IplError::NoDevice(0x191)));
    m.ipl(0x190, true).expect("IPL");
    assert_eq!(&m.cpu.storage.bytes()[2..4], &[0x01, 0x90], "device address at X'02'");
    assert_eq!(&m.cpu.storage.bytes()[0xBA..0xBC], &[0x01, 0x90]);
    assert_eq!(m.cpu.psw.ia, 0x200);
    assert_eq!(verdict(m.run(1000)), GOOD);
}

#[test]
fn ipl_from_a_card_deck() {
    let mut m = Machine::new(64 * 1024);
    let reader = Reader::new(Empty::NotReady);
    let hopper = reader.hopper();
    m.attach(0x00C, Box::new(reader));
    // Card 1: IPL PSW, READ the next card into X'200'. Card 2: LPSW of the verdict.
    let mut c1 = psw(0, 0x200).to_vec();
    c1.extend(Ccw::new(0x02, 0x200, 0, 80).to_bytes());
    let mut c2 = vec![0x82, 0x00, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    c2.extend(psw(0x0002_0000, GOOD));
    hopper.push_deck(vec![card(&c1), card(&c2)]);
    m.ipl(0x00C, false).expect("IPL");
    assert_eq!(verdict(m.run(1000)), GOOD);
    // The deck's end of file, then an empty reader: the IPL fails.
    let failed = |r: Result<(), IplError>, bit: u8| matches!(r, Err(IplError::Failed(c)) if c.unit & bit != 0);
    assert!(failed(m.ipl(0x00C, false), unit::UNIT_EXCEPTION));
    assert!(failed(m.ipl(0x00C, false), unit::UNIT_CHECK));
}
