//! `/reviews`: the user's notifications (review requests and answers, unread first marked) and
//! every review, open ones first.

use super::ReviewBadge;
use super::api::{Inbox, load_inbox, read_notifications};
use super::review::summary;
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::when;
use crate::components::page_title::PageTitle;
use domain::release::{Notification, Review, ReviewState};
use leptos::prelude::*;

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let inbox = Resource::new(|| (), |_| load_inbox());
    view! {
        <PageTitle text="Reviews"/>
        <div class="app-page-body">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match inbox.await {
                        Ok(inbox) => view! { <InboxView inbox/> }.into_any(),
                        Err(err) => view! { <ErrorBanner message=readable(&err)/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn InboxView(inbox: Inbox) -> impl IntoView {
    let notifications = RwSignal::new(inbox.notifications);
    let error = RwSignal::new(None::<String>);
    let read_all = move |_| {
        leptos::task::spawn_local(async move {
            match read_notifications(None).await {
                Ok(()) => notifications.update(|all| all.iter_mut().for_each(|n| n.read = true)),
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    let mut reviews = inbox.reviews;
    // Open reviews first, then the rest, each newest first (the list comes newest first).
    reviews.sort_by_key(|r| r.state != ReviewState::Open);
    let empty = reviews.is_empty();
    view! {
        <div class="page-head"><h1>"Reviews"</h1></div>
        {move || error.get().map(|message| view! { <ErrorBanner message/> })}
        <section data-testid="notifications">
            <div class="section-head">
                <h2>"Notifications"</h2>
                <button class="button button-quiet" data-testid="read-all" on:click=read_all
                    disabled=move || notifications.with(|all| all.iter().all(|n| n.read))>"Mark all read"</button>
            </div>
            {move || notifications.with(Vec::is_empty).then(|| view! { <p class="muted">"Nothing new."</p> })}
            <ul class="notifications">
                {move || notifications.get().into_iter().map(|n| view! { <NotificationRow n/> }).collect_view()}
            </ul>
        </section>
        <h2>"All reviews"</h2>
        {empty.then(|| view! { <p class="muted">"No reviews yet. A developer asks for one from an app's Releases page."</p> })}
        <table class="table" data-testid="reviews" class:hidden=empty>
            <thead><tr><th>"Review"</th><th>"Release"</th><th>"State"</th><th>"Asked by"</th><th>"When"</th></tr></thead>
            <tbody>{reviews.into_iter().map(|review| view! { <ReviewRow review/> }).collect_view()}</tbody>
        </table>
    }
}

#[component]
fn NotificationRow(n: Notification) -> impl IntoView {
    view! {
        <li class="notification" class:unread=!n.read data-testid="notification" data-kind=n.kind.clone()>
            <a href=n.link.clone()>{n.text.clone()}</a> " " <span class="muted">{when(&n.created_at)}</span>
        </li>
    }
}

#[component]
fn ReviewRow(review: Review) -> impl IntoView {
    view! {
        <tr data-testid="review-row">
            <td><a href=format!("/reviews/{}", review.id)>{format!("#{}", review.id)}</a></td>
            <td><a href=format!("/apps/{}/releases", review.app)>{summary(&review)}</a></td>
            <td><ReviewBadge state=Some(review.state)/></td>
            <td>{review.requested_by.clone()}</td>
            <td class="nowrap">{when(&review.created_at)}</td>
        </tr>
    }
}
