//! Helpers shared by the `cms` crate tests: the shared data directory, IBM's R6 disks,
//! and the independent reader `cmsfs.py`.
#![allow(dead_code)] // each test file uses a different subset

pub mod ckd;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use ckd::CkdImage;

/// `../shared` relative to the workspace root.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The R6 disk images (`*.3350.ckd.gz`), or `None` (after printing the skip line) when the
/// data is absent.
pub fn real_disks() -> Option<Vec<PathBuf>> {
    let dir = shared().join("data/vm370r6");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("skipped: ../shared/data not present");
        return None;
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".3350.ckd.gz"))
        .collect();
    v.sort();
    if v.is_empty() {
        println!("skipped: ../shared/data not present");
        return None;
    }
    Some(v)
}

/// One named R6 disk (e.g. `gcccms-201`), or `None` after printing the skip line.
pub fn real_disk(name: &str) -> Option<PathBuf> {
    let p = shared().join(format!("data/vm370r6/{name}.3350.ckd.gz"));
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: ../shared/data not present");
        None
    }
}

/// Decompress an image into memory.
pub fn load(path: &Path) -> CkdImage {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open image"))
        .read_to_end(&mut bytes)
        .expect("gunzip image");
    CkdImage::parse(bytes).expect("a CMS-formatted CKD image")
}

/// The disk's short name: `cmsuser-191` for `.../cmsuser-191.3350.ckd.gz`.
pub fn short_name(path: &Path) -> String {
    let f = path.file_name().unwrap().to_string_lossy();
    f.trim_end_matches(".3350.ckd.gz").to_string()
}

/// `python3 cmsfs.py ARGS...`, or `None` (after printing the skip line) without python3 or
/// the tool.
pub fn cmsfs_py(args: &[&str]) -> Option<std::process::Output> {
    let tool = shared().join("tools/cmsfs.py");
    if !tool.exists() {
        println!("skipped: ../shared/tools/cmsfs.py not present");
        return None;
    }
    match Command::new("python3").arg(&tool).args(args).output() {
        Ok(out) => Some(out),
        Err(_) => {
            println!("skipped: python3 not available");
            None
        }
    }
}

/// `cmsfs.py IMAGE ARGS...`, stdout as text; panics if the tool fails.
pub fn cmsfs_text(image: &Path, args: &[&str]) -> Option<String> {
    let mut a = vec![image.to_str().unwrap()];
    a.extend_from_slice(args);
    let out = cmsfs_py(&a)?;
    assert!(out.status.success(), "cmsfs.py {a:?}: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("utf-8"))
}

/// Write an image to a temporary file.
pub fn save(img: &CkdImage, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, &img.bytes).expect("write image");
    p
}
