//! Commands on closed spool files: QUERY RDR/PRT/PUN and FILES, PURGE, ORDER, CHANGE and
//! TRANSFER (CP Command Reference). A user works on the files in its own queues; a file a
//! virtual reader has open is left alone.

use crate::command::Ctx;
use crate::command::table::abbreviates;
use crate::command::tokens::Tokens;
use crate::spool::{Queue, SpoolFile};
use crate::user::UserState;

/// A queue word: `Reader|RDR`, `Printer|PRT`, `PUnch|PCH`.
fn queue(word: &str) -> Option<Queue> {
    if abbreviates(word, "READER", 1) || word == "RDR" {
        Some(Queue::Reader)
    } else if abbreviates(word, "PRINTER", 1) || word == "PRT" {
        Some(Queue::Printer)
    } else if abbreviates(word, "PUNCH", 2) || word == "PCH" {
        Some(Queue::Punch)
    } else {
        None
    }
}

/// One selector of PURGE/ORDER/CHANGE/TRANSFER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    All,
    Class(char),
    Id(u16),
}

fn class_char(w: Option<String>) -> Option<char> {
    let w = w?;
    let c = w.chars().next()?;
    (w.len() == 1 && c.is_ascii_alphanumeric()).then_some(c)
}

/// Parses one selector from `w` (and the next word, for CLASS).
fn pick(w: &str, t: &mut Tokens<'_>) -> Option<Pick> {
    if w == "ALL" {
        Some(Pick::All)
    } else if abbreviates(w, "CLASS", 2) {
        class_char(t.next_upper()).map(Pick::Class)
    } else if let Some(c) = w.strip_prefix("CL").filter(|c| c.len() == 1) {
        class_char(Some(c.to_string())).map(Pick::Class)
    } else {
        w.parse::<u16>().ok().filter(|n| (1..=crate::spool::MAX_SPOOLID).contains(n)).map(Pick::Id)
    }
}

fn matches(f: &SpoolFile, p: Pick) -> bool {
    match p {
        Pick::All => true,
        Pick::Class(c) => f.class == c,
        Pick::Id(id) => f.id == id,
    }
}

/// The ids of `files` the selectors pick, in the selectors' order, each once.
fn select(files: &[SpoolFile], picks: &[Pick]) -> Vec<u16> {
    let mut out = Vec::new();
    for &p in picks {
        for f in files.iter().filter(|f| matches(f, p)) {
            if !out.contains(&f.id) {
                out.push(f.id);
            }
        }
    }
    out
}

/// The user's files in `q` that no reader has open, in queue order.
fn own_files(ctx: &Ctx<'_>, q: Queue) -> Vec<SpoolFile> {
    let spool = ctx.sys.spool();
    spool.queue(&ctx.user.userid, q).into_iter().filter(|f| !spool.in_use(f.id)).cloned().collect()
}

fn count(n: usize, what: &str) -> String {
    if n == 0 { format!("NO FILES {what}") } else { format!("{n:04} FILES {what}") }
}

/// Reads selectors to the end of the line.
fn picks(t: &mut Tokens<'_>) -> Result<Vec<Pick>, String> {
    let mut out = Vec::new();
    while let Some(w) = t.next_upper() {
        out.push(pick(&w, t).ok_or(w)?);
    }
    Ok(out)
}

/// `PURGE RDR|PRT|PUN|ALL [ALL|CLASS c ...|spoolid ...]`.
pub fn purge(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(w) = t.next_upper() else {
        return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID");
    };
    let queues = if w == "ALL" {
        vec![Queue::Reader, Queue::Printer, Queue::Punch]
    } else {
        match queue(&w) {
            Some(q) => vec![q],
            None => return ctx.error(st, "DMKCSU003E", format!("INVALID OPTION - {w}")),
        }
    };
    let mut p = match picks(t) {
        Ok(p) => p,
        Err(w) => return ctx.error(st, "DMKCSU003E", format!("INVALID OPTION - {w}")),
    };
    if p.is_empty() || w == "ALL" {
        p = vec![Pick::All];
    }
    let mut n = 0;
    for q in queues {
        let ids = select(&own_files(ctx, q), &p);
        let mut spool = ctx.sys.spool();
        n += ids.iter().filter(|&&id| spool.purge(id).is_ok()).count();
    }
    ctx.info(st, count(n, "PURGED"));
}

/// `ORDER RDR|PRT|PUN {CLASS c | spoolid} ...`.
pub fn order(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(q) = t.next_upper().and_then(|w| queue(&w)) else {
        return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID");
    };
    let p = match picks(t) {
        Ok(p) if !p.is_empty() && !p.contains(&Pick::All) => p,
        Ok(_) => return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID"),
        Err(w) => return ctx.error(st, "DMKCSU003E", format!("INVALID OPTION - {w}")),
    };
    let ids = select(&own_files(ctx, q), &p);
    let ok = ctx.sys.spool().order(&ids).is_ok();
    ctx.info(st, count(if ok { ids.len() } else { 0 }, "ORDERED"));
}

/// `CHANGE RDR|PRT|PUN spoolid|CLASS c|ALL [CLASS c2] [COPY nn] [HOLD|NOHOLD] [DIST d]
/// [NAME fn [ft]]`.
pub fn change(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(q) = t.next_upper().and_then(|w| queue(&w)) else {
        return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID");
    };
    let Some(sel) = t.next_upper().and_then(|w| pick(&w, t)) else {
        return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID");
    };
    let (mut class, mut copies, mut hold, mut dist, mut name) = (None, None, None, None, None);
    while let Some(w) = t.next_upper() {
        if abbreviates(&w, "CLASS", 2) {
            match class_char(t.next_upper()) {
                Some(c) => class = Some(c),
                None => return ctx.error(st, "DMKCSU028E", "CLASS MISSING OR INVALID"),
            }
        } else if abbreviates(&w, "COPY", 2) && q != Queue::Reader {
            match t.next_upper().and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=99).contains(n))
            {
                Some(n) => copies = Some(n),
                None => return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID"),
            }
        } else if abbreviates(&w, "HOLD", 2) {
            hold = Some(true);
        } else if abbreviates(&w, "NOHOLD", 3) {
            hold = Some(false);
        } else if abbreviates(&w, "DIST", 2) {
            match t.next_upper().filter(|d| d.len() <= 8) {
                Some(d) => dist = Some(d),
                None => return ctx.error(st, "DMKCSU032E", "DISTCODE MISSING OR INVALID"),
            }
        } else if abbreviates(&w, "NAME", 2) {
            let f: String = t.next_upper().unwrap_or_default().chars().take(8).collect();
            let ty: String = t.next_upper().unwrap_or_default().chars().take(8).collect();
            name = Some((f, ty));
            break;
        } else {
            return ctx.error(st, "DMKCSU003E", format!("INVALID OPTION - {w}"));
        }
    }
    if (class, copies, hold, &dist, &name) == (None, None, None, &None, &None) {
        return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID");
    }
    let ids = select(&own_files(ctx, q), &[sel]);
    let mut spool = ctx.sys.spool();
    let n = ids
        .iter()
        .filter(|&&id| {
            spool
                .update(id, |f| {
                    if let Some(c) = class {
                        f.class = c;
                    }
                    if let Some(c) = copies {
                        f.copies = c;
                    }
                    if let Some(h) = hold {
                        f.hold = h;
                    }
                    if let Some(d) = &dist {
                        f.dist = d.clone();
                    }
                    if let Some((n, t)) = &name {
                        f.name = n.clone();
                        f.ftype = t.clone();
                    }
                })
                .is_ok()
        })
        .count();
    drop(spool);
    ctx.info(st, count(n, "CHANGED"));
}

/// `TRANSFER [RDR] spoolid|CLASS c|ALL [TO] userid|*` or `... FROM userid|ALL`.
pub fn transfer(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let mut w = t.next_upper();
    if w.as_deref().is_some_and(|w| queue(w) == Some(Queue::Reader)) {
        w = t.next_upper();
    }
    let Some(sel) = w.and_then(|w| pick(&w, t)) else {
        return ctx.error(st, "DMKCSU026E", "OPERAND MISSING OR INVALID");
    };
    let mut w = t.next_upper();
    let from = w.as_deref() == Some("FROM");
    if from || matches!(w.as_deref(), Some("TO" | "T")) {
        w = t.next_upper();
    }
    let me = ctx.user.userid.clone();
    let other = match w {
        Some(u) if u == "*" => me.clone(),
        Some(u) => u,
        None => return ctx.error(st, "DMKCSU020E", "USERID MISSING OR INVALID"),
    };
    let known =
        |u: &str| ctx.sys.directory.read().unwrap_or_else(|p| p.into_inner()).user(u).is_some();
    if !(known(&other) || from && other == "ALL") {
        return ctx.error(st, "DMKCSU020E", "USERID MISSING OR INVALID");
    }
    let mut moved: Vec<(u16, String)> = Vec::new();
    {
        let mut spool = ctx.sys.spool();
        let candidates: Vec<SpoolFile> = if from {
            spool
                .all()
                .filter(|f| f.queue == Queue::Reader && f.origin_user == me && f.owner != me)
                .filter(|f| other == "ALL" || f.owner == other)
                .filter(|f| !spool.in_use(f.id))
                .cloned()
                .collect()
        } else {
            spool
                .queue(&me, Queue::Reader)
                .into_iter()
                .filter(|f| !spool.in_use(f.id))
                .cloned()
                .collect()
        };
        for id in select(&candidates, &[sel]) {
            let prev = candidates.iter().find(|f| f.id == id).map(|f| f.owner.clone());
            let to = if from { me.clone() } else { other.clone() };
            if spool.update(id, |f| f.owner = to.clone()).is_ok() {
                moved.push((id, prev.unwrap_or_default()));
            }
        }
    }
    for (id, prev) in &moved {
        if from {
            ctx.say(format!("RDR FILE {id:04} TRANSFERRED FROM {prev}"));
        } else {
            ctx.say(format!("RDR FILE {id:04} TRANSFERRED TO {other}"));
            if other != me
                && let Some(u) = ctx.sys.user(&other)
            {
                u.console.write(&format!("RDR FILE {id:04} TRANSFERRED FROM {me}"));
            }
        }
    }
    ctx.info(st, count(moved.len(), "TRANSFERRED"));
}

/// `QUERY RDR|PRT|PUN [ALL|spoolid|CLASS c]`: the user's files in R6's layout; the date,
/// time, name and distribution columns only with ALL or a spool id.
pub fn query_files(ctx: &mut Ctx<'_>, st: &mut UserState, q: Queue, t: &mut Tokens<'_>) {
    let mut long = false;
    let mut filter = Pick::All;
    if let Some(w) = t.next_upper() {
        match pick(&w, t) {
            Some(Pick::All) => long = true,
            Some(p @ Pick::Id(_)) => {
                long = true;
                filter = p;
            }
            Some(p) => filter = p,
            None => return ctx.error(st, "DMKCQP003E", format!("INVALID OPTION - {w}")),
        }
    }
    let files: Vec<SpoolFile> = ctx
        .sys
        .spool()
        .queue(&ctx.user.userid, q)
        .into_iter()
        .filter(|f| matches(f, filter))
        .cloned()
        .collect();
    if files.is_empty() {
        ctx.say(format!("NO {} FILES", q.code()));
        return;
    }
    ctx.say(if long {
        "OWNERID  FILE CLASS RECDS  CPY HOLD  DATE  TIME     NAME     TYPE     DIST"
    } else {
        "OWNERID  FILE CLASS RECDS  CPY HOLD"
    });
    for f in files {
        let mut line = format!(
            "{:<8} {:04} {} {} {:08} {:02} {:<4}",
            f.origin_user,
            f.id,
            f.class,
            f.origin.code(),
            f.records.len(),
            f.copies,
            if f.hold { "USER" } else { "NONE" },
        );
        if long {
            let c = ctx.sys.zone.civil(f.created);
            line.push_str(&format!(
                "  {:02}/{:02} {:02}:{:02}:{:02} {:<8} {:<8} {}",
                c.month, c.day, c.hour, c.minute, c.second, f.name, f.ftype, f.dist
            ));
        }
        ctx.say(line.trim_end().to_string());
    }
}

/// `QUERY FILES [CLASS c]`: how many files the user has in each queue.
pub fn query_counts(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let class = match t.next_upper() {
        None => None,
        Some(w) => match pick(&w, t) {
            Some(Pick::Class(c)) => Some(c),
            _ => return ctx.error(st, "DMKCQP003E", format!("INVALID OPTION - {w}")),
        },
    };
    let spool = ctx.sys.spool();
    let n = |q: Queue| {
        spool
            .queue(&ctx.user.userid, q)
            .iter()
            .filter(|f| class.is_none_or(|c| f.class == c) && !spool.in_use(f.id))
            .count()
    };
    let part = |k: usize, what: &str| {
        if k == 0 { format!("NO {what}") } else { format!("{k:03} {what}") }
    };
    let line = format!(
        "FILES: {}, {}, {}",
        part(n(Queue::Reader), "RDR"),
        part(n(Queue::Printer), "PRT"),
        part(n(Queue::Punch), "PUN")
    );
    drop(spool);
    ctx.say(line);
}
