//! Digests and deadline alerts from real worker processes (two at once on one database): one
//! digest per subscriber per period with both parts and the unsubscribe headers, the 30-day
//! alert for the 31 August 2018 deadline once — also across a restart — the next week's run
//! skipping an address that unsubscribed with one click, missed days caught up once each, and
//! a deadline counted in WIB days.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use entity::role_grant::Role;
use entity::subscription::{self, DigestFrequency, SubscriberKind, SubscriptionStatus};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use crate::foundation::create_member;
use crate::helpers::*;
use crate::smtp::Received;

/// Worker processes with the scheduler on, at `clock`.
fn workers(app: &TestApp, n: usize, clock: &str) -> Vec<Child> {
    workers_with(app, n, clock, &[])
}

fn workers_with(app: &TestApp, n: usize, clock: &str, extra: &[(&str, &str)]) -> Vec<Child> {
    (0..n)
        .map(|i| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_terbuka-test-worker"));
            for (k, v) in &app.env {
                cmd.env(k, v);
            }
            cmd.env("TERBUKA_SCHEDULER", "true")
                .env("TERBUKA_SCHEDULE_MS", "200")
                .env("TERBUKA_CLOCK", clock)
                .env("TERBUKA_WORKER_ID", format!("w{i}-{}", Uuid::now_v7()))
                .envs(extra.iter().copied())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            cmd.spawn().expect("the worker binary starts")
        })
        .collect()
}

fn stop(children: Vec<Child>) {
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
}

async fn subscribe(app: &TestApp, member: Uuid, email: &str, f: DigestFrequency, team: bool) {
    let now = Utc::now();
    subscription::Entity::insert(subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        email: Set(email.into()),
        name: Set(None),
        account_id: Set(None),
        audience: Set(if team {
            SubscriberKind::Team
        } else {
            SubscriberKind::Public
        }),
        frequency: Set(f),
        lang: Set("id".into()),
        topics: Set(json!([
            "PLAN_PROGRESS",
            "EVENTS_AND_INVITATIONS",
            "PUBLICATIONS",
            "DEADLINES"
        ])),
        alerts_off: Set(json!([])),
        status: Set(SubscriptionStatus::Confirmed),
        requested_at: Set(now),
        confirmed_at: Set(Some(now)),
        unsubscribed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
}

/// What a mail client does with a `List-Unsubscribe` header and `List-Unsubscribe-Post`
/// (RFC 8058): a POST of `List-Unsubscribe=One-Click` to the link, against this test server.
async fn one_click(app: &TestApp, header: &str) {
    let path = &header.trim_matches(['<', '>'])[header.find("/unsubscribe").unwrap() - 1..];
    let clicked = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
}

/// Waits until `n` mails arrived, then a little longer to see that no more come.
async fn settle(app: &TestApp, n: usize) -> Vec<Received> {
    app.smtp.wait_for(n, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.smtp.received()
}

fn by_kind(mails: &[Received]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for m in mails {
        let subject = m.subject();
        let kind = subject.split(" — ").next().unwrap_or_default().to_owned();
        *out.entry((m.to[0].clone(), kind)).or_insert(0) += 1;
    }
    out
}

/// A plan "Renaksi {title}" with one commitment and one milestone `title` ending on `ends_on`
/// (the responsible `people` set), then moved through the plan's steps up to `last`; the
/// milestone's id.
async fn plan_with_milestone(
    app: &TestApp,
    member: &str,
    title: &str,
    ends_on: &str,
    people: &[&str],
    last: &str,
) -> String {
    let (plan, v) = make(
        app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": format!("Renaksi {title}")}),
    )
    .await;
    let (commitment, _) = make(
        app,
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": plan, "title": format!("Komitmen {title}")}),
    )
    .await;
    let (milestone, mv) = make(
        app,
        "createMilestone",
        "CreateMilestoneInput",
        "milestone",
        json!({"commitmentId": commitment, "title": title, "endsOn": ends_on}),
    )
    .await;
    if !people.is_empty() {
        make(
            app,
            "setMilestonePeople",
            "SetResponsiblePeopleInput",
            "milestone",
            json!({"id": milestone, "version": mv, "personIds": people}),
        )
        .await;
    }
    walk_plan(app, &plan, v, last).await;
    milestone
}

/// Moves `plan` (at version `v`) through its steps from PLANNING up to `last`.
async fn walk_plan(app: &TestApp, plan: &str, mut v: i64, last: &str) {
    for to in [
        "CO_CREATION",
        "DRAFTING",
        "PUBLIC_REVIEW",
        "SUBMITTED",
        "IMPLEMENTING",
        "ENDED",
    ] {
        v = make(
            app,
            "transitionPlan",
            "TransitionPlanInput",
            "plan",
            json!({"id": plan, "version": v, "to": to}),
        )
        .await
        .1;
        if to == last {
            break;
        }
    }
}

/// Publishes an open invitation to `event` on the website.
async fn publish_invitation(app: &TestApp, event: &str) {
    let p = app
        .mutate_as(
            Some(&app.operator),
            "publishInvitation",
            "PublishInvitationInput",
            "userErrors { code }",
            json!({"eventId": event, "channels": ["WEBSITE"]}),
        )
        .await;
    assert_eq!(p["userErrors"], json!([]), "{p}");
}

/// A plan in public review due 31 August 2018, a public seminar on 6 August with an open
/// invitation.
async fn plan_and_event(app: &TestApp, member: &str) {
    let (plan, v) = make(
        app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi Pemerintahan Terbuka Bojonegoro 2018",
               "submissionDeadline": "2018-08-31"}),
    )
    .await;
    walk_plan(app, &plan, v, "PUBLIC_REVIEW").await;
    let (event, _) = make(
        app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "SEMINAR", "title": "Diskusi terbuka bersama Bupati terpilih",
               "isPublic": true, "startsAt": "2018-08-06T09:00:00+07:00"}),
    )
    .await;
    publish_invitation(app, &event).await;
}

#[tokio::test]
async fn two_workers_send_each_digest_and_alert_once_and_the_next_week_skips_the_unsubscribed() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    plan_and_event(&app, &member).await;
    for who in ["ani", "budi", "citra"] {
        subscribe(
            &app,
            m,
            &format!("{who}@example.org"),
            DigestFrequency::Weekly,
            false,
        )
        .await;
    }
    subscribe(
        &app,
        m,
        "tim@bojonegorokab.go.id",
        DigestFrequency::Daily,
        true,
    )
    .await;

    // Wednesday 1 August 2018, 09:00 WIB: this week's digest (from Monday 30 July), today's
    // daily one, and the 30-day alert for 31 August to the four who follow deadlines.
    let first = workers(&app, 2, "2018-08-01T09:00:00+07:00");
    let mails = settle(&app, 8).await;
    stop(first);
    let kinds = by_kind(&mails);
    assert_eq!(mails.len(), 8, "{kinds:?}");
    for who in ["ani", "budi", "citra"] {
        let to = format!("{who}@example.org");
        assert_eq!(
            kinds.get(&(
                to.clone(),
                "Ringkasan mingguan Pemerintahan Terbuka".to_owned()
            )),
            Some(&1),
            "{kinds:?}"
        );
        assert_eq!(
            kinds.get(&(
                to,
                "[Pengingat] Batas penyerahan rencana aksi: Renaksi Pemerintahan Terbuka Bojonegoro 2018".to_owned()
            )),
            Some(&1),
            "{kinds:?}"
        );
    }
    let digest = mails
        .iter()
        .find(|m| m.to[0] == "ani@example.org" && m.subject().starts_with("Ringkasan"))
        .unwrap();
    assert_eq!(
        digest.subject(),
        "Ringkasan mingguan Pemerintahan Terbuka — pekan Senin, 30 Juli 2018"
    );
    let text = digest.text();
    assert!(
        text.contains("30 hari lagi sampai batas penyerahan"),
        "{text}"
    );
    assert!(
        text.contains("Diskusi terbuka bersama Bupati terpilih — Senin, 6 Agustus 2018"),
        "{text}"
    );
    assert!(text.contains("(undangan terbuka)"), "{text}");
    assert!(digest.html().contains("<li>"));
    let header = digest.header("List-Unsubscribe").unwrap();
    assert_eq!(
        digest.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let alert = mails
        .iter()
        .find(|m| m.to[0] == "budi@example.org" && m.subject().starts_with("[Pengingat]"))
        .unwrap();
    assert!(
        alert.subject().ends_with("— 30 hari lagi"),
        "{}",
        alert.subject()
    );

    // The admin sees the three runs of the morning, each handled by one of the two workers.
    let runs = app
        .ok(
            "query($m: ID!) { scheduleRuns(memberId: $m) { key claimedBy doneAt mails } }",
            json!({"m": member}),
        )
        .await;
    let runs = runs["scheduleRuns"].as_array().unwrap();
    assert_eq!(runs.len(), 3, "{runs:?}");
    let mails_by_run: Vec<i64> = runs.iter().map(|r| r["mails"].as_i64().unwrap()).collect();
    assert_eq!(mails_by_run.iter().sum::<i64>(), 8, "{runs:?}");
    assert!(
        runs.iter()
            .all(|r| !r["doneAt"].is_null() && r["claimedBy"].as_str().unwrap().starts_with('w'))
    );

    // A restart on the same morning sends nothing again.
    let again = workers(&app, 1, "2018-08-01T09:00:00+07:00");
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop(again);
    assert_eq!(app.smtp.received().len(), 8);

    // Ani unsubscribes with one click.
    one_click(&app, &header).await;

    // A week later (the workers were down): next week's digest for Budi and Citra only, the
    // team's daily digests of the seven days missed, each once; no alert repeats (23 days
    // left is still the 30-day threshold).
    let later = workers(&app, 2, "2018-08-08T09:00:00+07:00");
    let mails = settle(&app, 8 + 2 + 7).await;
    stop(later);
    let new = &mails[8..];
    let kinds = by_kind(new);
    assert_eq!(new.len(), 9, "{kinds:?}");
    assert!(
        !new.iter().any(|m| m.to[0] == "ani@example.org"),
        "{kinds:?}"
    );
    assert_eq!(
        new.iter()
            .filter(|m| m.to[0] == "tim@bojonegorokab.go.id")
            .count(),
        7
    );
    app.stop().await;
}

#[tokio::test]
async fn a_deadline_is_counted_in_the_members_days_so_midnight_wib_is_not_a_day_off() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    app.account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    plan_and_event(&app, &member).await;
    // 1 August 2018 00:00 WIB is still 31 July in UTC: 30 days to 31 August here, 31 in UTC
    // (no threshold). The day's work is due from 00:00.
    let ws = workers_with(
        &app,
        1,
        "2018-08-01T00:00:00+07:00",
        &[("TERBUKA_DIGEST_HOUR", "0")],
    );
    let mails = app.smtp.wait_for(1, Duration::from_secs(60)).await;
    stop(ws);
    assert_eq!(mails[0].to, ["sekretariat@bojonegorokab.go.id"]);
    assert_eq!(
        mails[0].subject(),
        "[Pengingat] Batas penyerahan rencana aksi: Renaksi Pemerintahan Terbuka Bojonegoro 2018 — 30 hari lagi"
    );
    assert!(mails[0].text().contains("Jumat, 31 Agustus 2018"));
    app.stop().await;
}

/// An alert recorded for a deadline that has since been met (the plan was submitted) or moved
/// is cancelled when it comes to be sent, not sent.
#[tokio::test]
async fn an_alert_whose_deadline_was_met_or_moved_is_cancelled_not_sent() {
    use entity::mail_delivery::{self, DeliveryStatus, MailClass};
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (plan, mut v) = make(
        &app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi 2018", "submissionDeadline": "2018-08-31"}),
    )
    .await;
    let plan_id = api::graphql::ids::decode_as(&plan, "ActionPlan").unwrap();
    let mailer = crate::subscriptions::mailer(&app);
    let record = |date: &'static str| {
        let db = app.db.clone();
        async move {
            worker::mail::record(
                &db,
                worker::mail::NewMail {
                    dedupe_key: format!("test-alert:{}", Uuid::now_v7()),
                    class: MailClass::Alert,
                    member_id: None,
                    recipient: "sekretariat@bojonegorokab.go.id".into(),
                    lang: entity::Lang::Id,
                    template: "alert".into(),
                    context: json!({
                        "alert_kind": "SUBMISSION_DEADLINE",
                        "alert_check": {"kind": "SUBMISSION_DEADLINE", "id": plan_id.to_string(), "date": date},
                        "member": "Kabupaten Bojonegoro", "what": "Batas penyerahan rencana aksi",
                        "title": "Renaksi 2018", "date": date, "when": "30 hari lagi", "overdue": false,
                    }),
                },
            )
            .await
            .unwrap()
            .unwrap()
        }
    };
    let status = |id: Uuid| {
        let db = app.db.clone();
        async move {
            mail_delivery::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    // Still due: it goes out.
    let due = record("2018-08-31").await;
    mailer.deliver(&app.db, due).await.unwrap();
    assert_eq!(status(due).await, DeliveryStatus::Sent);
    // The deadline moved: the alert about the old date is cancelled.
    let moved = record("2018-08-24").await;
    mailer.deliver(&app.db, moved).await.unwrap();
    assert_eq!(status(moved).await, DeliveryStatus::Cancelled);
    // Submitted: no more alerts about the deadline.
    let pending = record("2018-08-31").await;
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
    mailer.deliver(&app.db, pending).await.unwrap();
    assert_eq!(status(pending).await, DeliveryStatus::Cancelled);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.smtp.received().len(), 1);
    app.stop().await;
}

/// Milestone and follow-up alerts go to the people responsible and to the secretariat, at the
/// threshold the date is in; an ended plan's milestones alert nobody.
#[tokio::test]
async fn milestone_and_follow_up_alerts_reach_the_people_responsible() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    app.account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    let person = app
        .ok(
            r#"mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { id } } }"#,
            json!({"i": {"memberId": member, "name": "Nuty", "email": "nuty@bojonegorokab.go.id"}}),
        )
        .await["createPerson"]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut milestones = vec![];
    for (title, last) in [
        ("Portal data terbuka", "IMPLEMENTING"),
        ("Kegiatan rencana lama", "ENDED"),
    ] {
        let milestone =
            plan_with_milestone(&app, &member, title, "2018-08-08", &[&person], last).await;
        milestones.push(milestone);
    }
    let (follow_up, fv) = make(
        &app,
        "createFollowUp",
        "CreateFollowUpInput",
        "followUp",
        json!({"memberId": member, "description": "Draf SK Tim Kemitraan ke Bagian Hukum", "dueOn": "2018-08-02"}),
    )
    .await;
    make(
        &app,
        "setFollowUpOwners",
        "SetFollowUpOwnersInput",
        "followUp",
        json!({"id": follow_up, "version": fv, "personIds": [person]}),
    )
    .await;

    // The secretariat's address also asked for the public digest and has not confirmed yet:
    // its role's alerts still come.
    subscribe(
        &app,
        m,
        "sekretariat@bojonegorokab.go.id",
        DigestFrequency::Weekly,
        false,
    )
    .await;
    subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Status,
            sea_orm::sea_query::Expr::value(SubscriptionStatus::Pending),
        )
        .exec(&app.db)
        .await
        .unwrap();

    let ws = workers(&app, 1, "2018-08-01T09:00:00+07:00");
    let mails = settle(&app, 4).await;
    stop(ws);
    let mut got: Vec<(String, String)> = mails
        .iter()
        .map(|m| (m.to[0].clone(), m.subject()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "nuty@bojonegorokab.go.id".to_owned(),
                "[Pengingat] Tenggat kegiatan: Portal data terbuka — 7 hari lagi".to_owned()
            ),
            (
                "nuty@bojonegorokab.go.id".to_owned(),
                "[Pengingat] Tenggat tindak lanjut: Draf SK Tim Kemitraan ke Bagian Hukum — besok"
                    .to_owned()
            ),
            (
                "sekretariat@bojonegorokab.go.id".to_owned(),
                "[Pengingat] Tenggat kegiatan: Portal data terbuka — 7 hari lagi".to_owned()
            ),
            (
                "sekretariat@bojonegorokab.go.id".to_owned(),
                "[Pengingat] Tenggat tindak lanjut: Draf SK Tim Kemitraan ke Bagian Hukum — besok"
                    .to_owned()
            ),
        ]
    );
    // None of them has a subscription row, and each alert still carries one-click unsubscribe
    // (RFC 8058) and a link to its record in the admin app.
    for m in &mails {
        assert!(m.header("List-Unsubscribe").is_some(), "{}", m.subject());
        assert_eq!(
            m.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(
            m.text()
                .contains("Berhenti berlangganan: http://terbuka.test/unsubscribe?token=")
        );
    }
    let milestone_alert = mails
        .iter()
        .find(|m| m.to[0] == "nuty@bojonegorokab.go.id" && m.subject().contains("Portal data"))
        .unwrap();
    let link = format!("http://terbuka.test/milestones/{}", milestones[0]);
    assert!(
        milestone_alert.text().contains(&link),
        "{}",
        milestone_alert.text()
    );
    // The HTML part links it too (minijinja writes `/` as `&#x2f;` inside the attribute).
    let html = milestone_alert.html().replace("&#x2f;", "/");
    assert!(
        html.contains(&format!("<a href=\"{link}\">Buka di aplikasi")),
        "{html}"
    );
    let follow_up_alert = mails
        .iter()
        .find(|m| m.subject().contains("tindak lanjut"))
        .unwrap();
    assert!(
        follow_up_alert
            .text()
            .contains(&format!("http://terbuka.test/follow-ups/{follow_up}"))
    );

    // Nuty uses the one-click header: no alert of the member reaches her again; the
    // secretariat still gets the next thresholds (the milestone's day before, the follow-up
    // overdue).
    let header = milestone_alert.header("List-Unsubscribe").unwrap();
    one_click(&app, &header).await;
    let ws = workers(&app, 1, "2018-08-07T09:00:00+07:00");
    let mails = settle(&app, 6).await;
    stop(ws);
    let later: Vec<(String, String)> = mails[4..]
        .iter()
        .map(|m| (m.to[0].clone(), m.subject()))
        .collect();
    assert_eq!(later.len(), 2, "{later:?}");
    assert!(
        later
            .iter()
            .all(|(to, _)| to == "sekretariat@bojonegorokab.go.id"),
        "{later:?}"
    );
    app.stop().await;
}

/// OGP requirements about to lapse reach the secretariat: the minutes of a meeting held last
/// week are due tomorrow; a public event in nine days still has no invitation (due 14 days
/// before, so already late).
#[tokio::test]
async fn lapsing_ogp_requirements_alert_the_secretariat() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    app.account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    let (held, v) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "PUBLIC_CONSULTATION", "title": "Konsultasi publik Renaksi",
               "isPublic": true, "startsAt": "2018-07-26T09:00:00+07:00"}),
    )
    .await;
    make(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        json!({"id": held, "version": v, "to": "HELD"}),
    )
    .await;
    make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "SEMINAR", "title": "Seminar keterbukaan", "isPublic": true,
               "startsAt": "2018-08-10T09:00:00+07:00"}),
    )
    .await;
    let ws = workers(&app, 1, "2018-08-01T09:00:00+07:00");
    let mails = settle(&app, 2).await;
    stop(ws);
    let mut subjects: Vec<String> = mails.iter().map(|m| m.subject()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "[Pengingat] Ketentuan OGP: Notulen \"Konsultasi publik Renaksi\" (Kamis, 26 Juli 2018) — besok",
            "[Pengingat] Ketentuan OGP: Undangan terbuka \"Seminar keterbukaan\" (Jumat, 10 Agustus 2018) — lewat 5 hari",
        ]
    );
    assert!(
        mails
            .iter()
            .all(|m| m.to == ["sekretariat@bojonegorokab.go.id"])
    );
    app.stop().await;
}

/// Recipients of the messages the worker processes (named `w…`) hold and have not sent: being
/// sent only, or waiting in their jobs too.
async fn held_by_workers(app: &TestApp, sending_only: bool) -> std::collections::BTreeSet<String> {
    use entity::mail_delivery::{self, DeliveryStatus};
    mail_delivery::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| {
            let state = if sending_only {
                d.status == DeliveryStatus::Sending
            } else {
                d.status != DeliveryStatus::Sent
            };
            state && d.lease_owner.as_deref().is_some_and(|o| o.starts_with('w'))
        })
        .map(|d| d.recipient)
        .collect()
}

/// kill -9 at random moments during a 2,000-recipient digest run, then a restart, all with the
/// default leases: every recipient gets the digest, duplicates — counted per kill and printed —
/// are at most kills × messages in flight, and the restarted process takes the dead ones'
/// claims at once (they stopped beating), so the last delivery follows the last restart
/// within seconds instead of a lease later.
#[tokio::test]
async fn kill_9_during_a_2000_recipient_run_loses_nothing_and_duplicates_are_bounded() {
    const RECIPIENTS: usize = 2_000;
    const KILLS: usize = 5;
    const IN_FLIGHT: usize = 8;
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    plan_and_event(&app, &member).await;
    let now = Utc::now();
    for chunk in (0..RECIPIENTS).collect::<Vec<_>>().chunks(250) {
        subscription::Entity::insert_many(chunk.iter().map(|n| subscription::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(m),
            email: Set(format!("warga{n:04}@example.org")),
            name: Set(None),
            account_id: Set(None),
            audience: Set(SubscriberKind::Public),
            frequency: Set(DigestFrequency::Weekly),
            lang: Set("id".into()),
            topics: Set(json!(["EVENTS_AND_INVITATIONS"])),
            alerts_off: Set(json!([])),
            status: Set(SubscriptionStatus::Confirmed),
            requested_at: Set(now),
            confirmed_at: Set(Some(now)),
            unsubscribed_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }))
        .exec_without_returning(&app.db)
        .await
        .unwrap();
    }
    let extra = [("TERBUKA_MAIL_CONCURRENCY", "8")];
    let clock = "2018-08-01T09:00:00+07:00";
    // Kill at pseudo-random moments (a fixed seed, printed, so a failure can be replayed).
    let seed = Utc::now().timestamp_subsec_nanos() as u64;
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut in_flight_at_kill: Vec<std::collections::BTreeSet<String>> = Vec::new();
    for k in 0..KILLS {
        let ws = workers_with(&app, 1, clock, &extra);
        // Kill while mail is going out: once the run is past another few hundred messages
        // (or 20 s), after a random extra moment.
        let mark = app.smtp.received().len() + 150;
        for _ in 0..400 {
            if app.smtp.received().len() >= mark {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let wait = next() % 400;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        stop(ws);
        // What the killed process was sending: the messages a duplicate can come from.
        let sending: std::collections::BTreeSet<String> = held_by_workers(&app, true)
            .await
            .into_iter()
            .filter(|r| !in_flight_at_kill.iter().any(|k| k.contains(r)))
            .collect();
        in_flight_at_kill.push(sending);
        let received = app.smtp.received();
        let distinct: std::collections::BTreeSet<&str> =
            received.iter().map(|m| m.to[0].as_str()).collect();
        println!(
            "kill {} (+{wait} ms): {} mails so far, {} duplicates so far",
            k + 1,
            received.len(),
            received.len() - distinct.len()
        );
    }
    // What the killed processes held when they died: messages they were sending, and messages
    // waiting in the jobs they had taken (worker processes here are named `w…`).
    let held_by_dead = held_by_workers(&app, false).await;
    let restarted = std::time::Instant::now();
    let ws = workers_with(&app, 1, clock, &extra);
    let mut distinct = std::collections::BTreeMap::<String, usize>::new();
    let mut recovered = None;
    for _ in 0..2400 {
        distinct.clear();
        for mail in app.smtp.received() {
            *distinct.entry(mail.to[0].clone()).or_insert(0) += 1;
        }
        if recovered.is_none() && held_by_dead.iter().all(|r| distinct.contains_key(r)) {
            recovered = Some(restarted.elapsed());
        }
        if distinct.len() >= RECIPIENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last_delivery = restarted.elapsed();
    let recovered = recovered.unwrap_or(last_delivery);
    println!(
        "after the last restart: the {} messages the killed processes held delivered in {recovered:?}, the last of all in {last_delivery:?}",
        held_by_dead.len()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop(ws);
    let total = app.smtp.received().len();
    let duplicates = total - distinct.len();
    println!(
        "kill -9 run (seed {seed}): {KILLS} kills, {} recipients reached of {RECIPIENTS}, {total} messages, {duplicates} duplicates; last delivery {last_delivery:?} after the last restart",
        distinct.len()
    );
    for (k, sending) in in_flight_at_kill.iter().enumerate() {
        let twice = sending
            .iter()
            .filter(|r| distinct.get(*r).is_some_and(|n| *n > 1))
            .count();
        println!(
            "kill {}: {} messages in flight, {twice} of them delivered twice",
            k + 1,
            sending.len()
        );
    }
    // A message sent twice says so: the attempt in flight when its sender died counts.
    {
        use entity::mail_delivery;
        use sea_orm::{ColumnTrait, QueryFilter};
        let twice = mail_delivery::Entity::find()
            .filter(mail_delivery::Column::Attempts.gte(2))
            .all(&app.db)
            .await
            .unwrap()
            .len();
        println!("{twice} messages record two attempts or more");
        assert!(
            twice >= duplicates.min(1),
            "a duplicate left no trace in attempts"
        );
    }
    assert_eq!(distinct.len(), RECIPIENTS, "a recipient was lost");
    assert!(
        duplicates <= KILLS * IN_FLIGHT,
        "{duplicates} duplicates > {KILLS} kills × {IN_FLIGHT} in flight"
    );
    // The default mail lease is 120 s (and the queue's orphan time as long): what the killed
    // processes held went out within seconds of the restart, because they stopped beating.
    assert!(
        recovered < Duration::from_secs(10),
        "the killed processes' messages went out {recovered:?} after the last restart"
    );
    app.stop().await;
}

/// The SMTP server refuses for a while: the digest is retried with backoff and delivered once
/// the server is back.
#[tokio::test]
async fn a_digest_waits_out_an_smtp_outage_and_arrives_once() {
    use entity::mail_delivery::{self, DeliveryStatus};
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    plan_and_event(&app, &member).await;
    subscribe(&app, m, "ani@example.org", DigestFrequency::Weekly, false).await;
    app.smtp.set_mode(crate::smtp::Mode::Transient);
    let ws = workers(&app, 1, "2018-08-01T09:00:00+07:00");
    let digest = || async {
        mail_delivery::Entity::find()
            .filter(mail_delivery::Column::Template.eq("digest"))
            .one(&app.db)
            .await
            .unwrap()
    };
    let mut refused = None;
    for _ in 0..600 {
        if let Some(d) = digest().await
            && d.attempts >= 2
        {
            refused = Some(d);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = refused.expect("the digest was tried while the server refused");
    assert_eq!(refused.status, DeliveryStatus::Pending);
    assert!(refused.last_error.unwrap().contains("451"));
    assert!(
        app.smtp
            .received()
            .iter()
            .all(|m| !m.subject().starts_with("Ringkasan"))
    );
    app.smtp.set_mode(crate::smtp::Mode::Accept);
    let mails = settle(&app, 2).await;
    stop(ws);
    let digests: Vec<_> = mails
        .iter()
        .filter(|m| m.subject().starts_with("Ringkasan"))
        .collect();
    assert_eq!(digests.len(), 1);
    let d = digest().await.unwrap();
    assert_eq!(d.status, DeliveryStatus::Sent);
    assert!(d.attempts >= 3, "{d:?}");
    app.stop().await;
}

/// A digest lists the overdue milestones of plans still being carried out, never those of a
/// plan that ended (every day, the assessed 2016–2017 plan's nine milestones came as "overdue"
/// news), and every open invitation until its registration closes, however far ahead its event
/// is (one published three weeks before its event never appeared).
#[tokio::test]
async fn a_digest_leaves_out_ended_plans_and_shows_far_invitations() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    for (title, last) in [
        ("Kegiatan yang sedang berjalan", "IMPLEMENTING"),
        ("Kegiatan rencana lama", "ENDED"),
    ] {
        plan_with_milestone(&app, &member, title, "2018-07-25", &[], last).await;
    }
    // A public hearing three weeks ahead, its invitation out today.
    let (event, _) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "PUBLIC_CONSULTATION", "title": "Konsultasi publik Renaksi 2018",
               "isPublic": true, "startsAt": "2018-08-22T09:00:00+07:00"}),
    )
    .await;
    publish_invitation(&app, &event).await;
    subscribe(&app, m, "warga@example.org", DigestFrequency::Daily, false).await;
    let ws = workers(&app, 1, "2018-08-01T09:00:00+07:00");
    let mails = settle(&app, 1).await;
    stop(ws);
    let digest = mails
        .iter()
        .find(|m| m.to[0] == "warga@example.org" && m.subject().starts_with("Ringkasan"))
        .expect("the daily digest");
    let text = digest.text();
    assert!(text.contains("Kegiatan yang sedang berjalan"), "{text}");
    assert!(!text.contains("Kegiatan rencana lama"), "{text}");
    assert!(text.contains("Konsultasi publik Renaksi 2018"), "{text}");
    assert!(text.contains("undangan terbuka"), "{text}");
    // Its Date is the story's day (the domain clock), as every date it mentions is.
    let date = digest.header("Date").unwrap_or_default();
    assert!(date.contains("1 Aug 2018"), "{date}");
    app.stop().await;
}

/// A plan that ended with milestones left open: on its dashboard (and so in its monev report)
/// they are NOT_COMPLETED, not "late" every day after; nothing of it is overdue or due. A
/// running plan's past-due milestone is still DELAYED.
#[tokio::test]
async fn an_ended_plans_open_milestones_are_not_completed_not_late() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let ended =
        plan_with_milestone(&app, &member, "Rencana lama", "2017-06-30", &[], "ENDED").await;
    let running = plan_with_milestone(
        &app,
        &member,
        "Portal data",
        "2018-07-20",
        &[],
        "IMPLEMENTING",
    )
    .await;
    let q = "query($id: ID!) { milestone: node(id: $id) { ... on Milestone { state commitment { plan { id } } } } }";
    let plan_of = |v: &serde_json::Value| v["milestone"]["commitment"]["plan"]["id"].clone();
    let e = app.ok(q, json!({"id": ended})).await;
    let r = app.ok(q, json!({"id": running})).await;
    assert_eq!(e["milestone"]["state"], "NOT_COMPLETED");
    assert_eq!(r["milestone"]["state"], "DELAYED");
    let dash = "query($p: ID!) { planDashboard(planId: $p) { overdueMilestones nextDeadline
        counts { notStarted inProgress delayed notCompleted } commitments { overdue { title } } } }";
    let d = app.ok(dash, json!({"p": plan_of(&e)})).await["planDashboard"].clone();
    assert_eq!(d["overdueMilestones"], 0, "{d}");
    assert_eq!(d["nextDeadline"], serde_json::Value::Null);
    assert_eq!(
        d["counts"],
        json!({"notStarted": 0, "inProgress": 0, "delayed": 0, "notCompleted": 1})
    );
    assert_eq!(d["commitments"][0]["overdue"], json!([]));
    let d = app.ok(dash, json!({"p": plan_of(&r)})).await["planDashboard"].clone();
    assert_eq!(d["overdueMilestones"], 1, "{d}");
    assert_eq!(d["counts"]["delayed"], 1);
    assert_eq!(d["counts"]["notCompleted"], 0);
    app.stop().await;
}
