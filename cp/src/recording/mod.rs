//! Recorded terminal sessions: the session-file format, recording one through a TN3270
//! proxy, and replaying it against a fresh deterministic system to check every screen.
//!
//! `vm370 record` and `vm370 replay` are thin wrappers over [`proxy::Recorder`] and
//! [`replay::replay`]; the `tests` crate runs `tests/sessions/*.session` with the same code.
//!
//! # The session file
//!
//! Plain text, one item per line, meant to be read, edited and reviewed in a diff:
//!
//! ```text
//! vm370-session 1
//! title    ALICE asks the time
//! system   default
//! backend  s370
//! users    ALICE
//! terminal alice 3278-2 tn3270e TERM0001
//!
//! > alice connect
//! = alice partial
//!   00 |◆VM/370 ONLINE
//!
//! > alice enter "logon alice alice"
//! = alice cursor 22,00
//!   00 |logon alice alice
//!   01 ~LOGON AT {TIME} UTC MONDAY 01/01/79
//!   02 |SYSTEM CMS DOES NOT EXIST
//!   21 |                                                                               ◆
//!   23 |                                                           ◆CP READ        VM370
//!   fields 21,79=UM 23,59=P
//! ```
//!
//! **Header.** `vm370-session 1` first; then `title` (free text), `system` (`default`: a
//! fresh default system; `r6`: IBM's R6 CMS from `../shared/data`, skipped where absent),
//! `backend` (`s370` or `x86`; x86 sessions are skipped without `/dev/kvm`), `users` (who
//! logs on, for people), one `terminal NAME 3278-M KIND DEVICE` per 3270 (KIND `tn3270e` or
//! `tn3270`; DEVICE is the name CP shows in QUERY NAMES) or `terminal NAME typewriter DEVICE`
//! per line-mode telnet client, and any number of `mask "REGEX" "REPLACEMENT"` lines: every
//! screen row is rewritten with them before it is compared or written (for what x86 hardware
//! makes variable). In these two strings only `\"` is an escape.
//!
//! **Steps.** `> NAME ACTION`, where ACTION is `connect`, `disconnect`, a 3270 key —
//! `enter`, `pf1`..`pf24`, `pa1`..`pa3`, `clear` — or, on a typewriter, `line "TEXT"` and
//! `break`; and `> wait 50s` (also `ms`, `m`) lets time pass: the consoles' clock (MORE...
//! delays) and the system's (TIME, DISCTIME). A key with a string (`enter "q time"`) types it
//! into the first unprotected field (CP's input area) with the cursor after it; otherwise
//! `enter cursor R,C R,C="TEXT" ...` gives the cursor and every modified field as sent
//! (`@="TEXT"` for data from an unformatted screen). Strings escape `\"`, `\\` and `\xNN`
//! (a Latin-1 code, i.e. an EBCDIC byte through code page 037).
//!
//! **Screens.** After a step, `= NAME [partial] [size RxC] [cursor R,C]` and its rows, two
//! spaces in: `NN |TEXT` (the row is this text; trailing blanks do not count), `NN ~REGEX`
//! (the row matches the whole pattern; `{TIME}`, `{DATE}`, `{NUM}`, `{WORD}`, `{ANY}` are
//! shorthands), `NN *` (anything), and `fields R,C=CODE ...` for the field attributes.
//! Attribute positions show as `◆`, non-display characters as `*`. A field CODE is `P` or
//! `U`, then `I` intensified, `N` non-display, `D` detectable, `#` numeric, `M` modified,
//! then `:fg=COLOR`, `:bg=COLOR`, `:hl=reverse|blink|underscore`, `:cs=XX`. A full screen
//! (no `partial`) checks every row — rows not written must be blank — and the exact field
//! list; a `partial` one checks only what it writes. A typewriter's screen is the lines it
//! printed since its previous screen, written `|TEXT` (or `~`, `*`) without numbers.
//! Lines starting with `#` are comments.

pub mod book;
pub mod client;
pub mod harness;
pub mod model;
pub mod parse;
pub mod proxy;
pub mod replay;
pub mod screen;
pub mod write;

pub use model::{Action, Expect, Header, Session, Snapshot, Step};
pub use parse::{ParseError, parse};
pub use proxy::{RecordOptions, Recorder};
pub use replay::{ReplayError, ReplayOptions, Report, replay};
pub use write::to_text;

#[cfg(test)]
mod tests;
