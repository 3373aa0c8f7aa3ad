//! Writing a session as text (the format is in the [`super`] module documentation).

use std::fmt::Write as _;

use s370::ebcdic::CodePage;

use super::model::{Action, Expect, FORMAT_VERSION, Session, Step, TermKind, Typed};
use super::screen::matcher_text;

/// Field attributes per `fields` line.
const FIELDS_PER_LINE: usize = 8;

/// The session as the text of a session file.
pub fn to_text(s: &Session) -> String {
    let mut out = String::new();
    let h = &s.header;
    let _ = writeln!(out, "vm370-session {FORMAT_VERSION}");
    if !h.title.is_empty() {
        let _ = writeln!(out, "title    {}", h.title);
    }
    let _ = writeln!(out, "system   {}", h.system);
    let _ = writeln!(out, "backend  {}", h.backend.as_str());
    if !h.users.is_empty() {
        let _ = writeln!(out, "users    {}", h.users.join(" "));
    }
    for t in &h.terminals {
        match t.kind {
            TermKind::Typewriter => {
                let _ = writeln!(out, "terminal {} typewriter {}", t.name, t.device);
            }
            k => {
                let _ = writeln!(
                    out,
                    "terminal {} 3278-{} {} {}",
                    t.name,
                    t.model,
                    k.as_str(),
                    t.device
                );
            }
        }
    }
    for m in &h.masks {
        let _ =
            writeln!(out, "mask     {} {}", raw_quote(m.regex.as_str()), raw_quote(&m.replacement));
    }
    for step in &s.steps {
        out.push('\n');
        step_text(&mut out, step);
    }
    out
}

fn step_text(out: &mut String, step: &Step) {
    let who = step.terminal.as_deref().unwrap_or("");
    let _ = writeln!(out, "> {}", action_text(who, &step.action));
    for e in &step.expects {
        expect_text(out, e);
    }
}

/// `alice enter "q time"`, `wait 50s`.
pub fn action_text(who: &str, a: &Action) -> String {
    match a {
        Action::Connect => format!("{who} connect"),
        Action::Disconnect => format!("{who} disconnect"),
        Action::Line(t) => format!("{who} line {}", quote(t)),
        Action::Break => format!("{who} break"),
        Action::Wait(d) => {
            let ms = d.as_millis();
            if ms % 1000 == 0 { format!("wait {}s", ms / 1000) } else { format!("wait {ms}ms") }
        }
        Action::Key(k, typed) => {
            let mut s = format!("{who} {}", k.word());
            match typed {
                Typed::Nothing => {}
                Typed::Text(t) if t.is_empty() => {}
                Typed::Text(t) => {
                    let _ = write!(s, " {}", quote(&CodePage::Cp037.decode(t)));
                }
                Typed::Fields { cursor, fields } => {
                    let _ = write!(s, " cursor {cursor}");
                    for (p, d) in fields {
                        let at = p.map_or_else(|| "@".to_string(), |p| p.to_string());
                        let _ = write!(s, " {at}={}", quote(&CodePage::Cp037.decode(d)));
                    }
                }
            }
            s
        }
    }
}

fn expect_text(out: &mut String, e: &Expect) {
    let mut head = format!("= {}", e.terminal);
    if e.partial {
        head.push_str(" partial");
    }
    if let Some((r, c)) = e.size {
        let _ = write!(head, " size {r}x{c}");
    }
    if let Some(c) = e.cursor {
        let _ = write!(head, " cursor {c}");
    }
    let _ = writeln!(out, "{head}");
    for r in &e.rows {
        let text = matcher_text(&r.matcher);
        match r.row {
            Some(n) => {
                let _ = writeln!(out, "  {n:02} {text}");
            }
            None => {
                let _ = writeln!(out, "  {text}");
            }
        }
    }
    if let Some(fields) = &e.fields {
        for chunk in fields.chunks(FIELDS_PER_LINE) {
            let list: Vec<String> = chunk.iter().map(|f| format!("{}={}", f.pos, f.code)).collect();
            let _ = writeln!(out, "  fields {}", list.join(" "));
        }
        if fields.is_empty() {
            out.push_str("  fields\n");
        }
    }
}

/// A quoted string: `\"`, `\\`, and `\xNN` for control characters (Latin-1 code NN).
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02X}", u32::from(c) & 0xFF);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A raw quoted string (masks): only `"` is escaped, as `\"`; other backslashes are literal.
pub fn raw_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}
