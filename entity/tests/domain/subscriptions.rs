//! Subscriptions: double opt-in, the same answer for a known address, one-click unsubscribe
//! and the opt-out of role mail, each change audited as the public.

use chrono::Duration;
use entity::kernel::Actor;
use entity::kernel::edit::{Outcome, Receipt};
use entity::notify::{Address, CONFIRM_PURPOSE, UNSUBSCRIBE_PURPOSE, opt_out_subject};
use entity::participation::subscription::{self as subs, LinkOutcome, Subscribe};
use entity::subscription::{self, DigestFrequency, SubscriptionStatus, Topic};
use entity::{Lang, Problem, Problems, consent};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::TestDb;
use crate::fixtures::{self, audits, count, mails_to, now, signer};

fn ask(member: Uuid, email: &str) -> Subscribe {
    Subscribe {
        member,
        email: Address::parse(email).unwrap(),
        name: Some("Warga Kalitidu".into()),
        frequency: DigestFrequency::Weekly,
        topics: Topic::ALL.to_vec(),
        lang: Lang::Id,
    }
}

async fn row(t: &TestDb, email: &str) -> subscription::Model {
    subscription::Entity::find()
        .filter(subscription::Column::Email.eq(email))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_request_waits_for_its_link_and_a_retry_mails_nothing_twice() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let public = Actor::anonymous();
    let receipt = Receipt::new("public:x", "subscribe", Some("cm-1"), &"same input").unwrap();
    let mails = subs::subscribe(
        &t.db,
        &public,
        receipt.as_ref(),
        Some("req-1"),
        ask(m.id, " Warga@Example.ID "),
        now(),
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(mails.len(), 1);
    let s = row(&t, "warga@example.id").await;
    assert_eq!(s.status, SubscriptionStatus::Pending);
    assert_eq!(
        mails_to(&t.db, "warga@example.id").await,
        ["subscription:CONFIRM"]
    );
    assert_eq!(count::<consent::Entity, _>(&t.db).await, 1);
    let audit = audits(&t.db, s.id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor_id),
        ("CREATE", None)
    );
    assert_eq!(audit[0].request_id.as_deref(), Some("req-1"));
    assert!(
        audit[0].personal_fields.to_string().contains("email"),
        "the address is marked personal in the audit record: {}",
        audit[0].personal_fields
    );

    // The same request again (a retry): nothing new.
    let again = subs::subscribe(
        &t.db,
        &public,
        receipt.as_ref(),
        Some("req-2"),
        ask(m.id, "warga@example.id"),
        now(),
    )
    .await
    .ok()
    .unwrap();
    assert!(again.is_empty());
    assert_eq!(mails_to(&t.db, "warga@example.id").await.len(), 1);
    assert_eq!(audits(&t.db, s.id).await.len(), 1);
    t.finish().await;
}

#[tokio::test]
async fn the_link_confirms_once_and_a_confirmed_address_is_left_as_it_is() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let signer = signer();
    subs::subscribe(
        &t.db,
        &Actor::anonymous(),
        None,
        None,
        ask(m.id, "a@example.id"),
        now(),
    )
    .await
    .ok()
    .unwrap();
    let s = row(&t, "a@example.id").await;
    let token = signer.sign(
        CONFIRM_PURPOSE,
        &s.id.to_string(),
        entity::clock::real_now() + Duration::days(7),
    );
    let (outcome, mails) = subs::use_link(&t.db, &signer, CONFIRM_PURPOSE, &token, now())
        .await
        .unwrap();
    assert_eq!(outcome, LinkOutcome::Done(SubscriptionStatus::Confirmed));
    assert_eq!(mails.len(), 1);
    let (again, none) = subs::use_link(&t.db, &signer, CONFIRM_PURPOSE, &token, now())
        .await
        .unwrap();
    assert_eq!(again, LinkOutcome::Done(SubscriptionStatus::Confirmed));
    assert!(none.is_empty());
    // Someone asks again for a confirmed address: it stays confirmed; its mailbox is told.
    let mut other = ask(m.id, "a@example.id");
    other.frequency = DigestFrequency::Daily;
    subs::subscribe(
        &t.db,
        &Actor::anonymous(),
        None,
        None,
        other,
        now() + Duration::hours(1),
    )
    .await
    .ok()
    .unwrap();
    let after = row(&t, "a@example.id").await;
    assert_eq!(after.status, SubscriptionStatus::Confirmed);
    assert_eq!(after.frequency, DigestFrequency::Weekly);
    assert_eq!(
        mails_to(&t.db, "a@example.id").await,
        [
            "subscription:CONFIRM",
            "subscription:WELCOME",
            "subscription:ALREADY"
        ]
    );
    let actions: Vec<String> = audits(&t.db, s.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "CONFIRM"]);
    // A forged or foreign token is no link.
    let (bad, _) = subs::use_link(&t.db, &signer, CONFIRM_PURPOSE, "not-a-token", now())
        .await
        .unwrap();
    assert_eq!(bad, LinkOutcome::NoSuchLink);
    let wrong_purpose = signer.sign(
        UNSUBSCRIBE_PURPOSE,
        &s.id.to_string(),
        entity::clock::real_now() + Duration::days(7),
    );
    let (bad, _) = subs::use_link(&t.db, &signer, CONFIRM_PURPOSE, &wrong_purpose, now())
        .await
        .unwrap();
    assert_eq!(bad, LinkOutcome::NoSuchLink);
    t.finish().await;
}

#[tokio::test]
async fn unsubscribing_sticks_and_an_old_confirmation_cannot_undo_it() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let signer = signer();
    subs::subscribe(
        &t.db,
        &Actor::anonymous(),
        None,
        None,
        ask(m.id, "b@example.id"),
        now(),
    )
    .await
    .ok()
    .unwrap();
    let s = row(&t, "b@example.id").await;
    let later = entity::clock::real_now() + Duration::days(7);
    let confirm = signer.sign(CONFIRM_PURPOSE, &s.id.to_string(), later);
    let leave = signer.sign(UNSUBSCRIBE_PURPOSE, &s.id.to_string(), later);
    let (out, _) = subs::use_link(&t.db, &signer, UNSUBSCRIBE_PURPOSE, &leave, now())
        .await
        .unwrap();
    assert_eq!(out, LinkOutcome::Done(SubscriptionStatus::Unsubscribed));
    let (out, mails) = subs::use_link(&t.db, &signer, CONFIRM_PURPOSE, &confirm, now())
        .await
        .unwrap();
    assert_eq!(out, LinkOutcome::Done(SubscriptionStatus::Unsubscribed));
    assert!(mails.is_empty());
    assert_eq!(
        row(&t, "b@example.id").await.status,
        SubscriptionStatus::Unsubscribed
    );
    t.finish().await;
}

#[tokio::test]
async fn the_opt_out_of_role_mail_makes_an_unsubscribed_row_once() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let signer = signer();
    let token = signer.sign(
        UNSUBSCRIBE_PURPOSE,
        &opt_out_subject(m.id, "Sekretariat@Example.ID"),
        entity::clock::real_now() + Duration::days(400),
    );
    for _ in 0..2 {
        let (out, _) = subs::use_link(&t.db, &signer, UNSUBSCRIBE_PURPOSE, &token, now())
            .await
            .unwrap();
        assert_eq!(out, LinkOutcome::Done(SubscriptionStatus::Unsubscribed));
    }
    let s = row(&t, "sekretariat@example.id").await;
    assert_eq!(s.status, SubscriptionStatus::Unsubscribed);
    assert_eq!(count::<subscription::Entity, _>(&t.db).await, 1);
    let audit = audits(&t.db, s.id).await;
    assert_eq!(audit.len(), 1, "the second use changes nothing");
    assert_eq!(audit[0].action, "UNSUBSCRIBE");
    assert_eq!(audit[0].actor_id, None);
    // A member that is not there: no link, nothing written.
    let token = signer.sign(
        UNSUBSCRIBE_PURPOSE,
        &opt_out_subject(Uuid::now_v7(), "x@example.id"),
        entity::clock::real_now() + Duration::days(1),
    );
    let (out, _) = subs::use_link(&t.db, &signer, UNSUBSCRIBE_PURPOSE, &token, now())
        .await
        .unwrap();
    assert_eq!(out, LinkOutcome::NoSuchLink);
    assert_eq!(count::<subscription::Entity, _>(&t.db).await, 1);
    t.finish().await;
}

#[tokio::test]
async fn an_unknown_member_is_refused_and_nothing_is_written() {
    let t = TestDb::fresh().await;
    let refused = subs::subscribe(
        &t.db,
        &Actor::anonymous(),
        None,
        None,
        ask(Uuid::now_v7(), "c@example.id"),
        now(),
    )
    .await;
    let Err(Outcome::Refused(r)) = refused else {
        panic!("not refused");
    };
    assert_eq!(
        r.0,
        Problems::one(&["input", "memberId"], Problem::NotFound)
    );
    assert_eq!(count::<subscription::Entity, _>(&t.db).await, 0);
    assert_eq!(count::<entity::mail_delivery::Entity, _>(&t.db).await, 0);
    assert_eq!(count::<entity::audit_event::Entity, _>(&t.db).await, 0);
    // Without an account there is no "own" subscription.
    let mine = subs::update_mine(
        &t.db,
        &Actor::anonymous(),
        None,
        subs::UpdateMine {
            member: Uuid::now_v7(),
            frequency: DigestFrequency::Daily,
            topics: vec![],
            alerts_off: vec![],
            lang: Lang::Id,
        },
        now(),
    )
    .await
    .unwrap();
    assert!(mine.is_none());
    t.finish().await;
}

#[tokio::test]
async fn ones_own_subscription_is_confirmed_at_once_and_a_change_is_stored() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let set = |frequency, topics: Vec<Topic>| subs::UpdateMine {
        member: m.id,
        frequency,
        topics,
        alerts_off: vec![],
        lang: Lang::Id,
    };
    let first = subs::update_mine(
        &t.db,
        &team,
        None,
        set(DigestFrequency::Daily, vec![Topic::Deadlines]),
        now(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(first.status, SubscriptionStatus::Confirmed);
    subs::update_mine(
        &t.db,
        &team,
        None,
        set(DigestFrequency::None, Topic::ALL.to_vec()),
        now(),
    )
    .await
    .unwrap();
    let stored = row(&t, "tim@bojonegorokab.go.id").await;
    assert_eq!(
        (stored.frequency, stored.topics(), stored.version),
        (DigestFrequency::None, Topic::ALL.to_vec(), 2)
    );
    assert_eq!(
        count::<consent::Entity, _>(&t.db).await,
        1,
        "consent once, when made"
    );
    let actions: Vec<String> = audits(&t.db, first.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "UPDATE"]);
    assert!(mails_to(&t.db, "tim@bojonegorokab.go.id").await.is_empty());
    t.finish().await;
}
