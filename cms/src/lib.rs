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
//! (issue 7); the x86 monitor is built by `build.rs` from `x86/` and embedded here:
//! [`x86_image`] (issue 10).
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod abi;
pub mod fs;
pub mod s370;

mod x86_built {
    include!(concat!(env!("OUT_DIR"), "/cms_x86_image.rs"));
}

/// The x86 CMS monitor as a flat image, built by `build.rs` from `cms/x86/`.
#[derive(Debug, Clone, Copy)]
pub struct X86Image {
    /// Where the bytes are loaded (guest-physical): [`abi::X86_LOAD_ADDR`].
    pub load_addr: u64,
    /// The entry point (`rip`); CP starts it with `rdi` = [`abi::IPL_INFO_ADDR`].
    pub entry: u64,
    /// The first byte after the image's memory (its bss included): the machine needs at
    /// least this much storage, plus room for the monitor's heap.
    pub mem_end: u64,
    /// The bytes from `load_addr` up (empty when the host could not build the monitor).
    pub bytes: &'static [u8],
}

static X86_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cms-x86.bin"));

/// The x86 CMS monitor built into this crate; `None` when this host could not build it.
pub fn x86_image() -> Option<X86Image> {
    if X86_BYTES.is_empty() {
        return None;
    }
    Some(X86Image {
        load_addr: x86_built::LOAD,
        entry: x86_built::ENTRY,
        mem_end: x86_built::MEM_END,
        bytes: X86_BYTES,
    })
}
