//! One module per page; a page's components and server fns live beside it.

pub mod admin;
pub mod app_list;
pub mod builds;
pub mod deploy;
pub mod editor;
pub mod guides;
pub mod history;
pub mod not_found;
pub mod releases;
pub mod sign_in;
pub mod snippets;
