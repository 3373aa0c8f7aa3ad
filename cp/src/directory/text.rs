//! The canonical text of a directory: what `to_text` writes and `parse` reads back unchanged.
//!
//! One `USER` statement per entry followed by its statements, indented one blank, in the order
//! ACCOUNT, OPTION, MACHINE, IPL, CONSOLE, SPOOL, LINK, MDISK, DEDICATE, SPECIAL; addresses in
//! three hex digits, cylinders in at least three decimal digits (the CE layout). Comments and
//! the original spacing are not kept. A line that would pass column 71 loses its indent.

use std::fmt::Write as _;

use super::model::*;

impl Directory {
    /// The directory in canonical `USER DIRECT` form; `parse` of the result equals `self`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let v = &self.volume;
        line(&mut out, false, format!("DIRECTORY {} {} {}", v.address, v.devtype, v.volser));
        for u in &self.users {
            out.push('\n');
            user_text(&mut out, u);
        }
        out
    }
}

impl UserEntry {
    /// This entry's statements in canonical form (the `USER` line and what follows it).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        user_text(&mut out, self);
        out
    }
}

fn line(out: &mut String, indent: bool, text: String) {
    if indent && text.chars().count() < 71 {
        out.push(' ');
    }
    out.push_str(&text);
    out.push('\n');
}

fn user_text(out: &mut String, u: &UserEntry) {
    let mut s =
        format!("USER {} {} {} {} {}", u.userid, u.password, u.storage, u.max_storage, u.classes);
    let chars: Vec<char> =
        [u.linend, u.linedel, u.chardel, u.escape].into_iter().map_while(|c| c).collect();
    if u.priority != UserEntry::DEFAULT_PRIORITY || !chars.is_empty() {
        let _ = write!(s, " {}", u.priority);
    }
    for c in chars {
        let _ = write!(s, " {c}");
    }
    line(out, false, s);
    if let Some(a) = &u.account {
        match &a.distcode {
            Some(d) => line(out, true, format!("ACCOUNT {} {d}", a.number)),
            None => line(out, true, format!("ACCOUNT {}", a.number)),
        }
    }
    // Several OPTION statements are merged, so long option lists are split to fit 71 columns.
    let mut opts = String::new();
    for o in option_words(&u.options) {
        if opts.len() + 1 + o.len() > 64 {
            line(out, true, format!("OPTION{opts}"));
            opts.clear();
        }
        opts.push(' ');
        opts.push_str(&o);
    }
    if !opts.is_empty() {
        line(out, true, format!("OPTION{opts}"));
    }
    if u.machine != Machine::S370 {
        line(out, true, format!("MACHINE {}", u.machine));
    }
    if let Some(ipl) = &u.ipl {
        match &ipl.parm {
            Some(p) => line(out, true, format!("IPL {} PARM {p}", ipl.target)),
            None => line(out, true, format!("IPL {}", ipl.target)),
        }
    }
    if let Some(c) = &u.console {
        let class = c.class.map(|k| format!(" {k}")).unwrap_or_default();
        line(out, true, format!("CONSOLE {} {}{class}", c.vaddr, c.devtype));
    }
    for s in &u.spool {
        let kind = match (s.devtype, s.kind) {
            (2540, SpoolKind::Reader) => " READER",
            (2540, _) => " PUNCH",
            _ => "",
        };
        let class = s.class.map(|k| format!(" {k}")).unwrap_or_default();
        line(out, true, format!("SPOOL {} {}{kind}{class}", s.vaddr, s.devtype));
    }
    for l in &u.links {
        line(out, true, format!("LINK {} {} {} {}", l.userid, l.vaddr, l.as_vaddr, l.mode));
    }
    for m in &u.mdisks {
        let mut s = format!(
            "MDISK {} {} {:03} {:03} {} {}",
            m.vaddr, m.devtype, m.start, m.cylinders, m.volser, m.mode
        );
        let pws = [&m.read_password, &m.write_password, &m.multi_password];
        for pw in pws.into_iter().map_while(|p| p.as_ref()) {
            let _ = write!(s, " {pw}");
        }
        line(out, true, s);
    }
    for d in &u.dedicates {
        let target = match &d.target {
            DedicateTarget::Device(a) => a.to_string(),
            DedicateTarget::Volume(v) => v.clone(),
        };
        line(out, true, format!("DEDICATE {} {target}", d.vaddr));
    }
    for s in &u.specials {
        line(out, true, format!("SPECIAL {} {}", s.vaddr, s.kind.as_str()));
    }
}

fn option_words(o: &Options) -> Vec<String> {
    let mut s = Vec::new();
    let flags = [
        (o.realtimer, "REALTIMER"),
        (o.ecmode, "ECMODE"),
        (o.isam, "ISAM"),
        (o.virt_real, "VIRT=REAL"),
        (o.acct, "ACCT"),
        (o.svcoff, "SVCOFF"),
        (o.bmx, "BMX"),
        (o.lnknopas, "LNKNOPAS"),
        (o.stfirst, "STFIRST"),
    ];
    for (on, name) in flags {
        if on {
            s.push(name.to_string());
        }
    }
    if let Some(id) = o.cpuid {
        s.push(format!("CPUID {id:06X}"));
    }
    if let Some(n) = o.affinity {
        s.push(format!("AFFINITY {n:02}"));
    }
    s
}
