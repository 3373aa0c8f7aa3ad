//! CKD volumes stored as Hercules `CKD_P370` image files.
//!
//! ```text
//! offset 0    "CKD_P370"
//!        8    heads, u32 little-endian
//!       12    track size, u32 little-endian (3350: 19456, 3330: 13312)
//!       16    device-type byte (3350: X'50', 3330: X'30')
//!       17    file sequence (0: a single-file image)
//!       18    high cylinder, u16 little-endian (0 in a single-file image)
//!      512    track t = cylinder * heads + head, each `track size` bytes (see [`super::Track`])
//! ```
//!
//! Tracks are read lazily, one at a time, and kept in a small cache. Every write goes to the
//! file with a positional write (`write_at`) before the call returns, so a crash of the process
//! right after a guest sees its write complete loses nothing; with
//! [`Volume::set_sync_writes`] each write is also flushed to the disk.

use super::geometry::DasdType;
use super::track::Track;
use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// Bytes of the image header.
const HEADER: u64 = 512;

/// Tracks kept in memory per volume.
const CACHE_TRACKS: usize = 64;

/// Why a volume could not be opened, created, read or written.
#[derive(Debug, thiserror::Error)]
pub enum DasdError {
    /// The host file system failed.
    #[error("{path}: {source}")]
    Io {
        /// The image file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a `CKD_P370` image we can use.
    #[error("{path}: {why}")]
    Format {
        /// The image file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A track outside the volume.
    #[error("track {cyl}/{head} is outside the volume")]
    OutOfRange {
        /// Cylinder.
        cyl: u32,
        /// Head.
        head: u32,
    },
    /// A write to a volume opened read-only.
    #[error("the volume is read-only")]
    ReadOnly,
}

struct Inner {
    file: File,
    cache: HashMap<u32, Arc<Track>>,
    order: VecDeque<u32>,
    sync: bool,
}

/// A CKD volume in an image file, shared by every device view of it (`Send + Sync`).
pub struct Volume {
    dtype: DasdType,
    heads: u32,
    cylinders: u32,
    track_size: usize,
    read_only: bool,
    path: PathBuf,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Volume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Volume")
            .field("path", &self.path)
            .field("type", &self.dtype.name)
            .field("cylinders", &self.cylinders)
            .field("heads", &self.heads)
            .finish()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DasdError + '_ {
    move |source| DasdError::Io { path: path.to_path_buf(), source }
}

fn format_err(path: &Path, why: impl Into<String>) -> DasdError {
    DasdError::Format { path: path.to_path_buf(), why: why.into() }
}

/// The 512-byte header of a single-file image.
fn header(dtype: &DasdType) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..8].copy_from_slice(b"CKD_P370");
    h[8..12].copy_from_slice(&dtype.heads.to_le_bytes());
    h[12..16].copy_from_slice(&dtype.image_track_size().to_le_bytes());
    h[16] = dtype.hercules_byte;
    h
}

/// Track 0 as `dasdinit` leaves it: R1 "IPL1" (a disabled-wait PSW and a NOP CCW), R2
/// "IPL2" (zeros) and R3 "VOL1" (the volume label pointing at a VTOC on track 1).
fn label_track(dtype: &DasdType, volser: &str) -> Track {
    use super::track::Count;
    let mut t = Track::formatted(dtype.image_track_size() as usize, 0, 0);
    let ebcdic = |s: &str| crate::ebcdic::from_str(&s.to_ascii_uppercase());
    let rec = |r, kl, dl| Count { cyl: 0, head: 0, rec: r, key_len: kl, data_len: dl };
    let mut ipl1 = [0u8; 24];
    ipl1[..16].copy_from_slice(&[0, 6, 0, 0, 0, 0, 0, 0x0F, 3, 0, 0, 0, 0, 0, 0, 1]);
    let mut vol1 = [0x40u8; 80];
    vol1[..4].copy_from_slice(&ebcdic("VOL1"));
    let mut ser = ebcdic(volser);
    ser.resize(6, 0x40);
    vol1[4..10].copy_from_slice(&ser[..6]);
    vol1[11..16].copy_from_slice(&[0, 0, 0, 1, 1]);
    vol1[41..49].copy_from_slice(&ebcdic("HERCULES"));
    let fit = "a label track fits any CKD track";
    t.append(rec(1, 4, 24), &ebcdic("IPL1"), &ipl1).expect(fit);
    t.append(rec(2, 4, 144), &ebcdic("IPL2"), &[0; 144]).expect(fit);
    t.append(rec(3, 4, 80), &ebcdic("VOL1"), &vol1).expect(fit);
    t
}

impl Volume {
    /// Opens an existing single-file `CKD_P370` image.
    pub fn open(path: &Path, read_only: bool) -> Result<Volume, DasdError> {
        let file =
            OpenOptions::new().read(true).write(!read_only).open(path).map_err(io_err(path))?;
        let mut h = [0u8; 512];
        file.read_exact_at(&mut h, 0).map_err(|_| format_err(path, "shorter than a CKD header"))?;
        if &h[..8] != b"CKD_P370" {
            return Err(format_err(path, "not a Hercules CKD_P370 image"));
        }
        let heads = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
        let track_size = u32::from_le_bytes([h[12], h[13], h[14], h[15]]);
        let dtype = DasdType::from_hercules_byte(h[16])
            .ok_or_else(|| format_err(path, format!("unsupported device type X'{:02X}'", h[16])))?;
        if h[17] != 0 || h[18] != 0 || h[19] != 0 {
            return Err(format_err(path, "multi-file CKD images are not supported"));
        }
        if heads == 0 || heads > 255 || !(512..=65536).contains(&track_size) {
            return Err(format_err(path, format!("bad geometry: {heads} heads, {track_size}")));
        }
        let len = file.metadata().map_err(io_err(path))?.len();
        let cyl_bytes = u64::from(heads) * u64::from(track_size);
        let cylinders = (len.saturating_sub(HEADER) / cyl_bytes) as u32;
        Ok(Volume {
            dtype,
            heads,
            cylinders,
            track_size: track_size as usize,
            read_only,
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                file,
                cache: HashMap::new(),
                order: VecDeque::new(),
                sync: false,
            }),
        })
    }

    /// Opens a gzip-compressed image (`.ckd.gz`): decompresses it into `copy` (created or
    /// replaced) and opens that copy for writing. The compressed file is only read.
    pub fn open_gz(gz: &Path, copy: &Path) -> Result<Volume, DasdError> {
        let src = File::open(gz).map_err(io_err(gz))?;
        let mut dec = flate2::read::GzDecoder::new(src);
        let mut out = File::create(copy).map_err(io_err(copy))?;
        std::io::copy(&mut dec, &mut out).map_err(io_err(gz))?;
        drop(out);
        Volume::open(copy, false)
    }

    /// Opens `path`, decompressing it into `copy` first when it ends in `.gz`.
    pub fn open_any(path: &Path, copy: &Path) -> Result<Volume, DasdError> {
        if path.extension().is_some_and(|e| e == "gz") {
            Volume::open_gz(path, copy)
        } else {
            Volume::open(path, false)
        }
    }

    /// Creates a new image of `cylinders` cylinders (0: the type's full size), initialised as
    /// Hercules `dasdinit` does: every track with a home address and an empty R0, track 0
    /// with the IPL1, IPL2 and VOL1 records for `volser`. Fails if `path` exists.
    pub fn create(
        path: &Path,
        dtype: DasdType,
        cylinders: u32,
        volser: &str,
    ) -> Result<Volume, DasdError> {
        let cylinders = if cylinders == 0 { dtype.cylinders } else { cylinders };
        if cylinders > 0xFFFF {
            return Err(format_err(path, "too many cylinders"));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io_err(path))?;
        let ts = u64::from(dtype.image_track_size());
        let tracks = u64::from(cylinders) * u64::from(dtype.heads);
        file.set_len(HEADER + tracks * ts).map_err(io_err(path))?;
        file.write_all_at(&header(&dtype), 0).map_err(io_err(path))?;
        file.write_all_at(label_track(&dtype, volser).bytes(), HEADER).map_err(io_err(path))?;
        for t in 1..tracks {
            let (c, h) = ((t / u64::from(dtype.heads)) as u16, (t % u64::from(dtype.heads)) as u16);
            let track = Track::formatted(29, c, h);
            file.write_all_at(track.bytes(), HEADER + t * ts).map_err(io_err(path))?;
        }
        file.sync_all().map_err(io_err(path))?;
        drop(file);
        Volume::open(path, false)
    }

    /// The device type.
    pub fn dasd_type(&self) -> DasdType {
        self.dtype
    }

    /// Cylinders in the image.
    pub fn cylinders(&self) -> u32 {
        self.cylinders
    }

    /// Tracks per cylinder.
    pub fn heads(&self) -> u32 {
        self.heads
    }

    /// Bytes per track in the image.
    pub fn track_size(&self) -> usize {
        self.track_size
    }

    /// The image file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Was the volume opened read-only?
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Also flush every write to the disk (`fdatasync`) before it completes: survives a crash
    /// of the host, not only of this process. Off by default.
    pub fn set_sync_writes(&self, on: bool) {
        self.lock().sync = on;
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the file inconsistent (writes go through
        // at once), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn track_no(&self, cyl: u32, head: u32) -> Result<u32, DasdError> {
        if cyl >= self.cylinders || head >= self.heads {
            return Err(DasdError::OutOfRange { cyl, head });
        }
        Ok(cyl * self.heads + head)
    }

    fn load(&self, inner: &mut Inner, t: u32) -> Result<Arc<Track>, DasdError> {
        if let Some(tr) = inner.cache.get(&t) {
            return Ok(Arc::clone(tr));
        }
        let mut buf = vec![0u8; self.track_size];
        let off = HEADER + u64::from(t) * self.track_size as u64;
        inner.file.read_exact_at(&mut buf, off).map_err(io_err(&self.path))?;
        let tr = Arc::new(Track::parse(buf));
        if inner.cache.len() >= CACHE_TRACKS
            && let Some(old) = inner.order.pop_front()
        {
            inner.cache.remove(&old);
        }
        inner.cache.insert(t, Arc::clone(&tr));
        inner.order.push_back(t);
        Ok(tr)
    }

    /// The track at `cyl`/`head` (real cylinder numbers).
    pub fn track(&self, cyl: u32, head: u32) -> Result<Arc<Track>, DasdError> {
        let t = self.track_no(cyl, head)?;
        let mut inner = self.lock();
        self.load(&mut inner, t)
    }

    /// Changes a track: `edit` changes a copy and returns the byte range it changed (or its
    /// own error, which leaves the track untouched). The range is written to the image file
    /// before this returns.
    pub fn edit_track<E>(
        &self,
        cyl: u32,
        head: u32,
        edit: impl FnOnce(&mut Track) -> Result<Range<usize>, E>,
    ) -> Result<Result<(), E>, DasdError> {
        if self.read_only {
            return Err(DasdError::ReadOnly);
        }
        let t = self.track_no(cyl, head)?;
        let mut inner = self.lock();
        let mut track = (*self.load(&mut inner, t)?).clone();
        let range = match edit(&mut track) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let range = range.start.min(self.track_size)..range.end.min(self.track_size);
        if !range.is_empty() {
            let off = HEADER + u64::from(t) * self.track_size as u64 + range.start as u64;
            inner.file.write_all_at(&track.bytes()[range], off).map_err(io_err(&self.path))?;
            if inner.sync {
                inner.file.sync_data().map_err(io_err(&self.path))?;
            }
        }
        inner.cache.insert(t, Arc::new(track));
        if !inner.order.contains(&t) {
            inner.order.push_back(t);
        }
        Ok(Ok(()))
    }

    /// Reads the whole image's bytes of one track directly from the file, bypassing the
    /// cache (for tests and tools that check what is on disk).
    pub fn read_track_from_file(&self, cyl: u32, head: u32) -> Result<Vec<u8>, DasdError> {
        let t = self.track_no(cyl, head)?;
        let mut buf = vec![0u8; self.track_size];
        let off = HEADER + u64::from(t) * self.track_size as u64;
        self.lock().file.read_exact_at(&mut buf, off).map_err(io_err(&self.path))?;
        Ok(buf)
    }
}
