//! `x86-backend` — a thin wrapper over Linux KVM for running x86 virtual machines.
//!
//! It owns the kernel interface and nothing else: opening `/dev/kvm` and telling what kind of
//! virtualization is behind it ([`Kvm`], [`Flavour`]), creating a VM with lazily backed RAM
//! ([`Vm`], [`GuestMemory`]), its vCPU ([`Vcpu`]), the 64-bit long-mode setup in which the x86
//! CMS runs at CPL3 with IOPL 3 ([`LongModeSetup`], module [`long_mode`]), register access
//! ([`Regs`], [`SpecialRegs`]), exits as plain data ([`Exit`]), ending a run from another thread
//! ([`Kicker`]), and the sensitive-instruction probe ([`probe`]). It knows nothing of CP, users
//! or terminals; the `cp` crate adapts it to its `Backend` trait.
//!
//! Start reading at [`Vcpu::run`]. A minimal guest:
//!
//! ```no_run
//! use x86_backend::{Exit, Kvm, LongModeSetup, Ring, Vm};
//! # fn main() -> Result<(), x86_backend::Error> {
//! let kvm = Kvm::open()?; // Err(Error::KvmUnavailable(why)) without /dev/kvm
//! let vm = Vm::new(&kvm, 1 << 20)?;
//! // mov al, 42 ; out 0x10, al
//! vm.memory().write(0x10000, &[0xb0, 42, 0xe6, 0x10])?;
//! let mut vcpu = vm.create_vcpu(0)?;
//! vcpu.setup_long_mode(&LongModeSetup { entry: 0x10000, stack: 0x20000, ring: Ring::User })?;
//! assert_eq!(vcpu.run()?, Exit::IoOut { port: 0x10, size: 1, data: 42 });
//! # Ok(()) }
//! ```

// The workspace denies `unsafe_code`. This crate is the one place it is allowed, because the
// kernel interface needs it: mapping guest memory and the `kvm_run` page, issuing `KVM_RUN`,
// reading the exit out of shared memory, and signalling threads. Every `unsafe` block says why
// it is sound in a `// SAFETY:` comment.
#![allow(unsafe_code)]

mod error;
mod exit;
mod kick;
pub mod long_mode;
mod memory;
pub mod probe;
mod regs;
mod run_page;
mod system;
mod vcpu;
mod vm;

pub use error::{Error, Result};
pub use exit::{Exit, ExitCounts, ExitKind};
pub use kick::{Kicker, kick_signal};
pub use long_mode::{LongModeSetup, Ring};
pub use memory::{GuestMemory, PAGE_SIZE};
pub use regs::{
    DescriptorTable, RFLAGS_FIXED, RFLAGS_IF, RFLAGS_IOPL3, Regs, Segment, SpecialRegs,
};
pub use system::{FORCE_NO_KVM_ENV, Flavour, KVM_API_VERSION, Kvm};
pub use vcpu::Vcpu;
pub use vm::Vm;
