//! Creating and tearing down many VMs leaks no file descriptors and no mappings. This binary
//! holds a single test, so no other test opens files while it counts. Skipped without /dev/kvm.

mod common;

use common::{guest, kvm_or_skip};
use x86_backend::{Exit, Ring};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").count()
}

fn mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps").lines().count()
}

/// `mov al, 7 ; out 0x10, al ; ud2`
const HELLO: &[u8] = &[0xb0, 0x07, 0xe6, 0x10, 0x0f, 0x0b];

#[test]
fn hundred_vms_created_run_and_dropped_leak_nothing() {
    let Some(kvm) = kvm_or_skip() else { return };
    // Warm up once so lazily created process state (thread-locals, the signal handler) exists.
    drop(guest(&kvm, HELLO, Ring::User));
    let (fds_before, maps_before) = (open_fds(), mappings());
    for round in 0..2 {
        let mut vms = Vec::new();
        for _ in 0..100 {
            let (vm, mut vcpu) = guest(&kvm, HELLO, Ring::User);
            assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x10, size: 1, data: 7 });
            vms.push((vm, vcpu));
        }
        // While alive, each VM holds exactly two descriptors: the VM and its vCPU.
        assert_eq!(open_fds(), fds_before + 2 * vms.len(), "round {round}");
        drop(vms);
        assert_eq!(open_fds(), fds_before, "round {round}: every fd closed");
        assert_eq!(mappings(), maps_before, "round {round}: every mapping removed");
    }
}
