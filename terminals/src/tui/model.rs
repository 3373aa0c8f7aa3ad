//! The terminal side of a 3270, without any screen: the buffer, the cursor, the keyboard
//! state machine (locks, insert mode) and the keys that make inbound records.
//!
//! ```text
//!             AID key (ENTER, PFn, PAn, CLEAR)                 typing in a protected
//!   Unlocked ─────────────────────────────────> SystemWait    field / a full field
//!     ^  ^     host write with WCC restore,         │         ─────────────────────>
//!     │  └──── or Erase All Unprotected ────────────┘   Protected | Overflow ── RESET ─┐
//!     └───────────────────────────────────────────────────────────────────────────────┘
//! ```
//! Our terminal UI draws this model; tests drive it directly (GA23-0059 chapter 3 and the
//! 3270 operator keys).

use s370::ebcdic::CodePage;

use crate::ds::query::build_reply;
use crate::ds::{Aid, Command, DsError, Model, Screen, ScreenSize};

/// Why the keyboard is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Waiting for the host after an AID (`X SYSTEM`).
    SystemWait,
    /// Typed into a protected position (`X PROT`); RESET clears it.
    Protected,
    /// Inserted into a full field (`X OVERFLOW`); RESET clears it.
    Overflow,
}

/// A key a 3270 operator can press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character.
    Char(char),
    /// ENTER.
    Enter,
    /// PF1-PF24.
    Pf(u8),
    /// PA1-PA3.
    Pa(u8),
    /// CLEAR.
    Clear,
    /// Next unprotected field.
    Tab,
    /// Previous unprotected field.
    BackTab,
    /// First unprotected field.
    Home,
    /// First unprotected position on a following line.
    NewLine,
    /// Erase to the end of the field.
    EraseEof,
    /// Erase every unprotected field.
    EraseInput,
    /// Toggle insert mode.
    Insert,
    /// Delete the character at the cursor.
    Delete,
    /// Erase the character left of the cursor (backspace).
    Erase,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Cursor up.
    Up,
    /// Cursor down.
    Down,
    /// After the last character of the field.
    FieldEnd,
    /// RESET: unlock the keyboard, leave insert mode.
    Reset,
}

/// A 3270 terminal's state.
#[derive(Debug, Clone)]
pub struct Terminal3270 {
    screen: Screen,
    lock: Option<Lock>,
    insert: bool,
    pending_aid: Option<Aid>,
    code_page: CodePage,
    color: bool,
    alarm: bool,
}

impl Terminal3270 {
    /// A terminal of `model`.
    pub fn new(model: Model, code_page: CodePage, color: bool) -> Terminal3270 {
        Terminal3270 {
            screen: Screen::new(model.alternate()),
            lock: None,
            insert: false,
            pending_aid: None,
            code_page,
            color,
            alarm: false,
        }
    }

    /// The screen buffer.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The keyboard lock, if locked.
    pub fn lock(&self) -> Option<Lock> {
        self.lock
    }

    /// Insert mode.
    pub fn insert_mode(&self) -> bool {
        self.insert
    }

    /// The code page.
    pub fn code_page(&self) -> CodePage {
        self.code_page
    }

    /// True (once) after a write that sounded the alarm.
    pub fn take_alarm(&mut self) -> bool {
        std::mem::take(&mut self.alarm)
    }

    /// Applies a record from the host; returns the reply to send, if the host asked for
    /// one (Read Buffer, Read Modified, Query).
    pub fn host_record(&mut self, rec: &[u8]) -> Result<Option<Vec<u8>>, DsError> {
        let applied = self.screen.apply(rec)?;
        if let Some(wcc) = applied.wcc {
            if wcc.alarm() {
                self.alarm = true;
            }
            if wcc.restore() {
                self.restore();
            }
        }
        if applied.command == Command::EraseAllUnprotected {
            self.restore();
        }
        if applied.query.is_some() {
            return Ok(Some(build_reply(self.screen.alternate(), self.color)));
        }
        Ok(applied.read.map(|cmd| {
            let aid = self.pending_aid.unwrap_or(Aid::NoAid);
            match cmd {
                Command::ReadBuffer => self.screen.read_buffer(aid),
                Command::ReadModifiedAll => self.screen.read_modified(aid, true),
                _ => self.screen.read_modified(aid, false),
            }
        }))
    }

    fn restore(&mut self) {
        if self.lock == Some(Lock::SystemWait) {
            self.lock = None;
        }
        self.pending_aid = None;
    }

    /// Types a string; false if a character was refused (the keyboard then locks).
    pub fn type_str(&mut self, s: &str) -> bool {
        s.chars().all(|c| {
            self.key(Key::Char(c));
            self.lock.is_none()
        })
    }

    /// Presses a key; an AID key returns the inbound record to send.
    pub fn key(&mut self, key: Key) -> Option<Vec<u8>> {
        match key {
            Key::Reset => {
                self.lock = None;
                self.insert = false;
                None
            }
            Key::Enter => self.aid(Aid::Enter),
            Key::Pf(n) => self.aid(Aid::Pf(n)),
            Key::Pa(n) => self.aid(Aid::Pa(n)),
            Key::Clear => self.aid(Aid::Clear),
            _ if self.lock.is_some() => None,
            Key::Char(c) => {
                self.char(c);
                None
            }
            Key::Tab => {
                let c = self.screen.cursor();
                self.screen.set_cursor(self.screen.next_unprotected(c).unwrap_or(c));
                None
            }
            Key::BackTab => {
                self.back_tab();
                None
            }
            Key::Home => {
                let last = (self.screen.size().cells() - 1) as u16;
                self.screen.set_cursor(self.screen.next_unprotected(last).unwrap_or(0));
                None
            }
            Key::NewLine => {
                self.new_line();
                None
            }
            Key::EraseEof => {
                self.erase_eof();
                None
            }
            Key::EraseInput => {
                self.screen.erase_all_unprotected();
                None
            }
            Key::Insert => {
                self.insert = !self.insert;
                None
            }
            Key::Delete => {
                self.delete();
                None
            }
            Key::Erase => {
                let c = self.screen.cursor();
                let prev = self.step(c, -1);
                if !self.screen.is_protected_at(prev)
                    && self.screen.field_attr_addr(prev) == self.screen.field_attr_addr(c)
                {
                    self.screen.set_cursor(prev);
                    self.delete();
                }
                None
            }
            Key::Left => self.move_by(-1),
            Key::Right => self.move_by(1),
            Key::Up => self.move_by(-i32::from(self.screen.size().cols)),
            Key::Down => self.move_by(i32::from(self.screen.size().cols)),
            Key::FieldEnd => {
                self.field_end();
                None
            }
        }
    }

    fn step(&self, addr: u16, by: i32) -> u16 {
        let n = self.screen.size().cells() as i32;
        (i32::from(addr) + by).rem_euclid(n) as u16
    }

    fn move_by(&mut self, by: i32) -> Option<Vec<u8>> {
        let c = self.step(self.screen.cursor(), by);
        self.screen.set_cursor(c);
        None
    }

    fn aid(&mut self, aid: Aid) -> Option<Vec<u8>> {
        if self.lock.is_some() {
            return None;
        }
        let rec = self.screen.read_modified(aid, false);
        if aid == Aid::Clear {
            self.screen.erase(ScreenSize::DEFAULT);
        }
        self.lock = Some(Lock::SystemWait);
        self.pending_aid = Some(aid);
        Some(rec)
    }

    fn mark_modified(&mut self, addr: u16) {
        if let Some(a) = self.screen.field_attr_addr(addr)
            && let Some(attr) = self.screen.cells_mut()[usize::from(a)].field.as_mut()
        {
            attr.set_modified(true);
        }
    }

    /// The positions from `addr` to the end of its field.
    fn rest_of_field(&self, addr: u16) -> Vec<u16> {
        let n = self.screen.size().cells();
        let mut out = Vec::new();
        let mut a = addr;
        for _ in 0..n {
            if self.screen.cell(a).field.is_some() {
                break;
            }
            out.push(a);
            a = self.step(a, 1);
        }
        out
    }

    fn char(&mut self, c: char) {
        let b = self.code_page.from_char(c);
        if b < 0x40 {
            return;
        }
        let at = self.screen.cursor();
        if self.screen.is_protected_at(at) {
            self.lock = Some(Lock::Protected);
            return;
        }
        if self.insert {
            let rest = self.rest_of_field(at);
            let Some(k) = rest.iter().position(|&a| self.screen.cell(a).ch == 0) else {
                self.lock = Some(Lock::Overflow);
                return;
            };
            for j in (1..=k).rev() {
                let prev = self.screen.cell(rest[j - 1]).ch;
                self.screen.cells_mut()[usize::from(rest[j])].ch = prev;
            }
        }
        let cell = &mut self.screen.cells_mut()[usize::from(at)];
        cell.ch = b;
        cell.ge = false;
        self.mark_modified(at);
        // Advance; past the field's end, go to the next field (skipping autoskip ones).
        let mut next = self.step(at, 1);
        if self.screen.cell(next).field.is_some() {
            let attr = self.screen.cell(next).field;
            next = self.step(next, 1);
            if attr.is_some_and(|a| a.is_autoskip()) || self.screen.cell(next).field.is_some() {
                next = self.screen.next_unprotected(at).unwrap_or(next);
            }
        }
        self.screen.set_cursor(next);
    }

    fn delete(&mut self) {
        let at = self.screen.cursor();
        if self.screen.is_protected_at(at) {
            self.lock = Some(Lock::Protected);
            return;
        }
        let rest = self.rest_of_field(at);
        for j in 0..rest.len() {
            let next = rest.get(j + 1).map_or(0, |&a| self.screen.cell(a).ch);
            self.screen.cells_mut()[usize::from(rest[j])].ch = next;
        }
        self.mark_modified(at);
    }

    fn erase_eof(&mut self) {
        let at = self.screen.cursor();
        if self.screen.is_protected_at(at) {
            self.lock = Some(Lock::Protected);
            return;
        }
        for a in self.rest_of_field(at) {
            self.screen.cells_mut()[usize::from(a)].ch = 0;
        }
        self.mark_modified(at);
    }

    fn field_end(&mut self) {
        let at = self.screen.cursor();
        if self.screen.is_protected_at(at) {
            return;
        }
        let start = self.screen.field_attr_addr(at).map_or(0, |a| self.step(a, 1));
        let rest = self.rest_of_field(start);
        let last = rest.iter().rposition(|&a| self.screen.cell(a).ch != 0);
        let target = match last {
            Some(k) => rest.get(k + 1).copied().unwrap_or(rest[k]),
            None => start,
        };
        self.screen.set_cursor(target);
    }

    fn back_tab(&mut self) {
        let starts: Vec<u16> = self
            .screen
            .fields()
            .iter()
            .filter(|f| !f.attr.is_protected() && f.len > 0)
            .map(|f| f.start)
            .collect();
        if starts.is_empty() {
            return;
        }
        let c = self.screen.cursor();
        // The nearest field start strictly before the cursor, going backwards.
        let n = self.screen.size().cells() as i32;
        let dist = |s: u16| (i32::from(c) - i32::from(s) - 1).rem_euclid(n);
        let best = starts.iter().copied().min_by_key(|&s| dist(s)).unwrap_or(c);
        self.screen.set_cursor(best);
    }

    fn new_line(&mut self) {
        let size = self.screen.size();
        let (r, _) = size.row_col(self.screen.cursor());
        let next_row = (r + 1) % size.rows;
        let start = size.addr(next_row, 0);
        let n = size.cells();
        let target = (0..n)
            .map(|k| self.step(start, k as i32))
            .find(|&a| !self.screen.is_protected_at(a))
            .unwrap_or(start);
        self.screen.set_cursor(target);
    }

    /// The screen as text with attributes, then the keyboard state.
    pub fn snapshot(&self) -> String {
        let mut s = crate::ds::snapshot::render(&self.screen, self.code_page);
        s.push_str(&format!(
            "keyboard {}{}\n",
            match self.lock {
                None => "unlocked",
                Some(Lock::SystemWait) => "X SYSTEM",
                Some(Lock::Protected) => "X PROT",
                Some(Lock::Overflow) => "X OVERFLOW",
            },
            if self.insert { " insert" } else { "" }
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ds::{FieldAttr, Outbound, Wcc};

    fn form() -> Terminal3270 {
        let mut t = Terminal3270::new(Model::M2, CodePage::Cp037, false);
        let mut o =
            Outbound::write(Command::EraseWrite, Wcc::new(Wcc::RESTORE), ScreenSize::DEFAULT);
        o.sba(0, 0).sf(FieldAttr::protected()).text("NAME");
        o.sba(0, 10).sf(FieldAttr::unprotected()).ic();
        o.sba(0, 16).sf(FieldAttr::protected().numeric());
        o.sba(1, 10).sf(FieldAttr::unprotected().nondisplay());
        o.sba(1, 20).sf(FieldAttr::protected());
        t.host_record(&o.finish()).expect("valid");
        t
    }

    #[test]
    fn typing_fills_a_field_and_skips_to_the_next() {
        let mut t = form();
        assert_eq!(t.screen().cursor(), 11);
        assert!(t.type_str("ABCDE"));
        assert_eq!(t.screen().cursor(), 91, "autoskip to the next input field");
        assert!(t.type_str("pw"));
        let rec = t.key(Key::Enter).expect("an inbound record");
        let inb = crate::ds::parse_inbound(&rec).expect("valid");
        assert_eq!(inb.field_at(11), Some(&[0xC1u8, 0xC2, 0xC3, 0xC4, 0xC5][..]));
        assert_eq!(inb.field_at(91), Some(&[0x97u8, 0xA6][..]));
        assert_eq!(t.lock(), Some(Lock::SystemWait));
        assert!(!t.type_str("x"), "locked until the host restores");
        t.host_record(&[0xF1, 0xC2]).expect("valid");
        assert_eq!(t.lock(), None);
    }

    #[test]
    fn protected_typing_locks_until_reset() {
        let mut t = form();
        t.key(Key::Home);
        t.key(Key::Up);
        assert!(!t.type_str("x"));
        assert_eq!(t.lock(), Some(Lock::Protected));
        assert_eq!(t.key(Key::Enter), None);
        t.key(Key::Reset);
        assert_eq!(t.lock(), None);
    }

    #[test]
    fn insert_delete_erase_eof_and_tabs() {
        let mut t = form();
        t.type_str("ACE");
        t.key(Key::Home);
        t.key(Key::Right);
        t.key(Key::Insert);
        t.type_str("B");
        t.key(Key::Right);
        t.type_str("D");
        let text: Vec<u8> = (11..16).map(|a| t.screen().cell(a).ch).collect();
        assert_eq!(text, [0xC1, 0xC2, 0xC3, 0xC4, 0xC5]);
        assert!(!t.type_str("F"), "field full in insert mode");
        assert_eq!(t.lock(), Some(Lock::Overflow));
        t.key(Key::Reset);
        t.key(Key::Home);
        t.key(Key::Delete);
        assert_eq!(t.screen().cell(11).ch, 0xC2);
        t.key(Key::Right);
        t.key(Key::EraseEof);
        assert_eq!(t.screen().cell(12).ch, 0);
        t.key(Key::Tab);
        assert_eq!(t.screen().cursor(), 91);
        t.key(Key::BackTab);
        assert_eq!(t.screen().cursor(), 11);
        t.key(Key::NewLine);
        assert_eq!(t.screen().cursor(), 91);
        t.key(Key::Home);
        t.key(Key::FieldEnd);
        assert_eq!(t.screen().cursor(), 12);
    }

    #[test]
    fn short_reads_clear_and_query() {
        let mut t = form();
        assert_eq!(t.key(Key::Pa(1)), Some(vec![0x6C]));
        t.key(Key::Reset);
        assert_eq!(t.key(Key::Clear), Some(vec![0x6D]));
        assert!(!t.screen().is_formatted());
        let reply = t.host_record(&crate::ds::query::read_partition_query()).expect("valid");
        assert_eq!(reply.expect("a query reply")[0], 0x88);
        // Read Modified while the AID is pending repeats it.
        assert_eq!(t.host_record(&[0xF6]).expect("valid"), Some(vec![0x6D]));
    }
}
