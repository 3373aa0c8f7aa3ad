//! The embedded defaults a fresh data directory is made from, and the example system for IBM's
//! real VM/370 R6 CMS.
//!
//! [`SYSTEM_CONFIG`] and [`USER_DIRECT`] are the texts CP writes into a new data directory (as
//! [`SYSTEM_CONFIG_FILE`] and [`USER_DIRECT_FILE`]) before it reads them back, so a person
//! can edit them afterwards. The default system has two 3350 volumes (VM370S, VM370U), the
//! built-in CMS for both machines, a TN3270 and a line-mode listener on loopback, and the
//! users VM/370 people know:
//!
//! | user | password | classes | storage | machine |
//! |---|---|---|---|---|
//! | MAINT | CPCMS | A-H | 15M / 16M | 370 — owns 190 (S), 19E (Y), 191 |
//! | OPERATOR | OPERATOR | A-H | 2M / 16M | 370 |
//! | CMSUSER | CMSUSER | G | 15M / 16M | 370 |
//! | ALICE | ALICE | G | 4M / 16M | 370 |
//! | BOB | BOB | G | 4M / 16M | 370 |
//! | X86USER | X86USER | G | 16M / 64M | x86 |
//!
//! Every user but MAINT has a 5-cylinder 191 A-disk on VM370U and links MAINT 190 and 19E
//! read-only (`RR`); MAINT, CMSUSER and X86USER IPL `CMS` at logon. MAINT's 190 is the CMS system
//! disk, which `IPL 190` starts CMS from ([`crate::sysdisk`]).
//!
//! [`r6`] holds the configuration and directory for IBM's R6 CMS (user CMSR6/CMSR6), whose
//! paths point into the shared data tree through `$SHARED` (see [`crate::config`]).

use crate::config::{self, SystemConfig};
use crate::directory::{self, Directory};

/// File name of the configuration in a data directory.
pub const SYSTEM_CONFIG_FILE: &str = "SYSTEM.CONFIG";
/// File name of the directory in a data directory (what the default configuration names).
pub const USER_DIRECT_FILE: &str = "USER.DIRECT";

/// The default system configuration text.
pub const SYSTEM_CONFIG: &str = include_str!("SYSTEM.CONFIG");
/// The default `USER DIRECT` text.
pub const USER_DIRECT: &str = include_str!("USER.DIRECT");

/// The files of a fresh data directory: `(file name, contents)`.
pub const FILES: [(&str, &str); 2] =
    [(SYSTEM_CONFIG_FILE, SYSTEM_CONFIG), (USER_DIRECT_FILE, USER_DIRECT)];

/// The default configuration, parsed.
pub fn system_config() -> SystemConfig {
    config::parse(SYSTEM_CONFIG, SYSTEM_CONFIG_FILE)
        .expect("the embedded SYSTEM.CONFIG parses (checked by the crate's tests)")
}

/// The default directory, parsed.
pub fn directory() -> Directory {
    directory::parse(USER_DIRECT, USER_DIRECT_FILE)
        .expect("the embedded USER.DIRECT parses (checked by the crate's tests)")
}

/// The example system for IBM's VM/370 R6 CMS (issue 9): copy [`FILES`](r6::FILES) into an
/// empty data directory and start CP on it.
pub mod r6 {
    use super::*;

    /// Configuration for the R6 example.
    pub const SYSTEM_CONFIG: &str = include_str!("r6/SYSTEM.CONFIG");
    /// Directory for the R6 example.
    pub const USER_DIRECT: &str = include_str!("r6/USER.DIRECT");
    /// The files of an R6 data directory: `(file name, contents)`.
    pub const FILES: [(&str, &str); 2] =
        [(SYSTEM_CONFIG_FILE, SYSTEM_CONFIG), (USER_DIRECT_FILE, USER_DIRECT)];

    /// Which CMS an R6 data directory IPLs for `IPL CMS`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Cms {
        /// IBM's saved segment from `../shared/data` (as [`SYSTEM_CONFIG`] says).
        Ibm,
        /// This project's built-in S/370 CMS, on IBM's disks.
        Ours,
    }

    /// Writes the files of an R6 data directory into `dir`, `IPL CMS` giving `cms`.
    pub fn write_files(dir: &std::path::Path, cms: Cms) -> std::io::Result<()> {
        let config = match cms {
            Cms::Ibm => SYSTEM_CONFIG.to_string(),
            Cms::Ours => SYSTEM_CONFIG
                .lines()
                .map(|l| {
                    if l.starts_with("SAVESYS CMS ") { "SAVESYS CMS 256 0 BUILTIN IPL" } else { l }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        std::fs::write(dir.join(SYSTEM_CONFIG_FILE), config)?;
        std::fs::write(dir.join(USER_DIRECT_FILE), USER_DIRECT)
    }

    /// The R6 configuration, parsed.
    pub fn system_config() -> SystemConfig {
        config::parse(SYSTEM_CONFIG, "r6/SYSTEM.CONFIG")
            .expect("the embedded r6/SYSTEM.CONFIG parses (checked by the crate's tests)")
    }

    /// The R6 directory, parsed.
    pub fn directory() -> Directory {
        directory::parse(USER_DIRECT, "r6/USER.DIRECT")
            .expect("the embedded r6/USER.DIRECT parses (checked by the crate's tests)")
    }
}
