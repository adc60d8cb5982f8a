//! The PII canary: unique markers planted in every PERSONAL and SECRET field are found on no
//! anonymous surface, and no SECRET marker on any surface at all, for every role.

use std::collections::BTreeMap;
use std::time::Duration;

use entity::role_grant::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

/// Every row of every Terbuka table as text (the job queue's own tables left out).
pub async fn dump_text(app: &TestApp) -> String {
    let db = &app.db;
    let backend = db.get_database_backend();
    let tables: Vec<String> = match backend {
        DbBackend::Postgres => db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' \
                 AND table_type = 'BASE TABLE' ORDER BY table_name",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect(),
        _ => db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT IN ('Jobs', 'Workers', '_sqlx_migrations') ORDER BY name",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect(),
    };
    let mut out = String::new();
    // Process liveness (heartbeats and write probes), not data: it changes every second.
    for table in tables.into_iter().filter(|t| t != "worker_beat") {
        let sql = match backend {
            DbBackend::Postgres => {
                format!("SELECT row_to_json(t)::text FROM \"{table}\" t ORDER BY 1")
            }
            _ => {
                let cols: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get_by_index::<String>(0).unwrap())
                    .collect();
                let parts: Vec<String> = cols.iter().map(|c| format!("quote(\"{c}\")")).collect();
                format!(
                    "SELECT {} FROM \"{table}\" ORDER BY 1",
                    parts.join(" || '|' || ")
                )
            }
        };
        out.push_str(&format!("== {table}\n"));
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
        {
            out.push_str(&row.try_get_by_index::<String>(0).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// Selections of every field reachable from a type without required arguments, from the
/// schema itself, so fields added later are covered without touching this test.
struct Schema(BTreeMap<String, Value>);

impl Schema {
    async fn load(app: &TestApp) -> Self {
        let data = app
            .ok(
                "{ __schema { types { name kind possibleTypes { name } fields { name args { name defaultValue type { kind } }
                   type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
                json!({}),
            )
            .await;
        Self(
            data["__schema"]["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
                .collect(),
        )
    }

    fn named(ty: &Value) -> (String, String) {
        let mut t = ty;
        while t["name"].is_null() {
            t = &t["ofType"];
        }
        (
            t["kind"].as_str().unwrap().to_owned(),
            t["name"].as_str().unwrap().to_owned(),
        )
    }

    /// The fields of `ty` down to `depth` levels (fields with required arguments left out:
    /// the surfaces call those explicitly).
    fn fields(&self, ty: &str, depth: usize) -> Vec<Sel> {
        let t = &self.0[ty];
        if t["kind"] == "INTERFACE" {
            return t["possibleTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let name = p["name"].as_str().unwrap();
                    Sel::new(format!("... on {name}"), self.fields(name, depth))
                })
                .collect();
        }
        let mut out = vec![Sel::leaf("__typename")];
        for f in t["fields"].as_array().into_iter().flatten() {
            if Self::required_args(f).next().is_some() {
                continue;
            }
            let name = f["name"].as_str().unwrap();
            let (kind, inner) = Self::named(&f["type"]);
            match kind.as_str() {
                "SCALAR" | "ENUM" => out.push(Sel::leaf(name)),
                "OBJECT" | "INTERFACE" if depth > 0 => {
                    out.push(Sel::new(name.to_owned(), self.fields(&inner, depth - 1)))
                }
                _ => {}
            }
        }
        out
    }

    fn required_args(field: &Value) -> impl Iterator<Item = &str> {
        field["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
            .map(|a| a["name"].as_str().unwrap())
    }
}

/// A field and its sub-selection.
#[derive(Clone)]
struct Sel {
    head: String,
    children: Vec<Sel>,
}

impl Sel {
    fn leaf(name: &str) -> Self {
        Self::new(name.to_owned(), vec![])
    }

    fn new(head: String, children: Vec<Sel>) -> Self {
        Self { head, children }
    }

    fn render(sels: &[Sel]) -> String {
        sels.iter()
            .map(|s| {
                if s.children.is_empty() {
                    s.head.clone()
                } else {
                    format!("{} {{ __typename {} }}", s.head, Self::render(&s.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Two smaller selections that together read the same fields.
    fn split(mut sels: Vec<Sel>) -> Option<(Vec<Sel>, Vec<Sel>)> {
        if sels.len() > 1 {
            let b = sels.split_off(sels.len() / 2);
            return Some((sels, b));
        }
        let one = sels.pop()?;
        let (a, b) = Self::split(one.children)?;
        Some((
            vec![Sel::new(one.head.clone(), a)],
            vec![Sel::new(one.head, b)],
        ))
    }
}

/// Reads `fields` through `wrap` (which makes a whole query of a selection), splitting the
/// selection when a query is refused for its size, so every field is read within the limits.
async fn read_all(
    app: &TestApp,
    token: Option<&str>,
    wrap: &dyn Fn(&str) -> String,
    fields: Vec<Sel>,
    vars: &Value,
    seen: &mut String,
) {
    const LIMITS: [&str; 4] = [
        "COMPLEXITY_LIMIT_EXCEEDED",
        "DEPTH_LIMIT_EXCEEDED",
        "FIELD_LIMIT_EXCEEDED",
        "ALIAS_LIMIT_EXCEEDED",
    ];
    let mut stack = vec![fields];
    while let Some(fields) = stack.pop() {
        let query = wrap(&Sel::render(&fields));
        let res = app.gql_as(token, &query, vars.clone()).await;
        let limited = res["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| LIMITS.contains(&e["extensions"]["code"].as_str().unwrap_or("")));
        if limited {
            let (a, b) = Sel::split(fields).unwrap_or_else(|| {
                panic!("one field alone is over the limits, so the canary cannot read it: {query}")
            });
            stack.push(a);
            stack.push(b);
            continue;
        }
        seen.push_str(&res.to_string());
    }
}

/// Every surface a role can read, as one text: every root query the schema offers (with the
/// member and the plan in scope), `node` for every record, and the non-GraphQL endpoints.
async fn surfaces(
    app: &TestApp,
    schema: &Schema,
    token: Option<&str>,
    member: &str,
    plan: &str,
    ids: &[String],
) -> String {
    let mut seen = String::new();
    let query = &schema.0["Query"];
    for f in query["fields"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        if name == "node" {
            continue;
        }
        // The arguments a root query needs, from the records in scope.
        let mut decls = vec![];
        let mut args = vec![];
        for a in f["args"].as_array().unwrap() {
            let arg = a["name"].as_str().unwrap();
            let required = a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null();
            // Calendar windows: the year of the canary's records.
            if let ("events", "from" | "to") = (name, arg) {
                let day = if arg == "from" {
                    "2018-01-01"
                } else {
                    "2018-12-31"
                };
                args.push(format!("{arg}: \"{day}\""));
                continue;
            }
            // A post by its address (the canary has none: the answer is NOT_FOUND).
            if let ("publication", "memberSlug" | "slug") = (name, arg) {
                args.push(format!("{arg}: \"bojonegoro\""));
                continue;
            }
            let var = match (name, arg) {
                (_, "memberId") | ("member", "id") => Some("m"),
                (_, "planId") => Some("p"),
                ("documents", "subjectId") => Some("p"),
                ("plan", "id") => Some("p"),
                _ => None,
            };
            match var {
                Some(v) => {
                    let ty = if required { "ID!" } else { "ID" };
                    decls.push(format!("${v}: {ty}"));
                    args.push(format!("{arg}: ${v}"));
                }
                None => assert!(
                    !required || ["id"].contains(&arg),
                    "the canary does not know how to call `{name}({arg}:)`: add it"
                ),
            }
        }
        if Schema::required_args(f).any(|a| a == "id") && args.is_empty() {
            // Records by id (organisation, commitment): read through `node` below.
            continue;
        }
        decls.dedup();
        let head = if decls.is_empty() {
            String::new()
        } else {
            format!("({})", decls.join(", "))
        };
        let call = if args.is_empty() {
            name.to_owned()
        } else {
            format!("{name}({})", args.join(", "))
        };
        let (kind, inner) = Schema::named(&f["type"]);
        let vars = json!({"m": member, "p": plan});
        if kind == "SCALAR" || kind == "ENUM" {
            let q = format!("query{head} {{ {call} }}");
            seen.push_str(&app.gql_as(token, &q, vars).await.to_string());
            continue;
        }
        let (head, call) = (head.clone(), call.clone());
        let wrap = move |sel: &str| format!("query{head} {{ {call} {{ {sel} }} }}");
        read_all(
            app,
            token,
            &wrap,
            schema.fields(&inner, 3),
            &vars,
            &mut seen,
        )
        .await;
    }
    for id in ids {
        let (kind, _) = api::graphql::ids::decode(id).unwrap();
        let on = kind.clone();
        let wrap = move |sel: &str| {
            format!("query($id: ID!) {{ node(id: $id) {{ __typename ... on {on} {{ {sel} }} }} }}")
        };
        read_all(
            app,
            token,
            &wrap,
            schema.fields(&kind, 3),
            &json!({"id": id}),
            &mut seen,
        )
        .await;
    }
    for path in ["/healthz", "/readyz", "/metrics", "/graphql"] {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        seen.push_str(&req.send().await.unwrap().text().await.unwrap());
    }
    seen
}

/// The name of a walk-in on an attendance list (PERSONAL).
const ATTENDANCE_MARKER: &str = "Peserta Canary 9c1e";
/// The name and address of a citizen who sent input on the plan (PERSONAL).
const INPUT_NAME_MARKER: &str = "Warga Canary 4d2b";
const INPUT_EMAIL_MARKER: &str = "warga-canary-4d2b@example.org";
/// A subscriber's address (PERSONAL).
const SUBSCRIBER_MARKER: &str = "langganan-canary-4d2b@example.org";

struct Planted {
    plan: String,
    milestone: String,
    ids: Vec<String>,
}

/// Names the person in a membership, as an ambassador, in a published decree's appendix and as
/// responsible for a commitment and a milestone of a plan in public review; links the canary
/// account to the person.
async fn plant_person(
    app: &TestApp,
    admin: &str,
    member: &str,
    person: &str,
    account: &str,
) -> Planted {
    let run = |m: &'static str, ty: &'static str, field: &'static str, input: Value| {
        app.record_as(Some(admin), m, ty, field, input)
    };
    app.ok_as(
        Some(admin),
        r#"mutation($input: LinkAccountInput!) { linkAccountToPerson(input: $input) { __typename } }"#,
        json!({"input": {"accountId": account, "personId": person, "memberId": member}}),
    )
    .await;
    run(
        "createMembership",
        "CreateMembershipInput",
        "membership",
        json!({"memberId": member, "personId": person, "body": "TEAM", "position": "Anggota"}),
    )
    .await;
    run(
        "createAmbassador",
        "CreateAmbassadorInput",
        "ambassador",
        json!({"memberId": member, "personId": person, "cohort": "2018"}),
    )
    .await;
    let (decree, v) = run(
        "createDecree",
        "CreateDecreeInput",
        "decree",
        json!({"memberId": member, "number": "188/364/KEP/412.013/2018", "title": "Tim Kemitraan Pemerintahan Terbuka",
               "signedOn": "2018-07-02", "effectiveFrom": "2018-07-02"}),
    )
    .await;
    let (_, mut v) = run(
        "setDecreeAppendix",
        "SetDecreeAppendixInput",
        "decree",
        json!({"id": decree, "version": v, "lines": [
            {"name": "Orang Canary", "position": "ANGGOTA", "represents": "CIVIL_SOCIETY", "personId": person}
        ]}),
    )
    .await;
    for to in [
        "IN_LEGAL_REVIEW",
        "AWAITING_SIGNATURE",
        "SIGNED",
        "PUBLISHED",
    ] {
        v = run(
            "transitionDecree",
            "TransitionDecreeInput",
            "decree",
            json!({"id": decree, "version": v, "to": to}),
        )
        .await
        .1;
    }
    let (plan, mut v) = run(
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi Canary", "submissionDeadline": "2018-08-31"}),
    )
    .await;
    for to in ["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW"] {
        v = run(
            "transitionPlan",
            "TransitionPlanInput",
            "plan",
            json!({"id": plan, "version": v, "to": to}),
        )
        .await
        .1;
    }
    let (commitment, v) = run(
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": plan, "title": "Komitmen Canary"}),
    )
    .await;
    run(
        "setCommitmentPeople",
        "SetResponsiblePeopleInput",
        "commitment",
        json!({"id": commitment, "version": v, "personIds": [person]}),
    )
    .await;
    let (milestone, v) = run(
        "createMilestone",
        "CreateMilestoneInput",
        "milestone",
        json!({"commitmentId": commitment, "title": "Kegiatan Canary", "endsOn": "2018-12-31"}),
    )
    .await;
    run(
        "setMilestonePeople",
        "SetResponsiblePeopleInput",
        "milestone",
        json!({"id": milestone, "version": v, "personIds": [person]}),
    )
    .await;
    let (assessment, _) = run(
        "createAssessment",
        "CreateAssessmentInput",
        "assessment",
        json!({"planId": plan, "kind": "SELF_ASSESSMENT", "framework": "SELF_ASSESSMENT", "title": "Penilaian Canary"}),
    )
    .await;
    // A public event: the person speaks, signs the attendance list beside a walk-in whose
    // name is PERSONAL, and owns a follow-up.
    let (event, _) = run(
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "SEMINAR", "title": "Seminar Canary", "isPublic": true,
               "startsAt": "2018-06-28T12:00:00+07:00"}),
    )
    .await;
    run(
        "setEventAgenda",
        "SetEventAgendaInput",
        "event",
        json!({"id": event, "version": 1, "items": [{"title": "Paparan", "speakerPersonId": person}]}),
    )
    .await;
    for line in [
        json!({"eventId": event, "personId": person, "sector": "GOVERNMENT", "gender": "FEMALE"}),
        json!({"eventId": event, "name": ATTENDANCE_MARKER, "sector": "PUBLIC", "gender": "MALE"}),
    ] {
        let added = app
            .mutate_as(
                Some(admin),
                "recordAttendance",
                "AttendanceInput",
                "attendance { id } userErrors { code }",
                line,
            )
            .await;
        assert_eq!(added["userErrors"], json!([]), "{added}");
    }
    let (follow_up, v) = run(
        "createFollowUp",
        "CreateFollowUpInput",
        "followUp",
        json!({"memberId": member, "eventId": event, "description": "Tindak lanjut Canary", "dueOn": "2018-07-31"}),
    )
    .await;
    run(
        "setFollowUpOwners",
        "SetFollowUpOwnersInput",
        "followUp",
        json!({"id": follow_up, "version": v, "personIds": [person]}),
    )
    .await;
    // A citizen's input on the plan in public review, and the secretariat's answer.
    let sent = app
        .mutate_as(
            None,
            "submitPublicInput",
            "SubmitPublicInputInput",
            "publicInput { id version } userErrors { code }",
            json!({"planId": plan, "name": INPUT_NAME_MARKER, "email": INPUT_EMAIL_MARKER,
                   "body": "Masukan Canary", "consent": true}),
        )
        .await;
    assert_eq!(sent["userErrors"], json!([]), "{sent}");
    let input = sent["publicInput"]["id"].as_str().unwrap().to_owned();
    let subscribed = app
        .mutate_as(
            None,
            "subscribe",
            "SubscribeInput",
            "accepted userErrors { code }",
            json!({"memberId": member, "email": SUBSCRIBER_MARKER, "name": "Pelanggan Canary", "consent": true}),
        )
        .await;
    assert_eq!(subscribed["accepted"], true, "{subscribed}");
    run(
        "respondToPublicInput",
        "RespondToPublicInputInput",
        "publicInput",
        json!({"id": input, "version": 1, "response": "ACCEPTED", "reason": "Diterima"}),
    )
    .await;
    Planted {
        ids: vec![
            plan.clone(),
            commitment,
            milestone.clone(),
            decree,
            assessment,
            event,
            follow_up,
            input,
        ],
        plan,
        milestone,
    }
}

#[tokio::test]
async fn personal_and_secret_markers_never_reach_those_who_may_not_see_them() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let other = create_member(&app, "Kota Semarang", "semarang").await;
    let o = api::graphql::ids::decode_as(&other, "Member").unwrap();

    // Markers: a PERSONAL address and name, a SECRET password.
    let personal_email = "canary-personal-7f3a@example.org";
    let personal_name = "Canary Personal 7f3a";
    let secret_password = "canary-secret-7f3a-password";
    let (_, admin) = app
        .account("admin@bojonegorokab.go.id", &[(m, Role::Admin)])
        .await;
    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: InviteAccountInput!) { inviteAccount(input: $input) { account { id } } }"#,
            json!({"input": {"memberId": member, "email": personal_email, "name": personal_name, "role": "TEAM_MEMBER"}}),
        )
        .await;
    let canary_id = res["inviteAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mail = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    let text = mail[0].text();
    let start = text.find("token=").unwrap() + 6;
    let invitation: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let accepted = app
        .ok_as(
            None,
            r#"mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token } }"#,
            json!({"input": {"token": invitation, "password": secret_password, "consent": true}}),
        )
        .await;
    let canary_session = accepted["acceptInvitation"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A person with PERSONAL contact details.
    let personal_phone = "+62 812 7357 0001";
    let personal_person_email = "canary-person-7f3a@example.org";
    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id } userErrors { code } } }"#,
            json!({"input": {"memberId": member, "name": "Orang Canary", "email": personal_person_email, "phone": personal_phone}}),
        )
        .await;
    let person_id = res["createPerson"]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Error bodies: a failed login and a reset request naming the markers.
    let wrong = app
        .gql_as(
            None,
            r#"mutation($i: LoginInput!) { login(input: $i) { token userErrors { message } } }"#,
            json!({"i": {"email": personal_email, "password": "wrong-password-x"}}),
        )
        .await;
    assert!(!wrong.to_string().contains(personal_email));

    // The SECRET values are not even in the database in the clear.
    let dump = dump_text(&app).await;
    assert!(!dump.contains(secret_password));
    assert!(!dump.contains(&canary_session));
    assert!(!dump.contains(&invitation));

    // The person named everywhere the partnership names people: a membership, an ambassador,
    // the published decree's appendix, a public plan's commitment and milestone, and (through
    // the linked account) a progress report.
    let records = plant_person(&app, &admin, &member, &person_id, &canary_id).await;
    let own = app
        .gql_as(
            Some(&canary_session),
            r#"mutation($input: ReportMilestoneProgressInput!) { reportMilestoneProgress(input: $input) { update { id } userErrors { code message } } }"#,
            json!({"input": {"milestoneId": records.milestone, "percent": 30, "note": "Rapat monev"}}),
        )
        .await;
    assert_eq!(
        own["data"]["reportMilestoneProgress"]["userErrors"],
        json!([]),
        "{own}"
    );

    let mut ids: Vec<String> = vec![
        member.clone(),
        other.clone(),
        canary_id.clone(),
        person_id.clone(),
    ];
    ids.extend(records.ids.iter().cloned());
    let (_, team) = app
        .account("tim@bojonegorokab.go.id", &[(m, Role::TeamMember)])
        .await;
    let (_, watchdog) = app
        .account("pemantau@bi.or.id", &[(m, Role::Watchdog)])
        .await;
    let (_, secretariat) = app
        .account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    let (_, other_admin) = app
        .account("admin@semarangkota.go.id", &[(o, Role::Admin)])
        .await;
    let (_, no_role) = app.account("warga@example.org", &[]).await;
    let schema = Schema::load(&app).await;

    let roles: Vec<(&str, Option<String>, bool)> = vec![
        // (role, token, may see PERSONAL)
        ("anonymous", None, false),
        ("no role", Some(no_role), false),
        ("team member", Some(team), false),
        ("watchdog", Some(watchdog), false),
        ("admin of another member", Some(other_admin), false),
        ("secretariat", Some(secretariat), true),
        ("admin", Some(admin), true),
        ("operator", Some(app.operator.clone()), true),
        ("the person", Some(canary_session.clone()), true),
    ];
    for (role, token, personal_ok) in roles {
        let seen = surfaces(
            &app,
            &schema,
            token.as_deref(),
            &member,
            &records.plan,
            &ids,
        )
        .await;
        // The surfaces really are read: everyone sees the public plan and the person's name.
        assert!(
            seen.contains("Komitmen Canary"),
            "{role} did not read the plan"
        );
        assert!(
            seen.contains("Orang Canary"),
            "{role} did not read the decree appendix"
        );
        assert!(
            !seen.contains(secret_password),
            "{role} saw the SECRET password"
        );
        assert!(
            !seen.contains(&invitation),
            "{role} saw the SECRET invitation token"
        );
        if role != "the person" {
            assert!(
                !seen.contains(&canary_session),
                "{role} saw the SECRET session token"
            );
        }
        // Everyone reads the public event (its title), only some the attendance list.
        assert!(
            seen.contains("Seminar Canary"),
            "{role} did not read the event"
        );
        assert!(
            seen.contains("Masukan Canary"),
            "{role} did not read the public input"
        );
        if !personal_ok {
            assert!(
                !seen.contains(ATTENDANCE_MARKER),
                "{role} saw the PERSONAL name on an attendance list"
            );
            assert!(
                !seen.contains(INPUT_NAME_MARKER) && !seen.contains(INPUT_EMAIL_MARKER),
                "{role} saw the PERSONAL name or address of a citizen who sent input"
            );
            assert!(
                !seen.contains(SUBSCRIBER_MARKER),
                "{role} saw a subscriber's PERSONAL address"
            );
            assert!(
                !seen.contains(personal_email),
                "{role} saw the PERSONAL address"
            );
            assert!(
                !seen.contains(personal_phone),
                "{role} saw the PERSONAL phone"
            );
            assert!(
                !seen.contains(personal_person_email),
                "{role} saw the PERSONAL person address"
            );
            assert!(
                !seen.contains(personal_name) || role == "team member" || role == "watchdog",
                "{role} saw the PERSONAL name"
            );
        } else if role != "the person" {
            assert!(seen.contains(personal_phone), "{role} should see the phone");
            assert!(
                seen.contains(ATTENDANCE_MARKER),
                "{role} should see the attendance list"
            );
            assert!(
                seen.contains(INPUT_NAME_MARKER) && seen.contains(INPUT_EMAIL_MARKER),
                "{role} should see who sent the input"
            );
            assert!(
                seen.contains(SUBSCRIBER_MARKER),
                "{role} should see the subscribers"
            );
        }
        if personal_ok && role != "secretariat" {
            // The surfaces really are read: those who may see it there do.
            assert!(
                seen.contains(personal_email),
                "{role} should see the address"
            );
        }
    }
    app.stop().await;
}
