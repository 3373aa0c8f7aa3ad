//! The CP command language: the command table, tokens, and (in later files) each command.

pub mod table;
pub mod tokens;
