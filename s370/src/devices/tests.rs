//! Unit-record and console tests, through channel programs.

use super::*;
use crate::channel::{Ccw, ChannelProgram, Csw, Device, Progress, chan, flag, unit};
use crate::storage::Storage;

const CE_DE: u8 = unit::CE_DE;

/// Runs CCWs (placed at X'1000', command-chained unless they say otherwise) on a device.
fn run(m: &mut Storage, dev: &mut dyn Device, ccws: &[Ccw]) -> Progress {
    for (i, c) in ccws.iter().enumerate() {
        m.write(0x1000 + 8 * i as u32, &c.to_bytes()).expect("in storage");
    }
    ChannelProgram::at(0, 0x1000).run(dev, m)
}

fn done(p: Progress) -> Csw {
    match p {
        Progress::Done(e) => e.csw,
        other => panic!("expected Done: {other:?}"),
    }
}

fn text(m: &Storage, at: u32, n: usize) -> String {
    crate::ebcdic::to_string(&m.bytes()[at as usize..at as usize + n])
}

#[test]
fn reader_reads_decks_and_signals_end_of_file() {
    let mut m = Storage::new(65536);
    let mut r = Reader::new(Empty::NotReady);
    let hopper = r.hopper();
    hopper.push_text("CARD ONE\nCARD TWO");
    hopper.push_deck(vec![card(&[0xC1; 10])]);
    let read = |at| Ccw::new(0x02, at, flag::CC, 80);
    let csw = done(run(&mut m, &mut r, &[read(0x2000), Ccw::new(0x02, 0x2100, 0, 80)]));
    assert_eq!((csw.unit, csw.channel, csw.count), (CE_DE, 0, 0));
    assert_eq!(text(&m, 0x2000, 9), "CARD ONE ");
    assert_eq!(text(&m, 0x2100, 8), "CARD TWO");
    assert_eq!(m.bytes()[0x2100 + 79], 0x40, "padded with blanks");
    // End of the first deck: unit exception, no data.
    let csw = done(run(&mut m, &mut r, &[Ccw::new(0x02, 0x2200, 0, 80)]));
    assert_eq!((csw.unit, csw.count), (CE_DE | unit::UNIT_EXCEPTION, 80));
    // The second deck.
    let csw = done(run(&mut m, &mut r, &[Ccw::new(0x02, 0x2200, 0, 80)]));
    assert_eq!((csw.unit, m.bytes()[0x2200]), (CE_DE, 0xC1));
    let csw = done(run(&mut m, &mut r, &[Ccw::new(0x02, 0x2200, 0, 80)]));
    assert_eq!(csw.unit, CE_DE | unit::UNIT_EXCEPTION);
    assert_eq!(hopper.decks(), 0);
    // Empty hopper: intervention required, in the sense byte.
    let csw = done(run(&mut m, &mut r, &[Ccw::new(0x02, 0x2200, 0, 80)]));
    assert_eq!(csw.unit, CE_DE | unit::UNIT_CHECK);
    done(run(&mut m, &mut r, &[Ccw::new(0x04, 0x2300, 0, 1)]));
    assert_eq!(m.bytes()[0x2300], sense::INTERVENTION_REQUIRED);
    // A read of 40 bytes: incorrect length; 80 with SLI on a 100-byte area: none.
    hopper.push_text("X\nY");
    let csw = done(run(&mut m, &mut r, &[Ccw::new(0x02, 0x2200, 0, 40)]));
    assert_eq!((csw.channel, csw.count), (chan::INCORRECT_LENGTH, 0));
    let csw = done(run(&mut m, &mut r, &[Ccw::new(0x02, 0x2200, flag::SLI, 100)]));
    assert_eq!((csw.channel, csw.count), (0, 20));
}

#[test]
fn waiting_reader_blocks_until_a_deck_arrives() {
    let mut m = Storage::new(65536);
    let mut r = Reader::new(Empty::Wait);
    let hopper = r.hopper();
    let mut p = ChannelProgram::at(0, 0x1000);
    m.write(0x1000, &Ccw::new(0x02, 0x2000, 0, 80).to_bytes()).expect("in storage");
    assert_eq!(p.run(&mut r, &mut m), Progress::Blocked { pci: None });
    hopper.push_text("HELLO");
    let csw = done(p.run(&mut r, &mut m));
    assert_eq!(csw.unit, CE_DE);
    assert_eq!(text(&m, 0x2000, 5), "HELLO");
}

#[test]
fn punch_collects_cards_into_files() {
    let mut m = Storage::new(65536);
    let mut p = Punch::new();
    let out = p.output();
    m.write(0x2000, &crate::ebcdic::from_str(&"A".repeat(80))).expect("in storage");
    m.write(0x2100, &crate::ebcdic::from_str("SHORT")).expect("in storage");
    let csw = done(run(
        &mut m,
        &mut p,
        &[Ccw::new(0x41, 0x2000, flag::CC, 80), Ccw::new(0x01, 0x2100, flag::SLI, 5)],
    ));
    assert_eq!((csw.unit, csw.channel), (CE_DE, 0));
    assert_eq!(out.len(), 2);
    let file = out.close();
    assert_eq!(file[0], text_card(&"A".repeat(80)));
    assert_eq!(file[1], text_card("SHORT"));
    assert!(out.is_empty(), "close starts a new file");
    // Without SLI a short card is incorrect length; more than 80 bytes too.
    let csw = done(run(&mut m, &mut p, &[Ccw::new(0x01, 0x2100, 0, 5)]));
    assert_eq!(csw.channel, chan::INCORRECT_LENGTH);
    let csw = done(run(&mut m, &mut p, &[Ccw::new(0x01, 0x2000, 0, 81)]));
    assert_eq!((csw.channel, csw.count), (chan::INCORRECT_LENGTH, 1));
    // Read is not a punch command.
    let csw = done(run(&mut m, &mut p, &[Ccw::new(0x02, 0x2000, 0, 80)]));
    assert_eq!(csw.unit, CE_DE | unit::UNIT_CHECK);
}

#[test]
fn printer_keeps_lines_and_carriage_control() {
    let mut m = Storage::new(65536);
    let mut pr = Printer::new();
    let out = pr.output();
    m.write(0x2000, &crate::ebcdic::from_str("HELLO")).expect("in storage");
    m.write(0x2100, &crate::ebcdic::from_str("WORLD")).expect("in storage");
    let csw = done(run(
        &mut m,
        &mut pr,
        &[
            Ccw::new(0x8B, 0, flag::CC, 1),
            Ccw::new(0x09, 0x2000, flag::CC, 5),
            Ccw::new(0x11, 0x2100, flag::CC, 5),
            Ccw::new(0x0B, 0, flag::CC, 1),
            Ccw::new(0x03, 0, 0, 1),
        ],
    ));
    assert_eq!((csw.unit, csw.channel), (CE_DE, 0));
    let recs = out.close();
    assert_eq!(recs.len(), 4, "NOP leaves no record");
    assert_eq!(recs[1], PrintRecord { cmd: 0x09, data: crate::ebcdic::from_str("HELLO") });
    assert_eq!(render(&recs), "\n\x0CHELLO\nWORLD\n\n\n");
    // A line longer than 132: incorrect length (the first 132 are printed).
    let csw = done(run(&mut m, &mut pr, &[Ccw::new(0x09, 0x3000, 0, 140)]));
    assert_eq!((csw.channel, csw.count), (chan::INCORRECT_LENGTH, 8));
    assert_eq!(out.records()[0].data.len(), LINE_WIDTH);
    // Skip to channel 13 does not exist.
    let csw = done(run(&mut m, &mut pr, &[Ccw::new(0xE9, 0x2000, 0, 5)]));
    assert_eq!(csw.unit, CE_DE | unit::UNIT_CHECK);
}

#[test]
fn console_writes_and_blocks_on_reads() {
    let mut m = Storage::new(65536);
    let mut c = Console::new();
    let kb = c.keyboard();
    m.write(0x2000, &crate::ebcdic::from_str("ENTER NAME:")).expect("in storage");
    let ccws = [Ccw::new(0x09, 0x2000, flag::CC, 11), Ccw::new(0x0A, 0x3000, flag::SLI, 130)];
    let mut p = ChannelProgram::at(0, 0x1000);
    for (i, w) in ccws.iter().enumerate() {
        m.write(0x1000 + 8 * i as u32, &w.to_bytes()).expect("in storage");
    }
    assert_eq!(p.run(&mut c, &mut m), Progress::Blocked { pci: None });
    assert_eq!(kb.output(), "ENTER NAME:\n");
    assert_eq!(p.run(&mut c, &mut m), Progress::Blocked { pci: None }, "still nothing typed");
    kb.type_line("ibm 370");
    let csw = done(p.run(&mut c, &mut m));
    assert_eq!((csw.unit, csw.channel, csw.count), (CE_DE, 0, 130 - 7));
    assert_eq!(text(&m, 0x3000, 7), "ibm 370");
    assert_eq!(kb.take_output(), "ENTER NAME:\n");
    // Write without carrier return, then an invalid command and its sense.
    let csw = done(run(&mut m, &mut c, &[Ccw::new(0x01, 0x2000, 0, 5)]));
    assert_eq!(csw.unit, CE_DE);
    assert_eq!(kb.output(), "ENTER");
    let csw = done(run(&mut m, &mut c, &[Ccw::new(0x02, 0x3000, 0, 5)]));
    assert_eq!(csw.unit, CE_DE | unit::UNIT_CHECK);
    done(run(&mut m, &mut c, &[Ccw::new(0x04, 0x3100, 0, 1)]));
    assert_eq!(m.bytes()[0x3100], sense::COMMAND_REJECT);
    // NOP alone is immediate.
    assert_eq!(
        run(&mut m, &mut c, &[Ccw::new(0x03, 0, 0, 1)]),
        Progress::Done(crate::channel::Ending {
            csw: Csw { ccw_addr: 0x1008, unit: CE_DE, count: 1, ..Csw::default() },
            initial: true,
        })
    );
}

/// Random channel programs against every device model: each ends (or blocks and is halted)
/// with an architected CSW, and nothing panics.
#[test]
fn random_channel_programs_always_end() {
    use crate::devices::ckd::{D3350, Dasd, Volume};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("temp dir");
    let vol =
        Arc::new(Volume::create(&dir.path().join("f.ckd"), D3350, 3, "FUZZ01").expect("create"));
    let console = Console::new();
    let kb = console.keyboard();
    let reader = Reader::new(Empty::Wait);
    let hopper = reader.hopper();
    let mut devs: Vec<Box<dyn Device>> = vec![
        Box::new(console),
        Box::new(reader),
        Box::new(Punch::new()),
        Box::new(Printer::new()),
        Box::new(Dasd::new(Arc::clone(&vol))),
        Box::new(Dasd::view(Arc::clone(&vol), 1, 2, true).expect("extent")),
    ];
    let codes: &[u8] = &[
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x11,
        0x12, 0x13, 0x15, 0x16, 0x19, 0x1A, 0x1B, 0x1D, 0x1E, 0x1F, 0x22, 0x23, 0x29, 0x31, 0x39,
        0x41, 0x51, 0x71, 0x86, 0x8B, 0x92, 0x9E, 0xB1, 0xE9, 0x00, 0xFF,
    ];
    let mut rng = Rng(0x370_0370_0370);
    let mut ends = [0u32; 3];
    for round in 0..12_000 {
        let mut m = Storage::new(64 * 1024);
        for a in (0x1000..0x1100).step_by(8) {
            let cmd = codes[rng.below(codes.len() as u64) as usize];
            let addr =
                if rng.chance(90) { 0x1000 + rng.below(0x3000) as u32 } else { rng.next() as u32 };
            let flags = if rng.chance(90) { (rng.next() as u8) & 0xFC } else { rng.next() as u8 };
            let count = if rng.chance(80) { 1 + rng.below(899) as u16 } else { rng.next() as u16 };
            m.write(a, &Ccw::new(cmd, addr, flags, count).to_bytes()).expect("in storage");
        }
        // Data areas: half the bytes small (plausible seek and search arguments).
        let mut bytes = [0u8; 0x2000];
        let mut small = [0u8; 0x2000];
        bytes.iter_mut().for_each(|b| *b = rng.next() as u8);
        small.iter_mut().for_each(|b| *b = rng.next() as u8);
        for (b, s) in bytes.iter_mut().zip(small) {
            if s & 1 == 0 {
                *b %= 3;
            }
        }
        m.write(0x2000, &bytes).expect("in storage");
        for blk in 0..32u32 {
            if rng.chance(10) {
                m.set_key(blk * 2048, (rng.next() as u8) & 0xF8);
            }
        }
        let key = if rng.chance(70) { 0 } else { rng.below(16) as u8 };
        let start =
            if rng.chance(95) { 0x1000 + 8 * rng.below(32) as u32 } else { rng.next() as u32 };
        let dev = &mut devs[round % 6];
        let mut p = ChannelProgram::at(key, start);
        let mut progress = p.run(dev.as_mut(), &mut m);
        if let Progress::Blocked { .. } = progress {
            kb.type_line("some input");
            hopper.push_text("A CARD");
            progress = p.run(dev.as_mut(), &mut m);
        }
        let csw = match progress {
            Progress::Done(e) => {
                ends[usize::from(e.initial)] += 1;
                e.csw
            }
            Progress::Blocked { .. } => {
                ends[2] += 1;
                p.halt().expect("a blocked program can be halted")
            }
        };
        let checks = unit::UNIT_CHECK | unit::UNIT_EXCEPTION | unit::BUSY;
        let normal = csw.unit & unit::CE_DE == unit::CE_DE;
        assert!(
            normal
                || csw.channel & (chan::PROGRAM_CHECK | chan::PROTECTION_CHECK) != 0
                || csw.unit & checks != 0
        );
    }
    assert!(ends[0] > 100 && ends[1] > 100, "both kinds of ending occur: {ends:?}");
}

/// xorshift64*: a small deterministic generator (compiled with the crate's optimisation).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
