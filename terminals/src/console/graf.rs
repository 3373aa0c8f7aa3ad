//! CP's console on a 3270 ("GRAF"): the screen layout, drawing it as a data stream, and
//! reading the input field back.
//!
//! Layout on an R×C screen (24×80 shown):
//! ```text
//!  row 0   ┐
//!   ...    │ output area: R-2 rows; the last one is C-1 wide, because its last
//!  row 21  ┘ position (21,79) holds the input field's attribute
//!  row 22  ┐ input area: one unprotected field from (22,0) to (23,58): 139 positions
//!  row 23  ┘ ... then the status attribute at (23,59) and the status area (23,60)-(23,79)
//! ```
//! The status field is protected and runs on (wrapping) through the output area, so the
//! output area is protected too. Drawing is incremental: the console keeps the screen the
//! terminal shows and sends a Write with only what changed (see [`crate::ds::diff`]).

use bytes::Bytes;
use s370::ebcdic::CodePage;

use crate::ds::diff::{full_write, write_diff};
use crate::ds::{Command, FieldAttr, Inbound, Outbound, Screen, ScreenSize, Wcc};

/// Width of the status area (status word and system id).
pub const STATUS_WIDTH: u16 = 20;

/// Where things are on the console screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The screen size.
    pub size: ScreenSize,
    /// Output rows.
    pub out_rows: usize,
    /// Address of the input field's attribute.
    pub input_attr: u16,
    /// First input position.
    pub input_start: u16,
    /// Address of the status field's attribute.
    pub status_attr: u16,
}

impl Layout {
    /// The layout of a screen (at least 4×24).
    pub fn new(size: ScreenSize) -> Layout {
        let size = ScreenSize::new(size.rows.max(4), size.cols.max(STATUS_WIDTH + 4));
        let (r, c) = (size.rows, size.cols);
        Layout {
            size,
            out_rows: usize::from(r - 2),
            input_attr: size.addr(r - 3, c - 1),
            input_start: size.addr(r - 2, 0),
            status_attr: size.addr(r - 1, c - STATUS_WIDTH - 1),
        }
    }

    /// Positions in the input field.
    pub fn input_len(&self) -> usize {
        usize::from(self.status_attr - self.input_start)
    }
}

/// How to draw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Draw {
    /// Erase the input field (input was taken).
    pub erase_input: bool,
    /// Put the cursor back at the start of the input field (or after a prefill).
    pub cursor: bool,
    /// Send even if nothing changed (to restore the keyboard after an AID).
    pub restore: bool,
}

/// The 3270 side of a console.
#[derive(Debug, Clone)]
pub struct Graf {
    /// The layout.
    pub layout: Layout,
    /// What the terminal shows (as far as the host knows).
    pub shown: Screen,
    /// The host code page.
    pub code_page: CodePage,
    /// Repaint everything at the next draw (after CLEAR, or back from full screen).
    pub force_full: bool,
}

/// What the console wants on the screen.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// Output rows.
    pub rows: &'a [String],
    /// The status word.
    pub status: &'a str,
    /// The system id after it.
    pub system_id: &'a str,
    /// Input field non-display (password).
    pub hidden: bool,
    /// Text put in the input field for the user to edit (a DELAYED PF key).
    pub prefill: Option<&'a str>,
}

impl Graf {
    /// A console for a terminal whose alternate (largest) size is `alternate`.
    pub fn new(alternate: ScreenSize, code_page: CodePage) -> Graf {
        Graf {
            layout: Layout::new(alternate),
            shown: Screen::new(alternate),
            code_page,
            force_full: true,
        }
    }

    fn put_text(&self, s: &mut Screen, at: u16, text: &str, max: usize) {
        let n = s.cells().len();
        for (k, ch) in text.chars().take(max).enumerate() {
            let b = self.code_page.from_char(ch);
            let cell = &mut s.cells_mut()[(usize::from(at) + k) % n];
            cell.ch = if b < 0x40 { 0x40 } else { b };
        }
    }

    /// The screen the console should show.
    pub fn desired(&self, c: &Content<'_>) -> Screen {
        let l = &self.layout;
        let mut s = Screen::new(l.size);
        s.erase(l.size);
        for (r, text) in c.rows.iter().take(l.out_rows).enumerate() {
            let r = r as u16;
            let width =
                if usize::from(r) + 1 == l.out_rows { l.size.cols - 1 } else { l.size.cols };
            self.put_text(&mut s, l.size.addr(r, 0), text, usize::from(width));
        }
        // The input field's MDT stays on: rewriting the attribute (to hide a password, say)
        // then never loses what the user already typed, and an empty field reads as "".
        let mut input = FieldAttr::unprotected();
        input.set_modified(true);
        if c.hidden {
            input = input.nondisplay();
        }
        if let Some(p) = c.prefill {
            self.put_text(&mut s, l.input_start, p, l.input_len());
        }
        s.cells_mut()[usize::from(l.input_attr)].field = Some(input);
        s.cells_mut()[usize::from(l.status_attr)].field = Some(FieldAttr::protected());
        let status = format!("{:<12} {:>7}", c.status, c.system_id);
        self.put_text(&mut s, l.status_attr + 1, &status, usize::from(STATUS_WIDTH));
        s
    }

    /// Draws `content`: the record to send, or `None` when nothing needs sending.
    pub fn draw(&mut self, content: &Content<'_>, how: Draw) -> Option<Bytes> {
        let want = self.desired(content);
        let l = self.layout;
        let cursor_at = match content.prefill {
            Some(p) => l.input_start + p.chars().count().min(l.input_len() - 1) as u16,
            None => l.input_start,
        };
        let full =
            self.force_full || self.shown.size() != want.size() || !self.shown.is_formatted();
        let rec = if full {
            let mut out = full_write(&want, Wcc::new(Wcc::RESTORE));
            out.sba_addr(cursor_at).ic();
            self.force_full = false;
            out.finish()
        } else {
            let wcc = if how.restore || how.erase_input { Wcc::RESTORE } else { 0 };
            let mut out = Outbound::write(Command::Write, Wcc::new(wcc), l.size);
            let mut from = self.shown.clone();
            if how.erase_input {
                out.sba_addr(l.input_start).eua(l.status_attr);
                for a in l.input_start..l.status_attr {
                    from.cells_mut()[usize::from(a)] = Default::default();
                }
            }
            let changed = write_diff(&mut out, &from, &want);
            if how.cursor || how.erase_input {
                out.sba_addr(cursor_at).ic();
            }
            if !changed && !how.restore && !how.erase_input && !how.cursor {
                return None;
            }
            out.finish()
        };
        // Keep our copy exactly as the terminal will have it.
        if self.shown.apply(&rec).is_err() {
            self.force_full = true;
        }
        Some(rec)
    }

    /// The terminal cleared itself (CLEAR key): it is blank at the default size.
    pub fn cleared_by_terminal(&mut self) {
        self.shown.erase(ScreenSize::DEFAULT);
        self.force_full = true;
    }

    /// The text of the input field in an Enter/PF reply, trailing blanks removed. Both
    /// cp037 (X'BA'/X'BB') and x3270's `bracket` (X'AD'/X'BD') brackets read as `[` `]`.
    pub fn input_text(&self, inb: &Inbound) -> String {
        let data = inb
            .field_at(self.layout.input_start)
            .or_else(|| inb.fields.iter().find(|f| f.addr.is_none()).map(|f| f.data.as_slice()))
            .unwrap_or(&[]);
        let text: String = data
            .iter()
            .map(|&b| match b {
                0xAD => '[',
                0xBD => ']',
                b if b < 0x40 => ' ',
                b => self.code_page.to_char(b),
            })
            .collect();
        text.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_of_model_2_and_5() {
        let l = Layout::new(ScreenSize::DEFAULT);
        assert_eq!(l.out_rows, 22);
        assert_eq!(l.size.row_col(l.input_attr), (21, 79));
        assert_eq!(l.size.row_col(l.input_start), (22, 0));
        assert_eq!(l.size.row_col(l.status_attr), (23, 59));
        assert_eq!(l.input_len(), 139);
        let l = Layout::new(ScreenSize::new(27, 132));
        assert_eq!(l.out_rows, 25);
        assert_eq!(l.input_len(), 132 + 111);
    }

    #[test]
    fn incremental_draw_sends_only_changes() {
        let mut g = Graf::new(ScreenSize::DEFAULT, CodePage::Cp037);
        let rows = vec!["HELLO".to_string()];
        let c = Content {
            rows: &rows,
            status: "CP READ",
            system_id: "VM/370",
            hidden: false,
            prefill: None,
        };
        let first = g.draw(&c, Draw::default()).expect("first draw");
        assert_eq!(first[0], 0xF5, "full Erase/Write first");
        assert!(g.draw(&c, Draw::default()).is_none(), "nothing changed");
        let rows = vec!["HELLO".to_string(), "WORLD".to_string()];
        let c = Content { rows: &rows, ..c };
        let rec = g.draw(&c, Draw::default()).expect("a change");
        // W, WCC (nothing), SBA(1,0), "WORLD".
        assert_eq!(&rec[..], &[0xF1, 0x40, 0x11, 0xC1, 0x50, 0xE6, 0xD6, 0xD9, 0xD3, 0xC4]);
    }
}
