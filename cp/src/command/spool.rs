//! Spooling a virtual machine's unit-record devices: CLOSE, SPOOL, console spooling, and
//! closing everything at LOGOFF (CP Command Reference, SPOOL and CLOSE).
//!
//! A virtual punch or printer collects records until it is closed; the closed file gets a
//! spool id and goes to a queue: the owner's printer or punch queue, the reader of the user
//! it is spooled TO, or the printer queue of the user it is spooled FOR. CP says which id it
//! gave (`PUN FILE 0012  TO  BOB      COPY 01 NOHOLD`) when the file went to a reader (the
//! user's own too) or another user, has copies or is held, unless SET IMSG OFF.

use crate::command::Ctx;
use crate::command::table::abbreviates;
use crate::command::tokens::{Tokens, vaddr};
use crate::spool::{Origin, Queue, Record, SpoolFile};
use crate::system::System;
use crate::user::{User, UserState};
use crate::vdev::{Kind, SpoolOptions};

/// How a device is being closed.
#[derive(Debug, Clone, Default)]
pub struct CloseOptions {
    /// `NAME fn ft`.
    pub name: Option<(String, String)>,
    /// `HOLD` / `NOHOLD` for this file.
    pub hold: Option<bool>,
    /// `DIST code` for this file.
    pub dist: Option<String>,
    /// Close even if the device is spooled CONT (SPOOL ... CLOSE, LOGOFF).
    pub force: bool,
}

/// The distribution code of `userid` in the directory (the userid itself when unknown).
fn distcode(sys: &System, userid: &str) -> String {
    let dir = sys.directory.read().unwrap_or_else(|p| p.into_inner());
    dir.user(userid).map_or_else(|| userid.to_string(), |e| e.distcode().to_string())
}

/// Makes a spool file of `records` produced by `userid` under `opts`; returns CP's message
/// about it when one is due (a reader, even the user's own; another user's queue; copies;
/// held).
#[allow(clippy::too_many_arguments)]
fn make_file(
    sys: &System,
    userid: &str,
    st: &mut UserState,
    records: Vec<Record>,
    opts: &SpoolOptions,
    origin: Origin,
    close: &CloseOptions,
) -> Option<String> {
    if records.is_empty() {
        return None;
    }
    let queue = match origin {
        Origin::Punch => Queue::Punch,
        Origin::Printer | Origin::Console => Queue::Printer,
    };
    st.cmd.ur_counts[if queue == Queue::Punch { 2 } else { 1 }] += records.len() as u64;
    let hold = close.hold.unwrap_or(opts.hold);
    let (fname, ftype) = close.name.clone().unwrap_or_default();
    let (owner, queue, origin_user, copies, word, dist) = match (&opts.to, &opts.for_user) {
        (Some(to), _) => {
            (to.clone(), Queue::Reader, userid.to_string(), 1, "TO", distcode(sys, userid))
        }
        (None, Some(f)) => (f.clone(), queue, f.clone(), opts.copies, "FOR", distcode(sys, f)),
        (None, None) => {
            let d = close.dist.clone().unwrap_or_else(|| st.entry.distcode().to_string());
            (userid.to_string(), queue, userid.to_string(), opts.copies, "FOR", d)
        }
    };
    let file = SpoolFile {
        id: 0,
        owner: owner.clone(),
        origin_user,
        queue,
        origin,
        class: opts.class,
        copies,
        hold,
        name: fname,
        ftype,
        dist,
        created: sys.now(),
        seq: 0,
        records,
    };
    let id = match sys.spool().create(file) {
        Ok(id) => id,
        Err(e) => return Some(format!("DMKCSQ500E SPOOL FILE NOT CREATED; {e}")),
    };
    // A file sent TO a reader is always announced, even to one's own (`SPOOL PUNCH TO *`).
    let other = owner != userid || opts.to.is_some();
    (other || hold || opts.copies > 1).then(|| {
        format!(
            "{} FILE {id:04}  {word}  {owner:<8} COPY {:02} {}",
            origin.code(),
            opts.copies,
            if hold { "HOLD" } else { "NOHOLD" }
        )
    })
}

/// Closes a punch's or printer's open file into a spool file (CONT devices only when
/// `close.force`); returns CP's message about it, if one is due.
pub(crate) fn close_device(
    sys: &System,
    userid: &str,
    st: &mut UserState,
    addr: u16,
    close: &CloseOptions,
) -> Option<String> {
    let closing = match &st.vm.devices.get(&addr)?.kind {
        Kind::Printer(_, o) => close.force || !o.cont,
        _ => false,
    };
    let printed = if closing { crate::command::trace::take_printed(st, addr) } else { Vec::new() };
    let dev = st.vm.devices.get_mut(&addr)?;
    let (records, opts, origin) = match &mut dev.kind {
        Kind::Punch(out, o) if close.force || !o.cont => {
            let recs: Vec<Record> =
                out.close().into_iter().map(|c| Record { ccw: 0x41, data: c.to_vec() }).collect();
            (recs, o.clone(), Origin::Punch)
        }
        Kind::Printer(out, o) if close.force || !o.cont => {
            let mut recs: Vec<Record> =
                out.close().into_iter().map(|r| Record { ccw: r.cmd, data: r.data }).collect();
            recs.extend(printed);
            (recs, o.clone(), Origin::Printer)
        }
        _ => return None,
    };
    make_file(sys, userid, st, records, &opts, origin, close)
}

/// Closes the console spool file (what the console printed since `SPOOL CONSOLE START`).
pub(crate) fn close_console(
    sys: &System,
    userid: &str,
    st: &mut UserState,
    user: &User,
    hold: Option<bool>,
    name: Option<(String, String)>,
) -> Option<String> {
    let lines = user.console.take_held();
    let records: Vec<Record> =
        lines.iter().map(|l| Record { ccw: 0x09, data: s370::ebcdic::from_str(l) }).collect();
    let opts = st.cmd.console_spool.options.clone();
    let close = CloseOptions { name, hold, dist: None, force: true };
    make_file(sys, userid, st, records, &opts, Origin::Console, &close)
}

/// Ends the use of the file the user's reader has open: purged, unless kept (`hold`).
fn close_reader(sys: &System, userid: &str, st: &UserState, hold: Option<bool>) {
    let (spool_hold, cont) = st
        .vm
        .devices
        .values()
        .find_map(|d| match &d.kind {
            Kind::Reader(o) => {
                let o = o.lock().unwrap_or_else(|p| p.into_inner());
                Some((o.hold, o.cont))
            }
            _ => None,
        })
        .unwrap_or((false, false));
    let mut spool = sys.spool();
    let open: Vec<u16> = spool
        .queue(userid, Queue::Reader)
        .iter()
        .filter(|f| spool.in_use(f.id))
        .map(|f| f.id)
        .collect();
    for id in open {
        spool.set_in_use(id, false);
        // CLOSE usage note 5: HOLD saves the file; NOHOLD releases (purges) it; by default
        // the reader's SPOOL options decide (HOLD CONT leaves it held).
        let _ = match (hold, spool_hold, cont) {
            (Some(true), _, _) => Ok(()),
            (Some(false), _, _) | (None, false, _) => spool.purge(id).map(|_| ()),
            (None, true, true) => spool.update(id, |f| f.hold = true),
            (None, true, false) => Ok(()),
        };
    }
}

/// Closes every spool device of a user logging off; a file the reader has open is kept.
pub fn close_all(sys: &System, user: &User) {
    let mut st = user.lock();
    let addrs: Vec<u16> = st.vm.devices.keys().copied().collect();
    let close = CloseOptions { force: true, ..CloseOptions::default() };
    for a in addrs {
        if let Some(msg) = close_device(sys, &user.userid, &mut st, a, &close) {
            user.console.write(&msg);
        }
    }
    close_reader(sys, &user.userid, &st, Some(true));
}

/// What a device word of CLOSE or SPOOL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Readers,
    Printers,
    Punches,
    Console,
    Addr(u16),
}

fn target(word: &str) -> Option<Target> {
    Some(if abbreviates(word, "READER", 1) || word == "RDR" {
        Target::Readers
    } else if abbreviates(word, "PRINTER", 1) || word == "PRT" {
        Target::Printers
    } else if abbreviates(word, "PUNCH", 2) || word == "PCH" {
        Target::Punches
    } else if abbreviates(word, "CONSOLE", 3) {
        Target::Console
    } else {
        Target::Addr(vaddr(word)?)
    })
}

/// The addresses a target covers (a console address is `Target::Console`).
fn addresses(st: &UserState, t: Target) -> Vec<u16> {
    let pred: fn(&Kind) -> bool = match t {
        Target::Readers => |k| matches!(k, Kind::Reader(_)),
        Target::Printers => |k| matches!(k, Kind::Printer(..)),
        Target::Punches => |k| matches!(k, Kind::Punch(..)),
        Target::Console => |k| matches!(k, Kind::Console(_)),
        Target::Addr(a) => {
            return st.vm.devices.contains_key(&a).then_some(a).into_iter().collect();
        }
    };
    st.vm.devices.values().filter(|d| pred(&d.kind)).map(|d| d.addr).collect()
}

fn is_console(st: &UserState, t: Target) -> bool {
    match t {
        Target::Console => true,
        Target::Addr(a) => matches!(st.vm.devices.get(&a).map(|d| &d.kind), Some(Kind::Console(_))),
        _ => false,
    }
}

/// `CLOSE RDR|PRT|PUN|CONSOLE|vaddr [HOLD|NOHOLD] [DIST code] [NAME fn [ft]] [PURGE]`.
pub fn close(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(tgt) = t.next_upper().and_then(|w| target(&w)) else {
        ctx.error(st, "DMKCSQ022E", "VADDR MISSING OR INVALID");
        return;
    };
    let mut close = CloseOptions::default();
    let mut purge = false;
    while let Some(w) = t.next_upper() {
        if abbreviates(&w, "HOLD", 2) {
            close.hold = Some(true);
        } else if abbreviates(&w, "NOHOLD", 3) {
            close.hold = Some(false);
        } else if abbreviates(&w, "PURGE", 2) {
            purge = true;
        } else if abbreviates(&w, "DIST", 2) {
            match t.next_upper().filter(|d| d.len() <= 8) {
                Some(d) => close.dist = Some(d),
                None => return ctx.error(st, "DMKCSQ032E", "DISTCODE MISSING OR INVALID"),
            }
        } else if abbreviates(&w, "NAME", 2) {
            let f = t.next_upper().unwrap_or_default();
            let ty = t.next_upper().unwrap_or_default();
            close.name = Some((f.chars().take(8).collect(), ty.chars().take(8).collect()));
        } else {
            return ctx.error(st, "DMKCSQ003E", format!("INVALID OPTION - {w}"));
        }
    }
    let userid = ctx.user.userid.clone();
    if is_console(st, tgt) {
        if purge {
            ctx.user.console.take_held();
        } else if let Some(msg) =
            close_console(ctx.sys, &userid, st, ctx.user, close.hold, close.name.clone())
        {
            ctx.info(st, msg);
        }
        return;
    }
    let addrs = addresses(st, tgt);
    if addrs.is_empty() {
        let what = match tgt {
            Target::Addr(a) => format!("DEV {a:03X} DOES NOT EXIST"),
            _ => "DEV DOES NOT EXIST".to_string(),
        };
        return ctx.error(st, "DMKCSQ040E", what);
    }
    for a in addrs {
        let kind = st.vm.devices.get(&a).map(|d| d.class_name());
        match kind {
            Some("RDR") => close_reader(ctx.sys, &userid, st, close.hold),
            Some("PUN" | "PRT") if purge => {
                if let Some(d) = st.vm.devices.get(&a) {
                    match &d.kind {
                        Kind::Punch(out, _) => drop(out.close()),
                        Kind::Printer(out, _) => drop(out.close()),
                        _ => {}
                    }
                }
                let _ = crate::command::trace::take_printed(st, a);
            }
            Some("PUN" | "PRT") => {
                if let Some(msg) = close_device(ctx.sys, &userid, st, a, &close) {
                    ctx.info(st, msg);
                }
            }
            _ => {
                if let Some(d) = st.vm.io.device_mut(a) {
                    d.reset();
                }
            }
        }
    }
}

/// The options one SPOOL command sets.
#[derive(Debug, Default)]
struct SpoolChanges {
    class: Option<char>,
    cont: Option<bool>,
    hold: Option<bool>,
    eof: Option<bool>,
    copies: Option<u8>,
    /// `Some(None)`: OFF (or TO/FOR SYSTEM/*); `Some(Some(u))`: TO u.
    to: Option<Option<String>>,
    for_user: Option<Option<String>>,
    close: bool,
    purge: bool,
    start: Option<bool>,
    term: Option<bool>,
}

type Failure = (&'static str, String);

fn parse_spool(
    sys: &System,
    me: &str,
    t: &mut Tokens<'_>,
    reader: bool,
) -> Result<SpoolChanges, Failure> {
    let known = |u: &str| sys.directory.read().unwrap_or_else(|p| p.into_inner()).user(u).is_some();
    let userid = |w: Option<String>| -> Result<Option<String>, Failure> {
        match w.as_deref() {
            Some("SYSTEM") => Ok(None),
            Some("*") => Ok(Some(me.to_string())),
            Some(u) if known(u) => Ok(Some(u.to_string())),
            _ => Err(("DMKCSP020E", "USERID MISSING OR INVALID".into())),
        }
    };
    let mut c = SpoolChanges::default();
    while let Some(w) = t.next_upper() {
        if abbreviates(&w, "CLASS", 2) {
            let v = t.next_upper().unwrap_or_default();
            let ch = v.chars().next().unwrap_or(' ');
            if v.len() != 1 || !(ch.is_ascii_alphanumeric() || (reader && ch == '*')) {
                return Err(("DMKCSP028E", "CLASS MISSING OR INVALID".into()));
            }
            c.class = Some(ch);
        } else if abbreviates(&w, "CONT", 3) {
            c.cont = Some(true);
        } else if abbreviates(&w, "NOCONT", 3) {
            c.cont = Some(false);
        } else if abbreviates(&w, "HOLD", 2) {
            c.hold = Some(true);
        } else if abbreviates(&w, "NOHOLD", 3) {
            c.hold = Some(false);
        } else if w == "EOF" {
            c.eof = Some(true);
        } else if abbreviates(&w, "NOEOF", 3) {
            c.eof = Some(false);
        } else if abbreviates(&w, "COPY", 2) {
            match t.next_upper().and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=99).contains(n))
            {
                Some(n) => c.copies = Some(n),
                None => return Err(("DMKCSP026E", "OPERAND MISSING OR INVALID".into())),
            }
        } else if w == "TO" || w == "T" {
            let u = userid(t.next_upper())?;
            c.to = Some(u);
            c.for_user = Some(None);
        } else if w == "FOR" || w == "F" {
            let u = userid(t.next_upper())?.filter(|u| u != me);
            c.for_user = Some(u);
            c.to = Some(None);
        } else if w == "OFF" {
            c.to = Some(None);
            c.for_user = Some(None);
        } else if w == "CLOSE" {
            c.close = true;
        } else if w == "PURGE" {
            c.purge = true;
        } else if abbreviates(&w, "START", 3) {
            c.start = Some(true);
        } else if abbreviates(&w, "STOP", 2) {
            c.start = Some(false);
        } else if abbreviates(&w, "TERM", 2) {
            c.term = Some(true);
        } else if abbreviates(&w, "NOTERM", 4) {
            c.term = Some(false);
        } else if known(&w) {
            c.to = Some(Some(w));
            c.for_user = Some(None);
        } else {
            return Err(("DMKCSP003E", format!("INVALID OPTION - {w}")));
        }
    }
    if c.close && c.purge {
        return Err(("DMKCSP003E", "INVALID OPTION - PURGE".into()));
    }
    Ok(c)
}

fn apply(o: &mut SpoolOptions, c: &SpoolChanges) {
    if let Some(v) = c.class {
        o.class = v;
    }
    if let Some(v) = c.cont {
        o.cont = v;
    }
    if let Some(v) = c.hold {
        o.hold = v;
    }
    if let Some(v) = c.eof {
        o.eof = v;
    }
    if let Some(v) = c.copies {
        o.copies = v;
    }
    if let Some(v) = &c.to {
        o.to = v.clone();
    }
    if let Some(v) = &c.for_user {
        o.for_user = v.clone();
    }
}

/// `SPOOL RDR|PRT|PUN|CONSOLE|vaddr [CLASS c] [CONT|NOCONT] [HOLD|NOHOLD] [EOF|NOEOF]
/// [COPY n] [[TO|FOR] userid|*|SYSTEM] [OFF] [CLOSE|PURGE] [START|STOP] [TERM|NOTERM]`.
pub fn spool(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(tgt) = t.next_upper().and_then(|w| target(&w)) else {
        ctx.error(st, "DMKCSP022E", "VADDR MISSING OR INVALID");
        return;
    };
    let userid = ctx.user.userid.clone();
    if is_console(st, tgt) {
        return spool_console(ctx, st, t);
    }
    let addrs = addresses(st, tgt);
    if addrs.is_empty() {
        let what = match tgt {
            Target::Addr(a) => format!("DEV {a:03X} DOES NOT EXIST"),
            _ => "DEV DOES NOT EXIST".to_string(),
        };
        return ctx.error(st, "DMKCSP040E", what);
    }
    let reader =
        addrs.iter().all(|a| st.vm.devices.get(a).is_some_and(|d| d.class_name() == "RDR"));
    if !t.has_more() {
        return ctx.error(st, "DMKCSP026E", "OPERAND MISSING OR INVALID");
    }
    let changes = match parse_spool(ctx.sys, &userid, t, reader) {
        Ok(c) => c,
        Err((id, text)) => return ctx.error(st, id, text),
    };
    for a in addrs {
        let Some(dev) = st.vm.devices.get_mut(&a) else { continue };
        match &mut dev.kind {
            Kind::Reader(o) => apply(&mut o.lock().unwrap_or_else(|p| p.into_inner()), &changes),
            Kind::Punch(_, o) | Kind::Printer(_, o) => apply(o, &changes),
            _ => continue,
        }
        if changes.purge {
            if let Some(d) = st.vm.devices.get(&a) {
                match &d.kind {
                    Kind::Punch(out, _) => drop(out.close()),
                    Kind::Printer(out, _) => drop(out.close()),
                    _ => {}
                }
            }
        } else if changes.close {
            let close = CloseOptions { force: true, ..CloseOptions::default() };
            if let Some(msg) = close_device(ctx.sys, &userid, st, a, &close) {
                ctx.info(st, msg);
            }
        }
    }
}

/// `SPOOL CONSOLE START|STOP [TERM|NOTERM] [CLOSE|PURGE] options`.
fn spool_console(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let userid = ctx.user.userid.clone();
    if !t.has_more() {
        return ctx.error(st, "DMKCSP026E", "OPERAND MISSING OR INVALID");
    }
    let changes = match parse_spool(ctx.sys, &userid, t, false) {
        Ok(c) => c,
        Err((id, text)) => return ctx.error(st, id, text),
    };
    apply(&mut st.cmd.console_spool.options, &changes);
    if let Some(term) = changes.term {
        st.cmd.console_spool.term = term;
    }
    if changes.purge {
        ctx.user.console.take_held();
    } else if changes.close
        && let Some(msg) = close_console(ctx.sys, &userid, st, ctx.user, None, None)
    {
        ctx.info(st, msg);
    }
    if let Some(start) = changes.start {
        st.cmd.console_spool.started = start;
        ctx.user.console.set_spooling(start);
    }
}
