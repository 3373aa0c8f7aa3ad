//! The terminal end of a recorded session, without a socket: a 3270 screen (or a
//! typewriter's printed lines) kept up to date from the host's bytes, and the bytes a key or
//! a typed line sends.
//!
//! The recorder keeps one beside every real client (to know what it shows and to read its
//! keys as steps); the replay engine uses one as the client itself.

use terminals::ds::query::build_reply;
use terminals::ds::{
    Aid, Command, DsError, Screen, ScreenSize, encode_address, order, parse_inbound,
};
use terminals::telnet::framing::{record, tn3270e_record};
use terminals::telnet::{
    BREAK, EOR, IAC, Parser, RecordAssembler, TelnetEvent, Tn3270eHeader, tn3270e,
};

use super::model::{Action, Header, Key, Pos, Snapshot, TermKind, Typed};
use super::screen::{lines_snapshot, snapshot};

/// Why host bytes or an action could not be handled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The host broke the telnet protocol.
    #[error("telnet: {0}")]
    Telnet(String),
    /// The host sent a bad 3270 data stream.
    #[error("3270 data stream: {0}")]
    DataStream(#[from] DsError),
    /// The action does not fit the screen (no input field to type into).
    #[error("{0}")]
    Action(String),
}

/// Largest record accepted from the host.
const MAX_RECORD: usize = 1 << 20;

/// One terminal's state.
#[derive(Debug)]
pub struct ClientTerm {
    kind: TermKind,
    screen: Screen,
    pending_aid: Option<Aid>,
    reply_due: bool,
    lines: Vec<String>,
    partial: Vec<u8>,
    parser: Parser,
    assembler: RecordAssembler,
    seq: u16,
}

impl ClientTerm {
    /// A terminal of `kind`; `alternate` is the 3270's alternate screen size.
    pub fn new(kind: TermKind, alternate: ScreenSize) -> ClientTerm {
        ClientTerm {
            kind,
            screen: Screen::new(alternate),
            pending_aid: None,
            reply_due: false,
            lines: Vec::new(),
            partial: Vec::new(),
            parser: Parser::default(),
            assembler: RecordAssembler::new(MAX_RECORD),
            seq: 0,
        }
    }

    /// How it is connected.
    pub fn kind(&self) -> TermKind {
        self.kind
    }

    /// Changes how it is connected (the recorder learns it from the negotiation).
    pub fn set_kind(&mut self, kind: TermKind) {
        self.kind = kind;
    }

    /// Sets the alternate screen size (learned from the terminal type).
    pub fn set_alternate(&mut self, alternate: ScreenSize) {
        self.screen.set_alternate(alternate);
    }

    /// The 3270 screen.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// Takes bytes from the host; returns the wire bytes of the replies a 3270 owes it
    /// (Read Buffer, Query).
    pub fn from_host(&mut self, bytes: &[u8]) -> Result<Vec<u8>, ClientError> {
        let mut events = Vec::new();
        self.parser.feed(bytes, &mut events).map_err(|e| ClientError::Telnet(e.to_string()))?;
        let mut replies = Vec::new();
        for e in events {
            match e {
                TelnetEvent::Data(d) if self.kind.is_graf() => {
                    self.assembler.push(&d).map_err(|e| ClientError::Telnet(e.to_string()))?;
                }
                TelnetEvent::Data(d) => self.printed(&d),
                TelnetEvent::Command(EOR) if self.kind.is_graf() => {
                    let rec = self.assembler.take();
                    let body = if self.kind == TermKind::Tn3270e {
                        match Tn3270eHeader::split(&rec) {
                            Some((h, b)) if h.data_type == tn3270e::DT_3270_DATA => b.to_vec(),
                            _ => continue,
                        }
                    } else {
                        rec.to_vec()
                    };
                    if let Some(reply) = self.host_record(&body)? {
                        replies.extend_from_slice(&self.frame(&reply));
                    }
                }
                _ => {}
            }
        }
        Ok(replies)
    }

    fn printed(&mut self, data: &[u8]) {
        for &b in data {
            match b {
                b'\n' => {
                    let line: String = self.partial.iter().map(|&c| char::from(c)).collect();
                    self.lines.push(line);
                    self.partial.clear();
                }
                b'\r' | 0 => {}
                b => self.partial.push(b),
            }
        }
    }

    /// Applies one 3270 record from the host; the reply it asks for, if any.
    fn host_record(&mut self, rec: &[u8]) -> Result<Option<Vec<u8>>, ClientError> {
        let applied = self.screen.apply(rec)?;
        if applied.wcc.is_some_and(|w| w.restore())
            || applied.command == Command::EraseAllUnprotected
        {
            self.pending_aid = None;
        }
        if applied.query.is_some() {
            self.reply_due = true;
            return Ok(Some(build_reply(self.screen.alternate(), false)));
        }
        Ok(applied.read.map(|cmd| {
            self.reply_due = true;
            let aid = self.pending_aid.unwrap_or(Aid::NoAid);
            match cmd {
                Command::ReadBuffer => self.screen.read_buffer(aid),
                Command::ReadModifiedAll => self.screen.read_modified(aid, true),
                _ => self.screen.read_modified(aid, false),
            }
        }))
    }

    /// A record framed for the host (TN3270E header when negotiated).
    pub fn frame(&mut self, rec: &[u8]) -> Vec<u8> {
        if self.kind == TermKind::Tn3270e {
            self.seq = self.seq.wrapping_add(1);
            tn3270e_record(Tn3270eHeader { seq: self.seq, ..Default::default() }, rec).to_vec()
        } else {
            record(rec).to_vec()
        }
    }

    fn cells(&self) -> u16 {
        self.screen.size().cells() as u16
    }

    fn addr(&self, p: Pos) -> u16 {
        let size = self.screen.size();
        size.addr(p.row.min(size.rows - 1), p.col.min(size.cols - 1))
    }

    fn pos(&self, addr: u16) -> Pos {
        let (row, col) = self.screen.size().row_col(addr);
        Pos { row, col }
    }

    /// The first data position of the first unprotected field: where CP's input goes.
    pub fn input_start(&self) -> Option<u16> {
        let last = self.cells().saturating_sub(1);
        self.screen.next_unprotected(last)
    }

    /// Puts `data` into the field starting at `start` as a person typing it would (nulls
    /// after it to the field's end) and sets the field's modified tag.
    fn type_into(&mut self, start: u16, data: &[u8]) {
        let n = usize::from(self.cells());
        let attr_at = self.screen.field_attr_addr(start);
        let field = self.screen.fields().into_iter().find(|f| f.start == start);
        let len = field.map_or(data.len(), |f| f.len);
        let cells = self.screen.cells_mut();
        for k in 0..len.max(data.len()).min(n) {
            let i = (usize::from(start) + k) % n;
            if cells[i].field.is_some() {
                break;
            }
            cells[i].ch = data.get(k).copied().unwrap_or(0);
            cells[i].ge = false;
        }
        if let Some(a) = attr_at
            && let Some(attr) = cells[usize::from(a)].field.as_mut()
        {
            attr.set_modified(true);
        }
    }

    /// The wire bytes for `action`, updating the screen as the terminal would.
    pub fn encode(&mut self, action: &Action) -> Result<Vec<u8>, ClientError> {
        match action {
            Action::Line(text) => {
                let mut out = Vec::new();
                for c in text.chars() {
                    let b = u32::from(c).min(0xFF) as u8;
                    out.push(b);
                    if b == IAC {
                        out.push(IAC);
                    }
                }
                out.extend_from_slice(b"\r\n");
                Ok(out)
            }
            Action::Break => Ok(vec![IAC, BREAK]),
            Action::Key(k, typed) => {
                let rec = self.key_record(*k, typed)?;
                self.pending_aid = Some(k.aid());
                if *k == Key::Clear {
                    self.screen.erase(ScreenSize::DEFAULT);
                }
                Ok(self.frame(&rec))
            }
            Action::Connect | Action::Disconnect | Action::Wait(_) => Ok(Vec::new()),
        }
    }

    fn key_record(&mut self, k: Key, typed: &Typed) -> Result<Vec<u8>, ClientError> {
        let mut rec = vec![k.aid().to_byte()];
        match typed {
            Typed::Nothing => {}
            Typed::Text(data) => {
                let Some(start) = self.input_start() else {
                    return Err(ClientError::Action(
                        "no input field on the screen to type into".into(),
                    ));
                };
                self.type_into(start, data);
                let cursor = ((usize::from(start) + data.len()) % usize::from(self.cells())) as u16;
                self.screen.set_cursor(cursor);
                rec.extend_from_slice(&encode_address(cursor));
                rec.push(order::SBA);
                rec.extend_from_slice(&encode_address(start));
                rec.extend_from_slice(data);
            }
            Typed::Fields { cursor, fields } => {
                let c = self.addr(*cursor);
                rec.extend_from_slice(&encode_address(c));
                for (p, data) in fields {
                    match p {
                        Some(p) => {
                            let a = self.addr(*p);
                            self.type_into(a, data);
                            rec.push(order::SBA);
                            rec.extend_from_slice(&encode_address(a));
                        }
                        None => self.type_into(0, data),
                    }
                    rec.extend_from_slice(data);
                }
                self.screen.set_cursor(c);
            }
        }
        Ok(rec)
    }

    /// True (once) when the host asked for a read or a Query: the terminal's next record is
    /// the reply, not a key.
    pub fn take_reply_due(&mut self) -> bool {
        std::mem::take(&mut self.reply_due)
    }

    /// Reads a record the real terminal sent as a step (the recorder), updating the screen
    /// with what was typed; `None` for replies to the host's reads and Query.
    pub fn decode_input(&mut self, rec: &[u8]) -> Option<(Key, Typed)> {
        if std::mem::take(&mut self.reply_due) {
            return None;
        }
        let inb = parse_inbound(rec).ok()?;
        let key = Key::from_aid(inb.aid)?;
        let typed = if key.is_short() {
            Typed::Nothing
        } else {
            let cursor = inb.cursor.unwrap_or(0);
            let start = self.input_start();
            let short = match (&inb.fields[..], start) {
                ([f], Some(s)) => {
                    f.addr == Some(s)
                        && usize::from(cursor)
                            == (usize::from(s) + f.data.len()) % usize::from(self.cells())
                }
                _ => false,
            };
            if short {
                Typed::Text(inb.fields[0].data.clone())
            } else {
                Typed::Fields {
                    cursor: self.pos(cursor),
                    fields: inb
                        .fields
                        .iter()
                        .map(|f| (f.addr.map(|a| self.pos(a)), f.data.clone()))
                        .collect(),
                }
            }
        };
        // Replaying the key on this model gives the same screen the terminal has now.
        let _ = self.key_record(key, &typed);
        self.pending_aid = Some(key.aid());
        if key == Key::Clear {
            self.screen.erase(ScreenSize::DEFAULT);
        }
        Some((key, typed))
    }

    /// What the terminal shows: the 3270 screen, or the lines printed since the last call.
    pub fn snapshot(&mut self, header: &Header) -> Snapshot {
        if self.kind.is_graf() {
            snapshot(&self.screen, header)
        } else {
            let lines = std::mem::take(&mut self.lines);
            lines_snapshot(&lines, header)
        }
    }

    /// Lines printed and not yet taken by [`ClientTerm::snapshot`] (typewriter).
    pub fn lines_waiting(&self) -> usize {
        self.lines.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use s370::ebcdic::CodePage;
    use terminals::ds::{FieldAttr, Outbound, Wcc};

    fn console_like() -> ClientTerm {
        let mut t = ClientTerm::new(TermKind::Tn3270, ScreenSize::DEFAULT);
        let mut o =
            Outbound::write(Command::EraseWrite, Wcc::new(Wcc::RESTORE), ScreenSize::DEFAULT);
        o.sba(21, 79).sf(FieldAttr::unprotected());
        o.sba(23, 59).sf(FieldAttr::protected()).text("CP READ");
        let wire = record(&o.finish());
        assert!(t.from_host(&wire).expect("valid").is_empty());
        t
    }

    #[test]
    fn typed_text_round_trips_through_decode() {
        let mut t = console_like();
        let a = Action::Key(Key::Enter, Typed::Text(CodePage::Cp037.encode("q time")));
        let wire = t.encode(&a).expect("an input field");
        // Undo the framing: the record ends IAC EOR and has no FF inside.
        let rec = &wire[..wire.len() - 2];
        let mut other = console_like();
        let (k, typed) = other.decode_input(rec).expect("a key");
        assert_eq!(Action::Key(k, typed), a);
        assert_eq!(other.screen(), t.screen());
    }

    #[test]
    fn moved_cursor_gives_the_long_form_and_pa_keys_send_their_aid_alone() {
        let mut t = console_like();
        let rec = [0x7D, 0x40, 0x40, order::SBA, 0x5B, 0x60, 0xC1];
        let (_, typed) = t.decode_input(&rec).expect("a key");
        assert!(matches!(typed, Typed::Fields { ref fields, .. } if fields.len() == 1));
        let wire = t.encode(&Action::Key(Key::Pa(1), Typed::Nothing)).expect("ok");
        assert_eq!(wire, vec![0x6C, IAC, EOR]);
    }

    #[test]
    fn typewriter_lines() {
        let mut t = ClientTerm::new(TermKind::Typewriter, ScreenSize::DEFAULT);
        t.from_host(b"VM/370 ONLINE\r\nLOGON AT\r\npart").expect("ok");
        let h = Header::empty();
        assert_eq!(
            t.snapshot(&h),
            Snapshot::Lines(vec!["VM/370 ONLINE".into(), "LOGON AT".into()])
        );
        assert_eq!(t.encode(&Action::Line("q t".into())).expect("ok"), b"q t\r\n".to_vec());
    }
}
