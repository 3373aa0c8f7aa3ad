//! Writing a file: new, replacing, or appending, record by record.
//!
//! Data blocks are written as they fill, each chain link allocated just before the first data
//! block it maps (so a small file is laid out link-then-data, as IBM's disks are); the chain
//! links are written at [`FileWriter::finish`], and then the directory is committed. Until
//! that commit nothing the disk's MFD reaches has changed.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::chain;
use super::device::BlockDevice;
use super::disk::{CmsDisk, Target};
use super::error::{FsError, corrupt};
use super::fileid::{FileId, FileMode};
use super::fst::{Fst, RecFm, Timestamp};
use super::mfd::FIRST_FREE_BLOCK;
use super::read::FileReader;
use super::{BLOCK_SIZE, Block, MAX_FILE_BLOCKS, MAX_LRECL, MAX_RECORDS};

/// What to do when the file already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Fail with [`FsError::AlreadyExists`].
    New,
    /// Replace it (its blocks are freed when the new file is committed).
    Replace,
    /// Add records at its end (record format and, for F, LRECL must match).
    Append,
}

/// A file being written. Nothing changes on the disk's directory until [`FileWriter::finish`];
/// dropping the writer abandons the file (its blocks were never marked used).
pub struct FileWriter<'a, D: BlockDevice> {
    disk: &'a mut CmsDisk<D>,
    id: FileId,
    mode: FileMode,
    recfm: RecFm,
    /// F: the record length; V: the longest record so far.
    lrecl: u32,
    records: u32,
    added: u32,
    data: Vec<u16>,
    links: Vec<u16>,
    buf: Box<Block>,
    fill: usize,
    target: Target,
    /// The file being appended to, returned unchanged if nothing is added.
    appending: Option<Fst>,
    freed: Vec<u16>,
    cursor: u32,
    failed: Option<FsError>,
    finished: bool,
}

impl<D: BlockDevice> core::fmt::Debug for FileWriter<'_, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FileWriter")
            .field("file", &self.id)
            .field("records", &self.records)
            .field("blocks", &self.data.len())
            .finish()
    }
}

impl<D: BlockDevice> CmsDisk<D> {
    /// Start writing a file. `lrecl` is the record length of an F file (1-65535); it is
    /// ignored for V (the FST gets the longest record). `mode` is written into the FST.
    pub fn create(
        &mut self,
        id: FileId,
        mode: FileMode,
        recfm: RecFm,
        lrecl: u32,
        how: WriteMode,
    ) -> Result<FileWriter<'_, D>, FsError> {
        match recfm {
            RecFm::F if lrecl == 0 || lrecl > MAX_LRECL => {
                return Err(FsError::InvalidRecord("F LRECL must be 1-65535"));
            }
            RecFm::Unknown(_) => {
                return Err(FsError::InvalidRecord("record format must be F or V"));
            }
            _ => {}
        }
        let existing = self.find(&id).map(|f| (*self.index.get(&id).expect("found"), f));
        if how == WriteMode::New && existing.is_some() {
            return Err(FsError::AlreadyExists(id));
        }
        self.ensure_verified()?;
        self.abort();
        let mut w = FileWriter {
            id,
            mode,
            recfm,
            lrecl: if recfm == RecFm::F { lrecl } else { 0 },
            records: 0,
            added: 0,
            data: Vec::new(),
            links: Vec::new(),
            buf: Box::new([0; BLOCK_SIZE]),
            fill: 0,
            target: Target::New,
            appending: None,
            freed: Vec::new(),
            cursor: FIRST_FREE_BLOCK,
            failed: None,
            finished: false,
            disk: self,
        };
        let Some((slot, old)) = existing else { return Ok(w) };
        w.target = Target::Slot(slot);
        match how {
            WriteMode::New => unreachable!("refused above"),
            WriteMode::Replace => {
                let walk = chain::walk(&mut w.disk.dev, w.disk.mfd.adtnum, &old)?;
                w.freed = walk.links.iter().chain(&walk.data).copied().collect();
            }
            WriteMode::Append => w.continue_file(old)?,
        }
        Ok(w)
    }

    /// Write a whole file from `records` (see [`CmsDisk::create`]).
    #[allow(clippy::too_many_arguments)] // the fileid, its format and the time stamp, as CMS has them
    pub fn write_file<I>(
        &mut self,
        id: FileId,
        mode: FileMode,
        recfm: RecFm,
        lrecl: u32,
        how: WriteMode,
        records: I,
        stamp: Timestamp,
    ) -> Result<Fst, FsError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut w = self.create(id, mode, recfm, lrecl, how)?;
        for r in records {
            w.write_record(r.as_ref())?;
        }
        w.finish(stamp)
    }
}

impl<D: BlockDevice> FileWriter<'_, D> {
    /// Set up an append: keep the old full data blocks, reload the partial last one.
    fn continue_file(&mut self, old: Fst) -> Result<(), FsError> {
        if old.recfm != self.recfm || (self.recfm == RecFm::F && old.lrecl != self.lrecl) {
            return Err(FsError::InvalidRecord("append: record format or length differs"));
        }
        let adtnum = self.disk.mfd.adtnum;
        let walk = chain::walk(&mut self.disk.dev, adtnum, &old)?.into_strict(&old)?;
        let links = walk.links.clone();
        let mut reader = FileReader::from_walk(&mut self.disk.dev, old, walk)?;
        let len = match old.recfm {
            RecFm::F => u64::from(old.records) * u64::from(old.lrecl),
            _ => {
                let mut total = 0u64;
                let mut rec = Vec::new();
                while reader.read_into(&mut rec)? {
                    total += 2 + rec.len() as u64;
                }
                total
            }
        };
        let mut data = reader.data_blocks().to_vec();
        let full = (len / BLOCK_SIZE as u64) as usize;
        self.fill = (len % BLOCK_SIZE as u64) as usize;
        if self.fill > 0 {
            let &last = data.get(full).ok_or_else(|| corrupt!("{}: data ends early", old.id))?;
            self.disk.dev.read_block(u32::from(last), &mut self.buf)?;
            self.buf[self.fill..].fill(0);
        }
        self.freed = links;
        self.freed.extend_from_slice(&data[full..]);
        data.truncate(full);
        self.data = data;
        self.records = u32::from(old.records);
        self.lrecl = old.lrecl;
        self.appending = Some(old);
        Ok(())
    }

    /// Add one record. F: exactly LRECL bytes; V: 1-65535 bytes.
    pub fn write_record(&mut self, rec: &[u8]) -> Result<(), FsError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.put_record(rec);
        if let Err(e) = &r
            && !matches!(e, FsError::InvalidRecord(_))
        {
            self.failed = Some(e.clone());
        }
        r
    }

    fn put_record(&mut self, rec: &[u8]) -> Result<(), FsError> {
        if self.records >= MAX_RECORDS {
            return Err(FsError::FileTooLarge);
        }
        match self.recfm {
            RecFm::F if rec.len() != self.lrecl as usize => {
                return Err(FsError::InvalidRecord("F record length differs from LRECL"));
            }
            RecFm::V if rec.is_empty() || rec.len() > MAX_LRECL as usize => {
                return Err(FsError::InvalidRecord("V record must be 1-65535 bytes"));
            }
            RecFm::V => {
                self.put_bytes(&(rec.len() as u16).to_be_bytes())?;
                self.lrecl = self.lrecl.max(rec.len() as u32);
            }
            _ => {}
        }
        self.put_bytes(rec)?;
        self.records += 1;
        self.added += 1;
        Ok(())
    }

    fn put_bytes(&mut self, mut bytes: &[u8]) -> Result<(), FsError> {
        while !bytes.is_empty() {
            let k = bytes.len().min(BLOCK_SIZE - self.fill);
            self.buf[self.fill..self.fill + k].copy_from_slice(&bytes[..k]);
            self.fill += k;
            bytes = &bytes[k..];
            if self.fill == BLOCK_SIZE {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Write the buffer as the next data block (zero-padded).
    fn flush(&mut self) -> Result<(), FsError> {
        let index = self.data.len();
        if index >= MAX_FILE_BLOCKS as usize {
            return Err(FsError::FileTooLarge);
        }
        self.ensure_links(index + 1)?;
        let b = self.disk.alloc(&mut self.cursor)?;
        self.buf[self.fill..].fill(0);
        self.disk.dev.write_block(u32::from(b), &self.buf)?;
        self.data.push(b);
        self.fill = 0;
        Ok(())
    }

    /// Allocate chain links until they can map `blocks` data blocks.
    fn ensure_links(&mut self, blocks: usize) -> Result<(), FsError> {
        while self.links.len() < chain::links_for(blocks) {
            let l = self.disk.alloc(&mut self.cursor)?;
            self.links.push(l);
        }
        Ok(())
    }

    /// Write the last data block and the chain links, then commit the directory. Returns the
    /// new FST. A file needs at least one record; an append that added none changes nothing.
    pub fn finish(mut self, stamp: Timestamp) -> Result<Fst, FsError> {
        self.finished = true;
        let r = self.complete(stamp);
        if r.is_err() {
            self.disk.abort();
        }
        r
    }

    fn complete(&mut self, stamp: Timestamp) -> Result<Fst, FsError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if self.added == 0 {
            return match self.appending {
                Some(old) => {
                    self.disk.abort();
                    Ok(old)
                }
                None => Err(FsError::InvalidRecord("a CMS file needs at least one record")),
            };
        }
        if self.fill > 0 {
            self.flush()?;
        }
        self.ensure_links(self.data.len())?;
        let blocks = chain::encode(&self.links, &self.data);
        for (&a, b) in self.links.iter().zip(&blocks).rev() {
            self.disk.dev.write_block(u32::from(a), b)?;
        }
        let records = u16::try_from(self.records).map_err(|_| FsError::FileTooLarge)?;
        let fst = Fst {
            id: self.id,
            mode_raw: self.mode.to_ebcdic(),
            recfm: self.recfm,
            lrecl: self.lrecl,
            records,
            blocks: u16::try_from(self.data.len()).map_err(|_| FsError::FileTooLarge)?,
            stamp,
            first_chain_link: self.links[0],
            write_pointer: records + 1,
            read_pointer: 1,
            flags: 0,
        };
        let freed = core::mem::take(&mut self.freed);
        self.disk.commit_entry(self.target, Some(fst), &freed)?;
        Ok(fst)
    }
}

impl<D: BlockDevice> Drop for FileWriter<'_, D> {
    fn drop(&mut self) {
        if !self.finished {
            self.disk.abort();
        }
    }
}
