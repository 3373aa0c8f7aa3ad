//! From wire bytes to console calls: the telnet parser, record assembly and TN3270E
//! headers on the way in. The server's reader threads and [`Loopback`] both use it.

use std::sync::Arc;
use std::time::Duration;

use super::{Console, ConsoleConfig, TerminalInfo, TerminalKind};
use crate::server::outbox::{Closed, Outbox};
use crate::telnet::{
    EOR, Parser, RecordAssembler, TelnetError, TelnetEvent, Tn3270eHeader, tn3270e,
};

/// The inbound half of a connection.
#[derive(Debug)]
pub(crate) struct WireIn {
    parser: Parser,
    assembler: RecordAssembler,
    kind: TerminalKind,
}

impl WireIn {
    /// For a terminal of `kind`, refusing records over `max_record` bytes.
    pub(crate) fn new(kind: TerminalKind, max_record: usize) -> WireIn {
        WireIn { parser: Parser::default(), assembler: RecordAssembler::new(max_record), kind }
    }

    /// As [`WireIn::new`], continuing with the parser used for the negotiation.
    pub(crate) fn with_parser(parser: Parser, kind: TerminalKind, max_record: usize) -> WireIn {
        WireIn { parser, assembler: RecordAssembler::new(max_record), kind }
    }

    /// Parses bytes from the terminal and hands them to the console.
    pub(crate) fn feed(&mut self, console: &Console, data: &[u8]) -> Result<(), TelnetError> {
        let mut ev = Vec::new();
        let parsed = self.parser.feed(data, &mut ev);
        let dispatched = self.dispatch(console, ev);
        parsed.and(dispatched)
    }

    /// Hands already-parsed events to the console.
    pub(crate) fn dispatch(
        &mut self,
        console: &Console,
        events: Vec<TelnetEvent>,
    ) -> Result<(), TelnetError> {
        if events.is_empty() {
            return Ok(());
        }
        let now = console.now();
        let graf = self.kind != TerminalKind::Typewriter;
        let (assembler, kind) = (&mut self.assembler, self.kind);
        console.shared().with(|core| {
            for e in events {
                match e {
                    TelnetEvent::Data(d) if graf => assembler.push(&d)?,
                    TelnetEvent::Data(d) => core.on_nvt_data(&d, now),
                    TelnetEvent::Command(EOR) if graf => {
                        let rec = assembler.take();
                        if kind == TerminalKind::Tn3270e {
                            if let Some((h, payload)) = Tn3270eHeader::split(&rec)
                                && h.data_type == tn3270e::DT_3270_DATA
                            {
                                core.on_record(payload, now);
                            }
                        } else {
                            core.on_record(&rec, now);
                        }
                    }
                    TelnetEvent::Command(c) => core.on_telnet_command(c),
                    TelnetEvent::Negotiate(v, o) => core.on_negotiate(v, o),
                    TelnetEvent::Sub(..) => {}
                }
            }
            Ok(())
        })
    }
}

/// A console with no socket: what a terminal would send goes in with
/// [`Loopback::send`], what it would receive comes out of [`Loopback::receive`]. For
/// tests, recordings, and a terminal attached in-process.
#[derive(Debug)]
pub struct Loopback {
    console: Console,
    wire: WireIn,
    outbox: Arc<Outbox>,
}

impl Console {
    /// A console for an already-negotiated terminal with no network: the other end is
    /// the returned [`Loopback`].
    pub fn loopback(info: TerminalInfo, config: ConsoleConfig) -> (Console, Loopback) {
        let outbox = Arc::new(Outbox::new(usize::MAX / 2));
        let kind = info.kind;
        let console = Console::new(info, config, outbox.clone());
        let wire = WireIn::new(kind, 64 * 1024);
        (console.clone(), Loopback { console, wire, outbox })
    }
}

impl Loopback {
    /// Bytes from the terminal (telnet-framed, as on the wire).
    pub fn send(&mut self, wire: &[u8]) -> Result<(), TelnetError> {
        self.wire.feed(&self.console, wire)
    }

    /// Bytes for the terminal, waiting up to `timeout` for the first.
    pub fn receive(&self, timeout: Duration) -> Vec<u8> {
        match self.outbox.take(timeout) {
            Ok(chunks) => chunks.concat(),
            Err(_) => Vec::new(),
        }
    }

    /// The terminal hangs up.
    pub fn hang_up(&self) {
        self.outbox.close(Closed::Broken);
        self.console.hang_up();
    }
}
