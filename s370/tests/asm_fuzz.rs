//! The assembler never panics, whatever it is given: random text, random statements built
//! from the language's own tokens, and random mutations of real programs. Every input gives
//! an assembly or a list of diagnostics, in bounded time.

use proptest::prelude::*;
use s370::asm::{Options, assemble};

const PROGRAMS: [&str; 3] = [
    include_str!("asm/hello.asm"),
    include_str!("asm/macros.asm"),
    include_str!("asm/records.asm"),
];

fn opts() -> Options {
    Options::default().member("REGS", "R0 EQU 0\nR1 EQU 1\nR15 EQU 15\n").member(
        "LIBMAC",
        "         MACRO\n&L       LIBMAC &A,&K=1\n&L       DC    AL1(&K),C'&A'\n         MEND\n",
    )
}

/// Assembles and checks the result is coherent: an error result has an error diagnostic,
/// every diagnostic names a line.
fn check(src: &str) -> Result<(), TestCaseError> {
    match assemble(src, &opts()) {
        Ok(a) => {
            prop_assert!(a.diagnostics.iter().all(|d| !d.is_error()));
            prop_assert_eq!(a.object.len() % 80, 0);
        }
        Err(e) => {
            prop_assert!(e.diagnostics.iter().any(|d| d.is_error()));
            prop_assert!(e.diagnostics.iter().all(|d| d.column >= 1));
        }
    }
    Ok(())
}

const TOKENS: &[&str] = &[
    "L",
    "LA",
    "MVC",
    "CLC",
    "BALR",
    "BR",
    "B",
    "BC",
    "SVC",
    "SRP",
    "PACK",
    "LM",
    "STM",
    "ICM",
    "MVI",
    "SSM",
    "SIO",
    "DIAG",
    "CSECT",
    "DSECT",
    "START",
    "END",
    "USING",
    "DROP",
    "EQU",
    "ORG",
    "LTORG",
    "CNOP",
    "DC",
    "DS",
    "CCW",
    "ENTRY",
    "EXTRN",
    "COPY",
    "PRINT",
    "TITLE",
    "SPACE",
    "EJECT",
    "PUSH",
    "POP",
    "OPSYN",
    "MACRO",
    "MEND",
    "MEXIT",
    "MNOTE",
    "SETA",
    "SETB",
    "SETC",
    "LCLA",
    "GBLC",
    "AIF",
    "AGO",
    "ANOP",
    "ACTR",
    "LIBMAC",
    "REGS",
    "&A",
    "&B(1)",
    "&SYSLIST(1)",
    "&SYSNDX",
    "N'&SYSLIST",
    "T'&A",
    "L'X",
    "K'&A",
    ".L",
    "X",
    "Y",
    "R1",
    "*",
    "=F'1'",
    "=C'AB'",
    "=A(X)",
    "=V(Y)",
    "C'A'",
    "X'FF'",
    "B'101'",
    "F'1'",
    "H'-2'",
    "P'12'",
    "Z'3'",
    "D'1.5'",
    "E'0'",
    "CL8'X'",
    "A(X,Y)",
    "V(Z)",
    "S(X)",
    "0F",
    "3X",
    "(5)C' '",
    "0",
    "1",
    "15",
    "4095",
    "4096",
    "-1",
    "0(1)",
    "4(2,3)",
    "(1)",
    "8(,12)",
    "X+4",
    "X-Y",
    "*+2",
    "2*3",
    "(",
    ")",
    ",",
    "'",
    "&&",
    "EQ",
    "AND",
    "NOT",
    "(&A EQ 1)",
    "('&A' EQ '')",
    "'ABC'(2,1)",
    "&A.B",
    "256",
    "2147483647",
    "99999999999",
];

fn statement() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop::sample::select(vec!["X", "Y", "&A", ".L", "R1", "LOOP", "&B(2)"])),
        prop::sample::select(TOKENS.to_vec()),
        prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..5),
        prop::sample::select(vec![",", "", "(", ")", "+"]),
    )
        .prop_map(|(name, op, operands, sep)| {
            format!("{:<8} {op} {}", name.unwrap_or(""), operands.join(sep))
        })
}

const BODY: &[&str] = &[
    "         LCLA  &I",
    "         LCLC  &C",
    "         GBLB  &G",
    "&I       SETA  &I+1",
    "&I       SETA  N'&SYSLIST",
    "&I       SETA  K'&P",
    "&C       SETC  '&P'(1,2)",
    "&C       SETC  T'&P",
    "&C       SETC  '&C'.'X'",
    "&G       SETB  (&I GT 2)",
    "         AIF   (&I LT 3).L",
    "         AIF   ('&P' EQ '').E",
    "         AGO   .L",
    "         AGO   .E",
    ".L       ANOP",
    ".E       ANOP",
    "         MEXIT",
    "         MNOTE 4,'&P &C'",
    "         DC    C'&C'",
    "         DC    A(&I)",
    "&N       DS    0H",
    "         INNER &P,&SYSLIST(2)",
    "         OUTER &C",
    "         LA    1,&P(1)",
    "         ACTR  50",
];

fn macro_program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(BODY.to_vec()), 0..12),
        prop::collection::vec(prop::sample::select(BODY.to_vec()), 0..6),
        prop::collection::vec(
            prop::sample::select(vec!["A", "(B,C)", "''", "X'F'", "&", "K=1", "(1,(2,3))", "L'Z"]),
            0..4,
        ),
    )
        .prop_map(|(outer, inner, args)| {
            let mut s = String::from("         MACRO\n&N       OUTER &P,&K=\n");
            s.push_str(&outer.join("\n"));
            s.push_str("\n         MEND\n         MACRO\n&N       INNER &P,&Q\n");
            s.push_str(&inner.join("\n"));
            s.push_str("\n         MEND\nZ        CSECT\n");
            s.push_str(&format!("X        OUTER {}\n", args.join(",")));
            s.push_str(&format!("         INNER {}\n         END\n", args.join(",")));
            s
        })
}

/// Edits a program: replace, insert or delete characters at random places.
fn mutate(src: &str, edits: &[(usize, u8, char)]) -> String {
    let mut v: Vec<char> = src.chars().collect();
    for &(at, kind, c) in edits {
        if v.is_empty() {
            v.push(c);
            continue;
        }
        let at = at % v.len();
        match kind % 3 {
            0 => v[at] = c,
            1 => v.insert(at, c),
            _ => {
                v.remove(at);
            }
        }
    }
    v.into_iter().collect()
}

fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select("'&(),=*.+-/ ABCLTXNK019\n".chars().collect::<Vec<_>>()),
        any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn random_text(s in "[ -~\n\t]{0,600}") {
        check(&s)?;
    }

    #[test]
    fn random_unicode(s in any::<String>()) {
        check(&s)?;
    }

    #[test]
    fn random_statements(stmts in prop::collection::vec(statement(), 1..40)) {
        check(&stmts.join("\n"))?;
    }

    #[test]
    fn random_macros(src in macro_program()) {
        check(&src)?;
    }

    #[test]
    fn mutated_programs(k in 0..PROGRAMS.len(), edits in prop::collection::vec((any::<usize>(), any::<u8>(), interesting_char()), 1..12)) {
        check(&mutate(PROGRAMS[k], &edits))?;
    }
}

#[test]
fn pathological_inputs_end_with_diagnostics() {
    let deep = format!(" DC A({}1{})\n", "(".repeat(5000), ")".repeat(5000));
    let cont: String = std::iter::repeat_n(
        format!("{:<71}X\n", "               ((((((((((((((((((((((((((((("),
        400,
    )
    .collect();
    let cases = [
        deep,
        format!(" DC C'{}", "A".repeat(100)),
        format!("{cont} DC A(1)\n"),
        " ACTR 2147483647\n.L ANOP\n AGO .L\n".to_string(),
        " MACRO\n M\n M\n M\n MEND\n M\n".to_string(),
        " COPY SELF\n".to_string(),
        " LCLC &S\n&S SETC 'AB'\n.L ANOP\n&S SETC '&S&S'\n AGO .L\n".to_string(),
        " DS 16777216X\n DS 16777216X\n".to_string(),
        " DC 16777216F'1'\n".to_string(),
        "&A SETA ".to_string() + &"-".repeat(10_000) + "1\n",
        " AIF (".to_string() + &"NOT ".repeat(5000) + "1).X\n",
        " MACRO\n M &P\n DC A(&P(&P(&P(&P(&P(1))))))\n MEND\n M (1,2)\n".to_string(),
        "\u{0}\u{7f}\u{feff}\r\n\r\n*".to_string(),
    ];
    let selfcopy = Options::default().member("SELF", " COPY SELF\n DC X'01'\n");
    for c in &cases {
        let r = assemble(c, &selfcopy);
        if let Err(e) = &r {
            assert!(e.diagnostics.iter().any(|d| d.is_error()));
        }
    }
}
