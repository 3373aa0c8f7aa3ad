//! The on-disk form of one spool file.
//!
//! ```text
//! "VMSPOOL1"  id:u16  queue:u8  origin:u8  class:u8  copies:u8  hold:u8  created:i64  seq:u64
//! owner, origin_user, name, ftype, dist: each u8 length + ASCII bytes
//! records:u32, then per record: ccw:u8  length:u16  data
//! ```
//! All integers big-endian. A file is written under a temporary name and renamed into place,
//! so a reader never sees half a file; once the rename returns, the file is in the kernel and
//! survives a crash of CP.

use std::path::{Path, PathBuf};

use super::{Origin, Queue, SpoolFile};

const MAGIC: &[u8; 8] = b"VMSPOOL1";

/// One card or print line, with the CCW command code that wrote it (carriage control for
/// printers, stacker selection for punches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// CCW command code.
    pub ccw: u8,
    /// The bytes (EBCDIC).
    pub data: Vec<u8>,
}

/// A spool operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The host file system failed.
    #[error("spool I/O on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The host error.
        source: std::io::Error,
    },
    /// A spool file on disk is not in the spool format.
    #[error("spool file {0} is damaged")]
    Damaged(PathBuf),
    /// Every spool id is in use.
    #[error("spool space full: all 9900 spool ids are in use")]
    Full,
    /// No file has this id.
    #[error("no spool file {0:04}")]
    NoSuchFile(u16),
}

impl SpoolError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> SpoolError {
        SpoolError::Io { path: path.to_path_buf(), source }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    let b = &s.as_bytes()[..s.len().min(255)];
    out.push(b.len() as u8);
    out.extend_from_slice(b);
}

/// Serializes a spool file.
pub(crate) fn encode(f: &SpoolFile) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(64 + f.records.iter().map(|r| r.data.len() + 3).sum::<usize>());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&f.id.to_be_bytes());
    out.push(match f.queue {
        Queue::Reader => 0,
        Queue::Printer => 1,
        Queue::Punch => 2,
    });
    out.push(match f.origin {
        Origin::Punch => 0,
        Origin::Printer => 1,
        Origin::Console => 2,
    });
    out.push(u8::try_from(f.class).unwrap_or(b'A'));
    out.push(f.copies);
    out.push(u8::from(f.hold));
    out.extend_from_slice(&f.created.to_be_bytes());
    out.extend_from_slice(&f.seq.to_be_bytes());
    for s in [&f.owner, &f.origin_user, &f.name, &f.ftype, &f.dist] {
        put_str(&mut out, s);
    }
    out.extend_from_slice(&(f.records.len() as u32).to_be_bytes());
    for r in &f.records {
        let n = r.data.len().min(u16::MAX as usize);
        out.push(r.ccw);
        out.extend_from_slice(&(n as u16).to_be_bytes());
        out.extend_from_slice(&r.data[..n]);
    }
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
    }
    fn string(&mut self) -> Option<String> {
        let n = usize::from(self.u8()?);
        let b = self.take(n)?;
        std::str::from_utf8(b).ok().map(str::to_string)
    }
}

/// Parses a spool file; `None` if it is not well formed.
pub(crate) fn decode(bytes: &[u8]) -> Option<SpoolFile> {
    let mut r = Reader(bytes);
    if r.take(8)? != MAGIC {
        return None;
    }
    let id = r.u16()?;
    let queue = match r.u8()? {
        0 => Queue::Reader,
        1 => Queue::Printer,
        2 => Queue::Punch,
        _ => return None,
    };
    let origin = match r.u8()? {
        0 => Origin::Punch,
        1 => Origin::Printer,
        2 => Origin::Console,
        _ => return None,
    };
    let class = char::from(r.u8()?);
    let copies = r.u8()?;
    let hold = r.u8()? != 0;
    let created = r.u64()? as i64;
    let seq = r.u64()?;
    let (owner, origin_user, name, ftype, dist) =
        (r.string()?, r.string()?, r.string()?, r.string()?, r.string()?);
    let n = r.u32()? as usize;
    let mut records = Vec::with_capacity(n.min(r.0.len() / 3));
    for _ in 0..n {
        let ccw = r.u8()?;
        let len = usize::from(r.u16()?);
        records.push(Record { ccw, data: r.take(len)?.to_vec() });
    }
    if !r.0.is_empty() || !(1..=super::MAX_SPOOLID).contains(&id) {
        return None;
    }
    Some(SpoolFile {
        id,
        owner,
        origin_user,
        queue,
        origin,
        class,
        copies,
        hold,
        name,
        ftype,
        dist,
        created,
        seq,
        records,
    })
}

/// Reads a spool file from disk.
pub(crate) fn load(path: &Path) -> Result<SpoolFile, SpoolError> {
    let bytes = std::fs::read(path).map_err(|e| SpoolError::io(path, e))?;
    decode(&bytes).ok_or_else(|| SpoolError::Damaged(path.to_path_buf()))
}

/// Writes a spool file to disk.
pub(crate) fn store(path: &Path, f: &SpoolFile) -> Result<(), SpoolError> {
    write_atomic(path, &encode(f)).map_err(|e| SpoolError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_never_panics_on_truncations() {
        let f = SpoolFile {
            id: 12,
            owner: "BOB".into(),
            origin_user: "ALICE".into(),
            queue: Queue::Reader,
            origin: Origin::Punch,
            class: 'A',
            copies: 1,
            hold: false,
            name: "HELLO".into(),
            ftype: "EXEC".into(),
            dist: "ALICE".into(),
            created: 0,
            seq: 1,
            records: vec![Record { ccw: 0x41, data: vec![0x40; 80] }; 3],
        };
        let bytes = encode(&f);
        assert_eq!(decode(&bytes).as_ref(), Some(&f));
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_none(), "truncated at {n}");
        }
        let mut junk = bytes.clone();
        junk[8] = 0xFF;
        junk[9] = 0xFF;
        assert!(decode(&junk).is_none(), "spool id out of range");
    }
}
