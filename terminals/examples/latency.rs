//! Round-trip latency of many TN3270 sessions at once.
//!
//! ```text
//! cargo run --release -p terminals --example latency -- [SESSIONS] [ROUNDS] [--interval-ms N] [--addr HOST:PORT]
//! ```
//! Without `--addr` it starts a toy echo CP in this process (a `TerminalServer` whose
//! sessions echo each line) and measures ENTER → echoed line on the screen, through the
//! whole path: our client model, TN3270E framing, the server's reader, the console,
//! the CP thread, the console again, the writer. With `--addr` it measures ENTER → the
//! host's next write against any TN3270 host. Figures are printed, not asserted.

#[path = "../tests/support/echo_cp.rs"]
mod echo_cp;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use s370::ebcdic::CodePage;
use terminals::client::{ClientConfig, Connection};
use terminals::ds::Model;
use terminals::server::ServerConfig;
use terminals::tui::model::{Key, Terminal3270};

fn screen_has(t: &Terminal3270, what: &[u8]) -> bool {
    let cells: Vec<u8> = t.screen().cells().iter().map(|c| c.ch).collect();
    cells.windows(what.len()).any(|w| w == what)
}

/// Applies host records until `done` or the deadline; false on timeout.
fn pump_until(
    c: &mut Connection,
    t: &mut Terminal3270,
    done: &dyn Fn(&Terminal3270) -> bool,
) -> bool {
    let until = Instant::now() + Duration::from_secs(30);
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

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut interval = Duration::ZERO;
    let mut addr: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--interval-ms" => {
                interval =
                    Duration::from_millis(args.next().and_then(|v| v.parse().ok()).unwrap_or(0))
            }
            "--addr" => addr = args.next(),
            other => {
                positional.push(other.parse::<usize>().expect("SESSIONS and ROUNDS are numbers"))
            }
        }
    }
    let sessions = positional.first().copied().unwrap_or(100);
    let rounds = positional.get(1).copied().unwrap_or(20);

    let rss0 = rss_kib();
    let cp = addr.is_none().then(|| echo_cp::EchoCp::start(ServerConfig::default()));
    let target = addr.clone().unwrap_or_else(|| cp.as_ref().expect("local CP").addr.to_string());
    let echo = cp.is_some();

    let start = Instant::now();
    let barrier = Arc::new(Barrier::new(sessions + 1));
    let handles: Vec<_> = (0..sessions)
        .map(|id| {
            let (target, barrier) = (target.clone(), barrier.clone());
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let t0 = Instant::now();
                    let mut c = Connection::connect(target.as_str(), &ClientConfig::default())
                        .expect("connect");
                    let mut t = Terminal3270::new(Model::M2, CodePage::Cp037, true);
                    let logo = CodePage::Cp037.encode("VM/370 ONLINE");
                    let ok = pump_until(&mut c, &mut t, &|t| !echo || screen_has(t, &logo));
                    let connect = t0.elapsed();
                    assert!(ok, "session {id}: no logo");
                    if let Some(r) = t.key(Key::Enter) {
                        c.send(&r).expect("send");
                    }
                    pump_until(&mut c, &mut t, &|t| t.lock().is_none());
                    barrier.wait();
                    let mut times = Vec::with_capacity(rounds);
                    for k in 0..rounds {
                        if echo && k % 10 == 9 {
                            // Keep the output area from filling: CLEAR.
                            if let Some(r) = t.key(Key::Clear) {
                                c.send(&r).expect("send");
                            }
                            pump_until(&mut c, &mut t, &|t| {
                                t.lock().is_none() && t.screen().is_formatted()
                            });
                        }
                        let line = format!("ping {id} {k}");
                        t.type_str(&line);
                        let want = CodePage::Cp037.encode(&format!("ECHO: {line}"));
                        let sent = Instant::now();
                        if let Some(r) = t.key(Key::Enter) {
                            c.send(&r).expect("send");
                        }
                        let ok = if echo {
                            pump_until(&mut c, &mut t, &|t| {
                                screen_has(t, &want) && t.lock().is_none()
                            })
                        } else {
                            pump_until(&mut c, &mut t, &|t| t.lock().is_none())
                        };
                        assert!(ok, "session {id}: no answer to round {k}");
                        times.push(sent.elapsed());
                        if !interval.is_zero() {
                            std::thread::sleep(interval);
                        }
                    }
                    (connect, times, c)
                })
                .expect("spawn a client thread")
        })
        .collect();
    barrier.wait();
    let all_connected = start.elapsed();
    let rss_connected = rss_kib();
    let run = Instant::now();
    let mut connects = Vec::new();
    let mut times = Vec::new();
    let mut conns = Vec::new();
    for h in handles {
        let (c, t, conn) = h.join().expect("client thread");
        connects.push(c);
        times.extend(t);
        conns.push(conn);
    }
    let wall = run.elapsed();
    connects.sort();
    times.sort();
    println!(
        "target            {}",
        if echo { "in-process toy echo CP".to_string() } else { target }
    );
    println!("sessions          {sessions}, {rounds} rounds each");
    println!(
        "connect+logo      p50 {:?}  p99 {:?}  (all {sessions} connected in {:?})",
        pct(&connects, 0.5),
        pct(&connects, 0.99),
        all_connected
    );
    println!(
        "round trip        p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
        pct(&times, 0.5),
        pct(&times, 0.9),
        pct(&times, 0.99),
        times.last().copied().unwrap_or_default()
    );
    println!(
        "throughput        {:.0} round trips/s over {:?}",
        times.len() as f64 / wall.as_secs_f64(),
        wall
    );
    println!(
        "memory            {} KiB RSS before, {} KiB with all connected: {:.1} KiB per session (server and client together)",
        rss0,
        rss_connected,
        (rss_connected.saturating_sub(rss0)) as f64 / sessions as f64
    );
    drop(conns);
}
