//! First-run set-up and start-up chores: a fresh data directory made from the embedded
//! defaults, volume image files created (or copied from their `SOURCE`) when missing, and the
//! built-in saved systems.

use std::path::Path;

use s370::devices::ckd::{DasdType as Geometry, Volume};

use crate::config::{self, SavedSource};
use crate::nss::SavedSystem;
use crate::system::StartError;

/// Creates `dir` with the default configuration and directory if it does not exist yet (or
/// holds no configuration).
pub fn ensure_data_dir(dir: &Path) -> Result<(), StartError> {
    let io = |source| StartError::Io { path: dir.to_path_buf(), source };
    std::fs::create_dir_all(dir).map_err(io)?;
    if dir.join(crate::defaults::SYSTEM_CONFIG_FILE).exists() {
        return Ok(());
    }
    for (name, text) in crate::defaults::FILES {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| StartError::Io { path, source })?;
    }
    Ok(())
}

/// Opens a volume's image file; creates it (formatted empty, the volume serial in its
/// label) or copies it from `source` (decompressing a `.gz`) when it does not exist.
pub fn open_volume(path: &Path, source: Option<&Path>, v: &config::Volume) -> Result<Volume, StartError> {
    let err = |message: String| StartError::Volume { volser: v.volser.clone(), message };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| err(e.to_string()))?;
    }
    if !path.exists() {
        match source {
            Some(src) => {
                Volume::open_any(src, path).map_err(|e| err(e.to_string()))?;
            }
            None => {
                let geometry = Geometry::by_name(&v.devtype.number().to_string())
                    .ok_or_else(|| err(format!("no geometry for device type {}", v.devtype.number())))?;
                Volume::create(path, geometry, v.cylinders(), &v.volser).map_err(|e| err(e.to_string()))?;
            }
        }
    }
    Volume::open(path, false).map_err(|e| err(e.to_string()))
}

/// The built-in saved system a `SAVESYS ... BUILTIN` statement names, if this build has one
/// for that machine.
pub fn builtin_saved_system(s: &config::SavedSystem) -> Option<SavedSystem> {
    debug_assert!(matches!(s.source, SavedSource::Builtin));
    None
}
