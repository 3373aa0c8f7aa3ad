//! QUERY: the time, users, a user, the virtual machine and its devices, spool files,
//! settings, terminal options, links, the log message and, for the operators, priorities
//! (CP Command Reference, QUERY; the responses are R6's).

use crate::command::table::abbreviates;
use crate::command::tokens::{Tokens, format_storage, vaddr};
use crate::command::{Ctx, link, spoolfile};
use crate::spool::Queue;
use crate::user::UserState;
use crate::vdev::{Kind, VDev};

/// `QUERY operand`.
pub fn query(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(what) = t.next_upper() else {
        ctx.error(st, "DMKCFC026E", "OPERAND MISSING OR INVALID");
        return;
    };
    let w = what.as_str();
    let ab = |name: &str, min: usize| abbreviates(w, name, min);
    if ab("TIME", 1) {
        let now = ctx.sys.now();
        ctx.say(format!("TIME IS {}", ctx.sys.zone.stamp(now)));
        let acct = accounting(ctx, st);
        ctx.say(acct);
    } else if ab("USERS", 1) {
        match t.next_upper() {
            Some(id) => user(ctx, st, &id),
            None => ctx.say(format!("{:03} USERS, 000 DIALED", ctx.sys.user_count())),
        }
    } else if ab("NAMES", 1) {
        names(ctx);
    } else if ab("VIRTUAL", 1) {
        let sub = t.next_upper();
        virtual_config(ctx, st, sub.as_deref().unwrap_or("ALL"));
    } else if ab("DASD", 2)
        || ab("CONSOLE", 3)
        || w == "UR"
        || ab("STORAGE", 4)
        || ab("CHANNELS", 4)
        || w == "ALL"
    {
        virtual_config(ctx, st, w);
    } else if ab("LOGMSG", 3) {
        let lines = ctx.sys.logmsg.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if lines.is_empty() {
            ctx.say("LOGMSG - NONE");
        }
        for l in lines {
            ctx.say(format!("*  {l}"));
        }
    } else if ab("LINKS", 1) {
        link::query_links(ctx, st, t);
    } else if ab("CPUID", 5) {
        ctx.say(format!("CPUID = FF{:06X}43810000", cpuid(&ctx.user.userid)));
    } else if w == "USERID" {
        ctx.say(format!("{:<8} AT {}", ctx.user.userid, ctx.sys.config.sysid));
    } else if w == "PRIV" {
        ctx.say(format!("PRIV = {}", st.entry.classes));
    } else if ab("MAXIMUM", 3) {
        ctx.say("MAX USERS = 000");
    } else if ab("PRIORITY", 3) && st.entry.classes.any_of("ACE") {
        crate::command::operator::query_priority(ctx, st, t);
    } else if ab("SET", 1) {
        query_set(ctx, st);
    } else if ab("TERMINAL", 4) {
        query_terminal(ctx, st);
    } else if let Some(n) = w.strip_prefix("PF") {
        query_pf(ctx, st, n);
    } else if ab("FILES", 1) {
        spoolfile::query_counts(ctx, st, t);
    } else if ab("READER", 1) || w == "RDR" {
        spoolfile::query_files(ctx, st, Queue::Reader, t);
    } else if ab("PRINTER", 1) || w == "PRT" {
        spoolfile::query_files(ctx, st, Queue::Printer, t);
    } else if ab("PUNCH", 2) || w == "PCH" {
        spoolfile::query_files(ctx, st, Queue::Punch, t);
    } else if vaddr(w).is_some_and(|a| st.vm.devices.contains_key(&a)) {
        virtual_config(ctx, st, w);
    } else {
        user(ctx, st, w);
    }
}

/// `QUERY userid`: `userid - terminal`, or not logged on.
fn user(ctx: &mut Ctx<'_>, st: &UserState, id: &str) {
    if let Some(u) = ctx.sys.user(id) {
        ctx.say(format!("{:<8} - {}", u.userid, u.terminal_name()));
    } else if id.len() <= 8 && id.chars().all(|c| c.is_ascii_alphanumeric() || "$#@".contains(c)) {
        ctx.error(st, "DMKCQG045E", format!("{id} NOT LOGGED ON"));
    } else {
        ctx.error(st, "DMKCQG003E", format!("INVALID OPTION - {id}"));
    }
}

fn cpuid(userid: &str) -> u32 {
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

fn on(b: bool) -> &'static str {
    if b { "ON " } else { "OFF" }
}

fn query_set(ctx: &mut Ctx<'_>, st: &UserState) {
    let s = &st.settings;
    let o = &st.cmd.options;
    let emsg = match s.emsg {
        crate::user::Emsg::On => "ON  ",
        crate::user::Emsg::Off => "OFF ",
        crate::user::Emsg::Code => "CODE",
        crate::user::Emsg::Text => "TEXT",
    };
    let timer = match s.timer {
        crate::user::Timer::On => "ON ",
        crate::user::Timer::Off => "OFF",
        crate::user::Timer::Real => "REAL",
    };
    let assist = match (s.assist, o.assist_svc) {
        (false, _) => "OFF",
        (true, true) => "ON SVC",
        (true, false) => "ON NOSVC",
    };
    let lines = [
        format!(
            "MSG {}, WNG {}, EMSG {emsg}, ACNT {}, RUN {}",
            on(s.msg),
            on(s.wng),
            on(s.acnt),
            on(s.run)
        ),
        format!(
            "LINEDIT {}, TIMER {timer}, ISAM {}, ECMODE {}",
            on(o.linedit),
            on(o.isam),
            on(s.ecmode)
        ),
        format!("ASSIST {assist}, PAGEX {}, AUTOPOLL {}", on(o.pagex), on(o.autopoll)),
        format!("IMSG {}", on(s.imsg)),
    ];
    for l in lines {
        ctx.say(l.trim_end().to_string());
    }
}

fn query_terminal(ctx: &mut Ctx<'_>, st: &UserState) {
    let tm = &st.terminal;
    let o = &st.cmd.term;
    let c = |c: Option<char>| c.map_or("OFF".to_string(), |c| format!("{c} "));
    ctx.say(format!(
        "LINEND {}, LINEDEL {}, CHARDEL {}, ESCAPE {}, TABCHAR {}",
        c(tm.linend),
        c(tm.linedel),
        c(tm.chardel),
        c(tm.escape),
        o.tabchar
    ));
    ctx.say(format!(
        "LINESIZE {:03}, ATTN {}, APL {}, TEXT {}, MODE {}, HILIGHT {}",
        tm.linesize,
        on(o.attn).trim_end(),
        on(o.apl).trim_end(),
        on(o.text).trim_end(),
        if tm.mode_cp { "CP" } else { "VM" },
        on(o.hilight).trim_end()
    ));
    ctx.say(format!(
        "AUTOCR {}, MORE {:03} {:03}, HOLD {}",
        on(o.autocr).trim_end(),
        tm.more.0,
        tm.more.1,
        on(tm.hold).trim_end()
    ));
}

fn query_pf(ctx: &mut Ctx<'_>, st: &UserState, n: &str) {
    let keys: Vec<usize> = if n.is_empty() {
        (1..=24).collect()
    } else {
        match n.parse::<usize>() {
            Ok(k) if (1..=24).contains(&k) => vec![k],
            _ => return ctx.error(st, "DMKCQG003E", format!("INVALID OPTION - PF{n}")),
        }
    };
    for k in keys {
        match &st.settings.pf[k - 1] {
            Some(text) => ctx.say(format!("PF{k:02} DELAY {text}")),
            None => ctx.say(format!("PF{k:02} UNDEFINED")),
        }
    }
}

/// One device's QUERY VIRTUAL lines.
fn device_lines(ctx: &Ctx<'_>, st: &UserState, d: &VDev) -> Vec<String> {
    let ready = |a: u16| {
        let r = st.cmd.ready.get(&a).is_none_or(|r| r.load(std::sync::atomic::Ordering::Acquire));
        if r { "READY" } else { "NOTREADY" }
    };
    let yn = |b: bool, y: &'static str, n: &'static str| if b { y } else { n };
    let a = d.addr;
    match &d.kind {
        Kind::Console(_) => {
            let cs = &st.cmd.console_spool;
            let o = &cs.options;
            let to = match (&o.to, &o.for_user) {
                (Some(u), _) => format!("TO  {u:<8}"),
                (None, Some(u)) => format!("FOR {u:<8}"),
                (None, None) => format!("FOR {:<8}", ctx.user.userid),
            };
            vec![
                format!(
                    "CONS {a:03X} ON {}   {} {}",
                    ctx.user.terminal_name(),
                    yn(cs.term, "TERM", "NOTERM"),
                    yn(cs.started, "START", "STOP")
                ),
                format!(
                    "     {a:03X} CL {} {} {} COPY {:02}    {}",
                    o.class,
                    yn(o.cont, "CONT  ", "NOCONT"),
                    yn(o.hold, "HOLD  ", "NOHOLD"),
                    o.copies,
                    ready(a)
                ),
                format!("     {a:03X} {to} DIST {}", st.entry.distcode()),
            ]
        }
        Kind::Reader(o) => {
            let o = o.lock().unwrap_or_else(|p| p.into_inner());
            vec![format!(
                "RDR  {a:03X} CL {} {} {} {}    {}",
                o.class,
                yn(o.cont, "CONT  ", "NOCONT"),
                yn(o.hold, "HOLD  ", "NOHOLD"),
                yn(o.eof, "EOF  ", "NOEOF"),
                ready(a)
            )]
        }
        Kind::Punch(_, o) | Kind::Printer(_, o) => {
            let to = match (&o.to, &o.for_user) {
                (Some(u), _) => format!("TO  {u:<8}"),
                (None, Some(u)) => format!("FOR {u:<8}"),
                (None, None) => format!("FOR {:<8}", ctx.user.userid),
            };
            vec![
                format!(
                    "{:<4} {a:03X} CL {} {} {} COPY {:02}    {}",
                    d.class_name(),
                    o.class,
                    yn(o.cont, "CONT  ", "NOCONT"),
                    yn(o.hold, "HOLD  ", "NOHOLD"),
                    o.copies,
                    ready(a)
                ),
                format!("     {a:03X} {to} DIST {}", st.entry.distcode()),
            ]
        }
        Kind::Dasd(l) => vec![format!(
            "DASD {a:03X} {} {:<6} {}    {:03} CYL",
            l.devtype,
            l.volser,
            yn(l.write, "R/W", "R/O"),
            l.cylinders
        )],
    }
}

/// `QUERY VIRTUAL ALL|STORAGE|CONSOLE|DASD|UR|CHANNELS|MACHINE|vaddr`. `MACHINE` (not in
/// R6) gives the machine type, `MACHINE = 370` or `MACHINE = X86`; `ALL` shows it for an x86
/// machine only, so an S/370 machine's answer stays R6's.
fn virtual_config(ctx: &mut Ctx<'_>, st: &mut UserState, what: &str) {
    let ab = |name: &str, min: usize| abbreviates(what, name, min);
    let all = what == "ALL";
    let addr = vaddr(what).filter(|a| st.vm.devices.contains_key(a));
    let machine = st.entry.machine;
    if ab("MACHINE", 4) || (all && machine == crate::directory::Machine::X86) {
        ctx.say(format!("MACHINE = {machine}"));
        if !all {
            return;
        }
    }
    let known = all
        || ab("STORAGE", 4)
        || ab("CONSOLE", 3)
        || ab("DASD", 2)
        || what == "UR"
        || ab("CHANNELS", 4)
        || addr.is_some();
    if !known {
        return match vaddr(what) {
            Some(a) => ctx.error(st, "DMKCQG040E", format!("DEV {a:03X} DOES NOT EXIST")),
            None => ctx.error(st, "DMKCQG003E", format!("INVALID OPTION - {what}")),
        };
    }
    if all || ab("STORAGE", 4) {
        ctx.say(format!("STORAGE = {}", format_storage(u64::from(st.storage))));
    }
    if all || ab("CHANNELS", 4) {
        ctx.say(format!("CHANNELS = {}", if st.entry.options.bmx { "BMX" } else { "SEL" }));
    }
    let lines: Vec<String> = st
        .vm
        .devices
        .values()
        .filter(|d| {
            let k = &d.kind;
            all || addr == Some(d.addr)
                || (ab("CONSOLE", 3) && matches!(k, Kind::Console(_)))
                || (ab("DASD", 2) && matches!(k, Kind::Dasd(_)))
                || (what == "UR"
                    && matches!(k, Kind::Reader(_) | Kind::Punch(..) | Kind::Printer(..)))
        })
        .flat_map(|d| device_lines(ctx, st, d))
        .collect();
    for l in lines {
        ctx.say(l);
    }
}
