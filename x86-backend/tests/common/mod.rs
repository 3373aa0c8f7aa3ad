//! Helpers shared by the KVM integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use x86_backend::{Kvm, LongModeSetup, Ring, Vcpu, Vm};

/// Where test guests are loaded.
pub const CODE: u64 = 0x10000;
/// Their initial stack pointer.
pub const STACK: u64 = 0x30000;
/// Their RAM size.
pub const MEM: u64 = 1 << 20;

/// Opens KVM, or prints why the test is skipped and returns `None`.
pub fn kvm_or_skip() -> Option<Kvm> {
    match Kvm::open() {
        Ok(kvm) => Some(kvm),
        Err(e) => {
            println!("skipped: /dev/kvm not available ({e})");
            None
        }
    }
}

/// A 1 MiB VM whose vCPU starts at `CODE` in long mode at `ring`, running `code`.
pub fn guest(kvm: &Kvm, code: &[u8], ring: Ring) -> (Vm, Vcpu) {
    let vm = Vm::new(kvm, MEM).expect("create VM");
    vm.memory().write(CODE, code).expect("load code");
    let mut vcpu = vm.create_vcpu(0).expect("create vCPU");
    vcpu.setup_long_mode(&LongModeSetup { entry: CODE, stack: STACK, ring }).expect("long mode");
    (vm, vcpu)
}
