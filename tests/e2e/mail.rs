//! The mailer end to end: a transactional message recorded, queued, delivered over SMTP to a
//! real server, read back with both parts and its headers; retried while the server refuses.

use std::time::Duration;

use entity::mail_delivery::{self, DeliveryStatus};
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;
use crate::smtp::Mode;

const SEND: &str = r#"mutation($input: SendTestEmailInput!) {
  sendTestEmail(input: $input) { deliveryId userErrors { field code message } } }"#;

async fn delivery(app: &TestApp, id: &str) -> mail_delivery::Model {
    mail_delivery::Entity::find_by_id(Uuid::parse_str(id).unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .expect("the delivery record exists")
}

async fn wait_status(app: &TestApp, id: &str, status: DeliveryStatus) -> mail_delivery::Model {
    for _ in 0..400 {
        let d = delivery(app, id).await;
        if d.status == status {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "delivery {id} never became {status:?}: {:?}",
        delivery(app, id).await
    );
}

#[tokio::test]
async fn a_transactional_mail_arrives_with_both_parts_and_its_headers() {
    let app = spawn_app().await;
    let data = app
        .ok(
            SEND,
            json!({"input": {"to": "Sekretariat.OGP@Bojonegorokab.go.id"}}),
        )
        .await;
    assert_eq!(data["sendTestEmail"]["userErrors"], json!([]));
    let id = data["sendTestEmail"]["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail.to,
        vec!["sekretariat.ogp@bojonegorokab.go.id".to_owned()]
    );
    assert_eq!(mail.subject(), "Email uji dari Pemerintahan Terbuka");
    assert!(
        mail.text().contains("pengiriman email sudah berjalan"),
        "{}",
        mail.text()
    );
    assert!(
        mail.text().contains("Rabu, 1 Agustus 2018 pukul 09.00 WIB"),
        "the set clock, in WIB: {}",
        mail.text()
    );
    assert!(
        mail.html()
            .contains("<strong>Pemerintahan Terbuka</strong>")
    );
    assert_eq!(mail.header("Content-Language").as_deref(), Some("id"));
    assert_eq!(
        mail.header("X-Terbuka-Delivery").as_deref(),
        Some(id.as_str())
    );
    assert_eq!(mail.header("Message-ID"), Some(format!("<{id}@terbuka>")));
    assert!(mail.header("From").unwrap().contains("noreply@localhost"));
    assert!(
        mail.header("List-Unsubscribe").is_none(),
        "transactional mail has no unsubscribe"
    );

    let d = wait_status(&app, &id, DeliveryStatus::Sent).await;
    assert_eq!(d.attempts, 1);
    assert!(d.sent_at.is_some() && d.lease_owner.is_none());
    // Nothing more arrives: sent once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.smtp.received().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn english_is_chosen_per_message_and_bad_addresses_are_refused() {
    let app = spawn_app().await;
    let res = app
        .ok(SEND, json!({"input": {"to": "not an address"}}))
        .await;
    let err = first_user_error(&res["sendTestEmail"]);
    assert_eq!(err["field"], json!(["input", "to"]));
    assert_eq!(err["code"], "INVALID");

    // The set clock moves; the message tells the time in WIB.
    app.clock
        .set(worker::config::parse_instant("2018-06-28T12:00+07:00").unwrap());
    app.ok(
        SEND,
        json!({"input": {"to": "irm@example.org", "lang": "EN"}}),
    )
    .await;
    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0].subject(), "Test email from Pemerintahan Terbuka");
    assert!(
        mails[0]
            .text()
            .contains("Thursday, 28 June 2018 at 12:00 WIB"),
        "{}",
        mails[0].text()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refusing_server_is_retried_with_backoff_and_a_permanent_refusal_ends_failed() {
    let app = spawn_app_with(Options {
        env: vec![("TERBUKA_MAIL_ATTEMPTS".into(), "4".into())],
        ..Default::default()
    })
    .await;
    app.smtp.set_mode(Mode::Transient);
    let data = app
        .ok(SEND, json!({"input": {"to": "kominfo@example.org"}}))
        .await;
    let id = data["sendTestEmail"]["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Wait for the first refusal, then let the server accept.
    for _ in 0..200 {
        if delivery(&app, &id).await.attempts >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let d = delivery(&app, &id).await;
    assert!(d.attempts >= 1 && d.last_error.is_some(), "{d:?}");
    app.smtp.set_mode(Mode::Accept);
    let d = wait_status(&app, &id, DeliveryStatus::Sent).await;
    assert!(d.attempts >= 2);
    assert_eq!(app.smtp.received().len(), 1);

    app.smtp.set_mode(Mode::Permanent);
    let data = app
        .ok(SEND, json!({"input": {"to": "nobody@example.org"}}))
        .await;
    let id = data["sendTestEmail"]["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = wait_status(&app, &id, DeliveryStatus::Failed).await;
    assert_eq!(d.attempts, 1, "a permanent refusal is not retried");
    assert!(d.last_error.unwrap().contains("550"));

    // Failed and visible to the operator, with the reason; retried once the mailbox exists.
    let failed = app
        .ok(
            r#"{ mailDeliveries(status: FAILED) { id recipient template status attempts lastError } }"#,
            json!({}),
        )
        .await;
    let row = &failed["mailDeliveries"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["recipient"], "nobody@example.org");
    assert!(row["lastError"].as_str().unwrap().contains("550"), "{row}");
    const RETRY: &str = r#"mutation($input: RetryMailDeliveryInput!) {
        retryMailDelivery(input: $input) { delivery { status attempts } userErrors { field code } } }"#;
    app.smtp.set_mode(Mode::Accept);
    let retried = app.ok(RETRY, json!({"input": {"id": id}})).await;
    assert_eq!(retried["retryMailDelivery"]["userErrors"], json!([]));
    assert_eq!(retried["retryMailDelivery"]["delivery"]["attempts"], 0);
    wait_status(&app, &id, DeliveryStatus::Sent).await;
    assert_eq!(app.smtp.received().len(), 2);
    // A message that did not fail is not retried.
    let again = app.ok(RETRY, json!({"input": {"id": id}})).await;
    assert_eq!(
        again["retryMailDelivery"]["userErrors"][0]["code"],
        "MAIL_NOT_FAILED"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_an_smtp_server_mail_is_written_to_the_outbox() {
    let app = spawn_app_with(Options {
        env: vec![("TERBUKA_SMTP_URL".into(), "".into())],
        ..Default::default()
    })
    .await;
    let data = app
        .ok(SEND, json!({"input": {"to": "ppid@example.org"}}))
        .await;
    let id = data["sendTestEmail"]["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_status(&app, &id, DeliveryStatus::Sent).await;
    let outbox = app.dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(raw.contains("Subject: Email uji dari Pemerintahan Terbuka"));
    assert!(raw.contains("To: ppid@example.org"));
    app.stop().await;
}

/// Makes the database refuse to record a delivery as sent (a stand-in for a disk that filled
/// between the SMTP conversation and its record), or takes that refusal away.
async fn refuse_recording_sent(app: &TestApp, refuse: bool) {
    use sea_orm::ConnectionTrait;
    let statements: &[&str] = match (on_postgres(), refuse) {
        (false, true) => &[
            "CREATE TRIGGER refuse_sent BEFORE UPDATE OF status ON mail_delivery \
             WHEN NEW.status = 'SENT' BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END",
        ],
        (false, false) => &["DROP TRIGGER refuse_sent"],
        (true, true) => &[
            "CREATE FUNCTION refuse_sent() RETURNS trigger AS $$ BEGIN \
             IF NEW.status = 'SENT' THEN RAISE EXCEPTION 'could not extend file (test)'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_sent BEFORE UPDATE ON mail_delivery \
             FOR EACH ROW EXECUTE FUNCTION refuse_sent()",
        ],
        (true, false) => &[
            "DROP TRIGGER refuse_sent ON mail_delivery",
            "DROP FUNCTION refuse_sent()",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
}

#[tokio::test]
async fn a_sent_message_whose_record_failed_is_recorded_when_the_database_recovers_and_sent_once() {
    let app = spawn_app().await;
    refuse_recording_sent(&app, true).await;
    let data = app
        .ok(SEND, json!({"input": {"to": "nuty@bojonegorokab.go.id"}}))
        .await;
    let id = data["sendTestEmail"]["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The SMTP server took it; the database would not say so.
    app.smtp.wait_for(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let held = delivery(&app, &id).await;
    assert_eq!(held.status, DeliveryStatus::Sending, "{held:?}");

    refuse_recording_sent(&app, false).await;
    // Recorded within seconds, not after the claim's two-minute lease, and not sent again.
    let sent = wait_status(&app, &id, DeliveryStatus::Sent).await;
    assert_eq!(sent.attempts, 1, "{sent:?}");
    assert!(sent.lease_owner.is_none(), "{sent:?}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let copies = app
        .smtp
        .received()
        .iter()
        .filter(|m| m.to == ["nuty@bojonegorokab.go.id"])
        .count();
    assert_eq!(copies, 1, "the message went out {copies} times");
    app.stop().await;
}

#[tokio::test]
async fn a_due_message_held_by_a_live_sender_whose_job_ended_is_queued_again() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app_with(Options {
        run_worker: false,
        ..Options::default()
    })
    .await;
    let mut ids = Vec::new();
    for to in [
        "nuty@bojonegorokab.go.id",
        "sekretariat@bojonegorokab.go.id",
    ] {
        let data = app.ok(SEND, json!({"input": {"to": to}})).await;
        ids.push(Uuid::parse_str(data["sendTestEmail"]["deliveryId"].as_str().unwrap()).unwrap());
    }
    // A live process holds both (its job picked them up), and its heart still beats; its job
    // for the first gave up on a storage error half a minute ago, the second is only late.
    let now = entity::clock::real_now();
    entity::worker_beat::beat(&app.db, "w-live", now)
        .await
        .unwrap();
    for (id, due) in ids.iter().zip([31, 10]) {
        let mut row: mail_delivery::ActiveModel = delivery(&app, &id.to_string()).await.into();
        row.lease_owner = Set(Some("w-live".into()));
        row.next_attempt_at = Set(now - chrono::Duration::seconds(due));
        row.update(&app.db).await.unwrap();
    }
    let again = worker::mail::stranded(&app.db, Duration::from_secs(30), 500)
        .await
        .unwrap();
    assert_eq!(again, vec![ids[0]], "queued again");
    let first = delivery(&app, &ids[0].to_string()).await;
    assert_eq!(first.status, DeliveryStatus::Pending);
    assert_eq!(first.lease_owner, None, "{first:?}");
    assert!(first.next_attempt_at >= now, "{first:?}");
    let second = delivery(&app, &ids[1].to_string()).await;
    assert_eq!(second.lease_owner.as_deref(), Some("w-live"));
    app.stop().await;
}
