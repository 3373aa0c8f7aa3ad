//! What CP's commands keep per user beyond the machine itself: tracing and address stops,
//! temporary disks, not-ready switches, console spooling, and the SET and TERMINAL options
//! that have no effect elsewhere in CP but are shown by QUERY.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::command::define::TempDisk;
use crate::command::trace::TraceState;
use crate::vdev::SpoolOptions;

/// Per-user command state (in [`crate::user::UserState::cmd`]).
#[derive(Debug, Default)]
pub struct CmdState {
    /// TRACE settings and the instruction-step state.
    pub trace: TraceState,
    /// Temporary disks (`DEFINE T3350`), by virtual address.
    pub tdisks: BTreeMap<u16, TempDisk>,
    /// Ready switches of devices made not ready (`NOTREADY`), by virtual address: false
    /// while the device is not ready.
    pub ready: BTreeMap<u16, Arc<AtomicBool>>,
    /// Console spooling (`SPOOL CONSOLE`).
    pub console_spool: ConsoleSpool,
    /// SET options CP keeps only to show them.
    pub options: SetOptions,
    /// TERMINAL options CP keeps only to show them.
    pub term: TermOptions,
    /// Unit-record records this session: cards read, lines printed, cards punched
    /// (INDICATE USER).
    pub ur_counts: [u64; 3],
}

/// The virtual console's spooling (`SPOOL CONSOLE START|STOP ...`); what it records is held
/// by the console link until `CLOSE CONSOLE` makes a printer file of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSpool {
    /// Class, copies, hold, TO/FOR (class `T` by default).
    pub options: SpoolOptions,
    /// Spooling started.
    pub started: bool,
    /// `TERM` (also shown on the terminal) or `NOTERM`.
    pub term: bool,
}

impl Default for ConsoleSpool {
    fn default() -> ConsoleSpool {
        ConsoleSpool { options: SpoolOptions::output('T'), started: false, term: true }
    }
}

/// SET options without an effect in this CP (kept for QUERY SET).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOptions {
    /// SET LINEDIT.
    pub linedit: bool,
    /// SET ISAM.
    pub isam: bool,
    /// SET PAGEX.
    pub pagex: bool,
    /// SET ASSIST ... SVC / NOSVC.
    pub assist_svc: bool,
    /// SET AUTOPOLL.
    pub autopoll: bool,
}

impl Default for SetOptions {
    fn default() -> SetOptions {
        SetOptions { linedit: true, isam: false, pagex: false, assist_svc: true, autopoll: false }
    }
}

/// TERMINAL options without an effect in this CP's line-mode console (kept for QUERY
/// TERMINAL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermOptions {
    /// TABCHAR: `ON`, `OFF` or the character.
    pub tabchar: String,
    /// ATTN.
    pub attn: bool,
    /// APL.
    pub apl: bool,
    /// TEXT.
    pub text: bool,
    /// HILIGHT.
    pub hilight: bool,
    /// AUTOCR.
    pub autocr: bool,
    /// MASK.
    pub mask: bool,
}

impl Default for TermOptions {
    fn default() -> TermOptions {
        TermOptions {
            tabchar: "ON".into(),
            attn: false,
            apl: false,
            text: false,
            hilight: false,
            autocr: false,
            mask: false,
        }
    }
}
