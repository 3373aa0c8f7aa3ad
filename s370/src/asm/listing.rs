//! The assembly listing, in the classic layout:
//!
//! ```text
//!   LOC  OBJECT CODE      ADDR1 ADDR2  STMT   SOURCE STATEMENT
//! 000000                                  1  TEST     CSECT
//! 000000 05C0                             2           BALR  12,0
//! 000002 5810 C00E              00010     4           L     1,DATA
//! ```
//! Macro-generated statements carry `+` before the source text. Each flagged statement is
//! followed by its messages. A cross-reference and a diagnostic summary end the listing.

use std::fmt::Write;

use super::Diagnostic;
use super::ops::OpKind;
use super::state::Asm;
use super::stmt::Kind;

const SRC_COL: usize = 42;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn object_field(bytes: &[u8], insn: bool) -> String {
    if insn {
        bytes.chunks(2).map(hex).collect::<Vec<_>>().join(" ")
    } else {
        hex(&bytes[..bytes.len().min(8)])
    }
}

struct Pager {
    out: String,
    lines: usize,
    page: usize,
    per_page: usize,
    title: String,
    name: String,
    columns: String,
    eject: bool,
}

impl Pager {
    fn heading(&mut self) {
        self.page += 1;
        if self.page > 1 {
            self.out.push('\u{c}');
            self.out.push('\n');
        }
        let _ =
            writeln!(self.out, "{:<40.40} {:<60.60} PAGE {:>4}", self.name, self.title, self.page);
        let _ = writeln!(self.out, "{}", self.columns);
        self.out.push('\n');
        self.lines = 3;
    }

    fn line(&mut self, s: &str) {
        if self.page == 0 || self.eject || (self.per_page > 0 && self.lines >= self.per_page) {
            self.eject = false;
            self.heading();
        }
        self.out.push_str(s.trim_end());
        self.out.push('\n');
        self.lines += 1;
    }

    /// Starts a new page before the next line, unless the current one is still empty.
    fn eject(&mut self) {
        if self.page > 0 && self.lines > 3 {
            self.eject = true;
        }
    }
}

fn row(
    loc: Option<u32>,
    obj: &str,
    a1: Option<u32>,
    a2: Option<u32>,
    stmt: Option<usize>,
    mark: char,
    src: &str,
) -> String {
    let f5 =
        |a: Option<u32>| a.map_or_else(|| "     ".to_string(), |v| format!("{:05X}", v & 0xF_FFFF));
    let loc = loc.map_or_else(|| "      ".to_string(), |v| format!("{:06X}", v & 0xFF_FFFF));
    let stmt = stmt.map_or_else(String::new, |n| n.to_string());
    format!("{loc} {obj:<16} {} {} {stmt:>5} {mark}{src}", f5(a1), f5(a2))
}

/// Writes the listing.
pub(crate) fn write(asm: &Asm<'_>, diags: &[Diagnostic], files: &[String]) -> String {
    let mut by_stmt: Vec<Vec<&Diagnostic>> = vec![Vec::new(); asm.stmts.len()];
    let mut loose = Vec::new();
    for d in diags {
        match d.statement.and_then(|n| (n as usize).checked_sub(1)).filter(|&i| i < by_stmt.len()) {
            Some(i) => by_stmt[i].push(d),
            None => loose.push(d),
        }
    }
    let name = files.first().cloned().unwrap_or_default();
    let columns = format!(
        "{:<7}{:<17}{:<6}{:<6}{:>5}  {}",
        "  LOC", "OBJECT CODE", "ADDR1", "ADDR2", "STMT", "SOURCE STATEMENT"
    );
    let mut p = Pager {
        out: String::new(),
        lines: 0,
        page: 0,
        per_page: asm.opts.lines_per_page,
        title: String::new(),
        name,
        columns,
        eject: false,
    };
    for (i, st) in asm.stmts.iter().enumerate() {
        let li = &asm.list[i];
        let flagged = !by_stmt[i].is_empty();
        if li.title != p.title {
            p.title = li.title.clone();
        }
        if li.eject {
            p.eject();
        }
        for _ in 0..li.space {
            p.line("");
        }
        if (li.listed && !li.hide) || flagged {
            let insn =
                matches!(asm.p1[i].op, Some(OpKind::Machine(..))) && st.kind == Kind::Ordinary;
            let mark = if st.level > 0 { '+' } else { ' ' };
            let obj = object_field(&li.bytes, insn);
            let loc = if st.kind == Kind::Ordinary { li.loc } else { None };
            let first = st.raw.first().map_or("", String::as_str);
            p.line(&row(loc, &obj, li.addr1, li.addr2, Some(i + 1), mark, first));
            for r in st.raw.iter().skip(1) {
                p.line(&format!("{:SRC_COL$}{r}", ""));
            }
            if li.data && !insn && li.bytes.len() > 8 {
                let base = li.loc.unwrap_or(0);
                for (k, chunk) in li.bytes.chunks(8).enumerate().skip(1) {
                    p.line(&row(Some(base + 8 * k as u32), &hex(chunk), None, None, None, ' ', ""));
                }
            }
            for (addr, bytes, text) in &li.extra {
                p.line(&row(
                    Some(*addr),
                    &hex(&bytes[..bytes.len().min(8)]),
                    None,
                    None,
                    None,
                    ' ',
                    &format!("         {text}"),
                ));
            }
            if let Kind::Mnote(_, msg) = &st.kind {
                p.line(&format!("{:SRC_COL$}{msg}", ""));
            }
            for d in &by_stmt[i] {
                p.line(&d.to_string());
            }
        }
    }
    for d in &loose {
        p.line(&d.to_string());
    }
    xref(asm, &mut p);
    summary(asm, diags, &mut p);
    p.out
}

fn xref(asm: &Asm<'_>, p: &mut Pager) {
    if asm.syms.is_empty() {
        return;
    }
    p.title = "CROSS-REFERENCE".into();
    p.columns = "SYMBOL     LEN   VALUE  DEFN  REFERENCES".into();
    p.eject = true;
    let mut names: Vec<&String> = asm.syms.keys().collect();
    names.sort();
    for n in names {
        let s = &asm.syms[n];
        let refs: Vec<String> = s.refs.iter().map(|r| format!("{r:>5}")).collect();
        let mut line = format!(
            "{n:<8} {:05} {:06X} {:>5} ",
            s.len,
            asm.assembled(&s.value) & 0xFF_FFFF,
            s.stmt + 1
        );
        for chunk in refs.chunks(12) {
            line.push_str(&chunk.join(""));
            p.line(&line);
            line = format!("{:29}", "");
        }
        if refs.is_empty() {
            p.line(&line);
        }
    }
}

fn summary(asm: &Asm<'_>, diags: &[Diagnostic], p: &mut Pager) {
    p.line("");
    let flagged: std::collections::HashSet<Option<u32>> =
        diags.iter().filter(|d| d.severity > 0).map(|d| d.statement).collect();
    let worst = diags.iter().map(|d| d.severity).max().unwrap_or(0);
    p.line(&format!(
        "{} STATEMENTS, {} FLAGGED, HIGHEST SEVERITY {}",
        asm.stmts.len(),
        flagged.len(),
        worst
    ));
}
