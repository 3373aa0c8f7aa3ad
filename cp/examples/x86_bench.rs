//! What x86 virtual machines cost under CP, in figures (nothing is asserted):
//!
//! 1. guest compute under CP's dispatcher vs the same loop native (target ratio <= 1.05);
//! 2. one CMS-to-CP call (DIAGNOSE through the call port, handled by CP) vs a bare `KVM_RUN`
//!    port-exit loop (target ratio <= 1.2);
//! 3. VM creation (LOGON) to the CMS ready message;
//! 4. 1,000 logged-on idle x86 CMS users: memory and file descriptors per VM.
//!
//!     flock /tmp/build.lock cargo run --release -p cp --example x86_bench [-- users|calls]
//!
//! `users` (default 1000) is the number of idle users of part 4; `calls` runs part 2 alone,
//! five times.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cp::backend::{ArchRegs, X86Regs};
use cp::system::{StartOptions, System};
use cp::user::User;
use cp::vdev::{Status, TermSink};
use cp::vm::RunState;

/// A terminal that keeps the last lines and counts ready messages.
#[derive(Default)]
struct Screen {
    lines: Mutex<Vec<String>>,
    ready: AtomicUsize,
}

impl TermSink for Screen {
    fn line(&self, text: &str) {
        if text.starts_with("R;") || text.starts_with("R(") {
            self.ready.fetch_add(1, Ordering::Release);
        }
        let mut l = self.lines.lock().expect("lock");
        if l.len() > 64 {
            l.clear();
        }
        l.push(text.to_string());
    }
    fn status(&self, _s: Status) {}
}

fn wait(what: &str, secs: u64, f: impl FnMut() -> bool) {
    wait_every(what, secs, Duration::from_micros(200), f);
}

/// Polls `f` every `every` until it holds (a slow poll disturbs a measured guest less).
fn wait_every(what: &str, secs: u64, every: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(every);
    }
}

fn summary(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    format!("{:9.3} / {:9.3} / {:9.3}  (n={n})", v[0], v[n / 2], v[n - 1])
}

fn meminfo(key: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn rss_kib() -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn system(users: usize) -> (tempfile::TempDir, Arc<System>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = "SYSID BENCH\nCPUS 0\nTIMEZONE UTC +00:00\nSPOOLDIR spool\nDIRECTORY USER.DIRECT\n\
                  SAVESYS CMS 1024 0 BUILTIN IPL MACHINE X86\n";
    let mut direct = String::from("DIRECTORY 130 3350 BENCH0\n");
    direct.push_str("USER RUNNER RUNNER 16M 64M G\n MACHINE X86\n CONSOLE 009 3215\n");
    direct.push_str("USER BOOTER BOOTER 16M 64M G\n MACHINE X86\n IPL CMS\n CONSOLE 009 3215\n");
    for i in 0..users {
        direct.push_str(&format!(
            "USER IDLE{i:04} IDLE 4M 16M G\n MACHINE X86\n IPL CMS\n CONSOLE 009 3215\n"
        ));
    }
    std::fs::write(dir.path().join("SYSTEM.CONFIG"), config).expect("config");
    std::fs::write(dir.path().join("USER.DIRECT"), direct).expect("directory");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().to_path_buf(),
        deterministic: false,
        cpus: None,
    })
    .expect("system starts");
    (dir, sys)
}

/// Loads `code` at X'10000' (and `data` blocks) into the user's machine and runs it under the
/// dispatcher until it stops (its last act is a STOP call); returns the host time it took.
fn run_under_cp(user: &Arc<User>, code: &[u8], data: &[(u64, Vec<u8>)]) -> Duration {
    {
        let mut st = user.lock();
        st.vm.backend.reset(false);
        st.vm.memory().write(0x10000, code).expect("code");
        for (at, b) in data {
            st.vm.memory().write(*at, b).expect("data");
        }
        let mut gpr = [0u64; 16];
        gpr[6] = 0x30000;
        st.vm
            .backend
            .set_regs(&ArchRegs::X86(X86Regs { gpr, rip: 0x10000, rflags: 0x3002 }))
            .expect("regs");
        st.vm.state = RunState::Running;
        st.cp_mode = false;
    }
    user.console.set_cp_mode(false);
    let t = Instant::now();
    user.wake(cp::dispatch::Wake::Interactive);
    wait_every("the guest to stop", 600, Duration::from_millis(2), || {
        matches!(user.lock().vm.state, RunState::Stopped(_))
    });
    t.elapsed()
}

fn call_block(kind: u16, code: u16) -> Vec<u8> {
    cms::abi::CallBlock { kind, code, rx: 2, ry: 3, ..Default::default() }.to_bytes().to_vec()
}

/// `mov rax, seed ; mov rcx, n ; 1: xorshift64 step ; dec rcx ; jnz 1b ; mov [0x20000], rax ;
/// STOP call`.
fn xorshift_code(seed: u64, n: u64) -> Vec<u8> {
    let mut c = vec![0x48, 0xB8];
    c.extend(seed.to_le_bytes());
    c.extend([0x48, 0xB9]);
    c.extend(n.to_le_bytes());
    c.extend([
        0x48, 0x89, 0xC2, 0x48, 0xC1, 0xE2, 0x0D, 0x48, 0x31, 0xD0, // x ^= x << 13
        0x48, 0x89, 0xC2, 0x48, 0xC1, 0xEA, 0x07, 0x48, 0x31, 0xD0, // x ^= x >> 7
        0x48, 0x89, 0xC2, 0x48, 0xC1, 0xE2, 0x11, 0x48, 0x31, 0xD0, // x ^= x << 17
        0x48, 0xFF, 0xC9, 0x75, 0xDD, // dec rcx ; jnz
        0x48, 0xA3,
    ]);
    c.extend(0x20000u64.to_le_bytes()); // mov [0x20000], rax
    c.extend(stop_tail());
    c
}

/// `mov dx, 0x370 ; mov eax, 0x22000 ; out dx, eax ; jmp $` (the STOP block is at X'22000').
fn stop_tail() -> Vec<u8> {
    vec![0x66, 0xBA, 0x70, 0x03, 0xB8, 0x00, 0x20, 0x02, 0x00, 0xEF, 0xEB, 0xFE]
}

#[inline(never)]
fn xorshift(mut x: u64, n: u64) -> u64 {
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn compute(sys: &Arc<System>, runner: &Arc<User>) {
    let _ = sys;
    const N: u64 = 300_000_000;
    const SEED: u64 = 0x2545_F491_4F6C_DD1D;
    let stop = (0x22000, call_block(cms::abi::kind::STOP, 0));
    let mut native = Vec::new();
    let mut guest = Vec::new();
    let mut result;
    for _ in 0..3 {
        let t = Instant::now();
        result = black_box(xorshift(black_box(SEED), black_box(N)));
        native.push(t.elapsed().as_secs_f64() * 1000.0);
        let g = run_under_cp(runner, &xorshift_code(SEED, N), std::slice::from_ref(&stop));
        guest.push(g.as_secs_f64() * 1000.0);
        let mut r = [0u8; 8];
        runner.lock().vm.memory().read(0x20000, &mut r).expect("result");
        assert_eq!(u64::from_le_bytes(r), result, "guest and host compute the same");
    }
    let ratio = {
        let mut g = guest.clone();
        let mut n = native.clone();
        g.sort_by(f64::total_cmp);
        n.sort_by(f64::total_cmp);
        g[1] / n[1]
    };
    println!("1. guest compute (xorshift64 x {N}, ms, min / median / max)");
    println!("   native on the host       {}", summary(&mut native));
    println!("   x86 guest under CP       {}", summary(&mut guest));
    println!("   ratio guest/native (median) {ratio:.3}   (target <= 1.05)");
    let c = runner.lock().vm.backend.counters();
    println!("   guest exits: {:?}", c.interceptions);
}

fn call_cost(runner: &Arc<User>) {
    const N: u64 = 20_000;
    // mov dx, 0x370 ; mov eax, 0x21000 ; mov rcx, N ; 1: out dx, eax ; dec rcx ; jnz 1b ; STOP
    let mut code = vec![0x66, 0xBA, 0x70, 0x03, 0xB8, 0x00, 0x10, 0x02, 0x00, 0x48, 0xB9];
    code.extend(N.to_le_bytes());
    code.extend([0xEF, 0x48, 0xFF, 0xC9, 0x75, 0xFA]);
    code.extend(stop_tail());
    let data = [
        (0x21000, call_block(cms::abi::kind::DIAGNOSE, cms::abi::diag::RELEASE_PAGES)),
        (0x22000, call_block(cms::abi::kind::STOP, 0)),
    ];
    // The bare loop: the same OUT, answered by nothing but this thread's KVM_RUN loop.
    let kvm = x86_backend::Kvm::open().expect("kvm");
    let bare_once = || {
        let vm = x86_backend::Vm::new(&kvm, 1 << 20).expect("vm");
        vm.memory()
            .write(0x10000, &[0xEF, 0x48, 0xFF, 0xC9, 0x75, 0xFA, 0x0F, 0x0B])
            .expect("code");
        let mut vcpu = vm.create_vcpu(0).expect("vcpu");
        vcpu.setup_long_mode(&x86_backend::LongModeSetup {
            entry: 0x10000,
            stack: 0x30000,
            ring: x86_backend::Ring::User,
        })
        .expect("long mode");
        let mut r = vcpu.regs().expect("regs");
        r.rcx = N;
        r.rdx = 0x370;
        r.rax = 0x21000;
        vcpu.set_regs(&r).expect("regs");
        let t = Instant::now();
        let mut exits = 0;
        while exits < N {
            match vcpu.run().expect("run") {
                x86_backend::Exit::IoOut { .. } => exits += 1,
                e => panic!("unexpected {e:?}"),
            }
        }
        t.elapsed().as_secs_f64() * 1e6 / N as f64
    };
    // Interleaved, so both see the same load on a shared host.
    let mut through_cp = Vec::new();
    let mut bare = Vec::new();
    for _ in 0..7 {
        bare.push(bare_once());
        let t = run_under_cp(runner, &code, &data);
        through_cp.push(t.as_secs_f64() * 1e6 / N as f64);
    }
    let med = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let ratio = med(&through_cp) / med(&bare);
    let ratio_min = min(&through_cp) / min(&bare);
    println!("2. one call to CP (us per call, min / median / max; interleaved runs)");
    println!("   bare KVM_RUN port exit    {}", summary(&mut bare));
    println!("   DIAGNOSE X'10' through CP {}", summary(&mut through_cp));
    println!("   ratio CP/bare: {ratio_min:.3} (min), {ratio:.3} (median)   (target <= 1.2)");
}

fn boot(sys: &Arc<System>) {
    let mut to_read = Vec::new();
    let mut to_ready = Vec::new();
    for _ in 0..10 {
        let screen = Arc::new(Screen::default());
        let t = Instant::now();
        let u = User::logon(sys, "booter", "booter", Some(screen.clone())).expect("logon");
        wait("VM READ", 30, || u.console.status() == Status::VmRead);
        to_read.push(t.elapsed().as_secs_f64() * 1000.0);
        u.input(sys, "");
        wait("the ready message", 30, || screen.ready.load(Ordering::Acquire) > 0);
        to_ready.push(t.elapsed().as_secs_f64() * 1000.0);
        u.logoff(sys, false);
        wait("logoff", 30, || sys.user("BOOTER").is_none());
    }
    println!("3. LOGON (VM creation, IPL CMS) to ... (ms, min / median / max)");
    println!("   the banner and first read {}", summary(&mut to_read));
    println!("   the ready message         {}", summary(&mut to_ready));
}

fn idle_users(sys: &Arc<System>, n: usize) {
    let avail0 = meminfo("MemAvailable:");
    let rss0 = rss_kib();
    let fds0 = fds();
    let t = Instant::now();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let s = Arc::new(Screen::default());
        let u = User::logon(sys, &format!("IDLE{i:04}"), "IDLE", Some(s.clone())).expect("logon");
        users.push((u, s));
    }
    for (u, _) in &users {
        wait("VM READ", 120, || u.console.status() == Status::VmRead);
        u.input(sys, "");
    }
    for (_, s) in &users {
        wait("ready", 120, || s.ready.load(Ordering::Acquire) > 0);
    }
    let took = t.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let avail1 = meminfo("MemAvailable:");
    let rss1 = rss_kib();
    let fds1 = fds();
    let per = |a: u64, b: u64| (a.saturating_sub(b)) as f64 / n as f64;
    println!("4. {n} idle x86 CMS users (logged on, IPLed, at the ready prompt)");
    println!(
        "   logon + IPL + first command of all: {:.2} s ({:.2} ms per user)",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / n as f64
    );
    println!(
        "   host memory used: {:.0} KiB per VM (MemAvailable), process RSS {:.0} KiB per VM",
        per(avail0, avail1),
        per(rss1, rss0)
    );
    println!(
        "   file descriptors: {:.2} per VM ({} -> {})",
        (fds1 - fds0) as f64 / n as f64,
        fds0,
        fds1
    );
    let t = Instant::now();
    for (u, _) in &users {
        u.logoff(sys, false);
    }
    wait("logoffs", 120, || sys.user_count() <= 1);
    println!("   logoff of all: {:.2} s", t.elapsed().as_secs_f64());
}

fn main() {
    if let Err(e) = cp::backend::x86::available() {
        println!("skipped: /dev/kvm not available ({e})");
        return;
    }
    let arg = std::env::args().nth(1).unwrap_or_default();
    let only_calls = arg == "calls";
    let users: usize = arg.parse().unwrap_or(1000);
    let (_dir, sys) = system(users);
    let runner_screen = Arc::new(Screen::default());
    let runner = User::logon(&sys, "runner", "runner", Some(runner_screen)).expect("logon");
    println!(
        "x86 virtual machines under CP on {} ({} host cores)",
        x86_backend::Flavour::detect(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if only_calls {
        for _ in 0..5 {
            call_cost(&runner);
        }
        return;
    }
    compute(&sys, &runner);
    call_cost(&runner);
    boot(&sys);
    idle_users(&sys, users);
    runner.logoff(&sys, false);
}
