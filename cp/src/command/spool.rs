//! Spooling commands: CLOSE, SPOOL, QUERY RDR/PRT/PUN, and closing everything at LOGOFF.

use crate::command::Ctx;
use crate::command::tokens::{Tokens, vaddr};
use crate::spool::{Origin, Queue, Record, SpoolFile};
use crate::system::System;
use crate::user::{User, UserState};
use crate::vdev::{Kind, SpoolOptions};

/// Makes a spool file of a punch's or printer's open file, if it has records; returns the
/// message CP types about it (when it went to another user, or is held).
pub(crate) fn close_device(
    sys: &System,
    userid: &str,
    st: &mut UserState,
    addr: u16,
    name: Option<(String, String)>,
    hold_override: Option<bool>,
) -> Option<String> {
    let dev = st.vm.devices.get_mut(&addr)?;
    let (records, opts, origin, queue) = match &mut dev.kind {
        Kind::Punch(out, o) => {
            let recs: Vec<Record> =
                out.close().into_iter().map(|c| Record { ccw: 0x41, data: c.to_vec() }).collect();
            (recs, o.clone(), Origin::Punch, Queue::Punch)
        }
        Kind::Printer(out, o) => {
            let recs: Vec<Record> =
                out.close().into_iter().map(|r| Record { ccw: r.cmd, data: r.data }).collect();
            (recs, o.clone(), Origin::Printer, Queue::Printer)
        }
        _ => return None,
    };
    if records.is_empty() {
        return None;
    }
    let (fname, ftype) = name.unwrap_or_default();
    let hold = hold_override.unwrap_or(opts.hold);
    let (owner, queue) = match &opts.to {
        Some(to) => (to.clone(), Queue::Reader),
        None => (userid.to_string(), queue),
    };
    let file = SpoolFile {
        id: 0,
        owner: owner.clone(),
        origin_user: opts.for_user.clone().unwrap_or_else(|| userid.to_string()),
        queue,
        origin,
        class: opts.class,
        copies: opts.copies,
        hold,
        name: fname,
        ftype,
        dist: userid.to_string(),
        created: sys.now(),
        seq: 0,
        records,
    };
    let id = sys.spool().create(file).ok()?;
    let dev_word = if origin == Origin::Punch { "PUN" } else { "PRT" };
    let hold_word = if hold { "HOLD" } else { "NOHOLD" };
    Some(format!("{dev_word} FILE {id:04} TO  {owner:<8} COPY {:02} {hold_word}", opts.copies))
}

/// Closes every spool device of a user logging off.
pub fn close_all(sys: &System, user: &User) {
    let mut st = user.lock();
    let addrs: Vec<u16> = st.vm.devices.keys().copied().collect();
    for a in addrs {
        if let Some(msg) = close_device(sys, &user.userid, &mut st, a, None, None) {
            user.console.write(&msg);
        }
    }
}

fn dev_addr(st: &UserState, word: &str) -> Option<u16> {
    let find =
        |pred: fn(&Kind) -> bool| st.vm.devices.values().find(|d| pred(&d.kind)).map(|d| d.addr);
    match word {
        "RDR" | "READER" => find(|k| matches!(k, Kind::Reader(_))),
        "PUN" | "PUNCH" | "PCH" => find(|k| matches!(k, Kind::Punch(..))),
        "PRT" | "PRINTER" => find(|k| matches!(k, Kind::Printer(..))),
        "CON" | "CONS" | "CONSOLE" => find(|k| matches!(k, Kind::Console(_))),
        w => vaddr(w),
    }
}

/// `CLOSE vaddr|RDR|PUN|PRT [HOLD|NOHOLD] [NAME fn [ft]] [PURGE]`.
pub fn close(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(word) = t.next_upper() else {
        ctx.error(st, "DMKCSQ022E", "VADDR MISSING OR INVALID");
        return;
    };
    let Some(addr) = dev_addr(st, &word) else {
        ctx.error(st, "DMKCSQ022E", "VADDR MISSING OR INVALID");
        return;
    };
    let mut hold = None;
    let mut name = None;
    let mut purge = false;
    while let Some(w) = t.next_upper() {
        match w.as_str() {
            "HOLD" => hold = Some(true),
            "NOHOLD" => hold = Some(false),
            "PURGE" => purge = true,
            "NAME" => {
                let f = t.next_upper().unwrap_or_default();
                let ty = t.next_upper().unwrap_or_default();
                name = Some((f.chars().take(8).collect(), ty.chars().take(8).collect()));
            }
            "DIST" => {
                t.next_upper();
            }
            other => {
                ctx.error(st, "DMKCSQ003E", format!("INVALID OPTION - {other}"));
                return;
            }
        }
    }
    let Some(dev) = st.vm.devices.get(&addr) else {
        ctx.error(st, "DMKCSQ040E", format!("DEV {addr:03X} DOES NOT EXIST"));
        return;
    };
    match &dev.kind {
        Kind::Punch(out, _) if purge => {
            out.close();
        }
        Kind::Printer(out, _) if purge => {
            out.close();
        }
        Kind::Punch(..) | Kind::Printer(..) => {
            let userid = ctx.user.userid.clone();
            if let Some(msg) = close_device(ctx.sys, &userid, st, addr, name, hold) {
                let to_other = msg.contains(" TO ") && !msg.contains(&format!("TO  {userid:<8}"));
                if to_other || hold == Some(true) {
                    ctx.say(msg);
                }
            }
        }
        Kind::Reader(_) | Kind::Console(_) | Kind::Dasd(_) => {
            if let Some(d) = st.vm.io.device_mut(addr) {
                d.reset();
            }
        }
    }
}

/// `SPOOL vaddr|RDR|PUN|PRT [CLASS c] [CONT|NOCONT] [HOLD|NOHOLD] [COPY n] [EOF|NOEOF]
/// [TO userid|*|OFF] [FOR userid]`.
pub fn spool(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(word) = t.next_upper() else {
        ctx.error(st, "DMKCSP022E", "VADDR MISSING OR INVALID");
        return;
    };
    let Some(addr) = dev_addr(st, &word) else {
        ctx.error(st, "DMKCSP022E", "VADDR MISSING OR INVALID");
        return;
    };
    let userid = ctx.user.userid.clone();
    let sys = ctx.sys.clone();
    let Some(dev) = st.vm.devices.get_mut(&addr) else {
        ctx.error(st, "DMKCSP040E", format!("DEV {addr:03X} DOES NOT EXIST"));
        return;
    };
    let mut edit = |o: &mut SpoolOptions, reader: bool| -> Result<(), (String, String)> {
        while let Some(w) = t.next_upper() {
            match w.as_str() {
                "CLASS" | "CL" => {
                    let c = t.next_upper().unwrap_or_default();
                    let ch = c.chars().next().unwrap_or(' ');
                    if c.len() != 1 || !(ch.is_ascii_alphanumeric() || (reader && ch == '*')) {
                        return Err(("DMKCSP028E".into(), "CLASS MISSING OR INVALID".into()));
                    }
                    o.class = ch;
                }
                "CONT" => o.cont = true,
                "NOCONT" => o.cont = false,
                "HOLD" => o.hold = true,
                "NOHOLD" => o.hold = false,
                "EOF" => o.eof = true,
                "NOEOF" => o.eof = false,
                "COPY" => match t
                    .next_upper()
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=99).contains(n))
                {
                    Some(n) => o.copies = n,
                    None => return Err(("DMKCSP026E".into(), "OPERAND MISSING OR INVALID".into())),
                },
                "TO" => match t.next_upper().as_deref() {
                    Some("OFF") => o.to = None,
                    Some("*") => o.to = Some(userid.clone()),
                    Some(u) => {
                        let known = sys
                            .directory
                            .read()
                            .unwrap_or_else(|p| p.into_inner())
                            .user(u)
                            .is_some();
                        if !known {
                            return Err(("DMKCSP020E".into(), "USERID MISSING OR INVALID".into()));
                        }
                        o.to = Some(u.to_string());
                    }
                    None => return Err(("DMKCSP020E".into(), "USERID MISSING OR INVALID".into())),
                },
                "OFF" => o.to = None,
                "FOR" => o.for_user = t.next_upper(),
                other => return Err(("DMKCSP003E".into(), format!("INVALID OPTION - {other}"))),
            }
        }
        Ok(())
    };
    let result = match &mut dev.kind {
        Kind::Reader(o) => {
            let mut g = o.lock().unwrap_or_else(|p| p.into_inner());
            edit(&mut g, true)
        }
        Kind::Punch(_, o) | Kind::Printer(_, o) => edit(o, false),
        _ => Err(("DMKCSP022E".into(), "VADDR MISSING OR INVALID".into())),
    };
    if let Err((id, text)) = result {
        ctx.error(st, &id, text);
    }
}

/// `QUERY RDR|PRT|PUN [ALL]`: the files in the user's queue, in R6's layout.
pub fn query_files(ctx: &mut Ctx<'_>, st: &mut UserState, queue: Queue, t: &mut Tokens<'_>) {
    let _all = t.next_upper().as_deref() == Some("ALL");
    let files: Vec<SpoolFile> =
        ctx.sys.spool().queue(&ctx.user.userid, queue).into_iter().cloned().collect();
    if files.is_empty() {
        let what = match queue {
            Queue::Reader => "RDR",
            Queue::Printer => "PRT",
            Queue::Punch => "PUN",
        };
        ctx.say(format!("NO {what} FILES"));
        let _ = st;
        return;
    }
    ctx.say("OWNERID  FILE CLASS RECDS  CPY HOLD  DATE  TIME     NAME     TYPE     DIST");
    for f in files {
        let c = ctx.sys.zone.civil(f.created);
        ctx.say(format!(
            "{:<8} {:04} {} {} {:08} {:02} {:<4}  {:02}/{:02} {:02}:{:02}:{:02} {:<8} {:<8} {}",
            f.origin_user,
            f.id,
            f.class,
            f.origin.code(),
            f.records.len(),
            f.copies,
            if f.hold { "USER" } else { "NONE" },
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            f.name,
            f.ftype,
            f.dist
        ));
    }
}
