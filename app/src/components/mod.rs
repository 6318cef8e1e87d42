//! Components shared by several pages.

pub mod header;
pub mod shell;
