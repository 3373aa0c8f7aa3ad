//! Source lines to statements: the column rules of the period.
//!
//! A statement occupies columns 1-71; a non-blank column 72 continues it on the next line,
//! whose text resumes in column 16 (columns 1-15 must be blank). Columns 73-80 are the
//! sequence field and are ignored. The name field starts in column 1; the operation field
//! follows the first blank; the operand field follows the next blanks and ends at a blank
//! outside quotes, after which come remarks. A statement whose operand ends in `,` followed
//! by a blank may go on in column 16 of its continuation line (the "alternate format" macro
//! writers use for one operand per line). `*` in column 1 is a comment; `.*` a macro comment.
//! Tabs are expanded to stops every 8 columns.

/// The last column of the statement field.
pub(crate) const END_COL: usize = 71;
/// The column where a continuation line's text begins.
pub(crate) const CONT_COL: usize = 16;

/// A run of statement text from one physical line.
#[derive(Debug, Clone)]
pub(crate) struct Seg {
    /// The characters (column `col` onwards).
    pub chars: Vec<char>,
    /// 1-based physical line number.
    pub line: u32,
    /// 1-based column of `chars[0]`.
    pub col: u32,
}

/// One statement as read: its first line, its continuations, and the lines as printed.
#[derive(Debug, Clone)]
pub(crate) struct SrcStmt {
    /// Index into the assembly's file table.
    pub file: u32,
    /// 1-based number of the first physical line.
    pub line: u32,
    /// Statement text, one segment per physical line.
    pub segs: Vec<Seg>,
    /// The physical lines (columns 1-80) for the listing.
    pub raw: Vec<String>,
    /// A continuation line had text in columns 1-15.
    pub bad_continuation: bool,
}

impl SrcStmt {
    /// A statement built from generated text (no column limits).
    pub fn generated(text: &str, file: u32, line: u32) -> SrcStmt {
        SrcStmt {
            file,
            line,
            segs: vec![Seg { chars: text.chars().collect(), line, col: 1 }],
            raw: vec![text.trim_end().to_string()],
            bad_continuation: false,
        }
    }

    /// Is this a comment (`*` in column 1), a macro comment (`.*`) or a blank line?
    pub fn comment_kind(&self) -> Option<CommentKind> {
        let s = &self.segs[0].chars;
        match (s.first(), s.get(1)) {
            (Some('*'), _) => Some(CommentKind::Comment),
            (Some('.'), Some('*')) => Some(CommentKind::MacroComment),
            _ if s.iter().all(|c| *c == ' ') && self.segs.len() == 1 => Some(CommentKind::Blank),
            _ => None,
        }
    }
}

/// The kinds of statement that carry no instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommentKind {
    /// `*` in column 1: listed, and generated when inside a macro.
    Comment,
    /// `.*`: a macro comment, never generated.
    MacroComment,
    /// An empty line.
    Blank,
}

fn expand_tabs(line: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\t' => {
                out.push(' ');
                while out.len() % 8 != 0 {
                    out.push(' ');
                }
            }
            '\r' | '\n' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Splits source text into statements, joining continuation lines.
pub(crate) fn read_source(text: &str, file: u32) -> Vec<SrcStmt> {
    let mut out: Vec<SrcStmt> = Vec::new();
    let mut continuing = false;
    for (n, line) in text.lines().enumerate() {
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let chars = expand_tabs(line);
        let raw: String = chars.iter().take(80).collect::<String>().trim_end().to_string();
        let continued = chars.get(END_COL).is_some_and(|c| *c != ' ');
        let body_end = chars.len().min(END_COL);
        if continuing {
            let stmt = out.last_mut().expect("a continued statement exists");
            if chars.iter().take(CONT_COL - 1).any(|c| *c != ' ') {
                stmt.bad_continuation = true;
            }
            let mut seg: Vec<char> =
                chars.get(CONT_COL - 1..body_end).map(<[char]>::to_vec).unwrap_or_default();
            if continued {
                seg.resize(END_COL + 1 - CONT_COL, ' ');
            }
            stmt.segs.push(Seg { chars: seg, line: line_no, col: CONT_COL as u32 });
            stmt.raw.push(raw);
        } else {
            let mut seg: Vec<char> = chars[..body_end].to_vec();
            if continued {
                seg.resize(END_COL, ' ');
            }
            out.push(SrcStmt {
                file,
                line: line_no,
                segs: vec![Seg { chars: seg, line: line_no, col: 1 }],
                raw: vec![raw],
                bad_continuation: false,
            });
        }
        continuing = continued;
    }
    out
}

/// Where operand text came from: operand offsets from `offset` on start at `line`/`col`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MapSeg {
    /// Byte offset in the operand field.
    pub offset: u32,
    /// 1-based physical line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// The fields of a statement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields {
    /// Name field (may be empty).
    pub name: String,
    /// Operation field, as written.
    pub op: String,
    /// Line and column of the operation field.
    pub op_pos: (u32, u32),
    /// Operand field.
    pub operand: String,
    /// Positions of the operand field's text.
    pub opmap: Vec<MapSeg>,
    /// Remarks (after the operand field).
    pub remarks: String,
    /// 0-based character index of the operation field in the first segment.
    pub op_index: usize,
    /// 0-based character index of the operand field in the first segment (if it starts there).
    pub operand_index: usize,
}

impl Fields {
    /// The line and column of byte `offset` of the operand field.
    pub fn operand_pos(&self, offset: usize) -> (u32, u32) {
        let off = u32::try_from(offset).unwrap_or(u32::MAX);
        match self.opmap.iter().rev().find(|m| m.offset <= off) {
            Some(m) => {
                // Offsets are bytes; columns are characters. Count characters between.
                let start = m.offset as usize;
                let chars = self
                    .operand
                    .get(start..offset.min(self.operand.len()))
                    .map_or(offset.saturating_sub(start), |s| s.chars().count());
                (m.line, m.col + u32::try_from(chars).unwrap_or(0))
            }
            None => self.op_pos,
        }
    }
}

/// Is the quote at byte `i` of `s` an attribute quote (`L'SYM`, `T'&P`, `L'*`) rather than
/// the start of a string?
pub(crate) fn attr_quote(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    if i == 0 || b.get(i) != Some(&b'\'') {
        return false;
    }
    let p2 = if i >= 2 { Some(char::from(b[i - 2])) } else { None };
    attr_quote_at(p2, Some(char::from(b[i - 1])), b.get(i + 1).map(|c| char::from(*c)))
}

/// The attribute-quote rule on the two characters before a quote and the one after it: an
/// attribute letter that starts a term, followed by a symbol, a variable symbol or `*`.
pub(crate) fn attr_quote_at(p2: Option<char>, p1: Option<char>, next: Option<char>) -> bool {
    let Some(letter) = p1 else { return false };
    if !matches!(letter.to_ascii_uppercase(), 'L' | 'T' | 'K' | 'N' | 'I' | 'S' | 'D' | 'O') {
        return false;
    }
    if let Some(p) = p2
        && (p.is_ascii_alphanumeric() || matches!(p, '$' | '#' | '@' | '_' | '&' | '=' | '.'))
    {
        return false;
    }
    match next {
        Some(n) => n.is_ascii_alphabetic() || matches!(n, '$' | '#' | '@' | '_' | '&' | '*'),
        None => false,
    }
}

/// Operations whose operands may hold blanks inside parentheses (logical expressions).
fn blanks_in_parens(op: &str) -> bool {
    let op = op.to_ascii_uppercase();
    matches!(op.as_str(), "AIF" | "SETA" | "SETB" | "SETC" | "AGO" | "ACTR")
}

/// Splits a statement into its fields.
pub(crate) fn split_fields(st: &SrcStmt) -> Fields {
    // Flatten the segments, remembering where each character came from.
    let mut flat: Vec<(char, usize, u32, u32)> = Vec::new();
    for (si, seg) in st.segs.iter().enumerate() {
        for (ci, c) in seg.chars.iter().enumerate() {
            flat.push((*c, si, seg.line, seg.col + ci as u32));
        }
    }
    let seg_start = |si: usize| flat.iter().position(|f| f.1 == si);
    let mut f = Fields::default();
    let mut i = 0;
    while i < flat.len() && flat[i].0 != ' ' {
        f.name.push(flat[i].0);
        i += 1;
    }
    while i < flat.len() && flat[i].0 == ' ' {
        i += 1;
    }
    f.op_index = i;
    f.op_pos = flat.get(i).map_or((st.line, 1), |x| (x.2, x.3));
    while i < flat.len() && flat[i].0 != ' ' {
        f.op.push(flat[i].0);
        i += 1;
    }
    while i < flat.len() && flat[i].0 == ' ' && flat[i].1 == 0 {
        i += 1;
    }
    // Operands begin on the first line; a blank first line after the operation means
    // there are none unless the statement is continued (then they begin in column 16).
    if i < flat.len() && flat[i].0 == ' ' {
        match seg_start(flat[i].1) {
            Some(s) => i = s,
            None => i = flat.len(),
        }
        while i < flat.len() && flat[i].0 == ' ' {
            i += 1;
        }
    }
    f.operand_index = i;
    let parens_ok = blanks_in_parens(&f.op);
    let mut in_quote = false;
    let mut depth = 0i32;
    let mut last_seg = usize::MAX;
    let mut last_col = 0;
    while i < flat.len() {
        let (c, si, line, col) = flat[i];
        if c == ' ' && !in_quote && !(parens_ok && depth > 0) {
            // Alternate continuation: `operand, remarks` then column 16 of the next line.
            if f.operand.ends_with(',')
                && si + 1 < st.segs.len()
                && let Some(s) = seg_start(si + 1)
            {
                i = s;
                while i < flat.len() && flat[i].0 == ' ' && flat[i].1 == si + 1 {
                    i += 1;
                }
                if i < flat.len() && flat[i].1 == si + 1 {
                    continue;
                }
            }
            break;
        }
        if si != last_seg || col != last_col + 1 {
            f.opmap.push(MapSeg { offset: f.operand.len() as u32, line, col });
        }
        last_seg = si;
        last_col = col;
        if c == '\'' {
            let mut prev = f.operand.chars().rev();
            let (p1, p2) = (prev.next(), prev.next());
            let next = flat.get(i + 1).map(|x| x.0);
            if in_quote || !attr_quote_at(p2, p1, next) {
                in_quote = !in_quote;
            }
        } else if !in_quote {
            if c == '(' {
                depth += 1;
            } else if c == ')' {
                depth -= 1;
            }
        }
        f.operand.push(c);
        i += 1;
    }
    let rest: String = flat[i.min(flat.len())..].iter().map(|x| x.0).collect();
    f.remarks = rest.trim().to_string();
    if f.opmap.is_empty() {
        let (line, col) =
            flat.get(i.min(flat.len().saturating_sub(1))).map_or((st.line, 1), |x| (x.2, x.3));
        f.opmap.push(MapSeg { offset: 0, line, col });
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Fields {
        let st = read_source(text, 0);
        assert_eq!(st.len(), 1, "{st:?}");
        split_fields(&st[0])
    }

    #[test]
    fn fields_of_a_plain_statement() {
        let f = one("LOOP     L     1,DATA(2)    LOAD IT");
        assert_eq!(
            (f.name.as_str(), f.op.as_str(), f.operand.as_str()),
            ("LOOP", "L", "1,DATA(2)")
        );
        assert_eq!(f.remarks, "LOAD IT");
        assert_eq!(f.operand_pos(2), (1, 18));
        assert_eq!(f.op_pos, (1, 10));
    }

    #[test]
    fn quotes_keep_blanks_and_attributes_do_not_open_strings() {
        let f = one("         DC    C'A B',L'X   REM");
        assert_eq!(f.operand, "C'A B',L'X");
        let f = one("         MVC   0(L'FLD,1),=C'X Y' REM");
        assert_eq!(f.operand, "0(L'FLD,1),=C'X Y'");
    }

    #[test]
    fn continuation_in_column_72_resumes_in_column_16() {
        let l1 = format!("{:<71}X", "         DC    C'ABC");
        let l2 = "               DEF'  REM";
        let f = one(&format!("{l1}\n{l2}\n"));
        let mut expect = String::from("C'ABC");
        expect.push_str(&" ".repeat(71 - 20));
        expect.push_str("DEF'");
        assert_eq!(f.operand, expect);
        let off = f.operand.find("DEF").unwrap();
        assert_eq!(f.operand_pos(off), (2, 16));
    }

    #[test]
    fn alternate_format_continues_after_comma_blank() {
        let l1 = format!("{:<71}X", "         MYMAC A,        FIRST OPERAND");
        let l2 = format!("{:<71}X", "               B=2,      SECOND");
        let l3 = "               C         LAST";
        let f = one(&format!("{l1}\n{l2}\n{l3}"));
        assert_eq!(f.operand, "A,B=2,C");
        assert_eq!(f.operand_pos(2), (2, 16));
        assert_eq!(f.operand_pos(6), (3, 16));
    }

    #[test]
    fn sequence_field_ignored_and_comments_recognised() {
        let f = one(&format!("{:<72}{}", "         BR    14", "SEQ00010"));
        assert_eq!(f.operand, "14");
        let st = read_source("* A COMMENT\n.* MACRO COMMENT\n\n", 0);
        assert_eq!(st[0].comment_kind(), Some(CommentKind::Comment));
        assert_eq!(st[1].comment_kind(), Some(CommentKind::MacroComment));
        assert_eq!(st[2].comment_kind(), Some(CommentKind::Blank));
    }

    #[test]
    fn aif_keeps_blanks_inside_parentheses() {
        let f = one("         AIF   ('&A' EQ 'B').LAB  REMARK");
        assert_eq!(f.operand, "('&A' EQ 'B').LAB");
    }

    #[test]
    fn bad_continuation_flagged() {
        let l1 = format!("{:<71}X", "         DC    A(1,");
        let st = read_source(&format!("{l1}\nXX             2)"), 0);
        assert!(st[0].bad_continuation);
    }
}
