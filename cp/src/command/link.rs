//! LINK and DETACH: adding another user's (or one's own) minidisk to the virtual machine,
//! and taking a device away (CP Command Reference, LINK and DETACH).
//!
//! Which access a LINK gets is R6's table (LINK usage note 4): the mode asks for a primary
//! access (R, W or M) and maybe an alternate (RR, WR, MR, MW); what is established depends on
//! the password the directory has for that access and on the links that exist:
//!
//! ```text
//!  mode  existing links: none   R     W
//!  R                      R/O    R/O   -
//!  RR                     R/O    R/O   R/O
//!  W                      R/W    -     -
//!  WR                     R/W    R/O   R/O
//!  M                      R/W    R/W   -
//!  MR                     R/W    R/W   R/O
//!  MW                     R/W    R/W   R/W
//! ```
//!
//! A disk without the password for the access asked gives no link at all; `ALL` needs none;
//! one's own disks need none. Ten wrong passwords disable LINK for the rest of the session.

use crate::command::Ctx;
use crate::command::tokens::{Tokens, vaddr};
use crate::directory::{Access, LinkMode, Mdisk, PasswordKind};
use crate::system::System;
use crate::user::UserState;
use crate::vdev::Kind;

/// Wrong LINK passwords allowed in a session before LINK is disabled.
pub const MAX_LINK_FAILURES: u32 = 10;

/// The highest virtual address the machine may use: X'5FF' in basic control mode, X'FFF'
/// with ECMODE (LINK and DEFINE usage notes).
pub fn max_vaddr(st: &UserState) -> u16 {
    if st.settings.ecmode { 0xFFF } else { 0x5FF }
}

/// A LINK as parsed, waiting for its password.
#[derive(Debug, Clone)]
struct Request {
    owner: String,
    vaddr1: u16,
    vaddr2: u16,
    mode: Option<LinkMode>,
    password: Option<String>,
}

/// `LINK [TO] userid vaddr1 [AS] vaddr2 [mode] [[PASS=]password]`.
pub fn link(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    if st.link_failures >= MAX_LINK_FAILURES {
        ctx.error(st, "DMKLNK114E", "LINK INVALID; EXCESSIVE INCORRECT PASSWORDS");
        return;
    }
    let mut word = t.next_upper();
    if matches!(word.as_deref(), Some("TO" | "T")) {
        word = t.next_upper();
    }
    let Some(mut owner) = word.filter(|w| w.len() <= 8) else {
        ctx.error(st, "DMKLNK020E", "USERID MISSING OR INVALID");
        return;
    };
    if owner == "*" {
        owner = ctx.user.userid.clone();
    }
    let Some(vaddr1) = t.next_upper().and_then(|w| vaddr(&w)) else {
        ctx.error(st, "DMKLNK022E", "VADDR MISSING OR INVALID");
        return;
    };
    let mut w = t.next_upper();
    if matches!(w.as_deref(), Some("AS" | "A")) {
        w = t.next_upper();
    }
    let Some(vaddr2) = w.and_then(|w| vaddr(&w)).filter(|&a| a <= max_vaddr(st)) else {
        ctx.error(st, "DMKLNK022E", "VADDR MISSING OR INVALID");
        return;
    };
    let mut mode = None;
    let mut password = None;
    if let Some(w) = t.next_raw() {
        match LinkMode::parse(w) {
            Some(m) => {
                mode = Some(m);
                password = t.next_raw().map(str::to_string);
            }
            None => password = Some(w.to_string()),
        }
    }
    if let Some(pw) = &mut password
        && pw.len() >= 5
        && pw[..5].eq_ignore_ascii_case("PASS=")
    {
        *pw = pw[5..].to_string();
    }
    if t.has_more() {
        ctx.error(st, "DMKLNK026E", "OPERAND MISSING OR INVALID");
        return;
    }
    let req = Request { owner, vaddr1, vaddr2, mode, password };
    start(ctx, st, req);
}

/// Finds the minidisk `owner`'s `vaddr` designates: an MDISK of the entry, or the disk a
/// LINK statement of the entry names. Returns the real owner, its address and the MDISK.
fn resolve(sys: &System, owner: &str, vaddr: u16) -> Result<(String, Mdisk, LinkMode), bool> {
    let dir = sys.directory.read().unwrap_or_else(|p| p.into_inner());
    let entry = dir.user(owner).ok_or(false)?;
    if let Some(m) = entry.mdisk(crate::directory::VAddr(vaddr)) {
        return Ok((entry.userid.clone(), m.clone(), m.mode));
    }
    let l = entry.links.iter().find(|l| l.as_vaddr.0 == vaddr).ok_or(true)?;
    let target = dir.user(&l.userid).ok_or(true)?;
    let m = target.mdisk(l.vaddr).ok_or(true)?;
    Ok((target.userid.clone(), m.clone(), l.mode))
}

fn start(ctx: &mut Ctx<'_>, st: &mut UserState, req: Request) {
    let me = ctx.user.userid.clone();
    let (owner, mdisk, dir_mode) = match resolve(ctx.sys, &req.owner, req.vaddr1) {
        Ok(x) => x,
        Err(false) => {
            let text = format!("{} {:03X} NOT LINKED; NOT IN CP DIRECTORY", req.owner, req.vaddr1);
            ctx.error(st, "DMKLNK107E", text);
            return;
        }
        Err(true) => {
            let text =
                format!("{} {:03X} NOT LINKED; NO DASD {:03X}", req.owner, req.vaddr1, req.vaddr1);
            ctx.error(st, "DMKLNK109E", text);
            return;
        }
    };
    if let Some(d) = st.vm.devices.get(&req.vaddr2) {
        let text = format!(
            "{} {:03X} NOT LINKED; {} {:03X} ALREADY DEFINED",
            req.owner,
            req.vaddr1,
            d.class_name(),
            req.vaddr2
        );
        ctx.error(st, "DMKLNK110E", text);
        return;
    }
    let own = owner == me;
    let mode = req.mode.unwrap_or(if own { dir_mode } else { LinkMode::new(Access::R) });
    let kind = mode.access.password_kind();
    if !own {
        let needs = match mdisk.password(kind) {
            None => {
                let what = match kind {
                    PasswordKind::Read => "READ",
                    PasswordKind::Write => "WRITE",
                    PasswordKind::Multi => "MULT",
                };
                let text =
                    format!("{} {:03X} NOT LINKED; NO {what} PASSWORD", req.owner, req.vaddr1);
                ctx.error(st, "DMKLNK111E", text);
                return;
            }
            Some(pw) => !pw.eq_ignore_ascii_case("ALL"),
        };
        if needs && req.password.is_none() {
            let question = match kind {
                PasswordKind::Read => "ENTER READ PASSWORD:",
                PasswordKind::Write => "ENTER WRITE PASSWORD:",
                PasswordKind::Multi => "ENTER MULT PASSWORD:",
            };
            let pending = req.clone();
            ctx.ask(
                question,
                true,
                Box::new(move |ctx, st, answer| {
                    let mut r = pending;
                    r.password = Some(answer.trim().to_string());
                    finish(ctx, st, r, owner, mdisk, mode, false);
                }),
            );
            return;
        }
    }
    finish(ctx, st, req, owner, mdisk, mode, own);
}

/// Who holds links to a minidisk: (users with R/W, users with R/O), each user once.
fn holders(sys: &System, owner: &str, owner_addr: u16) -> (Vec<String>, Vec<String>) {
    let links = sys.links.lock().unwrap_or_else(|p| p.into_inner());
    let mut w: Vec<String> = Vec::new();
    let mut r: Vec<String> = Vec::new();
    for l in links.iter().filter(|l| l.owner == owner && l.owner_addr == owner_addr) {
        let list = if l.write { &mut w } else { &mut r };
        if !list.contains(&l.user) {
            list.push(l.user.clone());
        }
    }
    (w, r)
}

/// `userid` when one user, `nnn USERS` otherwise.
fn by(users: &[String]) -> String {
    match users {
        [one] => one.clone(),
        many => format!("{:03} USERS", many.len()),
    }
}

fn finish(
    ctx: &mut Ctx<'_>,
    st: &mut UserState,
    req: Request,
    owner: String,
    mdisk: Mdisk,
    mode: LinkMode,
    own: bool,
) {
    let kind = mode.access.password_kind();
    if !own && !mdisk.admits(kind, req.password.as_deref()) {
        st.link_failures += 1;
        let text = format!("{} {:03X} NOT LINKED; PASSWORD INCORRECT", req.owner, req.vaddr1);
        ctx.error(st, "DMKLNK113E", text);
        return;
    }
    if st.vm.devices.contains_key(&req.vaddr2) {
        // Defined while the password was being typed.
        let text = format!(
            "{} {:03X} NOT LINKED; DASD {:03X} ALREADY DEFINED",
            req.owner, req.vaddr1, req.vaddr2
        );
        ctx.error(st, "DMKLNK110E", text);
        return;
    }
    let (writers, readers) = holders(ctx.sys, &owner, mdisk.vaddr.0);
    let not_linked = |ctx: &mut Ctx<'_>, st: &UserState, id: &str, why: String| {
        ctx.error(st, id, format!("{} {:03X} NOT LINKED; {why}", req.owner, req.vaddr1));
    };
    // Some(true) = R/W, Some(false) = R/O, None = no link (with the reason).
    let write = match mode.access {
        Access::R if !writers.is_empty() => {
            return not_linked(ctx, st, "DMKLNK104E", format!("R/W BY {}", by(&writers)));
        }
        Access::R | Access::RR => false,
        Access::W if !writers.is_empty() => {
            return not_linked(ctx, st, "DMKLNK104E", format!("R/W BY {}", by(&writers)));
        }
        Access::W if !readers.is_empty() => {
            return not_linked(ctx, st, "DMKLNK106E", format!("R/O BY {}", by(&readers)));
        }
        Access::M if !writers.is_empty() => {
            return not_linked(ctx, st, "DMKLNK104E", format!("R/W BY {}", by(&writers)));
        }
        Access::W | Access::M | Access::MW => true,
        Access::WR => writers.is_empty() && readers.is_empty(),
        Access::MR => writers.is_empty(),
    };
    let userid = ctx.user.userid.clone();
    if let Err(e) = crate::user::build::attach_minidisk(
        ctx.sys, &mut st.vm, &userid, req.vaddr2, &owner, &mdisk, write,
    ) {
        let text = format!("{} {:03X} NOT LINKED; {e}", req.owner, req.vaddr1);
        ctx.error(st, "DMKLNK108E", text);
        return;
    }
    let v = req.vaddr2;
    if !write && mode.access.wants_write() {
        if writers.is_empty() {
            ctx.error(
                st,
                "DMKLNK102W",
                format!("DASD {v:03X} FORCED R/O; R/O BY {}", by(&readers)),
            );
        } else {
            ctx.error(
                st,
                "DMKLNK101W",
                format!("DASD {v:03X} FORCED R/O; R/W BY {}", by(&writers)),
            );
        }
        return;
    }
    let mut text = format!("DASD {v:03X} LINKED {}", if write { "R/W" } else { "R/O" });
    if !writers.is_empty() {
        text.push_str(&format!("; R/W BY {}", by(&writers)));
    }
    if !readers.is_empty() && (write || !writers.is_empty()) {
        text.push_str(&format!("; R/O BY {}", by(&readers)));
    }
    ctx.say(text);
}

/// `DETACH vaddr`.
pub fn detach(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(w) = t.next_upper() else {
        ctx.error(st, "DMKVDD022E", "VADDR MISSING OR INVALID");
        return;
    };
    if crate::command::table::abbreviates(&w, "CHANNEL", 4) {
        ctx.error(st, "DMKVDD003E", format!("INVALID OPTION - {w}"));
        return;
    }
    let Some(addr) = vaddr(&w) else {
        ctx.error(st, "DMKVDD022E", "VADDR MISSING OR INVALID");
        return;
    };
    let Some(dev) = st.vm.devices.get(&addr) else {
        ctx.error(st, "DMKVDD040E", format!("DEV {addr:03X} DOES NOT EXIST"));
        return;
    };
    if matches!(dev.kind, Kind::Console(_)) {
        ctx.error(st, "DMKVDD041E", format!("DEV {addr:03X} IS CONSOLE, NOT DETACHED"));
        return;
    }
    if st.cmd.trace.traces_io() {
        ctx.error(st, "DMKVDD273E", "DETACH REJECTED; VIRTUAL MACHINE TRACING I/O");
        return;
    }
    let name = dev.class_name();
    let userid = ctx.user.userid.clone();
    let close = crate::command::spool::CloseOptions { force: true, ..Default::default() };
    if let Some(msg) = crate::command::spool::close_device(ctx.sys, &userid, st, addr, &close) {
        ctx.info(st, msg);
    }
    st.vm.detach(addr);
    st.cmd.tdisks.remove(&addr);
    st.cmd.ready.remove(&addr);
    ctx.sys
        .links
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|l| !(l.user == userid && l.vaddr == addr));
    ctx.info(st, format!("{name} {addr:03X} DETACHED"));
}

/// `QUERY LINKS vaddr`: every user linked to the minidisk the user has at `vaddr`.
pub fn query_links(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    let Some(addr) = t.next_upper().and_then(|w| vaddr(&w)) else {
        ctx.error(st, "DMKCQG022E", "VADDR MISSING OR INVALID");
        return;
    };
    let Some(Kind::Dasd(l)) = st.vm.devices.get(&addr).map(|d| &d.kind) else {
        ctx.error(st, "DMKCQG040E", format!("DEV {addr:03X} DOES NOT EXIST"));
        return;
    };
    let entries: Vec<String> = ctx
        .sys
        .links
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|r| r.owner == l.owner && r.owner_addr == l.owner_addr)
        .map(|r| format!("{:<8} {:03X} {}", r.user, r.vaddr, if r.write { "R/W" } else { "R/O" }))
        .collect();
    for chunk in entries.chunks(4) {
        ctx.say(chunk.join(", "));
    }
}
