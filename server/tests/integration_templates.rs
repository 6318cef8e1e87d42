//! The two integration templates end to end in the embedded runtime: an on-demand enrichment run
//! (its sample service answer, no network) and an alert posted to a webhook, through the real
//! router, builds, sandbox and Python.

mod common;

use common::TestServer;
use common::flows::{build, create_from};
use http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn deploy(server: &TestServer, admin: &str, build: i64) {
    let deployed = server
        .call(Method::POST, "/api/v1/deployments", Some(admin), Some(json!({"build": build, "target": "local"})))
        .await;
    assert_eq!(deployed.status, StatusCode::ACCEPTED, "{}", deployed.text);
}

fn output<'a>(run: &'a Value, name: &str) -> &'a Value {
    run["outputs"].as_array().expect("outputs").iter().find(|o| o["name"] == name).map_or(&Value::Null, |o| &o["value"])
}

#[tokio::test]
async fn the_enrichment_template_runs_on_demand_and_maps_the_answer_to_entities() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let app = create_from(&server, &admin, "Lookup", "enrichment").await;
    let id = build(&server, &admin, &app).await;
    deploy(&server, &admin, id).await;
    let inputs = json!({"indicator": "8.8.8.8", "indicator_type": "Address",
                        "service_url": "file:samples/lookup_response.json", "api_key": "k3y-never-shown"});
    let ran = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/runs", app.slug),
            Some(&admin),
            Some(json!({"inputs": inputs, "wait": true})),
        )
        .await;
    assert_eq!(ran.status, StatusCode::OK, "{}", ran.text);
    let run = ran.json();
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(output(&run, "lookup.results.score"), "12");
    assert_eq!(output(&run, "lookup.indicator"), &json!({"id": "", "value": "8.8.8.8", "type": "Address"}));
    assert_eq!(output(&run, "lookup.results.related").as_array().map(Vec::len), Some(2), "{run}");
    assert!(output(&run, "lookup.response.json.raw").as_str().is_some_and(|r| r.contains("public-resolver")));
    let variable = run["outputs"].as_array().expect("outputs").iter().find(|o| o["name"] == "lookup.results.related");
    assert!(variable.is_some_and(|v| v["variable"].as_str().is_some_and(|s| s.ends_with("!TCEntityArray"))));
    assert!(!run.to_string().contains("k3y-never-shown"), "the API key is masked and never logged");
}

#[tokio::test]
async fn an_alert_posted_to_the_webhook_becomes_normalised_outputs_and_entities() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let app = create_from(&server, &admin, "Alert Intake", "alert-processing").await;
    let id = build(&server, &admin, &app).await;
    deploy(&server, &admin, id).await;
    let hook = server
        .call(
            Method::POST,
            &format!("/api/v1/apps/{}/webhooks", app.slug),
            Some(&admin),
            Some(json!({"inputs": {"min_severity": "medium"}, "respond": true})),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.text);
    let url = hook.json()["url"].as_str().expect("url").to_owned();
    let path = &url[url.find("/hooks/").expect("a hook path")..];
    let alert = r#"{"title": "Beaconing", "severity": 8, "source": "edr", "description": "ws-1 called 203.0.113.7 and evil.example.com"}"#;
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, common::HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(alert))
        .expect("a request");
    let answer = server.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "the app answers the waiting caller: {}", answer.text);
    assert_eq!(answer.json(), json!({"accepted": true, "severity": "high", "indicators": 2}));

    let deadline = Instant::now() + Duration::from_secs(20);
    let run = loop {
        let runs =
            server.call(Method::GET, &format!("/api/v1/apps/{}/runs", app.slug), Some(&admin), None).await.json();
        if let Some(run) = runs["items"].as_array().and_then(|r| r.first()).filter(|r| r["status"] == "succeeded") {
            break server.call(Method::GET, &format!("/api/v1/runs/{}", run["id"]), Some(&admin), None).await.json();
        }
        assert!(Instant::now() < deadline, "the delivery ran: {runs}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(output(&run, "alert_intake.results.alert.severity"), "high");
    assert_eq!(output(&run, "alert_intake.indicators.address"), &json!(["203.0.113.7"]));
    assert_eq!(
        output(&run, "alert_intake.indicators"),
        &json!([{"id": "", "value": "203.0.113.7", "type": "Address"}, {"id": "", "value": "evil.example.com", "type": "Host"}])
    );
}
