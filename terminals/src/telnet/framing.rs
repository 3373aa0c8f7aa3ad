//! Framing: IAC doubling, EOR-terminated records, the TN3270E header, and the bounded
//! assembler that turns inbound data into records.

use bytes::{BufMut, Bytes, BytesMut};

use super::{EOR, IAC, SB, SE, TelnetError, Verb};

/// Appends `data` to `out` with every X'FF' doubled.
pub fn escape_into(data: &[u8], out: &mut BytesMut) {
    out.reserve(data.len() + 8);
    let mut rest = data;
    while let Some(p) = rest.iter().position(|&b| b == IAC) {
        out.put_slice(&rest[..=p]);
        out.put_u8(IAC);
        rest = &rest[p + 1..];
    }
    out.put_slice(rest);
}

/// A record on the wire: `data` escaped, then IAC EOR.
pub fn record(data: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(data.len() + 2);
    escape_into(data, &mut out);
    out.put_slice(&[IAC, EOR]);
    out.freeze()
}

/// A negotiation command: IAC verb option.
pub fn negotiate(verb: Verb, option: u8) -> [u8; 3] {
    [IAC, verb.byte(), option]
}

/// A subnegotiation: IAC SB option body IAC SE (body escaped).
pub fn subnegotiation(option: u8, body: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::with_capacity(body.len() + 6);
    out.put_slice(&[IAC, SB, option]);
    escape_into(body, &mut out);
    out.put_slice(&[IAC, SE]);
    out.to_vec()
}

/// The 5-byte header in front of every TN3270E record (RFC 2355 §8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tn3270eHeader {
    /// DATA-TYPE (X'00' 3270-DATA, X'05' NVT-DATA, ...).
    pub data_type: u8,
    /// REQUEST-FLAG.
    pub request_flag: u8,
    /// RESPONSE-FLAG.
    pub response_flag: u8,
    /// SEQ-NUMBER.
    pub seq: u16,
}

impl Tn3270eHeader {
    /// Splits a header off a record; `None` if the record is shorter than five bytes.
    pub fn split(record: &[u8]) -> Option<(Tn3270eHeader, &[u8])> {
        if record.len() < 5 {
            return None;
        }
        let h = Tn3270eHeader {
            data_type: record[0],
            request_flag: record[1],
            response_flag: record[2],
            seq: u16::from_be_bytes([record[3], record[4]]),
        };
        Some((h, &record[5..]))
    }

    /// The five header bytes.
    pub fn bytes(self) -> [u8; 5] {
        let [s1, s2] = self.seq.to_be_bytes();
        [self.data_type, self.request_flag, self.response_flag, s1, s2]
    }
}

/// A TN3270E record on the wire: header + data, escaped, then IAC EOR.
pub fn tn3270e_record(header: Tn3270eHeader, data: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(data.len() + 8);
    escape_into(&header.bytes(), &mut out);
    escape_into(data, &mut out);
    out.put_slice(&[IAC, EOR]);
    out.freeze()
}

/// Collects data until IAC EOR, refusing records longer than its cap.
#[derive(Debug)]
pub struct RecordAssembler {
    buf: BytesMut,
    max: usize,
}

impl RecordAssembler {
    /// An assembler for records of at most `max` bytes.
    pub fn new(max: usize) -> RecordAssembler {
        RecordAssembler { buf: BytesMut::new(), max }
    }

    /// Adds data; an error once the record passes the cap.
    pub fn push(&mut self, data: &[u8]) -> Result<(), TelnetError> {
        if self.buf.len() + data.len() > self.max {
            self.buf = BytesMut::new();
            return Err(TelnetError::RecordTooLong(self.max));
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// The record so far, leaving the assembler empty (call at IAC EOR).
    pub fn take(&mut self) -> Bytes {
        self.buf.split().freeze()
    }

    /// Bytes held.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Nothing held.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::parser::{Parser, TelnetEvent};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tn3270e_record_doubles_ff_in_the_header_too() {
        let h = Tn3270eHeader { seq: 0x00FF, ..Default::default() };
        let r = tn3270e_record(h, &[0xF5, 0xFF]);
        assert_eq!(&r[..], &[0, 0, 0, 0, 0xFF, 0xFF, 0xF5, 0xFF, 0xFF, 0xFF, 0xEF]);
        let (hh, rest) = Tn3270eHeader::split(&[0, 0, 0, 0, 0xFF, 0xF5]).expect("5 bytes");
        assert_eq!((hh, rest), (h, &[0xF5u8][..]));
    }

    #[test]
    fn assembler_caps() {
        let mut a = RecordAssembler::new(4);
        a.push(&[1, 2]).expect("fits");
        a.push(&[3, 4]).expect("fits");
        assert_eq!(a.push(&[5]), Err(TelnetError::RecordTooLong(4)));
        assert!(a.is_empty());
    }

    proptest! {
        #[test]
        fn any_record_survives_framing(data in proptest::collection::vec(any::<u8>(), 0..600),
                                       split in 0usize..700) {
            let wire = record(&data);
            let split = split.min(wire.len());
            let mut p = Parser::default();
            let mut ev = Vec::new();
            p.feed(&wire[..split], &mut ev).expect("no caps hit");
            p.feed(&wire[split..], &mut ev).expect("no caps hit");
            let mut asm = RecordAssembler::new(4096);
            let mut got = None;
            for e in ev {
                match e {
                    TelnetEvent::Data(d) => asm.push(&d).expect("small"),
                    TelnetEvent::Command(EOR) => got = Some(asm.take()),
                    other => prop_assert!(false, "unexpected {other:?}"),
                }
            }
            prop_assert_eq!(got.expect("one record").to_vec(), data);
        }

        #[test]
        fn parser_never_panics(junk in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let mut p = Parser::new(64);
            let mut ev = Vec::new();
            let _ = p.feed(&junk, &mut ev);
        }
    }
}
