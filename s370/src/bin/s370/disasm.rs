//! `s370 disasm`: disassemble a flat image.

use std::path::PathBuf;

use anyhow::Context;

/// Options of `s370 disasm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The image file.
    image: PathBuf,
    /// The address of the image's first byte (hexadecimal).
    #[arg(long, default_value = "0", value_parser = parse_hex)]
    origin: u32,
    /// Only this range: START.LEN, both hexadecimal (as CP's DISPLAY writes it).
    #[arg(long)]
    range: Option<String>,
    /// Show BC and BCR with their mask rather than extended mnemonics.
    #[arg(long)]
    no_extended: bool,
}

fn parse_hex(s: &str) -> Result<u32, String> {
    let t = s.trim_start_matches("0x").trim_start_matches("0X");
    u32::from_str_radix(t, 16).map_err(|e| format!("{s}: not hexadecimal ({e})"))
}

/// Runs `s370 disasm`.
pub fn main(args: Args) -> anyhow::Result<()> {
    let image =
        std::fs::read(&args.image).with_context(|| format!("reading {}", args.image.display()))?;
    let end = args.origin as u64 + image.len() as u64;
    let (start, len) = match &args.range {
        Some(r) => {
            let (s, l) = r.split_once('.').context("--range is START.LEN (hexadecimal)")?;
            (parse_hex(s).map_err(anyhow::Error::msg)?, parse_hex(l).map_err(anyhow::Error::msg)?)
        }
        None => (args.origin, image.len() as u32),
    };
    if u64::from(start) < u64::from(args.origin) || u64::from(start) + u64::from(len) > end {
        anyhow::bail!(
            "range {start:06X}.{len:X} is outside the image ({:06X}-{:06X})",
            args.origin,
            end.saturating_sub(1)
        );
    }
    let from = (start - args.origin) as usize;
    let bytes = &image[from..from + len as usize];
    let opts = s370::disasm::Options { extended: !args.no_extended };
    print!("{}", s370::disasm::format(bytes, start, &opts));
    Ok(())
}
