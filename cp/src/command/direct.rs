//! DIRECT: putting a new user directory in force (classes A-C).
//!
//! In R6 DIRECT is a program MAINT runs from CMS on the `USER DIRECT` file it has edited;
//! here it is a CP command that reads the same file:
//!
//! ```text
//! DIRECT                       the system's directory file (SYSTEM CONFIG's DIRECTORY)
//! DIRECT fn [ft [fm]]          the CMS file `fn ft` (ft DIRECT) on the issuer's disks:
//!                              191 for mode A (and first when no mode), else any disk
//! ... (EDIT                    check it only
//! ```
//!
//! The new directory is parsed and its minidisks checked against the real volumes; any
//! error is listed and the directory in force stays. Otherwise it replaces the old one at
//! once (users logged on keep what they have) and, when it came from a CMS file, is written
//! to the system's directory file so a restart keeps it.

use cms::fs::{CmsDisk, FileId};

use crate::command::Ctx;
use crate::command::tokens::Tokens;
use crate::dasd::MinidiskBlocks;
use crate::user::UserState;
use crate::vdev::Kind;

/// `DIRECT [fn [ft [fm]]] [(EDIT]`.
pub fn direct(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let mut words = Vec::new();
    let mut edit = false;
    while let Some(w) = t.next_upper() {
        if let Some(opt) = w.strip_prefix('(') {
            let mut opts = vec![opt.trim_end_matches(')').to_string()];
            while let Some(o) = t.next_upper() {
                opts.push(o.trim_end_matches(')').to_string());
            }
            for o in opts.into_iter().filter(|o| !o.is_empty()) {
                if o == "EDIT" {
                    edit = true;
                } else {
                    return ctx.error(st, "DMKDIR003E", format!("INVALID OPTION - {o}"));
                }
            }
            break;
        }
        words.push(w);
    }
    if words.len() > 3 {
        return ctx.error(st, "DMKDIR003E", format!("INVALID OPTION - {}", words[3]));
    }
    let host_path = ctx
        .sys
        .config
        .directory_file
        .resolve(&ctx.sys.data_dir, crate::config::standard_placeholder);
    let host_path = match host_path {
        Ok(p) => p,
        Err(e) => return ctx.error(st, "DMKDIR700E", format!("DIRECTORY FILE: {e}")),
    };
    let (text, name) = if words.is_empty() {
        match std::fs::read_to_string(&host_path) {
            Ok(t) => (t, "USER DIRECT".to_string()),
            Err(e) => return ctx.error(st, "DMKDIR701E", format!("DIRECTORY FILE NOT READ; {e}")),
        }
    } else {
        let fname = words[0].clone();
        let ftype = words.get(1).cloned().unwrap_or_else(|| "DIRECT".into());
        let mode = words.get(2).cloned();
        match read_cms_file(ctx, st, &fname, &ftype, mode.as_deref()) {
            Ok(t) => (t, format!("{fname} {ftype}")),
            Err(why) => return ctx.error(st, "DMKDIR702E", why),
        }
    };
    let dir = match crate::directory::parse(&text, &name) {
        Ok(d) => d,
        Err(errors) => {
            for e in errors {
                ctx.say(e.to_string());
            }
            return ctx.error(st, "DMKDIR751E", "EOJ DIRECTORY NOT UPDATED");
        }
    };
    let problems = ctx.sys.config.check_directory(&dir);
    if !problems.is_empty() {
        for p in problems {
            ctx.say(p.to_string());
        }
        return ctx.error(st, "DMKDIR751E", "EOJ DIRECTORY NOT UPDATED");
    }
    if edit {
        ctx.say("EOJ DIRECTORY NOT UPDATED");
        return;
    }
    if !words.is_empty() {
        let tmp = host_path.with_extension("new");
        let written = std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &host_path));
        if let Err(e) = written {
            return ctx.error(st, "DMKDIR703E", format!("DIRECTORY FILE NOT WRITTEN; {e}"));
        }
    }
    *ctx.sys.directory.write().unwrap_or_else(|p| p.into_inner()) = dir;
    ctx.say("EOJ DIRECTORY UPDATED");
}

/// Reads the CMS file `fname ftype` from one of the user's minidisks, as text lines.
fn read_cms_file(
    ctx: &Ctx<'_>,
    st: &UserState,
    fname: &str,
    ftype: &str,
    mode: Option<&str>,
) -> Result<String, String> {
    let id = FileId::new(fname, ftype).map_err(|e| format!("FILE '{fname} {ftype}': {e}"))?;
    let mut disks: Vec<(u16, crate::vdev::DasdLink)> = st
        .vm
        .devices
        .values()
        .filter_map(|d| match &d.kind {
            Kind::Dasd(l) if !l.temporary => Some((d.addr, l.clone())),
            _ => None,
        })
        .collect();
    disks.sort_by_key(|(a, _)| (*a != 0x191, *a));
    if matches!(mode, Some(m) if m.starts_with('A')) {
        disks.retain(|(a, _)| *a == 0x191);
    }
    for (_, l) in disks {
        let Some(vol) = ctx.sys.volumes.get(&l.volser) else { continue };
        let blocks = MinidiskBlocks::new(std::sync::Arc::clone(vol), l.start, l.cylinders);
        let Ok(mut disk) = CmsDisk::mount(blocks) else { continue };
        if disk.find(&id).is_none() {
            continue;
        }
        let records = disk.read_records(&id).map_err(|e| e.to_string())?;
        let lines: Vec<String> =
            records.iter().map(|r| cms::fs::ebcdic::decode(r).trim_end().to_string()).collect();
        return Ok(lines.join("\n") + "\n");
    }
    Err(format!("FILE '{fname} {ftype}' NOT FOUND"))
}
