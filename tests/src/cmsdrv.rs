//! The CMS transcript driver: runs a `tests/cms/*.cmst` session (format: `tests/cms/README.md`)
//! against a fresh default system and compares every step's console output with
//! [`Step::check`].
//!
//! The system is the default one (deterministic time, one real processor), with the volumes
//! cut to the cylinders the directory uses. Before anyone logs on the driver adds the extra
//! minidisks the transcript declares (`# disk:`, new `MDISK` statements on VM370U), writes its
//! files with `cms::fs` (`# file:`, `# asm:` assembled with the project's assembler) and
//! damages disks (`# damage:`). Users then log on in-process with a capturing [`TermSink`]
//! (`# start: ready`), or through CP's own logon dialogue on a line-mode telnet connection
//! (`# start: logon`, see [`crate::nvt`]).
//!
//! A step is over when the user's virtual machine reads its console again: the console's status
//! went to RUNNING after the input and came back to VM READ or CP READ, or nothing happened for
//! a while (a `#CP` line CP answers itself). A step followed by `{ATTN}` is over once its
//! expected lines are all there and the output has been quiet for a moment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cms::fs::{BlockDevice, CmsDisk, FileId, FileMode, RecFm as FsRecFm, Timestamp, WriteMode};
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};

use crate::transcript::{
    Backend, DamageKind, DiskMode, Expect, Input, ReadyStyle, RecFm, Start, Step, Transcript,
    match_lines,
};

/// How long a step may take before the driver gives up.
const STEP_LIMIT: Duration = Duration::from_secs(60);
/// Quiet time after which a step with no status change is over (a `#CP` line).
const QUIET: Duration = Duration::from_millis(600);
/// Quiet time before an attention is sent.
const SETTLE: Duration = Duration::from_millis(300);
/// First cylinder of VM370U free for the extra disks of a transcript.
const FIRST_FREE_CYL: u16 = 26;

/// What a console showed: lines and status changes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A line of output.
    Line(String),
    /// The console's status changed.
    Status(Status),
}

/// A terminal that keeps everything it is shown.
#[derive(Debug, Default)]
pub struct Capture {
    events: Mutex<Vec<(Instant, Event)>>,
}

impl TermSink for Capture {
    fn line(&self, text: &str) {
        self.push(Event::Line(text.to_string()));
    }
    fn status(&self, s: Status) {
        self.push(Event::Status(s));
    }
}

impl Capture {
    /// Records an event.
    pub fn push(&self, e: Event) {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).push((Instant::now(), e));
    }
    /// Events from index `from` on.
    pub fn since(&self, from: usize) -> Vec<(Instant, Event)> {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).get(from..).unwrap_or(&[]).to_vec()
    }
    /// Number of events so far.
    pub fn len(&self) -> usize {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
    /// No events yet?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The lines among `events`.
    pub fn lines_of(events: &[(Instant, Event)]) -> Vec<String> {
        events
            .iter()
            .filter_map(|(_, e)| if let Event::Line(l) = e { Some(l.clone()) } else { None })
            .collect()
    }
}

/// A running transcript system.
#[derive(Debug)]
pub struct Session {
    /// The system.
    pub sys: Arc<System>,
    /// Each user's terminal.
    pub screens: BTreeMap<String, Arc<Capture>>,
    /// Line-mode telnet terminals (`# start: logon`).
    pub nvt: BTreeMap<String, crate::linedrv::NvtTerminal>,
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// Lines each user saw before the transcript's first step.
    pub preamble: BTreeMap<String, Vec<String>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for u in self.sys.users() {
            u.logoff(&self.sys, false);
        }
        self.sys.begin_shutdown();
    }
}

/// A problem running a transcript (the system misbehaved, or the output differs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail<T>(msg: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(msg.into()))
}

/// The `tests/cms` directory.
pub fn transcripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cms")
}

/// The system configuration of a transcript system: the default one, with small volumes so
/// that a fresh system starts fast, and the ready style asked for.
fn config_text(style: ReadyStyle, extra_cyls: u16) -> String {
    let u_cyls = FIRST_FREE_CYL + extra_cyls;
    cp::defaults::SYSTEM_CONFIG
        .lines()
        .map(|l| {
            if l.starts_with("VOLUME VM370S") {
                "VOLUME VM370S 3350 volumes/vm370s.3350 CYLINDERS 36 ADDRESS 130".to_string()
            } else if l.starts_with("VOLUME VM370U") {
                format!("VOLUME VM370U 3350 volumes/vm370u.3350 CYLINDERS {u_cyls} ADDRESS 131")
            } else if l.starts_with("READYMSG") {
                format!("READYMSG {}", if style == ReadyStyle::Ready { "READY" } else { "R" })
            } else if l.starts_with("LISTEN") {
                String::new()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The default directory with the transcript's extra minidisks added to their users.
fn directory_text(t: &Transcript) -> (String, BTreeMap<(String, u16), (u16, u16)>) {
    let mut extents = BTreeMap::new();
    let mut next = FIRST_FREE_CYL;
    let mut adds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &t.disks {
        let mode = if d.mode == DiskMode::R { "RR" } else { "MR" };
        adds.entry(d.user.clone()).or_default().push(format!(
            " MDISK   {:03X} 3350 {:03} {:03} VM370U {mode}   ALL      WRITE    MULT",
            d.vaddr, next, d.cylinders
        ));
        extents.insert((d.user.clone(), d.vaddr), (next, d.cylinders));
        next += d.cylinders;
    }
    let mut out = String::new();
    let mut current: Option<String> = None;
    for l in cp::defaults::USER_DIRECT.lines() {
        if l.starts_with("USER ") {
            if let Some(u) = current.take() {
                for a in adds.get(&u).into_iter().flatten() {
                    out.push_str(a);
                    out.push('\n');
                }
            }
            current = l.split_whitespace().nth(1).map(str::to_string);
            out.push_str(l);
            out.push('\n');
            // Every transcript user starts in CMS, as a CMS user's directory entry says.
            if !l.contains("NOLOG") {
                out.push_str(" IPL CMS\n");
            }
            continue;
        }
        if l.trim_start().starts_with("IPL ") {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    if let Some(u) = current {
        for a in adds.get(&u).into_iter().flatten() {
            out.push_str(a);
            out.push('\n');
        }
    }
    (out, extents)
}

/// The blocks of user `user`'s minidisk `vaddr`.
fn minidisk(sys: &System, user: &str, vaddr: u16) -> Result<MinidiskBlocks, Failure> {
    let dir = sys.directory.read().unwrap_or_else(|p| p.into_inner());
    let Some(entry) = dir.user(user) else { return fail(format!("no user {user}")) };
    let Some(m) = entry.mdisks.iter().find(|m| m.vaddr.0 == vaddr) else {
        return fail(format!("{user} has no minidisk {vaddr:03X}"));
    };
    let Some(vol) = sys.volumes.get(&m.volser) else {
        return fail(format!("no volume {}", m.volser));
    };
    Ok(MinidiskBlocks::new(Arc::clone(vol), u32::from(m.start), u32::from(m.cylinders)))
}

fn ebcdic(s: &str) -> Vec<u8> {
    s370::ebcdic::from_str(s)
}

/// Writes the transcript's files onto its minidisks.
fn write_files(sys: &System, t: &Transcript, stamp: Timestamp) -> Result<(), Failure> {
    for f in &t.files {
        let md = minidisk(sys, &f.user, f.vaddr)?;
        let mut disk =
            CmsDisk::mount(md).map_err(|e| Failure(format!("{} {:03X}: {e}", f.user, f.vaddr)))?;
        let id = FileId::new(&f.fname, &f.ftype).map_err(|e| Failure(format!("{e:?}")))?;
        let mode = FileMode::parse(&f.fmode).map_err(|e| Failure(format!("{e:?}")))?;
        let (recfm, lrecl, records): (FsRecFm, u32, Vec<Vec<u8>>) = if let Some(src) = &f.asm_source
        {
            let path = transcripts_dir().join("programs").join(src);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            // The CMS macro library (WRTERM, RDTERM, FSCB, FSREAD, ...: cms/s370/maclib).
            let opts = cms::s370::MACLIB
                .iter()
                .fold(s370::asm::Options::default().named(src), |o, (n, t)| o.member(n, t));
            let a = s370::asm::assemble(&text, &opts)
                .map_err(|e| Failure(format!("assembling {src}: {e}")))?;
            (FsRecFm::F, 80, a.object.chunks(80).map(<[u8]>::to_vec).collect())
        } else {
            match f.recfm {
                RecFm::F => {
                    let l = f.lrecl as usize;
                    let recs = f
                        .records
                        .iter()
                        .map(|r| {
                            let mut b = ebcdic(r);
                            b.resize(l, 0x40);
                            b.truncate(l);
                            b
                        })
                        .collect();
                    (FsRecFm::F, f.lrecl, recs)
                }
                RecFm::V => {
                    let recs = f
                        .records
                        .iter()
                        .map(|r| if r.is_empty() { vec![0x40] } else { ebcdic(r) })
                        .collect();
                    (FsRecFm::V, 0, recs)
                }
            }
        };
        disk.write_file(id, mode, recfm, lrecl, WriteMode::Replace, &records, stamp)
            .map_err(|e| Failure(format!("writing {} {}: {e}", f.fname, f.ftype)))?;
    }
    Ok(())
}

fn read_block(md: &mut MinidiskBlocks, n: u32) -> Result<[u8; 800], Failure> {
    let mut b = [0u8; 800];
    md.read_block(n, &mut b).map_err(|e| Failure(e.to_string()))?;
    Ok(b)
}

fn write_block(md: &mut MinidiskBlocks, n: u32, b: &[u8; 800]) -> Result<(), Failure> {
    md.write_block(n, b).map_err(|e| Failure(e.to_string()))
}

/// Finds a file's FST on a disk: (FST block number, offset in it).
fn find_fst(md: &mut MinidiskBlocks, fname: &str, ftype: &str) -> Result<(u32, usize), Failure> {
    let mfd = read_block(md, 4)?;
    let want_n = ebcdic(&format!("{fname:<8}"));
    let want_t = ebcdic(&format!("{ftype:<8}"));
    for i in 0..180 {
        let a = u32::from(u16::from_be_bytes([mfd[2 * i], mfd[2 * i + 1]]));
        if a == 0xFFFF || a == 0xFFFD || a == 0 {
            break;
        }
        let b = read_block(md, a)?;
        for s in 0..20 {
            let e = &b[s * 40..s * 40 + 40];
            if e[..8] == want_n[..] && e[8..16] == want_t[..] {
                return Ok((a, s * 40));
            }
        }
    }
    fail(format!("no file {fname} {ftype} to damage"))
}

/// Damages disks as `# damage:` says.
fn damage(sys: &System, t: &Transcript) -> Result<(), Failure> {
    for d in &t.damage {
        let mut md = minidisk(sys, &d.user, d.vaddr)?;
        let adtnum = {
            let mfd = read_block(&mut md, 4)?;
            u32::from_be_bytes([mfd[364], mfd[365], mfd[366], mfd[367]])
        };
        let beyond = (adtnum + 100).min(0xFFFE) as u16;
        match &d.kind {
            DamageKind::Label => {
                let mut b = read_block(&mut md, 3)?;
                b[..4].copy_from_slice(&ebcdic("XXXX"));
                write_block(&mut md, 3, &b)?;
            }
            DamageKind::Mfd => {
                let mut b = read_block(&mut md, 4)?;
                b[..2].copy_from_slice(&beyond.to_be_bytes());
                write_block(&mut md, 4, &b)?;
            }
            DamageKind::ChainRange(n, ty) => {
                let (blk, off) = find_fst(&mut md, n, ty)?;
                let mut b = read_block(&mut md, blk)?;
                b[off + 28..off + 30].copy_from_slice(&beyond.to_be_bytes());
                write_block(&mut md, blk, &b)?;
            }
            DamageKind::ChainCycle(n, ty) => {
                let (blk, off) = find_fst(&mut md, n, ty)?;
                let f = read_block(&mut md, blk)?;
                let fcl = u32::from(u16::from_be_bytes([f[off + 28], f[off + 29]]));
                let mut c = read_block(&mut md, fcl)?;
                let first = [c[80], c[81]];
                for i in 0..60 {
                    if c[80 + 2 * i] != 0 || c[81 + 2 * i] != 0 {
                        c[80 + 2 * i..82 + 2 * i].copy_from_slice(&first);
                    }
                }
                write_block(&mut md, fcl, &c)?;
            }
            DamageKind::Count(n, ty) => {
                let (blk, off) = find_fst(&mut md, n, ty)?;
                let mut b = read_block(&mut md, blk)?;
                let recs = u16::from_be_bytes([b[off + 26], b[off + 27]]).saturating_mul(10);
                b[off + 26..off + 28].copy_from_slice(&recs.to_be_bytes());
                write_block(&mut md, blk, &b)?;
            }
        }
    }
    Ok(())
}

/// Starts the system for a transcript, prepares its disks and logs its users on (or not,
/// for `# start: logon`).
pub fn start(t: &Transcript, style: ReadyStyle) -> Result<Session, Failure> {
    let dir = tempfile::tempdir().map_err(|e| Failure(e.to_string()))?;
    let extra: u16 = t.disks.iter().map(|d| d.cylinders).sum();
    let (direct, extents) = directory_text(t);
    std::fs::write(dir.path().join(cp::defaults::SYSTEM_CONFIG_FILE), config_text(style, extra))
        .map_err(|e| Failure(e.to_string()))?;
    std::fs::write(dir.path().join(cp::defaults::USER_DIRECT_FILE), direct)
        .map_err(|e| Failure(e.to_string()))?;
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: true,
        cpus: None,
    })
    .map_err(|e| Failure(format!("the system does not start: {e}")))?;
    // The extra disks: formatted with their labels, or zeros.
    for d in &t.disks {
        let Some(&(_start, _cyls)) = extents.get(&(d.user.clone(), d.vaddr)) else { continue };
        let mut md = minidisk(&sys, &d.user, d.vaddr)?;
        match &d.label {
            Some(label) => {
                CmsDisk::format(md, label).map_err(|e| Failure(format!("format: {e}")))?;
            }
            None => {
                let zero = [0u8; 800];
                for n in 1..=md.block_count().min(64) {
                    write_block(&mut md, n, &zero)?;
                }
            }
        }
    }
    let civil = sys.zone.civil(sys.now());
    let stamp = Timestamp::new(
        civil.year as u32,
        civil.month as u8,
        civil.day as u8,
        civil.hour as u8,
        civil.minute as u8,
    );
    write_files(&sys, t, stamp)?;
    damage(&sys, t)?;
    let mut s = Session {
        sys,
        screens: BTreeMap::new(),
        nvt: BTreeMap::new(),
        dir,
        preamble: BTreeMap::new(),
    };
    if t.start == Start::Ready {
        for u in &t.users {
            s.logon_ready(u)?;
        }
    }
    Ok(s)
}

fn is_ready_line(l: &str) -> bool {
    l.starts_with("R;") || l.starts_with("R(") || l.starts_with("Ready")
}

impl Session {
    /// Logs `user` on (password = userid, as the default directory has it), answers CMS's
    /// first read with a null line and waits for the first ready message.
    pub fn logon_ready(&mut self, user: &str) -> Result<(), Failure> {
        let cap = Arc::new(Capture::default());
        let u = User::logon(&self.sys, user, user, Some(cap.clone()))
            .map_err(|e| Failure(format!("LOGON {user}: {e}")))?;
        self.screens.insert(user.to_string(), cap.clone());
        let deadline = Instant::now() + STEP_LIMIT;
        // The banner, then VM READ.
        loop {
            let ev = cap.since(0);
            let banner = ev
                .iter()
                .position(|(_, e)| matches!(e, Event::Line(l) if l.starts_with("CMS VERSION")));
            if let Some(b) = banner
                && ev[b..].iter().any(|(_, e)| *e == Event::Status(Status::VmRead))
                && u.console.status() == Status::VmRead
            {
                break;
            }
            if Instant::now() > deadline {
                return fail(format!(
                    "{user}: no banner and first read: {:?}",
                    Capture::lines_of(&cap.since(0))
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        u.input(&self.sys, "");
        loop {
            let lines = Capture::lines_of(&cap.since(0));
            if lines.iter().any(|l| is_ready_line(l)) && u.console.status() == Status::VmRead {
                break;
            }
            if Instant::now() > deadline {
                return fail(format!("{user}: no first ready message: {lines:?}"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.preamble.insert(user.to_string(), Capture::lines_of(&cap.since(0)));
        Ok(())
    }

    fn user(&self, name: &str) -> Option<Arc<User>> {
        self.sys.user(name)
    }

    /// Runs one step; returns the lines the console showed.
    pub fn step(
        &mut self,
        step: &Step,
        next_is_attn: bool,
        style: ReadyStyle,
    ) -> Result<Vec<String>, Failure> {
        if let Some(term) = self.nvt.get_mut(&step.user) {
            let sys = Arc::clone(&self.sys);
            return term.step(&sys, step, next_is_attn, style);
        }
        let Some(cap) = self.screens.get(&step.user).cloned() else {
            // A user not logged on yet: only a telnet terminal can do that.
            let mut term = crate::linedrv::NvtTerminal::connect(&self.sys, &step.user)?;
            let sys = Arc::clone(&self.sys);
            let out = term.step(&sys, step, next_is_attn, style);
            self.nvt.insert(step.user.clone(), term);
            return out;
        };
        let Some(u) = self.user(&step.user) else {
            return fail(format!("{} is not logged on", step.user));
        };
        let mark = cap.len();
        let sent = Instant::now();
        match &step.input {
            Input::Line(l) => u.input(&self.sys, l),
            Input::Attention => attention(&u),
        }
        wait_step(&cap, &u, mark, sent, step, next_is_attn, style)
    }
}

/// A typewriter's attention: an attention interruption for the running machine (its console
/// device), which CMS answers with a read.
pub fn attention(u: &Arc<User>) {
    {
        let mut st = u.lock();
        let addr = st.console_addr;
        st.vm.attention(addr);
    }
    u.wake(cp::dispatch::Wake::Interactive);
}

/// Waits for a step's end on an in-process console (see the module documentation).
fn wait_step(
    cap: &Capture,
    u: &Arc<User>,
    mark: usize,
    sent: Instant,
    step: &Step,
    next_is_attn: bool,
    style: ReadyStyle,
) -> Result<Vec<String>, Failure> {
    let deadline = sent + STEP_LIMIT;
    loop {
        std::thread::sleep(Duration::from_millis(3));
        let ev = cap.since(mark);
        let lines = Capture::lines_of(&ev);
        if u.logged_off() {
            return Ok(lines);
        }
        let last_event = ev.last().map_or(sent, |(t, _)| *t);
        let quiet = last_event.elapsed();
        if next_is_attn {
            if step.check(&lines, style).is_ok() && quiet >= SETTLE {
                return Ok(lines);
            }
        } else {
            let status = u.console.status();
            let reading = matches!(status, Status::VmRead | Status::CpRead);
            let ran = ev.iter().position(|(_, e)| *e == Event::Status(Status::Running));
            let back = ran.is_some_and(|r| {
                ev[r..].iter().any(|(_, e)| {
                    matches!(e, Event::Status(Status::VmRead) | Event::Status(Status::CpRead))
                })
            });
            if reading && !u.console.has_input() && (back || quiet >= QUIET) {
                // Let output that belongs to this step arrive (CP's lines after CMS's).
                std::thread::sleep(Duration::from_millis(20));
                return Ok(Capture::lines_of(&cap.since(mark)));
            }
        }
        if Instant::now() > deadline {
            return fail(format!(
                "line {}: the step did not end in {}s; output so far: {lines:?}",
                step.line,
                STEP_LIMIT.as_secs()
            ));
        }
    }
}

/// Runs a transcript file; `Ok` when every step matched.
pub fn run_file(path: &Path, style: ReadyStyle) -> Result<(), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure(e.to_string()))?;
    let t = crate::transcript::parse(&text).map_err(|e| Failure(format!("parse: {e}")))?;
    if !t.runs_on(Backend::S370) {
        return Ok(());
    }
    let mut s = start(&t, style)?;
    let mut log = Vec::new();
    for (i, step) in t.steps.iter().enumerate() {
        let next_attn = t.steps.get(i + 1).is_some_and(|n| n.input == Input::Attention);
        let lines = s.step(step, next_attn, style)?;
        log.push(format!("{}> {:?}", step.user, step.input));
        log.extend(lines.iter().map(|l| format!("    {l}")));
        if let Err(m) = step.check(&lines, style) {
            return fail(format!(
                "{}: line {}: {}\n--- session so far:\n{}\n--- expected:\n{}",
                path.display(),
                step.line,
                m,
                log.join("\n"),
                render(&step.expect)
            ));
        }
    }
    Ok(())
}

fn render(e: &[Expect]) -> String {
    let lines = e.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>();
    lines.join("\n")
}

/// Matches lines (for the telnet driver).
pub fn lines_match(step: &Step, lines: &[String], style: ReadyStyle) -> bool {
    let expect: Vec<Expect> =
        step.expect.iter().map(|e| crate::transcript::ready_styled(e, style)).collect();
    match_lines(&expect, lines).is_ok()
}
