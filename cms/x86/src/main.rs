//! The x86 CMS monitor: CMS for an x86 virtual machine of VM/370, a freestanding `no_std`
//! program built by `cms/build.rs` and loaded by CP at `cms::abi::X86_LOAD_ADDR`.
//!
//! It runs in 64-bit long mode at CPL3 (the KVM backend's set-up) and reaches CP only through
//! the call port of `cms::abi` — DIAGNOSE with VM/370's numbering and S/370 channel programs on
//! the virtual console, spool devices and minidisks — exactly as the S/370 CMS does with the real
//! instructions. The CMS itself (commands, EXEC, EDIT) is [`shell`], written against the small
//! [`shell::Host`] trait so that it also runs, and is tested, on the host; [`machine`] is the
//! implementation of that trait over the call port. The runtime a freestanding program needs
//! (entry, memory functions, allocator, the port call itself) is in [`rt`], [`heap`], [`call`]
//! and [`low`]: the only `unsafe` code of the monitor, each block with its reason.
//!
//! Start reading at [`cms_main`].
#![no_std]
#![no_main]

extern crate alloc;

#[path = "../../src/abi.rs"]
#[allow(dead_code)]
mod abi;
#[path = "../../src/fs/mod.rs"]
#[allow(dead_code, unused_imports)]
mod fs;

mod call;
mod heap;
mod low;
mod machine;
mod rt;
#[allow(dead_code)]
mod shell;

/// Entered from `_start` (in [`rt`]) with the address of CP's IPL information block, on a
/// fresh stack, with bss zeroed.
#[unsafe(no_mangle)]
pub extern "C" fn cms_main(ipl_info: u64) -> ! {
    let info = machine::read_ipl_info(ipl_info);
    let storage = info.map_or_else(machine::storage_size, |i| u64::from(i.storage));
    heap::init(storage);
    let mut host = machine::X86Host::new(info);
    let mut cms = shell::Cms::new(&mut host, shell::Config::from_ipl(info.as_ref()));
    cms.run();
    // The console is gone (never, under CP): stop like a disabled wait.
    call::stop(0)
}
