//! What the user types: logical line editing (LINEND, LINEDEL, CHARDEL, ESCAPE), `#CP`, and
//! where each line goes — to CP in CP mode, to the guest's console read otherwise (with an
//! attention interruption if the guest is running and not reading).

use std::sync::Arc;

use super::User;
use crate::directory::UserEntry;
use crate::dispatch::Wake;
use crate::system::System;
use crate::vdev::Status;

/// The TERMINAL settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalSettings {
    /// Line-end character (`None` = OFF).
    pub linend: Option<char>,
    /// Line-delete character.
    pub linedel: Option<char>,
    /// Character-delete character.
    pub chardel: Option<char>,
    /// Escape character.
    pub escape: Option<char>,
    /// Line size for output.
    pub linesize: u16,
    /// MORE timings in seconds: (first, second).
    pub more: (u16, u16),
    /// HOLD ON: a full screen waits for the user instead of clearing itself.
    pub hold: bool,
    /// TERMINAL MODE CP: attention always enters CP.
    pub mode_cp: bool,
}

impl Default for TerminalSettings {
    fn default() -> TerminalSettings {
        TerminalSettings {
            linend: Some('#'),
            linedel: Some('¢'),
            chardel: Some('@'),
            escape: Some('"'),
            linesize: 80,
            more: (50, 10),
            hold: true,
            mode_cp: false,
        }
    }
}

impl TerminalSettings {
    /// The defaults, with the line-edit characters the directory entry sets.
    pub fn from_entry(e: &UserEntry) -> TerminalSettings {
        let mut t = TerminalSettings::default();
        if let Some(c) = e.linend {
            t.linend = Some(c);
        }
        if let Some(c) = e.linedel {
            t.linedel = Some(c);
        }
        if let Some(c) = e.chardel {
            t.chardel = Some(c);
        }
        if let Some(c) = e.escape {
            t.escape = Some(c);
        }
        t
    }
}

/// Applies logical line editing to one physical line: the escape character takes the next
/// character literally, CHARDEL deletes the character before it, LINEDEL deletes the logical
/// line so far, LINEND ends a logical line.
pub fn line_edit(raw: &str, t: &TerminalSettings) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if Some(c) == t.escape {
            if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if Some(c) == t.chardel {
            cur.pop();
        } else if Some(c) == t.linedel {
            cur.clear();
        } else if Some(c) == t.linend {
            lines.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    lines.push(cur);
    lines
}

/// If `raw` starts with the line-end character followed by `CP`, the text after `CP`.
fn cp_prefix<'a>(raw: &'a str, t: &TerminalSettings) -> Option<&'a str> {
    let le = t.linend?;
    let rest = raw.strip_prefix(le)?;
    let head = rest.get(..2)?;
    if !head.eq_ignore_ascii_case("CP") {
        return None;
    }
    let tail = &rest[2..];
    (tail.is_empty() || tail.starts_with(' ')).then_some(tail)
}

impl User {
    /// A line the user typed (ENTER).
    pub fn input(self: &Arc<Self>, sys: &Arc<System>, raw: &str) {
        if self.answer_prompt(sys, raw) {
            return;
        }
        let once = std::mem::take(&mut self.lock().cp_once);
        if once {
            let terminal = self.lock().terminal.clone();
            for line in line_edit(raw, &terminal) {
                crate::command::run_line(sys, self, &line);
                if self.logged_off() {
                    return;
                }
            }
            if !self.lock().cp_mode {
                self.console.set_cp_mode(false);
            }
            return;
        }
        let (terminal, cp_mode, runnable, console_addr) = {
            let st = self.lock();
            (st.terminal.clone(), st.cp_mode, st.runnable(), st.console_addr)
        };
        if let Some(rest) = cp_prefix(raw, &terminal) {
            if rest.trim().is_empty() {
                self.enter_cp_mode();
                return;
            }
            for line in line_edit(rest, &terminal) {
                crate::command::run_line(sys, self, &line);
                if self.logged_off() {
                    return;
                }
            }
            return;
        }
        if cp_mode || !runnable {
            for line in line_edit(raw, &terminal) {
                crate::command::run_line(sys, self, &line);
                if self.logged_off() {
                    return;
                }
            }
            return;
        }
        let reading = self.console.status() == Status::VmRead;
        for line in line_edit(raw, &terminal) {
            self.console.input(&line);
        }
        if !reading {
            self.lock().vm.attention(console_addr);
        }
        self.wake(Wake::Interactive);
    }

    /// Gives the line to a pending prompt (a LINK password); true if there was one. A
    /// DIAGNOSE X'08' held for the answer is then completed and the machine runs on.
    fn answer_prompt(self: &Arc<Self>, sys: &Arc<System>, raw: &str) -> bool {
        let deferred = {
            let mut st = self.lock();
            if st.prompt.is_none() {
                return false;
            }
            let out = crate::command::answer(sys, self, &mut st, raw);
            if st.prompt.is_none()
                && let Some((mut gpr, ry)) = st.held_diag.take()
            {
                gpr[ry] = out.rc as u32;
                let _ = st.vm.backend.complete(crate::backend::Completion::Service { gpr, cc: 0 });
                self.wake(Wake::Interactive);
            }
            st.deferred.take()
        };
        match deferred {
            Some(super::Deferred::Logoff) => self.logoff(sys, false),
            Some(super::Deferred::Disconnect) => self.disconnect(sys),
            None => {}
        }
        true
    }

    /// The attention key (PA1, BREAK): enter CP mode.
    pub fn attention(self: &Arc<Self>) {
        let mut st = self.lock();
        if st.settings.run && !st.cp_mode && st.runnable() {
            // SET RUN ON: CP reads one command; the machine keeps running meanwhile.
            st.cp_once = true;
            drop(st);
            self.console.set_cp_mode(true);
            return;
        }
        drop(st);
        self.enter_cp_mode();
    }

    /// Stops the machine and gives the terminal to CP (`CP READ`).
    pub fn enter_cp_mode(&self) {
        self.kick();
        let mut st = self.lock();
        st.cp_mode = true;
        drop(st);
        self.console.set_cp_mode(true);
    }

    /// Leaves CP mode and lets the machine run (BEGIN).
    pub fn leave_cp_mode(&self) {
        let mut st = self.lock();
        st.cp_mode = false;
        let runnable = st.runnable();
        drop(st);
        self.console.set_cp_mode(false);
        if runnable {
            self.wake(Wake::Interactive);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_characters() {
        let t = TerminalSettings::default();
        assert_eq!(line_edit("q tiem@@me", &t), vec!["q time"]);
        assert_eq!(line_edit("q time#q names", &t), vec!["q time", "q names"]);
        assert_eq!(line_edit("garbage¢q time", &t), vec!["q time"]);
        assert_eq!(line_edit("msg bob a\"#b", &t), vec!["msg bob a#b"]);
        let off = TerminalSettings { linend: None, ..TerminalSettings::default() };
        assert_eq!(line_edit("a#b", &off), vec!["a#b"]);
    }

    #[test]
    fn cp_prefix_rules() {
        let t = TerminalSettings::default();
        assert_eq!(cp_prefix("#cp q time", &t), Some(" q time"));
        assert_eq!(cp_prefix("#CP", &t), Some(""));
        assert_eq!(cp_prefix("#cpx", &t), None);
        assert_eq!(cp_prefix("cp q time", &t), None);
    }
}
