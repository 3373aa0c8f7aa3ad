//! CMS macro libraries (`fn MACLIB`): 80-byte EBCDIC records. Record 1 is the header
//! (`LIBPDS`, then the member count and the directory's record number as fullwords in the
//! "new" layout); each member's records end with a delimiter record starting X'61FFFF61';
//! the directory holds 16-byte entries (8-byte name, 4 bytes of flags, the fullword record
//! number where the member starts). When the directory cannot be read, a member that is a
//! macro definition is found by its prototype's operation field.

use crate::ebcdic;

const DELIM: [u8; 4] = [0x61, 0xFF, 0xFF, 0x61];

/// The members of a MACLIB: (name, source text).
pub(crate) fn members(bytes: &[u8]) -> Vec<(String, String)> {
    let recs: Vec<&[u8]> = bytes.chunks_exact(80).collect();
    if recs.is_empty() || ebcdic::to_string(&recs[0][..6]) != "LIBPDS" {
        return Vec::new();
    }
    let dir_item =
        u32::from_be_bytes([recs[0][12], recs[0][13], recs[0][14], recs[0][15]]) as usize;
    let end = if (2..=recs.len()).contains(&dir_item) { dir_item - 1 } else { recs.len() };
    // Members: (first record number, 1-based; text).
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut start = 1;
    let mut text = String::new();
    for (i, r) in recs.iter().enumerate().take(end).skip(1) {
        if r[..4] == DELIM {
            if !text.is_empty() {
                found.push((start + 1, std::mem::take(&mut text)));
            }
            start = i + 1;
            continue;
        }
        text.push_str(ebcdic::to_string(r).trim_end());
        text.push('\n');
    }
    let mut names: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    if end < recs.len() {
        for r in &recs[end..] {
            for e in r.chunks_exact(16) {
                let item = u32::from_be_bytes([e[12], e[13], e[14], e[15]]) as usize;
                let name = ebcdic::to_string(&e[..8]).trim_end().to_string();
                if item != 0 && !name.is_empty() && name.chars().all(|c| c.is_ascii_graphic()) {
                    names.insert(item, name);
                }
            }
        }
    }
    found
        .into_iter()
        .filter_map(|(item, text)| {
            let name = names.get(&item).cloned().or_else(|| prototype_name(&text))?;
            Some((name, text))
        })
        .collect()
}

/// The member `name` of a MACLIB.
pub(crate) fn member(bytes: &[u8], name: &str) -> Option<String> {
    members(bytes).into_iter().find(|(n, _)| n == name).map(|(_, t)| t)
}

fn prototype_name(text: &str) -> Option<String> {
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('*') && !l.starts_with(".*") && !l.trim().is_empty());
    let first = lines.next()?;
    if first.split_whitespace().next()? != "MACRO" {
        return None;
    }
    let proto = lines.next()?;
    let mut words = proto.split_whitespace();
    let w1 = words.next()?;
    let op = if proto.starts_with(' ') { w1 } else { words.next()? };
    Some(op.to_ascii_uppercase())
}

/// Builds a MACLIB (new layout) from members, for tests.
#[cfg(test)]
pub(crate) fn build(members: &[(&str, &str)]) -> Vec<u8> {
    let card = |s: &str| {
        let mut r = ebcdic::from_str(&format!("{s:<80}"));
        r.truncate(80);
        r
    };
    let mut recs: Vec<Vec<u8>> = vec![vec![0u8; 80]];
    let mut dir = Vec::new();
    for (name, text) in members {
        dir.push((name.to_string(), recs.len() as u32 + 1));
        for l in text.lines() {
            recs.push(card(l));
        }
        let mut d = vec![0x40u8; 80];
        d[..4].copy_from_slice(&DELIM);
        recs.push(d);
    }
    let dir_item = recs.len() as u32 + 1;
    let mut dirrec = Vec::new();
    for (n, item) in dir {
        dirrec.extend_from_slice(&ebcdic::from_str(&format!("{n:<8}")));
        dirrec.extend_from_slice(&[0, 0, 0, 0x80]);
        dirrec.extend_from_slice(&item.to_be_bytes());
    }
    for chunk in dirrec.chunks(80) {
        let mut r = chunk.to_vec();
        r.resize(80, 0);
        recs.push(r);
    }
    let mut hdr = ebcdic::from_str("LIBPDS");
    hdr.extend_from_slice(&[0, 0]);
    hdr.extend_from_slice(&(members.len() as u32).to_be_bytes());
    hdr.extend_from_slice(&dir_item.to_be_bytes());
    hdr.resize(80, 0);
    recs[0] = hdr;
    recs.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_prototype_fallback() {
        let lib = build(&[("HELLO", " MACRO\n HELLO\n DC C'HI'\n MEND"), ("REGS", "R1 EQU 1")]);
        assert_eq!(member(&lib, "REGS").as_deref(), Some("R1 EQU 1\n"));
        assert!(member(&lib, "HELLO").unwrap().contains("DC C'HI'"));
        assert!(member(&lib, "NONE").is_none());
        // Without a directory pointer, macros are still found by their prototypes.
        let mut lib2 = lib.clone();
        lib2[12..16].copy_from_slice(&[0, 0, 0, 0]);
        let m = members(&lib2);
        assert!(m.iter().any(|(n, _)| n == "HELLO"));
        assert!(members(b"garbage").is_empty());
    }
}
