//! The spool: files of cards and print lines waiting in users' readers, printers and punches.
//!
//! VM/370 R6 (CP Command Reference, "SPOOL", "CLOSE", "QUERY"): a virtual punch, printer or
//! console accumulates records until it is closed; the closed file gets a system-wide spool
//! id (1-9900, given out in turn, wrapping to 1, skipping ids in use), a class, a copy count
//! and a hold flag, and goes to a queue — a user's reader (`SPOOL PUNCH TO user`), or the
//! owner's printer or punch queue. Files can be reordered, moved between users, changed and
//! purged.
//!
//! Every file lives in its own file in the spool directory (`NNNN.spf`), written to a
//! temporary name and renamed into place before the operation that made it returns, so a
//! closed spool file survives a crash of CP; the id counter is kept beside them.

mod file;

pub use file::{Record, SpoolError};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The highest spool id; ids wrap to 1 after it.
pub const MAX_SPOOLID: u16 = 9900;

/// Which queue a spool file sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Queue {
    /// A user's virtual reader.
    Reader,
    /// A printer queue (output of a virtual printer not sent to a reader).
    Printer,
    /// A punch queue.
    Punch,
}

impl Queue {
    /// `RDR`, `PRT` or `PUN`.
    pub fn code(self) -> &'static str {
        match self {
            Queue::Reader => "RDR",
            Queue::Printer => "PRT",
            Queue::Punch => "PUN",
        }
    }
}

/// The kind of virtual device that produced a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A virtual punch.
    Punch,
    /// A virtual printer.
    Printer,
    /// A spooled console.
    Console,
}

impl Origin {
    /// `PUN`, `PRT` or `CON`.
    pub fn code(self) -> &'static str {
        match self {
            Origin::Punch => "PUN",
            Origin::Printer => "PRT",
            Origin::Console => "CON",
        }
    }
}

/// One spool file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolFile {
    /// Spool id, 1-9900.
    pub id: u16,
    /// The user whose queue holds it.
    pub owner: String,
    /// The user whose device made it.
    pub origin_user: String,
    /// The queue it is in.
    pub queue: Queue,
    /// The device that made it.
    pub origin: Origin,
    /// Spool class, `A`-`Z` or `0`-`9`.
    pub class: char,
    /// Copies to print or punch (1-99).
    pub copies: u8,
    /// Held (not readable or printable until released).
    pub hold: bool,
    /// File name (`CLOSE ... NAME fn ft`, or what CMS put in the `:READ` card).
    pub name: String,
    /// File type.
    pub ftype: String,
    /// Distribution code.
    pub dist: String,
    /// Creation time, seconds since 1970 UTC.
    pub created: i64,
    /// Position in its queue: files are read in this order (`ORDER` changes it).
    pub seq: u64,
    /// The records: cards or print lines, each with the CCW command that wrote it.
    pub records: Vec<Record>,
}

/// The system's spool: every file, by id, kept in a directory.
#[derive(Debug)]
pub struct SpoolStore {
    dir: PathBuf,
    files: BTreeMap<u16, SpoolFile>,
    in_use: BTreeSet<u16>,
    next_id: u16,
    next_seq: u64,
}

impl SpoolStore {
    /// Opens (or creates) the spool directory and loads every spool file in it. Files that
    /// cannot be read are reported in the second element and left alone on disk.
    pub fn open(dir: &Path) -> Result<(SpoolStore, Vec<SpoolError>), SpoolError> {
        std::fs::create_dir_all(dir).map_err(|e| SpoolError::io(dir, e))?;
        let mut files = BTreeMap::new();
        let mut bad = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| SpoolError::io(dir, e))?;
        for ent in entries.flatten() {
            let p = ent.path();
            if p.extension().and_then(|e| e.to_str()) != Some("spf") {
                continue;
            }
            match file::load(&p) {
                Ok(f) => {
                    files.insert(f.id, f);
                }
                Err(e) => bad.push(e),
            }
        }
        let next_id = std::fs::read_to_string(dir.join("NEXTID"))
            .ok()
            .and_then(|s| s.trim().parse::<u16>().ok())
            .filter(|&n| (1..=MAX_SPOOLID).contains(&n))
            .unwrap_or(1);
        let next_seq = files.values().map(|f| f.seq).max().unwrap_or(0) + 1;
        let in_use = BTreeSet::new();
        Ok((SpoolStore { dir: dir.to_path_buf(), files, in_use, next_id, next_seq }, bad))
    }

    fn path(&self, id: u16) -> PathBuf {
        self.dir.join(format!("{id:04}.spf"))
    }

    /// Gives out the next free spool id.
    fn allocate_id(&mut self) -> Result<u16, SpoolError> {
        for _ in 0..MAX_SPOOLID {
            let id = self.next_id;
            self.next_id = if id >= MAX_SPOOLID { 1 } else { id + 1 };
            if !self.files.contains_key(&id) {
                file::write_atomic(&self.dir.join("NEXTID"), self.next_id.to_string().as_bytes())
                    .map_err(|e| SpoolError::io(&self.dir, e))?;
                return Ok(id);
            }
        }
        Err(SpoolError::Full)
    }

    /// Adds a closed file: gives it an id and a queue position, writes it to disk, and
    /// returns the id. `file.id` and `file.seq` are ignored.
    pub fn create(&mut self, mut file: SpoolFile) -> Result<u16, SpoolError> {
        file.id = self.allocate_id()?;
        file.seq = self.next_seq;
        self.next_seq += 1;
        file::store(&self.path(file.id), &file)?;
        let id = file.id;
        self.files.insert(id, file);
        Ok(id)
    }

    /// A file by id.
    pub fn get(&self, id: u16) -> Option<&SpoolFile> {
        self.files.get(&id)
    }

    /// The files in `owner`'s `queue`, in reading order.
    pub fn queue(&self, owner: &str, queue: Queue) -> Vec<&SpoolFile> {
        let mut v: Vec<_> =
            self.files.values().filter(|f| f.owner == owner && f.queue == queue).collect();
        v.sort_by_key(|f| f.seq);
        v
    }

    /// Every file, by id.
    pub fn all(&self) -> impl Iterator<Item = &SpoolFile> {
        self.files.values()
    }

    /// Changes a file (class, copies, hold, name, owner...) and writes it back.
    pub fn update(&mut self, id: u16, f: impl FnOnce(&mut SpoolFile)) -> Result<(), SpoolError> {
        let path = self.path(id);
        let file = self.files.get_mut(&id).ok_or(SpoolError::NoSuchFile(id))?;
        let mut changed = file.clone();
        f(&mut changed);
        changed.id = id;
        file::store(&path, &changed)?;
        *file = changed;
        Ok(())
    }

    /// Moves a file to the front of its queue (`ORDER`): files ordered in the sequence given
    /// end up first, in that sequence.
    pub fn order(&mut self, ids: &[u16]) -> Result<(), SpoolError> {
        let min = self.files.values().map(|f| f.seq).min().unwrap_or(0);
        let base = min.saturating_sub(ids.len() as u64 + 1);
        for (i, &id) in ids.iter().enumerate() {
            self.update(id, |f| f.seq = base + i as u64)?;
        }
        Ok(())
    }

    /// Marks a file as being read by a virtual reader (`true`) or no longer (`false`). A
    /// file in use is not purged, changed, ordered or transferred by commands; CLOSE of the
    /// reader ends its use, and the reader then lets it go.
    pub fn set_in_use(&mut self, id: u16, on: bool) {
        if on {
            self.in_use.insert(id);
        } else {
            self.in_use.remove(&id);
        }
    }

    /// Is a virtual reader reading the file?
    pub fn in_use(&self, id: u16) -> bool {
        self.in_use.contains(&id)
    }

    /// Removes a file from the spool and its disk.
    pub fn purge(&mut self, id: u16) -> Result<SpoolFile, SpoolError> {
        let f = self.files.remove(&id).ok_or(SpoolError::NoSuchFile(id))?;
        self.in_use.remove(&id);
        let p = self.path(id);
        std::fs::remove_file(&p).map_err(|e| SpoolError::io(&p, e))?;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(text: &str) -> Record {
        let mut data = s370::ebcdic::from_str(text);
        data.resize(80, 0x40);
        Record { ccw: 0x41, data }
    }

    fn file(owner: &str, n: usize) -> SpoolFile {
        SpoolFile {
            id: 0,
            owner: owner.into(),
            origin_user: "ALICE".into(),
            queue: Queue::Reader,
            origin: Origin::Punch,
            class: 'A',
            copies: 1,
            hold: false,
            name: "HELLO".into(),
            ftype: "EXEC".into(),
            dist: "ALICE".into(),
            created: 1_700_000_000,
            seq: 0,
            records: (0..n).map(|i| card(&format!("LINE {i}"))).collect(),
        }
    }

    #[test]
    fn files_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut s, bad) = SpoolStore::open(dir.path()).expect("open");
        assert!(bad.is_empty());
        let a = s.create(file("BOB", 2)).expect("create");
        let b = s.create(file("BOB", 3)).expect("create");
        assert_eq!((a, b), (1, 2));
        s.update(b, |f| f.hold = true).expect("update");
        drop(s);
        let (s, bad) = SpoolStore::open(dir.path()).expect("reopen");
        assert!(bad.is_empty());
        let q = s.queue("BOB", Queue::Reader);
        assert_eq!(q.iter().map(|f| f.id).collect::<Vec<_>>(), vec![1, 2]);
        assert!(q[1].hold);
        assert_eq!(q[1].records, file("BOB", 3).records);
    }

    #[test]
    fn ids_wrap_and_skip_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("NEXTID"), "9899").expect("seed counter");
        let (mut s, _) = SpoolStore::open(dir.path()).expect("open");
        let ids: Vec<u16> = (0..3).map(|_| s.create(file("BOB", 1)).expect("create")).collect();
        assert_eq!(ids, vec![9899, 9900, 1]);
        s.purge(9900).expect("purge");
        std::fs::write(dir.path().join("NEXTID"), "9899").expect("reset counter");
        let (mut s, _) = SpoolStore::open(dir.path()).expect("reopen");
        assert_eq!(s.create(file("BOB", 1)).expect("create"), 9900, "skips 9899 in use");
    }

    #[test]
    fn order_and_transfer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut s, _) = SpoolStore::open(dir.path()).expect("open");
        let ids: Vec<u16> = (0..3).map(|_| s.create(file("BOB", 1)).expect("create")).collect();
        s.order(&[ids[2]]).expect("order");
        let q: Vec<u16> = s.queue("BOB", Queue::Reader).iter().map(|f| f.id).collect();
        assert_eq!(q, vec![ids[2], ids[0], ids[1]]);
        s.update(ids[0], |f| f.owner = "CAROL".into()).expect("transfer");
        assert_eq!(s.queue("CAROL", Queue::Reader).len(), 1);
        assert_eq!(s.queue("BOB", Queue::Reader).len(), 2);
    }

    #[test]
    fn damaged_file_is_reported_not_fatal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut s, _) = SpoolStore::open(dir.path()).expect("open");
        s.create(file("BOB", 1)).expect("create");
        std::fs::write(dir.path().join("0007.spf"), b"garbage").expect("write junk");
        let (s, bad) = SpoolStore::open(dir.path()).expect("reopen");
        assert_eq!(bad.len(), 1);
        assert_eq!(s.all().count(), 1);
    }
}
