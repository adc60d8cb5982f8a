//! The README's GraphQL examples, run as written against the demo: every `graphql` block
//! answers with data and without errors. Placeholders (`"…"`, `$m`) take the demo's records,
//! as a reader following the text would; a `subscription` runs over `/graphql/ws`.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};

use crate::helpers::*;

/// The operations of each `graphql` block of the README, comments dropped.
fn examples() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let mut ops = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```graphql") {
            in_block = true;
            continue;
        }
        if line.trim_start().starts_with("```") {
            in_block = false;
            continue;
        }
        if !in_block {
            continue;
        }
        // Blocks inside a list item are indented.
        let code = line.trim_start();
        let code = code.split(" # ").next().unwrap_or("").trim_end();
        if code.trim_start().starts_with('#') || code.trim().is_empty() {
            continue;
        }
        let starts = ["{", "query", "mutation", "subscription"]
            .iter()
            .any(|k| code.starts_with(k));
        match ops.last_mut() {
            Some(op) if !starts => {
                let op: &mut String = op;
                op.push('\n');
                op.push_str(code);
            }
            _ => ops.push(code.to_owned()),
        }
    }
    ops
}

fn assert_answered(op: &str, res: &Value) {
    assert!(res.get("errors").is_none(), "{op}\n→ {res}");
    let data = &res["data"];
    assert!(
        data.as_object()
            .is_some_and(|d| !d.is_empty() && d.values().all(|v| !v.is_null())),
        "{op}\n→ {res}"
    );
    // A payload's userErrors, when asked for, are empty.
    for v in data.as_object().unwrap().values() {
        if let Some(errors) = v.get("userErrors") {
            assert_eq!(errors, &json!([]), "{op}\n→ {res}");
        }
    }
}

#[tokio::test]
async fn every_graphql_example_in_the_readme_answers_with_data() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let ops = examples();
    assert!(ops.len() >= 4, "{ops:?}");
    let member = app
        .ok(r#"{ member(slug: "bojonegoro") { id } }"#, json!({}))
        .await["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plan = app
        .ok(
            "query($m: ID!) { plans(memberId: $m, first: 1) { nodes { id } } }",
            json!({"m": member}),
        )
        .await["plans"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut token: Option<String> = None;
    let mut report: Option<String> = None;
    for op in &ops {
        if op.starts_with("subscription") {
            let id = report
                .clone()
                .expect("a report requested by an earlier example");
            let query = op.replace("\"…\"", &format!("\"{id}\""));
            let mut ws = crate::http::ws_connect(
                &app,
                json!({"Authorization": format!("Bearer {}", token.clone().expect("signed in"))}),
            )
            .await;
            assert_eq!(
                crate::http::ws_next(&mut ws).await.unwrap()["type"],
                "connection_ack"
            );
            ws.send(tokio_tungstenite::tungstenite::Message::text(
                json!({"id": "readme", "type": "subscribe", "payload": {"query": query}})
                    .to_string(),
            ))
            .await
            .unwrap();
            let answer = loop {
                let m = crate::http::ws_next(&mut ws).await.expect("an answer");
                if m["type"] == "next" {
                    break m;
                }
            };
            assert_answered(op, &answer["payload"]);
            let _ = ws.close(None).await;
            let _ = ws.next().await;
            continue;
        }
        let query = op.replace("\"…\"", &format!("\"{plan}\""));
        let res = app
            .gql_as(token.as_deref(), &query, json!({"m": member}))
            .await;
        assert_answered(op, &res);
        // The team example shows the SK being prepared, with its proposed members.
        if let Some(decrees) = res["data"]["member"]["decrees"].as_array() {
            assert!(
                decrees
                    .iter()
                    .any(|d| d["appendix"].as_array().is_some_and(|a| !a.is_empty())),
                "{res}"
            );
        }
        if let Some(t) = res["data"]["login"]["token"].as_str() {
            token = Some(t.to_owned());
        }
        if let Some(r) = res["data"]["requestReport"]["report"]["id"].as_str() {
            report = Some(r.to_owned());
        }
    }
    assert!(report.is_some(), "no example requested a report");
    app.stop().await;
}
