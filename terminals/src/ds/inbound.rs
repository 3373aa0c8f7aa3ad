//! Parsing inbound records (terminal → host) in Read Modified format.

use super::addr::decode_address;
use super::{Aid, DsError, order};

/// One field of a Read Modified reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InField {
    /// Address of the field's first data position; `None` for data sent from an
    /// unformatted screen (no SBA before it).
    pub addr: Option<u16>,
    /// The field's characters (EBCDIC, nulls already suppressed by the terminal).
    pub data: Vec<u8>,
}

/// A parsed inbound record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The key pressed.
    pub aid: Aid,
    /// The cursor address (absent in a short read and in a structured-field reply).
    pub cursor: Option<u16>,
    /// Modified fields, in order.
    pub fields: Vec<InField>,
    /// For AID X'88': the structured fields that follow (a Query Reply).
    pub structured: Vec<u8>,
}

impl Inbound {
    /// The data of the field starting at `addr`, if it was sent.
    pub fn field_at(&self, addr: u16) -> Option<&[u8]> {
        self.fields.iter().find(|f| f.addr == Some(addr)).map(|f| f.data.as_slice())
    }
}

/// Parses an inbound record: a short read (AID alone), AID X'88' with structured fields,
/// or `AID cursor(2) {SBA addr(2) data}*`.
pub fn parse_inbound(rec: &[u8]) -> Result<Inbound, DsError> {
    let (&aid, rest) = rec.split_first().ok_or(DsError::Empty)?;
    let aid = Aid::from_byte(aid);
    let mut inb = Inbound { aid, cursor: None, fields: Vec::new(), structured: Vec::new() };
    if aid == Aid::StructuredField {
        inb.structured = rest.to_vec();
        return Ok(inb);
    }
    if rest.is_empty() {
        return Ok(inb);
    }
    if rest.len() < 2 {
        return Err(DsError::Truncated(1));
    }
    inb.cursor = Some(decode_address(rest[0], rest[1]));
    let body = &rest[2..];
    let mut i = 0;
    let mut current: Option<InField> = None;
    while i < body.len() {
        if body[i] == order::SBA {
            if i + 2 >= body.len() {
                return Err(DsError::Truncated(3 + i));
            }
            if let Some(f) = current.take() {
                inb.fields.push(f);
            }
            current = Some(InField {
                addr: Some(decode_address(body[i + 1], body[i + 2])),
                data: vec![],
            });
            i += 3;
        } else {
            current.get_or_insert_with(|| InField { addr: None, data: vec![] }).data.push(body[i]);
            i += 1;
        }
    }
    if let Some(f) = current {
        inb.fields.push(f);
    }
    Ok(inb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_enter() {
        let r = parse_inbound(&[0x7D, 0xC2, 0xF1, 0x11, 0xC2, 0x6C, 0x88, 0x85, 0x93, 0x93, 0x96])
            .expect("valid");
        assert_eq!(r.aid, Aid::Enter);
        assert_eq!(r.cursor, Some(2 * 80 + 17));
        assert_eq!(r.field_at(172), Some(&[0x88u8, 0x85, 0x93, 0x93, 0x96][..]));
    }

    #[test]
    fn short_reads_and_errors() {
        let r = parse_inbound(&[0x6C]).expect("valid");
        assert_eq!((r.aid, r.cursor, r.fields.len()), (Aid::Pa(1), None, 0));
        assert_eq!(parse_inbound(&[]), Err(DsError::Empty));
        assert!(parse_inbound(&[0x7D, 0x40]).is_err());
        assert!(parse_inbound(&[0x7D, 0x40, 0x40, 0x11, 0x40]).is_err());
        let r = parse_inbound(&[0x7D, 0x40, 0x40, 0xC1, 0xC2]).expect("unformatted");
        assert_eq!(r.fields, vec![InField { addr: None, data: vec![0xC1, 0xC2] }]);
    }
}
