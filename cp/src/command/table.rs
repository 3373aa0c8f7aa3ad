//! The CP command table: names, shortest abbreviations and privilege classes, in the order CP
//! searches it (VM/370 R6 DMKCFC's COMND table), so an abbreviation goes to the first command
//! it fits: `D` is DIAL before DISPLAY, `L` is LOGON.

use crate::directory::Classes;

/// Every CP command verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Verb {
    Logon,
    Dial,
    Attach,
    Attn,
    Adstop,
    Acnt,
    Autolog,
    Begin,
    Backspac,
    Change,
    Close,
    Couple,
    Display,
    Dcp,
    Define,
    Detach,
    Disconn,
    Disable,
    Dmcp,
    Drain,
    Dump,
    Echo,
    External,
    Enable,
    Flush,
    Force,
    Halt,
    Hold,
    Ipl,
    Link,
    Loadbuf,
    Loadvfcb,
    Locate,
    Lock,
    Logoff,
    Monitor,
    Msg,
    Msgnoh,
    Network,
    Notready,
    Order,
    Purge,
    Query,
    Ready,
    Free,
    Repeat,
    Request,
    Reset,
    Rewind,
    System,
    Savesys,
    Indicate,
    Transfer,
    Set,
    Shutdown,
    Sleep,
    Space,
    Spool,
    Store,
    Start,
    Stcp,
    Tag,
    Terminal,
    Trace,
    Per,
    Unlock,
    Vary,
    Vmdump,
    Warning,
    Smsg,
    Direct,
    Comment,
    Cp,
}

/// One entry of the command table.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The full command name.
    pub name: &'static str,
    /// How many leading characters are enough.
    pub min: usize,
    /// Who may use it.
    pub classes: &'static str,
    /// The verb it runs.
    pub verb: Verb,
}

macro_rules! table {
    ($($name:literal $min:literal $cls:literal $verb:ident),* $(,)?) => {
        &[$(Entry { name: $name, min: $min, classes: $cls, verb: Verb::$verb }),*]
    };
}

/// The command table, in search order. `DIRECT` is CP's directory loader (a CMS MODULE in
/// R6, run from MAINT's virtual machine; here a class A-C CP command).
pub static COMMANDS: &[Entry] = table![
    "LOGON" 1 "" Logon, "LOGIN" 1 "" Logon, "DIAL" 1 "" Dial, "ATTACH" 3 "B" Attach,
    "ATTN" 4 "G" Attn, "ADSTOP" 6 "G" Adstop, "ACNT" 4 "A" Acnt, "AUTOLOG" 6 "AB" Autolog,
    "BEGIN" 1 "G" Begin, "BACKSPAC" 2 "D" Backspac, "CHANGE" 2 "DG" Change,
    "CLOSE" 1 "G" Close, "COUPLE" 6 "G" Couple, "DISPLAY" 1 "G" Display, "DCP" 3 "CE" Dcp,
    "DEFINE" 3 "G" Define, "DETACH" 3 "BG" Detach, "DISCONN" 4 "" Disconn,
    "DISCONNECT" 10 "" Disconn,
    "DISABLE" 4 "AB" Disable, "DMCP" 4 "CE" Dmcp, "DRAIN" 2 "D" Drain, "DUMP" 2 "G" Dump,
    "ECHO" 2 "G" Echo, "EXTERNAL" 3 "G" External, "ENABLE" 2 "AB" Enable,
    "FLUSH" 1 "D" Flush, "FORCE" 5 "A" Force, "HALT" 4 "A" Halt, "HOLD" 2 "D" Hold,
    "IPL" 1 "G" Ipl, "LINK" 4 "G" Link, "LOADBUF" 7 "D" Loadbuf, "LOADVFCB" 8 "G" Loadvfcb,
    "LOCATE" 3 "CE" Locate, "LOCK" 4 "C" Lock, "LOGOFF" 3 "" Logoff, "LOGOUT" 3 "" Logoff,
    "MONITOR" 3 "AE" Monitor, "MSG" 1 "BG" Msg, "MSGNOH" 6 "AB" Msgnoh,
    "MESSAGE" 2 "BG" Msg, "NETWORK" 3 "ABF" Network, "NOTREADY" 4 "G" Notready,
    "ORDER" 3 "DG" Order, "PURGE" 3 "DG" Purge, "QUERY" 1 "ABCDEFGH" Query,
    "READY" 5 "G" Ready, "FREE" 2 "D" Free, "REPEAT" 3 "D" Repeat, "REQUEST" 3 "G" Request,
    "RESET" 5 "G" Reset, "REWIND" 3 "G" Rewind, "SYSTEM" 3 "G" System,
    "SAVESYS" 7 "C" Savesys, "INDICATE" 3 "EG" Indicate, "TRANSFER" 4 "DG" Transfer,
    "SET" 3 "ABCFGH" Set, "SHUTDOWN" 8 "A" Shutdown, "SLEEP" 2 "" Sleep,
    "SPACE" 3 "D" Space, "SPOOL" 2 "G" Spool, "STORE" 2 "G" Store, "START" 3 "D" Start,
    "STCP" 4 "C" Stcp, "TAG" 2 "G" Tag, "TERMINAL" 4 "G" Terminal, "TRACE" 2 "G" Trace,
    "PER" 3 "G" Per, "UNLOCK" 6 "C" Unlock, "VARY" 4 "B" Vary, "VMDUMP" 3 "G" Vmdump,
    "WNG" 1 "AB" Warning, "WARNING" 1 "AB" Warning, "SMSG" 2 "G" Smsg,
    "DIRECT" 6 "ABC" Direct, "*" 1 "" Comment, "CP" 2 "" Cp,
];

/// Does `word` (upper case) abbreviate `name` with at least `min` characters?
pub fn abbreviates(word: &str, name: &str, min: usize) -> bool {
    word.len() >= min && word.len() <= name.len() && name.starts_with(word)
}

/// Finds the command `word` names among those `user` may use: the first table entry, in
/// search order, that the word abbreviates and the user's classes allow. Commands the user
/// is not authorized for are invisible, as in R6. Once a user is logged on, LOGON and LOGIN
/// are no longer searched (so `LOG` is LOGOFF).
pub fn find(word: &str, user: Classes, logged_on: bool) -> Option<&'static Entry> {
    let w = word.to_ascii_uppercase();
    COMMANDS.iter().find(|e| {
        abbreviates(&w, e.name, e.min)
            && (e.classes.is_empty() || user.any_of(e.classes))
            && !(logged_on && e.verb == Verb::Logon)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_follow_table_order() {
        let g = Classes::GENERAL;
        let f = |w: &str| find(w, g, true).map(|e| e.verb);
        assert_eq!(find("L", Classes::NONE, false).map(|e| e.verb), Some(Verb::Logon));
        assert_eq!(find("LOG", g, false).map(|e| e.verb), Some(Verb::Logon), "LOGON comes first");
        assert_eq!(f("D"), Some(Verb::Dial));
        assert_eq!(f("DI"), Some(Verb::Dial));
        assert_eq!(f("DISP"), Some(Verb::Display));
        assert_eq!(f("q"), Some(Verb::Query));
        assert_eq!(f("LOG"), Some(Verb::Logoff), "logged on: LOG is LOGOFF");
        assert_eq!(f("L"), None, "logged on: L is nothing");
        assert_eq!(f("SP"), Some(Verb::Spool));
        assert_eq!(f("TERM"), Some(Verb::Terminal));
        assert_eq!(f("TER"), None, "TERMINAL needs 4");
        assert_eq!(f("LOGONX"), None);
    }

    #[test]
    fn classes_hide_commands() {
        let g = Classes::GENERAL;
        assert!(find("FORCE", g, true).is_none());
        assert!(find("FORCE", Classes::parse("A").expect("class A"), true).is_some());
        assert_eq!(find("W", g, true).map(|e| e.verb), None, "WARNING needs A or B");
        assert_eq!(find("LOGOFF", Classes::NONE, true).map(|e| e.verb), Some(Verb::Logoff));
    }
}
