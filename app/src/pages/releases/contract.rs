//! The contract changes between two versions, as a list: breaking ones marked, the suggested
//! version bump in the heading. Shown in the release form, a review, the compare page and a
//! deployment's changes.

use domain::manifest::contract::{Bump, ContractDiff};
use leptos::prelude::*;

fn bump_name(bump: Bump) -> &'static str {
    match bump {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch => "patch",
    }
}

/// `diff` as a titled list; "No contract changes." when there are none.
#[component]
pub fn ContractChanges(diff: ContractDiff) -> impl IntoView {
    let bump = bump_name(diff.suggested_bump);
    let empty = diff.changes.is_empty();
    view! {
        <section class="contract" data-testid="contract-changes" data-breaking=diff.breaking.to_string() data-bump=bump>
            <h3>"Contract changes " <span class=format!("badge badge-bump-{bump}")>{format!("{bump} version")}</span></h3>
            {empty.then(|| view! { <p class="muted">"No contract changes: params and outputs are as they were."</p> })}
            <ul class="contract-list">
                {diff.changes.into_iter().map(|c| view! {
                    <li class:is-breaking=c.breaking data-testid="contract-change" data-kind=c.kind.clone()>
                        {c.breaking.then(|| view! { <span class="badge badge-failed">"breaking"</span> " " })}
                        {c.detail}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
