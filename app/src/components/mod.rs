//! Components shared by several pages.

pub mod app_nav;
pub mod client;
pub mod confirm;
pub mod errors;
pub mod format;
pub mod header;
pub mod page_title;
pub mod record_page;
pub mod shell;
