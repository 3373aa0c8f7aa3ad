//! The recorded-session suite (`tests/sessions/*.session`) under `cargo test`, reviewed the
//! way insta reviews snapshots.
//!
//! Each session is replayed on a fresh deterministic system ([`cp::recording::replay`]).
//! When a screen differs, the test fails with a readable diff of the first difference and
//! writes the whole session with the screens it saw beside the original as
//! `NAME.session.new`; review it with `diff -u NAME.session NAME.session.new` and accept it
//! with `mv`, or accept every change at once with `SESSIONS_UPDATE=1 cargo test -p tests
//! --test sessions` (the same as `vm370 replay --update`). Patterns (`~`) and wildcards (`*`)
//! that still match are kept.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cp::recording::harness::Template;
use cp::recording::{ReplayOptions, Report, parse, replay, to_text};

/// The environment variable that makes the suite rewrite sessions whose screens changed.
pub const UPDATE_ENV: &str = "SESSIONS_UPDATE";

/// `tests/sessions`.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sessions")
}

/// Every session of the suite, in name order.
pub fn files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir())
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "session"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Should changed screens be written back?
pub fn update_requested() -> bool {
    std::env::var(UPDATE_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A pristine default system, made once per test process.
pub fn template() -> Arc<Template> {
    static T: OnceLock<Arc<Template>> = OnceLock::new();
    Arc::clone(T.get_or_init(|| Arc::new(Template::new().expect("the default system starts"))))
}

/// Replay options for the suite: copies of the template, a generous settle time.
pub fn options() -> ReplayOptions {
    ReplayOptions {
        template: Some(template()),
        settle_timeout: Duration::from_secs(120),
        ..ReplayOptions::default()
    }
}

/// How one session went.
#[derive(Debug)]
pub enum Outcome {
    /// Every screen matched.
    Passed(Report),
    /// It cannot run here (`x86 session: /dev/kvm is not available`).
    Skipped(String),
    /// Screens changed and the file was rewritten (update mode).
    Updated(String),
    /// It failed: the message says where and how, and how to accept the change.
    Failed(String),
}

fn shown(path: &Path) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root.parent().unwrap_or(&root)).unwrap_or(path).display().to_string()
}

/// Replays one session file; in update mode a changed session is rewritten, otherwise the
/// new version is written beside it as `NAME.session.new`.
pub fn run_file(path: &Path, update: bool) -> Outcome {
    let name = shown(path);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Outcome::Failed(format!("{name}: {e}")),
    };
    let session = match parse(&text) {
        Ok(s) => s,
        Err(e) => return Outcome::Failed(format!("{name}:{}:{}: {}", e.line, e.column, e.message)),
    };
    let report = match replay(&session, &options()) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(format!("{name}: {e}")),
    };
    let new_path = path.with_extension("session.new");
    if let Some(why) = report.skipped {
        return Outcome::Skipped(why);
    }
    let Some(f) = &report.failure else {
        let _ = std::fs::remove_file(&new_path);
        return Outcome::Passed(report);
    };
    let new_text = to_text(&report.updated(&session));
    if update {
        return match std::fs::write(path, new_text) {
            Ok(()) => Outcome::Updated(format!("{name}: updated; first change:\n{f}")),
            Err(e) => Outcome::Failed(format!("{name}: cannot write: {e}")),
        };
    }
    let _ = std::fs::write(&new_path, new_text);
    Outcome::Failed(format!(
        "{name}:{}: {f}\n\nThe screens this replay saw are in {new}.\n\
         Review: diff -u {name} {new}\nAccept: mv {new} {name}   \
         (or every change: {UPDATE_ENV}=1 cargo test -p tests --test sessions)",
        f.line,
        new = shown(&new_path),
    ))
}
