//! The layout part of the metadata editor: layout.json's input sections (title, which inputs go
//! where, in which order, and when each shows) and its outputs, edited by pointer like the rest.

use super::metadata::{document, len_at, remove_value, text_at, update_file};
use super::state::Ide;
use domain::manifest::Document;
use domain::manifest::model::{InstallJson, LayoutJson};
use domain::problem::Problem;
use leptos::prelude::*;
use serde_json::{Value, json};

const LAYOUT: &str = "layout.json";

/// One edit of layout.json.
type LayoutEdit = Box<dyn FnOnce(&mut Document) -> Result<(), String>>;

/// The layout editor (or the offer to make a layout.json).
#[component]
pub fn LayoutSection(problems: Memo<Vec<Problem>>, install: Memo<Option<Result<Value, String>>>) -> impl IntoView {
    let ide = expect_context::<Ide>();
    let doc = document(ide, LAYOUT);
    let error = RwSignal::new(None::<String>);
    let exists = Memo::new(move |_| ide.copy.with(|c| c.contains(LAYOUT)));
    let sections = Memo::new(move |_| doc.with(|d| len_at(d, "/inputs")));
    let params = Memo::new(move |_| match install.get() {
        Some(Ok(value)) => InstallJson::read(&value)
            .params
            .into_iter()
            .filter(|p| p.visible())
            .filter_map(|p| p.name)
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    });
    let create = move |_| {
        let names = params.get_untracked();
        let text = Document::new(json!({
            "inputs": [{"title": "Inputs", "sequence": 1, "parameters": names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}],
            "outputs": []
        }))
        .to_text();
        let mut created = Ok(());
        ide.copy.update(|c| created = c.create(LAYOUT));
        if created.is_ok() {
            ide.copy.update(|c| c.edit(LAYOUT, text));
        }
        error.set(created.err());
    };
    let add_section = move |_| {
        let result = update_file(ide, LAYOUT, |doc| {
            let at = doc.value["inputs"].as_array().map_or(0, Vec::len);
            doc.insert("/inputs", at, json!({"title": "New section", "sequence": at + 1, "parameters": []}))
        });
        error.set(result.err());
    };
    view! {
        <section class="meta-section" data-testid="layout-editor">
            <div class="meta-head">
                <h2>"Layout"</h2>
                {move || (exists.get() && !ide.read_only).then(|| view! { <button class="button" data-testid="add-section" on:click=add_section>"Add section"</button> })}
            </div>
            {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || (!exists.get()).then(|| view! {
                <p class="muted">"This app has no layout.json: the platform shows its inputs in one list. "
                    {(!ide.read_only).then(|| view! { <button class="link-button" data-testid="create-layout" on:click=create>"Make a layout with sections"</button> })}
                </p>
            })}
            {move || (0..sections.get()).map(|s| view! { <SectionBox ide doc problems params section=s sections=sections.get() error/> }).collect_view()}
            {move || (exists.get() && doc.with(|d| matches!(d, Some(Ok(_))))).then(|| view! { <LayoutOutputs ide doc install problems error/> })}
            {move || unplaced(doc, params).map(|names| view! {
                <p class="hint hint-error" data-testid="unplaced-inputs">"Not placed yet: " {names.join(", ")}</p>
            })}
        </section>
    }
}

/// Visible params no section places, when layout.json exists.
fn unplaced(doc: Memo<Option<Result<Value, String>>>, params: Memo<Vec<String>>) -> Option<Vec<String>> {
    let placed: Vec<String> = doc.with(|d| match d {
        Some(Ok(value)) => {
            LayoutJson::read(value).inputs.into_iter().flat_map(|s| s.parameters.into_iter().map(|(n, _)| n)).collect()
        }
        _ => Vec::new(),
    });
    let missing: Vec<String> = params.get().into_iter().filter(|p| !placed.contains(p)).collect();
    (doc.with(|d| matches!(d, Some(Ok(_)))) && !missing.is_empty()).then_some(missing)
}

#[component]
fn SectionBox(
    ide: Ide,
    doc: Memo<Option<Result<Value, String>>>,
    problems: Memo<Vec<Problem>>,
    params: Memo<Vec<String>>,
    section: usize,
    sections: usize,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let base = format!("/inputs/{section}");
    let entries = {
        let base = base.clone();
        Memo::new(move |_| doc.with(|d| len_at(d, &format!("{base}/parameters"))))
    };
    let edit = move |f: LayoutEdit| error.set(update_file(ide, LAYOUT, f).err());
    let title = {
        let pointer = format!("{base}/title");
        move || doc.with(|d| text_at(d, &pointer))
    };
    let add_input = move |name: String| {
        edit(Box::new(move |doc| {
            let at = doc.value["inputs"][section]["parameters"].as_array().map_or(0, Vec::len);
            doc.insert(&format!("/inputs/{section}/parameters"), at, json!({"name": name}))
        }))
    };
    let remove_section = move |_| {
        if crate::components::confirm::confirm("Remove this section (its inputs become unplaced)?") {
            edit(remove_at(format!("/inputs/{section}")));
        }
    };
    let read_only = ide.read_only;
    let last_section = section + 1 >= sections;
    view! {
        <div class="layout-section" data-testid="layout-section">
            <div class="layout-section-head">
                <input type="text" prop:value=title aria-label="Section title" data-testid="section-title" disabled=read_only
                    on:change=move |ev| { let t = event_target_value(&ev); edit(Box::new(move |doc| doc.set(&format!("/inputs/{section}/title"), Value::String(t)))) }/>
                {(!read_only).then(|| view! {
                    <button class="icon-button" aria-label="Move section up" disabled=section == 0
                        on:click=move |_| edit(Box::new(move |doc| doc.move_item("/inputs", section, section - 1)))>"↑"</button>
                    <button class="icon-button" aria-label="Move section down" disabled=last_section
                        on:click=move |_| edit(Box::new(move |doc| doc.move_item("/inputs", section, section + 1)))>"↓"</button>
                    <button class="icon-button" aria-label="Remove section" on:click=remove_section>"✕"</button>
                })}
            </div>
            {hints(problems, base.clone(), true)}
            {move || (0..entries.get()).map(|k| {
                let pointer = format!("/inputs/{section}/parameters/{k}");
                let name = { let p = format!("{pointer}/name"); move || doc.with(|d| text_at(d, &p)) };
                let display = { let p = format!("{pointer}/display"); move || doc.with(|d| text_at(d, &p)) };
                let last = k + 1 >= entries.get();
                view! {
                    <div class="layout-entry" data-testid="layout-entry">
                        <span class="mono layout-entry-name">{name}</span>
                        {display_input(display, format!("/inputs/{section}/parameters/{k}/display"), "shown when… e.g. tc_action in ('Lookup')", read_only, edit)}
                        {(!read_only).then(|| view! {
                            <button class="icon-button" aria-label="Move up" disabled=k == 0
                                on:click=move |_| edit(Box::new(move |doc| doc.move_item(&format!("/inputs/{section}/parameters"), k, k - 1)))>"↑"</button>
                            <button class="icon-button" aria-label="Move down" disabled=last
                                on:click=move |_| edit(Box::new(move |doc| doc.move_item(&format!("/inputs/{section}/parameters"), k, k + 1)))>"↓"</button>
                            <button class="icon-button" aria-label="Take out of the layout"
                                on:click=move |_| edit(remove_at(format!("/inputs/{section}/parameters/{k}")))>"✕"</button>
                        })}
                    </div>
                    {hints(problems, pointer, false)}
                }
            }).collect_view()}
            {move || (!read_only).then(|| {
                let free: Vec<String> = unplaced(doc, params).unwrap_or_default();
                (!free.is_empty()).then(|| view! {
                    <select class="add-input" data-testid="place-input" aria-label="Place an input in this section"
                        on:change=move |ev| { let name = event_target_value(&ev); if !name.is_empty() { add_input(name) } }>
                        <option value="">"Place an input here…"</option>
                        {free.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                    </select>
                })
            })}
        </div>
    }
}

/// The edit that removes the value at `pointer`.
fn remove_at(pointer: String) -> LayoutEdit {
    Box::new(move |doc| remove_value(doc, &pointer))
}

/// A display-condition field for the value at `pointer` (emptied: the condition is removed).
fn display_input(
    value: impl Fn() -> String + Send + Sync + 'static,
    pointer: String,
    placeholder: &'static str,
    read_only: bool,
    edit: impl Fn(LayoutEdit) + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <input type="text" class="mono" placeholder=placeholder prop:value=value aria-label="Display condition"
            data-testid="display-condition" disabled=read_only
            on:change=move |ev| {
                let text = event_target_value(&ev);
                let pointer = pointer.clone();
                edit(Box::new(move |doc| {
                    if text.trim().is_empty() {
                        doc.remove(&pointer);
                        Ok(())
                    } else {
                        doc.set(&pointer, Value::String(text))
                    }
                }))
            }/>
    }
}

/// Problems of layout.json at `pointer` (and below it unless `exact`).
fn hints(problems: Memo<Vec<Problem>>, pointer: String, exact: bool) -> impl IntoView {
    move || {
        problems.with(|all| {
            all.iter()
                .filter(|p| p.file == LAYOUT && (p.pointer == pointer || (!exact && p.pointer.starts_with(&format!("{pointer}/")))))
                .map(|p| view! { <div class="hint hint-error" data-testid="field-hint" data-code=p.code.clone()>{p.message.clone()}</div> })
                .collect_view()
        })
    }
}

/// layout.json's outputs: which output variables the platform shows, and when.
#[component]
fn LayoutOutputs(
    ide: Ide,
    doc: Memo<Option<Result<Value, String>>>,
    install: Memo<Option<Result<Value, String>>>,
    problems: Memo<Vec<Problem>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let count = Memo::new(move |_| doc.with(|d| len_at(d, "/outputs")));
    let edit = move |f: LayoutEdit| error.set(update_file(ide, LAYOUT, f).err());
    let free = move || {
        let listed: Vec<String> = doc.with(|d| match d {
            Some(Ok(value)) => LayoutJson::read(value).outputs.into_iter().map(|(n, _)| n).collect(),
            _ => Vec::new(),
        });
        let mut declared: Vec<String> = match install.get() {
            Some(Ok(value)) => InstallJson::read(&value).outputs.into_iter().filter_map(|o| o.name).collect(),
            _ => Vec::new(),
        };
        declared.dedup();
        declared.into_iter().filter(|n| !listed.contains(n)).collect::<Vec<_>>()
    };
    let read_only = ide.read_only;
    view! {
        <h3 class="layout-outputs-title">"Outputs shown"</h3>
        {move || (0..count.get()).map(|k| {
            let pointer = format!("/outputs/{k}");
            let name = { let p = format!("{pointer}/name"); move || doc.with(|d| text_at(d, &p)) };
            let display = { let p = format!("{pointer}/display"); move || doc.with(|d| text_at(d, &p)) };
            view! {
                <div class="layout-entry" data-testid="layout-output">
                    <span class="mono layout-entry-name">{name}</span>
                    {display_input(display, format!("/outputs/{k}/display"), "shown when… (empty: always)", read_only, edit)}
                    {(!read_only).then(|| view! {
                        <button class="icon-button" aria-label="Stop showing this output"
                            on:click=move |_| edit(remove_at(format!("/outputs/{k}")))>"✕"</button>
                    })}
                </div>
                {hints(problems, pointer, false)}
            }
        }).collect_view()}
        {move || {
            let free = free();
            (!read_only && !free.is_empty()).then(|| view! {
                <select class="add-input" data-testid="show-output" aria-label="Show an output"
                    on:change=move |ev| {
                        let name = event_target_value(&ev);
                        if !name.is_empty() {
                            edit(Box::new(move |doc| {
                                if doc.value.get("outputs").is_none() {
                                    doc.set("/outputs", json!([]))?;
                                }
                                let at = doc.value["outputs"].as_array().map_or(0, Vec::len);
                                doc.insert("/outputs", at, json!({"name": name}))
                            }))
                        }
                    }>
                    <option value="">"Show an output…"</option>
                    {free.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            })
        }}
    }
}
