//! Deploying to remote targets.
//!
//! - `threatconnect`: the platform's app install endpoint — a multipart POST of the `.tcx`
//!   (`fileData`, `allowAllOrgs`, `allowAppDistribution`) to `/api/v3/apps/exchange/install`,
//!   signed `Authorization: TC <access id>:<base64 HMAC-SHA256(secret, "<path>:<METHOD>:<timestamp>")>`
//!   with a `Timestamp` header; the answer is a JSON array of installed apps (`[]` = failure).
//! - `appbuilder`: another AppBuilder through its public API and an API token: the app's source at
//!   the deployed revision is imported (first time) or saved on top of the remote head (later),
//!   built there, and deployed to the remote's own `local` target. The remote rebuilds from
//!   source in its own sandbox; it trusts nothing from us but the files.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

/// How long a remote build may take before the deployment gives up.
const REMOTE_BUILD_TIMEOUT: Duration = Duration::from_secs(900);

/// ThreatConnect's request signature.
pub fn tc_authorization(access_id: &str, secret: &[u8], path: &str, method: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{path}:{method}:{timestamp}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("TC {access_id}:{signature}")
}

fn base(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("a TLS client builds")
}

/// Installs a package on a ThreatConnect platform; a summary, or why it failed.
pub async fn deploy_threatconnect(
    url: &str,
    access_id: &str,
    secret: &[u8],
    file_name: &str,
    package: Vec<u8>,
) -> Result<String, String> {
    const PATH: &str = "/api/v3/apps/exchange/install";
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let part = reqwest::multipart::Part::bytes(package)
        .file_name(file_name.to_owned())
        .mime_str("application/octet-stream")
        .expect("a valid mime type");
    let form = reqwest::multipart::Form::new()
        .part("fileData", part)
        .text("allowAllOrgs", "true")
        .text("allowAppDistribution", "false");
    let answer = client()
        .post(format!("{}{PATH}", base(url)))
        .header("Authorization", tc_authorization(access_id, secret, PATH, "POST", timestamp))
        .header("Timestamp", timestamp.to_string())
        .multipart(form)
        .send()
        .await
        .map_err(|e| format!("the platform could not be reached: {e}"))?;
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("the platform answered {status}: {}", body.chars().take(300).collect::<String>()));
    }
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Array(installed)) if !installed.is_empty() => {
            Ok(format!("installed {} app(s) on the platform", installed.len()))
        }
        Ok(Value::Array(_)) => Err("the platform installed nothing (it answered [])".into()),
        _ => Err(format!(
            "the platform's answer is not a list of installed apps: {}",
            body.chars().take(300).collect::<String>()
        )),
    }
}

/// Talks to another AppBuilder with a token.
struct Peer {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Peer {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<(u16, Value), String> {
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request
            .send()
            .await
            .map_err(|e| format!("{method} {path}: the other AppBuilder could not be reached: {e}"))?;
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    async fn expect(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let (status, value) = self.call(method.clone(), path, body).await?;
        if (200..300).contains(&status) {
            Ok(value)
        } else {
            let message = value.get("message").and_then(Value::as_str).map_or_else(|| value.to_string(), str::to_owned);
            Err(format!("{method} {path} on the other AppBuilder: {status} {message}"))
        }
    }
}

/// Deploys the app's files to another AppBuilder; a summary, or why it failed.
pub async fn deploy_appbuilder(
    url: &str,
    token: &str,
    slug: &str,
    display_name: &str,
    files: Vec<(String, Vec<u8>)>,
    reason: Option<&str>,
) -> Result<String, String> {
    let peer = Peer { client: client(), base: base(url), token: token.to_owned() };
    let (status, found) = peer.call(reqwest::Method::GET, &format!("/api/v1/apps/{slug}"), None).await?;
    let (remote_slug, revision) = if status == 404 {
        let top = slug.to_owned();
        let typed: Vec<(domain::app::RepoPath, Vec<u8>)> =
            files.into_iter().filter_map(|(p, b)| Some((domain::app::RepoPath::parse(&p).ok()?, b))).collect();
        let zip = apps::archive::pack(&top, &typed).map_err(|e| e.to_string())?;
        let name: String = url_encode(display_name);
        let answer = peer
            .client
            .post(format!("{}/api/v1/apps/import?name={name}", peer.base))
            .bearer_auth(&peer.token)
            .header("content-type", "application/zip")
            .body(zip)
            .send()
            .await
            .map_err(|e| format!("importing on the other AppBuilder: {e}"))?;
        let status = answer.status();
        let value: Value = answer.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("importing on the other AppBuilder: {status} {value}"));
        }
        (value["slug"].as_str().unwrap_or(slug).to_owned(), value["head"].as_str().unwrap_or_default().to_owned())
    } else if (200..300).contains(&status) {
        let head = found["head"].as_str().ok_or("the other AppBuilder did not say its head")?.to_owned();
        let tree = peer.expect(reqwest::Method::GET, &format!("/api/v1/apps/{slug}/tree"), None).await?;
        let ours: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        let mut changes: Vec<Value> = files
            .iter()
            .map(|(path, bytes)| match std::str::from_utf8(bytes) {
                Ok(text) => json!({"op": "put", "path": path, "content": text}),
                Err(_) => json!({"op": "put", "path": path, "content": {"base64": base64::engine::general_purpose::STANDARD.encode(bytes)}}),
            })
            .collect();
        for entry in tree["entries"].as_array().into_iter().flatten() {
            if let Some(path) = entry["path"].as_str()
                && !ours.contains(&path)
            {
                changes.push(json!({"op": "delete", "path": path}));
            }
        }
        let body = json!({"base": head, "message": "Deployed from another AppBuilder", "changes": changes});
        let saved = peer.expect(reqwest::Method::POST, &format!("/api/v1/apps/{slug}/commits"), Some(body)).await?;
        (slug.to_owned(), saved["revision"].as_str().unwrap_or(&head).to_owned())
    } else {
        return Err(format!("the other AppBuilder answered {status} for the app: {found}"));
    };
    let build = peer
        .expect(reqwest::Method::POST, &format!("/api/v1/apps/{remote_slug}/builds"), Some(json!({"rev": revision})))
        .await?;
    let build_id = build["id"].as_i64().ok_or("the other AppBuilder did not queue a build")?;
    let started = std::time::Instant::now();
    loop {
        let state = peer.expect(reqwest::Method::GET, &format!("/api/v1/builds/{build_id}"), None).await?;
        match state["status"].as_str() {
            Some("succeeded") => break,
            Some(end @ ("failed" | "cancelled")) => {
                return Err(format!(
                    "the build on the other AppBuilder {end}: {}",
                    state["reason"].as_str().unwrap_or("see its log")
                ));
            }
            _ if started.elapsed() > REMOTE_BUILD_TIMEOUT => {
                return Err("the build on the other AppBuilder took too long".into());
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let mut request = json!({"build": build_id, "target": "local"});
    if let Some(reason) = reason {
        request["reason"] = json!(reason);
    }
    let deployed = peer.expect(reqwest::Method::POST, "/api/v1/deployments", Some(request)).await?;
    match deployed["status"].as_str() {
        Some("succeeded") => {
            Ok(format!("deployed as {remote_slug} build #{build_id}, deployment #{} there", deployed["id"]))
        }
        other => Err(format!(
            "the deployment on the other AppBuilder is {}: {}",
            other.unwrap_or("unknown"),
            deployed["reason"]
        )),
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_platform_signature_follows_tcex() {
        // HMAC-SHA256("secret", "/api/v3/apps/exchange/install:POST:1700000000"), base64.
        let header =
            super::tc_authorization("12345", b"secret", "/api/v3/apps/exchange/install", "POST", 1_700_000_000);
        assert!(header.starts_with("TC 12345:"));
        assert_eq!(header.len(), "TC 12345:".len() + 44, "a base64 SHA-256");
        assert_ne!(
            header,
            super::tc_authorization("12345", b"other", "/api/v3/apps/exchange/install", "POST", 1_700_000_000)
        );
        assert_eq!(super::url_encode("My App/1"), "My%20App%2F1");
    }
}
