//! The CMS session transcripts (`tests/cms/*.cmst`) played through CP against the x86 CMS on
//! KVM: every user of a transcript is an x86 virtual machine of a fresh system, its disks and
//! files made as the transcript's header says, then each step typed and the console compared.
//! Skipped without KVM, or when the transcripts are not in the tree (`$CMS_TRANSCRIPTS`
//! overrides where they are looked for).
//!
//! Not run here: S/370-only sessions, assembled programs, and damaged-disk set-ups (the
//! `# damage:` directive); the LOGON and password steps of `start: logon` sessions belong to the
//! terminal layer (the driver logs on directly and compares from the password step's output).

#[path = "../../cms/tests/x86_shell/format.rs"]
mod format;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode, ebcdic};
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};
use format::Transcript;

#[derive(Default)]
struct Term {
    lines: Mutex<Vec<String>>,
    events: Mutex<Vec<Status>>,
}

impl TermSink for Term {
    fn line(&self, text: &str) {
        self.lines.lock().expect("lock").push(text.trim_end().to_string());
    }
    fn status(&self, s: Status) {
        self.events.lock().expect("lock").push(s);
    }
}

impl Term {
    fn len(&self) -> usize {
        self.lines.lock().expect("lock").len()
    }
    fn since(&self, from: usize) -> Vec<String> {
        self.lines.lock().expect("lock")[from..].to_vec()
    }
    fn events(&self) -> usize {
        self.events.lock().expect("lock").len()
    }
    fn read_since(&self, from: usize) -> bool {
        self.events.lock().expect("lock")[from..]
            .iter()
            .any(|s| matches!(s, Status::VmRead | Status::CpRead))
    }
}

fn transcript_dir() -> PathBuf {
    std::env::var_os("CMS_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/cms"))
}

/// A minidisk of the test system: owner, address, first cylinder, cylinders, mode.
struct Md {
    user: String,
    cuu: u16,
    start: u32,
    cyl: u32,
}

/// Builds the system a transcript runs on; returns it with its user minidisks.
fn system(t: &Transcript) -> (tempfile::TempDir, Arc<System>, Vec<Md>) {
    let mut mds = Vec::new();
    let mut next = 1u32;
    let mut direct = String::from(
        "DIRECTORY 130 3350 VMSYS\nUSER $ALLOC$ NOLOG\n MDISK A00 3350 000 001 VMSYS R\n \
         MDISK A01 3350 000 001 VMUSR R\nUSER MAINT CPCMS 2M 16M ABCDEFGH\n \
         MDISK 190 3350 001 010 VMSYS MR\n MDISK 19E 3350 011 005 VMSYS MR\n",
    );
    for u in &t.users {
        direct.push_str(&format!(
            "USER {u} {u} 16M 64M G\n MACHINE X86\n IPL CMS\n CONSOLE 009 3215\n \
             SPOOL 00C 2540 READER *\n SPOOL 00D 2540 PUNCH A\n SPOOL 00E 1403 A\n \
             LINK MAINT 190 190 RR\n LINK MAINT 19E 19E RR\n"
        ));
        direct.push_str(&format!(" MDISK 191 3350 {next:03} 005 VMUSR MR ALL WRITE MULT\n"));
        mds.push(Md { user: u.clone(), cuu: 0x191, start: next, cyl: 5 });
        next += 5;
        for d in t.disks.iter().filter(|d| d.user == *u) {
            let mode = if d.read_only { "R" } else { "W" };
            direct.push_str(&format!(
                " MDISK {:03X} 3350 {next:03} {:03} VMUSR {mode}\n",
                d.cuu, d.cyl
            ));
            mds.push(Md { user: u.clone(), cuu: d.cuu, start: next, cyl: d.cyl });
            next += d.cyl;
        }
    }
    let config = format!(
        "SYSID TESTVM\nCPUS 2\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n\
         READYMSG R\nVOLUME VMSYS 3350 sys.3350 CYLINDERS 20\n\
         VOLUME VMUSR 3350 usr.3350 CYLINDERS {}\nSAVESYS CMS 1024 0 BUILTIN IPL MACHINE X86\n",
        next + 1
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), config).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), direct).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    // Extra disks: the transcript's label, or unformatted.
    for d in &t.disks {
        let Some(md) = mds.iter().find(|m| m.user == d.user && m.cuu == d.cuu) else { continue };
        let blocks = MinidiskBlocks::new(Arc::clone(&sys.volumes["VMUSR"]), md.start, md.cyl);
        match &d.label {
            Some(l) => {
                CmsDisk::format(blocks, l).expect("format");
            }
            None => {
                let mut b = blocks;
                let zero = [0u8; 800];
                for n in 1..=5 {
                    cms::fs::BlockDevice::write_block(&mut b, n, &zero).expect("zero");
                }
            }
        }
    }
    let when = Timestamp::new(2026, 11, 23, 12, 0);
    for f in &t.files {
        let user = f.user.clone().unwrap_or_else(|| t.users[0].clone());
        let md = mds.iter().find(|m| m.user == user && m.cuu == f.disk).expect("the file's disk");
        let blocks = MinidiskBlocks::new(Arc::clone(&sys.volumes["VMUSR"]), md.start, md.cyl);
        let mut disk = CmsDisk::mount(blocks).expect("a CMS disk");
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
        let id = FileId::new(&f.fname, &f.ftype).expect("fileid");
        let mode = FileMode::parse(&f.fm).expect("mode");
        disk.write_file(id, mode, f.recfm, f.lrecl, WriteMode::New, &recs, when).expect("write");
    }
    (dir, sys, mds)
}

/// Waits until the user's machine reads the console again (or CP does), and the output has
/// been quiet a moment; with `expect` given (the next step is an attention), until those lines
/// are there instead.
fn settle(user: &Arc<User>, term: &Term, lines0: usize, events0: usize, expect: Option<&[String]>) {
    let start = Instant::now();
    let mut last_len = term.len();
    let mut quiet_since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(3));
        let len = term.len();
        if len != last_len {
            last_len = len;
            quiet_since = Instant::now();
        }
        let quiet = quiet_since.elapsed() > Duration::from_millis(30);
        if start.elapsed() > Duration::from_secs(30) {
            return;
        }
        if user.logged_off() {
            if quiet {
                return;
            }
            continue;
        }
        if let Some(e) = expect {
            if quiet && format::lines_match(e, &term.since(lines0)) {
                return;
            }
            continue;
        }
        let status = user.console.status();
        let reading = matches!(status, Status::VmRead | Status::CpRead);
        if reading
            && quiet
            && (term.read_since(events0) || start.elapsed() > Duration::from_millis(300))
        {
            return;
        }
    }
}

/// Plays a transcript; `Err` describes the first difference.
fn play(t: &Transcript) -> Result<(), String> {
    let (_dir, sys, _mds) = system(t);
    let mut users: BTreeMap<String, (Arc<User>, Arc<Term>)> = BTreeMap::new();
    let mut steps = t.steps.iter().enumerate().peekable();
    if t.start_logon {
        // The LOGON and password lines are the terminal's: log on directly, compare the
        // password step's output (the logon messages and the IPL banner).
        let name = t.users[0].clone();
        steps.next();
        let (i, step) = steps.next().ok_or("no password step")?;
        let term = Arc::new(Term::default());
        let u = User::logon(&sys, &name, &name, Some(term.clone())).map_err(|e| e.to_string())?;
        settle(&u, &term, 0, 0, None);
        let actual = term.since(0);
        if !format::lines_match(&step.expect, &actual) {
            return Err(format!(
                "step {} (logon):\n expected {:#?}\n actual {actual:#?}",
                i + 1,
                step.expect
            ));
        }
        users.insert(name, (u, term));
    } else {
        for name in &t.users {
            let term = Arc::new(Term::default());
            let u = User::logon(&sys, name, name, Some(term.clone())).map_err(|e| e.to_string())?;
            settle(&u, &term, 0, 0, None);
            let (l, e) = (term.len(), term.events());
            u.input(&sys, "");
            settle(&u, &term, l, e, None);
            if !term.since(0).iter().any(|x| x.starts_with("R;") || x.starts_with("R(")) {
                return Err(format!("{name} did not reach the ready message: {:?}", term.since(0)));
            }
            users.insert(name.clone(), (u, term));
        }
    }
    while let Some((i, step)) = steps.next() {
        let name = step.user.clone().unwrap_or_else(|| t.users[0].clone());
        let (u, term) = users.get(&name).cloned().ok_or_else(|| format!("no user {name}"))?;
        let Some(input) = &step.input else {
            // An attention: the next line is typed while the machine runs (CP presents an
            // attention interruption and the line), which is how a 3215 user interrupts CMS.
            continue;
        };
        let (l, e) = (term.len(), term.events());
        u.input(&sys, input);
        let next_is_attn = steps.peek().is_some_and(|(_, s)| s.input.is_none());
        settle(&u, &term, l, e, next_is_attn.then_some(step.expect.as_slice()));
        let actual = term.since(l);
        if std::env::var_os("CMST_VERBOSE").is_some() {
            println!("{name}> {input}\n{}", actual.join("\n"));
        }
        if !format::lines_match(&step.expect, &actual) {
            return Err(format!(
                "step {} {name}> `{input}`:\n  expected: {:#?}\n  actual:   {actual:#?}",
                i + 1,
                step.expect
            ));
        }
    }
    for (u, _) in users.values() {
        if !u.logged_off() {
            u.logoff(&sys, true);
        }
    }
    Ok(())
}

#[test]
fn cms_transcripts_on_x86_through_cp() {
    if let Err(e) = cp::backend::x86::available() {
        println!("skipped: /dev/kvm not available ({e})");
        return;
    }
    let dir = transcript_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        println!("skipped: no CMS transcripts at {}", dir.display());
        return;
    };
    let mut names: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "cmst"))
        .collect();
    names.sort();
    let only = std::env::var("CMST").ok();
    let mut failed = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for p in &names {
        let name = p.file_stem().expect("a name").to_string_lossy().to_string();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let text = std::fs::read_to_string(p).expect("read transcript");
        let t = format::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let why = if !t.backends.is_empty() && !t.backends.iter().any(|b| b == "x86") {
            Some("S/370 only")
        } else if t.asm {
            Some("assembled programs")
        } else if t.damage {
            Some("damaged disks")
        } else {
            None
        };
        if let Some(why) = why {
            println!("{name}: not run ({why})");
            skipped += 1;
            continue;
        }
        let started = Instant::now();
        match play(&t) {
            Ok(()) => {
                passed += 1;
                println!("{name}: ok ({:?})", started.elapsed());
            }
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    println!(
        "x86 transcripts through CP: {passed} passed, {} failed, {skipped} not run",
        failed.len()
    );
    for f in &failed {
        println!("FAILED {f}\n");
    }
    if std::env::var_os("CMST_ALLOW_FAIL").is_none() {
        assert!(failed.is_empty(), "{} transcripts failed", failed.len());
    }
}
