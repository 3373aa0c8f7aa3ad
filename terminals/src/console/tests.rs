//! The console driven through a loopback by a model 3270 terminal (the same code our
//! terminal UI runs), screens snapshotted as text with attributes.

use std::time::Duration;

use super::*;
use crate::client::ClientWire;
use crate::ds::Model;
use crate::telnet::framing::record;
use crate::tui::model::{Key, Terminal3270};

pub(crate) struct Term {
    pub console: Console,
    lb: Loopback,
    pub t: Terminal3270,
    wire: ClientWire,
}

impl Term {
    pub fn new(model: Model, more: MoreTimes) -> Term {
        let info = TerminalInfo::graf(TerminalKind::Tn3270, model, "TERM0001");
        let config = ConsoleConfig { more, ..ConsoleConfig::default() };
        let (console, lb) = Console::loopback(info, config);
        Term {
            console,
            lb,
            t: Terminal3270::new(model, CodePage::Cp037, false),
            wire: ClientWire::new("IBM-3278-2-E", false),
        }
    }

    /// Applies everything the console sent.
    pub fn pump(&mut self) {
        loop {
            let bytes = self.lb.receive(Duration::from_millis(5));
            if bytes.is_empty() {
                return;
            }
            let mut reply = Vec::new();
            self.wire.feed(&bytes, &mut reply).expect("valid telnet");
            while let Some(r) = self.wire.next_record() {
                if let Some(answer) = self.t.host_record(&r).expect("valid 3270 data") {
                    self.lb.send(&record(&answer)).expect("valid");
                }
            }
        }
    }

    pub fn press(&mut self, key: Key) {
        self.pump();
        if let Some(rec) = self.t.key(key) {
            self.lb.send(&record(&rec)).expect("valid");
        }
        self.pump();
    }

    pub fn enter(&mut self, text: &str) {
        self.pump();
        assert!(self.t.type_str(text), "keyboard refused {text:?}: {:?}", self.t.lock());
        self.press(Key::Enter);
    }

    pub fn snap(&mut self) -> String {
        self.pump();
        self.t.snapshot()
    }

    pub fn event(&self) -> Option<TermEvent> {
        self.console.try_event()
    }
}

fn slow() -> MoreTimes {
    MoreTimes { first: Duration::from_secs(50), next: Duration::from_secs(10) }
}

#[test]
fn logo_then_cp_read_then_logon_with_a_hidden_password() {
    let mut term = Term::new(Model::M2, slow());
    term.console.show_logo();
    term.console.read(Read::cp());
    insta::assert_snapshot!("logo", term.snap());

    term.enter("typed on the logo");
    assert_eq!(term.event(), None, "input before the first ENTER is discarded");
    insta::assert_snapshot!("cp_read", term.snap());

    term.enter("logon cmsuser");
    assert_eq!(term.event(), Some(TermEvent::Line("logon cmsuser".into())));
    term.console.write_line("ENTER PASSWORD:");
    term.console.read(Read::cp().hidden());
    term.pump();
    term.t.type_str("secret");
    insta::assert_snapshot!("password_entry", term.snap());
    term.press(Key::Enter);
    assert_eq!(term.event(), Some(TermEvent::Line("secret".into())));
    assert!(!term.snap().contains("secret"));

    term.console.write_line("LOGON AT 21:48:25 EST MONDAY 08/17/81");
    term.console.running();
    insta::assert_snapshot!("running", term.snap());
    term.console.write_line("CMS VERSION 6.0");
    term.console.read(Read::vm());
    insta::assert_snapshot!("vm_read", term.snap());
}

#[test]
fn type_ahead_then_not_accepted() {
    let mut term = Term::new(Model::M2, slow());
    term.console.running();
    term.enter("first");
    assert_eq!(term.event(), None, "held until a read");
    term.enter("second");
    assert_eq!(term.console.status(), StatusWord::NotAccepted);
    insta::assert_snapshot!("not_accepted", term.snap());
    term.console.read(Read::vm());
    assert_eq!(term.event(), Some(TermEvent::Line("first".into())));
    assert_eq!(term.console.status(), StatusWord::VmRead);
    // "second" is still in the input field: ENTER sends it again.
    term.press(Key::Enter);
    term.console.read(Read::vm());
    assert_eq!(term.event(), Some(TermEvent::Line("second".into())));
}

#[test]
fn more_holding_and_clear() {
    let mut term = Term::new(Model::M2, slow());
    term.console.read(Read::cp());
    for k in 1..=30 {
        term.console.write_line(&format!("LINE {k:02}"));
    }
    assert_eq!(term.console.status(), StatusWord::More);
    assert_eq!(term.console.waiting_output(), 8);
    insta::assert_snapshot!("more", term.snap());
    term.press(Key::Enter);
    assert_eq!(term.console.status(), StatusWord::Holding);
    insta::assert_snapshot!("holding", term.snap());
    term.press(Key::Clear);
    assert_eq!(term.console.status(), StatusWord::CpRead);
    let s = term.snap();
    assert!(s.contains("|LINE 23") && s.contains("|LINE 30") && !s.contains("LINE 22"), "{s}");
    assert_eq!(term.console.waiting_output(), 0);
}

#[test]
fn more_clears_itself_and_pa2_turns_the_page() {
    let quick = MoreTimes { first: Duration::from_millis(150), next: Duration::from_millis(150) };
    let mut term = Term::new(Model::M2, quick);
    for k in 1..=50 {
        term.console.write_line(&format!("LINE {k:02}"));
    }
    term.press(Key::Pa(2));
    assert!(term.snap().contains("|LINE 23"));
    assert!(term.console.wait_output_drained(Duration::from_secs(5)), "the timer turns pages");
    let s = term.snap();
    assert!(s.contains("|LINE 45") && s.contains("|LINE 50"), "{s}");
}

#[test]
fn input_during_more_is_taken_and_echoed_after_the_waiting_lines() {
    let mut term = Term::new(Model::M2, slow());
    term.console.read(Read::cp());
    for k in 1..=25 {
        term.console.write_line(&format!("LINE {k:02}"));
    }
    term.enter("q time");
    assert_eq!(term.event(), Some(TermEvent::Line("q time".into())));
    assert_eq!(term.console.status(), StatusWord::More);
    term.press(Key::Clear);
    let s = term.snap();
    assert!(s.contains("|LINE 25") && s.contains("|q time"), "{s}");
}

#[test]
fn attention_pf_keys_and_pa3() {
    let mut term = Term::new(Model::M2, slow());
    term.console.read(Read::vm());
    term.press(Key::Pa(1));
    assert_eq!(term.event(), Some(TermEvent::Attention));
    term.console.set_pf(3, Some(PfKey::Immediate("LOGOFF".into())));
    term.console.set_pf(4, Some(PfKey::Delayed("QUERY ".into())));
    term.press(Key::Pf(3));
    assert_eq!(term.event(), Some(TermEvent::Line("LOGOFF".into())));
    term.press(Key::Pf(5));
    assert_eq!(term.event(), Some(TermEvent::Pf(5)));
    term.press(Key::Pa(3));
    assert_eq!(term.event(), Some(TermEvent::Pa(3)));
    term.press(Key::Pf(4));
    insta::assert_snapshot!("delayed_pf", term.snap());
    term.console.read(Read::cp());
    term.enter("NAMES");
    assert_eq!(term.event(), Some(TermEvent::Line("QUERY NAMES".into())));
}

#[test]
fn full_screen_passthrough_and_back() {
    use crate::ds::{Command, FieldAttr, Outbound, ScreenSize, Wcc};
    let mut term = Term::new(Model::M2, slow());
    term.console.write_line("BEFORE FULL SCREEN");
    term.console.read(Read::vm());
    let line_screen = term.snap();
    let mut o = Outbound::write(Command::EraseWrite, Wcc::new(Wcc::RESTORE), ScreenSize::DEFAULT);
    o.sba(0, 0).sf(FieldAttr::protected().intensified()).text("GUEST PANEL");
    o.sba(5, 0).sf(FieldAttr::unprotected()).ic();
    o.sba(5, 20).sf(FieldAttr::protected());
    let rec = o.finish();
    term.console.full_screen_write(Command::EraseWrite, &rec[1..]).expect("valid");
    term.console.full_screen_read(Command::ReadModified).expect("3270");
    insta::assert_snapshot!("full_screen", term.snap());
    term.enter("abc");
    match term.event() {
        Some(TermEvent::FullScreenInput(b)) => {
            let inb = crate::ds::parse_inbound(&b).expect("valid");
            assert_eq!(inb.field_at(401), Some(&[0x81u8, 0x82, 0x83][..]));
        }
        other => panic!("{other:?}"),
    }
    // The guest answers (restoring the keyboard); then PA1.
    term.console.full_screen_write(Command::Write, &[0xC2]).expect("valid");
    term.press(Key::Pa(1));
    assert_eq!(term.event(), Some(TermEvent::Attention), "PA1 still reaches CP");
    assert!(term.console.full_screen_write(Command::ReadBuffer, &[]).is_err());
    assert!(matches!(
        term.console.full_screen_write(Command::Write, &[0xC3, 0x11, 0x7F, 0x7F]),
        Err(ConsoleError::DataStream(_))
    ));
    term.console.line_mode();
    let back = term.snap();
    assert_eq!(back.replace("X SYSTEM", "unlocked"), line_screen, "CP's screen is restored");
}

#[test]
fn model_5_console_uses_the_alternate_size() {
    let mut term = Term::new(Model::M5, slow());
    term.console.write_line("WIDE");
    term.console.read(Read::cp());
    let s = term.snap();
    assert!(s.starts_with("cursor 25,00  size 27x132"), "{s}");
    assert!(s.contains("  24,131 unprotected") && s.contains("  26,111 protected"), "{s}");
}

fn nvt() -> (Console, Loopback) {
    Console::loopback(TerminalInfo::typewriter("TERM0009"), ConsoleConfig::default())
}

#[test]
fn typewriter_lines_passwords_and_attention() {
    let (console, mut lb) = nvt();
    console.show_logo();
    console.write_line("READY");
    assert_eq!(lb.receive(Duration::from_millis(50)), b"VM/370 ONLINE\r\nREADY\r\n");
    lb.send(b"typed ahead\r\n").expect("valid");
    assert_eq!(console.try_event(), None);
    console.read(Read::cp());
    assert_eq!(console.try_event(), Some(TermEvent::Line("typed ahead".into())));
    console.read(Read::cp().hidden());
    assert_eq!(lb.receive(Duration::from_millis(50)), [0xFF, 0xFB, 0x01], "WILL ECHO");
    lb.send(&[0xFF, 0xFD, 0x01]).expect("DO ECHO is an answer, not a request");
    lb.send(b"pw\r\n").expect("valid");
    assert_eq!(console.try_event(), Some(TermEvent::Line("pw".into())));
    assert_eq!(lb.receive(Duration::from_millis(50)), b"\r\n");
    console.running();
    assert_eq!(lb.receive(Duration::from_millis(50)), [0xFF, 0xFC, 0x01], "WONT ECHO");
    lb.send(b"x\x03").expect("valid");
    lb.send(&[0xFF, 0xF4, 0xFF, 0xF3]).expect("valid");
    assert_eq!(console.try_event(), Some(TermEvent::Attention));
    assert_eq!(console.try_event(), None, "attentions not yet taken coalesce");
    lb.send(&[0xFF, 0xF3]).expect("valid");
    assert_eq!(console.try_event(), Some(TermEvent::Attention), "BREAK");
    lb.send(&[0xFF, 0xFD, 0x22]).expect("valid");
    assert_eq!(lb.receive(Duration::from_millis(50)), [0xFF, 0xFC, 0x22], "refused");
    assert!(console.full_screen_write(crate::ds::Command::Write, &[0xC3]).is_err());
    lb.hang_up();
    assert_eq!(console.next_event(Some(Duration::from_secs(1))), Some(TermEvent::Disconnected));
    assert_eq!(console.next_event(None), None);
}

#[test]
fn notify_and_blocking_reads() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (console, mut lb) = nvt();
    let count = Arc::new(AtomicUsize::new(0));
    let c2 = count.clone();
    console.set_notify(Some(Arc::new(move || {
        c2.fetch_add(1, Ordering::SeqCst);
    })));
    let c = console.clone();
    let reader = std::thread::spawn(move || c.read_line(Read::cp(), Some(Duration::from_secs(5))));
    std::thread::sleep(Duration::from_millis(50));
    lb.send(b"hello\r\n").expect("valid");
    assert_eq!(reader.join().expect("no panic"), Some(TermEvent::Line("hello".into())));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(console.next_event(Some(Duration::from_millis(20))), None);
}

#[test]
fn virtual_time_turns_pages_only_when_advanced() {
    let clock = VirtualClock::new();
    let info = TerminalInfo::graf(TerminalKind::Tn3270, Model::M2, "TERM0001");
    let config = ConsoleConfig { clock: Clock::Virtual(clock.clone()), ..ConsoleConfig::default() };
    let (console, _lb) = Console::loopback(info, config);
    for k in 1..=60 {
        console.write_line(&format!("LINE {k:02}"));
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(console.waiting_output(), 38);
    clock.advance(Duration::from_secs(49));
    assert_eq!(console.waiting_output(), 38, "50 s have not passed");
    clock.advance(Duration::from_secs(1));
    assert_eq!(console.waiting_output(), 16, "the first page turned at 50 s");
    clock.advance(Duration::from_secs(10));
    assert_eq!(console.waiting_output(), 0, "the next at 10 s more");
    let text = console.screen_text().expect("a 3270");
    assert!(text.contains("|LINE 45") && text.contains("|LINE 60"), "{text}");
}

#[test]
fn typed_before_the_field_is_hidden_is_kept_and_hidden() {
    let mut term = Term::new(Model::M2, slow());
    term.console.write_line("ENTER PASSWORD:");
    term.pump();
    // The user is quicker than CP: the password is typed before the read arms.
    term.t.type_str("quick");
    term.console.read(Read::cp().hidden());
    let s = term.snap();
    assert!(s.contains("|*****") && !s.contains("quick"), "{s}");
    term.press(Key::Enter);
    assert_eq!(term.event(), Some(TermEvent::Line("quick".into())));
}

#[test]
fn a_burst_of_lines_is_one_write() {
    let (console, lb) = Console::loopback(
        TerminalInfo::graf(TerminalKind::Tn3270, Model::M2, "T"),
        ConsoleConfig::default(),
    );
    console.read(Read::cp());
    let _ = lb.receive(Duration::from_millis(10));
    console.write_lines((1..=20).map(|k| format!("LINE {k}")));
    let wire = lb.receive(Duration::from_millis(10));
    let records = wire.windows(2).filter(|w| w == &[0xFF, 0xEF]).count();
    assert_eq!(records, 1);
}

#[test]
fn idleness_interruption_and_input_count_for_session_replay() {
    let mut term = Term::new(Model::M2, MoreTimes::default());
    term.console.read(Read::cp());
    assert!(!term.console.awaiting_input(), "nobody waits yet");
    let c = term.console.clone();
    let waiter = std::thread::spawn(move || c.next_event(None));
    while !term.console.awaiting_input() {
        std::thread::yield_now();
    }
    term.console.interrupt();
    assert_eq!(waiter.join().expect("the waiter"), None, "an interruption ends the wait");
    assert!(!term.console.awaiting_input());
    let before = term.console.inputs_received();
    term.enter("q time");
    assert_eq!(term.console.inputs_received(), before + 1, "one record, one input");
    assert_eq!(term.console.next_event(None), Some(TermEvent::Line("q time".into())));
    term.console.write_lines((0..30).map(|i| format!("LINE {i}")));
    assert!(term.console.timer_deadline().is_some(), "MORE... has a deadline");
}
