//! `s370 asm`: assemble a source file into a flat image, an object deck and a listing.

use std::path::PathBuf;

use anyhow::Context;

/// Options of `s370 asm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The source file.
    file: PathBuf,
    /// Where to write the flat image (default: the source file with extension `.bin`).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Write the object deck (a CMS TEXT file: 80-byte EBCDIC records) here.
    #[arg(long)]
    object: Option<PathBuf>,
    /// Write the listing here.
    #[arg(long)]
    listing: Option<PathBuf>,
    /// A macro library directory (repeatable).
    #[arg(long = "maclib")]
    maclib: Vec<PathBuf>,
    /// The value of &SYSPARM.
    #[arg(long, default_value = "")]
    sysparm: String,
}

/// Runs `s370 asm`.
pub fn main(args: Args) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let source = String::from_utf8_lossy(&bytes);
    let name = args
        .file
        .file_name()
        .map_or_else(|| "SOURCE".to_string(), |n| n.to_string_lossy().into_owned());
    let mut opts = s370::asm::Options {
        source_name: name.clone(),
        sysparm: args.sysparm.clone(),
        ..Default::default()
    };
    opts.maclib_dirs = args.maclib.clone();
    if let Some(dir) = args.file.parent() {
        // The source's own directory is searched last, for COPY members beside it.
        opts.maclib_dirs.push(if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        });
    }
    match s370::asm::assemble(&source, &opts) {
        Ok(a) => {
            for d in &a.diagnostics {
                eprintln!("{name}: {d}");
            }
            let out = args.output.clone().unwrap_or_else(|| args.file.with_extension("bin"));
            std::fs::write(&out, &a.image).with_context(|| format!("writing {}", out.display()))?;
            if let Some(p) = &args.object {
                std::fs::write(p, &a.object).with_context(|| format!("writing {}", p.display()))?;
            }
            if let Some(p) = &args.listing {
                std::fs::write(p, &a.listing)
                    .with_context(|| format!("writing {}", p.display()))?;
            }
            let entry = a.entry.map_or_else(|| "none".to_string(), |e| format!("{e:06X}"));
            eprintln!(
                "{name}: {} bytes at {:06X}, entry {entry}, {} object records, highest severity {}",
                a.image.len(),
                a.origin,
                a.object.len() / 80,
                a.max_severity()
            );
            Ok(())
        }
        Err(e) => {
            for d in &e.diagnostics {
                eprintln!("{name}: {d}");
            }
            if let Some(p) = &args.listing {
                std::fs::write(p, &e.listing)
                    .with_context(|| format!("writing {}", p.display()))?;
            }
            let n = e.diagnostics.iter().filter(|d| d.is_error()).count();
            anyhow::bail!("{name}: assembly failed with {n} error(s)")
        }
    }
}
