//! Validation as you type: the metadata rules (`domain::manifest`, the same code the server and
//! the build run) over the working copy, shown as squiggles in Monaco and in a problems panel
//! whose entries jump to the spot and offer the mechanical fixes.

use super::state::Ide;
use domain::manifest::{Files, apply_fix, validate};
use domain::problem::{Fix, Problem, Severity};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The top-level JSON and Python files the rules read.
fn is_checked(path: &str) -> bool {
    !path.contains('/') && (path.ends_with(".json") || path.ends_with(".py"))
}

/// The problems of the working copy now: the metadata rules (once every checked file's text is
/// known) and the server's latest verdict on the Python files.
pub fn problems(ide: Ide, python: RwSignal<Vec<Problem>>) -> Memo<Vec<Problem>> {
    Memo::new(move |_| {
        let mut problems = metadata_problems(ide);
        problems.extend(python.get());
        problems
    })
}

fn metadata_problems(ide: Ide) -> Vec<Problem> {
    {
        ide.copy.with(|copy| {
            let mut texts = BTreeMap::new();
            for path in copy.paths().filter(|p| is_checked(p)) {
                match copy.file(path).and_then(|f| f.current()) {
                    Some(text) => {
                        texts.insert(path.to_owned(), text.to_owned());
                    }
                    None => return Vec::new(),
                }
            }
            let files = Files { texts, paths: copy.paths().map(str::to_owned).collect(), slug: ide.slug() };
            validate(&files)
        })
    }
}

/// The top-level Python files' syntax, checked by the server (the browser has no Python parser)
/// 600 ms after typing stops; older answers are dropped.
pub fn python_problems(ide: Ide) -> RwSignal<Vec<Problem>> {
    let found = RwSignal::new(Vec::new());
    let sources = Memo::new(move |_| {
        ide.copy.with(|copy| {
            copy.paths()
                .filter(|p| !p.contains('/') && p.ends_with(".py"))
                .filter_map(|p| copy.file(p).and_then(|f| f.current()).map(|t| (p.to_owned(), t.to_owned())))
                .collect::<Vec<_>>()
        })
    });
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let sources = sources.get();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let check = move || {
            if generation.try_get_value() != Some(mine) {
                return;
            }
            leptos::task::spawn_local(async move {
                let answer = super::api::check_python(sources).await;
                if ide.alive()
                    && generation.try_get_value() == Some(mine)
                    && let Ok(problems) = answer
                {
                    found.set(problems);
                }
            });
        };
        set_timeout(check, std::time::Duration::from_millis(600));
    });
    found
}

/// Reads the checked files' texts from the server (once, when the page starts).
pub fn load_checked_files(ide: Ide) {
    let wanted: Vec<(String, String)> = ide.copy.with_untracked(|copy| {
        copy.paths()
            .filter(|p| is_checked(p))
            .filter_map(|p| {
                let file = copy.file(p)?;
                (file.current().is_none()).then(|| (p.to_owned(), file.origin.clone().unwrap_or_else(|| p.to_owned())))
            })
            .collect()
    });
    let base = ide.copy.with_untracked(|c| c.base.clone());
    for (path, origin) in wanted {
        let (slug, base) = (ide.slug(), base.clone());
        leptos::task::spawn_local(async move {
            let text = super::api::file_text(slug, base, origin).await;
            if ide.alive()
                && let Ok(text) = text
            {
                ide.copy.update(|copy| copy.loaded(&path, text));
            }
        });
    }
}

/// Applies `fix` to the working copy (and to the open editors).
pub fn apply(ide: Ide, fix: &Fix) -> Result<(), String> {
    let mut texts: BTreeMap<String, String> = ide.copy.with_untracked(|copy| {
        copy.paths()
            .filter_map(|p| copy.file(p).and_then(|f| f.current()).map(|t| (p.to_owned(), t.to_owned())))
            .collect()
    });
    let before = texts.clone();
    apply_fix(&mut texts, fix)?;
    for (path, text) in texts {
        if before.get(&path) == Some(&text) {
            continue;
        }
        if !ide.copy.with_untracked(|c| c.contains(&path)) {
            let mut created = Ok(());
            ide.copy.update(|c| created = c.create(&path));
            created?;
        }
        ide.copy.update(|c| c.edit(&path, text.clone()));
        ide.replace_text(&path, &text);
    }
    Ok(())
}

fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The app's param and output names in Python completions, following install.json as it is edited.
pub fn keep_contract_names(ide: Ide) {
    // Every keystroke changes the working copy; install.json is parsed again only when its text
    // changed (a memo passes a change on only when its value differs).
    let install = Memo::new(move |_| {
        ide.copy.with(|copy| copy.file("install.json").and_then(|f| f.current()).map(str::to_owned))
    });
    let names = Memo::new(move |_| install.get().as_deref().map(domain::manifest::python_contract::completion_names));
    Effect::new(move |_| {
        ide.editor_ready.track();
        if let Some(names) = names.get() {
            ide.set_contract_names(&names);
        }
    });
}

/// Squiggles in every open model, following the problems.
pub fn keep_markers(ide: Ide, problems: Memo<Vec<Problem>>) {
    Effect::new(move |_| {
        ide.editor_ready.track();
        ide.tabs.track();
        let problems = problems.get();
        ide.set_markers(&|path: &str| {
            problems
                .iter()
                .filter(|p| p.file == path)
                .map(|p| monaco::Marker {
                    line: p.line.unwrap_or(1),
                    severity: severity_label(p.severity),
                    message: p.message.clone(),
                    code: p.code.clone(),
                })
                .collect()
        });
    });
}

/// The problems panel: one row per problem; a row opens its file at its line, a fix button
/// repairs it.
#[component]
pub fn ProblemsPanel(problems: Memo<Vec<Problem>>, open: RwSignal<bool>) -> impl IntoView {
    let ide = expect_context::<Ide>();
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="problems" class:hidden=move || !open.get() aria-label="Problems" data-testid="problems-panel">
            {move || error.get().map(|message| view! { <p class="form-error">{message}</p> })}
            {move || problems.with(Vec::is_empty).then(|| view! { <p class="muted problems-empty">"No problems in the app's metadata."</p> })}
            <ul>
                {move || problems.get().into_iter().map(|problem| {
                    let severity = severity_label(problem.severity);
                    let place = match problem.line { Some(line) => format!("{}:{line}", problem.file), None => problem.file.clone() };
                    let (file, line) = (problem.file.clone(), problem.line.unwrap_or(1));
                    let fix = problem.fix.clone();
                    view! {
                        <li class=format!("problem problem-{severity}") data-testid="problem" data-code=problem.code.clone()>
                            <button class="problem-go" on:click=move |_| ide.go_to(&file, line) title="Go to the spot">
                                <span class="problem-severity">{severity}</span>
                                <span class="mono problem-place" title=place.clone()>{place.clone()}</span>
                                <span class="problem-message">{problem.message.clone()}</span>
                                <span class="muted mono problem-code" title=problem.code.clone()>{problem.code.clone()}</span>
                            </button>
                            <span class="problem-actions">
                                <a class="problem-guide" href=domain::guides::guide_href(&problem.code) target="_blank"
                                    data-testid="problem-guide" title="What this means and how to fix it">"Guide"</a>
                                {fix.map(|fix| {
                                    let title = fix.title.clone();
                                    view! {
                                        <button class="button button-quiet" data-testid="problem-fix" disabled=ide.read_only
                                            on:click=move |_| error.set(apply(ide, &fix).err())>{title}</button>
                                    }
                                })}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
