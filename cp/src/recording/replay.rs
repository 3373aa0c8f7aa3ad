//! Replaying a session: a fresh deterministic system, every terminal an in-process console
//! ([`Console::loopback`]), each step's action sent, the system left to settle, and every
//! expected screen compared with what the terminal shows.
//!
//! A replay goes on past a difference, so that `--update` can take every new screen at
//! once; the [`Report`] names the first difference.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use terminals::console::{Console, Loopback, TerminalInfo, TerminalKind};
use terminals::ds::Model;

use super::client::{ClientError, ClientTerm};
use super::harness::{Harness, Source, Template};
use super::model::{Action, Backend, Session, Snapshot, Step, TermKind, TerminalDecl};
use super::screen::{Difference, check, expect_for};
use super::write::action_text;
use crate::system::StartError;

/// How to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Start from this data directory instead of a fresh default system.
    pub data_dir: Option<PathBuf>,
    /// Start from a copy of this pristine default system (quicker when replaying many).
    pub template: Option<Arc<Template>>,
    /// How long the system may take to settle after a step before the replay fails.
    pub settle_timeout: Duration,
}

impl Default for ReplayOptions {
    fn default() -> ReplayOptions {
        ReplayOptions { data_dir: None, template: None, settle_timeout: Duration::from_secs(60) }
    }
}

/// Why a replay could not be carried out (a screen that differs is not an error: see
/// [`Report::failure`]).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The system did not start.
    #[error("the system did not start: {0}")]
    Start(#[from] StartError),
    /// A step could not be done.
    #[error("step at line {line} ({action}): {message}")]
    Step {
        /// Line of the step.
        line: usize,
        /// The step as written.
        action: String,
        /// What went wrong.
        message: String,
    },
}

/// The first screen that differed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Index of the step (0-based).
    pub step: usize,
    /// Line of the step in the file.
    pub line: usize,
    /// Line of the screen (`=`) in the file.
    pub expect_line: usize,
    /// The step as written.
    pub action: String,
    /// How the screen differs.
    pub difference: Difference,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "after the step at line {}: > {}", self.line, self.action)?;
        write!(f, "(screen at line {}) {}", self.expect_line, self.difference)
    }
}

/// What a replay did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Why it did not run (`x86 session: /dev/kvm is not available`), if it did not.
    pub skipped: Option<String>,
    /// Steps done.
    pub steps: usize,
    /// Screens compared.
    pub screens: usize,
    /// The first screen that differed.
    pub failure: Option<Failure>,
    /// Every screen seen, by step and by expectation.
    pub actual: Vec<Vec<Snapshot>>,
    /// Real time the replay took.
    pub elapsed: Duration,
}

impl Report {
    /// True when it ran and every screen matched.
    pub fn passed(&self) -> bool {
        self.skipped.is_none() && self.failure.is_none()
    }

    /// The session with every expected screen replaced by what this replay saw (patterns
    /// that still match are kept).
    pub fn updated(&self, session: &Session) -> Session {
        let mut s = session.clone();
        for (step, actual) in s.steps.iter_mut().zip(&self.actual) {
            for (e, a) in step.expects.iter_mut().zip(actual) {
                *e = expect_for(&e.terminal, a, Some(e));
            }
        }
        s
    }
}

/// Why a session cannot run on this machine, if it cannot.
pub fn skip_reason(session: &Session) -> Option<String> {
    if session.header.system == "r6" {
        let segment = crate::config::standard_placeholder("SHARED")
            .map(|p| p.join("data/vm370r6/CMS.segment"));
        if !segment.is_some_and(|p| p.exists()) {
            return Some("system r6: IBM's R6 CMS (../shared/data/vm370r6) is not present".into());
        }
    }
    if session.header.backend == Backend::X86 {
        let ok = std::fs::OpenOptions::new().read(true).write(true).open("/dev/kvm").is_ok();
        if !ok {
            return Some("x86 session: /dev/kvm is not available".into());
        }
    }
    None
}

/// One terminal during a replay.
#[derive(Debug)]
struct Term {
    decl: TerminalDecl,
    client: ClientTerm,
    wire: Option<(Console, Loopback)>,
}

fn kind_of(decl: &TerminalDecl) -> TerminalKind {
    match decl.kind {
        TermKind::Tn3270e => TerminalKind::Tn3270e,
        TermKind::Tn3270 => TerminalKind::Tn3270,
        TermKind::Typewriter => TerminalKind::Typewriter,
    }
}

fn new_client(decl: &TerminalDecl) -> ClientTerm {
    let alt = Model::from_number(decl.model).unwrap_or(Model::M2).alternate();
    ClientTerm::new(decl.kind, alt)
}

/// Replays `session` on a fresh system.
pub fn replay(session: &Session, opts: &ReplayOptions) -> Result<Report, ReplayError> {
    let started = Instant::now();
    let mut report = Report {
        skipped: skip_reason(session),
        steps: 0,
        screens: 0,
        failure: None,
        actual: Vec::new(),
        elapsed: Duration::ZERO,
    };
    if report.skipped.is_some() {
        return Ok(report);
    }
    let source = match (&opts.data_dir, &opts.template) {
        (Some(d), _) => Source::Dir(d),
        _ if session.header.system == "r6" => Source::FreshR6,
        (None, Some(t)) => Source::Template(t),
        (None, None) => Source::Fresh,
    };
    let h = Harness::start(source)?;
    let mut terms: BTreeMap<String, Term> = session
        .header
        .terminals
        .iter()
        .map(|d| (d.name.clone(), Term { decl: d.clone(), client: new_client(d), wire: None }))
        .collect();
    for (i, step) in session.steps.iter().enumerate() {
        let fail = |message: String| ReplayError::Step {
            line: step.line,
            action: action_text(step.terminal.as_deref().unwrap_or(""), &step.action),
            message,
        };
        do_action(&h, &mut terms, step).map_err(&fail)?;
        settle_and_pump(&h, &mut terms, opts.settle_timeout).map_err(&fail)?;
        report.steps += 1;
        let mut seen = Vec::new();
        for e in &step.expects {
            let t = terms
                .get_mut(&e.terminal)
                .ok_or_else(|| fail(format!("no terminal {}", e.terminal)))?;
            let snap = t.client.snapshot(&session.header);
            report.screens += 1;
            if report.failure.is_none()
                && let Err(d) = check(e, &snap)
            {
                report.failure = Some(Failure {
                    step: i,
                    line: step.line,
                    expect_line: e.line,
                    action: action_text(step.terminal.as_deref().unwrap_or(""), &step.action),
                    difference: d,
                });
            }
            seen.push(snap);
        }
        report.actual.push(seen);
    }
    for t in terms.values_mut() {
        if let Some((_, lb)) = t.wire.take() {
            lb.hang_up();
        }
    }
    h.shutdown();
    report.elapsed = started.elapsed();
    Ok(report)
}

fn do_action(h: &Harness, terms: &mut BTreeMap<String, Term>, step: &Step) -> Result<(), String> {
    if let Action::Wait(d) = step.action {
        h.advance(d);
        return Ok(());
    }
    let name = step.terminal.as_deref().unwrap_or("");
    let t = terms.get_mut(name).ok_or_else(|| format!("no terminal {name}"))?;
    match &step.action {
        Action::Connect => {
            if t.wire.is_some() {
                return Err(format!("{name} is already connected"));
            }
            let info = match t.decl.kind {
                TermKind::Typewriter => TerminalInfo::typewriter(&t.decl.device),
                _ => TerminalInfo::graf(
                    kind_of(&t.decl),
                    Model::from_number(t.decl.model).unwrap_or(Model::M2),
                    &t.decl.device,
                ),
            };
            let (console, lb) = Console::loopback(info, h.console_config());
            t.client = new_client(&t.decl);
            console.show_logo();
            h.attach(console.clone());
            t.wire = Some((console, lb));
        }
        Action::Disconnect => {
            let (_, lb) = t.wire.take().ok_or_else(|| format!("{name} is not connected"))?;
            lb.hang_up();
        }
        a => {
            let bytes = t.client.encode(a).map_err(|e| e.to_string())?;
            let (_, lb) = t.wire.as_mut().ok_or_else(|| format!("{name} is not connected"))?;
            lb.send(&bytes).map_err(|e| format!("the console refused the input: {e}"))?;
        }
    }
    Ok(())
}

/// Waits for the system to settle, then hands every terminal what its console sent,
/// answering the host's reads, until nothing more comes.
fn settle_and_pump(
    h: &Harness,
    terms: &mut BTreeMap<String, Term>,
    timeout: Duration,
) -> Result<(), String> {
    for _ in 0..100 {
        if !h.settle(timeout) {
            return Err(format!("the system did not settle within {} s", timeout.as_secs()));
        }
        let mut answered = false;
        for t in terms.values_mut() {
            let Some((_, lb)) = t.wire.as_mut() else { continue };
            let bytes = lb.receive(Duration::ZERO);
            if bytes.is_empty() {
                continue;
            }
            let replies = t
                .client
                .from_host(&bytes)
                .map_err(|e: ClientError| format!("terminal {}: {e}", t.decl.name))?;
            if !replies.is_empty() {
                lb.send(&replies).map_err(|e| format!("the console refused a reply: {e}"))?;
                answered = true;
            }
        }
        if !answered {
            return Ok(());
        }
    }
    Err("the host keeps asking the terminals to read".into())
}
