//! `/apps/{app}/blame?path=&rev=`: each line of a file with the version that last changed it.

use super::api::{load_app, load_blame};
use super::{AppFrame, use_query, use_slug};
use crate::components::app_nav::AppSection;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{short, when};
use crate::components::page_title::PageTitle;
use domain::history::BlameLine;
use leptos::prelude::*;

/// The blame page.
#[component]
pub fn BlamePage() -> impl IntoView {
    let slug = use_slug();
    let (path, rev) = (use_query("path"), use_query("rev"));
    let info = Resource::new(slug.clone(), load_app);
    let lines = {
        let (slug, path, rev) = (slug.clone(), path.clone(), rev.clone());
        Resource::new(
            move || (slug(), rev(), path()),
            |(slug, rev, path)| load_blame(slug, rev, path.unwrap_or_default()),
        )
    };
    view! {
        <PageTitle text="Blame"/>
        <AppFrame section=AppSection::History info>
            <div class="page-head"><h1>"Blame " <code>{path.clone()}</code></h1></div>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {
                    let slug = slug.clone();
                    move || {
                        let slug = slug();
                        Suspend::new(async move {
                            match lines.await {
                                Ok(lines) => view! { <BlameTable slug lines/> }.into_any(),
                                Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </AppFrame>
    }
}

#[component]
fn BlameTable(slug: String, lines: Vec<BlameLine>) -> impl IntoView {
    let mut previous = None::<String>;
    let rows = lines
        .into_iter()
        .map(|line| {
            let revision = line.revision.to_string();
            // The commit shows once per run of lines it last changed.
            let first_of_run = previous.as_deref() != Some(revision.as_str());
            previous = Some(revision.clone());
            let href = format!("/apps/{slug}/commits/{revision}");
            view! {
                <tr class:run-start=first_of_run data-testid="blame-line" data-revision=revision.clone()>
                    <td class="blame-commit">
                        {first_of_run.then(|| view! {
                            <a class="mono" href=href title=revision.clone()>{short(&revision)}</a>
                            " " <span>{line.author.name.clone()}</span>
                            " " <span class="muted">{when(&line.time)}</span>
                        })}
                    </td>
                    <td class="blame-number">{line.line}</td>
                    <td class="blame-content"><pre>{line.content}</pre></td>
                </tr>
            }
        })
        .collect_view();
    view! { <table class="blame" data-testid="blame"><tbody>{rows}</tbody></table> }
}
