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

#[tokio::test]
async fn a_post_keeps_its_first_publication_time_and_once_published_is_kept() {
    use entity::kernel::crud::{Act, Create};
    use entity::kernel::edit::Outcome;
    use entity::news::posts::{self as ops, PostFields};
    use entity::{Problem, Problems, Refusal};
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "kominfo@bojonegorokab.go.id").await;
    let at = |hours: i64| Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now() + Duration::hours(hours),
    };
    let spec = || Create {
        mutation: "createPublication",
        client_mutation_id: None,
        input: &"n",
        problems: Problems::new(),
    };
    let Err(Outcome::Refused(r)) = ops::create(&at(0), m.id, spec(), PostFields::default()).await
    else {
        panic!("an empty post is refused");
    };
    assert_eq!(
        r.0,
        Problems(vec![
            entity::problem::FieldProblem::new(&["input", "title"], Problem::Required),
            entity::problem::FieldProblem::new(&["input", "body"], Problem::Required),
        ])
    );
    let draft = ops::create(
        &at(0),
        m.id,
        spec(),
        PostFields {
            title: Some("Kominfo dan NGO Siapkan Renaksi OGP".into()),
            body: Some("Bojonegoro menyiapkan rencana aksi.".into()),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(draft.slug, "kominfo-dan-ngo-siapkan-renaksi-ogp");
    let published = ops::transition(&at(1), &draft, draft.version, PublicationStatus::Published)
        .await
        .ok()
        .unwrap();
    let first = published.published_at;
    assert_eq!(first, Some(now() + Duration::hours(1)));
    let withdrawn = ops::transition(
        &at(2),
        &published,
        published.version,
        PublicationStatus::Withdrawn,
    )
    .await
    .ok()
    .unwrap();
    let again = ops::transition(
        &at(3),
        &withdrawn,
        withdrawn.version,
        PublicationStatus::Published,
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(again.published_at, first);
    let Err(Outcome::Refused(r)) = ops::delete(&at(4), &again, again.version).await else {
        panic!("a published post is kept");
    };
    assert_eq!(
        r.0,
        Problems::one(
            &["input", "id"],
            Problem::Refused(Refusal::PublishedPostKept)
        )
    );
    t.finish().await;
}
