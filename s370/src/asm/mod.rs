//! The assembler: IBM System/370 assembler language, in the dialect of the OS/VS assembler
//! (IFOX00) that VM/370 was written in, to flat images, object decks and listings.
//!
//! ```
//! use s370::asm::{assemble, Options};
//! let src = "
//! TEST     CSECT
//!          BALR  12,0
//!          USING *,12
//!          L     1,=F'42'
//!          BR    14
//!          END   TEST
//! ";
//! let a = assemble(src, &Options::default()).expect("assembles");
//! assert_eq!(&a.image[..2], &[0x05, 0xC0]);
//! ```
//!
//! From a build script, point [`Options`] at the macro libraries (directories, in-memory
//! members, or a [`Resolver`] callback), assemble, write [`Assembly::image`] or
//! [`Assembly::object`], and print `cargo:rerun-if-changed` for each of
//! [`Assembly::members_read`]. On failure, [`Errors`] displays every error with its line and
//! column, and carries the listing. [`object::link`] combines several assemblies' object
//! decks, resolving their external references, as the CMS loader would.
//!
//! The dialect is IFOX00's, with a few HLASM conveniences that cost nothing: lower-case
//! operation codes and symbols, symbols of up to 63 characters, implicit declaration of
//! SET symbols, computed AGO, `'string'(n,*)` substrings, and tabs (expanded to 8 columns).
//! A negative SETA value is substituted into a model statement without its sign, as on the
//! IBM assemblers. Not supported: COM, DXD, CXD, Q-type constants, AREAD, ICTL with other
//! than the standard columns, PUNCH and REPRO (accepted, ignored).
//!
//! The work is done in phases:
//! - `source`: columns 1-71, continuation in 72, fields; then the macro phase
//!   (`macros`): definitions, libraries, COPY, conditional assembly, expansion;
//! - pass 1 (`pass1`): sections, locations, symbols, literal pools;
//! - pass 2 (`pass2`): operands evaluated (`expr`), USING resolution, instructions
//!   encoded from [`crate::opcode::OPCODES`] (`instr`), constants (`dc`);
//! - outputs: the flat image, the object deck ([`object`]), the listing (`listing`).
//!
//! Every error names its line and column; the assembler never panics on bad input.

mod dc;
mod error;
mod expr;
mod hexfloat;
mod instr;
mod lex;
mod listing;
mod maclib;
mod macros;
pub mod object;
mod ops;
mod pass1;
mod pass2;
mod source;
mod state;
mod stmt;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::{Diagnostic, ERROR, Errors, NOTE, SEVERE, WARNING};

use state::SectKind;

/// A callback that supplies macro and COPY members by name (upper case).
pub type Resolver = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How to assemble.
#[derive(Clone)]
pub struct Options {
    /// The source's name, for messages and the listing heading.
    pub source_name: String,
    /// Directories searched for macro and COPY members (`NAME.macro`, `NAME.mac`,
    /// `NAME.copy`, `NAME.cpy`, either case, or members of `*.maclib` CMS macro libraries).
    pub maclib_dirs: Vec<PathBuf>,
    /// In-memory macro and COPY members, by upper-case name; searched first.
    pub members: HashMap<String, String>,
    /// A callback searched after `members` and before the directories.
    pub resolver: Option<Resolver>,
    /// The value of `&SYSPARM`.
    pub sysparm: String,
    /// The value of `&SYSDATE` (fixed by default, so assemblies are reproducible).
    pub sysdate: String,
    /// The value of `&SYSTIME`.
    pub systime: String,
    /// Listing lines per page (0: one page, no page breaks).
    pub lines_per_page: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            source_name: "SOURCE".into(),
            maclib_dirs: Vec::new(),
            members: HashMap::new(),
            resolver: None,
            sysparm: String::new(),
            sysdate: "01/01/80".into(),
            systime: "00.00".into(),
            lines_per_page: 60,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("source_name", &self.source_name)
            .field("maclib_dirs", &self.maclib_dirs)
            .field("members", &self.members.keys().collect::<Vec<_>>())
            .field("resolver", &self.resolver.is_some())
            .field("sysparm", &self.sysparm)
            .field("lines_per_page", &self.lines_per_page)
            .finish()
    }
}

impl Options {
    /// Adds a macro library directory.
    pub fn maclib(mut self, dir: impl Into<PathBuf>) -> Options {
        self.maclib_dirs.push(dir.into());
        self
    }

    /// Adds an in-memory macro or COPY member.
    pub fn member(mut self, name: &str, text: &str) -> Options {
        self.members.insert(name.to_ascii_uppercase(), text.to_string());
        self
    }

    /// Names the source (for messages and the listing).
    pub fn named(mut self, name: &str) -> Options {
        self.source_name = name.to_string();
        self
    }
}

/// A symbol of a finished assembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its value as assembled (for a relocatable symbol: its address).
    pub value: u32,
    /// Relocatable (an address) rather than absolute.
    pub relocatable: bool,
    /// The section it is in (relocatable symbols).
    pub section: Option<String>,
    /// Length attribute.
    pub length: u32,
    /// Type attribute (`I` instruction, `F` fullword, `C` character, `J` section, `U`...).
    pub type_attr: char,
}

/// What a section of a finished assembly is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// A control section (CSECT, START, or unnamed private code).
    Control,
    /// A dummy section.
    Dummy,
    /// An external reference.
    External,
}

/// A section of a finished assembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Name (empty for private code).
    pub name: String,
    /// Kind.
    pub kind: SectionKind,
    /// Address (control sections).
    pub origin: u32,
    /// Length in bytes.
    pub length: u32,
}

/// A finished assembly.
#[derive(Debug, Clone)]
pub struct Assembly {
    /// The control sections' bytes, from `origin` to the end of the last one (gaps and DS
    /// areas are zero). This is what `s370 run` loads and what an IPL deck carries.
    pub image: Vec<u8>,
    /// The address of `image[0]` (the START operand, else 0).
    pub origin: u32,
    /// The END statement's entry point, if it named one.
    pub entry: Option<u32>,
    /// Every symbol.
    pub symbols: BTreeMap<String, Symbol>,
    /// Sections, in order of definition.
    pub sections: Vec<Section>,
    /// The object deck: 80-byte EBCDIC ESD, TXT, RLD and END records (a CMS TEXT file).
    pub object: Vec<u8>,
    /// The listing.
    pub listing: String,
    /// Warnings and notes (an assembly with errors returns [`Errors`] instead).
    pub diagnostics: Vec<Diagnostic>,
    /// External symbols referred to but not defined here (zero in `image`).
    pub unresolved: Vec<String>,
    /// Every macro and COPY member read from a library (file paths for members found in
    /// directories): what a build script should watch for changes.
    pub members_read: Vec<String>,
}

impl Assembly {
    /// A symbol by name (any case).
    pub fn symbol(&self, name: &str) -> Option<&Symbol> {
        self.symbols.get(&name.to_ascii_uppercase())
    }

    /// A symbol's value by name.
    pub fn value(&self, name: &str) -> Option<u32> {
        self.symbol(name).map(|s| s.value)
    }

    /// The bytes of `image` at address `addr`.
    pub fn bytes_at(&self, addr: u32, len: usize) -> Option<&[u8]> {
        let start = addr.checked_sub(self.origin)? as usize;
        self.image.get(start..start.checked_add(len)?)
    }

    /// The highest severity of the remaining diagnostics (0 if none).
    pub fn max_severity(&self) -> u8 {
        self.diagnostics.iter().map(|d| d.severity).max().unwrap_or(0)
    }
}

/// Assembles a program.
///
/// Returns the assembly, or every diagnostic (and the listing) if any statement has an
/// error of severity 8 or more.
pub fn assemble(source: &str, opts: &Options) -> Result<Assembly, Errors> {
    let out = macros::generate(source, opts);
    let files = out.files;
    let mut asm = state::Asm::new(opts, out.stmts, out.diags);
    asm.pass1();
    asm.pass2();
    let object = object::write(&asm);
    let mut diags: Vec<Diagnostic> = asm
        .diags
        .iter()
        .map(|d| Diagnostic {
            severity: d.sev,
            file: (d.file != 0).then(|| files.get(d.file as usize).cloned().unwrap_or_default()),
            line: d.line.max(1),
            column: d.col.max(1),
            message: d.msg.clone(),
            context: d.context.as_ref().map(|c| c.to_string()),
            statement: d.stmt.map(|s| s as u32 + 1),
        })
        .collect();
    diags.sort_by_key(|d| (d.statement.unwrap_or(u32::MAX), d.line, d.column));
    let listing = listing::write(&asm, &diags, &files);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Errors { diagnostics: diags, listing });
    }
    let mut a = finish(&asm, object, listing, diags);
    a.members_read = files.into_iter().skip(1).collect();
    Ok(a)
}

fn finish(
    asm: &state::Asm<'_>,
    object: Vec<u8>,
    listing: String,
    diagnostics: Vec<Diagnostic>,
) -> Assembly {
    let control: Vec<usize> = (0..asm.sects.len())
        .filter(|&k| matches!(asm.sects[k].kind, SectKind::Csect | SectKind::Private))
        .collect();
    let origin =
        control.iter().map(|&k| asm.sects[k].origin).min().unwrap_or(asm.start.unwrap_or(0));
    let end =
        control.iter().map(|&k| asm.sects[k].origin + asm.sects[k].max).max().unwrap_or(origin);
    let mut image = vec![0u8; (end - origin) as usize];
    for &k in &control {
        let at = (asm.sects[k].origin - origin) as usize;
        let (buf, _) = &asm.text[k];
        image[at..at + buf.len()].copy_from_slice(buf);
    }
    let symbols = asm
        .syms
        .iter()
        .map(|(n, s)| {
            let sect = s.value.simple().map(|x| &asm.sects[x as usize]);
            let sym = Symbol {
                value: (asm.assembled(&s.value) & 0xFFFF_FFFF) as u32,
                relocatable: !s.value.is_abs(),
                section: sect.map(|x| x.name.clone()),
                length: s.len,
                type_attr: s.typ,
            };
            (n.clone(), sym)
        })
        .collect();
    let sections = asm
        .sects
        .iter()
        .map(|s| Section {
            name: s.name.clone(),
            kind: match s.kind {
                SectKind::Csect | SectKind::Private => SectionKind::Control,
                SectKind::Dsect => SectionKind::Dummy,
                SectKind::Extern | SectKind::Weak => SectionKind::External,
            },
            origin: s.origin,
            length: s.max,
        })
        .collect();
    Assembly {
        image,
        origin,
        entry: asm.entry.as_ref().map(|v| (asm.assembled(v) & 0xFF_FFFF) as u32),
        symbols,
        sections,
        object,
        listing,
        diagnostics,
        unresolved: asm.unresolved.clone(),
        members_read: Vec::new(),
    }
}
