//! The AppBuilder server: configuration, start-up, and the HTTP surface.
//!
//! One request's path: `tower-http` layers give it a request id, a trace span, a body limit and
//! compression; [`http::auth`] refuses foreign-origin writes and resolves the session cookie or
//! bearer token into a `domain::Principal` (stored in the request's extensions); then the router
//! sends it to a REST handler under `/api/v1` (thin: check input, call a service such as
//! `accounts::Accounts`, map the error once through [`error::ApiError`]), to a Leptos server fn
//! under `/rpc`, or to the Leptos page renderer. Everything the handlers need is built once in
//! [`startup`] and passed as [`state::AppState`].

// Rendering the editor page's deeply nested view types needs more than rustc's default limit.
#![recursion_limit = "256"]

pub mod config;
pub mod error;
pub mod http;
pub mod package;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod validate;
