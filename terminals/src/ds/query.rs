//! Query and Query Reply (WSF Read Partition): asking a terminal what it can do.
//!
//! The host sends `WSF 00 05 01 FF 02` (Read Partition, partition X'FF', Query). The
//! terminal answers inbound with AID X'88' and Query Reply structured fields
//! `len(2) 81 qcode data`. We read Usable Area (X'81'), Implicit Partition (X'A6': default
//! and alternate sizes), Color (X'86') and Highlight (X'87').

use super::ScreenSize;

/// Summary.
pub const QR_SUMMARY: u8 = 0x80;
/// Usable Area.
pub const QR_USABLE_AREA: u8 = 0x81;
/// Color.
pub const QR_COLOR: u8 = 0x86;
/// Highlighting.
pub const QR_HIGHLIGHT: u8 = 0x87;
/// Reply Modes.
pub const QR_REPLY_MODES: u8 = 0x88;
/// Implicit Partition.
pub const QR_IMPLICIT_PARTITION: u8 = 0xA6;

/// A Query request from the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryRequest {
    /// Query (all replies).
    Query,
    /// Query List with its request type and QCODEs.
    List(Vec<u8>),
}

/// The WSF record that asks for a Query Reply.
pub fn read_partition_query() -> Vec<u8> {
    vec![0xF3, 0x00, 0x05, 0x01, 0xFF, 0x02]
}

/// What a Query Reply said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryReply {
    /// QCODEs present.
    pub qcodes: Vec<u8>,
    /// Usable Area width × height.
    pub usable_area: Option<ScreenSize>,
    /// Implicit Partition default size.
    pub default_size: Option<ScreenSize>,
    /// Implicit Partition alternate size.
    pub alternate_size: Option<ScreenSize>,
    /// The Color reply listed more than the default colour.
    pub color: bool,
    /// A Highlight reply was present.
    pub highlight: bool,
}

impl QueryReply {
    /// The best alternate size: Implicit Partition, else Usable Area.
    pub fn alternate(&self) -> Option<ScreenSize> {
        self.alternate_size.or(self.usable_area)
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Parses the structured fields after AID X'88'. Malformed fields end the parse; what was
/// understood so far is kept. Sizes of zero are ignored.
pub fn parse_reply(data: &[u8]) -> QueryReply {
    let mut q = QueryReply::default();
    let mut i = 0;
    while i + 4 <= data.len() {
        let len = usize::from(u16::from_be_bytes([data[i], data[i + 1]]));
        let len = if len == 0 { data.len() - i } else { len };
        if len < 4 || i + len > data.len() {
            break;
        }
        let sf = &data[i + 2..i + len];
        if sf[0] == 0x81 {
            let qcode = sf[1];
            let body = &sf[2..];
            q.qcodes.push(qcode);
            let size = |w: Option<u16>, h: Option<u16>| match (w, h) {
                (Some(w), Some(h)) if w > 0 && h > 0 && w <= 255 && h <= 255 => {
                    Some(ScreenSize::new(h, w))
                }
                _ => None,
            };
            match qcode {
                QR_USABLE_AREA => q.usable_area = size(be16(body, 2), be16(body, 4)),
                QR_IMPLICIT_PARTITION => {
                    // flags(2), then self-defining parameters: len, type, ...
                    let mut p = 2;
                    while p + 2 <= body.len() {
                        let plen = usize::from(body[p]);
                        if plen < 2 || p + plen > body.len() {
                            break;
                        }
                        // len, type 01, flags, default W, H, alternate W, H.
                        if body[p + 1] == 0x01 && plen >= 11 {
                            q.default_size = size(be16(body, p + 3), be16(body, p + 5));
                            q.alternate_size = size(be16(body, p + 7), be16(body, p + 9));
                        }
                        p += plen;
                    }
                }
                QR_COLOR => q.color = body.get(1).is_some_and(|&np| np > 1),
                QR_HIGHLIGHT => q.highlight = true,
                _ => {}
            }
        }
        i += len;
    }
    q
}

/// The inbound Query Reply a terminal of this alternate size sends (AID X'88' first).
pub fn build_reply(alternate: ScreenSize, color: bool) -> Vec<u8> {
    let mut out = vec![0x88];
    let mut sf = |qcode: u8, body: &[u8]| {
        let len = u16::try_from(body.len() + 4).expect("small");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&[0x81, qcode]);
        out.extend_from_slice(body);
    };
    sf(
        QR_SUMMARY,
        &[
            QR_SUMMARY,
            QR_USABLE_AREA,
            QR_COLOR,
            QR_HIGHLIGHT,
            QR_REPLY_MODES,
            QR_IMPLICIT_PARTITION,
        ],
    );
    let (w, h) = (alternate.cols, alternate.rows);
    let buf = u16::try_from(alternate.cells()).unwrap_or(u16::MAX);
    let mut ua = vec![0x01, 0x00];
    ua.extend_from_slice(&w.to_be_bytes());
    ua.extend_from_slice(&h.to_be_bytes());
    ua.push(0x01); // millimetres
    ua.extend_from_slice(&[0x00, 0x0A, 0x02, 0xE5, 0x00, 0x02, 0x00, 0x6F, 0x09, 0x0C]);
    ua.extend_from_slice(&buf.to_be_bytes());
    sf(QR_USABLE_AREA, &ua);
    let mut c = vec![0x00, 0x08, 0x00, 0xF4];
    for v in 0xF1..=0xF7u8 {
        c.extend_from_slice(&[v, if color { v } else { 0x00 }]);
    }
    sf(QR_COLOR, &c);
    sf(QR_HIGHLIGHT, &[0x04, 0x00, 0xF0, 0xF1, 0xF1, 0xF2, 0xF2, 0xF4, 0xF4]);
    sf(QR_REPLY_MODES, &[0x00, 0x01, 0x02]);
    let mut ip = vec![0x00, 0x00, 0x0B, 0x01, 0x00, 0x00, 0x50, 0x00, 0x18];
    ip.extend_from_slice(&w.to_be_bytes());
    ip.extend_from_slice(&h.to_be_bytes());
    sf(QR_IMPLICIT_PARTITION, &ip);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_x3270_style_reply() {
        // Usable Area and Implicit Partition as s3270 sends them for a model 4.
        let data = [
            0x00, 0x17, 0x81, 0x81, 0x01, 0x00, 0x00, 0x50, 0x00, 0x2B, 0x01, 0x00, 0x0A, 0x02,
            0xE5, 0x00, 0x02, 0x00, 0x6F, 0x09, 0x0C, 0x0D, 0x70, //
            0x00, 0x11, 0x81, 0xA6, 0x00, 0x00, 0x0B, 0x01, 0x00, 0x00, 0x50, 0x00, 0x18, 0x00,
            0x50, 0x00, 0x2B,
        ];
        let q = parse_reply(&data);
        assert_eq!(q.usable_area, Some(ScreenSize::new(43, 80)));
        assert_eq!(q.default_size, Some(ScreenSize::DEFAULT));
        assert_eq!(q.alternate(), Some(ScreenSize::new(43, 80)));
        assert_eq!(q.qcodes, vec![0x81, 0xA6]);
    }

    #[test]
    fn our_reply_parses_back() {
        let r = build_reply(ScreenSize::new(27, 132), true);
        assert_eq!(r[0], 0x88);
        let q = parse_reply(&r[1..]);
        assert_eq!(q.alternate(), Some(ScreenSize::new(27, 132)));
        assert_eq!(q.usable_area, Some(ScreenSize::new(27, 132)));
        assert!(q.color && q.highlight);
    }

    #[test]
    fn garbage_never_panics() {
        for n in 0..64u8 {
            let junk: Vec<u8> = (0..n).map(|k| k.wrapping_mul(37) ^ n).collect();
            let _ = parse_reply(&junk);
        }
        assert_eq!(parse_reply(&[0x00, 0x02, 0x81]), QueryReply::default());
    }
}
