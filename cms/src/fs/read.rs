//! Reading a file's records: items packed end to end across its data blocks.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::chain::{self, Walk};
use super::device::BlockDevice;
use super::error::{FsError, corrupt};
use super::fst::{Fst, RecFm};
use super::{BLOCK_SIZE, Block};

/// Reads one file's records in order (an [`Iterator`] of records, or [`FileReader::read_into`]
/// to reuse a buffer). Each data block is read once; a damaged file gives
/// [`FsError::Corrupt`] and then the iteration ends.
pub struct FileReader<'a, D: BlockDevice + ?Sized> {
    dev: &'a mut D,
    fst: Fst,
    data: Vec<u16>,
    /// Index in `data` of the block held in `buf`, if any.
    loaded: Option<usize>,
    buf: Box<Block>,
    /// Byte offset in the file of the next byte to read.
    offset: u64,
    /// Records read so far.
    done: u32,
}

impl<D: BlockDevice + ?Sized> core::fmt::Debug for FileReader<'_, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FileReader").field("file", &self.fst.id).field("read", &self.done).finish()
    }
}

impl<'a, D: BlockDevice + ?Sized> FileReader<'a, D> {
    /// Open `fst`: walk its chain (strictly) and check its record format and size.
    pub(super) fn new(dev: &'a mut D, adtnum: u32, fst: Fst) -> Result<Self, FsError> {
        let w = chain::walk(dev, adtnum, &fst)?.into_strict(&fst)?;
        FileReader::from_walk(dev, fst, w)
    }

    /// Open `fst` whose chain is already walked and found whole.
    pub(super) fn from_walk(dev: &'a mut D, fst: Fst, w: Walk) -> Result<Self, FsError> {
        let bytes = w.data.len() as u64 * BLOCK_SIZE as u64;
        match fst.recfm {
            RecFm::F => {
                if fst.records > 0 && fst.lrecl == 0 {
                    return Err(corrupt!("{}: F file with LRECL 0", fst.id));
                }
                if u64::from(fst.lrecl) * u64::from(fst.records) > bytes {
                    return Err(corrupt!(
                        "{}: {} records of {} bytes need more than its {} blocks",
                        fst.id,
                        fst.records,
                        fst.lrecl,
                        w.data.len()
                    ));
                }
            }
            RecFm::V => {}
            RecFm::Unknown(b) => return Err(corrupt!("{}: record format X'{b:02X}'", fst.id)),
        }
        Ok(FileReader {
            dev,
            fst,
            data: w.data,
            loaded: None,
            buf: Box::new([0; BLOCK_SIZE]),
            offset: 0,
            done: 0,
        })
    }

    /// The file's FST.
    pub fn fst(&self) -> &Fst {
        &self.fst
    }

    /// The data blocks of the file, in order.
    pub fn data_blocks(&self) -> &[u16] {
        &self.data
    }

    /// Records not yet read.
    pub fn remaining(&self) -> u32 {
        u32::from(self.fst.records) - self.done
    }

    /// Append the next `n` bytes of the file to `out`.
    fn take(&mut self, mut n: usize, out: &mut Vec<u8>) -> Result<(), FsError> {
        while n > 0 {
            let bi = (self.offset / BLOCK_SIZE as u64) as usize;
            let at = (self.offset % BLOCK_SIZE as u64) as usize;
            if self.loaded != Some(bi) {
                let Some(&b) = self.data.get(bi) else {
                    return Err(corrupt!(
                        "{}: record {} runs past its last data block",
                        self.fst.id,
                        self.done + 1
                    ));
                };
                self.dev.read_block(u32::from(b), &mut self.buf)?;
                self.loaded = Some(bi);
            }
            let k = n.min(BLOCK_SIZE - at);
            out.extend_from_slice(&self.buf[at..at + k]);
            self.offset += k as u64;
            n -= k;
        }
        Ok(())
    }

    /// Read the next record into `out` (cleared first). `Ok(false)` at the end of the file.
    pub fn read_into(&mut self, out: &mut Vec<u8>) -> Result<bool, FsError> {
        out.clear();
        if self.done >= u32::from(self.fst.records) {
            return Ok(false);
        }
        let r = self.read_record(out);
        if r.is_err() {
            self.done = u32::from(self.fst.records); // nothing more after damage
        }
        r.map(|()| true)
    }

    fn read_record(&mut self, out: &mut Vec<u8>) -> Result<(), FsError> {
        let len = match self.fst.recfm {
            RecFm::V => {
                self.take(2, out)?;
                let l = usize::from(u16::from_be_bytes([out[0], out[1]]));
                out.clear();
                l
            }
            _ => self.fst.lrecl as usize,
        };
        self.take(len, out)?;
        self.done += 1;
        Ok(())
    }

    /// Position so that the next record read is record `record` (1-based; one past the last
    /// record positions at the end). F files seek directly; V files read through.
    pub fn seek(&mut self, record: u32) -> Result<(), FsError> {
        let target = record.saturating_sub(1).min(u32::from(self.fst.records));
        if self.fst.recfm == RecFm::F {
            self.offset = u64::from(target) * u64::from(self.fst.lrecl);
            self.done = target;
            return Ok(());
        }
        if target < self.done {
            self.offset = 0;
            self.done = 0;
        }
        let mut scratch = Vec::new();
        while self.done < target {
            self.read_into(&mut scratch)?;
        }
        Ok(())
    }
}

impl<D: BlockDevice + ?Sized> Iterator for FileReader<'_, D> {
    type Item = Result<Vec<u8>, FsError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut out = Vec::new();
        match self.read_into(&mut out) {
            Ok(true) => Some(Ok(out)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
