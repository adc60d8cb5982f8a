//! Open invitations and registration as the public meets them: 50 people registering at once
//! for 10 seats get 10 seats and 40 waitlist places (no 5xx), everyone gets a mail through a
//! real SMTP server, and cancelling by the mail's link (GET shows a button, POST cancels)
//! moves the first on the waitlist up.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

/// A public seminar on 10 August 2018 (the clock is 1 August) with an invitation.
async fn seminar(app: &TestApp, member: &str, capacity: Option<i64>) -> String {
    let (id, _) = make(
        app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "SEMINAR", "isPublic": true,
               "title": "Seminar Keterbukaan Pemerintahan bersama Bupati Terpilih",
               "venueName": "Gedung Pusat Informasi Publik", "venueRoom": "Ruang PPID",
               "startsAt": "2018-08-10T09:00:00+07:00"}),
    )
    .await;
    let p = app
        .mutate_as(
            Some(&app.operator),
            "publishInvitation",
            "PublishInvitationInput",
            "event { invitationPublished invitation { leadDays audience capacity channels } } userErrors { field code }",
            json!({"eventId": id, "channels": ["WEBSITE", "SOCIAL_MEDIA", "WEBSITE"], "capacity": capacity}),
        )
        .await;
    assert_eq!(p["userErrors"], json!([]), "{p}");
    assert_eq!(p["event"]["invitationPublished"], true);
    assert_eq!(p["event"]["invitation"]["leadDays"], 9);
    assert_eq!(
        p["event"]["invitation"]["channels"],
        json!(["WEBSITE", "SOCIAL_MEDIA"])
    );
    id
}

async fn register(app: &TestApp, event: &str, n: usize) -> (u16, Value) {
    let body = json!({
        "query": "mutation($i: RegisterInput!) { registerForEvent(input: $i) {
            registration { status waitlistPosition } userErrors { field code } } }",
        "variables": {"i": {"eventId": event, "name": format!("Warga {n}"),
                            "email": format!("Warga.{n}@Example.org"), "consent": true}},
    });
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Waits for `n` messages at the SMTP server; on a timeout, says where the others are.
async fn received(app: &TestApp, n: usize) -> Vec<crate::smtp::Received> {
    use sea_orm::EntityTrait;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got = app.smtp.received();
        if got.len() >= n {
            return got;
        }
        if std::time::Instant::now() > deadline {
            let rows = entity::mail_delivery::Entity::find()
                .all(&app.db)
                .await
                .unwrap();
            let states: Vec<String> = rows
                .iter()
                .filter(|r| !matches!(r.status, entity::mail_delivery::DeliveryStatus::Sent))
                .map(|r| {
                    format!(
                        "{} {:?} attempts {} lease {:?} next {} error {:?}",
                        r.recipient,
                        r.status,
                        r.attempts,
                        r.lease_until,
                        r.next_attempt_at,
                        r.last_error
                    )
                })
                .collect();
            panic!(
                "{} of {n} messages after 60 s; {} records, not sent: {states:#?}",
                got.len(),
                rows.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn link_in(text: &str) -> String {
    let start = text
        .find("/registrations/cancel?token=")
        .expect("a cancel link");
    let from = text[..start].rfind("http").unwrap();
    text[from..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(['.', ')'])
        .to_owned()
}

#[tokio::test]
async fn fifty_at_once_for_ten_seats_and_a_cancellation_promotes_the_first_waiting() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let event = seminar(&app, &member, Some(10)).await;

    let answers: Vec<(u16, Value)> = futures::stream::iter(0..50)
        .map(|n| {
            let (app, event) = (&app, event.clone());
            async move { register(app, &event, n).await }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    assert!(
        answers.iter().all(|(s, _)| *s == 200),
        "no 5xx: {:?}",
        answers.iter().find(|(s, _)| *s != 200)
    );
    let statuses: Vec<&str> = answers
        .iter()
        .map(|(_, v)| {
            v["data"]["registerForEvent"]["registration"]["status"]
                .as_str()
                .unwrap_or_else(|| panic!("{v}"))
        })
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "REGISTERED").count(), 10);
    assert_eq!(statuses.iter().filter(|s| **s == "WAITLISTED").count(), 40);
    let mut positions: Vec<i64> = answers
        .iter()
        .filter_map(|(_, v)| {
            v["data"]["registerForEvent"]["registration"]["waitlistPosition"].as_i64()
        })
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=40).collect::<Vec<i64>>(), "each place once");

    let counts = "query($id: ID!) { event(id: $id) { invitation { counts { registered waitlisted seatsLeft } } } }";
    let c = app.gql_as(None, counts, json!({"id": event})).await;
    assert_eq!(
        c["data"]["event"]["invitation"]["counts"],
        json!({"registered": 10, "waitlisted": 40, "seatsLeft": 0})
    );

    // One mail each, real SMTP: confirmations and waitlist notices, with a cancel link.
    let mails = received(&app, 50).await;
    let list = app
        .ok(
            "query($id: ID!) { event(id: $id) { registrations { email status } } }",
            json!({"id": event}),
        )
        .await["event"]["registrations"]
        .clone();
    let seated = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "REGISTERED")
        .unwrap()["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let first_waiting = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "WAITLISTED")
        .unwrap()["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let mail = mails.iter().find(|m| m.to.contains(&seated)).unwrap();
    assert!(
        mail.subject().starts_with("Pendaftaran diterima"),
        "{}",
        mail.subject()
    );
    let link = link_in(&mail.text());
    assert!(link.starts_with("http://terbuka.test/registrations/cancel?token="));
    let path = link.trim_start_matches("http://terbuka.test");

    // The link's GET only asks; nothing changes.
    let page = app.get(path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("method=\"post\""));
    let again = app.gql_as(None, counts, json!({"id": event})).await;
    assert_eq!(
        again["data"]["event"]["invitation"]["counts"]["registered"],
        10
    );

    // The POST cancels: the first on the waitlist gets the seat and a mail saying so.
    let token = path.split("token=").nth(1).unwrap();
    let res = app
        .client
        .post(format!("{}/registrations/cancel", app.base))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let after = app
        .ok(
            "query($id: ID!) { event(id: $id) { registrations { email status } invitation { counts { registered waitlisted } } } }",
            json!({"id": event}),
        )
        .await["event"]
        .clone();
    assert_eq!(
        after["invitation"]["counts"],
        json!({"registered": 10, "waitlisted": 39})
    );
    let status_of = |email: &str| {
        after["registrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status_of(&seated), "CANCELLED");
    assert_eq!(status_of(&first_waiting), "REGISTERED");
    let more = received(&app, 52).await;
    let promoted = more.iter().find(|m| {
        m.to.contains(&first_waiting) && m.subject().starts_with("Tempat Anda terkonfirmasi")
    });
    assert!(promoted.is_some(), "a promotion mail");
    assert!(
        more.iter()
            .any(|m| m.to.contains(&seated) && m.subject().starts_with("Pendaftaran dibatalkan"))
    );

    // The same link twice changes nothing more; a made-up token is refused.
    let twice = app
        .mutate_as(
            None,
            "cancelRegistration",
            "CancelRegistrationInput",
            "status userErrors { code }",
            json!({"token": token}),
        )
        .await;
    assert_eq!(twice["status"], "CANCELLED");
    let bogus = app
        .mutate_as(
            None,
            "cancelRegistration",
            "CancelRegistrationInput",
            "status userErrors { field code }",
            json!({"token": "made-up-token"}),
        )
        .await;
    assert_eq!(
        bogus["userErrors"],
        json!([{"field": ["input", "token"], "code": "INVALID_TOKEN"}])
    );
    let c = app.gql_as(None, counts, json!({"id": event})).await;
    assert_eq!(c["data"]["event"]["invitation"]["counts"]["registered"], 10);

    // The cancellation and the promotion are in the audit log, as the public, with the
    // statuses they changed; the repeated link added nothing.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let updates = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::EntityType.eq("Registration"))
        .filter(entity::audit_event::Column::Action.eq("UPDATE"))
        .order_by_asc(entity::audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let moves: Vec<(Value, Value)> = updates
        .iter()
        .map(|a| {
            (
                a.before.as_ref().unwrap()["status"].clone(),
                a.after.as_ref().unwrap()["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            (json!("REGISTERED"), json!("CANCELLED")),
            (json!("WAITLISTED"), json!("REGISTERED")),
        ]
    );
    assert!(
        updates
            .iter()
            .all(|a| a.actor_id.is_none() && a.actor_label == "publik")
    );
    app.stop().await;
}

#[tokio::test]
async fn registration_refuses_what_it_should_and_changes_nothing() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let event = seminar(&app, &member, None).await;
    let (_, first) = register(&app, &event, 1).await;
    assert_eq!(
        first["data"]["registerForEvent"]["registration"]["status"],
        "REGISTERED"
    );
    // The same address (in another case) again.
    let (_, dup) = register(&app, &event, 1).await;
    assert_eq!(
        dup["data"]["registerForEvent"]["userErrors"],
        json!([{"field": ["input", "email"], "code": "DUPLICATE"}])
    );
    let bad = app
        .mutate_as(
            None,
            "registerForEvent",
            "RegisterInput",
            "registration { status } userErrors { field code }",
            json!({"eventId": event, "name": " ", "email": "bukan-email", "consent": false}),
        )
        .await;
    assert_eq!(
        bad["userErrors"],
        json!([
            {"field": ["input", "name"], "code": "REQUIRED"},
            {"field": ["input", "email"], "code": "INVALID"},
            {"field": ["input", "consent"], "code": "REQUIRED"}
        ])
    );
    // An internal meeting has no public registration.
    let (internal, _) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "TEAM_MEETING", "title": "Rapat tim",
               "startsAt": "2018-08-10T09:00:00+07:00"}),
    )
    .await;
    let (_, closed) = register(&app, &internal, 2).await;
    assert_eq!(
        closed["data"]["registerForEvent"]["userErrors"][0]["code"],
        "REGISTRATION_NOT_OPEN"
    );
    // After the event started, registration is closed.
    app.clock
        .set(worker::config::parse_instant("2018-08-10T09:00+07:00").unwrap());
    let (_, late) = register(&app, &event, 3).await;
    assert_eq!(
        late["data"]["registerForEvent"]["userErrors"][0]["code"],
        "REGISTRATION_CLOSED"
    );
    let c = app
        .ok(
            "query($id: ID!) { event(id: $id) { registrations { email } } }",
            json!({"id": event}),
        )
        .await;
    assert_eq!(
        c["event"]["registrations"],
        json!([{"email": "warga.1@example.org"}])
    );
    app.stop().await;
}

#[tokio::test]
async fn erasing_a_registered_citizen_gives_their_seat_to_the_first_waiting() {
    use entity::registration::{self, RegistrationStatus};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let event = seminar(&app, &member, Some(1)).await;
    let (_, first) = register(&app, &event, 1).await;
    assert_eq!(
        first["data"]["registerForEvent"]["registration"]["status"],
        "REGISTERED"
    );
    let (_, second) = register(&app, &event, 2).await;
    assert_eq!(
        second["data"]["registerForEvent"]["registration"]["status"],
        "WAITLISTED"
    );
    received(&app, 2).await;

    let erased = app
        .mutate_as(
            Some(&app.operator.clone()),
            "eraseCitizen",
            "EraseCitizenInput",
            "registrations userErrors { field code }",
            json!({"memberId": member, "email": "warga.1@example.org", "reason": "permintaan warga"}),
        )
        .await;
    assert_eq!(erased["userErrors"], json!([]), "{erased}");
    assert_eq!(erased["registrations"], 1);

    let rows = registration::Entity::find()
        .filter(
            registration::Column::EventId
                .eq(api::graphql::ids::decode_as(&event, "Event").unwrap()),
        )
        .order_by_asc(registration::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows[0].status, RegistrationStatus::Cancelled);
    assert_eq!(
        rows[1].status,
        RegistrationStatus::Registered,
        "the seat moved up"
    );
    assert!(rows[1].promoted_at.is_some());
    // The one who moved up is told, once.
    let mail = received(&app, 3).await;
    let to_second: Vec<_> = mail
        .iter()
        .filter(|m| {
            m.to.iter()
                .any(|t| t.eq_ignore_ascii_case("warga.2@example.org"))
        })
        .collect();
    assert_eq!(to_second.len(), 2, "waitlisted, then moved up");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.smtp.received().len(), 3);
    app.stop().await;
}

/// A phone on a bad connection sends its registration again: with the same clientMutationId
/// and input it gets the first registration back (one seat, one mail); a changed input with
/// that id is a CONFLICT; another citizen who picked the same id is not mixed up with the first.
#[tokio::test]
async fn a_retried_registration_answers_the_first_and_mails_once() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let event = seminar(&app, &member, Some(10)).await;
    let send = |name: &str, email: &str| {
        json!({"clientMutationId": "daftar-1", "eventId": event, "name": name,
               "email": email, "consent": true})
    };
    let fields = "clientMutationId registration { id status } userErrors { field code }";
    let first = app
        .mutate_as(
            None,
            "registerForEvent",
            "RegisterInput",
            fields,
            send("Warga Satu", "satu@example.org"),
        )
        .await;
    assert_eq!(first["userErrors"], json!([]), "{first}");
    assert_eq!(first["clientMutationId"], "daftar-1");
    let again = app
        .mutate_as(
            None,
            "registerForEvent",
            "RegisterInput",
            fields,
            send("Warga Satu", "satu@example.org"),
        )
        .await;
    assert_eq!(again["registration"], first["registration"], "{again}");
    let changed = app
        .mutate_as(
            None,
            "registerForEvent",
            "RegisterInput",
            fields,
            send("Warga Satu (ganti)", "satu@example.org"),
        )
        .await;
    assert_eq!(
        changed["userErrors"],
        json!([{"field": ["input", "clientMutationId"], "code": "CONFLICT"}])
    );
    let other = app
        .mutate_as(
            None,
            "registerForEvent",
            "RegisterInput",
            fields,
            send("Warga Dua", "dua@example.org"),
        )
        .await;
    assert_eq!(other["userErrors"], json!([]), "{other}");
    assert_ne!(other["registration"]["id"], first["registration"]["id"]);

    let mails = received(&app, 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        app.smtp.received().len(),
        2,
        "{:?}",
        mails.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    let rows = entity::registration::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(rows, 2);
    // Each registration is in the audit log (as the public, personal fields marked).
    let audited = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::EntityType.eq("Registration"))
        .filter(entity::audit_event::Column::Action.eq("CREATE"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
    assert!(audited.iter().all(|a| {
        a.actor_id.is_none()
            && a.personal_fields
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "email")
    }));
    app.stop().await;
}

/// The registration mail gives the event's time in the member's own zone (a member in Papua
/// reads WIT, not Jakarta's WIB).
#[tokio::test]
async fn the_registration_mail_shows_the_time_in_the_members_zone() {
    let app = spawn_app().await;
    let data = app
        .ok(
            r#"mutation($input: CreateMemberInput!) {
                 createMember(input: $input) { member { id } userErrors { field code } } }"#,
            json!({"input": {"name": "Kabupaten Jayapura", "slug": "jayapura", "level": "REGENCY",
                             "timeZone": "Asia/Jayapura"}}),
        )
        .await;
    assert_eq!(data["createMember"]["userErrors"], json!([]), "{data}");
    let member = data["createMember"]["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = seminar(&app, &member, Some(10)).await;
    let (status, body) = register(&app, &event, 1).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["registerForEvent"]["userErrors"],
        json!([]),
        "{body}"
    );
    let mails = received(&app, 1).await;
    let text = mails[0].text();
    // 09:00 WIB is 11:00 in Jayapura.
    assert!(text.contains("pukul 11.00 WIT"), "{text}");
    assert!(!text.contains("WIB"), "{text}");
    app.stop().await;
}
