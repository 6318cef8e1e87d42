//! The run form, generated from the live version's install.json: one field per visible param
//! (Boolean → checkbox, Choice → select, MultiChoice → checkboxes, encrypted → password, more than
//! one `viewRows` → textarea, `${…}` validValues left out of choices), required ones marked, notes
//! as help, grouped by layout.json's sections with their `display` clauses applied as you type.

use super::api::{Live, start_run};
use crate::components::errors::{ErrorBanner, readable};
use domain::manifest::display::visible;
use domain::manifest::model::{InstallJson, LayoutJson, Param};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One section of the form: a title and (param, display clause) pairs.
struct Section {
    title: String,
    fields: Vec<(Param, Option<String>)>,
}

fn sections(install: &InstallJson, layout: Option<&LayoutJson>) -> Vec<Section> {
    let shown = |p: &Param| !p.hidden && !p.service_config && p.name.is_some();
    let by_name = |name: &str| install.params.iter().find(|p| p.name.as_deref() == Some(name) && shown(p)).cloned();
    match layout {
        Some(layout) if !layout.inputs.is_empty() => {
            let mut sections: Vec<_> = layout.inputs.iter().collect();
            sections.sort_by_key(|s| s.sequence.unwrap_or(0));
            sections
                .into_iter()
                .map(|s| Section {
                    title: s.title.clone().unwrap_or_default(),
                    fields: s
                        .parameters
                        .iter()
                        .filter_map(|(name, display)| Some((by_name(name)?, display.clone())))
                        .collect(),
                })
                .collect()
        }
        _ => {
            let mut params: Vec<Param> = install.params.iter().filter(|p| shown(p)).cloned().collect();
            params.sort_by_key(|p| p.sequence.unwrap_or(i64::MAX));
            vec![Section { title: String::new(), fields: params.into_iter().map(|p| (p, None)).collect() }]
        }
    }
}

/// Choices offered for a param: its validValues without variable expressions.
fn choices(param: &Param) -> Vec<String> {
    param.valid_values.iter().filter(|v| !v.starts_with("${")).cloned().collect()
}

/// The starting value of a field, as text.
fn initial(param: &Param) -> String {
    match &param.default {
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None if param.kind.as_deref() == Some("Boolean") => "false".into(),
        None if param.kind.as_deref() == Some("Choice") => choices(param).first().cloned().unwrap_or_default(),
        None => String::new(),
    }
}

#[component]
pub fn RunForm(slug: String, live: Live) -> impl IntoView {
    let install = InstallJson::read(&live.install);
    let layout = live.layout.as_ref().map(LayoutJson::read);
    let sections = sections(&install, layout.as_ref());
    let values = RwSignal::new(
        install.params.iter().filter_map(|p| Some((p.name.clone()?, initial(p)))).collect::<HashMap<String, String>>(),
    );
    let kinds: HashMap<String, String> =
        install.params.iter().filter_map(|p| Some((p.name.clone()?, p.kind.clone().unwrap_or_default()))).collect();
    let clauses: HashMap<String, String> = sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .filter_map(|(p, d)| Some((p.name.clone()?, d.clone()?)))
        .collect();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let slug = StoredValue::new(slug);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let current = values.get_untracked();
        let mut inputs = Map::new();
        for (name, text) in &current {
            let shown = clauses.get(name).is_none_or(|clause| visible(clause, &current));
            if !shown || text.is_empty() {
                continue;
            }
            let value = if kinds.get(name).map(String::as_str) == Some("Boolean") {
                Value::Bool(text == "true")
            } else {
                Value::from(text.clone())
            };
            inputs.insert(name.clone(), value);
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match start_run(slug.get_value(), inputs).await {
                Ok(id) => navigate(&format!("/runs/{id}"), Default::default()),
                Err(err) => {
                    error.set(Some(readable(&err)));
                    busy.set(false);
                }
            }
        });
    };
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <form class="run-form" data-testid="run-form" on:submit=submit data-ready=move || ready.get().to_string()>
            <p class="muted">"Version " <span data-testid="live-version">{live.deployment.version.clone()}</span>
                " (deployment #" {live.deployment.id} ") runs in the embedded runtime."</p>
            {sections.into_iter().map(|section| view! {
                <fieldset class="run-section">
                    {(!section.title.is_empty()).then(|| view! { <legend>{section.title.clone()}</legend> })}
                    {section.fields.into_iter().map(|(param, display)| view! { <FormField param display values/> }).collect_view()}
                </fieldset>
            }).collect_view()}
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            <button class="button button-primary" type="submit" data-testid="run-button" disabled=move || busy.get()>
                {move || if busy.get() { "Running…" } else { "Run" }}
            </button>
        </form>
    }
}

#[component]
fn FormField(param: Param, display: Option<String>, values: RwSignal<HashMap<String, String>>) -> impl IntoView {
    let name = param.name.clone().unwrap_or_default();
    let label = param.label.clone().unwrap_or_else(|| name.clone());
    let id = format!("input-{name}");
    let shown = {
        let display = display.clone();
        move || display.as_deref().is_none_or(|clause| values.with(|v| visible(clause, v)))
    };
    let get = {
        let name = name.clone();
        move || values.with(|v| v.get(&name).cloned().unwrap_or_default())
    };
    let set = {
        let name = name.clone();
        move |text: String| {
            values.update(|v| {
                v.insert(name.clone(), text);
            })
        }
    };
    let kind = param.kind.clone().unwrap_or_else(|| "String".into());
    // The browser then stops an empty run at the field itself, focused, with its own message (a
    // field its display clause hides is not asked for).
    let required = {
        let (needed, shown) = (param.required && param.default.is_none(), shown.clone());
        move || needed && shown()
    };
    let control = match kind.as_str() {
        "Boolean" => {
            let set = set.clone();
            let get = get.clone();
            view! { <input type="checkbox" id=id.clone() data-testid=format!("field-{name}") prop:checked=move || get() == "true"
                on:change=move |ev| set(event_target_checked(&ev).to_string())/> }.into_any()
        }
        "Choice" => {
            let set = set.clone();
            let get = get.clone();
            view! {
                <select id=id.clone() data-testid=format!("field-{name}") on:change=move |ev| set(event_target_value(&ev))>
                    {choices(&param).into_iter().map(|c| {
                        let get = get.clone();
                        let value = c.clone();
                        view! { <option value=c.clone() selected=move || get() == value>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            }.into_any()
        }
        "MultiChoice" => {
            view! {
                <span data-testid=format!("field-{name}")>
                    {choices(&param).into_iter().map(|c| {
                        let (get, set, choice) = (get.clone(), set.clone(), c.clone());
                        let (read, checked_choice) = (get.clone(), c.clone());
                        view! {
                            <label class="choice"><input type="checkbox"
                                prop:checked=move || read().split('|').any(|x| x == checked_choice)
                                on:change=move |ev| {
                                    let mut picked: Vec<String> = get().split('|').filter(|x| !x.is_empty() && *x != choice).map(str::to_owned).collect();
                                    if event_target_checked(&ev) { picked.push(choice.clone()); }
                                    set(picked.join("|"));
                                }/> {c.clone()}</label>
                        }
                    }).collect_view()}
                </span>
            }.into_any()
        }
        _ if param.view_rows.unwrap_or(1) > 1 => {
            let (get, set) = (get.clone(), set.clone());
            view! { <textarea id=id.clone() data-testid=format!("field-{name}") rows=param.view_rows.unwrap_or(3) required=required.clone()
                prop:value=get on:input=move |ev| set(event_target_value(&ev))></textarea> }.into_any()
        }
        _ => {
            let (get, set) = (get.clone(), set.clone());
            let input_type = if param.encrypt { "password" } else { "text" };
            view! { <input type=input_type id=id.clone() data-testid=format!("field-{name}") autocomplete="off" required=required.clone()
                prop:value=get on:input=move |ev| set(event_target_value(&ev))/> }.into_any()
        }
    };
    view! {
        <div class="form-row run-field" class:hidden=move || !shown() data-field=name.clone()>
            <label for=id.clone()>{label} {move || required().then(|| view! { <span class="required" title="required">" *"</span> })}</label>
            {control}
            {param.note.clone().map(|note| view! { <p class="muted help">{note}</p> })}
        </div>
    }
}
