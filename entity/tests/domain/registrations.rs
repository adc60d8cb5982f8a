//! Registrations: seats while there are any, then the waitlist in the order people came, the
//! first waiting moved up when a seat frees, under concurrent requests.

use entity::kernel::Actor;
use entity::notify::LINK_PURPOSE;
use entity::participation::registration::{self as reg, Cancelled, Links, Register};
use entity::registration::{self, RegistrationStatus};
use entity::{Lang, Problem, Problems, Refusal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::TestDb;
use crate::fixtures::{self, audits, now, signer};

fn person(event: uuid::Uuid, i: usize) -> Register {
    Register {
        event_id: event,
        name: format!("Peserta {i}"),
        email: format!("peserta{i}@example.id"),
        organisation: Some("Karang Taruna".into()),
        lang: Lang::Id,
    }
}

async fn by_status(t: &TestDb, event: uuid::Uuid) -> Vec<(String, RegistrationStatus)> {
    registration::Entity::find()
        .filter(registration::Column::EventId.eq(event))
        .order_by_asc(registration::Column::Id)
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.email, r.status))
        .collect()
}

#[tokio::test]
async fn twelve_at_once_for_five_seats_take_five_and_wait_seven_in_order() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let e = fixtures::open_event(&t.db, &m, Some(5)).await;
    let signer = signer();
    let links = Links {
        public_url: "https://terbuka.example",
        signer: &signer,
    };
    let public = Actor::anonymous();
    let tries = (0..12).map(|i| {
        let (db, links, public) = (&t.db, &links, &public);
        async move { reg::register(db, public, links, None, None, person(e.id, i), now()).await }
    });
    let results = futures::future::join_all(tries).await;
    assert!(
        results.iter().all(|r| r.is_ok()),
        "every request is answered"
    );
    let rows = by_status(&t, e.id).await;
    let seated = rows
        .iter()
        .filter(|(_, s)| *s == RegistrationStatus::Registered)
        .count();
    assert_eq!((seated, rows.len()), (5, 12));
    // The waitlist is in id order, and ids were made under the invitation's lock.
    let waiting: Vec<&String> = rows
        .iter()
        .filter(|(_, s)| *s == RegistrationStatus::Waitlisted)
        .map(|(e, _)| e)
        .collect();
    assert_eq!(waiting.len(), 7);

    // The first seated cancels by the link in their mail: the first waiting moves up.
    let first = registration::Entity::find()
        .filter(registration::Column::EventId.eq(e.id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Registered))
        .order_by_asc(registration::Column::Id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let token = signer.derive(LINK_PURPOSE, &first.id.to_string());
    let (done, mails) = reg::cancel_by_token(&t.db, &public, &links, &token, now())
        .await
        .unwrap();
    assert_eq!(done, Cancelled::Done(RegistrationStatus::Registered));
    assert_eq!(
        mails.len(),
        2,
        "the cancellation and the promotion are each mailed"
    );
    let after = by_status(&t, e.id).await;
    let promoted = after.iter().find(|(e, _)| e == waiting[0]).unwrap();
    assert_eq!(promoted.1, RegistrationStatus::Registered);
    assert_eq!(
        after
            .iter()
            .filter(|(_, s)| *s == RegistrationStatus::Registered)
            .count(),
        5
    );
    let actions: Vec<String> = audits(&t.db, first.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions.first().map(String::as_str), Some("CREATE"));
    assert_eq!(actions.len(), 2, "created, then cancelled: {actions:?}");
    // The same link again changes nothing.
    let (again, none) = reg::cancel_by_token(&t.db, &public, &links, &token, now())
        .await
        .unwrap();
    assert_eq!(again, Cancelled::AlreadyCancelled);
    assert!(none.is_empty());
    t.finish().await;
}

#[tokio::test]
async fn one_address_registers_once_and_a_closed_event_takes_none() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let e = fixtures::open_event(&t.db, &m, None).await;
    let signer = signer();
    let links = Links {
        public_url: "https://terbuka.example",
        signer: &signer,
    };
    let public = Actor::anonymous();
    reg::register(&t.db, &public, &links, None, None, person(e.id, 1), now())
        .await
        .ok()
        .unwrap();
    let twice = reg::register(&t.db, &public, &links, None, None, person(e.id, 1), now()).await;
    let Err(entity::kernel::edit::Outcome::Refused(r)) = twice else {
        panic!("a second registration of one address is refused");
    };
    assert_eq!(r.0, Problems::one(&["input", "email"], Problem::Duplicate));
    // After the event began, registration is closed.
    let late = reg::register(
        &t.db,
        &public,
        &links,
        None,
        None,
        person(e.id, 2),
        e.starts_at,
    )
    .await;
    let Err(entity::kernel::edit::Outcome::Refused(r)) = late else {
        panic!("registration after the start is refused");
    };
    assert_eq!(
        r.0,
        Problems::one(
            &["input", "eventId"],
            Problem::Refused(Refusal::RegistrationClosed)
        )
    );
    assert_eq!(by_status(&t, e.id).await.len(), 1);
    t.finish().await;
}
