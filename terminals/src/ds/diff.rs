//! Turning one screen into another with the fewest bytes: the orders of a Write that
//! repaints only the positions that differ.

use super::attr::ExtAttr;
use super::{Command, Outbound, Screen, Wcc};

/// Positions cheaper to resend than to skip with a new SBA (which costs three bytes).
const GAP: usize = 3;

/// Appends to `out` the orders that make a terminal showing `from` show `to`. Both must
/// have the same size. Returns false when they are already equal.
pub fn write_diff(out: &mut Outbound, from: &Screen, to: &Screen) -> bool {
    let (a, b) = (from.cells(), to.cells());
    debug_assert_eq!(a.len(), b.len(), "screens of different sizes");
    let n = a.len().min(b.len());
    let mut wrote = false;
    let mut i = 0;
    let mut char_attr = ExtAttr::default();
    while i < n {
        if a[i] == b[i] {
            i += 1;
            continue;
        }
        // A run of differences, extended across small gaps of equal cells.
        let start = i;
        let mut end = i + 1;
        let mut k = end;
        while k < n && k - end <= GAP {
            if a[k] != b[k] {
                end = k + 1;
            }
            k += 1;
        }
        out.sba_addr(start as u16);
        for cell in &b[start..end] {
            match cell.field {
                Some(attr) if cell.ext.is_default() => {
                    out.sf(attr);
                }
                Some(attr) => {
                    out.sfe(attr, &cell.ext);
                }
                None => {
                    if cell.ext != char_attr {
                        out.sa(0x00, 0x00);
                        for (t, v) in cell.ext.pairs() {
                            out.sa(t, v);
                        }
                        char_attr = cell.ext;
                    }
                    if cell.ge {
                        out.ge(cell.ch);
                    } else {
                        out.raw(&[cell.ch]);
                    }
                }
            }
        }
        wrote = true;
        i = end;
    }
    wrote
}

/// An Erase/Write (Erase/Write Alternate when `to` is not the default size) that paints
/// `to` on a terminal whatever it showed before.
pub fn full_write(to: &Screen, wcc: Wcc) -> Outbound {
    let cmd = if to.size() == super::ScreenSize::DEFAULT {
        Command::EraseWrite
    } else {
        Command::EraseWriteAlternate
    };
    let mut out = Outbound::write(cmd, wcc, to.size());
    let mut blank = to.clone();
    blank.erase(to.size());
    write_diff(&mut out, &blank, to);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Color, FieldAttr, ScreenSize, attr::xa};
    use super::*;
    use proptest::prelude::*;

    fn screen_from(ops: &[(u16, u8, u8)], alt: bool) -> Screen {
        let size = if alt { ScreenSize::new(27, 132) } else { ScreenSize::DEFAULT };
        let mut s = Screen::new(size);
        s.erase(size);
        let n = size.cells();
        for &(addr, kind, v) in ops {
            let c = &mut s.cells_mut()[usize::from(addr) % n];
            match kind % 4 {
                0 => {
                    c.field = Some(FieldAttr::new(v));
                    c.ch = 0;
                }
                1 => {
                    c.field = None;
                    c.ch = v.max(0x40);
                }
                2 => {
                    c.field = None;
                    c.ch = v.max(0x40);
                    c.ext.set(xa::FOREGROUND, 0xF1 + v % 7);
                }
                _ => *c = Default::default(),
            }
        }
        s
    }

    proptest! {
        #[test]
        fn applying_the_diff_reproduces_the_target(
            a in proptest::collection::vec((0u16..3564, 0u8..4, any::<u8>()), 0..60),
            b in proptest::collection::vec((0u16..3564, 0u8..4, any::<u8>()), 0..60),
            alt in any::<bool>(),
        ) {
            let from = screen_from(&a, alt);
            let to = screen_from(&b, alt);
            let mut out = Outbound::write(Command::Write, Wcc::default(), to.size());
            write_diff(&mut out, &from, &to);
            let mut t = from.clone();
            t.apply(&out.finish()).expect("our own write is valid");
            prop_assert_eq!(t.cells(), to.cells());

            let mut fresh = Screen::new(to.alternate());
            fresh.apply(&full_write(&to, Wcc::default()).finish()).expect("valid");
            prop_assert_eq!(fresh.cells(), to.cells());
        }
    }

    #[test]
    fn equal_screens_need_nothing() {
        let s = screen_from(&[(5, 1, 0xC1)], false);
        let mut out = Outbound::write(Command::Write, Wcc::default(), s.size());
        assert!(!write_diff(&mut out, &s, &s.clone()));
        assert!(out.is_empty());
        let mut t = s.clone();
        t.cells_mut()[7].ext.foreground = Color::Red;
        assert!(write_diff(&mut out, &s, &t));
    }
}
