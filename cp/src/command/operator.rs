//! The operator's commands: FORCE, AUTOLOG, ENABLE/DISABLE, SHUTDOWN, and the system
//! settings of SET and QUERY (LOGMSG, PRIORITY, FAVORED) (VM/370 Operator's Guide).
//!
//! FORCE, AUTOLOG and SHUTDOWN log other users on or off, which takes those users' state
//! locks; a command runs with its issuer's lock held, and CP never holds two users' locks at
//! once, so that work goes to a short-lived thread that takes each lock in turn once the
//! issuer's is free. Its answers reach the issuer's terminal when it is done.

use std::sync::Arc;

use crate::command::Ctx;
use crate::command::tokens::Tokens;
use crate::system::System;
use crate::user::{Emsg, User, UserState};
use crate::vdev::ConsoleLink;

/// The userid `MSG OPERATOR` and the primary operator's messages go to.
pub const OPERATOR: &str = "OPERATOR";

/// `text` shaped by an EMSG setting, for answers written later from another thread.
fn shape(emsg: Emsg, line: &str) -> Option<String> {
    let (id, text) = line.split_once(' ').unwrap_or((line, ""));
    match emsg {
        Emsg::On => Some(line.to_string()),
        Emsg::Text => Some(text.to_string()),
        Emsg::Code => Some(id.to_string()),
        Emsg::Off => None,
    }
}

fn spawn(sys: &Arc<System>, name: &str, work: impl FnOnce() + Send + 'static) -> bool {
    sys.spawn_background(name, work)
}

/// The operator-console form of a logoff: `USER DSC LOGOFF AS BOB      USERS = 002 FORCED`.
fn logoff_notice(term: &str, userid: &str, users: usize) -> String {
    let term = if term == "DSC" { "USER DSC".to_string() } else { term.to_string() };
    format!("{term} LOGOFF AS {userid:<8} USERS = {users:03} FORCED")
}

/// `FORCE userid`: logs the user off.
pub fn force(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(id) = t.next_upper().filter(|w| w.len() <= 8) else {
        return ctx.error(st, "DMKCFM020E", "USERID MISSING OR INVALID");
    };
    let Some(target) = ctx.sys.user(&id) else {
        return ctx.error(st, "DMKCFM045E", format!("{id} NOT LOGGED ON"));
    };
    let sys = Arc::clone(ctx.sys);
    let issuer = ctx.user.console.clone();
    let me = ctx.user.userid.clone();
    let started = spawn(ctx.sys, "force", move || {
        let term = target.terminal_name();
        target.logoff(&sys, true);
        if target.userid != me {
            issuer.write(&logoff_notice(&term, &target.userid, sys.user_count()));
        }
    });
    if !started {
        ctx.error(st, "DMKCFM999E", "FORCE FAILED; NO THREAD");
    }
}

/// `AUTOLOG userid password`: logs a user on without a terminal (disconnected), running
/// its directory IPL.
pub fn autolog(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(id) = t.next_upper().filter(|w| w.len() <= 8) else {
        return ctx.error(st, "DMKCFM020E", "USERID MISSING OR INVALID");
    };
    let Some(pw) = t.next_upper() else {
        return ctx.error(st, "DMKCFM026E", "OPERAND MISSING OR INVALID");
    };
    if ctx.sys.user(&id).is_some() {
        return ctx.error(st, "DMKCFM054E", format!("{id} ALREADY LOGGED ON"));
    }
    let sys = Arc::clone(ctx.sys);
    let issuer = ctx.user.console.clone();
    let emsg = st.settings.emsg;
    let started = spawn(ctx.sys, "autolog", move || match User::logon(&sys, &id, &pw, None) {
        Ok(u) => {
            {
                let mut s = u.lock();
                s.disconnected_at = Some(sys.now());
                // A machine logged on by AUTOLOG starts with line editing off.
                s.terminal.linend = None;
                s.terminal.linedel = None;
                s.terminal.chardel = None;
                s.terminal.escape = None;
            }
            issuer.write(&format!(
                "AUTO LOGON  ***  {:<8} USERS = {:03}",
                u.userid,
                sys.user_count()
            ));
        }
        Err(e) => {
            if let Some(line) = shape(emsg, &e.to_string()) {
                issuer.write(&line);
            }
        }
    });
    if !started {
        ctx.error(st, "DMKCFM999E", "AUTOLOG FAILED; NO THREAD");
    }
}

/// `ENABLE ALL` / `DISABLE ALL`: terminals may (not) log on; users logged on stay.
pub fn enable(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>, on: bool) {
    match t.next_upper().as_deref() {
        Some("ALL") => ctx.sys.set_logons_enabled(on),
        Some(w) => ctx.error(st, "DMKCPV003E", format!("INVALID OPTION - {w}")),
        None => ctx.error(st, "DMKCPV026E", "OPERAND MISSING OR INVALID"),
    }
}

/// The work of SHUTDOWN once the issuer's lock is free: everyone else off, the answer, the
/// issuer off, the dispatcher stopped, and the binary told.
fn shut_down(sys: &Arc<System>, me: &str, console: &ConsoleLink) {
    for u in sys.users() {
        if u.userid != me {
            u.logoff(sys, true);
        }
    }
    console.write("DMKCKP960I SYSTEM WARM START DATA SAVED");
    console.write("DMKCKP961W SYSTEM SHUTDOWN COMPLETE");
    if let Some(u) = sys.user(me) {
        u.logoff(sys, true);
    }
    sys.dispatcher.stop();
    sys.finish_shutdown();
}

/// `SHUTDOWN`: no more logons; every user is forced off (their open spool files closed),
/// the dispatcher stops, and [`System::wait_for_shutdown`] returns to the binary.
pub fn shutdown(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    if let Some(w) = t.next_upper() {
        return ctx.error(st, "DMKCPS003E", format!("INVALID OPTION - {w}"));
    }
    ctx.sys.begin_shutdown();
    let sys = Arc::clone(ctx.sys);
    let me = ctx.user.userid.clone();
    let console = ctx.user.console.clone();
    if !spawn(ctx.sys, "shutdown", move || shut_down(&sys, &me, &console)) {
        ctx.error(st, "DMKCPS999E", "SHUTDOWN FAILED; NO THREAD");
    }
}

/// `SET LOGMSG NULL | [n] text` (class B): clears the log message, replaces line `n`, or
/// adds a line.
pub fn set_logmsg(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let rest = t.remainder().trim_end().to_string();
    let mut lines = ctx.sys.logmsg.lock().unwrap_or_else(|p| p.into_inner());
    if rest.is_empty() {
        drop(lines);
        return ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID");
    }
    if rest.eq_ignore_ascii_case("NULL") {
        lines.clear();
        return;
    }
    let (first, text) = rest.split_once(' ').unwrap_or((&rest, ""));
    match first.parse::<usize>() {
        Ok(n) if (1..=20).contains(&n) => {
            if lines.len() < n {
                lines.resize(n, String::new());
            }
            lines[n - 1] = text.to_string();
        }
        _ => lines.push(rest.clone()),
    }
}

fn target(ctx: &mut Ctx<'_>, st: &UserState, w: Option<String>) -> Option<(String, u64)> {
    let Some(id) = w else {
        ctx.error(st, "DMKCFS020E", "USERID MISSING OR INVALID");
        return None;
    };
    match ctx.sys.user(&id).and_then(|u| u.vm_id()) {
        Some(vm) => Some((id, vm)),
        None => {
            ctx.error(st, "DMKCFS045E", format!("{id} NOT LOGGED ON"));
            None
        }
    }
}

/// `SET PRIORITY userid nn` (classes A, C): 1 runs first, 99 last.
pub fn set_priority(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some((_, vm)) = target(ctx, st, t.next_upper()) else { return };
    match t.next_upper().and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=99).contains(n)) {
        Some(p) => ctx.sys.dispatcher.set_priority(vm, p),
        None => ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID"),
    }
}

/// `SET FAVORED userid [nn|OFF]` (class A).
pub fn set_favored(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some((_, vm)) = target(ctx, st, t.next_upper()) else { return };
    let favored = match t.next_upper().as_deref() {
        None => Some(None),
        Some("OFF") => None,
        Some(n) => match n.parse::<u8>().ok().filter(|n| (1..=99).contains(n)) {
            Some(p) => Some(Some(p)),
            None => return ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID"),
        },
    };
    ctx.sys.dispatcher.set_favored(vm, favored);
}

/// `QUERY PRIORITY [userid]` (classes A, C, E): `userid PRIORITY = nn [FAVORED [nn]]`.
pub fn query_priority(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let id = t.next_upper().unwrap_or_else(|| ctx.user.userid.clone());
    let Some((id, vm)) = target(ctx, st, Some(id)) else { return };
    let Some((p, fav)) = ctx.sys.dispatcher.priority(vm) else { return };
    let fav = match fav {
        None => String::new(),
        Some(None) => " FAVORED".into(),
        Some(Some(n)) => format!(" FAVORED {n:02}"),
    };
    ctx.say(format!("{id:<8} PRIORITY = {p:02}{fav}"));
}
