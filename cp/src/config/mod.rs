//! The system configuration file (`SYSTEM.CONFIG` in the data directory): this project's own
//! file, in the spirit of VM/SP's SYSTEM CONFIG — one statement per line, blank-delimited
//! operands, keywords in any case, `*` as the first token for a comment. Unlike the directory,
//! whole lines are read, and an operand a statement does not take is an error.
//!
//! ```text
//! SYSID name                                  system identifier (3270 status area)  [VM370]
//! VOLUME volser devtype path [CYLINDERS n] [ADDRESS raddr] [SOURCE path]
//!                                             a real DASD volume and its CKD image file
//! SAVESYS name pages loadpage path|BUILTIN [IPL] [MACHINE 370|X86]
//!                                             a named saved system or segment
//! LISTEN TN3270|LINEMODE address:port         a terminal listener (several allowed)
//! CPUS n                                      real processors; 0 = host cores          [0]
//! TIMEZONE name +hh:mm|-hh:mm                 zone name and offset from UTC    [UTC +00:00]
//! READYMSG R|READY                            CMS ready message R; or Ready;           [R]
//! LOGMSG text                                 one line of the logon message (repeatable)
//! DISCTIME minutes                            disconnect timeout; 0 = never           [15]
//! SPOOLDIR path                               spool files                          [spool]
//! DIRECTORY path                              the USER DIRECT file           [USER.DIRECT]
//! ```
//!
//! `VOLUME`: `CYLINDERS` gives a volume smaller than a full pack of its type (image files need
//! not be full size); `ADDRESS` fixes its real device address (else CP assigns one); `SOURCE`
//! names an image to copy — decompressing a `.gz` — when the image file does not exist yet.
//!
//! `SAVESYS`: `pages` 4K pages loaded at page `loadpage` (address `loadpage * 4096`), from a
//! segment file (page 0 the saved CPU state, then the pages — the emx370 `:segment` layout,
//! e.g. `SAVESYS CMS 33 0 ... IPL` and `SAVESYS CMSSEG 16 3840 ...`) or `BUILTIN`, this
//! project's own CMS built into the `vm370` binary, for which `pages` is the room reserved.
//! `IPL` lets the directory and the `IPL` command load it by name; `MACHINE` says which
//! backend it is for, so an S/370 and an x86 `CMS` can both exist and each user gets the one
//! for its machine.
//!
//! Paths (see [`ConfigPath`]): absolute; relative to the data directory; or `$NAME/...`
//! where `$DATA` is the data directory and other names are supplied by the caller — CP
//! start-up uses [`standard_placeholder`], which defines `$SHARED` (the shared data tree,
//! `$VM370_SHARED` if set, else `../shared` next to the source tree). Paths cannot contain
//! blanks.
//!
//! Start with [`parse`]. The embedded defaults are in [`crate::defaults`].

mod model;
mod parser;

use std::fmt::Write as _;
use std::path::PathBuf;

pub use model::{
    ConfigPath, ListenKind, Listener, ReadyMessage, ResolveError, SavedSource, SavedSystem,
    SystemConfig, TimeZone, Volume,
};
pub use parser::parse;

use crate::directory::Machine;

/// Environment variable that overrides where `$SHARED` points.
pub const SHARED_ENV: &str = "VM370_SHARED";

/// The placeholder values CP start-up resolves paths with: `SHARED` is `$VM370_SHARED` when
/// set, else the `shared` directory beside the workspace this binary was built from
/// (`<workspace>/../shared`). Other names are undefined.
pub fn standard_placeholder(name: &str) -> Option<PathBuf> {
    if !name.eq_ignore_ascii_case("SHARED") {
        return None;
    }
    match std::env::var_os(SHARED_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => Some(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))),
    }
}

impl SystemConfig {
    /// The configuration in canonical form; `parse` of the result equals `self`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "SYSID {}", self.sysid);
        for v in &self.volumes {
            let _ = write!(s, "VOLUME {} {} {}", v.volser, v.devtype, v.path);
            if let Some(n) = v.cylinders {
                let _ = write!(s, " CYLINDERS {n}");
            }
            if let Some(a) = v.address {
                let _ = write!(s, " ADDRESS {a}");
            }
            if let Some(src) = &v.source {
                let _ = write!(s, " SOURCE {src}");
            }
            s.push('\n');
        }
        for n in &self.saved_systems {
            let src = match &n.source {
                SavedSource::Builtin => "BUILTIN".to_string(),
                SavedSource::File(p) => p.to_string(),
            };
            let _ = write!(s, "SAVESYS {} {} {} {src}", n.name, n.pages, n.load_page);
            if n.ipl {
                s.push_str(" IPL");
            }
            if n.machine != Machine::S370 {
                let _ = write!(s, " MACHINE {}", n.machine);
            }
            s.push('\n');
        }
        for l in &self.listeners {
            let _ = writeln!(s, "LISTEN {} {}", l.kind.as_str(), l.address);
        }
        let _ = writeln!(s, "CPUS {}", self.cpus);
        let _ = writeln!(s, "TIMEZONE {}", self.timezone);
        let _ = writeln!(s, "READYMSG {}", self.ready_message.as_str());
        for m in &self.log_message {
            let _ = writeln!(s, "LOGMSG {m}");
        }
        let _ = writeln!(s, "DISCTIME {}", self.disconnect_timeout);
        let _ = writeln!(s, "SPOOLDIR {}", self.spool_dir);
        let _ = writeln!(s, "DIRECTORY {}", self.directory_file);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn paths_resolve_against_data_dir_and_placeholders() {
        let data = Path::new("/data");
        let vars = |n: &str| (n == "SHARED").then(|| PathBuf::from("/sh"));
        let r = |p: &str| ConfigPath::new(p).resolve(data, vars);
        assert_eq!(r("volumes/a.ckd"), Ok(PathBuf::from("/data/volumes/a.ckd")));
        assert_eq!(r("/abs/a.ckd"), Ok(PathBuf::from("/abs/a.ckd")));
        assert_eq!(r("$SHARED/data/x"), Ok(PathBuf::from("/sh/data/x")));
        assert_eq!(r("$shared"), Ok(PathBuf::from("/sh")));
        assert_eq!(r("$DATA/spool"), Ok(PathBuf::from("/data/spool")));
        assert_eq!(
            r("$NOPE/x"),
            Err(ResolveError::UnknownPlaceholder { name: "NOPE".into(), path: "$NOPE/x".into() })
        );
    }

    #[test]
    fn standard_placeholder_defines_shared_only() {
        assert!(standard_placeholder("SHARED").is_some());
        assert!(standard_placeholder("OTHER").is_none());
    }
}
