//! The consistency check: every block owned once, chains whole, records inside their blocks,
//! and the QMSK and the ADT counts agreeing with what the files use.

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use super::bitmap::Bitmap;
use super::chain;
use super::device::BlockDevice;
use super::disk::CmsDisk;
use super::error::FsError;
use super::fileid::FileId;
use super::fst::Fst;
use super::mfd::{FIRST_FREE_BLOCK, MFD_BLOCK, Mfd};
use super::read::FileReader;
use super::{BLOCK_SIZE, Block};

/// Problems kept in a report (the count goes on).
const MAX_PROBLEMS: usize = 1000;

/// Who uses a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Blocks 1-4, an FST block or a QMSK extension block.
    System,
    /// A file's chain link or data block.
    File(FileId),
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::System => f.write_str("the directory"),
            Owner::File(id) => write!(f, "{id}"),
        }
    }
}

/// One inconsistency found by [`CmsDisk::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A file's chain could not be followed (bad first chain link, missing Nth chain link,
    /// impossible block count).
    BadChain {
        /// The file.
        file: FileId,
        /// What is wrong.
        reason: String,
    },
    /// A chain holds a block number outside `5..=ADTNUM`.
    BlockOutOfRange {
        /// The file.
        file: FileId,
        /// The address found.
        block: u16,
    },
    /// A block is used twice (by two files, twice by one, or by a file and the directory).
    BlockUsedTwice {
        /// The file whose chain reached the block second.
        file: FileId,
        /// The block.
        block: u16,
        /// Who had it first.
        other: Owner,
    },
    /// The records do not fit the data blocks, or the record format is unknown.
    BadRecords {
        /// The file.
        file: FileId,
        /// What is wrong.
        reason: String,
    },
    /// Two FSTs carry the same file id.
    DuplicateFile {
        /// The file id.
        file: FileId,
    },
    /// A block in use is free in the QMSK (CMS could give it to another file).
    NotInQmsk {
        /// The block.
        block: u32,
    },
    /// Blocks marked used in the QMSK that nothing uses (lost space).
    UnreferencedInQmsk {
        /// How many.
        count: u32,
    },
    /// ADTUSED differs from the number of bits set in the QMSK.
    AdtUsed {
        /// ADTUSED as recorded.
        recorded: u32,
        /// Bits set.
        actual: u32,
    },
    /// ADTLEFT differs from ADTNUM - ADTUSED.
    AdtLeft {
        /// ADTLEFT as recorded.
        recorded: u32,
        /// ADTNUM - ADTUSED.
        expected: u32,
    },
    /// ADTLAST is not the index of the last non-zero QMSK byte.
    AdtLast {
        /// ADTLAST as recorded.
        recorded: u32,
        /// The index found.
        expected: u32,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::BadChain { file, reason } => write!(f, "{file}: {reason}"),
            Problem::BlockOutOfRange { file, block } => {
                write!(f, "{file}: block {block} out of range")
            }
            Problem::BlockUsedTwice { file, block, other } => {
                write!(f, "{file}: block {block} also used by {other}")
            }
            Problem::BadRecords { file, reason } => write!(f, "{file}: {reason}"),
            Problem::DuplicateFile { file } => write!(f, "{file}: two FSTs with this name"),
            Problem::NotInQmsk { block } => write!(f, "block {block} in use but free in QMSK"),
            Problem::UnreferencedInQmsk { count } => {
                write!(f, "{count} blocks marked used in QMSK but not used")
            }
            Problem::AdtUsed { recorded, actual } => {
                write!(f, "ADTUSED {recorded} but {actual} QMSK bits set")
            }
            Problem::AdtLeft { recorded, expected } => {
                write!(f, "ADTLEFT {recorded}, expected {expected}")
            }
            Problem::AdtLast { recorded, expected } => {
                write!(f, "ADTLAST {recorded}, expected {expected}")
            }
        }
    }
}

/// What [`CmsDisk::check`] found (the figures `cmsfs.py IMAGE info` reports, and problems).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// FST entries in use.
    pub files: usize,
    /// Data blocks reached through the chains.
    pub data_blocks: u32,
    /// Chain link blocks.
    pub chain_links: u32,
    /// Blocks 1-4, FST blocks and QMSK extension blocks.
    pub system_blocks: u32,
    /// Distinct blocks in use.
    pub blocks_referenced: u32,
    /// ADTUSED as recorded in the MFD on disk.
    pub adtused: u32,
    /// Bits set in the QMSK on disk.
    pub qmsk_bits_set: u32,
    /// The first problems found (at most 1,000).
    pub problems: Vec<Problem>,
    /// How many problems there are in all.
    pub problem_count: usize,
}

impl CheckReport {
    /// Whether the disk is consistent.
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }

    fn add(&mut self, p: Problem) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }
}

impl<D: BlockDevice> CmsDisk<D> {
    /// Check the disk as it is on the device: the MFD and QMSK are read again, every chain is
    /// walked and every file's records are read. `Err` only for device errors (or an MFD that
    /// no longer decodes); damage is reported as [`Problem`]s.
    pub fn check(&mut self) -> Result<CheckReport, FsError> {
        let mut raw: Box<Block> = Box::new([0; BLOCK_SIZE]);
        self.dev.read_block(MFD_BLOCK, &mut raw)?;
        let mfd = Mfd::decode(&raw)?;
        let adtnum = self.mfd.adtnum;
        let mut q = mfd.qmsk_head().to_vec();
        for &a in &mfd.ext_blocks {
            if chain::in_range(u32::from(a), adtnum) {
                self.dev.read_block(u32::from(a), &mut raw)?;
                q.extend_from_slice(&raw[..]);
            }
        }
        let qmsk = Bitmap::from_bytes(&q, adtnum);

        // owner[b]: 0 free, 1 system, 2 + k file k.
        let mut owner = vec![0u32; adtnum as usize + 1];
        let mut system = 0;
        for b in (1..FIRST_FREE_BLOCK)
            .chain(mfd.fst_blocks.iter().chain(&mfd.ext_blocks).map(|&a| u32::from(a)))
        {
            if let Some(o) = owner.get_mut(b as usize) {
                *o = 1;
            }
            system += 1;
        }
        let files: Vec<Fst> = self.files().collect();
        let mut report = CheckReport {
            files: files.len(),
            data_blocks: 0,
            chain_links: 0,
            system_blocks: system,
            blocks_referenced: 0,
            adtused: mfd.adtused,
            qmsk_bits_set: qmsk.count(),
            problems: Vec::new(),
            problem_count: 0,
        };
        let mut names = BTreeSet::new();
        for (k, f) in files.iter().enumerate() {
            if !names.insert(f.id) {
                report.add(Problem::DuplicateFile { file: f.id });
            }
            let w = chain::walk(&mut self.dev, adtnum, f)?;
            if let Some(reason) = &w.broken {
                report.add(Problem::BadChain { file: f.id, reason: reason.clone() });
            }
            for &b in &w.out_of_range {
                report.add(Problem::BlockOutOfRange { file: f.id, block: b });
            }
            report.data_blocks += w.data.len() as u32;
            report.chain_links += w.links.len() as u32;
            for &b in w.links.iter().chain(&w.data) {
                let o = &mut owner[usize::from(b)];
                match *o {
                    0 => *o = k as u32 + 2,
                    1 => report.add(Problem::BlockUsedTwice {
                        file: f.id,
                        block: b,
                        other: Owner::System,
                    }),
                    n => report.add(Problem::BlockUsedTwice {
                        file: f.id,
                        block: b,
                        other: Owner::File(files[n as usize - 2].id),
                    }),
                }
            }
            if w.broken.is_none() && w.out_of_range.is_empty() {
                let r = FileReader::from_walk(&mut self.dev, *f, w)
                    .and_then(|mut reader| reader.try_for_each(|r| r.map(drop)));
                match r {
                    Ok(()) => {}
                    Err(FsError::Corrupt(reason)) => {
                        report.add(Problem::BadRecords { file: f.id, reason })
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        let mut unreferenced = 0;
        for b in 1..=adtnum {
            let used = owner[b as usize] != 0;
            report.blocks_referenced += u32::from(used);
            match (used, qmsk.get(b)) {
                (true, false) => report.add(Problem::NotInQmsk { block: b }),
                (false, true) => unreferenced += 1,
                _ => {}
            }
        }
        if unreferenced > 0 {
            report.add(Problem::UnreferencedInQmsk { count: unreferenced });
        }
        if mfd.adtused != report.qmsk_bits_set {
            report.add(Problem::AdtUsed { recorded: mfd.adtused, actual: report.qmsk_bits_set });
        }
        let left = adtnum.saturating_sub(mfd.adtused);
        if mfd.adtleft != left {
            report.add(Problem::AdtLeft { recorded: mfd.adtleft, expected: left });
        }
        if mfd.adtlast != qmsk.last_nonzero_byte() {
            report.add(Problem::AdtLast {
                recorded: mfd.adtlast,
                expected: qmsk.last_nonzero_byte(),
            });
        }
        Ok(report)
    }
}
