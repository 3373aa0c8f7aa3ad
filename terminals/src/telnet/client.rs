//! The client side of the negotiation, for our own terminal UI, tests and benchmarks.
//!
//! It answers whatever the server asks: TN3270E (DEVICE-TYPE REQUEST with our terminal
//! type, FUNCTIONS REQUEST with no functions) when enabled, else WONT TN3270E and plain
//! TN3270 (TERMINAL-TYPE, EOR, BINARY). Options it does not know are refused.

use super::framing::{negotiate, subnegotiation};
use super::parser::{TelnetEvent, Verb};
use super::{TTYPE_IS, TTYPE_SEND, opt, tn3270e};

/// Where the client's negotiation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMode {
    /// Still negotiating (or talking NVT).
    Negotiating,
    /// TN3270E agreed: records carry a 5-byte header.
    Tn3270e {
        /// The device name (LU) the server assigned.
        device_name: String,
    },
    /// Plain TN3270 agreed.
    Tn3270,
}

/// The client negotiation state machine.
#[derive(Debug)]
pub struct ClientNegotiator {
    terminal_type: String,
    tn3270e: bool,
    mode: ClientMode,
    device_name: Option<String>,
    agreed: u8,
}

impl ClientNegotiator {
    /// A client announcing `terminal_type` (e.g. `IBM-3278-2-E`), accepting TN3270E when
    /// `tn3270e` is true.
    pub fn new(terminal_type: &str, tn3270e: bool) -> ClientNegotiator {
        ClientNegotiator {
            terminal_type: terminal_type.to_string(),
            tn3270e,
            mode: ClientMode::Negotiating,
            device_name: None,
            agreed: 0,
        }
    }

    /// The current mode.
    pub fn mode(&self) -> &ClientMode {
        &self.mode
    }

    /// Handles one event; replies go to `out`.
    pub fn on_event(&mut self, ev: &TelnetEvent, out: &mut Vec<u8>) {
        match ev {
            TelnetEvent::Negotiate(verb, option) => self.negotiation(*verb, *option, out),
            TelnetEvent::Sub(option, body) => self.subnegotiation(*option, body, out),
            _ => {}
        }
    }

    fn negotiation(&mut self, verb: Verb, option: u8, out: &mut Vec<u8>) {
        let reply = match (verb, option) {
            (Verb::Do, opt::TN3270E) if self.tn3270e => Some(Verb::Will),
            (Verb::Do, opt::TTYPE) => Some(Verb::Will),
            (Verb::Do, opt::EOR) => {
                self.agreed |= 1;
                Some(Verb::Will)
            }
            (Verb::Will, opt::EOR) => {
                self.agreed |= 2;
                Some(Verb::Do)
            }
            (Verb::Do, opt::BINARY) => {
                self.agreed |= 4;
                Some(Verb::Will)
            }
            (Verb::Will, opt::BINARY) => {
                self.agreed |= 8;
                Some(Verb::Do)
            }
            (Verb::Do, _) => Some(Verb::Wont),
            (Verb::Will, _) => Some(Verb::Dont),
            _ => None,
        };
        if let Some(v) = reply {
            out.extend_from_slice(&negotiate(v, option));
        }
        if self.agreed == 0x0F && self.mode == ClientMode::Negotiating {
            self.mode = ClientMode::Tn3270;
        }
    }

    fn subnegotiation(&mut self, option: u8, body: &[u8], out: &mut Vec<u8>) {
        match option {
            opt::TTYPE if body.first() == Some(&TTYPE_SEND) => {
                let mut b = vec![TTYPE_IS];
                b.extend_from_slice(self.terminal_type.as_bytes());
                out.extend_from_slice(&subnegotiation(opt::TTYPE, &b));
            }
            opt::TN3270E => match body {
                [tn3270e::SEND, tn3270e::DEVICE_TYPE, ..] => {
                    let mut b = vec![tn3270e::DEVICE_TYPE, tn3270e::REQUEST];
                    b.extend_from_slice(self.terminal_type.as_bytes());
                    out.extend_from_slice(&subnegotiation(opt::TN3270E, &b));
                }
                [tn3270e::DEVICE_TYPE, tn3270e::IS, rest @ ..] => {
                    let name = rest
                        .iter()
                        .position(|&b| b == tn3270e::CONNECT)
                        .map(|p| String::from_utf8_lossy(&rest[p + 1..]).to_string());
                    self.device_name = name;
                    out.extend_from_slice(&subnegotiation(
                        opt::TN3270E,
                        &[tn3270e::FUNCTIONS, tn3270e::REQUEST],
                    ));
                }
                [tn3270e::DEVICE_TYPE, tn3270e::REJECT, ..] => {
                    out.extend_from_slice(&negotiate(Verb::Wont, opt::TN3270E));
                }
                [tn3270e::FUNCTIONS, tn3270e::IS, ..] => {
                    self.mode = ClientMode::Tn3270e {
                        device_name: self.device_name.clone().unwrap_or_default(),
                    };
                }
                [tn3270e::FUNCTIONS, tn3270e::REQUEST, functions @ ..] => {
                    let mut b = vec![tn3270e::FUNCTIONS, tn3270e::IS];
                    b.extend_from_slice(functions);
                    out.extend_from_slice(&subnegotiation(opt::TN3270E, &b));
                    self.mode = ClientMode::Tn3270e {
                        device_name: self.device_name.clone().unwrap_or_default(),
                    };
                }
                _ => {}
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::super::negotiate::{Negotiated, NegotiationConfig, ServerNegotiator, Step};
    use super::super::parser::Parser;
    use super::*;

    /// Runs our client against our server negotiator, in memory.
    fn converse(tn3270e: bool) -> (Negotiated, ClientMode) {
        let (mut server, mut to_client) =
            ServerNegotiator::start(NegotiationConfig::default(), Instant::now());
        let mut client = ClientNegotiator::new("IBM-3278-2-E", tn3270e);
        let (mut sp, mut cp) = (Parser::default(), Parser::default());
        let mut names = |_: Option<&str>| Ok::<_, u8>("TERM0007".to_string());
        for _ in 0..20 {
            let mut ev = Vec::new();
            cp.feed(&to_client, &mut ev).expect("small");
            let mut to_server = Vec::new();
            for e in &ev {
                client.on_event(e, &mut to_server);
            }
            let mut ev = Vec::new();
            sp.feed(&to_server, &mut ev).expect("small");
            to_client = Vec::new();
            for e in &ev {
                if let Step::Done(n) = server.on_event(e, &mut names, &mut to_client) {
                    // Deliver the server's last words to the client.
                    let mut ev = Vec::new();
                    cp.feed(&to_client, &mut ev).expect("small");
                    for e in &ev {
                        client.on_event(e, &mut Vec::new());
                    }
                    return (n, client.mode().clone());
                }
            }
        }
        panic!("negotiation did not finish");
    }

    #[test]
    fn our_client_and_server_agree_on_tn3270e() {
        let (n, mode) = converse(true);
        assert!(matches!(n, Negotiated::Tn3270e { .. }));
        assert_eq!(mode, ClientMode::Tn3270e { device_name: "TERM0007".into() });
    }

    #[test]
    fn our_client_and_server_agree_on_tn3270() {
        let (n, mode) = converse(false);
        assert!(matches!(n, Negotiated::Tn3270 { .. }));
        assert_eq!(mode, ClientMode::Tn3270);
    }
}
