//! CMS as a user sees it: the IPL sequence, the command loop and the ready message, the
//! console stack, messages, the command search order, and the commands (`cms/doc/commands.md`,
//! `exec.md`, `edit.md`).
//!
//! Everything here is `core` + `alloc` and reaches the machine only through [`Host`], so the
//! same code runs in the x86 virtual machine and in the host tests.
//!
//! ```text
//!   IPL: banner -> read one line -> ACCESS 191 A, 190 S, 19E Y/S -> PROFILE EXEC -> ready
//!   loop: read (stack first) -> EXEC? nucleus? built-in module? CP? -> output -> ready
//! ```

pub mod host;
pub mod plist;

mod access;
mod copyfile;
mod disks;
mod edit;
mod exec;
mod files;
mod format;
mod listfile;
mod query;
mod typefile;
mod unit;

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

pub use host::{Clock, CpReply, DevClass, DeviceInfo, DiskError, Host, UnitError};

use crate::fs::Timestamp;
use disks::Disks;

/// The version banner (commands.md §3: `CMS VERSION 6.0 - <build id>`).
pub const BANNER: &str = "CMS VERSION 6.0 - VM370 RUST X86";

/// The longest line CMS types or reads.
pub const LINE_MAX: usize = 130;

/// What CP tells CMS at IPL.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The system's ready message is `Ready;` rather than `R;`.
    pub ready_long: bool,
    /// `IPL CMS PARM AUTOCR`: do not read a line after the banner.
    pub autocr: bool,
}

impl Config {
    /// From CP's IPL information block, if CP gave one.
    pub fn from_ipl(info: Option<&crate::abi::IplInfo>) -> Config {
        let Some(i) = info else { return Config::default() };
        let parm = core::str::from_utf8(i.parm_bytes()).unwrap_or("");
        Config {
            ready_long: i.ready_long(),
            autocr: parm.split_ascii_whitespace().any(|w| w.eq_ignore_ascii_case("AUTOCR")),
        }
    }
}

/// The settings of `SET` (commands.md §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// SET ABBREV.
    pub abbrev: bool,
    /// SET BLIP (`None` = OFF).
    pub blip: Option<String>,
    /// SET IMPCP.
    pub impcp: bool,
    /// SET IMPEX.
    pub impex: bool,
    /// SET PROTECT.
    pub protect: bool,
    /// SET RDYMSG LMSG (true) or SMSG.
    pub lmsg: bool,
    /// SET RELPAGE.
    pub relpage: bool,
    /// SET REDTYPE.
    pub redtype: bool,
    /// SET AUTOREAD.
    pub autoread: bool,
    /// SET LDRTBLS.
    pub ldrtbls: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            abbrev: true,
            blip: None,
            impcp: true,
            impex: true,
            protect: true,
            lmsg: true,
            relpage: true,
            redtype: false,
            autoread: false,
            ldrtbls: 2,
        }
    }
}

/// Where a command line comes from: the search order differs (commands.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Typed (or stacked) at the command level: implicit EXEC and implicit CP apply.
    Console,
    /// From an EXEC or a program: neither applies, an unknown command is silent.
    Exec,
}

/// A running CMS.
pub struct Cms<'h, H: Host> {
    host: &'h mut H,
    cfg: Config,
    disks: Disks,
    stack: VecDeque<String>,
    settings: Settings,
    /// `&GLOBAL0`-`&GLOBAL9`.
    globals: [i32; 10],
    /// HT: output is discarded until RT or the end of the command.
    halt_typing: bool,
    /// HX: the running command stops at the next chance.
    halt: bool,
    /// EXEC nesting depth (0 at the command level).
    exec_depth: u32,
    /// `&CONTROL NOMSG` of the running EXEC: no `FILE ... NOT FOUND` messages.
    nomsg: bool,
    /// Processor times at the last ready message.
    last_virt_us: u64,
    last_total_us: u64,
}

impl<'h, H: Host> Cms<'h, H> {
    /// CMS on `host`, not yet IPLed.
    pub fn new(host: &'h mut H, cfg: Config) -> Self {
        Cms {
            host,
            cfg,
            disks: Disks::default(),
            stack: VecDeque::new(),
            settings: Settings::default(),
            globals: [1; 10],
            halt_typing: false,
            halt: false,
            exec_depth: 0,
            nomsg: false,
            last_virt_us: 0,
            last_total_us: 0,
        }
    }

    /// IPL, then read and run commands until the console has no more input (never, on a
    /// real machine).
    pub fn run(&mut self) {
        let Some((noprof, first)) = self.ipl_start() else { return };
        self.ipl_finish(noprof, first);
        while let Some(line) = self.read_line(true) {
            self.console_command(&line);
        }
    }

    /// Steps 1-3 of the IPL (commands.md §3): banner, the first line, the default disks.
    /// Returns whether the profile is skipped and the command to remember, or `None` when
    /// the console is gone.
    fn ipl_start(&mut self) -> Option<(bool, String)> {
        let c = self.host.clock();
        self.last_virt_us = c.virt_us;
        self.last_total_us = c.total_us;
        self.say(BANNER);
        let first = if self.cfg.autocr { String::new() } else { self.read_line(true)? };
        let toks = plist::tokens(&first);
        let (nodisk, noprof) = match toks.first() {
            Some(w) if self.is_command(w, "ACCESS", 3) => {
                let (_, opts) = plist::split(&toks[1..]);
                let nodisk = opts.iter().any(|o| o == "NODISK");
                (nodisk, nodisk || opts.iter().any(|o| o == "NOPROF"))
            }
            _ => (false, false),
        };
        if !nodisk && self.host.device(0x191).is_some() {
            self.access_default(0x191, 'A', None);
        }
        if self.host.device(0x190).is_some() {
            self.access_default(0x190, 'S', None);
        }
        if self.host.device(0x19E).is_some() {
            self.access_default(0x19E, 'Y', Some('S'));
        }
        let is_access = toks.first().is_some_and(|w| self.is_command(w, "ACCESS", 3))
            && toks.iter().any(|t| t == "(");
        let remembered = if first.trim().is_empty() || is_access { String::new() } else { first };
        Some((noprof, remembered))
    }

    /// Steps 4-5: PROFILE EXEC, then the ready message (or the remembered command).
    fn ipl_finish(&mut self, noprof: bool, remembered: String) {
        let mut rc = 0;
        if !noprof {
            let profile = crate::fs::FileId::new("PROFILE", "EXEC").expect("a valid fileid");
            if self.disks.find(&profile, disks::Scope::All).is_some() {
                rc = self.run_exec("PROFILE", &[]);
            }
        }
        if self.finish_halt() {
            return;
        }
        if remembered.trim().is_empty() {
            self.ready(rc);
        } else {
            self.console_command(&remembered);
        }
    }

    /// Runs a line typed at the command level and types the ready message.
    fn console_command(&mut self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let rc = self.execute(line, Origin::Console);
        if self.finish_halt() {
            return;
        }
        self.ready(rc);
    }

    /// After HX: types `CMS`, clears the stack; true if it happened.
    fn finish_halt(&mut self) -> bool {
        self.halt_typing = false;
        if !self.halt {
            return false;
        }
        self.halt = false;
        self.stack.clear();
        self.exec_depth = 0;
        self.say("CMS");
        true
    }

    /// The ready message (commands.md §2.3).
    fn ready(&mut self, rc: i32) {
        self.halt_typing = false;
        let word = if self.cfg.ready_long { "Ready" } else { "R" };
        let head = if rc == 0 { format!("{word};") } else { format!("{word}({});", rc5(rc)) };
        let c = self.host.clock();
        let v = c.virt_us.saturating_sub(self.last_virt_us);
        let t = c.total_us.saturating_sub(self.last_total_us);
        self.last_virt_us = c.virt_us;
        self.last_total_us = c.total_us;
        let line = if self.settings.lmsg {
            format!(
                "{head} T={}/{} {:02}:{:02}:{:02}",
                seconds(v),
                seconds(t.max(v)),
                c.hour,
                c.minute,
                c.second
            )
        } else {
            head
        };
        self.host.write_line(&line);
    }

    /// Whether `word` names command `full` (at least `min` characters under SET ABBREV ON).
    fn is_command(&self, word: &str, full: &str, min: usize) -> bool {
        if self.settings.abbrev { plist::abbrev(word, full, min) } else { word == full }
    }

    /// Runs one command line through the search order (commands.md §5.1) and returns its
    /// return code.
    pub fn execute(&mut self, line: &str, origin: Origin) -> i32 {
        let toks = plist::tokens(line);
        let Some(name) = toks.first().cloned() else { return 0 };
        let args = &toks[1..];
        if origin == Origin::Console && self.settings.impex {
            let id = crate::fs::FileId::new(&name, "EXEC");
            if let Ok(id) = id
                && self.disks.find(&id, disks::Scope::All).is_some()
            {
                return self.run_exec(&name, args);
            }
        }
        if let Some(rc) = self.nucleus(&name, args, line) {
            return rc;
        }
        if let Some(rc) = self.builtin(&name, args, line) {
            return rc;
        }
        if origin == Origin::Console && self.settings.impcp {
            let reply = self.cp_captured(line.trim());
            if reply.rc == 1 {
                self.say("UNKNOWN CP/CMS COMMAND");
                return -3;
            }
            return reply.rc;
        }
        if origin == Origin::Console {
            self.say("UNKNOWN CMS COMMAND");
        }
        -3
    }

    /// The nucleus commands (§5.1 step 2).
    fn nucleus(&mut self, name: &str, args: &[String], line: &str) -> Option<i32> {
        Some(match name {
            "CP" => self.cp_command(line),
            "EXEC" | "EXE" | "EX" => match args.first() {
                Some(f) => {
                    let f = f.clone();
                    self.run_exec(&f, &args[1..])
                }
                None => self.error("DMSEXC001E", "NO FILENAME SPECIFIED", 24),
            },
            "ERASE" => self.erase(args),
            "STATE" => self.state(args, false),
            "STATEW" => self.state(args, true),
            "HT" => {
                self.halt_typing = true;
                0
            }
            "RT" => {
                self.halt_typing = false;
                0
            }
            "HX" | "HO" | "SO" | "HB" => 0,
            "DEBUG" | "GENMOD" | "INCLUDE" | "LOAD" | "LOADMOD" | "START" => {
                self.error("DMSLIO001E", "S/370 PROGRAMS CANNOT RUN ON AN X86 MACHINE", -3)
            }
            _ => return None,
        })
    }

    /// The commands R6 had as modules on the S-disk (§5.1 step 3).
    fn builtin(&mut self, name: &str, args: &[String], line: &str) -> Option<i32> {
        let c = |full: &str, min: usize| self.is_command(name, full, min);
        Some(if c("ACCESS", 3) {
            self.access(args)
        } else if c("RELEASE", 3) {
            self.release(args)
        } else if c("QUERY", 1) {
            self.query(args, line)
        } else if c("SET", 3) {
            self.set(args, line)
        } else if c("LISTFILE", 1) {
            self.listfile(args)
        } else if c("TYPE", 1) {
            self.type_file(args)
        } else if c("RENAME", 1) {
            self.rename(args)
        } else if c("COPYFILE", 4) {
            self.copyfile(args)
        } else if c("FORMAT", 6) {
            self.format(args)
        } else if c("EDIT", 1) {
            self.edit(args)
        } else if c("PRINT", 2) {
            self.print(args)
        } else if c("PUNCH", 2) {
            self.punch(args)
        } else if c("READCARD", 4) {
            self.readcard(args)
        } else if name == "DISK" {
            self.disk_command(args)
        } else {
            return None;
        })
    }

    /// `CP [command]`.
    fn cp_command(&mut self, line: &str) -> i32 {
        let rest = line.trim_start();
        let rest = rest.get(2..).unwrap_or("").trim();
        let reply =
            if rest.is_empty() { self.host.cp(rest, false) } else { self.cp_captured(rest) };
        if reply.rc == 1 && !rest.is_empty() {
            self.say("UNKNOWN CP COMMAND");
            return if self.exec_depth > 0 { 1 } else { -1 };
        }
        reply.rc
    }

    /// Gives a command line to CP with its response captured, then types the response unless
    /// CP did not know the command (return code 1): CMS then says so in its own words, and
    /// whatever CP would have typed about it is not shown.
    fn cp_captured(&mut self, line: &str) -> CpReply {
        let reply = self.host.cp(line, true);
        if reply.rc != 1 {
            for l in &reply.lines {
                self.say(l);
            }
        }
        reply
    }

    // ---- the console ---------------------------------------------------------------------

    /// Types a line of command output (nothing while HT is in force).
    pub fn say(&mut self, text: &str) {
        if self.halt_typing {
            return;
        }
        self.check_attention();
        let t: String = text.chars().take(LINE_MAX).collect();
        self.host.write_line(t.trim_end());
    }

    /// Types the CMS message `id text` as CP's `SET EMSG` says (commands.md §2.1).
    pub fn message(&mut self, id: &str, text: &str) {
        let severity = id.chars().last().unwrap_or('E');
        let serious = matches!(severity, 'S' | 'T' | 'R');
        if self.halt_typing && !serious {
            return;
        }
        let full = format!("{id} {text}");
        let edited = self.host.edit_message(&full);
        let shown = if serious && edited != full { text.to_string() } else { edited };
        if !shown.is_empty() {
            let t: String = shown.chars().take(LINE_MAX).collect();
            self.host.write_line(t.trim_end());
        }
    }

    /// Types an error message and returns `rc`.
    pub fn error(&mut self, id: &str, text: &str, rc: i32) -> i32 {
        self.message(id, text);
        rc
    }

    /// Reads a line: the next stacked one, else from the console (cut to 130 characters),
    /// upper-cased when `translate`.
    pub fn read_line(&mut self, translate: bool) -> Option<String> {
        if let Some(l) = self.stack.pop_front() {
            return Some(l);
        }
        let raw = self.host.read_line()?;
        let l: String = raw.chars().take(LINE_MAX).collect();
        Some(if translate { l.to_uppercase() } else { l })
    }

    /// If the user signalled attention, reads the line they typed and acts on it (HX, HT,
    /// RT; anything else is stacked).
    pub fn check_attention(&mut self) {
        if !self.host.attention() {
            return;
        }
        let Some(line) = self.host.read_line() else { return };
        let word = line.trim().to_uppercase();
        match word.as_str() {
            "HX" => self.halt = true,
            "HT" => self.halt_typing = true,
            "RT" => self.halt_typing = false,
            "HO" | "SO" | "HB" => {}
            _ => self.stack.push_back(line.to_uppercase()),
        }
    }

    /// Whether HX asked the running command to stop (looks for an attention first).
    pub fn halted(&mut self) -> bool {
        self.check_attention();
        self.halt
    }

    /// The current date and time as a file time stamp.
    fn now(&mut self) -> Timestamp {
        let c = self.host.clock();
        Timestamp::new(u32::from(c.year), c.month, c.day, c.hour, c.minute)
    }
}

/// A return code in the ready message's five characters: `00028`, `-0003`.
pub fn rc5(rc: i32) -> String {
    if rc < 0 {
        format!("-{:04}", rc.unsigned_abs() % 10000)
    } else {
        format!("{:05}", rc % 100_000)
    }
}

/// Microseconds as `seconds.hundredths`.
fn seconds(us: u64) -> String {
    let hundredths = us / 10_000;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The words of a line joined by single blanks.
pub fn join(words: &[String]) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// The line after its first word (the command name), blanks trimmed.
pub fn after_first_word(line: &str) -> &str {
    let t = line.trim_start();
    match t.find(' ') {
        Some(i) => t[i..].trim(),
        None => "",
    }
}

/// Collects the lines of `text` into owned strings.
pub fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(ToString::to_string).collect()
}
