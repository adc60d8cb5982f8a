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

/// Two servers on one database: `compiled` brings nested levels along with their parents,
/// `walked` (`TERBUKA_COMPILED_READS=false`) reads them level by level.
async fn pair() -> (TestApp, TestApp) {
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
    (compiled, walked)
}

const EVENTS: &str = r#"query($m: ID!) {
  events(memberId: $m, from: "2018-06-01", to: "2018-08-31") { id title isPublic
    agenda { title durationMinutes speakerName speaker { id name } } speakers } }"#;

/// Only the speakers' names, through a fragment.
const SPEAKERS: &str = r#"query($m: ID!) {
  events(memberId: $m, from: "2018-06-01", to: "2018-08-31") { ...E } }
fragment E on Event { title speakers }"#;

/// An event's agenda and its speakers (the partnership's own people only) come along with the
/// events in one statement, and answer as the loaders do, to a viewer of the member, to one of
/// another member and to the public.
#[tokio::test]
async fn events_with_their_agenda_answer_as_the_loaders_do() {
    let (compiled, walked) = pair().await;
    let g = generate(
        &compiled.db,
        "Kabupaten Agenda",
        Shape {
            members: 2,
            organisations_per_member: 1,
            plans_per_member: 0,
            commitments_per_plan: 0,
            milestones_per_commitment: 0,
            funded_every: 0,
        },
    )
    .await
    .unwrap();
    let member = api::graphql::ids::encode("Member", g.members[0]).to_string();
    let mut people = Vec::new();
    for name in ["Kusnandaka Tjatur", "Nurul Azizah"] {
        let (id, _) = make(
            &compiled,
            "createPerson",
            "CreatePersonInput",
            "person",
            json!({"memberId": member, "name": name, "phone": "0353 881826"}),
        )
        .await;
        people.push(id);
    }
    let agendas = [
        (
            "Rapat persiapan Renaksi",
            true,
            json!([
                {"title": "Pembukaan", "durationMinutes": 10, "speakerName": "Kepala Dinas Kominfo"},
                {"title": "Paparan temuan IRM", "durationMinutes": 30, "speakerPersonId": people[0]},
                {"title": "Diskusi", "speakerPersonId": people[1], "speakerName": "Direktur BI"},
                {"title": "Penutup"},
                {"title": "Rencana tindak lanjut", "speakerPersonId": people[0]}
            ]),
        ),
        (
            "Monev rutin",
            false,
            json!([{"title": "Laporan", "speakerPersonId": people[1]}]),
        ),
        ("Sosialisasi tanpa agenda", true, json!([])),
    ];
    for (i, (title, public, items)) in agendas.iter().enumerate() {
        let (id, version) = make(
            &compiled,
            "createEvent",
            "CreateEventInput",
            "event",
            json!({"memberId": member, "kind": "MONEV", "title": title, "isPublic": public,
                   "startsAt": format!("2018-07-0{}T09:00:00+07:00", i + 2)}),
        )
        .await;
        if items.as_array().unwrap().is_empty() {
            continue;
        }
        compiled
            .record_as(
                Some(&compiled.operator),
                "setEventAgenda",
                "SetEventAgendaInput",
                "event",
                json!({"id": id, "version": version, "items": items}),
            )
            .await;
    }
    let (_, outsider) = compiled
        .account(
            "luar@terbuka.test",
            &[(g.members[1], entity::role_grant::Role::Secretariat)],
        )
        .await;
    let (_, insider) = compiled
        .account(
            "dalam@terbuka.test",
            &[(g.members[0], entity::role_grant::Role::Watchdog)],
        )
        .await;
    let other = api::graphql::ids::encode("Member", g.members[1]).to_string();
    let (_, primed) = compiled_reads(&compiled).await;
    let mut answers = Vec::new();
    for viewer in [Some(insider.as_str()), Some(outsider.as_str()), None] {
        for m in [&member, &other] {
            for query in [EVENTS, SPEAKERS] {
                let vars = json!({ "m": m });
                let (a, statements) = answer(&compiled, viewer, query, &vars).await;
                let (b, walked_statements) = answer(&walked, viewer, query, &vars).await;
                assert_eq!(a, b, "{query} {vars}");
                assert!(a.get("errors").is_none(), "{a}");
                // The member's time zone (which dates the window), then the events with
                // their agendas and speakers.
                let session = u64::from(viewer.is_some());
                assert_eq!(statements, 2 + session, "{query} {vars}");
                if m == &member {
                    assert!(
                        statements < walked_statements,
                        "{statements} statements compiled, {walked_statements} walked"
                    );
                }
                answers.push(a);
            }
        }
    }
    // Each events read asked for the agenda or the speakers: each one was brought along.
    assert_eq!(compiled_reads(&compiled).await.1, primed + 12);
    assert_eq!(compiled_reads(&walked).await, (0, 0));
    // What the data holds shows in the answers: the member's own people see the speakers on
    // file and the internal meeting; another member's people and the public see the names as
    // announced only, and the public events.
    let events = |a: &Value| a["data"]["events"].as_array().unwrap().clone();
    let inside = events(&answers[0]);
    assert_eq!(inside.len(), 3, "{inside:?}");
    assert_eq!(
        inside[0]["speakers"],
        json!(["Kepala Dinas Kominfo", "Kusnandaka Tjatur", "Direktur BI"])
    );
    assert_eq!(
        inside[0]["agenda"][1]["speaker"]["name"],
        "Kusnandaka Tjatur"
    );
    assert_eq!(inside[0]["agenda"][3]["speaker"], Value::Null);
    assert_eq!(inside[1]["speakers"], json!(["Nurul Azizah"]));
    assert_eq!(inside[2]["agenda"], json!([]));
    for a in [&answers[4], &answers[8]] {
        let outside = events(a);
        assert_eq!(outside.len(), 2, "{outside:?}");
        assert_eq!(
            outside[0]["speakers"],
            json!(["Kepala Dinas Kominfo", "Direktur BI"])
        );
        assert_eq!(outside[0]["agenda"][1]["speaker"], Value::Null);
    }
    assert!(!answers.iter().any(|a| a.to_string().contains("881826")));
    walked.stop().await;
    compiled.stop().await;
}

const ORGANISATIONS: &str = r#"query($m: ID, $s: String, $n: Int, $a: String, $k: OrganisationKind) {
  member(id: $m, slug: $s) { id name
    organisations(first: $n, after: $a, kind: $k) { totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { id name acronym kind } } } }"#;

/// Without `totalCount`, and the same page twice under an alias and a fragment.
const ORGANISATIONS_TWICE: &str = r#"query($m: ID, $n: Int) {
  member(id: $m) { name a: organisations(first: $n) { nodes { name } } ...O } }
fragment O on Member { a: organisations(first: $n) { edges { cursor node { kind } } } }"#;

/// Two pages under two aliases: not brought along, loaded as ever.
const ORGANISATIONS_TWO_PAGES: &str = r#"query($m: ID) {
  member(id: $m) { a: organisations(first: 1) { nodes { name } }
                   b: organisations(first: 2) { nodes { name } } } }"#;

/// Every member on a page, each with a page of its organisations.
const MEMBERS: &str = r#"query($n: Int, $a: String, $o: Int, $k: OrganisationKind) {
  members(first: $n, after: $a) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id name organisations(first: $o, kind: $k) { totalCount pageInfo { hasNextPage }
      nodes { name kind } } }
    edges { cursor node { slug organisations(first: $o, kind: $k) { nodes { id } } } } } }"#;

/// A member's page of organisations and its count come along with the member in one
/// statement, by id, by slug or on a page of members, and answer as the loaders do.
#[tokio::test]
async fn a_member_with_its_organisations_answers_as_the_loaders_do() {
    let (compiled, walked) = pair().await;
    let g = generate(
        &compiled.db,
        "Kabupaten Mitra",
        Shape {
            members: 2,
            organisations_per_member: 9,
            plans_per_member: 0,
            commitments_per_plan: 0,
            milestones_per_commitment: 0,
            funded_every: 0,
        },
    )
    .await
    .unwrap();
    let member = api::graphql::ids::encode("Member", g.members[0]).to_string();
    let slug = entity::member::Entity::find_by_id(g.members[1])
        .one(&compiled.db)
        .await
        .unwrap()
        .unwrap()
        .slug;
    let first = compiled
        .ok(ORGANISATIONS, json!({"m": member, "n": 4}))
        .await;
    let cursor = first["member"]["organisations"]["pageInfo"]["endCursor"].clone();
    assert!(cursor.is_string(), "{first}");
    let kinds: Vec<&str> = first["member"]["organisations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    let (_, primed) = compiled_reads(&compiled).await;
    let pages = [
        json!({}),
        json!({"n": 0}),
        json!({"n": 4}),
        json!({"n": 50}),
        json!({"n": 4, "a": cursor}),
        json!({"n": 3, "k": kinds[0]}),
        json!({"k": "INTERNATIONAL"}),
        json!({"n": 2, "a": cursor, "k": kinds[1]}),
    ];
    let mut compared = 0;
    for viewer in [Some(compiled.operator.as_str()), None] {
        for who in [json!({"m": member}), json!({"s": slug})] {
            for page in &pages {
                let mut vars = page.clone();
                vars.as_object_mut()
                    .unwrap()
                    .extend(who.as_object().unwrap().clone());
                let (a, statements) = answer(&compiled, viewer, ORGANISATIONS, &vars).await;
                let (b, walked_statements) = answer(&walked, viewer, ORGANISATIONS, &vars).await;
                assert_eq!(a, b, "{vars}");
                assert!(a.get("errors").is_none(), "{a}");
                let session = u64::from(viewer.is_some());
                assert_eq!(statements, 1 + session, "{vars}: {statements} statements");
                assert!(walked_statements > statements, "{vars}");
                compared += 1;
            }
        }
        for (query, vars) in [
            (ORGANISATIONS_TWICE, json!({"m": member, "n": 3})),
            (ORGANISATIONS_TWO_PAGES, json!({"m": member})),
            // Refused by the resolver as ever.
            (ORGANISATIONS, json!({"m": member, "n": 51})),
            (ORGANISATIONS, json!({"m": member, "a": "bukan-kursor"})),
            // Not found either way.
            (ORGANISATIONS, json!({"m": "bukan-id", "n": 2})),
            (ORGANISATIONS, json!({"s": "tidak-ada", "n": 2})),
        ] {
            let (a, _) = answer(&compiled, viewer, query, &vars).await;
            let (b, _) = answer(&walked, viewer, query, &vars).await;
            assert_eq!(a, b, "{query} {vars}");
            compared += 1;
        }
        let first_members = answer(&compiled, viewer, MEMBERS, &json!({"n": 1})).await.0;
        let after = first_members["data"]["members"]["pageInfo"]["endCursor"].clone();
        for vars in [
            json!({}),
            json!({"n": 1, "o": 2}),
            json!({"n": 2, "a": after, "o": 50}),
            json!({"n": 0}),
            json!({"o": 3, "k": kinds[0]}),
        ] {
            let (a, statements) = answer(&compiled, viewer, MEMBERS, &vars).await;
            let (b, walked_statements) = answer(&walked, viewer, MEMBERS, &vars).await;
            assert_eq!(a, b, "{vars}");
            assert!(a.get("errors").is_none(), "{a}");
            // The page with the organisations, then the members' count.
            let session = u64::from(viewer.is_some());
            assert_eq!(statements, 2 + session, "{vars}: {statements} statements");
            // (An empty page has no organisations to load either way.)
            assert!(walked_statements > statements || vars["n"] == 0, "{vars}");
            compared += 1;
        }
    }
    assert_eq!(compared, 2 * (2 * 8 + 6 + 5));
    // Brought along for every read of one page that found a member: the 32 above, the one
    // with a fragment, the six pages of members (an empty one reads one member to tell
    // whether a page follows).
    let (_, now) = compiled_reads(&compiled).await;
    assert_eq!(now, primed + 2 * (16 + 1 + 6));
    assert_eq!(compiled_reads(&walked).await, (0, 0));
    // What the data holds shows in the answers.
    let all = compiled
        .ok(ORGANISATIONS, json!({"m": member, "n": 50}))
        .await;
    assert_eq!(all["member"]["organisations"]["totalCount"], 9);
    let next = compiled
        .ok(ORGANISATIONS, json!({"m": member, "n": 4, "a": cursor}))
        .await;
    assert_eq!(
        next["member"]["organisations"]["nodes"][0]["id"],
        all["member"]["organisations"]["nodes"][4]["id"]
    );
    assert_eq!(
        next["member"]["organisations"]["pageInfo"]["hasNextPage"],
        true
    );
    walked.stop().await;
    compiled.stop().await;
}

/// A plan read starts beside its session check (`auth::SessionCheck`): what it may see is
/// decided by the checked viewer, and a token that is unknown, ended or of a switched-off
/// account is refused as before, whatever the read found, even where the query would be
/// refused for its size to the public.
#[tokio::test]
async fn a_read_beside_its_session_check_is_refused_as_before() {
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Default::default()
    })
    .await;
    let g = generate(
        &app.db,
        "Kabupaten Banding",
        Shape {
            members: 1,
            organisations_per_member: 2,
            plans_per_member: 2,
            commitments_per_plan: 3,
            milestones_per_commitment: 2,
            funded_every: 0,
        },
    )
    .await
    .unwrap();
    // The first plan is being drafted: only the member's people see it.
    let draft = action_plan::Entity::find_by_id(g.plans[0])
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut draft: action_plan::ActiveModel = draft.into();
    draft.status = Set(action_plan::PlanStatus::Drafting);
    draft.update(&app.db).await.unwrap();
    let (draft, public) = (
        api::graphql::ids::encode("ActionPlan", g.plans[0]).to_string(),
        api::graphql::ids::encode("ActionPlan", g.plans[1]).to_string(),
    );
    let (_, staff) = app
        .account(
            "staf@banding.go.id",
            &[(g.members[0], entity::role_grant::Role::Secretariat)],
        )
        .await;
    let big = r#"query($p: ID!) { plan(id: $p) { title commitments(first: 50) { nodes { title
      milestones(first: 50) { nodes { title status endsOn weight } } } } } }"#;
    let both = r#"query($p: ID!) { plan(id: $p) { title commitments { nodes { title } } }
      viewer { email } }"#;
    let spread = r#"query($p: ID!) { ...Q } fragment Q on Query { viewer { email }
      plan(id: $p) { title commitments { nodes { title } } } }"#;

    // Signed in: the draft is seen, the large read allowed, the viewer known beside the plan.
    let seen = app.ok_as(Some(&staff), TREE, json!({"p": draft})).await;
    assert_eq!(
        seen["plan"]["commitments"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let large = app.ok_as(Some(&staff), big, json!({"p": draft})).await;
    assert!(large["plan"]["title"].is_string(), "{large}");
    for q in [both, spread] {
        let res = app.ok_as(Some(&staff), q, json!({"p": draft})).await;
        assert_eq!(res["viewer"]["email"], "staf@banding.go.id", "{q}: {res}");
        assert!(res["plan"]["title"].is_string(), "{q}: {res}");
    }
    // The public: the draft is not found, the large read is refused for its size.
    let small = r#"query($p: ID!) { plan(id: $p) { title commitments { nodes { title } } } }"#;
    let res = app.gql_as(None, small, json!({"p": draft})).await;
    assert_eq!(error_code(&res), "NOT_FOUND", "{res}");
    let res = app.ok_as(None, small, json!({"p": public})).await;
    assert!(res["plan"]["title"].is_string(), "{res}");
    let res = app.gql_as(None, big, json!({"p": public})).await;
    assert_eq!(error_code(&res), "COMPLEXITY_LIMIT_EXCEEDED", "{res}");

    // A forged token and an ended session are refused, with nothing of what was read.
    app.ok_as(
        Some(&staff),
        "mutation { logout(input: {}) { endedSessions } }",
        json!({}),
    )
    .await;
    for token in ["forged-token", staff.as_str(), ""] {
        for (q, p) in [
            (TREE, &draft),
            (TREE, &public),
            (big, &public),
            (both, &public),
            (spread, &public),
            ("{ __typename }", &public),
        ] {
            let res = app.gql_as(Some(token), q, json!({"p": p})).await;
            assert_eq!(error_code(&res), "UNAUTHENTICATED", "{token:?} {q}: {res}");
            assert!(res.get("data").is_none_or(Value::is_null), "{res}");
        }
    }
    app.stop().await;
}
