//! Alignment: a commitment serves a goal or a regulation of its own member, once; the link is
//! removed with its audit record; years are within reason.

use entity::kernel::crud::{Act, Create};
use entity::plans::alignment::{self as ops, DevPlanFields, GoalFields, LegalFields, Target};
use entity::{Problem, Problems, alignment};

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createDevelopmentPlan",
    client_mutation_id: None,
    input: &"d",
    problems: Problems(Vec::new()),
};

#[tokio::test]
async fn a_commitment_serves_a_goal_of_its_member_once() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let other = fixtures::member(&t.db, "semarang").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let team = fixtures::team_actor(&t.db, &m, "bappeda@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let plan = |start| DevPlanFields {
        title: Some("RPJMD Kabupaten Bojonegoro 2018–2023".into()),
        start_year: Some(Some(start)),
        end_year: Some(Some(2023)),
        ..Default::default()
    };
    assert_eq!(
        refused(ops::create_development_plan(&act, m.id, SPEC, plan(1800)).await),
        Problems::one(
            &["input", "startYear"],
            Problem::OutOfRange {
                min: "1945".into(),
                max: "2200".into()
            }
        )
    );
    let rpjmd = ops::create_development_plan(&act, m.id, SPEC, plan(2018))
        .await
        .ok()
        .unwrap();
    assert_eq!(rpjmd.kind, "RPJMD");
    let goal = ops::create_goal(
        &act,
        m.id,
        SPEC,
        GoalFields {
            text: Some("Mewujudkan tata kelola pemerintahan yang terbuka".into()),
            development_plan: Some(rpjmd.id),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    let theirs_office = fixtures::team_actor(&t.db, &other, "tim@semarangkota.go.id").await;
    let theirs = ops::create_legal_reference(
        &Act {
            actor: &theirs_office,
            ..act
        },
        other.id,
        SPEC,
        LegalFields {
            title: Some("Perwali Semarang".into()),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(
        refused(ops::align(&act, &c, Some(Target::LegalReference(theirs.id))).await),
        Problems::one(&["input", "targetId"], Problem::NotFound)
    );
    let c = ops::align(&act, &c, Some(Target::Goal(goal.id)))
        .await
        .ok()
        .unwrap();
    assert_eq!(
        refused(ops::align(&act, &c, Some(Target::Goal(goal.id))).await),
        Problems::one(&["input", "targetId"], Problem::Duplicate)
    );
    assert_eq!(count::<alignment::Entity, _>(&t.db).await, 1);
    let link = {
        use sea_orm::EntityTrait;
        alignment::Entity::find().one(&t.db).await.unwrap().unwrap()
    };
    assert!(ops::unalign(&act, &c, goal.id).await.ok().unwrap());
    assert!(!ops::unalign(&act, &c, goal.id).await.ok().unwrap());
    assert_eq!(
        audits(&t.db, link.id)
            .await
            .last()
            .map(|a| a.action.clone())
            .as_deref(),
        Some("DELETE")
    );
    t.finish().await;
}
