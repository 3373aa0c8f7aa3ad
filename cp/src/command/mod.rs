//! The CP command language: find the command in the table (by abbreviation and privilege
//! class), run it against the user's state, and answer in VM/370 R6's words.
//!
//! [`execute`] runs one command line with the user's state already locked (a terminal line in
//! CP mode, or DIAGNOSE X'08' from the guest); its output goes to the terminal or, when
//! captured, back to the guest. [`run_line`] is the terminal's entry: it locks the state and
//! then carries out what must happen after the lock is released (LOGOFF, DISCONNECT).

pub mod define;
pub mod devices;
pub mod direct;
pub mod display;
pub mod indicate;
pub mod ipl;
pub mod link;
pub mod misc;
pub mod operator;
pub mod query;
pub mod spool;
pub mod spoolfile;
pub mod state;
pub mod table;
pub mod tokens;
pub mod trace;

use std::sync::Arc;

use crate::system::System;
use crate::user::{User, UserState};
use table::Verb;
use tokens::Tokens;

/// What a command produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Response lines (when captured; otherwise already written to the terminal).
    pub lines: Vec<String>,
    /// Return code (0, or the number of the error message, as DIAGNOSE X'08' gives it).
    pub rc: i32,
}

/// What CP does with the user's answer to a [`Prompt`].
pub type Answer = Box<dyn FnOnce(&mut Ctx<'_>, &mut UserState, &str) + Send>;

/// A question a command asks before it can finish (LINK's `ENTER READ PASSWORD:`): the
/// terminal's next line goes to `then`, not to CP's command reader or the guest.
pub struct Prompt {
    /// Whether the answer is typed without being shown.
    pub hidden: bool,
    /// What to do with the answer.
    pub then: Answer,
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompt").field("hidden", &self.hidden).finish()
    }
}

/// Where a command writes: the terminal, or a capture buffer.
#[allow(missing_debug_implementations)]
pub struct Ctx<'a> {
    /// The system.
    pub sys: &'a Arc<System>,
    /// The user issuing the command.
    pub user: &'a User,
    capture: bool,
    out: Output,
    prompt: Option<Prompt>,
}

impl Ctx<'_> {
    /// Asks the user a question (shown on the terminal even when the response is captured)
    /// and finishes the command with `then` when the answer comes.
    pub fn ask(&mut self, question: &str, hidden: bool, then: Answer) {
        self.user.console.write(question);
        self.prompt = Some(Prompt { hidden, then });
    }

    /// The return code so far.
    pub fn rc(&self) -> i32 {
        self.out.rc
    }

    /// Writes a response line.
    pub fn say(&mut self, text: impl Into<String>) {
        let t = text.into();
        if self.capture {
            self.out.lines.push(t);
        } else {
            self.user.console.write(&t);
        }
    }

    /// Writes an informational response, unless the user has SET IMSG OFF.
    pub fn info(&mut self, st: &UserState, text: impl Into<String>) {
        if st.settings.imsg {
            self.say(text);
        }
    }

    /// Writes an error message `DMKmmmnnnE text` (shaped by SET EMSG) and sets the return
    /// code to its number.
    pub fn error(&mut self, st: &UserState, id: &str, text: impl Into<String>) {
        let t = text.into();
        let line = match st.settings.emsg {
            crate::user::Emsg::On => format!("{id} {t}"),
            crate::user::Emsg::Text => t,
            crate::user::Emsg::Code => id.to_string(),
            crate::user::Emsg::Off => String::new(),
        };
        if !line.is_empty() {
            self.say(line);
        }
        self.out.rc = id.get(6..9).and_then(|n| n.parse().ok()).unwrap_or(1);
    }
}

/// Runs one CP command line for `user`, whose state `st` is locked. A command that asks a
/// question leaves it in `st.prompt`.
pub fn execute(
    sys: &Arc<System>,
    user: &User,
    st: &mut UserState,
    line: &str,
    capture: bool,
) -> Output {
    let mut ctx = Ctx { sys, user, capture, out: Output::default(), prompt: None };
    dispatch(&mut ctx, st, line);
    if let Some(p) = ctx.prompt.take() {
        user.console.set_hidden(p.hidden);
        st.prompt = Some(p);
    }
    ctx.out
}

/// Gives the answer to the pending prompt; returns the command's output.
pub fn answer(sys: &Arc<System>, user: &User, st: &mut UserState, text: &str) -> Output {
    let mut ctx = Ctx { sys, user, capture: false, out: Output::default(), prompt: None };
    user.console.set_hidden(false);
    if let Some(p) = st.prompt.take() {
        (p.then)(&mut ctx, st, text);
    }
    if let Some(p) = ctx.prompt.take() {
        user.console.set_hidden(p.hidden);
        st.prompt = Some(p);
    }
    ctx.out
}

/// Finds the command `line` names and runs it. A command the user's classes do not allow
/// is invisible: it gets the same `?CP:` answer as an unknown one.
fn dispatch(ctx: &mut Ctx<'_>, st: &mut UserState, line: &str) {
    let mut t = Tokens::new(line);
    let Some(word) = t.next_upper() else { return };
    let Some(entry) = table::find(&word, st.entry.classes, true) else {
        ctx.error(st, "DMKCFC001E", format!("?CP: {word}"));
        return;
    };
    let t = &mut t;
    match entry.verb {
        Verb::Comment => {}
        Verb::Cp => {
            let rest = t.remainder().to_string();
            dispatch(ctx, st, &rest);
        }
        Verb::Begin => misc::begin(ctx, st, t),
        Verb::Ipl => ipl::ipl(ctx, st, t),
        Verb::System => ipl::system(ctx, st, t),
        Verb::Logoff => {
            st.deferred = Some(crate::user::Deferred::Logoff);
        }
        Verb::Disconn => {
            st.deferred = Some(crate::user::Deferred::Disconnect);
        }
        Verb::Query => query::query(ctx, st, t),
        Verb::Msg => misc::msg(ctx, st, t, false),
        Verb::Warning => misc::msg(ctx, st, t, true),
        Verb::Close => spool::close(ctx, st, t),
        Verb::Spool => spool::spool(ctx, st, t),
        Verb::Purge => spoolfile::purge(ctx, st, t),
        Verb::Order => spoolfile::order(ctx, st, t),
        Verb::Change => spoolfile::change(ctx, st, t),
        Verb::Transfer => spoolfile::transfer(ctx, st, t),
        Verb::Set => misc::set(ctx, st, t),
        Verb::Terminal => misc::terminal(ctx, st, t),
        Verb::Link => link::link(ctx, st, t),
        Verb::Detach => link::detach(ctx, st, t),
        Verb::Define => define::define(ctx, st, t),
        Verb::Display => display::display(ctx, st, t),
        Verb::Store => display::store(ctx, st, t),
        Verb::Adstop => display::adstop(ctx, st, t),
        Verb::Trace => trace::trace(ctx, st, t),
        Verb::Indicate => indicate::indicate(ctx, st, t),
        Verb::External => devices::external(ctx, st, t),
        Verb::Ready => devices::ready(ctx, st, t),
        Verb::Notready => devices::notready(ctx, st, t),
        Verb::Reset => devices::reset(ctx, st, t),
        Verb::Request => devices::request(ctx, st, t),
        Verb::Force => operator::force(ctx, st, t),
        Verb::Autolog => operator::autolog(ctx, st, t),
        Verb::Enable => operator::enable(ctx, st, t, true),
        Verb::Disable => operator::enable(ctx, st, t, false),
        Verb::Shutdown => operator::shutdown(ctx, st, t),
        Verb::Direct => direct::direct(ctx, st, t),
        _ => ctx.error(st, "DMKCFC001E", format!("?CP: {word}")),
    }
}

/// What LOGOFF (and FORCE, SHUTDOWN) must undo besides closing spool files: the console
/// spool file is closed, temporary disks are released and their images deleted.
pub fn logoff_cleanup(user: &User) {
    let Some(sys) = user.system() else { return };
    let mut st = user.lock();
    if let Some(msg) = spool::close_console(&sys, &user.userid, &mut st, user, None, None) {
        user.console.write(&msg);
    }
    user.console.set_spooling(false);
    let tdisks: Vec<u16> = st.cmd.tdisks.keys().copied().collect();
    for a in tdisks {
        st.vm.detach(a);
        st.cmd.tdisks.remove(&a);
    }
}

/// Runs a command line typed at the terminal: locks the user's state, runs it, then does
/// what has to wait for the lock to be free (LOGOFF, DISCONNECT).
pub fn run_line(sys: &Arc<System>, user: &Arc<User>, line: &str) {
    let deferred = {
        let mut st = user.lock();
        execute(sys, user, &mut st, line, false);
        st.deferred.take()
    };
    match deferred {
        Some(crate::user::Deferred::Logoff) => user.logoff(sys, false),
        Some(crate::user::Deferred::Disconnect) => user.disconnect(sys),
        None => {}
    }
}
