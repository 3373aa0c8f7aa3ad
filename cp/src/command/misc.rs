//! BEGIN, MSG/WARNING, SET and TERMINAL.

use crate::command::Ctx;
use crate::command::tokens::Tokens;
use crate::user::{Emsg, Timer, UserState};
use crate::vm::RunState;

/// `BEGIN`: leave CP mode and let the machine run.
pub fn begin(ctx: &mut Ctx<'_>, st: &mut UserState, _t: &mut Tokens<'_>) {
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

/// `MSG userid|* text` and `WARNING userid|ALL text`.
pub fn msg(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>, warning: bool) {
    let Some(to) = t.next_upper() else {
        ctx.error(st, "DMKMSG020E", "USERID MISSING OR INVALID");
        return;
    };
    let text = t.remainder().to_string();
    let from = ctx.user.userid.clone();
    let (head, what) = if warning { ("WNG", "WARNING") } else { ("MSG", "MSG") };
    let line = format!("{head} FROM {from:<8}: {text}");
    let targets: Vec<_> = if warning && to == "ALL" {
        ctx.sys.users()
    } else {
        let id = if to == "*" { from.clone() } else { to.clone() };
        match ctx.sys.user(&id) {
            Some(u) => vec![u],
            None => {
                ctx.error(st, "DMKMSG045E", format!("{id} NOT LOGGED ON"));
                return;
            }
        }
    };
    let _ = what;
    for u in targets {
        if u.userid == from {
            ctx.say(line.clone());
            continue;
        }
        let (receiving, disconnected) = {
            // Never two users' state locks at once: peek the other user's settings only
            // through a try_lock, and treat a busy lock as "receiving".
            match u.try_settings() {
                Some((msg_on, wng_on, disc)) => (if warning { wng_on } else { msg_on }, disc),
                None => (true, false),
            }
        };
        if disconnected {
            if !(warning && to == "ALL") {
                ctx.error(st, "DMKMSG057W", format!("{} NOT RECEIVING; DISCONNECTED", u.userid));
            }
        } else if !receiving {
            if !(warning && to == "ALL") {
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

/// `SET` (the user settings; the system ones need their classes).
pub fn set(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(what) = t.next_upper() else {
        ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID");
        return;
    };
    let value = t.next_upper();
    let v = value.as_deref();
    let bad = |ctx: &mut Ctx<'_>, st: &UserState| {
        ctx.error(st, "DMKCFS026E", "OPERAND MISSING OR INVALID")
    };
    match what.as_str() {
        "MSG" => match on_off(v) {
            Some(b) => st.settings.msg = b,
            None => bad(ctx, st),
        },
        "WNG" => match on_off(v) {
            Some(b) => st.settings.wng = b,
            None => bad(ctx, st),
        },
        "IMSG" => match on_off(v) {
            Some(b) => st.settings.imsg = b,
            None => bad(ctx, st),
        },
        "RUN" => match on_off(v) {
            Some(b) => st.settings.run = b,
            None => bad(ctx, st),
        },
        "ACNT" => match on_off(v) {
            Some(b) => st.settings.acnt = b,
            None => bad(ctx, st),
        },
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
            }
        }
        "ECMODE" | "EC" => match on_off(v) {
            Some(b) => st.settings.ecmode = b,
            None => bad(ctx, st),
        },
        "ASSIST" | "AS" => match on_off(v) {
            Some(b) => {
                st.settings.assist = b;
                st.vm.backend.set_assist(b);
            }
            None => bad(ctx, st),
        },
        pf if pf.starts_with("PF") => {
            let n: usize = pf[2..].parse().unwrap_or(0);
            if !(1..=24).contains(&n) {
                return bad(ctx, st);
            }
            let text = match v {
                Some(first) => {
                    let rest = t.remainder();
                    if rest.is_empty() { first.to_string() } else { format!("{first} {rest}") }
                }
                None => String::new(),
            };
            st.settings.pf[n - 1] = (!text.is_empty()).then_some(text);
        }
        _ => ctx.error(st, "DMKCFS003E", format!("INVALID OPTION - {what}")),
    }
}

fn edit_char(w: Option<&str>) -> Option<Option<char>> {
    match w {
        Some("OFF") => Some(None),
        Some("ON") => None,
        Some(s) if s.chars().count() == 1 => s.chars().next().map(Some),
        _ => None,
    }
}

/// `TERMINAL LINEND|LINEDEL|CHARDEL|ESCAPE c|OFF`, `LINESIZE n`, `MORE s1 s2`, `HOLD ON|OFF`,
/// `MODE VM|CP`.
pub fn terminal(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(what) = t.next_upper() else {
        ctx.error(st, "DMKCFT026E", "OPERAND MISSING OR INVALID");
        return;
    };
    let raw = t.next_raw().map(str::to_string);
    let v = raw.as_deref().map(str::to_ascii_uppercase);
    let bad = |ctx: &mut Ctx<'_>, st: &UserState| {
        ctx.error(st, "DMKCFT026E", "OPERAND MISSING OR INVALID")
    };
    let term = &mut st.terminal;
    match what.as_str() {
        "LINEND" | "LINEDEL" | "CHARDEL" | "ESCAPE" => {
            let c = match v.as_deref() {
                Some("OFF") => None,
                Some(_) => match raw.as_deref().and_then(|r| edit_char(Some(r))) {
                    Some(c) => c,
                    None => return bad(ctx, st),
                },
                None => return bad(ctx, st),
            };
            match what.as_str() {
                "LINEND" => term.linend = c,
                "LINEDEL" => term.linedel = c,
                "CHARDEL" => term.chardel = c,
                _ => term.escape = c,
            }
        }
        "LINESIZE" => {
            match v.as_deref().and_then(|n| n.parse::<u16>().ok()).filter(|n| (1..=255).contains(n))
            {
                Some(n) => term.linesize = n,
                None => bad(ctx, st),
            }
        }
        "MORE" => {
            let a = v.as_deref().and_then(|n| n.parse::<u16>().ok());
            let b = t.next_upper().and_then(|n| n.parse::<u16>().ok());
            match (a, b) {
                (Some(a), Some(b)) if a <= 255 && b <= 255 => term.more = (a, b),
                _ => bad(ctx, st),
            }
        }
        "HOLD" => match on_off(v.as_deref()) {
            Some(b) => term.hold = b,
            None => bad(ctx, st),
        },
        "MODE" => match v.as_deref() {
            Some("VM") => term.mode_cp = false,
            Some("CP") => term.mode_cp = true,
            _ => bad(ctx, st),
        },
        _ => ctx.error(st, "DMKCFT003E", format!("INVALID OPTION - {what}")),
    }
}
