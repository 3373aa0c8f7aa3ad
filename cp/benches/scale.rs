//! `cargo bench -p cp --bench scale`: how CP multiplexes many virtual machines.
//!
//! Prints, for S/370 guests running a CPU-bound loop (L/A/ST/BCT):
//! - aggregate MIPS with 1, 2, 8 and 64 VMs on 2 workers, against one VM's rate times the
//!   workers (target >= 90%), and the fairness of their shares (Jain's index, target >= 0.99);
//! - the wake-up latency of an interactive VM (a console read/echo loop) while 8 CPU-bound
//!   VMs run (target p99 < 10 ms);
//! - the host memory of an idle 16 MB VM sitting in a console read beyond the pages it
//!   touched (target < 256 KiB), and how many such VMs would fit in 8 GiB.
//!
//! Environment: `SCALE_SECONDS` (default 3) per measurement.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cp::backend::{ArchRegs, S370Regs};
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};
use cp::vm::RunState;

const CONFIG: &str =
    "SYSID BENCH\nCPUS 2\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n";

fn directory(n: usize, storage: &str) -> String {
    let mut d = String::from("DIRECTORY 130 3350 BENCH1\n");
    for i in 0..n {
        let _ = writeln!(d, "USER U{i:04} PW {storage} 16M G\n CONSOLE 009 3215");
    }
    d
}

fn start(n: usize, storage: &str) -> (tempfile::TempDir, Arc<System>) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), CONFIG).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), directory(n, storage)).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: Some(2),
    })
    .expect("system");
    (dir, sys)
}

#[derive(Default)]
struct Sink(Mutex<Vec<(Instant, String)>>);

impl TermSink for Sink {
    fn line(&self, text: &str) {
        self.0.lock().expect("lock").push((Instant::now(), text.to_string()));
    }
    fn status(&self, _s: Status) {}
}

/// Loads `program` at X'400' with `data` and starts it.
fn launch(user: &Arc<User>, program: &[u8], data: &[(u64, &[u8])]) {
    let mut st = user.lock();
    let m = st.vm.memory();
    m.write(0x400, program).expect("program");
    for (a, d) in data {
        m.write(*a, d).expect("data");
    }
    st.vm
        .backend
        .set_regs(&ArchRegs::S370(S370Regs { psw: 0x400, ..S370Regs::default() }))
        .expect("regs");
    st.vm.state = RunState::Running;
    st.cp_mode = false;
    drop(st);
    user.console.set_cp_mode(false);
    user.wake(cp::dispatch::Wake::Other);
}

/// L 4,X'500' / A 4,X'504' / ST 4,X'500' / BCT 3,X'400'(,0) ... forever (R3 reloaded).
const LOOP: [u8; 20] = [
    0x58, 0x40, 0x05, 0x00, 0x5A, 0x40, 0x05, 0x04, 0x50, 0x40, 0x05, 0x00, 0x46, 0x30, 0x04, 0x00,
    0x47, 0xF0, 0x04, 0x00,
];

fn instructions(u: &Arc<User>) -> u64 {
    u.lock().vm.backend.counters().instructions.unwrap_or(0)
}

fn jain(xs: &[f64]) -> f64 {
    let s: f64 = xs.iter().sum();
    let q: f64 = xs.iter().map(|x| x * x).sum();
    if q == 0.0 { 0.0 } else { s * s / (xs.len() as f64 * q) }
}

fn cpu_bound(n: usize, secs: f64) -> (f64, f64) {
    let (_dir, sys) = start(n, "1M");
    let users: Vec<_> = (0..n)
        .map(|i| User::logon(&sys, &format!("U{i:04}"), "PW", None).expect("logon"))
        .collect();
    for u in &users {
        launch(u, &LOOP, &[(0x504, &1u32.to_be_bytes())]);
    }
    std::thread::sleep(Duration::from_millis(300));
    let before: Vec<u64> = users.iter().map(instructions).collect();
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(secs));
    let after: Vec<u64> = users.iter().map(instructions).collect();
    let dt = t0.elapsed().as_secs_f64();
    let shares: Vec<f64> = after.iter().zip(&before).map(|(a, b)| (a - b) as f64).collect();
    let mips = shares.iter().sum::<f64>() / dt / 1e6;
    for u in &users {
        u.logoff(&sys, false);
    }
    sys.begin_shutdown();
    (mips, jain(&shares))
}

fn wake_latency(secs: f64) -> (f64, f64, usize) {
    let (_dir, sys) = start(9, "1M");
    let hogs: Vec<_> = (1..9)
        .map(|i| User::logon(&sys, &format!("U{i:04}"), "PW", None).expect("logon"))
        .collect();
    for u in &hogs {
        launch(u, &LOOP, &[(0x504, &1u32.to_be_bytes())]);
    }
    let sink = Arc::new(Sink::default());
    let echo = User::logon(&sys, "U0000", "PW", Some(sink.clone())).expect("logon");
    // 400 SIO X'009' (read CCW at 500) / 404 LPSW wait / 408 MVC CAW->echo / SIO / LPSW wait
    // / MVC CAW->read / B 400 — each wait resumes at the next step through X'7C'.
    let program = [
        0xD2, 0x03, 0x00, 0x7C, 0x06, 0x00, // 400 MVC X'7C'(4),X'600'  resume 414
        0xD2, 0x03, 0x00, 0x48, 0x06, 0x08, // 406 MVC X'48'(4),X'608'  CAW read
        0x9C, 0x00, 0x00, 0x09, //              40C SIO X'009'
        0x82, 0x00, 0x04, 0x80, //              410 LPSW X'480'
        0xD2, 0x03, 0x00, 0x7C, 0x06, 0x04, // 414 MVC X'7C'(4),X'604'  resume 400
        0xD2, 0x03, 0x00, 0x48, 0x06, 0x0C, // 41A MVC X'48'(4),X'60C'  CAW echo
        0x9C, 0x00, 0x00, 0x09, //              420 SIO X'009'
        0x82, 0x00, 0x04, 0x80, //              424 LPSW X'480'
    ];
    let ccws = [
        0x0A, 0x00, 0x07, 0x00, 0x20, 0x00, 0x00, 0x10, // read 16 into 700
        0x09, 0x00, 0x07, 0x00, 0x20, 0x00, 0x00, 0x04, // write 4 from 700
    ];
    let words: Vec<u8> =
        [0x414u32, 0x400, 0x500, 0x508].iter().flat_map(|w| w.to_be_bytes()).collect();
    launch(
        &echo,
        &program,
        &[(0x480, &[0x80, 0x02, 0, 0, 0, 0, 0, 0]), (0x500, &ccws), (0x600, &words)],
    );
    let mut lat = Vec::new();
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let mut k = 0u32;
    while Instant::now() < end {
        while echo.console.status() != Status::VmRead {
            std::thread::sleep(Duration::from_micros(200));
        }
        let text = format!("{:04}", k % 10000);
        k += 1;
        let before = sink.0.lock().expect("lock").len();
        let t = Instant::now();
        echo.input(&sys, &text);
        loop {
            let got = sink.0.lock().expect("lock").get(before).map(|(at, _)| *at);
            if let Some(at) = got {
                lat.push(at.duration_since(t).as_secs_f64() * 1e3);
                break;
            }
            if t.elapsed() > Duration::from_secs(5) {
                break;
            }
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    sys.begin_shutdown();
    lat.sort_by(f64::total_cmp);
    let pct =
        |p: f64| lat.get(((lat.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(f64::NAN);
    (pct(0.5), pct(0.99), lat.len())
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn idle_memory(n: usize) -> (f64, f64) {
    let (_dir, sys) = start(n, "16M");
    let base = rss_kib();
    let mut users = Vec::new();
    for i in 0..n {
        let u = User::logon(&sys, &format!("U{i:04}"), "PW", None).expect("logon");
        // SIO a console read and wait: the machine sits in VM READ.
        let program = [0x9C, 0x00, 0x00, 0x09, 0x82, 0x00, 0x04, 0x80];
        let ccw = [0x0A, 0x00, 0x07, 0x00, 0x20, 0x00, 0x00, 0x10];
        launch(
            &u,
            &program,
            &[
                (0x48, &0x500u32.to_be_bytes()),
                (0x480, &[0x80, 0x02, 0, 0, 0, 0, 0, 0]),
                (0x500, &ccw),
            ],
        );
        users.push(u);
    }
    std::thread::sleep(Duration::from_millis(500));
    let grown = rss_kib().saturating_sub(base) as f64;
    let touched: usize = users
        .iter()
        .map(|u| u.lock().vm.backend.counters().instructions.map_or(0, |_| 1))
        .sum::<usize>()
        * 4; // one 4K page of program and data each
    let per_vm = (grown - touched as f64) / n as f64;
    sys.begin_shutdown();
    (per_vm, (8.0 * 1024.0 * 1024.0) / per_vm.max(1.0))
}

fn main() {
    let secs: f64 = std::env::var("SCALE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    println!("CP scale benchmark ({secs} s per row, 2 workers, S/370 L/A/ST/BCT loops)");
    // Memory first, in a fresh process: what the CPU-bound systems below leave behind while
    // they wind down would be counted against the idle VMs.
    let (per_vm, fit) = idle_memory(200);
    println!(
        "idle 16 MB VM in a console read: {per_vm:.0} KiB beyond its touched pages (target < 256); {fit:.0} fit in 8 GiB"
    );
    if std::env::var("SCALE_ONLY").is_ok_and(|v| v == "memory") {
        return;
    }
    let (one, _) = cpu_bound(1, secs);
    println!("{:>4} VMs  {:>8.1} MIPS aggregate", 1, one);
    let target = one * 2.0;
    for n in [2usize, 8, 64] {
        let (mips, j) = cpu_bound(n, secs);
        println!(
            "{n:>4} VMs  {mips:>8.1} MIPS aggregate  {:>5.1}% of 2 x one VM (target >= 90%)  Jain {j:.4} (target >= 0.99)",
            mips / target * 100.0
        );
    }
    let (p50, p99, n) = wake_latency(secs);
    println!(
        "wake-up latency with 8 CPU-bound VMs: p50 {p50:.2} ms  p99 {p99:.2} ms over {n} wake-ups (target p99 < 10 ms)"
    );
}
