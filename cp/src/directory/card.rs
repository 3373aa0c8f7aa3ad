//! Card images and operand scanning, shared by the directory and configuration parsers.
//!
//! A file is a sequence of card images: blank-delimited tokens whose columns are remembered
//! for error messages. The directory reads columns 1-71 only (72 is the continuation column
//! and 73-80 the sequence field, both ignored — PSG p.230); the configuration file reads the
//! whole line. A card whose first token starts with `*` is a comment, a blank card is skipped.
//!
//! Operand scanners are small nom parsers applied to one token and required to consume all of
//! it; each returns `None` when the token is not of its kind, and the statement parser turns
//! that into an `INVALID OPERAND` error naming what was expected.

use nom::bytes::complete::{take_till1, take_while, take_while_m_n};
use nom::character::complete::one_of;
use nom::combinator::{all_consuming, map_res};
use nom::sequence::preceded;
use nom::{IResult, Offset, Parser};

/// One blank-delimited token of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The token text, as written.
    pub text: &'a str,
    /// 1-based column (in characters) of its first character.
    pub column: usize,
    /// Byte offset of its first character in the card text.
    start: usize,
}

/// One significant card: its line number, the inspected text and its tokens (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Card<'a> {
    /// 1-based line number in the file.
    pub line: usize,
    /// The inspected part of the line.
    pub text: &'a str,
    /// The tokens; the first is the statement keyword.
    pub tokens: Vec<Token<'a>>,
    /// The column just after the last inspected character (where a missing operand would go).
    pub end_column: usize,
}

impl<'a> Card<'a> {
    /// The text from token `index` to the end of the card, trailing blanks removed
    /// (for free text such as `IPL ... PARM text` or `LOGMSG text`).
    pub fn rest_from(&self, index: usize) -> &'a str {
        match self.tokens.get(index) {
            Some(t) => self.text[t.start..].trim_end(),
            None => "",
        }
    }

    /// The statement keyword, upper case.
    pub fn keyword(&self) -> String {
        self.tokens[0].text.to_ascii_uppercase()
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace()
}

/// Next token: skip blanks, take non-blanks.
fn token(input: &str) -> IResult<&str, &str> {
    preceded(take_while(is_blank), take_till1(is_blank)).parse(input)
}

/// Split a line into tokens with their columns.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut column = 1;
    let mut counted_to = 0; // byte offset up to which `column` has been advanced
    while let Ok((next, tok)) = token(rest) {
        let start = text.offset(tok);
        column += text[counted_to..start].chars().count();
        out.push(Token { text: tok, column, start });
        column += tok.chars().count();
        counted_to = start + tok.len();
        rest = next;
    }
    out
}

/// The significant cards of `text`. `width` limits the inspected columns (71 for the
/// directory); `None` reads whole lines.
pub(crate) fn cards(text: &str, width: Option<usize>) -> Vec<Card<'_>> {
    let mut out = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let inspected = match width.and_then(|w| raw.char_indices().nth(w)) {
            Some((cut, _)) => &raw[..cut],
            None => raw,
        };
        let toks = tokens(inspected);
        let Some(first) = toks.first() else { continue };
        if first.text.starts_with('*') {
            continue;
        }
        let end_column = inspected.trim_end().chars().count() + 2;
        out.push(Card { line: index + 1, text: inspected, tokens: toks, end_column });
    }
    out
}

/// A virtual or real device address: one to three hex digits (`9`, `00C`, `191`).
pub(crate) fn hex_address(s: &str) -> Option<u16> {
    let r: IResult<&str, u16> =
        all_consuming(map_res(take_while_m_n(1, 3, |c: char| c.is_ascii_hexdigit()), |h: &str| {
            u16::from_str_radix(h, 16)
        }))
        .parse(s);
    r.ok().map(|(_, v)| v)
}

/// Exactly `digits` hex digits (e.g. the six of `OPTION CPUID`).
pub(crate) fn hex_exact(s: &str, digits: usize) -> Option<u32> {
    let r: IResult<&str, u32> = all_consuming(map_res(
        take_while_m_n(digits, digits, |c: char| c.is_ascii_hexdigit()),
        |h: &str| u32::from_str_radix(h, 16),
    ))
    .parse(s);
    r.ok().map(|(_, v)| v)
}

/// A decimal number of one to `max_digits` digits.
pub(crate) fn decimal(s: &str, max_digits: usize) -> Option<u32> {
    let r: IResult<&str, u32> = all_consuming(map_res(
        take_while_m_n(1, max_digits.min(9), |c: char| c.is_ascii_digit()),
        str::parse::<u32>,
    ))
    .parse(s);
    r.ok().map(|(_, v)| v)
}

/// A storage size `nnnK` or `nnM`, in bytes.
pub(crate) fn storage(s: &str) -> Option<u32> {
    let r: IResult<&str, (&str, char)> =
        all_consuming((take_while_m_n(1, 7, |c: char| c.is_ascii_digit()), one_of("KkMm")))
            .parse(s);
    let (_, (digits, unit)) = r.ok()?;
    let n: u32 = digits.parse().ok()?;
    let scale = if unit.eq_ignore_ascii_case(&'K') { 1024 } else { 1024 * 1024 };
    n.checked_mul(scale)
}

/// A name of 1 to `max_len` characters drawn from `allowed`, returned upper case.
pub(crate) fn name(s: &str, max_len: usize, allowed: fn(char) -> bool) -> Option<String> {
    let r: IResult<&str, &str> = all_consuming(take_while_m_n(1, max_len, allowed)).parse(s);
    r.ok().map(|(_, v)| v.to_ascii_uppercase())
}

/// Characters of user ids and account numbers: letters, digits, `$ # @`.
pub(crate) fn userid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '$' | '#' | '@')
}

/// Characters of volume serials: as user ids, plus `-` (`VM50-1`).
pub(crate) fn volser_char(c: char) -> bool {
    userid_char(c) || c == '-'
}

/// Characters of passwords: any printable, non-blank ASCII character.
pub(crate) fn password_char(c: char) -> bool {
    c.is_ascii_graphic()
}

/// A single non-blank character (line-edit symbols such as `#` or `¢`).
pub(crate) fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Case-insensitive keyword match.
pub(crate) fn is_keyword(s: &str, keywords: &[&str]) -> bool {
    keywords.iter().any(|k| s.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_columns() {
        let c = cards(" MDISK   191 3350 001 115 VM50U0 MR", Some(71));
        assert_eq!(c.len(), 1);
        let cols: Vec<_> = c[0].tokens.iter().map(|t| (t.text, t.column)).collect();
        assert_eq!(
            cols,
            [
                ("MDISK", 2),
                ("191", 10),
                ("3350", 14),
                ("001", 19),
                ("115", 23),
                ("VM50U0", 27),
                ("MR", 34)
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let c = cards("USER A B 1M 1M G 50 # ¢ @ X", None);
        let at: Vec<_> = c[0].tokens.iter().map(|t| t.column).collect();
        assert_eq!(at, [1, 6, 8, 10, 13, 16, 18, 21, 23, 25, 27]);
    }

    #[test]
    fn only_columns_1_to_71_are_read() {
        let line = format!("{:<71}SEQ00010", "USER MAINT CPCMS");
        let c = cards(&line, Some(71));
        assert_eq!(c[0].tokens.len(), 3);
        // Token straddling column 71/72 is cut at 71.
        let line = format!("{}ABCDEF", " ".repeat(68));
        let c = cards(&line, Some(71));
        assert_eq!(c[0].tokens[0].text, "ABC");
        assert_eq!(c[0].tokens[0].column, 69);
        let c = cards(&line, None);
        assert_eq!(c[0].tokens[0].text, "ABCDEF");
    }

    #[test]
    fn comments_and_blank_cards_are_skipped() {
        let c = cards("* comment\n\n   \n *DEDICATE 041 041\nUSER X Y\r\n", Some(71));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].line, 5);
        assert_eq!(c[0].tokens[2].text, "Y");
    }

    #[test]
    fn rest_from_keeps_inner_blanks() {
        let c = cards(" IPL CMS PARM  AUTOCR  SEG=X   ", None);
        assert_eq!(c[0].rest_from(3), "AUTOCR  SEG=X");
        assert_eq!(c[0].rest_from(9), "");
    }

    #[test]
    fn operand_scanners() {
        assert_eq!(hex_address("00C"), Some(0x00C));
        assert_eq!(hex_address("c"), Some(0xC));
        assert_eq!(hex_address("1000"), None);
        assert_eq!(hex_address("19G"), None);
        assert_eq!(hex_address(""), None);
        assert_eq!(hex_exact("000611", 6), Some(0x611));
        assert_eq!(hex_exact("0611", 6), None);
        assert_eq!(decimal("050", 3), Some(50));
        assert_eq!(decimal("5x", 3), None);
        assert_eq!(decimal("1234", 3), None);
        assert_eq!(storage("512K"), Some(512 * 1024));
        assert_eq!(storage("15m"), Some(15 << 20));
        assert_eq!(storage("9999999M"), None);
        assert_eq!(storage("15"), None);
        assert_eq!(storage("M"), None);
        assert_eq!(name("maint", 8, userid_char).as_deref(), Some("MAINT"));
        assert_eq!(name("$ALLOC$", 8, userid_char).as_deref(), Some("$ALLOC$"));
        assert_eq!(name("TOOLONGID", 8, userid_char), None);
        assert_eq!(name("VM50-1", 6, volser_char).as_deref(), Some("VM50-1"));
        assert_eq!(single_char("¢"), Some('¢'));
        assert_eq!(single_char("ab"), None);
        assert!(is_keyword("reader", &["READER", "READ"]));
    }
}
