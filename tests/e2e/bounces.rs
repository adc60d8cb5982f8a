//! Bounces, end to end: the real worker sending to a real SMTP server that refuses one
//! recipient at RCPT (550) until the address is held, its alert then going to the
//! secretariat with a note; a 451 that is retried and never holds; delivery-status
//! notifications posted to `/mail/bounces` with the shared secret, and read from a maildir.

use std::time::Duration;

use entity::mail_bounce::{self, BounceKind, BounceSource};
use entity::mail_delivery::{self, DeliveryStatus, MailClass};
use entity::role_grant::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::foundation::create_member;
use crate::helpers::*;
use crate::smtp::Mode;

const POSTFIX: &str = include_str!("../../entity/tests/dsn/postfix-user-unknown.eml");
const EXIM_DELAYED: &str = include_str!("../../entity/tests/dsn/exim-delayed.eml");
const SECRET: &str = "bounce-secret-for-the-tests-only";

fn dsn(template: &str, rcpt: &str, delivery: Uuid) -> String {
    template
        .replace("{RCPT}", rcpt)
        .replace("{DELIVERY}", &delivery.to_string())
}

/// An alert of `member` to `to`, recorded and queued as the scheduler does.
async fn alert(app: &TestApp, member: Uuid, to: &str, title: &str) -> Uuid {
    let id = worker::mail::record(
        &app.db,
        worker::mail::NewMail {
            dedupe_key: format!("alert:test:{}", Uuid::now_v7()),
            class: MailClass::Alert,
            member_id: Some(member),
            recipient: to.into(),
            lang: entity::Lang::Id,
            template: "alert".into(),
            context: json!({"alert_kind": "MILESTONE_DUE", "name": "Pak Budi",
                "member": "Kabupaten Bojonegoro", "what": "Tenggat kegiatan", "title": title,
                "date": "Selasa, 31 Juli 2018", "when": "3 hari lagi", "overdue": false,
                "record_url": "http://terbuka.test/milestones/x"}),
        },
    )
    .await
    .unwrap()
    .unwrap();
    worker::JobQueue::for_db(&app.db)
        .push_mail(&[id], 8)
        .await
        .unwrap();
    id
}

async fn settled(app: &TestApp, id: Uuid) -> mail_delivery::Model {
    for _ in 0..800 {
        let d = mail_delivery::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        if !matches!(d.status, DeliveryStatus::Pending | DeliveryStatus::Sending) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("delivery {id} did not settle");
}

async fn bounces(app: &TestApp) -> u64 {
    mail_bounce::Entity::find().count(&app.db).await.unwrap()
}

const BOUNCING: &str = "query($m: ID!) { bouncingAddresses(memberId: $m) {
    address hardBounces softBounces lastStatus lastDiagnostic held heldSince } }";

#[tokio::test]
async fn a_refusal_at_rcpt_holds_the_address_and_its_alert_goes_to_the_secretariat() {
    let app = spawn_app_with(Options {
        env: vec![
            ("TERBUKA_BOUNCE_LIMIT".into(), "2".into()),
            ("TERBUKA_MAIL_ATTEMPTS".into(), "3".into()),
            ("TERBUKA_MAIL_BACKOFF_MS".into(), "50".into()),
        ],
        ..Default::default()
    })
    .await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let (_, office) = app
        .account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    let (_, budi) = app
        .account("budi@desa.example", &[(m, Role::TeamMember)])
        .await;
    let set = app
        .mutate_as(
            Some(&budi),
            "updateMySubscription",
            "UpdateMySubscriptionInput",
            "subscription { status } userErrors { code }",
            json!({"memberId": member, "frequency": "WEEKLY", "topics": ["DEADLINES"]}),
        )
        .await;
    assert_eq!(set["subscription"]["status"], "CONFIRMED", "{set}");
    app.smtp.refuse("budi@desa.example", Mode::Permanent);

    // Two refusals: each message fails at once (a 5xx is not retried) and counts.
    let first = settled(
        &app,
        alert(&app, m, "budi@desa.example", "Portal data desa").await,
    )
    .await;
    assert_eq!((first.status, first.attempts), (DeliveryStatus::Failed, 1));
    let listed = app
        .ok_as(Some(&office), BOUNCING, json!({"m": member}))
        .await;
    assert_eq!(listed["bouncingAddresses"][0]["hardBounces"], 1);
    assert_eq!(listed["bouncingAddresses"][0]["held"], false);
    settled(
        &app,
        alert(&app, m, "budi@desa.example", "Portal data desa II").await,
    )
    .await;
    let listed = app
        .ok_as(Some(&office), BOUNCING, json!({"m": member}))
        .await;
    let row = &listed["bouncingAddresses"][0];
    assert_eq!(row["address"], "budi@desa.example");
    assert_eq!(
        (row["hardBounces"].as_i64(), row["held"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(row["lastStatus"], "550");
    assert!(row["heldSince"].is_string(), "{row}");
    let smtp_rows = mail_bounce::Entity::find().all(&app.db).await.unwrap();
    assert!(
        smtp_rows.iter().all(|b| b.source == BounceSource::Smtp
            && b.kind == BounceKind::Hard
            && b.member_id == Some(m)),
        "{smtp_rows:?}"
    );
    let mine = app
        .ok_as(
            Some(&budi),
            "query($m: ID!) { mySubscription(memberId: $m) { status } }",
            json!({"m": member}),
        )
        .await;
    assert_eq!(mine["mySubscription"]["status"], "SUSPENDED");

    // The next alert is not tried on the held address: the secretariat gets it, with a note.
    let before = app.smtp.received().len();
    let third = settled(
        &app,
        alert(&app, m, "budi@desa.example", "Portal data desa III").await,
    )
    .await;
    assert_eq!(third.status, DeliveryStatus::Skipped);
    assert!(
        third.last_error.as_deref().unwrap().contains("secretariat"),
        "{third:?}"
    );
    let mails = app.smtp.wait_for(before + 1, Duration::from_secs(20)).await;
    let copy = mails.last().unwrap();
    assert_eq!(copy.to, ["sekretariat@bojonegorokab.go.id"]);
    assert!(
        copy.subject().contains("Portal data desa III"),
        "{}",
        copy.subject()
    );
    let text = copy.text();
    assert!(
        text.contains("Pengingat ini sebenarnya untuk Pak Budi <budi@desa.example>")
            && text.contains("2 kali ditolak"),
        "{text}"
    );
    assert!(copy.html().contains("&lt;budi@desa.example&gt;"));
    assert_eq!(
        bounces(&app).await,
        2,
        "the held address was not tried again"
    );

    // A 451 is retried with backoff and never counts towards holding.
    app.smtp.refuse("ani@desa.example", Mode::Transient);
    let soft = settled(
        &app,
        alert(&app, m, "ani@desa.example", "Portal data desa").await,
    )
    .await;
    assert_eq!((soft.status, soft.attempts), (DeliveryStatus::Failed, 3));
    assert!(soft.last_error.unwrap().contains("451"));
    assert_eq!(bounces(&app).await, 2);

    // The secretariat may not clear; an admin (here the operator) does, and mail flows again.
    const CLEAR: &str =
        "mutation($input: ClearBouncingAddressInput!) { clearBouncingAddress(input: $input) {
        cleared { address hardBounces } resumedSubscriptions userErrors { field code } } }";
    let input = json!({"input": {"memberId": member, "address": "Budi@Desa.example"}});
    let refused = app.gql_as(Some(&office), CLEAR, input.clone()).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let missing = app
        .ok(
            CLEAR,
            json!({"input": {"memberId": member, "address": "nobody@desa.example"}}),
        )
        .await;
    assert_eq!(
        missing["clearBouncingAddress"]["userErrors"],
        json!([{"field": ["input", "address"], "code": "NOT_FOUND"}])
    );
    let cleared = app.ok(CLEAR, input).await;
    assert_eq!(
        cleared["clearBouncingAddress"],
        json!({"cleared": {"address": "budi@desa.example", "hardBounces": 2},
               "resumedSubscriptions": 1, "userErrors": []})
    );
    let mine = app
        .ok_as(
            Some(&budi),
            "query($m: ID!) { mySubscription(memberId: $m) { status } }",
            json!({"m": member}),
        )
        .await;
    assert_eq!(mine["mySubscription"]["status"], "CONFIRMED");
    app.smtp.refuse("budi@desa.example", Mode::Accept);
    let fourth = settled(
        &app,
        alert(&app, m, "budi@desa.example", "Portal data desa IV").await,
    )
    .await;
    assert_eq!(fourth.status, DeliveryStatus::Sent);
    let listed = app
        .ok_as(Some(&office), BOUNCING, json!({"m": member}))
        .await;
    assert_eq!(listed["bouncingAddresses"], json!([]));
    app.stop().await;
}

async fn post(app: &TestApp, auth: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}/mail/bounces", app.base))
        .header("content-type", "message/rfc822")
        .body(body.to_owned());
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn notifications_posted_with_the_secret_count_once_and_hold_after_the_limit() {
    let app = spawn_app_with(Options {
        env: vec![
            ("TERBUKA_BOUNCE_LIMIT".into(), "2".into()),
            ("TERBUKA_BOUNCE_SECRET".into(), SECRET.into()),
        ],
        ..Default::default()
    })
    .await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let first = alert(&app, m, "warga@desa.example", "Portal data desa").await;
    settled(&app, first).await;
    let raw = dsn(POSTFIX, "warga@desa.example", first);

    // Without the secret, or with another: refused, nothing written.
    let bearer = format!("Bearer {SECRET}");
    assert_eq!(post(&app, None, &raw).await.0, 401);
    let (status, body) = post(&app, Some("Bearer not-the-secret"), &raw).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (401, "UNAUTHENTICATED")
    );
    // Not a notification: 422 with why, nothing written.
    let (status, body) = post(
        &app,
        Some(&bearer),
        "From: warga@desa.example\r\nSubject: Re: Pengingat\r\n\r\nSudah saya kerjakan.\r\n",
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (422, "NOT_A_DSN"),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 3464")
    );
    assert_eq!(bounces(&app).await, 0);

    let (status, body) = post(&app, Some(&bearer), &raw).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"delivery": first.to_string(), "bounces": [{"address": "warga@desa.example",
               "kind": "HARD", "counted": true, "held": false, "memberKnown": true}]})
    );
    // The mail server posts it again: nothing counts twice.
    let (_, again) = post(&app, Some(&bearer), &raw).await;
    assert_eq!(again["bounces"][0]["counted"], false);
    // A delay is soft and never holds.
    let (_, soft) = post(
        &app,
        Some(&bearer),
        &dsn(EXIM_DELAYED, "warga@desa.example", first),
    )
    .await;
    assert_eq!(
        (
            soft["bounces"][0]["kind"].as_str(),
            soft["bounces"][0]["held"].as_bool()
        ),
        (Some("SOFT"), Some(false))
    );
    // A second message bounces for good: held.
    let second = alert(&app, m, "warga@desa.example", "Portal data desa II").await;
    settled(&app, second).await;
    let (_, held) = post(
        &app,
        Some(&bearer),
        &dsn(POSTFIX, "warga@desa.example", second),
    )
    .await;
    assert_eq!(held["bounces"][0]["held"], true, "{held}");
    let listed = app.ok(BOUNCING, json!({"m": member})).await;
    let row = &listed["bouncingAddresses"][0];
    assert_eq!(
        (row["hardBounces"].as_i64(), row["softBounces"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(row["lastStatus"], "5.1.1");
    assert!(
        row["lastDiagnostic"]
            .as_str()
            .unwrap()
            .contains("User unknown")
    );
    assert_eq!(bounces(&app).await, 3);
    app.stop().await;

    // Without a secret configured the endpoint is off.
    let off = spawn_app().await;
    assert_eq!(post(&off, Some(&bearer), &raw).await.0, 404);
    off.stop().await;
}

#[tokio::test]
async fn notifications_delivered_to_a_maildir_are_read_and_kept() {
    let maildir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(Options {
        env: vec![
            ("TERBUKA_BOUNCE_LIMIT".into(), "2".into()),
            (
                "TERBUKA_BOUNCE_MAILDIR".into(),
                maildir.path().display().to_string(),
            ),
        ],
        ..Default::default()
    })
    .await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    for dir in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.path().join(dir)).unwrap();
    }
    // As a mail server delivers: written in tmp/, then moved into new/.
    let deliver = |name: &str, body: &str| {
        let tmp = maildir.path().join("tmp").join(name);
        std::fs::write(&tmp, body).unwrap();
        std::fs::rename(&tmp, maildir.path().join("new").join(name)).unwrap();
    };
    for (i, title) in ["Portal data desa", "Portal data desa II"]
        .iter()
        .enumerate()
    {
        let d = alert(&app, m, "warga@desa.example", title).await;
        settled(&app, d).await;
        deliver(
            &format!("1530497643.{i}.mx"),
            &dsn(POSTFIX, "warga@desa.example", d),
        );
    }
    deliver(
        "1530497643.9.mx",
        "From: a@desa.example\r\nSubject: hello\r\n\r\nNot a bounce.\r\n",
    );
    let cur = maildir.path().join("cur");
    let mut names = vec![];
    for _ in 0..400 {
        names = std::fs::read_dir(&cur)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        if names.len() == 3 && names.iter().all(|n| n.ends_with(",S") || n.ends_with(",F")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        names,
        [
            "1530497643.0.mx:2,S",
            "1530497643.1.mx:2,S",
            "1530497643.9.mx:2,F"
        ]
    );
    assert_eq!(
        std::fs::read_dir(maildir.path().join("new"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(bounces(&app).await, 2);
    let held = mail_bounce::Entity::find()
        .filter(mail_bounce::Column::Source.eq(BounceSource::Dsn))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(held, 2);
    let listed = app.ok(BOUNCING, json!({"m": member})).await;
    assert_eq!(listed["bouncingAddresses"][0]["held"], true);
    app.stop().await;
}
