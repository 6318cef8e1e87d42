//! The file tree: folders fold, files open in a tab; new file, new folder, rename (F2) and
//! delete (Delete) work on the selected row. Every change waits in the working copy for the save.

use super::state::Ide;
use super::tree::{Node, ancestors, build};
use crate::components::errors::ErrorBanner;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// An operation waiting for a name in the tree's input row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    NewFile,
    NewFolder,
    Rename(String),
}

#[derive(Clone, Copy)]
struct TreeState {
    ide: Ide,
    expanded: RwSignal<BTreeSet<String>>,
    selected: RwSignal<Option<String>>,
}

/// The file tree with its toolbar.
#[component]
pub fn FileTree() -> impl IntoView {
    let ide = expect_context::<Ide>();
    let state = TreeState { ide, expanded: RwSignal::new(BTreeSet::new()), selected: RwSignal::new(None) };
    let pending = RwSignal::new(None::<Pending>);
    let error = RwSignal::new(None::<String>);
    // The active file's folders unfold, and its row is selected.
    Effect::new(move |_| {
        if let Some(active) = ide.tabs.with(|t| t.active.clone()) {
            state.expanded.update(|e| e.extend(ancestors(&active)));
            state.selected.set(Some(active));
        }
    });
    // Only a new, renamed or deleted file redraws the tree, not every keystroke.
    let paths = Memo::new(move |_| {
        let mut paths: Vec<String> = ide.copy.with(|c| c.paths().map(str::to_owned).collect());
        paths.extend(ide.folders.with(|f| f.iter().map(|f| format!("{f}/")).collect::<Vec<_>>()));
        paths
    });
    let deleted = Memo::new(move |_| ide.copy.with(|c| c.deleted().map(str::to_owned).collect::<Vec<_>>()));

    let start = move |op: Pending| {
        error.set(None);
        pending.set(Some(op));
    };
    let delete_selected = move || {
        if let Some(path) = state.selected.get_untracked()
            && crate::components::confirm::confirm(&format!("Delete {path}? (Nothing is gone until you save.)"))
        {
            ide.delete(&path);
            state.selected.set(None);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ide.read_only || pending.get_untracked().is_some() {
            return;
        }
        match ev.key().as_str() {
            "F2" => {
                if let Some(path) = state.selected.get_untracked() {
                    ev.prevent_default();
                    start(Pending::Rename(path));
                }
            }
            "Delete" => {
                ev.prevent_default();
                delete_selected();
            }
            _ => {}
        }
    };
    view! {
        <div class="tree" data-testid="file-tree" on:keydown=on_key>
            <div class="tree-head">
                <span class="tree-title">"Files"</span>
                {(!ide.read_only).then(|| view! {
                    <div class="tree-tools">
                        <button class="icon-button" title="New file" aria-label="New file" data-testid="new-file"
                            on:click=move |_| start(Pending::NewFile)>"+"</button>
                        <button class="icon-button" title="New folder" aria-label="New folder" data-testid="new-folder"
                            on:click=move |_| start(Pending::NewFolder)>"⊞"</button>
                        <button class="icon-button" title="Rename (F2)" aria-label="Rename" data-testid="rename"
                            disabled=move || state.selected.with(Option::is_none)
                            on:click=move |_| if let Some(p) = state.selected.get_untracked() { start(Pending::Rename(p)) }>"✎"</button>
                        <button class="icon-button" title="Delete (Del)" aria-label="Delete" data-testid="delete"
                            disabled=move || state.selected.with(Option::is_none)
                            on:click=move |_| delete_selected()>"✕"</button>
                    </div>
                })}
            </div>
            {move || pending.get().map(|op| view! { <NameInput op state pending error/> })}
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            <ul class="tree-list" role="tree">
                {move || rows(build(paths.get().iter().map(String::as_str)), 0, state)}
            </ul>
            {move || {
                let deleted = deleted.get();
                (!deleted.is_empty()).then(|| view! {
                    <div class="tree-deleted" data-testid="deleted-files">
                        <div class="tree-title">"Deleted (until you save)"</div>
                        {deleted.into_iter().map(|path| {
                            let undo = path.clone();
                            view! {
                                <div class="tree-deleted-row">
                                    <s>{path}</s>
                                    <button class="link-button" on:click=move |_| ide.copy.update(|c| c.undelete(&undo))>"Undo"</button>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                })
            }}
        </div>
    }
}

/// The input row for a new name; Enter applies, Escape cancels.
#[component]
fn NameInput(
    op: Pending,
    state: TreeState,
    pending: RwSignal<Option<Pending>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let ide = state.ide;
    // New things go into the selected folder (or the selected file's folder).
    let folder = state.selected.get_untracked().map(|sel| {
        let is_folder = !ide.copy.with_untracked(|c| c.contains(&sel));
        if is_folder {
            format!("{sel}/")
        } else {
            sel.rsplit_once('/').map(|(dir, _)| format!("{dir}/")).unwrap_or_default()
        }
    });
    let (label, initial) = match &op {
        Pending::NewFile => ("New file", folder.unwrap_or_default()),
        Pending::NewFolder => ("New folder", folder.unwrap_or_default()),
        Pending::Rename(from) => ("Rename to", from.clone()),
    };
    let value = RwSignal::new(initial);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let apply = move || {
        let name = value.get_untracked();
        let result = match &op {
            Pending::NewFile => ide.create_file(&name),
            Pending::NewFolder => ide.create_folder(&name).map(|()| {
                state.expanded.update(|e| e.extend(ancestors(&format!("{}/", name.trim_end_matches('/')))));
            }),
            Pending::Rename(from) => ide.rename(from, &name).map(|()| state.selected.set(Some(name.trim().to_owned()))),
        };
        match result {
            Ok(()) => pending.set(None),
            Err(message) => error.set(Some(message)),
        }
    };
    view! {
        <form class="tree-input" on:submit=move |ev| { ev.prevent_default(); apply(); }>
            <label class="tree-title">{label}
                <input type="text" node_ref=input bind:value=value data-testid="tree-input" spellcheck="false"
                    on:keydown=move |ev| if ev.key() == "Escape" { pending.set(None); error.set(None) }/>
            </label>
        </form>
    }
}

fn rows(nodes: Vec<Node>, depth: usize, state: TreeState) -> AnyView {
    let indent = format!("padding-left: {}px", 8 + depth * 14);
    nodes
        .into_iter()
        .map(|node| match node {
            Node::Folder { name, path, children } => {
                let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
                let open = move || state.expanded.with(|e| e.contains(&p1));
                let (open2, open3) = (open.clone(), open.clone());
                view! {
                    <li role="treeitem" aria-expanded=move || open3().to_string()>
                        <button class="tree-row tree-folder" style=indent.clone() data-testid="tree-folder" data-path=path.clone()
                            class:selected=move || state.selected.with(|s| s.as_deref() == Some(p2.as_str()))
                            on:click=move |_| {
                                state.selected.set(Some(p3.clone()));
                                state.expanded.update(|e| if !e.remove(&p3) { e.insert(p3.clone()); });
                            }>
                            <span class="chevron">{move || if open2() { "▾" } else { "▸" }}</span>
                            {name}
                        </button>
                        {move || open().then(|| view! { <ul role="group">{rows(children.clone(), depth + 1, state)}</ul> })}
                    </li>
                }
                .into_any()
            }
            Node::File { name, path } => {
                let ide = state.ide;
                let (p1, p2, p3, p4) = (path.clone(), path.clone(), path.clone(), path.clone());
                view! {
                    <li role="treeitem">
                        <button class="tree-row tree-file" style=indent.clone() data-testid="tree-file" data-path=path.clone()
                            class:selected=move || state.selected.with(|s| s.as_deref() == Some(p1.as_str()))
                            class:active=move || ide.tabs.with(|t| t.active.as_deref() == Some(p2.as_str()))
                            on:click=move |_| { state.selected.set(Some(p3.clone())); ide.open(&p3); }>
                            <span class="file-icon" aria-hidden="true">"·"</span>
                            {name}
                            <span class="tab-dirty" class:hidden=move || !ide.copy.with(|c| c.is_dirty(&p4))>"●"</span>
                        </button>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view()
        .into_any()
}
