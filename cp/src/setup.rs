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
pub fn open_volume(
    path: &Path,
    source: Option<&Path>,
    v: &config::Volume,
) -> Result<(Volume, bool), StartError> {
    let err = |message: String| StartError::Volume { volser: v.volser.clone(), message };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| err(e.to_string()))?;
    }
    let mut created = false;
    if !path.exists() {
        match source {
            Some(src) => {
                Volume::open_any(src, path).map_err(|e| err(e.to_string()))?;
            }
            None => {
                let geometry =
                    Geometry::by_name(&v.devtype.number().to_string()).ok_or_else(|| {
                        err(format!("no geometry for device type {}", v.devtype.number()))
                    })?;
                Volume::create(path, geometry, v.cylinders(), &v.volser)
                    .map_err(|e| err(e.to_string()))?;
                created = true;
            }
        }
    }
    Ok((Volume::open(path, false).map_err(|e| err(e.to_string()))?, created))
}

/// The label a fresh CMS minidisk gets: three characters of its owner and its address
/// (`MAI190`, `CMS191`).
pub fn minidisk_label(owner: &str, vaddr: u16) -> String {
    let head: String = owner.chars().filter(|c| c.is_ascii_alphanumeric()).take(3).collect();
    format!("{head:X<3}{vaddr:03X}")
}

/// Formats, as empty CMS disks, every minidisk of `directory` that lies on one of the
/// volumes just created (`created`: volser -> volume), so a fresh system's users can use
/// their disks at once; MAINT's 190 becomes the CMS system disk, IPL-able, its bootstrap
/// giving CMS the `ready` style ([`crate::sysdisk`]). NOLOG owners' extents (allocation
/// markers) are left alone.
pub fn format_new_minidisks(
    directory: &crate::directory::Directory,
    created: &std::collections::BTreeMap<String, std::sync::Arc<Volume>>,
    ready: config::ReadyMessage,
) -> Result<(), StartError> {
    for user in &directory.users {
        if !user.can_log_on() {
            continue;
        }
        for m in &user.mdisks {
            let Some(vol) = created.get(&m.volser) else { continue };
            let err = |message: String| StartError::Volume { volser: m.volser.clone(), message };
            if (user.userid.as_str(), m.vaddr.0) == crate::sysdisk::SYSTEM_DISK {
                crate::sysdisk::write_system_disk(
                    vol,
                    u32::from(m.start),
                    u32::from(m.cylinders),
                    ready,
                )
                .map_err(|e| err(format!("{} {:03X}: {e}", user.userid, m.vaddr.0)))?;
                continue;
            }
            let md = crate::dasd::MinidiskBlocks::new(
                std::sync::Arc::clone(vol),
                u32::from(m.start),
                u32::from(m.cylinders),
            );
            md.format_tracks().map_err(err)?;
            cms::fs::CmsDisk::format(md, &minidisk_label(&user.userid, m.vaddr.0))
                .map_err(|e| err(format!("{} {:03X}: {e}", user.userid, m.vaddr.0)))?;
        }
    }
    Ok(())
}

/// The built-in saved system a `SAVESYS ... BUILTIN` statement names, if this build has one
/// for that machine: `CMS` for S/370 is this project's CMS (`cms::s370`), its pages from
/// address 0 (nucleus pages key F, the rest key E), its PSW at the nucleus entry, and R2 =
/// the `READYMSG` style (0 `R;`, 1 `Ready;`), which CMS reads at IPL.
pub fn builtin_saved_system(
    s: &config::SavedSystem,
    ready: config::ReadyMessage,
) -> Option<SavedSystem> {
    debug_assert!(matches!(s.source, SavedSource::Builtin));
    if s.machine == crate::directory::Machine::X86 {
        return crate::backend::x86::builtin_cms(&s.name, s.ipl);
    }
    if s.name != "CMS" {
        return None;
    }
    let image = cms::s370::image();
    let pages = image.len().div_ceil(crate::nss::PAGE);
    let mut bytes = image.to_vec();
    bytes.resize(pages * crate::nss::PAGE, 0);
    let keys =
        (0..pages).map(|p| if p * crate::nss::PAGE < 0x20000 { 0xF0 } else { 0xE0 }).collect();
    let mut gpr = [0u32; 16];
    gpr[2] = u32::from(ready == config::ReadyMessage::Ready);
    Some(SavedSystem {
        name: s.name.clone(),
        load_page: s.load_page,
        ipl: s.ipl,
        state: crate::nss::SavedState {
            psw: cms::s370::initial_psw(),
            gpr,
            fpr: [0; 4],
            cr: [0; 16],
            keys,
        },
        pages: bytes,
    })
}
