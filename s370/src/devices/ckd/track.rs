//! One track of a Hercules `CKD_P370` image, parsed, with the edits CKD writes make.
//!
//! ```text
//! | HA: 00 CC CC HH HH | R0: CCHH R KL DLDL, key, data | R1: count, key, data | ... | FF x 8 | 00 ... |
//! ```
//! A count is `CC CC HH HH R KL DL DL` (big-endian). Bytes after the end-of-track marker are
//! zero. Every edit returns the byte range of the track it changed, so that exactly those
//! bytes are written back to the image.

use std::ops::Range;

/// The end-of-track marker.
const EOT: [u8; 8] = [0xFF; 8];

/// Offset of R0's count on a track (after the 5-byte home address).
const R0_OFFSET: usize = 5;

/// A record's count area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    /// Cylinder.
    pub cyl: u16,
    /// Head.
    pub head: u16,
    /// Record number.
    pub rec: u8,
    /// Key length.
    pub key_len: u8,
    /// Data length.
    pub data_len: u16,
}

impl Count {
    /// Decodes eight bytes.
    pub fn from_bytes(b: &[u8; 8]) -> Count {
        Count {
            cyl: u16::from_be_bytes([b[0], b[1]]),
            head: u16::from_be_bytes([b[2], b[3]]),
            rec: b[4],
            key_len: b[5],
            data_len: u16::from_be_bytes([b[6], b[7]]),
        }
    }

    /// Encodes as eight bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let c = self.cyl.to_be_bytes();
        let h = self.head.to_be_bytes();
        let d = self.data_len.to_be_bytes();
        [c[0], c[1], h[0], h[1], self.rec, self.key_len, d[0], d[1]]
    }

    /// Bytes of key and data.
    pub fn body_len(self) -> usize {
        usize::from(self.key_len) + usize::from(self.data_len)
    }
}

#[derive(Debug, Clone, Copy)]
struct Rec {
    off: usize,
    count: Count,
}

/// A parsed track image.
#[derive(Debug, Clone)]
pub struct Track {
    buf: Vec<u8>,
    recs: Vec<Rec>,
    /// Offset of the end-of-track marker.
    end: usize,
}

/// A write that does not fit the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackFull;

impl Track {
    /// Parses a track image. Malformed contents (a record running past the buffer, an
    /// unformatted area) end the track where they start; parsing never fails.
    pub fn parse(buf: Vec<u8>) -> Track {
        let mut recs = Vec::new();
        let mut off = R0_OFFSET;
        let end = loop {
            let Some(b) = buf.get(off..off + 8) else { break off.min(buf.len()) };
            let b: &[u8; 8] = b.try_into().expect("an 8-byte slice");
            if *b == EOT {
                break off;
            }
            let count = Count::from_bytes(b);
            if !recs.is_empty() && *b == [0; 8] {
                break off;
            }
            let next = off + 8 + count.body_len();
            if next + 8 > buf.len() {
                break off;
            }
            recs.push(Rec { off, count });
            off = next;
        };
        Track { buf, recs, end }
    }

    /// A freshly initialised track as Hercules `dasdinit` writes it: home address, R0 with
    /// eight zero bytes of data, end of track, zeros.
    pub fn formatted(size: usize, cyl: u16, head: u16) -> Track {
        let mut buf = vec![0u8; size];
        let c = cyl.to_be_bytes();
        let h = head.to_be_bytes();
        buf[..5].copy_from_slice(&[0, c[0], c[1], h[0], h[1]]);
        let r0 = Count { cyl, head, rec: 0, key_len: 0, data_len: 8 };
        buf[5..13].copy_from_slice(&r0.to_bytes());
        buf[21..29].copy_from_slice(&EOT);
        Track::parse(buf)
    }

    /// The whole track image.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The home address: flag byte and `CCHH`.
    pub fn home_address(&self) -> [u8; 5] {
        let mut ha = [0u8; 5];
        let n = self.buf.len().min(5);
        ha[..n].copy_from_slice(&self.buf[..n]);
        ha
    }

    /// Number of records, R0 included.
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// Does the track hold no record at all (not even R0)?
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// The count of record `i` (0 = R0).
    pub fn count(&self, i: usize) -> Count {
        self.recs[i].count
    }

    /// The key of record `i`.
    pub fn key(&self, i: usize) -> &[u8] {
        let r = self.recs[i];
        &self.buf[r.off + 8..r.off + 8 + usize::from(r.count.key_len)]
    }

    /// The data of record `i`.
    pub fn data(&self, i: usize) -> &[u8] {
        let r = self.recs[i];
        let start = r.off + 8 + usize::from(r.count.key_len);
        &self.buf[start..start + usize::from(r.count.data_len)]
    }

    /// The count, key and data of record `i`, as stored.
    pub fn count_key_data(&self, i: usize) -> &[u8] {
        let r = self.recs[i];
        &self.buf[r.off..r.off + 8 + r.count.body_len()]
    }

    /// Replaces record `i`'s data (`data` is exactly its data length; the caller pads).
    pub fn set_data(&mut self, i: usize, data: &[u8]) -> Range<usize> {
        let r = self.recs[i];
        let start = r.off + 8 + usize::from(r.count.key_len);
        let n = data.len().min(usize::from(r.count.data_len));
        self.buf[start..start + n].copy_from_slice(&data[..n]);
        start..start + n
    }

    /// Replaces record `i`'s key and data (`kd` is exactly their length).
    pub fn set_key_data(&mut self, i: usize, kd: &[u8]) -> Range<usize> {
        let r = self.recs[i];
        let start = r.off + 8;
        let n = kd.len().min(r.count.body_len());
        self.buf[start..start + n].copy_from_slice(&kd[..n]);
        start..start + n
    }

    /// Erases every record after record `keep` (`None`: erase R0 too), writing the end-of-track
    /// marker and zeroing what followed it.
    pub fn truncate_after(&mut self, keep: Option<usize>) -> Range<usize> {
        let new_end = match keep {
            Some(i) if i < self.recs.len() => {
                let r = self.recs[i];
                self.recs.truncate(i + 1);
                r.off + 8 + r.count.body_len()
            }
            Some(_) => self.end,
            None => {
                self.recs.clear();
                R0_OFFSET
            }
        };
        let new_end = new_end.min(self.buf.len());
        let old_used = (self.end + 8).min(self.buf.len());
        let new_used = (new_end + 8).min(self.buf.len());
        self.buf[new_end..new_used].copy_from_slice(&EOT[..new_used - new_end]);
        if old_used > new_used {
            self.buf[new_used..old_used].fill(0);
        }
        self.end = new_end;
        new_end..old_used.max(new_used)
    }

    /// Would a record with this key and data length fit after the last record, by the
    /// device's capacity formula and in the image's track size?
    pub fn fits(&self, dt: &super::DasdType, key_len: u8, data_len: u16) -> bool {
        let mut used: u32 = 0;
        for r in self.recs.iter().skip(1) {
            used += dt.record_space(r.count.key_len, r.count.data_len);
        }
        let is_r0 = self.recs.is_empty();
        let cap_ok = is_r0 || used + dt.record_space(key_len, data_len) <= dt.track_capacity;
        let bytes = self.end + 8 + usize::from(key_len) + usize::from(data_len) + 8;
        cap_ok && bytes <= self.buf.len()
    }

    /// Appends a record after the last one (the caller has truncated the track and checked
    /// [`Track::fits`]).
    pub fn append(
        &mut self,
        count: Count,
        key: &[u8],
        data: &[u8],
    ) -> Result<Range<usize>, TrackFull> {
        let off = self.end;
        let kl = usize::from(count.key_len);
        let dl = usize::from(count.data_len);
        let next = off + 8 + kl + dl;
        if next + 8 > self.buf.len() {
            return Err(TrackFull);
        }
        self.buf[off..off + 8].copy_from_slice(&count.to_bytes());
        let kn = key.len().min(kl);
        self.buf[off + 8..off + 8 + kl].fill(0);
        self.buf[off + 8..off + 8 + kn].copy_from_slice(&key[..kn]);
        let dn = data.len().min(dl);
        self.buf[off + 8 + kl..next].fill(0);
        self.buf[off + 8 + kl..off + 8 + kl + dn].copy_from_slice(&data[..dn]);
        let old_used = (self.end + 8).min(self.buf.len());
        self.buf[next..next + 8].copy_from_slice(&EOT);
        self.recs.push(Rec { off, count });
        self.end = next;
        Ok(off..(next + 8).max(old_used))
    }

    /// Writes the home address and erases the whole track after it.
    pub fn set_home_address(&mut self, ha: [u8; 5]) -> Range<usize> {
        let r = self.truncate_after(None);
        let n = self.buf.len().min(5);
        self.buf[..n].copy_from_slice(&ha[..n]);
        0..r.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::ckd::D3350;

    #[test]
    fn formatted_track_matches_dasdinit() {
        let t = Track::formatted(19456, 2, 1);
        let mut want = vec![0, 0, 2, 0, 1, 0, 2, 0, 1, 0, 0, 0, 8];
        want.extend([0; 8]);
        want.extend([0xFF; 8]);
        assert_eq!(&t.bytes()[..29], &want[..]);
        assert!(t.bytes()[29..].iter().all(|&b| b == 0));
        assert_eq!(t.len(), 1);
        assert_eq!(t.count(0), Count { cyl: 2, head: 1, rec: 0, key_len: 0, data_len: 8 });
    }

    #[test]
    fn append_truncate_and_edit() {
        let mut t = Track::formatted(19456, 0, 0);
        for r in 1..=19u8 {
            assert!(t.fits(&D3350, 0, 800));
            let c = Count { cyl: 0, head: 0, rec: r, key_len: 0, data_len: 800 };
            t.append(c, &[], &[r; 800]).expect("fits");
        }
        assert!(!t.fits(&D3350, 0, 800), "a 20th 800-byte block does not fit a 3350 track");
        let t2 = Track::parse(t.bytes().to_vec());
        assert_eq!(t2.len(), 20);
        assert_eq!(t2.data(7), &[7u8; 800][..]);
        let range = t.set_data(3, &[0xAA; 800]);
        assert_eq!(&t.bytes()[range], &[0xAA; 800][..]);
        let used_before = 5 + 16 + 19 * 808 + 8;
        let r = t.truncate_after(Some(1));
        assert_eq!(r.end, used_before);
        assert_eq!(t.len(), 2);
        assert!(t.bytes()[5 + 16 + 808 + 8..used_before].iter().all(|&b| b == 0));
        assert_eq!(Track::parse(t.bytes().to_vec()).len(), 2);
        // Keyed records.
        let c = Count { cyl: 0, head: 0, rec: 2, key_len: 4, data_len: 3 };
        t.append(c, b"KEY1", b"abc").expect("fits");
        assert_eq!(t.key(2), b"KEY1");
        assert_eq!(t.data(2), b"abc");
        t.set_key_data(2, b"KEY2xyz");
        assert_eq!((t.key(2), t.data(2)), (&b"KEY2"[..], &b"xyz"[..]));
    }

    #[test]
    fn garbage_never_panics() {
        for seed in 0..200u32 {
            let mut buf = vec![0u8; 512];
            let mut x = seed.wrapping_mul(2654435761).wrapping_add(1);
            for b in buf.iter_mut() {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = x as u8;
            }
            let t = Track::parse(buf);
            for i in 0..t.len() {
                let _ = (t.key(i), t.data(i), t.count_key_data(i));
            }
        }
        assert_eq!(Track::parse(vec![0; 3]).len(), 0);
        let t = Track::parse(vec![0; 19456]);
        assert_eq!(t.len(), 1, "an unformatted track reads as HA and an empty R0");
    }
}
