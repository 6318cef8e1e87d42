//! `/apps/{app}/compare?from=&to=`: any two versions, file by file, in Monaco's diff editor.

use super::api::{Comparison, load_app, load_comparison};
use super::diff_view::DiffView;
use super::{AppFrame, use_query, use_slug};
use crate::components::app_nav::AppSection;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, subject, when};
use crate::components::page_title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The compare page; without `from`/`to` it compares the two newest versions. Everything it
/// shows comes from one server fn at the page's level (a resource inside its Suspense would break
/// hydration).
#[component]
pub fn ComparePage() -> impl IntoView {
    let slug = use_slug();
    let (from, to, path) = (use_query("from"), use_query("to"), use_query("path"));
    let info = Resource::new(slug.clone(), load_app);
    let comparison = {
        let slug = slug.clone();
        Resource::new(move || (slug(), from(), to()), |(slug, from, to)| load_comparison(slug, from, to))
    };
    let navigate = use_navigate();
    view! {
        <PageTitle text="Compare"/>
        <AppFrame section=AppSection::History info>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {
                    let (slug, path, navigate) = (slug.clone(), path.clone(), navigate.clone());
                    move || {
                        let (slug, path, navigate) = (slug(), path(), navigate.clone());
                        Suspend::new(async move {
                            let Comparison { recent, from, to, files, contract } = match comparison.await {
                                Ok(comparison) => comparison,
                                Err(err) => return view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                            };
                            let options = recent.iter().map(|c| (c.revision.to_string(), format!("{} · {} · {}", short(c.revision.as_str()), subject(&c.message), when(&c.time)))).collect::<Vec<_>>();
                            let go = {
                                let slug = slug.clone();
                                move |from: String, to: String| navigate(&format!("/apps/{slug}/compare?from={from}&to={to}"), Default::default())
                            };
                            view! {
                                <Picker options from=from.clone().unwrap_or_default() to=to.clone() go/>
                                {match from {
                                    Some(from) => view! {
                                        {contract.map(|diff| view! { <crate::pages::releases::ContractChanges diff/> })}
                                        <DiffView slug from=Some(from) to files path=path.unwrap_or_default()/>
                                    }.into_any(),
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
