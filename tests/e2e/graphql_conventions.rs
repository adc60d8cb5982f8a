//! The conventions every later resolver copies: userErrors with a field path and a message in
//! the reader's language, CONFLICT on a stale version, retry-safe creates, Relay pages with a
//! cap, opaque ids scoped to their member, and request limits with clear codes.

use serde_json::{Value, json};

use crate::foundation::{CREATE_ORG, create_member};
use crate::helpers::*;

async fn org_count(app: &TestApp) -> i64 {
    let data = app
        .ok(
            "{ members { nodes { organisations { totalCount } } } }",
            json!({}),
        )
        .await;
    data["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organisations"]["totalCount"].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn an_empty_name_is_a_user_error_in_indonesian_or_english_and_writes_nothing() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let input = json!({"input": {"memberId": member, "name": "   ", "kind": "NGO"}});
    let res = app.gql(CREATE_ORG, input.clone()).await;
    let payload = &res["data"]["createOrganisation"];
    assert_eq!(payload["organisation"], Value::Null);
    let err = first_user_error(payload);
    assert_eq!(err["field"], json!(["input", "name"]));
    assert_eq!(err["code"], "REQUIRED");
    assert_eq!(err["message"], "Wajib diisi.");

    let res = app
        .gql_with(CREATE_ORG, input, &[("accept-language", "en-GB,en;q=0.9")])
        .await;
    let err = first_user_error(&res["data"]["createOrganisation"]);
    assert_eq!(err["message"], "This field is required.");
    assert_eq!(org_count(&app).await, 0, "nothing was written");
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_and_unknown_fields_are_graphql_errors_never_500() {
    let app = spawn_app().await;
    let res = app
        .post_raw(
            b"{\"query\": \"{ members { totalCount }".to_vec(),
            "application/json",
        )
        .await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_REQUEST");

    let res = app.post_raw(b"query=1".to_vec(), "text/plain").await;
    assert_eq!(res.status(), 415);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_REQUEST");

    // An unknown input field, written in the query and sent as a variable.
    let res = app
        .gql(
            r#"mutation { createMember(input: {name: "X", level: REGENCY, colour: "red"}) { member { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&res), "GRAPHQL_VALIDATION_FAILED");
    let res = app
        .gql(
            "mutation($input: CreateMemberInput!) { createMember(input: $input) { member { id } } }",
            json!({"input": {"name": "X", "level": "REGENCY", "colour": "red"}}),
        )
        .await;
    assert_eq!(error_code(&res), "GRAPHQL_VALIDATION_FAILED");
    let res = app
        .gql(
            "query($n: Int) { members(first: $n) { totalCount } }",
            json!({"n": "twenty"}),
        )
        .await;
    assert!(
        ["GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"].contains(&error_code(&res).as_str()),
        "{res}"
    );
    let res = app.gql("{ members { nodes { nope } } }", json!({})).await;
    assert_eq!(error_code(&res), "GRAPHQL_VALIDATION_FAILED");
    let res = app.gql("{ members { ", json!({})).await;
    assert_eq!(error_code(&res), "GRAPHQL_PARSE_FAILED");
    app.stop().await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let data = app
        .ok(
            CREATE_ORG,
            json!({"input": {"memberId": member, "name": "IDFoS", "kind": "NGO"}}),
        )
        .await;
    let id = data["createOrganisation"]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let update = r#"mutation($input: UpdateOrganisationInput!) {
        updateOrganisation(input: $input) { organisation { name version } userErrors { field code message } } }"#;
    let first = app
        .ok(
            update,
            json!({"input": {"id": id, "version": 1, "name": "IDFoS Indonesia"}}),
        )
        .await;
    assert_eq!(first["updateOrganisation"]["organisation"]["version"], 2);
    // A second editor still holds version 1.
    let second = app
        .ok(
            update,
            json!({"input": {"id": id, "version": 1, "name": "IDFOS"}}),
        )
        .await;
    let payload = &second["updateOrganisation"];
    assert_eq!(payload["organisation"], Value::Null);
    let err = first_user_error(payload);
    assert_eq!(err["code"], "CONFLICT");
    assert_eq!(err["field"], json!(["input", "version"]));
    let name = app
        .ok(
            "query($id: ID!) { organisation(id: $id) { name } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        name["organisation"]["name"], "IDFoS Indonesia",
        "the stale write changed nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_retried_create_with_the_same_client_mutation_id_creates_once() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let input = json!({"input": {"clientMutationId": "7d2c-retry", "memberId": member, "name": "Koalisi Perempuan Indonesia", "acronym": "KPI", "kind": "NGO"}});
    // Ten retries of one request racing each other over a flaky connection.
    let mut calls = Vec::new();
    for _ in 0..10 {
        calls.push(app.gql(CREATE_ORG, input.clone()));
    }
    let results = futures::future::join_all(calls).await;
    let ids: std::collections::BTreeSet<String> = results
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r}");
            assert_eq!(
                r["data"]["createOrganisation"]["clientMutationId"],
                "7d2c-retry"
            );
            r["data"]["createOrganisation"]["organisation"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every retry returned the same organisation");
    assert_eq!(org_count(&app).await, 1);

    // The same id with a different input is refused.
    let other = json!({"input": {"clientMutationId": "7d2c-retry", "memberId": member, "name": "Something else", "kind": "NGO"}});
    let res = app.ok(CREATE_ORG, other).await;
    let err = first_user_error(&res["createOrganisation"]);
    assert_eq!(err["code"], "CONFLICT");
    assert_eq!(err["field"], json!(["input", "clientMutationId"]));
    assert_eq!(org_count(&app).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn pages_are_capped_and_nested_lists_page_per_parent() {
    let app = spawn_app().await;
    let a = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let b = create_member(&app, "Kota Semarang", "semarang").await;
    for i in 0..5 {
        app.ok(
            CREATE_ORG,
            json!({"input": {"memberId": a, "name": format!("Org A{i}"), "kind": "NGO"}}),
        )
        .await;
    }
    for i in 0..3 {
        app.ok(
            CREATE_ORG,
            json!({"input": {"memberId": b, "name": format!("Org B{i}"), "kind": "MEDIA"}}),
        )
        .await;
    }
    let q = r#"query($after: String) { members { nodes { slug organisations(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { name } } } } }"#;
    let data = app.ok(q, json!({})).await;
    let nodes = data["members"]["nodes"].as_array().unwrap();
    let boj = nodes.iter().find(|m| m["slug"] == "bojonegoro").unwrap();
    let sem = nodes.iter().find(|m| m["slug"] == "semarang").unwrap();
    assert_eq!(
        boj["organisations"]["nodes"],
        json!([{"name": "Org A0"}, {"name": "Org A1"}])
    );
    assert_eq!(boj["organisations"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(boj["organisations"]["totalCount"], 5);
    assert_eq!(
        sem["organisations"]["nodes"],
        json!([{"name": "Org B0"}, {"name": "Org B1"}])
    );
    assert_eq!(sem["organisations"]["totalCount"], 3);

    // The next page of one member, from its cursor.
    let cursor = boj["organisations"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap();
    let data = app
        .ok(
            r#"query($after: String) { member(slug: "bojonegoro") { organisations(first: 2, after: $after) {
                 pageInfo { hasNextPage hasPreviousPage } nodes { name } } } }"#,
            json!({"after": cursor}),
        )
        .await;
    let page = &data["member"]["organisations"];
    assert_eq!(
        page["nodes"],
        json!([{"name": "Org A2"}, {"name": "Org A3"}])
    );
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);

    // Backwards at the top level.
    let data = app
        .ok(
            "{ members(last: 1) { nodes { slug } pageInfo { hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["members"]["nodes"], json!([{"slug": "semarang"}]));
    assert_eq!(data["members"]["pageInfo"]["hasPreviousPage"], true);

    let res = app
        .gql("{ members(first: 51) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&res), "PAGE_SIZE_EXCEEDED");
    let res = app
        .gql("{ members(first: -1) { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&res), "PAGE_SIZE_EXCEEDED");
    let res = app
        .gql(r#"{ members(after: "bogus") { totalCount } }"#, json!({}))
        .await;
    assert_eq!(error_code(&res), "BAD_USER_INPUT");
    app.stop().await;
}

#[tokio::test]
async fn another_members_id_is_not_found_in_this_members_scope() {
    let app = spawn_app().await;
    let a = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let b = create_member(&app, "Kota Semarang", "semarang").await;
    let data = app
        .ok(
            CREATE_ORG,
            json!({"input": {"memberId": b, "name": "Pattiro Semarang", "kind": "NGO"}}),
        )
        .await;
    let foreign = data["createOrganisation"]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let res = app
        .gql(
            r#"query($id: ID!) { member(slug: "bojonegoro") { organisation(id: $id) { name } } }"#,
            json!({"id": foreign}),
        )
        .await;
    assert_eq!(error_code(&res), "NOT_FOUND");

    // Naming another member's organisation as a parent is the same: not found.
    let res = app
        .ok(CREATE_ORG, json!({"input": {"memberId": a, "name": "Bidang IKP", "kind": "GOVERNMENT_OFFICE", "parentId": foreign}}))
        .await;
    let err = first_user_error(&res["createOrganisation"]);
    assert_eq!(err["field"], json!(["input", "parentId"]));
    assert_eq!(err["code"], "NOT_FOUND");

    for bad in ["", "not-an-id", "TWVtYmVyOjEyMw"] {
        let res = app
            .gql(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": bad}),
            )
            .await;
        assert_eq!(error_code(&res), "NOT_FOUND", "{bad}");
    }
    // A member id used where an organisation id is expected.
    let res = app
        .gql(
            "query($id: ID!) { organisation(id: $id) { name } }",
            json!({"id": a}),
        )
        .await;
    assert_eq!(error_code(&res), "NOT_FOUND");
    app.stop().await;
}

#[tokio::test]
async fn depth_complexity_alias_and_fragment_limits_answer_with_codes() {
    let app = spawn_app().await;
    let deep = format!(
        "{{ members {{ nodes {{ {} name {} }} }} }}",
        "parent { ".repeat(15),
        "} ".repeat(15)
    );
    let res = app.gql(&deep, json!({})).await;
    assert_eq!(error_code(&res), "DEPTH_LIMIT_EXCEEDED");

    // 50 × 50 rows: too much for an anonymous request, within a signed-in one's limit.
    let complex = "{ members(first: 50) { nodes { organisations(first: 50) { nodes { name acronym kind member { name } } } } } }";
    let res = app.gql_as(None, complex, json!({})).await;
    assert_eq!(error_code(&res), "COMPLEXITY_LIMIT_EXCEEDED");
    let res = app.gql(complex, json!({})).await;
    assert!(res.get("errors").is_none(), "{res}");
    let fan_out = "{ members(first: 50) { nodes { organisations(first: 50) { nodes { members: member { organisations(first: 50) { nodes { name } } } } } } } }";
    let res = app.gql(fan_out, json!({})).await;
    assert_eq!(error_code(&res), "COMPLEXITY_LIMIT_EXCEEDED");

    let aliases: String = (0..11).map(|i| format!("a{i}: version ")).collect();
    let res = app.gql(&format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(error_code(&res), "ALIAS_LIMIT_EXCEEDED");

    // A fragment bomb: each level doubles the one below it.
    let mut q = String::from("query { ...F0 }\nfragment F9 on Query { version }\n");
    for i in (0..9).rev() {
        q.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} ...F{} version }}\n",
            i + 1,
            i + 1
        ));
    }
    let mut bomb = String::from("query { ...F0 }\nfragment F20 on Query { version }\n");
    for i in (0..20).rev() {
        bomb.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
            i + 1,
            i + 1
        ));
    }
    let res = app.gql(&bomb, json!({})).await;
    assert_eq!(error_code(&res), "FIELD_LIMIT_EXCEEDED");
    // A modest use of fragments is fine.
    let res = app.gql(&q, json!({})).await;
    assert!(res.get("errors").is_none(), "{res}");
    app.stop().await;
}

/// A response map is ordered as its selection set (the GraphQL spec; clients diff and snapshot
/// answers): aliases, nested objects, lists, fragments and inline fragments, the same every
/// time, over HTTP and over graphql-ws. (async-graphql put fields in the order they finished:
/// `version` first, the members after, in either order.)
#[tokio::test]
async fn answers_keep_the_order_of_the_selection_over_http_and_websocket() {
    use futures::SinkExt;
    let app = spawn_app().await;
    create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    create_member(&app, "Kota Semarang", "semarang").await;
    let query = r#"query Order {
        b: member(slug: "bojonegoro") { slug name }
        a: member(slug: "bojonegoro") { ...M slug }
        c: version
        members(first: 2) { nodes { slug ... on Member { level } name } totalCount }
    }
    fragment M on Member { name ... on Member { level } }"#;
    let version = env!("CARGO_PKG_VERSION");
    let expected = format!(
        concat!(
            r#"{{"b":{{"slug":"bojonegoro","name":"Kabupaten Bojonegoro"}},"#,
            r#""a":{{"name":"Kabupaten Bojonegoro","level":"REGENCY","slug":"bojonegoro"}},"#,
            r#""c":"{}","#,
            r#""members":{{"nodes":[{{"slug":"bojonegoro","level":"REGENCY","name":"Kabupaten Bojonegoro"}},"#,
            r#"{{"slug":"semarang","level":"REGENCY","name":"Kota Semarang"}}],"totalCount":2}}}}"#
        ),
        version
    );
    for _ in 0..20 {
        let text = app
            .client
            .post(format!("{}/graphql", app.base))
            .json(&json!({"query": query}))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(text, format!(r#"{{"data":{expected}}}"#));
    }
    let mut ws = crate::http::ws_connect(&app, json!({})).await;
    assert_eq!(
        crate::http::ws_next(&mut ws).await.unwrap()["type"],
        "connection_ack"
    );
    for i in 0..5 {
        use futures::StreamExt;
        ws.send(tokio_tungstenite::tungstenite::Message::text(
            json!({"id": format!("o{i}"), "type": "subscribe", "payload": {"query": query}})
                .to_string(),
        ))
        .await
        .unwrap();
        let text = loop {
            match ws.next().await.unwrap().unwrap() {
                tokio_tungstenite::tungstenite::Message::Text(t) if t.contains("\"next\"") => {
                    break t.to_string();
                }
                _ => continue,
            }
        };
        assert!(
            text.contains(&format!(r#""payload":{{"data":{expected}}}"#)),
            "{text}"
        );
    }
    app.stop().await;
}

/// What a client generator reads: a create's input makes its required fields non-null, an
/// update's input requires only the record and its version; one name means one thing.
#[tokio::test]
async fn create_and_update_inputs_say_what_is_required() {
    let app = spawn_app().await;
    let required = |ty: &'static str| {
        let app = &app;
        async move {
            let t = app
                .ok(
                    "query($t: String!) { __type(name: $t) { inputFields { name type { kind } } } }",
                    json!({"t": ty}),
                )
                .await;
            let mut names: Vec<String> = t["__type"]["inputFields"]
                .as_array()
                .unwrap_or_else(|| panic!("{ty}: {t}"))
                .iter()
                .filter(|f| f["type"]["kind"] == "NON_NULL")
                .map(|f| f["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(
        required("CreateEventInput").await,
        ["kind", "memberId", "startsAt", "title"]
    );
    assert_eq!(required("UpdateEventInput").await, ["id", "version"]);
    assert_eq!(
        required("CreateFollowUpInput").await,
        ["description", "memberId"]
    );
    assert_eq!(required("UpdateFollowUpInput").await, ["id", "version"]);
    let names = app.ok("{ __schema { types { name } } }", json!({})).await;
    let names: Vec<&str> = names["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for gone in [
        "EventInput",
        "FollowUpInput",
        "ReportSubscription",
        "ReportProgressInput",
    ] {
        assert!(!names.contains(&gone), "{gone} is still in the schema");
    }
    assert!(names.contains(&"DigestSubscription") && names.contains(&"Subscription"));
    let mutation = app
        .ok(
            "{ __schema { mutationType { fields { name } } subscriptionType { name fields { name } } } }",
            json!({}),
        )
        .await;
    let fields: Vec<&str> = mutation["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"reportMilestoneProgress"));
    assert!(
        !fields.contains(&"reportProgress"),
        "the mutation was renamed"
    );
    assert_eq!(
        mutation["__schema"]["subscriptionType"],
        json!({"name": "Subscription", "fields": [{"name": "reportProgress"}]})
    );
    assert_eq!(
        required("CreateBudgetLineInput").await,
        [
            "ceiling",
            "fiscalYear",
            "memberId",
            "organisationId",
            "programName"
        ]
    );
    // No input serves both a create and an update.
    let args = app
        .ok(
            "{ __schema { mutationType { fields { name args { name type { ofType { name } } } } } } }",
            json!({}),
        )
        .await;
    let mut users: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in args["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
    {
        let name = f["name"].as_str().unwrap();
        if !(name.starts_with("create") || name.starts_with("update")) {
            continue;
        }
        for a in f["args"].as_array().unwrap() {
            if let Some(t) = a["type"]["ofType"]["name"].as_str() {
                users.entry(t.to_owned()).or_default().push(name.to_owned());
            }
        }
    }
    let shared: Vec<_> = users
        .iter()
        .filter(|(_, m)| {
            m.iter().any(|x| x.starts_with("create")) && m.iter().any(|x| x.starts_with("update"))
        })
        .collect();
    assert!(shared.is_empty(), "{shared:?}");
    // A create without its title is refused by the schema itself, before any resolver.
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let res = app
        .gql(
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { event { id } } }",
            json!({"i": {"memberId": member, "kind": "SEMINAR", "startsAt": "2018-08-10T09:00:00+07:00"}}),
        )
        .await;
    assert_eq!(
        res["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{res}"
    );
    assert!(
        res["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"title\"")
    );
    app.stop().await;
}
