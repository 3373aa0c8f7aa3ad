//! EDIT (edit.md).

use alloc::string::String;

use super::{Cms, Host};

impl<H: Host> Cms<'_, H> {
    /// `EDIT fn ft [fm]`.
    pub(super) fn edit(&mut self, _args: &[String]) -> i32 {
        0
    }
}
