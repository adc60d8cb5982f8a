//! The first vertical slice as a user meets it: the demo on first start, members and
//! organisations through GraphQL, and a restart that does not duplicate anything.

use serde_json::json;
use worker::env::Env;

use crate::helpers::*;

const MEMBERS: &str =
    "{ members { totalCount nodes { name slug level timeZone ogpMemberSince parent { name } } } }";

#[tokio::test]
async fn the_demo_shows_bojonegoro_within_indonesia_and_a_restart_adds_nothing() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    let data = app.ok(MEMBERS, json!({})).await;
    // Indonesia, Bojonegoro, and the two members the national view adds (Semarang, Brebes).
    assert_eq!(data["members"]["totalCount"], 4);
    for slug in ["semarang", "brebes"] {
        let m = data["members"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} is in the demo: {data}"));
        assert_eq!(m["parent"]["name"], "Indonesia");
        assert_eq!(
            m["ogpMemberSince"],
            serde_json::Value::Null,
            "the day is not public"
        );
    }
    let boj = data["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "bojonegoro")
        .expect("Bojonegoro is in the demo")
        .clone();
    assert_eq!(boj["name"], "Kabupaten Bojonegoro");
    assert_eq!(boj["level"], "REGENCY");
    assert_eq!(boj["timeZone"], "Asia/Jakarta");
    assert_eq!(boj["parent"]["name"], "Indonesia");
    assert_eq!(boj["ogpMemberSince"], "2016-04-01");

    let orgs = app
        .ok(
            r#"{ member(slug: "bojonegoro") { organisations(first: 50) { totalCount nodes { acronym kind } } } }"#,
            json!({}),
        )
        .await;
    let nodes = orgs["member"]["organisations"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    for (acronym, kind) in [
        ("Dinas Kominfo", "GOVERNMENT_OFFICE"),
        ("Bappeda", "GOVERNMENT_OFFICE"),
        ("BI", "NGO"),
        ("IDFoS", "NGO"),
        ("KPI", "NGO"),
    ] {
        assert!(
            nodes
                .iter()
                .any(|n| n["acronym"] == acronym && n["kind"] == kind),
            "{acronym} ({kind}) missing from {nodes:?}"
        );
    }
    let before = orgs["member"]["organisations"]["totalCount"].clone();

    // A restart runs the start-up path again on the same database.
    let config = api::Config::from_env(&Env::from_pairs(app.env.clone())).unwrap();
    let again = api::app::prepare(config).await.expect("restart");
    drop(again);
    let data = app.ok(MEMBERS, json!({})).await;
    assert_eq!(
        data["members"]["totalCount"], 4,
        "the restart duplicated members"
    );
    let orgs = app
        .ok(
            r#"{ member(slug: "bojonegoro") { organisations { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(orgs["member"]["organisations"]["totalCount"], before);
    app.stop().await;
}

pub const CREATE_ORG: &str = r#"
mutation($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) {
    clientMutationId
    organisation { id name acronym kind version member { slug } }
    userErrors { field message code }
  }
}"#;

pub async fn create_member(app: &TestApp, name: &str, slug: &str) -> String {
    let data = app
        .ok(
            r#"mutation($input: CreateMemberInput!) {
                 createMember(input: $input) { member { id } userErrors { field message code } }
               }"#,
            json!({"input": {"name": name, "slug": slug, "level": "REGENCY"}}),
        )
        .await;
    assert_eq!(data["createMember"]["userErrors"], json!([]), "{data}");
    data["createMember"]["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn organisations_are_created_listed_and_updated() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let data = app
        .ok(
            CREATE_ORG,
            json!({"input": {"memberId": member, "name": "  Bojonegoro   Institute ", "acronym": "BI", "kind": "NGO"}}),
        )
        .await;
    let org = &data["createOrganisation"]["organisation"];
    assert_eq!(org["name"], "Bojonegoro Institute", "whitespace is tidied");
    assert_eq!(org["member"]["slug"], "bojonegoro");
    assert_eq!(org["version"], 1);
    let id = org["id"].as_str().unwrap();

    let data = app
        .ok(
            r#"mutation($input: UpdateOrganisationInput!) {
                 updateOrganisation(input: $input) { organisation { name acronym version } userErrors { code } }
               }"#,
            json!({"input": {"id": id, "version": 1, "name": "Bojonegoro Institute (BI)", "acronym": null}}),
        )
        .await;
    let updated = &data["updateOrganisation"]["organisation"];
    assert_eq!(updated["name"], "Bojonegoro Institute (BI)");
    assert_eq!(
        updated["acronym"],
        serde_json::Value::Null,
        "null clears a field"
    );
    assert_eq!(updated["version"], 2);

    // node(id:) finds it by its global id.
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { id ... on Organisation { name } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["node"]["name"], "Bojonegoro Institute (BI)");
    app.stop().await;
}
