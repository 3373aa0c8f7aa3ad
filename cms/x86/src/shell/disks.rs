//! The accessed disks: mode letters, read-only extensions, the search order, and which files
//! each disk shows (commands.md §4.1).

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::fs::{BlockDevice, CmsDisk, FileId, FilePattern, Fst};

/// At most this many disks are accessed at once (R6).
pub const MAX_DISKS: usize = 10;

/// A CMS disk accessed at a mode letter.
pub struct Disk {
    /// Its mode letter.
    pub letter: char,
    /// Its virtual device address.
    pub cuu: u16,
    /// The disk it is a read-only extension of.
    pub parent: Option<char>,
    /// Accessed read/write.
    pub rw: bool,
    /// `ACCESS ... (MODE0`: mode 0 files are visible although the disk is read-only.
    pub mode0: bool,
    /// `ACCESS cuu m/p fn ft fm`: only these files are visible.
    pub subset: Option<FilePattern>,
    /// The file system.
    pub fs: CmsDisk<Box<dyn BlockDevice>>,
}

impl Disk {
    /// The mode field of QUERY SEARCH: `A` or `Y/S`.
    pub fn mode_field(&self) -> alloc::string::String {
        match self.parent {
            Some(p) => alloc::format!("{}/{}", self.letter, p),
            None => alloc::format!("{}", self.letter),
        }
    }
}

/// Which disks a file search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every accessed disk, in search order (`fm` = `*`).
    All,
    /// Disk `letter` and its read-only extensions; a mode number if one was given.
    Disk(char, Option<u8>),
    /// Disk `letter` only (LISTFILE, DISK DUMP).
    Only(char, Option<u8>),
}

/// The set of accessed disks.
#[derive(Default)]
pub struct Disks {
    list: Vec<Disk>,
}

impl Disks {
    /// The disk at `letter`.
    pub fn get(&self, letter: char) -> Option<&Disk> {
        self.list.iter().find(|d| d.letter == letter)
    }

    /// The disk at `letter`, to change it.
    pub fn get_mut(&mut self, letter: char) -> Option<&mut Disk> {
        self.list.iter_mut().find(|d| d.letter == letter)
    }

    /// The letters at which `cuu` is accessed.
    pub fn letters_of(&self, cuu: u16) -> Vec<char> {
        self.list.iter().filter(|d| d.cuu == cuu).map(|d| d.letter).collect()
    }

    /// How many disks are accessed.
    pub fn count(&self) -> usize {
        self.list.len()
    }

    /// Adds (or replaces) a disk.
    pub fn insert(&mut self, d: Disk) {
        self.remove(d.letter);
        self.list.push(d);
    }

    /// Releases the disk at `letter`.
    pub fn remove(&mut self, letter: char) -> Option<Disk> {
        let i = self.list.iter().position(|d| d.letter == letter)?;
        Some(self.list.remove(i))
    }

    /// Releases everything (IPL).
    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// The letters in search order: A-Z, each read-only extension right after its parent.
    pub fn search_order(&self) -> Vec<char> {
        let mut letters: Vec<char> = self.list.iter().map(|d| d.letter).collect();
        letters.sort_unstable();
        let mut out = Vec::with_capacity(letters.len());
        let has_parent = |l: char| {
            self.get(l).and_then(|d| d.parent).is_some_and(|p| self.get(p).is_some() && p != l)
        };
        for &l in &letters {
            if has_parent(l) {
                continue;
            }
            self.push_with_extensions(l, &letters, &mut out, 0);
        }
        // Extensions whose parent chain loops (never the case in practice) still appear.
        for &l in &letters {
            if !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }

    fn push_with_extensions(&self, l: char, letters: &[char], out: &mut Vec<char>, depth: u8) {
        if out.contains(&l) || depth > 26 {
            return;
        }
        out.push(l);
        for &e in letters {
            if e != l && self.get(e).and_then(|d| d.parent) == Some(l) {
                self.push_with_extensions(e, letters, out, depth + 1);
            }
        }
    }

    /// The letters a search with `scope` looks at, in order.
    pub fn scope_letters(&self, scope: Scope) -> Vec<char> {
        let order = self.search_order();
        match scope {
            Scope::All => order,
            Scope::Only(l, _) => order.into_iter().filter(|&x| x == l).collect(),
            Scope::Disk(l, _) => {
                order.into_iter().filter(|&x| x == l || self.extends(x, l)).collect()
            }
        }
    }

    /// Whether `x` is (transitively) a read-only extension of `l`.
    fn extends(&self, x: char, l: char) -> bool {
        let mut cur = x;
        for _ in 0..26 {
            match self.get(cur).and_then(|d| d.parent) {
                Some(p) if p == l => return true,
                Some(p) if p != cur => cur = p,
                _ => return false,
            }
        }
        false
    }

    /// Whether `d` is the system disk S or an extension of it (only mode 2 files show).
    pub fn is_system(&self, d: &Disk) -> bool {
        d.letter == 'S' || self.extends(d.letter, 'S')
    }

    /// Whether file `f` on disk `d` can be seen: mode 0 files are hidden on read-only disks
    /// (unless MODE0), the system disk shows only mode 2 files, a subset only its files.
    pub fn visible(&self, d: &Disk, f: &Fst) -> bool {
        let number = f.mode_number();
        if !d.rw && !d.mode0 && number == Some(0) {
            return false;
        }
        if self.is_system(d) && number != Some(2) {
            return false;
        }
        if let Some(p) = &d.subset
            && !(p.matches_names(&f.id) && p.mode.number.is_none_or(|n| number == Some(n)))
        {
            return false;
        }
        true
    }

    /// The first file `id` visible in `scope`, with its disk letter.
    pub fn find(&self, id: &FileId, scope: Scope) -> Option<(char, Fst)> {
        let number = match scope {
            Scope::All => None,
            Scope::Disk(_, n) | Scope::Only(_, n) => n,
        };
        for l in self.scope_letters(scope) {
            let d = self.get(l)?;
            if let Some(f) = d.fs.find(id)
                && self.visible(d, &f)
                && number.is_none_or(|n| f.mode_number() == Some(n))
            {
                return Some((l, f));
            }
        }
        None
    }

    /// Every visible file matching `pattern` in `scope`: disk by disk in search order, sorted
    /// by filename and filetype on each disk.
    pub fn matching(&self, pattern: &FilePattern, scope: Scope) -> Vec<(char, Fst)> {
        let number = match scope {
            Scope::All => pattern.mode.number,
            Scope::Disk(_, n) | Scope::Only(_, n) => n.or(pattern.mode.number),
        };
        let mut out = Vec::new();
        for l in self.scope_letters(scope) {
            let Some(d) = self.get(l) else { continue };
            let mut on_disk: Vec<Fst> =
                d.fs.files()
                    .filter(|f| {
                        pattern.matches_names(&f.id)
                            && number.is_none_or(|n| f.mode_number() == Some(n))
                            && self.visible(d, f)
                    })
                    .collect();
            on_disk.sort_by_key(|a| a.id);
            out.extend(on_disk.into_iter().map(|f| (l, f)));
        }
        out
    }

    /// The first R/W disk in search order (`&DISK*`).
    pub fn first_rw(&self) -> Option<char> {
        self.search_order().into_iter().find(|&l| self.get(l).is_some_and(|d| d.rw))
    }

    /// The R/W disk with the most free blocks (`&DISK?`, `QUERY DISK MAX`).
    pub fn most_free_rw(&self) -> Option<char> {
        let mut best: Option<(char, u32)> = None;
        for l in self.search_order() {
            let Some(d) = self.get(l) else { continue };
            if !d.rw {
                continue;
            }
            let left = d.fs.status().left;
            if best.is_none_or(|(_, b)| left > b) {
                best = Some((l, left));
            }
        }
        best.map(|(l, _)| l)
    }
}
