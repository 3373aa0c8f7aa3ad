// Builds the x86 CMS monitor (`x86/`, `no_std` Rust) with the same `rustc` that builds this
// crate, and turns its ELF file into a flat image the `cms` crate embeds
// ([`cms::x86_image`]).
//
// The monitor is a freestanding program: target `x86_64-unknown-linux-gnu` (the host's own
// `core` and `alloc`), static relocation, `panic=abort`, no C start files or libraries, linked
// by `x86/link.ld` at `X86_LOAD_ADDR` (the end of the KVM backend's system area). The flat
// image is read out of the ELF program headers here, so `cargo build` alone does everything.
// On a host that cannot build it (not x86-64 Linux) the image is empty and CP reports the
// x86 CMS as missing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The address the image is linked at (must match `cms::abi::X86_LOAD_ADDR` and `link.ld`).
const LOAD_ADDR: u64 = 0x1_0000;

pub fn build() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    for p in ["build.rs", "x86", "src/fs", "src/abi.rs"] {
        println!("cargo:rerun-if-changed={}", manifest.join(p).display());
    }
    let host = std::env::var("HOST").unwrap_or_default();
    let image = if host == "x86_64-unknown-linux-gnu" {
        let elf = out.join("cms-x86.elf");
        compile(&manifest, &elf);
        let bytes = std::fs::read(&elf).expect("read the x86 CMS ELF file");
        flatten(&bytes).unwrap_or_else(|e| panic!("x86 CMS ELF file: {e}"))
    } else {
        println!("cargo:warning=x86 CMS not built: host {host} is not x86_64-unknown-linux-gnu");
        Flat { load: LOAD_ADDR, entry: LOAD_ADDR, mem_end: LOAD_ADDR, bytes: Vec::new() }
    };
    std::fs::write(out.join("cms-x86.bin"), &image.bytes).expect("write the flat image");
    let rs = format!(
        "/// Where the image is loaded.\npub const LOAD: u64 = {:#x};\n\
         /// Its entry point.\npub const ENTRY: u64 = {:#x};\n\
         /// The end of its memory (bss included).\npub const MEM_END: u64 = {:#x};\n",
        image.load, image.entry, image.mem_end
    );
    std::fs::write(out.join("cms_x86_image.rs"), rs).expect("write the image constants");
}

fn compile(manifest: &Path, elf: &Path) {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let x86 = manifest.join("x86");
    let script = x86.join("link.ld");
    let status = Command::new(rustc)
        .args(["--edition", "2024", "--crate-type", "bin", "--crate-name", "cms_x86"])
        .args(["--target", "x86_64-unknown-linux-gnu"])
        .args(["-C", "relocation-model=static", "-C", "panic=abort", "-C", "opt-level=2"])
        .args(["-C", "debuginfo=0", "-C", "code-model=small", "-C", "codegen-units=4"])
        .args(["-C", "link-arg=-nostartfiles", "-C", "link-arg=-nostdlib"])
        .args(["-C", "link-arg=-static", "-C", "link-arg=-Wl,--build-id=none"])
        .arg("-C")
        .arg(format!("link-arg=-Wl,-T,{}", script.display()))
        .arg("-o")
        .arg(elf)
        .arg(x86.join("src/main.rs"))
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .status()
        .expect("run rustc for the x86 CMS");
    assert!(status.success(), "building the x86 CMS (cms/x86) failed");
}

/// A flat image: the bytes from `load` up, entry point, end of memory including bss.
struct Flat {
    load: u64,
    entry: u64,
    mem_end: u64,
    bytes: Vec<u8>,
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, String> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| format!("truncated at {at}"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| format!("truncated at {at}"))
}

fn u64_at(b: &[u8], at: usize) -> Result<u64, String> {
    Ok(u64::from(u32_at(b, at)?) | (u64::from(u32_at(b, at + 4)?) << 32))
}

/// Reads the `PT_LOAD` program headers of a 64-bit little-endian ELF executable and lays
/// their file contents out from the lowest address up (gaps and bss are zero).
fn flatten(elf: &[u8]) -> Result<Flat, String> {
    if elf.get(0..4) != Some(b"\x7fELF") || elf.get(4) != Some(&2) || elf.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let entry = u64_at(elf, 24)?;
    let phoff = u64_at(elf, 32)? as usize;
    let phentsize = usize::from(u16_at(elf, 54)?);
    let phnum = usize::from(u16_at(elf, 56)?);
    let mut segs = Vec::new();
    for i in 0..phnum {
        let h = phoff + i * phentsize;
        if u32_at(elf, h)? != 1 {
            continue; // not PT_LOAD
        }
        let offset = u64_at(elf, h + 8)? as usize;
        let paddr = u64_at(elf, h + 24)?;
        let filesz = u64_at(elf, h + 32)? as usize;
        let memsz = u64_at(elf, h + 40)?;
        let data = elf.get(offset..offset + filesz).ok_or("segment outside the file")?;
        segs.push((paddr, data, memsz));
    }
    let load = segs.iter().map(|s| s.0).min().ok_or("no loadable segment")?;
    if load != LOAD_ADDR {
        return Err(format!("linked at {load:#x}, expected {LOAD_ADDR:#x}"));
    }
    let file_end = segs.iter().map(|s| s.0 + s.1.len() as u64).max().unwrap_or(load);
    let mem_end = segs.iter().map(|s| s.0 + s.2).max().unwrap_or(load);
    let mut bytes = vec![0u8; (file_end - load) as usize];
    for (paddr, data, _) in &segs {
        let at = (paddr - load) as usize;
        bytes[at..at + data.len()].copy_from_slice(data);
    }
    Ok(Flat { load, entry, mem_end, bytes })
}
