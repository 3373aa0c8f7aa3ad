//! Splitting a CP command line into tokens, as CP does: blank-delimited words, upper-cased
//! (except where a command takes text as typed, like MSG), with helpers for the operand
//! kinds CP commands take (hex addresses, spool ids, storage sizes).

/// A command line being taken apart.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    /// Starts at the beginning of `line`.
    pub fn new(line: &'a str) -> Tokens<'a> {
        Tokens { rest: line }
    }

    /// The next blank-delimited word, upper-cased.
    pub fn next_upper(&mut self) -> Option<String> {
        self.next_raw().map(|w| w.to_ascii_uppercase())
    }

    /// The next blank-delimited word as typed.
    pub fn next_raw(&mut self) -> Option<&'a str> {
        let s = self.rest.trim_start();
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        let end = s.find(' ').unwrap_or(s.len());
        let (w, r) = s.split_at(end);
        self.rest = r;
        Some(w)
    }

    /// The next word, upper-cased, without consuming it.
    pub fn peek_upper(&self) -> Option<String> {
        self.clone().next_upper()
    }

    /// Everything not yet taken, with leading blanks removed, as typed.
    pub fn remainder(&self) -> &'a str {
        self.rest.trim_start()
    }

    /// Are there more words?
    pub fn has_more(&self) -> bool {
        !self.rest.trim().is_empty()
    }
}

/// Parses a hexadecimal value of at most `max_digits` digits.
pub fn hex(word: &str, max_digits: usize) -> Option<u32> {
    if word.is_empty() || word.len() > max_digits {
        return None;
    }
    u32::from_str_radix(word, 16).ok()
}

/// Parses a virtual device address (`191`, `00C`, `0191`): up to four hex digits.
pub fn vaddr(word: &str) -> Option<u16> {
    hex(word, 4).and_then(|v| u16::try_from(v).ok())
}

/// Parses a storage size: `nnnK` or `nM` (or a plain number of bytes, a multiple of 4K).
pub fn storage_size(word: &str) -> Option<u32> {
    let w = word.to_ascii_uppercase();
    let (num, mult) = match w.as_bytes().last()? {
        b'K' => (&w[..w.len() - 1], 1024u64),
        b'M' => (&w[..w.len() - 1], 1024 * 1024),
        _ => (&w[..], 1),
    };
    let n: u64 = num.parse().ok()?;
    let bytes = n.checked_mul(mult)?;
    u32::try_from(bytes).ok().filter(|&b| b > 0)
}

/// Formats a storage size the way CP writes it (`STORAGE = 01024K`).
pub fn format_storage(bytes: u64) -> String {
    format!("{:05}K", bytes / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let mut t = Tokens::new("  msg   bob  Hello There ");
        assert_eq!(t.next_upper().as_deref(), Some("MSG"));
        assert_eq!(t.next_upper().as_deref(), Some("BOB"));
        assert_eq!(t.remainder(), "Hello There ");
        assert_eq!(t.peek_upper().as_deref(), Some("HELLO"));
        assert_eq!(t.next_raw(), Some("Hello"));
        assert_eq!(t.next_raw(), Some("There"));
        assert!(!t.has_more());
        assert_eq!(t.next_raw(), None);
    }

    #[test]
    fn operands() {
        assert_eq!(vaddr("191"), Some(0x191));
        assert_eq!(vaddr("00c"), Some(0xC));
        assert_eq!(vaddr("12345"), None);
        assert_eq!(vaddr("XYZ"), None);
        assert_eq!(storage_size("2m"), Some(2 << 20));
        assert_eq!(storage_size("512K"), Some(512 << 10));
        assert_eq!(storage_size("0K"), None);
        assert_eq!(storage_size("99999999999M"), None);
        assert_eq!(format_storage(1 << 20), "01024K");
    }
}
