//! Cross-checks of the S/370 CMS unit-record commands (commands.md 7.12-7.14) against the
//! file system: files one user's CMS punches are read back by another user's CMS, and what
//! lands on the receiver's minidisk is compared byte for byte with the sender's original
//! (read with `cms::fs`, not through CMS); PRINT's spool files are checked record by record.

use std::sync::Arc;

use cms::fs::{CmsDisk, FileId, Fst, RecFm};
use cp::dasd::MinidiskBlocks;
use tests::cmsdrv::{Session, start};
use tests::transcript::{ReadyStyle, parse};

/// Runs every step of `text` (a transcript) on a fresh system; returns the session.
fn run(text: &str) -> Session {
    let t = parse(text).expect("the transcript parses");
    let mut s = start(&t, ReadyStyle::R).expect("the system starts");
    for (i, step) in t.steps.iter().enumerate() {
        let next_attn =
            t.steps.get(i + 1).is_some_and(|n| n.input == tests::transcript::Input::Attention);
        let lines = s.step(step, next_attn, ReadyStyle::R).expect("the step ends");
        if let Err(m) = step.check(&lines, ReadyStyle::R) {
            panic!("line {}: {m}\n{lines:#?}", step.line);
        }
    }
    s
}

/// `user`'s 191 disk as the file system sees it now.
fn a_disk(s: &Session, user: &str) -> CmsDisk<MinidiskBlocks> {
    let dir = s.sys.directory.read().expect("directory");
    let entry = dir.user(user).expect("user");
    let m = entry.mdisks.iter().find(|m| m.vaddr.0 == 0x191).expect("191");
    let vol = s.sys.volumes.get(&m.volser).expect("volume");
    let md = MinidiskBlocks::new(Arc::clone(vol), u32::from(m.start), u32::from(m.cylinders));
    CmsDisk::mount(md).expect("a CMS disk")
}

/// The FST and records of `fname ftype` on `user`'s A-disk.
fn file(s: &Session, user: &str, fname: &str, ftype: &str) -> (Fst, Vec<Vec<u8>>) {
    let mut d = a_disk(s, user);
    let id = FileId::new(fname, ftype).expect("fileid");
    let fst = d.find(&id).unwrap_or_else(|| panic!("{user} has no {fname} {ftype}"));
    let recs = d.read_records(&id).expect("readable");
    (fst, recs)
}

/// Records that exercise the card layout: every length from 1 to 80, lower case, special
/// characters, blanks inside and at the end.
fn varied_records() -> Vec<String> {
    let alphabet = "abcXYZ 0123456789 +-*/=<>()[]{}.,;:!?'\"&%$#@_|~^`\\";
    (1..=80)
        .map(|n| {
            let mut r: String = alphabet.chars().cycle().skip(n).take(n).collect();
            if n % 7 == 0 {
                r.replace_range(n - 1.., "");
                r.push('X');
            }
            r
        })
        .collect()
}

#[test]
fn punched_file_read_back_by_another_user_is_identical() {
    let recs = varied_records();
    let mut text = String::from(
        "# title: PUNCH to BOB, READCARD by name and by :READ card\n# users: ALICE BOB\n\
         # file: CARDS DATA A1 V 80\n",
    );
    for r in &recs {
        text.push_str(&format!("#| {r}\n"));
    }
    text.push_str(
        "ALICE> cp spool punch to bob\nR; {T}\n\
         ALICE> punch cards data a (noheader\nPUN FILE {SPOOLID}  TO  BOB      COPY 01 NOHOLD\nR; {T}\n\
         ALICE> punch cards data a\nPUN FILE {SPOOLID}  TO  BOB      COPY 01 NOHOLD\nR; {T}\n\
         BOB> readcard got cards\nR; {T}\n\
         BOB> readcard * * a3\n:READ  CARDS    DATA     A1 ALI191 {DATE}  {HHMM}\nR; {T}\n\
         BOB> readcard *\nCARD READER EMPTY OR NOT READY\nR(00008); {T}\n",
    );
    let s = run(&text);
    let (orig_fst, orig) = file(&s, "ALICE", "CARDS", "DATA");
    assert_eq!(orig_fst.recfm, RecFm::V);
    let cards: Vec<Vec<u8>> = orig
        .iter()
        .map(|r| {
            let mut c = r.clone();
            c.resize(80, 0x40);
            c
        })
        .collect();
    // By name: the cards exactly, F 80.
    let (fst, got) = file(&s, "BOB", "GOT", "CARDS");
    assert_eq!((fst.recfm, fst.lrecl, fst.mode_number()), (RecFm::F, 80, Some(1)));
    assert_eq!(got, cards, "READCARD by name");
    // By the :READ card, with a mode number from the command.
    let (fst, got) = file(&s, "BOB", "CARDS", "DATA");
    assert_eq!((fst.recfm, fst.lrecl, fst.mode_number()), (RecFm::F, 80, Some(3)));
    assert_eq!(got, cards, "READCARD *");
}

#[test]
fn disk_dump_load_restores_files_exactly() {
    let mut text = String::from(
        "# title: DISK DUMP to BOB, DISK LOAD\n# users: ALICE BOB\n\
         # file: BIG LOG A2 V 80 gen=450\n# file: ODD TABLE A1 F 33\n",
    );
    for r in varied_records().iter().take(40) {
        text.push_str(&format!("#| {}\n", r.chars().take(33).collect::<String>()));
    }
    text.push_str(
        "ALICE> cp spool punch to bob\nR; {T}\n\
         ALICE> disk dump big log a\nPUN FILE {SPOOLID}  TO  BOB      COPY 01 NOHOLD\nR; {T}\n\
         ALICE> disk dump odd table a\nPUN FILE {SPOOLID}  TO  BOB      COPY 01 NOHOLD\nR; {T}\n\
         BOB> disk load\nBIG LOG A2\nR; {T}\n\
         BOB> disk load\nODD TABLE A1\nR; {T}\n\
         BOB> disk load\nCARD READER EMPTY OR NOT READY\nR(00008); {T}\n",
    );
    let s = run(&text);
    for (fname, ftype) in [("BIG", "LOG"), ("ODD", "TABLE")] {
        let (a, ra) = file(&s, "ALICE", fname, ftype);
        let (b, rb) = file(&s, "BOB", fname, ftype);
        assert_eq!(
            (b.recfm, b.lrecl, b.records, b.mode_number(), b.stamp),
            (a.recfm, a.lrecl, a.records, a.mode_number(), a.stamp),
            "{fname} {ftype}: format, size, mode and date"
        );
        assert_eq!(rb, ra, "{fname} {ftype}: records");
    }
}

/// A printer spool file as (command code, text) pairs.
fn printed(s: &Session, user: &str) -> Vec<Vec<(u8, String)>> {
    let spool = s.sys.spool();
    spool
        .queue(user, cp::spool::Queue::Printer)
        .iter()
        .map(|f| {
            f.records
                .iter()
                .map(|r| (r.ccw, s370::ebcdic::to_string(&r.data).trim_end().to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn print_pages_headings_and_carriage_control() {
    let text = "# title: PRINT layouts\n\
         # file: REPORT DATA A1 V 80\n#| first line\n#| Second\n#| third\n\
         # file: CTL LISTING A1 V 80\n#|1PAGE ONE\n#|  SINGLE\n#|0DOUBLE\n#|-TRIPLE\n\
         > print report data (linecount 2 upcase\nR; {T}\n\
         > print ctl listing\nR; {T}\n\
         > print report data (hex nocc\nR; {T}\n";
    let s = run(text);
    let files = printed(&s, "ALICE");
    assert_eq!(files.len(), 3, "one spool file per PRINT: {files:#?}");
    let head = |page: u32, fid: &str| {
        format!("{:<64}{fid:<35}PAGE {page:03}", "CONVERSATIONAL MONITOR SYSTEM")
    };
    let (skip, write, space) = (0x8Bu8, 0x09u8, 0x0Bu8);
    let blank = String::new();
    assert_eq!(
        files[0],
        vec![
            (skip, blank.clone()),
            (write, head(1, "REPORT DATA A1")),
            (space, blank.clone()),
            (space, blank.clone()),
            (write, "FIRST LINE".into()),
            (write, "SECOND".into()),
            (skip, blank.clone()),
            (write, head(2, "REPORT DATA A1")),
            (space, blank.clone()),
            (space, blank.clone()),
            (write, "THIRD".into()),
        ],
        "NOCC, LINECOUNT 2, UPCASE"
    );
    assert_eq!(
        files[1],
        vec![
            (skip, blank.clone()),
            (write, "PAGE ONE".into()),
            (write, "SINGLE".into()),
            (space, blank.clone()),
            (write, "DOUBLE".into()),
            (space, blank.clone()),
            (space, blank.clone()),
            (write, "TRIPLE".into()),
        ],
        "a LISTING file is CC by default"
    );
    let hex: Vec<&str> = files[2].iter().skip(4).map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        hex,
        [
            "RECORD 1 LENGTH=10",
            "0000  868999A2 A3409389 9585",
            "RECORD 2 LENGTH=6",
            "0000  E2858396 9584",
            "RECORD 3 LENGTH=5",
            "0000  A3888999 84",
        ],
        "HEX"
    );
}
