//! The conflict view: a save answered "someone changed these files since your version". For each
//! file the server's text (left) and the user's (right, editable, so they can merge by hand) are
//! compared in Monaco's diff editor; the user keeps theirs (as edited) or takes the server's.
//! Nothing typed is lost: until settled, the user's text stays in the working copy and the draft.

use super::bridge::{ClientStorage, Comparison, DiffHost, client_value};
use super::state::{Conflict, Ide, SaveState};
use leptos::prelude::*;

/// The conflict view, shown while a conflict is open.
#[component]
pub fn ConflictView() -> impl IntoView {
    let ide = expect_context::<Ide>();
    view! {
        {move || ide.conflict.with(Option::is_some).then(|| view! { <super::on_demand::ConflictPanelFetched ide/> })}
    }
}

#[component]
pub(super) fn ConflictPanel(ide: Ide) -> impl IntoView {
    let current = Memo::new(move |_| ide.conflict.with(|c| c.as_ref().and_then(Conflict::next).map(str::to_owned)));
    let theirs = Memo::new(move |_| {
        let path = current.get()?;
        ide.conflict.with(|c| c.as_ref().and_then(|c| c.theirs.get(&path).cloned()))
    });
    Effect::new(move |_| {
        if let Some(path) = current.get() {
            ide.load_theirs(&path);
        }
    });
    let host = NodeRef::<leptos::html::Div>::new();
    let diff = diff_editor(ide, host, current, theirs);
    let head = move || ide.conflict.with(|c| c.as_ref().map(|c| c.head.chars().take(8).collect::<String>()));
    let paths = move || ide.conflict.with(|c| c.as_ref().map(|c| c.paths.clone()).unwrap_or_default());
    let keep_mine = move |_| {
        if let Some(path) = current.get_untracked() {
            let mine = diff.with_value(DiffHost::modified_text).or_else(|| mine_text(ide, &path)).unwrap_or_default();
            ide.settle(&path, Some(mine));
        }
    };
    let take_theirs = move |_| {
        if let Some(path) = current.get_untracked() {
            ide.settle(&path, None);
        }
    };
    view! {
        <div class="overlay">
            <section class="conflict" role="dialog" aria-label="Resolve conflicting changes" data-testid="conflict-view">
                <header class="conflict-head">
                    <div>
                        <h2>"Someone saved these files while you were editing"</h2>
                        <p class="muted">
                            "Left: the server's version (" <code>{head}</code> "). Right: yours — edit it to merge by hand. "
                            "Nothing is saved until you choose."
                        </p>
                    </div>
                </header>
                <ul class="conflict-files">
                    {move || paths().into_iter().map(|path| {
                        let (p1, p2) = (path.clone(), path.clone());
                        let settled = move || ide.conflict.with(|c| c.as_ref().is_some_and(|c| c.settled.contains_key(&p1)));
                        view! {
                            <li class:current=move || current.get().as_deref() == Some(p2.as_str()) data-testid="conflict-file">
                                {path}{move || settled().then_some(" ✓")}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || (theirs.get().is_some_and(|t| t.is_none())).then(|| view! {
                    <p class="banner banner-info">"The server deleted this file (or it is no longer text). Keeping yours adds it back."</p>
                })}
                <div class="conflict-editor" node_ref=host data-testid="conflict-editor"></div>
                <footer class="conflict-actions">
                    <button class="button" data-testid="take-theirs" on:click=take_theirs>"Take the server's version"</button>
                    <button class="button button-primary" data-testid="keep-mine" on:click=keep_mine>"Keep mine (as shown on the right)"</button>
                </footer>
            </section>
        </div>
    }
}

/// The user's text of `path` from the working copy.
fn mine_text(ide: Ide, path: &str) -> Option<String> {
    ide.copy.with_untracked(|c| c.file(path).and_then(|f| f.current()).map(str::to_owned))
}

/// Keeps a Monaco diff editor in `host` showing the server's and the user's text of the current
/// path.
fn diff_editor(
    ide: Ide,
    host: NodeRef<leptos::html::Div>,
    current: Memo<Option<String>>,
    theirs: Memo<Option<Option<String>>>,
) -> StoredValue<DiffHost, ClientStorage> {
    let slot = client_value(DiffHost::default());
    Effect::new(move |_| {
        let (Some(_), Some(path), Some(theirs)) = (host.get(), current.get(), theirs.get()) else { return };
        let mine = mine_text(ide, &path).unwrap_or_default();
        leptos::task::spawn_local(async move {
            let comparison = Comparison {
                labels: ["theirs", "mine"],
                path,
                original: theirs.unwrap_or_default(),
                modified: mine,
                editable: true,
                side_by_side: true,
            };
            if let Err(message) = DiffHost::show(slot, host, comparison).await {
                ide.save_state.set(SaveState::Failed(message));
            }
        });
    });
    slot
}
