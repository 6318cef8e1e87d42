//! `/reviews/{id}`: one review — the release, the contract changes and commits since the release
//! before it (with a link to the code diff), the comments (on the release, a line, or a manifest
//! field), and Approve / Request changes for reviewers and admins who did not release it.

use super::api::{Anchor, ReviewPageView, add_comment, decide_review, load_review};
use super::{ContractChanges, ReviewBadge};
use crate::components::app_nav::{AppNav, AppSection};
use crate::components::errors::{ErrorBanner, readable};
use crate::components::format::{query_value, short, subject, when};
use crate::components::record_page::record_page;
use domain::release::{Review, ReviewComment};
use leptos::prelude::*;

#[component]
pub fn ReviewPage() -> impl IntoView {
    record_page("Review", "review", load_review, |page| view! { <ReviewDetail page/> })
}

#[component]
fn ReviewDetail(page: ReviewPageView) -> impl IntoView {
    let ReviewPageView { view, app_name, can_decide, why_not } = page;
    let review = RwSignal::new(view.review.clone());
    let comments = RwSignal::new(view.review.comments.clone());
    let error = RwSignal::new(None::<String>);
    let id = view.review.id;
    let release = view.review.release.clone();
    let decide = move |approve: bool| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match decide_review(id, approve).await {
                Ok(now) => review.set(now),
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    // The code diff: from the parent of the oldest commit since the release before, to this one.
    let compare = view.commits.last().and_then(|c| c.parents.first()).map(|from| {
        format!(
            "/apps/{}/compare?from={}&to={}",
            release.app,
            query_value(from.as_str()),
            query_value(&release.revision)
        )
    });
    let decision = move || {
        let r = review.get();
        let decided = r.decided_by.clone().map(|by| view! { <span class="muted">" by " {by}</span> });
        view! { <ReviewBadge state=Some(r.state)/> {decided} }
    };
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <AppNav slug=release.app.clone() name=app_name current=AppSection::Releases/>
        <div class="app-page-body" data-testid="review" data-ready=move || ready.get().to_string()>
            <div class="page-head">
                <h1>"Review of " {release.version.clone()} " " <span data-testid="review-decision">{decision}</span></h1>
                <div class="actions">
                    {can_decide.then(|| view! {
                        <button class="button" data-testid="request-changes" on:click=move |_| decide(false)>"Request changes"</button>
                        <button class="button button-primary" data-testid="approve" on:click=move |_| decide(true)>"Approve"</button>
                    })}
                </div>
            </div>
            {why_not.map(|why| view! { <p class="muted" data-testid="why-not-decide">{why}</p> })}
            {move || error.get().map(|message| view! { <ErrorBanner message/> })}
            <dl class="facts">
                <dt>"Release"</dt><dd>{release.version.clone()} " " <span class="mono muted">{release.tag.clone()}</span> " by " {release.author.clone()}</dd>
                <dt>"Revision"</dt><dd><a class="mono" href=format!("/apps/{}/commits/{}", release.app, release.revision)>{short(&release.revision)}</a>
                    " · build " <a href=format!("/builds/{}", release.build)>{format!("#{}", release.build)}</a></dd>
                <dt>"Asked by"</dt><dd>{view.review.requested_by.clone()} ", " {when(&view.review.created_at)}</dd>
                <dt>"Since"</dt><dd>{view.previous.clone().unwrap_or_else(|| "the first version (no earlier release)".into())}
                    {compare.map(|href| view! { " · " <a href=href data-testid="code-diff">"Code changes"</a> })}</dd>
            </dl>
            <h2>"Release notes"</h2>
            <pre class="release-notes" data-testid="review-notes">{release.notes.clone()}</pre>
            {view.contract.clone().map(|diff| view! { <ContractChanges diff/> })}
            <h2>{format!("Commits ({})", view.commits.len())}</h2>
            <ul class="commit-list">
                {view.commits.iter().map(|c| view! {
                    <li><a href=format!("/apps/{}/commits/{}", release.app, c.revision)>{subject(&c.message).to_owned()}</a>
                        " " <span class="muted">{c.author.name.clone()} " · " {when(&c.time)}</span></li>
                }).collect_view()}
            </ul>
            <h2>"Comments"</h2>
            <Comments app=release.app.clone() revision=release.revision.clone() comments/>
            <CommentForm id comments error/>
        </div>
    }
}

#[component]
fn Comments(app: String, revision: String, comments: RwSignal<Vec<ReviewComment>>) -> impl IntoView {
    view! {
        {move || comments.with(Vec::is_empty).then(|| view! { <p class="muted">"No comments yet."</p> })}
        <ol class="comments" data-testid="comments">
            {move || comments.get().into_iter().map(|c| {
                let anchor = match (&c.path, c.line, &c.pointer) {
                    (Some(path), Some(line), _) => Some((format!("{path}:{line}"), format!("/apps/{app}?rev={revision}&path={}", query_value(path)))),
                    (Some(path), None, Some(pointer)) => Some((format!("{path} {pointer}"), format!("/apps/{app}?rev={revision}&path={}", query_value(path)))),
                    (Some(path), None, None) => Some((path.clone(), format!("/apps/{app}?rev={revision}&path={}", query_value(path)))),
                    _ => None,
                };
                view! {
                    <li class="comment" data-testid="comment">
                        <div class="comment-head"><strong>{c.author.clone()}</strong> " "
                            {anchor.map(|(label, href)| view! { <a class="mono" href=href data-testid="comment-anchor">{label}</a> " " })}
                            <span class="muted">{when(&c.created_at)}</span></div>
                        <p class="comment-body">{c.body.clone()}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// A new comment: on the release, or on a line of a file, or on a manifest field (a JSON pointer
/// into install.json or layout.json).
#[component]
fn CommentForm(id: i64, comments: RwSignal<Vec<ReviewComment>>, error: RwSignal<Option<String>>) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let line = RwSignal::new(String::new());
    let pointer = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|t| !t.is_empty());
        let line_number = match text(line).map(|l| l.parse::<u32>()) {
            Some(Ok(n)) => Some(n),
            Some(Err(_)) => {
                error.set(Some("The line is a number (1 is the first line).".into()));
                return;
            }
            None => None,
        };
        let anchor = Anchor { path: text(path), line: line_number, pointer: text(pointer) };
        leptos::task::spawn_local(async move {
            match add_comment(id, body.get_untracked(), anchor).await {
                Ok(comment) => {
                    comments.update(|all| all.push(comment));
                    body.set(String::new());
                }
                Err(err) => error.set(Some(readable(&err))),
            }
        });
    };
    view! {
        <form class="comment-form" data-testid="comment-form" on:submit=send>
            <textarea rows="3" required placeholder="Leave a comment" data-testid="comment-body"
                prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            <div class="comment-anchor-fields">
                <label>"File " <input type="text" placeholder="app.py" data-testid="comment-path"
                    prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/></label>
                <label>"Line " <input type="number" min="1" class="narrow" data-testid="comment-line"
                    prop:value=move || line.get() on:input=move |ev| line.set(event_target_value(&ev))/></label>
                <label>"or field " <input type="text" placeholder="/params/0/label" data-testid="comment-pointer"
                    prop:value=move || pointer.get() on:input=move |ev| pointer.set(event_target_value(&ev))/></label>
            </div>
            <button class="button button-primary" type="submit" data-testid="comment-send">"Comment"</button>
        </form>
    }
}

/// A review's one-line summary in lists.
pub fn summary(review: &Review) -> String {
    format!("{} {}", review.app, review.release.version)
}
