//! Engine tests with a scripted device.

use super::*;
use std::collections::VecDeque;

/// What the scripted device does for one command.
#[derive(Debug, Clone)]
enum Act {
    /// Fetch up to n output bytes, then end with this status.
    Get(usize, u8),
    /// Store these input bytes, then end with this status.
    Put(Vec<u8>, u8),
    /// Move no data; end with this status.
    Immediate(u8),
    /// Block (once per entry).
    Block,
}

/// A device that follows a script, one act per command, and records what it saw.
#[derive(Debug, Default)]
struct Script {
    acts: VecDeque<Act>,
    /// (command code, chained, bytes fetched or count stored)
    seen: Vec<(u8, bool, Vec<u8>)>,
}

impl Script {
    fn new(acts: Vec<Act>) -> Script {
        Script { acts: acts.into(), seen: Vec::new() }
    }
}

impl Device for Script {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        let act = self.acts.pop_front().unwrap_or(Act::Immediate(unit::CE_DE));
        match act {
            Act::Get(n, st) => {
                let mut buf = vec![0u8; n];
                let got = data.get(&mut buf);
                buf.truncate(got);
                self.seen.push((cmd.code, cmd.chained, buf));
                Response::Status(st)
            }
            Act::Put(bytes, st) => {
                let took = data.put(&bytes);
                self.seen.push((cmd.code, cmd.chained, bytes[..took].to_vec()));
                Response::Status(st)
            }
            Act::Immediate(st) => {
                self.seen.push((cmd.code, cmd.chained, Vec::new()));
                Response::Status(st)
            }
            Act::Block => Response::Blocked,
        }
    }

    fn info(&self) -> DeviceInfo {
        DeviceInfo { class: DeviceClass::Other, device_type: 0x9999, model: 1 }
    }
}

const CE_DE: u8 = unit::CE_DE;

fn mem() -> Storage {
    Storage::new(64 * 1024)
}

fn put_ccws(m: &mut Storage, at: u32, ccws: &[Ccw]) {
    for (i, c) in ccws.iter().enumerate() {
        m.write(at + 8 * i as u32, &c.to_bytes()).expect("in storage");
    }
}

fn done(p: Progress) -> Ending {
    match p {
        Progress::Done(e) => e,
        other => panic!("expected Done, got {other:?}"),
    }
}

fn run(m: &mut Storage, dev: &mut Script, key: u8, at: u32) -> Ending {
    done(ChannelProgram::at(key, at).run(dev, m))
}

#[test]
fn single_write_ends_with_ce_de() {
    let mut m = mem();
    m.write(0x2000, b"HELLO").expect("in storage");
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x01, 0x2000, 0, 5)]);
    let mut d = Script::new(vec![Act::Get(5, CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen, vec![(0x01, false, b"HELLO".to_vec())]);
    assert_eq!(e.csw.to_bytes(), [0x00, 0x00, 0x10, 0x08, CE_DE, 0, 0, 0]);
    assert!(!e.initial);
}

#[test]
fn command_chaining_runs_each_command_and_reports_the_last() {
    let mut m = mem();
    m.write(0x2000, b"AB").expect("in storage");
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x01, 0x2000, flag::CC, 2), Ccw::new(0x02, 0x3000, 0, 4)]);
    m.set_key(0x3000, 0x30);
    let mut d = Script::new(vec![Act::Get(2, CE_DE), Act::Put(b"WXYZ".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 3, 0x1000);
    assert_eq!(d.seen[0], (0x01, false, b"AB".to_vec()));
    assert_eq!(d.seen[1], (0x02, true, b"WXYZ".to_vec()));
    assert_eq!(&m.bytes()[0x3000..0x3004], b"WXYZ");
    assert_eq!(e.csw, Csw { key: 3, ccw_addr: 0x1010, unit: CE_DE, ..Csw::default() });
}

#[test]
fn data_chaining_gathers_and_scatters() {
    let mut m = mem();
    m.write(0x2000, b"ABC").expect("in storage");
    m.write(0x2100, b"DEFG").expect("in storage");
    put_ccws(
        &mut m,
        0x1000,
        &[
            Ccw::new(0x01, 0x2000, flag::CD, 3),
            // The command code of a data-chained CCW is ignored, even an invalid one.
            Ccw::new(0x00, 0x2100, flag::CC, 4),
            Ccw::new(0x02, 0x3000, flag::CD, 2),
            Ccw::new(0x02, 0x3100, 0, 3),
        ],
    );
    let mut d = Script::new(vec![Act::Get(7, CE_DE), Act::Put(b"12345".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen[0].2, b"ABCDEFG");
    assert_eq!(&m.bytes()[0x3000..0x3002], b"12");
    assert_eq!(&m.bytes()[0x3100..0x3103], b"345");
    assert_eq!(e.csw.ccw_addr, 0x1020);
    assert_eq!((e.csw.unit, e.csw.channel, e.csw.count), (CE_DE, 0, 0));
}

#[test]
fn incorrect_length_and_sli() {
    let mut m = mem();
    // Short record into a long area: IL, residual 20, and command chaining suppressed.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x3000, flag::CC, 100), Ccw::new(0x03, 0, 0, 1)]);
    let mut d = Script::new(vec![Act::Put(vec![7; 80], CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen.len(), 1, "IL suppresses command chaining");
    assert_eq!((e.csw.channel, e.csw.count, e.csw.ccw_addr), (chan::INCORRECT_LENGTH, 20, 0x1008));

    // With SLI: no IL, and the chain goes on.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x3000, flag::CC | flag::SLI, 100)]);
    let mut d = Script::new(vec![Act::Put(vec![7; 80], CE_DE), Act::Immediate(CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen.len(), 2);
    assert_eq!((e.csw.channel, e.csw.ccw_addr), (0, 0x1010));

    // Long record into a short area: IL with residual 0, only 40 bytes stored.
    m.write(0x3000, &[0; 100]).expect("in storage");
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x3000, 0, 40)]);
    let mut d = Script::new(vec![Act::Put(vec![9; 80], CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.count), (chan::INCORRECT_LENGTH, 0));
    assert_eq!(m.bytes()[0x3027], 9);
    assert_eq!(m.bytes()[0x3028], 0);

    // An immediate command never has incorrect length.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x03, 0, 0, 99)]);
    let mut d = Script::new(vec![Act::Immediate(CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.count), (0, 99));
}

#[test]
fn skip_counts_without_storing() {
    let mut m = mem();
    put_ccws(
        &mut m,
        0x1000,
        &[Ccw::new(0x02, 0x3000, flag::SKIP | flag::CD, 4), Ccw::new(0x02, 0x3100, 0, 4)],
    );
    let mut d = Script::new(vec![Act::Put(b"abcdefgh".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(&m.bytes()[0x3000..0x3004], &[0, 0, 0, 0]);
    assert_eq!(&m.bytes()[0x3100..0x3104], b"efgh");
    assert_eq!((e.csw.channel, e.csw.count), (0, 0));
    // Skip even with an address outside storage: no access, no check.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0xFF_F000, flag::SKIP, 4)]);
    let mut d = Script::new(vec![Act::Put(b"abcd".to_vec(), CE_DE)]);
    assert_eq!(run(&mut m, &mut d, 0, 0x1000).csw.channel, 0);
}

#[test]
fn tic_follows_and_tic_to_tic_is_a_program_check() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x03, 0, flag::CC, 1), Ccw::new(0x08, 0x1800, 0, 0)]);
    put_ccws(&mut m, 0x1800, &[Ccw::new(0x03, 0, 0, 1)]);
    let mut d = Script::new(vec![]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen.len(), 2);
    assert_eq!((e.csw.ccw_addr, e.csw.unit), (0x1808, CE_DE));

    put_ccws(&mut m, 0x1800, &[Ccw::new(0x08, 0x1900, 0, 0)]);
    let mut d = Script::new(vec![]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen.len(), 1);
    assert_eq!((e.csw.channel, e.csw.ccw_addr, e.csw.unit), (chan::PROGRAM_CHECK, 0x1808, 0));
    assert!(!e.initial);

    // A TIC to an address that is not a doubleword: program check, CSW after the TIC.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x08, 0x1804, 0, 0)]);
    let e = run(&mut m, &mut Script::new(vec![]), 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.ccw_addr), (chan::PROGRAM_CHECK, 0x1008));
    assert!(e.initial, "nothing was started");
}

#[test]
fn tic_loop_without_data_ends_in_program_check() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x03, 0, flag::CC, 1), Ccw::new(0x08, 0x1000, 0, 0)]);
    let mut d = Script::new(vec![]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(e.csw.channel, chan::PROGRAM_CHECK);
    assert_eq!(d.seen.len() as u32, MAX_TICS_WITHOUT_DATA + 1);
}

#[test]
fn endless_loop_with_data_ends_after_max_ccws() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x01, 0x2000, flag::CC, 1), Ccw::new(0x08, 0x1000, 0, 0)]);
    let acts = vec![Act::Get(1, CE_DE); (MAX_CCWS / 2) as usize + 2];
    let mut d = Script::new(acts);
    let mut p = ChannelProgram::at(0, 0x1000);
    let e = done(p.run(&mut d, &mut m));
    assert_eq!(e.csw.channel, chan::PROGRAM_CHECK);
    assert_eq!(p.ccws_fetched(), MAX_CCWS + 1);
}

#[test]
fn invalid_ccws_and_caws() {
    let mut m = mem();
    let cases = [
        (Ccw::new(0x02, 0x3000, 0, 0), "count zero"),
        (Ccw::new(0x00, 0x3000, 0, 1), "command X'00'"),
        (Ccw::new(0x40, 0x3000, 0, 1), "command X'40'"),
        (Ccw::new(0x02, 0x3000, 0x01, 1), "flag bit 39"),
        (Ccw::new(0x02, 0x3002, flag::IDA, 1), "IDAW list not on a word"),
    ];
    for (ccw, why) in cases {
        put_ccws(&mut m, 0x1000, &[ccw]);
        let mut d = Script::new(vec![]);
        let e = run(&mut m, &mut d, 0, 0x1000);
        assert!(d.seen.is_empty(), "{why}");
        assert_eq!((e.csw.channel, e.csw.ccw_addr, e.initial), (chan::PROGRAM_CHECK, 0x1008, true));
    }
    // CCW address not on a doubleword, and outside storage.
    for at in [0x1004, 0x20_0000] {
        let e = run(&mut m, &mut Script::new(vec![]), 0, at);
        assert_eq!((e.csw.channel, e.initial), (chan::PROGRAM_CHECK, true), "{at:x}");
    }
    // CAW bits 4-7 not zero.
    let e = done(ChannelProgram::new(0x0100_1000).run(&mut Script::new(vec![]), &mut m));
    assert_eq!((e.csw.channel, e.initial), (chan::PROGRAM_CHECK, true));
    // A chained CCW with an invalid command: program check, not initial.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x03, 0, flag::CC, 1), Ccw::new(0x10, 0, 0, 1)]);
    let e = run(&mut m, &mut Script::new(vec![]), 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.ccw_addr, e.initial), (chan::PROGRAM_CHECK, 0x1010, false));
}

#[test]
fn indirect_data_addressing_crosses_2k_blocks() {
    let mut m = mem();
    // 6 bytes starting 3 bytes before a 2K boundary; second IDAW names a distant block.
    m.write_u32(0x4000, 0x0000_57FD).expect("in storage");
    m.write_u32(0x4004, 0x0000_9000).expect("in storage");
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x4000, flag::IDA, 6)]);
    let mut d = Script::new(vec![Act::Put(b"abcdef".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.count), (0, 0));
    assert_eq!(&m.bytes()[0x57FD..0x5800], b"abc");
    assert_eq!(&m.bytes()[0x9000..0x9003], b"def");
    assert_eq!(&m.bytes()[0x5800..0x5803], &[0, 0, 0]);

    // Output through IDA.
    m.write(0x6000, b"XYZ").expect("in storage");
    m.write_u32(0x4004, 0x0000_6000).expect("in storage");
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x01, 0x4000, flag::IDA, 6)]);
    let mut d = Script::new(vec![Act::Get(6, CE_DE)]);
    run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen[0].2, b"abcXYZ");

    // A second IDAW that is not on a 2K boundary: program check after 3 bytes.
    m.write_u32(0x4004, 0x0000_9010).expect("in storage");
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x4000, flag::IDA, 6)]);
    let mut d = Script::new(vec![Act::Put(b"ghijkl".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen[0].2, b"ghi");
    assert_eq!((e.csw.channel, e.csw.unit), (chan::PROGRAM_CHECK, CE_DE));
    // IDAW bits 0-7 not zero.
    m.write_u32(0x4000, 0x0100_5000).expect("in storage");
    let mut d = Script::new(vec![Act::Put(b"ghijkl".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert!(d.seen[0].2.is_empty());
    assert_eq!(e.csw.channel, chan::PROGRAM_CHECK);
}

#[test]
fn read_backward_stores_descending() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x0C, 0x3003, 0, 4)]);
    let mut d = Script::new(vec![Act::Put(b"abcd".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(&m.bytes()[0x3000..0x3004], b"dcba");
    assert_eq!(e.csw.count, 0);
}

#[test]
fn pci_is_reported() {
    let mut m = mem();
    put_ccws(
        &mut m,
        0x1000,
        &[Ccw::new(0x03, 0, flag::CC | flag::PCI, 1), Ccw::new(0x03, 0, 0, 1)],
    );
    let e = run(&mut m, &mut Script::new(vec![]), 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.unit), (chan::PCI, CE_DE));
    // Blocking after the PCI: the PCI is presented with the Blocked, not again at the end.
    put_ccws(
        &mut m,
        0x1000,
        &[Ccw::new(0x03, 0, flag::CC | flag::PCI, 1), Ccw::new(0x02, 0x3000, flag::SLI, 8)],
    );
    let mut d =
        Script::new(vec![Act::Immediate(CE_DE), Act::Block, Act::Put(b"x".to_vec(), CE_DE)]);
    m.set_key(0x3000, 0x20);
    let mut p = ChannelProgram::at(2, 0x1000);
    match p.run(&mut d, &mut m) {
        Progress::Blocked { pci: Some(c) } => {
            assert_eq!((c.key, c.channel, c.unit, c.ccw_addr), (2, chan::PCI, 0, 0x1010));
        }
        other => panic!("expected a PCI with the block, got {other:?}"),
    }
    let e = done(p.run(&mut d, &mut m));
    assert_eq!((e.csw.channel, e.csw.count), (0, 7));
}

#[test]
fn protection_with_the_caw_key() {
    let mut m = mem();
    m.set_key(0x2800, 0x60);
    m.set_key(0x3000, 0x50);
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x2FFE, 0, 6)]);
    // Key 6 may store in 0x2FFE-0x2FFF (a key-6 block) but not in the key-5 block.
    let mut d = Script::new(vec![Act::Put(b"abcdef".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 6, 0x1000);
    assert_eq!(d.seen[0].2, b"ab");
    assert_eq!((e.csw.channel, e.csw.unit, e.csw.key), (chan::PROTECTION_CHECK, CE_DE, 6));
    assert_eq!(m.bytes()[0x3000], 0);
    // Key 5 (now matching both blocks) and key 0 may.
    m.set_key(0x2800, 0x50);
    for key in [5, 0] {
        let mut d = Script::new(vec![Act::Put(b"abcdef".to_vec(), CE_DE)]);
        assert_eq!(run(&mut m, &mut d, key, 0x1000).csw.channel, 0);
    }
    // Fetch protection on the CCW itself.
    m.set_key(0x1000, 0x58);
    let e = run(&mut m, &mut Script::new(vec![]), 6, 0x1000);
    assert_eq!((e.csw.channel, e.initial), (chan::PROTECTION_CHECK, true));
    // Output from a fetch-protected block: protection check; unprotected: fine.
    m.set_key(0x1000, 0);
    m.set_key(0x3000, 0x58);
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x01, 0x3000, 0, 4)]);
    let e = run(&mut m, &mut Script::new(vec![Act::Get(4, CE_DE)]), 6, 0x1000);
    assert_eq!(e.csw.channel, chan::PROTECTION_CHECK);
    m.set_key(0x3000, 0x50);
    let e = run(&mut m, &mut Script::new(vec![Act::Get(4, CE_DE)]), 6, 0x1000);
    assert_eq!(e.csw.channel, 0);
}

#[test]
fn data_address_outside_storage_is_a_program_check() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0xFFFC, flag::CC, 8), Ccw::new(0x03, 0, 0, 1)]);
    let mut d = Script::new(vec![Act::Put(vec![1; 8], CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen[0].2.len(), 4, "the bytes inside storage are stored");
    assert_eq!((e.csw.channel, e.csw.ccw_addr, e.csw.unit), (chan::PROGRAM_CHECK, 0x1008, CE_DE));
    assert_eq!(d.seen.len(), 1, "a channel check stops chaining");
}

#[test]
fn status_modifier_skips_one_ccw() {
    let mut m = mem();
    m.write(0x2000, b"KEY").expect("in storage");
    put_ccws(
        &mut m,
        0x1000,
        &[
            Ccw::new(0x31, 0x2000, flag::CC, 3),
            Ccw::new(0x08, 0x1000, 0, 0),
            Ccw::new(0x06, 0x3000, 0, 2),
        ],
    );
    // Not satisfied twice (TIC back), then satisfied: skips the TIC to the read.
    let mut d = Script::new(vec![
        Act::Get(3, CE_DE),
        Act::Get(3, CE_DE),
        Act::Get(3, CE_DE | unit::STATUS_MODIFIER),
        Act::Put(b"ok".to_vec(), CE_DE),
    ]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!(d.seen.len(), 4);
    assert_eq!(&m.bytes()[0x3000..0x3002], b"ok");
    assert_eq!(e.csw.ccw_addr, 0x1018);
}

#[test]
fn immediate_first_command_is_initial() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x03, 0, 0, 1)]);
    let e = run(&mut m, &mut Script::new(vec![]), 0, 0x1000);
    assert!(e.initial);
    assert_eq!(e.csw.unit, CE_DE);
    // Rejected at initial selection (unit check, no data): also initial.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x3000, 0, 8)]);
    let d = &mut Script::new(vec![Act::Immediate(CE_DE | unit::UNIT_CHECK)]);
    let e = run(&mut m, d, 0, 0x1000);
    assert!(e.initial);
    assert_eq!((e.csw.unit, e.csw.channel, e.csw.count), (CE_DE | unit::UNIT_CHECK, 0, 8));
    // Immediate with command chaining goes on; the end is an interruption.
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x03, 0, flag::CC, 1), Ccw::new(0x03, 0, 0, 1)]);
    assert!(!run(&mut m, &mut Script::new(vec![]), 0, 0x1000).initial);
}

#[test]
fn unit_check_and_exception_end_the_chain() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x3000, flag::CC, 4), Ccw::new(0x03, 0, 0, 1)]);
    for st in [unit::UNIT_CHECK, unit::UNIT_EXCEPTION] {
        let mut d = Script::new(vec![Act::Put(b"abcd".to_vec(), CE_DE | st)]);
        let e = run(&mut m, &mut d, 0, 0x1000);
        assert_eq!(d.seen.len(), 1);
        assert_eq!((e.csw.unit, e.csw.ccw_addr), (CE_DE | st, 0x1008));
    }
}

#[test]
fn blocked_program_resumes_and_halts() {
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x01, 0x2000, flag::CC, 1), Ccw::new(0x0A, 0x3000, 0, 10)]);
    let mut d = Script::new(vec![
        Act::Get(1, CE_DE),
        Act::Block,
        Act::Block,
        Act::Put(b"line".to_vec(), CE_DE),
    ]);
    let mut p = ChannelProgram::at(0, 0x1000);
    assert_eq!(p.run(&mut d, &mut m), Progress::Blocked { pci: None });
    assert!(p.is_blocked());
    assert_eq!(p.run(&mut d, &mut m), Progress::Blocked { pci: None });
    let e = done(p.run(&mut d, &mut m));
    assert_eq!(d.seen.len(), 2, "the write ran once, the read once");
    assert_eq!(d.seen[1], (0x0A, true, b"line".to_vec()));
    assert_eq!((e.csw.channel, e.csw.count), (chan::INCORRECT_LENGTH, 6));
    assert_eq!(done(p.run(&mut d, &mut m)), e, "Done is sticky");
    assert!(p.halt().is_none());

    let mut d = Script::new(vec![Act::Get(1, CE_DE), Act::Block]);
    let mut p = ChannelProgram::at(0, 0x1000);
    assert!(matches!(p.run(&mut d, &mut m), Progress::Blocked { .. }));
    let csw = p.halt().expect("blocked");
    assert_eq!(
        csw,
        Csw {
            ccw_addr: 0x1010,
            unit: CE_DE,
            channel: chan::INCORRECT_LENGTH,
            count: 10,
            ..Csw::default()
        }
    );
    assert_eq!(p.ending().map(|e| e.csw), Some(csw));
}

#[test]
fn eager_data_chaining_checks_the_next_ccw() {
    // The count runs out exactly with CD on: the next CCW is fetched (and here is invalid).
    let mut m = mem();
    put_ccws(&mut m, 0x1000, &[Ccw::new(0x02, 0x3000, flag::CD, 4), Ccw::new(0x02, 0x3100, 0, 0)]);
    let mut d = Script::new(vec![Act::Put(b"abcd".to_vec(), CE_DE)]);
    let e = run(&mut m, &mut d, 0, 0x1000);
    assert_eq!((e.csw.channel, e.csw.ccw_addr), (chan::PROGRAM_CHECK, 0x1010));
}
