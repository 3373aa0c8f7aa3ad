//! The VM/370 user directory, `USER DIRECT`: who may log on and what each virtual machine gets.
//!
//! The source file uses the VM/370 Release 6 statements (Planning and System Generation Guide
//! GC20-1801, pp.229-239), read from columns 1-71, free-form and blank-delimited, `*` as the
//! first token for a comment:
//!
//! ```text
//! DIRECTORY cuu devtype volser                         first statement, once
//! USER userid password [stor [maxstor [classes [priority [linend [linedel [chardel [escape]]]]]]]]
//!  ACCOUNT acctno [distcode]                           before the device statements
//!  OPTION REALTIMER ECMODE ISAM VIRT=REAL ACCT SVCOFF BMX CPUID xxxxxx AFFINITY nn
//!         LNKNOPAS STFIRST                             keywords, any order; before devices
//!  IPL cuu|sysname [PARM text]
//!  MACHINE 370|X86                                     this project: the backend (370 default)
//!  CONSOLE vaddr 3215|3210|1052|3066 [class]
//!  SPOOL vaddr 2540 READER|PUNCH [class]   SPOOL vaddr 1403|1443|3203|3211|2501|3505|3525 [class]
//!  LINK userid vaddr1 vaddr2 [mode]
//!  MDISK vaddr devtype startcyl ncyl volser [mode [readpw [writepw [multpw]]]]
//!  DEDICATE vaddr raddr|volser
//!  SPECIAL vaddr 3270|CTCA|TIMER
//! ```
//!
//! Defaults when omitted: storage 256K, maximum storage = storage, class G, priority 50,
//! MDISK mode `W`, LINK mode `R`, machine 370. Password `NOLOG` makes an entry that cannot log
//! on (disk owners, CP's `$ALLOC$`-style allocation entries). Storage is at most 16M for a
//! 370 machine and 1024M for an x86 one. Minidisk modes are `R RR W WR M MR MW`, each with an
//! optional trailing `V`; the passwords are positional, so a write password needs a read
//! password and a multi password needs both; `ALL` lets anyone link without a password.
//!
//! Start with [`parse`]; it returns a [`Directory`] or every [`ParseError`] in the file. Then
//! [`Directory::warnings`] lists allowed-but-suspicious things (overlapping extents between
//! users, links to undefined disks), [`Directory::check_extents`] checks minidisks against the
//! real volumes, and [`Directory::to_text`] writes the canonical text back.

pub(crate) mod card;
mod error;
mod model;
mod parser;
mod text;
mod validate;

pub(crate) use error::Errors;
pub use error::{ErrorKind, ParseError};
pub use model::{
    Access, Account, Classes, Console, DasdType, Dedicate, DedicateTarget, Directory,
    DirectoryVolume, Ipl, IplTarget, Link, LinkMode, Machine, Mdisk, Options, PasswordKind,
    Special, SpecialKind, SpoolClass, SpoolDevice, SpoolKind, Storage, UserEntry, VAddr,
};
pub use parser::parse;
pub(crate) use parser::{dasd_type, machine, operand, volser};
pub use validate::{Extent, ExtentProblem, VolumeInfo, Warning};
