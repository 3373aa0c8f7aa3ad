//! A guest that never exits is stopped from another thread by a `Kicker`, whichever thread is
//! running it, and a kick that arrives between runs is not lost. Skipped without /dev/kvm.

mod common;

use std::sync::mpsc;
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};
use std::thread;
use std::time::Duration;

use common::{CODE, guest, kvm_or_skip};
use x86_backend::{Exit, ExitKind, Ring, Vcpu};

/// `jmp $`: spins forever without exiting.
const SPIN: &[u8] = &[0xeb, 0xfe];

/// How long a kicked run may take to return before the test calls it a failure (kicks take
/// tens of microseconds; the margin is for a loaded 2-core machine).
const DEADLINE: Duration = Duration::from_secs(10);

/// Runs `vcpu` once on a new thread; returns the vCPU and the exit through the channel.
fn run_on_thread(mut vcpu: Vcpu) -> mpsc::Receiver<(Vcpu, Exit)> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let exit = vcpu.run().expect("run");
        let _ = tx.send((vcpu, exit));
    });
    rx
}

/// Kicks once and waits for the run on another thread to return; a lost kick fails the test.
fn kick_until_returned(
    kicker: &x86_backend::Kicker,
    rx: &mpsc::Receiver<(Vcpu, Exit)>,
) -> (Vcpu, Exit) {
    thread::sleep(Duration::from_millis(20)); // let the guest get going
    kicker.kick();
    rx.recv_timeout(DEADLINE).expect("a kicked run returns within the deadline")
}

fn spin_is_kicked(ring: Ring) {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, vcpu) = guest(&kvm, SPIN, ring);
    let kicker = vcpu.kicker();
    // First run on one thread...
    let rx = run_on_thread(vcpu);
    let (vcpu, exit) = kick_until_returned(&kicker, &rx);
    assert_eq!(exit, Exit::Interrupted);
    // ...then on another: the kick must find the new thread.
    let rx = run_on_thread(vcpu);
    let (vcpu, exit) = kick_until_returned(&kicker, &rx);
    assert_eq!(exit, Exit::Interrupted);
    let rip = vcpu.regs().expect("regs").rip;
    assert_eq!(rip, CODE, "the guest is still in its loop and can resume");
    assert_eq!(vcpu.exit_counts().get(ExitKind::Interrupted), 2);
}

#[test]
fn cpl3_spin_is_kicked_from_another_thread() {
    spin_is_kicked(Ring::User);
}

#[test]
fn cpl0_spin_is_kicked_from_another_thread() {
    spin_is_kicked(Ring::Supervisor);
}

/// `mov dx, 0x10 ; 1: out dx, al ; jmp 1b`
const OUT_FOREVER: &[u8] = &[0x66, 0xba, 0x10, 0x00, 0xee, 0xeb, 0xfd];

#[test]
fn kick_between_runs_ends_the_next_run_at_once() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, mut vcpu) = guest(&kvm, OUT_FOREVER, Ring::User);
    let kicker = vcpu.kicker();
    assert!(!kicker.kick(), "no thread is inside run, so nobody is signalled");
    assert_eq!(vcpu.run().expect("run"), Exit::Interrupted);
    // The kick is consumed: the next run executes the guest.
    assert!(matches!(vcpu.run().expect("run"), Exit::IoOut { port: 0x10, .. }));
    // A kick that lands after a normal exit is kept for the next run.
    kicker.kick();
    assert_eq!(vcpu.run().expect("run"), Exit::Interrupted);
    assert!(matches!(vcpu.run().expect("run"), Exit::IoOut { port: 0x10, .. }));
    drop(vcpu);
    assert!(!kicker.kick(), "kicking a vCPU that is gone does nothing");
}

#[test]
fn kicks_racing_with_exits_are_never_lost() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, vcpu) = guest(&kvm, OUT_FOREVER, Ring::User);
    let kicker = vcpu.kicker();
    let stop = Arc::new(AtomicBool::new(false));
    let hammer = {
        let (kicker, stop) = (kicker.clone(), Arc::clone(&stop));
        thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                kicker.kick();
                n += 1;
                thread::sleep(Duration::from_micros(50));
            }
            n
        })
    };
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut vcpu = vcpu;
        let (mut outs, mut interrupted) = (0u32, 0u32);
        for _ in 0..3000 {
            match vcpu.run().expect("run") {
                Exit::IoOut { port: 0x10, .. } => outs += 1,
                Exit::Interrupted => interrupted += 1,
                other => panic!("unexpected exit {other:?}"),
            }
        }
        let _ = tx.send((vcpu, outs, interrupted));
    });
    let (vcpu, outs, interrupted) = rx.recv_timeout(Duration::from_secs(60)).expect("runs finish");
    stop.store(true, Ordering::Relaxed);
    let kicks = hammer.join().expect("hammer");
    println!("{outs} OUT exits, {interrupted} interrupted runs, {kicks} kicks");
    assert_eq!(outs + interrupted, 3000);
    assert!(interrupted > 0, "some kicks interrupted runs");
    // After the storm, a vCPU spinning without exits is still stopped by one kick.
    drop(vcpu);
    let (_vm, spin) = guest(&kvm, SPIN, Ring::User);
    let kicker = spin.kicker();
    let rx = run_on_thread(spin);
    assert_eq!(kick_until_returned(&kicker, &rx).1, Exit::Interrupted);
}
