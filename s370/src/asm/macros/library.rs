//! Macro and COPY libraries: members looked up by name in the in-memory map, then the
//! resolver callback, then each library directory (one file per member: `NAME.macro`,
//! `NAME.mac`, `NAME.copy`, `NAME.cpy`, either case, or a CMS MACLIB file in the
//! directory holding the member).

use std::path::Path;

use crate::asm::Options;
use crate::asm::maclib;

/// A member found in a library: a name for messages, and its text.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// Where it came from (`DIR/NAME.macro`, `NAME`, `LIB MACLIB(NAME)`).
    pub origin: String,
    /// Its source text.
    pub text: String,
}

const EXTS: [&str; 5] = ["macro", "mac", "copy", "cpy", ""];

/// Finds member `name` (an ordinary symbol, upper case).
pub(crate) fn find(opts: &Options, name: &str) -> Option<Member> {
    if let Some(t) = opts.members.get(name) {
        return Some(Member { origin: name.to_string(), text: t.clone() });
    }
    if let Some(r) = &opts.resolver
        && let Some(t) = r(name)
    {
        return Some(Member { origin: name.to_string(), text: t });
    }
    let lower = name.to_ascii_lowercase();
    for dir in &opts.maclib_dirs {
        for base in [name, lower.as_str()] {
            for ext in EXTS {
                for ext in [ext.to_string(), ext.to_ascii_uppercase()] {
                    let file =
                        if ext.is_empty() { base.to_string() } else { format!("{base}.{ext}") };
                    let p = dir.join(&file);
                    if p.is_file()
                        && let Ok(t) = std::fs::read(&p)
                    {
                        return Some(Member {
                            origin: p.display().to_string(),
                            text: String::from_utf8_lossy(&t).into_owned(),
                        });
                    }
                }
            }
        }
        if let Some(m) = in_maclibs(dir, name) {
            return Some(m);
        }
    }
    None
}

fn in_maclibs(dir: &Path, name: &str) -> Option<Member> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("maclib")))
        .collect();
    files.sort();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else { continue };
        if let Some(text) = maclib::member(&bytes, name) {
            return Some(Member { origin: format!("{}({name})", f.display()), text });
        }
    }
    None
}
