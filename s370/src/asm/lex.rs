//! Lexical pieces shared by every parser: symbols, self-defining terms, quoted strings,
//! and splitting an operand field at its top-level commas. Built on nom.

use nom::IResult;
use nom::bytes::complete::take_while1;
use nom::error::{ErrorKind, ParseError};

use super::source::attr_quote;

/// A parse error: where (the unparsed rest of the input) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PErr<'a> {
    /// The input at the point of failure.
    pub input: &'a str,
    /// The message.
    pub msg: &'static str,
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PErr { input, msg: "INVALID SYNTAX" }
    }
    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

/// The result of every parser here.
pub(crate) type PResult<'a, T> = IResult<&'a str, T, PErr<'a>>;

/// A recoverable failure (alternatives may be tried).
pub(crate) fn soft<'a, T>(input: &'a str, msg: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PErr { input, msg }))
}

/// A committed failure (the input is wrong; stop).
pub(crate) fn hard<'a, T>(input: &'a str, msg: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Failure(PErr { input, msg }))
}

/// Unwraps a nom error into its (input, message).
pub(crate) fn perr<'a>(e: nom::Err<PErr<'a>>) -> PErr<'a> {
    match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => e,
        nom::Err::Incomplete(_) => PErr { input: "", msg: "INCOMPLETE" },
    }
}

/// How deeply parsers may nest (parentheses, unary operators, substitutions).
pub(crate) const MAX_NESTING: u32 = 100;

thread_local! {
    static NESTING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Proof that a parser is one level deeper; the level is given back when it drops.
#[derive(Debug)]
pub(crate) struct Nest(());

impl Drop for Nest {
    fn drop(&mut self) {
        NESTING.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Enters one more level of nesting, or `None` if that would be too deep.
pub(crate) fn nest() -> Option<Nest> {
    NESTING.with(|n| {
        if n.get() >= MAX_NESTING {
            None
        } else {
            n.set(n.get() + 1);
            Some(Nest(()))
        }
    })
}

/// Can `c` begin an ordinary symbol?
pub(crate) fn is_sym_start(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '$' | '#' | '@' | '_')
}

/// Can `c` continue an ordinary symbol?
pub(crate) fn is_sym_char(c: char) -> bool {
    is_sym_start(c) || c.is_ascii_digit()
}

/// The longest symbol the assembler accepts.
pub(crate) const MAX_SYMBOL: usize = 63;

/// An ordinary symbol (`LOOP`, `R12`, `$TEMP`), as written.
pub(crate) fn symbol(i: &str) -> PResult<'_, &str> {
    if !i.starts_with(is_sym_start) {
        return soft(i, "EXPECTED A SYMBOL");
    }
    let (rest, s) = take_while1(is_sym_char)(i)?;
    if s.len() > MAX_SYMBOL {
        return hard(i, "SYMBOL TOO LONG");
    }
    Ok((rest, s))
}

/// Is `s` exactly an ordinary symbol?
pub(crate) fn is_symbol(s: &str) -> bool {
    matches!(symbol(s), Ok(("", _)))
}

/// The body of a quoted string starting at `i` (which begins with the quote): returns the
/// raw text between the quotes (doubled quotes left doubled) and the rest after the
/// closing quote.
pub(crate) fn quoted(i: &str) -> PResult<'_, &str> {
    let Some(body) = i.strip_prefix('\'') else {
        return soft(i, "EXPECTED A QUOTE");
    };
    let b = body.as_bytes();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'\'' {
            if b.get(k + 1) == Some(&b'\'') {
                k += 2;
                continue;
            }
            return Ok((&body[k + 1..], &body[..k]));
        }
        k += 1;
    }
    hard(i, "MISSING CLOSING QUOTE")
}

/// The characters a C-type string stands for: `''` is one quote and `&&` one ampersand.
pub(crate) fn char_string(raw: &str) -> String {
    raw.replace("''", "'").replace("&&", "&")
}

/// A decimal self-defining term.
pub(crate) fn decimal(i: &str) -> PResult<'_, i64> {
    let (rest, d) = take_while1(|c: char| c.is_ascii_digit())(i)?;
    match d.parse::<i64>() {
        Ok(v) if v <= i64::from(i32::MAX) => Ok((rest, v)),
        _ => hard(i, "SELF-DEFINING TERM TOO LARGE"),
    }
}

/// A self-defining term: decimal, `X'hex'`, `B'bits'` or `C'chars'` (at most four
/// characters, taking their EBCDIC value).
pub(crate) fn self_defining(i: &str) -> PResult<'_, i64> {
    if i.starts_with(|c: char| c.is_ascii_digit()) {
        return decimal(i);
    }
    let mut it = i.chars();
    let (Some(t), Some('\'')) = (it.next(), it.next()) else {
        return soft(i, "EXPECTED A SELF-DEFINING TERM");
    };
    let t = t.to_ascii_uppercase();
    if !matches!(t, 'X' | 'B' | 'C') {
        return soft(i, "EXPECTED A SELF-DEFINING TERM");
    }
    let (rest, body) = quoted(&i[1..])?;
    let v = match t {
        'X' => {
            if body.is_empty() || !body.chars().all(|c| c.is_ascii_hexdigit()) {
                return hard(i, "INVALID HEXADECIMAL TERM");
            }
            let digits = body.trim_start_matches('0');
            if digits.len() > 8 {
                return hard(i, "SELF-DEFINING TERM TOO LARGE");
            }
            i64::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16).unwrap_or(0)
        }
        'B' => {
            if body.is_empty() || !body.chars().all(|c| c == '0' || c == '1') {
                return hard(i, "INVALID BINARY TERM");
            }
            let digits = body.trim_start_matches('0');
            if digits.len() > 32 {
                return hard(i, "SELF-DEFINING TERM TOO LARGE");
            }
            i64::from_str_radix(if digits.is_empty() { "0" } else { digits }, 2).unwrap_or(0)
        }
        _ => {
            let s = char_string(body);
            let n = s.chars().count();
            if n == 0 {
                return hard(i, "EMPTY CHARACTER TERM");
            }
            if n > 4 {
                return hard(i, "SELF-DEFINING TERM TOO LARGE");
            }
            crate::ebcdic::from_str(&s).iter().fold(0i64, |a, b| a << 8 | i64::from(*b))
        }
    };
    Ok((rest, v))
}

/// Splits an operand field at its top-level commas (outside parentheses and quotes).
/// Returns each operand's byte range in `s`.
pub(crate) fn split_top(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut start, mut k) = (0i32, 0usize, 0usize);
    while k < b.len() {
        match b[k] {
            b'\'' if !attr_quote(s, k) => {
                // Skip the string, doubled quotes included.
                k += 1;
                while k < b.len() {
                    if b[k] == b'\'' {
                        if b.get(k + 1) == Some(&b'\'') {
                            k += 1;
                        } else {
                            break;
                        }
                    }
                    k += 1;
                }
            }
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 => {
                out.push((start, k));
                start = k + 1;
            }
            _ => {}
        }
        k += 1;
    }
    out.push((start, s.len()));
    out
}

/// Parses all of `i` with `p`, failing if anything is left over.
pub(crate) fn all<'a, T>(
    i: &'a str,
    mut p: impl FnMut(&'a str) -> PResult<'a, T>,
) -> Result<T, PErr<'a>> {
    match p(i) {
        Ok(("", v)) => Ok(v),
        Ok((rest, _)) => Err(PErr { input: rest, msg: "UNEXPECTED TEXT" }),
        Err(e) => Err(perr(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_defining_terms() {
        assert_eq!(self_defining("X'FF'+1"), Ok(("+1", 255)));
        assert_eq!(self_defining("B'1010'"), Ok(("", 10)));
        assert_eq!(self_defining("C'A'"), Ok(("", 0xC1)));
        assert_eq!(self_defining("C''''"), Ok(("", 0x7D)));
        assert_eq!(self_defining("C'&&'"), Ok(("", 0x50)));
        assert_eq!(self_defining("4095"), Ok(("", 4095)));
        assert!(self_defining("X'G'").is_err());
        assert!(self_defining("X'123456789'").is_err());
        assert!(self_defining("C'ABCDE'").is_err());
        assert_eq!(self_defining("X'0000000001'"), Ok(("", 1)));
    }

    #[test]
    fn splitting_respects_quotes_parens_and_attributes() {
        let s = "A(1,2),C'X,Y',L'Z,=C'Q'";
        let parts: Vec<&str> = split_top(s).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(parts, ["A(1,2)", "C'X,Y'", "L'Z", "=C'Q'"]);
        let s = "";
        assert_eq!(split_top(s), [(0, 0)]);
    }

    #[test]
    fn symbols() {
        assert_eq!(symbol("R12,X"), Ok((",X", "R12")));
        assert!(symbol("1AB").is_err());
        assert!(is_symbol("$A#@_9"));
        assert!(!is_symbol("A+B"));
    }
}
