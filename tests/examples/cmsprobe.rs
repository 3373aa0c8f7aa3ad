//! Debugging aid: boots the S/370 CMS for ALICE on a fresh default system, types the lines
//! given as arguments, and shows the console and, when the machine seems stuck, its PSW and
//! registers. `cargo run -p tests --example cmsprobe -- "listfile" "query disk"`

use std::sync::Arc;
use std::time::{Duration, Instant};

use cp::backend::ArchRegs;
use tests::cmsdrv::{Capture, Event};
use tests::transcript::{ReadyStyle, parse};

fn dump(u: &Arc<cp::user::User>) {
    let st = u.lock();
    if let Ok(ArchRegs::S370(r)) = st.vm.backend.regs() {
        println!("PSW {:016X}", r.psw);
        for (i, g) in r.gpr.iter().enumerate() {
            print!("R{i:<2}={g:08X} ");
            if i % 4 == 3 {
                println!();
            }
        }
    }
    println!("state {:?} status {:?}", st.vm.state, u.console.status());
    drop(st);
    let mut st = u.lock();
    for (name, at) in [("SVC old", 0x20u64), ("PGM old", 0x28), ("I/O old", 0x38), ("CSW", 0x40)] {
        let mut b = [0u8; 8];
        let _ = st.vm.memory().read(at, &mut b);
        println!("{name:8} {}", b.iter().map(|x| format!("{x:02X}")).collect::<String>());
    }
    if let Ok(v) = std::env::var("PEEK") {
        for a in v.split(',') {
            let at = u64::from_str_radix(a, 16).unwrap_or(0);
            let mut b = [0u8; 32];
            let _ = st.vm.memory().read(at, &mut b);
            println!("{at:06X}: {}", b.iter().map(|x| format!("{x:02X}")).collect::<String>());
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let t = parse("# title: probe\n# start: logon\n> x\n").expect("parse");
    let s = tests::cmsdrv::start(&t, ReadyStyle::R);
    let mut s = match s {
        Ok(s) => s,
        Err(e) => {
            println!("start failed: {e}");
            return;
        }
    };
    let cap = Arc::new(Capture::default());
    let u = cp::user::User::logon(&s.sys, "ALICE", "ALICE", Some(cap.clone())).expect("logon");
    let mut shown = 0;
    let mut lines = args.into_iter();
    let mut last_change = Instant::now();
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let ev = cap.since(shown);
        for (_, e) in &ev {
            match e {
                Event::Line(l) => println!("| {l}"),
                Event::Status(st) => println!("  [{st:?}]"),
            }
            last_change = Instant::now();
        }
        shown += ev.len();
        let st = u.console.status();
        if matches!(st, cp::vdev::Status::VmRead | cp::vdev::Status::CpRead)
            && last_change.elapsed() > Duration::from_millis(300)
        {
            match lines.next() {
                Some(l) => {
                    println!("> {l}");
                    u.input(&s.sys, &l);
                    last_change = Instant::now();
                }
                None => break,
            }
        }
        if last_change.elapsed() > Duration::from_secs(3) {
            println!("-- stuck:");
            dump(&u);
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    s.screens.clear();
}
