//! Our own 3270 terminal model driving a server over TCP (what the terminal UI does,
//! without a screen).
#![allow(dead_code)]

use std::time::{Duration, Instant};

use s370::ebcdic::CodePage;
use terminals::client::{ClientConfig, Connection};
use terminals::ds::snapshot::display_char;
use terminals::tui::model::{Key, Terminal3270};

pub struct Driver {
    pub conn: Connection,
    pub t: Terminal3270,
}

impl Driver {
    pub fn connect(addr: std::net::SocketAddr, config: ClientConfig) -> Driver {
        let t = Terminal3270::new(config.model, CodePage::Cp037, config.color);
        let conn = Connection::connect(addr, &config).expect("connect and negotiate");
        Driver { conn, t }
    }

    /// Applies host records for up to `d`; false if the connection closed.
    pub fn pump(&mut self, d: Duration) -> bool {
        let until = Instant::now() + d;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.conn.recv(left) {
                Ok(Some(rec)) => {
                    if let Some(reply) = self.t.host_record(&rec).expect("valid 3270 data") {
                        self.conn.send(&reply).expect("send");
                    }
                }
                Ok(None) => return true,
                Err(_) => return false,
            }
            if left.is_zero() {
                return true;
            }
        }
    }

    pub fn text(&self) -> Vec<String> {
        let s = self.t.screen();
        let cols = usize::from(s.size().cols);
        s.cells()
            .chunks(cols)
            .map(|row| row.iter().map(|c| display_char(CodePage::Cp037, c.ch)).collect())
            .collect()
    }

    /// Waits (pumping) until `what` is on the screen.
    pub fn wait_for(&mut self, what: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            if self.text().iter().any(|l| l.contains(what)) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "{what:?} never appeared:\n{}",
                self.text().join("\n")
            );
            self.pump(Duration::from_millis(10));
        }
    }

    pub fn press(&mut self, key: Key) {
        self.pump(Duration::ZERO);
        if let Some(rec) = self.t.key(key) {
            self.conn.send(&rec).expect("send");
        }
    }

    pub fn enter(&mut self, text: &str) {
        // Wait for the keyboard to unlock (the host restores it after each AID).
        let until = Instant::now() + Duration::from_secs(5);
        while self.t.lock().is_some() {
            assert!(Instant::now() < until, "keyboard stayed locked");
            self.pump(Duration::from_millis(5));
        }
        assert!(self.t.type_str(text), "typing {text:?} refused");
        self.press(Key::Enter);
    }
}
