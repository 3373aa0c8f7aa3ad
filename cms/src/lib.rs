//! `cms` — the Conversational Monitor System: what runs inside each virtual machine.
//!
//! This crate owns the CMS file system in the 800-byte-block format of VM/370 Release 6
//! ([`fs`], `no_std` + `alloc`, shared by host tools, tests and the x86 monitor), the CP<->CMS
//! ABI (the DIAGNOSE codes and their operands), and the two monitors built at build time:
//! `s370/` (assembler source, assembled with the `s370` crate's assembler) and `x86/`
//! (`no_std` Rust). It knows nothing of terminals or of how CP schedules users.
//!
//! The crate is `no_std` (with `alloc`) outside its own unit tests, so that the x86 monitor
//! can use it; start reading at [`fs`].
//!
//! The S/370 monitor's image and the files it needs on the system disk are in [`s370`]
//! (issue 7); the x86 monitor is issue 10.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod fs;
pub mod s370;
