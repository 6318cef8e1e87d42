//! The frame of a page about one numbered record — `/builds/{id}`, `/runs/{id}`,
//! `/reviews/{id}`: it reads the `id` from the route, loads the record through its server fn,
//! shows a loading line, then the record's view or a readable error.

use crate::components::errors::readable;
use crate::components::page_title::PageTitle;
use crate::pages::not_found::CannotShow;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// A record page titled `title`; `noun` names the record in the loading line and the error for
/// an id that is not a number ("There is no such build.").
pub fn record_page<T, Fut, V>(
    title: &'static str,
    noun: &'static str,
    load: fn(i64) -> Fut,
    render: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ServerFnError>> + Send + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let loaded = Resource::new(id, move |id| async move {
        match id {
            Some(id) => load(id).await,
            None => {
                #[cfg(feature = "ssr")]
                crate::services::respond_with(http::StatusCode::NOT_FOUND);
                Err(ServerFnError::new(format!("There is no such {noun}.")))
            }
        }
    });
    view! {
        <PageTitle text=title/>
        <div class="app-page">
            <Suspense fallback=move || view! { <p class="muted">{format!("Loading the {noun}…")}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(record) => render(record).into_any(),
                        Err(err) => view! { <CannotShow message=readable(&err)/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
