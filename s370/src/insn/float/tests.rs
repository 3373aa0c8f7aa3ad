//! Per-instruction case tables.
