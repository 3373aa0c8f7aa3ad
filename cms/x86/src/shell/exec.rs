//! EXEC 1 (exec.md).

use alloc::string::String;

use super::{Cms, Host};

impl<H: Host> Cms<'_, H> {
    /// Runs `name EXEC` with `args`.
    pub(super) fn run_exec(&mut self, _name: &str, _args: &[String]) -> i32 {
        0
    }
}
