//! Named saved systems and saved segments (`SAVESYS`, `IPL name`, DIAGNOSE X'64').
//!
//! A saved system is an image of guest storage pages plus the processor state at the moment
//! it was saved, so `IPL CMS` starts CMS from where `SAVESYS CMS` left it instead of booting
//! it. The file format is the one of `../shared/data/vm370r6/CMS.segment`:
//!
//! ```text
//! page 0 (4096 bytes): saved processor state
//!     0  PSW (8)   8  GPR0-15 (64)   72  FPR0,2,4,6 (32)   104  CR0-15 (64)
//!   168  one storage-key byte per saved 4K page
//! pages 1..=n: the storage pages, loaded at `load_page * 4096`
//! ```

use std::path::{Path, PathBuf};

/// Size of a saved page.
pub const PAGE: usize = 4096;

/// The processor state a saved system resumes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedState {
    /// The PSW.
    pub psw: u64,
    /// General registers.
    pub gpr: [u32; 16],
    /// Floating-point registers 0, 2, 4, 6.
    pub fpr: [u64; 4],
    /// Control registers.
    pub cr: [u32; 16],
    /// Storage key per saved page.
    pub keys: Vec<u8>,
}

/// A named saved system or segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSystem {
    /// Its name (`CMS`, `CMSSEG`).
    pub name: String,
    /// The first page it occupies in guest storage.
    pub load_page: u32,
    /// May it be IPLed (a saved system), or is it only a segment for DIAGNOSE X'64'?
    pub ipl: bool,
    /// The saved state.
    pub state: SavedState,
    /// The pages, `n * 4096` bytes.
    pub pages: Vec<u8>,
}

/// A saved system that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum NssError {
    /// The file could not be read.
    #[error("saved system {name}: cannot read {path}: {source}")]
    Io {
        /// System name.
        name: String,
        /// The file.
        path: PathBuf,
        /// The host error.
        source: std::io::Error,
    },
    /// The file is not a saved system of the size configured.
    #[error("saved system {name}: {path} holds {found} pages, {expected} expected")]
    Size {
        /// System name.
        name: String,
        /// The file.
        path: PathBuf,
        /// Pages configured.
        expected: usize,
        /// Pages in the file.
        found: usize,
    },
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn be64(b: &[u8], at: usize) -> u64 {
    (u64::from(be32(b, at)) << 32) | u64::from(be32(b, at + 4))
}

impl SavedSystem {
    /// Reads a saved system of `pages` pages from `path`.
    pub fn load(
        name: &str,
        path: &Path,
        pages: usize,
        load_page: u32,
        ipl: bool,
    ) -> Result<SavedSystem, NssError> {
        let bytes = std::fs::read(path).map_err(|source| NssError::Io {
            name: name.into(),
            path: path.to_path_buf(),
            source,
        })?;
        SavedSystem::from_bytes(name, &bytes, pages, load_page, ipl).ok_or_else(|| NssError::Size {
            name: name.into(),
            path: path.to_path_buf(),
            expected: pages,
            found: bytes.len() / PAGE,
        })
    }

    /// Builds a saved system from the bytes of a segment file.
    pub fn from_bytes(
        name: &str,
        bytes: &[u8],
        pages: usize,
        load_page: u32,
        ipl: bool,
    ) -> Option<SavedSystem> {
        if pages == 0 || pages > 4096 || bytes.len() != (pages + 1) * PAGE || 168 + pages > PAGE {
            return None;
        }
        let st = &bytes[..PAGE];
        let state = SavedState {
            psw: be64(st, 0),
            gpr: std::array::from_fn(|i| be32(st, 8 + 4 * i)),
            fpr: std::array::from_fn(|i| be64(st, 72 + 8 * i)),
            cr: std::array::from_fn(|i| be32(st, 104 + 4 * i)),
            keys: st[168..168 + pages].to_vec(),
        };
        Some(SavedSystem {
            name: name.to_ascii_uppercase(),
            load_page,
            ipl,
            state,
            pages: bytes[PAGE..].to_vec(),
        })
    }

    /// The segment file bytes of this saved system (the inverse of [`SavedSystem::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut st = vec![0u8; PAGE];
        st[0..8].copy_from_slice(&self.state.psw.to_be_bytes());
        for i in 0..16 {
            st[8 + 4 * i..12 + 4 * i].copy_from_slice(&self.state.gpr[i].to_be_bytes());
            st[104 + 4 * i..108 + 4 * i].copy_from_slice(&self.state.cr[i].to_be_bytes());
        }
        for i in 0..4 {
            st[72 + 8 * i..80 + 8 * i].copy_from_slice(&self.state.fpr[i].to_be_bytes());
        }
        let n = self.state.keys.len().min(PAGE - 168);
        st[168..168 + n].copy_from_slice(&self.state.keys[..n]);
        st.extend_from_slice(&self.pages);
        st
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len() / PAGE
    }

    /// First guest address it occupies.
    pub fn start(&self) -> u32 {
        self.load_page * PAGE as u32
    }

    /// Last guest address it occupies.
    pub fn end(&self) -> u32 {
        self.start() + self.pages.len() as u32 - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Option<PathBuf> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/vm370r6");
        p.is_dir().then_some(p)
    }

    #[test]
    fn ibm_cms_saved_system() {
        let Some(dir) = shared() else {
            println!("skipped: ../shared/data not present");
            return;
        };
        let cms = SavedSystem::load("CMS", &dir.join("CMS.segment"), 33, 0, true).expect("CMS");
        assert_eq!(cms.state.psw, 0x000400CA_80020128);
        assert_eq!(cms.state.gpr[1], 0x848);
        assert_eq!(cms.state.gpr[3], 0xF00000);
        assert_eq!((cms.start(), cms.end()), (0, 0x20FFF));
        assert_eq!(cms.state.keys[0], 0xF6);
        assert_eq!(cms.state.keys[7], 0xE6);
        let seg = SavedSystem::load("CMSSEG", &dir.join("CMSSEG.segment"), 16, 3840, false)
            .expect("CMSSEG");
        assert_eq!((seg.start(), seg.end()), (0xF00000, 0xF0FFFF));
        let bytes = std::fs::read(dir.join("CMS.segment")).expect("read");
        let again = cms.to_bytes();
        assert!(again[..168 + 33] == bytes[..168 + 33], "state round trip");
        assert!(again[PAGE..] == bytes[PAGE..], "pages round trip");
        assert!(SavedSystem::load("CMS", &dir.join("CMS.segment"), 32, 0, true).is_err());
    }

    #[test]
    fn rejects_wrong_sizes() {
        assert!(SavedSystem::from_bytes("X", &[0; PAGE], 1, 0, true).is_none());
        assert!(SavedSystem::from_bytes("X", &[0; 2 * PAGE], 1, 0, true).is_some());
        assert!(SavedSystem::from_bytes("X", &[0; 2 * PAGE], 0, 0, true).is_none());
    }
}
