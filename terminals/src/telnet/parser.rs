//! The byte-level telnet parser: data, commands, option negotiation, subnegotiation.
//!
//! ```text
//!            IAC           WILL/WONT/DO/DONT        option
//!   Data ---------> Iac ----------------------> Verb -------> Data  (Negotiate)
//!     ^              | IAC (escaped FF) -> Data      
//!     |              | SB -> Sb --option--> SbData --IAC--> SbIac --SE--> Data (Sub)
//!     |              | other -> Data (Command)              | IAC -> SbData (FF)
//! ```
//! Data comes out in chunks as it arrives; records are assembled above this layer
//! ([`super::RecordAssembler`]). A subnegotiation longer than the cap is an error.

use bytes::{Bytes, BytesMut};

use super::{DO, DONT, IAC, SB, SE, TelnetError, WILL, WONT};

/// A negotiation verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// WILL.
    Will,
    /// WON'T.
    Wont,
    /// DO.
    Do,
    /// DON'T.
    Dont,
}

impl Verb {
    /// The command byte.
    pub fn byte(self) -> u8 {
        match self {
            Verb::Will => WILL,
            Verb::Wont => WONT,
            Verb::Do => DO,
            Verb::Dont => DONT,
        }
    }
}

/// Something the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelnetEvent {
    /// Data bytes (IAC IAC already undoubled).
    Data(Bytes),
    /// A two-byte command: EOR, NOP, BREAK, IP, AO, AYT, EC, EL, GA, DM, ...
    Command(u8),
    /// WILL/WONT/DO/DONT option.
    Negotiate(Verb, u8),
    /// A subnegotiation: option and body (undoubled).
    Sub(u8, Bytes),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    Iac,
    Verb(Verb),
    Sb,
    SbData(u8),
    SbIac(u8),
}

/// The parser. Feed it bytes; it never panics and holds at most `max_sub` bytes.
#[derive(Debug)]
pub struct Parser {
    state: State,
    sub: BytesMut,
    max_sub: usize,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(1024)
    }
}

impl Parser {
    /// A parser whose subnegotiations may hold up to `max_sub` bytes.
    pub fn new(max_sub: usize) -> Parser {
        Parser { state: State::Data, sub: BytesMut::new(), max_sub }
    }

    /// Parses `input`, appending events to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<TelnetEvent>) -> Result<(), TelnetError> {
        let mut data = BytesMut::new();
        let flush = |data: &mut BytesMut, out: &mut Vec<TelnetEvent>| {
            if !data.is_empty() {
                out.push(TelnetEvent::Data(data.split().freeze()));
            }
        };
        for &b in input {
            self.state = match self.state {
                State::Data => {
                    if b == IAC {
                        State::Iac
                    } else {
                        data.extend_from_slice(&[b]);
                        State::Data
                    }
                }
                State::Iac => match b {
                    IAC => {
                        data.extend_from_slice(&[IAC]);
                        State::Data
                    }
                    WILL => State::Verb(Verb::Will),
                    WONT => State::Verb(Verb::Wont),
                    DO => State::Verb(Verb::Do),
                    DONT => State::Verb(Verb::Dont),
                    SB => State::Sb,
                    cmd => {
                        flush(&mut data, out);
                        out.push(TelnetEvent::Command(cmd));
                        State::Data
                    }
                },
                State::Verb(v) => {
                    flush(&mut data, out);
                    out.push(TelnetEvent::Negotiate(v, b));
                    State::Data
                }
                State::Sb => {
                    self.sub.clear();
                    State::SbData(b)
                }
                State::SbData(o) => {
                    if b == IAC {
                        State::SbIac(o)
                    } else {
                        self.push_sub(b)?;
                        State::SbData(o)
                    }
                }
                State::SbIac(o) => match b {
                    IAC => {
                        self.push_sub(IAC)?;
                        State::SbData(o)
                    }
                    SE => {
                        flush(&mut data, out);
                        out.push(TelnetEvent::Sub(o, self.sub.split().freeze()));
                        State::Data
                    }
                    cmd => {
                        // IAC <cmd> inside a subnegotiation: end it there, take the command.
                        flush(&mut data, out);
                        out.push(TelnetEvent::Sub(o, self.sub.split().freeze()));
                        out.push(TelnetEvent::Command(cmd));
                        State::Data
                    }
                },
            };
        }
        flush(&mut data, out);
        Ok(())
    }

    fn push_sub(&mut self, b: u8) -> Result<(), TelnetError> {
        if self.sub.len() >= self.max_sub {
            return Err(TelnetError::SubnegotiationTooLong(self.max_sub));
        }
        self.sub.extend_from_slice(&[b]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EOR, opt};
    use super::*;

    fn parse(chunks: &[&[u8]]) -> Vec<TelnetEvent> {
        let mut p = Parser::default();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(c, &mut out).expect("within caps");
        }
        out
    }

    #[test]
    fn negotiation_and_subnegotiation_across_chunks() {
        let ev = parse(&[&[0xFF, 0xFB], &[0x18, 0xFF, 0xFA, 0x18, 0x00, b'I', 0xFF], &[0xF0]]);
        assert_eq!(
            ev,
            vec![
                TelnetEvent::Negotiate(Verb::Will, opt::TTYPE),
                TelnetEvent::Sub(opt::TTYPE, Bytes::from_static(&[0x00, b'I'])),
            ]
        );
    }

    #[test]
    fn data_iac_doubling_and_eor() {
        let ev = parse(&[&[0x7D, 0xFF, 0xFF, 0x40, 0xFF, EOR]]);
        assert_eq!(
            ev,
            vec![
                TelnetEvent::Data(Bytes::from_static(&[0x7D, 0xFF, 0x40])),
                TelnetEvent::Command(EOR)
            ]
        );
    }

    #[test]
    fn overlong_subnegotiation_is_an_error() {
        let mut p = Parser::new(16);
        let mut out = Vec::new();
        let mut junk = vec![0xFF, 0xFA, 0x18];
        junk.extend(std::iter::repeat_n(0x41, 100));
        assert_eq!(p.feed(&junk, &mut out), Err(TelnetError::SubnegotiationTooLong(16)));
    }
}
