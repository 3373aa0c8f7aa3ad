//! What a recording has gathered so far: its terminals (each with a model of what it shows)
//! and its steps; and the session it makes.
//!
//! Terminals are known by their connection number while recording; names are given when the
//! session is made: the user first logged on there (`alice`), else `t1`, `t2`, ...

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use regex::Regex;

use super::client::ClientTerm;
use super::model::{
    Action, Backend, Header, Mask, Session, Snapshot, Step, TermKind, TerminalDecl,
};
use super::screen::expect_for;

/// One terminal seen by the recorder.
#[derive(Debug)]
pub struct Term {
    /// What the terminal shows.
    pub client: ClientTerm,
    /// The model number (2-5), 0 for a typewriter.
    pub model: u8,
    /// How it is connected, once known.
    pub kind: Option<TermKind>,
    /// The device name CP gave it, once known.
    pub device: Option<String>,
    /// The recorder's own address on the connection to CP (to find CP's console).
    pub upstream: Option<SocketAddr>,
    /// The screen last written into the session.
    pub last: Option<Snapshot>,
    /// Still connected.
    pub connected: bool,
    /// Users typed in LOGON commands here, in order.
    pub logons: Vec<String>,
    /// The client said WILL TN3270E / WILL EOR.
    pub said_tn3270e: bool,
    /// The client said WILL EOR.
    pub said_eor: bool,
    /// CP closed the connection (the client's hang-up that follows is no step).
    pub server_closed: bool,
    /// Bytes received from CP since its first data (a typewriter's console output).
    pub console_bytes: u64,
    /// CP has sent data (the negotiation is over).
    pub seen_data: bool,
}

impl Term {
    /// A terminal that has just connected.
    pub fn new() -> Term {
        Term {
            client: ClientTerm::new(TermKind::Tn3270e, terminals::ds::ScreenSize::DEFAULT),
            model: 2,
            kind: None,
            device: None,
            upstream: None,
            last: None,
            connected: true,
            logons: Vec::new(),
            said_tn3270e: false,
            said_eor: false,
            server_closed: false,
            console_bytes: 0,
            seen_data: false,
        }
    }
}

impl Default for Term {
    fn default() -> Term {
        Term::new()
    }
}

/// A step while recording: terminals by number.
#[derive(Debug, Clone)]
pub struct RawStep {
    /// The terminal acting.
    pub term: Option<usize>,
    /// The action.
    pub action: Action,
    /// Screens after it, by terminal.
    pub screens: Vec<(usize, Snapshot)>,
}

/// The recording so far.
#[derive(Debug)]
pub struct Book {
    /// Terminals, in the order they connected.
    pub terms: Vec<Term>,
    /// Steps, in order.
    pub steps: Vec<RawStep>,
    /// When the last step was taken (host time).
    pub last_step_at: Instant,
    /// The title to write.
    pub title: String,
    /// Whether the system is the recorder's own (deterministic) one.
    pub own_system: bool,
}

impl Book {
    /// An empty recording.
    pub fn new(title: &str, own_system: bool) -> Book {
        Book {
            terms: Vec::new(),
            steps: Vec::new(),
            last_step_at: Instant::now(),
            title: title.to_string(),
            own_system,
        }
    }

    /// Screens that changed since they were last written (connected terminals), taking
    /// their snapshots.
    pub fn changed(&mut self, except: Option<usize>) -> Vec<(usize, Snapshot)> {
        let header = Header::empty();
        let mut out = Vec::new();
        for (i, t) in self.terms.iter_mut().enumerate() {
            if Some(i) == except || !t.connected || t.kind.is_none() {
                continue;
            }
            let changed = match t.client.kind() {
                TermKind::Typewriter => t.client.lines_waiting() > 0,
                _ => t.last.as_ref() != Some(&t.client.snapshot(&header)),
            };
            if changed {
                let s = t.client.snapshot(&header);
                t.last = Some(s.clone());
                out.push((i, s));
            }
        }
        out
    }

    /// Takes terminal `i`'s screen for a step.
    pub fn screen_of(&mut self, i: usize) -> Option<(usize, Snapshot)> {
        let t = self.terms.get_mut(i)?;
        t.kind?;
        let s = t.client.snapshot(&Header::empty());
        t.last = Some(s.clone());
        Some((i, s))
    }

    /// Adds a step; `screens` are the acting terminal's and any other that changed.
    pub fn push(&mut self, term: Option<usize>, action: Action, screens: Vec<(usize, Snapshot)>) {
        self.steps.push(RawStep { term, action, screens });
        self.last_step_at = Instant::now();
    }

    /// Adds a `wait` step for screens that changed with nobody acting.
    pub fn push_spontaneous(&mut self) {
        let changed = self.changed(None);
        if changed.is_empty() {
            return;
        }
        // On the recorder's own system the consoles' clock only moves in `wait` steps the
        // ticker records: a change here means "at this point", not "after a while".
        let waited = if self.own_system {
            Duration::ZERO
        } else {
            Duration::from_secs(self.last_step_at.elapsed().as_secs().max(1))
        };
        self.push(None, Action::Wait(waited), changed);
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (i, t) in self.terms.iter().enumerate() {
            let base = t.logons.first().map_or_else(|| format!("t{}", i + 1), |u| u.to_lowercase());
            let mut name = base.clone();
            let mut n = 2;
            while names.contains(&name) || name == "wait" {
                name = format!("{base}{n}");
                n += 1;
            }
            names.push(name);
        }
        names
    }

    /// The session recorded so far. `backend_of` tells which backend a user's machine is
    /// (`None`: unknown user).
    pub fn session(&self, backend_of: &dyn Fn(&str) -> Option<Backend>) -> Session {
        let names = self.names();
        let mut users: Vec<String> = Vec::new();
        for t in &self.terms {
            for u in &t.logons {
                let u = u.to_ascii_uppercase();
                if !users.contains(&u) {
                    users.push(u);
                }
            }
        }
        let backend = if users.iter().any(|u| backend_of(u) == Some(Backend::X86)) {
            Backend::X86
        } else {
            Backend::S370
        };
        let terminals = self
            .terms
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind.is_some())
            .map(|(i, t)| TerminalDecl {
                name: names[i].clone(),
                kind: t.kind.unwrap_or(TermKind::Tn3270e),
                model: if t.kind == Some(TermKind::Typewriter) { 0 } else { t.model },
                device: t.device.clone().unwrap_or_else(|| format!("TERM{:04}", i + 1)),
            })
            .collect();
        let mut header = Header {
            title: self.title.clone(),
            system: "default".into(),
            backend,
            users,
            terminals,
            masks: Vec::new(),
        };
        if backend == Backend::X86 {
            header.masks = x86_masks();
        }
        let steps = self
            .steps
            .iter()
            .map(|s| Step {
                terminal: s.term.map(|i| names[i].clone()),
                action: s.action.clone(),
                expects: s
                    .screens
                    .iter()
                    .map(|(i, snap)| expect_for(&names[*i], &masked(snap, &header), None))
                    .collect(),
                line: 0,
            })
            .collect();
        Session { header, steps }
    }
}

/// `snap` with the header's masks applied to its rows.
pub fn masked(snap: &Snapshot, header: &Header) -> Snapshot {
    let m = |rows: &[String]| -> Vec<String> {
        rows.iter().map(|r| header.mask(r).trim_end().to_string()).collect()
    };
    match snap {
        Snapshot::Graf { size, cursor, rows, fields } => {
            Snapshot::Graf { size: *size, cursor: *cursor, rows: m(rows), fields: fields.clone() }
        }
        Snapshot::Lines(l) => Snapshot::Lines(m(l)),
    }
}

/// What x86 hardware makes variable on a screen: processor times and the times of day
/// derived from them.
pub fn x86_masks() -> Vec<Mask> {
    [
        (r"T=\d+\.\d\d/\d+\.\d\d", "T=n.nn/n.nn"),
        (r"(VIRT|TOT)CPU= ?\d+:\d\d\.\d\d", "${1}CPU=mmm:ss.hh"),
        (r"\b\d\d:\d\d:\d\d\b", "hh:mm:ss"),
    ]
    .into_iter()
    .map(|(p, r)| Mask {
        regex: Regex::new(p).expect("a valid built-in pattern"),
        replacement: r.into(),
    })
    .collect()
}

/// The userid a typed line logs on, if it is a LOGON (`logon alice`, `l alice pw`).
pub fn logon_user(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let verb = words.next()?.to_ascii_uppercase();
    let is_logon = (!verb.is_empty() && "LOGON".starts_with(&verb)) || verb == "LOGIN";
    if !is_logon {
        return None;
    }
    let user = words.next()?;
    (user.len() <= 8 && user.chars().all(|c| c.is_ascii_alphanumeric() || "$#@".contains(c)))
        .then(|| user.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logon_lines() {
        assert_eq!(logon_user("logon alice alice").as_deref(), Some("ALICE"));
        assert_eq!(logon_user("L bob").as_deref(), Some("BOB"));
        assert_eq!(logon_user("log maint"), Some("MAINT".into()));
        assert_eq!(logon_user("q time"), None);
        assert_eq!(logon_user("logoff"), None);
    }

    #[test]
    fn masks_hide_x86_times() {
        let mut h = Header::empty();
        h.masks = x86_masks();
        assert_eq!(h.mask("R; T=0.01/0.02 09:00:13"), "R; T=n.nn/n.nn hh:mm:ss");
        assert_eq!(
            h.mask("CONNECT= 00:00:00 VIRTCPU= 000:00.01 TOTCPU= 000:00.02"),
            "CONNECT= hh:mm:ss VIRTCPU=mmm:ss.hh TOTCPU=mmm:ss.hh"
        );
    }
}
