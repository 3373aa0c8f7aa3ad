//! The assembler language, statement by statement: what each feature assembles to.

use s370::asm::{Assembly, Errors, Options, assemble, object};

fn ok(src: &str) -> Assembly {
    ok_with(src, &Options::default())
}

fn ok_with(src: &str, opts: &Options) -> Assembly {
    match assemble(src, opts) {
        Ok(a) => a,
        Err(e) => panic!("{e}\n{}", e.listing),
    }
}

fn fails(src: &str) -> Errors {
    match assemble(src, &Options::default()) {
        Ok(a) => panic!("assembled, but should not have:\n{}", a.listing),
        Err(e) => e,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Lays out statements in the usual columns: `name op operands`.
fn src(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn machine_instructions_with_implicit_addresses() {
    let a = ok(&src(&[
        "PROG     CSECT",
        "         BALR  12,0",
        "         USING *,12",
        "         L     3,WORD",
        "         ST    3,WORD+4",
        "         LA    4,WORD(5)",
        "         MVC   FIELD,FIELD+2",
        "         MVC   FIELD(2),=C'AB'",
        "         CLI   FIELD,C'A'",
        "         BNE   *+8",
        "         BR    14",
        "WORD     DC    F'1',F'2'",
        "FIELD    DC    CL3'XYZ'",
        "         END   PROG",
    ]));
    // BALR at 0; the base is 2.
    // BALR(2) L ST LA (4 each) MVC MVC (6 each) CLI BNE (4 each) BR (2): WORD at X'24'.
    assert_eq!(a.value("WORD"), Some(0x24));
    assert_eq!(hex(&a.image[2..6]), "5830C022");
    assert_eq!(hex(&a.image[6..10]), "5030C026");
    assert_eq!(hex(&a.image[10..14]), "4145C022");
    assert_eq!(hex(&a.image[14..20]), "D202C02AC02C");
    assert_eq!(a.value("FIELD"), Some(0x2C));
    let lit = (a.value("FIELD").unwrap() + 3).next_multiple_of(8);
    assert_eq!(hex(&a.image[20..26]), format!("D201C02A{:04X}", 0xC000 | (lit - 2)));
    assert_eq!(hex(a.bytes_at(lit, 2).unwrap()), "C1C2");
    assert_eq!(hex(&a.image[26..30]), "95C1C02A");
    assert_eq!(hex(&a.image[30..34]), "4770C024"); // *+8 = X'1E' + 8 = X'26'; base 2
    assert_eq!(a.entry, Some(0));
    assert_eq!(a.symbol("FIELD").unwrap().length, 3);
    assert_eq!(a.symbol("FIELD").unwrap().type_attr, 'C');
}

#[test]
fn several_base_registers_and_the_best_one_is_chosen() {
    let a = ok(&src(&[
        "BIG      CSECT",
        "         USING BIG,11,12",
        "         L     1,NEAR",
        "         L     1,FAR",
        "         USING FAR,10",
        "         L     1,FAR",
        "         DROP  10",
        "         L     1,FAR+4",
        "NEAR     DC    F'0'",
        "         DS    5000X",
        "FAR      DC    F'0'",
        "         END",
    ]));
    let far = a.value("FAR").unwrap();
    assert!(far > 4096);
    assert_eq!(hex(&a.image[0..4]), format!("5810B{:03X}", a.value("NEAR").unwrap()));
    assert_eq!(hex(&a.image[4..8]), format!("5810C{:03X}", far - 4096));
    assert_eq!(hex(&a.image[8..12]), "5810A000");
    assert_eq!(hex(&a.image[12..16]), format!("5810C{:03X}", far + 4 - 4096));
}

#[test]
fn dsects_map_storage_through_their_own_base() {
    let a = ok(&src(&[
        "MAIN     CSECT",
        "         USING MAIN,12",
        "         USING REC,5",
        "         MVC   RNAME,=CL8'NAME'",
        "         L     2,RLEN",
        "         LA    3,RECLEN",
        "         BR    14",
        "REC      DSECT",
        "RNAME    DS    CL8",
        "RLEN     DS    F",
        "RFLAGS   DS    X",
        "RECLEN   EQU   *-REC",
        "         END",
    ]));
    assert_eq!(hex(&a.image[0..4]), "D2075000");
    assert_eq!(hex(&a.image[6..10]), "58205008");
    assert_eq!(hex(&a.image[10..14]), "4130000D");
    // The DSECT takes no room in the image.
    assert!(a.image.len() < 0x20);
    assert_eq!(a.symbol("RLEN").unwrap().section.as_deref(), Some("REC"));
    assert_eq!(a.value("RECLEN"), Some(13));
}

#[test]
fn constants_of_every_type() {
    let a = ok(&src(&[
        "K        CSECT",
        "C1       DC    C'AB',CL4'X'",
        "X1       DC    X'0A0B',XL3'1'",
        "B1       DC    B'1010',BL2'1'",
        "F1       DC    F'-2',H'3'",
        "         DC    FL3'5'",
        "E1       DC    E'1'",
        "D1       DC    D'-1.5'",
        "L1       DC    L'1'",
        "P1       DC    P'-123',PL3'7'",
        "Z1       DC    Z'12',ZL3'-4'",
        "A1       DC    A(C1,X1-C1),AL1(255)",
        "Y1       DC    Y(F1)",
        "V1       DC    V(EXTERN)",
        "         DC    3C'-'",
        "         END",
    ]));
    let at = |s: &str, n: usize| hex(a.bytes_at(a.value(s).unwrap(), n).unwrap());
    assert_eq!(at("C1", 6), "C1C2E7404040");
    assert_eq!(at("X1", 5), "0A0B000001");
    assert_eq!(at("B1", 3), "0A0001");
    assert_eq!(at("F1", 6), "FFFFFFFE0003");
    assert_eq!(at("E1", 4), "41100000");
    assert_eq!(at("D1", 8), "C118000000000000");
    assert_eq!(at("L1", 16), "41100000000000003300000000000000");
    assert_eq!(at("P1", 5), "123D00007C");
    assert_eq!(at("Z1", 5), "F1C2F0F0D4");
    assert_eq!(
        at("A1", 9),
        format!(
            "{:08X}{:08X}FF",
            a.value("C1").unwrap(),
            a.value("X1").unwrap() - a.value("C1").unwrap()
        )
    );
    assert_eq!(at("Y1", 2), format!("{:04X}", a.value("F1").unwrap()));
    assert_eq!(at("V1", 4), "00000000");
    assert_eq!(a.unresolved, ["EXTERN"]);
    // Alignment: F1 is on a fullword, D1 and L1 on doublewords.
    assert_eq!(a.value("F1").unwrap() % 4, 0);
    assert_eq!(a.value("D1").unwrap() % 8, 0);
    assert_eq!(a.value("L1").unwrap() % 8, 0);
    assert_eq!(a.symbol("P1").unwrap().length, 2);
    assert_eq!(a.symbol("A1").unwrap().type_attr, 'A');
}

#[test]
fn ds_equ_org_cnop_and_ltorg() {
    let a = ok(&src(&[
        "S        CSECT",
        "         USING S,15",
        "         DC    X'01'",
        "         CNOP  0,8",
        "HERE     BCR   0,0",
        "AREA     DS    0CL8",
        "PART1    DS    CL4",
        "PART2    DS    CL4",
        "         ORG   AREA+2",
        "MID      DS    C",
        "         ORG",
        "LEN      EQU   *-AREA",
        "FWD      EQU   LATER+1",
        "         L     1,=F'7'",
        "         LTORG",
        "POOL     EQU   *",
        "LATER    DC    H'0'",
        "         END",
    ]));
    assert_eq!(a.value("HERE"), Some(8));
    assert_eq!(hex(&a.image[2..8]), "070007000700");
    assert_eq!(a.symbol("AREA").unwrap().length, 8);
    assert_eq!(a.value("MID"), Some(a.value("AREA").unwrap() + 2));
    assert_eq!(a.value("LEN"), Some(8));
    assert_eq!(a.value("FWD"), Some(a.value("LATER").unwrap() + 1));
    let pool = a.value("POOL").unwrap();
    assert_eq!(hex(a.bytes_at(pool - 4, 4).unwrap()), "00000007");
    assert_eq!((pool - 4) % 8, 0);
}

#[test]
fn literals_are_shared_within_a_pool_and_sorted_by_alignment() {
    let a = ok(&src(&[
        "LIT      CSECT",
        "         USING *,15",
        "         CLC   0(1,1),=C'A'",
        "         L     1,=F'1'",
        "         LD    0,=D'0'",
        "         L     2,=F'1'",
        "         LH    3,=H'2'",
        "         L     4,=A(LIT)",
        "         END",
    ]));
    // Pool at the end: D (8), then F'1' and A(LIT) (4 each), then H (2), then C (1).
    let end = 6 + 4 * 5;
    let pool = (end as u32).next_multiple_of(8);
    assert_eq!(hex(&a.image[pool as usize..]), "000000000000000000000001000000000002C1");
    assert_eq!(a.image[8..10], a.image[16..18], "=F'1' is one literal");
    let rec = object::parse(&a.object).unwrap();
    assert!(rec.iter().any(|r| matches!(r, object::Record::Rld(items) if items.len() == 1)));
}

#[test]
fn start_origin_entry_extrn_and_the_object_deck_loads_anywhere() {
    let prog = |origin: &str| {
        src(&[
            &format!("MOD      START {origin}"),
            "         ENTRY ALT",
            "         EXTRN EXT",
            "         BALR  12,0",
            "         USING *,12",
            "         L     1,ADDRS",
            "ALT      BR    14",
            "ADDRS    DC    A(ALT,ADDRS+4,MOD)",
            "         DC    A(EXT),V(EXT2),AL3(ALT)",
            "CCW1     CCW   X'02',ADDRS,X'20',80",
            "         END   ALT",
        ])
    };
    let a = ok(&prog("X'1000'"));
    assert_eq!(a.origin, 0x1000);
    assert_eq!(a.entry, Some(a.value("ALT").unwrap()));
    assert_eq!(a.unresolved, ["EXT", "EXT2"]);
    let ccw = a.value("CCW1").unwrap();
    assert_eq!(ccw % 8, 0);
    assert_eq!(
        hex(a.bytes_at(ccw, 8).unwrap()),
        format!("02{:06X}20000050", a.value("ADDRS").unwrap())
    );
    let recs = object::parse(&a.object).unwrap();
    let esd: Vec<_> = recs
        .iter()
        .filter_map(|r| if let object::Record::Esd(v) = r { Some(v.clone()) } else { None })
        .flatten()
        .collect();
    let names: Vec<(&str, u8)> = esd.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(names, [("MOD", 0), ("EXT", 2), ("EXT2", 2), ("ALT", 1)]);
    assert_eq!(esd[0].length as usize, a.image.len());
    // Loading the deck at 0x8000 gives what assembling at 0x8000 gives, once externals resolve.
    let resolve = |n: &str| match n {
        "EXT" => Some(0x123456),
        "EXT2" => Some(0x654320),
        _ => None,
    };
    let loaded = object::load(&a.object, 0x8000, &resolve).unwrap();
    let b = ok(&prog("X'8000'"));
    let mut want = b.image.clone();
    let ext = (b.value("ADDRS").unwrap() + 12 - 0x8000) as usize;
    want[ext..ext + 4].copy_from_slice(&0x123456u32.to_be_bytes());
    want[ext + 4..ext + 8].copy_from_slice(&0x654320u32.to_be_bytes());
    assert_eq!(hex(&loaded.image), hex(&want));
    assert_eq!(loaded.entry, b.entry);
    assert!(object::load(&a.object, 0x8000, &|_| None).is_err(), "unresolved EXT");
}

#[test]
fn object_deck_field_layout() {
    let a = ok(&src(&[
        "         TITLE 'DECK'",
        "DK       TITLE 'NAMED'",
        "OBJ      CSECT",
        "         DC    A(OBJ)",
        "         END   OBJ",
    ]));
    let d = &a.object;
    assert_eq!(d.len() % 80, 0);
    let card = |n: usize| &d[80 * n..80 * n + 80];
    let e = |s: &str| s370::ebcdic::from_str(s);
    // ESD: col 1 X'02', 'ESD', count 16, ESDID 1, item: name, SD, address 0, length 4.
    assert_eq!(card(0)[0], 0x02);
    assert_eq!(&card(0)[1..4], e("ESD").as_slice());
    assert_eq!(&card(0)[10..12], &[0, 16]);
    assert_eq!(&card(0)[14..16], &[0, 1]);
    assert_eq!(&card(0)[16..24], e("OBJ     ").as_slice());
    assert_eq!(&card(0)[24..28], &[0, 0, 0, 0]);
    assert_eq!(&card(0)[29..32], &[0, 0, 4]);
    assert_eq!(&card(0)[72..80], e("DK000001").as_slice());
    // TXT: address 0, 4 bytes, ESDID 1.
    assert_eq!(&card(1)[1..4], e("TXT").as_slice());
    assert_eq!(&card(1)[5..8], &[0, 0, 0]);
    assert_eq!(&card(1)[10..12], &[0, 4]);
    assert_eq!(&card(1)[14..16], &[0, 1]);
    assert_eq!(&card(1)[16..20], &[0, 0, 0, 0]);
    // RLD: R=1, P=1, flag X'0C' (A-type, 4 bytes, +), address 0.
    assert_eq!(&card(2)[1..4], e("RLD").as_slice());
    assert_eq!(&card(2)[10..12], &[0, 8]);
    assert_eq!(&card(2)[16..24], &[0, 1, 0, 1, 0x0C, 0, 0, 0]);
    // END: entry 0 in ESDID 1.
    assert_eq!(&card(3)[1..4], e("END").as_slice());
    assert_eq!(&card(3)[5..8], &[0, 0, 0]);
    assert_eq!(&card(3)[14..16], &[0, 1]);
    assert_eq!(&card(3)[72..80], e("DK000004").as_slice());
}

#[test]
fn several_csects_follow_each_other_on_doublewords() {
    let a = ok(&src(&[
        "A        CSECT",
        "         DC    X'01'",
        "B        CSECT",
        "         DC    A(A)",
        "A        CSECT",
        "         DC    X'02'",
        "         END",
    ]));
    assert_eq!(a.value("A"), Some(0));
    assert_eq!(a.value("B"), Some(8));
    assert_eq!(hex(&a.image), "0102000000000000".to_string() + "00000000");
    let sects: Vec<_> = a.sections.iter().map(|s| (s.name.as_str(), s.origin, s.length)).collect();
    assert_eq!(sects, [("A", 0, 2), ("B", 8, 4)]);
}

#[test]
fn continuation_lines_and_remarks() {
    // Alternate format: an operand ending in `,` continues in column 16; remarks in between.
    let first = format!("{:<71}X", "         DC    A(1,               FIRST");
    let a = ok(&format!(
        "C        CSECT\n{first}\n{}\n         END\n",
        "               2)                 SECOND"
    ));
    assert_eq!(hex(&a.image), "0000000100000002");
    // A string continued: columns up to 71 of the first line, then 16 on of the next.
    let a =
        ok(&format!("{:<71}X{}\n{:<15}DEF'     REMARK\n", "         DC    C'ABC", "SEQ00010", ""));
    assert_eq!(s370::ebcdic::to_string(&a.image), format!("ABC{}DEF", " ".repeat(51)));
    // Text in columns 1-15 of a continuation line is flagged.
    let w = ok(&format!("{:<71}X\nXX             2)\n", "         DC    A(1,"));
    assert!(w.diagnostics.iter().any(|d| d.message.contains("COLUMNS 1-15") && d.severity == 4));
}

#[test]
fn errors_name_line_column_and_problem() {
    let e = fails(&src(&[
        "ERR      CSECT",
        "         L     1,UNDEF",
        "         LR    1,16",
        "         FOO   1",
        "         DC    H'99999'",
        "         L     2,FAR",
        "FAR      DS    F",
    ]));
    let msgs: Vec<(u32, u32, &str)> = e
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(msgs[0], (2, 18, "UNDEFINED SYMBOL 'UNDEF'"));
    assert_eq!(msgs[1], (3, 18, "REGISTER 16 OUT OF RANGE 0-15"));
    assert_eq!(msgs[2], (4, 10, "UNDEFINED OPERATION CODE 'FOO'"));
    assert_eq!((msgs[3].0, msgs[3].2), (5, "FIXED-POINT CONSTANT TOO LARGE"));
    assert_eq!((msgs[4].0, msgs[4].1), (6, 18));
    assert!(msgs[4].2.starts_with("ADDRESSABILITY ERROR"));
    assert_eq!(e.diagnostics[0].to_string(), "** ERROR ** line 2 col 18: UNDEFINED SYMBOL 'UNDEF'");
    // The listing shows each message under its statement.
    let l = &e.listing;
    let at = l.find("L     1,UNDEF").unwrap();
    assert!(l[at..].lines().nth(1).unwrap().contains("UNDEFINED SYMBOL 'UNDEF'"));
    // A missing END is only a warning.
    let a = ok(" DC X'00'\n");
    assert_eq!(a.max_severity(), 4);
}

#[test]
fn lower_case_and_duplicate_symbols() {
    let a = ok("low      csect\n         using low,12\n         la    1,low\n         end\n");
    assert_eq!(hex(&a.image), "4110C000");
    let e = fails("X        DC    F'1'\nX        DC    F'2'\n");
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.message == "PREVIOUSLY DEFINED SYMBOL 'X'" && d.line == 2 && d.column == 1)
    );
}

#[test]
fn ss_lengths_explicit_implied_and_from_literals() {
    let a = ok(&src(&[
        "SS       CSECT",
        "         USING *,12",
        "         MVC   A,B",
        "         MVC   A(2),B",
        "         MVC   0(L'A,1),B",
        "         CLC   A,=C'XY'",
        "         PACK  P,A",
        "         AP    P,=P'1'",
        "         ZAP   P(3),P+1(2)",
        "         SRP   P,64-3,5",
        "A        DS    CL5",
        "B        DS    CL5",
        "P        DS    PL4",
        "         END",
    ]));
    assert_eq!(a.image[1], 4);
    assert_eq!(a.image[7], 1);
    assert_eq!(hex(&a.image[12..14]), "D204");
    assert_eq!(a.image[19], 4, "CLC length from A");
    assert_eq!(a.image[25], 0x34, "PACK lengths 4 and 5");
    assert_eq!(a.image[31], 0x30, "AP lengths 4 and 1 (=P'1')");
    assert_eq!(a.image[37], 0x21);
    assert_eq!(hex(&a.image[42..48]), format!("F035C{:03X}003D", a.value("P").unwrap()));
}

#[test]
fn macros_with_keywords_sublists_sysndx_and_globals() {
    let a = ok(&src(&[
        "         MACRO",
        "&L       GEN   &A,&B,&K=5,&FLAG=",
        "         GBLA  &TOTAL",
        "         LCLA  &N",
        "&TOTAL   SETA  &TOTAL+&K",
        "&N       SETA  N'&B",
        "&L       DC    AL1(&K,&N,&TOTAL)",
        "         AIF   ('&FLAG' EQ '').SKIP",
        "         DC    C'&FLAG'",
        ".SKIP    DC    C'&B(2)&SYSNDX'",
        "         MEND",
        "M        CSECT",
        "ONE      GEN   X,(P,Q,R)",
        "TWO      GEN   Y,(S,T),K=7,FLAG=F",
        "         END",
    ]));
    assert_eq!(hex(a.bytes_at(a.value("ONE").unwrap(), 8).unwrap()), "050305D8F0F0F0F1");
    let two = a.value("TWO").unwrap();
    assert_eq!(hex(a.bytes_at(two, 9).unwrap()), "07020CC6E3F0F0F0F2");
}

#[test]
fn macro_libraries_from_directories_memory_and_cms_maclibs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("DIRMAC.macro"), " MACRO\n DIRMAC\n DC C'D'\n MEND\n").unwrap();
    std::fs::write(dir.path().join("lowmac.mac"), "* A LIBRARY MACRO\n         MACRO\n         LOWMAC &X\n         DC    C'&X'\n         MEND\n").unwrap();
    std::fs::write(dir.path().join("REGS.copy"), "R1       EQU   1\nR2       EQU   2\n").unwrap();
    // A CMS MACLIB: header record, members ending in X'61FFFF61' records, a directory.
    let card = |s: &str| {
        let mut c = s370::ebcdic::from_str(&format!("{s:<80}"));
        c.truncate(80);
        c
    };
    let mut recs = vec![vec![0u8; 80]];
    recs.push(card("         MACRO"));
    recs.push(card("         CMSMAC"));
    recs.push(card("         DC    C'M'"));
    recs.push(card("         MEND"));
    let mut delim = vec![0x40u8; 80];
    delim[..4].copy_from_slice(&[0x61, 0xFF, 0xFF, 0x61]);
    recs.push(delim);
    let dir_item = recs.len() as u32 + 1;
    let mut dirrec = s370::ebcdic::from_str("CMSMAC  ");
    dirrec.extend_from_slice(&[0, 0, 0, 0x80, 0, 0, 0, 2]);
    dirrec.resize(80, 0);
    recs.push(dirrec);
    let mut hdr = s370::ebcdic::from_str("LIBPDS");
    hdr.extend_from_slice(&[0, 0, 0, 0, 0, 1]);
    hdr.extend_from_slice(&dir_item.to_be_bytes());
    hdr.resize(80, 0);
    recs[0] = hdr;
    std::fs::write(dir.path().join("TEST.maclib"), recs.concat()).unwrap();
    let opts =
        Options::default().maclib(dir.path()).member("MEMMAC", " MACRO\n MEMMAC\n DC C'Y'\n MEND");
    let a = ok_with(
        &src(&[
            "L        CSECT",
            "         COPY  REGS",
            "         DIRMAC",
            "         LOWMAC Z",
            "         MEMMAC",
            "         CMSMAC",
            "         LR    R1,R2",
            "         END",
        ]),
        &opts,
    );
    assert_eq!(hex(&a.image), "C4E9E8D41812");
    let read = a.members_read.join(" ");
    assert!(
        read.contains("REGS.copy") && read.contains("DIRMAC.macro") && read.contains("lowmac.mac"),
        "{read}"
    );
    assert!(read.contains("MEMMAC") && read.contains("TEST.maclib(CMSMAC)"), "{read}");
    let e = match assemble(" NOSUCH\n COPY NOPE\n", &opts) {
        Err(e) => e,
        Ok(_) => panic!("should fail"),
    };
    assert!(e.diagnostics.iter().any(|d| d.message == "UNDEFINED OPERATION CODE 'NOSUCH'"));
    assert!(e.diagnostics.iter().any(|d| d.message == "COPY MEMBER NOPE NOT FOUND" && d.line == 2));
}

#[test]
fn conditional_assembly_in_open_code_with_loops_and_arrays() {
    let a = ok(&src(&[
        "         LCLA  &I,&V(5)",
        "         LCLC  &S",
        "&I       SETA  1",
        ".LOOP    ANOP",
        "&V(&I)   SETA  &I*&I",
        "&S       SETC  '&S'.'&I'",
        "&I       SETA  &I+1",
        "         AIF   (&I LE 5).LOOP",
        "         DC    AL1(&V(1),&V(2),&V(3),&V(4),&V(5))",
        "         DC    C'&S'",
        "         AGO   .END",
        "         DC    C'SKIPPED'",
        ".END     ANOP",
        "         END",
    ]));
    assert_eq!(hex(&a.image), "0104091019F1F2F3F4F5");
}

#[test]
fn attributes_in_conditional_assembly() {
    let a = ok(&src(&[
        "         MACRO",
        "         ATTR  &P",
        "         DC    C'T'&P',AL1(L'&P,K'&P)",
        "         MEND",
        "         MACRO",
        "         SHOW  &P",
        "&T       SETC  T'&P",
        "         AIF   ('&T' NE 'F').NOTF",
        "         DC    C'F'",
        "         MEXIT",
        ".NOTF    DC    C'&T'",
        "         MEND",
        "A        CSECT",
        "WORD     DS    F",
        "CHAR     DS    CL7",
        "         SHOW  WORD",
        "         SHOW  CHAR",
        "         SHOW  12",
        "         SHOW  ",
        "         SHOW  LATER",
        "LATER    DS    H",
        "         END",
    ]));
    assert_eq!(s370::ebcdic::to_string(&a.image[11..16]), "FCNOH");
}

#[test]
fn mnote_severity_decides_the_outcome() {
    let m = " MACRO\n WARN &S\n MNOTE &S,'SEVERITY &S'\n MEND\n";
    let a = ok(&format!("{m} WARN 4\n END\n"));
    assert_eq!(a.max_severity(), 4);
    assert!(
        a.diagnostics.iter().any(|d| d.message == "SEVERITY 4"
            && d.context.as_deref().is_some_and(|c| c.contains("WARN")))
    );
    let e = fails(&format!("{m} WARN 8\n END\n"));
    assert!(e.diagnostics.iter().any(|d| d.message == "SEVERITY 8" && d.severity == 8));
}

#[test]
fn nested_macros_and_runaway_expansion_is_stopped() {
    let a =
        ok(" MACRO\n IN &X\n DC C'&X'\n MEND\n MACRO\n OUT &Y\n IN &Y.&Y\n MEND\n OUT A\n END\n");
    assert_eq!(hex(&a.image), "C1C1");
    let e = fails(" MACRO\n REC\n REC\n MEND\n REC\n END\n");
    assert!(e.diagnostics.iter().any(|d| d.message.starts_with("MACRO NESTING TOO DEEP")));
    let e = fails(".L ANOP\n AGO .L\n END\n");
    assert!(e.diagnostics.iter().any(|d| d.message.starts_with("ACTR LIMIT")));
}

#[test]
fn push_pop_print_title_space_eject_are_accepted() {
    let a = ok(&src(&[
        "         TITLE 'A PROGRAM'",
        "T        CSECT",
        "         PRINT NOGEN",
        "         PUSH  USING,PRINT",
        "         USING T,12",
        "         POP   USING,PRINT",
        "         SPACE 2",
        "         EJECT",
        "         PRINT DATA",
        "         DC    XL12'1'",
        "         END",
    ]));
    assert!(a.listing.contains("A PROGRAM"));
    assert!(a.listing.contains("000008 00000001"), "{}", a.listing);
    let e = fails(
        "T CSECT\n USING T,12\n PUSH USING\n DROP 12\n POP USING\n L 1,T\n DROP 12\n L 1,T\n END\n",
    );
    let errs: Vec<u32> = e.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.line).collect();
    assert_eq!(errs, [8], "only the use after the final DROP fails");
}

#[test]
fn opsyn_and_extended_mnemonics() {
    let a = ok(" USING *,15\nJUMP OPSYN B\n JUMP X\n BNZR 14\n NOPR 0\nX NOP X\n END\n");
    assert_eq!(hex(&a.image), "47F0F008077E07004700F008");
}

#[test]
fn modules_link_through_external_references() {
    let main = ok(&src(&[
        "MAIN     CSECT",
        "         EXTRN SUBR,DATA",
        "         WXTRN MAYBE",
        "         DC    V(SUBR),A(DATA+4),A(MAYBE)",
        "         END   MAIN",
    ]));
    let sub = ok(&src(&[
        "SUBR     CSECT",
        "         ENTRY DATA",
        "         DC    X'0102'",
        "DATA     DC    A(SUBR)",
        "         END",
    ]));
    let l = object::link(&[&main.object, &sub.object], 0x1000).unwrap();
    // MAIN (12 bytes) at X'1000', SUBR on the next doubleword at X'1010', DATA at X'1014'.
    assert_eq!(hex(&l.image), "000010100000101800000000000000000102000000001010");
    assert_eq!(l.entry, Some(0x1000));
    assert!(object::link(&[&main.object], 0).is_err(), "SUBR is missing");
}

#[test]
fn cms_style_macro_idioms() {
    let lib = "         MACRO
&NAME    FSREAD &FILEID,&FSCB=,&ERROR=,&FORM=E
         GBLB  &MAPPED
         LCLB  &REG
         AIF   ('&FORM' EQ 'E' OR '&FORM' EQ 'L').FORMOK
         MNOTE 8,'FORM=&FORM IS INVALID'
         MEXIT
.FORMOK  AIF   (T'&FSCB NE 'O').FSCB
&REG     SETB  ('&FILEID'(1,1) EQ '(')
         AIF   (&REG).REG
         AIF   (K'&FILEID LE 8).SHORT
         LCLC  &SHORT
&SHORT   SETC  '&FILEID'(1,8)
         MNOTE 4,'FILE NAME &FILEID TRUNCATED TO ''&SHORT'''
.SHORT   ANOP
&NAME    LA    1,=CL8'&FILEID'
         AGO   .CALL
.REG     ANOP
&NAME    LR    1,&FILEID(1)
         AGO   .CALL
.FSCB    ANOP
&NAME    LA    1,&FSCB
.CALL    SVC   202
         DC    AL4(*+4)
         AIF   (T'&ERROR EQ 'O').NOERR
         LTR   15,15
         BNZ   &ERROR
.NOERR   AIF   (&MAPPED).DONE
&MAPPED  SETB  1
         MNOTE *,'MAPPING GENERATED ONCE'
.DONE    MEND
";
    let opts = Options::default().member("FSREAD", lib);
    let a = ok_with(
        &src(&[
            "PROG     CSECT",
            "         USING *,12",
            "R3       EQU   3",
            "A        FSREAD PROFILE",
            "B        FSREAD (R3),ERROR=BAD",
            "C        FSREAD FSCB=MYFSCB",
            "         FSREAD LONGFILENAME",
            "BAD      BR    14",
            "MYFSCB   DS    10F",
            "         END",
        ]),
        &opts,
    );
    let at = |s: &str, n: usize| hex(a.bytes_at(a.value(s).unwrap(), n).unwrap());
    assert_eq!(&at("A", 6)[..4], "4110");
    assert_eq!(at("B", 4), "1813".to_string() + "0ACA");
    assert_eq!(&at("C", 2), "4110");
    // LONGFILENAME was truncated with a warning; the MAPPED note appeared once.
    let warn: Vec<&str> =
        a.diagnostics.iter().filter(|d| d.severity == 4).map(|d| d.message.as_str()).collect();
    assert_eq!(warn, ["FILE NAME LONGFILENAME TRUNCATED TO 'LONGFILE'"]);
    assert_eq!(
        a.listing.matches("MAPPING GENERATED ONCE").count(),
        2,
        "the MNOTE line and its message, once"
    );
    // B's error exit: LTR then BNZ to BAD.
    let b = a.value("B").unwrap();
    assert_eq!(
        hex(a.bytes_at(b + 8, 6).unwrap()),
        format!("12FF4770C{:03X}", a.value("BAD").unwrap())
    );
    let e = match assemble(" FSREAD X,FORM=Q\n END\n", &opts) {
        Err(e) => e,
        Ok(_) => panic!("FORM=Q must fail"),
    };
    assert!(e.diagnostics.iter().any(|d| d.message == "FORM=Q IS INVALID" && d.severity == 8));
}

#[test]
fn syslist_counts_and_indexes_positional_operands_and_globals_carry_across_macros() {
    let a = ok(&src(&[
        "         MACRO",
        "         SETNAME &N",
        "         GBLC  &NAME",
        "         GBLB  &SEEN",
        "&NAME    SETC  '&N'",
        "&SEEN    SETB  1",
        "         MEND",
        "         MACRO",
        "&L       LIST",
        "         GBLC  &NAME",
        "         GBLB  &SEEN",
        "         LCLA  &I,&C",
        "&C       SETA  N'&SYSLIST",
        "&L       DC    AL1(&C)",
        ".NEXT    AIF   (&I GE &C).DONE",
        "&I       SETA  &I+1",
        "         DC    C'&SYSLIST(&I)'",
        "         AGO   .NEXT",
        ".DONE    AIF   (NOT &SEEN).END",
        "         DC    C'&NAME'",
        ".END     MEND",
        "G        CSECT",
        "ONE      LIST  A,BC",
        "         SETNAME XY",
        "TWO      LIST  (P,Q),R,S",
        "         END",
    ]));
    let one = a.value("ONE").unwrap();
    assert_eq!(hex(a.bytes_at(one, 4).unwrap()), "02C1C2C3", "no name before SETNAME");
    let two = a.value("TWO").unwrap();
    assert_eq!(s370::ebcdic::to_string(&a.image[(two - one) as usize + 1..]), "(P,Q)RSXY");
    assert_eq!(a.image[(two - one) as usize], 3);
}
