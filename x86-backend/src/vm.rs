//! A virtual machine: the KVM VM file descriptor and the guest memory slot behind it.

use std::sync::Arc;

use kvm_bindings::{CpuId, kvm_userspace_memory_region};
use kvm_ioctls::VmFd;

use crate::error::{Error, Result};
use crate::memory::GuestMemory;
use crate::system::Kvm;
use crate::vcpu::Vcpu;

/// Where KVM may put the three-page TSS it needs for real mode on VT-x without "unrestricted
/// guest" (just below the 4 GiB BIOS area, as QEMU and Firecracker do). Harmless elsewhere.
const TSS_ADDRESS: usize = 0xfffb_d000;

/// A KVM virtual machine with one RAM slot at guest-physical address 0.
///
/// Every guest-physical address outside RAM is unbacked: the guest's accesses there become
/// [`Exit::MmioRead`](crate::Exit::MmioRead)/[`Exit::MmioWrite`](crate::Exit::MmioWrite).
/// A VM costs one file descriptor, plus one per vCPU.
#[derive(Debug)]
pub struct Vm {
    // Field order is drop order: the VM fd is closed before the memory KVM maps is unmapped.
    fd: VmFd,
    cpuid: CpuId,
    run_size: usize,
    memory: Arc<GuestMemory>,
}

impl Vm {
    /// Creates a VM with `memory_size` bytes of RAM (a non-zero multiple of 4 KiB), lazily
    /// backed by the host.
    pub fn new(kvm: &Kvm, memory_size: u64) -> Result<Vm> {
        let memory = Arc::new(GuestMemory::new(memory_size)?);
        let fd = kvm.inner().create_vm().map_err(|e| Error::kvm("KVM_CREATE_VM", e))?;
        fd.set_tss_address(TSS_ADDRESS).map_err(|e| Error::kvm("KVM_SET_TSS_ADDR", e))?;
        let region = kvm_userspace_memory_region {
            slot: 0,
            flags: 0,
            guest_phys_addr: 0,
            memory_size,
            userspace_addr: memory.host_address(),
        };
        // SAFETY: the region is our own live anonymous mapping of exactly `memory_size` bytes,
        // and it stays mapped as long as KVM can use it: the `Arc` is held by this `Vm` and by
        // every `Vcpu`, each of which closes its fd before dropping its `Arc`.
        unsafe { fd.set_user_memory_region(region) }
            .map_err(|e| Error::kvm("KVM_SET_USER_MEMORY_REGION", e))?;
        Ok(Vm { fd, cpuid: kvm.cpuid().clone(), run_size: kvm.run_size(), memory })
    }

    /// The guest's RAM.
    pub fn memory(&self) -> &Arc<GuestMemory> {
        &self.memory
    }

    /// Creates vCPU number `id` (0 for the first), giving it the CPUID the host supports.
    /// The vCPU starts in KVM's reset state; see [`Vcpu::setup_long_mode`].
    pub fn create_vcpu(&self, id: u64) -> Result<Vcpu> {
        let fd = self.fd.create_vcpu(id).map_err(|e| Error::kvm("KVM_CREATE_VCPU", e))?;
        fd.set_cpuid2(&self.cpuid).map_err(|e| Error::kvm("KVM_SET_CPUID2", e))?;
        Vcpu::new(fd, self.run_size, Arc::clone(&self.memory))
    }
}
