//! Instruction handlers, one file per family, one small function per instruction.

pub(crate) mod branch;
pub(crate) mod control;
pub(crate) mod decimal;
pub(crate) mod fixed;
pub(crate) mod float;
pub(crate) mod io;
pub(crate) mod logical;
