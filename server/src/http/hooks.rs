//! `/hooks/<token>`: webhook deliveries from outside systems. Public (the token is the
//! credential, optionally with an HMAC signature); answered 202 with the delivery's id once it is
//! stored — or, for a hook that answers its caller, with the app's own answer (its status,
//! content type and body) once the run has ended; 404 for an unknown or disabled hook, 413 over
//! its body limit, 429 over its rate, 403 for a bad signature.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub async fn deliver(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let headers = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
        .collect();
    let query = query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect();
    let incoming = runtime::webhooks::Incoming { method: method.to_string(), headers, query, body: body.to_vec() };
    let delivered = state.runtime.deliver(&token, incoming).await?;
    let Some((run, answer)) = delivered.answer else {
        return Ok((StatusCode::ACCEPTED, Json(json!({"delivery": delivered.delivery}))).into_response());
    };
    let Some(answer) = answer else {
        let summary = json!({"delivery": delivered.delivery, "run": run.id, "status": run.status, "exit_message": run.exit_message});
        return Ok((StatusCode::OK, Json(summary)).into_response());
    };
    Ok(app_answer(&answer))
}

/// The app's answer as an HTTP response: its status, its headers (plain names only, no
/// connection-level ones) and its body (a string, or JSON).
fn app_answer(answer: &Value) -> Response {
    let status =
        answer["status"].as_u64().and_then(|s| u16::try_from(s).ok()).and_then(|s| StatusCode::from_u16(s).ok());
    let body = match &answer["body"] {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let mut response = (status.unwrap_or(StatusCode::OK), body).into_response();
    for (name, value) in answer["headers"].as_object().into_iter().flatten() {
        let lower = name.to_ascii_lowercase();
        if ["connection", "transfer-encoding", "content-length", "set-cookie", "upgrade"].contains(&lower.as_str()) {
            continue;
        }
        if let (Ok(name), Some(Ok(value))) = (HeaderName::try_from(lower), value.as_str().map(HeaderValue::from_str)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// `application/x-www-form-urlencoded` decoding of one query component.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_components_are_decoded() {
        assert_eq!(super::decode("a+b%20c%2Fd"), "a b c/d");
        assert_eq!(super::decode("100%"), "100%");
        assert_eq!(super::decode("%zz"), "%zz");
    }
}
