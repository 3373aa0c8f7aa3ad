//! The logo screen a terminal shows when it connects and after LOGOFF or DISCONNECT:
//! `VM/370 ONLINE` on the first row and "VM/370" in block letters, each drawn with its
//! own character, in the middle of the output area.

const GLYPH_ROWS: usize = 7;

fn glyph(c: char) -> [&'static str; GLYPH_ROWS] {
    match c {
        'V' => ["V     V", "V     V", "V     V", " V   V ", " V   V ", "  V V  ", "   V   "],
        'M' => ["M     M", "MM   MM", "M M M M", "M  M  M", "M     M", "M     M", "M     M"],
        '/' => ["      /", "     / ", "    /  ", "   /   ", "  /    ", " /     ", "/      "],
        '3' => [" 33333 ", "3     3", "      3", "  3333 ", "      3", "3     3", " 33333 "],
        '7' => ["7777777", "     7 ", "    7  ", "   7   ", "  7    ", "  7    ", "  7    "],
        _ => [" 00000 ", "0     0", "0    00", "0  0  0", "00    0", "0     0", " 00000 "],
    }
}

/// The first row of the logo screen.
pub const ONLINE: &str = "VM/370 ONLINE";

/// The output-area rows of the logo screen for an area `rows` high and `cols` wide.
pub fn logo_rows(rows: usize, cols: usize) -> Vec<String> {
    let mut out = vec![ONLINE.to_string()];
    let word = "VM/370";
    let art: Vec<String> = (0..GLYPH_ROWS)
        .map(|r| {
            word.chars().map(|c| glyph(c)[r]).collect::<Vec<_>>().join("   ").trim_end().to_string()
        })
        .collect();
    let width = art.iter().map(|l| l.len()).max().unwrap_or(0);
    if rows < GLYPH_ROWS + 2 || cols < width {
        return out;
    }
    let top = (rows - GLYPH_ROWS) / 2;
    let indent = " ".repeat((cols - width) / 2);
    out.resize(top, String::new());
    out.extend(art.into_iter().map(|l| format!("{indent}{l}")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logo_is_centred_and_drawn_with_its_own_characters() {
        let rows = logo_rows(22, 80);
        assert_eq!(rows[0], "VM/370 ONLINE");
        assert_eq!(rows.len(), 7 + 7);
        let art = &rows[7..];
        assert!(art.iter().all(|l| l.chars().all(|c| " VM/370".contains(c))));
        assert!(art[0].starts_with("           V     V   M     M"));
        // Too small an area: just the title.
        assert_eq!(logo_rows(5, 40), vec!["VM/370 ONLINE".to_string()]);
    }
}
