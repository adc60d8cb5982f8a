//! The admin single-page app's day, replayed as its client does it (JSON over HTTP with a
//! Bearer token, graphql-ws for a report), with the API's current names: sign in, see one's
//! roles, open the plan with its commitments and milestones, report a milestone's progress,
//! ask for the monev report, follow it live, download it, sign out.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::*;

/// A request as the app sends it; the whole JSON answer (errors are the test's failure).
async fn send(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let data = app.ok_as(token, query, variables).await;
    assert!(data.is_object(), "{data}");
    data
}

#[tokio::test]
async fn the_secretariats_day_through_the_admin_app() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;

    // Sign in.
    let login = send(
        &app,
        None,
        "mutation($input: LoginInput!) { login(input: $input) { token userErrors { code } } }",
        json!({"input": {"email": "sekretariat@demo.terbuka.id", "password": api::demo::DEMO_PASSWORD}}),
    )
    .await;
    let token = login["login"]["token"]
        .as_str()
        .expect("signed in")
        .to_owned();
    let t = Some(token.as_str());

    // Who am I, and where.
    let me = send(
        &app,
        t,
        "{ viewer { email roles { role member { id slug } } } }",
        json!({}),
    )
    .await;
    assert_eq!(me["viewer"]["roles"][0]["role"], "SECRETARIAT");
    let member = me["viewer"]["roles"][0]["member"]["id"].clone();

    // The plans list, then each plan's screen: commitments → milestones in one request.
    let plans = send(
        &app,
        t,
        "query($m: ID!) { plans(memberId: $m, first: 10) { totalCount nodes { id title status } } }",
        json!({"m": member}),
    )
    .await;
    let nodes = plans["plans"]["nodes"].as_array().unwrap().clone();
    assert!(!nodes.is_empty(), "{plans}");
    let mut found = None;
    for p in &nodes {
        let screen = send(
            &app,
            t,
            "query($id: ID!) { plan(id: $id) { title commitments(first: 20) { nodes { code title
               milestones(first: 10) { nodes { id title state version } } } } } }",
            json!({"id": p["id"]}),
        )
        .await;
        let open = screen["plan"]["commitments"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["milestones"]["nodes"].as_array().unwrap().clone())
            .find(|m| m["state"] != "CANCELLED" && m["state"] != "COMPLETED");
        if let Some(m) = open {
            found = Some((p["id"].clone(), m));
            break;
        }
    }
    let (plan, milestone) = found.expect("a plan with an open milestone");

    // Monev: the milestone's progress.
    let reported = send(
        &app,
        t,
        "mutation($input: ReportMilestoneProgressInput!) { reportMilestoneProgress(input: $input) {
           update { percent reportedOn } userErrors { field code message } } }",
        json!({"input": {"milestoneId": milestone["id"], "percent": 40,
                         "note": "Monev Juli: draf sedang dibahas"}}),
    )
    .await;
    let reported = &reported["reportMilestoneProgress"];
    assert_eq!(reported["userErrors"], json!([]), "{reported}");
    assert_eq!(reported["update"]["percent"], 40);

    // The monev report, asked for and followed live over graphql-ws.
    let asked = send(
        &app,
        t,
        "mutation($input: RequestReportInput!) { requestReport(input: $input) {
           report { id status } userErrors { code } } }",
        json!({"input": {"kind": "MONEV", "format": "PDF", "planId": plan}}),
    )
    .await;
    let report = asked["requestReport"]["report"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut req = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let say = async |ws: &mut tokio_tungstenite::WebSocketStream<_>, v: Value| {
        ws.send(Message::text(v.to_string())).await.unwrap();
    };
    say(
        &mut ws,
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}}),
    )
    .await;
    say(
        &mut ws,
        json!({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { reportProgress(id: $id) { status progress downloadUrl } }",
            "variables": {"id": report}}}),
    )
    .await;
    let mut download = None;
    let mut seen = vec![];
    while download.is_none() {
        let msg = tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .expect("the report moves within a minute")
            .expect("the connection stays open")
            .unwrap();
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).unwrap();
        match v["type"].as_str() {
            Some("connection_ack") => {}
            Some("next") => {
                let r = &v["payload"]["data"]["reportProgress"];
                assert_ne!(r["status"], "FAILED", "{v}");
                seen.push(r["status"].as_str().unwrap().to_owned());
                if r["status"] == "DONE" {
                    download = r["downloadUrl"].as_str().map(str::to_owned);
                }
            }
            other => panic!("unexpected {other:?}: {v}"),
        }
    }
    assert_eq!(seen.last().map(String::as_str), Some("DONE"), "{seen:?}");

    // The download, with the same token (the link names the public URL).
    let path = download.unwrap().replace("http://terbuka.test", "");
    let file = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(file.bytes().await.unwrap().starts_with(b"%PDF-"));

    // Sign out: the token is refused from then on.
    let out = send(
        &app,
        t,
        "mutation { logout(input: {}) { endedSessions } }",
        json!({}),
    )
    .await;
    assert_eq!(out["logout"]["endedSessions"], 1);
    let after = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({"query": "{ viewer { email } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    app.stop().await;
}
