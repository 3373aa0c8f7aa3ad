//! CMS session transcripts (`tests/cms/*.cmst`, format in `tests/cms/README.md`): a small
//! reader of the format and the matcher of expected lines. Used by the host driver
//! (`x86_shell/transcript.rs`) and by the CP driver (`cp/tests/x86_transcripts.rs`).
#![allow(dead_code)] // each driver uses a different part

use cms::fs::RecFm;

/// A file the transcript puts on a disk before logon.
#[derive(Debug, Clone)]
pub struct FileSpec {
    pub fname: String,
    pub ftype: String,
    pub fm: String,
    pub recfm: RecFm,
    pub lrecl: u32,
    pub user: Option<String>,
    pub disk: u16,
    pub records: Vec<String>,
}

/// An extra minidisk.
#[derive(Debug, Clone)]
pub struct DiskSpec {
    pub user: String,
    pub cuu: u16,
    pub cyl: u32,
    pub label: Option<String>,
    pub read_only: bool,
}

/// A step: what is typed (`None`: attention) and what must follow.
#[derive(Debug, Clone)]
#[allow(dead_code)] // `user` is for the multi-user driver in cp/tests
pub struct Step {
    pub user: Option<String>,
    pub input: Option<String>,
    pub expect: Vec<String>,
}

/// A parsed transcript.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub title: String,
    pub users: Vec<String>,
    pub backends: Vec<String>,
    pub start_logon: bool,
    pub files: Vec<FileSpec>,
    pub disks: Vec<DiskSpec>,
    pub asm: bool,
    pub damage: bool,
    pub steps: Vec<Step>,
}

fn opt_kv<'a>(words: &[&'a str], key: &str) -> Option<&'a str> {
    words.iter().find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// Parses a transcript.
pub fn parse(text: &str) -> Result<Transcript, String> {
    let mut t = Transcript { users: vec!["ALICE".into()], ..Transcript::default() };
    let mut lines = text.lines().peekable();
    let mut current_file: Option<usize> = None;
    // Header.
    while let Some(l) = lines.peek().copied() {
        if !l.starts_with('#') {
            break;
        }
        lines.next();
        if let Some(rec) = l.strip_prefix("#|") {
            let rec = rec.strip_prefix(' ').unwrap_or(rec);
            let Some(i) = current_file else { return Err(format!("record without file: {l}")) };
            t.files[i].records.push(rec.to_string());
            continue;
        }
        let Some(d) = l.strip_prefix("# ") else { continue };
        let Some((key, value)) = d.split_once(": ") else { continue };
        let words: Vec<&str> = value.split_whitespace().collect();
        match key {
            "title" => t.title = value.to_string(),
            "users" => t.users = words.iter().map(|w| w.to_uppercase()).collect(),
            "backends" => t.backends = words.iter().map(|w| w.to_string()).collect(),
            "start" => t.start_logon = value.trim() == "logon",
            "file" => {
                if words.len() < 5 {
                    return Err(format!("bad file: {l}"));
                }
                let mut f = FileSpec {
                    fname: words[0].into(),
                    ftype: words[1].into(),
                    fm: words[2].into(),
                    recfm: if words[3] == "F" { RecFm::F } else { RecFm::V },
                    lrecl: words[4].parse().map_err(|_| format!("bad lrecl: {l}"))?,
                    user: opt_kv(&words, "user").map(str::to_uppercase),
                    disk: opt_kv(&words, "disk")
                        .map_or(0x191, |d| u16::from_str_radix(d, 16).unwrap_or(0x191)),
                    records: Vec::new(),
                };
                if let Some(n) = opt_kv(&words, "gen") {
                    let n: u32 = n.parse().map_err(|_| format!("bad gen: {l}"))?;
                    f.records.extend((1..=n).map(|i| format!("RECORD {i:05}")));
                }
                t.files.push(f);
                current_file = Some(t.files.len() - 1);
            }
            "disk" => {
                if words.len() < 4 {
                    return Err(format!("bad disk: {l}"));
                }
                t.disks.push(DiskSpec {
                    user: words[0].to_uppercase(),
                    cuu: u16::from_str_radix(words[1], 16).map_err(|_| format!("bad cuu: {l}"))?,
                    cyl: words[2].parse().map_err(|_| format!("bad cyl: {l}"))?,
                    label: (words[3] != "-").then(|| words[3].to_string()),
                    read_only: opt_kv(&words, "mode") == Some("R"),
                });
            }
            "asm" => t.asm = true,
            "damage" => t.damage = true,
            _ => {}
        }
    }
    // Body.
    for l in lines {
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        let step = if let Some(rest) = l.strip_prefix('>') {
            Some((None, rest))
        } else if let Some((who, rest)) = l.split_once("> ")
            && !who.is_empty()
            && who.chars().all(|c| c.is_ascii_alphanumeric())
        {
            Some((Some(who.to_uppercase()), rest))
        } else if let Some(who) = l.strip_suffix('>')
            && !who.is_empty()
            && who.chars().all(|c| c.is_ascii_alphanumeric())
        {
            Some((Some(who.to_uppercase()), ""))
        } else {
            None
        };
        match step {
            Some((user, rest)) => {
                let rest = rest.strip_prefix(' ').unwrap_or(rest).trim_end();
                let input = if rest == "{ATTN}" { None } else { Some(rest.to_string()) };
                t.steps.push(Step { user, input, expect: Vec::new() });
            }
            None => {
                let e = l.strip_prefix('\\').unwrap_or(l).trim_end().to_string();
                match t.steps.last_mut() {
                    Some(s) => s.expect.push(e),
                    None => return Err(format!("expected line before the first step: {l}")),
                }
            }
        }
    }
    Ok(t)
}

/// Whether `line` matches the expected line `pat` with its placeholders.
pub fn line_matches(pat: &str, line: &str) -> bool {
    fn go(p: &[char], l: &[char]) -> bool {
        if p.is_empty() {
            return l.is_empty();
        }
        if p[0] == '{'
            && let Some(end) = p.iter().position(|&c| c == '}')
        {
            let name: String = p[1..end].iter().collect();
            let rest = &p[end + 1..];
            let fixed = |n: usize, ok: &dyn Fn(&[char]) -> bool| {
                l.len() >= n && ok(&l[..n]) && go(rest, &l[n..])
            };
            let digits = |s: &[char]| s.iter().all(|c| c.is_ascii_digit());
            match name.as_str() {
                "*" => return (0..=l.len()).any(|i| go(rest, &l[i..])),
                "T" => {
                    // T=v.vv/t.tt hh:mm:ss
                    for i in 0..=l.len() {
                        let s: String = l[..i].iter().collect();
                        if t_field(&s) && go(rest, &l[i..]) {
                            return true;
                        }
                    }
                    return false;
                }
                "DATE" => {
                    return fixed(8, &|s| {
                        (s[0] == ' ' || s[0].is_ascii_digit())
                            && s[1].is_ascii_digit()
                            && s[2] == '/'
                            && digits(&s[3..5])
                            && s[5] == '/'
                            && digits(&s[6..8])
                    });
                }
                "TIME" => {
                    return fixed(8, &|s| {
                        digits(&s[0..2])
                            && s[2] == ':'
                            && digits(&s[3..5])
                            && s[5] == ':'
                            && digits(&s[6..8])
                    });
                }
                "HHMM" => {
                    return fixed(5, &|s| {
                        (s[0] == ' ' || s[0].is_ascii_digit())
                            && s[1].is_ascii_digit()
                            && s[2] == ':'
                            && digits(&s[3..5])
                    });
                }
                "SPOOLID" => return fixed(4, &|s| digits(s)),
                _ => {}
            }
        }
        !l.is_empty() && l[0] == p[0] && go(&p[1..], &l[1..])
    }
    let p: Vec<char> = pat.trim_end().chars().collect();
    let l: Vec<char> = line.trim_end().chars().collect();
    go(&p, &l)
}

fn t_field(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("T=") else { return false };
    let Some((times, clock)) = rest.split_once(' ') else { return false };
    let Some((v, t)) = times.split_once('/') else { return false };
    let num = |x: &str| {
        x.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.len() == 2
                && b.chars().all(|c| c.is_ascii_digit())
        })
    };
    num(v) && num(t) && clock.len() == 8 && line_matches("{TIME}", clock)
}

/// Matches expected lines (with `{...}` lines) against actual ones.
pub fn lines_match(expect: &[String], actual: &[String]) -> bool {
    match expect.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "{...}" => {
            (0..=actual.len()).any(|i| lines_match(rest, &actual[i..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, arest)| line_matches(e, a) && lines_match(rest, arest)),
    }
}
