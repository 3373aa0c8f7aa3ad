//! What a freestanding program needs before Rust code can run: the entry point, the memory
//! functions the compiler calls (`memcpy` and friends; there is no C library), and the panic
//! handler.
//!
//! The memory functions are written with `rep movsb`/`rep stosb`, fast on every x86-64 since
//! Ivy Bridge, and in assembly so that the compiler cannot turn them back into calls to
//! themselves.

use core::arch::{asm, global_asm};
use core::fmt::Write;

// The entry point. CP starts us at CPL3 in long mode with `rdi` = the IPL information block
// and no usable stack: zero bss (it holds the stack, the channel-program area and every
// `static`, so a re-IPL without CLEAR starts as clean as the first), take the stack, and call
// `cms_main(rdi)`, which never returns.
global_asm!(
    r#"
    .section .text.entry, "ax"
    .globl _start
_start:
    mov r12, rdi
    lea rdi, [rip + __bss_start]
    lea rcx, [rip + __bss_end]
    sub rcx, rdi
    xor eax, eax
    cld
    rep stosb
    lea rsp, [rip + __stack_top]
    and rsp, -16
    mov rdi, r12
    call cms_main
    ud2
"#
);

/// `memcpy`: copies `n` bytes; the regions must not overlap.
///
/// # Safety
/// `dst` and `src` must be valid for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees both ranges are valid for `n` bytes; `rep movsb` with the
    // direction flag clear (the ABI guarantees it) copies exactly that and touches nothing else.
    unsafe {
        asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
             options(nostack, preserves_flags));
    }
    dst
}

/// `memmove`: copies `n` bytes; the regions may overlap.
///
/// # Safety
/// `dst` and `src` must be valid for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize).wrapping_sub(src as usize) >= n {
        // No harmful overlap: a forward copy is right.
        // SAFETY: as for memcpy; when `dst` is below `src` a forward copy reads each byte
        // before it is overwritten.
        return unsafe { memcpy(dst, src, n) };
    }
    // SAFETY: `dst` lies inside `src..src+n`: copy backwards (direction flag set for the copy
    // and cleared again, as the ABI requires), from the last byte of each range.
    unsafe {
        asm!("std", "rep movsb", "cld",
             inout("rcx") n => _, inout("rdi") dst.add(n - 1) => _, inout("rsi") src.add(n - 1) => _,
             options(nostack));
    }
    dst
}

/// `memset`: fills `n` bytes with the low byte of `c`.
///
/// # Safety
/// `dst` must be valid for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees `dst` is valid for `n` bytes; `rep stosb` writes exactly
    // those.
    unsafe {
        asm!("rep stosb", inout("rcx") n => _, inout("rdi") dst => _, in("al") c as u8,
             options(nostack, preserves_flags));
    }
    dst
}

/// `memcmp`: compares `n` bytes as unsigned.
///
/// # Safety
/// `a` and `b` must be valid for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n` and the caller guarantees both ranges; volatile reads keep the
        // compiler from recognising this loop as a call to `memcmp` itself.
        let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// `bcmp`: zero when `n` bytes are equal.
///
/// # Safety
/// `a` and `b` must be valid for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the same contract as memcmp.
    unsafe { memcmp(a, b, n) }
}

/// The prebuilt `alloc` names an unwinding personality routine, which `panic=abort` never
/// calls; this satisfies the linker.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

/// The prebuilt `alloc` has landing pads that resume unwinding; with `panic=abort` nothing
/// ever unwinds, so this is never reached. If it were, the machine stops.
#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    crate::call::stop(0x0BAD)
}

/// A panic is a bug in CMS: type what happened on the console and stop the machine (CP shows
/// the stop code; `IPL CMS` starts again).
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut line = crate::low::LineBuf::new();
    let _ = write!(line, "CMS ABEND: {}", info.message());
    if let Some(loc) = info.location() {
        let _ = write!(line, " AT {}:{}", loc.file(), loc.line());
    }
    crate::machine::emergency_write(line.as_str());
    crate::call::stop(0x0BAD)
}
