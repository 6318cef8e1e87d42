//! [`Snippets`]: users' own editor snippets. Anyone signed in uses their own and the shared ones;
//! developers and admins write them (reviewers edit no code, so they keep none); only the owner
//! changes a snippet; the owner or an admin removes it (an admin tidies shared ones).

use crate::error::AppsError;
use crate::service::require_writer;
use domain::Principal;
use domain::Role;
use domain::ports::{SnippetStore, StoreError};
use domain::snippets::{MAX_PER_USER, SnippetDraft, UserSnippet};
use std::sync::Arc;

/// The snippet service. Cheap to clone.
#[derive(Clone)]
pub struct Snippets {
    store: Arc<dyn SnippetStore>,
}

/// A store error in this service's terms (a taken label is a conflict, not an internal failure).
fn stored(err: StoreError) -> AppsError {
    match err {
        StoreError::Conflict(what) => AppsError::StateConflict(format!("you already have {what}")),
        StoreError::NotFound => AppsError::NotFound("no such snippet".into()),
        StoreError::Backend(source) => AppsError::Internal(source.to_string()),
    }
}

impl Snippets {
    pub fn new(store: Arc<dyn SnippetStore>) -> Self {
        Snippets { store }
    }

    /// The actor's own snippets and everyone's shared ones, by label.
    pub async fn list(&self, actor: &Principal) -> Result<Vec<UserSnippet>, AppsError> {
        self.store.visible_snippets(actor.user_id).await.map_err(stored)
    }

    /// Adds a snippet owned by the actor.
    pub async fn create(&self, actor: &Principal, draft: SnippetDraft) -> Result<UserSnippet, AppsError> {
        require_writer(actor)?;
        let draft = draft.checked().map_err(AppsError::Invalid)?;
        if self.store.count_snippets(actor.user_id).await.map_err(stored)? >= MAX_PER_USER as u64 {
            return Err(AppsError::StateConflict(format!(
                "you keep {MAX_PER_USER} snippets already; remove some first"
            )));
        }
        self.store.create_snippet(actor.user_id, &draft).await.map_err(stored)
    }

    /// Replaces the fields of one of the actor's snippets.
    pub async fn update(&self, actor: &Principal, id: i64, draft: SnippetDraft) -> Result<UserSnippet, AppsError> {
        require_writer(actor)?;
        let draft = draft.checked().map_err(AppsError::Invalid)?;
        self.owned(actor, id, false).await?;
        self.store.update_snippet(id, &draft).await.map_err(stored)
    }

    /// Removes a snippet: its owner, or an admin.
    pub async fn delete(&self, actor: &Principal, id: i64) -> Result<(), AppsError> {
        require_writer(actor)?;
        self.owned(actor, id, true).await?;
        self.store.delete_snippet(id).await.map_err(stored)
    }

    /// Checks that the actor may change snippet `id`: 404 when they cannot even see it (someone
    /// else's private snippet looks absent), 403 when they see it but it is not theirs.
    async fn owned(&self, actor: &Principal, id: i64, admin_too: bool) -> Result<(), AppsError> {
        let (snippet, owner_id) = self
            .store
            .find_snippet(id)
            .await
            .map_err(stored)?
            .ok_or_else(|| AppsError::NotFound("no such snippet".into()))?;
        if owner_id == actor.user_id || (admin_too && actor.role == Role::Admin) {
            return Ok(());
        }
        if snippet.shared || actor.role == Role::Admin {
            Err(AppsError::Forbidden(format!("the snippet {:?} belongs to {}", snippet.label, snippet.owner)))
        } else {
            Err(AppsError::NotFound("no such snippet".into()))
        }
    }
}
