//! The client application: the model, the key map and the drawing put together, and the
//! loop that runs them on a real terminal ([`run_client`]).

use std::sync::mpsc;
use std::time::Duration;

use ratatui::Frame;
use ratatui::crossterm::event::{self, Event, KeyEvent};
use s370::ebcdic::CodePage;

use super::keys::{Action, KeyMapper};
use super::model::Terminal3270;
use super::render::{ConnStatus, View};
use crate::client::{ClientConfig, ClientError, Connection};
use crate::ds::Model;
use crate::telnet::ClientMode;

/// The terminal UI's state, independent of any real terminal.
#[derive(Debug)]
pub struct App {
    /// The 3270.
    pub term: Terminal3270,
    /// The connection, as shown.
    pub status: ConnStatus,
    /// Help overlay shown.
    pub help: bool,
    /// The user asked to quit.
    pub quit: bool,
    keys: KeyMapper,
    color: bool,
}

impl App {
    /// A client for a `model` terminal.
    pub fn new(model: Model, color: bool, status: ConnStatus) -> App {
        App {
            term: Terminal3270::new(model, CodePage::Cp037, color),
            status,
            help: false,
            quit: false,
            keys: KeyMapper::default(),
            color,
        }
    }

    /// A key pressed; returns the records to send to the host.
    pub fn on_key(&mut self, ev: KeyEvent) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for a in self.keys.map(ev) {
            match a {
                Action::Quit => self.quit = true,
                Action::Help => self.help = !self.help,
                Action::Key(k) => {
                    self.help = false;
                    if let Some(rec) = self.term.key(k) {
                        out.push(rec);
                    }
                }
            }
        }
        out
    }

    /// A record from the host; returns the reply to send, if any.
    pub fn on_host(&mut self, rec: &[u8]) -> Option<Vec<u8>> {
        match self.term.host_record(rec) {
            Ok(reply) => reply,
            Err(e) => {
                self.status.message = Some(format!("host data error: {e}"));
                None
            }
        }
    }

    /// The connection ended.
    pub fn disconnected(&mut self, why: &str) {
        self.status.mode = "disconnected".into();
        self.status.message = Some(why.to_string());
    }

    /// What to draw.
    pub fn view(&self) -> View<'_> {
        View {
            term: &self.term,
            status: &self.status,
            color: self.color,
            help: self.help,
            prefix: self.keys.pending(),
        }
    }

    /// Draws a frame.
    pub fn draw(&self, frame: &mut Frame<'_>) {
        let area = frame.area();
        let view = self.view();
        if let Some(pos) = view.cursor(area)
            && !self.help
        {
            frame.set_cursor_position(pos);
        }
        frame.render_widget(view, area);
    }
}

enum FromHost {
    Record(Vec<u8>),
    Closed(String),
}

/// Runs the 3270 client on this terminal, connected to `addr` (`HOST:PORT`) as a model
/// `model` (2-5) 3279, until the user quits. This is `vm370 terminal [HOST:PORT]`.
pub fn run_client(addr: &str, model: u8) -> Result<(), ClientError> {
    let model = Model::from_number(model).ok_or(ClientError::BadModel(model))?;
    let config = ClientConfig { model, ..ClientConfig::default() };
    let mut conn = Connection::connect(addr, &config)?;
    let (mode, device) = match conn.mode() {
        ClientMode::Tn3270e { device_name } => ("TN3270E", device_name.clone()),
        _ => ("TN3270", String::new()),
    };
    let status = ConnStatus {
        mode: mode.into(),
        device,
        model: format!("3279-{}", model.number()),
        message: None,
    };
    let mut app = App::new(model, true, status);
    let mut writer = conn.writer()?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new().name("tn3270-reader".into()).spawn(move || {
        loop {
            match conn.recv(Duration::from_secs(1)) {
                Ok(Some(r)) => {
                    if tx.send(FromHost::Record(r.to_vec())).is_err() {
                        return;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = tx.send(FromHost::Closed(e.to_string()));
                    return;
                }
            }
        }
    })?;

    let mut terminal = ratatui::try_init()?;
    let result = (|| -> Result<(), ClientError> {
        let mut connected = true;
        while !app.quit {
            terminal.draw(|f| app.draw(f))?;
            if event::poll(Duration::from_millis(20))? {
                match event::read()? {
                    Event::Key(k) => {
                        for rec in app.on_key(k) {
                            if connected && writer.send(&rec).is_err() {
                                connected = false;
                                app.disconnected("connection lost");
                            }
                        }
                    }
                    Event::Resize(..) => terminal.autoresize()?,
                    _ => {}
                }
            }
            while let Ok(m) = rx.try_recv() {
                match m {
                    FromHost::Record(r) => {
                        if let Some(reply) = app.on_host(&r) {
                            let _ = writer.send(&reply);
                        }
                    }
                    FromHost::Closed(why) => {
                        connected = false;
                        app.disconnected(&why);
                    }
                }
            }
        }
        Ok(())
    })();
    ratatui::restore();
    writer.close();
    result
}
