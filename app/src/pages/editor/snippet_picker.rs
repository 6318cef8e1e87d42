//! Ctrl/Cmd+J: the snippet picker. Lists the built-in snippets and the users' own for the active
//! file's language, with a preview; Enter inserts the chosen one at the cursor (its Tab stops
//! work as from the completion list). "Save the selection" turns the selected text into a new
//! snippet of the signed-in user. The users' snippets are loaded once the editor runs and are
//! offered in the completion list too.

use super::picker_keys::{PickerKey, picker_key};
use super::state::Ide;
use crate::components::errors::readable;
use crate::pages::snippets::api::{SnippetList, load_snippets, save_snippet};
use domain::snippets::{Offered, SnippetDraft, UserSnippet, offered};
use leptos::prelude::*;

/// Loads the users' snippets once the editor is ready and keeps them in the completion list.
pub fn keep_user_snippets(ide: Ide) {
    Effect::new(move |loaded: Option<bool>| {
        if loaded == Some(true) || !ide.editor_ready.get() {
            return loaded.unwrap_or(false);
        }
        leptos::task::spawn_local(async move {
            // Without them the editor still works: the built-ins stay, the picker says why.
            if let Ok(list) = load_snippets().await
                && ide.alive()
            {
                ide.snippets.set(Some(list));
            }
        });
        true
    });
    Effect::new(move |_| {
        ide.snippets.with(|list| {
            let Some(SnippetList { me, items, .. }) = list else { return };
            let by_language: Vec<(&str, String)> = domain::snippets::LANGUAGES
                .iter()
                .filter(|language| items.iter().any(|s| &s.language == *language))
                .map(|language| (*language, domain::snippets::user_completion_json(language, items, me)))
                .collect();
            ide.with_bridge(|bridge| bridge.set_user_snippets(&by_language));
        });
    });
}

/// The language of the active file (Monaco's id), if a file is open.
fn active_language(ide: Ide) -> Option<&'static str> {
    ide.tabs.with_untracked(|t| t.active.as_deref().map(monaco::language_for))
}

/// The picker, shown while `ide.snippet_picker` is set.
#[component]
pub fn SnippetPicker() -> impl IntoView {
    let ide = expect_context::<Ide>();
    view! { {move || ide.snippet_picker.get().then(|| view! { <super::on_demand::SnippetPickerBox ide/> })} }
}

/// What the picker shows: the list, or the form that saves the selection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    List,
    SaveSelection,
}

#[component]
pub(super) fn PickerBox(ide: Ide) -> impl IntoView {
    let language = active_language(ide);
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(0usize);
    let mode = RwSignal::new(Mode::List);
    let notice = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let matches = Memo::new(move |_| {
        let Some(language) = language else { return Vec::new() };
        let needle = query.get().to_lowercase();
        ide.snippets.with(|list| {
            let (items, me) = list.as_ref().map_or((&[][..], ""), |l| (l.items.as_slice(), l.me.as_str()));
            offered(language, items, me)
                .into_iter()
                .filter(|o| {
                    needle.is_empty()
                        || [&o.label, &o.detail, &o.documentation].iter().any(|t| t.to_lowercase().contains(&needle))
                })
                .collect::<Vec<Offered>>()
        })
    });
    let close = move || {
        ide.snippet_picker.set(false);
        ide.focus_editor();
    };
    let insert = move |body: String| {
        ide.snippet_picker.set(false);
        ide.with_bridge(|bridge| bridge.insert_snippet(&body));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match picker_key(&ev, chosen, matches.with_untracked(Vec::len)) {
        Some(PickerKey::Close) => close(),
        Some(PickerKey::Choose) => {
            if let Some(body) = matches.with_untracked(|m| m.get(chosen.get_untracked()).map(|o| o.body.clone())) {
                insert(body);
            }
        }
        None => {}
    };
    let can_write = move || ide.snippets.with(|l| l.as_ref().is_some_and(|l| l.can_write)) && !ide.read_only;
    let list = move || {
        view! {
            <input type="text" node_ref=input placeholder="Type part of a snippet's name" aria-label="Snippet"
                data-testid="snippet-picker-input" spellcheck="false"
                on:input=move |ev| { query.set(event_target_value(&ev)); chosen.set(0); } on:keydown=on_key/>
            <div class="snippet-picker-body">
                <ul class="quick-open-list" role="listbox" data-testid="snippet-picker-list">
                    {move || matches.get().into_iter().enumerate().map(|(i, o)| {
                        let body = o.body.clone();
                        view! {
                            <li role="option" aria-selected=move || (chosen.get() == i).to_string()
                                class:chosen=move || chosen.get() == i data-testid="snippet-picker-item"
                                on:mouseenter=move |_| chosen.set(i)
                                on:click=move |_| insert(body.clone())>
                                <span>{o.label}</span>" "<span class="muted">{o.detail}</span>
                            </li>
                        }
                    }).collect_view()}
                    {move || matches.with(Vec::is_empty).then(|| view! {
                        <li class="muted">{if language.is_some() { "No snippet matches" } else { "Open a file to insert a snippet" }}</li>
                    })}
                </ul>
                <pre class="snippet-preview" data-testid="snippet-preview">
                    {move || matches.with(|m| m.get(chosen.get()).map(|o| o.body.clone()).unwrap_or_default())}
                </pre>
            </div>
            <div class="snippet-picker-foot">
                {move || notice.get().map(|n| view! { <span class="muted" data-testid="snippet-picker-notice">{n}</span> })}
                {move || (can_write() && language.is_some()).then(|| view! {
                    <button class="button button-quiet" data-testid="snippet-save-selection"
                        on:click=move |_| mode.set(Mode::SaveSelection)>"Save the selection as a snippet…"</button>
                })}
                <a class="button button-quiet" href="/snippets" target="_blank" rel="noopener">"Manage snippets"</a>
            </div>
        }
    };
    view! {
        <div class="overlay" on:click=move |_| close()>
            <div class="quick-open snippet-picker" role="dialog" aria-label="Insert a snippet" data-testid="snippet-picker"
                on:click=|ev| ev.stop_propagation()>
                {move || match mode.get() {
                    Mode::List => list().into_any(),
                    Mode::SaveSelection => view! { <SaveSelection ide language=language.unwrap_or("plaintext") mode notice/> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// The form that saves the editor's selection as a snippet of the signed-in user.
#[component]
fn SaveSelection(
    ide: Ide,
    language: &'static str,
    mode: RwSignal<Mode>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let mut body = String::new();
    ide.with_bridge(|bridge| body = bridge.selected_text());
    let label = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let empty = body.trim().is_empty();
    let preview = body.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = SnippetDraft {
            label: label.get_untracked(),
            description: description.get_untracked(),
            language: language.to_owned(),
            body: body.clone(),
            shared: shared.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match save_snippet(None, draft).await {
                Ok(saved) => {
                    let message = format!("Saved \u{201c}{}\u{201d}.", saved.label);
                    add(ide, saved);
                    notice.set(Some(message));
                    mode.set(Mode::List);
                }
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    view! {
        <form class="snippet-save" data-testid="snippet-save-form" on:submit=submit>
            <h3>"Save the selection as a " {monaco::language_label(language)} " snippet"</h3>
            {empty.then(|| view! { <p class="banner banner-info">"Select some text in the editor first."</p> })}
            <pre class="snippet-preview">{preview}</pre>
            <input type="text" placeholder="Label" aria-label="Label" maxlength="60" required data-testid="snippet-save-label"
                on:input=move |ev| label.set(event_target_value(&ev))/>
            <input type="text" placeholder="Description (optional)" aria-label="Description" maxlength="200"
                on:input=move |ev| description.set(event_target_value(&ev))/>
            <label class="checkbox"><input type="checkbox" on:change=move |ev| shared.set(event_target_checked(&ev))/>" Share with everyone"</label>
            {move || error.get().map(|message| view! { <p class="banner banner-error" role="alert">{message}</p> })}
            <div class="snippet-picker-foot">
                <button class="button button-primary" type="submit" data-testid="snippet-save-submit" disabled=empty>"Save snippet"</button>
                <button class="button button-quiet" type="button" on:click=move |_| mode.set(Mode::List)>"Back"</button>
            </div>
        </form>
    }
}

/// Adds a snippet the user just saved to the loaded list (and so to completions).
fn add(ide: Ide, saved: UserSnippet) {
    ide.snippets.update(|list| {
        if let Some(list) = list {
            list.items.push(saved);
            list.items.sort_by_key(|s| s.label.to_lowercase());
        }
    });
}
