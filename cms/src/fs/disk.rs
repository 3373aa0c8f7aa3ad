//! A mounted CMS disk: the directory in memory, lookups, erase, rename, and the commit that
//! every change ends with (the write order is described in the module documentation).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::bitmap::Bitmap;
use super::chain::{self, in_range};
use super::device::{BlockDevice, Geometry};
use super::error::{FsError, corrupt};
use super::fileid::{FileId, FileIdError, FileMode, FilePattern, valid_name_char};
use super::fst::{FST_SIZE, Fst};
use super::mfd::{
    self, FIRST_FREE_BLOCK, LABEL_BLOCK, MFD_BLOCK, MFD_QMSK_BLOCKS, Mfd, ext_blocks_for,
    max_fst_blocks,
};
use super::read::FileReader;
use super::{BLOCK_SIZE, Block, ebcdic};

/// FST entries in an FST block.
pub(super) const FSTS_PER_BLOCK: usize = BLOCK_SIZE / FST_SIZE;

/// One FST block: its disk address and its 800 bytes as on disk.
#[derive(Debug, Clone)]
pub(super) struct FstBlock {
    pub addr: u16,
    pub raw: Box<Block>,
}

impl FstBlock {
    fn entry(&self, slot: usize) -> Option<Fst> {
        let e: &[u8; FST_SIZE] =
            self.raw[slot * FST_SIZE..][..FST_SIZE].try_into().expect("40-byte slice");
        (e[0] != 0).then(|| Fst::from_bytes(e))
    }

    fn set(&mut self, slot: usize, fst: Option<&Fst>) {
        let e = &mut self.raw[slot * FST_SIZE..][..FST_SIZE];
        match fst {
            Some(f) => e.copy_from_slice(&f.to_bytes()),
            None => e.fill(0),
        }
    }

    fn free_slot(&self) -> Option<usize> {
        (0..FSTS_PER_BLOCK).find(|&s| self.raw[s * FST_SIZE] == 0)
    }

    fn is_empty(&self) -> bool {
        (0..FSTS_PER_BLOCK).all(|s| self.raw[s * FST_SIZE] == 0)
    }
}

/// Where an FST entry lives: index into the FST block list, and slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SlotRef {
    pub block: usize,
    pub slot: usize,
}

/// Which entry a commit changes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    /// An existing entry (replaced, renamed or erased).
    Slot(SlotRef),
    /// A new entry: the first free slot, or a new FST block.
    New,
}

/// What QUERY DISK shows about a disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskStatus {
    /// The label (up to 6 characters).
    pub label: String,
    /// ADTNUM: blocks the disk has.
    pub blocks: u32,
    /// Blocks in use (system blocks, directory, chain links, data).
    pub used: u32,
    /// Blocks free.
    pub left: u32,
    /// ADTCYL: cylinders.
    pub cylinders: u32,
    /// The unit type byte.
    pub unit_type: u8,
    /// Files on the disk.
    pub files: usize,
    /// FST blocks in the directory.
    pub fst_blocks: usize,
    /// QMSK extension blocks.
    pub qmsk_extensions: usize,
}

/// A mounted CMS disk on a block device.
///
/// ```
/// use cms::fs::{CmsDisk, FileId, FileMode, Geometry, MemDevice, RecFm, Timestamp, WriteMode};
/// let mut disk = CmsDisk::format(MemDevice::new(Geometry::ibm3350(1)), "MYDISK")?;
/// let id = FileId::new("hello", "exec")?;
/// let when = Timestamp::new(1981, 4, 1, 12, 0);
/// let lines = [cms::fs::ebcdic::encode("&TYPE HELLO")];
/// disk.write_file(id, FileMode::parse("A1")?, RecFm::V, 0, WriteMode::New, &lines, when)?;
/// assert_eq!(disk.read_records(&id)?, lines);
/// # Ok::<(), cms::fs::FsError>(())
/// ```
pub struct CmsDisk<D: BlockDevice> {
    pub(super) dev: D,
    pub(super) label: [u8; 6],
    pub(super) mfd: Mfd,
    pub(super) fst: Vec<FstBlock>,
    /// The QMSK as committed (plus, after verification, blocks found in use).
    pub(super) qmsk: Bitmap,
    /// `qmsk` plus the blocks allocated by a write in progress.
    pub(super) work: Bitmap,
    /// Once verified: blocks referenced more than once, which are never freed.
    pub(super) shared: Option<Bitmap>,
    pub(super) index: BTreeMap<FileId, SlotRef>,
}

impl<D: BlockDevice> core::fmt::Debug for CmsDisk<D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CmsDisk").field("status", &self.status()).finish()
    }
}

/// Parse a disk label: 1-6 characters as in a file name, upper-cased, blank-padded (EBCDIC).
pub(super) fn parse_label(s: &str) -> Result<[u8; 6], FileIdError> {
    let mut out = [ebcdic::BLANK; 6];
    let mut n = 0;
    for c in s.chars() {
        let c = c.to_ascii_uppercase();
        if !valid_name_char(c) {
            return Err(FileIdError::BadChar(c));
        }
        if n == 6 {
            return Err(FileIdError::TooLong);
        }
        out[n] = ebcdic::from_char(c).ok_or(FileIdError::BadChar(c))?;
        n += 1;
    }
    if n == 0 {
        return Err(FileIdError::Empty);
    }
    Ok(out)
}

impl<D: BlockDevice> CmsDisk<D> {
    /// Mount a disk: read and check the label, the MFD, the QMSK and the FST blocks.
    /// A damaged disk gives [`FsError::Corrupt`] (or a disk that mounts but whose damaged files
    /// give errors when read; [`CmsDisk::check`] reports everything).
    pub fn mount(mut dev: D) -> Result<Self, FsError> {
        let mut b = Box::new([0u8; BLOCK_SIZE]);
        dev.read_block(LABEL_BLOCK, &mut b)?;
        let label = mfd::decode_label(&b)?;
        dev.read_block(MFD_BLOCK, &mut b)?;
        let mfd = Mfd::decode(&b)?;
        let adtnum = mfd.adtnum;
        if adtnum < FIRST_FREE_BLOCK || adtnum > dev.block_count() || adtnum > 0xFFFF {
            return Err(corrupt!(
                "ADTNUM {adtnum} does not fit a device of {} blocks",
                dev.block_count()
            ));
        }
        let want = ext_blocks_for(adtnum);
        if !mfd.ext_blocks.is_empty() && mfd.ext_blocks.len() != want {
            return Err(corrupt!(
                "MFD lists {} QMSK extension blocks; a disk of {adtnum} blocks has {want}",
                mfd.ext_blocks.len()
            ));
        }
        let mut directory = Bitmap::new(adtnum);
        for &a in mfd.fst_blocks.iter().chain(&mfd.ext_blocks) {
            if !in_range(u32::from(a), adtnum) {
                return Err(corrupt!("MFD: directory block {a} out of range"));
            }
            if directory.get(u32::from(a)) {
                return Err(corrupt!("MFD: directory block {a} listed twice"));
            }
            directory.set(u32::from(a));
        }
        let mut raw = mfd.qmsk_head().to_vec();
        for &a in &mfd.ext_blocks {
            dev.read_block(u32::from(a), &mut b)?;
            raw.extend_from_slice(&b[..]);
        }
        let mut qmsk = Bitmap::from_bytes(&raw, adtnum);
        for n in 1..FIRST_FREE_BLOCK {
            qmsk.set(n);
        }
        qmsk.union_with(&directory);
        let mut fst = Vec::with_capacity(mfd.fst_blocks.len());
        for &a in &mfd.fst_blocks {
            let mut raw = Box::new([0u8; BLOCK_SIZE]);
            dev.read_block(u32::from(a), &mut raw)?;
            fst.push(FstBlock { addr: a, raw });
        }
        let mut disk = CmsDisk {
            dev,
            label,
            mfd,
            fst,
            work: qmsk.clone(),
            qmsk,
            shared: None,
            index: BTreeMap::new(),
        };
        disk.rebuild_index();
        Ok(disk)
    }

    /// Format `dev` (see [`super::format()`]) and mount it.
    pub fn format(mut dev: D, label: &str) -> Result<Self, FsError> {
        super::format::format(&mut dev, label)?;
        CmsDisk::mount(dev)
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        for (bi, b) in self.fst.iter().enumerate() {
            for slot in 0..FSTS_PER_BLOCK {
                if let Some(f) = b.entry(slot) {
                    self.index.entry(f.id).or_insert(SlotRef { block: bi, slot });
                }
            }
        }
    }

    /// The device (for example to save an image after changes).
    pub fn device(&self) -> &D {
        &self.dev
    }

    /// Unmount: give the device back. Every change is already on it.
    pub fn into_device(self) -> D {
        self.dev
    }

    /// The disk label, without trailing blanks.
    pub fn label(&self) -> String {
        let end = self.label.iter().rposition(|&b| b != ebcdic::BLANK).map_or(0, |p| p + 1);
        ebcdic::decode(&self.label[..end])
    }

    /// The device geometry.
    pub fn geometry(&self) -> Geometry {
        self.dev.geometry()
    }

    /// Label, size, use.
    pub fn status(&self) -> DiskStatus {
        let used = self.qmsk.count();
        DiskStatus {
            label: self.label(),
            blocks: self.mfd.adtnum,
            used,
            left: self.mfd.adtnum.saturating_sub(used),
            cylinders: self.mfd.adtcyl,
            unit_type: self.mfd.unit_type,
            files: self.files().count(),
            fst_blocks: self.fst.len(),
            qmsk_extensions: self.mfd.ext_blocks.len(),
        }
    }

    /// Every file, in directory order (the order of the FST blocks and their slots).
    pub fn files(&self) -> impl Iterator<Item = Fst> + '_ {
        self.fst.iter().flat_map(|b| (0..FSTS_PER_BLOCK).filter_map(move |s| b.entry(s)))
    }

    /// The files whose names match `pattern` (its mode letter is not looked at: this disk is
    /// one letter; its mode number is).
    pub fn matching<'p>(&'p self, pattern: &'p FilePattern) -> impl Iterator<Item = Fst> + 'p {
        self.files().filter(move |f| {
            pattern.matches_names(&f.id)
                && pattern.mode.number.is_none_or(|n| f.mode_number() == Some(n))
        })
    }

    /// The FST of a file.
    pub fn find(&self, id: &FileId) -> Option<Fst> {
        self.index.get(id).and_then(|s| self.fst[s.block].entry(s.slot))
    }

    fn slot_of(&self, id: &FileId) -> Result<(SlotRef, Fst), FsError> {
        let s = *self.index.get(id).ok_or(FsError::NotFound(*id))?;
        let f = self.fst[s.block].entry(s.slot).ok_or(FsError::NotFound(*id))?;
        Ok((s, f))
    }

    /// Open a file for reading its records in order.
    pub fn open(&mut self, id: &FileId) -> Result<FileReader<'_, D>, FsError> {
        let (_, fst) = self.slot_of(id)?;
        FileReader::new(&mut self.dev, self.mfd.adtnum, fst)
    }

    /// All records of a file.
    pub fn read_records(&mut self, id: &FileId) -> Result<Vec<Vec<u8>>, FsError> {
        self.open(id)?.collect()
    }

    /// Erase a file; its blocks are free once the new directory is on disk.
    pub fn erase(&mut self, id: &FileId) -> Result<(), FsError> {
        let (slot, fst) = self.slot_of(id)?;
        self.ensure_verified()?;
        let w = chain::walk(&mut self.dev, self.mfd.adtnum, &fst)?;
        let freed: Vec<u16> = w.links.iter().chain(&w.data).copied().collect();
        self.commit_entry(Target::Slot(slot), None, &freed)
    }

    /// Rename a file, and change its mode number if `mode` is given (the letter is kept as the
    /// caller gives it). The target name must not exist (unless it is the same file).
    pub fn rename(
        &mut self,
        from: &FileId,
        to: &FileId,
        mode: Option<FileMode>,
    ) -> Result<Fst, FsError> {
        let (slot, mut fst) = self.slot_of(from)?;
        if from != to && self.index.contains_key(to) {
            return Err(FsError::AlreadyExists(*to));
        }
        fst.id = *to;
        if let Some(m) = mode {
            fst.mode_raw = m.to_ebcdic();
        }
        self.commit_entry(Target::Slot(slot), Some(fst), &[])?;
        Ok(fst)
    }

    /// Change the label (block 3; one block write).
    pub fn set_label(&mut self, label: &str) -> Result<(), FsError> {
        let l = parse_label(label)?;
        self.dev.write_block(LABEL_BLOCK, &mfd::encode_label(&l))?;
        self.label = l;
        Ok(())
    }

    /// Walk every chain once before the first change: mark referenced blocks used, and note
    /// blocks referenced twice (never to be freed).
    pub(super) fn ensure_verified(&mut self) -> Result<(), FsError> {
        if self.shared.is_some() {
            return Ok(());
        }
        let adtnum = self.mfd.adtnum;
        let mut seen = Bitmap::new(adtnum);
        let mut shared = Bitmap::new(adtnum);
        for n in 1..FIRST_FREE_BLOCK {
            seen.set(n);
        }
        for &a in self.mfd.fst_blocks.iter().chain(&self.mfd.ext_blocks) {
            seen.set(u32::from(a));
        }
        let files: Vec<Fst> = self.files().collect();
        for f in &files {
            let w = chain::walk(&mut self.dev, adtnum, f)?;
            for &b in w.links.iter().chain(&w.data) {
                let b = u32::from(b);
                if seen.get(b) {
                    shared.set(b);
                } else {
                    seen.set(b);
                }
            }
        }
        self.qmsk.union_with(&seen);
        self.work.union_with(&seen);
        self.shared = Some(shared);
        Ok(())
    }

    /// Forget the blocks allocated by a write that will not be committed.
    pub(super) fn abort(&mut self) {
        self.work = self.qmsk.clone();
    }

    /// Allocate a data or chain-link block for a write in progress: the first block at or
    /// after `*cursor` that is free in the QMSK and not yet taken by this write.
    pub(super) fn alloc(&mut self, cursor: &mut u32) -> Result<u16, FsError> {
        let b =
            self.work.first_free((*cursor).max(FIRST_FREE_BLOCK), None).ok_or(FsError::DiskFull)?;
        self.work.set(b);
        *cursor = b + 1;
        u16::try_from(b).map_err(|_| FsError::DiskFull)
    }

    /// Commit one changed FST entry: shadow-write the changed FST block and the QMSK
    /// extensions, then the MFD. `freed` are the blocks the change releases. Any error before
    /// the MFD write leaves the disk (and this object) as it was, with the write in progress
    /// abandoned.
    pub(super) fn commit_entry(
        &mut self,
        target: Target,
        entry: Option<Fst>,
        freed: &[u16],
    ) -> Result<(), FsError> {
        let r = self.ensure_verified().and_then(|()| self.try_commit(target, entry, freed));
        if r.is_err() {
            self.abort();
        }
        r
    }

    fn try_commit(
        &mut self,
        target: Target,
        entry: Option<Fst>,
        freed: &[u16],
    ) -> Result<(), FsError> {
        let adtnum = self.mfd.adtnum;
        let shared = self.shared.as_ref().expect("verified by commit_entry");
        let may_free = |b: u32| b >= FIRST_FREE_BLOCK && !shared.get(b);
        let mut q = self.work.clone();
        for &b in freed {
            if may_free(u32::from(b)) {
                q.clear(u32::from(b));
            }
        }
        // The changed FST block, as it will be.
        let (bi, is_new) = match target {
            Target::Slot(s) => (s.block, false),
            Target::New => match self.fst.iter().position(|b| b.free_slot().is_some()) {
                Some(bi) => (bi, false),
                None => (self.fst.len(), true),
            },
        };
        let mut nb = if is_new {
            FstBlock { addr: 0, raw: Box::new([0u8; BLOCK_SIZE]) }
        } else {
            self.fst[bi].clone()
        };
        let slot = match target {
            Target::Slot(s) => s.slot,
            Target::New => nb.free_slot().expect("a block with a free slot, or a new one"),
        };
        nb.set(slot, entry.as_ref());
        let remove = !is_new && self.fst.len() > 1 && nb.is_empty();
        if !is_new && may_free(u32::from(nb.addr)) {
            q.clear(u32::from(nb.addr));
        }
        let shadow = |q: &mut Bitmap, committed: &Bitmap| -> Result<u16, FsError> {
            let b = q.first_free(FIRST_FREE_BLOCK, Some(committed)).ok_or(FsError::DiskFull)?;
            q.set(b);
            u16::try_from(b).map_err(|_| FsError::DiskFull)
        };
        let new_addr = if remove { None } else { Some(shadow(&mut q, &self.qmsk)?) };
        let mut fst_addrs: Vec<u16> = self.fst.iter().map(|b| b.addr).collect();
        match new_addr {
            None => {
                fst_addrs.remove(bi);
            }
            Some(a) if is_new => fst_addrs.push(a),
            Some(a) => fst_addrs[bi] = a,
        }
        for &e in &self.mfd.ext_blocks {
            if may_free(u32::from(e)) {
                q.clear(u32::from(e));
            }
        }
        let need_ext = adtnum > MFD_QMSK_BLOCKS && q.highest().is_some_and(|h| h > MFD_QMSK_BLOCKS);
        let n_ext = if need_ext { ext_blocks_for(adtnum) } else { 0 };
        let mut ext_addrs = Vec::with_capacity(n_ext);
        for _ in 0..n_ext {
            ext_addrs.push(shadow(&mut q, &self.qmsk)?);
        }
        if fst_addrs.len() > max_fst_blocks(n_ext) {
            return Err(FsError::DirectoryFull);
        }
        let mut mfd = self.mfd.clone();
        mfd.fst_blocks = fst_addrs;
        mfd.ext_blocks = ext_addrs;

        // Writes: the FST block, the QMSK extensions, then the MFD (the commit).
        if let Some(a) = new_addr {
            self.dev.write_block(u32::from(a), &nb.raw)?;
        }
        for (&a, b) in mfd.ext_blocks.iter().zip(Mfd::encode_ext(&q, n_ext)) {
            self.dev.write_block(u32::from(a), &b)?;
        }
        let raw = mfd.encode(&q);
        self.dev.write_block(MFD_BLOCK, &raw)?;

        // On disk: now make memory match.
        mfd.adtused = q.count();
        mfd.adtleft = adtnum.saturating_sub(mfd.adtused);
        mfd.adtlast = q.last_nonzero_byte();
        mfd.raw = raw;
        self.mfd = mfd;
        self.qmsk = q;
        self.work = self.qmsk.clone();
        match new_addr {
            None => {
                self.fst.remove(bi);
            }
            Some(addr) if is_new => self.fst.push(FstBlock { addr, raw: nb.raw }),
            Some(addr) => self.fst[bi] = FstBlock { addr, raw: nb.raw },
        }
        match (target, entry) {
            // A new file, or a replaced one under the same name: one index entry to set.
            (Target::New, Some(f)) => {
                self.index.insert(f.id, SlotRef { block: bi, slot });
            }
            (Target::Slot(s), Some(f)) if self.index.get(&f.id) == Some(&s) => {}
            _ => self.rebuild_index(),
        }
        Ok(())
    }
}
