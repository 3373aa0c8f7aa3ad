//! Telnet for 3270s and typewriters: the byte-level parser, record framing, and the
//! server- and client-side negotiations (TN3270E per RFC 2355, TN3270 per RFC 1576, plain
//! NVT per RFC 854).
//!
//! Facts and the observed s3270 exchanges: `../shared/reference/tn3270.md` §1.1-1.2.

pub mod client;
pub mod framing;
pub mod negotiate;
pub mod parser;

pub use client::{ClientMode, ClientNegotiator};
pub use framing::{RecordAssembler, Tn3270eHeader};
pub use negotiate::{Negotiated, NegotiationConfig, ServerNegotiator, Step};
pub use parser::{Parser, TelnetEvent, Verb};

/// Interpret As Command.
pub const IAC: u8 = 0xFF;
/// DON'T.
pub const DONT: u8 = 0xFE;
/// DO.
pub const DO: u8 = 0xFD;
/// WON'T.
pub const WONT: u8 = 0xFC;
/// WILL.
pub const WILL: u8 = 0xFB;
/// Subnegotiation begin.
pub const SB: u8 = 0xFA;
/// Go ahead.
pub const GA: u8 = 0xF9;
/// Erase line.
pub const EL: u8 = 0xF8;
/// Erase character.
pub const EC: u8 = 0xF7;
/// Are you there.
pub const AYT: u8 = 0xF6;
/// Abort output.
pub const AO: u8 = 0xF5;
/// Interrupt process.
pub const IP: u8 = 0xF4;
/// Break.
pub const BREAK: u8 = 0xF3;
/// Data mark.
pub const DM: u8 = 0xF2;
/// No operation.
pub const NOP: u8 = 0xF1;
/// Subnegotiation end.
pub const SE: u8 = 0xF0;
/// End of record (RFC 885).
pub const EOR: u8 = 0xEF;

/// Telnet options used here.
pub mod opt {
    /// Binary transmission.
    pub const BINARY: u8 = 0x00;
    /// Echo.
    pub const ECHO: u8 = 0x01;
    /// Suppress go-ahead.
    pub const SGA: u8 = 0x03;
    /// Terminal type.
    pub const TTYPE: u8 = 0x18;
    /// End of record.
    pub const EOR: u8 = 0x19;
    /// TN3270E.
    pub const TN3270E: u8 = 0x28;
}

/// TN3270E subnegotiation codes (RFC 2355 §8).
pub mod tn3270e {
    /// ASSOCIATE.
    pub const ASSOCIATE: u8 = 0x00;
    /// CONNECT.
    pub const CONNECT: u8 = 0x01;
    /// DEVICE-TYPE.
    pub const DEVICE_TYPE: u8 = 0x02;
    /// FUNCTIONS.
    pub const FUNCTIONS: u8 = 0x03;
    /// IS.
    pub const IS: u8 = 0x04;
    /// REASON.
    pub const REASON: u8 = 0x05;
    /// REJECT.
    pub const REJECT: u8 = 0x06;
    /// REQUEST.
    pub const REQUEST: u8 = 0x07;
    /// SEND.
    pub const SEND: u8 = 0x08;
    /// Reason: device in use.
    pub const DEVICE_IN_USE: u8 = 0x01;
    /// Reason: invalid ASSOCIATE.
    pub const INV_ASSOCIATE: u8 = 0x02;
    /// Reason: invalid device name.
    pub const INV_NAME: u8 = 0x03;
    /// Reason: invalid device type.
    pub const INV_DEVICE_TYPE: u8 = 0x04;
    /// DATA-TYPE 3270-DATA.
    pub const DT_3270_DATA: u8 = 0x00;
    /// DATA-TYPE NVT-DATA.
    pub const DT_NVT_DATA: u8 = 0x05;
}

/// TTYPE subnegotiation: IS.
pub const TTYPE_IS: u8 = 0x00;
/// TTYPE subnegotiation: SEND.
pub const TTYPE_SEND: u8 = 0x01;

/// Errors of the telnet layer. A connection that produces one is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelnetError {
    /// A record grew past the cap before its IAC EOR.
    #[error("record longer than {0} bytes")]
    RecordTooLong(usize),
    /// A subnegotiation grew past the cap before its IAC SE.
    #[error("subnegotiation longer than {0} bytes")]
    SubnegotiationTooLong(usize),
    /// The negotiation did not finish in time.
    #[error("telnet negotiation timed out")]
    Timeout,
    /// The peer refused what the mode needs.
    #[error("telnet negotiation failed: {0}")]
    Refused(&'static str),
}
