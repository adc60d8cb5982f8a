//! Reports: asked for through GraphQL while no worker runs, made by a worker in another
//! process, followed live over `graphql-ws`, downloaded over HTTP by the partnership only; PDF
//! text read back with a PDF text extractor, XLSX with calamine, JSON figures equal to the
//! API's, CSV equal to the JSON. A plan of 2,000 commitments makes a PDF of thousands of pages
//! with every title in it. SIGTERM while a report renders closes the subscription cleanly.

use std::collections::HashMap;
use std::io::Cursor;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use calamine::Reader;
use chrono::{NaiveDate, Utc};
use entity::role_grant::Role;
use entity::{action_plan, assessment, commitment, event, head_of_region_term, member, report};
use futures::{SinkExt, StreamExt};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const REQUEST: &str = "mutation($input: RequestReportInput!) { requestReport(input: $input) {
  report { id status progress } userErrors { field code message } } }";

const REPORT: &str = "query($id: ID!) { report(id: $id) { id kind format status progress
  error fileName contentType sizeBytes pages downloadUrl } }";

/// Asks for a report as the holder of `token`; answers its id.
async fn request(app: &TestApp, token: &str, input: Value) -> String {
    let res = app
        .ok_as(Some(token), REQUEST, json!({ "input": input }))
        .await;
    let payload = &res["requestReport"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    assert_eq!(payload["report"]["status"], "QUEUED", "{payload}");
    payload["report"]["id"].as_str().unwrap().to_owned()
}

/// Waits until every report is DONE (none may fail).
async fn wait_done(app: &TestApp, ids: &[String], within: Duration) -> Vec<Value> {
    let until = Instant::now() + within;
    loop {
        let mut all = vec![];
        for id in ids {
            let r = app.ok(REPORT, json!({ "id": id })).await["report"].clone();
            assert_ne!(r["status"], "FAILED", "{r}");
            all.push(r);
        }
        if all.iter().all(|r| r["status"] == "DONE") {
            return all;
        }
        assert!(Instant::now() < until, "reports not done in time: {all:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn download(app: &TestApp, token: Option<&str>, id: &str) -> reqwest::Response {
    let mut req = app.client.get(format!("{}/reports/{id}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn bytes(app: &TestApp, token: &str, id: &str) -> Vec<u8> {
    let res = download(app, Some(token), id).await;
    assert_eq!(res.status(), 200);
    res.bytes().await.unwrap().to_vec()
}

/// The PDF's text as a PDF text extractor reads it, whitespace collapsed (a title wrapped
/// over two lines reads as one).
fn pdf_text(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("the PDF reads");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A worker process on the app's database.
fn worker(app: &TestApp) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terbuka-test-worker"));
    for (k, v) in &app.env {
        cmd.env(k, v);
    }
    cmd.env(
        "TERBUKA_WORKER_ID",
        format!("report-worker-{}", Uuid::now_v7()),
    )
    .env("TERBUKA_RUN_WORKER", "true")
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    cmd.spawn().expect("the worker binary starts")
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws_open(addr: &str, token: &str) -> Ws {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})
            .to_string(),
    ))
    .await
    .unwrap();
    let ack = ws_read(&mut ws, Duration::from_secs(10)).await.unwrap();
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

async fn ws_subscribe_progress(ws: &mut Ws, report: &str) {
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        json!({"id": "p", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { reportProgress(id: $id) { status progress downloadUrl } }",
            "variables": {"id": report}}})
        .to_string(),
    ))
    .await
    .unwrap();
}

/// The next message (`{"type":"close","code":…}` for a close frame, `{"type":"eof"}` when the
/// connection ended without one).
async fn ws_read(ws: &mut Ws, within: Duration) -> Option<Value> {
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let msg = match tokio::time::timeout(within, ws.next()).await {
            Err(_) => return None,
            Ok(None) | Ok(Some(Err(_))) => return Some(json!({"type": "eof"})),
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Close(frame) => {
                return Some(json!({"type": "close", "code": frame.map(|f| u16::from(f.code))}));
            }
            _ => continue,
        }
    }
}

async fn demo_ids(app: &TestApp) -> (Uuid, action_plan::Model, action_plan::Model) {
    let boj = member::Entity::find()
        .filter(member::Column::Slug.eq("bojonegoro"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let plans = action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.eq(boj.id))
        .order_by_asc(action_plan::Column::PeriodStart)
        .all(&app.db)
        .await
        .unwrap();
    let first = plans
        .iter()
        .find(|p| p.title.contains("2016"))
        .expect("the 2016–2017 plan")
        .clone();
    let second = plans
        .iter()
        .find(|p| p.submission_deadline == NaiveDate::from_ymd_opt(2018, 8, 31))
        .expect("the 2018 plan")
        .clone();
    (boj.id, first, second)
}

fn gid(kind: &str, id: Uuid) -> String {
    api::graphql::ids::encode(kind, id).0
}

#[tokio::test]
async fn demo_reports_are_made_by_another_process_followed_live_and_kept_within_the_partnership() {
    let app = spawn_app_with(Options {
        demo: true,
        run_worker: false,
        ..Options::default()
    })
    .await;
    let (boj, first, second) = demo_ids(&app).await;
    let (_, watchdog) = app
        .account("pemantau@idfos.or.id", &[(boj, Role::Watchdog)])
        .await;
    let other = create_other_member(&app).await;
    let (_, outsider) = app
        .account("admin@lain.go.id", &[(other, Role::Admin)])
        .await;
    let irm = assessment::Entity::find()
        .filter(assessment::Column::PlanId.eq(first.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the Final IRM Report 2017");
    let meeting = event::Entity::find()
        .filter(event::Column::MemberId.eq(boj))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.title.contains("Renaksi OGP Daerah"))
        .expect("the 28 June 2018 meeting");
    let plan1 = gid("ActionPlan", first.id);
    let plan2 = gid("ActionPlan", second.id);
    let irm_id = gid("Assessment", irm.id);
    let event_id = gid("Event", meeting.id);

    // Refused input changes nothing.
    let before = report::Entity::find().all(&app.db).await.unwrap().len();
    for (input, field, code) in [
        (
            json!({"kind": "MINUTES", "format": "PDF"}),
            "eventId",
            "REQUIRED",
        ),
        (
            json!({"kind": "MONEV", "format": "PDF"}),
            "planId",
            "REQUIRED",
        ),
        (
            json!({"kind": "IRM_AT_A_GLANCE", "format": "PDF", "planId": plan2}),
            "assessmentId",
            "REQUIRED",
        ),
        // The assessment of another plan.
        (
            json!({"kind": "IRM_AT_A_GLANCE", "format": "PDF", "planId": plan2, "assessmentId": irm_id}),
            "assessmentId",
            "NOT_FOUND",
        ),
        (
            json!({"kind": "MONEV", "format": "PDF", "planId": plan1, "language": "fr"}),
            "language",
            "REPORT_LANGUAGE_UNKNOWN",
        ),
    ] {
        let res = app
            .ok_as(Some(&watchdog), REQUEST, json!({"input": input}))
            .await;
        let errors = &res["requestReport"]["userErrors"];
        assert_eq!(errors[0]["field"], json!(["input", field]), "{res}");
        assert_eq!(errors[0]["code"], code, "{res}");
        assert!(res["requestReport"]["report"].is_null());
    }
    let anonymous = app
        .gql_as(
            None,
            REQUEST,
            json!({"input": {"kind": "MONEV", "format": "PDF", "planId": plan1}}),
        )
        .await;
    assert!(anonymous["errors"].is_array(), "{anonymous}");
    let outsider_try = app
        .gql_as(
            Some(&outsider),
            REQUEST,
            json!({"input": {"kind": "MONEV", "format": "PDF", "planId": plan1}}),
        )
        .await;
    assert!(outsider_try["errors"].is_array(), "{outsider_try}");
    assert_eq!(
        report::Entity::find().all(&app.db).await.unwrap().len(),
        before
    );

    // PERSONAL data that no report may carry: a citizen's name, address and organisation on
    // an input at the meeting, a name signed on its attendance list, people's phones and
    // addresses, organisations' contact details.
    plant_personal_data(&app, boj, meeting.id, second.id).await;

    // Asked for while no worker runs.
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (name, input) in [
        (
            "plan_pdf",
            json!({"kind": "ACTION_PLAN", "format": "PDF", "planId": plan1}),
        ),
        (
            "plan_xlsx",
            json!({"kind": "ACTION_PLAN", "format": "XLSX", "planId": plan1}),
        ),
        (
            "monev_json",
            json!({"kind": "MONEV", "format": "JSON", "planId": plan1}),
        ),
        (
            "monev_csv",
            json!({"kind": "MONEV", "format": "CSV", "planId": plan1}),
        ),
        (
            "irm_json",
            json!({"kind": "IRM_AT_A_GLANCE", "format": "JSON", "planId": plan1, "assessmentId": irm_id}),
        ),
        (
            "irm_pdf",
            json!({"kind": "IRM_AT_A_GLANCE", "format": "PDF", "planId": plan1, "assessmentId": irm_id, "language": "en"}),
        ),
        (
            "irm_csv",
            json!({"kind": "IRM_AT_A_GLANCE", "format": "CSV", "planId": plan1, "assessmentId": irm_id}),
        ),
        (
            "checklist_pdf",
            json!({"kind": "CO_CREATION_CHECKLIST", "format": "PDF", "planId": plan2}),
        ),
        (
            "checklist_xlsx",
            json!({"kind": "CO_CREATION_CHECKLIST", "format": "XLSX", "planId": plan2}),
        ),
        (
            "minutes_pdf",
            json!({"kind": "MINUTES", "format": "PDF", "eventId": event_id}),
        ),
        (
            "minutes_json",
            json!({"kind": "MINUTES", "format": "JSON", "eventId": event_id}),
        ),
        (
            "minutes_csv",
            json!({"kind": "MINUTES", "format": "CSV", "eventId": event_id}),
        ),
    ] {
        ids.insert(name, request(&app, &watchdog, input).await);
    }

    // Followed live from this (API) process while another process makes it.
    let mut ws = ws_open(&app.addr.to_string(), &watchdog).await;
    ws_subscribe_progress(&mut ws, &ids["plan_pdf"]).await;
    let first_seen = ws_read(&mut ws, Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        first_seen["payload"]["data"]["reportProgress"]["status"], "QUEUED",
        "{first_seen}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let queued = report::Entity::find().all(&app.db).await.unwrap();
    assert!(
        queued
            .iter()
            .all(|r| r.status == report::ReportStatus::Queued),
        "nothing runs without a worker"
    );

    let mut w = worker(&app);
    let mut seen = vec![first_seen];
    loop {
        let m = ws_read(&mut ws, Duration::from_secs(120))
            .await
            .expect("a message");
        let done = m["type"] == "complete";
        seen.push(m);
        if done {
            break;
        }
    }
    let statuses: Vec<&str> = seen
        .iter()
        .filter_map(|m| m["payload"]["data"]["reportProgress"]["status"].as_str())
        .collect();
    assert_eq!(statuses.last(), Some(&"DONE"), "{seen:?}");
    // Each message a change, in order: QUEUED, then RUNNING with rising progress, then DONE.
    let rank = |s: &str| {
        ["QUEUED", "RUNNING", "DONE"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    assert!(
        statuses.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{seen:?}"
    );
    let steps: Vec<(usize, i64)> = seen
        .iter()
        .map(|m| &m["payload"]["data"]["reportProgress"])
        .filter(|r| r.is_object())
        .map(|r| {
            (
                rank(r["status"].as_str().unwrap()),
                r["progress"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        steps.windows(2).all(|w| w[0] < w[1]),
        "no repeats, never backwards: {seen:?}"
    );
    let last = &seen[seen.len() - 2]["payload"]["data"]["reportProgress"];
    assert_eq!(last["progress"], 100);
    assert!(
        last["downloadUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://terbuka.test/reports/")
    );

    let all: Vec<String> = ids.values().cloned().collect();
    let done = wait_done(&app, &all, Duration::from_secs(120)).await;
    let _ = w.kill();
    let _ = w.wait();
    for r in &done {
        assert!(
            r["sizeBytes"].as_str().unwrap().parse::<i64>().unwrap() > 0,
            "{r}"
        );
    }

    // Only the partnership downloads.
    let plan_pdf = &ids["plan_pdf"];
    assert_eq!(download(&app, None, plan_pdf).await.status(), 404);
    assert_eq!(
        download(&app, Some(&outsider), plan_pdf).await.status(),
        404
    );
    let outsider_sees = app
        .gql_as(Some(&outsider), REPORT, json!({"id": plan_pdf}))
        .await;
    assert!(outsider_sees["data"]["report"].is_null(), "{outsider_sees}");
    let res = download(&app, Some(&watchdog), plan_pdf).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".pdf"),
    );

    // The plan document: every commitment's title and milestone, the star's legend.
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    let commitments = commitment::Entity::find()
        .filter(commitment::Column::PlanId.eq(first.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(commitments.len(), 5);
    for c in &commitments {
        assert!(
            text.contains(&one_line(&c.title)),
            "missing {:?} in {text}",
            c.title
        );
    }
    assert!(text.contains('✪'), "{text}");
    assert!(text.contains("Halaman 1 dari"), "{text}");

    // XLSX opens in a real reader, with the same commitments.
    let xlsx = bytes(&app, &watchdog, &ids["plan_xlsx"]).await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    assert_eq!(
        book.sheet_names()[..2],
        ["Ringkasan".to_owned(), "Komitmen".to_owned()]
    );
    let sheet = book.worksheet_range("Komitmen").unwrap();
    let titles: Vec<String> = sheet.rows().skip(1).map(|r| r[1].to_string()).collect();
    assert_eq!(titles.len(), 5);
    for c in &commitments {
        assert!(titles.contains(&c.title), "{titles:?}");
    }

    // The monev figures are the dashboard's.
    let monev: Value =
        serde_json::from_slice(&bytes(&app, &watchdog, &ids["monev_json"]).await).unwrap();
    let dash = app
        .ok_as(
            Some(&watchdog),
            "query($id: ID!) { planDashboard(planId: $id) { progress overdueMilestones
              counts { notStarted inProgress completed cancelled delayed notCompleted }
              commitments { commitment { code title } progress overdue { id }
                counts { notStarted inProgress completed cancelled delayed notCompleted } } } }",
            json!({"id": plan1}),
        )
        .await["planDashboard"]
        .clone();
    let figures = &monev["figures"];
    assert_eq!(figures["progress"], dash["progress"]);
    assert_eq!(figures["counts"], dash["counts"]);
    assert_eq!(figures["overdueMilestones"], dash["overdueMilestones"]);
    let by_code: HashMap<String, &Value> = figures["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap().to_owned(), c))
        .collect();
    for c in dash["commitments"].as_array().unwrap() {
        let mine = by_code[c["commitment"]["code"].as_str().unwrap()];
        assert_eq!(mine["progress"], c["progress"], "{mine} {c}");
        assert_eq!(mine["counts"], c["counts"]);
        assert_eq!(mine["overdue"], c["overdue"].as_array().unwrap().len());
    }

    // People read words, not codes. The 2016–2017 plan is over: a milestone it left open is
    // "Tidak selesai" (not completed), never "Terlambat" (late) years after.
    let statuses: Vec<&str> = monev["tables"]["kegiatan"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"Tidak selesai"), "{statuses:?}");
    assert!(!statuses.contains(&"Terlambat"), "{statuses:?}");
    assert!(!statuses.contains(&"NOT_COMPLETED"), "{statuses:?}");

    // CSV and JSON carry the same rows.
    let csv = bytes(&app, &watchdog, &ids["monev_csv"]).await;
    let table = &monev["tables"][monev["primaryTable"].as_str().unwrap()];
    assert_csv_equals_json(&csv, table);

    // The at-a-glance figures are the API's: 4 substantial, 1 limited, none starred, 2 major.
    let irm_json: Value =
        serde_json::from_slice(&bytes(&app, &watchdog, &ids["irm_json"]).await).unwrap();
    let glance = app
        .ok_as(
            Some(&watchdog),
            "query($id: ID!) { node(id: $id) { ... on Assessment { atAGlance {
              commitments verifiable clearRelevance transformativePotentialImpact
              completionNotStarted completionLimited completionSubstantial completionComplete
              completionNoEvidence starred diogWorsened diogDidNotChange diogMarginal diogMajor
              diogOutstanding } } } }",
            json!({"id": irm_id}),
        )
        .await["node"]["atAGlance"]
        .clone();
    assert_eq!(irm_json["figures"], glance);
    assert_eq!(glance["completionSubstantial"], 4);
    assert_eq!(glance["completionLimited"], 1);
    assert_eq!(glance["starred"], 0);
    assert_eq!(glance["diogMajor"], 2);
    let irm_csv = bytes(&app, &watchdog, &ids["irm_csv"]).await;
    assert_csv_equals_json(&irm_csv, &irm_json["tables"]["penilaian"]);
    let irm_text = pdf_text(&bytes(&app, &watchdog, &ids["irm_pdf"]).await);
    assert!(irm_text.contains("Starred commitments ✪"), "{irm_text}");
    assert!(irm_text.contains("Page 1 of"), "{irm_text}");
    assert!(
        irm_text.contains("Substantial"),
        "the IRM scale in words: {irm_text}"
    );

    // The checklist names every standard, with the evidence.
    let checklist = pdf_text(&bytes(&app, &watchdog, &ids["checklist_pdf"]).await);
    // A code too long for its column breaks after an underscore.
    let packed: String = checklist.split_whitespace().collect();
    assert!(
        packed.contains("REASONED_RESPONSE_FOR_EVERY_INPUT"),
        "{checklist}"
    );
    let checks = app
        .ok_as(
            Some(&watchdog),
            "query($id: ID!) { coCreationCompliance(planId: $id) { checks { code verdict } } }",
            json!({"id": plan2}),
        )
        .await;
    let xlsx = bytes(&app, &watchdog, &ids["checklist_xlsx"]).await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("Daftar periksa").unwrap();
    let codes: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
    let api_codes: Vec<String> = checks["coCreationCompliance"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, api_codes);

    // The minutes: the meeting, its follow-ups and what was said — never who said it.
    let minutes = pdf_text(&bytes(&app, &watchdog, &ids["minutes_pdf"]).await);
    assert!(minutes.contains(&one_line(&meeting.title)), "{minutes}");
    assert!(
        minutes.contains("Rapat tim"),
        "the kind of meeting in words: {minutes}"
    );
    let inputs = entity::public_input::Entity::find()
        .filter(entity::public_input::Column::EventId.eq(meeting.id))
        .all(&app.db)
        .await
        .unwrap();
    assert!(!inputs.is_empty());
    for i in &inputs {
        for personal in [&i.author_name, &i.author_email].into_iter().flatten() {
            assert!(
                !minutes.contains(personal.as_str()),
                "{personal} in the minutes"
            );
        }
    }
    let minutes_json: Value =
        serde_json::from_slice(&bytes(&app, &watchdog, &ids["minutes_json"]).await).unwrap();
    assert_eq!(minutes_json["figures"]["inputs"], inputs.len());
    let minutes_csv = bytes(&app, &watchdog, &ids["minutes_csv"]).await;
    assert_csv_equals_json(&minutes_csv, &minutes_json["tables"]["tindak_lanjut"]);

    // No report carries PERSONAL data, whatever its format.
    for (name, id) in &ids {
        let file = bytes(&app, &watchdog, id).await;
        let text = if name.ends_with("pdf") {
            pdf_text(&file)
        } else if name.ends_with("xlsx") {
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(Cursor::new(file)).unwrap();
            let mut all = String::new();
            for sheet in book.sheet_names() {
                for row in book.worksheet_range(&sheet).unwrap().rows() {
                    for cell in row {
                        all.push_str(&cell.to_string());
                        all.push('\n');
                    }
                }
            }
            all
        } else {
            String::from_utf8(file).unwrap()
        };
        for marker in PERSONAL_MARKERS {
            assert!(!text.contains(marker), "{name} carries {marker}");
        }
    }
    app.stop().await;
}

const PERSONAL_MARKERS: [&str; 6] = [
    "Warga Laporan 5e1c",
    "warga-laporan-5e1c@example.org",
    "Lembaga Warga 5e1c",
    "Hadir Laporan 5e1c",
    "+62 812 5e1c",
    "kontak-5e1c@example.org",
];

async fn plant_personal_data(app: &TestApp, member: Uuid, meeting: Uuid, plan: Uuid) {
    use entity::{attendance, organisation, person, public_input};
    let now = Utc::now();
    let [name, email, org, signed, phone, contact] = PERSONAL_MARKERS;
    public_input::Entity::insert(public_input::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        plan_id: Set(plan),
        commitment_id: Set(None),
        event_id: Set(Some(meeting)),
        source: Set(public_input::InputSource::Event),
        author_name: Set(Some(name.into())),
        author_email: Set(Some(email.into())),
        organisation_name: Set(Some(org.into())),
        body: Set("Mohon jadwal rapat diumumkan lebih awal".into()),
        lang: Set("id".into()),
        received_at: Set(now),
        response: Set(None),
        response_reason: Set(None),
        responded_by: Set(None),
        responded_at: Set(None),
        hidden_at: Set(None),
        hidden_reason: Set(None),
        hidden_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(&app.db)
    .await
    .unwrap();
    attendance::Entity::insert(attendance::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        event_id: Set(meeting),
        person_id: Set(None),
        name: Set(Some(signed.into())),
        organisation_id: Set(None),
        sector: Set(attendance::AttendeeSector::CivilSociety),
        gender: Set(attendance::Gender::Female),
        created_at: Set(now),
    })
    .exec(&app.db)
    .await
    .unwrap();
    person::Entity::update_many()
        .col_expr(
            person::Column::Phone,
            sea_orm::sea_query::Expr::value(phone),
        )
        .col_expr(
            person::Column::Email,
            sea_orm::sea_query::Expr::value(contact),
        )
        .filter(person::Column::MemberId.eq(member))
        .exec(&app.db)
        .await
        .unwrap();
    organisation::Entity::update_many()
        .col_expr(
            organisation::Column::ContactPhone,
            sea_orm::sea_query::Expr::value(phone),
        )
        .col_expr(
            organisation::Column::ContactEmail,
            sea_orm::sea_query::Expr::value(contact),
        )
        .filter(organisation::Column::MemberId.eq(member))
        .exec(&app.db)
        .await
        .unwrap();
}

/// The CSV's header is the JSON table's column keys and every row reads the same.
fn assert_csv_equals_json(csv: &[u8], table: &Value) {
    let mut reader = csv::Reader::from_reader(csv);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let keys: Vec<String> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(header, keys);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let json_rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), json_rows.len());
    assert!(!rows.is_empty(), "an empty table proves nothing");
    for (csv_row, json_row) in rows.iter().zip(json_rows) {
        for (k, cell) in keys.iter().zip(csv_row) {
            let v = &json_row[k];
            let as_text = match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Number(n) => api_number(n),
                other => other.to_string(),
            };
            assert_eq!(&as_text, cell, "column {k}");
        }
    }
}

/// How a number is written in the CSV (shares with at most one decimal).
fn api_number(n: &serde_json::Number) -> String {
    match n.as_i64() {
        Some(i) => i.to_string(),
        None => worker::report::doc::format_num(n.as_f64().unwrap()),
    }
}

async fn create_other_member(app: &TestApp) -> Uuid {
    let id = crate::foundation::create_member(app, "Kabupaten Lain", "lain").await;
    api::graphql::ids::decode_as(&id, "Member").expect("a member id")
}

/// A member with one plan of `n` commitments (2 milestones each), Anna Mu'awanah as head of
/// region and the first commitment starred.
async fn big_plan(app: &TestApp, n: usize) -> (Uuid, Uuid) {
    let shape = api::demo::generate::Shape {
        members: 1,
        organisations_per_member: 10,
        plans_per_member: 1,
        commitments_per_plan: n,
        milestones_per_commitment: 2,
        funded_every: 3,
    };
    let g = api::demo::generate::generate(&app.db, "Uji Laporan", shape)
        .await
        .unwrap();
    let member = g.members[0];
    let plan = g.plans[0];
    let now = Utc::now();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    head_of_region_term::Entity::insert(head_of_region_term::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        name: Set("Anna Mu'awanah".into()),
        deputy_name: Set(Some("Budi Irawanto".into())),
        office_title: Set(Some("Bupati".into())),
        elected_on: Set(d(2018, 6, 27)),
        declared_on: Set(d(2018, 7, 26)),
        inaugurated_on: Set(d(2018, 9, 24)),
        ends_on: Set(d(2023, 9, 24)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(&app.db)
    .await
    .unwrap();
    let first = commitment::Entity::find()
        .filter(commitment::Column::PlanId.eq(plan))
        .order_by_asc(commitment::Column::Ordinal)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let a = Uuid::now_v7();
    assessment::Entity::insert(assessment::ActiveModel {
        id: Set(a),
        member_id: Set(member),
        plan_id: Set(plan),
        kind: Set(assessment::AssessmentKind::IrmDesign),
        framework: Set(assessment::Framework::IrmPre2020),
        title: Set("Laporan Desain IRM (uji)".into()),
        assessor: Set(None),
        published_on: Set(d(2019, 1, 1)),
        url: Set(None),
        findings: Set(None),
        recommendations: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(&app.db)
    .await
    .unwrap();
    entity::commitment_assessment::Entity::insert(entity::commitment_assessment::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        assessment_id: Set(a),
        commitment_id: Set(first.id),
        verifiable: Set(Some(true)),
        relevant_values: Set(json!(["ACCESS_TO_INFORMATION"])),
        potential_impact: Set(Some(
            entity::commitment_assessment::PotentialImpact::Transformative,
        )),
        potential_for_results: Set(None),
        completion: Set(Some(entity::commitment_assessment::Completion::Complete)),
        did_it_open_government: Set(None),
        narrative: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(&app.db)
    .await
    .unwrap();
    (member, plan)
}

#[tokio::test]
async fn a_plan_of_2000_commitments_makes_a_pdf_of_thousands_of_pages_with_every_title() {
    let app = spawn_app().await;
    let (_, plan) = big_plan(&app, 2000).await;
    let plan_id = gid("ActionPlan", plan);
    let op = app.operator.clone();
    let pdf_id = request(
        &app,
        &op,
        json!({"kind": "ACTION_PLAN", "format": "PDF", "planId": plan_id}),
    )
    .await;
    let xlsx_id = request(
        &app,
        &op,
        json!({"kind": "ACTION_PLAN", "format": "XLSX", "planId": plan_id}),
    )
    .await;
    let json_id = request(
        &app,
        &op,
        json!({"kind": "MONEV", "format": "JSON", "planId": plan_id}),
    )
    .await;
    let done = wait_done(
        &app,
        &[pdf_id.clone(), xlsx_id.clone(), json_id.clone()],
        Duration::from_secs(600),
    )
    .await;
    let pages = done[0]["pages"].as_i64().unwrap();
    assert!(pages > 2000, "{pages} pages");

    let pdf = bytes(&app, &op, &pdf_id).await;
    let text = pdf_text(&pdf);
    let titles: Vec<String> = commitment::Entity::find()
        .filter(commitment::Column::PlanId.eq(plan))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| one_line(&c.title))
        .collect();
    assert_eq!(titles.len(), 2000);
    let missing: Vec<&String> = titles
        .iter()
        .filter(|t| !text.contains(t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} titles missing, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(text.contains("Anna Mu'awanah"), "the head of region");
    assert!(text.contains('✪'), "the IRM star");
    assert!(
        text.contains(&format!("Halaman {pages} dari {pages}")),
        "the last page's number"
    );

    let xlsx = bytes(&app, &op, &xlsx_id).await;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("Komitmen").unwrap();
    assert_eq!(sheet.rows().count(), 2001);
    let milestones = book.worksheet_range("Kegiatan dan keluaran").unwrap();
    assert_eq!(milestones.rows().count(), 4001);

    let monev: Value = serde_json::from_slice(&bytes(&app, &op, &json_id).await).unwrap();
    let dash = app
        .ok(
            "query($id: ID!) { planDashboard(planId: $id) { progress
              counts { notStarted inProgress completed cancelled delayed notCompleted } } }",
            json!({"id": plan_id}),
        )
        .await["planDashboard"]
        .clone();
    assert_eq!(monev["figures"]["progress"], dash["progress"]);
    assert_eq!(monev["figures"]["counts"], dash["counts"]);
    assert_eq!(
        monev["figures"]["commitments"].as_array().unwrap().len(),
        2000
    );
    app.stop().await;
}

#[tokio::test]
async fn sigterm_while_a_report_renders_closes_its_subscription_and_exits_zero_within_five_seconds()
{
    // The data and the API process's own worker: a real `terbuka` process.
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Options::default()
    })
    .await;
    // Large enough that the render is still going when the signal comes.
    let (_, plan) = big_plan(&app, 10_000).await;
    let mut env = app.env.clone();
    env.retain(|(k, _)| k != "TERBUKA_RUN_WORKER");
    env.push(("TERBUKA_RUN_WORKER".into(), "true".into()));
    env.push(("TERBUKA_LOG".into(), "warn".into()));
    let (mut child, addr) = crate::process::serve(&env).await;
    let client = reqwest::Client::new();
    let res: Value = client
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(&app.operator)
        .json(&json!({"query": REQUEST, "variables": {"input": {
            "kind": "ACTION_PLAN", "format": "PDF", "planId": gid("ActionPlan", plan)}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = res["data"]["requestReport"]["report"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{res}"))
        .to_owned();
    let mut ws = ws_open(&addr, &app.operator).await;
    ws_subscribe_progress(&mut ws, &id).await;
    // Wait until it renders.
    loop {
        let m = ws_read(&mut ws, Duration::from_secs(60))
            .await
            .expect("progress");
        let r = &m["payload"]["data"]["reportProgress"];
        assert_ne!(
            r["status"], "DONE",
            "rendered before it could be interrupted: {m}"
        );
        if r["status"] == "RUNNING" && r["progress"].as_i64().unwrap_or(0) > 10 {
            break;
        }
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let sent = Instant::now();
    // The stream ends with `complete`, then the connection closes with a close frame.
    let mut ended = vec![];
    while let Some(m) = ws_read(&mut ws, Duration::from_secs(5)).await {
        let kind = m["type"].as_str().unwrap_or_default().to_owned();
        ended.push(m);
        if kind == "close" || kind == "eof" {
            break;
        }
    }
    let kinds: Vec<&str> = ended.iter().filter_map(|m| m["type"].as_str()).collect();
    assert!(kinds.contains(&"complete"), "{ended:?}");
    assert_eq!(ended.last().unwrap()["type"], "close", "{ended:?}");
    assert_eq!(ended.last().unwrap()["code"], 1001, "{ended:?}");
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit:?}");
    // Nothing lost: the report waits for the next worker, which makes it.
    let r = report::Entity::find_by_id(api::graphql::ids::decode_as(&id, "Report").unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, report::ReportStatus::Queued, "{r:?}");
    assert_eq!(
        r.attempts, 0,
        "an interrupted render does not count as a try"
    );
    let mut w = worker(&app);
    wait_done(&app, &[id], Duration::from_secs(600)).await;
    let _ = w.kill();
    let _ = w.wait();
    app.stop().await;
}

#[tokio::test]
async fn a_live_worker_keeps_its_long_report_and_a_killed_ones_is_taken_over() {
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Options::default()
    })
    .await;
    let (_, plan) = big_plan(&app, 10_000).await;
    let plan_id = gid("ActionPlan", plan);
    let op = app.operator.clone();
    // Claims lapse 2 s after a worker's last sign of life: far shorter than these renders.
    let spawn = |name: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_terbuka-test-worker"));
        for (k, v) in &app.env {
            cmd.env(k, v);
        }
        cmd.env("TERBUKA_WORKER_ID", name)
            .env("TERBUKA_REPORT_LEASE_SECS", "2")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.spawn().expect("the worker binary starts")
    };
    let mut a = spawn("worker-a");
    let mut b = spawn("worker-b");

    // Both alive: the report renders once, however long it takes.
    let first = request(
        &app,
        &op,
        json!({"kind": "ACTION_PLAN", "format": "PDF", "planId": plan_id}),
    )
    .await;
    let started = Instant::now();
    wait_done(&app, std::slice::from_ref(&first), Duration::from_secs(600)).await;
    let took = started.elapsed();
    let row = |id: &str| {
        let id = api::graphql::ids::decode_as(id, "Report").unwrap();
        let db = app.db.clone();
        async move {
            report::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert!(
        took > Duration::from_secs(2),
        "the render ({took:?}) outlasts the lease"
    );
    assert_eq!(row(&first).await.attempts, 1, "rendered once in {took:?}");

    // The worker holding the next one dies: the other takes it over when the claim lapses.
    let second = request(
        &app,
        &op,
        json!({"kind": "ACTION_PLAN", "format": "PDF", "planId": plan_id, "language": "en"}),
    )
    .await;
    let holder = loop {
        let r = row(&second).await;
        if r.status == report::ReportStatus::Running && r.progress > 10 {
            break r.claimed_by.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (dead, alive) = if holder == "worker-a" {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    dead.kill().unwrap();
    let _ = dead.wait();
    wait_done(
        &app,
        std::slice::from_ref(&second),
        Duration::from_secs(600),
    )
    .await;
    let r = row(&second).await;
    assert_eq!(r.attempts, 2, "{r:?}");
    let _ = alive.kill();
    let _ = alive.wait();
    let pdf = bytes(&app, &op, &second).await;
    assert!(pdf_text(&pdf).contains("Page 1 of"));
    app.stop().await;
}
