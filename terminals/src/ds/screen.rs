//! The screen buffer of a 3270: cells, field attributes, extended attributes, the cursor.
//!
//! [`Screen::apply`] executes an outbound record exactly as a terminal would (our client
//! and the tests use it; CP's console uses it to know what the terminal shows), and
//! [`Screen::read_modified`] / [`Screen::read_buffer`] produce the inbound replies.

use super::addr::{decode_address, encode_address};
use super::attr::{ExtAttr, FieldAttr, xa};
use super::query::{self, QueryRequest};
use super::{Aid, Command, DsError, ScreenSize, Wcc, order};

/// One buffer position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Cell {
    /// The EBCDIC character (0 = null). Zero in attribute cells.
    pub ch: u8,
    /// `Some` when this position holds a field attribute.
    pub field: Option<FieldAttr>,
    /// Field extended attributes (attribute cells) or character attributes (SA).
    pub ext: ExtAttr,
    /// The character came through Graphic Escape (APL/line-drawing set).
    pub ge: bool,
}

/// One field of a formatted screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Address of the attribute cell.
    pub attr_addr: u16,
    /// The attribute.
    pub attr: FieldAttr,
    /// Its extended attributes.
    pub ext: ExtAttr,
    /// Address of the first data position (attribute + 1, wrapping).
    pub start: u16,
    /// Number of data positions.
    pub len: usize,
}

/// What an applied outbound record asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The command.
    pub command: Command,
    /// The WCC of a write (keyboard restore, alarm, ...).
    pub wcc: Option<Wcc>,
    /// A read the host asked for (RB, RM, RMA, also through WSF Read Partition).
    pub read: Option<Command>,
    /// A Query or Query List (WSF Read Partition): answer with a Query Reply.
    pub query: Option<QueryRequest>,
}

/// A 3270 screen buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    alternate: ScreenSize,
    size: ScreenSize,
    cells: Vec<Cell>,
    cursor: u16,
}

impl Screen {
    /// A blank, unformatted screen at the default size, whose alternate size is `alternate`.
    pub fn new(alternate: ScreenSize) -> Screen {
        let size = ScreenSize::DEFAULT;
        Screen { alternate, size, cells: vec![Cell::default(); size.cells()], cursor: 0 }
    }

    /// The current size.
    pub fn size(&self) -> ScreenSize {
        self.size
    }

    /// The alternate size.
    pub fn alternate(&self) -> ScreenSize {
        self.alternate
    }

    /// Changes the alternate size (for example after a Query Reply).
    pub fn set_alternate(&mut self, alternate: ScreenSize) {
        self.alternate = alternate;
    }

    /// All cells, row by row.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// All cells, for keyboard operations.
    pub fn cells_mut(&mut self) -> &mut [Cell] {
        &mut self.cells
    }

    /// The cell at `addr` (wrapping).
    pub fn cell(&self, addr: u16) -> &Cell {
        &self.cells[usize::from(addr) % self.cells.len()]
    }

    /// The cursor address.
    pub fn cursor(&self) -> u16 {
        self.cursor
    }

    /// Moves the cursor (wrapping into the buffer).
    pub fn set_cursor(&mut self, addr: u16) {
        self.cursor = (usize::from(addr) % self.cells.len()) as u16;
    }

    /// Clears to nulls at `size`, cursor home (Erase/Write, CLEAR key).
    pub fn erase(&mut self, size: ScreenSize) {
        self.size = size;
        self.cells.clear();
        self.cells.resize(size.cells(), Cell::default());
        self.cursor = 0;
    }

    /// True if the screen has at least one field.
    pub fn is_formatted(&self) -> bool {
        self.cells.iter().any(|c| c.field.is_some())
    }

    /// Address of the attribute cell governing `addr` (the cell itself if it is one).
    pub fn field_attr_addr(&self, addr: u16) -> Option<u16> {
        let n = self.cells.len();
        let a = usize::from(addr) % n;
        (0..n).map(|k| (a + n - k) % n).find(|&i| self.cells[i].field.is_some()).map(|i| i as u16)
    }

    /// The attribute of the field holding `addr`.
    pub fn field_attr(&self, addr: u16) -> Option<FieldAttr> {
        self.field_attr_addr(addr).and_then(|a| self.cell(a).field)
    }

    /// True if typing at `addr` is refused: an attribute cell or a protected field.
    pub fn is_protected_at(&self, addr: u16) -> bool {
        if self.cell(addr).field.is_some() {
            return true;
        }
        self.field_attr(addr).is_some_and(|a| a.is_protected())
    }

    /// Every field, in buffer order.
    pub fn fields(&self) -> Vec<Field> {
        let n = self.cells.len();
        let attrs: Vec<usize> = (0..n).filter(|&i| self.cells[i].field.is_some()).collect();
        let mut out = Vec::with_capacity(attrs.len());
        for (k, &a) in attrs.iter().enumerate() {
            let next = attrs[(k + 1) % attrs.len()];
            let len = (next + n - a - 1) % n;
            let len = if attrs.len() == 1 { n - 1 } else { len };
            let cell = &self.cells[a];
            out.push(Field {
                attr_addr: a as u16,
                attr: cell.field.expect("filtered on attribute cells"),
                ext: cell.ext,
                start: ((a + 1) % n) as u16,
                len,
            });
        }
        out
    }

    /// First data address of the next unprotected field after `from` (wrapping).
    pub fn next_unprotected(&self, from: u16) -> Option<u16> {
        let n = self.cells.len();
        let from = usize::from(from) % n;
        (1..=n).map(|k| (from + k) % n).find_map(|i| {
            let attr = self.cells[i].field?;
            let data = (i + 1) % n;
            (!attr.is_protected() && self.cells[data].field.is_none()).then_some(data as u16)
        })
    }

    /// Resets every modified data tag.
    pub fn reset_mdts(&mut self) {
        for c in &mut self.cells {
            if let Some(a) = c.field.as_mut() {
                a.set_modified(false);
            }
        }
    }

    /// Erase All Unprotected: nulls in unprotected fields, MDTs reset, cursor to the first
    /// unprotected position.
    pub fn erase_all_unprotected(&mut self) {
        if !self.is_formatted() {
            let size = self.size;
            self.erase(size);
            return;
        }
        for f in self.fields() {
            if f.attr.is_protected() {
                continue;
            }
            let n = self.cells.len();
            for k in 0..f.len {
                let c = &mut self.cells[(usize::from(f.start) + k) % n];
                c.ch = 0;
                c.ext = ExtAttr::default();
                c.ge = false;
            }
            if let Some(a) = self.cells[usize::from(f.attr_addr)].field.as_mut() {
                a.set_modified(false);
            }
        }
        self.cursor = self.next_unprotected(self.size.cells() as u16 - 1).unwrap_or(0);
    }

    /// Applies one outbound record (command byte first).
    pub fn apply(&mut self, record: &[u8]) -> Result<Applied, DsError> {
        let (&first, rest) = record.split_first().ok_or(DsError::Empty)?;
        let command = Command::from_byte(first).ok_or(DsError::UnknownCommand(first))?;
        let mut applied = Applied { command, wcc: None, read: None, query: None };
        match command {
            Command::Write | Command::EraseWrite | Command::EraseWriteAlternate => {
                applied.wcc = self.write(command, rest)?;
            }
            Command::EraseAllUnprotected => self.erase_all_unprotected(),
            Command::ReadBuffer | Command::ReadModified | Command::ReadModifiedAll => {
                applied.read = Some(command);
            }
            Command::WriteStructuredField => self.structured_fields(rest, &mut applied)?,
        }
        Ok(applied)
    }

    fn write(&mut self, command: Command, rest: &[u8]) -> Result<Option<Wcc>, DsError> {
        match command {
            Command::EraseWrite => self.erase(ScreenSize::DEFAULT),
            Command::EraseWriteAlternate => self.erase(self.alternate),
            _ => {}
        }
        let Some((&wcc, orders)) = rest.split_first() else {
            return Ok(None);
        };
        let wcc = Wcc(wcc);
        if wcc.reset_mdt() {
            self.reset_mdts();
        }
        self.orders(orders, 1)?;
        Ok(Some(wcc))
    }

    fn structured_fields(&mut self, data: &[u8], applied: &mut Applied) -> Result<(), DsError> {
        let mut i = 0;
        while i < data.len() {
            if data.len() - i < 3 {
                return Err(DsError::Truncated(i + 1));
            }
            let len = usize::from(u16::from_be_bytes([data[i], data[i + 1]]));
            let len = if len == 0 { data.len() - i } else { len };
            if len < 3 || i + len > data.len() {
                return Err(DsError::BadFieldLength(len, i + 1));
            }
            let sf = &data[i + 2..i + len];
            match sf[0] {
                // Read Partition: pid, type.
                0x01 if sf.len() >= 3 => match sf[2] {
                    0x02 => applied.query = Some(QueryRequest::Query),
                    0x03 => applied.query = Some(QueryRequest::List(sf[3..].to_vec())),
                    op => applied.read = Command::from_byte(op).filter(|c| c.is_read()),
                },
                // Erase/Reset: flags bit 0 selects the alternate (implicit partition) size.
                0x03 if sf.len() >= 2 => {
                    let size = if sf[1] & 0x80 != 0 { self.alternate } else { ScreenSize::DEFAULT };
                    self.erase(size);
                }
                // Outbound 3270DS: pid, then a write-type command and its data.
                0x40 if sf.len() >= 3 => {
                    let cmd = Command::from_byte(sf[2]);
                    match cmd {
                        Some(c) if c.is_write() => applied.wcc = self.write(c, &sf[3..])?,
                        Some(Command::EraseAllUnprotected) => self.erase_all_unprotected(),
                        _ => {}
                    }
                }
                _ => {}
            }
            i += len;
        }
        Ok(())
    }

    /// Executes text and orders. `base` is the offset of `data` in its record (for errors).
    fn orders(&mut self, data: &[u8], base: usize) -> Result<(), DsError> {
        let n = self.cells.len();
        let mut ba = usize::from(self.cursor) % n;
        let mut char_attr = ExtAttr::default();
        let mut after_text = false;
        let mut i = 0;
        let need = |i: usize, k: usize| {
            if i + k < data.len() { Ok(()) } else { Err(DsError::Truncated(base + i)) }
        };
        while i < data.len() {
            let b = data[i];
            let mut text = false;
            match b {
                order::SF => {
                    need(i, 1)?;
                    self.put_attr(ba, FieldAttr::from_byte(data[i + 1]), ExtAttr::default());
                    ba = (ba + 1) % n;
                    i += 2;
                }
                order::SFE => {
                    need(i, 1)?;
                    let pairs = usize::from(data[i + 1]);
                    need(i, 1 + 2 * pairs)?;
                    let mut attr = FieldAttr::unprotected();
                    let mut ext = ExtAttr::default();
                    for p in data[i + 2..i + 2 + 2 * pairs].chunks_exact(2) {
                        if p[0] == xa::FIELD {
                            attr = FieldAttr::from_byte(p[1]);
                        } else {
                            ext.set(p[0], p[1]);
                        }
                    }
                    self.put_attr(ba, attr, ext);
                    ba = (ba + 1) % n;
                    i += 2 + 2 * pairs;
                }
                order::SBA => {
                    need(i, 2)?;
                    ba = self.check_addr(data[i + 1], data[i + 2])?;
                    i += 3;
                }
                order::IC => {
                    self.cursor = ba as u16;
                    i += 1;
                }
                order::PT => {
                    if after_text {
                        while ba < n && self.cells[ba].field.is_none() {
                            self.cells[ba] = Cell::default();
                            ba += 1;
                        }
                    }
                    ba = (ba..n)
                        .find(|&k| self.cells[k].field.is_some_and(|a| !a.is_protected()))
                        .map(|k| (k + 1) % n)
                        .unwrap_or(0);
                    i += 1;
                }
                order::RA => {
                    need(i, 3)?;
                    let stop = self.check_addr(data[i + 1], data[i + 2])?;
                    let (ch, ge, len) = if data[i + 3] == order::GE {
                        need(i, 4)?;
                        (data[i + 4], true, 5)
                    } else {
                        (data[i + 3], false, 4)
                    };
                    let count = if stop == ba { n } else { (stop + n - ba) % n };
                    for k in 0..count {
                        self.cells[(ba + k) % n] = Cell { ch, field: None, ext: char_attr, ge };
                    }
                    ba = stop;
                    i += len;
                }
                order::EUA => {
                    need(i, 2)?;
                    let stop = self.check_addr(data[i + 1], data[i + 2])?;
                    let count = if stop == ba { n } else { (stop + n - ba) % n };
                    let mut protected =
                        self.field_attr(ba as u16).is_some_and(|a| a.is_protected());
                    for k in 0..count {
                        let c = &mut self.cells[(ba + k) % n];
                        if let Some(a) = c.field {
                            protected = a.is_protected();
                        } else if !protected {
                            *c = Cell::default();
                        }
                    }
                    ba = stop;
                    i += 3;
                }
                order::SA => {
                    need(i, 2)?;
                    char_attr.set(data[i + 1], data[i + 2]);
                    i += 3;
                }
                order::MF => {
                    need(i, 1)?;
                    let pairs = usize::from(data[i + 1]);
                    need(i, 1 + 2 * pairs)?;
                    let cell = &mut self.cells[ba];
                    if let Some(attr) = cell.field.as_mut() {
                        for p in data[i + 2..i + 2 + 2 * pairs].chunks_exact(2) {
                            if p[0] == xa::FIELD {
                                *attr = FieldAttr::from_byte(p[1]);
                            } else {
                                cell.ext.set(p[0], p[1]);
                            }
                        }
                        ba = (ba + 1) % n;
                    }
                    i += 2 + 2 * pairs;
                }
                order::GE => {
                    need(i, 1)?;
                    self.cells[ba] =
                        Cell { ch: data[i + 1], field: None, ext: char_attr, ge: true };
                    ba = (ba + 1) % n;
                    i += 2;
                    text = true;
                }
                ch => {
                    self.cells[ba] = Cell { ch, field: None, ext: char_attr, ge: false };
                    ba = (ba + 1) % n;
                    i += 1;
                    text = true;
                }
            }
            after_text = text;
        }
        Ok(())
    }

    fn check_addr(&self, b1: u8, b2: u8) -> Result<usize, DsError> {
        let a = decode_address(b1, b2);
        if usize::from(a) < self.cells.len() {
            Ok(usize::from(a))
        } else {
            Err(DsError::AddressOutOfRange(a, self.cells.len()))
        }
    }

    fn put_attr(&mut self, at: usize, attr: FieldAttr, ext: ExtAttr) {
        self.cells[at] = Cell { ch: 0, field: Some(attr), ext, ge: false };
    }

    /// The Read Modified reply for `aid`: the AID alone for PA keys and CLEAR (a short
    /// read), else AID, cursor and every modified field with nulls suppressed. `all`
    /// gives the Read Modified All form (fields even for a short-read AID).
    pub fn read_modified(&self, aid: Aid, all: bool) -> Vec<u8> {
        let mut out = vec![aid.to_byte()];
        if aid.is_short_read() && !all {
            return out;
        }
        out.extend_from_slice(&encode_address(self.cursor));
        if !self.is_formatted() {
            out.extend(self.cells.iter().map(|c| c.ch).filter(|&c| c != 0));
            return out;
        }
        let n = self.cells.len();
        for f in self.fields() {
            if !f.attr.is_modified() {
                continue;
            }
            out.push(order::SBA);
            out.extend_from_slice(&encode_address(f.start));
            for k in 0..f.len {
                let c = &self.cells[(usize::from(f.start) + k) % n];
                if c.ch != 0 {
                    if c.ge {
                        out.push(order::GE);
                    }
                    out.push(c.ch);
                }
            }
        }
        out
    }

    /// The Read Buffer reply: AID, cursor, then every position (attributes as `SF attr`,
    /// extended ones as `SFE`).
    pub fn read_buffer(&self, aid: Aid) -> Vec<u8> {
        let mut out = vec![aid.to_byte()];
        out.extend_from_slice(&encode_address(self.cursor));
        for c in &self.cells {
            match c.field {
                Some(a) if c.ext.is_default() => out.extend_from_slice(&[order::SF, a.to_byte()]),
                Some(a) => {
                    let pairs = c.ext.pairs();
                    out.push(order::SFE);
                    out.push(pairs.len() as u8 + 1);
                    out.extend_from_slice(&[xa::FIELD, a.to_byte()]);
                    for (t, v) in pairs {
                        out.extend_from_slice(&[t, v]);
                    }
                }
                None => {
                    if c.ge {
                        out.push(order::GE);
                    }
                    out.push(c.ch);
                }
            }
        }
        out
    }

    /// The Query Reply this screen's terminal sends (see [`query::build_reply`]).
    pub fn query_reply(&self, color: bool) -> Vec<u8> {
        query::build_reply(self.alternate, color)
    }

    /// The characters of a field's data positions (nulls dropped), as EBCDIC.
    pub fn field_data(&self, f: &Field) -> Vec<u8> {
        let n = self.cells.len();
        (0..f.len)
            .map(|k| self.cells[(usize::from(f.start) + k) % n].ch)
            .filter(|&c| c != 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Outbound;
    use super::*;

    fn sample() -> Screen {
        let mut s = Screen::new(ScreenSize::DEFAULT);
        let mut o = Outbound::write(
            Command::EraseWrite,
            Wcc::new(Wcc::RESTORE | Wcc::RESET_MDT),
            ScreenSize::DEFAULT,
        );
        o.sba(0, 0).sf(FieldAttr::protected().intensified()).text("TITLE");
        o.sba(2, 0).sf(FieldAttr::protected().numeric()).text("INPUT ===>");
        o.sba(2, 11).sf(FieldAttr::unprotected()).ic();
        o.sba(2, 40).sf(FieldAttr::protected());
        s.apply(&o.finish()).expect("valid write");
        s
    }

    #[test]
    fn erase_write_builds_fields_and_cursor() {
        let s = sample();
        assert_eq!(s.cursor(), 172);
        let f = s.fields();
        assert_eq!(f.len(), 4);
        assert_eq!(f[2].start, 172);
        assert_eq!(f[2].len, 28);
        assert!(s.is_protected_at(5));
        assert!(!s.is_protected_at(172));
        assert_eq!(s.next_unprotected(0), Some(172));
        assert_eq!(s.next_unprotected(172), Some(172));
    }

    #[test]
    fn read_modified_matches_the_reference_example() {
        let mut s = sample();
        for (k, &b) in [0x88u8, 0x85, 0x93, 0x93, 0x96].iter().enumerate() {
            s.cells_mut()[172 + k].ch = b;
        }
        s.cells_mut()[171].field.as_mut().expect("attr").set_modified(true);
        s.set_cursor(177);
        assert_eq!(
            s.read_modified(Aid::Enter, false),
            [0x7D, 0xC2, 0xF1, 0x11, 0xC2, 0x6C, 0x88, 0x85, 0x93, 0x93, 0x96]
        );
        assert_eq!(s.read_modified(Aid::Pa(1), false), [0x6C]);
        assert_eq!(s.read_modified(Aid::Clear, true).len(), 3 + 3 + 5);
    }

    #[test]
    fn read_buffer_has_every_cell() {
        let s = sample();
        // AID + cursor + 1920 cells + one extra byte per attribute (4 fields).
        assert_eq!(s.read_buffer(Aid::NoAid).len(), 3 + 1920 + 4);
    }

    #[test]
    fn repeat_erase_and_program_tab() {
        let mut s = sample();
        let mut o = Outbound::write(Command::Write, Wcc::default(), ScreenSize::DEFAULT);
        o.sba(2, 12).raw(&[0xC1, 0xC2]).sba(0, 0).pt().ic();
        s.apply(&o.finish()).expect("valid");
        assert_eq!(s.cursor(), 172);
        let mut o = Outbound::write(Command::Write, Wcc::default(), ScreenSize::DEFAULT);
        o.sba(0, 0).eua(1919);
        s.apply(&o.finish()).expect("valid");
        assert_eq!(s.cell(172).ch, 0);
        assert_eq!(s.cell(1).ch, 0xE3, "protected title kept");
        let mut o = Outbound::write(Command::Write, Wcc::default(), ScreenSize::DEFAULT);
        o.sba(5, 0).ra(ScreenSize::DEFAULT.addr(6, 0), 0x5C);
        s.apply(&o.finish()).expect("valid");
        assert!((400..480).all(|a| s.cell(a).ch == 0x5C));
        assert_eq!(s.cell(480).ch, 0);
    }

    #[test]
    fn bad_records_are_errors_not_panics() {
        let mut s = Screen::new(ScreenSize::DEFAULT);
        assert_eq!(s.apply(&[]), Err(DsError::Empty));
        assert_eq!(s.apply(&[0x42]), Err(DsError::UnknownCommand(0x42)));
        assert!(matches!(s.apply(&[0xF1, 0xC3, 0x11, 0x7F]), Err(DsError::Truncated(_))));
        assert!(matches!(
            s.apply(&[0xF1, 0xC3, 0x11, 0x3F, 0xFF]),
            Err(DsError::AddressOutOfRange(..))
        ));
        assert!(s.apply(&[0xF3, 0x00, 0x01, 0x01]).is_err());
    }

    #[test]
    fn erase_write_alternate_uses_the_alternate_size() {
        let mut s = Screen::new(ScreenSize::new(43, 80));
        s.apply(&[0x7E, 0xC3]).expect("valid");
        assert_eq!(s.size(), ScreenSize::new(43, 80));
        s.apply(&[0xF5, 0xC3]).expect("valid");
        assert_eq!(s.size(), ScreenSize::DEFAULT);
    }

    #[test]
    fn wsf_query_is_recognised() {
        let mut s = Screen::new(ScreenSize::DEFAULT);
        let a = s.apply(&query::read_partition_query()).expect("valid");
        assert_eq!(a.query, Some(QueryRequest::Query));
    }
}
