//! Field attributes (the byte after SF) and extended attributes (SFE, SA, MF).

use super::addr::code;

/// A field attribute byte, kept as its six meaningful bits.
///
/// Bits (0 = most significant): 2 protected (X'20'), 3 numeric (X'10'; protected +
/// numeric = autoskip), 4-5 display (X'0C': 00 normal, 04 normal selector-pen detectable,
/// 08 intensified, 0C non-display), 7 modified data tag (X'01').
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FieldAttr(u8);

/// How a field shows its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// Normal intensity.
    Normal,
    /// Normal intensity, selector-pen detectable.
    Detectable,
    /// Intensified (bright).
    Intensified,
    /// Not shown (passwords).
    NonDisplay,
}

impl FieldAttr {
    /// Protected.
    pub const PROTECTED: u8 = 0x20;
    /// Numeric.
    pub const NUMERIC: u8 = 0x10;
    /// Display bits.
    pub const DISPLAY: u8 = 0x0C;
    /// Intensified display.
    pub const INTENSIFIED: u8 = 0x08;
    /// Non-display.
    pub const NONDISPLAY: u8 = 0x0C;
    /// Modified data tag.
    pub const MDT: u8 = 0x01;

    /// From a received attribute byte (bits 0-1 ignored).
    pub fn from_byte(b: u8) -> FieldAttr {
        FieldAttr(b & 0x3F)
    }

    /// From the six flag bits above.
    pub fn new(bits: u8) -> FieldAttr {
        FieldAttr(bits & 0x3F)
    }

    /// The coded byte to send after SF.
    pub fn to_byte(self) -> u8 {
        code(self.0)
    }

    /// The six flag bits.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// An unprotected, normal-intensity field.
    pub fn unprotected() -> FieldAttr {
        FieldAttr(0)
    }

    /// A protected, normal-intensity field.
    pub fn protected() -> FieldAttr {
        FieldAttr(Self::PROTECTED)
    }

    /// This attribute made intensified.
    pub fn intensified(self) -> FieldAttr {
        FieldAttr((self.0 & !Self::DISPLAY) | Self::INTENSIFIED)
    }

    /// This attribute made non-display.
    pub fn nondisplay(self) -> FieldAttr {
        FieldAttr(self.0 | Self::NONDISPLAY)
    }

    /// This attribute made numeric (autoskip when protected).
    pub fn numeric(self) -> FieldAttr {
        FieldAttr(self.0 | Self::NUMERIC)
    }

    /// Protected field.
    pub fn is_protected(self) -> bool {
        self.0 & Self::PROTECTED != 0
    }

    /// Numeric field.
    pub fn is_numeric(self) -> bool {
        self.0 & Self::NUMERIC != 0
    }

    /// Protected and numeric: the cursor skips over it.
    pub fn is_autoskip(self) -> bool {
        self.is_protected() && self.is_numeric()
    }

    /// The display mode.
    pub fn display(self) -> Display {
        match self.0 & Self::DISPLAY {
            0x00 => Display::Normal,
            0x04 => Display::Detectable,
            0x08 => Display::Intensified,
            _ => Display::NonDisplay,
        }
    }

    /// Intensified display.
    pub fn is_intensified(self) -> bool {
        self.display() == Display::Intensified
    }

    /// Non-display.
    pub fn is_nondisplay(self) -> bool {
        self.display() == Display::NonDisplay
    }

    /// Modified data tag set.
    pub fn is_modified(self) -> bool {
        self.0 & Self::MDT != 0
    }

    /// Sets or clears the modified data tag.
    pub fn set_modified(&mut self, on: bool) {
        if on {
            self.0 |= Self::MDT;
        } else {
            self.0 &= !Self::MDT;
        }
    }
}

/// Extended attribute types used by SFE, SA and MF.
pub mod xa {
    /// In SA: reset every character attribute.
    pub const ALL: u8 = 0x00;
    /// The basic 3270 field attribute (SFE/MF only).
    pub const FIELD: u8 = 0xC0;
    /// Extended highlighting.
    pub const HIGHLIGHT: u8 = 0x41;
    /// Foreground colour.
    pub const FOREGROUND: u8 = 0x42;
    /// Character set.
    pub const CHARSET: u8 = 0x43;
    /// Background colour.
    pub const BACKGROUND: u8 = 0x45;
    /// Transparency.
    pub const TRANSPARENCY: u8 = 0x46;
}

/// Extended highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Highlight {
    /// The field's or device default (X'00' / X'F0').
    #[default]
    Default,
    /// Blink (X'F1').
    Blink,
    /// Reverse video (X'F2').
    Reverse,
    /// Underscore (X'F4').
    Underscore,
}

impl Highlight {
    fn from_byte(b: u8) -> Highlight {
        match b {
            0xF1 => Highlight::Blink,
            0xF2 => Highlight::Reverse,
            0xF4 => Highlight::Underscore,
            _ => Highlight::Default,
        }
    }

    /// The attribute value byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Highlight::Default => 0x00,
            Highlight::Blink => 0xF1,
            Highlight::Reverse => 0xF2,
            Highlight::Underscore => 0xF4,
        }
    }
}

/// A 3279 colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Color {
    /// Default colour (X'00' / X'F0'): derived from the field attribute.
    #[default]
    Default,
    /// Blue (X'F1').
    Blue,
    /// Red (X'F2').
    Red,
    /// Pink (X'F3').
    Pink,
    /// Green (X'F4').
    Green,
    /// Turquoise (X'F5').
    Turquoise,
    /// Yellow (X'F6').
    Yellow,
    /// White (X'F7').
    White,
    /// Another colour value (X'F8'-X'FF' and the rest).
    Other(u8),
}

impl Color {
    /// Decodes a colour value.
    pub fn from_byte(b: u8) -> Color {
        match b {
            0x00 | 0xF0 => Color::Default,
            0xF1 => Color::Blue,
            0xF2 => Color::Red,
            0xF3 => Color::Pink,
            0xF4 => Color::Green,
            0xF5 => Color::Turquoise,
            0xF6 => Color::Yellow,
            0xF7 => Color::White,
            other => Color::Other(other),
        }
    }

    /// The colour value byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Color::Default => 0x00,
            Color::Blue => 0xF1,
            Color::Red => 0xF2,
            Color::Pink => 0xF3,
            Color::Green => 0xF4,
            Color::Turquoise => 0xF5,
            Color::Yellow => 0xF6,
            Color::White => 0xF7,
            Color::Other(b) => b,
        }
    }
}

/// Extended attributes of a field (from SFE/MF) or of a character (from SA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ExtAttr {
    /// Highlighting.
    pub highlight: Highlight,
    /// Foreground colour.
    pub foreground: Color,
    /// Background colour.
    pub background: Color,
    /// Character set (0 = default).
    pub charset: u8,
}

impl ExtAttr {
    /// Applies one `(type, value)` pair; type X'00' resets everything. Unknown types
    /// are ignored, as a terminal without the feature does.
    pub fn set(&mut self, kind: u8, value: u8) {
        match kind {
            xa::ALL => *self = ExtAttr::default(),
            xa::HIGHLIGHT => self.highlight = Highlight::from_byte(value),
            xa::FOREGROUND => self.foreground = Color::from_byte(value),
            xa::BACKGROUND => self.background = Color::from_byte(value),
            xa::CHARSET => self.charset = value,
            _ => {}
        }
    }

    /// True when nothing is set.
    pub fn is_default(&self) -> bool {
        *self == ExtAttr::default()
    }

    /// The `(type, value)` pairs that reproduce these attributes.
    pub fn pairs(&self) -> Vec<(u8, u8)> {
        let mut v = Vec::new();
        if self.highlight != Highlight::Default {
            v.push((xa::HIGHLIGHT, self.highlight.to_byte()));
        }
        if self.foreground != Color::Default {
            v.push((xa::FOREGROUND, self.foreground.to_byte()));
        }
        if self.background != Color::Default {
            v.push((xa::BACKGROUND, self.background.to_byte()));
        }
        if self.charset != 0 {
            v.push((xa::CHARSET, self.charset));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_attribute_bytes() {
        assert_eq!(FieldAttr::unprotected().to_byte(), 0x40);
        assert_eq!(FieldAttr::unprotected().nondisplay().to_byte(), 0x4C);
        assert_eq!(FieldAttr::protected().to_byte(), 0x60);
        assert_eq!(FieldAttr::protected().intensified().to_byte(), 0xE8);
        assert_eq!(FieldAttr::protected().numeric().to_byte(), 0xF0);
        assert_eq!(FieldAttr::protected().numeric().intensified().to_byte(), 0xF8);
        let a = FieldAttr::from_byte(0xF8);
        assert!(a.is_autoskip() && a.is_intensified() && !a.is_modified());
        let mut u = FieldAttr::from_byte(0x4C);
        assert!(u.is_nondisplay() && !u.is_protected());
        u.set_modified(true);
        assert_eq!(u.to_byte(), 0x4D);
    }

    #[test]
    fn extended_attributes() {
        let mut x = ExtAttr::default();
        x.set(xa::FOREGROUND, 0xF2);
        x.set(xa::HIGHLIGHT, 0xF4);
        assert_eq!(x.foreground, Color::Red);
        assert_eq!(x.pairs(), vec![(0x41, 0xF4), (0x42, 0xF2)]);
        x.set(xa::ALL, 0);
        assert!(x.is_default());
    }
}
