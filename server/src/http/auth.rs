//! Who is asking: credentials to principal, the signed-in requirement, role checks, the session
//! cookie, and the refusal of state-changing requests from foreign origins.

use crate::error::ApiError;
use crate::state::HttpSettings;
use accounts::Accounts;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Principal, Role};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "appbuilder_session";

/// Middleware: resolves a bearer token or the session cookie into a [`Principal`] and stores it
/// in the request's extensions. Missing or invalid credentials leave the request anonymous;
/// routes that need a user refuse it later ([`require_signed_in`]).
pub async fn resolve_principal(State(accounts): State<Accounts>, mut request: Request, next: Next) -> Response {
    let resolved = if let Some(token) = bearer_token(request.headers()) {
        accounts.authenticate_token(token).await
    } else if let Some(secret) = cookie_value(request.headers(), SESSION_COOKIE) {
        accounts.authenticate_session(secret).await
    } else {
        Ok(None)
    };
    match resolved {
        Ok(Some(principal)) => {
            tracing::Span::current().record("user", principal.username.as_str());
            request.extensions_mut().insert(principal);
        }
        Ok(None) => {}
        Err(err) => return ApiError::from(err).into_response(),
    }
    next.run(request).await
}

/// Middleware: answers 401 unless a principal was resolved.
pub async fn require_signed_in(request: Request, next: Next) -> Response {
    if request.extensions().get::<Principal>().is_none() {
        return ApiError::unauthorized().into_response();
    }
    next.run(request).await
}

/// Middleware for pages: a signed-out visitor gets the sign-in form at the URL asked for; the
/// status says 401 so that scripts and crawlers see what it is.
pub async fn signed_out_pages_answer_401(request: Request, next: Next) -> Response {
    let signed_in = request.extensions().get::<Principal>().is_some();
    let mut response = next.run(request).await;
    if !signed_in && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNAUTHORIZED;
    }
    response
}

/// Extractor for handlers that act for a user (behind [`require_signed_in`]).
#[derive(Debug, Clone)]
pub struct SignedIn(pub Principal);

impl SignedIn {
    /// The principal, if its role allows `needed`; 403 otherwise.
    pub fn require(&self, needed: Role) -> Result<&Principal, ApiError> {
        if self.0.role.allows(needed) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden(format!("this needs the {needed} role; you are {}", self.0.role)))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().map(SignedIn).ok_or_else(ApiError::unauthorized)
    }
}

/// The peer's address, when the server knows it (not in in-process tests).
pub fn client_address(parts_extensions: &axum::http::Extensions) -> Option<IpAddr> {
    parts_extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The value of one cookie from the `Cookie` headers.
fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The `Set-Cookie` value that stores a session secret in the browser.
pub fn session_cookie(secret: &str, lifetime: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value =
        format!("{SESSION_COOKIE}={secret}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{secure}", lifetime.as_secs());
    HeaderValue::from_str(&value).expect("a session secret is URL-safe base64, valid in a header")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"))
        .expect("a constant cookie is a valid header")
}

/// Middleware: refuses state-changing requests (anything but GET, HEAD, OPTIONS) that a browser
/// sent from another site: an `Origin` that is neither this host nor an allowed origin, or
/// `Sec-Fetch-Site: cross-site`. Together with the SameSite=Strict cookie this closes CSRF.
/// Webhook deliveries (`/hooks/`) come from other systems by design and are not checked here.
pub async fn refuse_foreign_origin(
    State(settings): State<Arc<HttpSettings>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !request.uri().path().starts_with("/hooks/") && is_cross_origin(request.headers(), &settings) {
        tracing::warn!(origin = ?request.headers().get(header::ORIGIN), "refused a cross-origin request");
        return ApiError::forbidden("cross-origin requests that change state are refused").into_response();
    }
    next.run(request).await
}

fn is_cross_origin(headers: &HeaderMap, settings: &HttpSettings) -> bool {
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false; // not a browser, or a same-origin GET-like navigation
    };
    let Ok(origin) = origin.to_str() else { return true };
    if settings.allowed_origins.iter().any(|allowed| allowed.trim_end_matches('/') == origin) {
        return false;
    }
    let origin_authority = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    !matches!((origin_authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).expect("valid header"));
        }
        map
    }

    fn settings(allowed: &[&str]) -> HttpSettings {
        HttpSettings {
            data_dir: "/tmp".into(),
            max_body_bytes: 1,
            max_upload_bytes: 1,
            secure_cookies: false,
            allowed_origins: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; appbuilder_session=s3cr3t; b=2")]);
        assert_eq!(cookie_value(&h, SESSION_COOKIE), Some("s3cr3t"));
        assert_eq!(cookie_value(&headers(&[("cookie", "xappbuilder_session=no")]), SESSION_COOKIE), None);
    }

    #[test]
    fn bearer_tokens_need_the_scheme() {
        assert_eq!(bearer_token(&headers(&[("authorization", "Bearer abt_x")])), Some("abt_x"));
        assert_eq!(bearer_token(&headers(&[("authorization", "bearer abt_x")])), Some("abt_x"));
        assert_eq!(bearer_token(&headers(&[("authorization", "Basic abc")])), None);
    }

    #[test]
    fn only_foreign_origins_are_cross_origin() {
        let s = settings(&["https://ide.example.com"]);
        let same = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]);
        assert!(!is_cross_origin(&same, &s));
        let foreign = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://evil.test")]);
        assert!(is_cross_origin(&foreign, &s));
        let proxied = headers(&[("host", "10.0.0.5:3000"), ("origin", "https://ide.example.com")]);
        assert!(!is_cross_origin(&proxied, &s));
        assert!(!is_cross_origin(&headers(&[("host", "x")]), &s), "no Origin: not a browser");
        assert!(is_cross_origin(&headers(&[("sec-fetch-site", "cross-site")]), &s));
        assert!(is_cross_origin(&headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]), &s));
    }

    #[test]
    fn the_session_cookie_is_http_only_and_strict() {
        let cookie = session_cookie("abc", Duration::from_secs(60), false);
        let text = cookie.to_str().expect("ascii");
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict") && text.contains("Max-Age=60"));
        assert!(!text.contains("Secure"));
        assert!(session_cookie("abc", Duration::from_secs(60), true).to_str().expect("ascii").ends_with("; Secure"));
    }
}
