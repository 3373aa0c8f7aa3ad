//! Bad input from terminals: binary junk, overlong lines, a client that stops reading, and a
//! thousand wrong logons — each gets a VM/370-style answer or is dropped, and a user working
//! at another terminal never notices.

use std::time::{Duration, Instant};

use tests::nvt::Nvt;
use tests::system::TestSystem;

/// A logged-on line-mode user who checks CP still answers promptly.
struct Witness(Nvt);

impl Witness {
    fn new(addr: &str) -> Witness {
        let mut n = Nvt::connect(addr).expect("connect");
        assert!(n.wait_for(15, "VM/370 ONLINE"), "logo: {:?}", n.text());
        n.line("logon alice alice").expect("send");
        assert!(n.wait_for(10, "LOGON AT"), "{:?}", n.text());
        Witness(n)
    }

    fn still_served(&mut self) {
        let t = Instant::now();
        self.0.line("query users").expect("send");
        let before = self.0.text().matches("USERS,").count();
        let until = Instant::now() + Duration::from_secs(10);
        while self.0.text().matches("USERS,").count() == before && Instant::now() < until {
            self.0.pump(Duration::from_millis(20));
        }
        assert!(self.0.text().matches("USERS,").count() > before, "{:?}", self.0.text());
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn junk_and_overlong_lines() {
    let ts = TestSystem::start(&[], true);
    let mut w = Witness::new(&ts.addr);
    // Binary junk, including broken telnet commands.
    let mut junk = Nvt::connect(&ts.addr).expect("connect");
    let bytes: Vec<u8> =
        (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let _ = junk.send_raw(&bytes);
    junk.pump(Duration::from_millis(300));
    w.still_served();
    // A 1 MiB line.
    let mut long = Nvt::connect(&ts.addr).expect("connect");
    assert!(long.wait_for(15, "VM/370 ONLINE"));
    let _ = long.send_raw(&vec![b'A'; 1 << 20]);
    let _ = long.send_raw(b"\r\n");
    long.pump(Duration::from_millis(500));
    w.still_served();
    // A client that never reads while CP writes to it.
    let mut deaf = Nvt::connect(&ts.addr).expect("connect");
    assert!(deaf.wait_for(15, "VM/370 ONLINE"));
    deaf.line("logon bob bob").expect("send");
    assert!(deaf.wait_for(10, "LOGON AT"));
    for _ in 0..3000 {
        if deaf.line("query virtual").is_err() {
            break;
        }
    }
    w.still_served();
}

#[test]
fn a_thousand_wrong_logons() {
    let ts = TestSystem::start(&[], true);
    let mut w = Witness::new(&ts.addr);
    let mut answers = std::collections::BTreeSet::new();
    let mut tries = 0;
    for round in 0..200 {
        let mut n = Nvt::connect(&ts.addr).expect("connect");
        assert!(n.wait_for(15, "VM/370 ONLINE"));
        for k in 0..5 {
            // Existing and unknown users get the same answer.
            let who = if (round + k) % 2 == 0 { "cmsuser" } else { "nosuchus" };
            n.line(&format!("logon {who} wrong{k}")).expect("send");
            tries += 1;
        }
        n.wait_for(5, "TERMINAL DISCONNECTED");
        for l in n.text().lines() {
            if l.contains("PASSWORD") || l.contains("DIRECTORY") {
                answers.insert(l.trim().to_string());
            }
        }
        assert!(
            !n.pump(Duration::from_millis(200)) || n.text().contains("DISCONNECTED"),
            "dropped after 5 tries"
        );
        if round % 50 == 0 {
            w.still_served();
        }
    }
    assert_eq!(tries, 1000);
    assert_eq!(answers.len(), 1, "one answer for every wrong logon: {answers:?}");
    w.still_served();
}
