//! `cp` — the VM/370 Control Program.
//!
//! CP gives every logged-on user a virtual machine and multiplexes them over a few real
//! processors. It owns the `Backend` trait (one adapter per machine: the S/370 interpreter and
//! x86 on KVM), the dispatcher, the virtual devices and CCW translation, DIAGNOSE, the spool,
//! the directory and system configuration, the CP command language and user sessions. It
//! reaches terminals only through the `terminals` crate's session interface.
//!
//! Status: being built (issues 4 and 5).

pub mod backend;
pub mod clock;
pub mod command;
pub mod config;
pub mod dasd;
pub mod defaults;
pub mod directory;
pub mod dispatch;
pub mod nss;
pub mod recording;
pub mod session;
pub mod setup;
pub mod spool;
pub mod sysdisk;
pub mod system;
pub mod timers;
pub mod user;
pub mod vdev;
pub mod vm;
