//! BEGIN, MSG/WARNING, SET and TERMINAL (CP Command Reference).

use crate::command::Ctx;
use crate::command::table::abbreviates;
use crate::command::tokens::{Tokens, hex};
use crate::user::{Emsg, Timer, UserState};
use crate::vm::RunState;

/// `BEGIN [hexloc]`: leave CP mode and let the machine run (at `hexloc` if given).
pub fn begin(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    if let Some(w) = t.next_upper() {
        let Some(at) = hex(&w, 6).filter(|&a| u64::from(a) < st.vm.memory().size()) else {
            return ctx.error(st, "DMKCFC009E", format!("INVALID HEXLOC - {w}"));
        };
        if let Ok(mut regs) = st.vm.backend.regs() {
            if let crate::backend::ArchRegs::S370(r) = &mut regs {
                r.psw = (r.psw & !0x00FF_FFFF) | u64::from(at);
            }
            let _ = st.vm.backend.set_regs(&regs);
        }
        if matches!(st.vm.state, RunState::NotIpled | RunState::Stopped(_)) {
            st.vm.state = RunState::Running;
        }
    } else if matches!(st.vm.state, RunState::Stopped(_)) {
        // Resume a machine that stopped (disabled wait): it stops again at once unless its
        // PSW was changed, as on R6.
        st.vm.state = RunState::Running;
    }
    if !st.runnable() {
        ctx.error(st, "DMKDSP450W", "CP ENTERED; VIRTUAL MACHINE NOT IN RUNNABLE STATE");
        return;
    }
    st.cp_mode = false;
    if st.vm.state == RunState::Waiting {
        st.vm.state = RunState::Running;
    }
    ctx.user.console.set_cp_mode(false);
    ctx.user.wake(crate::dispatch::Wake::Interactive);
}

/// `MSG userid|*|OPERATOR text` and `WARNING userid|ALL text`.
pub fn msg(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>, warning: bool) {
    let Some(to) = t.next_upper() else {
        ctx.error(st, "DMKMSG020E", "USERID MISSING OR INVALID");
        return;
    };
    let text = t.remainder().to_string();
    let from = ctx.user.userid.clone();
    let head = if warning { "WNG" } else { "MSG" };
    let line = format!("{head} FROM {from:<8}: {text}");
    let all = warning && to == "ALL";
    let targets: Vec<_> = if all {
        ctx.sys.users()
    } else {
        let id = match to.as_str() {
            "*" => from.clone(),
            w if !warning && abbreviates(w, "OPERATOR", 2) => {
                crate::command::operator::OPERATOR.to_string()
            }
            _ => to.clone(),
        };
        match ctx.sys.user(&id) {
            Some(u) => vec![u],
            None => {
                ctx.error(st, "DMKMSG045E", format!("{id} NOT LOGGED ON"));
                return;
            }
        }
    };
    for u in targets {
        if u.userid == from {
            let on = if warning { st.settings.wng } else { st.settings.msg };
            if on {
                ctx.say(line.clone());
            }
            continue;
        }
        // Never two users' state locks at once: peek the other user's settings only
        // through a try_lock, and treat a busy lock as "receiving".
        let (receiving, disconnected) = match u.try_settings() {
            Some((msg_on, wng_on, disc)) => (if warning { wng_on } else { msg_on }, disc),
            None => (true, false),
        };
        if disconnected {
            if !all {
                ctx.error(st, "DMKMSG057W", format!("{} NOT RECEIVING; DISCONNECTED", u.userid));
            }
        } else if !receiving {
            if !all {
                ctx.error(st, "DMKMSG057W", format!("{} NOT RECEIVING; {} OFF", u.userid, head));
            }
        } else {
            u.console.write(&line);
        }
    }
}

fn on_off(w: Option<&str>) -> Option<bool> {
    match w {
        Some("ON") => Some(true),
        Some("OFF") => Some(false),
        _ => None,
    }
}

/// `SET function value`: the user's settings; LOGMSG (class B), PRIORITY (A, C) and
/// FAVORED (A) for the operators. A function the user's classes do not allow is an
/// invalid option.
pub fn set(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(what) = t.next_upper() else {
        ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID");
        return;
    };
    let classes = st.entry.classes;
    match what.as_str() {
        w if abbreviates(w, "LOGMSG", 3) && classes.any_of("B") => {
            return crate::command::operator::set_logmsg(ctx, st, t);
        }
        w if abbreviates(w, "PRIORITY", 3) && classes.any_of("AC") => {
            return crate::command::operator::set_priority(ctx, st, t);
        }
        w if abbreviates(w, "FAVORED", 3) && classes.any_of("A") => {
            return crate::command::operator::set_favored(ctx, st, t);
        }
        _ => {}
    }
    if let Some(n) = what.strip_prefix("PF") {
        let key: usize = n.parse().unwrap_or(0);
        if !(1..=24).contains(&key) {
            return ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID");
        }
        // SET PFnn [DELAYED|IMMED] text: DELAYED (the default on a display) puts the text in
        // the input area, IMMED enters it at once.
        let mut immediate = false;
        let mut rest = t.remainder().trim_end();
        let mut words = Tokens::new(rest);
        match words.next_upper().as_deref() {
            Some(w) if abbreviates(w, "IMMED", 3) => {
                immediate = true;
                rest = words.remainder().trim_end();
            }
            Some(w) if abbreviates(w, "DELAYED", 3) => rest = words.remainder().trim_end(),
            _ => {}
        }
        st.settings.pf[key - 1] = (!rest.is_empty()).then(|| rest.to_string());
        ctx.user
            .console
            .set_pf(key as u8, (!rest.is_empty()).then(|| (immediate, rest.to_string())));
        return;
    }
    let value = t.next_upper();
    let v = value.as_deref();
    let bad = |ctx: &mut Ctx<'_>, st: &UserState| {
        ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID")
    };
    match what.as_str() {
        "MSG" | "WNG" | "IMSG" | "RUN" | "ACNT" | "ISAM" | "PAGEX" | "AUTOPOLL" => {
            let Some(b) = on_off(v) else { return bad(ctx, st) };
            match what.as_str() {
                "MSG" => st.settings.msg = b,
                "WNG" => st.settings.wng = b,
                "IMSG" => st.settings.imsg = b,
                "RUN" => st.settings.run = b,
                "ACNT" => st.settings.acnt = b,
                "ISAM" => st.cmd.options.isam = b,
                "PAGEX" => st.cmd.options.pagex = b,
                _ => st.cmd.options.autopoll = b,
            }
        }
        w if abbreviates(w, "LINEDIT", 5) => match on_off(v) {
            Some(b) => st.cmd.options.linedit = b,
            None => bad(ctx, st),
        },
        w if abbreviates(w, "NOTRANS", 5) => {
            ctx.error(st, "DMKCFS003E", format!("INVALID OPTION - {w}; NOT VIRT=REAL"));
        }
        "EMSG" => {
            st.settings.emsg = match v {
                Some("ON") => Emsg::On,
                Some("OFF") => Emsg::Off,
                Some("CODE") => Emsg::Code,
                Some("TEXT") => Emsg::Text,
                _ => return bad(ctx, st),
            }
        }
        "TIMER" => {
            st.settings.timer = match v {
                Some("ON") => Timer::On,
                Some("OFF") => Timer::Off,
                Some("REAL") => Timer::Real,
                _ => return bad(ctx, st),
            };
            st.settings.timer.apply(st.vm.backend.as_mut());
        }
        w if abbreviates(w, "ECMODE", 2) => match on_off(v) {
            Some(b) => {
                // Changing ECMODE resets the virtual machine (SET usage note).
                st.settings.ecmode = b;
                st.vm.reset_devices();
                st.vm.backend.reset(false);
                st.vm.state = RunState::NotIpled;
                st.adstop = None;
                st.cmd.trace.reset_step();
            }
            None => bad(ctx, st),
        },
        w if abbreviates(w, "ASSIST", 2) => {
            let b = match v {
                Some("ON") | None => true,
                Some("OFF") => false,
                Some("SVC") => {
                    st.cmd.options.assist_svc = true;
                    true
                }
                Some("NOSVC") => {
                    st.cmd.options.assist_svc = false;
                    true
                }
                _ => return bad(ctx, st),
            };
            if let Some(opt) = t.next_upper() {
                match opt.as_str() {
                    "SVC" => st.cmd.options.assist_svc = true,
                    "NOSVC" => st.cmd.options.assist_svc = false,
                    _ => return bad(ctx, st),
                }
            }
            st.settings.assist = b;
            st.vm.backend.set_assist(b && !st.cmd.trace.wants_assist_off());
        }
        _ => ctx.error(st, "DMKCFS003E", format!("INVALID OPTION - {what}")),
    }
}

/// An edit character operand: `ON` (the default character), `OFF`, or one character.
fn edit_char(raw: Option<&str>, default: char) -> Option<Option<char>> {
    let raw = raw?;
    match raw.to_ascii_uppercase().as_str() {
        "ON" => Some(Some(default)),
        "OFF" => Some(None),
        _ if raw.chars().count() == 1 => raw.chars().next().map(Some),
        _ => None,
    }
}

/// `TERMINAL function value [function value ...]`: LINEND, LINEDEL, CHARDEL, ESCAPE,
/// TABCHAR (`ON|OFF|char`), LINESIZE n, MORE s1 s2, HOLD, ATTN, APL, TEXT, HILIGHT, AUTOCR,
/// MASK (`ON|OFF`), MODE VM|CP. Several functions may be given at once.
pub fn terminal(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    if !t.has_more() {
        ctx.error(st, "DMKCFT026E", "OPERAND MISSING OR INVALID");
        return;
    }
    while let Some(what) = t.next_upper() {
        let raw = t.next_raw().map(str::to_string);
        let v = raw.as_deref().map(str::to_ascii_uppercase);
        let bad = |ctx: &mut Ctx<'_>, st: &UserState| {
            ctx.error(st, "DMKCFT026E", "OPERAND MISSING OR INVALID")
        };
        let w = what.as_str();
        let term = &mut st.terminal;
        let edits: [(&str, usize, char); 4] =
            [("LINEND", 5, '#'), ("LINEDEL", 5, '\u{a2}'), ("CHARDEL", 2, '@'), ("ESCAPE", 2, '"')];
        if let Some(&(name, _, default)) = edits.iter().find(|(n, m, _)| abbreviates(w, n, *m)) {
            let Some(c) = edit_char(raw.as_deref(), default) else { return bad(ctx, st) };
            match name {
                "LINEND" => term.linend = c,
                "LINEDEL" => term.linedel = c,
                "CHARDEL" => term.chardel = c,
                _ => term.escape = c,
            }
        } else if abbreviates(w, "TABCHAR", 3) {
            match edit_char(raw.as_deref(), '\u{a6}') {
                Some(Some(c)) if v.as_deref() != Some("ON") => st.cmd.term.tabchar = c.to_string(),
                Some(Some(_)) => st.cmd.term.tabchar = "ON".into(),
                Some(None) => st.cmd.term.tabchar = "OFF".into(),
                None => return bad(ctx, st),
            }
        } else if abbreviates(w, "LINESIZE", 5) {
            match v.as_deref().and_then(|n| n.parse::<u16>().ok()).filter(|n| (1..=255).contains(n))
            {
                Some(n) => term.linesize = n,
                None => return bad(ctx, st),
            }
        } else if w == "MORE" {
            let a = v.as_deref().and_then(|n| n.parse::<u16>().ok());
            let b = t.next_upper().and_then(|n| n.parse::<u16>().ok());
            match (a, b) {
                (Some(a), Some(b)) if a <= 255 && b <= 255 => {
                    term.more = (a, b);
                    ctx.user.console.set_more(a, b);
                }
                _ => return bad(ctx, st),
            }
        } else if w == "MODE" {
            match v.as_deref() {
                Some("VM") => term.mode_cp = false,
                Some("CP") => term.mode_cp = true,
                _ => return bad(ctx, st),
            }
        } else {
            let Some(b) = on_off(v.as_deref()) else {
                let known = ["HOLD", "ATTN", "APL", "TEXT", "HILIGHT", "AUTOCR", "MASK"];
                if known.iter().any(|k| abbreviates(w, k, 2)) {
                    return bad(ctx, st);
                }
                return ctx.error(st, "DMKCFT003E", format!("INVALID OPTION - {w}"));
            };
            let o = &mut st.cmd.term;
            if w == "HOLD" {
                st.terminal.hold = b;
            } else if abbreviates(w, "ATTN", 2) {
                o.attn = b;
            } else if w == "APL" {
                o.apl = b;
                o.text &= !b;
            } else if w == "TEXT" {
                o.text = b;
                o.apl &= !b;
            } else if abbreviates(w, "HILIGHT", 4) {
                o.hilight = b;
            } else if abbreviates(w, "AUTOCR", 2) {
                o.autocr = b;
            } else if abbreviates(w, "MASK", 1) {
                o.mask = b;
            } else {
                return ctx.error(st, "DMKCFT003E", format!("INVALID OPTION - {w}"));
            }
        }
    }
}
