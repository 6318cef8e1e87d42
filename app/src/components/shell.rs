//! The frame of every signed-in page, or the sign-in form for everyone else.

use crate::auth::SignedInUser;
use crate::components::header::Header;
use crate::pages::sign_in::SignInPage;
use leptos::prelude::*;
use leptos_router::components::Outlet;

/// Shows the header and the page for a signed-in user; the sign-in form at the same URL
/// otherwise, so that signing in returns to the page that was asked for.
#[component]
pub fn SignedInShell() -> impl IntoView {
    let SignedInUser(me) = expect_context::<SignedInUser>();
    let location = leptos_router::hooks::use_location();
    let path = Signal::derive(move || location.pathname.get());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        provide_context(me.clone());
                        view! {
                            <Header me path/>
                            <main class="page"><Outlet/></main>
                        }.into_any()
                    }
                    Ok(None) => view! { <SignInPage/> }.into_any(),
                    Err(err) => view! {
                        <main class="page">
                            <p class="banner banner-error" role="alert">
                                "AppBuilder could not tell who you are: " {err.to_string()}
                            </p>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
