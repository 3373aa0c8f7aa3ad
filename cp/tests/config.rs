//! System configuration parser: every statement, the errors, the canonical text.

use std::net::SocketAddr;

use cp::config::{self, ConfigPath, ListenKind, ReadyMessage, SavedSource, SystemConfig};
use cp::directory::{self, DasdType, ErrorKind, ExtentProblem, Machine, ParseError, VAddr};

const FULL: &str = "\
* a configuration using every statement
sysid TESTVM
VOLUME VM370S 3350 volumes/s.3350 CYLINDERS 100 ADDRESS 130
volume vm370u 3330 /abs/u.3330 source $SHARED/data/u.ckd.gz address 131
VOLUME BIG 3350 big.ckd
SAVESYS CMS 33 0 $SHARED/data/vm370r6/CMS.segment IPL
SAVESYS CMSSEG 16 3840 $SHARED/data/vm370r6/CMSSEG.segment
SAVESYS CMS 1024 0 BUILTIN MACHINE X86 IPL
LISTEN TN3270 127.0.0.1:3270
LISTEN linemode [::1]:3271
CPUS 4
TIMEZONE EST -05:00
READYMSG READY
LOGMSG   System down   at 17:00 today
LOGMSG
DISCTIME 30
SPOOLDIR $DATA/spool
DIRECTORY USER.DIRECT
";

fn parse_ok(text: &str) -> SystemConfig {
    match config::parse(text, "SYSTEM CONFIG") {
        Ok(c) => c,
        Err(e) => panic!("unexpected errors: {e:#?}"),
    }
}

fn errors(text: &str) -> Vec<ParseError> {
    match config::parse(text, "SYSTEM CONFIG") {
        Ok(c) => panic!("expected errors, parsed {c:#?}"),
        Err(e) => e,
    }
}

fn one_error(text: &str) -> (usize, usize, ErrorKind) {
    let e = errors(text);
    assert_eq!(e.len(), 1, "expected one error, got {e:#?}");
    (e[0].line, e[0].column, e[0].kind.clone())
}

#[test]
fn every_statement_is_read() {
    let c = parse_ok(FULL);
    assert_eq!(c.sysid, "TESTVM");
    assert_eq!(c.volumes.len(), 3);
    let s = c.volume("vm370s").expect("VM370S");
    assert_eq!((s.devtype, s.cylinders(), s.address), (DasdType::D3350, 100, Some(VAddr(0x130))));
    assert_eq!(s.path.as_str(), "volumes/s.3350");
    let u = c.volume("VM370U").expect("VM370U");
    assert_eq!((u.devtype, u.cylinders(), u.address), (DasdType::D3330, 404, Some(VAddr(0x131))));
    assert_eq!(u.source.as_ref().map(ConfigPath::as_str), Some("$SHARED/data/u.ckd.gz"));
    assert_eq!(c.volume("BIG").expect("BIG").cylinders(), 555);

    let cms = c.saved_system("cms", Machine::S370).expect("CMS");
    assert_eq!((cms.pages, cms.load_page, cms.ipl), (33, 0, true));
    assert_eq!(cms.source, SavedSource::File(ConfigPath::new("$SHARED/data/vm370r6/CMS.segment")));
    let seg = c.saved_system("CMSSEG", Machine::S370).expect("CMSSEG");
    assert_eq!((seg.load_address(), seg.end_address(), seg.ipl), (0xF0_0000, 0xF1_0000, false));
    let x = c.saved_system("CMS", Machine::X86).expect("x86 CMS");
    assert_eq!((x.source.clone(), x.pages, x.ipl), (SavedSource::Builtin, 1024, true));
    assert!(c.saved_system("CMSSEG", Machine::X86).is_none());

    let l: Vec<_> = c.listeners.iter().map(|l| (l.kind, l.address)).collect();
    let a = |s: &str| s.parse::<SocketAddr>().expect("address");
    assert_eq!(
        l,
        [(ListenKind::Tn3270, a("127.0.0.1:3270")), (ListenKind::LineMode, a("[::1]:3271"))]
    );
    assert_eq!(c.cpus, 4);
    assert_eq!(c.processors(16), 4);
    assert_eq!((c.timezone.name.as_str(), c.timezone.offset_minutes), ("EST", -300));
    assert_eq!(c.timezone.to_string(), "EST -05:00");
    assert_eq!(c.ready_message, ReadyMessage::Ready);
    assert_eq!(c.ready_message.prompt(), "Ready;");
    assert_eq!(c.log_message, ["System down   at 17:00 today", ""]);
    assert_eq!(c.disconnect_timeout, 30);
    assert_eq!(c.spool_dir.as_str(), "$DATA/spool");
    assert_eq!(c.directory_file.as_str(), "USER.DIRECT");
}

#[test]
fn omitted_statements_take_the_defaults() {
    let c = parse_ok("* nothing but a comment\n");
    assert_eq!(c, SystemConfig::default());
    assert_eq!(c.sysid, "VM370");
    assert_eq!(c.cpus, 0);
    assert_eq!(c.processors(8), 8);
    assert_eq!(c.timezone.to_string(), "UTC +00:00");
    assert_eq!(c.ready_message.prompt(), "R;");
    assert_eq!(c.disconnect_timeout, 15);
    assert_eq!(c.spool_dir.as_str(), "spool");
    assert_eq!(c.directory_file.as_str(), "USER.DIRECT");
    assert!(c.volumes.is_empty() && c.listeners.is_empty() && c.saved_systems.is_empty());
}

#[test]
fn canonical_text_round_trips() {
    let c = parse_ok(FULL);
    let text = c.to_text();
    assert_eq!(parse_ok(&text), c);
    assert_eq!(parse_ok(&text).to_text(), text);
}

#[test]
fn statement_errors() {
    let (l, col, kind) = one_error("SYSID VM370\nFROB 1\n");
    assert_eq!((l, col), (2, 1));
    assert_eq!(kind, ErrorKind::UnknownStatement { statement: "FROB".into() });
    assert_eq!(one_error("SYSID TOOLONGNAME\n").1, 7);
    let (_, col, kind) = one_error("SYSID VM370 EXTRA\n");
    assert_eq!(col, 13);
    assert_eq!(kind, ErrorKind::ExtraOperand { operand: "EXTRA".into() });
    let (l, _, kind) = one_error("CPUS 2\nCPUS 4\n");
    assert_eq!(l, 2);
    assert_eq!(kind, ErrorKind::Duplicate { what: "STATEMENT CPUS".into(), first_line: 1 });
    assert_eq!(one_error("CPUS 65\n").1, 6);
    assert_eq!(one_error("CPUS\n").1, 6);
    assert_eq!(one_error("TIMEZONE EST\n").1, 14);
    assert_eq!(one_error("TIMEZONE EST -5\n").1, 14);
    assert_eq!(one_error("TIMEZONE EST +15:00\n").1, 14);
    assert_eq!(one_error("READYMSG OK\n").1, 10);
    assert_eq!(one_error("DISCTIME 1441\n").1, 10);
    assert_eq!(one_error("SPOOLDIR $/x\n").1, 10);
    assert_eq!(one_error("LISTEN TN3270 localhost:3270\n").1, 15);
    assert_eq!(one_error("LISTEN SSH 127.0.0.1:22\n").1, 8);
    let (_, _, kind) = one_error("LISTEN TN3270 127.0.0.1:3270\nLISTEN LINEMODE 127.0.0.1:3270\n");
    assert!(matches!(kind, ErrorKind::Duplicate { first_line: 1, .. }));
}

#[test]
fn volume_errors() {
    assert_eq!(one_error("VOLUME TOOLONG 3350 a\n").1, 8);
    assert_eq!(one_error("VOLUME V1 3215 a\n").1, 11);
    assert_eq!(one_error("VOLUME V1 3350\n").1, 16);
    assert_eq!(one_error("VOLUME V1 3350 a CYLINDERS 556\n").1, 28, "beyond a full 3350");
    assert_eq!(one_error("VOLUME V1 3350 a CYLINDERS 0\n").1, 28);
    assert_eq!(one_error("VOLUME V1 3350 a CYLINDERS\n").1, 28);
    assert_eq!(one_error("VOLUME V1 3350 a ADDRESS 1000\n").1, 26);
    assert_eq!(one_error("VOLUME V1 3350 a COLOUR RED\n").1, 18);
    let (_, col, kind) = one_error("VOLUME V1 3350 a CYLINDERS 1 CYLINDERS 2\n");
    assert_eq!(col, 30);
    assert!(matches!(kind, ErrorKind::Duplicate { what, .. } if what == "OPERAND CYLINDERS"));
    let (l, col, kind) = one_error("VOLUME V1 3350 a\nVOLUME v1 3350 b\n");
    assert_eq!((l, col), (2, 8));
    assert_eq!(kind, ErrorKind::Duplicate { what: "VOLUME V1".into(), first_line: 1 });
    let (_, col, _) = one_error("VOLUME V1 3350 a\nVOLUME V2 3350 a\n");
    assert_eq!(col, 16, "two volumes in one file");
    assert_eq!(one_error("VOLUME V1 3350 a ADDRESS 130\nVOLUME V2 3350 b ADDRESS 130\n").0, 2);
}

#[test]
fn savesys_errors() {
    assert_eq!(one_error("SAVESYS CMS 0 0 BUILTIN\n").1, 13);
    assert_eq!(one_error("SAVESYS CMS 33 X BUILTIN\n").1, 16);
    assert_eq!(one_error("SAVESYS CMS 33 0\n").1, 18);
    assert_eq!(one_error("SAVESYS CMS 33 0 BUILTIN FAST\n").1, 26);
    let (_, col, kind) = one_error("SAVESYS BIG 17 4080 BUILTIN\n");
    assert_eq!(col, 13, "16 pages at 4080 is the last that fits in 16M");
    assert!(matches!(kind, ErrorKind::InvalidOperand { .. }));
    parse_ok("SAVESYS BIG 16 4080 BUILTIN\nSAVESYS BIG 17 4080 BUILTIN MACHINE X86\n");
    assert_eq!(one_error("SAVESYS CMS 33 0 BUILTIN MACHINE ARM\n").1, 34);
    let (l, _, kind) = one_error("SAVESYS CMS 33 0 BUILTIN IPL\nSAVESYS cms 40 0 BUILTIN\n");
    assert_eq!(l, 2);
    assert_eq!(kind, ErrorKind::Duplicate { what: "SAVESYS CMS FOR 370".into(), first_line: 1 });
}

#[test]
fn all_errors_are_returned() {
    let e = errors("SYSID\nCPUS X\nFROB\nREADYMSG R\nREADYMSG R\n");
    let at: Vec<_> = e.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(at, [(1, 7), (2, 6), (3, 1), (5, 1)]);
    assert_eq!(
        e[1].to_string(),
        "SYSTEM CONFIG line 2 column 6: INVALID OPERAND 'X' — expected a processor count 0-64 (0 = host cores)"
    );
}

#[test]
fn directory_minidisks_are_checked_against_the_volumes() {
    let c = parse_ok("VOLUME VM370S 3350 s CYLINDERS 50\n");
    let d = directory::parse(
        "DIRECTORY 130 3350 VM370S\nUSER A A\n MDISK 191 3350 045 005 VM370S\n MDISK 192 3350 046 005 VM370S\n",
        "USER DIRECT",
    )
    .expect("directory");
    let p = c.check_directory(&d);
    assert_eq!(p.len(), 1);
    assert!(
        matches!(&p[0], ExtentProblem::BeyondVolume { extent, .. } if extent.vaddr == VAddr(0x192))
    );
}

#[test]
fn ipl_names_are_checked_against_saved_systems() {
    let c = parse_ok("SAVESYS CMS 33 0 BUILTIN IPL\nSAVESYS CMSSEG 16 3840 BUILTIN\n");
    let d = directory::parse(
        "DIRECTORY 130 3350 VM370S\nUSER A A\n IPL CMS\nUSER B B\n IPL CMSSEG\nUSER C C\n MACHINE X86\n IPL CMS\nUSER D D\n IPL 190\n",
        "USER DIRECT",
    )
    .expect("directory");
    assert_eq!(
        c.unknown_ipl_systems(&d),
        [("B".to_string(), "CMSSEG".to_string()), ("C".to_string(), "CMS".to_string())]
    );
}
