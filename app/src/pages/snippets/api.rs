//! The server fns of the snippets page and the editor's snippet picker; they call the same
//! `apps::Snippets` service as the REST API (ownership and roles are enforced there).

#[cfg(feature = "ssr")]
use crate::services::{shown, snippets_service};
use domain::snippets::{SnippetDraft, UserSnippet};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The snippets a user may use, and whether they may write their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetList {
    pub me: String,
    pub can_write: bool,
    /// Admins may remove anyone's shared snippets.
    pub admin: bool,
    pub items: Vec<UserSnippet>,
}

#[server(prefix = "/rpc", input = Json)]
pub async fn load_snippets() -> Result<SnippetList, ServerFnError> {
    let (principal, snippets) = snippets_service()?;
    let items = snippets.list(&principal).await.map_err(shown)?;
    Ok(SnippetList {
        me: principal.username.to_string(),
        can_write: apps::require_writer(&principal).is_ok(),
        admin: principal.role == domain::Role::Admin,
        items,
    })
}

/// Adds a snippet (`id` absent) or replaces one of the user's.
#[server(prefix = "/rpc", input = Json)]
pub async fn save_snippet(id: Option<i64>, draft: SnippetDraft) -> Result<UserSnippet, ServerFnError> {
    let (principal, snippets) = snippets_service()?;
    match id {
        Some(id) => snippets.update(&principal, id, draft).await,
        None => snippets.create(&principal, draft).await,
    }
    .map_err(shown)
}

#[server(prefix = "/rpc", input = Json)]
pub async fn delete_snippet(id: i64) -> Result<(), ServerFnError> {
    let (principal, snippets) = snippets_service()?;
    snippets.delete(&principal, id).await.map_err(shown)
}
