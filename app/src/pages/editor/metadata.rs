//! The metadata editor: forms over install.json (the app, its inputs and its outputs) that edit
//! the same working copy as the code view. Every change is a pointer edit of the parsed document
//! (`domain::manifest::Document`), written back as text into install.json and into its Monaco
//! model, so form and raw JSON stay in sync both ways and unknown keys and key order survive.
//! The form's shape (how many params and outputs) is what re-renders it; field values follow the
//! document reactively, so typing in one field never rebuilds the others.

use super::state::Ide;
use domain::manifest::Document;
use domain::manifest::model::{DATA_TYPES, FEATURES, PARAM_TYPES, RUNTIME_LEVELS};
use domain::problem::Problem;
use leptos::prelude::*;
use serde_json::{Value, json};

const INSTALL: &str = "install.json";

/// `file` parsed from the working copy: `None` while not loaded (or absent), `Err` on a syntax
/// error.
pub(super) fn document(ide: Ide, file: &'static str) -> Memo<Option<Result<Value, String>>> {
    Memo::new(move |_| {
        ide.copy.with(|copy| {
            let text = copy.file(file)?.current()?;
            Some(Document::parse(text).map(|d| d.value).map_err(|e| format!("line {}: {}", e.line, e.message)))
        })
    })
}

/// Applies `edit` to install.json in the working copy and the open editor.
fn update(ide: Ide, edit: impl FnOnce(&mut Document) -> Result<(), String>) -> Result<(), String> {
    update_file(ide, INSTALL, edit)
}

/// Applies `edit` to the JSON file `file` in the working copy and the open editor.
pub(super) fn update_file(
    ide: Ide,
    file: &str,
    edit: impl FnOnce(&mut Document) -> Result<(), String>,
) -> Result<(), String> {
    let text = ide
        .copy
        .with_untracked(|c| c.file(file).and_then(|f| f.current()).map(str::to_owned))
        .ok_or_else(|| format!("{file} is not loaded yet"))?;
    let mut doc = Document::parse(&text)
        .map_err(|e| format!("{file} has a syntax error at line {}; fix it in the code view first", e.line))?;
    edit(&mut doc)?;
    let text = doc.to_text();
    ide.copy.update(|c| c.edit(file, text.clone()));
    ide.replace_text(file, &text);
    Ok(())
}

/// Removes the value at `pointer` (an error when it is not there any more).
pub(super) fn remove_value(doc: &mut Document, pointer: &str) -> Result<(), String> {
    doc.remove(pointer).map(|_| ()).ok_or_else(|| "it is gone already (reload the page)".to_owned())
}

/// Sets `pointer` to `value`, or removes it when `value` is `None`.
fn set(ide: Ide, error: RwSignal<Option<String>>, pointer: String, value: Option<Value>) {
    let result = update(ide, |doc| match value {
        Some(value) => doc.set(&pointer, value),
        None => {
            doc.remove(&pointer);
            Ok(())
        }
    });
    error.set(result.err());
}

pub(super) fn text_at(doc: &Option<Result<Value, String>>, pointer: &str) -> String {
    match doc {
        Some(Ok(value)) => match value.pointer(pointer) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        },
        _ => String::new(),
    }
}

fn flag_at(doc: &Option<Result<Value, String>>, pointer: &str) -> bool {
    matches!(doc, Some(Ok(value)) if value.pointer(pointer).and_then(Value::as_bool) == Some(true))
}

pub(super) fn len_at(doc: &Option<Result<Value, String>>, pointer: &str) -> usize {
    match doc {
        Some(Ok(value)) => value.pointer(pointer).and_then(Value::as_array).map_or(0, Vec::len),
        _ => 0,
    }
}

/// The whole metadata view.
#[component]
pub fn MetadataEditor(problems: Memo<Vec<Problem>>) -> impl IntoView {
    let ide = expect_context::<Ide>();
    let doc = document(ide, INSTALL);
    let error = RwSignal::new(None::<String>);
    let state = Memo::new(move |_| match doc.get() {
        None => 0u8,
        Some(Err(_)) => 1,
        Some(Ok(_)) => 2,
    });
    let ctx = Form { ide, doc, error, problems };
    view! {
        <div class="metadata" data-testid="metadata-editor">
            {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || match state.get() {
                0 => view! { <p class="muted">"Loading install.json…"</p> }.into_any(),
                1 => view! {
                    <p class="banner banner-error" data-testid="metadata-syntax-error">
                        "install.json is not valid JSON (" {move || doc.get().and_then(Result::err).unwrap_or_default()}
                        "). Fix it in the code view; the forms come back when it parses."
                    </p>
                }.into_any(),
                _ => view! {
                    <AppSection ctx/>
                    <ParamsSection ctx/>
                    <OutputsSection ctx/>
                    <super::layout_form::LayoutSection problems install=doc/>
                }.into_any(),
            }}
        </div>
    }
}

/// What every part of the form works with.
#[derive(Clone, Copy)]
struct Form {
    ide: Ide,
    doc: Memo<Option<Result<Value, String>>>,
    error: RwSignal<Option<String>>,
    problems: Memo<Vec<Problem>>,
}

impl Form {
    /// The text at `pointer`, following the document.
    fn text(self, pointer: impl Into<String>) -> impl Fn() -> String + Send + Sync + Clone + 'static {
        let pointer = pointer.into();
        move || self.doc.with(|d| text_at(d, &pointer))
    }

    /// The strings of the list at `pointer`, following the document.
    fn list(self, pointer: String) -> impl Fn() -> Vec<String> + Send + Sync + Clone + 'static {
        move || {
            self.doc.with(|d| match d {
                Some(Ok(v)) => v
                    .pointer(&pointer)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            })
        }
    }

    /// Problems of install.json at `pointer` or below it.
    fn hints(self, pointer: String) -> impl IntoView {
        move || {
            let here: Vec<Problem> = self.problems.with(|all| {
                all.iter()
                    .filter(|p| {
                        p.file == INSTALL && (p.pointer == pointer || p.pointer.starts_with(&format!("{pointer}/")))
                    })
                    .cloned()
                    .collect()
            });
            here.into_iter()
                .map(|p| {
                    let fix = p.fix.clone();
                    let ide = self.ide;
                    let error = self.error;
                    view! {
                        <div class=format!("hint hint-{}", match p.severity { domain::problem::Severity::Error => "error", domain::problem::Severity::Warning => "warning", domain::problem::Severity::Info => "info" })
                            data-testid="field-hint" data-code=p.code.clone()>
                            {p.message.clone()}
                            {fix.map(|fix| view! {
                                <button class="link-button" data-testid="hint-fix" disabled=ide.read_only
                                    on:click=move |_| error.set(super::problems::apply(ide, &fix).err())>{fix.title.clone()}</button>
                            })}
                        </div>
                    }
                })
                .collect_view()
        }
    }
}

/// A text input bound to `pointer`; an empty value removes the key when `optional`.
fn text_input(ctx: Form, pointer: String, optional: bool, test_id: Option<&'static str>, mono: bool) -> impl IntoView {
    let value = ctx.text(pointer.clone());
    view! {
        <input type="text" class:mono=mono prop:value=value data-testid=test_id disabled=ctx.ide.read_only
            on:change=move |ev| {
                let text = event_target_value(&ev);
                let value = if optional && text.trim().is_empty() { None } else { Some(Value::String(text)) };
                set(ctx.ide, ctx.error, pointer.clone(), value);
            }/>
    }
}

/// A labelled text input bound to `pointer` (see [`text_input`]).
fn text_field(
    ctx: Form,
    label: &'static str,
    pointer: String,
    optional: bool,
    test_id: Option<&'static str>,
) -> impl IntoView {
    view! { <label class="field"><span>{label}</span>{text_input(ctx, pointer, optional, test_id, false)}</label> }
}

/// A select of `choices` bound to the string at `pointer`.
fn select_input(
    ctx: Form,
    pointer: String,
    choices: &'static [&'static str],
    test_id: &'static str,
    label: Option<&'static str>,
) -> impl IntoView {
    let value = ctx.text(pointer.clone());
    view! {
        <select prop:value=value disabled=ctx.ide.read_only data-testid=test_id aria-label=label
            on:change=move |ev| set(ctx.ide, ctx.error, pointer.clone(), Some(Value::String(event_target_value(&ev))))>
            {choices.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view()}
        </select>
    }
}

/// A checkbox bound to the flag at `pointer` (unchecked removes it).
fn check_input(ctx: Form, label: &'static str, pointer: String) -> impl IntoView {
    let on = {
        let pointer = pointer.clone();
        move || ctx.doc.with(|d| flag_at(d, &pointer))
    };
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=on disabled=ctx.ide.read_only
                on:change=move |ev| set(ctx.ide, ctx.error, pointer.clone(), event_target_checked(&ev).then_some(Value::Bool(true)))/>
            {label}
        </label>
    }
}

/// One checkbox per choice over the list of strings at `pointer`: checking adds the choice,
/// unchecking removes it.
fn check_list(ctx: Form, pointer: String, choices: &'static [&'static str], class: &'static str) -> impl IntoView {
    let list = ctx.list(pointer.clone());
    choices
        .iter()
        .map(|choice| {
            let choice: &'static str = choice;
            let (list, toggled, pointer) = (list.clone(), list.clone(), pointer.clone());
            view! {
                <label class=class>
                    <input type="checkbox" prop:checked=move || list().iter().any(|c| c == choice) disabled=ctx.ide.read_only
                        on:change=move |_| {
                            let mut list = toggled();
                            match list.iter().position(|c| c == choice) {
                                Some(at) => { list.remove(at); }
                                None => list.push(choice.to_owned()),
                            }
                            set(ctx.ide, ctx.error, pointer.clone(), Some(json!(list)));
                        }/>
                    {choice}
                </label>
            }
        })
        .collect_view()
}

#[component]
fn AppSection(ctx: Form) -> impl IntoView {
    view! {
        <section class="meta-section">
            <h2>"App"</h2>
            <div class="field-grid">
                <div>
                    {text_field(ctx, "Display name", "/displayName".into(), false, Some("meta-display-name"))}
                    {ctx.hints("/displayName".into())}
                </div>
                <div>
                    {text_field(ctx, "Version (X.Y.Z)", "/programVersion".into(), false, Some("meta-version"))}
                    {ctx.hints("/programVersion".into())}
                </div>
                <label class="field">
                    <span>"Runtime level"</span>
                    {select_input(ctx, "/runtimeLevel".into(), &RUNTIME_LEVELS, "meta-runtime-level", None)}
                </label>
                <div>
                    {text_field(ctx, "Category", "/category".into(), true, Some("meta-category"))}
                    {ctx.hints("/category".into())}
                </div>
            </div>
            <label class="field">
                <span>"Description (markdown)"</span>
                <textarea rows="3" prop:value=ctx.text("/note") data-testid="meta-note" disabled=ctx.ide.read_only
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        set(ctx.ide, ctx.error, "/note".into(), (!text.trim().is_empty()).then_some(Value::String(text)));
                    }></textarea>
            </label>
            <fieldset class="features">
                <legend>"Features"</legend>
                {check_list(ctx, "/features".into(), &FEATURES, "check")}
            </fieldset>
            {ctx.hints("/features".into())}
        </section>
    }
}

#[component]
fn ParamsSection(ctx: Form) -> impl IntoView {
    let count = Memo::new(move |_| ctx.doc.with(|d| len_at(d, "/params")));
    let add = move |_| {
        let result = update(ctx.ide, |doc| {
            let taken: Vec<String> = doc.value["params"]
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let name = (1..)
                .map(|n| if n == 1 { "new_input".to_owned() } else { format!("new_input_{n}") })
                .find(|n| !taken.contains(n))
                .expect("a free name");
            let sequence = doc.value["params"]
                .as_array()
                .map_or(0, |a| a.iter().filter_map(|p| p["sequence"].as_i64()).max().unwrap_or(0))
                + 1;
            let at = doc.value["params"].as_array().map_or(0, Vec::len);
            doc.insert(
                "/params",
                at,
                json!({"label": "New input", "name": name, "type": "String", "required": false, "sequence": sequence}),
            )
        });
        ctx.error.set(result.err());
    };
    view! {
        <section class="meta-section">
            <div class="meta-head">
                <h2>"Inputs"</h2>
                {(!ctx.ide.read_only).then(|| view! { <button class="button" data-testid="add-param" on:click=add>"Add input"</button> })}
            </div>
            {move || (0..count.get()).map(|i| view! { <ParamRow ctx index=i count=count.get()/> }).collect_view()}
        </section>
    }
}

#[component]
fn ParamRow(ctx: Form, index: usize, count: usize) -> impl IntoView {
    let at = move |field: &str| format!("/params/{index}/{field}");
    let kind = ctx.text(at("type"));
    let valid_values = {
        let list = ctx.list(at("validValues"));
        move || list().join("\n")
    };
    let move_to = move |to: usize| {
        let result = update(ctx.ide, |doc| doc.move_item("/params", index, to));
        ctx.error.set(result.err());
    };
    let remove = move |_| {
        if crate::components::confirm::confirm("Remove this input?") {
            let result = update(ctx.ide, |doc| remove_value(doc, &format!("/params/{index}")));
            ctx.error.set(result.err());
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.alt_key() && ev.key() == "ArrowUp" && index > 0 {
            ev.prevent_default();
            move_to(index - 1);
        } else if ev.alt_key() && ev.key() == "ArrowDown" && index + 1 < count {
            ev.prevent_default();
            move_to(index + 1);
        }
    };
    let read_only = ctx.ide.read_only;
    let choices = move || matches!(kind().as_str(), "Choice" | "MultiChoice" | "EditChoice");
    view! {
        <div class="param-row" data-testid="param-row" on:keydown=on_key title="Alt+↑ / Alt+↓ move this input">
            <div class="field-grid">
                {text_field(ctx, "Label", at("label"), false, Some("param-label"))}
                <label class="field"><span>"Name"</span>{text_input(ctx, at("name"), false, Some("param-name"), true)}</label>
                <label class="field"><span>"Type"</span>{select_input(ctx, at("type"), &PARAM_TYPES, "param-type", None)}</label>
                {text_field(ctx, "Default", at("default"), true, Some("param-default"))}
            </div>
            {move || choices().then(|| view! {
                <label class="field"><span>"Choices (one per line)"</span>
                    <textarea rows="3" prop:value=valid_values.clone() disabled=read_only data-testid="param-valid-values"
                        on:change=move |ev| {
                            let list: Vec<String> = event_target_value(&ev).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
                            set(ctx.ide, ctx.error, at("validValues"), Some(json!(list)));
                        }></textarea></label>
            })}
            {text_field(ctx, "Help text", at("note"), true, None)}
            <fieldset class="accepts">
                <legend>"Accepts playbook variables of type"</legend>
                {check_list(ctx, at("playbookDataType"), &DATA_TYPES[..10], "check small")}
            </fieldset>
            <div class="param-flags">
                {check_input(ctx, "Required", at("required"))}
                {check_input(ctx, "Encrypted (password, key)", at("encrypt"))}
                {check_input(ctx, "Hidden", at("hidden"))}
                <label class="field inline rows"><span>"Rows"</span>
                    <input type="number" min="1" max="50" prop:value=ctx.text(at("viewRows")) disabled=read_only data-testid="param-view-rows"
                        title="More than 1 shows a multi-line text box"
                        on:change=move |ev| {
                            let rows = event_target_value(&ev).trim().parse::<u32>().ok().filter(|r| *r > 1);
                            set(ctx.ide, ctx.error, at("viewRows"), rows.map(|r| json!(r)));
                        }/></label>
                {(!read_only).then(|| view! {
                    <span class="spacer"></span>
                    <button class="icon-button" aria-label="Move up" disabled=index == 0 on:click=move |_| move_to(index - 1)>"↑"</button>
                    <button class="icon-button" aria-label="Move down" disabled={index + 1 >= count} on:click=move |_| move_to(index + 1)>"↓"</button>
                    <button class="icon-button" aria-label="Remove input" data-testid="remove-param" on:click=remove>"✕"</button>
                })}
            </div>
            {ctx.hints(format!("/params/{index}"))}
        </div>
    }
}

#[component]
fn OutputsSection(ctx: Form) -> impl IntoView {
    const OUTPUTS: &str = "/playbook/outputVariables";
    let count = Memo::new(move |_| ctx.doc.with(|d| len_at(d, OUTPUTS)));
    let add = move |_| {
        let slug = ctx.ide.slug().replace('-', "_");
        let result = update(ctx.ide, |doc| {
            if doc.value.pointer(OUTPUTS).is_none() {
                doc.set(OUTPUTS, json!([]))?;
            }
            let at = doc.value.pointer(OUTPUTS).and_then(Value::as_array).map_or(0, Vec::len);
            doc.insert(OUTPUTS, at, json!({"name": format!("{slug}.results.value"), "type": "String"}))
        });
        ctx.error.set(result.err());
    };
    view! {
        <section class="meta-section">
            <div class="meta-head">
                <h2>"Outputs"</h2>
                {(!ctx.ide.read_only).then(|| view! { <button class="button" data-testid="add-output" on:click=add>"Add output"</button> })}
            </div>
            <p class="muted">"Names follow the standard: " <code>"<app slug>.<data type>[.<sub type>].<descriptor>"</code> ", lower-case snake_case; raw remote data as " <code>"<slug>.response.json.raw"</code> "."</p>
            {move || (0..count.get()).map(|i| {
                let at = move |field: &str| format!("{OUTPUTS}/{i}/{field}");
                let name = ctx.text(at("name"));
                let remove = move |_| {
                    let result = update(ctx.ide, |doc| remove_value(doc, &format!("{OUTPUTS}/{i}")));
                    ctx.error.set(result.err());
                };
                view! {
                    <div class="output-row" data-testid="output-row">
                        <input type="text" class="mono" prop:value=name disabled=ctx.ide.read_only data-testid="output-name" aria-label="Output name"
                            on:change=move |ev| set(ctx.ide, ctx.error, at("name"), Some(Value::String(event_target_value(&ev))))/>
                        {select_input(ctx, at("type"), &DATA_TYPES, "output-type", Some("Output type"))}
                        {(!ctx.ide.read_only).then(|| view! { <button class="icon-button" aria-label="Remove output" on:click=remove>"✕"</button> })}
                    </div>
                    {ctx.hints(format!("{OUTPUTS}/{i}"))}
                }
            }).collect_view()}
        </section>
    }
}
