//! DEFINE: changing the virtual machine's configuration for this session (CP Command
//! Reference, DEFINE): its storage size, a device's address, new spooled unit-record
//! devices, and temporary disks.
//!
//! `DEFINE STORAGE` builds a new processor of the new size (the machine is reset and must be
//! IPLed again). A temporary disk (`DEFINE T3350 AS 291 CYL 10`) is a CKD image file of its
//! own under the data directory's `tdisk` folder, unformatted as a real T-disk is, and
//! deleted when it is detached or the user logs off; files left by a crash are removed when
//! the system starts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use s370::devices::ckd::{Dasd, Volume};
use s370::devices::{Printer, Punch};

use crate::command::Ctx;
use crate::command::link::max_vaddr;
use crate::command::table::abbreviates;
use crate::command::tokens::{Tokens, format_storage, storage_size, vaddr};
use crate::directory::DasdType;
use crate::user::UserState;
use crate::vdev::{DasdLink, Kind, SpoolOptions, SpoolReader};
use crate::vm::RunState;

/// The folder of the data directory that holds temporary disks.
pub const TDISK_DIR: &str = "tdisk";

/// The owner and volume serial CP shows for temporary disks.
pub const TDISK_OWNER: &str = "$TDSK$";

/// The smallest storage DEFINE STORAGE accepts.
pub const MIN_STORAGE: u32 = 8 * 1024;

/// A temporary disk's image file, deleted when this is dropped (DETACH, LOGOFF).
#[derive(Debug, PartialEq, Eq)]
pub struct TempDisk {
    path: PathBuf,
}

impl TempDisk {
    /// The image file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDisk {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes temporary disk images a previous run left behind (a crash skips their drop).
pub fn clean_tdisks(data_dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(data_dir.join(TDISK_DIR)) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// What a device-type word of DEFINE adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitRecord {
    Reader,
    Punch,
    Printer,
}

fn unit_record(w: &str) -> Option<UnitRecord> {
    if abbreviates(w, "READER", 1) || matches!(w, "RDR" | "2540R" | "2501" | "3505") {
        Some(UnitRecord::Reader)
    } else if abbreviates(w, "PUNCH", 2) || matches!(w, "PCH" | "2540P" | "3525") {
        Some(UnitRecord::Punch)
    } else if abbreviates(w, "PRINTER", 1) || matches!(w, "PRT" | "1403" | "1443" | "3211") {
        Some(UnitRecord::Printer)
    } else {
        None
    }
}

/// The next word, skipping an `AS`.
fn after_as(t: &mut Tokens<'_>) -> Option<String> {
    let w = t.next_upper()?;
    if w == "AS" { t.next_upper() } else { Some(w) }
}

/// `DEFINE STORAGE|CHANNELS|READER|PUNCH|PRINTER|Tdddd|vaddr ...`.
pub fn define(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(what) = t.next_upper() else {
        return ctx.error(st, "DMKDEF026E", "OPERAND MISSING OR INVALID");
    };
    if abbreviates(&what, "STORAGE", 4) {
        define_storage(ctx, st, after_as(t));
    } else if abbreviates(&what, "CHANNELS", 4) {
        match after_as(t).as_deref() {
            Some(m @ ("SEL" | "BMX")) => ctx.info(st, format!("CHANNELS = {m}")),
            _ => ctx.error(st, "DMKDEF026E", "OPERAND MISSING OR INVALID"),
        }
    } else if let Some(ur) = unit_record(&what) {
        define_unit_record(ctx, st, ur, after_as(t));
    } else if let Some(ty) = what.strip_prefix('T').and_then(|n| n.parse::<u16>().ok()) {
        define_tdisk(ctx, st, ty, t);
    } else if let Some(from) = vaddr(&what) {
        redefine(ctx, st, from, after_as(t));
    } else {
        ctx.error(st, "DMKDEF003E", format!("INVALID OPTION - {what}"));
    }
}

fn define_storage(ctx: &mut Ctx<'_>, st: &mut UserState, w: Option<String>) {
    let Some(size) = w.as_deref().and_then(storage_size) else {
        return ctx.error(st, "DMKDEF025E", "STORAGE MISSING OR INVALID");
    };
    let size = size.div_ceil(4096).saturating_mul(4096).max(MIN_STORAGE);
    let max = st.entry.max_storage.0.min(st.entry.storage_limit().0);
    if size > max {
        return ctx.error(st, "DMKDEF094E", "STORAGE EXCEEDS ALLOWED MAXIMUM");
    }
    let mut backend = match crate::user::build::make_backend(ctx.sys, st.entry.machine, size) {
        Ok(b) => b,
        Err(e) => return ctx.error(st, "DMKDEF060E", e),
    };
    backend.set_assist(st.settings.assist && !st.cmd.trace.wants_assist_off());
    st.settings.timer.apply(backend.as_mut());
    ctx.user.set_kicker(backend.kicker());
    st.vm.backend = backend;
    st.vm.reset_devices();
    st.vm.state = RunState::NotIpled;
    st.storage = size;
    st.segments.clear();
    st.adstop = None;
    st.cmd.trace.reset_step();
    st.cp_mode = true;
    ctx.user.console.set_cp_mode(true);
    ctx.info(st, format!("STORAGE = {}", format_storage(u64::from(size))));
}

fn free_address(ctx: &mut Ctx<'_>, st: &UserState, w: Option<String>) -> Option<u16> {
    let Some(addr) = w.and_then(|w| vaddr(&w)).filter(|&a| a <= max_vaddr(st)) else {
        ctx.error(st, "DMKDEF022E", "VADDR MISSING OR INVALID");
        return None;
    };
    if let Some(d) = st.vm.devices.get(&addr) {
        ctx.error(st, "DMKDEF041E", format!("{} {addr:03X} ALREADY DEFINED", d.class_name()));
        return None;
    }
    Some(addr)
}

fn define_unit_record(ctx: &mut Ctx<'_>, st: &mut UserState, ur: UnitRecord, w: Option<String>) {
    let Some(addr) = free_address(ctx, st, w) else { return };
    let name = match ur {
        UnitRecord::Reader => {
            let opts = Arc::new(Mutex::new(SpoolOptions::reader()));
            let r =
                SpoolReader::new(Arc::clone(&ctx.sys.spool), &ctx.user.userid, Arc::clone(&opts));
            st.vm.attach(addr, Box::new(r), Kind::Reader(opts));
            "RDR"
        }
        UnitRecord::Punch => {
            let p = Punch::new();
            let out = p.output();
            st.vm.attach(addr, Box::new(p), Kind::Punch(out, SpoolOptions::output('A')));
            "PUN"
        }
        UnitRecord::Printer => {
            let p = Printer::new();
            let out = p.output();
            st.vm.attach(addr, Box::new(p), Kind::Printer(out, SpoolOptions::output('A')));
            "PRT"
        }
    };
    ctx.info(st, format!("{name} {addr:03X} DEFINED"));
}

/// A number for every temporary disk image made by this process.
static TDISK_SERIAL: AtomicU64 = AtomicU64::new(0);

/// `DEFINE T3330|T3350 [AS] vaddr [CYL] nnn`.
fn define_tdisk(ctx: &mut Ctx<'_>, st: &mut UserState, ty: u16, t: &mut Tokens<'_>) {
    let dtype = DasdType::from_number(ty);
    let geometry = s370::devices::ckd::DasdType::by_name(&ty.to_string());
    let (Some(dtype), Some(geometry)) = (dtype, geometry) else {
        return ctx.error(st, "DMKDEF003E", format!("INVALID OPTION - T{ty}"));
    };
    let Some(addr) = free_address(ctx, st, after_as(t)) else { return };
    let mut w = t.next_upper();
    if w.as_deref() == Some("CYL") {
        w = t.next_upper();
    }
    let Some(cyls) = w
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|&n| n >= 1 && n <= u32::from(dtype.cylinders()))
    else {
        return ctx.error(st, "DMKDEF026E", "OPERAND MISSING OR INVALID");
    };
    let dir = ctx.sys.data_dir.join(TDISK_DIR);
    let serial = TDISK_SERIAL.fetch_add(1, Ordering::Relaxed);
    let path =
        dir.join(format!("{}.{addr:03X}.{}.{serial}.{ty}", ctx.user.userid, std::process::id()));
    let made = std::fs::create_dir_all(&dir).map_err(|e| e.to_string()).and_then(|()| {
        Volume::create(&path, geometry, cyls, TDISK_OWNER).map_err(|e| e.to_string())
    });
    let guard = TempDisk { path };
    let vol = match made {
        Ok(v) => Arc::new(v),
        Err(e) => return ctx.error(st, "DMKDEF091E", format!("TEMP SPACE NOT AVAILABLE; {e}")),
    };
    let dasd = match Dasd::view(vol, 0, cyls, false) {
        Ok(d) => d,
        Err(e) => return ctx.error(st, "DMKDEF091E", format!("TEMP SPACE NOT AVAILABLE; {e}")),
    };
    let link = DasdLink {
        owner: TDISK_OWNER.into(),
        owner_addr: addr,
        volser: TDISK_OWNER.into(),
        start: 0,
        cylinders: cyls,
        write: true,
        devtype: ty,
        temporary: true,
    };
    st.vm.attach(addr, Box::new(dasd), Kind::Dasd(link));
    st.cmd.tdisks.insert(addr, guard);
    ctx.info(st, format!("DASD {addr:03X} DEFINED"));
}

/// `DEFINE vaddr1 [AS] vaddr2`: the device moves to a new address.
fn redefine(ctx: &mut Ctx<'_>, st: &mut UserState, from: u16, w: Option<String>) {
    if !st.vm.devices.contains_key(&from) {
        return ctx.error(st, "DMKDEF040E", format!("DEV {from:03X} DOES NOT EXIST"));
    }
    let Some(to) = free_address(ctx, st, w) else { return };
    let userid = ctx.user.userid.clone();
    let close = crate::command::spool::CloseOptions { force: true, ..Default::default() };
    if let Some(msg) = crate::command::spool::close_device(ctx.sys, &userid, st, from, &close) {
        ctx.info(st, msg);
    }
    let Some(model) = st.vm.io.detach(from) else { return };
    let Some(dev) = st.vm.detach(from) else { return };
    let name = dev.class_name();
    if matches!(dev.kind, Kind::Console(_)) {
        st.console_addr = to;
    }
    st.vm.attach(to, model, dev.kind);
    if let Some(g) = st.cmd.tdisks.remove(&from) {
        st.cmd.tdisks.insert(to, g);
    }
    if let Some(r) = st.cmd.ready.remove(&from) {
        st.cmd.ready.insert(to, r);
    }
    for l in ctx.sys.links.lock().unwrap_or_else(|p| p.into_inner()).iter_mut() {
        if l.user == userid && l.vaddr == from {
            l.vaddr = to;
        }
    }
    ctx.info(st, format!("{name} {to:03X} DEFINED"));
}
