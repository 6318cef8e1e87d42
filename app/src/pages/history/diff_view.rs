//! Two versions of an app side by side: the files that differ, and for the chosen one Monaco's
//! diff editor (side by side or inline). Used by the commit page and the compare page.

use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::query_value;
use crate::pages::editor::api::file_text;
use crate::pages::editor::bridge::{Comparison, DiffHost, client_value};
use domain::history::{ChangeStatus, ChangedFile};
use leptos::prelude::*;

/// The changed files between `from` (`None`: nothing, for a first commit) and `to`.
#[component]
pub fn DiffView(
    slug: String,
    from: Option<String>,
    to: String,
    files: Vec<ChangedFile>,
    #[prop(optional)] path: Option<String>,
) -> impl IntoView {
    let first = path
        .filter(|p| files.iter().any(|f| f.path.as_str() == p))
        .or_else(|| files.first().map(|f| f.path.to_string()));
    let selected = RwSignal::new(first);
    let side_by_side = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let host = NodeRef::<leptos::html::Div>::new();
    let slot = client_value(DiffHost::default());
    let files = StoredValue::new(files);
    let (slug, from, to) = (StoredValue::new(slug), StoredValue::new(from), StoredValue::new(to));

    Effect::new(move |_| {
        let (Some(_), Some(path)) = (host.get(), selected.get()) else { return };
        let Some(file) = files.with_value(|f| f.iter().find(|f| f.path.as_str() == path).cloned()) else { return };
        let side_by_side = side_by_side.get_untracked();
        // Read now: the task may finish after this view is gone.
        let (slug, from, to) = (slug.get_value(), from.get_value(), to.get_value());
        leptos::task::spawn_local(async move {
            match texts(slug, from, to, &file).await {
                Ok((original, modified)) => {
                    error.set(None);
                    let comparison = Comparison {
                        labels: ["original", "modified"],
                        path,
                        original,
                        modified,
                        editable: false,
                        side_by_side,
                    };
                    if let Err(message) = DiffHost::show(slot, host, comparison).await {
                        error.set(Some(message));
                    }
                }
                Err(message) => error.set(Some(message)),
            }
        });
    });
    Effect::new(move |_| {
        let side_by_side = side_by_side.get();
        slot.with_value(|host| host.set_side_by_side(side_by_side));
    });

    let empty = files.with_value(Vec::is_empty);
    view! {
        <div class="diff-view" data-testid="diff-view">
            <aside class="diff-files" aria-label="Changed files">
                {empty.then(|| view! { <p class="muted page-pad">"No file differs."</p> })}
                <ul>
                    {files.get_value().into_iter().map(|file| {
                        let path = file.path.to_string();
                        let (p1, p2, label) = (path.clone(), path.clone(), path.clone());
                        let status = status_label(file.status);
                        view! {
                            <li>
                                <button class="diff-file" data-testid="diff-file" data-path=path.clone()
                                    class:selected=move || selected.with(|s| s.as_deref() == Some(p1.as_str()))
                                    on:click=move |_| selected.set(Some(p2.clone()))>
                                    <span class=format!("status status-{status}") title=status>{status[..1].to_uppercase()}</span>
                                    <span class="diff-file-path">{label}</span>
                                    <span class="plus">"+" {file.additions}</span>
                                    <span class="minus">"−" {file.deletions}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </aside>
            <section class="diff-main">
                <div class="diff-toolbar">
                    <span class="mono">{move || selected.get().unwrap_or_default()}</span>
                    {move || selected.get().map(|path| {
                        let (slug, to, path) = (slug.get_value(), to.get_value(), query_value(&path));
                        view! {
                            <a href=format!("/apps/{slug}?rev={to}&path={path}") data-testid="view-file">"View file"</a>
                            <a href=format!("/apps/{slug}/history?path={path}")>"File history"</a>
                            <a href=format!("/apps/{slug}/blame?path={path}&rev={to}") data-testid="blame-link">"Blame"</a>
                        }
                    })}
                    <span class="spacer"></span>
                    <div class="segmented" role="group" aria-label="Diff layout">
                        <button class:on=move || side_by_side.get() data-testid="diff-side-by-side"
                            aria-pressed=move || side_by_side.get().to_string() on:click=move |_| side_by_side.set(true)>"Side by side"</button>
                        <button class:on=move || !side_by_side.get() data-testid="diff-inline"
                            aria-pressed=move || (!side_by_side.get()).to_string() on:click=move |_| side_by_side.set(false)>"Inline"</button>
                    </div>
                </div>
                {move || error.get().map(|message| view! { <ErrorBanner message/> })}
                <div class="diff-editor" node_ref=host data-testid="diff-editor"></div>
            </section>
        </div>
    }
}

fn status_label(status: ChangeStatus) -> &'static str {
    match status {
        ChangeStatus::Added => "added",
        ChangeStatus::Deleted => "deleted",
        ChangeStatus::Modified => "modified",
        ChangeStatus::Renamed => "renamed",
    }
}

/// The file's text on each side (empty where it did not exist).
async fn texts(slug: String, from: Option<String>, to: String, file: &ChangedFile) -> Result<(String, String), String> {
    if file.binary {
        return Err(format!("{} is not text; there is no line diff to show.", file.path));
    }
    let old_path = file.old_path.as_ref().unwrap_or(&file.path).to_string();
    let original = match (&from, file.status) {
        (Some(from), status) if status != ChangeStatus::Added => {
            file_text(slug.clone(), from.clone(), old_path).await.map_err(|e| readable(&e))?.unwrap_or_default()
        }
        _ => String::new(),
    };
    let modified = if file.status == ChangeStatus::Deleted {
        String::new()
    } else {
        file_text(slug, to, file.path.to_string()).await.map_err(|e| readable(&e))?.unwrap_or_default()
    };
    Ok((original, modified))
}
