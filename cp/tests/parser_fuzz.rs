//! Property tests: the parsers never panic on any input (random bytes, token soups, mutated
//! real files), every error points inside the file, and canonical text round-trips.

use proptest::prelude::*;

use cp::config::{self, SystemConfig};
use cp::defaults;
use cp::directory::{
    self, Access, Account, Classes, Console, DasdType, Dedicate, DedicateTarget, Directory,
    DirectoryVolume, Ipl, IplTarget, Link, LinkMode, Machine, Mdisk, Options, ParseError, Special,
    SpecialKind, SpoolClass, SpoolDevice, SpoolKind, Storage, UserEntry, VAddr,
};

/// Errors must point at a real line and a column inside (or just after) the inspected text.
fn check_errors(text: &str, errors: &[ParseError], file: &str) {
    assert!(!errors.is_empty());
    let lines = text.split('\n').count().max(1);
    for e in errors {
        assert_eq!(e.file, file);
        assert!(e.line >= 1 && e.line <= lines, "{e}: {lines} lines");
        let len = text.split('\n').nth(e.line - 1).map_or(0, |l| l.chars().count());
        assert!(e.column >= 1 && e.column <= len + 2, "{e}: line has {len} chars");
        assert!(!e.to_string().is_empty());
    }
    let order: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "errors in file order");
}

/// Parse both ways; a successful directory must survive its own canonical text.
fn exercise(text: &str) {
    match directory::parse(text, "USER DIRECT") {
        Ok(d) => {
            let again = directory::parse(&d.to_text(), "USER DIRECT");
            assert_eq!(again.as_ref(), Ok(&d), "canonical text of a parsed directory reparses");
            let _ = d.warnings();
        }
        Err(e) => check_errors(text, &e, "USER DIRECT"),
    }
    match config::parse(text, "SYSTEM CONFIG") {
        Ok(c) => assert_eq!(config::parse(&c.to_text(), "SYSTEM CONFIG"), Ok(c)),
        Err(e) => check_errors(text, &e, "SYSTEM CONFIG"),
    }
}

const WORDS: &[&str] = &[
    "DIRECTORY",
    "USER",
    "ACCOUNT",
    "OPTION",
    "IPL",
    "CONSOLE",
    "SPOOL",
    "LINK",
    "MDISK",
    "DEDICATE",
    "SPECIAL",
    "MACHINE",
    "NOLOG",
    "ECMODE",
    "CPUID",
    "AFFINITY",
    "VIRT=REAL",
    "PARM",
    "READER",
    "PUNCH",
    "3350",
    "3330",
    "2540",
    "1403",
    "3215",
    "3270",
    "CTCA",
    "X86",
    "370",
    "190",
    "191",
    "00C",
    "009",
    "FFF",
    "1000",
    "0",
    "000",
    "115",
    "555",
    "65535",
    "65536",
    "15M",
    "16M",
    "17M",
    "4K",
    "5K",
    "0K",
    "9999999M",
    "G",
    "ABCDEFGH",
    "Z",
    "*",
    "#",
    "¢",
    "@",
    "MR",
    "RR",
    "W",
    "MWV",
    "V",
    "ALL",
    "VM370S",
    "TOOLONGVOLSER",
    "SYSID",
    "VOLUME",
    "SAVESYS",
    "LISTEN",
    "TN3270",
    "LINEMODE",
    "127.0.0.1:3270",
    "[::1]:1",
    "CPUS",
    "TIMEZONE",
    "+00:00",
    "-14:59",
    "READYMSG",
    "R",
    "READY",
    "LOGMSG",
    "DISCTIME",
    "SPOOLDIR",
    "$SHARED/x",
    "$",
    "$/",
    "BUILTIN",
    "CYLINDERS",
    "ADDRESS",
    "SOURCE",
    "\u{0}",
    "\t",
    "ẞ",
    "😀",
    "-1",
    "99",
];

fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "[ -~]{0,12}",
        1 => any::<char>().prop_map(String::from),
    ];
    let sep = prop_oneof![6 => Just(" "), 2 => Just("\n"), 1 => Just("  "), 1 => Just("\r\n"), 1 => Just("\n ")];
    prop::collection::vec((token, sep), 0..120)
        .prop_map(|v| v.into_iter().flat_map(|(t, s)| [t, s.to_string()]).collect::<String>())
}

/// A small edit of a real file.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceToken(usize, &'static str),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), proptest::sample::select(WORDS))
            .prop_map(|(i, w)| Edit::ReplaceToken(i, w)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for e in edits {
        let at = |i: usize, n: usize| if n == 0 { 0 } else { i % n };
        match *e {
            Edit::Delete(i) if !s.is_empty() => {
                let i = at(i, s.len());
                s.remove(i);
            }
            Edit::Insert(i, c) => {
                let i = at(i, s.len() + 1);
                s.insert(i, c);
            }
            Edit::DuplicateLine(i) | Edit::SwapLines(i, _) | Edit::ReplaceToken(i, _) => {
                let text: String = s.iter().collect();
                let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
                let n = lines.len();
                let i = at(i, n);
                match *e {
                    Edit::DuplicateLine(_) => lines.insert(i, lines[i].clone()),
                    Edit::SwapLines(_, j) => lines.swap(i, at(j, n)),
                    Edit::ReplaceToken(_, w) => {
                        let mut toks: Vec<&str> = lines[i].split(' ').collect();
                        if !toks.is_empty() {
                            let k = at(i.wrapping_mul(7), toks.len());
                            toks[k] = w;
                        }
                        lines[i] = toks.join(" ");
                    }
                    _ => unreachable!("outer match"),
                }
                s = lines.join("\n").chars().collect();
            }
            Edit::Truncate(i) => {
                let i = at(i, s.len() + 1);
                s.truncate(i);
            }
            _ => {}
        }
    }
    s.into_iter().collect()
}

proptest! {
    // 256 cases each by default; PROPTEST_CASES=100000 for a long fuzzing run.
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soups_never_panic(text in soup()) {
        exercise(&text);
        exercise(&format!("DIRECTORY 130 3350 VM370S\nUSER A A\n{text}"));
    }

    #[test]
    fn mutated_real_files_never_panic(
        which in 0usize..4,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let base = [
            defaults::USER_DIRECT,
            defaults::SYSTEM_CONFIG,
            defaults::r6::USER_DIRECT,
            defaults::r6::SYSTEM_CONFIG,
        ][which];
        exercise(&apply(base, &edits));
    }

    #[test]
    fn generated_directories_round_trip(d in directory_strategy()) {
        let text = d.to_text();
        prop_assert!(text.lines().all(|l| l.chars().count() <= 71), "{}", text);
        prop_assert_eq!(directory::parse(&text, "USER DIRECT"), Ok(d));
    }

    #[test]
    fn generated_configs_round_trip(c in config_strategy()) {
        prop_assert_eq!(config::parse(&c.to_text(), "SYSTEM CONFIG"), Ok(c));
    }
}

// ---- generators of valid models -------------------------------------------------------

fn vaddr() -> impl Strategy<Value = VAddr> {
    (0u16..=0xFFF).prop_map(VAddr)
}

/// Names that cannot be read as a hex address (IPL system names, DEDICATE volumes).
fn non_hex_name(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[G-Z$#@][A-Z0-9$#@]{{0,{}}}", max - 1))
        .expect("valid regex")
}

fn userid() -> impl Strategy<Value = String> {
    "[A-Z$#@][A-Z0-9$#@]{0,7}"
}

fn class() -> impl Strategy<Value = SpoolClass> {
    proptest::sample::select(('A'..='Z').chain('0'..='9').collect::<Vec<_>>())
        .prop_map(SpoolClass::Class)
}

fn mode() -> impl Strategy<Value = LinkMode> {
    (proptest::sample::select(Access::ALL.to_vec()), any::<bool>())
        .prop_map(|(access, vreserve)| LinkMode { access, vreserve })
}

fn options() -> impl Strategy<Value = Options> {
    (
        prop::collection::vec(any::<bool>(), 9),
        prop::option::of(0u32..=0xFF_FFFF),
        prop::option::of(0u8..=99),
    )
        .prop_map(|(b, cpuid, affinity)| Options {
            realtimer: b[0],
            ecmode: b[1],
            isam: b[2],
            virt_real: b[3],
            acct: b[4],
            svcoff: b[5],
            bmx: b[6],
            lnknopas: b[7],
            stfirst: b[8],
            cpuid,
            affinity,
        })
}

#[derive(Debug, Clone)]
enum Dev {
    Spool(SpoolDevice),
    Link(Link),
    Mdisk(Mdisk),
    Dedicate(Dedicate),
    Special(Special),
}

fn device() -> impl Strategy<Value = Dev> {
    let spool = (
        vaddr(),
        proptest::sample::select(vec![2540u16, 2501, 3505, 3525, 1403, 1443, 3203, 3211]),
        any::<bool>(),
        prop::option::of(class()),
        any::<bool>(),
    )
        .prop_map(|(vaddr, devtype, punch, class, any_class)| {
            let kind = match devtype {
                2540 if punch => SpoolKind::Punch,
                2540 | 2501 | 3505 => SpoolKind::Reader,
                3525 => SpoolKind::Punch,
                _ => SpoolKind::Printer,
            };
            let class =
                if any_class && kind == SpoolKind::Reader { Some(SpoolClass::Any) } else { class };
            Dev::Spool(SpoolDevice { vaddr, devtype, kind, class })
        });
    let link = (userid(), vaddr(), vaddr(), mode()).prop_map(|(userid, vaddr, as_vaddr, mode)| {
        Dev::Link(Link { userid, vaddr, as_vaddr, mode })
    });
    let pw = || "[A-Z0-9]{1,8}";
    let mdisk = (
        vaddr(),
        proptest::sample::select(DasdType::ALL.to_vec()),
        any::<u16>(),
        1u16..,
        "[A-Z0-9][A-Z0-9-]{0,5}",
        mode(),
        prop::option::of((pw(), prop::option::of((pw(), prop::option::of(pw()))))),
    )
        .prop_map(|(vaddr, devtype, start, cylinders, volser, mode, pws)| {
            let (r, w, m) = match pws {
                None => (None, None, None),
                Some((r, None)) => (Some(r), None, None),
                Some((r, Some((w, m)))) => (Some(r), Some(w), m),
            };
            Dev::Mdisk(Mdisk {
                vaddr,
                devtype,
                start,
                cylinders,
                volser,
                mode,
                read_password: r,
                write_password: w,
                multi_password: m,
            })
        });
    let dedicate = (
        vaddr(),
        prop_oneof![
            vaddr().prop_map(DedicateTarget::Device),
            non_hex_name(6).prop_map(DedicateTarget::Volume)
        ],
    )
        .prop_map(|(vaddr, target)| Dev::Dedicate(Dedicate { vaddr, target }));
    let special = (
        vaddr(),
        proptest::sample::select(vec![
            SpecialKind::Graf3270,
            SpecialKind::Ctca,
            SpecialKind::Timer,
        ]),
    )
        .prop_map(|(vaddr, kind)| Dev::Special(Special { vaddr, kind }));
    prop_oneof![spool, link, mdisk, dedicate, special]
}

fn user(id: String) -> impl Strategy<Value = UserEntry> {
    let edit_char = proptest::sample::select("#@\"¢;$%!&=+-/?".chars().collect::<Vec<_>>());
    (
        prop_oneof![Just("NOLOG".to_string()), "[A-Z0-9]{1,8}"],
        any::<bool>(),
        1u32..=4096,
        0u32..=4096,
        1u8..=255,
        1u8..=99,
        prop::collection::vec(edit_char, 0..=4),
        prop::option::of(("[A-Z0-9]{1,8}", prop::option::of("[A-Z0-9]{1,8}"))),
        options(),
        prop::option::of((
            prop_oneof![
                vaddr().prop_map(IplTarget::Device),
                non_hex_name(8).prop_map(IplTarget::System)
            ],
            prop::option::of("[A-Z0-9=]{1,12}( [A-Z0-9=]{1,12}){0,2}"),
        )),
        prop::option::of((
            vaddr(),
            proptest::sample::select(vec![3215u16, 3210, 1052, 3066]),
            prop::option::of(class()),
        )),
        prop::collection::vec(device(), 0..12),
    )
        .prop_map(
            move |(
                password,
                x86,
                pages,
                extra,
                classes,
                priority,
                chars,
                account,
                options,
                ipl,
                console,
                devices,
            )| {
                let machine = if x86 { Machine::X86 } else { Machine::S370 };
                let limit_pages = if x86 { 262_144 } else { 4096 };
                let stor = pages.min(limit_pages);
                let max = (stor + extra).min(limit_pages);
                let mut u = UserEntry::new(&id, &password);
                u.machine = machine;
                u.storage = Storage(stor * 4096);
                u.max_storage = Storage(max * 4096);
                let letters: String = ('A'..='H')
                    .enumerate()
                    .filter(|(i, _)| classes & (1 << i) != 0)
                    .map(|(_, c)| c)
                    .collect();
                u.classes = Classes::parse(&letters).expect("non-empty class letters");
                u.priority = priority;
                let mut it = chars.into_iter();
                u.linend = it.next();
                u.linedel = it.next();
                u.chardel = it.next();
                u.escape = it.next();
                u.account = account.map(|(number, distcode)| Account { number, distcode });
                u.options = options;
                u.ipl = ipl.map(|(target, parm)| Ipl { target, parm });
                let mut used = std::collections::HashSet::new();
                if let Some((vaddr, devtype, class)) = console {
                    used.insert(vaddr);
                    u.console = Some(Console { vaddr, devtype, class });
                }
                for d in devices {
                    let v = match &d {
                        Dev::Spool(s) => s.vaddr,
                        Dev::Link(l) => l.as_vaddr,
                        Dev::Mdisk(m) => m.vaddr,
                        Dev::Dedicate(x) => x.vaddr,
                        Dev::Special(s) => s.vaddr,
                    };
                    if !used.insert(v) {
                        continue;
                    }
                    match d {
                        Dev::Spool(s) => u.spool.push(s),
                        Dev::Link(l) => u.links.push(l),
                        Dev::Mdisk(m) => u.mdisks.push(m),
                        Dev::Dedicate(x) => u.dedicates.push(x),
                        Dev::Special(s) => u.specials.push(s),
                    }
                }
                u
            },
        )
}

fn directory_strategy() -> impl Strategy<Value = Directory> {
    (
        vaddr(),
        proptest::sample::select(DasdType::ALL.to_vec()),
        "[A-Z0-9]{1,6}",
        prop::collection::btree_set(userid(), 0..6),
    )
        .prop_flat_map(|(address, devtype, volser, ids)| {
            let users: Vec<_> = ids.into_iter().map(user).collect();
            (Just(DirectoryVolume { address, devtype, volser }), users)
        })
        .prop_map(|(volume, users)| Directory { volume, users })
}

fn config_strategy() -> impl Strategy<Value = SystemConfig> {
    use cp::config::{
        ConfigPath, ListenKind, Listener, ReadyMessage, SavedSource, SavedSystem, TimeZone, Volume,
    };
    let volume = (
        "[A-Z0-9]{1,6}",
        proptest::sample::select(DasdType::ALL.to_vec()),
        "[a-z0-9_./-]{1,20}",
        any::<bool>(),
        prop::option::of(vaddr()),
        prop::option::of("\\$[A-Z]{1,6}/[a-z.]{1,10}"),
    )
        .prop_map(|(volser, devtype, path, small, address, source)| Volume {
            cylinders: small.then_some(u32::from(devtype.cylinders()) / 2),
            path: ConfigPath::new(&format!("{volser}-{path}")),
            volser,
            devtype,
            address,
            source: source.map(|s| ConfigPath::new(&s)),
        });
    let saved = (
        "[A-Z]{1,8}",
        1u32..=64,
        0u32..=4000,
        any::<bool>(),
        any::<bool>(),
        prop::option::of("/[a-z]{1,10}"),
    )
        .prop_map(|(name, pages, load_page, ipl, x86, file)| SavedSystem {
            name,
            pages,
            load_page,
            ipl,
            machine: if x86 { Machine::X86 } else { Machine::S370 },
            source: file.map_or(SavedSource::Builtin, |f| SavedSource::File(ConfigPath::new(&f))),
        });
    (
        "[A-Z0-9]{1,8}",
        prop::collection::vec(volume, 0..5),
        prop::collection::vec(saved, 0..4),
        prop::collection::btree_set(1024u16.., 0..3),
        0u32..=64,
        ("[A-Z]{1,8}", -14 * 60 + 1..14 * 60),
        any::<bool>(),
        prop::collection::vec("([!-~]+( [!-~]+)*)?", 0..3),
        0u32..=1440,
    )
        .prop_map(|(sysid, volumes, saved, ports, cpus, (tz, off), ready, logmsg, disc)| {
            let mut c = SystemConfig {
                sysid,
                cpus,
                disconnect_timeout: disc,
                log_message: logmsg,
                ..SystemConfig::default()
            };
            for v in volumes {
                let clash = c.volumes.iter().any(|w| {
                    w.volser == v.volser || (w.address.is_some() && w.address == v.address)
                });
                if !clash {
                    c.volumes.push(v);
                }
            }
            for s in saved {
                if c.saved_system(&s.name, s.machine).is_none() {
                    c.saved_systems.push(s);
                }
            }
            for (i, p) in ports.into_iter().enumerate() {
                let kind = if i % 2 == 0 { ListenKind::Tn3270 } else { ListenKind::LineMode };
                c.listeners.push(Listener { kind, address: ([127, 0, 0, 1], p).into() });
            }
            c.timezone = TimeZone { name: tz, offset_minutes: off };
            c.ready_message = if ready { ReadyMessage::Ready } else { ReadyMessage::R };
            c
        })
}
