//! The action plan through GraphQL as its users meet it: status transitions (a literal list of
//! the allowed pairs, every other pair refused), the weighted roll-up, DELAYED from the clock,
//! the dashboard, starred and at-a-glance computed from the values, the team on a date, and
//! the demo's 2016–2017 plan whose computed IRM summary must equal the published report.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, Query};
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

/// A record whose status moves by a `transition…` mutation.
pub struct Machine {
    pub table: &'static str,
    pub kind: &'static str,
    pub mutation: &'static str,
    pub input_type: &'static str,
    pub field: &'static str,
    pub statuses: &'static [&'static str],
    /// The allowed moves, written out from the domain brief (not read from the code).
    pub allowed: &'static [(&'static str, &'static str)],
}

const PLAN: Machine = Machine {
    table: "action_plan",
    kind: "ActionPlan",
    mutation: "transitionPlan",
    input_type: "TransitionPlanInput",
    field: "plan",
    statuses: &[
        "PLANNING",
        "CO_CREATION",
        "DRAFTING",
        "PUBLIC_REVIEW",
        "SUBMITTED",
        "IMPLEMENTING",
        "ENDED",
        "ASSESSED",
        "WITHDRAWN",
    ],
    allowed: &[
        ("PLANNING", "CO_CREATION"),
        ("CO_CREATION", "DRAFTING"),
        ("DRAFTING", "CO_CREATION"),
        ("DRAFTING", "PUBLIC_REVIEW"),
        ("PUBLIC_REVIEW", "DRAFTING"),
        ("PUBLIC_REVIEW", "SUBMITTED"),
        ("SUBMITTED", "IMPLEMENTING"),
        ("IMPLEMENTING", "ENDED"),
        ("ENDED", "ASSESSED"),
        ("PLANNING", "WITHDRAWN"),
        ("CO_CREATION", "WITHDRAWN"),
        ("DRAFTING", "WITHDRAWN"),
        ("PUBLIC_REVIEW", "WITHDRAWN"),
        ("SUBMITTED", "WITHDRAWN"),
    ],
};

const COMMITMENT: Machine = Machine {
    table: "commitment",
    kind: "Commitment",
    mutation: "transitionCommitment",
    input_type: "TransitionCommitmentInput",
    field: "commitment",
    statuses: &[
        "DRAFT",
        "PROPOSED",
        "ACCEPTED",
        "IN_PROGRESS",
        "COMPLETED",
        "DISCONTINUED",
    ],
    allowed: &[
        ("DRAFT", "PROPOSED"),
        ("PROPOSED", "DRAFT"),
        ("PROPOSED", "ACCEPTED"),
        ("ACCEPTED", "IN_PROGRESS"),
        ("IN_PROGRESS", "COMPLETED"),
        ("PROPOSED", "DISCONTINUED"),
        ("ACCEPTED", "DISCONTINUED"),
        ("IN_PROGRESS", "DISCONTINUED"),
    ],
};

const MILESTONE: Machine = Machine {
    table: "milestone",
    kind: "Milestone",
    mutation: "transitionMilestone",
    input_type: "TransitionMilestoneInput",
    field: "milestone",
    statuses: &["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "CANCELLED"],
    allowed: &[
        ("NOT_STARTED", "IN_PROGRESS"),
        ("NOT_STARTED", "COMPLETED"),
        ("NOT_STARTED", "CANCELLED"),
        ("IN_PROGRESS", "COMPLETED"),
        ("IN_PROGRESS", "CANCELLED"),
        ("IN_PROGRESS", "NOT_STARTED"),
        ("COMPLETED", "IN_PROGRESS"),
    ],
};

const DECREE: Machine = Machine {
    table: "decree",
    kind: "Decree",
    mutation: "transitionDecree",
    input_type: "TransitionDecreeInput",
    field: "decree",
    statuses: &[
        "DRAFT",
        "IN_LEGAL_REVIEW",
        "AWAITING_SIGNATURE",
        "SIGNED",
        "PUBLISHED",
        "AMENDED",
        "REVOKED",
        "EXPIRED",
    ],
    allowed: &[
        ("DRAFT", "IN_LEGAL_REVIEW"),
        ("IN_LEGAL_REVIEW", "DRAFT"),
        ("IN_LEGAL_REVIEW", "AWAITING_SIGNATURE"),
        ("AWAITING_SIGNATURE", "IN_LEGAL_REVIEW"),
        ("AWAITING_SIGNATURE", "SIGNED"),
        ("SIGNED", "PUBLISHED"),
        ("SIGNED", "AMENDED"),
        ("SIGNED", "REVOKED"),
        ("SIGNED", "EXPIRED"),
        ("PUBLISHED", "AMENDED"),
        ("PUBLISHED", "REVOKED"),
        ("PUBLISHED", "EXPIRED"),
    ],
};

async fn new_plan(app: &TestApp, member: &str, title: &str) -> (String, i64) {
    make(
        app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": title,
               "periodStart": "2018-09-01", "periodEnd": "2020-08-31", "submissionDeadline": "2018-08-31"}),
    )
    .await
}

async fn new_commitment(app: &TestApp, plan: &str, title: &str) -> (String, i64) {
    make(
        app,
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": plan, "title": title, "ogpValues": ["ACCESS_TO_INFORMATION"]}),
    )
    .await
}

async fn new_milestone(
    app: &TestApp,
    commitment: &str,
    title: &str,
    weight: i64,
    ends: &str,
) -> (String, i64) {
    make(
        app,
        "createMilestone",
        "CreateMilestoneInput",
        "milestone",
        json!({"commitmentId": commitment, "title": title, "weight": weight,
               "startsOn": "2018-07-01", "endsOn": ends}),
    )
    .await
}

/// A fresh record of `machine`'s kind (a decree with everything signing needs).
async fn fresh(app: &TestApp, member: &str, machine: &Machine, n: usize) -> String {
    match machine.kind {
        "ActionPlan" => new_plan(app, member, &format!("Renaksi {n}")).await.0,
        "Commitment" | "Milestone" => {
            let (plan, _) = new_plan(app, member, &format!("Renaksi {n}")).await;
            let (c, _) = new_commitment(app, &plan, "Keterbukaan data").await;
            if machine.kind == "Commitment" {
                return c;
            }
            new_milestone(app, &c, "Portal data", 1, "2018-12-31")
                .await
                .0
        }
        _ => {
            make(
                app,
                "createDecree",
                "CreateDecreeInput",
                "decree",
                json!({"memberId": member, "number": format!("188/{n}/KEP/412.013/2018"),
                       "title": "Tim Kemitraan Pemerintahan Terbuka",
                       "signedOn": "2018-07-02", "effectiveFrom": "2018-07-02"}),
            )
            .await
            .0
        }
    }
}

/// Puts a record in `status` directly in the database (the state under test).
pub async fn force_status(app: &TestApp, machine: &Machine, id: &str, status: &str) {
    use sea_orm::sea_query::ExprTrait;
    let uuid = api::graphql::ids::decode_as(id, machine.kind).unwrap();
    let stmt = Query::update()
        .table(Alias::new(machine.table))
        .value(Alias::new("status"), status)
        .and_where(Expr::col(Alias::new("id")).eq(uuid))
        .to_owned();
    app.db.execute(&stmt).await.unwrap();
}

async fn status_of(app: &TestApp, id: &str) -> String {
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on ActionPlan { status } ... on Commitment { status }
               ... on Milestone { status } ... on Decree { status } ... on Event { status }
               ... on FollowUp { status } } }",
            json!({"id": id}),
        )
        .await;
    data["node"]["status"].as_str().unwrap().to_owned()
}

/// Tries every (from, to) pair of `machine` on a fresh record from `fresh(n)`; the moves
/// that did not go as the literal list says.
pub async fn wrong_moves(
    app: &TestApp,
    machine: &Machine,
    fresh: impl AsyncFn(usize) -> String,
) -> Vec<String> {
    let mut failures = vec![];
    let mut n = 0;
    for from in machine.statuses {
        for to in machine.statuses {
            n += 1;
            let id = fresh(n).await;
            force_status(app, machine, &id, from).await;
            let payload = app
                .mutate_as(
                    Some(&app.operator),
                    machine.mutation,
                    machine.input_type,
                    &format!(
                        "{} {{ status }} userErrors {{ field code message }}",
                        machine.field
                    ),
                    json!({"id": id, "version": 1, "to": to}),
                )
                .await;
            let allowed = machine.allowed.contains(&(from, to));
            let errors = &payload["userErrors"];
            let now = status_of(app, &id).await;
            let ok = if allowed {
                *errors == json!([]) && payload[machine.field]["status"] == *to && now == *to
            } else {
                errors[0]["code"] == "INVALID_TRANSITION"
                    && errors[0]["field"] == json!(["input", "to"])
                    && errors[0]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(from) && m.contains(to))
                    && payload[machine.field].is_null()
                    && now == *from
            };
            if !ok {
                failures.push(format!(
                    "{} {from} → {to} (expected {}): {payload}, now {now}",
                    machine.kind,
                    if allowed { "allowed" } else { "refused" }
                ));
            }
        }
    }
    failures
}

#[tokio::test]
async fn every_status_move_outside_the_allowed_list_is_refused() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let mut failures = vec![];
    for machine in [&PLAN, &COMMITMENT, &MILESTONE, &DECREE] {
        failures.extend(
            wrong_moves(&app, machine, async |n| {
                fresh(&app, &member, machine, n).await
            })
            .await,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    app.stop().await;
}

#[tokio::test]
async fn a_submitted_plan_records_its_day_and_lateness_follows_the_clock() {
    // The demo clock: Wednesday 1 August 2018, 09:00 WIB; the deadline is 31 August.
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, mut v) = new_plan(&app, &member, "Renaksi 2018").await;
    let q = "query($id: ID!) { plan(id: $id) { isLate daysToDeadline submittedOn status } }";
    let data = app.ok(q, json!({"id": plan})).await;
    assert_eq!(data["plan"]["isLate"], false);
    assert_eq!(data["plan"]["daysToDeadline"], 30);

    // 1 September 2018 in Jakarta, still 31 August in UTC: the member's day counts.
    app.clock
        .set(worker::config::parse_instant("2018-09-01T02:00+07:00").unwrap());
    let data = app.ok(q, json!({"id": plan})).await;
    assert_eq!(data["plan"]["isLate"], true);
    assert_eq!(data["plan"]["daysToDeadline"], -1);

    for to in ["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW", "SUBMITTED"] {
        v = make(
            &app,
            "transitionPlan",
            "TransitionPlanInput",
            "plan",
            json!({"id": plan, "version": v, "to": to}),
        )
        .await
        .1;
    }
    let data = app.ok(q, json!({"id": plan})).await;
    assert_eq!(data["plan"]["submittedOn"], "2018-09-01");
    assert_eq!(data["plan"]["status"], "SUBMITTED");
    assert_eq!(data["plan"]["isLate"], true, "submitted a day late");

    // Submitted on time: no longer late, whatever the clock says afterwards.
    let (other, mut v) = new_plan(&app, &member, "Renaksi tepat waktu").await;
    for (to, extra) in [
        ("CO_CREATION", json!({})),
        ("DRAFTING", json!({})),
        ("PUBLIC_REVIEW", json!({})),
        ("SUBMITTED", json!({"submittedOn": "2018-08-30"})),
    ] {
        let mut input = json!({"id": other, "version": v, "to": to});
        for (k, val) in extra.as_object().unwrap() {
            input[k] = val.clone();
        }
        v = make(&app, "transitionPlan", "TransitionPlanInput", "plan", input)
            .await
            .1;
    }
    let data = app.ok(q, json!({"id": other})).await;
    assert_eq!(data["plan"]["submittedOn"], "2018-08-30");
    assert_eq!(data["plan"]["isLate"], false);
    app.stop().await;
}

async fn progress(app: &TestApp, commitment: &str) -> Value {
    app.ok(
        "query($id: ID!) { commitment(id: $id) { progress } }",
        json!({"id": commitment}),
    )
    .await["commitment"]["progress"]
        .clone()
}

async fn report(
    app: &TestApp,
    token: Option<&str>,
    milestone: &str,
    percent: i64,
    on: Option<&str>,
) -> Value {
    let mut input = json!({"milestoneId": milestone, "percent": percent, "note": "Monev"});
    if let Some(d) = on {
        input["reportedOn"] = json!(d);
    }
    app.mutate_as(
        token,
        "reportMilestoneProgress",
        "ReportMilestoneProgressInput",
        "update { percent reportedOn } userErrors { field code message }",
        input,
    )
    .await
}

#[tokio::test]
async fn commitment_progress_is_the_weighted_roll_up_of_its_milestones() {
    let app = spawn_app().await;
    let op = Some(app.operator.as_str());
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, _) = new_plan(&app, &member, "Renaksi 2018").await;
    let (c, _) = new_commitment(&app, &plan, "Satu Data").await;
    assert_eq!(
        progress(&app, &c).await,
        Value::Null,
        "no milestones, no progress"
    );
    let (a, _) = new_milestone(&app, &c, "Pendataan", 1, "2018-12-31").await;
    let (b, _) = new_milestone(&app, &c, "Portal", 3, "2018-12-31").await;
    let (x, xv) = new_milestone(&app, &c, "Aplikasi", 1, "2018-12-31").await;
    assert_eq!(progress(&app, &c).await, json!(0.0));

    assert_eq!(
        report(&app, op, &a, 50, None).await["userErrors"],
        json!([])
    );
    assert_eq!(progress(&app, &c).await, json!(10.0), "(1×50) / 5");
    report(&app, op, &b, 20, None).await;
    assert_eq!(progress(&app, &c).await, json!(22.0), "(50 + 3×20) / 5");

    // A cancelled milestone leaves the roll-up.
    make(
        &app,
        "transitionMilestone",
        "TransitionMilestoneInput",
        "milestone",
        json!({"id": x, "version": xv, "to": "CANCELLED"}),
    )
    .await;
    assert_eq!(progress(&app, &c).await, json!(27.5), "(50 + 60) / 4");

    // A completed one counts 100 whatever was reported.
    let av = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Milestone { version } } }",
            json!({"id": a}),
        )
        .await["node"]["version"]
        .clone();
    make(
        &app,
        "transitionMilestone",
        "TransitionMilestoneInput",
        "milestone",
        json!({"id": a, "version": av, "to": "COMPLETED"}),
    )
    .await;
    assert_eq!(progress(&app, &c).await, json!(40.0), "(100 + 60) / 4");

    // Reweighting moves it.
    let bv = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Milestone { version } } }",
            json!({"id": b}),
        )
        .await["node"]["version"]
        .clone();
    make(
        &app,
        "updateMilestone",
        "UpdateMilestoneInput",
        "milestone",
        json!({"id": b, "version": bv, "weight": 1}),
    )
    .await;
    assert_eq!(progress(&app, &c).await, json!(60.0), "(100 + 20) / 2");

    // A late-entered report dated before the latest one is history, not the current figure.
    report(&app, op, &b, 80, None).await;
    assert_eq!(progress(&app, &c).await, json!(90.0));
    let old = report(&app, op, &b, 10, Some("2018-07-31")).await;
    assert_eq!(old["userErrors"], json!([]), "{old}");
    assert_eq!(
        progress(&app, &c).await,
        json!(90.0),
        "the older report did not win"
    );
    let history = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Milestone { progress updates { percent reportedOn } } } }",
            json!({"id": b}),
        )
        .await;
    assert_eq!(history["node"]["progress"], 80);
    assert_eq!(history["node"]["updates"].as_array().unwrap().len(), 3);

    // Bad reports change nothing.
    for (percent, on, field) in [
        (101, None, "percent"),
        (-1, None, "percent"),
        (50, Some("2018-08-02"), "reportedOn"),
    ] {
        let res = report(&app, op, &b, percent, on).await;
        assert_eq!(res["update"], Value::Null);
        assert_eq!(
            res["userErrors"][0]["field"],
            json!(["input", field]),
            "{res}"
        );
    }
    let cancelled = report(&app, op, &x, 10, None).await;
    assert_eq!(
        cancelled["userErrors"][0]["field"],
        json!(["input", "milestoneId"])
    );
    assert_eq!(progress(&app, &c).await, json!(90.0));
    app.stop().await;
}

#[tokio::test]
async fn a_responsible_team_member_reports_on_their_milestone_and_no_other() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let (account, token) = app
        .account(
            "tim@bojonegorokab.go.id",
            &[(m, entity::role_grant::Role::TeamMember)],
        )
        .await;
    let (person, _) = make(
        &app,
        "createPerson",
        "CreatePersonInput",
        "person",
        json!({"memberId": member, "name": "Staf Kominfo"}),
    )
    .await;
    app.ok(
        r#"mutation($input: LinkAccountInput!) { linkAccountToPerson(input: $input) { __typename } }"#,
        json!({"input": {"accountId": api::graphql::ids::encode("Account", account), "personId": person, "memberId": member}}),
    )
    .await;
    let (plan, _) = new_plan(&app, &member, "Renaksi 2018").await;
    let (c, _) = new_commitment(&app, &plan, "Satu Data").await;
    let (mine, v) = new_milestone(&app, &c, "Pendataan", 1, "2018-12-31").await;
    let (other, _) = new_milestone(&app, &c, "Portal", 1, "2018-12-31").await;
    make(
        &app,
        "setMilestonePeople",
        "SetResponsiblePeopleInput",
        "milestone",
        json!({"id": mine, "version": v, "personIds": [person]}),
    )
    .await;
    let ok = report(&app, Some(&token), &mine, 30, None).await;
    assert_eq!(ok["userErrors"], json!([]), "{ok}");
    let refused = app
        .gql_as(
            Some(&token),
            "mutation($input: ReportMilestoneProgressInput!) { reportMilestoneProgress(input: $input) { __typename } }",
            json!({"input": {"milestoneId": other, "percent": 30}}),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    let author = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Milestone { updates { author } } } }",
            json!({"id": mine}),
        )
        .await;
    assert_eq!(
        author["node"]["updates"][0]["author"],
        "tim@bojonegorokab.go.id"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_dashboard_shows_progress_delays_the_next_deadline_and_funding_gaps() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, _) = new_plan(&app, &member, "Renaksi 2018").await;
    let (funded, _) = new_commitment(&app, &plan, "Satu Data").await;
    let (unfunded, _) = new_commitment(&app, &plan, "Layanan kesehatan").await;
    // Clock: 1 August 2018. One milestone ended on 31 July and is not done: DELAYED.
    let (late, _) = new_milestone(&app, &funded, "Pendataan", 1, "2018-07-31").await;
    new_milestone(&app, &funded, "Portal", 1, "2018-08-15").await;
    new_milestone(&app, &unfunded, "Survei", 2, "2018-12-31").await;
    report(&app, Some(&app.operator), &late, 50, None).await;

    let (org, _) = make(
        &app,
        "createOrganisation",
        "CreateOrganisationInput",
        "organisation",
        json!({"memberId": member, "name": "Dinas Kominfo", "kind": "GOVERNMENT_OFFICE"}),
    )
    .await;
    let (line, _) = make(
        &app,
        "createBudgetLine",
        "CreateBudgetLineInput",
        "budgetLine",
        json!({"memberId": member, "organisationId": org, "fiscalYear": 2018, "dpaVersion": "REVISED",
               "programName": "Program Pengembangan Komunikasi, Informasi dan Media Massa", "ceiling": "250000000"}),
    )
    .await;
    make(
        &app,
        "addFunding",
        "FundingInput",
        "commitment",
        json!({"commitmentId": funded, "sourceId": line, "amount": "75000000"}),
    )
    .await;

    let q = r#"query($id: ID!) { planDashboard(planId: $id) {
        progress overdueMilestones nextDeadline
        counts { notStarted inProgress completed cancelled delayed }
        commitments { commitment { title } progress nextDeadline counts { delayed notStarted }
                      overdue { title state } funding { budgetLines dpaAmount } }
        fundingGaps { title } } }"#;
    let d = app.ok(q, json!({"id": plan})).await["planDashboard"].clone();
    assert_eq!(d["overdueMilestones"], 1);
    assert_eq!(
        d["counts"],
        json!({"notStarted": 2, "inProgress": 0, "completed": 0, "cancelled": 0, "delayed": 1})
    );
    assert_eq!(d["nextDeadline"], "2018-08-15", "the nearest open date");
    assert_eq!(d["fundingGaps"], json!([{"title": "Layanan kesehatan"}]));
    let first = &d["commitments"][0];
    assert_eq!(first["commitment"]["title"], "Satu Data");
    assert_eq!(first["progress"], json!(25.0));
    assert_eq!(
        first["overdue"],
        json!([{"title": "Pendataan", "state": "DELAYED"}])
    );
    assert_eq!(
        first["funding"],
        json!({"budgetLines": 1, "dpaAmount": "75000000"})
    );
    assert_eq!(d["commitments"][1]["progress"], json!(0.0));
    assert_eq!(d["progress"], json!(12.5));

    // The funding query agrees: one commitment without money.
    let f = app
        .ok(
            "query($id: ID!) { planFunding(planId: $id, onlyUnfunded: true) { commitment { title } funded } }",
            json!({"id": plan}),
        )
        .await;
    assert_eq!(
        f["planFunding"],
        json!([{"commitment": {"title": "Layanan kesehatan"}, "funded": false}])
    );

    // A day later the second milestone is not late yet; on 16 August it is.
    app.clock
        .set(worker::config::parse_instant("2018-08-16T09:00+07:00").unwrap());
    let d = app.ok(q, json!({"id": plan})).await["planDashboard"].clone();
    assert_eq!(d["overdueMilestones"], 2);
    assert_eq!(
        d["nextDeadline"], "2018-08-31",
        "the submission deadline is next"
    );
    app.stop().await;
}

async fn glance(app: &TestApp, assessment: &str) -> Value {
    app.ok(
        "query($id: ID!) { node(id: $id) { ... on Assessment { atAGlance {
            commitments verifiable clearRelevance transformativePotentialImpact
            completionLimited completionSubstantial starred diogMajor }
            values { commitment { title } starred } } } }",
        json!({"id": assessment}),
    )
    .await["node"]
        .clone()
}

#[tokio::test]
async fn starred_and_at_a_glance_are_computed_from_the_values_and_the_rule() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, _) = new_plan(&app, &member, "Renaksi 2016–2017").await;
    let (c1, _) = new_commitment(&app, &plan, "Data Revolution").await;
    let (c2, _) = new_commitment(&app, &plan, "Open Contracting").await;
    let (irm, _) = make(
        &app,
        "createAssessment",
        "CreateAssessmentInput",
        "assessment",
        json!({"planId": plan, "kind": "IRM_END_OF_TERM", "framework": "IRM_PRE_2020", "title": "Final IRM Report"}),
    )
    .await;
    let set = |c: &str, impact: &str, completion: &str, relevant: Value| {
        json!({"assessmentId": irm, "commitmentId": c, "verifiable": true, "relevantValues": relevant,
               "potentialImpact": impact, "completion": completion, "didItOpenGovernment": "MAJOR"})
    };
    let run = |input: Value| {
        app.mutate_as(
            Some(&app.operator),
            "setCommitmentValues",
            "SetCommitmentValuesInput",
            "userErrors { field code message }",
            input,
        )
    };
    assert_eq!(
        run(set(
            &c1,
            "TRANSFORMATIVE",
            "SUBSTANTIAL",
            json!(["ACCESS_TO_INFORMATION"])
        ))
        .await["userErrors"],
        json!([])
    );
    assert_eq!(
        run(set(&c2, "MINOR", "LIMITED", json!([]))).await["userErrors"],
        json!([])
    );
    let g = glance(&app, &irm).await;
    assert_eq!(
        g["atAGlance"],
        json!({"commitments": 2, "verifiable": 2, "clearRelevance": 1, "transformativePotentialImpact": 1,
               "completionLimited": 1, "completionSubstantial": 1, "starred": 1, "diogMajor": 2})
    );
    assert_eq!(g["values"][0]["starred"], true);
    assert_eq!(g["values"][1]["starred"], false);

    // One value changes: the star goes, the completion counts move.
    run(set(
        &c1,
        "TRANSFORMATIVE",
        "LIMITED",
        json!(["ACCESS_TO_INFORMATION"]),
    ))
    .await;
    let g = glance(&app, &irm).await;
    assert_eq!(g["atAGlance"]["starred"], 0);
    assert_eq!(g["atAGlance"]["completionLimited"], 2);
    assert_eq!(g["atAGlance"]["completionSubstantial"], 0);

    // The framework's rule is configuration: an operator relaxes it, the star comes back.
    let rules = app
        .ok("{ starredRules { framework version } }", json!({}))
        .await;
    let version = rules["starredRules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["framework"] == "IRM_PRE_2020")
        .unwrap()["version"]
        .clone();
    let updated = app
        .mutate_as(
            Some(&app.operator),
            "updateStarredRule",
            "UpdateStarredRuleInput",
            "rule { minCompletion } userErrors { code }",
            json!({"framework": "IRM_PRE_2020", "version": version, "requireVerifiable": true,
                   "requireRelevance": true, "minPotentialImpact": "MODERATE", "minCompletion": "LIMITED"}),
        )
        .await;
    assert_eq!(updated["rule"]["minCompletion"], "LIMITED", "{updated}");
    let g = glance(&app, &irm).await;
    assert_eq!(g["atAGlance"]["starred"], 1);
    assert_eq!(g["values"][0]["starred"], true);

    // A commitment of another plan cannot be assessed here; nothing is written.
    let (other_plan, _) = new_plan(&app, &member, "Renaksi lain").await;
    let (foreign, _) = new_commitment(&app, &other_plan, "Lain").await;
    let res = run(set(&foreign, "MINOR", "LIMITED", json!([]))).await;
    assert_eq!(
        res["userErrors"][0]["field"],
        json!(["input", "commitmentId"]),
        "{res}"
    );
    assert_eq!(glance(&app, &irm).await["atAGlance"]["commitments"], 2);
    app.stop().await;
}

async fn walk(app: &TestApp, id: &str, mut v: i64, to: &[&str]) {
    for t in to {
        v = make(
            app,
            "transitionDecree",
            "TransitionDecreeInput",
            "decree",
            json!({"id": id, "version": v, "to": t}),
        )
        .await
        .1;
    }
}

#[tokio::test]
async fn the_team_as_it_stood_on_any_date() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let decree = |number: &str, from: &str, amends: Option<&str>| {
        let mut input = json!({"memberId": member, "number": number, "title": "Tim Kemitraan Pemerintahan Terbuka",
                               "signedOn": from, "effectiveFrom": from});
        if let Some(a) = amends {
            input["amendsId"] = json!(a);
        }
        make(&app, "createDecree", "CreateDecreeInput", "decree", input)
    };
    let appendix = |id: String, v: i64, deputy: &'static str| {
        make(
            &app,
            "setDecreeAppendix",
            "SetDecreeAppendixInput",
            "decree",
            json!({"id": id, "version": v, "lines": [
                {"name": "Kepala Dinas Kominfo", "position": "KETUA", "represents": "GOVERNMENT"},
                {"name": deputy, "position": "WAKIL_KETUA", "represents": "CIVIL_SOCIETY"}]}),
        )
    };
    let (first, v) = decree("188/364/KEP/412.013/2018", "2018-07-02", None).await;
    let (_, v) = appendix(first.clone(), v, "Bojonegoro Institute").await;
    walk(
        &app,
        &first,
        v,
        &[
            "IN_LEGAL_REVIEW",
            "AWAITING_SIGNATURE",
            "SIGNED",
            "PUBLISHED",
        ],
    )
    .await;
    let (second, v) = decree("188/12/KEP/412.013/2019", "2019-01-01", Some(&first)).await;
    let (_, v) = appendix(second.clone(), v, "IDFoS Indonesia").await;
    walk(
        &app,
        &second,
        v,
        &[
            "IN_LEGAL_REVIEW",
            "AWAITING_SIGNATURE",
            "SIGNED",
            "PUBLISHED",
        ],
    )
    .await;
    assert_eq!(
        status_of(&app, &first).await,
        "AMENDED",
        "signing the amendment amends the first"
    );

    let team = |on: &'static str, token: Option<String>| {
        let member = member.clone();
        let app = &app;
        async move {
            app.ok_as(
                token.as_deref(),
                "query($m: ID!, $on: Date) { member(id: $m) { team(on: $on) { on decree { number appendix { name position represents } } } } }",
                json!({"m": member, "on": on}),
            )
            .await["member"]["team"]
                .clone()
        }
    };
    for token in [None, Some(app.operator.clone())] {
        assert_eq!(
            team("2018-07-01", token.clone()).await["decree"],
            Value::Null
        );
        let t = team("2018-08-01", token.clone()).await;
        assert_eq!(t["decree"]["number"], "188/364/KEP/412.013/2018");
        assert_eq!(t["decree"]["appendix"][1]["name"], "Bojonegoro Institute");
        assert_eq!(t["decree"]["appendix"][1]["represents"], "CIVIL_SOCIETY");
        let t = team("2019-02-01", token.clone()).await;
        assert_eq!(t["decree"]["number"], "188/12/KEP/412.013/2019");
        assert_eq!(t["decree"]["appendix"][1]["name"], "IDFoS Indonesia");
    }

    // A decree revoked today governed until yesterday.
    let (_, v) = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Decree { version } } }",
            json!({"id": second}),
        )
        .await["node"]["version"]
        .as_i64()
        .map(|v| ((), v))
        .unwrap();
    app.clock
        .set(worker::config::parse_instant("2019-06-01T09:00+07:00").unwrap());
    walk(&app, &second, v, &["REVOKED"]).await;
    assert_eq!(
        team("2019-05-31", None).await["decree"]["number"],
        "188/12/KEP/412.013/2019"
    );
    assert_eq!(team("2019-06-01", None).await["decree"], Value::Null);

    // A draft is the team's business only.
    let (draft, _) = decree("188/99/KEP/412.013/2019", "2019-06-02", None).await;
    let anon = app
        .gql_as(
            None,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": draft}),
        )
        .await;
    assert_eq!(anon["errors"][0]["extensions"]["code"], "NOT_FOUND");
    app.stop().await;
}

#[tokio::test]
async fn the_demo_holds_bojonegoro_s_plans_and_the_published_irm_figures() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    let data = app
        .ok_as(
            None,
            r#"{ member(slug: "bojonegoro") { id
                 secretariat { venueName room }
                 team(on: "2018-08-01") { decree { number } }
                 headsOfRegion { name }
               } }"#,
            json!({}),
        )
        .await;
    let member = data["member"]["id"].as_str().unwrap().to_owned();
    assert_eq!(data["member"]["secretariat"]["room"], "Ruang PPID");
    assert_eq!(
        data["member"]["team"]["decree"],
        Value::Null,
        "the decree is still a draft"
    );

    let plans = app
        .ok(
            r#"query($m: ID!) { plans(memberId: $m) { nodes { title status submissionDeadline isLate daysToDeadline
                 phases { name }
                 commitments(first: 10) { totalCount nodes { code } }
                 assessments { title framework atAGlance { commitments completionSubstantial completionLimited
                   starred transformativePotentialImpact clearRelevance diogMajor } } } } }"#,
            json!({"m": member}),
        )
        .await;
    let nodes = plans["plans"]["nodes"].as_array().unwrap();
    let old = nodes
        .iter()
        .find(|p| p["title"].as_str().unwrap().contains("2016-2017"))
        .expect("the 2016–2017 plan");
    assert_eq!(old["status"], "ASSESSED");
    assert_eq!(old["commitments"]["totalCount"], 5);
    assert_eq!(
        old["assessments"][0]["atAGlance"],
        json!({"commitments": 5, "completionSubstantial": 4, "completionLimited": 1, "starred": 0,
               "transformativePotentialImpact": 1, "clearRelevance": 5, "diogMajor": 2}),
        "the computed summary equals the Final IRM Report 2017"
    );
    let new = nodes
        .iter()
        .find(|p| p["status"] == "CO_CREATION")
        .expect("the 2018 plan in preparation");
    assert_eq!(new["submissionDeadline"], "2018-08-31");
    assert_eq!(new["isLate"], false);
    assert_eq!(
        new["daysToDeadline"], 30,
        "1 August 2018 (WIB) to 31 August"
    );
    assert_eq!(new["phases"].as_array().unwrap().len(), 4);

    // The public does not see the plan in co-creation; the partnership does.
    let public = app
        .ok_as(
            None,
            "query($m: ID!) { plans(memberId: $m) { nodes { status } } }",
            json!({"m": member}),
        )
        .await;
    assert!(
        public["plans"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] != "CO_CREATION")
    );
    app.stop().await;
}

/// The dashboard aggregates in SQL; the rules live in Rust (`Model::state`, `roll_up`, the
/// funding fallbacks). On varied data — every status, progress outside 0–100, weights of zero
/// and below, no end date, end dates on either side of today, funding with and without an
/// amount from both sources — the two must agree on both backends.
#[tokio::test]
async fn the_dashboards_sql_aggregate_equals_the_rust_rules() {
    use chrono::{Days, NaiveDate, Utc};
    use entity::milestone::{self, MilestoneStatus};
    use entity::{dashboard, funding, ngo_programme};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

    let app = spawn_app().await;
    let shape = api::demo::generate::Shape {
        members: 1,
        organisations_per_member: 3,
        plans_per_member: 2,
        commitments_per_plan: 7,
        milestones_per_commitment: 9,
        funded_every: 2,
    };
    let g = api::demo::generate::generate(&app.db, "Setara", shape)
        .await
        .unwrap();
    let (plan, other) = (g.plans[0], g.plans[1]);
    let today = NaiveDate::from_ymd_opt(2019, 6, 1).unwrap();
    let commitments = entity::commitment::Entity::find()
        .filter(entity::commitment::Column::PlanId.eq(plan))
        .all(&app.db)
        .await
        .unwrap();
    let ids: Vec<_> = commitments.iter().map(|c| c.id).collect();

    // A fixed pseudo-random sequence: the same data on every run and both backends.
    let mut seed: u64 = 0x5eed_2018;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let all = milestone::Entity::find()
        .filter(milestone::Column::CommitmentId.is_in(ids.clone()))
        .all(&app.db)
        .await
        .unwrap();
    for m in all {
        // The last commitment's milestones are all cancelled: it has no progress at all.
        let status = if m.commitment_id == ids[6] {
            MilestoneStatus::Cancelled
        } else {
            [
                MilestoneStatus::NotStarted,
                MilestoneStatus::InProgress,
                MilestoneStatus::Completed,
                MilestoneStatus::Cancelled,
            ][next(4) as usize]
        };
        let ends_on = match next(5) {
            0 => None,
            1 => Some(today),
            k => Some(today - Days::new(40) + Days::new(k * 13 + next(20))),
        };
        let mut a: milestone::ActiveModel = m.into();
        a.status = Set(status);
        a.progress = Set(next(131) as i32 - 10);
        a.weight = Set(next(6) as i32 - 1);
        a.ends_on = Set(ends_on);
        a.update(&app.db).await.unwrap();
    }
    // Funding from an NGO programme, with and without an amount of its own, and a DPA line
    // without one (the line's ceiling counts).
    let g_line = funding::Entity::find()
        .filter(funding::Column::CommitmentId.is_in(ids.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let now = Utc::now();
    let programme = ngo_programme::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        member_id: Set(g.members[0]),
        organisation_id: Set(entity::organisation::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id),
        title: Set("Penguatan Forum OGP".into()),
        funder: Set(Some("Hivos".into())),
        period_start: Set(None),
        period_end: Set(None),
        amount: Set(Some(120_000_000)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (commitment, line, prog, amount) in [
        (ids[1], None, Some(programme.id), None),
        (ids[1], None, Some(programme.id), Some(5_000_000)),
        (ids[2], g_line.budget_line_id, None, None),
        (ids[2], None, Some(programme.id), None),
    ] {
        funding::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            member_id: Set(g.members[0]),
            commitment_id: Set(commitment),
            milestone_id: Set(None),
            budget_line_id: Set(line),
            ngo_programme_id: Set(prog),
            amount: Set(amount),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }

    let plan_row = entity::action_plan::Entity::find_by_id(plan)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let d = dashboard::dashboard_of(&app.db, plan_row, today)
        .await
        .unwrap();
    assert_eq!(d.commitments.len(), 7, "only this plan's commitments");
    let mut total = dashboard::StateCounts::default();
    let mut some_delayed = false;
    for row in &d.commitments {
        let ms = milestone::Entity::find()
            .filter(milestone::Column::CommitmentId.eq(row.commitment.id))
            .all(&app.db)
            .await
            .unwrap();
        let mut counts = dashboard::StateCounts::default();
        for m in &ms {
            counts.add(m.state(today));
            total.add(m.state(today));
        }
        let title = &row.commitment.title;
        assert_eq!(row.counts, counts, "{title}: counts by state");
        some_delayed |= counts.delayed > 0;
        let expected = milestone::roll_up(&ms).map(|p| (p * 10.0).round() / 10.0);
        assert_eq!(row.progress, expected, "{title}: roll-up");
        let mut overdue: Vec<_> = ms
            .iter()
            .filter(|m| m.state(today) == milestone::MilestoneState::Delayed)
            .map(|m| (m.ends_on, m.id))
            .collect();
        overdue.sort();
        let got: Vec<_> = row.overdue.iter().map(|m| (m.ends_on, m.id)).collect();
        assert_eq!(got, overdue, "{title}: overdue, earliest first");
        let next_open = ms
            .iter()
            .filter(|m| {
                matches!(
                    m.status,
                    MilestoneStatus::NotStarted | MilestoneStatus::InProgress
                )
            })
            .filter_map(|m| m.ends_on)
            .filter(|e| *e >= today)
            .min();
        assert_eq!(row.next_deadline, next_open, "{title}: next deadline");

        let fs = funding::Entity::find()
            .filter(funding::Column::CommitmentId.eq(row.commitment.id))
            .all(&app.db)
            .await
            .unwrap();
        let lines = fs.iter().filter(|f| f.budget_line_id.is_some()).count();
        let programmes = fs.iter().filter(|f| f.ngo_programme_id.is_some()).count();
        assert_eq!(
            row.funding.budget_lines as usize, lines,
            "{title}: DPA lines"
        );
        assert_eq!(
            row.funding.ngo_programmes as usize, programmes,
            "{title}: NGO programmes"
        );
    }
    assert_eq!(d.counts, total, "the plan's counts are the sum");
    assert!(some_delayed, "the data exercises DELAYED");
    assert_eq!(
        d.commitments[6].progress, None,
        "all cancelled: no progress"
    );
    // Amounts: the generator's DPA funding carries 10,000,000; a line without an amount counts
    // its ceiling (250,000,000); a programme without one its own amount (120,000,000).
    assert_eq!(d.commitments[0].funding.dpa_amount, 10_000_000);
    assert_eq!(d.commitments[1].funding.ngo_amount, 125_000_000);
    assert_eq!(d.commitments[2].funding.dpa_amount, 260_000_000);
    assert_eq!(d.commitments[2].funding.ngo_amount, 120_000_000);
    assert_eq!(
        d.unfunded().count(),
        2,
        "the 4th and 6th commitments have no money"
    );

    // The other plan's dashboard is untouched by this one's data.
    let other_row = entity::action_plan::Entity::find_by_id(other)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let o = dashboard::dashboard_of(&app.db, other_row, today)
        .await
        .unwrap();
    assert_eq!(o.commitments.len(), 7);
    assert_eq!(o.unfunded().count(), 3);
    app.stop().await;
}

/// A cancellation in flight while a progress report for the same milestone comes in: the
/// report waits for it and is refused, it never lands on a milestone already cancelled. The
/// cancellation is held open in a write transaction of the test's own while the report is
/// sent, then committed.
#[tokio::test]
async fn a_report_racing_a_cancellation_is_refused_never_landing_after_it() {
    use entity::milestone::{self, MilestoneStatus};
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let op = Some(app.operator.as_str());
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, _) = new_plan(&app, &member, "Renaksi 2018").await;
    let (c, _) = new_commitment(&app, &plan, "Satu Data").await;
    let (m, _) = new_milestone(&app, &c, "Pendataan", 1, "2018-12-31").await;
    let (_, id) = entity::ids::decode(&m).expect("a global id");

    let tx = entity::db::begin_write(&app.db).await.unwrap();
    milestone::Entity::update_many()
        .col_expr(
            milestone::Column::Status,
            Expr::value(MilestoneStatus::Cancelled),
        )
        .col_expr(
            milestone::Column::Version,
            Expr::col(milestone::Column::Version).add(1),
        )
        .filter(milestone::Column::Id.eq(id))
        .exec(&tx)
        .await
        .unwrap();
    let commit = async {
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        tx.commit().await.unwrap();
    };
    let (reported, ()) = tokio::join!(report(&app, op, &m, 40, None), commit);
    assert_eq!(
        reported["userErrors"][0]["code"], "MILESTONE_CANCELLED",
        "{reported}"
    );
    assert_eq!(
        reported["userErrors"][0]["field"],
        json!(["input", "milestoneId"])
    );
    let after = milestone::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, MilestoneStatus::Cancelled);
    assert_eq!(after.progress, 0, "the refused report moved nothing");
    let count = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM progress_update",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(count, 0, "no report was stored");

    // On a milestone that is not cancelled the same report lands, and a report dated after
    // today is refused with its own code.
    let (other, _) = new_milestone(&app, &c, "Portal", 1, "2018-12-31").await;
    assert_eq!(
        report(&app, op, &other, 40, None).await["userErrors"],
        json!([])
    );
    let future = report(&app, op, &other, 50, Some("2099-01-01")).await;
    assert_eq!(
        future["userErrors"][0]["code"], "REPORT_DATED_IN_FUTURE",
        "{future}"
    );
}
