//! Screens as a session file shows them, and comparing them: a 3270 [`Screen`] becomes a
//! [`Snapshot`] (rows of text, field attributes, cursor); an [`Expect`] is checked against
//! it; a failed check becomes a readable [`Difference`]; and an accepted new screen becomes
//! the [`Expect`] that `--update` writes, keeping the patterns that still match.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use s370::ebcdic::CodePage;
use terminals::ds::attr::Display;
use terminals::ds::snapshot::{ATTR_MARK, display_char};
use terminals::ds::{Color, ExtAttr, FieldAttr, Highlight, Screen};

use super::model::{Expect, FieldSpec, Header, Matcher, Pos, RowExpect, Snapshot};

/// The code of a field attribute: `P`/`U` then `I`, `N`, `D`, `#`, `M`, then extended
/// attributes (`:fg=red`).
pub fn field_code(attr: FieldAttr, ext: &ExtAttr) -> String {
    let mut s = String::from(if attr.is_protected() { "P" } else { "U" });
    match attr.display() {
        Display::Normal => {}
        Display::Detectable => s.push('D'),
        Display::Intensified => s.push('I'),
        Display::NonDisplay => s.push('N'),
    }
    if attr.is_numeric() {
        s.push('#');
    }
    if attr.is_modified() {
        s.push('M');
    }
    if ext.foreground != Color::Default {
        let _ = write!(s, ":fg={}", color_name(ext.foreground));
    }
    if ext.background != Color::Default {
        let _ = write!(s, ":bg={}", color_name(ext.background));
    }
    if ext.highlight != Highlight::Default {
        let h = match ext.highlight {
            Highlight::Blink => "blink",
            Highlight::Reverse => "reverse",
            Highlight::Underscore => "underscore",
            Highlight::Default => "default",
        };
        let _ = write!(s, ":hl={h}");
    }
    if ext.charset != 0 {
        let _ = write!(s, ":cs={:02X}", ext.charset);
    }
    s
}

fn color_name(c: Color) -> String {
    match c {
        Color::Other(b) => format!("{b:02X}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// What a 3270 screen shows, rows masked by the session's masks.
pub fn snapshot(screen: &Screen, header: &Header) -> Snapshot {
    let size = screen.size();
    let cp = CodePage::Cp037;
    let cells = screen.cells();
    let mut current = cells.iter().rev().find_map(|c| c.field);
    let mut rows = Vec::with_capacity(usize::from(size.rows));
    for r in 0..size.rows {
        let mut row = String::with_capacity(usize::from(size.cols));
        for c in 0..size.cols {
            let cell = &cells[usize::from(size.addr(r, c))];
            if let Some(a) = cell.field {
                current = Some(a);
                row.push(ATTR_MARK);
            } else if cell.ch != 0 && current.is_some_and(|a| a.is_nondisplay()) {
                row.push('*');
            } else {
                row.push(display_char(cp, cell.ch));
            }
        }
        rows.push(header.mask(row.trim_end()).trim_end().to_string());
    }
    let fields = screen
        .fields()
        .iter()
        .map(|f| {
            let (row, col) = size.row_col(f.attr_addr);
            FieldSpec { pos: Pos { row, col }, code: field_code(f.attr, &f.ext) }
        })
        .collect();
    let (row, col) = size.row_col(screen.cursor());
    Snapshot::Graf { size: (size.rows, size.cols), cursor: Pos { row, col }, rows, fields }
}

/// Typewriter lines, masked.
pub fn lines_snapshot(lines: &[String], header: &Header) -> Snapshot {
    Snapshot::Lines(
        lines.iter().map(|l| header.mask(l.trim_end()).trim_end().to_string()).collect(),
    )
}

/// Why a screen did not match what the session expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The terminal.
    pub terminal: String,
    /// The first thing that differs, in a few words.
    pub summary: String,
    /// The whole screen, expected against actual, row by row (`-` expected, `+` actual).
    pub diff: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "screen of {} differs: {}", self.terminal, self.summary)?;
        f.write_str(&self.diff)
    }
}

/// The text of a matcher as written after the row number.
pub fn matcher_text(m: &Matcher) -> String {
    match m {
        Matcher::Exact(t) => format!("|{t}"),
        Matcher::Pattern { source, .. } => format!("~{source}"),
        Matcher::Any => "*".into(),
    }
}

/// Checks `actual` against `expect`.
pub fn check(expect: &Expect, actual: &Snapshot) -> Result<(), Difference> {
    let problems = match actual {
        Snapshot::Graf { .. } => graf_problems(expect, actual),
        Snapshot::Lines(lines) => lines_problems(expect, lines),
    };
    match problems.first() {
        None => Ok(()),
        Some(first) => Err(Difference {
            terminal: expect.terminal.clone(),
            summary: first.clone(),
            diff: render_diff(expect, actual),
        }),
    }
}

fn graf_problems(expect: &Expect, actual: &Snapshot) -> Vec<String> {
    let Snapshot::Graf { size, cursor, rows, fields } = actual else { return Vec::new() };
    let mut out = Vec::new();
    let want_size = expect.size.unwrap_or((24, 80));
    if (!expect.partial || expect.size.is_some()) && want_size != *size {
        out.push(format!(
            "size {}x{} expected, the screen is {}x{}",
            want_size.0, want_size.1, size.0, size.1
        ));
        return out;
    }
    let by_row = rows_by_number(expect);
    for (r, text) in rows.iter().enumerate() {
        match by_row.get(&(r as u16)) {
            Some(m) if !m.matches(text) => {
                out.push(format!("row {r:02} is {:?}, expected {}", text, matcher_text(m)))
            }
            None if !expect.partial && !text.is_empty() => {
                out.push(format!("row {r:02} is {text:?}, expected blank"))
            }
            _ => {}
        }
    }
    for r in by_row.keys().filter(|&&r| usize::from(r) >= rows.len()) {
        out.push(format!("row {r:02} is expected but the screen has {} rows", rows.len()));
    }
    if let Some(c) = expect.cursor
        && c != *cursor
    {
        out.push(format!("cursor at {cursor}, expected {c}"));
    }
    if let Some(f) = &expect.fields {
        let want = sorted(f);
        let got = sorted(fields);
        if want != got {
            out.push(format!("fields are {}, expected {}", fields_text(&got), fields_text(&want)));
        }
    } else if !expect.partial && !fields.is_empty() {
        out.push(format!("fields are {}, expected none", fields_text(fields)));
    }
    out
}

fn sorted(f: &[FieldSpec]) -> Vec<FieldSpec> {
    let mut v = f.to_vec();
    v.sort();
    v
}

/// `21,79=UM 23,59=P`.
pub fn fields_text(f: &[FieldSpec]) -> String {
    f.iter().map(|f| format!("{}={}", f.pos, f.code)).collect::<Vec<_>>().join(" ")
}

fn rows_by_number(expect: &Expect) -> BTreeMap<u16, &Matcher> {
    expect.rows.iter().filter_map(|r| r.row.map(|n| (n, &r.matcher))).collect()
}

fn lines_problems(expect: &Expect, lines: &[String]) -> Vec<String> {
    let want: Vec<&Matcher> = expect.rows.iter().map(|r| &r.matcher).collect();
    if expect.partial {
        // Each expected line matches some later printed line, in order.
        let mut i = 0;
        for m in &want {
            match lines[i..].iter().position(|l| m.matches(l)) {
                Some(k) => i += k + 1,
                None => return vec![format!("no line after line {i} matches {}", matcher_text(m))],
            }
        }
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, m) in want.iter().enumerate() {
        match lines.get(i) {
            Some(l) if !m.matches(l) => {
                out.push(format!("line {} is {l:?}, expected {}", i + 1, matcher_text(m)))
            }
            None => out.push(format!("line {} missing, expected {}", i + 1, matcher_text(m))),
            _ => {}
        }
    }
    if lines.len() > want.len() {
        out.push(format!(
            "{} more lines printed: {:?}",
            lines.len() - want.len(),
            lines[want.len()]
        ));
    }
    out
}

/// Expected against actual, row by row: matching rows once, differing rows as `-` (expected)
/// and `+` (actual); then the cursor and fields when they differ.
pub fn render_diff(expect: &Expect, actual: &Snapshot) -> String {
    let mut out = String::new();
    match actual {
        Snapshot::Graf { size, cursor, rows, fields } => {
            let by_row = rows_by_number(expect);
            let n = rows.len().max(by_row.keys().next_back().map_or(0, |&r| usize::from(r) + 1));
            for r in 0..n {
                let got = rows.get(r).map(String::as_str);
                let want = by_row.get(&(r as u16));
                let ok = match (want, got) {
                    (Some(m), Some(g)) => m.matches(g),
                    (None, Some(g)) => expect.partial || g.is_empty(),
                    (_, None) => false,
                };
                if ok {
                    if let Some(g) = got.filter(|g| !g.is_empty()) {
                        let _ = writeln!(out, "   {r:02} |{g}");
                    }
                    continue;
                }
                let w = want.map_or_else(|| "|".to_string(), |m| matcher_text(m));
                let _ = writeln!(out, "-  {r:02} {w}");
                match got {
                    Some(g) => {
                        let _ = writeln!(out, "+  {r:02} |{g}");
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "+  {r:02} (no such row on a {}x{} screen)",
                            size.0, size.1
                        );
                    }
                }
            }
            if let Some(c) = expect.cursor.filter(|c| c != cursor) {
                let _ = writeln!(out, "-  cursor {c}\n+  cursor {cursor}");
            }
            let want = expect.fields.as_deref().map(sorted);
            let got = sorted(fields);
            if want.as_ref().is_some_and(|w| *w != got)
                || (want.is_none() && !expect.partial && !got.is_empty())
            {
                let w = want.map_or_else(String::new, |w| fields_text(&w));
                let _ = writeln!(out, "-  fields {w}\n+  fields {}", fields_text(&got));
            }
        }
        Snapshot::Lines(lines) => {
            let want: Vec<&Matcher> = expect.rows.iter().map(|r| &r.matcher).collect();
            for i in 0..want.len().max(lines.len()) {
                match (want.get(i), lines.get(i)) {
                    (Some(m), Some(l)) if m.matches(l) => {
                        let _ = writeln!(out, "   |{l}");
                    }
                    (m, l) => {
                        if let Some(m) = m {
                            let _ = writeln!(out, "-  {}", matcher_text(m));
                        }
                        if let Some(l) = l {
                            let _ = writeln!(out, "+  |{l}");
                        }
                    }
                }
            }
        }
    }
    out
}

/// The expectation that `actual` satisfies, for recording (`prior` = `None`: a full check)
/// and for `--update` (`prior` = the old one: same mode, patterns kept where they still
/// match, everything else as the screen now shows it).
pub fn expect_for(terminal: &str, actual: &Snapshot, prior: Option<&Expect>) -> Expect {
    let partial = prior.is_some_and(|p| p.partial);
    let line = prior.map_or(0, |p| p.line);
    match actual {
        Snapshot::Graf { size, cursor, rows, fields } => {
            let old = prior.map(rows_by_number).unwrap_or_default();
            let mut out_rows = Vec::new();
            for (r, text) in rows.iter().enumerate() {
                let r16 = r as u16;
                let listed = old.contains_key(&r16);
                let matcher = match old.get(&r16).filter(|m| m.matches(text)) {
                    Some(m) => (*m).clone(),
                    // A partial screen checks the rows it lists, blank or not; a full one
                    // writes only the rows that are not blank.
                    None if partial && !listed => continue,
                    None if !partial && text.is_empty() => continue,
                    None => Matcher::Exact(text.clone()),
                };
                out_rows.push(RowExpect { row: Some(r16), matcher });
            }
            let keep = |has: bool| !partial || has;
            Expect {
                terminal: terminal.to_string(),
                partial,
                size: if partial {
                    prior.and_then(|p| p.size).map(|_| *size)
                } else {
                    (*size != (24, 80)).then_some(*size)
                },
                cursor: keep(prior.is_some_and(|p| p.cursor.is_some())).then_some(*cursor),
                rows: out_rows,
                fields: keep(prior.is_some_and(|p| p.fields.is_some())).then(|| fields.clone()),
                line,
            }
        }
        Snapshot::Lines(lines) => {
            if let Some(p) = prior
                && check(p, actual).is_ok()
            {
                return p.clone();
            }
            let old: Vec<&Matcher> = prior
                .filter(|p| !p.partial)
                .map(|p| p.rows.iter().map(|r| &r.matcher).collect())
                .unwrap_or_default();
            let rows = lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let matcher = old
                        .get(i)
                        .filter(|m| m.matches(l))
                        .map_or_else(|| Matcher::Exact(l.clone()), |m| (*m).clone());
                    RowExpect { row: None, matcher }
                })
                .collect();
            Expect {
                terminal: terminal.to_string(),
                partial: false,
                size: None,
                cursor: None,
                rows,
                fields: None,
                line,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::model::Header;
    use terminals::ds::{Command, Outbound, ScreenSize, Wcc};

    fn header() -> Header {
        Header::empty()
    }

    fn screen() -> Screen {
        let mut s = Screen::new(ScreenSize::DEFAULT);
        let mut o = Outbound::write(Command::EraseWrite, Wcc::default(), ScreenSize::DEFAULT);
        o.sba(0, 0).sf(FieldAttr::protected().intensified()).text("HELLO");
        o.sba(2, 0).sf(FieldAttr::unprotected().nondisplay()).text("SECRET");
        o.sba(2, 20).sf(FieldAttr::protected());
        s.apply(&o.finish()).expect("valid");
        s
    }

    #[test]
    fn snapshot_rows_fields_and_hidden_text() {
        let snap = snapshot(&screen(), &header());
        let Snapshot::Graf { rows, fields, size, .. } = &snap else { panic!("graf") };
        assert_eq!(*size, (24, 80));
        assert_eq!(rows[0], "◆HELLO");
        assert_eq!(rows[2], "◆******             ◆");
        assert!(rows[1].is_empty());
        assert_eq!(fields_text(fields), "00,00=PI 02,00=UN 02,20=P");
    }

    #[test]
    fn recorded_expectation_passes_and_a_change_is_shown() {
        let snap = snapshot(&screen(), &header());
        let e = expect_for("t", &snap, None);
        assert!(check(&e, &snap).is_ok());
        let mut other = screen();
        let mut o = Outbound::write(Command::Write, Wcc::default(), ScreenSize::DEFAULT);
        o.sba(5, 3).text("NEW");
        other.apply(&o.finish()).expect("valid");
        let d = check(&e, &snapshot(&other, &header())).expect_err("differs");
        assert!(d.summary.contains("row 05"), "{d}");
        assert!(d.diff.contains("-  05 |\n+  05 |   NEW"), "{}", d.diff);
    }

    #[test]
    fn update_drops_rows_that_became_blank() {
        let snap = snapshot(&screen(), &header());
        let mut e = expect_for("t", &snap, None);
        e.rows.push(RowExpect { row: Some(9), matcher: Matcher::Exact("GONE".into()) });
        let again = expect_for("t", &snap, Some(&e));
        assert!(again.rows.iter().all(|r| r.row != Some(9)), "{:?}", again.rows);
        e.partial = true;
        let partial = expect_for("t", &snap, Some(&e));
        assert!(
            partial
                .rows
                .iter()
                .any(|r| r.row == Some(9) && r.matcher == Matcher::Exact(String::new()))
        );
    }

    #[test]
    fn update_keeps_patterns_that_still_match() {
        let snap = snapshot(&screen(), &header());
        let mut e = expect_for("t", &snap, None);
        e.rows[0].matcher = Matcher::Pattern {
            source: "◆HEL+O".into(),
            regex: regex::Regex::new("^(?:◆HEL+O)$").expect("valid"),
        };
        let again = expect_for("t", &snap, Some(&e));
        assert_eq!(again.rows[0].matcher, e.rows[0].matcher);
        assert!(check(&again, &snap).is_ok());
    }
}
