//! The HTTP surface around GraphQL: health, readiness, metrics, request ids, GraphiQL, and a
//! fixed number of statements per request however many rows a nested list returns.

use serde_json::{Value, json};

use crate::foundation::{CREATE_ORG, create_member};
use crate::helpers::*;

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ready", "database": true, "migrations": true})
    );

    // A sane request id is echoed back; a missing one is made up.
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("x-request-id", "kominfo-42")
        .json(&json!({"query": "{ version }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "kominfo-42");
    let res = app.get("/healthz").await;
    assert_eq!(res.headers()["x-request-id"].len(), 36);

    app.gql("{ members(first: 99) { totalCount } }", json!({}))
        .await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(
            r#"terbuka_http_requests_total{method="POST",route="/graphql",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"terbuka_http_request_duration_seconds_bucket{route="/graphql",le="+Inf"} 2"#
        )
    );
    assert!(text.contains(r#"terbuka_graphql_errors_total{code="PAGE_SIZE_EXCEEDED"} 1"#));

    let page = app.get("/graphql").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("GraphiQL"));
    // A query in the URL runs; a mutation in the URL does not.
    let res = app.get("/graphql?query=%7Bversion%7D").await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["data"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    let res = app.get("/graphql?query=mutation%7BsendTestEmail(input:%7Bto:%22a@b.cd%22%7D)%7BdeliveryId%7D%7D").await;
    assert_eq!(res.status(), 405);
    assert_eq!(app.get("/nope").await.status(), 404);
    app.stop().await;
}

/// Runs `query` and returns how many SQL statements the server ran for it.
async fn statements_for(app: &TestApp, query: &str) -> u64 {
    let before = app.statements.get();
    app.ok(query, json!({})).await;
    app.statements.get() - before
}

#[tokio::test]
async fn nested_lists_cost_the_same_statements_for_5_and_50_rows() {
    let app = spawn_app().await;
    let q = "{ members(first: 5) { totalCount nodes { name parent { name } organisations(first: 50) { totalCount nodes { name member { slug } parent { name } } } } } }";
    let a = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let b = create_member(&app, "Kota Semarang", "semarang").await;
    for m in [&a, &b] {
        for i in 0..5 {
            app.ok(
                CREATE_ORG,
                json!({"input": {"memberId": m, "name": format!("Org {i}"), "kind": "NGO"}}),
            )
            .await;
        }
    }
    let small = statements_for(&app, q).await;
    for m in [&a, &b] {
        for i in 5..50 {
            app.ok(
                CREATE_ORG,
                json!({"input": {"memberId": m, "name": format!("Org {i}"), "kind": "NGO"}}),
            )
            .await;
        }
    }
    let large = statements_for(&app, q).await;
    assert_eq!(
        small, large,
        "statements grew with the rows: {small} → {large}"
    );
    assert!(large <= 8, "{large} statements for one request");
    app.stop().await;
}
