//! The co-creation check: the demo's 2016–2017 process shows its documentation gap, and
//! attaching the minutes and the attendance list of a held meeting flips that check.

use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

const Q: &str = "query($p: ID!) { coCreationCompliance(planId: $p) { from to
    checks { code verdict evidence missing } } }";

fn check<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["coCreationCompliance"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report}"))
}

#[tokio::test]
async fn the_2016_2017_process_shows_no_documentation() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let plans = app
        .gql_as(None, r#"{ member(slug: "bojonegoro") { id } }"#, json!({}))
        .await;
    let member = plans["data"]["member"]["id"].as_str().unwrap().to_owned();
    let list = app
        .ok(
            "query($m: ID!) { plans(memberId: $m) { nodes { id title } } }",
            json!({"m": member}),
        )
        .await;
    let plan = list["plans"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"].as_str().unwrap().contains("2016-2017"))
        .unwrap()["id"]
        .clone();
    // The evidence names internal meetings: not for the public.
    let anonymous = app.gql_as(None, Q, json!({"p": plan})).await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    let r = app.ok(Q, json!({"p": plan})).await;
    let docs = check(&r, "MINUTES_AND_ATTENDANCE_FOR_HELD_EVENTS");
    assert_eq!(docs["verdict"], "NOT_MET");
    let missing = docs["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(
        missing[1]
            .as_str()
            .unwrap()
            .contains("Rapat Draf Renaksi OGI 2016-2017")
    );
    assert!(
        missing[1]
            .as_str()
            .unwrap()
            .contains("notulen dan daftar hadir")
    );
    // 22 June 2016 to 23 May 2017 is longer than six months.
    assert_eq!(
        check(&r, "FORUM_MEETS_EVERY_SIX_MONTHS")["verdict"],
        "NOT_MET"
    );
    app.stop().await;
}

#[tokio::test]
async fn attaching_the_minutes_and_attendance_flips_the_documentation_check() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, _) = make(
        &app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi 2018",
               "periodStart": "2018-09-01", "periodEnd": "2020-08-31"}),
    )
    .await;
    let (meeting, v) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "TEAM_MEETING", "title": "Rapat persiapan Renaksi",
               "startsAt": "2018-06-28T12:00:00+07:00"}),
    )
    .await;
    app.mutate_as(
        Some(&app.operator),
        "transitionEvent",
        "TransitionEventInput",
        "userErrors { code }",
        json!({"id": meeting, "version": v, "to": "HELD"}),
    )
    .await;
    let r = app.ok(Q, json!({"p": plan})).await;
    assert_eq!(r["coCreationCompliance"]["from"], "2017-09-01");
    assert_eq!(r["coCreationCompliance"]["to"], "2018-08-01");
    let docs = check(&r, "MINUTES_AND_ATTENDANCE_FOR_HELD_EVENTS");
    assert_eq!(docs["verdict"], "NOT_MET");
    assert_eq!(
        docs["missing"],
        json!(["Kamis, 28 Juni 2018 — Rapat persiapan Renaksi: tanpa notulen dan daftar hadir"])
    );
    for (kind, title) in [
        ("MINUTES", "Notulen rapat"),
        ("ATTENDANCE_LIST", "Daftar hadir"),
    ] {
        make(
            &app,
            "attachDocument",
            "AttachDocumentInput",
            "document",
            json!({"subjectId": meeting, "kind": kind, "title": title, "isPublic": true,
                   "url": "https://dinkominfo.bojonegorokab.go.id/berita"}),
        )
        .await;
    }
    let r = app.ok(Q, json!({"p": plan})).await;
    let docs = check(&r, "MINUTES_AND_ATTENDANCE_FOR_HELD_EVENTS");
    assert_eq!(docs["verdict"], "MET", "{docs}");
    assert_eq!(
        docs["evidence"],
        json!(["Kamis, 28 Juni 2018 — Rapat persiapan Renaksi"])
    );
    assert_eq!(docs["missing"], json!([]));
    app.stop().await;
}
