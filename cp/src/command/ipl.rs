//! IPL and SYSTEM: starting a virtual machine from a device or a named saved system, and
//! resetting it.

use crate::backend::{ArchRegs, S370Regs};
use crate::command::Ctx;
use crate::command::tokens::{Tokens, vaddr};
use crate::nss::SavedSystem;
use crate::user::UserState;
use crate::vdev::Kind;
use crate::vm::{RunState, SyncIo};

/// Copies a saved system's pages (and storage keys) into the machine's storage. False if
/// they do not fit.
pub fn load_pages(st: &mut UserState, seg: &SavedSystem) -> bool {
    let mem = st.vm.memory();
    if u64::from(seg.start()) + seg.pages.len() as u64 > mem.size() {
        return false;
    }
    if mem.write(u64::from(seg.start()), &seg.pages).is_err() {
        return false;
    }
    for (i, &key) in seg.state.keys.iter().enumerate() {
        let page = u64::from(seg.start()) + (i as u64) * 4096;
        mem.set_storage_key(page, key);
        mem.set_storage_key(page + 2048, key);
    }
    true
}

/// `IPL vaddr|sysname [CLEAR] [PARM text]`.
pub fn ipl(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(target) = t.next_upper() else {
        ctx.error(st, "DMKCFG026E", "OPERAND MISSING OR INVALID");
        return;
    };
    let mut clear = false;
    let mut parm = None;
    while let Some(w) = t.next_upper() {
        match w.as_str() {
            "CLEAR" => clear = true,
            "PARM" => {
                parm = Some(t.remainder().to_string());
                break;
            }
            other => {
                ctx.error(st, "DMKCFG003E", format!("INVALID OPTION - {other}"));
                return;
            }
        }
    }
    st.vm.reset_devices();
    st.vm.backend.reset(clear);
    st.segments.clear();
    st.adstop = None;
    st.cmd.trace.reset_step();
    let machine = st.entry.machine;
    let started = if let Some(seg) = ctx.sys.saved_system(&target, machine).filter(|s| s.ipl) {
        ipl_saved(ctx, st, &seg, parm.as_deref())
    } else if let Some(addr) = vaddr(&target) {
        st.ipl_parm = parm.as_deref().map(str::to_ascii_uppercase);
        ipl_device(ctx, st, addr, parm.as_deref())
    } else {
        ctx.error(st, "DMKCFG040E", format!("SYSTEM {target} DOES NOT EXIST"));
        false
    };
    if started {
        st.ipl_name = Some(target);
        st.vm.state = RunState::Running;
        st.cp_mode = false;
        ctx.user.console.clear_input();
        ctx.user.console.set_cp_mode(false);
        ctx.user.wake(crate::dispatch::Wake::Interactive);
    } else {
        st.vm.state = RunState::NotIpled;
    }
}

fn ipl_saved(ctx: &mut Ctx<'_>, st: &mut UserState, seg: &SavedSystem, parm: Option<&str>) -> bool {
    if !load_pages(st, seg) {
        ctx.error(st, "DMKCFG099E", format!("SYSTEM {} EXCEEDS STORAGE", seg.name));
        return false;
    }
    // The IPL parameter is kept for the guest to ask for; a saved system resumes with the
    // registers it was saved with.
    st.ipl_parm = parm.map(str::to_ascii_uppercase);
    if st.entry.machine == crate::directory::Machine::X86 {
        let long = ctx.sys.config.ready_message == crate::config::ReadyMessage::Ready;
        let info = cms::abi::IplInfo::new(
            &ctx.user.userid,
            st.storage,
            st.ipl_parm.as_deref().unwrap_or(""),
            long,
        );
        return match crate::backend::x86::ipl_saved(st.vm.backend.as_mut(), seg, &info) {
            Ok(()) => true,
            Err(why) => {
                ctx.error(st, "DMKCFG099E", why);
                false
            }
        };
    }
    let regs = S370Regs {
        psw: seg.state.psw,
        gpr: seg.state.gpr,
        fpr: seg.state.fpr,
        cr: seg.state.cr,
        prefix: 0,
    };
    st.vm.backend.set_regs(&ArchRegs::S370(regs)).is_ok()
}

/// The IPL parameter as a device IPL gives it to the program: up to 64 EBCDIC characters
/// in general registers 0-15, padded with blanks (the VM/SP convention).
fn parm_registers(parm: &str) -> [u32; 16] {
    let mut bytes = s370::ebcdic::from_str(&parm.to_ascii_uppercase());
    bytes.resize(64, 0x40);
    let mut gpr = [0u32; 16];
    for (i, r) in gpr.iter_mut().enumerate() {
        *r = u32::from_be_bytes(bytes[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
    }
    gpr
}

fn ipl_device(ctx: &mut Ctx<'_>, st: &mut UserState, addr: u16, parm: Option<&str>) -> bool {
    if st.entry.machine == crate::directory::Machine::X86 {
        ctx.error(st, "DMKCFG008E", format!("DEV {addr:03X} IPL UNIT ERROR; X86 MACHINES IPL CMS"));
        return false;
    }
    let is_dev = st.vm.devices.get(&addr).map(|d| !matches!(d.kind, Kind::Console(_)));
    match is_dev {
        None => {
            ctx.error(st, "DMKCFG040E", format!("DEV {addr:03X} DOES NOT EXIST"));
            return false;
        }
        Some(false) => {
            ctx.error(st, "DMKVMI022E", "VADDR MISSING OR INVALID");
            return false;
        }
        Some(true) => {}
    }
    // The IPL channel program: READ IPL, 24 bytes at 0, chained to the CCWs it reads.
    let ipl_ccw = [0x02u8, 0, 0, 0, 0x60, 0, 0, 24];
    if st.vm.memory().write(0, &ipl_ccw).is_err() {
        return false;
    }
    match st.vm.run_sync(addr, 0, 0) {
        SyncIo::Done(csw)
            if csw.unit & s370::channel::unit::UNIT_CHECK == 0 && csw.channel == 0 => {}
        _ => {
            ctx.error(st, "DMKCFG008E", format!("DEV {addr:03X} IPL UNIT ERROR"));
            return false;
        }
    }
    let mut psw = [0u8; 8];
    if st.vm.memory().read(0, &mut psw).is_err() {
        return false;
    }
    // The device address goes in bytes 2-3 (the BC-mode interruption code).
    let _ = st.vm.memory().write(2, &addr.to_be_bytes());
    psw[2..4].copy_from_slice(&addr.to_be_bytes());
    let gpr = parm.map(parm_registers).unwrap_or_default();
    let regs = S370Regs { psw: u64::from_be_bytes(psw), gpr, ..S370Regs::default() };
    st.vm.backend.set_regs(&ArchRegs::S370(regs)).is_ok()
}

/// `SYSTEM RESET|CLEAR|RESTART`.
pub fn system(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let w = t.next_upper().unwrap_or_default();
    let abbrev = |name: &str, min: usize| crate::command::table::abbreviates(&w, name, min);
    if abbrev("RESET", 3) || abbrev("CLEAR", 3) {
        let clear = abbrev("CLEAR", 3);
        st.vm.reset_devices();
        st.vm.backend.reset(clear);
        st.vm.state = RunState::NotIpled;
        st.adstop = None;
        st.cmd.trace.reset_step();
        ctx.user.console.clear_input();
        ctx.say(if clear { "STORAGE CLEARED - SYSTEM RESET" } else { "SYSTEM RESET" });
    } else if abbrev("RESTART", 3) {
        // The current PSW goes to location 8 and the PSW at 0 is loaded; the machine runs.
        let Ok(ArchRegs::S370(mut r)) = st.vm.backend.regs() else {
            return ctx.error(st, "DMKCFM026E", "OPERAND MISSING OR INVALID");
        };
        let mut new = [0u8; 8];
        if st.vm.memory().write(8, &r.psw.to_be_bytes()).is_err()
            || st.vm.memory().read(0, &mut new).is_err()
        {
            return ctx.error(st, "DMKCFM026E", "OPERAND MISSING OR INVALID");
        }
        r.psw = u64::from_be_bytes(new);
        let _ = st.vm.backend.set_regs(&ArchRegs::S370(r));
        st.vm.state = RunState::Running;
        st.cp_mode = false;
        ctx.user.console.set_cp_mode(false);
        ctx.user.wake(crate::dispatch::Wake::Interactive);
    } else {
        ctx.error(st, "DMKCFM026E", "OPERAND MISSING OR INVALID");
    }
}
