//! A screen as text with its attributes, for snapshots and recorded sessions.
//!
//! ```text
//! cursor 22,00  size 24x80
//!    +--------------------------------------------------------------------------------+
//! 00 |◆VM/370 ONLINE                                                                  |
//!    ...
//! fields
//!   21,79 unprotected
//!   23,59 protected intensified fg=white
//! ```
//! Attribute positions show as `◆`; nulls and blanks as spaces; characters of
//! non-display fields as `*`, so a password never appears in a snapshot.

use std::fmt::Write as _;

use s370::ebcdic::CodePage;

use super::Screen;
use super::attr::{Color, Display, ExtAttr, FieldAttr, Highlight};

/// The marker drawn at field-attribute positions.
pub const ATTR_MARK: char = '◆';

/// The display character of an EBCDIC byte (controls and nulls become blanks).
pub fn display_char(cp: CodePage, b: u8) -> char {
    if b < 0x40 || b == 0xFF {
        ' '
    } else {
        let c = cp.to_char(b);
        if c.is_control() { ' ' } else { c }
    }
}

/// Describes a field attribute in words: `protected intensified numeric modified`.
pub fn describe(attr: FieldAttr, ext: &ExtAttr) -> String {
    let mut s = String::from(if attr.is_protected() { "protected" } else { "unprotected" });
    match attr.display() {
        Display::Normal => {}
        Display::Detectable => s.push_str(" detectable"),
        Display::Intensified => s.push_str(" intensified"),
        Display::NonDisplay => s.push_str(" nondisplay"),
    }
    if attr.is_numeric() {
        s.push_str(" numeric");
    }
    if attr.is_modified() {
        s.push_str(" modified");
    }
    if ext.foreground != Color::Default {
        let _ = write!(s, " fg={}", color_name(ext.foreground));
    }
    if ext.background != Color::Default {
        let _ = write!(s, " bg={}", color_name(ext.background));
    }
    if ext.highlight != Highlight::Default {
        let _ = write!(s, " hl={:?}", ext.highlight);
    }
    s
}

fn color_name(c: Color) -> String {
    match c {
        Color::Other(b) => format!("X'{b:02X}'"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Renders the screen as text with attributes.
pub fn render(screen: &Screen, cp: CodePage) -> String {
    let size = screen.size();
    let (cr, cc) = size.row_col(screen.cursor());
    let mut out = format!("cursor {cr:02},{cc:02}  size {}x{}\n", size.rows, size.cols);
    let rule = format!("   +{}+\n", "-".repeat(usize::from(size.cols)));
    out.push_str(&rule);
    let cells = screen.cells();
    // The field attribute in force at each position (wrapping from the last one).
    let mut current = cells.iter().rev().find_map(|c| c.field);
    for r in 0..size.rows {
        let _ = write!(out, "{r:02} |");
        for c in 0..size.cols {
            let cell = &cells[usize::from(size.addr(r, c))];
            if let Some(a) = cell.field {
                current = Some(a);
                out.push(ATTR_MARK);
            } else if cell.ch != 0 && current.is_some_and(|a| a.is_nondisplay()) {
                out.push('*');
            } else {
                out.push(display_char(cp, cell.ch));
            }
        }
        out.push_str("|\n");
    }
    out.push_str(&rule);
    let fields = screen.fields();
    if !fields.is_empty() {
        out.push_str("fields\n");
        for f in fields {
            let (r, c) = size.row_col(f.attr_addr);
            let _ = writeln!(out, "  {r:02},{c:02} {}", describe(f.attr, &f.ext));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Command, Outbound, ScreenSize, Wcc};
    use super::*;

    #[test]
    fn masks_nondisplay_and_lists_fields() {
        let mut s = Screen::new(ScreenSize::DEFAULT);
        let mut o = Outbound::write(Command::EraseWrite, Wcc::default(), ScreenSize::DEFAULT);
        o.sba(0, 0).sf(FieldAttr::protected()).text("PW:");
        o.sf(FieldAttr::unprotected().nondisplay()).text("SECRET");
        s.apply(&o.finish()).expect("valid");
        let text = render(&s, CodePage::Cp037);
        assert!(text.contains("|◆PW:◆******"), "{text}");
        assert!(!text.contains("SECRET"));
        assert!(text.contains("00,04 unprotected nondisplay"));
    }
}
