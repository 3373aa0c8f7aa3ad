//! Variable symbols: SET symbols (SETA, SETB, SETC; local or global; scalar or
//! subscripted), symbolic parameters, and the scope a macro expansion runs in.

use std::collections::{BTreeMap, HashMap, HashSet};

/// The value of a SET symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SetVal {
    /// SETA: a 32-bit signed integer.
    A(i32),
    /// SETB: 0 or 1.
    B(bool),
    /// SETC: a character string.
    C(String),
}

impl SetVal {
    /// The value as substituted into a model statement. A negative SETA value is substituted
    /// without its sign, as the IBM assemblers do.
    pub fn to_text(&self) -> String {
        match self {
            SetVal::A(v) => v.unsigned_abs().to_string(),
            SetVal::B(b) => if *b { "1" } else { "0" }.to_string(),
            SetVal::C(s) => s.clone(),
        }
    }
}

/// The type of a SET symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetKind {
    /// Arithmetic.
    A,
    /// Binary.
    B,
    /// Character.
    C,
}

impl SetKind {
    /// The kind named by the last letter of LCLx/GBLx/SETx.
    pub fn from_letter(c: char) -> Option<SetKind> {
        match c {
            'A' => Some(SetKind::A),
            'B' => Some(SetKind::B),
            'C' => Some(SetKind::C),
            _ => None,
        }
    }

    /// The initial value: 0, 0 or the null string.
    pub fn initial(self) -> SetVal {
        match self {
            SetKind::A => SetVal::A(0),
            SetKind::B => SetVal::B(false),
            SetKind::C => SetVal::C(String::new()),
        }
    }
}

/// The largest subscript a SET symbol may have.
pub(crate) const MAX_SUBSCRIPT: i32 = 32767;

/// A SET symbol.
#[derive(Debug, Clone)]
pub(crate) struct SetVar {
    /// Its type.
    pub kind: SetKind,
    /// Declared with a dimension.
    pub array: bool,
    /// The value of a scalar.
    pub scalar: SetVal,
    /// The elements of an array that have been set.
    pub elems: BTreeMap<i32, SetVal>,
}

impl SetVar {
    /// A new symbol with its initial value.
    pub fn new(kind: SetKind, array: bool) -> SetVar {
        SetVar { kind, array, scalar: kind.initial(), elems: BTreeMap::new() }
    }

    /// Reads the symbol (`idx` for an array element).
    pub fn get(&self, idx: Option<i32>) -> Result<SetVal, String> {
        match (self.array, idx) {
            (false, None) => Ok(self.scalar.clone()),
            (true, Some(i)) if (1..=MAX_SUBSCRIPT).contains(&i) => {
                Ok(self.elems.get(&i).cloned().unwrap_or_else(|| self.kind.initial()))
            }
            (true, Some(_)) => Err("SUBSCRIPT OUT OF RANGE".into()),
            (true, None) => Err("SUBSCRIPT REQUIRED".into()),
            (false, Some(_)) => Err("SUBSCRIPT ON A SCALAR SET SYMBOL".into()),
        }
    }

    /// Sets the symbol, converting the value to its type.
    pub fn set(&mut self, idx: Option<i32>, v: SetVal) -> Result<(), String> {
        let v = convert(self.kind, v)?;
        match (self.array, idx) {
            (false, None) => self.scalar = v,
            (true, Some(i)) if (1..=MAX_SUBSCRIPT).contains(&i) => {
                self.elems.insert(i, v);
            }
            (true, Some(_)) => return Err("SUBSCRIPT OUT OF RANGE".into()),
            (true, None) => return Err("SUBSCRIPT REQUIRED".into()),
            (false, Some(_)) => return Err("SUBSCRIPT ON A SCALAR SET SYMBOL".into()),
        }
        Ok(())
    }

    /// N' of an array: the highest subscript set.
    pub fn count(&self) -> i32 {
        self.elems.keys().next_back().copied().unwrap_or(0)
    }
}

/// Converts a value to a SET symbol type.
pub(crate) fn convert(kind: SetKind, v: SetVal) -> Result<SetVal, String> {
    Ok(match (kind, v) {
        (SetKind::A, SetVal::A(a)) => SetVal::A(a),
        (SetKind::A, SetVal::B(b)) => SetVal::A(i32::from(b)),
        (SetKind::A, SetVal::C(s)) => SetVal::A(char_to_arith(&s)?),
        (SetKind::B, SetVal::B(b)) => SetVal::B(b),
        (SetKind::B, SetVal::A(a)) => SetVal::B(a != 0),
        (SetKind::B, SetVal::C(s)) => match s.as_str() {
            "0" => SetVal::B(false),
            "1" => SetVal::B(true),
            _ => return Err(format!("'{s}' IS NOT A BINARY VALUE")),
        },
        (SetKind::C, SetVal::C(s)) => SetVal::C(s),
        (SetKind::C, SetVal::A(a)) => SetVal::C(a.to_string()),
        (SetKind::C, SetVal::B(b)) => SetVal::C(if b { "1" } else { "0" }.into()),
    })
}

/// The arithmetic value of a character string: a self-defining term (optionally signed).
pub(crate) fn char_to_arith(s: &str) -> Result<i32, String> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    match crate::asm::lex::self_defining(body) {
        Ok(("", v)) => {
            let v = i32::try_from(v).unwrap_or(v as u32 as i32);
            Ok(if neg { v.wrapping_neg() } else { v })
        }
        _ if s.is_empty() => Ok(0),
        _ => Err(format!("'{s}' IS NOT A SELF-DEFINING TERM")),
    }
}

/// The type and length attributes of an ordinary symbol, as the macro phase knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SymAttr {
    /// Type attribute (T').
    pub typ: char,
    /// Length attribute (L').
    pub len: u32,
}

/// System variable symbols' values for one assembly.
#[derive(Debug, Clone, Default)]
pub(crate) struct SysVals {
    /// &SYSECT: the current control section's name.
    pub sysect: String,
    /// &SYSPARM.
    pub sysparm: String,
    /// &SYSDATE (MM/DD/YY).
    pub sysdate: String,
    /// &SYSTIME (HH.MM).
    pub systime: String,
}

/// Where variable symbols are looked up: one macro expansion, or open code.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// Local SET symbols.
    pub locals: HashMap<String, SetVar>,
    /// Global SET symbols declared in this scope.
    pub globals: HashSet<String>,
    /// Symbolic parameters (names without `&`, upper case) and their values.
    pub params: HashMap<String, String>,
    /// &SYSLIST: the name field, then the positional operands.
    pub syslist: Vec<String>,
    /// &SYSNDX of this expansion.
    pub sysndx: u32,
    /// The macro's name (empty in open code).
    pub macro_name: String,
    /// The ACTR branch counter.
    pub actr: i64,
}

/// The default ACTR limit.
pub(crate) const DEFAULT_ACTR: i64 = 4096;

/// Splits a sublist `(a,b,c)` into its elements; `None` if `v` is not a sublist.
pub(crate) fn sublist(v: &str) -> Option<Vec<String>> {
    if !v.starts_with('(') || !v.ends_with(')') || v.len() < 2 {
        return None;
    }
    // The opening parenthesis must close at the very end.
    let inner = &v[1..v.len() - 1];
    let mut depth = 0i32;
    let b = inner.as_bytes();
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'\'' if !crate::asm::source::attr_quote(inner, k) => {
                k += 1;
                while k < b.len() && b[k] != b'\'' {
                    k += 1;
                }
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
        k += 1;
    }
    let parts = crate::asm::lex::split_top(inner);
    Some(parts.iter().map(|&(a, b)| inner[a..b].to_string()).collect())
}

/// Element `n` (1-based) of a value taken as a sublist: a value that is not a sublist is
/// its own first element.
pub(crate) fn sublist_elem(v: &str, n: i32) -> String {
    match sublist(v) {
        Some(items) => {
            usize::try_from(n - 1).ok().and_then(|i| items.get(i).cloned()).unwrap_or_default()
        }
        None if n == 1 => v.to_string(),
        None => String::new(),
    }
}

/// N' of a value: its number of sublist elements (1 for a plain value, 0 if omitted).
pub(crate) fn sublist_count(v: &str) -> i32 {
    match sublist(v) {
        Some(items) => items.len() as i32,
        None if v.is_empty() => 0,
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sublists() {
        assert_eq!(sublist("(A,B,(C,D))"), Some(vec!["A".into(), "B".into(), "(C,D)".into()]));
        assert_eq!(sublist("(A)+(B)"), None);
        assert_eq!(sublist("A"), None);
        assert_eq!(sublist_elem("(A,B)", 2), "B");
        assert_eq!(sublist_elem("X", 1), "X");
        assert_eq!(sublist_elem("X", 2), "");
        assert_eq!(sublist_count(""), 0);
        assert_eq!(sublist_count("(1,2,3)"), 3);
        assert_eq!(sublist_count("0(R1)"), 1);
    }

    #[test]
    fn set_symbols() {
        let mut v = SetVar::new(SetKind::A, true);
        v.set(Some(3), SetVal::C("X'10'".into())).unwrap();
        assert_eq!(v.get(Some(3)), Ok(SetVal::A(16)));
        assert_eq!(v.get(Some(1)), Ok(SetVal::A(0)));
        assert_eq!(v.count(), 3);
        assert!(v.get(None).is_err());
        assert!(v.set(Some(0), SetVal::A(1)).is_err());
        assert_eq!(SetVal::A(-5).to_text(), "5");
        assert_eq!(char_to_arith("-12"), Ok(-12));
        assert!(char_to_arith("ABC").is_err());
    }
}
