//! The directory as data: what each user gets at logon.
//!
//! Plain values (`Clone`, `Debug`, `PartialEq`) with no behaviour beyond lookups and the small
//! rules that belong to the data itself (password checks, storage formatting). Statement
//! syntax lives in `parser`, cross-entry checks in `validate`, the canonical text in `text`.

use std::fmt;

/// A virtual (or real) device address, `X'000'`-`X'FFF'`, shown as three hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VAddr(pub u16);

impl fmt::Display for VAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03X}", self.0)
    }
}

/// A storage size in bytes, written `nnnK` or `nnM` (a multiple of 4K).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Storage(pub u32);

impl Storage {
    /// One megabyte.
    pub const MEG: u32 = 1024 * 1024;
    /// The most an S/370 virtual machine can address (24-bit addresses): 16M.
    pub const MAX_370: Storage = Storage(16 * Self::MEG);
    /// The most this project gives an x86 virtual machine: 1024M.
    pub const MAX_X86: Storage = Storage(1024 * Self::MEG);
    /// Logon storage when the `USER` statement omits it: 256K.
    pub const DEFAULT: Storage = Storage(256 * 1024);

    /// Size in bytes.
    pub fn bytes(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(Self::MEG) {
            write!(f, "{}M", self.0 / Self::MEG)
        } else {
            write!(f, "{}K", self.0 / 1024)
        }
    }
}

/// The CP privilege classes A-H a user holds (CPREF p.20), as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Classes(u8);

impl Classes {
    /// Class G only: the general user, and the `USER` statement's default.
    pub const GENERAL: Classes = Classes(1 << 6);
    /// No classes (what a `NOLOG` entry effectively has).
    pub const NONE: Classes = Classes(0);

    /// The set of the classes named in `letters` (`A`-`H`, any case); `None` if another
    /// character appears or `letters` is empty.
    pub fn parse(letters: &str) -> Option<Classes> {
        if letters.is_empty() {
            return None;
        }
        let mut bits = 0u8;
        for c in letters.chars() {
            let c = c.to_ascii_uppercase();
            if !('A'..='H').contains(&c) {
                return None;
            }
            bits |= 1 << (c as u8 - b'A');
        }
        Some(Classes(bits))
    }

    /// Does the set hold class `class` (`A`-`H`)?
    pub fn contains(self, class: char) -> bool {
        let c = class.to_ascii_uppercase();
        ('A'..='H').contains(&c) && self.0 & (1 << (c as u8 - b'A')) != 0
    }

    /// Does the set hold any class of `any` (a command's classes, e.g. `"ABC"`)?
    pub fn any_of(self, any: &str) -> bool {
        any.chars().any(|c| self.contains(c))
    }
}

impl fmt::Display for Classes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in 'A'..='H' {
            if self.contains(c) {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Direct-access device types the directory and the configuration accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DasdType {
    /// 2305 fixed-head storage (model 2).
    D2305,
    /// 2314 disk storage.
    D2314,
    /// 2319 disk storage (a 2314 attached to a 370/145).
    D2319,
    /// 3330 disk storage (model 1).
    D3330,
    /// 3340 disk storage (70 MB module).
    D3340,
    /// 3350 disk storage in native mode.
    D3350,
    /// 3375 disk storage.
    D3375,
    /// 3380 disk storage.
    D3380,
}

impl DasdType {
    /// Every type, in model-number order.
    pub const ALL: [DasdType; 8] = [
        Self::D2305,
        Self::D2314,
        Self::D2319,
        Self::D3330,
        Self::D3340,
        Self::D3350,
        Self::D3375,
        Self::D3380,
    ];

    /// The model number as written in statements (`3350`).
    pub fn number(self) -> u16 {
        match self {
            Self::D2305 => 2305,
            Self::D2314 => 2314,
            Self::D2319 => 2319,
            Self::D3330 => 3330,
            Self::D3340 => 3340,
            Self::D3350 => 3350,
            Self::D3375 => 3375,
            Self::D3380 => 3380,
        }
    }

    /// The type written as `number` (`3350`), if it is a DASD type.
    pub fn from_number(number: u16) -> Option<DasdType> {
        Self::ALL.into_iter().find(|t| t.number() == number)
    }

    /// Cylinders of a full volume as VM/370 maps it (the extents whole-pack minidisks use:
    /// 3350 `000 555`, 2314 `000 203`, 3330 `000 404` — CE directory, PSG p.227).
    pub fn cylinders(self) -> u16 {
        match self {
            Self::D2305 => 96,
            Self::D2314 | Self::D2319 => 203,
            Self::D3330 => 404,
            Self::D3340 => 696,
            Self::D3350 => 555,
            Self::D3375 => 959,
            Self::D3380 => 885,
        }
    }
}

impl fmt::Display for DasdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The kind of machine a user gets (`MACHINE 370|X86`, this project's statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Machine {
    /// An S/370 virtual machine on the interpreter (the default).
    #[default]
    S370,
    /// An x86 virtual machine on KVM.
    X86,
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::S370 => "370",
            Self::X86 => "X86",
        })
    }
}

/// Access of a minidisk or link: primary access with an optional alternative (PSG p.237).
///
/// | mode | meaning |
/// |---|---|
/// | `R`  | read-only; refused if anyone has it read/write |
/// | `RR` | read-only even if others write |
/// | `W`  | write; refused if anyone else is linked |
/// | `WR` | write, else read |
/// | `M`  | multi-write unless someone already has write |
/// | `MR` | as M, else read ("FORCED R/O") |
/// | `MW` | write in all cases |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `R`.
    R,
    /// `RR`.
    RR,
    /// `W`.
    W,
    /// `WR`.
    WR,
    /// `M`.
    M,
    /// `MR`.
    MR,
    /// `MW`.
    MW,
}

impl Access {
    /// Every mode.
    pub const ALL: [Access; 7] =
        [Self::R, Self::RR, Self::W, Self::WR, Self::M, Self::MR, Self::MW];

    /// The mode letters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::R => "R",
            Self::RR => "RR",
            Self::W => "W",
            Self::WR => "WR",
            Self::M => "M",
            Self::MR => "MR",
            Self::MW => "MW",
        }
    }

    /// Does the mode ask for write access first (`W`, `WR`, `M`, `MR`, `MW`)?
    pub fn wants_write(self) -> bool {
        !matches!(self, Self::R | Self::RR)
    }

    /// Which link password this mode asks for: read for R/RR, write for W/WR, multi for M/MR/MW.
    pub fn password_kind(self) -> PasswordKind {
        match self {
            Self::R | Self::RR => PasswordKind::Read,
            Self::W | Self::WR => PasswordKind::Write,
            Self::M | Self::MR | Self::MW => PasswordKind::Multi,
        }
    }
}

/// A link or minidisk mode: the access and the optional trailing `V` (virtual
/// RESERVE/RELEASE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkMode {
    /// The access.
    pub access: Access,
    /// Trailing `V`: the virtual machine's RESERVE/RELEASE are simulated.
    pub vreserve: bool,
}

impl LinkMode {
    /// The mode used when a statement omits it: `W` for MDISK, `R` for LINK.
    pub const fn new(access: Access) -> Self {
        Self { access, vreserve: false }
    }

    /// Parse `R`, `RR`, `W`, `WR`, `M`, `MR`, `MW`, each optionally followed by `V`.
    pub fn parse(s: &str) -> Option<LinkMode> {
        let up = s.to_ascii_uppercase();
        let (body, vreserve) = match up.strip_suffix('V') {
            Some(b) if !b.is_empty() => (b.to_string(), true),
            _ => (up, false),
        };
        let access = Access::ALL.into_iter().find(|a| a.as_str() == body)?;
        Some(LinkMode { access, vreserve })
    }
}

impl fmt::Display for LinkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.access.as_str(), if self.vreserve { "V" } else { "" })
    }
}

/// The three minidisk passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordKind {
    /// Read password (R, RR links).
    Read,
    /// Write password (W, WR links).
    Write,
    /// Multiple-write password (M, MR, MW links).
    Multi,
}

/// Where the `DIRECTORY` statement says the directory lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryVolume {
    /// Device address of the directory volume.
    pub address: VAddr,
    /// Its device type.
    pub devtype: DasdType,
    /// Its volume serial.
    pub volser: String,
}

/// A whole directory: where it lives and the users, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    /// The `DIRECTORY` statement.
    pub volume: DirectoryVolume,
    /// One entry per `USER` statement, in file order; user ids are unique.
    pub users: Vec<UserEntry>,
}

impl Directory {
    /// The entry of `userid` (any case).
    pub fn user(&self, userid: &str) -> Option<&UserEntry> {
        self.users.iter().find(|u| u.userid.eq_ignore_ascii_case(userid))
    }

    /// The user ids, in file order.
    pub fn userids(&self) -> impl Iterator<Item = &str> {
        self.users.iter().map(|u| u.userid.as_str())
    }

    /// The minidisk `vaddr` of `userid` (what a `LINK userid vaddr` reaches).
    pub fn mdisk(&self, userid: &str, vaddr: VAddr) -> Option<&Mdisk> {
        self.user(userid)?.mdisk(vaddr)
    }
}

/// The `ACCOUNT` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Account number (1-8 characters).
    pub number: String,
    /// Distribution code for spool separators; `None` = the user id.
    pub distcode: Option<String>,
}

/// `OPTION` keywords (PSG p.233; `LNKNOPAS` and `STFIRST` as VM/370 CE adds).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// `REALTIMER`: the interval timer also runs in CP wait (SET TIMER REAL).
    pub realtimer: bool,
    /// `ECMODE`: EC-mode PSWs and control registers allowed.
    pub ecmode: bool,
    /// `ISAM`: OS ISAM self-modifying channel programs checked.
    pub isam: bool,
    /// `VIRT=REAL`: the virtual=real area.
    pub virt_real: bool,
    /// `ACCT`: may issue DIAGNOSE X'4C' accounting records.
    pub acct: bool,
    /// `SVCOFF`: SVC 76 handled by the guest, not by CP.
    pub svcoff: bool,
    /// `BMX`: block-multiplexer virtual channels.
    pub bmx: bool,
    /// `CPUID xxxxxx`: the CPU identification STIDP reports.
    pub cpuid: Option<u32>,
    /// `AFFINITY nn`: run on this processor.
    pub affinity: Option<u8>,
    /// `LNKNOPAS` (CE): may link any disk without a password.
    pub lnknopas: bool,
    /// `STFIRST` (CE): started first at system IPL.
    pub stfirst: bool,
}

/// What the directory `IPL` statement loads at logon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IplTarget {
    /// A virtual device (`IPL 190`).
    Device(VAddr),
    /// A named saved system (`IPL CMS`).
    System(String),
}

impl fmt::Display for IplTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Device(a) => write!(f, "{a}"),
            Self::System(n) => f.write_str(n),
        }
    }
}

/// The `IPL` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipl {
    /// Device or saved system.
    pub target: IplTarget,
    /// Text after `PARM`, passed to the IPLed system.
    pub parm: Option<String>,
}

/// A spool class: a letter or digit, or `*` (a reader that takes every class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpoolClass {
    /// `*`: all classes (readers only).
    Any,
    /// One class `A`-`Z` or `0`-`9`.
    Class(char),
}

impl SpoolClass {
    /// The class when a statement omits it: `A`.
    pub const DEFAULT: SpoolClass = SpoolClass::Class('A');

    /// The class as one character (`*` for all classes).
    pub fn as_char(self) -> char {
        match self {
            Self::Any => '*',
            Self::Class(c) => c,
        }
    }
}

impl fmt::Display for SpoolClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Class(c) => write!(f, "{c}"),
        }
    }
}

/// The `CONSOLE` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Console {
    /// Virtual address (usually `009`).
    pub vaddr: VAddr,
    /// Device type: 1052, 3210, 3215 or 3066.
    pub devtype: u16,
    /// Spool class for console spooling, if given.
    pub class: Option<SpoolClass>,
}

/// What a spooled unit-record device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpoolKind {
    /// Card reader (2540 READER, 2501, 3505).
    Reader,
    /// Card punch (2540 PUNCH, 3525).
    Punch,
    /// Printer (1403, 1443, 3203, 3211).
    Printer,
}

/// A `SPOOL` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolDevice {
    /// Virtual address.
    pub vaddr: VAddr,
    /// Device type number.
    pub devtype: u16,
    /// Reader, punch or printer.
    pub kind: SpoolKind,
    /// Spool class, if given (`SpoolClass::DEFAULT` otherwise).
    pub class: Option<SpoolClass>,
}

/// A `LINK` statement: link to another user's minidisk at logon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Owner of the minidisk.
    pub userid: String,
    /// The minidisk's address in the owner's entry.
    pub vaddr: VAddr,
    /// The address it gets in this virtual machine.
    pub as_vaddr: VAddr,
    /// Link mode (`R` when omitted).
    pub mode: LinkMode,
}

/// An `MDISK` statement: an extent of a real volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mdisk {
    /// Virtual address.
    pub vaddr: VAddr,
    /// Device type of the volume.
    pub devtype: DasdType,
    /// First real cylinder.
    pub start: u16,
    /// Number of cylinders.
    pub cylinders: u16,
    /// Volume serial of the real volume.
    pub volser: String,
    /// The owner's access mode (`W` when omitted).
    pub mode: LinkMode,
    /// Read password (`ALL` = anyone).
    pub read_password: Option<String>,
    /// Write password (given only with a read password).
    pub write_password: Option<String>,
    /// Multiple-write password (given only with both others).
    pub multi_password: Option<String>,
}

impl Mdisk {
    /// One past the last cylinder of the extent.
    pub fn end(&self) -> u32 {
        u32::from(self.start) + u32::from(self.cylinders)
    }

    /// The password of `kind`, if the disk has one.
    pub fn password(&self, kind: PasswordKind) -> Option<&str> {
        match kind {
            PasswordKind::Read => self.read_password.as_deref(),
            PasswordKind::Write => self.write_password.as_deref(),
            PasswordKind::Multi => self.multi_password.as_deref(),
        }
    }

    /// May another user link with `kind` access giving `given`? `ALL` admits anyone
    /// without a password; a disk with no such password admits nobody (PSG p.237).
    pub fn admits(&self, kind: PasswordKind, given: Option<&str>) -> bool {
        match self.password(kind) {
            None => false,
            Some(pw) if pw.eq_ignore_ascii_case("ALL") => true,
            Some(pw) => given.is_some_and(|g| g.eq_ignore_ascii_case(pw)),
        }
    }
}

/// What a `DEDICATE` statement gives the virtual machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DedicateTarget {
    /// A real device address.
    Device(VAddr),
    /// The real volume with this serial.
    Volume(String),
}

/// A `DEDICATE` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dedicate {
    /// Virtual address.
    pub vaddr: VAddr,
    /// Real device or volume.
    pub target: DedicateTarget,
}

/// What a `SPECIAL` statement defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialKind {
    /// `3270`: a virtual display station reached by DIAL.
    Graf3270,
    /// `CTCA`: a channel-to-channel adapter.
    Ctca,
    /// `TIMER`: a pseudo timer device.
    Timer,
}

impl SpecialKind {
    /// The operand as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graf3270 => "3270",
            Self::Ctca => "CTCA",
            Self::Timer => "TIMER",
        }
    }
}

/// A `SPECIAL` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Special {
    /// Virtual address.
    pub vaddr: VAddr,
    /// Device kind.
    pub kind: SpecialKind,
}

/// One user's directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEntry {
    /// User id, upper case, 1-8 characters.
    pub userid: String,
    /// Logon password, upper case; `NOLOG` = cannot log on.
    pub password: String,
    /// Storage at logon.
    pub storage: Storage,
    /// Most storage `DEFINE STORAGE` may give.
    pub max_storage: Storage,
    /// CP privilege classes.
    pub classes: Classes,
    /// Dispatching priority, 1-99 (lower runs first); 50 when omitted.
    pub priority: u8,
    /// Line-end character, if the entry sets one.
    pub linend: Option<char>,
    /// Line-delete character, if set.
    pub linedel: Option<char>,
    /// Character-delete character, if set.
    pub chardel: Option<char>,
    /// Escape character, if set.
    pub escape: Option<char>,
    /// `ACCOUNT` statement.
    pub account: Option<Account>,
    /// `OPTION` keywords.
    pub options: Options,
    /// `IPL` statement.
    pub ipl: Option<Ipl>,
    /// `CONSOLE` statement.
    pub console: Option<Console>,
    /// `SPOOL` statements, in file order.
    pub spool: Vec<SpoolDevice>,
    /// `LINK` statements, in file order.
    pub links: Vec<Link>,
    /// `MDISK` statements, in file order.
    pub mdisks: Vec<Mdisk>,
    /// `DEDICATE` statements, in file order.
    pub dedicates: Vec<Dedicate>,
    /// `SPECIAL` statements, in file order.
    pub specials: Vec<Special>,
    /// `MACHINE` statement (S/370 when omitted).
    pub machine: Machine,
}

impl UserEntry {
    /// The password that makes an entry impossible to log on to.
    pub const NOLOG: &'static str = "NOLOG";
    /// Priority when the `USER` statement omits it.
    pub const DEFAULT_PRIORITY: u8 = 50;

    /// A new entry with R6's defaults (256K, class G, priority 50) and no devices.
    pub fn new(userid: &str, password: &str) -> Self {
        Self {
            userid: userid.to_ascii_uppercase(),
            password: password.to_ascii_uppercase(),
            storage: Storage::DEFAULT,
            max_storage: Storage::DEFAULT,
            classes: Classes::GENERAL,
            priority: Self::DEFAULT_PRIORITY,
            linend: None,
            linedel: None,
            chardel: None,
            escape: None,
            account: None,
            options: Options::default(),
            ipl: None,
            console: None,
            spool: Vec::new(),
            links: Vec::new(),
            mdisks: Vec::new(),
            dedicates: Vec::new(),
            specials: Vec::new(),
            machine: Machine::S370,
        }
    }

    /// Can anyone log on to this entry (its password is not `NOLOG`)?
    pub fn can_log_on(&self) -> bool {
        self.password != Self::NOLOG
    }

    /// Is `given` this entry's logon password (any case)? Always false for `NOLOG` entries.
    pub fn password_matches(&self, given: &str) -> bool {
        self.can_log_on() && self.password.eq_ignore_ascii_case(given)
    }

    /// The minidisk at `vaddr`.
    pub fn mdisk(&self, vaddr: VAddr) -> Option<&Mdisk> {
        self.mdisks.iter().find(|m| m.vaddr == vaddr)
    }

    /// The account number (the user id when there is no `ACCOUNT` statement).
    pub fn account_number(&self) -> &str {
        self.account.as_ref().map_or(&self.userid, |a| &a.number)
    }

    /// The distribution code (the user id unless `ACCOUNT` gives one).
    pub fn distcode(&self) -> &str {
        self.account.as_ref().and_then(|a| a.distcode.as_deref()).unwrap_or(&self.userid)
    }

    /// The largest storage this entry's machine may have at all.
    pub fn storage_limit(&self) -> Storage {
        match self.machine {
            Machine::S370 => Storage::MAX_370,
            Machine::X86 => Storage::MAX_X86,
        }
    }

    /// Every virtual address the entry defines, with the statement keyword defining it.
    pub fn addresses(&self) -> Vec<(VAddr, &'static str)> {
        let mut out = Vec::new();
        out.extend(self.console.iter().map(|c| (c.vaddr, "CONSOLE")));
        out.extend(self.spool.iter().map(|s| (s.vaddr, "SPOOL")));
        out.extend(self.links.iter().map(|l| (l.as_vaddr, "LINK")));
        out.extend(self.mdisks.iter().map(|m| (m.vaddr, "MDISK")));
        out.extend(self.dedicates.iter().map(|d| (d.vaddr, "DEDICATE")));
        out.extend(self.specials.iter().map(|s| (s.vaddr, "SPECIAL")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_displays_like_the_directory() {
        assert_eq!(Storage(15 << 20).to_string(), "15M");
        assert_eq!(Storage(512 * 1024).to_string(), "512K");
        assert_eq!(Storage(1536 * 1024).to_string(), "1536K");
    }

    #[test]
    fn classes_parse_and_display_in_order() {
        let c = Classes::parse("gbA").expect("valid classes");
        assert_eq!(c.to_string(), "ABG");
        assert!(c.contains('a') && c.contains('G') && !c.contains('C'));
        assert!(c.any_of("CB"));
        assert!(!c.any_of("EF"));
        assert_eq!(Classes::parse("ABCI"), None);
        assert_eq!(Classes::parse(""), None);
        assert!(!c.contains('Z'));
    }

    #[test]
    fn link_modes_parse_with_trailing_v() {
        for a in Access::ALL {
            let m = LinkMode::parse(a.as_str()).expect("mode");
            assert_eq!(m, LinkMode::new(a));
            let v = LinkMode::parse(&format!("{}v", a.as_str().to_lowercase())).expect("mode");
            assert!(v.vreserve);
            assert_eq!(v.to_string(), format!("{}V", a.as_str()));
        }
        assert_eq!(LinkMode::parse("V"), None);
        assert_eq!(LinkMode::parse("RW"), None);
        assert_eq!(LinkMode::parse("WW"), None);
        assert_eq!(LinkMode::parse("MRVV"), None);
    }

    #[test]
    fn mdisk_passwords() {
        let mut m = Mdisk {
            vaddr: VAddr(0x191),
            devtype: DasdType::D3350,
            start: 1,
            cylinders: 5,
            volser: "VM370U".into(),
            mode: LinkMode::new(Access::MR),
            read_password: Some("ALL".into()),
            write_password: Some("WRITE".into()),
            multi_password: None,
        };
        assert!(m.admits(PasswordKind::Read, None));
        assert!(m.admits(PasswordKind::Write, Some("write")));
        assert!(!m.admits(PasswordKind::Write, Some("read")));
        assert!(!m.admits(PasswordKind::Write, None));
        assert!(!m.admits(PasswordKind::Multi, Some("MULT")));
        m.read_password = Some("SECRET".into());
        assert!(!m.admits(PasswordKind::Read, None));
        assert_eq!(m.end(), 6);
        assert_eq!(Access::MW.password_kind(), PasswordKind::Multi);
        assert!(!Access::RR.wants_write());
    }

    #[test]
    fn nolog_never_matches() {
        let u = UserEntry::new("$alloc$", "nolog");
        assert!(!u.can_log_on());
        assert!(!u.password_matches("NOLOG"));
        let u = UserEntry::new("maint", "cpcms");
        assert!(u.password_matches("cpcms"));
        assert_eq!(u.account_number(), "MAINT");
        assert_eq!(u.distcode(), "MAINT");
    }

    #[test]
    fn dasd_types_round_trip() {
        for t in DasdType::ALL {
            assert_eq!(DasdType::from_number(t.number()), Some(t));
        }
        assert_eq!(DasdType::from_number(3215), None);
        assert_eq!(DasdType::D3350.cylinders(), 555);
    }
}
