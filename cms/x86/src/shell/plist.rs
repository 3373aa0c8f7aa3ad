//! The CMS command line as commands see it: tokens of at most 8 characters (`(` and `)` are
//! tokens of their own), operands before the `(`, options after it (commands.md §5.3).

use alloc::string::String;
use alloc::vec::Vec;

/// Splits a line into tokens: blanks separate, `(` and `)` stand alone, each token is cut to
/// 8 characters.
pub fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(cut8(cur));
            cur.clear();
        }
    };
    for c in line.chars() {
        match c {
            ' ' => flush(&mut cur, &mut out),
            '(' | ')' => {
                flush(&mut cur, &mut out);
                out.push(String::from(c));
            }
            _ => cur.push(c),
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// The first 8 characters of `s`.
pub fn cut8(s: &str) -> String {
    s.chars().take(8).collect()
}

/// Operands (before `(`) and options (after it; a `)` is ignored).
pub fn split(args: &[String]) -> (Vec<String>, Vec<String>) {
    match args.iter().position(|t| t == "(") {
        Some(p) => {
            let opts = args[p + 1..].iter().filter(|t| *t != ")").cloned().collect();
            (args[..p].to_vec(), opts)
        }
        None => (args.to_vec(), Vec::new()),
    }
}

/// Whether `word` is `full` abbreviated to at least `min` characters.
pub fn abbrev(word: &str, full: &str, min: usize) -> bool {
    word.len() >= min && word.len() <= full.len() && full.starts_with(word)
}

/// A decimal number (no sign), as operands give them.
pub fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A device address `cuu`: 1-3 hexadecimal digits, 001-FFF.
pub fn cuu(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 3 {
        return None;
    }
    let v = u16::from_str_radix(s, 16).ok()?;
    (v != 0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cut_and_parens() {
        let t = tokens("LISTFILE LONGFILENAME EXEC(LABEL)");
        assert_eq!(t, ["LISTFILE", "LONGFILE", "EXEC", "(", "LABEL", ")"]);
        let (ops, opts) = split(&t[1..]);
        assert_eq!(ops, ["LONGFILE", "EXEC"]);
        assert_eq!(opts, ["LABEL"]);
        assert!(abbrev("L", "LISTFILE", 1) && !abbrev("LISTFILES", "LISTFILE", 1));
        assert_eq!(cuu("19e".to_uppercase().as_str()), Some(0x19E));
        assert_eq!(cuu("1000"), None);
        assert_eq!(number("12"), Some(12));
        assert_eq!(number("-1"), None);
    }
}
