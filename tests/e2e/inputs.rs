//! Public input (masukan) and its reasoned response: the public sends input on a plan in public
//! review (name and address kept from the public, consent recorded, rate-limited per client),
//! the secretariat notes input from a meeting, answers each with a reason, and hides abuse
//! with a reason that the audit log keeps. The co-creation check counts the unanswered ones.
//! Also the partnership's channels.

use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

const INPUT: &str = "publicInput { id version body source authorName authorEmail organisationName
    response responseReason respondedAt respondedBy answered hidden hiddenReason }
    userErrors { field code message }";

async fn plan_in(app: &TestApp, member: &str, statuses: &[&str]) -> String {
    let (id, mut v) = make(
        app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi Pemerintahan Terbuka 2018",
               "submissionDeadline": "2018-08-31"}),
    )
    .await;
    for to in statuses {
        v = make(
            app,
            "transitionPlan",
            "TransitionPlanInput",
            "plan",
            json!({"id": id, "version": v, "to": to}),
        )
        .await
        .1;
    }
    id
}

async fn submit(app: &TestApp, input: Value) -> Value {
    app.mutate_as(
        None,
        "submitPublicInput",
        "SubmitPublicInputInput",
        INPUT,
        input,
    )
    .await
}

fn citizen(plan: &str, body: &str) -> Value {
    json!({"planId": plan, "name": "Siti Warga", "email": "siti.warga@example.org",
           "body": body, "consent": true})
}

async fn count_inputs(app: &TestApp) -> i64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entity::public_input::Entity::find()
        .count(&app.db)
        .await
        .unwrap() as i64
}

const LIST: &str = "query($p: ID!, $u: Boolean, $h: Boolean) { publicInputs(planId: $p, unanswered: $u, hidden: $h) {
    totalCount nodes { id body authorName authorEmail response responseReason hidden } } }";

#[tokio::test]
async fn the_public_sends_input_and_every_input_gets_a_reasoned_response() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let (_, secretariat) = app
        .account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    let (_, watchdog) = app
        .account("pemantau@bi.or.id", &[(m, Role::Watchdog)])
        .await;
    let (_, admin) = app
        .account("admin@bojonegorokab.go.id", &[(m, Role::Admin)])
        .await;

    // A plan still in co-creation is not public: the public cannot name it.
    let hidden_plan = plan_in(&app, &member, &["CO_CREATION"]).await;
    let r = submit(&app, citizen(&hidden_plan, "Masukan")).await;
    assert_eq!(r["userErrors"][0]["code"], "NOT_FOUND", "{r}");
    assert_eq!(r["userErrors"][0]["field"], json!(["input", "planId"]));
    // A plan being implemented is public but no longer takes input.
    let running = plan_in(
        &app,
        &member,
        &[
            "CO_CREATION",
            "DRAFTING",
            "PUBLIC_REVIEW",
            "SUBMITTED",
            "IMPLEMENTING",
        ],
    )
    .await;
    let r = submit(&app, citizen(&running, "Masukan")).await;
    assert_eq!(r["userErrors"][0]["code"], "PLAN_NOT_TAKING_INPUT", "{r}");
    assert!(
        r["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("tidak menerima masukan"),
        "{r}"
    );

    let plan = plan_in(&app, &member, &["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW"]).await;
    let (other_commitment, _) = make(
        &app,
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": running, "title": "Komitmen lain"}),
    )
    .await;
    // Bad input: each problem on its field, nothing written.
    let bad = submit(
        &app,
        json!({"planId": plan, "commitmentId": other_commitment, "name": "  ", "email": "bukan-alamat",
               "body": "   ", "consent": false}),
    )
    .await;
    let mut fields: Vec<(String, String)> = bad["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"][1].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("body".to_owned(), "REQUIRED".to_owned()),
            ("commitmentId".to_owned(), "NOT_FOUND".to_owned()),
            ("consent".to_owned(), "REQUIRED".to_owned()),
            ("email".to_owned(), "INVALID".to_owned()),
            ("name".to_owned(), "REQUIRED".to_owned()),
        ],
        "{bad}"
    );
    assert_eq!(count_inputs(&app).await, 0);

    // A good one: the public sees the text but never the name or the address.
    app.clock.advance(chrono::Duration::seconds(61));
    let sent = submit(
        &app,
        citizen(
            &plan,
            "Mohon jadwal konsultasi publik diumumkan dua minggu sebelumnya.",
        ),
    )
    .await;
    assert_eq!(sent["userErrors"], json!([]), "{sent}");
    let input = sent["publicInput"].clone();
    assert_eq!(input["source"], "ONLINE");
    assert_eq!(input["authorName"], Value::Null);
    assert_eq!(input["authorEmail"], Value::Null);
    assert_eq!(input["answered"], false);
    let id = input["id"].as_str().unwrap().to_owned();
    for (token, sees_personal) in [
        (None, false),
        (Some(watchdog.as_str()), false),
        (Some(secretariat.as_str()), true),
    ] {
        let list = app.ok_as(token, LIST, json!({"p": plan})).await;
        let node = &list["publicInputs"]["nodes"][0];
        assert_eq!(
            node["body"],
            "Mohon jadwal konsultasi publik diumumkan dua minggu sebelumnya."
        );
        if sees_personal {
            assert_eq!(node["authorName"], "Siti Warga");
            assert_eq!(node["authorEmail"], "siti.warga@example.org");
        } else {
            assert_eq!(node["authorName"], Value::Null, "{list}");
            assert!(!list.to_string().contains("siti.warga"), "{list}");
        }
    }
    // The consent is on record.
    {
        use entity::consent::{self, ConsentPurpose};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let consents = consent::Entity::find()
            .filter(consent::Column::Purpose.eq(ConsentPurpose::PublicInput))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(consents, 1);
    }

    // The secretariat notes what was said at a meeting.
    let (event, _) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "PUBLIC_CONSULTATION", "title": "Konsultasi publik Renaksi",
               "isPublic": true, "startsAt": "2018-07-20T09:00:00+07:00"}),
    )
    .await;
    let no_event = app
        .mutate_as(
            Some(&secretariat),
            "recordPublicInput",
            "RecordPublicInputInput",
            INPUT,
            json!({"planId": plan, "source": "EVENT", "body": "Masukan lisan"}),
        )
        .await;
    assert_eq!(no_event["userErrors"][0]["code"], "REQUIRED", "{no_event}");
    assert_eq!(
        no_event["userErrors"][0]["field"],
        json!(["input", "eventId"])
    );
    let spoken = app
        .mutate_as(
            Some(&secretariat),
            "recordPublicInput",
            "RecordPublicInputInput",
            &format!("{INPUT} publicInput {{ receivedAt event {{ title }} }}"),
            json!({"planId": plan, "source": "EVENT", "eventId": event, "organisationName": "KPI Cabang Bojonegoro",
                   "body": "Libatkan kelompok perempuan desa dalam monev."}),
        )
        .await;
    assert_eq!(spoken["userErrors"], json!([]), "{spoken}");
    // Received when the meeting started (12:00 WIB is not 12:00Z).
    assert_eq!(
        spoken["publicInput"]["receivedAt"],
        "2018-07-20T02:00:00+00:00"
    );
    assert_eq!(
        spoken["publicInput"]["event"]["title"],
        "Konsultasi publik Renaksi"
    );
    let spoken_id = spoken["publicInput"]["id"].as_str().unwrap().to_owned();

    // The co-creation check lists both as waiting for an answer.
    const CHECK: &str = "query($p: ID!) { coCreationCompliance(planId: $p) { checks { code verdict evidence missing } } }";
    let response_check = |r: &Value| -> Value {
        r["coCreationCompliance"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "REASONED_RESPONSE_FOR_EVERY_INPUT")
            .cloned()
            .unwrap()
    };
    let c = response_check(&app.ok_as(Some(&watchdog), CHECK, json!({"p": plan})).await);
    assert_eq!(c["verdict"], "NOT_MET");
    assert_eq!(c["missing"].as_array().unwrap().len(), 2, "{c}");
    // Oldest first, by when it was given (the meeting came before the online one).
    assert!(
        c["missing"][0]
            .as_str()
            .unwrap()
            .starts_with("Jumat, 20 Juli 2018: «Libatkan kelompok perempuan"),
        "{c}"
    );

    // An answer needs a reason; a stale version is refused; nothing changes either way.
    let no_reason = app
        .mutate_as(
            Some(&secretariat),
            "respondToPublicInput",
            "RespondToPublicInputInput",
            INPUT,
            json!({"id": id, "version": 1, "response": "ACCEPTED", "reason": "  "}),
        )
        .await;
    assert_eq!(
        no_reason["userErrors"][0]["code"], "REQUIRED",
        "{no_reason}"
    );
    assert_eq!(
        no_reason["userErrors"][0]["field"],
        json!(["input", "reason"])
    );
    let stale = app
        .mutate_as(
            Some(&secretariat),
            "respondToPublicInput",
            "RespondToPublicInputInput",
            INPUT,
            json!({"id": id, "version": 7, "response": "ACCEPTED", "reason": "Ya"}),
        )
        .await;
    assert_eq!(stale["userErrors"][0]["code"], "CONFLICT", "{stale}");
    let unanswered = app
        .ok_as(Some(&secretariat), LIST, json!({"p": plan, "u": true}))
        .await;
    assert_eq!(unanswered["publicInputs"]["totalCount"], 2);

    let answered = app
        .mutate_as(
            Some(&secretariat),
            "respondToPublicInput",
            "RespondToPublicInputInput",
            INPUT,
            json!({"id": id, "version": 1, "response": "ACCEPTED",
                   "reason": "Undangan kegiatan publik terbit 14 hari sebelumnya mulai Agustus 2018."}),
        )
        .await;
    assert_eq!(answered["userErrors"], json!([]), "{answered}");
    let a = &answered["publicInput"];
    assert_eq!(a["response"], "ACCEPTED");
    assert_eq!(a["answered"], true);
    assert_eq!(a["respondedBy"], "sekretariat@bojonegorokab.go.id");
    assert_eq!(
        a["respondedAt"].as_str().unwrap(),
        app.clock.now().to_rfc3339()
    );
    // The citizen gets the answer by mail, in both parts, in the language they wrote in.
    let mail = app
        .smtp
        .wait_for(1, std::time::Duration::from_secs(20))
        .await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, ["siti.warga@example.org"]);
    assert_eq!(
        mail[0].subject(),
        "Tanggapan atas masukan Anda — Renaksi Pemerintahan Terbuka 2018"
    );
    let text = mail[0].text();
    assert!(text.contains("Halo Siti Warga"), "{text}");
    assert!(text.contains("Tanggapan: Diterima"), "{text}");
    assert!(text.contains("14 hari sebelumnya"), "{text}");
    assert!(text.contains("Rabu, 1 Agustus 2018"), "{text}");
    assert!(mail[0].html().contains("<strong>Diterima</strong>"));
    // The public reads the answer and its reason.
    let public = app
        .ok_as(
            None,
            "query($id: ID!) { node(id: $id) { ... on PublicInput { response responseReason respondedBy } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(public["node"]["response"], "ACCEPTED");
    assert!(
        public["node"]["responseReason"]
            .as_str()
            .unwrap()
            .contains("14 hari")
    );
    assert_eq!(public["node"]["respondedBy"], Value::Null);

    // Moderation: hidden with a reason, gone from the public, kept for the partnership.
    let no_reason = app
        .mutate_as(
            Some(&secretariat),
            "hidePublicInput",
            "HidePublicInputInput",
            INPUT,
            json!({"id": spoken_id, "version": 1, "reason": ""}),
        )
        .await;
    assert_eq!(no_reason["userErrors"][0]["code"], "REQUIRED");
    let hidden = app
        .mutate_as(
            Some(&secretariat),
            "hidePublicInput",
            "HidePublicInputInput",
            INPUT,
            json!({"id": spoken_id, "version": 1, "reason": "Dicatat ganda; lihat notulen."}),
        )
        .await;
    assert_eq!(hidden["userErrors"], json!([]), "{hidden}");
    assert_eq!(hidden["publicInput"]["hidden"], true);
    let public = app.ok_as(None, LIST, json!({"p": plan})).await;
    assert_eq!(public["publicInputs"]["totalCount"], 1);
    let gone = app
        .gql_as(
            None,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": spoken_id}),
        )
        .await;
    assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let kept = app
        .ok_as(Some(&watchdog), LIST, json!({"p": plan, "h": true}))
        .await;
    assert_eq!(kept["publicInputs"]["totalCount"], 1);
    // The public cannot ask for the hidden ones.
    let asked = app.ok_as(None, LIST, json!({"p": plan, "h": true})).await;
    assert!(!asked.to_string().contains("perempuan desa"), "{asked}");
    // A hidden input needs no answer, and cannot get one until restored.
    let refused = app
        .mutate_as(
            Some(&secretariat),
            "respondToPublicInput",
            "RespondToPublicInputInput",
            INPUT,
            json!({"id": spoken_id, "version": 2, "response": "REJECTED", "reason": "Ganda"}),
        )
        .await;
    assert_eq!(
        refused["userErrors"][0]["code"], "INPUT_HIDDEN",
        "{refused}"
    );
    // The audit log keeps who hid it and why (watchdogs read it).
    let log = app
        .ok_as(
            Some(&watchdog),
            r#"query($m: ID!) { auditLog(memberId: $m, entityType: "PublicInput", action: "UPDATE") { nodes { actorLabel after } } }"#,
            json!({"m": member}),
        )
        .await;
    assert!(
        log.to_string().contains("Dicatat ganda; lihat notulen."),
        "{log}"
    );
    // Every visible input answered: the check is met.
    let c = response_check(&app.ok_as(Some(&watchdog), CHECK, json!({"p": plan})).await);
    assert_eq!(c["verdict"], "MET", "{c}");
    assert!(
        c["evidence"][0]
            .as_str()
            .unwrap()
            .contains("konsultasi publik")
    );

    // Restoring is for admins; then it waits for an answer again.
    let restored = app
        .mutate_as(
            Some(&admin),
            "restorePublicInput",
            "RestorePublicInputInput",
            INPUT,
            json!({"id": spoken_id, "version": 2}),
        )
        .await;
    assert_eq!(restored["userErrors"], json!([]), "{restored}");
    assert_eq!(restored["publicInput"]["hidden"], false);
    let c = response_check(&app.ok_as(Some(&watchdog), CHECK, json!({"p": plan})).await);
    assert_eq!(c["verdict"], "NOT_MET");
    // Input noted at a meeting has no address: answering it mails nobody.
    let r = app
        .mutate_as(
            Some(&secretariat),
            "respondToPublicInput",
            "RespondToPublicInputInput",
            INPUT,
            json!({"id": spoken_id, "version": 3, "response": "PARTIALLY",
                   "reason": "Kelompok perempuan diundang ke monev triwulan."}),
        )
        .await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(app.smtp.received().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn public_input_is_rate_limited_per_client_and_a_refusal_writes_nothing() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let plan = plan_in(&app, &member, &["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW"]).await;
    for n in 0..5 {
        let r = submit(&app, citizen(&plan, &format!("Masukan nomor {n}"))).await;
        assert_eq!(r["userErrors"], json!([]), "{r}");
    }
    let sixth = app
        .gql_as(
            None,
            &format!(
                "mutation($input: SubmitPublicInputInput!) {{ submitPublicInput(input: $input) {{ {INPUT} }} }}"
            ),
            json!({"input": citizen(&plan, "Masukan keenam")}),
        )
        .await;
    assert_eq!(sixth["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(count_inputs(&app).await, 5);
    // A minute later the client may write again.
    app.clock.advance(chrono::Duration::seconds(61));
    let r = submit(&app, citizen(&plan, "Masukan keenam")).await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(count_inputs(&app).await, 6);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_meeting_inputs_wait_for_answers_and_its_channels_are_listed() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let m = app
        .gql_as(
            None,
            r#"{ member(slug: "bojonegoro") { id onlineChannels { kind name url status organisation { acronym } } } }"#,
            json!({}),
        )
        .await;
    let member = m["data"]["member"]["id"].as_str().unwrap().to_owned();
    // The public sees the active channel only; the planned ones are the partnership's.
    let public = m["data"]["member"]["onlineChannels"].as_array().unwrap();
    assert_eq!(public.len(), 1, "{m}");
    assert_eq!(public[0]["url"], "https://bojonegorokab.go.id");
    assert_eq!(public[0]["organisation"]["acronym"], "Dinas Kominfo");
    let own = app
        .ok(
            "query($m: ID!) { node(id: $m) { ... on Member { onlineChannels { name status } } } }",
            json!({"m": member}),
        )
        .await;
    assert_eq!(own["node"]["onlineChannels"].as_array().unwrap().len(), 3);
    assert_eq!(own["node"]["onlineChannels"][1]["status"], "PLANNED");

    let plans = app
        .ok(
            "query($m: ID!) { plans(memberId: $m) { nodes { id title } } }",
            json!({"m": member}),
        )
        .await;
    let plan = plans["plans"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "Renaksi Pemerintahan Terbuka Bojonegoro 2018")
        .unwrap()["id"]
        .clone();
    let list = app.ok(LIST, json!({"p": plan})).await;
    assert_eq!(list["publicInputs"]["totalCount"], 10);
    let answered: Vec<&Value> = list["publicInputs"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["response"] == "ACCEPTED")
        .collect();
    assert_eq!(answered.len(), 2);
    assert_eq!(
        answered[0]["body"],
        "penggunaan istilah OGP menjadi Pemerintahan Terbuka"
    );
    let check = app
        .ok(
            "query($p: ID!) { coCreationCompliance(planId: $p) { checks { code verdict missing } } }",
            json!({"p": plan}),
        )
        .await;
    let c = check["coCreationCompliance"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "REASONED_RESPONSE_FOR_EVERY_INPUT")
        .unwrap();
    assert_eq!(c["verdict"], "NOT_MET");
    let missing = c["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 8);
    assert!(
        missing[0]
            .as_str()
            .unwrap()
            .starts_with("Kamis, 28 Juni 2018: «perlunya RPJMD versi teknokratik»"),
        "{missing:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn channels_need_an_address_when_active_and_the_public_sees_only_running_ones() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let sel = "onlineChannel { id version status url } userErrors { field code message }";
    let active_without_url = app
        .mutate_as(
            Some(&app.operator),
            "createOnlineChannel",
            "CreateOnlineChannelInput",
            sel,
            json!({"memberId": member, "kind": "INSTAGRAM", "name": "Pemerintahan Terbuka Bojonegoro", "status": "ACTIVE"}),
        )
        .await;
    assert_eq!(
        active_without_url["userErrors"][0]["code"], "CHANNEL_NEEDS_URL",
        "{active_without_url}"
    );
    assert_eq!(
        active_without_url["userErrors"][0]["field"],
        json!(["input", "url"])
    );
    let bad_url = app
        .mutate_as(
            Some(&app.operator),
            "createOnlineChannel",
            "CreateOnlineChannelInput",
            sel,
            json!({"memberId": member, "kind": "INSTAGRAM", "name": "X", "url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(bad_url["userErrors"][0]["field"], json!(["input", "url"]));
    let (id, v) = make(
        &app,
        "createOnlineChannel",
        "CreateOnlineChannelInput",
        "onlineChannel",
        json!({"memberId": member, "kind": "INSTAGRAM", "name": "Pemerintahan Terbuka Bojonegoro", "handle": "@ogpbojonegoro"}),
    )
    .await;
    const PUBLIC: &str =
        "query($m: ID!) { node(id: $m) { ... on Member { onlineChannels { name handle url } } } }";
    let seen = app.ok_as(None, PUBLIC, json!({"m": member})).await;
    assert_eq!(seen["node"]["onlineChannels"], json!([]));
    // Turned on with its address, the public sees it.
    let on = app
        .mutate_as(
            Some(&app.operator),
            "updateOnlineChannel",
            "UpdateOnlineChannelInput",
            sel,
            json!({"id": id, "version": v, "status": "ACTIVE", "url": "https://www.instagram.com/ogpbojonegoro"}),
        )
        .await;
    assert_eq!(on["userErrors"], json!([]), "{on}");
    let seen = app.ok_as(None, PUBLIC, json!({"m": member})).await;
    assert_eq!(
        seen["node"]["onlineChannels"][0]["url"],
        "https://www.instagram.com/ogpbojonegoro"
    );
    // Clearing the address of an active channel is refused.
    let cleared = app
        .mutate_as(
            Some(&app.operator),
            "updateOnlineChannel",
            "UpdateOnlineChannelInput",
            sel,
            json!({"id": id, "version": 2, "url": null}),
        )
        .await;
    assert_eq!(
        cleared["userErrors"][0]["code"], "CHANNEL_NEEDS_URL",
        "{cleared}"
    );
    let gone = app
        .mutate_as(
            Some(&app.operator),
            "deleteOnlineChannel",
            "DeleteInput",
            "deletedId userErrors { code }",
            json!({"id": id, "version": 2}),
        )
        .await;
    assert_eq!(gone["userErrors"], json!([]), "{gone}");
    let seen = app.ok_as(None, PUBLIC, json!({"m": member})).await;
    assert_eq!(seen["node"]["onlineChannels"], json!([]));
    app.stop().await;
}

/// Behind a reverse proxy every citizen arrives from the proxy's address: with the proxy
/// trusted (`TERBUKA_TRUSTED_PROXIES`), each real client has its own limit; untrusted, the
/// header changes nothing (a client cannot dodge its limit by inventing addresses).
#[tokio::test]
async fn behind_a_trusted_proxy_each_citizen_has_their_own_limit() {
    async fn sixth_is_limited(app: &TestApp, plan: &str, second_client_header: &str) -> bool {
        let query = format!(
            "mutation($input: SubmitPublicInputInput!) {{ submitPublicInput(input: $input) {{ {INPUT} }} }}"
        );
        for n in 0..5 {
            let r = app
                .raw_gql(
                    &query,
                    json!({"input": citizen(plan, &format!("Masukan {n}"))}),
                    &[("x-forwarded-for", "36.72.1.2")],
                )
                .await;
            assert_eq!(
                r["data"]["submitPublicInput"]["userErrors"],
                json!([]),
                "{r}"
            );
        }
        let r = app
            .raw_gql(
                &query,
                json!({"input": citizen(plan, "Masukan dari warga lain")}),
                &[("x-forwarded-for", second_client_header)],
            )
            .await;
        r["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    }
    for (trusted, limited) in [(true, false), (false, true)] {
        let mut env = vec![];
        if trusted {
            env.push(("TERBUKA_TRUSTED_PROXIES".to_owned(), "127.0.0.1".to_owned()));
        }
        let app = spawn_app_with(Options {
            env,
            ..Options::default()
        })
        .await;
        let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
        let plan = plan_in(&app, &member, &["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW"]).await;
        assert_eq!(
            sixth_is_limited(&app, &plan, "36.80.9.9").await,
            limited,
            "trusted: {trusted}"
        );
        app.stop().await;
    }
}

/// A citizen asks for their data to be erased (UU 27/2022): their name and address go from
/// their input (its text stays), their registration and their subscription — everywhere in
/// the database, the audit log and the mail records included.
#[tokio::test]
async fn a_citizens_data_is_erased_on_request_and_their_input_stays() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let plan = plan_in(&app, &member, &["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW"]).await;
    let sent = submit(
        &app,
        json!({"planId": plan, "name": "Warga Hapus 5e1f", "email": "warga-hapus-5e1f@example.org",
               "body": "Masukan yang tetap tercatat.", "consent": true}),
    )
    .await;
    assert_eq!(sent["userErrors"], json!([]), "{sent}");
    let (event, _) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "SEMINAR", "isPublic": true, "title": "Seminar",
               "startsAt": "2018-08-10T09:00:00+07:00"}),
    )
    .await;
    app.mutate_as(
        Some(&app.operator),
        "publishInvitation",
        "PublishInvitationInput",
        "userErrors { code }",
        json!({"eventId": event, "channels": ["WEBSITE"]}),
    )
    .await;
    let reg = app
        .mutate_as(
            None,
            "registerForEvent",
            "RegisterInput",
            "registration { id } userErrors { code }",
            json!({"eventId": event, "name": "Warga Hapus 5e1f", "email": "warga-hapus-5e1f@example.org", "consent": true}),
        )
        .await;
    assert_eq!(reg["userErrors"], json!([]), "{reg}");
    let sub = app
        .mutate_as(
            None,
            "subscribe",
            "SubscribeInput",
            "accepted",
            json!({"memberId": member, "email": "Warga-Hapus-5e1f@example.org", "consent": true}),
        )
        .await;
    assert_eq!(sub["accepted"], true);
    app.smtp
        .wait_for(2, std::time::Duration::from_secs(20))
        .await;
    assert!(
        crate::privacy::dump_text(&app)
            .await
            .contains("warga-hapus-5e1f@example.org")
    );

    let erased = app
        .mutate_as(
            Some(&app.operator),
            "eraseCitizen",
            "EraseCitizenInput",
            "inputs registrations subscriptions userErrors { code }",
            json!({"memberId": member, "email": "WARGA-HAPUS-5E1F@example.org", "reason": "permintaan tertulis"}),
        )
        .await;
    assert_eq!(
        erased,
        json!({"inputs": 1, "registrations": 1, "subscriptions": 1, "userErrors": []})
    );
    let dump = crate::privacy::dump_text(&app).await;
    assert!(
        !dump.contains("warga-hapus-5e1f"),
        "the address is still stored"
    );
    assert!(
        !dump.contains("Warga Hapus 5e1f"),
        "the name is still stored"
    );
    // The input itself stays on the public record, without its author.
    let list = app.ok_as(None, LIST, json!({"p": plan})).await;
    assert_eq!(
        list["publicInputs"]["nodes"][0]["body"],
        "Masukan yang tetap tercatat."
    );
    let own = app.ok(LIST, json!({"p": plan})).await;
    assert_eq!(own["publicInputs"]["nodes"][0]["authorName"], "[dihapus]");
    assert_eq!(own["publicInputs"]["nodes"][0]["authorEmail"], Value::Null);
    app.stop().await;
}
