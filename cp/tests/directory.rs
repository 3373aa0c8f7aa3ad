//! `USER DIRECT` parser: every statement, every error, the canonical text, the warnings.

use cp::directory::{
    self, Access, Classes, DasdType, DedicateTarget, ErrorKind, ExtentProblem, IplTarget, LinkMode,
    Machine, ParseError, SpecialKind, SpoolClass, SpoolKind, Storage, VAddr, VolumeInfo, Warning,
};

const M: u32 = 1024 * 1024;

/// A directory using every statement, in the layout of real R6/CE directories.
const FULL: &str = "\
***********************************************************************
* A test directory                                                    *
***********************************************************************
DIRECTORY 6A1 3350 VM50-1

USER $ALLOC$ NOLOG
*        cuu type adr num volser mode readpw   writepw  multpw
 MDISK   A01 3350 000 001 VM50-1 R

user maint cpcms 15M 16M ABCDEFGH                                       MAI00010
 option ecmode realtimer cpuid 000611 affinity 01
 OPTION LNKNOPAS
 IPL CMS PARM AUTOCR  SEG=X
 CONSOLE 009 3215 T
 SPOOL 00C 2540 READ *
 SPOOL 00D 2540 PUNCH A
 SPOOL 00E 1403 A
 SPOOL 01C 3505
 LINK OPERATOR 191 291 rr
 MDISK   190 3350 001 020 VM50-1 MR   ALL      WRITE    MULT
 MDISK   191 3350 021 005 VM50-1 wrv
 MDISK   192 3350 026 005 VM50-1
 DEDICATE 181 480
 DEDICATE 250 SYSRES
 SPECIAL 0C8 3270
 SPECIAL 0FF TIMER
 SPECIAL 500 CTCA

USER OPERATOR OPERATOR 2M 16M ABCDEFGH 10 ; $ % \"
 ACCOUNT 1234 OPS
 IPL 190
 MDISK   191 3350 100 003 VM50-2 WR   READ

USER X86USER X86USER 16M 64M G
 MACHINE X86
 IPL CMS
 LINK MAINT 190 190
";

fn parse_ok(text: &str) -> directory::Directory {
    match directory::parse(text, "USER DIRECT") {
        Ok(d) => d,
        Err(e) => panic!("unexpected errors: {e:#?}"),
    }
}

fn parse_err(text: &str) -> Vec<ParseError> {
    match directory::parse(text, "USER DIRECT") {
        Ok(d) => panic!("expected errors, parsed {d:#?}"),
        Err(e) => e,
    }
}

/// The single error of `text`, as (line, column, kind).
fn one_error(text: &str) -> (usize, usize, ErrorKind) {
    let e = parse_err(text);
    assert_eq!(e.len(), 1, "expected one error, got {e:#?}");
    (e[0].line, e[0].column, e[0].kind.clone())
}

fn entry(body: &str) -> String {
    format!("DIRECTORY 130 3350 VM370S\nUSER ALICE ALICE 4M 16M G\n{body}")
}

#[test]
fn every_statement_is_read() {
    let d = parse_ok(FULL);
    assert_eq!(d.volume.address, VAddr(0x6A1));
    assert_eq!(d.volume.devtype, DasdType::D3350);
    assert_eq!(d.volume.volser, "VM50-1");
    assert_eq!(d.userids().collect::<Vec<_>>(), ["$ALLOC$", "MAINT", "OPERATOR", "X86USER"]);

    let alloc = d.user("$alloc$").expect("$ALLOC$");
    assert!(!alloc.can_log_on());
    assert_eq!(alloc.storage, Storage::DEFAULT);
    assert_eq!(alloc.classes, Classes::GENERAL);

    let m = d.user("Maint").expect("MAINT");
    assert_eq!(m.password, "CPCMS");
    assert!(m.password_matches("cpcms"));
    assert_eq!((m.storage, m.max_storage), (Storage(15 * M), Storage(16 * M)));
    assert_eq!(m.classes.to_string(), "ABCDEFGH");
    assert_eq!(m.priority, 50);
    assert_eq!(m.linend, None);
    let o = &m.options;
    assert!(o.ecmode && o.realtimer && o.lnknopas);
    assert!(!o.isam && !o.virt_real && !o.bmx && !o.acct && !o.svcoff && !o.stfirst);
    assert_eq!(o.cpuid, Some(0x000611));
    assert_eq!(o.affinity, Some(1));
    let ipl = m.ipl.as_ref().expect("IPL");
    assert_eq!(ipl.target, IplTarget::System("CMS".into()));
    assert_eq!(ipl.parm.as_deref(), Some("AUTOCR  SEG=X"));
    let con = m.console.as_ref().expect("CONSOLE");
    assert_eq!((con.vaddr, con.devtype, con.class), (VAddr(9), 3215, Some(SpoolClass::Class('T'))));
    let sp: Vec<_> = m.spool.iter().map(|s| (s.vaddr.0, s.devtype, s.kind, s.class)).collect();
    assert_eq!(
        sp,
        [
            (0x00C, 2540, SpoolKind::Reader, Some(SpoolClass::Any)),
            (0x00D, 2540, SpoolKind::Punch, Some(SpoolClass::Class('A'))),
            (0x00E, 1403, SpoolKind::Printer, Some(SpoolClass::Class('A'))),
            (0x01C, 3505, SpoolKind::Reader, None),
        ]
    );
    let l = &m.links[0];
    assert_eq!((l.userid.as_str(), l.vaddr, l.as_vaddr), ("OPERATOR", VAddr(0x191), VAddr(0x291)));
    assert_eq!(l.mode, LinkMode::new(Access::RR));
    let md = m.mdisk(VAddr(0x190)).expect("190");
    assert_eq!(
        (md.devtype, md.start, md.cylinders, md.volser.as_str()),
        (DasdType::D3350, 1, 20, "VM50-1")
    );
    assert_eq!(md.mode, LinkMode::new(Access::MR));
    assert_eq!(md.read_password.as_deref(), Some("ALL"));
    assert_eq!(md.write_password.as_deref(), Some("WRITE"));
    assert_eq!(md.multi_password.as_deref(), Some("MULT"));
    let md = m.mdisk(VAddr(0x191)).expect("191");
    assert_eq!(md.mode, LinkMode { access: Access::WR, vreserve: true });
    assert_eq!(md.read_password, None);
    assert_eq!(m.mdisk(VAddr(0x192)).expect("192").mode, LinkMode::new(Access::W));
    assert_eq!(m.dedicates[0].target, DedicateTarget::Device(VAddr(0x480)));
    assert_eq!(m.dedicates[1].target, DedicateTarget::Volume("SYSRES".into()));
    let sk: Vec<_> = m.specials.iter().map(|s| s.kind).collect();
    assert_eq!(sk, [SpecialKind::Graf3270, SpecialKind::Timer, SpecialKind::Ctca]);
    assert_eq!(m.machine, Machine::S370);

    let op = d.user("OPERATOR").expect("OPERATOR");
    assert_eq!(op.priority, 10);
    assert_eq!(
        (op.linend, op.linedel, op.chardel, op.escape),
        (Some(';'), Some('$'), Some('%'), Some('"'))
    );
    assert_eq!(op.account_number(), "1234");
    assert_eq!(op.distcode(), "OPS");
    assert_eq!(op.ipl.as_ref().map(|i| &i.target), Some(&IplTarget::Device(VAddr(0x190))));
    assert_eq!(
        d.mdisk("operator", VAddr(0x191)).map(|m| m.read_password.as_deref()),
        Some(Some("READ"))
    );

    let x = d.user("X86USER").expect("X86USER");
    assert_eq!(x.machine, Machine::X86);
    assert_eq!(x.max_storage, Storage(64 * M));
    assert_eq!(x.links[0].mode, LinkMode::new(Access::R), "LINK mode defaults to R");
}

#[test]
fn canonical_text_round_trips() {
    let d = parse_ok(FULL);
    let text = d.to_text();
    assert!(text.lines().all(|l| l.chars().count() <= 71), "{text}");
    assert_eq!(parse_ok(&text), d);
    assert_eq!(parse_ok(&text).to_text(), text);
}

#[test]
fn canonical_text_layout() {
    let d = parse_ok(
        "directory 130 3350 vm370s\nuser bob bob 4m 16m g\n ipl cms\n console 9 3215\n \
         spool c 2540 reader *\n link maint 190 190 rr\n mdisk 191 3350 16 5 vm370u mr all write\n",
    );
    assert_eq!(
        d.to_text(),
        "DIRECTORY 130 3350 VM370S\n\nUSER BOB BOB 4M 16M G\n IPL CMS\n CONSOLE 009 3215\n \
         SPOOL 00C 2540 READER *\n LINK MAINT 190 190 RR\n MDISK 191 3350 016 005 VM370U MR ALL WRITE\n"
    );
}

#[test]
fn columns_beyond_71_and_extra_operands_are_ignored() {
    // Sequence numbers in 73-80, and data after the last operand (PSG p.230).
    let text = format!(
        "DIRECTORY 130 3350 VM370S\n{:<72}SEQ00020\n LINK MAINT 190 190 RR whatever follows\n",
        "USER ALICE ALICE 4M 16M G 50 # ¢ @ \" EXTRA"
    );
    let d = parse_ok(&text);
    let u = d.user("ALICE").expect("ALICE");
    assert_eq!(u.chardel, Some('@'));
    assert_eq!(u.linedel, Some('¢'));
    assert_eq!(u.links.len(), 1);
    // A storage operand pushed past column 71 is not seen at all.
    let text = format!("DIRECTORY 130 3350 VM370S\nUSER A A{}4M\n", " ".repeat(64));
    assert_eq!(parse_ok(&text).users[0].storage, Storage::DEFAULT);
}

#[test]
fn the_error_names_file_line_and_column() {
    let e = parse_err("DIRECTORY 130 3350 VM370S\nUSER ALICE ALICE XYZ\n");
    assert_eq!(
        e[0].to_string(),
        "USER DIRECT line 2 column 18: INVALID OPERAND 'XYZ' — expected a storage size in 4K units, nnnK or nnM"
    );
}

#[test]
fn directory_statement_errors() {
    assert_eq!(one_error(""), (1, 1, ErrorKind::MissingDirectoryStatement));
    assert_eq!(one_error("* only a comment\n\n"), (1, 1, ErrorKind::MissingDirectoryStatement));
    let e = parse_err("USER A B\nDIRECTORY 130 3350 VM370S\n");
    assert_eq!(e[0].kind, ErrorKind::MissingDirectoryStatement);
    assert!(matches!(e[1].kind, ErrorKind::OutOfSequence { .. }));
    let (line, col, kind) = one_error("DIRECTORY 130 3350 VM370S\nDIRECTORY 131 3350 VM370U\n");
    assert_eq!((line, col), (2, 1));
    assert_eq!(kind, ErrorKind::Duplicate { what: "DIRECTORY STATEMENT".into(), first_line: 1 });
    let (_, col, kind) = one_error("DIRECTORY 130 3215 VM370S\n");
    assert_eq!(col, 15);
    assert!(matches!(kind, ErrorKind::InvalidOperand { operand, .. } if operand == "3215"));
    let (_, col, kind) = one_error("DIRECTORY 130 3350\n");
    assert_eq!(col, 20);
    assert!(matches!(kind, ErrorKind::MissingOperand { .. }));
    let (_, col, _) = one_error("DIRECTORY 130 3350 TOOLONG\n");
    assert_eq!(col, 20);
}

#[test]
fn unknown_and_misplaced_statements() {
    let (line, col, kind) = one_error(&entry(" FROB 191\n"));
    assert_eq!((line, col), (3, 2));
    assert_eq!(kind, ErrorKind::UnknownStatement { statement: "FROB".into() });
    let (line, _, kind) = one_error("DIRECTORY 130 3350 VM370S\n MDISK 191 3350 1 5 VM370U\n");
    assert_eq!(line, 2);
    assert!(matches!(kind, ErrorKind::OutOfSequence { statement, .. } if statement == "MDISK"));
    let (line, _, kind) = one_error(&entry(" CONSOLE 009 3215\n OPTION ECMODE\n"));
    assert_eq!(line, 4);
    assert!(matches!(kind, ErrorKind::OutOfSequence { statement, .. } if statement == "OPTION"));
    let (line, _, kind) = one_error(&entry(" MDISK 191 3350 1 5 VM370U\n ACCOUNT 1\n"));
    assert_eq!(line, 4);
    assert!(matches!(kind, ErrorKind::OutOfSequence { statement, .. } if statement == "ACCOUNT"));
    // IPL and MACHINE may follow the device statements (CE's RSCS entry has IPL first).
    parse_ok(&entry(" IPL 191\n OPTION ECMODE BMX\n CONSOLE 009 3215\n MACHINE 370\n"));
    for twice in ["ACCOUNT 1", "IPL CMS", "MACHINE X86", "CONSOLE 01F 3215"] {
        let text = entry(
            &format!(" {twice}\n CONSOLE 009 3215\n {twice}\n")
                .replace(" CONSOLE 01F 3215\n CONSOLE 009 3215\n", " CONSOLE 01F 3215\n"),
        );
        let e = parse_err(&text);
        assert!(
            e.iter().any(|e| matches!(&e.kind, ErrorKind::Duplicate { what, .. } if what.ends_with("STATEMENT"))),
            "{twice}: {e:#?}"
        );
    }
}

#[test]
fn user_statement_errors() {
    let d = "DIRECTORY 130 3350 VM370S\n";
    let err = |user: &str| one_error(&format!("{d}{user}\n"));
    let (_, col, kind) = err("USER");
    assert_eq!(col, 6);
    assert!(matches!(kind, ErrorKind::MissingOperand { .. }));
    let (_, col, kind) = err("USER ALICE");
    assert_eq!(col, 12);
    assert!(
        matches!(kind, ErrorKind::MissingOperand { expected } if expected.contains("password"))
    );
    assert_eq!(err("USER TOOLONGID PW").1, 6);
    assert_eq!(err("USER ALICE TOOLONGPW").1, 12);
    assert_eq!(err("USER ALICE PW 5K").1, 15, "not a multiple of 4K");
    assert_eq!(err("USER ALICE PW 0K").1, 15);
    assert_eq!(err("USER ALICE PW 1M 2X").1, 18);
    let (_, col, kind) = err("USER ALICE PW 8M 4M");
    assert_eq!(col, 15);
    assert_eq!(
        kind,
        ErrorKind::StorageExceedsMaximum { storage: "8M".into(), maximum: "4M".into() }
    );
    let (_, col, kind) = err("USER ALICE PW 8M 32M");
    assert_eq!(col, 18);
    assert_eq!(kind, ErrorKind::StorageTooLarge { storage: "32M".into(), limit: "16M".into() });
    let (_, _, kind) = err("USER ALICE PW 32M");
    assert!(matches!(kind, ErrorKind::StorageTooLarge { .. }), "maxstor defaults to stor");
    parse_ok(&format!("{d}USER ALICE PW 8M 32M\n MACHINE X86\n"));
    let (_, _, kind) = err("USER ALICE PW 8M 2048M\n MACHINE X86");
    assert_eq!(kind, ErrorKind::StorageTooLarge { storage: "2048M".into(), limit: "1024M".into() });
    let (_, col, kind) = err("USER ALICE PW 1M 1M GZ");
    assert_eq!(col, 21);
    assert!(matches!(kind, ErrorKind::InvalidOperand { operand, .. } if operand == "GZ"));
    assert_eq!(err("USER ALICE PW 1M 1M G 0").1, 23);
    assert_eq!(err("USER ALICE PW 1M 1M G 100").1, 23);
    assert_eq!(err("USER ALICE PW 1M 1M G 50 ##").1, 26);
    let (_, col, kind) = one_error(&format!("{d}USER ALICE A\nUSER BOB B\nUSER alice C\n"));
    assert_eq!(col, 6);
    assert_eq!(kind, ErrorKind::DuplicateUser { userid: "ALICE".into(), first_line: 2 });
}

#[test]
fn option_errors() {
    let (_, col, kind) = one_error(&entry(" OPTION ECMODE FASTPATH\n"));
    assert_eq!(col, 16);
    assert_eq!(kind, ErrorKind::UnknownOption { option: "FASTPATH".into() });
    assert_eq!(one_error(&entry(" OPTION CPUID 0611\n")).1, 15);
    assert_eq!(one_error(&entry(" OPTION CPUID\n")).1, 15);
    assert_eq!(one_error(&entry(" OPTION AFFINITY X\n")).1, 18);
    assert!(matches!(one_error(&entry(" OPTION\n")).2, ErrorKind::MissingOperand { .. }));
    let d = parse_ok(&entry(" OPTION ISAM VIRT=REAL ACCT SVCOFF BMX STFIRST\n"));
    let o = &d.users[0].options;
    assert!(o.isam && o.virt_real && o.acct && o.svcoff && o.bmx && o.stfirst);
}

#[test]
fn device_statement_errors() {
    let col = |body: &str| one_error(&entry(body)).1;
    // IPL
    assert_eq!(col(" IPL\n"), 6);
    assert_eq!(col(" IPL TOOLONGNAME\n"), 6);
    let (_, c, kind) = one_error(&entry(" IPL CMS AUTOCR\n"));
    assert_eq!(c, 10);
    assert!(matches!(kind, ErrorKind::InvalidOperand { expected, .. } if expected == "PARM"));
    assert!(matches!(one_error(&entry(" IPL CMS PARM\n")).2, ErrorKind::MissingOperand { .. }));
    // CONSOLE
    assert_eq!(col(" CONSOLE 009 3270\n"), 14);
    assert_eq!(col(" CONSOLE 009 3215 *\n"), 19);
    assert_eq!(col(" CONSOLE XYZ 3215\n"), 10);
    // SPOOL
    let (_, c, kind) = one_error(&entry(" SPOOL 00C 2540\n"));
    assert_eq!(c, 17);
    assert!(
        matches!(kind, ErrorKind::MissingOperand { expected } if expected == "READER or PUNCH")
    );
    assert_eq!(col(" SPOOL 00C 2540 A\n"), 17);
    assert_eq!(col(" SPOOL 00E 1403 *\n"), 17, "class * is for readers");
    assert_eq!(col(" SPOOL 00D 2540 PUNCH *\n"), 23);
    assert_eq!(col(" SPOOL 00C 3505 PUNCH\n"), 17);
    assert_eq!(col(" SPOOL 00E 3800 A\n"), 12);
    assert_eq!(col(" SPOOL 00E 1403 AB\n"), 17);
    // LINK
    assert_eq!(col(" LINK MAINT 190 190 RW\n"), 21);
    assert_eq!(col(" LINK MAINT 190\n"), 17);
    assert_eq!(col(" LINK MAINT 1900 190\n"), 13);
    // MDISK
    assert_eq!(col(" MDISK 191 3215 1 5 VM370U\n"), 12);
    assert_eq!(col(" MDISK 191 3350 X 5 VM370U\n"), 17);
    assert_eq!(col(" MDISK 191 3350 1 0 VM370U\n"), 19, "no empty minidisks");
    assert_eq!(col(" MDISK 191 3350 1 65536 VM370U\n"), 19);
    assert_eq!(col(" MDISK 191 3350 1 5\n"), 21);
    assert_eq!(col(" MDISK 191 3350 1 5 VM370U XR\n"), 28);
    assert_eq!(col(" MDISK 191 3350 1 5 VM370U MR ALL WRITE MULTIPLEX\n"), 41);
    // DEDICATE / SPECIAL / MACHINE
    assert_eq!(col(" DEDICATE 181\n"), 15);
    assert_eq!(col(" DEDICATE 181 TOOLONG\n"), 15);
    assert_eq!(col(" SPECIAL 0C8 3277\n"), 14);
    assert_eq!(col(" MACHINE ARM\n"), 10);
    // duplicate addresses across statement kinds
    let (line, c, kind) = one_error(&entry(
        " CONSOLE 009 3215\n MDISK 191 3350 1 5 VM370U\n LINK MAINT 190 191 RR\n",
    ));
    assert_eq!((line, c), (5, 17));
    assert_eq!(kind, ErrorKind::DuplicateAddress { vaddr: "191".into(), first_line: 4 });
    let (_, c, _) = one_error(&entry(" CONSOLE 9 3215\n SPECIAL 009 3270\n"));
    assert_eq!(c, 10);
}

#[test]
fn all_errors_are_returned_in_file_order() {
    let text = "\
USER A
DIRECTORY 130 3350 VM370S
USER B B 1X
 FROB
 MDISK 191 3350 1 5 VM370U QQ
USER B B
 OPTION NOPE
";
    let e = parse_err(text);
    let at: Vec<_> = e.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(at, [(1, 1), (1, 8), (2, 1), (3, 10), (4, 2), (5, 28), (6, 6), (7, 9)], "{e:#?}");
}

#[test]
fn overlaps_are_warnings_between_users_only() {
    let d = parse_ok(
        "DIRECTORY 130 3350 VM370S
USER $ALLOC$ NOLOG
 MDISK A00 3350 000 001 VM370S R
USER MAINT M
 MDISK 6A0 3350 000 100 VM370S MW
 MDISK 190 3350 001 020 VM370S MR
USER A A
 MDISK 191 3350 010 005 VM370S W
 LINK MAINT 190 190 RR
 LINK MAINT 19E 19E RR
 LINK NOBODY 191 192 RR
USER B B
 MDISK 191 3350 015 005 VM370S W
 MDISK 192 3350 014 001 VM370U W
",
    );
    let w: Vec<String> = d.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "MDISK EXTENTS OVERLAP ON VM370S: $ALLOC$ A00 (000-000) AND MAINT 6A0 (000-099)",
            "MDISK EXTENTS OVERLAP ON VM370S: MAINT 6A0 (000-099) AND A 191 (010-014)",
            "MDISK EXTENTS OVERLAP ON VM370S: MAINT 6A0 (000-099) AND B 191 (015-019)",
            "MDISK EXTENTS OVERLAP ON VM370S: MAINT 190 (001-020) AND A 191 (010-014)",
            "MDISK EXTENTS OVERLAP ON VM370S: MAINT 190 (001-020) AND B 191 (015-019)",
            "A LINK MAINT 19E: NOT IN CP DIRECTORY",
            "A LINK NOBODY 191: NOT IN CP DIRECTORY",
        ]
    );
    assert!(matches!(d.overlaps()[0], Warning::Overlap { .. }));
}

#[test]
fn extents_are_checked_against_volumes() {
    let d = parse_ok(
        "DIRECTORY 130 3350 VM370S
USER A A
 MDISK 191 3350 090 010 VM370S W
 MDISK 192 3350 095 010 VM370S W
 MDISK 193 3330 000 010 VM370S W
 MDISK 194 3350 000 010 NOSUCH W
",
    );
    let vols = |v: &str| {
        (v == "VM370S").then_some(VolumeInfo { devtype: DasdType::D3350, cylinders: 100 })
    };
    let p = d.check_extents(vols);
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(
        matches!(&p[0], ExtentProblem::BeyondVolume { extent, volume_cylinders: 100, .. } if extent.vaddr == VAddr(0x192))
    );
    assert!(matches!(
        &p[1],
        ExtentProblem::WrongDeviceType { mdisk: DasdType::D3330, volume: DasdType::D3350, .. }
    ));
    assert!(matches!(&p[2], ExtentProblem::UnknownVolume { volser, .. } if volser == "NOSUCH"));
    assert_eq!(
        p[0].to_string(),
        "MDISK A 192 (095-104): EXTENT BEYOND END OF VOLUME VM370S (100 CYLINDERS)"
    );
}

#[test]
fn link_passwords_follow_the_mdisk() {
    let d = parse_ok(&entry(
        " MDISK 191 3350 1 5 VM370U MR ALL SECRET\n MDISK 192 3350 6 5 VM370U W\n",
    ));
    let m = d.mdisk("ALICE", VAddr(0x191)).expect("191");
    use cp::directory::PasswordKind::*;
    assert!(m.admits(Read, None));
    assert!(m.admits(Write, Some("secret")));
    assert!(!m.admits(Write, Some("wrong")));
    assert!(!m.admits(Multi, Some("SECRET")), "no multi password: nobody links M");
    assert!(!d.mdisk("ALICE", VAddr(0x192)).expect("192").admits(Read, None));
}
