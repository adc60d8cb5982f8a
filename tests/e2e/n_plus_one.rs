//! The N+1 guard: the SQL statements a request runs (counted by sea-orm's metric callback on
//! this app instance) do not grow with the data. Plans → commitments → milestones →
//! responsible organisation is read for a member with 5 items per level and for one with 50;
//! per-parent pagination keeps each commitment's own page.

use api::demo::generate::{Shape, generate};
use serde_json::{Value, json};

use crate::helpers::*;

/// (Within the complexity limit for 50 × 50 × 50 milestones.)
const TREE: &str = r#"query($m: ID!, $n: Int) { plans(memberId: $m, first: $n) { nodes { title
    commitments(first: $n) { totalCount nodes { title progress
      milestones(first: $n) { totalCount pageInfo { hasNextPage }
        nodes { title responsibleOrganisation { name } } } } } } } }"#;

fn shape(n: usize) -> Shape {
    Shape {
        members: 1,
        organisations_per_member: n,
        plans_per_member: n,
        commitments_per_plan: n,
        milestones_per_commitment: n,
        funded_every: 0,
    }
}

/// The response and the statements it took.
async fn counted(app: &TestApp, query: &str, vars: Value) -> (Value, u64) {
    let before = app.statements.get();
    let data = app.ok(query, vars).await;
    (data, app.statements.get() - before)
}

#[tokio::test]
async fn statements_per_request_do_not_grow_with_the_data() {
    let app = spawn_app_with(Options {
        run_worker: false,
        env: vec![("TERBUKA_GRAPHQL_MAX_COMPLEXITY".into(), "1000000".into())],
        ..Default::default()
    })
    .await;
    let small = generate(&app.db, "Kabupaten Kecil", shape(5))
        .await
        .unwrap();
    let large = generate(&app.db, "Kabupaten Besar", shape(50))
        .await
        .unwrap();
    assert_eq!(large.milestones, 50 * 50 * 50);
    let id = |g: &api::demo::generate::Generated| {
        api::graphql::ids::encode("Member", g.members[0]).to_string()
    };

    // Warm the session cache and the like, then count.
    counted(&app, TREE, json!({"m": id(&small), "n": 5})).await;
    let (s, small_count) = counted(&app, TREE, json!({"m": id(&small), "n": 5})).await;
    let (l, large_count) = counted(&app, TREE, json!({"m": id(&large), "n": 50})).await;
    let milestones = |d: &Value| -> usize {
        d["plans"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["commitments"]["nodes"].as_array().unwrap())
            .map(|c| c["milestones"]["nodes"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(milestones(&s), 125);
    assert_eq!(milestones(&l), 125_000);
    assert!(
        l["plans"]["nodes"][49]["commitments"]["nodes"][49]["milestones"]["nodes"][49]["responsibleOrganisation"]["name"]
            .is_string()
    );
    assert_eq!(
        small_count, large_count,
        "5 per level took {small_count} statements, 50 per level {large_count}"
    );
    assert!(small_count <= 12, "{small_count} statements for one tree");

    // Per-parent pagination: each commitment gets its own first two milestones, in order.
    let (page, paged_count) = counted(
        &app,
        TREE.replace("milestones(first: $n)", "milestones(first: 2)")
            .replace(
                "pageInfo { hasNextPage }",
                "pageInfo { hasNextPage endCursor }",
            )
            .as_str(),
        json!({"m": id(&small), "n": 5}),
    )
    .await;
    assert_eq!(paged_count, small_count);
    for plan in page["plans"]["nodes"].as_array().unwrap() {
        for c in plan["commitments"]["nodes"].as_array().unwrap() {
            let ms = &c["milestones"];
            assert_eq!(ms["totalCount"], 5);
            assert_eq!(ms["pageInfo"]["hasNextPage"], true);
            let nodes = ms["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), 2);
            let number = c["title"].as_str().unwrap().trim_start_matches("Komitmen ");
            assert_eq!(nodes[0]["title"], format!("Kegiatan {number}.1"));
            assert_eq!(nodes[1]["title"], format!("Kegiatan {number}.2"));
        }
    }
    // The next page of one commitment continues where its first ended.
    let first_c = &page["plans"]["nodes"][0]["commitments"]["nodes"][0];
    let cursor = first_c["milestones"]["pageInfo"]["endCursor"].clone();
    assert!(cursor.is_string(), "{first_c}");
    let plan_id = app
        .ok(
            "query($m: ID!) { plans(memberId: $m, first: 1) { nodes { commitments(first: 1) { nodes { id } } } } }",
            json!({"m": id(&small)}),
        )
        .await["plans"]["nodes"][0]["commitments"]["nodes"][0]["id"]
        .clone();
    let rest = app
        .ok(
            "query($id: ID!, $after: String) { commitment(id: $id) { milestones(first: 5, after: $after) {
               pageInfo { hasNextPage } nodes { title } } } }",
            json!({"id": plan_id, "after": cursor}),
        )
        .await;
    let titles: Vec<&str> = rest["commitment"]["milestones"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Kegiatan 1.3", "Kegiatan 1.4", "Kegiatan 1.5"]);
    assert_eq!(
        rest["commitment"]["milestones"]["pageInfo"]["hasNextPage"],
        false
    );

    // The dashboard of a large plan is as many statements as that of a small one.
    let dash = "query($p: ID!) { planDashboard(planId: $p) { progress counts { delayed } overdueMilestones
        nextDeadline commitments { progress counts { completed } overdue { title } funding { budgetLines } }
        fundingGaps { title } } }";
    let plan = |g: &api::demo::generate::Generated| {
        api::graphql::ids::encode("ActionPlan", g.plans[0]).to_string()
    };
    counted(&app, dash, json!({"p": plan(&small)})).await;
    // Computed, not served from the API's kept dashboards: raise every revision first.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("UPDATE data_revision SET revision = revision + 1")
        .await
        .unwrap();
    let (_, small_dash) = counted(&app, dash, json!({"p": plan(&small)})).await;
    let (big, large_dash) = counted(&app, dash, json!({"p": plan(&large)})).await;
    // Served again: as few statements for either.
    let (_, small_kept) = counted(&app, dash, json!({"p": plan(&small)})).await;
    let (_, large_kept) = counted(&app, dash, json!({"p": plan(&large)})).await;
    assert_eq!(small_kept, large_kept);
    assert!(small_kept < small_dash);
    assert_eq!(
        big["planDashboard"]["commitments"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    assert_eq!(small_dash, large_dash);
    app.stop().await;
}

const DASHBOARD: &str = "query($p: ID!) { planDashboard(planId: $p) { progress overdueMilestones
  counts { notStarted inProgress completed cancelled delayed }
  commitments { commitment { id } progress } fundingGaps { id } } }";

#[tokio::test]
async fn a_kept_dashboard_is_served_again_only_while_nothing_it_reads_changed() {
    use entity::{funding, milestone};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    // No worker in this process: its heartbeat and sweeps would add statements of their own
    // to the request's count.
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Options::default()
    })
    .await;
    let shape = api::demo::generate::Shape {
        members: 1,
        organisations_per_member: 3,
        plans_per_member: 1,
        commitments_per_plan: 4,
        milestones_per_commitment: 3,
        funded_every: 2,
    };
    let g = api::demo::generate::generate(&app.db, "Kabupaten Simpan", shape)
        .await
        .unwrap();
    let plan = api::graphql::ids::encode("ActionPlan", g.plans[0]).to_string();
    let vars = json!({"p": plan});
    let (first, cold) = counted(&app, DASHBOARD, vars.clone()).await;
    let (again, warm) = counted(&app, DASHBOARD, vars.clone()).await;
    assert_eq!(first, again);
    assert!(
        warm < cold,
        "served again without recomputing: {warm} < {cold} statements"
    );

    // A write straight to the database (no API, no audit): the triggers raise the revision.
    let m = milestone::Entity::find()
        .filter(milestone::Column::MemberId.eq(g.members[0]))
        .filter(milestone::Column::Status.ne(milestone::MilestoneStatus::Completed))
        .order_by_asc(milestone::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    milestone::Entity::update_many()
        .col_expr(
            milestone::Column::Status,
            sea_orm::sea_query::Expr::value(milestone::MilestoneStatus::Completed),
        )
        .col_expr(
            milestone::Column::Progress,
            sea_orm::sea_query::Expr::value(100),
        )
        .filter(milestone::Column::Id.eq(m.id))
        .exec(&app.db)
        .await
        .unwrap();
    let after = app.ok(DASHBOARD, vars.clone()).await;
    let completed = |d: &Value| d["planDashboard"]["counts"]["completed"].as_i64().unwrap();
    assert_eq!(completed(&after), completed(&first) + 1, "{after}");
    assert_ne!(
        after["planDashboard"]["progress"],
        first["planDashboard"]["progress"]
    );

    // Funding removed: the commitment shows up as a gap at once.
    let gaps = |d: &Value| d["planDashboard"]["fundingGaps"].as_array().unwrap().len();
    let removed = funding::Entity::delete_many()
        .filter(funding::Column::MemberId.eq(g.members[0]))
        .exec(&app.db)
        .await
        .unwrap();
    assert!(removed.rows_affected > 0);
    let unfunded = app.ok(DASHBOARD, vars.clone()).await;
    assert_eq!(gaps(&unfunded), 4, "{unfunded}");
    assert!(gaps(&after) < 4);

    // Through the API too: a milestone's weight changed by a mutation moves the roll-up.
    let id = api::graphql::ids::encode("Milestone", m.id).to_string();
    let version = milestone::Entity::find_by_id(m.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .version;
    let res = app
        .mutate_as(
            Some(&app.operator.clone()),
            "updateMilestone",
            "UpdateMilestoneInput",
            "milestone { id } userErrors { message }",
            json!({"id": id, "version": version, "weight": 10}),
        )
        .await;
    assert_eq!(res["userErrors"], json!([]), "{res}");
    let weighted = app.ok(DASHBOARD, vars).await;
    assert_ne!(
        weighted["planDashboard"]["progress"], unfunded["planDashboard"]["progress"],
        "{weighted}"
    );
    app.stop().await;
}

/// Complexity by who asks: the partnership's people read a plan of 50 commitments with 50
/// milestones each in one request (the admin screen of a large plan); the same request from
/// the public, and three nested pages of 50 from anyone (125,000 rows), are refused before
/// anything runs. The worst allowed shape is timed.
#[tokio::test]
async fn the_partnership_reads_a_50_by_50_plan_and_fan_outs_are_refused() {
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Default::default()
    })
    .await;
    let g = generate(
        &app.db,
        "Kabupaten Besar",
        Shape {
            members: 1,
            organisations_per_member: 5,
            plans_per_member: 1,
            commitments_per_plan: 50,
            milestones_per_commitment: 50,
            funded_every: 0,
        },
    )
    .await
    .unwrap();
    let member = g.members[0];
    let plan = app
        .ok(
            "query($m: ID!) { plans(memberId: $m) { nodes { id } } }",
            json!({"m": api::graphql::ids::encode("Member", member).to_string()}),
        )
        .await["plans"]["nodes"][0]["id"]
        .clone();
    const SCREEN: &str = "query($p: ID!) { plan(id: $p) { title commitments(first: 50) { nodes {
        code title milestones(first: 50) { nodes { title status endsOn weight
          responsibleOrganisation { name } } } } } } }";
    let (_, secretariat) = app
        .account(
            "sekretariat@besar.go.id",
            &[(member, entity::role_grant::Role::Secretariat)],
        )
        .await;
    let started = std::time::Instant::now();
    let screen = app
        .ok_as(Some(&secretariat), SCREEN, json!({"p": plan}))
        .await;
    let took = started.elapsed();
    let rows: usize = screen["plan"]["commitments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["milestones"]["nodes"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows, 2_500);
    println!("50 × 50 plan screen as the secretariat: {took:?} (debug build)");

    let anonymous = app.gql_as(None, SCREEN, json!({"p": plan})).await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "COMPLEXITY_LIMIT_EXCEEDED",
        "{anonymous}"
    );
    let fan_out = app
        .gql(
            "query($m: ID!) { plans(memberId: $m, first: 50) { nodes { commitments(first: 50) {
               nodes { milestones(first: 50) { nodes { title } } } } } } }",
            json!({"m": api::graphql::ids::encode("Member", member).to_string()}),
        )
        .await;
    assert_eq!(
        fan_out["errors"][0]["extensions"]["code"], "COMPLEXITY_LIMIT_EXCEEDED",
        "{fan_out}"
    );
    app.stop().await;
}

/// The admin screen's read of one plan (the benchmark's tree read).
pub const PLAN_TREE: &str = r#"query($p: ID!, $n: Int) { plan(id: $p) { title status submissionDeadline daysToDeadline
  commitments(first: $n) { nodes { code title status
    milestones(first: $n) { nodes { title status endsOn weight responsibleOrganisation { name } } } } } } }"#;

#[tokio::test]
async fn a_plan_tree_takes_two_statements_with_the_session_check() {
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Default::default()
    })
    .await;
    let plan_of = |n: usize| Shape {
        members: 1,
        organisations_per_member: 5,
        plans_per_member: 1,
        commitments_per_plan: n,
        milestones_per_commitment: n,
        funded_every: 0,
    };
    let small = generate(&app.db, "Kabupaten Kecil", plan_of(5))
        .await
        .unwrap();
    let large = generate(&app.db, "Kabupaten Besar", plan_of(50))
        .await
        .unwrap();
    let id = |g: &api::demo::generate::Generated| {
        api::graphql::ids::encode("ActionPlan", g.plans[0]).to_string()
    };
    let (s, small_count) = counted(&app, PLAN_TREE, json!({"p": id(&small), "n": 5})).await;
    let (l, large_count) = counted(&app, PLAN_TREE, json!({"p": id(&large), "n": 50})).await;
    let milestones = |d: &Value| -> usize {
        d["plan"]["commitments"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["milestones"]["nodes"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(milestones(&s), 25);
    assert_eq!(milestones(&l), 2_500);
    assert!(
        l["plan"]["commitments"]["nodes"][49]["milestones"]["nodes"][49]["responsibleOrganisation"]
            ["name"]
            .is_string(),
        "{l}"
    );
    assert_eq!(s["plan"]["submissionDeadline"], "2018-08-31", "{s}");
    assert!(small_count <= 2, "{small_count} statements for 5 × 5");
    assert!(large_count <= 2, "{large_count} statements for 50 × 50");
    app.stop().await;
}
