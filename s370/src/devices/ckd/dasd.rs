//! A CKD DASD device (3330, 3350 on a 3830 storage control): a view of a [`Volume`] over a
//! cylinder extent, optionally read-only.
//!
//! IBM 3830/3330/3350 reference summaries; VM/370 minidisks. The view presents cylinders
//! `0..n` of the extent as virtual cylinders: seeks are relocated, and cylinder numbers in the
//! home address and count areas are relocated both ways (the image holds real cylinders).
//!
//! Orientation, as the control unit tracks it on the rotating track:
//!
//! ```text
//!  seek --> Index --HA--> Ha --R0 count--> Count(0) -> Key(0) -> Data(0) -> Count(1) -> ...
//!             ^                                                                  |
//!             +------------- index point (end of track) <------------------------+
//!  two index points without finding a record -> unit check, no record found;
//!  multitrack (X'80' bit) commands go on to the next head instead, up to end of cylinder.
//! ```

use super::image::{DasdError, Volume};
use super::track::{Count, Track, TrackFull};
use crate::channel::{Command, DataPath, Device, DeviceClass, DeviceInfo, Response, unit};
use std::cmp::Ordering;
use std::sync::Arc;

/// Sense byte 0: command reject.
pub const SENSE_COMMAND_REJECT: u8 = 0x80;
/// Sense byte 0: equipment check (the image could not be read or written).
pub const SENSE_EQUIPMENT_CHECK: u8 = 0x10;
/// Sense byte 1: invalid track format (a record does not fit the track).
pub const SENSE_INVALID_TRACK_FORMAT: u8 = 0x40;
/// Sense byte 1: end of cylinder (a multitrack operation ran off the last head).
pub const SENSE_END_OF_CYLINDER: u8 = 0x20;
/// Sense byte 1: no record found (two index points passed).
pub const SENSE_NO_RECORD_FOUND: u8 = 0x08;
/// Sense byte 1: file protected (the file mask, the extent or a read-only link forbids it).
pub const SENSE_FILE_PROTECTED: u8 = 0x04;

/// Bytes of sense data of a 3330/3350.
pub const SENSE_BYTES: usize = 24;

/// Where the heads are on the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Orient {
    /// At the index point (after a seek, or after the end of the track).
    Index,
    /// After the home address.
    Ha,
    /// After record i's count area.
    Count(usize),
    /// After record i's key area.
    Key(usize),
    /// After record i's data area.
    Data(usize),
}

/// The previous command of the chain, for the chaining rules of writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// A satisfied SEARCH ID EQUAL or SEARCH KEY EQUAL on record i.
    SearchEq(usize),
    /// A satisfied SEARCH HOME ADDRESS EQUAL, or READ HOME ADDRESS.
    HomeAddress,
    /// WRITE R0 or WRITE CKD of record i.
    Formatted(usize),
    Other,
}

/// A unit check with these sense bytes 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Check(u8, u8);

const REJECT: Check = Check(SENSE_COMMAND_REJECT, 0);
const PROTECTED: Check = Check(SENSE_COMMAND_REJECT, SENSE_FILE_PROTECTED);
const EQUIPMENT: Check = Check(SENSE_EQUIPMENT_CHECK, 0);
const NO_RECORD: Check = Check(0, SENSE_NO_RECORD_FOUND);
const END_OF_CYLINDER: Check = Check(0, SENSE_END_OF_CYLINDER);
const BAD_FORMAT: Check = Check(0, SENSE_INVALID_TRACK_FORMAT);

/// The outcome of one command: extra unit status (status modifier, unit exception) on top of
/// channel end and device end, or a unit check.
type Step = Result<u8, Check>;

/// A CKD DASD device over an extent of a volume.
#[derive(Debug)]
pub struct Dasd {
    vol: Arc<Volume>,
    /// First real cylinder of the extent.
    start: u32,
    /// Cylinders in the extent.
    cyls: u32,
    read_only: bool,
    /// Virtual cylinder and head of the last seek.
    cyl: u32,
    head: u32,
    orient: Orient,
    index_passes: u8,
    mask: u8,
    mask_set: bool,
    last: Last,
    sense: [u8; SENSE_BYTES],
}

impl Dasd {
    /// The whole volume as one device (read-only if the volume was opened so).
    pub fn new(vol: Arc<Volume>) -> Dasd {
        let cyls = vol.cylinders();
        let ro = vol.is_read_only();
        Dasd::view(vol, 0, cyls, ro).expect("the whole volume is a valid extent")
    }

    /// A minidisk: `cyls` cylinders of `vol` starting at real cylinder `start`, presented as
    /// cylinders `0..cyls`; `read_only` refuses every write with a file-protect unit check.
    pub fn view(
        vol: Arc<Volume>,
        start: u32,
        cyls: u32,
        read_only: bool,
    ) -> Result<Dasd, DasdError> {
        if cyls == 0 || start.checked_add(cyls).is_none_or(|end| end > vol.cylinders()) {
            return Err(DasdError::OutOfRange { cyl: start.saturating_add(cyls), head: 0 });
        }
        Ok(Dasd {
            read_only: read_only || vol.is_read_only(),
            vol,
            start,
            cyls,
            cyl: 0,
            head: 0,
            orient: Orient::Index,
            index_passes: 0,
            mask: 0,
            mask_set: false,
            last: Last::Other,
            sense: [0; SENSE_BYTES],
        })
    }

    /// The volume behind this view.
    pub fn volume(&self) -> &Arc<Volume> {
        &self.vol
    }

    /// Cylinders of the view.
    pub fn cylinders(&self) -> u32 {
        self.cyls
    }

    /// Is the view read-only?
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The current sense bytes (what a SENSE command would read).
    pub fn sense_bytes(&self) -> [u8; SENSE_BYTES] {
        self.sense
    }

    fn track(&self) -> Result<Arc<Track>, Check> {
        self.vol.track(self.start + self.cyl, self.head).map_err(|_| EQUIPMENT)
    }

    fn edit<E>(
        &self,
        edit: impl FnOnce(&mut Track) -> Result<std::ops::Range<usize>, E>,
    ) -> Result<Result<(), E>, Check> {
        self.vol.edit_track(self.start + self.cyl, self.head, edit).map_err(|_| EQUIPMENT)
    }

    /// Virtual cylinder of a real one.
    fn to_virtual(&self, cyl: u16) -> u16 {
        cyl.wrapping_sub(self.start as u16)
    }

    /// Real cylinder of a virtual one.
    fn to_real(&self, cyl: u16) -> u16 {
        cyl.wrapping_add(self.start as u16)
    }

    fn virtual_count(&self, c: Count) -> [u8; 8] {
        Count { cyl: self.to_virtual(c.cyl), ..c }.to_bytes()
    }

    fn virtual_ha(&self, t: &Track) -> [u8; 5] {
        let mut ha = t.home_address();
        let c = self.to_virtual(u16::from_be_bytes([ha[1], ha[2]])).to_be_bytes();
        ha[1..3].copy_from_slice(&c);
        ha
    }

    /// Passes the index point: the next head for a multitrack command, else a count towards
    /// "no record found".
    fn pass_index(&mut self, multitrack: bool) -> Result<(), Check> {
        self.orient = Orient::Index;
        if multitrack {
            if self.head + 1 >= self.vol.heads() {
                return Err(END_OF_CYLINDER);
            }
            self.head += 1;
        } else {
            self.index_passes += 1;
            if self.index_passes >= 2 {
                return Err(NO_RECORD);
            }
        }
        Ok(())
    }

    /// The next record whose count area comes under the heads. R0 is skipped from the index
    /// point unless `with_r0` (the search-ID commands consider it).
    fn next_record(
        &mut self,
        with_r0: bool,
        multitrack: bool,
    ) -> Result<(Arc<Track>, usize), Check> {
        loop {
            let t = self.track()?;
            let next = match self.orient {
                Orient::Index => usize::from(!with_r0),
                Orient::Ha => 0,
                Orient::Count(i) | Orient::Key(i) | Orient::Data(i) => i + 1,
            };
            if next < t.len() {
                return Ok((t, next));
            }
            self.pass_index(multitrack)?;
        }
    }

    /// The record whose key or data area comes next: the current one after its count (or
    /// key), else the next one.
    fn current_or_next(&mut self, multitrack: bool) -> Result<(Arc<Track>, usize), Check> {
        match self.orient {
            Orient::Count(i) | Orient::Key(i) => {
                let t = self.track()?;
                if i < t.len() { Ok((t, i)) } else { self.next_record(false, multitrack) }
            }
            _ => self.next_record(false, multitrack),
        }
    }

    fn may_write(&self) -> Result<(), Check> {
        if self.read_only || self.mask & 0xC0 == 0x40 { Err(PROTECTED) } else { Ok(()) }
    }

    /// The record a write that must follow a satisfied search equal applies to.
    fn searched(cmd: Command, prev: Last) -> Result<usize, Check> {
        match prev {
            Last::SearchEq(i) if cmd.chained => Ok(i),
            _ => Err(REJECT),
        }
    }

    fn found(&mut self) {
        self.index_passes = 0;
    }

    fn read_data(&mut self, mt: bool, with_key: bool, data: &mut dyn DataPath) -> Step {
        let (t, i) = self.current_or_next(mt)?;
        let out: Vec<u8> =
            if with_key { [t.key(i), t.data(i)].concat() } else { t.data(i).to_vec() };
        data.put(&out);
        self.orient = Orient::Data(i);
        self.found();
        Ok(if t.count(i).data_len == 0 { unit::UNIT_EXCEPTION } else { 0 })
    }

    fn read_count(&mut self, mt: bool, data: &mut dyn DataPath) -> Step {
        let (t, i) = self.next_record(false, mt)?;
        data.put(&self.virtual_count(t.count(i)));
        self.orient = Orient::Count(i);
        self.found();
        Ok(0)
    }

    fn read_ckd(&mut self, mt: bool, r0: bool, data: &mut dyn DataPath) -> Step {
        let (t, i) = if r0 {
            if self.orient != Orient::Index && self.orient != Orient::Ha {
                self.pass_index(mt)?;
            }
            let t = self.track()?;
            if t.is_empty() {
                return Err(NO_RECORD);
            }
            (t, 0)
        } else {
            self.next_record(false, mt)?
        };
        let mut out = t.count_key_data(i).to_vec();
        out[..8].copy_from_slice(&self.virtual_count(t.count(i)));
        data.put(&out);
        self.orient = Orient::Data(i);
        self.found();
        Ok(if !r0 && t.count(i).data_len == 0 { unit::UNIT_EXCEPTION } else { 0 })
    }

    fn read_ha(&mut self, mt: bool, data: &mut dyn DataPath) -> Step {
        if self.orient != Orient::Index {
            self.pass_index(mt)?;
        }
        let t = self.track()?;
        data.put(&self.virtual_ha(&t));
        self.orient = Orient::Ha;
        self.last = Last::HomeAddress;
        self.found();
        Ok(0)
    }

    fn read_ipl(&mut self, data: &mut dyn DataPath) -> Step {
        self.cyl = 0;
        self.head = 0;
        self.orient = Orient::Index;
        self.index_passes = 0;
        self.read_data(false, false, data)
    }

    /// Compares a search argument from the channel with a field on the track.
    fn compare(op: u8, field: &[u8], data: &mut dyn DataPath) -> bool {
        let mut arg = vec![0u8; field.len()];
        let n = data.get(&mut arg);
        let ord = field[..n.min(field.len())].cmp(&arg[..n]);
        match op & 0x60 {
            0x20 => ord == Ordering::Equal,
            0x40 => ord == Ordering::Greater,
            _ => ord != Ordering::Less,
        }
    }

    fn search_id(&mut self, op: u8, mt: bool, data: &mut dyn DataPath) -> Step {
        let (t, i) = self.next_record(true, mt)?;
        let field = self.virtual_count(t.count(i));
        let hit = Self::compare(op, &field[..5], data);
        self.orient = Orient::Count(i);
        self.after_search(op, hit, Last::SearchEq(i))
    }

    fn search_key(&mut self, op: u8, mt: bool, data: &mut dyn DataPath) -> Step {
        let (t, i) = match self.orient {
            Orient::Count(i) => (self.track()?, i),
            _ => self.next_record(false, mt)?,
        };
        self.orient = Orient::Key(i);
        if i >= t.len() || t.count(i).key_len == 0 {
            return Ok(0);
        }
        let hit = Self::compare(op, t.key(i), data);
        self.after_search(op, hit, Last::SearchEq(i))
    }

    fn search_ha(&mut self, mt: bool, data: &mut dyn DataPath) -> Step {
        if mt && self.orient != Orient::Index {
            self.pass_index(true)?;
        }
        let t = self.track()?;
        let ha = self.virtual_ha(&t);
        let hit = Self::compare(0x20, &ha[1..5], data);
        self.orient = Orient::Ha;
        self.after_search(0x20, hit, Last::HomeAddress)
    }

    fn after_search(&mut self, op: u8, hit: bool, on_equal: Last) -> Step {
        self.last = if hit && op & 0x60 == 0x20 { on_equal } else { Last::Other };
        if hit {
            self.found();
            Ok(unit::STATUS_MODIFIER)
        } else {
            Ok(0)
        }
    }

    /// Fetches `n` bytes of output, zero-padded if the channel has fewer.
    fn get_padded(n: usize, data: &mut dyn DataPath) -> Vec<u8> {
        let mut buf = vec![0u8; n];
        data.get(&mut buf);
        buf
    }

    fn write_data(
        &mut self,
        cmd: Command,
        prev: Last,
        with_key: bool,
        data: &mut dyn DataPath,
    ) -> Step {
        let i = Self::searched(cmd, prev)?;
        self.may_write()?;
        let t = self.track()?;
        if i >= t.len() {
            return Err(NO_RECORD);
        }
        let c = t.count(i);
        let n = if with_key { c.body_len() } else { usize::from(c.data_len) };
        let buf = Self::get_padded(n, data);
        // Another view of the volume may have changed the track since it was read: check
        // again under the volume's lock.
        self.edit(|t| {
            if i >= t.len() || t.count(i) != c {
                return Err(NO_RECORD);
            }
            Ok(if with_key { t.set_key_data(i, &buf) } else { t.set_data(i, &buf) })
        })??;
        self.orient = Orient::Data(i);
        Ok(if c.data_len == 0 { unit::UNIT_EXCEPTION } else { 0 })
    }

    /// WRITE COUNT KEY AND DATA (`erase`: ERASE, which writes nothing and erases the rest).
    fn write_ckd(
        &mut self,
        cmd: Command,
        prev: Last,
        erase: bool,
        data: &mut dyn DataPath,
    ) -> Step {
        let after = match prev {
            Last::SearchEq(i) | Last::Formatted(i) if cmd.chained => i,
            _ => return Err(REJECT),
        };
        self.may_write()?;
        let cb: [u8; 8] = Self::get_padded(8, data).try_into().expect("8 bytes");
        let count = Count::from_bytes(&cb);
        let body = Self::get_padded(count.body_len(), data);
        let real = Count { cyl: self.to_real(count.cyl), ..count };
        let dt = self.vol.dasd_type();
        let (key, dat) = body.split_at(usize::from(count.key_len));
        let done = self.edit(|t| {
            if after >= t.len() {
                return Err(NO_RECORD);
            }
            let mut r = t.truncate_after(Some(after));
            if !erase {
                if !t.fits(&dt, count.key_len, count.data_len) {
                    return Err(BAD_FORMAT);
                }
                let a = t.append(real, key, dat).map_err(|_| BAD_FORMAT)?;
                r = r.start.min(a.start)..r.end.max(a.end);
            }
            Ok(r)
        })?;
        done?;
        self.orient = Orient::Data(after + usize::from(!erase));
        self.last = if erase { Last::Other } else { Last::Formatted(after + 1) };
        Ok(0)
    }

    fn write_r0(&mut self, cmd: Command, prev: Last, data: &mut dyn DataPath) -> Step {
        if !(cmd.chained && prev == Last::HomeAddress) {
            return Err(REJECT);
        }
        self.may_write()?;
        if self.mask & 0x80 == 0 {
            return Err(PROTECTED);
        }
        let cb: [u8; 8] = Self::get_padded(8, data).try_into().expect("8 bytes");
        let count = Count::from_bytes(&cb);
        let body = Self::get_padded(count.body_len(), data);
        let real = Count { cyl: self.to_real(count.cyl), ..count };
        let (key, dat) = body.split_at(usize::from(count.key_len));
        let done = self.edit(|t| {
            let r = t.truncate_after(None);
            let a = t.append(real, key, dat)?;
            Ok(r.start.min(a.start)..r.end.max(a.end))
        })?;
        done.map_err(|_: TrackFull| BAD_FORMAT)?;
        self.orient = Orient::Data(0);
        self.last = Last::Formatted(0);
        Ok(0)
    }

    fn write_ha(&mut self, data: &mut dyn DataPath) -> Step {
        self.may_write()?;
        if self.mask & 0xC0 != 0xC0 || self.orient != Orient::Index {
            return Err(if self.mask & 0xC0 != 0xC0 { PROTECTED } else { REJECT });
        }
        let mut ha: [u8; 5] = Self::get_padded(5, data).try_into().expect("5 bytes");
        let real = self.to_real(u16::from_be_bytes([ha[1], ha[2]])).to_be_bytes();
        ha[1..3].copy_from_slice(&real);
        self.edit(|t| Ok::<_, TrackFull>(t.set_home_address(ha)))?.map_err(|_| BAD_FORMAT)?;
        self.orient = Orient::Ha;
        self.last = Last::HomeAddress;
        Ok(0)
    }

    fn seek(&mut self, op: u8, data: &mut dyn DataPath) -> Step {
        let mut a = [0u8; 6];
        if data.get(&mut a) < 6 || a[0] != 0 || a[1] != 0 {
            return Err(REJECT);
        }
        let allowed = match (self.mask >> 3) & 3 {
            0 => true,
            1 => op != 0x07,
            2 => op == 0x1B,
            _ => false,
        };
        if !allowed {
            return Err(PROTECTED);
        }
        let cyl = if op == 0x1B { self.cyl } else { u32::from(u16::from_be_bytes([a[2], a[3]])) };
        let head = u32::from(u16::from_be_bytes([a[4], a[5]]));
        if cyl >= self.cyls {
            let partial = self.start > 0 || self.cyls < self.vol.cylinders();
            return Err(if partial { PROTECTED } else { REJECT });
        }
        if head >= self.vol.heads() {
            return Err(REJECT);
        }
        self.cyl = cyl;
        self.head = head;
        self.orient = Orient::Index;
        self.index_passes = 0;
        Ok(0)
    }

    fn set_file_mask(&mut self, data: &mut dyn DataPath) -> Step {
        let mut m = [0u8; 1];
        data.get(&mut m);
        if self.mask_set || m[0] & 0x27 != 0 {
            return Err(REJECT);
        }
        self.mask = m[0];
        self.mask_set = true;
        Ok(0)
    }

    /// Executes one command; `prev` is what the previous command of the chain left for the
    /// chaining rules of writes (`self.last` has been reset to `Other`).
    fn command(&mut self, cmd: Command, prev: Last, data: &mut dyn DataPath) -> Step {
        let op = cmd.code;
        let mt = op & 0x80 != 0;
        match op {
            0x06 | 0x86 => self.read_data(mt, false, data),
            0x0E | 0x8E => self.read_data(mt, true, data),
            0x12 | 0x92 => self.read_count(mt, data),
            0x16 | 0x96 => self.read_ckd(mt, true, data),
            0x1A | 0x9A => self.read_ha(mt, data),
            0x1E | 0x9E => self.read_ckd(mt, false, data),
            0x02 => self.read_ipl(data),
            0x22 => {
                data.put(&[0]);
                Ok(0)
            }
            0x31 | 0x51 | 0x71 | 0xB1 | 0xD1 | 0xF1 => self.search_id(op, mt, data),
            0x29 | 0x49 | 0x69 | 0xA9 | 0xC9 | 0xE9 => self.search_key(op, mt, data),
            0x39 | 0xB9 => self.search_ha(mt, data),
            0x05 => self.write_data(cmd, prev, false, data),
            0x0D => self.write_data(cmd, prev, true, data),
            0x1D => self.write_ckd(cmd, prev, false, data),
            0x11 => self.write_ckd(cmd, prev, true, data),
            0x15 => self.write_r0(cmd, prev, data),
            0x19 => self.write_ha(data),
            0x07 | 0x0B | 0x1B => self.seek(op, data),
            0x13 => {
                if self.mask & 0x18 != 0 {
                    return Err(PROTECTED);
                }
                self.cyl = 0;
                self.head = 0;
                self.orient = Orient::Index;
                Ok(0)
            }
            0x1F => self.set_file_mask(data),
            0x23 => {
                let mut s = [0u8; 1];
                data.get(&mut s);
                self.orient = Orient::Index;
                Ok(0)
            }
            0x03 | 0x17 => Ok(0),
            _ => Err(REJECT),
        }
    }
}

impl Device for Dasd {
    fn execute(&mut self, cmd: Command, data: &mut dyn DataPath) -> Response {
        if !cmd.chained {
            // Each channel program starts with a fresh file mask (3830 rule).
            self.mask = 0;
            self.mask_set = false;
            self.last = Last::Other;
        }
        match cmd.code {
            // SENSE, and DEVICE RESERVE / RELEASE / UNCONDITIONAL RESERVE, read the sense bytes.
            0x04 | 0x94 | 0xB4 | 0x14 => {
                data.put(&self.sense);
                self.sense = [0; SENSE_BYTES];
                return Response::Status(unit::CE_DE);
            }
            _ => self.sense = [0; SENSE_BYTES],
        }
        let prev = std::mem::replace(&mut self.last, Last::Other);
        match self.command(cmd, prev, data) {
            Ok(extra) => Response::Status(unit::CE_DE | extra),
            Err(Check(s0, s1)) => {
                self.sense[0] = s0;
                self.sense[1] = s1;
                self.last = Last::Other;
                Response::Status(unit::CE_DE | unit::UNIT_CHECK)
            }
        }
    }

    fn info(&self) -> DeviceInfo {
        let dt = self.vol.dasd_type();
        DeviceInfo {
            class: DeviceClass::Dasd,
            device_type: dt.device_type,
            model: u8::from(dt.device_type == 0x3330),
        }
    }

    fn reset(&mut self) {
        self.sense = [0; SENSE_BYTES];
        self.mask = 0;
        self.mask_set = false;
        self.last = Last::Other;
        self.orient = Orient::Index;
    }
}
