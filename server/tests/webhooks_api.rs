//! Webhooks through the real router: deliveries stored then run by the deployed app, HMAC
//! signatures with a replay window, rate and body limits, disabling.

mod common;

use common::TestServer;
use hmac::{Hmac, Mac};
use http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::{Duration, Instant};

const ALERT: &str = r#"{"title": "Beaconing to known C2", "severity": "high", "indicators": ["203.0.113.7"]}"#;

/// A webhook-trigger app, built and deployed to local; its slug.
async fn deployed(server: &TestServer, admin: &str) -> String {
    let app = server
        .call(Method::POST, "/api/v1/apps", Some(admin), Some(json!({"name": "Alerts", "template": "webhook-trigger"})))
        .await
        .json();
    let slug = app["slug"].as_str().expect("slug").to_owned();
    let build = server.call(Method::POST, &format!("/api/v1/apps/{slug}/builds"), Some(admin), None).await.json()["id"]
        .as_i64()
        .expect("id");
    let deadline = Instant::now() + Duration::from_secs(120);
    while server.call(Method::GET, &format!("/api/v1/builds/{build}"), Some(admin), None).await.json()["status"]
        != "succeeded"
    {
        assert!(Instant::now() < deadline, "the build succeeds");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deployed = server
        .call(Method::POST, "/api/v1/deployments", Some(admin), Some(json!({"build": build, "target": "local"})))
        .await;
    assert_eq!(deployed.status, StatusCode::ACCEPTED, "{}", deployed.text);
    slug
}

async fn enable(server: &TestServer, admin: &str, slug: &str, extra: Value) -> Value {
    let mut body = json!({"inputs": {"shared_secret": "s3cret", "severities": "high|critical"}});
    body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
    let answer = server.call(Method::POST, &format!("/api/v1/apps/{slug}/webhooks"), Some(admin), Some(body)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    answer.json()
}

async fn post(server: &TestServer, url: &str, headers: &[(&str, String)], body: &str) -> common::Answer {
    let path = url.split_once("://").map_or(url, |(_, rest)| &rest[rest.find('/').expect("a path")..]);
    let mut request = Request::builder().method(Method::POST).uri(path).header(header::HOST, common::HOST);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    server.send(request.body(axum::body::Body::from(body.to_owned())).expect("a request")).await
}

/// Waits until `delivery` of `hook` has run to its end: the delivery as listed, and its run.
async fn delivered(server: &TestServer, admin: &str, hook: &Value, delivery: i64) -> (Value, Value) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = server
            .call(Method::GET, &format!("/api/v1/webhooks/{}/deliveries", hook["id"]), Some(admin), None)
            .await
            .json();
        let item =
            list["items"].as_array().expect("items").iter().find(|d| d["id"] == delivery).cloned().expect("listed");
        if let Some(run) = item["run"].as_i64() {
            let run = server.call(Method::GET, &format!("/api/v1/runs/{run}"), Some(admin), None).await.json();
            if run["status"] == "succeeded" || run["status"] == "failed" {
                return (item, run);
            }
        }
        assert!(Instant::now() < deadline, "the delivery runs: {item}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_delivery_is_stored_then_runs_the_deployed_app_with_the_request() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let slug = deployed(&server, &admin).await;
    let hook = enable(&server, &admin, &slug, json!({})).await;
    assert!(
        hook["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/hooks/{}", hook["token"].as_str().expect("token"))))
    );
    assert_eq!(hook["inputs"]["shared_secret"], "********", "an encrypted param: never shown again");

    let answer = post(
        &server,
        hook["url"].as_str().expect("url"),
        &[("x-webhook-secret", "s3cret".into()), ("authorization", "Bearer x".into())],
        ALERT,
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text);
    let delivery = answer.json()["delivery"].as_i64().expect("delivery id");

    let (item, run) = delivered(&server, &admin, &hook, delivery).await;
    assert!(item["headers"].get("authorization").is_none(), "private headers are not stored: {item}");
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["trigger"], "webhook");
    assert_eq!(run["inputs"]["trg.http.body"], ALERT);
    assert!(run["outputs"].as_array().expect("outputs").iter().any(|o| o["value"] == "Beaconing to known C2"), "{run}");
    assert_eq!(run["exit_message"], "Fired for alert Beaconing to known C2.");
}

/// A delivery whose webhook can no longer be read (its row damaged) is settled as failed with the
/// reason, and the deliveries behind it still run: one bad row never holds up the queue.
#[tokio::test]
async fn a_delivery_of_an_unreadable_webhook_fails_with_the_reason_and_the_queue_goes_on() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let slug = deployed(&server, &admin).await;
    let (damaged, healthy) =
        (enable(&server, &admin, &slug, json!({})).await, enable(&server, &admin, &slug, json!({})).await);

    let url = format!("sqlite://{}", server.dir.path().join("appbuilder.db").display());
    let db = sqlx::SqlitePool::connect(&url).await.expect("the database opens");
    sqlx::query("UPDATE webhooks SET inputs = '{' WHERE id = ?1")
        .bind(damaged["id"].as_i64())
        .execute(&db)
        .await
        .expect("the row is damaged");
    let waiting: i64 = sqlx::query_scalar(
        "INSERT INTO deliveries (webhook_id, received_at, method, headers, query, body, status)
         VALUES (?1, 0, 'POST', '{}', '{}', X'7B7D', 'received') RETURNING id",
    )
    .bind(damaged["id"].as_i64())
    .fetch_one(&db)
    .await
    .expect("a delivery waits for the damaged hook");

    // A delivery to the healthy hook wakes the dispatcher, which meets the waiting one first.
    let answer =
        post(&server, healthy["url"].as_str().expect("url"), &[("x-webhook-secret", "s3cret".into())], ALERT).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.text);
    let delivery = answer.json()["delivery"].as_i64().expect("delivery id");
    let (_, run) = delivered(&server, &admin, &healthy, delivery).await;
    assert_eq!(run["status"], "succeeded", "{run}");

    let (status, reason): (String, Option<String>) =
        sqlx::query_as("SELECT status, reason FROM deliveries WHERE id = ?1")
            .bind(waiting)
            .fetch_one(&db)
            .await
            .expect("read");
    assert_eq!(status, "failed");
    assert!(reason.as_deref().is_some_and(|r| r.contains("the webhook cannot be read")), "{reason:?}");
}

#[tokio::test]
async fn signatures_replays_rates_sizes_and_disabled_hooks_are_refused() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let dev = server.user_with_role("dev", "developer").await;
    let slug = deployed(&server, &admin).await;
    let refused =
        server.call(Method::POST, &format!("/api/v1/apps/{slug}/webhooks"), Some(&dev), Some(json!({}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "only admins enable webhooks");

    let hook = enable(
        &server,
        &admin,
        &slug,
        json!({"signature_header": "X-Signature", "secret": "hook-key", "rate_per_minute": 3, "max_body_bytes": 200}),
    )
    .await;
    let url = hook["url"].as_str().expect("url").to_owned();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert_eq!(post(&server, &url, &[], ALERT).await.status, StatusCode::FORBIDDEN, "unsigned");
    assert_eq!(
        post(&server, &url, &[("x-signature", sign("wrong", now, ALERT))], ALERT).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&server, &url, &[("x-signature", sign("hook-key", now - 3600, ALERT))], ALERT).await.status,
        StatusCode::FORBIDDEN,
        "stale"
    );
    let signed = sign("hook-key", now, ALERT);
    assert_eq!(post(&server, &url, &[("x-signature", signed.clone())], ALERT).await.status, StatusCode::ACCEPTED);
    let replay = post(&server, &url, &[("x-signature", signed)], ALERT).await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN);
    assert!(replay.json()["message"].as_str().is_some_and(|m| m.contains("replay")));
    let big = "x".repeat(300);
    assert_eq!(
        post(&server, &url, &[("x-signature", sign("hook-key", now, &big))], &big).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        post(&server, &url, &[("x-signature", sign("hook-key", now + 1, ALERT))], ALERT).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post(&server, &url, &[("x-signature", sign("hook-key", now + 2, ALERT))], ALERT).await.status,
        StatusCode::ACCEPTED
    );
    let limited = post(&server, &url, &[("x-signature", sign("hook-key", now + 3, ALERT))], ALERT).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.text);

    let listed = server.call(Method::GET, &format!("/api/v1/apps/{slug}/webhooks"), Some(&dev), None).await.json();
    assert!(
        listed[0].get("token").is_none() && listed[0].get("secret").is_none() && listed[0]["has_secret"] == true,
        "{listed}"
    );
    let gone = server.call(Method::DELETE, &format!("/api/v1/webhooks/{}", hook["id"]), Some(&admin), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        post(&server, &url, &[("x-signature", sign("hook-key", now + 4, ALERT))], ALERT).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(post(&server, "/hooks/whk_unknown", &[], ALERT).await.status, StatusCode::NOT_FOUND);
    let audit = server.call(Method::GET, "/api/v1/audit", Some(&admin), None).await.json();
    let actions: Vec<&str> =
        audit["items"].as_array().expect("events").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"webhook.enable") && actions.contains(&"webhook.disable"), "{actions:?}");
}

#[tokio::test]
async fn a_hook_that_responds_answers_with_what_the_app_said() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let slug = deployed(&server, &admin).await;
    let hook = enable(&server, &admin, &slug, json!({"respond": true})).await;
    assert_eq!(hook["respond"], true);
    let url = hook["url"].as_str().expect("url").to_owned();
    let answer = post(&server, &url, &[("x-webhook-secret", "s3cret".into())], ALERT).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(answer.json(), json!({"fired": true, "title": "Beaconing to known C2"}));

    // Ignored by the app (a low severity): no answer of its own, the run's summary instead.
    let low = r#"{"title": "noise", "severity": "low"}"#;
    let answer = post(&server, &url, &[("x-webhook-secret", "s3cret".into())], low).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["exit_message"], "Ignored an alert of severity low.");
    let list = server
        .call(Method::GET, &format!("/api/v1/webhooks/{}/deliveries", hook["id"]), Some(&admin), None)
        .await
        .json();
    assert!(
        list["items"].as_array().expect("items").iter().all(|d| d["status"] == "dispatched" && d["run"].is_i64()),
        "{list}"
    );
}
