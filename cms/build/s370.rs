// Builds the S/370 CMS nucleus from its assembler source (`s370/`) with the project's own
// assembler, links the nucleus-resident programs (`s370/resident/*.assemble`: the EXEC
// interpreter, the editor) behind it, and writes the image and its constants to `OUT_DIR`
// for `cms::s370`.
//
// Layout checks the assembler cannot make itself (it has no location-dependent conditional
// assembly) are made here: the low nucleus must end below the transient area (X'E000'), and
// everything, resident programs included, below the user area (X'20000').

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use s370::asm::{Assembly, Options, assemble, object};

/// The transient area, which the low part of the nucleus must not reach.
const TRANSIENT: u32 = 0xE000;
/// The user area, where nothing of the nucleus may be.
const USER_AREA: u32 = 0x20000;
/// Entries in the resident program table (`RESTAB` in the nucleus).
const RESTAB_ENTRIES: usize = 8;

pub fn build() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("s370");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={}", root.display());
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    for d in ["macros", "nucleus", "maclib", "resident", "ipl", "samples"] {
        watch_dir(&root.join(d));
    }

    let stamp = build_stamp();
    let mut opts = Options::default()
        .named("CMS370")
        .maclib(root.join("macros"))
        .maclib(root.join("nucleus"))
        .maclib(root.join("maclib"));
    opts.sysparm = stamp.clone();
    opts.lines_per_page = 0;
    let nuc = assemble_or_die(&root.join("cms.assemble"), &opts, &out);
    let sym = |name: &str| -> u32 {
        nuc.value(name).unwrap_or_else(|| panic!("the nucleus has no symbol {name}"))
    };
    let low_end = sym("NUCLOWND");
    let nuc_end = sym("NUCEND");
    if low_end > TRANSIENT {
        panic!(
            "the low nucleus ends at X'{low_end:05X}', past the transient area at X'{TRANSIENT:05X}': \
             move a module from the low group to the high group in cms.assemble"
        );
    }

    // The image from address 0 to the end of the nucleus; resident programs follow.
    let mut image = vec![0u8; nuc.origin as usize];
    image.extend_from_slice(&nuc.image);
    let mut next = nuc_end.next_multiple_of(8);
    image.resize(next as usize, 0);
    let mut table: Vec<(String, u32, u32)> = Vec::new();
    let mut residents: Vec<PathBuf> = list(&root.join("resident"), "assemble");
    residents.sort();
    if residents.len() > RESTAB_ENTRIES {
        panic!("more than {RESTAB_ENTRIES} resident programs");
    }
    for path in &residents {
        let name =
            path.file_stem().and_then(|s| s.to_str()).expect("a file name").to_ascii_uppercase();
        // A program's COPY members: resident/<name>/, then resident/ (shared by them all).
        let mut ropts = Options::default()
            .named(&name)
            .maclib(root.join("resident").join(name.to_ascii_lowercase()))
            .maclib(root.join("resident"))
            .maclib(root.join("maclib"))
            .maclib(root.join("macros"));
        ropts.lines_per_page = 0;
        let a = assemble_or_die(path, &ropts, &out);
        let loaded = object::link(&[a.object.as_slice()], next)
            .unwrap_or_else(|e| panic!("linking resident program {name}: {e}"));
        let entry = loaded.entry.unwrap_or(next);
        image.resize(next as usize, 0);
        image.extend_from_slice(&loaded.image);
        table.push((name, entry, loaded.image.len() as u32));
        next = (next + loaded.image.len() as u32).next_multiple_of(8);
    }
    if next > USER_AREA {
        panic!(
            "the nucleus and its resident programs end at X'{next:05X}', past the user area \
             at X'{USER_AREA:05X}'"
        );
    }
    // Fill RESTAB: CL8 name, A(entry), F length per program; an X'FF' name ends the table.
    let restab = sym("RESTABLE") as usize;
    for (i, (name, entry, len)) in table.iter().enumerate() {
        let at = restab + i * 16;
        let mut n = s370::ebcdic::from_str(&format!("{name:<8}"));
        n.truncate(8);
        image[at..at + 8].copy_from_slice(&n);
        image[at + 8..at + 12].copy_from_slice(&entry.to_be_bytes());
        image[at + 12..at + 16].copy_from_slice(&len.to_be_bytes());
    }
    image[restab + table.len() * 16..restab + table.len() * 16 + 8].fill(0xFF);
    std::fs::write(out.join("cms370.bin"), &image).expect("writing the nucleus image");

    // The IPL records for a disk (blocks 1 and 2).
    let mut iopts = Options::default().named("IPLBOOT").maclib(root.join("macros"));
    iopts.lines_per_page = 0;
    let boot = assemble_or_die(&root.join("ipl/iplboot.assemble"), &iopts, &out);
    let bsym = |name: &str| -> u32 {
        boot.value(name).unwrap_or_else(|| panic!("the IPL records have no symbol {name}"))
    };
    let (boot_at, boot_end, boot_parm) = (bsym("BOOT"), bsym("BTEND"), bsym("BTPARM"));
    if boot.origin + 800 != boot_at
        || boot_at != USER_AREA
        || boot_end - boot_at > 800
        || boot.image.len() > 1600
    {
        panic!(
            "the IPL records must be record 1 (800 bytes) then the bootstrap at X'{USER_AREA:05X}' \
             in at most 800 bytes: BOOT is at X'{boot_at:05X}', it ends at X'{boot_end:05X}'"
        );
    }
    let mut records = boot.image.clone();
    records.resize(1600, 0);
    std::fs::write(out.join("iplboot.bin"), &records).expect("writing the IPL records");

    // Constants for cms::s370.
    let mut rs = String::new();
    let _ = writeln!(rs, "/// Address of the first instruction CMS runs at IPL.");
    let _ = writeln!(rs, "pub const ENTRY: u32 = 0x{:X};", sym("DMSINIT"));
    let _ = writeln!(rs, "/// First byte after the nucleus and its resident programs.");
    let _ = writeln!(rs, "pub const END: u32 = 0x{next:X};");
    let _ = writeln!(rs, "/// Offset in the IPL records of the bootstrap's parameter block.");
    let _ = writeln!(rs, "pub const IPL_PARM_OFFSET: usize = {};", boot_parm - boot.origin);
    let _ = writeln!(rs, "/// The build stamp in the version banner.");
    let _ = writeln!(rs, "pub const BUILD_STAMP: &str = {stamp:?};");
    let _ = writeln!(rs, "/// The resident programs: name, entry point, length.");
    let _ = writeln!(rs, "pub const RESIDENT: &[(&str, u32, u32)] = &[");
    for (n, e, l) in &table {
        let _ = writeln!(rs, "    ({n:?}, 0x{e:X}, {l}),");
    }
    let _ = writeln!(rs, "];");
    let _ = writeln!(rs, "/// The macro library members (name, text) shipped for user programs.");
    let _ = writeln!(rs, "pub const MACLIB: &[(&str, &str)] = &[");
    let mut macs: Vec<PathBuf> = list(&root.join("maclib"), "macro");
    macs.sort();
    for m in &macs {
        let name = m.file_stem().and_then(|s| s.to_str()).expect("a name").to_ascii_uppercase();
        let _ = writeln!(rs, "    ({name:?}, include_str!({:?})),", m.display().to_string());
    }
    let _ = writeln!(rs, "];");
    // Sample programs for the S-disk: source and the TEXT deck the assembler makes of it.
    let _ = writeln!(rs, "/// Sample programs shipped on the S-disk: name, source, TEXT deck.");
    let _ = writeln!(rs, "pub const SAMPLES: &[(&str, &str, &[u8])] = &[");
    let mut samples: Vec<PathBuf> = list(&root.join("samples"), "assemble");
    samples.sort();
    for src in &samples {
        let name = src.file_stem().and_then(|s| s.to_str()).expect("a name").to_ascii_uppercase();
        let sopts = Options::default().named(&name).maclib(root.join("maclib"));
        let a = assemble_or_die(src, &sopts, &out);
        let deck = out.join(format!("sample-{name}.text"));
        std::fs::write(&deck, &a.object).expect("writing a sample TEXT deck");
        let _ = writeln!(
            rs,
            "    ({name:?}, include_str!({:?}), include_bytes!({:?})),",
            src.display().to_string(),
            deck.display().to_string()
        );
    }
    let _ = writeln!(rs, "];");
    let symbols: BTreeMap<&str, u32> =
        ["NUCON", "NUCLOWND", "NUCEND", "RESTABLE"].iter().map(|&n| (n, sym(n))).collect();
    let _ = writeln!(rs, "/// Addresses of nucleus landmarks (for tests and dumps).");
    let _ = writeln!(rs, "pub const LANDMARKS: &[(&str, u32)] = &[");
    for (n, v) in &symbols {
        let _ = writeln!(rs, "    ({n:?}, 0x{v:X}),");
    }
    let _ = writeln!(rs, "];");
    std::fs::write(out.join("cms370.rs"), rs).expect("writing cms370.rs");
}

/// The nucleus's identification date when `SOURCE_DATE_EPOCH` does not give one: fixed, so
/// that the same source always builds the same image and recorded sessions showing the CMS
/// banner replay on any build (2026-11-24 00:00 UTC).
const RELEASE_EPOCH: i64 = 1_795_478_400;

/// `mm/dd/yy hh:mm` of `SOURCE_DATE_EPOCH` (or of [`RELEASE_EPOCH`]), UTC.
fn build_stamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(RELEASE_EPOCH);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{m:02}/{d:02}/{:02} {:02}:{:02}", y.rem_euclid(100), rem / 3600, rem % 3600 / 60)
}

fn assemble_or_die(path: &Path, opts: &Options, out: &Path) -> Assembly {
    let src =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("x").to_string();
    match assemble(&src, opts) {
        Ok(a) => {
            let _ = std::fs::write(out.join(format!("{stem}.listing")), &a.listing);
            // Warnings are errors here: a line running into column 72 silently continues
            // onto the next one, and that must never pass unnoticed.
            let warnings: Vec<String> =
                a.diagnostics.iter().filter(|d| d.severity >= 4).map(|d| d.to_string()).collect();
            if !warnings.is_empty() {
                panic!("assembling {} gave warnings:\n{}", path.display(), warnings.join("\n"));
            }
            a
        }
        Err(e) => {
            let _ = std::fs::write(out.join(format!("{stem}.listing")), &e.listing);
            let shown: Vec<String> = e
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .take(40)
                .map(|d| d.to_string())
                .collect();
            panic!(
                "assembling {} failed ({} errors; listing in {}):\n{}",
                path.display(),
                e.diagnostics.iter().filter(|d| d.is_error()).count(),
                out.join(format!("{stem}.listing")).display(),
                shown.join("\n")
            );
        }
    }
}

fn list(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default()
}

fn watch_dir(dir: &Path) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            println!("cargo:rerun-if-changed={}", e.path().display());
        }
    }
}
