//! QUERY: time, users, names, a user, the virtual machine, storage, settings, terminal.

use crate::command::tokens::{Tokens, format_storage};
use crate::command::{Ctx, spool};
use crate::user::UserState;
use crate::vdev::Kind;

/// `QUERY ...`.
pub fn query(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(what) = t.next_upper() else {
        ctx.error(st, "DMKCFC026E", "OPERAND MISSING OR INVALID");
        return;
    };
    let abbrev = |name: &str, min: usize| crate::command::table::abbreviates(&what, name, min);
    if abbrev("TIME", 1) {
        let now = ctx.sys.now();
        ctx.say(format!("TIME IS {}", ctx.sys.zone.stamp(now)));
        let acct = accounting(ctx, st);
        ctx.say(acct);
    } else if abbrev("USERS", 1) {
        let n = ctx.sys.user_count();
        ctx.say(format!("{n:03} USERS, 000 DIALED"));
    } else if abbrev("NAMES", 1) {
        names(ctx);
    } else if abbrev("VIRTUAL", 1) {
        virtual_config(ctx, st, t.next_upper().as_deref());
    } else if abbrev("STORAGE", 4) {
        ctx.say(format!("STORAGE = {}", format_storage(u64::from(st.storage))));
    } else if abbrev("LOGMSG", 3) {
        let lines = ctx.sys.logmsg.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if lines.is_empty() {
            ctx.say("LOGMSG - NONE");
        }
        for l in lines {
            ctx.say(l);
        }
    } else if abbrev("CPUID", 3) {
        ctx.say(format!("CPUID = FF{:06X}43810000", crate_cpuid(&ctx.user.userid)));
    } else if abbrev("SET", 1) {
        let s = &st.settings;
        let on = |b: bool| if b { "ON " } else { "OFF" };
        ctx.say(format!(
            "MSG {}, WNG {}, EMSG {}, ACNT {}, RUN {}",
            on(s.msg),
            on(s.wng),
            match s.emsg {
                crate::user::Emsg::On => "ON  ",
                crate::user::Emsg::Off => "OFF ",
                crate::user::Emsg::Code => "CODE",
                crate::user::Emsg::Text => "TEXT",
            },
            on(s.acnt),
            on(s.run)
        ));
        ctx.say(format!(
            "ISAM OFF, ECMODE {}, ASSIST {}, IMSG {}, TIMER {}",
            on(s.ecmode),
            on(s.assist),
            on(s.imsg),
            match s.timer {
                crate::user::Timer::On => "ON",
                crate::user::Timer::Off => "OFF",
                crate::user::Timer::Real => "REAL",
            }
        ));
    } else if abbrev("TERMINAL", 4) {
        let tm = &st.terminal;
        let c = |c: Option<char>| c.map_or("OFF".to_string(), |c| c.to_string());
        ctx.say(format!(
            "LINEND {} , LINEDEL {} , CHARDEL {} , ESCAPE {} , TABCHAR ON",
            c(tm.linend),
            c(tm.linedel),
            c(tm.chardel),
            c(tm.escape)
        ));
        ctx.say(format!(
            "LINESIZE {:03}, ATTN OFF, APL OFF, TEXT OFF, MODE {}, HILIGHT OFF",
            tm.linesize,
            if tm.mode_cp { "CP" } else { "VM" }
        ));
        ctx.say(format!(
            "MORE {:03} {:03}, HOLD {}",
            tm.more.0,
            tm.more.1,
            if tm.hold { "ON" } else { "OFF" }
        ));
    } else if abbrev("READER", 1) || abbrev("RDR", 3) {
        spool::query_files(ctx, st, crate::spool::Queue::Reader, t);
    } else if abbrev("PRINTER", 1) || abbrev("PRT", 3) {
        spool::query_files(ctx, st, crate::spool::Queue::Printer, t);
    } else if abbrev("PUNCH", 2) || abbrev("PCH", 3) {
        spool::query_files(ctx, st, crate::spool::Queue::Punch, t);
    } else if let Some(u) = ctx.sys.user(&what) {
        ctx.say(format!("{:<8} - {}", u.userid, u.terminal_name()));
    } else if what.len() <= 8
        && what.chars().all(|c| c.is_ascii_alphanumeric() || "$#@".contains(c))
    {
        ctx.error(st, "DMKCQG045E", format!("{what} NOT LOGGED ON"));
    } else {
        ctx.error(st, "DMKCFC003E", format!("INVALID OPTION - {what}"));
    }
}

fn crate_cpuid(userid: &str) -> u32 {
    userid.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) & 0xFFFFFF
}

/// The CONNECT= VIRTCPU= TOTCPU= line for the user (with the state already locked).
pub fn accounting(ctx: &Ctx<'_>, st: &UserState) -> String {
    let connect = ctx.sys.now().saturating_sub(st.logon_secs).max(0) as u64;
    format!(
        "CONNECT= {} VIRTCPU= {} TOTCPU= {}",
        crate::clock::duration_hms(connect),
        crate::clock::cpu_mss(st.virt_ns / 1000),
        crate::clock::cpu_mss(st.total_ns / 1000)
    )
}

fn names(ctx: &mut Ctx<'_>) {
    let entries: Vec<String> = ctx
        .sys
        .users()
        .iter()
        .map(|u| format!("{:<8} - {}", u.userid, u.terminal_name()))
        .collect();
    for chunk in entries.chunks(4) {
        ctx.say(chunk.join(", "));
    }
}

fn virtual_config(ctx: &mut Ctx<'_>, st: &mut UserState, what: Option<&str>) {
    let all = what.is_none() || what == Some("ALL");
    if all || what == Some("STOR") || what == Some("STORAGE") {
        ctx.say(format!("STORAGE = {}", format_storage(u64::from(st.storage))));
    }
    let term = ctx.user.terminal_name();
    let lines: Vec<String> = st
        .vm
        .devices
        .values()
        .filter_map(|d| match &d.kind {
            Kind::Console(_) if all || what == Some("CONS") => {
                Some(format!("CONS {:03X} ON {term}", d.addr))
            }
            Kind::Reader(o) if all || what == Some("UR") => {
                let o = o.lock().unwrap_or_else(|p| p.into_inner());
                Some(format!(
                    "RDR  {:03X} CL {} {} {} {}    READY",
                    d.addr,
                    o.class,
                    if o.cont { "CONT  " } else { "NOCONT" },
                    if o.hold { "HOLD  " } else { "NOHOLD" },
                    if o.eof { "EOF  " } else { "NOEOF" }
                ))
            }
            Kind::Punch(_, o) | Kind::Printer(_, o) if all || what == Some("UR") => Some(format!(
                "{} {:03X} CL {} {} {} COPY {:02}    READY",
                d.class_name(),
                d.addr,
                o.class,
                if o.cont { "CONT  " } else { "NOCONT" },
                if o.hold { "HOLD  " } else { "NOHOLD" },
                o.copies
            )),
            Kind::Dasd(l) if all || what == Some("DASD") => Some(format!(
                "DASD {:03X} {} {:<6} {}    {:03} CYL",
                d.addr,
                l.devtype,
                l.volser,
                if l.write { "R/W" } else { "R/O" },
                l.cylinders
            )),
            _ => None,
        })
        .collect();
    for l in lines {
        ctx.say(l);
    }
}
