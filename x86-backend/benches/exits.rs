//! `cargo bench -p x86-backend`: prints what KVM costs on this host.
//!
//! - exit round trips (guest OUT / IN / MMIO store -> host -> guest), CPL3 and CPL0;
//! - VM creation (1 MiB RAM, vCPU, long-mode setup) to the first exit, and teardown;
//! - kick latency: from `Kicker::kick` on one thread to `run` returning on another.
//!
//! Each figure is min / median / max over several samples. Nothing is asserted.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use x86_backend::{Exit, Kvm, LongModeSetup, Ring, Vcpu, Vm};

const CODE: u64 = 0x10000;
const STACK: u64 = 0x30000;
const MMIO_ADDR: u64 = 0x8000_0000;

/// `mov ecx, edi ; 1: out dx, eax ; dec ecx ; jnz 1b ; ud2`
const OUT_LOOP: &[u8] = &[0x89, 0xf9, 0xef, 0xff, 0xc9, 0x75, 0xfb, 0x0f, 0x0b];
/// `mov ecx, edi ; 1: in eax, dx ; dec ecx ; jnz 1b ; ud2`
const IN_LOOP: &[u8] = &[0x89, 0xf9, 0xed, 0xff, 0xc9, 0x75, 0xfb, 0x0f, 0x0b];
/// `mov ecx, edi ; 1: mov [rsi], eax ; dec ecx ; jnz 1b ; ud2`
const MMIO_LOOP: &[u8] = &[0x89, 0xf9, 0x89, 0x06, 0xff, 0xc9, 0x75, 0xfa, 0x0f, 0x0b];
/// `mov al, 1 ; out 0x10, al ; ud2`
const HELLO: &[u8] = &[0xb0, 0x01, 0xe6, 0x10, 0x0f, 0x0b];
/// `jmp $`
const SPIN: &[u8] = &[0xeb, 0xfe];

fn guest(kvm: &Kvm, code: &[u8], ring: Ring) -> (Vm, Vcpu) {
    let vm = Vm::new(kvm, 1 << 20).expect("VM");
    vm.memory().write(CODE, code).expect("code");
    let mut vcpu = vm.create_vcpu(0).expect("vCPU");
    vcpu.setup_long_mode(&LongModeSetup { entry: CODE, stack: STACK, ring }).expect("long mode");
    (vm, vcpu)
}

/// min / median / max of `samples` (sorted in place), in microseconds.
fn summary(samples: &mut [f64]) -> String {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    format!("{:8.2} / {:8.2} / {:8.2} us  (n={n})", samples[0], samples[n / 2], samples[n - 1])
}

/// Average host time per exit of a guest loop of `iterations` exits, in microseconds.
fn round_trip(kvm: &Kvm, code: &[u8], ring: Ring, iterations: u32) -> f64 {
    let (_vm, mut vcpu) = guest(kvm, code, ring);
    let mut regs = vcpu.regs().expect("regs");
    regs.rdi = u64::from(iterations);
    regs.rdx = 0x10;
    regs.rsi = MMIO_ADDR;
    vcpu.set_regs(&regs).expect("regs");
    let start = Instant::now();
    let mut exits = 0;
    loop {
        match vcpu.run().expect("run") {
            Exit::IoOut { .. } | Exit::MmioWrite { .. } => exits += 1,
            Exit::IoIn { .. } => {
                vcpu.complete_io_in(exits).expect("complete");
                exits += 1;
            }
            Exit::Interrupted => {}
            Exit::Shutdown => break,
            other => panic!("unexpected exit {other:?}"),
        }
    }
    assert_eq!(exits, iterations);
    start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations)
}

fn bench_round_trips(kvm: &Kvm) {
    let cases: [(&str, &[u8], Ring, u32); 5] = [
        ("OUT   CPL3", OUT_LOOP, Ring::User, 20_000),
        ("IN    CPL3", IN_LOOP, Ring::User, 20_000),
        ("MMIO  CPL3", MMIO_LOOP, Ring::User, 20_000),
        ("OUT   CPL0", OUT_LOOP, Ring::Supervisor, 20_000),
        ("MMIO  CPL0", MMIO_LOOP, Ring::Supervisor, 20_000),
    ];
    println!("exit round trip, host time per guest exit (3 VMs each):");
    for (name, code, ring, n) in cases {
        let mut s: Vec<f64> = (0..3).map(|_| round_trip(kvm, code, ring, n)).collect();
        println!("  {name}  {}", summary(&mut s));
    }
}

fn bench_create(kvm: &Kvm) {
    let mut create = Vec::new();
    let mut teardown = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        let (vm, mut vcpu) = guest(kvm, HELLO, Ring::User);
        let exit = vcpu.run().expect("run");
        create.push(start.elapsed().as_secs_f64() * 1e6);
        assert!(matches!(exit, Exit::IoOut { port: 0x10, .. }), "{exit:?}");
        let start = Instant::now();
        drop(vcpu);
        drop(vm);
        teardown.push(start.elapsed().as_secs_f64() * 1e6);
    }
    let start = Instant::now();
    let kvm2 = Kvm::open().expect("open");
    let open = start.elapsed().as_secs_f64() * 1e6;
    drop(kvm2);
    println!("VM lifecycle (1 MiB RAM, 1 vCPU, CPL3 long mode):");
    println!("  create VM + vCPU + setup + run to first OUT  {}", summary(&mut create));
    println!("  teardown (drop vCPU and VM)                  {}", summary(&mut teardown));
    println!("  Kvm::open (open /dev/kvm, supported CPUID)   {open:8.2} us");
}

/// Kick latency: a spinning guest runs on its own thread; this thread kicks it at a random-ish
/// moment and measures until that thread reports `run` returned.
fn bench_kick(kvm: &Kvm, ring: Ring, samples: usize) -> Vec<f64> {
    let (_vm, vcpu) = guest(kvm, SPIN, ring);
    let kicker = vcpu.kicker();
    let (go_tx, go_rx) = mpsc::channel::<bool>();
    let (done_tx, done_rx) = mpsc::channel::<Instant>();
    let runner = thread::spawn(move || {
        let mut vcpu = vcpu;
        while let Ok(true) = go_rx.recv() {
            let exit = vcpu.run().expect("run");
            let t = Instant::now();
            assert_eq!(exit, Exit::Interrupted);
            done_tx.send(t).expect("report");
        }
    });
    let mut lat = Vec::with_capacity(samples);
    for i in 0..samples {
        go_tx.send(true).expect("go");
        thread::sleep(Duration::from_micros(500 + (i as u64 * 37) % 500));
        let t0 = Instant::now();
        kicker.kick();
        let t1 = done_rx.recv().expect("run returned");
        lat.push(t1.saturating_duration_since(t0).as_secs_f64() * 1e6);
    }
    go_tx.send(false).expect("stop");
    runner.join().expect("runner");
    lat
}

fn main() {
    let kvm = match Kvm::open() {
        Ok(k) => k,
        Err(e) => {
            println!("skipped: /dev/kvm not available ({e})");
            return;
        }
    };
    println!("x86-backend figures, host flavour {}", kvm.flavour());
    bench_round_trips(&kvm);
    bench_create(&kvm);
    println!("kick latency, kick() on one thread to run() returning on another:");
    for (name, ring) in [("CPL3", Ring::User), ("CPL0", Ring::Supervisor)] {
        let mut lat = bench_kick(&kvm, ring, 200);
        lat.sort_by(f64::total_cmp);
        let p99 = lat[lat.len() * 99 / 100];
        println!("  spin at {name}  {}  p99 {p99:.2} us", summary(&mut lat));
    }
}
