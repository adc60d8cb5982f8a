//! The API explorer as a developer at a regency office meets it: GraphiQL in headless Chromium
//! with no outside network, a query run from its editor, the Bearer token set in its headers
//! editor, and a report followed live over graphql-ws.

use std::time::Duration;

use serde_json::json;

use crate::browser::Browser;
use crate::foundation::create_member;
use crate::helpers::*;

/// The query editor's, a tool editor's and the result's CodeMirror instances.
const QUERY_EDITOR: &str =
    "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror";
const HEADERS_EDITOR: &str = "document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror";
const RESULT: &str = "document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()";

async fn run(b: &mut Browser, query: &str) {
    b.eval(&format!("{QUERY_EDITOR}.setValue({})", json!(query)))
        .await;
    // GraphiQL parses the edited document after a short pause (as it does for typing); it
    // decides by that document whether to send over HTTP or graphql-ws.
    tokio::time::sleep(Duration::from_millis(600)).await;
    b.eval("document.querySelector('.graphiql-execute-button').click()")
        .await;
}

#[tokio::test]
async fn graphiql_works_offline_with_headers_and_subscriptions() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, _) = make(
        &app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi OGP Lokal 2018–2020"}),
    )
    .await;

    let mut b = Browser::launch(1280, 900).await;
    b.goto(&format!("{}/graphql", app.base)).await;
    b.wait_until(
        &format!("document.querySelector('.graphiql-query-editor .CodeMirror') && {QUERY_EDITOR}.getValue().includes('members')"),
        Duration::from_secs(30),
    )
    .await;

    // A query typed into the editor and run with the button.
    run(&mut b, "{ members { totalCount nodes { name slug } } }").await;
    let answer = b
        .wait_until(
            &format!("{RESULT}.includes('totalCount') && {RESULT}"),
            Duration::from_secs(20),
        )
        .await;
    let answer: serde_json::Value = serde_json::from_str(answer.as_str().unwrap()).unwrap();
    assert_eq!(
        answer["data"]["members"]["nodes"][0]["name"],
        "Kabupaten Bojonegoro"
    );

    // The headers editor: the operator's Bearer token, then a query only a session answers.
    run(&mut b, "{ viewer { email isOperator } }").await;
    b.wait_until(
        &format!("{RESULT}.includes('\"viewer\": null')"),
        Duration::from_secs(20),
    )
    .await;
    b.eval(
        "[...document.querySelectorAll('.graphiql-editor-tools button')]\
           .find(x => x.textContent.trim() === 'Headers').click()",
    )
    .await;
    b.wait_until(
        "!!document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')",
        Duration::from_secs(10),
    )
    .await;
    let headers = json!({"Authorization": format!("Bearer {}", app.operator)}).to_string();
    b.eval(&format!("{HEADERS_EDITOR}.setValue({})", json!(headers)))
        .await;
    run(&mut b, "{ viewer { email isOperator } }").await;
    b.wait_until(
        &format!("{RESULT}.includes('operator@terbuka.test')"),
        Duration::from_secs(20),
    )
    .await;

    // A report requested from the editor and followed over /graphql/ws with the same token.
    run(
        &mut b,
        &format!(
            "mutation {{ requestReport(input: {{kind: MONEV, format: CSV, planId: {}}}) {{ report {{ id }} userErrors {{ code }} }} }}",
            json!(plan)
        ),
    )
    .await;
    let requested = b
        .wait_until(
            &format!("{RESULT}.includes('requestReport') && {RESULT}"),
            Duration::from_secs(20),
        )
        .await;
    let requested: serde_json::Value = serde_json::from_str(requested.as_str().unwrap()).unwrap();
    let report = requested["data"]["requestReport"]["report"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{requested}"))
        .to_owned();
    run(
        &mut b,
        &format!(
            "subscription {{ reportProgress(id: {}) {{ status progress }} }}",
            json!(report)
        ),
    )
    .await;
    b.wait_until(
        &format!("{RESULT}.includes('\"status\": \"DONE\"')"),
        Duration::from_secs(60),
    )
    .await;
    let png = b.screenshot("graphiql").await;
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);

    // Everything the page loaded came from the server itself (or was inline data), and
    // nothing was refused or failed on the way (a CSP refusal is a console error).
    let origin = app.base.replace("http://", "");
    for url in b.requested() {
        assert!(
            url.starts_with(&app.base) || url.starts_with("data:"),
            "the explorer asked for {url}"
        );
    }
    assert!(
        b.events
            .iter()
            .any(|e| e["method"] == "Network.webSocketCreated"
                && e["params"]["url"] == format!("ws://{origin}/graphql/ws")),
        "the subscription went over /graphql/ws"
    );
    assert_eq!(b.errors(), Vec::<String>::new());
    app.stop().await;
}

#[tokio::test]
async fn the_explorer_files_are_served_here_compressed_and_cached() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!csp.contains("http"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    let files: Vec<&str> = html
        .split("/graphql/assets/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(files.len(), 6, "{files:?}");
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    for f in files {
        let url = format!("{}/graphql/assets/{f}", app.base);
        let gz = raw
            .get(&url)
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(gz.status(), 200, "{f}");
        assert_eq!(gz.headers()["content-encoding"], "gzip", "{f}");
        let plain = raw.get(&url).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let ty = plain.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            ty.starts_with(if f.ends_with(".js") {
                "text/javascript"
            } else {
                "text/css"
            }),
            "{f}: {ty}"
        );
        if f.contains("3.8.3") || f.contains("18.3.1") {
            assert!(
                plain.headers()["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
        }
        let gz_len = gz.bytes().await.unwrap().len();
        let plain_len = plain.bytes().await.unwrap().len();
        assert!(gz_len < plain_len, "{f}: {gz_len} ≥ {plain_len}");
    }
    let missing = app
        .client
        .get(format!("{}/graphql/assets/../Cargo.toml", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn a_subscription_sent_over_http_is_told_where_to_go() {
    let app = spawn_app().await;
    let res = app
        .gql(
            "subscription { reportProgress(id: \"UmVwb3J0OjA\") { status } }",
            json!({}),
        )
        .await;
    assert_eq!(
        res["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{res}"
    );
    assert!(
        res["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("/graphql/ws")
    );
    app.stop().await;
}
