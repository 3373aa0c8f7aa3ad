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

/// A listing in `cmsfs.py list` format (sorted by filetype, then filename), header first.
pub fn listing<D: cms::fs::BlockDevice>(disk: &cms::fs::CmsDisk<D>) -> Vec<String> {
    let mut files: Vec<cms::fs::Fst> = disk.files().collect();
    files.sort_by_key(|f| (f.id.ftype.to_text(), f.id.fname.to_text()));
    let mut out = vec![format!(
        "{:<8} {:<8} {:<2} {:1} {:>5} {:>6} {:>6} {:<8} {:>5}",
        "FILENAME", "FILETYPE", "FM", "F", "LRECL", "RECS", "BLOCKS", "DATE", "TIME"
    )];
    for f in files {
        let s = f.stamp;
        out.push(format!(
            "{:<8} {:<8} {:<2} {:1} {:>5} {:>6} {:>6} {:<8} {:>5}",
            f.id.fname.to_text(),
            f.id.ftype.to_text(),
            cms::fs::ebcdic::decode(&f.mode_raw),
            f.recfm.to_string(),
            f.lrecl,
            f.records,
            f.blocks,
            format!("{:02}/{:02}/{:02}", s.month, s.day, s.year),
            format!("{:02}:{:02}", s.hour, s.minute),
        ));
    }
    out
}

/// Python's `str.isspace` for the Latin-1 characters code page 037 decodes to.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// What `cmsfs.py IMAGE get FN FT OUT` writes for a file with these records: text (most bytes
/// printable EBCDIC) as UTF-8 lines, F records right-trimmed; otherwise the raw records, V
/// records each preceded by its halfword length.
pub fn cmsfs_get_bytes(recfm: cms::fs::RecFm, items: &[Vec<u8>]) -> Vec<u8> {
    let (mut ok, mut tot) = (0u64, 0u64);
    for it in items.iter().take(200) {
        for &c in it {
            tot += 1;
            if c == 0x40 || (0x4A..=0xF9).contains(&c) || c == 0x05 {
                ok += 1;
            }
        }
    }
    let text = items.is_empty() || tot == 0 || ok as f64 / tot as f64 > 0.97;
    let mut out = Vec::new();
    for it in items {
        if text {
            let s = cms::fs::ebcdic::decode(it);
            let s = if recfm == cms::fs::RecFm::F { s.trim_end_matches(py_space) } else { &s };
            out.extend_from_slice(s.as_bytes());
            out.push(b'\n');
        } else {
            if recfm == cms::fs::RecFm::V {
                out.extend_from_slice(&(it.len() as u16).to_be_bytes());
            }
            out.extend_from_slice(it);
        }
    }
    out
}

/// Run `cmsfs.py get` on every file of `image` (one python process), writing `<i>.get` (the
/// tool's output) and `<i>.raw` (its records, each as a 4-byte length + bytes) for the i-th
/// FST in directory order. `None` after printing the skip line without python3.
pub fn cmsfs_get_all(image: &Path, out: &Path) -> Option<()> {
    const SCRIPT: &str = r#"
import importlib.util, os, struct, sys
tool, img, out = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("cmsfs", tool)
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
d = m.CmsDisk(img)
for i, f in enumerate(d.fsts()):
    base = os.path.join(out, str(i))
    rc = m.main(["cmsfs.py", img, "get", f["fn"], f["ft"], base + ".get"])
    assert rc == 0, (f["fn"], f["ft"], rc)
    with open(base + ".raw", "wb") as o:
        for it in d.read_items(f):
            o.write(struct.pack(">I", len(it)))
            o.write(it)
"#;
    let tool = shared().join("tools/cmsfs.py");
    let status =
        Command::new("python3").arg("-c").arg(SCRIPT).arg(&tool).arg(image).arg(out).status();
    match status {
        Ok(s) => {
            assert!(s.success(), "cmsfs.py get failed on {}", image.display());
            Some(())
        }
        Err(_) => {
            println!("skipped: python3 not available");
            None
        }
    }
}

/// Records from a `.raw` file written by [`cmsfs_get_all`].
pub fn raw_items(path: &Path) -> Vec<Vec<u8>> {
    let b = std::fs::read(path).expect("read raw items");
    let mut v = Vec::new();
    let mut p = 0;
    while p < b.len() {
        let n = u32::from_be_bytes(b[p..p + 4].try_into().unwrap()) as usize;
        v.push(b[p + 4..p + 4 + n].to_vec());
        p += 4 + n;
    }
    v
}

/// A number from `cmsfs.py info` JSON output (`"key": 123`).
pub fn json_number(json: &str, key: &str) -> u64 {
    let pat = format!("\"{key}\": ");
    let at = json.find(&pat).unwrap_or_else(|| panic!("{key} not in {json}")) + pat.len();
    json[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// A string from `cmsfs.py info` JSON output (`"key": "text"`).
pub fn json_string(json: &str, key: &str) -> String {
    let pat = format!("\"{key}\": \"");
    let at = json.find(&pat).unwrap_or_else(|| panic!("{key} not in {json}")) + pat.len();
    json[at..].chars().take_while(|&c| c != '"').collect()
}

/// Compare every file of `disk` with `cmsfs.py get` run on `image` (the same disk saved).
pub fn compare_with_cmsfs<D: cms::fs::BlockDevice>(
    disk: &mut cms::fs::CmsDisk<D>,
    image: &Path,
) -> Option<usize> {
    let out = tempfile::tempdir().expect("temp dir");
    cmsfs_get_all(image, out.path())?;
    let files: Vec<cms::fs::Fst> = disk.files().collect();
    for (i, f) in files.iter().enumerate() {
        let items = disk.read_records(&f.id).unwrap_or_else(|e| panic!("{}: {e}", f.id));
        let raw = raw_items(&out.path().join(format!("{i}.raw")));
        assert!(items == raw, "{}: records differ from cmsfs.py", f.id);
        let get = std::fs::read(out.path().join(format!("{i}.get"))).expect("get output");
        assert!(cmsfs_get_bytes(f.recfm, &items) == get, "{}: differs from cmsfs.py get", f.id);
    }
    Some(files.len())
}
