//! Guests in 64-bit long mode exit to the host in every way CP has to handle, and each exit is
//! decoded into the right plain data. Skipped without /dev/kvm.

mod common;

use common::{CODE, guest, kvm_or_skip};
use x86_backend::{Error, Exit, ExitKind, Flavour, RFLAGS_IOPL3, Ring};

/// Counts ecx from 5 down to 1 through port 0x10, then 0xC0FFEE to port 0x11, then HLT.
const OUT_LOOP: &[u8] = &[
    0xb9, 0x05, 0x00, 0x00, 0x00, // mov ecx, 5
    0x89, 0xc8, // 1: mov eax, ecx
    0x66, 0xba, 0x10, 0x00, // mov dx, 0x10
    0xef, // out dx, eax
    0xff, 0xc9, // dec ecx
    0x75, 0xf5, // jnz 1b
    0x66, 0xba, 0x11, 0x00, // mov dx, 0x11
    0xb8, 0xee, 0xff, 0xc0, 0x00, // mov eax, 0xc0ffee
    0xef, // out dx, eax
    0xf4, // hlt
];

#[test]
fn cpl3_out_loop_then_hlt_is_a_triple_fault() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, mut vcpu) = guest(&kvm, OUT_LOOP, Ring::User);
    for expected in (1..=5).rev() {
        let exit = vcpu.run().expect("run");
        assert_eq!(exit, Exit::IoOut { port: 0x10, size: 4, data: expected });
    }
    let exit = vcpu.run().expect("run");
    assert_eq!(exit, Exit::IoOut { port: 0x11, size: 4, data: 0xc0ffee });
    // The guest really ran at CPL3 with IOPL 3.
    let sregs = vcpu.sregs().expect("sregs");
    assert_eq!(sregs.cs.selector & 3, 3, "CPL3");
    // PVM does not keep the guest's IOPL (it reads back as 0; the TSS bitmap permits the OUTs).
    if kvm.flavour() != Flavour::Pvm {
        assert_eq!(vcpu.regs().expect("regs").rflags & RFLAGS_IOPL3, RFLAGS_IOPL3);
    }
    // HLT at CPL3 is #GP; with an empty IDT that is a triple fault.
    assert_eq!(vcpu.run().expect("run"), Exit::Shutdown);
    let counts = vcpu.exit_counts();
    assert_eq!(counts.get(ExitKind::IoOut), 6);
    assert_eq!(counts.get(ExitKind::Shutdown), 1);
    assert_eq!(counts.total(), 7);
}

#[test]
fn cpl0_hlt_is_hlt() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, mut vcpu) = guest(&kvm, OUT_LOOP, Ring::Supervisor);
    for _ in 0..6 {
        assert!(matches!(vcpu.run().expect("run"), Exit::IoOut { .. }));
    }
    assert_eq!(vcpu.run().expect("run"), Exit::Hlt);
}

/// IN from port 0x20 (32 bits), add one, OUT to 0x21; then IN/OUT of 8 and 16 bits on 0x21.
const IN_TEST: &[u8] = &[
    0x66, 0xba, 0x20, 0x00, // mov dx, 0x20
    0xed, // in eax, dx
    0x83, 0xc0, 0x01, // add eax, 1
    0x66, 0xba, 0x21, 0x00, // mov dx, 0x21
    0xef, // out dx, eax
    0xec, // in al, dx
    0xee, // out dx, al
    0x66, 0xed, // in ax, dx
    0x66, 0xef, // out dx, ax
    0x0f, 0x0b, // ud2
];

#[test]
fn in_is_completed_by_the_host() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, mut vcpu) = guest(&kvm, IN_TEST, Ring::User);
    assert!(matches!(vcpu.complete_io_in(1), Err(Error::NotPending(_))), "nothing pending yet");
    assert_eq!(vcpu.run().expect("run"), Exit::IoIn { port: 0x20, size: 4 });
    assert!(vcpu.complete_mmio_read(1).is_err(), "the pending exit is an IN, not MMIO");
    vcpu.complete_io_in(41).expect("complete");
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x21, size: 4, data: 42 });
    // 8-bit IN: the host's value is truncated to the width.
    assert_eq!(vcpu.run().expect("run"), Exit::IoIn { port: 0x21, size: 1 });
    vcpu.complete_io_in(0x1234_5678).expect("complete");
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x21, size: 1, data: 0x78 });
    // 16-bit IN left unanswered reads all ones.
    assert_eq!(vcpu.run().expect("run"), Exit::IoIn { port: 0x21, size: 2 });
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x21, size: 2, data: 0xffff });
    assert_eq!(vcpu.run().expect("run"), Exit::Shutdown, "ud2 without an IDT");
}

/// Stores 0x12345678 at 2 GiB (outside RAM), loads 64 bits from 2 GiB + 4 KiB, sends the
/// loaded value out through port 0x10 in two halves.
const MMIO: &[u8] = &[
    0xb8, 0x78, 0x56, 0x34, 0x12, // mov eax, 0x12345678
    0xa3, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, // movabs [0x80000000], eax
    0x48, 0xa1, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, // movabs rax, [0x80001000]
    0x48, 0x89, 0xc3, // mov rbx, rax
    0x48, 0xc1, 0xeb, 0x20, // shr rbx, 32
    0x66, 0xba, 0x10, 0x00, // mov dx, 0x10
    0xef, // out dx, eax
    0x89, 0xd8, // mov eax, ebx
    0xef, // out dx, eax
    0x0f, 0x0b, // ud2
];

#[test]
fn access_outside_memory_is_mmio() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_vm, mut vcpu) = guest(&kvm, MMIO, Ring::User);
    let exit = vcpu.run().expect("run");
    assert_eq!(exit, Exit::MmioWrite { addr: 0x8000_0000, len: 4, data: 0x1234_5678 });
    assert_eq!(vcpu.run().expect("run"), Exit::MmioRead { addr: 0x8000_1000, len: 8 });
    vcpu.complete_mmio_read(0xdead_beef_0bad_f00d).expect("complete");
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x10, size: 4, data: 0x0bad_f00d });
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x10, size: 4, data: 0xdead_beef });
    assert_eq!(vcpu.run().expect("run"), Exit::Shutdown);
}

/// Loads the word the host put at 0x20000, adds one, stores it at 0x20004 and OUTs it.
const MEM_ROUND_TRIP: &[u8] = &[
    0x8b, 0x04, 0x25, 0x00, 0x00, 0x02, 0x00, // mov eax, [0x20000]
    0x83, 0xc0, 0x01, // add eax, 1
    0x89, 0x04, 0x25, 0x04, 0x00, 0x02, 0x00, // mov [0x20004], eax
    0x66, 0xba, 0x10, 0x00, // mov dx, 0x10
    0xef, // out dx, eax
    0x0f, 0x0b, // ud2
];

#[test]
fn host_and_guest_share_memory() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (vm, mut vcpu) = guest(&kvm, MEM_ROUND_TRIP, Ring::User);
    vm.memory().write_u32(0x20000, 99).expect("host write");
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x10, size: 4, data: 100 });
    assert_eq!(vcpu.memory().read_u32(0x20004).expect("host read"), 100);
    assert!(vm.memory().read_u32(common::MEM - 2).is_err(), "host access is bounds-checked");
}

#[test]
fn triple_fault_leaves_the_host_and_other_vms_running() {
    let Some(kvm) = kvm_or_skip() else { return };
    let (_a, mut bad) = guest(&kvm, &[0x0f, 0x0b], Ring::User); // ud2
    let (_b, mut good) = guest(&kvm, OUT_LOOP, Ring::User);
    assert_eq!(bad.run().expect("run"), Exit::Shutdown);
    assert!(matches!(good.run().expect("run"), Exit::IoOut { data: 5, .. }));
    // Running the dead vCPU again does not hurt the host either.
    let again = bad.run().expect("run");
    assert!(
        matches!(again, Exit::Shutdown | Exit::InternalError { .. } | Exit::FailEntry { .. }),
        "{again:?}"
    );
    assert!(matches!(good.run().expect("run"), Exit::IoOut { data: 4, .. }));
}

#[test]
fn registers_round_trip_and_steer_the_guest() {
    let Some(kvm) = kvm_or_skip() else { return };
    // mov eax, edi ; out 0x10 (dx), eax ; ud2 — the host chooses edi and dx.
    let code = [0x89, 0xf8, 0xef, 0x0f, 0x0b];
    let (_vm, mut vcpu) = guest(&kvm, &code, Ring::User);
    let mut regs = vcpu.regs().expect("regs");
    assert_eq!(regs.rip, CODE);
    regs.rdi = 0x5151;
    regs.rdx = 0x77;
    regs.r15 = 0xfeed;
    vcpu.set_regs(&regs).expect("set regs");
    assert_eq!(vcpu.run().expect("run"), Exit::IoOut { port: 0x77, size: 4, data: 0x5151 });
    let after = vcpu.regs().expect("regs");
    assert_eq!(after.rip, CODE + 3, "rip is past the OUT");
    assert_eq!(after.r15, 0xfeed);
    assert_eq!(after.rax, 0x5151);
}
