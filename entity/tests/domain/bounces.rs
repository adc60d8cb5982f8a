//! Bounces: real delivery-status notifications (a Postfix "user unknown", an Exim "delayed")
//! counted per member and address; the limit holds the address (subscription SUSPENDED,
//! audited), soft bounces never do, the same notification counts once; an alert to a held
//! address goes to the secretariat with a note; an admin clears it; erasure forgets it.

use entity::kernel::{Act, Actor};
use entity::mail_bounce::{self, BounceKind};
use entity::mail_delivery::{self, MailClass};
use entity::notify::bounce::{self, Recorded};
use entity::notify::{self, NewMail};
use entity::participation::subscription::{self as subs, UpdateMine};
use entity::role_grant::Role;
use entity::subscription::{self, DigestFrequency, SubscriptionStatus, Topic};
use entity::{Lang, Problem, bouncing_address};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, denied, refused};

const POSTFIX: &str = include_str!("../dsn/postfix-user-unknown.eml");
const EXIM_DELAYED: &str = include_str!("../dsn/exim-delayed.eml");

fn dsn(template: &str, rcpt: &str, delivery: Uuid) -> Vec<u8> {
    template
        .replace("{RCPT}", rcpt)
        .replace("{DELIVERY}", &delivery.to_string())
        .into_bytes()
}

/// A message of `member` to `to`, recorded (as the worker would before sending it).
async fn mail(db: &DatabaseConnection, member: Uuid, to: &str, class: MailClass) -> Uuid {
    notify::record(
        db,
        NewMail {
            dedupe_key: format!("test:{}", Uuid::now_v7()),
            class,
            member_id: Some(member),
            recipient: to.to_owned(),
            lang: Lang::Id,
            template: "alert".into(),
            context: json!({"name": "Pak Budi", "what": "Tenggat kegiatan", "title": "Portal data desa"}),
        },
    )
    .await
    .unwrap()
    .unwrap()
}

async fn counted(db: &DatabaseConnection, raw: &[u8]) -> Vec<Recorded> {
    bounce::from_dsn(db, raw, 3, now())
        .await
        .unwrap()
        .expect("a notification")
        .bounces
}

async fn subscription_of(db: &DatabaseConnection, email: &str) -> subscription::Model {
    subscription::Entity::find()
        .filter(subscription::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn three_hard_bounces_hold_the_address_and_the_same_report_counts_once() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let budi = fixtures::team_actor(&t.db, &m, "budi@desa.example").await;
    subs::update_mine(
        &t.db,
        &budi,
        None,
        UpdateMine {
            member: m.id,
            frequency: DigestFrequency::Weekly,
            topics: Topic::ALL.to_vec(),
            alerts_off: vec![],
            lang: Lang::Id,
        },
        now(),
    )
    .await
    .unwrap();

    let first = mail(&t.db, m.id, "budi@desa.example", MailClass::Digest).await;
    let raw = dsn(POSTFIX, "Budi@Desa.example", first);
    let got = counted(&t.db, &raw).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (
            got[0].address.as_str(),
            got[0].kind,
            got[0].member,
            got[0].counted,
            got[0].held
        ),
        (
            "budi@desa.example",
            BounceKind::Hard,
            Some(m.id),
            true,
            false
        )
    );
    // The mail server posts it again (or it is read again from the maildir): nothing new.
    let again = counted(&t.db, &raw).await;
    assert!(!again[0].counted, "{again:?}");
    assert_eq!(count::<mail_bounce::Entity, _>(&t.db).await, 1);

    // A delayed notification is soft: counted, never holding.
    let soft = counted(&t.db, &dsn(EXIM_DELAYED, "budi@desa.example", first)).await;
    assert_eq!((soft[0].kind, soft[0].held), (BounceKind::Soft, false));

    for _ in 0..2 {
        let next = mail(&t.db, m.id, "budi@desa.example", MailClass::Digest).await;
        counted(&t.db, &dsn(POSTFIX, "budi@desa.example", next)).await;
    }
    let row = bounce::held(&t.db, m.id, "BUDI@desa.example")
        .await
        .unwrap()
        .expect("held after three hard bounces");
    assert_eq!((row.hard_bounces, row.soft_bounces), (3, 1));
    assert_eq!(row.last_status.as_deref(), Some("5.1.1"));
    assert!(
        row.last_diagnostic
            .as_deref()
            .unwrap()
            .contains("User unknown in virtual mailbox table"),
        "{row:?}"
    );
    let s = subscription_of(&t.db, "budi@desa.example").await;
    assert_eq!(s.status, SubscriptionStatus::Suspended);
    let actions: Vec<String> = audits(&t.db, s.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "SUSPEND"]);
    assert_eq!(
        audits(&t.db, row.id).await[0].request_id.as_deref(),
        Some("mail-bounce")
    );
    // Setting preferences does not lift the hold.
    subs::update_mine(
        &t.db,
        &budi,
        None,
        UpdateMine {
            member: m.id,
            frequency: DigestFrequency::Daily,
            topics: Topic::ALL.to_vec(),
            alerts_off: vec![],
            lang: Lang::Id,
        },
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        subscription_of(&t.db, "budi@desa.example").await.status,
        SubscriptionStatus::Suspended
    );
    t.finish().await;
}

#[tokio::test]
async fn soft_bounces_never_hold_an_address() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    for _ in 0..10 {
        let d = mail(&t.db, m.id, "ani@desa.example", MailClass::Digest).await;
        counted(&t.db, &dsn(EXIM_DELAYED, "ani@desa.example", d)).await;
    }
    let rows = bounce::list(&t.db, m.id, false, 10).await.unwrap();
    assert_eq!((rows[0].soft_bounces, rows[0].hard_bounces), (10, 0));
    assert!(rows[0].suspended_at.is_none());
    assert!(
        bounce::list(&t.db, m.id, true, 10)
            .await
            .unwrap()
            .is_empty()
    );
    t.finish().await;
}

#[tokio::test]
async fn a_notification_without_our_headers_counts_for_the_member_that_last_wrote() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    mail(&t.db, m.id, "warga@desa.example", MailClass::Digest).await;
    // The returned headers cut off: no delivery named.
    let raw = String::from_utf8(dsn(POSTFIX, "warga@desa.example", Uuid::nil()))
        .unwrap()
        .replace(&format!("Message-ID: <{}@terbuka>\r\n", Uuid::nil()), "")
        .replace(&format!("X-Terbuka-Delivery: {}\r\n", Uuid::nil()), "");
    let n = bounce::from_dsn(&t.db, raw.as_bytes(), 3, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.delivery, None);
    assert_eq!(n.bounces[0].member, Some(m.id));
    // Not a notification at all: refused, nothing written.
    let letter = b"From: a@desa.example\r\nSubject: Re: undangan\r\n\r\nTerima kasih.\r\n";
    assert!(
        bounce::from_dsn(&t.db, letter, 3, now())
            .await
            .unwrap()
            .is_err()
    );
    assert_eq!(count::<mail_bounce::Entity, _>(&t.db).await, 1);
    t.finish().await;
}

#[tokio::test]
async fn an_alert_to_a_held_address_goes_to_the_office_with_a_note_and_an_admin_clears_it() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let admin = fixtures::team_actor(&t.db, &m, "kominfo@bojonegorokab.go.id").await;
    let secretariat = fixtures::actor(
        &t.db,
        "sekretariat@bojonegorokab.go.id",
        false,
        m.id,
        &[Role::Secretariat],
    )
    .await;
    let mut last = Uuid::nil();
    for _ in 0..3 {
        last = mail(&t.db, m.id, "budi@desa.example", MailClass::Alert).await;
        counted(&t.db, &dsn(POSTFIX, "budi@desa.example", last)).await;
    }
    let hold = bounce::held(&t.db, m.id, "budi@desa.example")
        .await
        .unwrap()
        .unwrap();
    let alert = mail_delivery::Entity::find_by_id(last)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let ids = bounce::divert(&t.db, &alert, &hold).await.unwrap();
    assert_eq!(ids.len(), 2, "the admin and the secretariat");
    let copies = mail_delivery::Entity::find()
        .filter(mail_delivery::Column::Id.is_in(ids.clone()))
        .all(&t.db)
        .await
        .unwrap();
    let mut to: Vec<&str> = copies.iter().map(|c| c.recipient.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "kominfo@bojonegorokab.go.id",
            "sekretariat@bojonegorokab.go.id"
        ]
    );
    for c in &copies {
        assert_eq!(c.context["bounced_for"]["address"], "budi@desa.example");
        assert_eq!(c.context["bounced_for"]["name"], "Pak Budi");
        assert_eq!(c.context["bounced_for"]["bounces"], 3);
        // A copy is never diverted again.
        assert!(bounce::divert(&t.db, c, &hold).await.unwrap().is_empty());
    }
    // Diverting the same alert again records nothing new.
    assert!(
        bounce::divert(&t.db, &alert, &hold)
            .await
            .unwrap()
            .is_empty()
    );

    // Only an admin clears; the secretariat sees the list but may not.
    let act = |actor: &'static Actor| Act {
        db: (&t.db).into(),
        actor,
        request_id: Some("req-clear"),
        now: now(),
    };
    let secretariat: &'static Actor = Box::leak(Box::new(secretariat));
    denied(bounce::clear(&act(secretariat), m.id, "budi@desa.example").await);
    let admin: &'static Actor = Box::leak(Box::new(admin));
    let problems = refused(bounce::clear(&act(admin), m.id, "nobody@desa.example").await);
    assert_eq!(problems.0[0].problem, Problem::NotFound);
    let cleared = bounce::clear(&act(admin), m.id, " Budi@desa.example ")
        .await
        .ok()
        .unwrap();
    assert_eq!(cleared.before.hard_bounces, 3);
    assert!(
        bounce::held(&t.db, m.id, "budi@desa.example")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(count::<bouncing_address::Entity, _>(&t.db).await, 0);
    // The reports stay; the clearing is audited as the admin.
    assert_eq!(count::<mail_bounce::Entity, _>(&t.db).await, 3);
    let audit = audits(&t.db, cleared.before.id).await;
    assert_eq!(audit.last().unwrap().action, "CLEAR");
    assert_eq!(audit.last().unwrap().actor_id, admin.account_id());
    t.finish().await;
}

#[tokio::test]
async fn erasing_a_citizen_forgets_their_bounces() {
    use entity::participation::citizen;
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let d = mail(&t.db, m.id, "warga@desa.example", MailClass::Digest).await;
    counted(&t.db, &dsn(POSTFIX, "warga@desa.example", d)).await;
    let other = mail(&t.db, m.id, "lain@desa.example", MailClass::Digest).await;
    counted(&t.db, &dsn(POSTFIX, "lain@desa.example", other)).await;
    assert_eq!(count::<mail_bounce::Entity, _>(&t.db).await, 2);
    let mut admin = fixtures::team_actor(&t.db, &m, "admin@bojonegorokab.go.id").await;
    admin.roles = vec![(m.id, Role::Admin)];
    let act = Act {
        db: (&t.db).into(),
        actor: &admin,
        request_id: None,
        now: now(),
    };
    let signer = fixtures::signer();
    let links = entity::participation::registration::Links {
        public_url: "https://terbuka.bojonegorokab.go.id",
        signer: &signer,
    };
    citizen::erase(&act, &links, m.id, "warga@desa.example", Some("surat"))
        .await
        .ok()
        .unwrap();
    let left: Vec<String> = mail_bounce::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.address)
        .collect();
    assert_eq!(left, ["lain@desa.example"]);
    let held: Vec<String> = bounce::list(&t.db, m.id, false, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.address)
        .collect();
    assert_eq!(held, ["lain@desa.example"]);
    t.finish().await;
}
