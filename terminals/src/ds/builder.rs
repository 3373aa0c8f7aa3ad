//! Building outbound records: a command, a WCC, then text and orders.

use bytes::{BufMut, Bytes, BytesMut};
use s370::ebcdic::CodePage;

use super::addr::encode_address;
use super::attr::{ExtAttr, FieldAttr, xa};
use super::{Command, Wcc, order};

/// An outbound record under construction.
///
/// ```
/// use terminals::ds::{Command, FieldAttr, Outbound, ScreenSize, Wcc};
/// let mut o = Outbound::write(Command::EraseWrite, Wcc::new(Wcc::RESTORE), ScreenSize::DEFAULT);
/// o.sba(0, 0).sf(FieldAttr::protected()).text("HELLO").ic();
/// let rec = o.finish();
/// assert_eq!(&rec[..2], &[0xF5, 0xC2]);
/// ```
#[derive(Debug, Clone)]
pub struct Outbound {
    buf: BytesMut,
    cols: u16,
    code_page: CodePage,
}

impl Outbound {
    /// A write-type record (W, EW, EWA) with its WCC; `size` gives the columns used by
    /// [`Outbound::sba`].
    pub fn write(cmd: Command, wcc: Wcc, size: super::ScreenSize) -> Outbound {
        let mut buf = BytesMut::with_capacity(256);
        buf.put_u8(cmd.local());
        buf.put_u8(wcc.to_byte());
        Outbound { buf, cols: size.cols, code_page: CodePage::Cp037 }
    }

    /// A record holding only a command byte (RB, RM, RMA, EAU).
    pub fn command(cmd: Command) -> Bytes {
        Bytes::copy_from_slice(&[cmd.local()])
    }

    /// Sets the code page used by [`Outbound::text`].
    pub fn code_page(mut self, cp: CodePage) -> Outbound {
        self.code_page = cp;
        self
    }

    /// Set Buffer Address to a row and column.
    pub fn sba(&mut self, row: u16, col: u16) -> &mut Outbound {
        self.sba_addr(row * self.cols + col)
    }

    /// Set Buffer Address to an address.
    pub fn sba_addr(&mut self, addr: u16) -> &mut Outbound {
        self.buf.put_u8(order::SBA);
        self.buf.put_slice(&encode_address(addr));
        self
    }

    /// Start Field.
    pub fn sf(&mut self, attr: FieldAttr) -> &mut Outbound {
        self.buf.put_u8(order::SF);
        self.buf.put_u8(attr.to_byte());
        self
    }

    /// Start Field Extended with a field attribute and extended attributes.
    pub fn sfe(&mut self, attr: FieldAttr, ext: &ExtAttr) -> &mut Outbound {
        let pairs = ext.pairs();
        self.buf.put_u8(order::SFE);
        self.buf.put_u8(u8::try_from(pairs.len() + 1).expect("at most four pairs"));
        self.buf.put_u8(xa::FIELD);
        self.buf.put_u8(attr.to_byte());
        for (t, v) in pairs {
            self.buf.put_u8(t);
            self.buf.put_u8(v);
        }
        self
    }

    /// Set Attribute (character attribute for the following text).
    pub fn sa(&mut self, kind: u8, value: u8) -> &mut Outbound {
        self.buf.put_slice(&[order::SA, kind, value]);
        self
    }

    /// Modify Field at the current address.
    pub fn mf(&mut self, pairs: &[(u8, u8)]) -> &mut Outbound {
        self.buf.put_u8(order::MF);
        self.buf.put_u8(u8::try_from(pairs.len()).unwrap_or(u8::MAX));
        for &(t, v) in pairs.iter().take(255) {
            self.buf.put_u8(t);
            self.buf.put_u8(v);
        }
        self
    }

    /// Insert Cursor at the current address.
    pub fn ic(&mut self) -> &mut Outbound {
        self.buf.put_u8(order::IC);
        self
    }

    /// Program Tab.
    pub fn pt(&mut self) -> &mut Outbound {
        self.buf.put_u8(order::PT);
        self
    }

    /// Repeat to Address: fill up to (not including) `to` with an EBCDIC byte.
    pub fn ra(&mut self, to: u16, ebcdic: u8) -> &mut Outbound {
        self.buf.put_u8(order::RA);
        self.buf.put_slice(&encode_address(to));
        self.buf.put_u8(ebcdic);
        self
    }

    /// Erase Unprotected to Address.
    pub fn eua(&mut self, to: u16) -> &mut Outbound {
        self.buf.put_u8(order::EUA);
        self.buf.put_slice(&encode_address(to));
        self
    }

    /// Graphic Escape character.
    pub fn ge(&mut self, ebcdic: u8) -> &mut Outbound {
        self.buf.put_slice(&[order::GE, ebcdic]);
        self
    }

    /// Text, converted to EBCDIC. Characters that would encode below X'40' (controls,
    /// which the terminal would take for orders) are sent as blanks.
    pub fn text(&mut self, s: &str) -> &mut Outbound {
        for c in s.chars() {
            let b = self.code_page.from_char(c);
            self.buf.put_u8(if b < 0x40 { 0x40 } else { b });
        }
        self
    }

    /// Raw EBCDIC bytes, sent as they are.
    pub fn raw(&mut self, ebcdic: &[u8]) -> &mut Outbound {
        self.buf.put_slice(ebcdic);
        self
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing but the command and WCC has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.len() <= 2
    }

    /// The finished record.
    pub fn finish(self) -> Bytes {
        self.buf.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::super::ScreenSize;
    use super::*;

    #[test]
    fn builds_the_reference_first_screen_prefix() {
        // F5 C3 11 40 40 1D E8 ... : EW, restore+reset MDT, SBA(0,0), SF protected intensified.
        let mut o = Outbound::write(
            Command::EraseWrite,
            Wcc::new(Wcc::RESTORE | Wcc::RESET_MDT),
            ScreenSize::DEFAULT,
        );
        o.sba(0, 0).sf(FieldAttr::protected().intensified()).text("VM");
        assert_eq!(&o.finish()[..], &[0xF5, 0xC3, 0x11, 0x40, 0x40, 0x1D, 0xE8, 0xE5, 0xD4]);
    }

    #[test]
    fn control_characters_become_blanks() {
        let mut o = Outbound::write(Command::Write, Wcc::default(), ScreenSize::DEFAULT);
        o.text("a\u{1}\tb");
        assert_eq!(&o.finish()[2..], &[0x81, 0x40, 0x40, 0x82]);
    }
}
