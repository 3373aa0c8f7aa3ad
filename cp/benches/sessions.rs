//! `cargo bench -p cp --bench sessions [-- SESSIONS SECONDS]`: many TN3270 users at once.
//!
//! Starts `vm370 run --headless` as a separate process (so its memory is CP's alone) with a
//! directory of SESSIONS users, connects SESSIONS TN3270 clients, logs each on, and has each
//! enter a CP command (`QUERY TIME`) every second for SECONDS seconds, timing ENTER to the
//! response on its screen. Prints p50/p99 response time (target p99 < 50 ms) and CP's memory
//! per session. Figures only; nothing is asserted.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use s370::ebcdic::CodePage;
use terminals::client::{ClientConfig, Connection};
use terminals::ds::Model;
use terminals::tui::model::{Key, Terminal3270};

fn screen_has(t: &Terminal3270, what: &[u8]) -> bool {
    let cells: Vec<u8> = t.screen().cells().iter().map(|c| c.ch).collect();
    cells.windows(what.len()).any(|w| w == what)
}

fn pump_until(
    c: &mut Connection,
    t: &mut Terminal3270,
    done: &dyn Fn(&Terminal3270) -> bool,
) -> bool {
    let until = Instant::now() + Duration::from_secs(60);
    while !done(t) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        match c.recv(left) {
            Ok(Some(rec)) => {
                if let Ok(Some(reply)) = t.host_record(&rec) {
                    let _ = c.send(&reply);
                }
            }
            Ok(None) => {}
            Err(_) => return false,
        }
    }
    true
}

fn enter(c: &mut Connection, t: &mut Terminal3270, text: &str) {
    t.type_str(text);
    if let Some(r) = t.key(Key::Enter) {
        let _ = c.send(&r);
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sessions = args.first().copied().unwrap_or(500);
    let seconds = args.get(1).copied().unwrap_or(10);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut directory = String::from("DIRECTORY 130 3350 BENCH1\n");
    for i in 0..sessions {
        let _ = writeln!(directory, "USER U{i:04} PW 1M 16M G\n CONSOLE 009 3215");
    }
    std::fs::write(
        dir.path().join("SYSTEM.CONFIG"),
        "SYSID BENCH\nCPUS 2\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n",
    )
    .expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), directory).expect("directory");
    let port = 20000 + (std::process::id() % 20000) as u16;
    let addr = format!("127.0.0.1:{port}");
    let mut cp = Command::new(env!("CARGO_BIN_EXE_vm370"))
        .args(["run", "--headless", "--listen", &addr, "--data"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("vm370 starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "vm370 did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let rss0 = rss_kib(cp.id());
    let barrier = Arc::new(Barrier::new(sessions + 1));
    let handles: Vec<_> = (0..sessions)
        .map(|id| {
            let (addr, barrier) = (addr.clone(), barrier.clone());
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let mut c = Connection::connect(addr.as_str(), &ClientConfig::default())
                        .expect("connect");
                    let mut t = Terminal3270::new(Model::M2, CodePage::Cp037, true);
                    let logo = CodePage::Cp037.encode("VM/370 ONLINE");
                    assert!(pump_until(&mut c, &mut t, &|t| screen_has(t, &logo)), "no logo");
                    enter(&mut c, &mut t, "");
                    pump_until(&mut c, &mut t, &|t| t.lock().is_none());
                    enter(&mut c, &mut t, &format!("LOGON U{id:04} PW"));
                    let on = CodePage::Cp037.encode("LOGON AT");
                    assert!(
                        pump_until(&mut c, &mut t, &|t| screen_has(t, &on) && t.lock().is_none()),
                        "no logon"
                    );
                    barrier.wait();
                    let mut times = Vec::new();
                    let end = Instant::now() + Duration::from_secs(seconds as u64);
                    let mut k = 0;
                    while Instant::now() < end {
                        k += 1;
                        if k % 8 == 0 {
                            if let Some(r) = t.key(Key::Clear) {
                                let _ = c.send(&r);
                            }
                            pump_until(&mut c, &mut t, &|t| t.lock().is_none());
                        }
                        let before = t.screen().cells().iter().filter(|c| c.ch == 0xE3).count();
                        let sent = Instant::now();
                        enter(&mut c, &mut t, "QUERY TIME");
                        let time_is = CodePage::Cp037.encode("TIME IS");
                        let ok = pump_until(&mut c, &mut t, &|t| {
                            screen_has(t, &time_is)
                                && t.screen().cells().iter().filter(|c| c.ch == 0xE3).count()
                                    > before
                                && t.lock().is_none()
                        });
                        if ok {
                            times.push(sent.elapsed());
                        }
                        std::thread::sleep(Duration::from_secs(1).saturating_sub(sent.elapsed()));
                    }
                    (times, c)
                })
                .expect("spawn")
        })
        .collect();
    barrier.wait();
    let rss_on = rss_kib(cp.id());
    let mut times = Vec::new();
    let mut conns = Vec::new();
    for h in handles {
        let (t, c) = h.join().expect("client");
        times.extend(t);
        conns.push(c);
    }
    times.sort();
    println!(
        "{sessions} TN3270 sessions logged on to CP, each entering QUERY TIME every second for {seconds} s"
    );
    println!(
        "response  p50 {:?}  p99 {:?}  max {:?}  ({} commands; target p99 < 50 ms)",
        pct(&times, 0.5),
        pct(&times, 0.99),
        times.last().copied().unwrap_or_default(),
        times.len()
    );
    println!(
        "CP memory {} KiB before, {} KiB with all logged on: {:.1} KiB per session",
        rss0,
        rss_on,
        rss_on.saturating_sub(rss0) as f64 / sessions as f64
    );
    drop(conns);
    let _ = cp.kill();
    let _ = cp.wait();
}
