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
