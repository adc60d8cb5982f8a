//! The compiled plan read (`plan(id)` with its commitments, milestones and organisations in one
//! statement) answers exactly as the loaders do. Two servers share one database: one compiles
//! the read, the other (`TERBUKA_COMPILED_READS=false`) walks it level by level; every query
//! below, on varied data (a plan the public may not see, pages, `after` cursors at both
//! levels, empty levels, milestones with no organisation, aliases), gets the same answer from
//! both, and the compiled one in at most two statements with the session check.

use api::demo::generate::{Shape, generate};
use entity::{action_plan, milestone};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use serde_json::{Value, json};

use crate::helpers::*;

const TREE: &str = r#"query($p: ID!, $n: Int, $m: Int, $ca: String, $ma: String) {
  plan(id: $p) { id title status submissionDeadline daysToDeadline isLate
    member { name }
    commitments(first: $n, after: $ca) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { id code title status
        milestones(first: $m, after: $ma) { totalCount pageInfo { hasNextPage endCursor }
          nodes { id title status endsOn weight state responsibleOrganisation { id name } } } } } } }"#;

/// Every field the compiled read builds itself, through fragments, aliases, `__typename`,
/// edges and page info, a leaf selected twice.
const FULL: &str = r#"query($p: ID!, $n: Int, $m: Int, $ca: String, $ma: String) {
  plan(id: $p) { __typename ...P kind: __typename
    member { __typename id slug name level timeZone ogpMemberSince websiteUrl repositoryUrl
      createdAt updatedAt version }
    commitments(first: $n, after: $ca) { __typename totalCount
      pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
      edges { __typename cursor node { ...C } }
      nodes { ...C } } } }
fragment P on ActionPlan { id level title periodStart periodEnd submissionDeadline submittedOn
  documentVersion status summary isLate daysToDeadline createdAt updatedAt version title }
fragment C on Commitment { __typename id code title theme problem baseline objective description
  howItSolves ogpValues ambition officialInCharge startsOn endsOn status createdAt updatedAt
  version
  milestones(first: $m, after: $ma) { totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { ...M } edges { cursor node { ...M } } } }
fragment M on Milestone { __typename id title deliverable startsOn endsOn weight status state
  progress createdAt updatedAt version
  responsibleOrganisation { __typename id name acronym kind isGovernment partnershipRole
    websiteUrl contactPublic createdAt updatedAt version } }"#;

/// A field the compiled read does not build (`progress`): the read primes the loaders and the
/// resolvers answer.
const PROGRESS: &str = r#"query($p: ID!) { plan(id: $p) { title
  commitments(first: 4) { nodes { title progress milestones(first: 2) { nodes { title } } } } } }"#;

const EDGES: &str = r#"query($p: ID!, $n: Int, $m: Int) {
  plan(id: $p) { title
    commitments(first: $n) { edges { cursor node { title
      milestones(first: $m) { edges { cursor node { title responsibleOrganisation { name } } } } } } } } }"#;

/// Two connections under aliases with different pages: the read covers neither and the
/// loaders answer both.
const ALIASED: &str = r#"query($p: ID!) {
  plan(id: $p) { a: commitments(first: 2) { nodes { title milestones(first: 1) { nodes { title } } } }
                 b: commitments(first: 3) { nodes { title milestones(first: 2) { nodes { title } } } } } }"#;

/// Bad arguments are refused by the resolvers as ever.
const BAD: &str = r#"query($p: ID!) { plan(id: $p) { commitments(first: 51) { nodes { title
  milestones(first: 2, after: "bukan-kursor") { nodes { title } } } } } }"#;

async fn answer(app: &TestApp, token: Option<&str>, query: &str, vars: &Value) -> (Value, u64) {
    let before = app.statements.get();
    let res = app.gql_as(token, query, vars.clone()).await;
    (res, app.statements.get() - before)
}

/// `terbuka_compiled_reads_total` by outcome: (built, primed).
async fn compiled_reads(app: &TestApp) -> (u64, u64) {
    let text = app.get("/metrics").await.text().await.unwrap();
    let count = |outcome: &str| {
        let line = format!("terbuka_compiled_reads_total{{outcome=\"{outcome}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(line.as_str()))
            .map_or(0, |n| n.trim().parse().unwrap())
    };
    (count("built"), count("primed"))
}

#[tokio::test]
async fn the_compiled_plan_read_answers_as_the_loaders_do() {
    let compiled = spawn_app_with(Options {
        run_worker: false,
        ..Default::default()
    })
    .await;
    let walked = spawn_app_with(Options {
        run_worker: false,
        existing: Some((
            compiled.database_url.clone(),
            compiled.dir.path().join("files"),
        )),
        env: vec![("TERBUKA_COMPILED_READS".into(), "false".into())],
        ..Default::default()
    })
    .await;
    let g = generate(
        &compiled.db,
        "Kabupaten Banding",
        Shape {
            members: 1,
            organisations_per_member: 3,
            plans_per_member: 3,
            commitments_per_plan: 7,
            milestones_per_commitment: 4,
            funded_every: 0,
        },
    )
    .await
    .unwrap();
    let db = &compiled.db;
    // The second plan is being drafted: the public may not see it.
    let p1 = action_plan::Entity::find_by_id(g.plans[1])
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut p1: action_plan::ActiveModel = p1.into();
    p1.status = Set(action_plan::PlanStatus::Drafting);
    p1.update(db).await.unwrap();
    // Some milestones have no responsible organisation.
    let ms = milestone::Entity::find()
        .order_by_asc(milestone::Column::Id)
        .all(db)
        .await
        .unwrap();
    for m in ms.iter().step_by(3) {
        let mut m: milestone::ActiveModel = m.clone().into();
        m.responsible_organisation_id = Set(None);
        m.update(db).await.unwrap();
    }
    let member = api::graphql::ids::encode("Member", g.members[0]).to_string();
    // A plan with no commitments, and a commitment with no milestones.
    let (empty_plan, _) = make(
        &compiled,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi kosong"}),
    )
    .await;
    let plan0 = api::graphql::ids::encode("ActionPlan", g.plans[0]).to_string();
    make(
        &compiled,
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": plan0, "title": "Komitmen tanpa kegiatan", "ogpValues": ["ACCESS_TO_INFORMATION"]}),
    )
    .await;
    let mut plans: Vec<String> = g
        .plans
        .iter()
        .map(|p| api::graphql::ids::encode("ActionPlan", *p).to_string())
        .collect();
    plans.push(empty_plan);
    plans.push("not-an-id".into());
    plans.push(api::graphql::ids::encode("ActionPlan", uuid::Uuid::now_v7()).to_string());

    // Cursors from a first page of each level.
    let first = compiled.ok(TREE, json!({"p": plan0, "n": 3, "m": 2})).await;
    let c_cursor = first["plan"]["commitments"]["pageInfo"]["endCursor"].clone();
    let m_cursor =
        first["plan"]["commitments"]["nodes"][0]["milestones"]["pageInfo"]["endCursor"].clone();
    assert!(c_cursor.is_string() && m_cursor.is_string(), "{first}");
    // A milestone cursor of another commitment: later commitments' pages start after it.
    let late_cursor =
        first["plan"]["commitments"]["nodes"][2]["milestones"]["pageInfo"]["endCursor"].clone();

    let pages = [
        json!({}),
        json!({"n": 0, "m": 0}),
        json!({"n": 1, "m": 1}),
        json!({"n": 3, "m": 2}),
        json!({"n": 50, "m": 50}),
        json!({"n": 7, "m": 4}),
        json!({"n": 2, "ca": c_cursor}),
        json!({"n": 20, "m": 1, "ma": m_cursor}),
        json!({"n": 20, "m": 3, "ma": late_cursor}),
        json!({"n": 5, "m": 5, "ca": c_cursor, "ma": m_cursor}),
    ];
    let operator = compiled.operator.clone();
    let mut compared = 0;
    for viewer in [Some(operator.as_str()), None] {
        for plan in &plans {
            for (query, page) in [TREE, FULL]
                .into_iter()
                .flat_map(|q| pages.iter().map(move |p| (q, p)))
            {
                let mut vars = page.clone();
                vars["p"] = json!(plan);
                let (a, statements) = answer(&compiled, viewer, query, &vars).await;
                let (b, walked_statements) = answer(&walked, viewer, query, &vars).await;
                assert_eq!(a, b, "{query} {vars} as {viewer:?}");
                if a["data"]["plan"]["commitments"]["nodes"][0]["milestones"]["nodes"][0]["title"]
                    .is_string()
                {
                    assert!(statements <= 2, "{statements} statements for {vars}");
                    assert!(walked_statements > statements);
                }
                compared += 1;
            }
            for (query, vars) in [
                (EDGES, json!({"p": plan, "n": 4, "m": 3})),
                (ALIASED, json!({"p": plan})),
                (BAD, json!({"p": plan})),
                (PROGRESS, json!({"p": plan})),
            ] {
                let (a, _) = answer(&compiled, viewer, query, &vars).await;
                let (b, _) = answer(&walked, viewer, query, &vars).await;
                assert_eq!(a, b, "{query} {vars} as {viewer:?}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 2 * 6 * (2 * 10 + 4));

    // Which way the read was answered: whole for the fields it knows, through the loaders
    // for one it does not, and not at all when the aliases ask for different pages.
    let (built, primed) = compiled_reads(&compiled).await;
    let full = compiled.ok(FULL, json!({"p": plan0, "n": 3, "m": 2})).await;
    let typenames: Vec<&Value> = full["plan"]["commitments"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["node"]["milestones"]["nodes"].as_array().unwrap())
        .map(|m| &m["responsibleOrganisation"]["__typename"])
        .collect();
    assert!(typenames.contains(&&json!("Organisation")), "{full}");
    assert_eq!(compiled_reads(&compiled).await, (built + 1, primed));
    compiled.ok(PROGRESS, json!({"p": plan0})).await;
    assert_eq!(compiled_reads(&compiled).await, (built + 1, primed + 1));
    compiled.ok(ALIASED, json!({"p": plan0})).await;
    assert_eq!(compiled_reads(&compiled).await, (built + 1, primed + 1));
    assert_eq!(compiled_reads(&walked).await, (0, 0));

    // What the data holds shows in the answers (the comparison above is not of empty ones).
    let public = compiled
        .gql_as(None, TREE, json!({"p": plans[1], "n": 7, "m": 4}))
        .await;
    assert_eq!(error_code(&public), "NOT_FOUND", "{public}");
    let whole = compiled
        .ok(TREE, json!({"p": plan0, "n": 50, "m": 50}))
        .await;
    let cs = whole["plan"]["commitments"]["nodes"].as_array().unwrap();
    assert_eq!(cs.len(), 8);
    assert_eq!(cs[7]["milestones"]["nodes"], json!([]));
    let orgless = cs
        .iter()
        .flat_map(|c| c["milestones"]["nodes"].as_array().unwrap())
        .filter(|m| m["responsibleOrganisation"].is_null())
        .count();
    assert!(orgless > 0 && orgless < 28, "{orgless}");
    let empty = compiled.ok(TREE, json!({"p": plans[3]})).await;
    assert_eq!(empty["plan"]["commitments"]["totalCount"], 0);
    assert_eq!(
        first["plan"]["commitments"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let by_cursor = compiled
        .ok(TREE, json!({"p": plan0, "n": 2, "ca": c_cursor}))
        .await;
    assert_eq!(
        by_cursor["plan"]["commitments"]["nodes"][0]["id"],
        cs[3]["id"]
    );
    // The plan's own row was filtered by the read's caller, not by the read: its member still
    // sees it.
    let drafted = compiled
        .ok(TREE, json!({"p": plans[1], "n": 1, "m": 1}))
        .await;
    assert_eq!(drafted["plan"]["status"], "DRAFTING");
    walked.stop().await;
    compiled.stop().await;
}
