//! Ctrl/Cmd+P: find a file by a few letters of its path; arrows choose, Enter opens, Escape closes.

use super::picker_keys::{PickerKey, picker_key};
use super::state::Ide;
use super::tabs::quick_open;
use leptos::prelude::*;

const SHOWN: usize = 12;

/// The quick-open box, shown while `ide.quick_open` is set.
#[component]
pub fn QuickOpen() -> impl IntoView {
    let ide = expect_context::<Ide>();
    view! {
        {move || ide.quick_open.get().then(|| view! { <QuickOpenBox ide/> })}
    }
}

#[component]
fn QuickOpenBox(ide: Ide) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(0usize);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let matches = Memo::new(move |_| {
        let query = query.get();
        ide.copy
            .with_untracked(|c| quick_open(&query, c.paths(), SHOWN).into_iter().map(str::to_owned).collect::<Vec<_>>())
    });
    let close = move || ide.quick_open.set(false);
    let pick = move |path: String| {
        close();
        ide.open(&path);
        ide.focus_editor();
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match picker_key(&ev, chosen, matches.with_untracked(Vec::len)) {
        Some(PickerKey::Close) => close(),
        Some(PickerKey::Choose) => {
            if let Some(path) = matches.with_untracked(|m| m.get(chosen.get_untracked()).cloned()) {
                pick(path);
            }
        }
        None => {}
    };
    view! {
        <div class="overlay" on:click=move |_| close()>
            <div class="quick-open" role="dialog" aria-label="Open a file" data-testid="quick-open"
                on:click=|ev| ev.stop_propagation()>
                <input type="text" node_ref=input placeholder="Type part of a file name" aria-label="File name"
                    data-testid="quick-open-input" spellcheck="false"
                    on:input=move |ev| { query.set(event_target_value(&ev)); chosen.set(0); } on:keydown=on_key/>
                <ul class="quick-open-list" role="listbox">
                    {move || matches.get().into_iter().enumerate().map(|(i, path)| {
                        let target = path.clone();
                        view! {
                            <li role="option" aria-selected=move || (chosen.get() == i).to_string()
                                class:chosen=move || chosen.get() == i data-testid="quick-open-item"
                                on:click=move |_| pick(target.clone())>{path}</li>
                        }
                    }).collect_view()}
                    {move || matches.with(Vec::is_empty).then(|| view! { <li class="muted">"No file matches"</li> })}
                </ul>
            </div>
        </div>
    }
}
