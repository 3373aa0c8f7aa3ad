//! The terminal UI's model and drawing, driven by key events, against the same toy CP
//! the s3270 tests use.

mod support;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::echo_cp::EchoCp;
use terminals::client::{ClientConfig, Connection};
use terminals::ds::Model;
use terminals::server::ServerConfig;
use terminals::tui::App;
use terminals::tui::render::{ConnStatus, buffer_text};

struct Ui {
    app: App,
    conn: Connection,
}

impl Ui {
    fn connect(cp: &EchoCp) -> Ui {
        let conn = Connection::connect(cp.addr, &ClientConfig::default()).expect("connect");
        let status = ConnStatus {
            mode: "TN3270E".into(),
            device: "TERM0001".into(),
            model: "3279-2".into(),
            message: None,
        };
        Ui { app: App::new(Model::M2, true, status), conn }
    }

    fn pump(&mut self, d: Duration) {
        let until = Instant::now() + d;
        while let Ok(Some(rec)) = self.conn.recv(until.saturating_duration_since(Instant::now())) {
            if let Some(reply) = self.app.on_host(&rec) {
                self.conn.send(&reply).expect("send");
            }
        }
    }

    fn key(&mut self, ev: KeyEvent) {
        for rec in self.app.on_key(ev) {
            self.conn.send(&rec).expect("send");
        }
    }

    fn code(&mut self, code: KeyCode) {
        self.key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.code(KeyCode::Char(c));
        }
    }

    fn wait_for(&mut self, what: &str) {
        let until = Instant::now() + Duration::from_secs(5);
        while !self.app.term.snapshot().contains(what) {
            assert!(Instant::now() < until, "{what:?} never shown:\n{}", self.app.term.snapshot());
            self.pump(Duration::from_millis(10));
        }
        // Let the keyboard-restoring write land too.
        self.pump(Duration::from_millis(30));
    }

    fn render(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        t.draw(|f| self.app.draw(f)).expect("draw");
        buffer_text(t.backend().buffer())
    }
}

#[test]
fn the_ui_model_logs_on_types_pages_and_attends() {
    let cp = EchoCp::start(ServerConfig::default());
    let mut ui = Ui::connect(&cp);
    ui.wait_for("VM/370 ONLINE");
    insta::assert_snapshot!("ui_logo", ui.render(80, 25));

    ui.code(KeyCode::Enter);
    ui.wait_for("CP READ");
    ui.typed("hello from the ui");
    ui.code(KeyCode::Enter);
    ui.wait_for("ECHO: hello from the ui");
    insta::assert_snapshot!("ui_echo_model", ui.app.term.snapshot());
    insta::assert_snapshot!("ui_echo", ui.render(80, 25));

    // A small window clips; growing back shows the same screen.
    let before = ui.render(80, 25);
    let small = ui.render(50, 12);
    assert!(small.lines().next().expect("a row").starts_with("|hello from the ui"));
    assert_eq!(ui.render(80, 25), before, "resizing loses nothing");

    // PF keys: F5 and Esc 1 7 reach CP as unset PF keys.
    ui.code(KeyCode::F(5));
    ui.wait_for("PF05 PRESSED");
    ui.code(KeyCode::Esc);
    ui.code(KeyCode::Char('1'));
    ui.code(KeyCode::Char('7'));
    ui.wait_for("PF17 PRESSED");

    // Fill to MORE..., then CLEAR with Ctrl+L.
    ui.typed("fill 30");
    ui.code(KeyCode::Enter);
    ui.wait_for("MORE...");
    ui.key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL));
    ui.wait_for("LINE 030");

    // PA1 with Ctrl+C.
    ui.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    ui.wait_for("ATTENTION RECEIVED");
    assert_eq!(cp.log.lock().expect("lock").attentions, 1);

    // The help overlay.
    ui.code(KeyCode::Esc);
    ui.code(KeyCode::Char('h'));
    assert!(ui.app.help);
    insta::assert_snapshot!("ui_help", ui.render(80, 25));
    ui.code(KeyCode::Esc);
    ui.code(KeyCode::Char('q'));
    assert!(ui.app.quit);
}
