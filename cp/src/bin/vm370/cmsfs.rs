//! `vm370 cmsfs`: list, copy in and out, and format CMS minidisks in Hercules CKD images.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args as ClapArgs, Subcommand};
use cms::fs::{CmsDisk, FileId, FileMode, RecFm, Timestamp, WriteMode};
use cp::dasd::MinidiskBlocks;
use s370::devices::ckd::{DasdType, Volume};

/// Options of `vm370 cmsfs`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// Where on the image the minidisk is.
#[derive(Debug, Clone, ClapArgs)]
struct Extent {
    /// First cylinder of the minidisk on the volume (default 0).
    #[arg(long, default_value_t = 0)]
    start: u32,
    /// Cylinders of the minidisk (default: to the end of the volume).
    #[arg(long)]
    cylinders: Option<u32>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the files (like LISTFILE * * A (LABEL).
    Ls {
        /// The image (`.ckd`, or `.ckd.gz` read from a temporary copy).
        image: PathBuf,
        #[command(flatten)]
        extent: Extent,
    },
    /// Copy a file out (text converted from EBCDIC, one line per record; --binary for raw).
    Get {
        /// The image.
        image: PathBuf,
        /// File name.
        fname: String,
        /// File type.
        ftype: String,
        /// Output file (default: standard output).
        out: Option<PathBuf>,
        /// Raw records, V records with their halfword length.
        #[arg(long)]
        binary: bool,
        #[command(flatten)]
        extent: Extent,
    },
    /// Copy a host text file in (one record per line, converted to EBCDIC).
    Put {
        /// The image.
        image: PathBuf,
        /// The host file.
        file: PathBuf,
        /// File name.
        fname: String,
        /// File type.
        ftype: String,
        /// Record format F or V.
        #[arg(long, default_value = "V")]
        recfm: String,
        /// Record length for F (default 80).
        #[arg(long, default_value_t = 80)]
        lrecl: u32,
        /// File mode (default A1).
        #[arg(long, default_value = "A1")]
        mode: String,
        /// Replace an existing file.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        extent: Extent,
    },
    /// Format a minidisk (creating a 3350 image of --create cylinders if it does not exist).
    Format {
        /// The image.
        image: PathBuf,
        /// The disk label (1-6 characters).
        label: String,
        /// Create the image with this many cylinders.
        #[arg(long)]
        create: Option<u32>,
        #[command(flatten)]
        extent: Extent,
    },
}

fn open(image: &Path, writable: bool) -> anyhow::Result<(Arc<Volume>, Option<tempfile::TempDir>)> {
    if image.extension().is_some_and(|e| e == "gz") {
        if writable {
            bail!("{}: a compressed image is read-only; decompress it first", image.display());
        }
        let tmp = tempfile::tempdir()?;
        let copy = tmp.path().join("image.ckd");
        let vol = Volume::open_gz(image, &copy)
            .with_context(|| format!("opening {}", image.display()))?;
        return Ok((Arc::new(vol), Some(tmp)));
    }
    let vol =
        Volume::open(image, !writable).with_context(|| format!("opening {}", image.display()))?;
    Ok((Arc::new(vol), None))
}

fn blocks(vol: Arc<Volume>, e: &Extent) -> anyhow::Result<MinidiskBlocks> {
    let total = vol.cylinders();
    let n = e.cylinders.unwrap_or(total.saturating_sub(e.start));
    if n == 0 || e.start + n > total {
        bail!("extent {}+{} is outside the volume's {} cylinders", e.start, n, total);
    }
    Ok(MinidiskBlocks::new(vol, e.start, n))
}

fn now_stamp() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let c = cp::clock::Zone::default().civil(secs);
    Timestamp::new(c.year as u32, c.month, c.day, c.hour, c.minute)
}

/// Runs `vm370 cmsfs`.
pub fn main(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Ls { image, extent } => {
            let (vol, _tmp) = open(&image, false)?;
            let mut disk =
                CmsDisk::mount(blocks(vol, &extent)?).map_err(|e| anyhow::anyhow!("{e}"))?;
            use std::fmt::Write as _;
            let st = disk.status();
            let mut out = String::new();
            let _ = writeln!(
                out,
                "LABEL {}  {} CYL  BLOCKS {} USED {} LEFT {}  FILES {}",
                st.label, st.cylinders, st.blocks, st.used, st.left, st.files
            );
            let _ =
                writeln!(out, "FILENAME FILETYPE FM FORMAT  LRECL    RECS BLOCKS DATE     TIME");
            let mut files: Vec<_> = disk.files().collect();
            files.sort_by_key(|a| a.id.to_string());
            for f in files {
                let (fname, ftype) = (f.id.fname.to_text(), f.id.ftype.to_text());
                let _ = writeln!(
                    out,
                    "{fname:<8} {ftype:<8} {:<2} {:<6} {:>6} {:>7} {:>6} {}",
                    f.mode().map_or("??".into(), |m| m.to_string()),
                    match f.recfm {
                        RecFm::F => "F".to_string(),
                        RecFm::V => "V".to_string(),
                        RecFm::Unknown(b) => format!("{b:02X}"),
                    },
                    f.lrecl,
                    f.records,
                    f.blocks,
                    f.stamp
                );
            }
            let _ = &mut disk;
            let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
        }
        Command::Get { image, fname, ftype, out, binary, extent } => {
            let (vol, _tmp) = open(&image, false)?;
            let mut disk =
                CmsDisk::mount(blocks(vol, &extent)?).map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = FileId::new(&fname, &ftype).map_err(|e| anyhow::anyhow!("{e}"))?;
            let fst =
                disk.find(&id).with_context(|| format!("FILE '{fname} {ftype}' NOT FOUND"))?;
            let recs = disk.read_records(&id).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut bytes = Vec::new();
            for r in recs {
                if binary {
                    if fst.recfm == RecFm::V {
                        bytes.extend_from_slice(&(r.len() as u16).to_be_bytes());
                    }
                    bytes.extend_from_slice(&r);
                } else {
                    let line = s370::ebcdic::to_string(&r);
                    bytes.extend_from_slice(line.trim_end().as_bytes());
                    bytes.push(b'\n');
                }
            }
            match out {
                Some(p) => {
                    std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?
                }
                None => {
                    let _ = std::io::Write::write_all(&mut std::io::stdout(), &bytes);
                }
            }
        }
        Command::Put { image, file, fname, ftype, recfm, lrecl, mode, replace, extent } => {
            let (vol, _tmp) = open(&image, true)?;
            let mut disk =
                CmsDisk::mount(blocks(vol, &extent)?).map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = FileId::new(&fname, &ftype).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mode = FileMode::parse(&mode).map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let recfm = match recfm.to_ascii_uppercase().as_str() {
                "F" => RecFm::F,
                "V" => RecFm::V,
                other => bail!("record format {other}: F or V"),
            };
            let recs: Vec<Vec<u8>> = text
                .lines()
                .map(|l| {
                    let mut b = s370::ebcdic::from_str(l);
                    if recfm == RecFm::F {
                        b.resize(lrecl as usize, 0x40);
                    } else if b.is_empty() {
                        b.push(0x40);
                    }
                    b
                })
                .collect();
            let how = if replace { WriteMode::Replace } else { WriteMode::New };
            disk.write_file(id, mode, recfm, lrecl, how, recs, now_stamp())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Command::Format { image, label, create, extent } => {
            if let Some(cyls) = create
                && !image.exists()
            {
                let volser: String = label.chars().take(6).collect();
                let dt = DasdType::by_name("3350").context("3350 geometry")?;
                Volume::create(&image, dt, cyls, &volser.to_ascii_uppercase())
                    .with_context(|| format!("creating {}", image.display()))?;
            }
            let (vol, _tmp) = open(&image, true)?;
            let md = blocks(vol, &extent)?;
            md.format_tracks().map_err(|e| anyhow::anyhow!(e))?;
            let disk = CmsDisk::format(md, &label.to_ascii_uppercase())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{} CYLINDERS FORMATTED, LABEL {}", disk.status().cylinders, disk.label());
        }
    }
    Ok(())
}
