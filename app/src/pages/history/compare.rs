//! `/apps/{app}/compare?from=&to=`: any two versions, file by file, in Monaco's diff editor.

use super::api::{load_app, load_changed_files, load_history};
use super::diff_view::DiffView;
use super::{AppFrame, use_query, use_slug};
use crate::components::app_nav::AppSection;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, subject, when};
use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The compare page; without `from`/`to` it compares the two newest versions.
#[component]
pub fn ComparePage() -> impl IntoView {
    let slug = use_slug();
    let (from, to, path) = (use_query("from"), use_query("to"), use_query("path"));
    let info = Resource::new(slug.clone(), load_app);
    let recent = Resource::new(slug.clone(), |slug| load_history(slug, Default::default(), None));
    let navigate = use_navigate();
    view! {
        <PageTitle text="Compare"/>
        <AppFrame section=AppSection::History info>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {
                    let (slug, from, to, path, navigate) = (slug.clone(), from.clone(), to.clone(), path.clone(), navigate.clone());
                    move || {
                        let (slug, from, to, path, navigate) = (slug(), from(), to(), path(), navigate.clone());
                        Suspend::new(async move {
                            let recent = match recent.await {
                                Ok(recent) => recent.items,
                                Err(err) => return view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                            };
                            let to = to.or_else(|| recent.first().map(|c| c.revision.to_string())).unwrap_or_default();
                            let from = from.or_else(|| recent.get(1).map(|c| c.revision.to_string()));
                            let options = recent.iter().map(|c| (c.revision.to_string(), format!("{} · {} · {}", short(c.revision.as_str()), subject(&c.message), when(&c.time)))).collect::<Vec<_>>();
                            let go = {
                                let slug = slug.clone();
                                move |from: String, to: String| navigate(&format!("/apps/{slug}/compare?from={from}&to={to}"), Default::default())
                            };
                            view! {
                                <Picker options from=from.clone().unwrap_or_default() to=to.clone() go/>
                                {match from {
                                    Some(from) => view! { <Changes slug from to path/> }.into_any(),
                                    None => view! { <p class="muted">"This app has one version only; there is nothing to compare yet."</p> }.into_any(),
                                }}
                            }.into_any()
                        })
                    }
                }
            </Suspense>
        </AppFrame>
    }
}

/// Two version pickers.
#[component]
fn Picker(
    options: Vec<(String, String)>,
    from: String,
    to: String,
    go: impl Fn(String, String) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let from_sel = RwSignal::new(from);
    let to_sel = RwSignal::new(to);
    let select = |value: RwSignal<String>, label: &'static str, test_id: &'static str| {
        let options = options.clone();
        let go = go.clone();
        view! {
            <label class="compare-pick">{label}
                <select data-testid=test_id prop:value=move || value.get()
                    on:change=move |ev| { value.set(event_target_value(&ev)); go(from_sel.get_untracked(), to_sel.get_untracked()); }>
                    {options.into_iter().map(|(rev, text)| view! { <option value=rev>{text}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <div class="compare-pickers">
            {select(from_sel, "From (older)", "compare-from")}
            {select(to_sel, "To (newer)", "compare-to")}
        </div>
    }
}

#[component]
fn Changes(slug: String, from: String, to: String, path: Option<String>) -> impl IntoView {
    let files = Resource::new(
        {
            let (slug, from, to) = (slug.clone(), from.clone(), to.clone());
            move || (slug.clone(), from.clone(), to.clone())
        },
        |(slug, from, to)| load_changed_files(slug, from, to),
    );
    // The contract changes beside the code, loaded once the page runs in the browser (a second
    // resource here, inside the page's Suspense, breaks hydration); none shown when a version has
    // no readable install.json.
    let contract = RwSignal::new(None::<domain::manifest::contract::ContractDiff>);
    Effect::new({
        let (slug, from, to) = (slug.clone(), from.clone(), to.clone());
        move |_| {
            let (slug, from, to) = (slug.clone(), from.clone(), to.clone());
            leptos::task::spawn_local(async move {
                contract.set(crate::pages::releases::load_contract_diff(slug, from, to).await.ok());
            });
        }
    });
    view! {
        <div class="compare-contract">
            {move || contract.get().map(|diff| view! { <crate::pages::releases::ContractChanges diff/> })}
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Comparing…"</p> }>
            {
                let (slug, from, to, path) = (slug.clone(), from.clone(), to.clone(), path.clone());
                move || {
                    let (slug, from, to, path) = (slug.clone(), from.clone(), to.clone(), path.clone());
                    Suspend::new(async move {
                        match files.await {
                            Ok(files) => view! { <DiffView slug from=Some(from) to files path=path.unwrap_or_default()/> }.into_any(),
                            Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}
