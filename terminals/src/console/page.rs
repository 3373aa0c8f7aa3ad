//! The output area of CP's 3270 console: lines fill it top to bottom; when it is full
//! and more lines wait, the screen shows `MORE...` until the user clears it or the timer
//! does; `HOLDING` freezes it.
//!
//! ```text
//!              line arrives, page full
//!   Normal ──────────────────────────────> More(deadline)
//!     ^  ^                                 │   │ ENTER with empty input
//!     │  └───── CLEAR / PA2 / timeout ─────┘   v
//!     │         (clear, fill from waiting)   Holding ── CLEAR / PA2 ──> (clear, fill)
//!     └── nothing left waiting
//! ```
//! Output moves by page, not by scrolling: after a clear, lines start again at the top.
//! Timings follow `TERMINAL MORE n1 n2`: `n1` seconds for a page the user has not yet
//! dealt with, `n2` for each further page the timer turned without the user (our reading
//! of R6's "50 s then 10 s"; both are parameters).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The two `TERMINAL MORE` delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoreTimes {
    /// Delay before a full screen clears by itself (R6 default 50 s).
    pub first: Duration,
    /// Delay for each further page the timer turns (R6 default 10 s).
    pub next: Duration,
}

impl Default for MoreTimes {
    fn default() -> Self {
        MoreTimes { first: Duration::from_secs(50), next: Duration::from_secs(10) }
    }
}

/// Paging state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageState {
    /// Lines are shown as they come.
    Normal,
    /// Full with lines waiting; clears itself at the deadline.
    More(Instant),
    /// Frozen until CLEAR or PA2.
    Holding,
}

/// The output area.
#[derive(Debug, Clone)]
pub struct Page {
    widths: Vec<usize>,
    rows: Vec<String>,
    waiting: VecDeque<String>,
    state: PageState,
    more: MoreTimes,
    timer_turned: bool,
    max_waiting: usize,
    dropped: u64,
}

impl Page {
    /// An output area of `rows` rows of `cols` columns; the last row is one shorter (its
    /// last position holds the input field's attribute).
    pub fn new(rows: usize, cols: usize, more: MoreTimes, max_waiting: usize) -> Page {
        let mut widths = vec![cols.max(1); rows.max(1)];
        if let Some(last) = widths.last_mut() {
            *last = (cols.max(2)) - 1;
        }
        Page {
            widths,
            rows: Vec::new(),
            waiting: VecDeque::new(),
            state: PageState::Normal,
            more,
            timer_turned: false,
            max_waiting,
            dropped: 0,
        }
    }

    /// The rows shown now.
    pub fn rows(&self) -> &[String] {
        &self.rows
    }

    /// The paging state.
    pub fn state(&self) -> PageState {
        self.state
    }

    /// Rows waiting for the next page.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Rows dropped because too many were waiting.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Changes the MORE delays.
    pub fn set_more(&mut self, more: MoreTimes) {
        self.more = more;
    }

    /// When the timer must act, if it must.
    pub fn deadline(&self) -> Option<Instant> {
        match self.state {
            PageState::More(t) => Some(t),
            _ => None,
        }
    }

    /// Adds a line of output (wrapped at the screen width).
    pub fn add_line(&mut self, text: &str, now: Instant) {
        let chars: Vec<char> = text.chars().collect();
        let width = self.widths[0];
        if chars.is_empty() {
            self.add_row(String::new(), now);
        }
        for chunk in chars.chunks(width) {
            self.add_row(chunk.iter().collect(), now);
        }
    }

    fn add_row(&mut self, row: String, now: Instant) {
        if self.state == PageState::Normal && self.waiting.is_empty() && self.place(row.clone()) {
            return;
        }
        if self.waiting.len() >= self.max_waiting {
            self.dropped += 1;
            return;
        }
        self.waiting.push_back(row);
        if self.state == PageState::Normal {
            let delay = if self.timer_turned { self.more.next } else { self.more.first };
            self.state = PageState::More(now + delay);
        }
    }

    /// Puts a row on the page if it has room; a row too wide for the (shorter) last row
    /// is split and the rest waits in front.
    fn place(&mut self, row: String) -> bool {
        let k = self.rows.len();
        let Some(&w) = self.widths.get(k) else {
            return false;
        };
        let n = row.chars().count();
        if n > w {
            let head: String = row.chars().take(w).collect();
            let tail: String = row.chars().skip(w).collect();
            self.rows.push(head);
            self.waiting.push_front(tail);
        } else {
            self.rows.push(row);
        }
        true
    }

    /// Clears the page and fills it from the waiting rows (CLEAR, PA2, or the timer when
    /// `by_timer`). Leaves `MORE...` on when rows still wait.
    pub fn turn(&mut self, now: Instant, by_timer: bool) {
        self.rows.clear();
        self.state = PageState::Normal;
        self.timer_turned = by_timer;
        while let Some(row) = self.waiting.pop_front() {
            if !self.place(row.clone()) {
                self.waiting.push_front(row);
                break;
            }
        }
        if !self.waiting.is_empty() {
            let delay = if by_timer { self.more.next } else { self.more.first };
            self.state = PageState::More(now + delay);
        }
    }

    /// ENTER with nothing typed: MORE... becomes HOLDING. Returns true if it did.
    pub fn hold(&mut self) -> bool {
        if matches!(self.state, PageState::More(_)) {
            self.state = PageState::Holding;
            true
        } else {
            false
        }
    }

    /// The user did something: the next MORE... waits the first delay again.
    pub fn user_acted(&mut self) {
        self.timer_turned = false;
    }

    /// The page is visible again: a pending MORE... waits its full first delay from now.
    pub fn rearm(&mut self, now: Instant) {
        if let PageState::More(_) = self.state {
            self.state = PageState::More(now + self.more.first);
        }
    }

    /// Advances on the clock; true if the page changed.
    pub fn on_time(&mut self, now: Instant) -> bool {
        match self.state {
            PageState::More(t) if now >= t => {
                self.turn(now, true);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        Page::new(3, 10, MoreTimes::default(), 100)
    }

    #[test]
    fn fills_then_more_then_turns() {
        let t = Instant::now();
        let mut p = page();
        for l in ["one", "two", "three"] {
            p.add_line(l, t);
        }
        assert_eq!(p.state(), PageState::Normal);
        p.add_line("four", t);
        assert_eq!(p.state(), PageState::More(t + Duration::from_secs(50)));
        assert_eq!(p.rows(), ["one", "two", "three"]);
        assert!(!p.on_time(t + Duration::from_secs(49)));
        assert!(p.on_time(t + Duration::from_secs(50)));
        assert_eq!(p.rows(), ["four"]);
        assert_eq!(p.state(), PageState::Normal);
    }

    #[test]
    fn wraps_long_lines_and_the_short_last_row() {
        let t = Instant::now();
        let mut p = page();
        p.add_line("abcdefghijKLMNOPQRSTuvwxyz", t);
        // Rows of 10, 10, then the last row holds 9.
        assert_eq!(p.rows(), ["abcdefghij", "KLMNOPQRST", "uvwxyz"]);
        p.add_line("0123456789", t);
        assert!(matches!(p.state(), PageState::More(_)));
        p.turn(t, false);
        assert_eq!(p.rows(), ["0123456789"]);
    }

    #[test]
    fn holding_and_timer_delays() {
        let t = Instant::now();
        let mut p = page();
        for k in 0..10 {
            p.add_line(&k.to_string(), t);
        }
        assert!(p.hold());
        assert_eq!(p.deadline(), None);
        assert!(!p.on_time(t + Duration::from_secs(999)));
        p.turn(t, false);
        assert_eq!(p.rows(), ["3", "4", "5"]);
        assert_eq!(p.state(), PageState::More(t + Duration::from_secs(50)));
        let t2 = t + Duration::from_secs(50);
        assert!(p.on_time(t2));
        assert_eq!(p.state(), PageState::More(t2 + Duration::from_secs(10)));
    }

    #[test]
    fn waiting_is_bounded() {
        let t = Instant::now();
        let mut p = Page::new(2, 10, MoreTimes::default(), 5);
        for k in 0..20 {
            p.add_line(&k.to_string(), t);
        }
        assert_eq!(p.waiting(), 5);
        assert_eq!(p.dropped(), 13);
    }
}
