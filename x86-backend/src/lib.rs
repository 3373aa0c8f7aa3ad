//! `x86-backend` — a thin wrapper over Linux KVM for running x86 virtual machines.
//!
//! It owns the kernel interface and nothing else: creating a VM and its vCPU, guest memory
//! slots, the 64-bit long-mode setup (GDT, TSS, identity-mapped page tables) in which the x86
//! CMS runs at CPL3 with IOPL 3, register access, and decoding exits into plain data. It knows
//! nothing of CP, users or terminals; the `cp` crate adapts it to its `Backend` trait. All of
//! the workspace's `unsafe` code that talks to the kernel lives here.
//!
//! Status: not yet built (issue 10).
