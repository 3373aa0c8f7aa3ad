//! Terminal models, screen sizes and terminal-type names.

/// A screen size in rows and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScreenSize {
    /// Rows.
    pub rows: u16,
    /// Columns.
    pub cols: u16,
}

impl ScreenSize {
    /// The default size of every 3278/3279 (Erase/Write): 24×80.
    pub const DEFAULT: ScreenSize = ScreenSize { rows: 24, cols: 80 };

    /// A size.
    pub const fn new(rows: u16, cols: u16) -> ScreenSize {
        ScreenSize { rows, cols }
    }

    /// Number of cells.
    pub fn cells(self) -> usize {
        usize::from(self.rows) * usize::from(self.cols)
    }

    /// Buffer address of a row and column.
    pub fn addr(self, row: u16, col: u16) -> u16 {
        row * self.cols + col
    }

    /// Row and column of a buffer address.
    pub fn row_col(self, addr: u16) -> (u16, u16) {
        (addr / self.cols.max(1), addr % self.cols.max(1))
    }
}

/// A 3278/3279 model: the alternate screen size (Erase/Write Alternate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// Model 2: 24×80.
    M2,
    /// Model 3: 32×80.
    M3,
    /// Model 4: 43×80.
    M4,
    /// Model 5: 27×132.
    M5,
}

impl Model {
    /// The model with number `n` (2..=5).
    pub fn from_number(n: u8) -> Option<Model> {
        Some(match n {
            2 => Model::M2,
            3 => Model::M3,
            4 => Model::M4,
            5 => Model::M5,
            _ => return None,
        })
    }

    /// The model number.
    pub fn number(self) -> u8 {
        match self {
            Model::M2 => 2,
            Model::M3 => 3,
            Model::M4 => 4,
            Model::M5 => 5,
        }
    }

    /// The alternate (largest) screen size.
    pub fn alternate(self) -> ScreenSize {
        match self {
            Model::M2 => ScreenSize::new(24, 80),
            Model::M3 => ScreenSize::new(32, 80),
            Model::M4 => ScreenSize::new(43, 80),
            Model::M5 => ScreenSize::new(27, 132),
        }
    }

    /// The model whose alternate size is `size`, if any.
    pub fn from_size(size: ScreenSize) -> Option<Model> {
        [Model::M2, Model::M3, Model::M4, Model::M5].into_iter().find(|m| m.alternate() == size)
    }
}

/// What a terminal-type name (TTYPE or TN3270E DEVICE-TYPE) says about the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalType {
    /// The name as sent, upper-cased.
    pub name: String,
    /// A 3270 at all (`IBM-327x-…` or `IBM-DYNAMIC`).
    pub is_3270: bool,
    /// The model, when the name gives one.
    pub model: Option<Model>,
    /// A 3279 (colour).
    pub color: bool,
    /// `-E`: the extended data stream (Query, SFE, SA, WSF).
    pub extended: bool,
    /// `IBM-DYNAMIC`: the size comes from the Query Reply.
    pub dynamic: bool,
}

impl TerminalType {
    /// Parses a terminal-type name such as `IBM-3278-2-E`.
    pub fn parse(name: &str) -> TerminalType {
        let name = name.trim().to_ascii_uppercase();
        let mut t = TerminalType {
            name: name.clone(),
            is_3270: false,
            model: None,
            color: false,
            extended: false,
            dynamic: false,
        };
        if name == "IBM-DYNAMIC" {
            t.is_3270 = true;
            t.extended = true;
            t.dynamic = true;
            return t;
        }
        let parts: Vec<&str> = name.split('-').collect();
        if parts.len() >= 3
            && parts[0] == "IBM"
            && (parts[1] == "3278" || parts[1] == "3279")
            && let Some(m) = parts[2].parse::<u8>().ok().and_then(Model::from_number)
        {
            t.is_3270 = true;
            t.model = Some(m);
            t.color = parts[1] == "3279";
            t.extended = parts.get(3) == Some(&"E");
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let t = TerminalType::parse("IBM-3278-2-E");
        assert!(t.is_3270 && t.extended && !t.color);
        assert_eq!(t.model, Some(Model::M2));
        let t = TerminalType::parse("ibm-3279-5");
        assert!(t.is_3270 && t.color && !t.extended);
        assert_eq!(t.model.map(|m| m.alternate()), Some(ScreenSize::new(27, 132)));
        assert!(!TerminalType::parse("XTERM-256COLOR").is_3270);
        assert!(!TerminalType::parse("IBM-3278-9").is_3270);
        assert!(TerminalType::parse("IBM-DYNAMIC").dynamic);
    }

    #[test]
    fn sizes() {
        assert_eq!(Model::M4.alternate().cells(), 3440);
        assert_eq!(Model::M5.alternate().cells(), 3564);
        assert_eq!(ScreenSize::DEFAULT.row_col(172), (2, 12));
        assert_eq!(Model::from_size(ScreenSize::new(43, 80)), Some(Model::M4));
    }
}
