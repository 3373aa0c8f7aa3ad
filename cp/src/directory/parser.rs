//! The `USER DIRECT` statements, card by card (PSG pp.229-239).
//!
//! Operands are positional; where an operand may be omitted, all that follow it must be
//! omitted too, except on `OPTION`, whose keywords are self-defining. Data after the last
//! operand a statement can take is ignored, as the R6 directory program ignored it. Every
//! error is recorded and parsing continues with the next card, so one run lists them all.
//!
//! Order within an entry: `USER` first; `ACCOUNT` and `OPTION` before the first device
//! statement (`CONSOLE`, `SPOOL`, `LINK`, `MDISK`, `DEDICATE`, `SPECIAL`); `IPL` and `MACHINE`
//! anywhere, once each.

use std::collections::HashMap;

use super::card::{self, Card, Token};
use super::error::{ErrorKind, Errors, ParseError};
use super::model::*;

/// Parse a `USER DIRECT` file. `file_name` appears in error messages.
///
/// Returns every error found; a caller replacing a live directory keeps the old one when
/// this returns `Err`.
pub fn parse(text: &str, file_name: &str) -> Result<Directory, Vec<ParseError>> {
    let mut p = DirParser {
        errors: Errors::new(file_name),
        volume: None,
        directory_line: None,
        users: Vec::new(),
        user_lines: HashMap::new(),
        current: None,
    };
    let cards = card::cards(text, Some(71));
    if cards.is_empty() {
        p.errors.push(1, 1, ErrorKind::MissingDirectoryStatement);
    }
    for (index, c) in cards.iter().enumerate() {
        p.statement(c, index == 0);
    }
    p.finish_user();
    match (p.volume, p.errors.is_empty()) {
        (Some(volume), true) => Ok(Directory { volume, users: p.users }),
        _ => Err(p.errors.into_vec()),
    }
}

/// The entry being built and what is needed to check its order and addresses.
#[derive(Debug)]
struct Current {
    entry: UserEntry,
    /// Column of the logon storage and maximum storage operands (checked at the end).
    storage_column: usize,
    max_column: usize,
    line: usize,
    devices_seen: bool,
    addresses: HashMap<VAddr, usize>,
    once: HashMap<&'static str, usize>,
}

#[derive(Debug)]
struct DirParser {
    errors: Errors,
    volume: Option<DirectoryVolume>,
    directory_line: Option<usize>,
    users: Vec<UserEntry>,
    user_lines: HashMap<String, usize>,
    current: Option<Current>,
}

impl DirParser {
    fn statement(&mut self, c: &Card<'_>, first: bool) {
        let keyword = c.keyword();
        if first && keyword != "DIRECTORY" {
            self.errors.push(c.line, 1, ErrorKind::MissingDirectoryStatement);
        }
        match keyword.as_str() {
            "DIRECTORY" if !first && self.directory_line.is_none() => {
                let kind = ErrorKind::OutOfSequence {
                    statement: keyword.clone(),
                    rule: "DIRECTORY must be the first statement".into(),
                };
                self.errors.push(c.line, c.tokens[0].column, kind);
            }
            "DIRECTORY" => self.directory(c),
            "USER" => self.user(c),
            "ACCOUNT" | "OPTION" | "IPL" | "MACHINE" | "CONSOLE" | "SPOOL" | "LINK" | "MDISK"
            | "DEDICATE" | "SPECIAL" => self.in_entry(c, &keyword),
            _ => self.errors.push(
                c.line,
                c.tokens[0].column,
                ErrorKind::UnknownStatement { statement: c.tokens[0].text.to_string() },
            ),
        }
    }

    fn directory(&mut self, c: &Card<'_>) {
        if let Some(first_line) = self.directory_line {
            let what = "DIRECTORY STATEMENT".to_string();
            self.errors.push(c.line, 1, ErrorKind::Duplicate { what, first_line });
            return;
        }
        self.directory_line = Some(c.line);
        let e = &mut self.errors;
        let address = operand(e, c, 1, "the directory device address", card::hex_address);
        let devtype = operand(e, c, 2, "a DASD device type such as 3350", dasd_type);
        let volser = operand(e, c, 3, "a volume serial of 1-6 characters", volser);
        if let (Some(a), Some(devtype), Some(volser)) = (address, devtype, volser) {
            self.volume = Some(DirectoryVolume { address: VAddr(a), devtype, volser });
        }
    }

    fn user(&mut self, c: &Card<'_>) {
        self.finish_user();
        let e = &mut self.errors;
        let userid = operand(e, c, 1, "a user id of 1-8 characters", userid);
        let password = operand(e, c, 2, "a password of 1-8 characters", password);
        let mut entry = UserEntry::new(userid.as_deref().unwrap_or("?"), "NOLOG");
        if let Some(pw) = password {
            entry.password = pw;
        }
        if let (Some(id), Some(t)) = (&userid, c.tokens.get(1)) {
            if let Some(&first_line) = self.user_lines.get(id) {
                let kind = ErrorKind::DuplicateUser { userid: id.clone(), first_line };
                self.errors.push(c.line, t.column, kind);
            } else {
                self.user_lines.insert(id.clone(), c.line);
            }
        }
        let e = &mut self.errors;
        const STOR: &str = "a storage size in 4K units, nnnK or nnM";
        if let Some(s) = optional(e, c, 3, STOR, storage) {
            entry.storage = s;
            entry.max_storage = s;
        }
        if let Some(m) = optional(e, c, 4, STOR, storage) {
            entry.max_storage = m;
        }
        if let Some(cl) = optional(e, c, 5, "privilege classes A-H", Classes::parse) {
            entry.classes = cl;
        }
        if let Some(p) = optional(e, c, 6, "a priority 1-99", priority) {
            entry.priority = p;
        }
        const CHAR: &str = "a single character";
        entry.linend = optional(e, c, 7, CHAR, card::single_char);
        entry.linedel = optional(e, c, 8, CHAR, card::single_char);
        entry.chardel = optional(e, c, 9, CHAR, card::single_char);
        entry.escape = optional(e, c, 10, CHAR, card::single_char);
        let column = |i: usize| c.tokens.get(i).map_or(c.end_column, |t| t.column);
        self.current = Some(Current {
            entry,
            storage_column: column(3),
            max_column: column(4),
            line: c.line,
            devices_seen: false,
            addresses: HashMap::new(),
            once: HashMap::new(),
        });
    }

    /// Close the current entry: storage checks that need `MACHINE`, then keep it.
    fn finish_user(&mut self) {
        let Some(cur) = self.current.take() else { return };
        let u = &cur.entry;
        let limit = u.storage_limit();
        if u.storage > u.max_storage {
            let kind = ErrorKind::StorageExceedsMaximum {
                storage: u.storage.to_string(),
                maximum: u.max_storage.to_string(),
            };
            self.errors.push(cur.line, cur.storage_column, kind);
        }
        if u.max_storage > limit {
            let kind = ErrorKind::StorageTooLarge {
                storage: u.max_storage.to_string(),
                limit: limit.to_string(),
            };
            self.errors.push(cur.line, cur.max_column, kind);
        }
        self.users.push(cur.entry);
    }

    fn in_entry(&mut self, c: &Card<'_>, keyword: &str) {
        let Some(cur) = self.current.as_mut() else {
            let kind = ErrorKind::OutOfSequence {
                statement: keyword.to_string(),
                rule: "it must follow a USER statement".into(),
            };
            self.errors.push(c.line, c.tokens[0].column, kind);
            return;
        };
        let e = &mut self.errors;
        let device =
            matches!(keyword, "CONSOLE" | "SPOOL" | "LINK" | "MDISK" | "DEDICATE" | "SPECIAL");
        if matches!(keyword, "ACCOUNT" | "OPTION") && cur.devices_seen {
            let kind = ErrorKind::OutOfSequence {
                statement: keyword.to_string(),
                rule: format!("{keyword} must follow USER and precede the device statements"),
            };
            e.push(c.line, c.tokens[0].column, kind);
        }
        cur.devices_seen |= device;
        if matches!(keyword, "ACCOUNT" | "IPL" | "MACHINE" | "CONSOLE") {
            let once: &'static str = match keyword {
                "ACCOUNT" => "ACCOUNT",
                "IPL" => "IPL",
                "MACHINE" => "MACHINE",
                _ => "CONSOLE",
            };
            if let Some(&first_line) = cur.once.get(once) {
                let what = format!("{once} STATEMENT");
                e.push(c.line, c.tokens[0].column, ErrorKind::Duplicate { what, first_line });
            } else {
                cur.once.insert(once, c.line);
            }
        }
        let u = &mut cur.entry;
        match keyword {
            "ACCOUNT" => {
                if let Some(number) =
                    operand(e, c, 1, "an account number of 1-8 characters", userid)
                {
                    let distcode =
                        optional(e, c, 2, "a distribution code of 1-8 characters", userid);
                    u.account = Some(Account { number, distcode });
                }
            }
            "OPTION" => options(e, c, &mut u.options),
            "IPL" => {
                if let Some(ipl) = ipl(e, c) {
                    u.ipl = Some(ipl);
                }
            }
            "MACHINE" => {
                if let Some(m) = operand(e, c, 1, "370 or X86", machine) {
                    u.machine = m;
                }
            }
            _ => {
                // The address the statement defines: LINK userid vaddr1 *vaddr2*, else the first.
                let at = if keyword == "LINK" { 3 } else { 1 };
                let Some(vaddr) = operand(e, c, at, "a virtual device address", card::hex_address)
                else {
                    return;
                };
                let vaddr = VAddr(vaddr);
                match cur.addresses.get(&vaddr) {
                    Some(&first_line) => {
                        let kind =
                            ErrorKind::DuplicateAddress { vaddr: vaddr.to_string(), first_line };
                        e.push(c.line, c.tokens[at].column, kind);
                    }
                    None => {
                        cur.addresses.insert(vaddr, c.line);
                    }
                }
                device_statement(e, c, keyword, vaddr, u);
            }
        }
    }
}

fn device_statement(e: &mut Errors, c: &Card<'_>, keyword: &str, vaddr: VAddr, u: &mut UserEntry) {
    match keyword {
        "CONSOLE" => {
            let devtype = operand(e, c, 2, "a console type 3215, 3210, 1052 or 3066", |s| {
                number_in(s, &[3215, 3210, 1052, 3066])
            });
            let class = optional(e, c, 3, "a spool class A-Z or 0-9", class_letter);
            if let Some(devtype) = devtype {
                u.console = Some(Console { vaddr, devtype, class });
            }
        }
        "SPOOL" => {
            if let Some(s) = spool(e, c, vaddr) {
                u.spool.push(s);
            }
        }
        "LINK" => {
            let userid = operand(e, c, 1, "the user id owning the disk", userid);
            let target = operand(e, c, 2, "the owner's device address", card::hex_address);
            let mode = optional(e, c, 4, "a link mode R, RR, W, WR, M, MR or MW", LinkMode::parse);
            if let (Some(userid), Some(target)) = (userid, target) {
                let mode = mode.unwrap_or(LinkMode::new(Access::R));
                u.links.push(Link { userid, vaddr: VAddr(target), as_vaddr: vaddr, mode });
            }
        }
        "MDISK" => {
            if let Some(m) = mdisk(e, c, vaddr) {
                u.mdisks.push(m);
            }
        }
        "DEDICATE" => {
            let target = operand(e, c, 2, "a real device address or volume serial", |s| {
                match card::hex_address(s) {
                    Some(a) => Some(DedicateTarget::Device(VAddr(a))),
                    None => volser(s).map(DedicateTarget::Volume),
                }
            });
            if let Some(target) = target {
                u.dedicates.push(Dedicate { vaddr, target });
            }
        }
        _ => {
            let kind = operand(e, c, 2, "3270, CTCA or TIMER", |s| {
                [SpecialKind::Graf3270, SpecialKind::Ctca, SpecialKind::Timer]
                    .into_iter()
                    .find(|k| s.eq_ignore_ascii_case(k.as_str()))
            });
            if let Some(kind) = kind {
                u.specials.push(Special { vaddr, kind });
            }
        }
    }
}

fn options(e: &mut Errors, c: &Card<'_>, o: &mut Options) {
    let mut i = 1;
    if c.tokens.len() < 2 {
        e.push(c.line, c.end_column, missing("at least one option"));
    }
    while let Some(t) = c.tokens.get(i) {
        match t.text.to_ascii_uppercase().as_str() {
            "REALTIMER" => o.realtimer = true,
            "ECMODE" => o.ecmode = true,
            "ISAM" => o.isam = true,
            "VIRT=REAL" => o.virt_real = true,
            "ACCT" => o.acct = true,
            "SVCOFF" => o.svcoff = true,
            "BMX" => o.bmx = true,
            "LNKNOPAS" => o.lnknopas = true,
            "STFIRST" => o.stfirst = true,
            "CPUID" => {
                i += 1;
                o.cpuid = operand(e, c, i, "a CPU id of six hex digits", |s| card::hex_exact(s, 6))
                    .or(o.cpuid);
            }
            "AFFINITY" => {
                i += 1;
                o.affinity = operand(e, c, i, "a processor number 0-99", |s| {
                    card::decimal(s, 2).map(|n| n as u8)
                })
                .or(o.affinity);
            }
            _ => e.push(c.line, t.column, ErrorKind::UnknownOption { option: t.text.to_string() }),
        }
        i += 1;
    }
}

fn ipl(e: &mut Errors, c: &Card<'_>) -> Option<Ipl> {
    let target = operand(e, c, 1, "a device address or a saved system name", |s| {
        match card::hex_address(s) {
            Some(a) => Some(IplTarget::Device(VAddr(a))),
            None => card::name(s, 8, card::userid_char).map(IplTarget::System),
        }
    })?;
    let parm = match c.tokens.get(2) {
        None => None,
        Some(t) if t.text.eq_ignore_ascii_case("PARM") => match c.tokens.get(3) {
            Some(_) => Some(c.rest_from(3).to_string()),
            None => {
                e.push(c.line, c.end_column, missing("the PARM text"));
                return None;
            }
        },
        Some(t) => {
            invalid(e, c, t, "PARM");
            return None;
        }
    };
    Some(Ipl { target, parm })
}

fn spool(e: &mut Errors, c: &Card<'_>, vaddr: VAddr) -> Option<SpoolDevice> {
    let devtype = operand(
        e,
        c,
        2,
        "a unit-record type 2540, 2501, 3505, 3525, 1403, 1443, 3203 or 3211",
        |s| number_in(s, &[2540, 2501, 3505, 3525, 1403, 1443, 3203, 3211]),
    )?;
    let fixed = match devtype {
        2501 | 3505 => Some(SpoolKind::Reader),
        3525 => Some(SpoolKind::Punch),
        1403 | 1443 | 3203 | 3211 => Some(SpoolKind::Printer),
        _ => None, // 2540: reader or punch, the next operand says which
    };
    let said = c.tokens.get(3).and_then(|t| spool_kind(t.text));
    let kind = match (fixed, said) {
        (None, None) => {
            match c.tokens.get(3) {
                Some(t) => invalid(e, c, t, "READER or PUNCH"),
                None => e.push(c.line, c.end_column, missing("READER or PUNCH")),
            }
            return None;
        }
        (Some(f), Some(s)) if f != s => {
            invalid(e, c, &c.tokens[3], "no device kind, or the kind this device type is");
            return None;
        }
        (Some(k), _) | (None, Some(k)) => k,
    };
    let class_at = if said.is_some() { 4 } else { 3 };
    let class = optional(e, c, class_at, "a spool class A-Z, 0-9 or *", |s| {
        if s == "*" && kind == SpoolKind::Reader { Some(SpoolClass::Any) } else { class_letter(s) }
    });
    Some(SpoolDevice { vaddr, devtype, kind, class })
}

fn mdisk(e: &mut Errors, c: &Card<'_>, vaddr: VAddr) -> Option<Mdisk> {
    let devtype = operand(e, c, 2, "a DASD device type such as 3350", dasd_type);
    let start = operand(e, c, 3, "a starting cylinder 0-65535", cylinder);
    let cylinders =
        operand(e, c, 4, "a number of cylinders 1-65535", |s| cylinder(s).filter(|&n| n > 0));
    let volser = operand(e, c, 5, "a volume serial of 1-6 characters", volser);
    let mode = optional(e, c, 6, "a link mode R, RR, W, WR, M, MR or MW", LinkMode::parse);
    const PW: &str = "a password of 1-8 characters";
    let read_password = optional(e, c, 7, PW, password);
    let write_password = optional(e, c, 8, PW, password);
    let multi_password = optional(e, c, 9, PW, password);
    Some(Mdisk {
        vaddr,
        devtype: devtype?,
        start: start?,
        cylinders: cylinders?,
        volser: volser?,
        mode: mode.unwrap_or(LinkMode::new(Access::W)),
        read_password,
        write_password,
        multi_password,
    })
}

// ---- operand helpers -------------------------------------------------------------------

fn missing(expected: &str) -> ErrorKind {
    ErrorKind::MissingOperand { expected: expected.to_string() }
}

fn invalid(e: &mut Errors, c: &Card<'_>, t: &Token<'_>, expected: &str) {
    let kind =
        ErrorKind::InvalidOperand { operand: t.text.to_string(), expected: expected.to_string() };
    e.push(c.line, t.column, kind);
}

/// Required operand `i`, converted by `f`; records an error and returns `None` otherwise.
pub(crate) fn operand<T>(
    e: &mut Errors,
    c: &Card<'_>,
    i: usize,
    expected: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    match c.tokens.get(i) {
        None => {
            e.push(c.line, c.end_column, missing(expected));
            None
        }
        Some(t) => {
            let v = f(t.text);
            if v.is_none() {
                invalid(e, c, t, expected);
            }
            v
        }
    }
}

/// Optional operand `i`: `None` when absent or invalid (an error is recorded when invalid).
fn optional<T>(
    e: &mut Errors,
    c: &Card<'_>,
    i: usize,
    expected: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    if i < c.tokens.len() { operand(e, c, i, expected, f) } else { None }
}

pub(crate) fn userid(s: &str) -> Option<String> {
    card::name(s, 8, card::userid_char)
}

pub(crate) fn password(s: &str) -> Option<String> {
    card::name(s, 8, card::password_char)
}

pub(crate) fn volser(s: &str) -> Option<String> {
    card::name(s, 6, card::volser_char)
}

pub(crate) fn dasd_type(s: &str) -> Option<DasdType> {
    DasdType::from_number(u16::try_from(card::decimal(s, 4)?).ok()?)
}

pub(crate) fn machine(s: &str) -> Option<Machine> {
    match s.to_ascii_uppercase().as_str() {
        "370" | "S370" | "S/370" => Some(Machine::S370),
        "X86" => Some(Machine::X86),
        _ => None,
    }
}

fn storage(s: &str) -> Option<Storage> {
    card::storage(s).filter(|b| *b > 0 && b % 4096 == 0).map(Storage)
}

fn priority(s: &str) -> Option<u8> {
    card::decimal(s, 2).filter(|p| (1..=99).contains(p)).map(|p| p as u8)
}

fn cylinder(s: &str) -> Option<u16> {
    u16::try_from(card::decimal(s, 5)?).ok()
}

fn number_in(s: &str, allowed: &[u16]) -> Option<u16> {
    let n = u16::try_from(card::decimal(s, 4)?).ok()?;
    allowed.contains(&n).then_some(n)
}

fn class_letter(s: &str) -> Option<SpoolClass> {
    card::single_char(s)
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| SpoolClass::Class(c.to_ascii_uppercase()))
}

fn spool_kind(s: &str) -> Option<SpoolKind> {
    if card::is_keyword(s, &["READER", "READ", "RDR"]) {
        Some(SpoolKind::Reader)
    } else if card::is_keyword(s, &["PUNCH", "PUN", "PCH"]) {
        Some(SpoolKind::Punch)
    } else if card::is_keyword(s, &["PRINTER", "PRT"]) {
        Some(SpoolKind::Printer)
    } else {
        None
    }
}
