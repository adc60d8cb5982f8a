//! The national view (`nationalOverview`): the demo's Indonesia follows Bojonegoro, Brebes and
//! Semarang; the public sees their public plans, the national member's people every plan; the
//! read takes the same number of statements for three regions as for thirty.

use api::demo::generate::{Shape, generate};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::*;

const OVERVIEW: &str = r#"query($m: ID!) { nationalOverview(memberId: $m) {
    member { name }
    regions { member { name slug }
      lastForumMeeting { title }
      plans { plan { title } status submissionDeadline submittedOn daysToDeadline late progress
        compliance { code verdict } } } } }"#;

fn region<'a>(data: &'a Value, slug: &str) -> &'a Value {
    data["nationalOverview"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["member"]["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} is a region: {data}"))
}

fn titles(region: &Value) -> Vec<String> {
    region["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["plan"]["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_national_view_shows_each_region_as_its_viewer_may_see_it() {
    let app = spawn_app_with(Options {
        demo: true,
        run_worker: false,
        ..Default::default()
    })
    .await;
    let ids = app
        .ok(
            r#"{ a: member(slug: "indonesia") { id } b: member(slug: "bojonegoro") { id } }"#,
            json!({}),
        )
        .await;
    let indonesia = ids["a"]["id"].clone();

    // The public: three regions by name, the public plans only.
    let public = app.ok_as(None, OVERVIEW, json!({"m": indonesia})).await;
    assert_eq!(public["nationalOverview"]["member"]["name"], "Indonesia");
    let names: Vec<&str> = public["nationalOverview"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["member"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Kabupaten Bojonegoro", "Kabupaten Brebes", "Kota Semarang"]
    );
    let boj = region(&public, "bojonegoro");
    assert_eq!(
        titles(boj),
        ["Open Government Sub-National Action Plan, Bojonegoro Regency Government, 2016-2017"],
        "the 2018 plan in co-creation is not public yet"
    );
    let semarang = &region(&public, "semarang")["plans"][0];
    assert_eq!(
        semarang["plan"]["title"],
        "Rencana Aksi OGP Lokal Kota Semarang 2021–2023"
    );
    assert_eq!(semarang["status"], "SUBMITTED");
    assert_eq!(semarang["submittedOn"], "2021-07-30");
    assert_eq!(semarang["late"], false);
    assert_eq!(semarang["daysToDeadline"], Value::Null);
    assert_eq!(semarang["compliance"].as_array().unwrap().len(), 6);
    assert_eq!(region(&public, "brebes")["plans"], json!([]));

    // The national member's people (an operator here) see the plan in co-creation too, with
    // its deadline counted from the region's day.
    let inside = app.ok(OVERVIEW, json!({"m": indonesia})).await;
    let boj = region(&inside, "bojonegoro");
    assert_eq!(titles(boj).len(), 2, "{boj}");
    let renaksi = boj["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["submissionDeadline"] == "2018-08-31")
        .expect("the 2018 Renaksi with its 31 August deadline");
    assert_eq!(renaksi["status"], "CO_CREATION");
    assert!(renaksi["daysToDeadline"].as_i64().is_some(), "{renaksi}");
    // The last forum meeting held: the public 28 June 2018 meeting, for both (the 2016 team
    // meeting before it is internal).
    for d in [&public, &inside] {
        assert_eq!(
            region(d, "bojonegoro")["lastForumMeeting"]["title"],
            "Pembahasan persiapan penyusunan Renaksi OGP Daerah"
        );
        assert_eq!(region(d, "semarang")["lastForumMeeting"], Value::Null);
    }

    // A member that is not national has no national view; an unknown id is not found.
    let res = app
        .gql_as(None, OVERVIEW, json!({"m": ids["b"]["id"]}))
        .await;
    assert_eq!(
        res["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{res}"
    );
    let res = app.gql_as(None, OVERVIEW, json!({"m": "bm9wZQ"})).await;
    assert_eq!(res["errors"][0]["extensions"]["code"], "NOT_FOUND", "{res}");
    app.stop().await;
}

#[tokio::test]
async fn the_national_view_takes_as_many_statements_for_thirty_regions_as_for_three() {
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Default::default()
    })
    .await;
    let made = app
        .ok(
            r#"mutation { createMember(input: {name: "Indonesia", slug: "indonesia", level: NATIONAL}) { member { id } userErrors { code } } }"#,
            json!({}),
        )
        .await;
    let national = made["createMember"]["member"]["id"].clone();
    let national_id =
        api::graphql::ids::decode_as(national.as_str().unwrap(), "Member").expect("a member id");
    let shape = Shape {
        members: 1,
        organisations_per_member: 2,
        plans_per_member: 2,
        commitments_per_plan: 3,
        milestones_per_commitment: 3,
        funded_every: 0,
    };
    let add_regions = async |names: std::ops::Range<usize>| {
        for i in names {
            let g = generate(&app.db, &format!("Kabupaten {i}"), shape)
                .await
                .unwrap();
            entity::member::Entity::update_many()
                .col_expr(entity::member::Column::ParentId, Expr::value(national_id))
                .filter(entity::member::Column::Id.is_in(g.members.clone()))
                .exec(&app.db)
                .await
                .unwrap();
        }
    };
    let counted = async || {
        let before = app.statements.get();
        let data = app.ok(OVERVIEW, json!({"m": national})).await;
        (data, app.statements.get() - before)
    };
    add_regions(0..3).await;
    counted().await;
    let (three, three_count) = counted().await;
    add_regions(3..30).await;
    let (thirty, thirty_count) = counted().await;
    assert_eq!(
        three["nationalOverview"]["regions"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        thirty["nationalOverview"]["regions"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    assert_eq!(
        three_count, thirty_count,
        "statements for 3 regions: {three_count}, for 30: {thirty_count}"
    );
    eprintln!("nationalOverview: {three_count} statements for 3 regions, {thirty_count} for 30");
    assert!(thirty_count <= 14, "{thirty_count} statements");
    app.stop().await;
}
