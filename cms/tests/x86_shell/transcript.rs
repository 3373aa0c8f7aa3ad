//! Plays a CMS session transcript against the x86 shell on the mock machine.

use cms::fs::{FileId, FileMode, RecFm, Timestamp, WriteMode, ebcdic};

use crate::format::Transcript;
use crate::mock::{Mock, Out};
use crate::shell::{Cms, Config};

/// Why a transcript cannot run on the mock machine, if it cannot.
pub fn unsupported(t: &Transcript) -> Option<&'static str> {
    if !t.backends.is_empty() && !t.backends.iter().any(|b| b == "x86") {
        Some("S/370 only")
    } else if t.users.len() > 1 {
        Some("several users")
    } else if t.asm {
        Some("assembled programs")
    } else if t.damage {
        Some("damaged disks")
    } else if t.steps.iter().any(|s| s.input.is_none()) {
        Some("attention")
    } else {
        None
    }
}

/// Builds the mock machine a transcript starts with.
pub fn machine(t: &Transcript) -> Mock {
    let user = t.users[0].clone();
    let inputs: Vec<String> = t.steps.iter().filter_map(|s| s.input.clone()).collect();
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let mut m = Mock::new(&user, &refs);
    let head: String = user.chars().filter(|c| c.is_ascii_alphanumeric()).take(3).collect();
    m.add_disk(0x191, 5, Some(&format!("{head}191")), false);
    m.add_disk(0x190, 10, Some("MAI190"), true);
    m.add_disk(0x19E, 5, Some("MAI19E"), true);
    for d in t.disks.iter().filter(|d| d.user == user) {
        m.add_disk(d.cuu, d.cyl, d.label.as_deref(), d.read_only);
    }
    let when = Timestamp::new(2026, 11, 23, 12, 0);
    for f in &t.files {
        if f.user.as_ref().is_some_and(|u| *u != user) {
            continue;
        }
        let mut disk = m.mount(f.disk);
        let id = FileId::new(&f.fname, &f.ftype).expect("fileid");
        let mode = FileMode::parse(&f.fm).expect("mode");
        let recs: Vec<Vec<u8>> = f
            .records
            .iter()
            .map(|r| {
                let mut b = ebcdic::encode(r);
                if f.recfm == RecFm::F {
                    b.resize(f.lrecl as usize, 0x40);
                }
                b
            })
            .collect();
        disk.write_file(id, mode, f.recfm, f.lrecl, WriteMode::New, &recs, when)
            .expect("write a file");
    }
    m
}

/// Plays a transcript on the mock machine; `Err` describes the first difference.
pub fn run(t: &Transcript) -> Result<(), String> {
    let mut m = machine(t);
    if t.start_logon {
        // LOGON and the password are CP's business.
        m.input.pop_front();
        m.out.push(Out::Step);
        m.out.push(Out::Line("ENTER PASSWORD:".into()));
        m.input.pop_front();
        m.out.push(Out::Step);
        m.out.push(Out::Line("LOGON AT 12:00:00 UTC MONDAY 11/23/26".into()));
    } else {
        m.input.push_front(String::new());
    }
    loop {
        m.ipl_again = false;
        let mut cms = Cms::new(&mut m, Config::default());
        cms.run();
        if !m.ipl_again || m.input.is_empty() {
            break;
        }
    }
    // Split the console by step boundaries.
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for o in &m.out {
        match o {
            Out::Step => segments.push(Vec::new()),
            Out::Line(l) => segments.last_mut().expect("one").push(l.trim_end().to_string()),
        }
    }
    let skip = if t.start_logon { 1 } else { 2 };
    for (i, step) in t.steps.iter().enumerate() {
        let actual = segments.get(i + skip).cloned().unwrap_or_default();
        if !crate::format::lines_match(&step.expect, &actual) {
            return Err(format!(
                "step {} `{}`:\n  expected: {:#?}\n  actual:   {:#?}",
                i + 1,
                step.input.as_deref().unwrap_or("{ATTN}"),
                step.expect,
                actual
            ));
        }
    }
    Ok(())
}
