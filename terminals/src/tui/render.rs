//! Drawing a 3270 with ratatui: the screen, the operator information line (OIA) and the
//! help overlay.
//!
//! Colours follow a 3279's base colours (unprotected normal green, unprotected
//! intensified red, protected normal blue, protected intensified white) unless the host
//! sets extended colours; a monochrome 3278 uses bold for intensified. Input fields are
//! underlined so they can be seen on an empty screen; non-display fields show blanks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color as TColor, Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::keys::HELP;
use super::model::{Lock, Terminal3270};
use crate::ds::attr::{Color, Display, ExtAttr, FieldAttr, Highlight};
use crate::ds::snapshot::display_char;

/// The connection as the OIA shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnStatus {
    /// `TN3270E`, `TN3270`, or `disconnected`.
    pub mode: String,
    /// The device name (LU).
    pub device: String,
    /// Terminal model text (`3279-2`).
    pub model: String,
    /// A message at the right of the OIA.
    pub message: Option<String>,
}

/// Everything drawn in one frame.
#[derive(Debug)]
pub struct View<'a> {
    /// The terminal.
    pub term: &'a Terminal3270,
    /// The connection.
    pub status: &'a ConnStatus,
    /// Colour (3279) or monochrome (3278).
    pub color: bool,
    /// Draw the help overlay.
    pub help: bool,
    /// An `Esc` sequence is being typed.
    pub prefix: bool,
}

fn color(c: Color) -> Option<TColor> {
    Some(match c {
        Color::Default => return None,
        Color::Blue => TColor::LightBlue,
        Color::Red => TColor::LightRed,
        Color::Pink => TColor::LightMagenta,
        Color::Green => TColor::LightGreen,
        Color::Turquoise => TColor::LightCyan,
        Color::Yellow => TColor::LightYellow,
        Color::White => TColor::White,
        Color::Other(_) => TColor::Gray,
    })
}

/// The style of a position in a field with `attr`/`field_ext`, holding a character with
/// `char_ext`.
pub fn style_of(
    attr: Option<FieldAttr>,
    field_ext: &ExtAttr,
    char_ext: &ExtAttr,
    colored: bool,
) -> Style {
    let mut s = Style::default();
    let a = attr.unwrap_or_default();
    let bright = a.display() == Display::Intensified;
    if colored {
        let base = match (a.is_protected(), bright) {
            (false, false) => TColor::LightGreen,
            (false, true) => TColor::LightRed,
            (true, false) => TColor::LightBlue,
            (true, true) => TColor::White,
        };
        let fg = color(char_ext.foreground).or(color(field_ext.foreground)).unwrap_or(base);
        s = s.fg(fg);
        if let Some(bg) = color(char_ext.background).or(color(field_ext.background)) {
            s = s.bg(bg);
        }
    } else if bright {
        s = s.add_modifier(Modifier::BOLD);
    }
    let hl = if char_ext.highlight != Highlight::Default {
        char_ext.highlight
    } else {
        field_ext.highlight
    };
    s = match hl {
        Highlight::Reverse => s.add_modifier(Modifier::REVERSED),
        Highlight::Underscore => s.add_modifier(Modifier::UNDERLINED),
        Highlight::Blink => s.add_modifier(Modifier::SLOW_BLINK),
        Highlight::Default => s,
    };
    if attr.is_some() && !a.is_protected() {
        s = s.add_modifier(Modifier::UNDERLINED);
    }
    s
}

impl View<'_> {
    /// The OIA text.
    pub fn oia(&self) -> String {
        let s = self.term.screen();
        let (r, c) = s.size().row_col(s.cursor());
        let lock = match self.term.lock() {
            None => "        ",
            Some(Lock::SystemWait) => "X SYSTEM",
            Some(Lock::Protected) => "X PROT  ",
            Some(Lock::Overflow) => "X OVERFL",
        };
        let ins = if self.term.insert_mode() { "INS" } else { "   " };
        let esc = if self.prefix { "Esc" } else { "   " };
        let right = self.status.message.clone().unwrap_or_else(|| "Esc h: help".into());
        format!(
            " {:<12} {:<7} {lock} {ins} {esc} {:<8} {:03}/{:03}  {right}",
            self.status.mode,
            self.status.model,
            self.status.device,
            r + 1,
            c + 1
        )
    }

    /// Where the cursor goes on the terminal, if it is inside `area`.
    pub fn cursor(&self, area: Rect) -> Option<(u16, u16)> {
        let s = self.term.screen();
        let (r, c) = s.size().row_col(s.cursor());
        (r < area.height.saturating_sub(1) && c < area.width).then(|| (area.x + c, area.y + r))
    }
}

impl Widget for View<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let screen = self.term.screen();
        let size = screen.size();
        let cp = self.term.code_page();
        let rows = size.rows.min(area.height.saturating_sub(1));
        let cols = size.cols.min(area.width);
        let cells = screen.cells();
        let mut field: Option<(FieldAttr, ExtAttr)> =
            cells.iter().rev().find_map(|c| c.field.map(|f| (f, c.ext)));
        for r in 0..size.rows {
            for c in 0..size.cols {
                let cell = &cells[usize::from(size.addr(r, c))];
                if let Some(f) = cell.field {
                    field = Some((f, cell.ext));
                }
                if r >= rows || c >= cols {
                    continue;
                }
                let (attr, fext) = field.map_or((None, ExtAttr::default()), |(a, e)| (Some(a), e));
                let hidden = attr.is_some_and(|a| a.is_nondisplay());
                let ch =
                    if cell.field.is_some() || hidden { ' ' } else { display_char(cp, cell.ch) };
                let mut style = style_of(attr, &fext, &cell.ext, self.color);
                if cell.field.is_some() {
                    style = Style::default();
                }
                let pos = buf.cell_mut((area.x + c, area.y + r));
                if let Some(p) = pos {
                    p.set_char(ch).set_style(style);
                }
            }
        }
        // The OIA under the screen (or on the last row of a small window).
        let oia_row = area.y + rows.min(area.height.saturating_sub(1));
        let text = self.oia();
        let oia_style = Style::default().add_modifier(Modifier::REVERSED);
        for x in 0..area.width {
            if let Some(p) = buf.cell_mut((area.x + x, oia_row)) {
                let ch = text.chars().nth(usize::from(x)).unwrap_or(' ');
                p.set_char(ch).set_style(oia_style);
            }
        }
        if self.help {
            let w = 64.min(area.width);
            let h = (HELP.len() as u16 + 2).min(area.height);
            let pop =
                Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
            Clear.render(pop, buf);
            let block = Block::default().borders(Borders::ALL).title(" 3270 keys (Esc h closes) ");
            let inner = block.inner(pop);
            block.render(pop, buf);
            for (k, (pc, what)) in HELP.iter().enumerate() {
                let y = inner.y + k as u16;
                if y >= inner.y + inner.height {
                    break;
                }
                let line = format!("{pc:<34} {what}");
                buf.set_stringn(inner.x, y, &line, usize::from(inner.width), Style::default());
            }
        }
    }
}

/// A rendered buffer as text with attributes: the characters, then a grid of style
/// letters and their legend (for snapshots; `TestBackend` snapshots carry no colour).
pub fn buffer_text(buf: &Buffer) -> String {
    use std::fmt::Write as _;
    let area = buf.area;
    let mut styles: Vec<Style> = Vec::new();
    let mut text = String::new();
    let mut grid = String::new();
    for y in area.y..area.y + area.height {
        text.push('|');
        grid.push('|');
        for x in area.x..area.x + area.width {
            let Some(cell) = buf.cell((x, y)) else { continue };
            text.push_str(cell.symbol());
            let st = cell.style();
            let k = match styles.iter().position(|&s| s == st) {
                Some(k) => k,
                None => {
                    styles.push(st);
                    styles.len() - 1
                }
            };
            let letters = b".abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
            grid.push(char::from(letters[k.min(letters.len() - 1)]));
        }
        text.push_str("|\n");
        grid.push_str("|\n");
    }
    let mut out = text;
    out.push_str(&grid);
    for (k, s) in styles.iter().enumerate() {
        let letters = b".abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let _ = writeln!(
            out,
            "{} = fg {:?} bg {:?} {:?}",
            char::from(letters[k.min(letters.len() - 1)]),
            s.fg.unwrap_or(TColor::Reset),
            s.bg.unwrap_or(TColor::Reset),
            s.add_modifier
        );
    }
    out
}
