//! Commands acting like buttons on the virtual machine's devices and console: EXTERNAL
//! (the interrupt key), READY and NOTREADY (a device's ready switch), RESET (a device's
//! reset) and REQUEST (the console's request key) (CP Command Reference).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use s370::channel::{Csw, unit};

use crate::backend::Interrupt;
use crate::command::Ctx;
use crate::command::tokens::{Tokens, hex, vaddr};
use crate::dispatch::Wake;
use crate::user::UserState;
use crate::vdev::Kind;
use crate::vdev::ready::Switched;

/// `EXTERNAL [code]`: an external interruption (X'40', the interrupt key, by default), and
/// the machine runs on.
pub fn external(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let code = match t.next_upper() {
        None => 0x40,
        Some(w) => match hex(&w, 4) {
            Some(c @ 0x01..=0xFF) => c as u16,
            Some(c @ (0x1004 | 0x1005)) if st.settings.ecmode => c as u16,
            _ => return ctx.error(st, "DMKCPV003E", format!("INVALID OPTION - {w}")),
        },
    };
    if !st.runnable() {
        return ctx.error(st, "DMKDSP450W", "CP ENTERED; VIRTUAL MACHINE NOT IN RUNNABLE STATE");
    }
    let _ = st.vm.backend.post(Interrupt::External { code });
    st.cp_mode = false;
    ctx.user.console.set_cp_mode(false);
    ctx.user.wake(Wake::Interactive);
}

fn device(ctx: &mut Ctx<'_>, st: &UserState, t: &mut Tokens<'_>, module: &str) -> Option<u16> {
    let Some(addr) = t.next_upper().and_then(|w| vaddr(&w)) else {
        ctx.error(st, &format!("{module}022E"), "VADDR MISSING OR INVALID");
        return None;
    };
    if !st.vm.devices.contains_key(&addr) {
        ctx.error(st, &format!("{module}040E"), format!("DEV {addr:03X} DOES NOT EXIST"));
        return None;
    }
    Some(addr)
}

/// `READY vaddr`: the device becomes ready (if NOTREADY made it not ready) and presents a
/// device-end interruption.
pub fn ready(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(addr) = device(ctx, st, t, "DMKCPV") else { return };
    if let Some(r) = st.cmd.ready.get(&addr) {
        r.store(true, Ordering::Release);
    }
    let csw = Csw::status_only(unit::DEVICE_END);
    let _ = st.vm.backend.post(Interrupt::Io { device: addr, csw: csw.to_bytes() });
    ctx.user.wake(Wake::Other);
}

/// `NOTREADY vaddr`: a spooled unit-record device or the console stops being ready; the
/// next I/O to it gets unit check with intervention required.
pub fn notready(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(addr) = device(ctx, st, t, "DMKCPV") else { return };
    let kind_ok = st.vm.devices.get(&addr).is_some_and(|d| !matches!(d.kind, Kind::Dasd(_)));
    if !kind_ok {
        return ctx.error(st, "DMKCPV040E", format!("DEV {addr:03X} NOT A UNIT RECORD DEVICE"));
    }
    if let Some(r) = st.cmd.ready.get(&addr) {
        r.store(false, Ordering::Release);
        return;
    }
    if st.vm.io.working(addr) {
        return ctx.error(st, "DMKCPV143E", format!("DEV {addr:03X} BUSY; NOT MADE NOT READY"));
    }
    let Some(model) = st.vm.io.detach(addr) else { return };
    let switch = Arc::new(AtomicBool::new(false));
    st.vm.io.attach(addr, Box::new(Switched::new(model, Arc::clone(&switch))));
    st.cmd.ready.insert(addr, switch);
}

/// `RESET vaddr`: the device is reset and its pending interruptions are cleared.
pub fn reset(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(addr) = device(ctx, st, t, "DMKCPV") else { return };
    while st.vm.backend.withdraw_io(addr).is_some() {}
    if let Some(d) = st.vm.io.device_mut(addr) {
        d.reset();
    }
}

/// `REQUEST`: an attention interruption from the console, as its request key gives.
pub fn request(ctx: &mut Ctx<'_>, st: &mut UserState, _t: &mut Tokens<'_>) {
    let addr = st.console_addr;
    st.vm.attention(addr);
    if st.runnable() {
        st.cp_mode = false;
        ctx.user.console.set_cp_mode(false);
        ctx.user.wake(Wake::Interactive);
    }
}
