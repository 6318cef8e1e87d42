//! `/snippets`: the user's own editor snippets and everyone's shared ones. Developers and admins
//! add, change and share theirs; the editor offers them in its completion list and its snippet
//! picker (Ctrl/Cmd+J).

pub(crate) mod api;

use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::when;
use crate::components::page_title::PageTitle;
use api::{SnippetList, delete_snippet, load_snippets, save_snippet};
use domain::snippets::{LANGUAGES, SnippetDraft, UserSnippet};
use leptos::prelude::*;

#[component]
pub fn SnippetsPage() -> impl IntoView {
    let loaded = Resource::new(|| (), |()| load_snippets());
    view! {
        <PageTitle text="Snippets"/>
        <div class="app-page"><div class="app-page-body">
            <div class="page-head"><h1>"Snippets"</h1></div>
            <p class="muted">
                "Your snippets appear in the editor's completion list and in its snippet picker (Ctrl/Cmd+J) "
                "for files of their language; shared ones are offered to everyone. In a body, "
                <code>"${1:name}"</code> " marks where Tab goes next, " <code>"$0"</code>
                " where the cursor ends, and " <code>"\\$"</code> " is a dollar sign."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(list) => view! { <Snippets list/> }.into_any(),
                        Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div></div>
    }
}

fn blank() -> SnippetDraft {
    SnippetDraft {
        label: String::new(),
        description: String::new(),
        language: "python".into(),
        body: String::new(),
        shared: false,
    }
}

fn draft_of(snippet: &UserSnippet) -> SnippetDraft {
    SnippetDraft {
        label: snippet.label.clone(),
        description: snippet.description.clone(),
        language: snippet.language.clone(),
        body: snippet.body.clone(),
        shared: snippet.shared,
    }
}

#[component]
fn Snippets(list: SnippetList) -> impl IntoView {
    let SnippetList { me, can_write, admin, items } = list;
    let items = RwSignal::new(items);
    let form = RwSignal::new(blank());
    let editing = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, draft) = (editing.get_untracked(), form.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match save_snippet(id, draft).await {
                Ok(saved) => {
                    items.update(|all| {
                        all.retain(|s| s.id != saved.id);
                        all.push(saved);
                        all.sort_by_key(|s| s.label.to_lowercase());
                    });
                    form.set(blank());
                    editing.set(None);
                    error.set(None);
                }
                Err(err) => error.set(Some(readable(&err))),
            }
            busy.set(false);
        });
    };
    let remove = move |id: i64, label: &str| {
        if !crate::components::confirm::confirm(&format!("Remove the snippet {label}?")) {
            return;
        }
        leptos::task::spawn_local(async move {
            match delete_snippet(id).await {
                Ok(()) => {
                    items.update(|all| all.retain(|s| s.id != id));
                    if editing.get_untracked() == Some(id) {
                        editing.set(None);
                        form.set(blank());
                    }
                }
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    let form_view = can_write.then(|| view! {
        <form class="snippet-form" data-testid="snippet-form" on:submit=submit>
            <h2>{move || if editing.get().is_some() { "Change the snippet" } else { "New snippet" }}</h2>
            <div class="form-row">
                <label for="snippet-label">"Label"</label>
                <input id="snippet-label" data-testid="snippet-label" required maxlength="60" autocomplete="off"
                    prop:value=move || form.with(|f| f.label.clone())
                    on:input=move |ev| form.update(|f| f.label = event_target_value(&ev))/>
                <label for="snippet-language">"Language"</label>
                <select id="snippet-language" data-testid="snippet-language"
                    prop:value=move || form.with(|f| f.language.clone())
                    on:change=move |ev| form.update(|f| f.language = event_target_value(&ev))>
                    {LANGUAGES.iter().map(|l| view! { <option value=*l>{monaco::language_label(l)}</option> }).collect_view()}
                </select>
            </div>
            <div class="form-row">
                <label for="snippet-description">"Description"</label>
                <input id="snippet-description" data-testid="snippet-description" maxlength="200" autocomplete="off"
                    prop:value=move || form.with(|f| f.description.clone())
                    on:input=move |ev| form.update(|f| f.description = event_target_value(&ev))/>
            </div>
            <label for="snippet-body">"Body"</label>
            <textarea id="snippet-body" class="code-input" data-testid="snippet-body" rows="8" spellcheck="false" required
                prop:value=move || form.with(|f| f.body.clone())
                on:input=move |ev| form.update(|f| f.body = event_target_value(&ev))></textarea>
            <div class="form-row">
                <label class="checkbox"><input type="checkbox" data-testid="snippet-shared"
                    prop:checked=move || form.with(|f| f.shared)
                    on:change=move |ev| form.update(|f| f.shared = event_target_checked(&ev))/>
                    " Share with everyone"</label>
                <button class="button button-primary" type="submit" data-testid="snippet-save" disabled=move || busy.get()>
                    {move || if editing.get().is_some() { "Save changes" } else { "Add snippet" }}</button>
                {move || editing.get().is_some().then(|| view! {
                    <button class="button button-quiet" type="button" on:click=move |_| { editing.set(None); form.set(blank()); }>"Cancel"</button>
                })}
            </div>
        </form>
    });
    view! {
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        {form_view}
        <table class="table" data-testid="snippets" data-ready="true">
            <thead><tr><th>"Label"</th><th>"Language"</th><th>"Description"</th><th>"By"</th><th>"Shared"</th><th>"Changed"</th><th></th></tr></thead>
            <tbody>
                {move || {
                    let me = me.clone();
                    items.get().into_iter().map(|s| {
                        let mine = s.owner == me;
                        let (id, draft, label) = (s.id, draft_of(&s), s.label.clone());
                        let by = if mine { "you".to_owned() } else { s.owner.clone() };
                        view! {
                            <tr data-testid="snippet-row" data-label=s.label.clone()>
                                <td><details><summary>{s.label.clone()}</summary><pre class="snippet-body">{s.body.clone()}</pre></details></td>
                                <td>{monaco::language_label(&s.language)}</td>
                                <td>{s.description.clone()}</td>
                                <td>{by}</td>
                                <td>{if s.shared { "shared" } else { "only you" }}</td>
                                <td class="nowrap">{when(&s.updated_at)}</td>
                                <td class="row-actions">
                                    {(mine && can_write).then(|| view! {
                                        <button class="button button-quiet" data-testid="snippet-edit"
                                            on:click=move |_| { form.set(draft.clone()); editing.set(Some(id)); }>"Edit"</button>
                                    })}
                                    {((mine && can_write) || admin).then(|| view! {
                                        <button class="button button-quiet" data-testid="snippet-delete" on:click=move |_| remove(id, &label)>"Remove"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()
                }}
            </tbody>
        </table>
        {move || items.with(Vec::is_empty).then(|| view! { <p class="muted" data-testid="no-snippets">"No snippets yet."</p> })}
    }
}
