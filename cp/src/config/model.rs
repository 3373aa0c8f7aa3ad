//! The system configuration as data.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::directory::{DasdType, Directory, ExtentProblem, IplTarget, Machine, VAddr, VolumeInfo};

/// The whole configuration. `Default` is what a file without statements gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemConfig {
    /// System identifier shown in the 3270 status area and on the logo (`SYSID`).
    pub sysid: String,
    /// Real DASD volumes and their image files (`VOLUME`), in file order.
    pub volumes: Vec<Volume>,
    /// Named saved systems and segments (`SAVESYS`), in file order.
    pub saved_systems: Vec<SavedSystem>,
    /// Terminal listeners (`LISTEN`), in file order; none = the command line decides.
    pub listeners: Vec<Listener>,
    /// Real processors (dispatcher worker threads); 0 = as many as the host has cores.
    pub cpus: u32,
    /// Time zone for `LOGON AT`, `QUERY TIME` and the accounting records.
    pub timezone: TimeZone,
    /// CMS ready message style.
    pub ready_message: ReadyMessage,
    /// Log message lines shown at logon (`LOGMSG`, one line each); `SET LOGMSG` changes it.
    pub log_message: Vec<String>,
    /// Minutes a disconnected user waiting for its console stays logged on; 0 = forever.
    pub disconnect_timeout: u32,
    /// Where spool files live.
    pub spool_dir: ConfigPath,
    /// The `USER DIRECT` file.
    pub directory_file: ConfigPath,
}

impl SystemConfig {
    /// Default system identifier.
    pub const DEFAULT_SYSID: &'static str = "VM370";
    /// Default disconnect timeout in minutes (R6: 15).
    pub const DEFAULT_DISCONNECT_TIMEOUT: u32 = 15;

    /// The volume with serial `volser` (any case).
    pub fn volume(&self, volser: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.volser.eq_ignore_ascii_case(volser))
    }

    /// The saved system `name` (any case) built for `machine`.
    pub fn saved_system(&self, name: &str, machine: Machine) -> Option<&SavedSystem> {
        self.saved_systems
            .iter()
            .find(|s| s.machine == machine && s.name.eq_ignore_ascii_case(name))
    }

    /// Processors to run: `cpus`, or `host_cores` when `cpus` is 0.
    pub fn processors(&self, host_cores: u32) -> u32 {
        if self.cpus == 0 { host_cores.max(1) } else { self.cpus }
    }

    /// Check every minidisk of `directory` against these volumes.
    pub fn check_directory(&self, directory: &Directory) -> Vec<ExtentProblem> {
        directory.check_extents(|volser| {
            self.volume(volser).map(|v| VolumeInfo { devtype: v.devtype, cylinders: v.cylinders() })
        })
    }

    /// Directory `IPL name` statements naming no saved system for the user's machine, as
    /// `(userid, name)` pairs.
    pub fn unknown_ipl_systems(&self, directory: &Directory) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for u in &directory.users {
            if let Some(IplTarget::System(name)) = u.ipl.as_ref().map(|i| &i.target)
                && self.saved_system(name, u.machine).is_none_or(|s| !s.ipl)
            {
                out.push((u.userid.clone(), name.clone()));
            }
        }
        out
    }
}

impl Default for SystemConfig {
    fn default() -> Self {
        Self {
            sysid: Self::DEFAULT_SYSID.to_string(),
            volumes: Vec::new(),
            saved_systems: Vec::new(),
            listeners: Vec::new(),
            cpus: 0,
            timezone: TimeZone::utc(),
            ready_message: ReadyMessage::R,
            log_message: Vec::new(),
            disconnect_timeout: Self::DEFAULT_DISCONNECT_TIMEOUT,
            spool_dir: ConfigPath::new("spool"),
            directory_file: ConfigPath::new("USER.DIRECT"),
        }
    }
}

/// A real DASD volume backed by a Hercules CKD image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Volume serial, upper case, 1-6 characters.
    pub volser: String,
    /// Device type.
    pub devtype: DasdType,
    /// The image file.
    pub path: ConfigPath,
    /// Cylinders, when smaller than a full volume of the type.
    pub cylinders: Option<u32>,
    /// Real device address, when fixed by the configuration.
    pub address: Option<VAddr>,
    /// Image to copy (gunzip if it ends in `.gz`) when `path` does not exist yet.
    pub source: Option<ConfigPath>,
}

impl Volume {
    /// Cylinders of the volume: the `CYLINDERS` operand, or a full volume of its type.
    pub fn cylinders(&self) -> u32 {
        self.cylinders.unwrap_or(u32::from(self.devtype.cylinders()))
    }
}

/// Where a saved system's pages come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedSource {
    /// This project's own CMS, built into the `vm370` binary (`BUILTIN`); `pages` is the room
    /// reserved for it.
    Builtin,
    /// A segment file: page 0 the saved CPU state, then the pages (real-cms.md §5).
    File(ConfigPath),
}

/// A named saved system or shared segment (`SAVESYS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSystem {
    /// Name, upper case, 1-8 characters (`CMS`, `CMSSEG`).
    pub name: String,
    /// Size in 4K pages.
    pub pages: u32,
    /// First page; the load address is `load_page * 4096`.
    pub load_page: u32,
    /// The pages.
    pub source: SavedSource,
    /// May be IPLed by name (`IPL CMS`); otherwise only loaded as a segment (DIAGNOSE X'64').
    pub ipl: bool,
    /// The machine it is built for.
    pub machine: Machine,
}

impl SavedSystem {
    /// Page size of saved systems.
    pub const PAGE: u64 = 4096;

    /// Load address in bytes.
    pub fn load_address(&self) -> u64 {
        u64::from(self.load_page) * Self::PAGE
    }

    /// One past the last byte.
    pub fn end_address(&self) -> u64 {
        (u64::from(self.load_page) + u64::from(self.pages)) * Self::PAGE
    }
}

/// What a listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListenKind {
    /// TN3270 / TN3270E (3270 display consoles).
    Tn3270,
    /// Plain telnet, line mode (3215-style consoles).
    LineMode,
}

impl ListenKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tn3270 => "TN3270",
            Self::LineMode => "LINEMODE",
        }
    }
}

/// A `LISTEN` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Listener {
    /// Protocol.
    pub kind: ListenKind,
    /// Address and port.
    pub address: SocketAddr,
}

/// A time zone: the name CP prints (`UTC`, `EST`) and its offset from UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    /// Name, upper case, 1-8 characters.
    pub name: String,
    /// Minutes east of UTC (EST = -300).
    pub offset_minutes: i32,
}

impl TimeZone {
    /// Coordinated Universal Time, the default.
    pub fn utc() -> Self {
        Self { name: "UTC".into(), offset_minutes: 0 }
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.unsigned_abs();
        write!(f, "{} {sign}{:02}:{:02}", self.name, m / 60, m % 60)
    }
}

/// The CMS ready message style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReadyMessage {
    /// `R;` — R6 as shipped (`READYMSG R`).
    #[default]
    R,
    /// `Ready;` — the later, long form (`READYMSG READY`).
    Ready,
}

impl ReadyMessage {
    /// The text before the timing figures: `R;` or `Ready;`.
    pub fn prompt(self) -> &'static str {
        match self {
            Self::R => "R;",
            Self::Ready => "Ready;",
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::R => "R",
            Self::Ready => "READY",
        }
    }
}

/// A path as written in the configuration, resolved only when used.
///
/// - `/abs/path` — absolute, used as is;
/// - `rel/path` — relative to the data directory;
/// - `$NAME` or `$NAME/rest` — relative to the directory placeholder `NAME` stands for.
///   `$DATA` is always the data directory; the others come from the caller (CP start-up uses
///   [`standard_placeholder`](super::standard_placeholder): `$SHARED` is the project's
///   `../shared` directory, or `$VM370_SHARED` when that is set).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfigPath(String);

/// A path that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// `$NAME` has no value.
    #[error("path '{path}': placeholder ${name} is not defined")]
    UnknownPlaceholder {
        /// The placeholder name.
        name: String,
        /// The path as written.
        path: String,
    },
}

impl ConfigPath {
    /// A path as written.
    pub fn new(text: &str) -> Self {
        Self(text.to_string())
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The placeholder name and the rest, for `$NAME/rest`.
    pub fn placeholder(&self) -> Option<(&str, &str)> {
        let body = self.0.strip_prefix('$')?;
        Some(body.split_once('/').unwrap_or((body, "")))
    }

    /// The file this path names, given the data directory and the placeholder values.
    pub fn resolve(
        &self,
        data_dir: &Path,
        placeholder: impl Fn(&str) -> Option<PathBuf>,
    ) -> Result<PathBuf, ResolveError> {
        match self.placeholder() {
            Some((name, rest)) => {
                let base = if name.eq_ignore_ascii_case("DATA") {
                    Some(data_dir.to_path_buf())
                } else {
                    placeholder(&name.to_ascii_uppercase())
                };
                let base = base.ok_or_else(|| ResolveError::UnknownPlaceholder {
                    name: name.to_ascii_uppercase(),
                    path: self.0.clone(),
                })?;
                Ok(if rest.is_empty() { base } else { base.join(rest) })
            }
            None => Ok(data_dir.join(&self.0)),
        }
    }
}

impl fmt::Display for ConfigPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
