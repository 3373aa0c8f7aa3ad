//! The server side of the negotiation: TN3270E first, plain TN3270 when refused, plain NVT
//! (a typewriter) for a client that speaks no 3270.
//!
//! ```text
//!  start: DO TN3270E ──WILL──> SB SEND DEVICE-TYPE ──REQUEST ok──> IS … CONNECT name
//!     │                           (REJECT + reason on a bad type/name; client retries)
//!     │                                  └──FUNCTIONS REQUEST──> FUNCTIONS IS (empty) ⇒ TN3270E
//!     ├─WONT (any time before FUNCTIONS)─> DO TTYPE ──WILL──> SB TTYPE SEND ──IS name──┐
//!     │                                      │ WONT / silence ⇒ NVT                    │
//!     │                       3270 name: DO EOR, WILL EOR, DO BINARY, WILL BINARY ─────┤
//!     │                           all four agreed ⇒ TN3270;  other name ⇒ NVT <────────┘
//!     └─data typed, or silence for `nvt_wait` ⇒ NVT (a raw `nc` or a dumb client)
//! ```
//! A negotiation that started but stops half-way fails after `timeout`.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::framing::{negotiate, subnegotiation};
use super::parser::{TelnetEvent, Verb};
use super::{TTYPE_IS, TTYPE_SEND, TelnetError, opt, tn3270e};
use crate::ds::TerminalType;

/// Knobs of the server negotiation.
#[derive(Debug, Clone)]
pub struct NegotiationConfig {
    /// Offer TN3270E first (else start with TERMINAL-TYPE).
    pub offer_tn3270e: bool,
    /// Silence this long after an offer means a client that negotiates nothing: NVT.
    pub nvt_wait: Duration,
    /// A negotiation that started must finish within this.
    pub timeout: Duration,
}

impl Default for NegotiationConfig {
    fn default() -> Self {
        NegotiationConfig {
            offer_tn3270e: true,
            nvt_wait: Duration::from_millis(1500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The outcome: what kind of terminal is on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negotiated {
    /// TN3270E with a device type and the device name we assigned.
    Tn3270e {
        /// The device type requested.
        terminal: TerminalType,
        /// The CONNECT name (LU).
        device_name: String,
    },
    /// Plain TN3270 (TERMINAL-TYPE, EOR, BINARY).
    Tn3270 {
        /// The terminal type sent.
        terminal: TerminalType,
    },
    /// A plain telnet client: a typewriter console.
    Nvt {
        /// The terminal type, if the client sent one.
        terminal_type: Option<String>,
        /// Data the user typed during the negotiation.
        typed: Bytes,
    },
}

/// What the negotiation needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Keep feeding events.
    Continue,
    /// Finished.
    Done(Negotiated),
    /// Give up and drop the connection.
    Failed(TelnetError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    AwaitTn3270e,
    AwaitDeviceType,
    AwaitFunctions { terminal: TerminalType, device_name: String },
    AwaitTtypeWill,
    AwaitTtypeIs,
    Await3270 { terminal: TerminalType, agreed: u8 },
}

const CLIENT_WILL_EOR: u8 = 1;
const CLIENT_DO_EOR: u8 = 2;
const CLIENT_WILL_BINARY: u8 = 4;
const CLIENT_DO_BINARY: u8 = 8;

/// Assigns a device name: `Some(name)` when the client asked for one (CONNECT). An
/// `Err` carries a TN3270E reason code (device in use, invalid name).
pub type NameAssigner<'a> = dyn FnMut(Option<&str>) -> Result<String, u8> + 'a;

/// The server negotiation state machine (pure: bytes out go to `out`).
#[derive(Debug)]
pub struct ServerNegotiator {
    state: State,
    config: NegotiationConfig,
    started: Instant,
    state_since: Instant,
    terminal_type: Option<String>,
}

impl ServerNegotiator {
    /// Starts a negotiation; the returned bytes must be sent first.
    pub fn start(config: NegotiationConfig, now: Instant) -> (ServerNegotiator, Vec<u8>) {
        let (state, first) = if config.offer_tn3270e {
            (State::AwaitTn3270e, negotiate(Verb::Do, opt::TN3270E))
        } else {
            (State::AwaitTtypeWill, negotiate(Verb::Do, opt::TTYPE))
        };
        let n =
            ServerNegotiator { state, config, started: now, state_since: now, terminal_type: None };
        (n, first.to_vec())
    }

    /// When [`ServerNegotiator::on_time`] must next be called.
    pub fn deadline(&self) -> Instant {
        let overall = self.started + self.config.timeout;
        if self.silence_means_nvt() {
            overall.min(self.state_since + self.config.nvt_wait)
        } else {
            overall
        }
    }

    fn silence_means_nvt(&self) -> bool {
        matches!(self.state, State::AwaitTn3270e | State::AwaitTtypeWill)
    }

    /// Advances on the clock: silence gives NVT, a stalled negotiation fails.
    pub fn on_time(&mut self, now: Instant) -> Step {
        if now < self.deadline() {
            return Step::Continue;
        }
        if self.silence_means_nvt() {
            self.nvt(Bytes::new())
        } else {
            Step::Failed(TelnetError::Timeout)
        }
    }

    fn nvt(&self, typed: Bytes) -> Step {
        Step::Done(Negotiated::Nvt { terminal_type: self.terminal_type.clone(), typed })
    }

    fn enter(&mut self, state: State) {
        self.state = state;
        self.state_since = Instant::now();
    }

    fn fall_back_to_ttype(&mut self, out: &mut Vec<u8>) -> Step {
        out.extend_from_slice(&negotiate(Verb::Do, opt::TTYPE));
        self.enter(State::AwaitTtypeWill);
        Step::Continue
    }

    /// Handles one event from the client.
    pub fn on_event(
        &mut self,
        ev: &TelnetEvent,
        names: &mut NameAssigner<'_>,
        out: &mut Vec<u8>,
    ) -> Step {
        match ev {
            TelnetEvent::Data(d) => {
                if self.silence_means_nvt() {
                    return self.nvt(d.clone());
                }
                Step::Continue
            }
            TelnetEvent::Command(_) => Step::Continue,
            TelnetEvent::Negotiate(verb, option) => self.negotiation(*verb, *option, out),
            TelnetEvent::Sub(option, body) => self.subnegotiation(*option, body, names, out),
        }
    }

    fn negotiation(&mut self, verb: Verb, option: u8, out: &mut Vec<u8>) -> Step {
        match (&mut self.state, verb, option) {
            (State::AwaitTn3270e, Verb::Will, opt::TN3270E) => {
                out.extend_from_slice(&subnegotiation(
                    opt::TN3270E,
                    &[tn3270e::SEND, tn3270e::DEVICE_TYPE],
                ));
                self.enter(State::AwaitDeviceType);
                Step::Continue
            }
            (
                State::AwaitTn3270e | State::AwaitDeviceType | State::AwaitFunctions { .. },
                Verb::Wont,
                opt::TN3270E,
            ) => self.fall_back_to_ttype(out),
            (State::AwaitTtypeWill, Verb::Will, opt::TTYPE) => {
                out.extend_from_slice(&subnegotiation(opt::TTYPE, &[TTYPE_SEND]));
                self.enter(State::AwaitTtypeIs);
                Step::Continue
            }
            (State::AwaitTtypeWill | State::AwaitTtypeIs, Verb::Wont, opt::TTYPE) => {
                self.nvt(Bytes::new())
            }
            (State::Await3270 { terminal, agreed }, v, opt::EOR | opt::BINARY) => {
                let bit = match (v, option) {
                    (Verb::Will, opt::EOR) => CLIENT_WILL_EOR,
                    (Verb::Do, opt::EOR) => CLIENT_DO_EOR,
                    (Verb::Will, opt::BINARY) => CLIENT_WILL_BINARY,
                    (Verb::Do, opt::BINARY) => CLIENT_DO_BINARY,
                    _ => {
                        // A self-declared 3270 that refuses EOR or BINARY: treat as NVT.
                        return self.nvt(Bytes::new());
                    }
                };
                *agreed |= bit;
                if *agreed == 0x0F {
                    return Step::Done(Negotiated::Tn3270 { terminal: terminal.clone() });
                }
                Step::Continue
            }
            (_, Verb::Will, o)
                if !matches!(o, opt::TN3270E | opt::TTYPE | opt::EOR | opt::BINARY) =>
            {
                out.extend_from_slice(&negotiate(Verb::Dont, o));
                Step::Continue
            }
            (_, Verb::Do, o) if !matches!(o, opt::EOR | opt::BINARY) => {
                out.extend_from_slice(&negotiate(Verb::Wont, o));
                Step::Continue
            }
            _ => Step::Continue,
        }
    }

    fn subnegotiation(
        &mut self,
        option: u8,
        body: &[u8],
        names: &mut NameAssigner<'_>,
        out: &mut Vec<u8>,
    ) -> Step {
        match (&self.state, option) {
            (State::AwaitTtypeIs, opt::TTYPE) if body.first() == Some(&TTYPE_IS) => {
                let name = String::from_utf8_lossy(&body[1..]).trim().to_string();
                let terminal = TerminalType::parse(&name);
                self.terminal_type = Some(name);
                if !terminal.is_3270 {
                    return self.nvt(Bytes::new());
                }
                for (verb, o) in [
                    (Verb::Do, opt::EOR),
                    (Verb::Will, opt::EOR),
                    (Verb::Do, opt::BINARY),
                    (Verb::Will, opt::BINARY),
                ] {
                    out.extend_from_slice(&negotiate(verb, o));
                }
                self.enter(State::Await3270 { terminal, agreed: 0 });
                Step::Continue
            }
            (State::AwaitDeviceType, opt::TN3270E)
                if body.starts_with(&[tn3270e::DEVICE_TYPE, tn3270e::REQUEST]) =>
            {
                self.device_type_request(&body[2..], names, out)
            }
            (State::AwaitFunctions { terminal, device_name }, opt::TN3270E)
                if body.starts_with(&[tn3270e::FUNCTIONS, tn3270e::REQUEST]) =>
            {
                // Agree to none of the functions: plain 3270-DATA records (RFC 2355 §7.2).
                let done = Negotiated::Tn3270e {
                    terminal: terminal.clone(),
                    device_name: device_name.clone(),
                };
                out.extend_from_slice(&subnegotiation(
                    opt::TN3270E,
                    &[tn3270e::FUNCTIONS, tn3270e::IS],
                ));
                Step::Done(done)
            }
            _ => Step::Continue,
        }
    }

    fn device_type_request(
        &mut self,
        rest: &[u8],
        names: &mut NameAssigner<'_>,
        out: &mut Vec<u8>,
    ) -> Step {
        let end = rest.iter().position(|&b| b == tn3270e::CONNECT || b == tn3270e::ASSOCIATE);
        let (type_bytes, tail) = match end {
            Some(p) => (&rest[..p], Some((rest[p], &rest[p + 1..]))),
            None => (rest, None),
        };
        let type_name = String::from_utf8_lossy(type_bytes).trim().to_string();
        let terminal = TerminalType::parse(&type_name);
        let reject = |reason: u8, out: &mut Vec<u8>| {
            out.extend_from_slice(&subnegotiation(
                opt::TN3270E,
                &[tn3270e::DEVICE_TYPE, tn3270e::REJECT, tn3270e::REASON, reason],
            ));
            Step::Continue
        };
        if !terminal.is_3270 {
            return reject(tn3270e::INV_DEVICE_TYPE, out);
        }
        let requested = match tail {
            Some((tn3270e::ASSOCIATE, _)) => return reject(tn3270e::INV_ASSOCIATE, out),
            Some((_, name)) => Some(String::from_utf8_lossy(name).trim().to_string()),
            None => None,
        };
        let device_name = match names(requested.as_deref()) {
            Ok(n) => n,
            Err(reason) => return reject(reason, out),
        };
        let mut body = vec![tn3270e::DEVICE_TYPE, tn3270e::IS];
        body.extend_from_slice(terminal.name.as_bytes());
        body.push(tn3270e::CONNECT);
        body.extend_from_slice(device_name.as_bytes());
        out.extend_from_slice(&subnegotiation(opt::TN3270E, &body));
        self.terminal_type = Some(terminal.name.clone());
        self.enter(State::AwaitFunctions { terminal, device_name });
        Step::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::super::parser::Parser;
    use super::*;

    fn run(n: &mut ServerNegotiator, input: &[u8], out: &mut Vec<u8>) -> Step {
        let mut p = Parser::default();
        let mut ev = Vec::new();
        p.feed(input, &mut ev).expect("small");
        let mut names = |req: Option<&str>| match req {
            Some("BUSY") => Err(tn3270e::DEVICE_IN_USE),
            Some(n) => Ok(n.to_string()),
            None => Ok("TERM0001".to_string()),
        };
        let mut last = Step::Continue;
        for e in &ev {
            last = n.on_event(e, &mut names, out);
            if last != Step::Continue {
                break;
            }
        }
        last
    }

    #[test]
    fn tn3270e_exchange_as_observed_with_s3270() {
        let now = Instant::now();
        let (mut n, first) = ServerNegotiator::start(NegotiationConfig::default(), now);
        assert_eq!(first, [0xFF, 0xFD, 0x28]);
        let mut out = Vec::new();
        assert_eq!(run(&mut n, &[0xFF, 0xFB, 0x28], &mut out), Step::Continue);
        assert_eq!(out, [0xFF, 0xFA, 0x28, 0x08, 0x02, 0xFF, 0xF0]);
        out.clear();
        let mut req = vec![0xFF, 0xFA, 0x28, 0x02, 0x07];
        req.extend_from_slice(b"IBM-3278-2-E");
        req.extend_from_slice(&[0xFF, 0xF0]);
        assert_eq!(run(&mut n, &req, &mut out), Step::Continue);
        let mut is = vec![0xFF, 0xFA, 0x28, 0x02, 0x04];
        is.extend_from_slice(b"IBM-3278-2-E\x01TERM0001");
        is.extend_from_slice(&[0xFF, 0xF0]);
        assert_eq!(out, is);
        out.clear();
        let step =
            run(&mut n, &[0xFF, 0xFA, 0x28, 0x03, 0x07, 0x00, 0x02, 0x04, 0xFF, 0xF0], &mut out);
        assert_eq!(out, [0xFF, 0xFA, 0x28, 0x03, 0x04, 0xFF, 0xF0]);
        match step {
            Step::Done(Negotiated::Tn3270e { terminal, device_name }) => {
                assert_eq!(device_name, "TERM0001");
                assert_eq!(terminal.model, Some(crate::ds::Model::M2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refused_tn3270e_falls_back_to_tn3270() {
        let (mut n, _) = ServerNegotiator::start(NegotiationConfig::default(), Instant::now());
        let mut out = Vec::new();
        run(&mut n, &[0xFF, 0xFC, 0x28], &mut out);
        assert_eq!(out, [0xFF, 0xFD, 0x18]);
        out.clear();
        run(&mut n, &[0xFF, 0xFB, 0x18], &mut out);
        assert_eq!(out, [0xFF, 0xFA, 0x18, 0x01, 0xFF, 0xF0]);
        out.clear();
        let mut is = vec![0xFF, 0xFA, 0x18, 0x00];
        is.extend_from_slice(b"IBM-3279-4-E");
        is.extend_from_slice(&[0xFF, 0xF0]);
        run(&mut n, &is, &mut out);
        assert_eq!(out, [0xFF, 0xFD, 0x19, 0xFF, 0xFB, 0x19, 0xFF, 0xFD, 0x00, 0xFF, 0xFB, 0x00]);
        let step = run(
            &mut n,
            &[0xFF, 0xFB, 0x19, 0xFF, 0xFD, 0x19, 0xFF, 0xFB, 0x00, 0xFF, 0xFD, 0x00],
            &mut Vec::new(),
        );
        match step {
            Step::Done(Negotiated::Tn3270 { terminal }) => {
                assert!(terminal.color);
                assert_eq!(terminal.model, Some(crate::ds::Model::M4));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_device_type_and_busy_name_are_rejected() {
        let (mut n, _) = ServerNegotiator::start(NegotiationConfig::default(), Instant::now());
        let mut out = Vec::new();
        run(&mut n, &[0xFF, 0xFB, 0x28], &mut out);
        out.clear();
        let mut req = vec![0xFF, 0xFA, 0x28, 0x02, 0x07];
        req.extend_from_slice(b"IBM-3287-1");
        req.extend_from_slice(&[0xFF, 0xF0]);
        run(&mut n, &req, &mut out);
        assert_eq!(out, [0xFF, 0xFA, 0x28, 0x02, 0x06, 0x05, 0x04, 0xFF, 0xF0]);
        out.clear();
        let mut req = vec![0xFF, 0xFA, 0x28, 0x02, 0x07];
        req.extend_from_slice(b"IBM-3278-2-E\x01BUSY");
        req.extend_from_slice(&[0xFF, 0xF0]);
        run(&mut n, &req, &mut out);
        assert_eq!(out, [0xFF, 0xFA, 0x28, 0x02, 0x06, 0x05, 0x01, 0xFF, 0xF0]);
    }

    #[test]
    fn silence_gives_nvt_and_a_stalled_negotiation_fails() {
        let t0 = Instant::now();
        let cfg = NegotiationConfig::default();
        let (mut n, _) = ServerNegotiator::start(cfg.clone(), t0);
        assert_eq!(n.on_time(t0), Step::Continue);
        assert!(matches!(n.on_time(t0 + cfg.nvt_wait), Step::Done(Negotiated::Nvt { .. })));

        let (mut n, _) = ServerNegotiator::start(cfg.clone(), t0);
        run(&mut n, &[0xFF, 0xFB, 0x28], &mut Vec::new());
        assert_eq!(n.on_time(t0 + cfg.nvt_wait), Step::Continue);
        assert_eq!(n.on_time(t0 + cfg.timeout), Step::Failed(TelnetError::Timeout));
    }

    #[test]
    fn typing_or_a_plain_telnet_gives_nvt() {
        let (mut n, _) = ServerNegotiator::start(NegotiationConfig::default(), Instant::now());
        match run(&mut n, b"logon maint\r\n", &mut Vec::new()) {
            Step::Done(Negotiated::Nvt { typed, .. }) => assert_eq!(&typed[..], b"logon maint\r\n"),
            other => panic!("{other:?}"),
        }
        let (mut n, _) = ServerNegotiator::start(NegotiationConfig::default(), Instant::now());
        let mut out = Vec::new();
        run(&mut n, &[0xFF, 0xFC, 0x28, 0xFF, 0xFB, 0x18], &mut out);
        let mut is = vec![0xFF, 0xFA, 0x18, 0x00];
        is.extend_from_slice(b"XTERM-256COLOR");
        is.extend_from_slice(&[0xFF, 0xF0]);
        match run(&mut n, &is, &mut out) {
            Step::Done(Negotiated::Nvt { terminal_type, .. }) => {
                assert_eq!(terminal_type.as_deref(), Some("XTERM-256COLOR"))
            }
            other => panic!("{other:?}"),
        }
    }
}
