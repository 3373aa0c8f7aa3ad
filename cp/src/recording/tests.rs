//! The session format: text round trips, error positions, matching rules.

use std::time::Duration;

use s370::ebcdic::CodePage;

use super::model::{Action, Backend, Key, Pos, Snapshot, TermKind, Typed};
use super::screen::check;
use super::{parse, to_text};

const SAMPLE: &str = r#"vm370-session 1
# A comment.
title    two users and a typewriter
system   default
backend  x86
users    ALICE BOB
terminal alice 3278-2 tn3270e TERM0001
terminal bob 3278-4 tn3270 TERM0002
terminal tty typewriter TERM0003
mask     "T=\d+\.\d\d" "T=x"

> alice connect
= alice partial cursor 22,00
  00 |◆VM/370 ONLINE
  23 ~.*RUNNING.*

> alice enter "logon alice \"q\" \\ \x15"
= alice
  01 ~LOGON AT {TIME} UTC MONDAY {DATE}
  05 *
  fields 21,79=UM 23,59=P

> bob pf3
> bob pa2
> bob clear
> bob enter cursor 05,20 05,01="abc" @="x"
= bob size 43x80 cursor 05,20

> wait 50s
> wait 1500ms
> tty line "q time"
= tty
  |TIME IS 09:00:00
  ~CONNECT=.*
  *
> tty break
> alice disconnect
"#;

#[test]
fn a_session_reads_and_writes_back_the_same() {
    let s = parse(SAMPLE).expect("parses");
    let h = &s.header;
    assert_eq!(h.backend, Backend::X86);
    assert_eq!(h.users, vec!["ALICE", "BOB"]);
    assert_eq!(h.terminals.len(), 3);
    assert_eq!(h.terminals[1].model, 4);
    assert_eq!(h.terminals[1].kind, TermKind::Tn3270);
    assert_eq!(h.terminals[2].kind, TermKind::Typewriter);
    assert_eq!(h.mask("R; T=0.01/0.02"), "R; T=x/0.02");
    assert_eq!(s.steps.len(), 11);
    let Action::Key(Key::Enter, Typed::Text(t)) = &s.steps[1].action else { panic!("enter") };
    assert_eq!(CodePage::Cp037.decode(t), "logon alice \"q\" \\ \u{15}");
    assert_eq!(s.steps[2].action, Action::Key(Key::Pf(3), Typed::Text(Vec::new())));
    assert_eq!(s.steps[3].action, Action::Key(Key::Pa(2), Typed::Nothing));
    assert_eq!(
        s.steps[5].action,
        Action::Key(
            Key::Enter,
            Typed::Fields {
                cursor: Pos { row: 5, col: 20 },
                fields: vec![
                    (Some(Pos { row: 5, col: 1 }), CodePage::Cp037.encode("abc")),
                    (None, CodePage::Cp037.encode("x")),
                ],
            }
        )
    );
    assert_eq!(s.steps[6].action, Action::Wait(Duration::from_secs(50)));
    assert_eq!(s.steps[7].action, Action::Wait(Duration::from_millis(1500)));
    assert_eq!(s.steps[5].expects[0].size, Some((43, 80)));
    let text = to_text(&s);
    let again = parse(&text).expect("its own output parses");
    assert_eq!(to_text(&again), text);
    assert_eq!(without_lines(again.steps), without_lines(s.steps));
}

fn without_lines(mut steps: Vec<super::Step>) -> Vec<super::Step> {
    for s in &mut steps {
        s.line = 0;
        for e in &mut s.expects {
            e.line = 0;
        }
    }
    steps
}

fn error_at(text: &str) -> (usize, usize, String) {
    let e = parse(text).expect_err("must fail");
    (e.line, e.column, e.message)
}

#[test]
fn errors_name_their_line_and_column() {
    let head = "vm370-session 1\nterminal a 3278-2 tn3270e T1\n";
    assert_eq!(error_at("vm370-session 2\n").0, 1);
    let (l, c, m) = error_at(&format!("{head}> a jump\n"));
    assert_eq!((l, c), (3, 5), "{m}");
    assert!(m.contains("expected an action"), "{m}");
    let (l, c, m) = error_at(&format!("{head}> a enter \"open\n"));
    assert_eq!((l, c), (3, 11), "{m}");
    assert!(m.contains("not closed"), "{m}");
    let (l, c, m) = error_at(&format!("{head}> a pf25\n"));
    assert_eq!((l, c), (3, 5), "{m}");
    let (l, c, m) = error_at(&format!("{head}> a enter\n= a\n  07 ~(unclosed\n"));
    assert_eq!((l, c), (5, 7), "{m}");
    assert!(m.contains("bad pattern"), "{m}");
    let (l, c, m) = error_at(&format!("{head}> a enter\n= a\n  fields 21,79=QX\n"));
    assert_eq!((l, c), (5, 16), "{m}");
    assert!(m.contains("P or U"), "{m}");
    let (l, _, m) = error_at(&format!("{head}> b enter\n"));
    assert_eq!(l, 3);
    assert!(m.contains("no terminal b"), "{m}");
    let (l, c, m) = error_at(&format!("{head}> a line \"x\"\n"));
    assert_eq!((l, c), (3, 5), "{m}");
    let (l, c, _) = error_at(&format!("{head}> a pa1 \"x\"\n"));
    assert_eq!((l, c), (3, 9));
    let (l, c, m) = error_at(&format!("{head}  00 |x\n"));
    assert_eq!((l, c), (3, 1), "{m}");
    let (l, _, m) = error_at(&format!("{head}colour red\n"));
    assert_eq!(l, 3);
    assert!(m.contains("unknown header line"), "{m}");
    let (l, c, m) = error_at(&format!("{head}> a enter\n= a\n  3 x\n"));
    assert_eq!((l, c), (5, 5), "{m}");
}

fn graf(rows: &[&str]) -> Snapshot {
    let mut all: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    all.resize(24, String::new());
    Snapshot::Graf {
        size: (24, 80),
        cursor: Pos { row: 22, col: 0 },
        rows: all,
        fields: Vec::new(),
    }
}

#[test]
fn full_and_partial_screens() {
    let s = parse(
        "vm370-session 1\nterminal a 3278-2 tn3270e T1\n> a enter\n= a\n  00 |HELLO\n  02 ~T=\\d+ {TIME}\n\
         = a partial\n  02 ~T={NUM} .*\n",
    )
    .expect("parses");
    let full = &s.steps[0].expects[0];
    let partial = &s.steps[0].expects[1];
    let ok = graf(&["HELLO", "", "T=12 09:00:01"]);
    assert!(check(full, &ok).is_ok());
    assert!(check(partial, &ok).is_ok());
    let extra = graf(&["HELLO", "EXTRA", "T=12 09:00:01"]);
    let d = check(full, &extra).expect_err("a row that should be blank");
    assert!(d.summary.contains("row 01"), "{d}");
    assert!(check(partial, &extra).is_ok(), "partial ignores unlisted rows");
    let bad = graf(&["HELLO", "", "T=x 09:00:01"]);
    assert!(check(partial, &bad).is_err());
    let d = check(full, &bad).expect_err("pattern");
    assert!(d.diff.contains("-  02 ~T=\\d+ {TIME}\n+  02 |T=x 09:00:01"), "{}", d.diff);
}
