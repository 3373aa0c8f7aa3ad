//! The keyboard map: PC keys to 3270 keys.
//!
//! F1-F12 are PF1-PF12, Shift+F1-F12 (or F13-F24) PF13-PF24. Where F-keys are missing,
//! `Esc` (or Alt) then digits gives PFnn (`Esc 3` = PF3, `Esc 1 2` = PF12, `Esc 1 Enter`
//! = PF1). See [`HELP`] for the whole map.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::model::Key;

/// What a PC key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A 3270 key.
    Key(Key),
    /// Show or hide the help.
    Help,
    /// Leave the client.
    Quit,
}

/// The help text, one line per binding.
pub const HELP: &[(&str, &str)] = &[
    ("Enter", "ENTER"),
    ("F1-F12, Shift+F1-F12", "PF1-PF12, PF13-PF24"),
    ("Esc 1..24 (Enter ends one digit)", "PF1-PF24 without F-keys"),
    ("PageUp / PageDown", "PF7 / PF8"),
    ("Ctrl+C  or Esc a", "PA1 (attention)"),
    ("Esc s", "PA2"),
    ("Esc d", "PA3"),
    ("Ctrl+L  or Esc c", "CLEAR"),
    ("Tab / Shift+Tab", "next / previous field"),
    ("Home", "first input field"),
    ("End", "end of field"),
    ("Esc n  or Shift+Enter", "NEW LINE"),
    ("Ctrl+K  or Esc e", "ERASE EOF"),
    ("Esc x", "ERASE INPUT"),
    ("Insert  or Esc i", "insert mode on/off"),
    ("Delete / Backspace", "DELETE / ERASE"),
    ("Ctrl+R  or Esc r", "RESET (unlock keyboard)"),
    ("Esc h  or Esc ?", "this help"),
    ("Ctrl+Q  or Esc q", "quit"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    None,
    Esc,
    Digit(u8),
}

/// Turns key events into actions, keeping the `Esc` prefix state.
#[derive(Debug)]
pub struct KeyMapper {
    prefix: Prefix,
}

impl Default for KeyMapper {
    fn default() -> Self {
        KeyMapper { prefix: Prefix::None }
    }
}

impl KeyMapper {
    /// True while an `Esc` sequence is being typed.
    pub fn pending(&self) -> bool {
        self.prefix != Prefix::None
    }

    /// Maps one key event (key releases are ignored).
    pub fn map(&mut self, ev: KeyEvent) -> Vec<Action> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        match self.prefix {
            Prefix::None => {}
            Prefix::Esc => {
                self.prefix = Prefix::None;
                return self.after_esc(ev);
            }
            Prefix::Digit(d) => {
                self.prefix = Prefix::None;
                if let KeyCode::Char(c @ '0'..='9') = ev.code {
                    let n = d * 10 + (c as u8 - b'0');
                    if (1..=24).contains(&n) {
                        return vec![Action::Key(Key::Pf(n))];
                    }
                }
                let mut out = vec![Action::Key(Key::Pf(d))];
                if ev.code != KeyCode::Enter {
                    out.extend(self.map(ev));
                }
                return out;
            }
        }
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let shift = ev.modifiers.contains(KeyModifiers::SHIFT);
        let key = match ev.code {
            KeyCode::Esc => {
                self.prefix = Prefix::Esc;
                return Vec::new();
            }
            KeyCode::Char(_) if alt => {
                return self.after_esc(KeyEvent::new(ev.code, KeyModifiers::NONE));
            }
            KeyCode::Char('c') if ctrl => Key::Pa(1),
            KeyCode::Char('l') if ctrl => Key::Clear,
            KeyCode::Char('k') if ctrl => Key::EraseEof,
            KeyCode::Char('r') if ctrl => Key::Reset,
            KeyCode::Char('q') if ctrl => return vec![Action::Quit],
            KeyCode::Char(_) if ctrl => return Vec::new(),
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter if shift || alt => Key::NewLine,
            KeyCode::Enter => Key::Enter,
            KeyCode::F(n @ 1..=12) if shift => Key::Pf(n + 12),
            KeyCode::F(n @ 1..=24) => Key::Pf(n),
            KeyCode::PageUp => Key::Pf(7),
            KeyCode::PageDown => Key::Pf(8),
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::FieldEnd,
            KeyCode::Insert => Key::Insert,
            KeyCode::Delete => Key::Delete,
            KeyCode::Backspace => Key::Erase,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            _ => return Vec::new(),
        };
        vec![Action::Key(key)]
    }

    fn after_esc(&mut self, ev: KeyEvent) -> Vec<Action> {
        let key = match ev.code {
            KeyCode::Char(c @ '1'..='2') => {
                self.prefix = Prefix::Digit(c as u8 - b'0');
                return Vec::new();
            }
            KeyCode::Char(c @ '3'..='9') => Key::Pf(c as u8 - b'0'),
            KeyCode::Char('0') => Key::Pf(10),
            KeyCode::Char('a') => Key::Pa(1),
            KeyCode::Char('s') => Key::Pa(2),
            KeyCode::Char('d') => Key::Pa(3),
            KeyCode::Char('c') => Key::Clear,
            KeyCode::Char('n') => Key::NewLine,
            KeyCode::Char('e') => Key::EraseEof,
            KeyCode::Char('x') => Key::EraseInput,
            KeyCode::Char('i') => Key::Insert,
            KeyCode::Char('r') => Key::Reset,
            KeyCode::Char('h' | '?') => return vec![Action::Help],
            KeyCode::Char('q') => return vec![Action::Quit],
            _ => return Vec::new(),
        };
        vec![Action::Key(key)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn seq(keys: &[KeyEvent]) -> Vec<Action> {
        let mut m = KeyMapper::default();
        keys.iter().flat_map(|&e| m.map(e)).collect()
    }

    #[test]
    fn function_keys_and_esc_digits() {
        assert_eq!(seq(&[k(KeyCode::F(3))]), [Action::Key(Key::Pf(3))]);
        let shift_f1 = KeyEvent::new(KeyCode::F(1), KeyModifiers::SHIFT);
        assert_eq!(seq(&[shift_f1]), [Action::Key(Key::Pf(13))]);
        assert_eq!(seq(&[k(KeyCode::Esc), k(KeyCode::Char('3'))]), [Action::Key(Key::Pf(3))]);
        assert_eq!(
            seq(&[k(KeyCode::Esc), k(KeyCode::Char('1')), k(KeyCode::Char('2'))]),
            [Action::Key(Key::Pf(12))]
        );
        assert_eq!(
            seq(&[k(KeyCode::Esc), k(KeyCode::Char('2')), k(KeyCode::Char('4'))]),
            [Action::Key(Key::Pf(24))]
        );
        assert_eq!(
            seq(&[k(KeyCode::Esc), k(KeyCode::Char('1')), k(KeyCode::Enter)]),
            [Action::Key(Key::Pf(1))]
        );
        assert_eq!(
            seq(&[k(KeyCode::Esc), k(KeyCode::Char('2')), k(KeyCode::Char('x'))]),
            [Action::Key(Key::Pf(2)), Action::Key(Key::Char('x'))]
        );
        let alt1 = KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT);
        assert_eq!(seq(&[alt1, k(KeyCode::Char('0'))]), [Action::Key(Key::Pf(10))]);
    }

    #[test]
    fn pa_clear_and_control_keys() {
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(seq(&[ctrl('c')]), [Action::Key(Key::Pa(1))]);
        assert_eq!(seq(&[ctrl('l')]), [Action::Key(Key::Clear)]);
        assert_eq!(seq(&[ctrl('q')]), [Action::Quit]);
        assert_eq!(seq(&[k(KeyCode::Esc), k(KeyCode::Char('s'))]), [Action::Key(Key::Pa(2))]);
        assert_eq!(seq(&[k(KeyCode::Esc), k(KeyCode::Char('?'))]), [Action::Help]);
        assert_eq!(seq(&[k(KeyCode::Char('x'))]), [Action::Key(Key::Char('x'))]);
        assert_eq!(seq(&[k(KeyCode::Backspace)]), [Action::Key(Key::Erase)]);
    }
}
