//! CKD tests: image creation, channel programs against a [`Dasd`], extents, read-only links,
//! durability, and IBM's own CMS minidisks from `../shared/data`.

use super::*;
use crate::channel::{Ccw, ChannelProgram, Csw, Progress, chan, flag, unit};
use crate::storage::Storage;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const CE_DE: u8 = unit::CE_DE;
const UC: u8 = unit::CE_DE | unit::UNIT_CHECK;

/// Builds a channel program and its data areas in storage.
struct Chain {
    ccws: Vec<Ccw>,
    data: Vec<(u32, Vec<u8>)>,
    next: u32,
}

const PROGRAM: u32 = 0x1000;

impl Chain {
    fn new() -> Chain {
        Chain { ccws: Vec::new(), data: Vec::new(), next: 0x4000 }
    }

    fn area(&mut self, bytes: Vec<u8>) -> u32 {
        let a = self.next;
        self.next = (a + bytes.len().max(1) as u32 + 7) & !7;
        self.data.push((a, bytes));
        a
    }

    fn out(mut self, cmd: u8, bytes: Vec<u8>) -> Chain {
        let n = bytes.len() as u16;
        let a = self.area(bytes);
        self.ccws.push(Ccw::new(cmd, a, 0, n));
        self
    }

    /// An input command; returns the chain and the address its data goes to.
    fn input(mut self, cmd: u8, len: u16) -> (Chain, u32) {
        let a = self.area(vec![0; usize::from(len)]);
        self.ccws.push(Ccw::new(cmd, a, flag::SLI, len));
        (self, a)
    }

    fn seek(self, cyl: u16, head: u16) -> Chain {
        let c = cyl.to_be_bytes();
        let h = head.to_be_bytes();
        self.out(0x07, vec![0, 0, c[0], c[1], h[0], h[1]])
    }

    /// SEARCH ID EQUAL and a TIC back to it.
    fn search_id(mut self, cyl: u16, head: u16, rec: u8) -> Chain {
        let c = cyl.to_be_bytes();
        let h = head.to_be_bytes();
        self = self.out(0x31, vec![c[0], c[1], h[0], h[1], rec]);
        let at = PROGRAM + 8 * (self.ccws.len() as u32 - 1);
        self.ccws.push(Ccw::new(0x08, at, 0, 0));
        self
    }

    fn write_ckd(self, count: Count, key: &[u8], data: &[u8]) -> Chain {
        let mut b = count.to_bytes().to_vec();
        b.extend_from_slice(key);
        b.extend_from_slice(data);
        self.out(0x1D, b)
    }

    fn nop(mut self, cmd: u8) -> Chain {
        self.ccws.push(Ccw::new(cmd, 0, 0, 1));
        self
    }

    fn run(mut self, mem: &mut Storage, dev: &mut Dasd) -> Csw {
        let n = self.ccws.len();
        for (i, c) in self.ccws.iter_mut().enumerate() {
            if i + 1 < n && !c.is_tic() {
                c.flags |= flag::CC;
            }
        }
        for (i, c) in self.ccws.iter().enumerate() {
            mem.write(PROGRAM + 8 * i as u32, &c.to_bytes()).expect("in storage");
        }
        for (a, b) in &self.data {
            mem.write(*a, b).expect("in storage");
        }
        match ChannelProgram::at(0, PROGRAM).run(dev, mem) {
            Progress::Done(e) => e.csw,
            other => panic!("a DASD never blocks: {other:?}"),
        }
    }
}

fn mem() -> Storage {
    Storage::new(1 << 20)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn new_volume(dir: &Path, dt: DasdType, cyls: u32) -> Arc<Volume> {
    Arc::new(Volume::create(&dir.join("v.ckd"), dt, cyls, "TEST01").expect("create"))
}

fn rec(cyl: u16, head: u16, r: u8, kl: u8, dl: u16) -> Count {
    Count { cyl, head, rec: r, key_len: kl, data_len: dl }
}

/// Formats a track with `n` records of 800 bytes whose data is `fill(r)`.
fn format_track(m: &mut Storage, d: &mut Dasd, cyl: u16, head: u16, n: u8) -> Csw {
    let mut ch = Chain::new().seek(cyl, head).search_id(cyl, head, 0);
    for r in 1..=n {
        ch = ch.write_ckd(rec(cyl, head, r, 0, 800), &[], &[r ^ (head as u8); 800]);
    }
    ch.run(m, d)
}

fn read_record(
    m: &mut Storage,
    d: &mut Dasd,
    cyl: u16,
    head: u16,
    r: u8,
    len: u16,
) -> (Csw, Vec<u8>) {
    let (ch, at) = Chain::new().seek(cyl, head).search_id(cyl, head, r).input(0x06, len);
    let csw = ch.run(m, d);
    (csw, m.bytes()[at as usize..at as usize + usize::from(len)].to_vec())
}

#[test]
fn create_matches_hercules_dasdinit() {
    let dir = tempdir();
    for (dt, name) in [(D3350, "3350"), (D3330, "3330")] {
        let ours = dir.path().join(format!("ours-{name}.ckd"));
        let vol = Volume::create(&ours, dt, 2, "vol001").expect("create");
        assert_eq!(vol.cylinders(), 2);
        assert_eq!(vol.heads(), dt.heads);
        let bytes = std::fs::read(&ours).expect("read back");
        assert_eq!(&bytes[..8], b"CKD_P370");
        assert_eq!(bytes.len(), 512 + 2 * dt.heads as usize * dt.image_track_size() as usize);
        let theirs = dir.path().join(format!("theirs-{name}.ckd"));
        let ran = std::process::Command::new("dasdinit")
            .arg(&theirs)
            .arg(name)
            .arg("VOL001")
            .arg("2")
            .output();
        match ran {
            Ok(out) if out.status.success() => {
                let want = std::fs::read(&theirs).expect("dasdinit output");
                assert!(bytes == want, "{name}: our image differs from dasdinit's");
            }
            _ => {
                eprintln!("skipped: dasdinit comparison ({name}): hercules' dasdinit not installed")
            }
        }
    }
}

#[test]
fn format_write_read_search_on_a_3350() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 3);
    let mut d = Dasd::new(Arc::clone(&vol));
    let mut m = mem();
    let csw = format_track(&mut m, &mut d, 1, 4, 19);
    assert_eq!((csw.unit, csw.channel), (CE_DE, 0), "{csw:?}");
    let t = vol.track(1, 4).expect("track");
    assert_eq!(t.len(), 20);
    assert_eq!(t.count(19), rec(1, 4, 19, 0, 800));
    // A 20th record does not fit: invalid track format.
    let csw = Chain::new()
        .seek(1, 4)
        .search_id(1, 4, 19)
        .write_ckd(rec(1, 4, 20, 0, 800), &[], &[0; 800])
        .run(&mut m, &mut d);
    assert_eq!(csw.unit, UC);
    assert_eq!(d.sense_bytes()[1], SENSE_INVALID_TRACK_FORMAT);
    assert_eq!(vol.track(1, 4).expect("track").len(), 20, "the track is untouched");

    let (csw, data) = read_record(&mut m, &mut d, 1, 4, 7, 800);
    assert_eq!((csw.unit, csw.channel, csw.count), (CE_DE, 0, 0));
    assert_eq!(data, vec![7 ^ 4; 800]);

    // WRITE DATA after a satisfied search replaces the data.
    let csw =
        Chain::new().seek(1, 4).search_id(1, 4, 7).out(0x05, vec![0x5A; 800]).run(&mut m, &mut d);
    assert_eq!(csw.unit, CE_DE);
    assert_eq!(read_record(&mut m, &mut d, 1, 4, 7, 800).1, vec![0x5A; 800]);
    assert_eq!(read_record(&mut m, &mut d, 1, 4, 8, 800).1, vec![8 ^ 4; 800]);

    // READ COUNT after a search reads the next record's count; READ CKD the one after.
    let (ch, c_at) = Chain::new().seek(1, 4).search_id(1, 4, 2).input(0x12, 8);
    let (ch, ckd_at) = ch.input(0x1E, 808);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(&m.bytes()[c_at as usize..c_at as usize + 8], &rec(1, 4, 3, 0, 800).to_bytes());
    assert_eq!(&m.bytes()[ckd_at as usize..ckd_at as usize + 8], &rec(1, 4, 4, 0, 800).to_bytes());

    // READ HA and READ R0.
    let (ch, ha_at) = Chain::new().seek(2, 29).input(0x1A, 5);
    let (ch, r0_at) = ch.input(0x16, 16);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(&m.bytes()[ha_at as usize..ha_at as usize + 5], &[0, 0, 2, 0, 29]);
    assert_eq!(&m.bytes()[r0_at as usize..r0_at as usize + 8], &rec(2, 29, 0, 0, 8).to_bytes());
}

#[test]
fn search_failures_and_chaining_rules() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 2);
    let mut d = Dasd::new(vol);
    let mut m = mem();
    format_track(&mut m, &mut d, 0, 1, 3);
    // A record that is not there: no record found after two index points.
    let (csw, _) = read_record(&mut m, &mut d, 0, 1, 9, 800);
    assert_eq!(csw.unit, UC);
    assert_eq!(d.sense_bytes()[1], SENSE_NO_RECORD_FOUND);
    // READ DATA of an empty track (only R0): no record found.
    let (ch, _) = Chain::new().seek(1, 0).input(0x06, 800);
    assert_eq!(ch.run(&mut m, &mut d).unit, UC);
    // WRITE DATA not chained from a satisfied search: command reject.
    let csw = Chain::new().seek(0, 1).out(0x05, vec![1; 800]).run(&mut m, &mut d);
    assert_eq!(csw.unit, UC);
    assert_eq!(d.sense_bytes()[0], SENSE_COMMAND_REJECT);
    // Sense reads and clears the sense bytes.
    let (ch, at) = Chain::new().input(0x04, 24);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(m.bytes()[at as usize], SENSE_COMMAND_REJECT);
    assert_eq!(d.sense_bytes(), [0; SENSE_BYTES]);
    // An unknown command: command reject.
    assert_eq!(Chain::new().nop(0x5B).run(&mut m, &mut d).unit, UC);
    // SEARCH ID HIGH finds the first record above the argument.
    let (ch, at) = Chain::new().seek(0, 1).out(0x51, vec![0, 0, 0, 1, 1]).input(0x06, 800);
    let mut ch = ch;
    let tic = Ccw::new(0x08, PROGRAM + 8, 0, 0);
    ch.ccws.insert(2, tic);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(m.bytes()[at as usize], 2 ^ 1);
}

#[test]
fn keyed_records_and_search_key() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3330, 1);
    let mut d = Dasd::new(vol);
    let mut m = mem();
    let csw = Chain::new()
        .seek(0, 2)
        .search_id(0, 2, 0)
        .write_ckd(rec(0, 2, 1, 8, 20), b"ALPHA   ", &[1; 20])
        .write_ckd(rec(0, 2, 2, 8, 20), b"BRAVO   ", &[2; 20])
        .write_ckd(rec(0, 2, 3, 8, 20), b"CHARLIE ", &[3; 20])
        .run(&mut m, &mut d);
    assert_eq!(csw.unit, CE_DE);
    // SEARCH KEY EQUAL with a TIC loop, then READ DATA.
    let mut ch = Chain::new().seek(0, 2).out(0x29, b"BRAVO   ".to_vec());
    ch.ccws.push(Ccw::new(0x08, PROGRAM + 8, 0, 0));
    let (ch, at) = ch.input(0x06, 20);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(m.bytes()[at as usize], 2);
    // READ KEY AND DATA after a search ID.
    let (ch, at) = Chain::new().seek(0, 2).search_id(0, 2, 3).input(0x0E, 28);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(&m.bytes()[at as usize..at as usize + 9], b"CHARLIE \x03");
    // WRITE KEY AND DATA after SEARCH KEY EQUAL.
    let mut ch = Chain::new().seek(0, 2).out(0x29, b"ALPHA   ".to_vec());
    ch.ccws.push(Ccw::new(0x08, PROGRAM + 8, 0, 0));
    let mut kd = b"ABLE    ".to_vec();
    kd.extend([9; 20]);
    assert_eq!(ch.out(0x0D, kd).run(&mut m, &mut d).unit, CE_DE);
    let t = d.volume().track(0, 2).expect("track");
    assert_eq!((t.key(1), t.data(1)[0]), (&b"ABLE    "[..], 9));
}

#[test]
fn multitrack_reads_cross_heads_until_end_of_cylinder() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 1);
    let mut d = Dasd::new(vol);
    let mut m = mem();
    format_track(&mut m, &mut d, 0, 28, 1);
    format_track(&mut m, &mut d, 0, 29, 1);
    // From head 27 (empty), READ COUNT MT finds head 28's R1, then head 29's.
    let (ch, a) = Chain::new().seek(0, 27).input(0x92, 8);
    let (ch, b) = ch.input(0x92, 8);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(&m.bytes()[a as usize..a as usize + 8], &rec(0, 28, 1, 0, 800).to_bytes());
    assert_eq!(&m.bytes()[b as usize..b as usize + 8], &rec(0, 29, 1, 0, 800).to_bytes());
    // One more runs off the cylinder.
    let (ch, _) = Chain::new().seek(0, 29).input(0x92, 8);
    let (ch, _) = ch.input(0x92, 8);
    assert_eq!(ch.run(&mut m, &mut d).unit, UC);
    assert_eq!(d.sense_bytes()[1], SENSE_END_OF_CYLINDER);
}

#[test]
fn file_mask_inhibits_writes_and_seeks() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 2);
    let mut d = Dasd::new(vol);
    let mut m = mem();
    format_track(&mut m, &mut d, 0, 1, 2);
    // Inhibit all writes (01xx xxxx).
    let csw = Chain::new()
        .out(0x1F, vec![0x40])
        .seek(0, 1)
        .search_id(0, 1, 1)
        .out(0x05, vec![1; 800])
        .run(&mut m, &mut d);
    assert_eq!(csw.unit, UC);
    assert_eq!(d.sense_bytes()[..2], [SENSE_COMMAND_REJECT, SENSE_FILE_PROTECTED]);
    // Permit seek head only (xxx1 0xxx): a full seek is refused.
    let csw = Chain::new().out(0x1F, vec![0x10]).seek(1, 0).run(&mut m, &mut d);
    assert_eq!((csw.unit, d.sense_bytes()[1]), (UC, SENSE_FILE_PROTECTED));
    // Two masks in one chain, or reserved bits: command reject.
    let csw = Chain::new().out(0x1F, vec![0x00]).out(0x1F, vec![0x00]).run(&mut m, &mut d);
    assert_eq!((csw.unit, d.sense_bytes()[0]), (UC, SENSE_COMMAND_REJECT));
    assert_eq!(Chain::new().out(0x1F, vec![0x01]).run(&mut m, &mut d).unit, UC);
    // The mask ends with its program: the next one may write.
    let csw =
        Chain::new().seek(0, 1).search_id(0, 1, 1).out(0x05, vec![1; 800]).run(&mut m, &mut d);
    assert_eq!(csw.unit, CE_DE);
    // WRITE R0 needs the mask to permit it, after READ HA.
    let r0 = |ch: Chain| {
        ch.seek(1, 3).nop(0x1A).out(0x15, [rec(1, 3, 0, 0, 8).to_bytes(), [7; 8]].concat())
    };
    let mut ch = r0(Chain::new());
    ch.ccws[1] = Ccw::new(0x1A, 0x3000, flag::SLI, 5);
    assert_eq!(ch.run(&mut m, &mut d).unit, UC);
    let mut ch = r0(Chain::new().out(0x1F, vec![0xC0]));
    ch.ccws[2] = Ccw::new(0x1A, 0x3000, flag::SLI, 5);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(d.volume().track(1, 3).expect("track").data(0), &[7; 8]);
}

#[test]
fn minidisk_extent_relocates_and_confines() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 10);
    let mut d = Dasd::view(Arc::clone(&vol), 3, 4, false).expect("extent inside the volume");
    assert!(Dasd::view(Arc::clone(&vol), 8, 4, false).is_err());
    let mut m = mem();
    // Virtual cylinder 2 is real cylinder 5; the guest sees virtual numbers everywhere.
    let csw = format_track(&mut m, &mut d, 2, 7, 3);
    assert_eq!(csw.unit, CE_DE);
    let real = vol.track(5, 7).expect("track");
    assert_eq!(real.count(2), rec(5, 7, 2, 0, 800), "stored with the real cylinder");
    assert_eq!(read_record(&mut m, &mut d, 2, 7, 2, 800).1, vec![2 ^ 7; 800]);
    let (ch, at) = Chain::new().seek(2, 7).input(0x1A, 5);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(&m.bytes()[at as usize..at as usize + 5], &[0, 0, 2, 0, 7]);
    // Seeking past the extent: unit check, file protected.
    let csw = Chain::new().seek(4, 0).run(&mut m, &mut d);
    assert_eq!(csw.unit, UC);
    assert_eq!(d.sense_bytes()[..2], [SENSE_COMMAND_REJECT, SENSE_FILE_PROTECTED]);
    assert_eq!(Chain::new().seek(0, 30).run(&mut m, &mut d).unit, UC, "head 30 does not exist");
    // Other cylinders of the volume are untouched.
    assert_eq!(vol.track(2, 7).expect("track").len(), 1);
}

#[test]
fn read_only_view_refuses_writes() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 2);
    let mut rw = Dasd::new(Arc::clone(&vol));
    let mut ro = Dasd::view(Arc::clone(&vol), 0, 2, true).expect("extent");
    let mut m = mem();
    assert_eq!(format_track(&mut m, &mut rw, 0, 5, 2).unit, CE_DE);
    assert_eq!(format_track(&mut m, &mut ro, 0, 6, 2).unit, UC);
    assert_eq!(ro.sense_bytes()[..2], [SENSE_COMMAND_REJECT, SENSE_FILE_PROTECTED]);
    let csw =
        Chain::new().seek(0, 5).search_id(0, 5, 1).out(0x05, vec![0; 800]).run(&mut m, &mut ro);
    assert_eq!(csw.unit, UC);
    // Reads work, and see what the read-write link wrote.
    assert_eq!(read_record(&mut m, &mut ro, 0, 5, 2, 800).1, vec![2 ^ 5; 800]);
    assert_eq!(vol.track(0, 6).expect("track").len(), 1);
}

#[test]
fn writes_are_in_the_file_when_the_ccw_completes() {
    let dir = tempdir();
    let path = dir.path().join("v.ckd");
    {
        let vol = Arc::new(Volume::create(&path, D3350, 2, "DUR001").expect("create"));
        let mut d = Dasd::new(Arc::clone(&vol));
        let mut m = mem();
        assert_eq!(format_track(&mut m, &mut d, 1, 2, 4).unit, CE_DE);
        let csw = Chain::new()
            .seek(1, 2)
            .search_id(1, 2, 3)
            .out(0x05, vec![0xC3; 800])
            .run(&mut m, &mut d);
        assert_eq!(csw.unit, CE_DE);
        // Straight from the file, while the device is still open: already there.
        let raw = vol.read_track_from_file(1, 2).expect("read");
        assert_eq!(Track::parse(raw).data(3), &[0xC3; 800][..]);
        // Dropped without any flush or close call.
    }
    let vol = Volume::open(&path, true).expect("reopen");
    let t = vol.track(1, 2).expect("track");
    assert_eq!(t.len(), 5);
    assert_eq!(t.data(3), &[0xC3; 800][..]);
    assert_eq!(t.data(4), &[4 ^ 2; 800][..]);
}

#[test]
fn read_ipl_reads_record_one_of_track_zero() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 1);
    let mut d = Dasd::new(vol);
    let mut m = mem();
    // dasdinit's IPL1 record: a disabled-wait PSW and a NOP CCW.
    let (ch, at) = Chain::new().seek(0, 5).input(0x02, 24);
    assert_eq!(ch.run(&mut m, &mut d).unit, CE_DE);
    assert_eq!(&m.bytes()[at as usize..at as usize + 8], &[0, 6, 0, 0, 0, 0, 0, 0x0F]);
}

#[test]
fn short_arguments_and_bad_seeks() {
    let dir = tempdir();
    let vol = new_volume(dir.path(), D3350, 1);
    let mut d = Dasd::new(vol);
    let mut m = mem();
    // A seek with 4 bytes: command reject (and incorrect length).
    let mut ch = Chain::new();
    let a = ch.area(vec![0; 4]);
    ch.ccws.push(Ccw::new(0x07, a, 0, 4));
    let csw = ch.run(&mut m, &mut d);
    assert_eq!((csw.unit, csw.channel), (UC, chan::INCORRECT_LENGTH));
    // Bin bytes not zero.
    assert_eq!(Chain::new().out(0x07, vec![0, 1, 0, 0, 0, 0]).run(&mut m, &mut d).unit, UC);
}

// --- IBM's CMS minidisks ----------------------------------------------------------------------

fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/vm370r6");
    p.is_dir().then_some(p)
}

/// Blocks of a CMS disk as `cmsfs.py` reads them (hex per line), or None without python3.
fn cmsfs_blocks(image: &Path, blocks: &[u32]) -> Option<Vec<Vec<u8>>> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools");
    let list = blocks.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let script = format!(
        "import sys; sys.path.insert(0, {tools:?}); import cmsfs\n\
         d = cmsfs.CmsDisk({image:?})\n\
         for n in [{list}]: print(d.block(n).hex())\n",
        tools = tools.to_string_lossy(),
        image = image.to_string_lossy(),
    );
    let out = std::process::Command::new("python3").arg("-c").arg(script).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let hex = |s: &str| -> Result<Vec<u8>, std::num::ParseIntError> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16)).collect()
    };
    text.lines().map(|l| hex(l).ok()).collect()
}

/// Reads CMS block `n` (1-based) of a 3350 minidisk with SEEK / SEARCH ID EQUAL / TIC / READ.
fn read_block(m: &mut Storage, d: &mut Dasd, n: u32) -> Vec<u8> {
    let trk = (n - 1) / 19;
    let (cyl, head, r) = ((trk / 30) as u16, (trk % 30) as u16, ((n - 1) % 19 + 1) as u8);
    let (csw, data) = read_record(m, d, cyl, head, r, 800);
    assert_eq!((csw.unit, csw.channel, csw.count), (CE_DE, 0, 0), "block {n}");
    data
}

#[test]
fn ibm_cms_minidisks_read_as_cmsfs_reads_them() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    let dir = tempdir();
    let cases: [(&str, &str, &[u32]); 2] = [
        ("cmsuser-191.3350.ckd.gz", "CMS=CMS191", &[3, 4, 5, 15, 20, 38]),
        ("cmsuser-192.3350.ckd.gz", "CMS=CMS192", &[3, 4, 15, 570, 571, 7409]),
    ];
    for (file, label, blocks) in cases {
        let gz = data.join(file);
        let copy = dir.path().join(file.trim_end_matches(".gz"));
        let vol = Arc::new(Volume::open_gz(&gz, &copy).expect("decompress into a writable copy"));
        assert_eq!((vol.cylinders(), vol.heads(), vol.dasd_type()), (115, 30, D3350));
        let mut d = Dasd::view(Arc::clone(&vol), 0, 115, true).expect("the whole disk");
        let mut m = mem();
        let b3 = read_block(&mut m, &mut d, 3);
        assert_eq!(crate::ebcdic::to_string(&b3[..10]), label);
        match cmsfs_blocks(&gz, blocks) {
            Some(want) => {
                assert_eq!(want.len(), blocks.len(), "cmsfs.py answered every block");
                for (n, w) in blocks.iter().zip(want) {
                    assert!(
                        read_block(&mut m, &mut d, *n) == w,
                        "{file} block {n} differs from cmsfs.py"
                    );
                }
            }
            None => eprintln!("skipped: cmsfs.py comparison (python3 not available)"),
        }
    }
}

/// The durability promise with a real crash: a child process writes a record through the
/// device, reports completion, and is killed with SIGKILL; the record is in the image.
#[test]
fn write_survives_kill_9_right_after_completion() {
    const CHILD: &str = "S370_CKD_KILL9_CHILD";
    if let Ok(path) = std::env::var(CHILD) {
        let vol = Arc::new(Volume::open(Path::new(&path), false).expect("open"));
        let mut d = Dasd::new(vol);
        let mut m = mem();
        assert_eq!(format_track(&mut m, &mut d, 0, 9, 5).unit, CE_DE);
        let csw = Chain::new()
            .seek(0, 9)
            .search_id(0, 9, 4)
            .out(0x05, vec![0xE7; 800])
            .run(&mut m, &mut d);
        assert_eq!(csw.unit, CE_DE);
        println!("WRITTEN");
        std::io::Write::flush(&mut std::io::stdout()).expect("stdout");
        std::thread::sleep(std::time::Duration::from_secs(60));
        return;
    }
    let dir = tempdir();
    let path = dir.path().join("k.ckd");
    drop(Volume::create(&path, D3350, 1, "KILL09").expect("create"));
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = std::process::Command::new(exe)
        .args(["--exact", "devices::ckd::tests::write_survives_kill_9_right_after_completion"])
        .args(["--nocapture", "--test-threads=1"])
        .env(CHILD, &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the child");
    let out = child.stdout.take().expect("piped stdout");
    let written = std::io::BufRead::lines(std::io::BufReader::new(out))
        .map_while(Result::ok)
        .any(|l| l.contains("WRITTEN"));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    assert!(written, "the child reported its write");
    let t = Volume::open(&path, true).expect("reopen").track(0, 9).expect("track");
    assert_eq!(t.len(), 6);
    assert_eq!(t.data(4), &[0xE7; 800][..]);
    assert_eq!(t.data(5), &[5 ^ 9; 800][..]);
}
