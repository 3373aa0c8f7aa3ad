//! Property tests: nothing a terminal or a host sends can panic a parser, and nothing
//! grows without bound.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use s370::ebcdic::CodePage;
use terminals::console::{Console, ConsoleConfig, Read, TerminalInfo, TerminalKind};
use terminals::ds::{Model, Screen, ScreenSize, parse_inbound, query};
use terminals::telnet::{NegotiationConfig, Parser, ServerNegotiator};
use terminals::tui::model::{Key, Terminal3270};

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

/// Bytes that look like a 3270 data stream: commands, orders and addresses are likely.
fn ds_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>(),
        Just(0x11u8),
        Just(0x1D),
        Just(0x29),
        Just(0x3C),
        Just(0x12),
        Just(0x28),
        Just(0x2C),
        Just(0x05),
        Just(0x13),
        Just(0x08),
        Just(0xF5),
        Just(0x7E),
        Just(0xF3),
        Just(0x40),
        Just(0x5D),
        Just(0x7F),
    ];
    proptest::collection::vec(piece, 0..400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn inbound_and_query_parsers_never_panic(rec in bytes(600)) {
        let _ = parse_inbound(&rec);
        let _ = query::parse_reply(&rec);
    }

    #[test]
    fn the_server_negotiation_never_panics_and_answers_in_proportion(input in bytes(2000)) {
        let (mut n, _) = ServerNegotiator::start(NegotiationConfig::default(), Instant::now());
        let mut p = Parser::new(256);
        let mut ev = Vec::new();
        let _ = p.feed(&input, &mut ev);
        let mut out = Vec::new();
        let mut names = |_: Option<&str>| Ok::<_, u8>("TERM0001".to_string());
        for e in &ev {
            let _ = n.on_event(e, &mut names, &mut out);
        }
        let _ = n.on_time(Instant::now() + Duration::from_secs(60));
        prop_assert!(out.len() <= 64 + 2 * input.len(), "{} bytes out for {} in", out.len(), input.len());
    }

    #[test]
    fn consoles_survive_any_input(input in proptest::collection::vec(bytes(300), 0..6), graf in any::<bool>()) {
        let info = if graf {
            TerminalInfo::graf(TerminalKind::Tn3270e, Model::M2, "T")
        } else {
            TerminalInfo::typewriter("T")
        };
        let (console, mut lb) = Console::loopback(info, ConsoleConfig::default());
        console.show_logo();
        console.read(Read::cp());
        let mut total = 0;
        for chunk in &input {
            if lb.send(chunk).is_err() {
                break;
            }
            total += chunk.len();
            console.write_line("OUTPUT");
        }
        let out = lb.receive(Duration::from_millis(1));
        prop_assert!(out.len() < 20_000 + 50 * total, "{} bytes out", out.len());
        let mut events = 0;
        while console.try_event().is_some() {
            events += 1;
        }
        prop_assert!(events <= 256);
    }
}

proptest! {
    // Whole-screen operations on the largest models: fewer cases keep this fast in debug.
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn screen_apply_never_panics(rec in ds_like(), model in 2u8..=5) {
        let m = Model::from_number(model).expect("2..=5");
        let mut s = Screen::new(m.alternate());
        let _ = s.apply(&rec);
        prop_assert_eq!(s.cells().len(), s.size().cells());
        prop_assert!(usize::from(s.cursor()) < s.cells().len());
        let _ = s.read_buffer(terminals::ds::Aid::NoAid);
        let _ = s.read_modified(terminals::ds::Aid::Enter, false);
    }

    #[test]
    fn the_terminal_model_survives_any_host_and_any_keys(
        recs in proptest::collection::vec(ds_like(), 0..5),
        keys in proptest::collection::vec(0u8..30, 0..60),
    ) {
        let mut t = Terminal3270::new(Model::M4, CodePage::Cp037, true);
        for r in &recs {
            let _ = t.host_record(r);
        }
        for k in keys {
            let key = match k {
                0 => Key::Enter, 1 => Key::Tab, 2 => Key::BackTab, 3 => Key::Home,
                4 => Key::NewLine, 5 => Key::EraseEof, 6 => Key::Insert, 7 => Key::Delete,
                8 => Key::Erase, 9 => Key::Left, 10 => Key::Right, 11 => Key::Up,
                12 => Key::Down, 13 => Key::FieldEnd, 14 => Key::Reset, 15 => Key::Clear,
                16 => Key::Pa(1), 17 => Key::Pf(24), 18 => Key::EraseInput,
                n => Key::Char(char::from(b'A' + n)),
            };
            let _ = t.key(key);
        }
        prop_assert!(usize::from(t.screen().cursor()) < t.screen().size().cells());
    }

}

#[test]
fn screen_sizes_stay_consistent_after_erase_write_alternate() {
    let mut s = Screen::new(ScreenSize::new(27, 132));
    s.apply(&[0x7E, 0xC3, 0x11, 0xF7, 0x6B, 0xC1]).expect("(26,131) is on a 27x132 screen");
    assert_eq!(s.size(), ScreenSize::new(27, 132));
    assert_eq!(s.cells()[3563].ch, 0xC1);
    assert!(s.apply(&[0xF5, 0xC3, 0x11, 0xF7, 0x6B]).is_err(), "not on 24x80");
}
