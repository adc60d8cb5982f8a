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
        json!({"status": "ready", "database": true, "migrations": true, "writable": true, "worker": "running"})
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

/// A signed-in request checks its session, account and roles in one statement (it took three),
/// whatever the number of role grants; a revoked session is still refused on its next request.
#[tokio::test]
async fn the_session_is_checked_in_one_statement() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Options::default()
    })
    .await;
    let a = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let b = create_member(&app, "Kabupaten Tuban", "tuban").await;
    let (a, b) = (
        api::graphql::ids::decode_as(&a, "Member").unwrap(),
        api::graphql::ids::decode_as(&b, "Member").unwrap(),
    );
    let (_, token) = app
        .account(
            "sekretariat@bojonegorokab.go.id",
            &[
                (a, entity::role_grant::Role::Secretariat),
                (b, entity::role_grant::Role::Watchdog),
            ],
        )
        .await;
    let me = app
        .ok_as(
            Some(&token),
            "{ viewer { email roles { role member { slug } } } }",
            json!({}),
        )
        .await;
    let mut roles: Vec<String> = me["viewer"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["role"].as_str().unwrap(),
                r["member"]["slug"].as_str().unwrap()
            )
        })
        .collect();
    roles.sort();
    assert_eq!(roles, ["SECRETARIAT bojonegoro", "WATCHDOG tuban"]);
    let before = app.statements.get();
    app.ok_as(Some(&token), "{ __typename }", json!({})).await;
    assert_eq!(app.statements.get() - before, 1, "the session check alone");
    entity::account_session::Entity::update_many()
        .col_expr(
            entity::account_session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(entity::account_session::Column::RevokedAt.is_null())
        .exec(&app.db)
        .await
        .unwrap();
    let refused = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn nested_lists_cost_the_same_statements_for_5_and_50_rows() {
    // No worker in this process: its heartbeat and sweeps would add statements of their own
    // to the request's count.
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Options::default()
    })
    .await;
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

#[tokio::test]
async fn browsers_get_cors_for_configured_origins_and_every_answer_is_hardened() {
    let app = spawn_app_with(Options {
        env: vec![
            (
                "TERBUKA_CORS_ORIGINS".into(),
                "https://admin.bojonegorokab.go.id".into(),
            ),
            ("TERBUKA_INTROSPECTION".into(), "false".into()),
            ("TERBUKA_MAX_UPLOAD_BYTES".into(), "2048".into()),
        ],
        ..Default::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let ok = preflight("https://admin.bojonegorokab.go.id")
        .await
        .unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://admin.bojonegorokab.go.id"
    );
    assert!(
        ok.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let res = app.get("/healthz").await;
    for (header, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        (
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        ),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(res.headers()[header], value, "{header}");
    }

    // Introspection can be switched off.
    let res = app.gql("{ __schema { types { name } } }", json!({})).await;
    assert!(
        res["data"]["__schema"].is_null(),
        "introspection answered: {res}"
    );

    // Multipart bodies are limited before the GraphQL layer.
    let big = reqwest::multipart::Form::new()
        .text("operations", r#"{"query": "{ version }"}"#)
        .text("map", "{}")
        .text("filler", "x".repeat(4096));
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.operator)
        .multipart(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
    let small = reqwest::multipart::Form::new()
        .text("operations", r#"{"query": "{ version }"}"#)
        .text("map", "{}");
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .multipart(small)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["data"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    app.stop().await;
}

/// Opens a `graphql-transport-ws` connection (nothing sent yet).
pub async fn ws_open(
    app: &TestApp,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// Opens a `graphql-transport-ws` connection and sends `connection_init` with `payload`.
pub async fn ws_connect(
    app: &TestApp,
    payload: Value,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use futures::SinkExt;
    let mut ws = ws_open(app).await;
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        json!({"type": "connection_init", "payload": payload}).to_string(),
    ))
    .await
    .unwrap();
    ws
}

pub async fn ws_next(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Option<Value> {
    use futures::StreamExt;
    let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
        .await
        .ok()??
        .ok()?;
    match msg {
        tokio_tungstenite::tungstenite::Message::Text(t) => serde_json::from_str(&t).ok(),
        tokio_tungstenite::tungstenite::Message::Close(frame) => {
            Some(json!({"type": "close", "code": frame.map(|f| u16::from(f.code))}))
        }
        _ => None,
    }
}

#[tokio::test]
async fn websocket_connections_authenticate_in_connection_init() {
    use futures::SinkExt;
    let app = spawn_app().await;
    let (_, token) = app.account("ws@bojonegorokab.go.id", &[]).await;
    let mut ws = ws_connect(&app, json!({"Authorization": format!("Bearer {token}")})).await;
    assert_eq!(ws_next(&mut ws).await.unwrap()["type"], "connection_ack");
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        json!({"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { email } }"}})
            .to_string(),
    ))
    .await
    .unwrap();
    let next = ws_next(&mut ws).await.unwrap();
    assert_eq!(
        next["payload"]["data"]["viewer"]["email"], "ws@bojonegorokab.go.id",
        "{next}"
    );

    let mut forged = ws_connect(&app, json!({"token": "forged"})).await;
    let answer = ws_next(&mut forged).await;
    assert!(
        answer
            .as_ref()
            .is_none_or(|a| a["type"] != "connection_ack"),
        "a forged token was accepted: {answer:?}"
    );
    let mut anonymous = ws_connect(&app, json!({})).await;
    assert_eq!(
        ws_next(&mut anonymous).await.unwrap()["type"],
        "connection_ack"
    );
    app.stop().await;
}
