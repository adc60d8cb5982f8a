//! News posts: a reading counted only while public; one vote per visitor, audited as the
//! public without the visitor's key.

use chrono::Duration;
use entity::news::{self, VoteRefused};
use entity::publication::{self, PublicationStatus, Satisfaction};
use sea_orm::ActiveModelTrait;
use uuid::Uuid;

use crate::TestDb;
use crate::fixtures::{self, audits, now};

async fn post(t: &TestDb, member: Uuid, status: PublicationStatus) -> publication::Model {
    publication::ActiveModel::from(publication::Model {
        id: Uuid::now_v7(),
        member_id: member,
        slug: format!("rapat-persiapan-renaksi-{}", Uuid::now_v7().simple()),
        title: "Persiapan Renaksi OGP Bojonegoro".into(),
        body: "Dinas Kominfo dan NGO menyiapkan rencana aksi.".into(),
        title_en: None,
        body_en: None,
        author_credit: Some("Nuty/Dinkominfo".into()),
        posted_by: Some("Admin".into()),
        event_id: None,
        status,
        published_at: Some(now() - Duration::hours(1)),
        views: 0,
        poll_question: Some("Bagaimana Tanggapan Anda?".into()),
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(&t.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn one_vote_per_visitor_each_audited_without_the_visitors_key() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let p = post(&t, m.id, PublicationStatus::Published).await;
    let visitor = news::visitor_hash("keyed-visitor-1");
    assert_eq!(
        news::vote(&t.db, &p, &visitor, Satisfaction::Puas, now())
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(
        news::vote(&t.db, &p, &visitor, Satisfaction::TidakPuas, now())
            .await
            .unwrap(),
        Err(VoteRefused::AlreadyVoted)
    );
    let votes = {
        use sea_orm::EntityTrait;
        entity::poll_vote::Entity::find().all(&t.db).await.unwrap()
    };
    assert_eq!(votes.len(), 1);
    assert_eq!(votes[0].choice, Satisfaction::Puas);
    let audit = audits(&t.db, votes[0].id).await;
    assert_eq!(audit.len(), 1, "the refused second vote wrote nothing");
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor_id),
        ("CREATE", None)
    );
    let after = audit[0].after.clone().unwrap();
    assert_eq!(after["choice"], "PUAS");
    assert!(
        after.get("visitor_hash").is_none(),
        "the visitor's key stays out of the audit log: {after}"
    );
    // A draft takes no vote and counts no reading.
    let draft = post(&t, m.id, PublicationStatus::Draft).await;
    assert_eq!(
        news::vote(&t.db, &draft, &visitor, Satisfaction::Puas, now())
            .await
            .unwrap(),
        Err(VoteRefused::NoSuchPost)
    );
    assert_eq!(
        news::record_view(&t.db, draft.id, now()).await.unwrap(),
        None
    );
    assert_eq!(
        news::record_view(&t.db, p.id, now()).await.unwrap(),
        Some(1)
    );
    t.finish().await;
}
