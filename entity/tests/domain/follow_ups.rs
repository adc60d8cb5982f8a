//! Follow-up actions: described, tied to records of their own member, moved along their steps,
//! owned by the member's people.

use entity::follow_up::FollowUpStatus;
use entity::kernel::crud::{Act, Create};
use entity::plans::follow_up::{self as ops, FollowUpFields};
use entity::{Problem, Problems};

use crate::fixtures::{self, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createFollowUp",
    client_mutation_id: None,
    input: &"f",
    problems: Problems(Vec::new()),
};

#[tokio::test]
async fn a_follow_up_is_described_tied_to_its_member_and_moved_along_its_steps() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let other = fixtures::member(&t.db, "semarang").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    assert_eq!(
        refused(ops::create(&act, m.id, SPEC, FollowUpFields::default()).await),
        Problems::one(&["input", "description"], Problem::Required)
    );
    let elsewhere = fixtures::commitment(&t.db, &other).await;
    let f = FollowUpFields {
        description: Some("Membuat undangan terbuka rapat berikutnya".into()),
        commitment: Some(Some(elsewhere.id)),
        due_on: Some(Some("2018-07-05".parse().unwrap())),
        ..Default::default()
    };
    assert_eq!(
        refused(ops::create(&act, m.id, SPEC, f).await),
        Problems::one(&["input", "commitmentId"], Problem::NotFound)
    );
    let f = FollowUpFields {
        description: Some("Membuat undangan terbuka rapat berikutnya".into()),
        due_on: Some(Some("2018-07-05".parse().unwrap())),
        ..Default::default()
    };
    let made = ops::create(&act, m.id, SPEC, f).await.ok().unwrap();
    assert_eq!(made.status, FollowUpStatus::Open);
    let stranger = fixtures::person(&t.db, &other, "Orang Lain").await;
    assert_eq!(
        refused(
            ops::set_owners(
                &act,
                &made,
                made.version,
                Problems::new(),
                vec![stranger.id]
            )
            .await
        ),
        Problems::one(&["input", "personIds.0"], Problem::NotFound)
    );
    let nuty = fixtures::person(&t.db, &m, "Nuty").await;
    let owned = ops::set_owners(&act, &made, made.version, Problems::new(), vec![nuty.id])
        .await
        .ok()
        .unwrap();
    assert_eq!(ops::owner_ids(&t.db, made.id).await.unwrap(), vec![nuty.id]);
    let done = ops::transition(&act, &owned, owned.version, FollowUpStatus::Done)
        .await
        .ok()
        .unwrap();
    let back = ops::transition(&act, &done, done.version, FollowUpStatus::Open).await;
    assert!(matches!(
        refused(back).0[0].problem,
        Problem::InvalidTransition { .. }
    ));
    let reopened = ops::transition(&act, &done, done.version, FollowUpStatus::InProgress)
        .await
        .ok()
        .unwrap();
    assert_eq!(reopened.status, FollowUpStatus::InProgress);
    t.finish().await;
}
