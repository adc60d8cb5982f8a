//! Action plans: a plan is part of a national plan only, follows one of its own member's, is
//! submitted on the member's day, and its phases are replaced whole within their limits.

use entity::action_plan::{self, PlanLevel, PlanStatus};
use entity::kernel::crud::{Act, Create};
use entity::plans::plan::{self as ops, NewPlan, Phase, PlanChange};
use entity::{Problem, Problems, Refusal, plan_phase};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::{self, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createPlan",
    client_mutation_id: None,
    input: &"p",
    problems: Problems(Vec::new()),
};

fn plan(level: PlanLevel, title: &str) -> NewPlan {
    NewPlan {
        level,
        part_of: None,
        follows: None,
        title: title.into(),
        period_start: Some("2018-09-01".parse().unwrap()),
        period_end: Some("2020-08-31".parse().unwrap()),
        submission_deadline: Some("2018-08-31".parse().unwrap()),
        document_version: None,
        summary: None,
    }
}

#[tokio::test]
async fn a_plan_is_part_of_a_national_plan_only_and_submitted_on_the_members_day() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let earlier = ops::create(&act, m.id, SPEC, plan(PlanLevel::Regional, "Renaksi 2017"))
        .await
        .ok()
        .unwrap();
    assert_eq!(earlier.status, PlanStatus::Planning);
    // A regional plan is no national plan to be part of.
    let mut part = plan(PlanLevel::Regional, "Renaksi 2018–2020");
    part.part_of = Some(earlier.id);
    assert_eq!(
        refused(ops::create(&act, m.id, SPEC, part).await),
        Problems::one(&["input", "partOfId"], Problem::NotFound)
    );
    let mut next = plan(PlanLevel::Regional, "Renaksi 2018–2020");
    next.follows = Some(earlier.id);
    next.period_end = Some("2018-01-01".parse().unwrap());
    assert_eq!(
        refused(ops::create(&act, m.id, SPEC, next).await),
        Problems::one(
            &["input", "periodEnd"],
            Problem::Refused(Refusal::EndBeforeStart)
        )
    );
    let mut next = plan(PlanLevel::Regional, "Renaksi 2018–2020");
    next.follows = Some(earlier.id);
    let p = ops::create(&act, m.id, SPEC, next).await.ok().unwrap();
    // It cannot follow itself.
    let itself = ops::update(
        &act,
        &p,
        p.version,
        Problems::new(),
        PlanChange {
            follows: Some(Some(p.id)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        refused(itself),
        Problems::one(&["input", "followsId"], Problem::ParentCycle)
    );
    // Along its life to SUBMITTED: the day is the member's (28 June 2018 in WIB).
    let mut cur = p;
    for to in [
        PlanStatus::CoCreation,
        PlanStatus::Drafting,
        PlanStatus::PublicReview,
        PlanStatus::Submitted,
    ] {
        cur = ops::transition(&act, &cur, cur.version, to, None)
            .await
            .ok()
            .unwrap();
    }
    assert_eq!(cur.submitted_on, Some("2018-06-28".parse().unwrap()));
    let back = ops::transition(&act, &cur, cur.version, PlanStatus::Planning, None).await;
    assert!(matches!(
        refused(back).0[0].problem,
        Problem::InvalidTransition { .. }
    ));
    let stored = action_plan::Entity::find_by_id(cur.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, PlanStatus::Submitted);
    t.finish().await;
}

#[tokio::test]
async fn phases_are_replaced_whole_within_their_limits() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let p = ops::create(&act, m.id, SPEC, plan(PlanLevel::Regional, "Renaksi"))
        .await
        .ok()
        .unwrap();
    let phase = |name: &str, s: &str, e: &str| Phase {
        name: name.into(),
        starts_on: Some(s.parse().unwrap()),
        ends_on: Some(e.parse().unwrap()),
    };
    let p = ops::set_phases(
        &act,
        &p,
        p.version,
        Problems::new(),
        vec![
            phase("Ko-kreasi", "2018-06-01", "2018-07-31"),
            phase("Penyerahan", "2018-08-01", "2018-08-31"),
        ],
    )
    .await
    .ok()
    .unwrap();
    let phases = || {
        plan_phase::Entity::find()
            .filter(plan_phase::Column::PlanId.eq(p.id))
            .count(&t.db)
    };
    assert_eq!(phases().await.unwrap(), 2);
    let backwards = ops::set_phases(
        &act,
        &p,
        p.version,
        Problems::new(),
        vec![phase("Monev", "2018-09-30", "2018-09-01")],
    )
    .await;
    assert_eq!(
        refused(backwards),
        Problems::one(
            &["input", "phases.0.endsOn"],
            Problem::Refused(Refusal::EndBeforeStart)
        )
    );
    let many = (0..31)
        .map(|i| phase(&format!("Tahap {i}"), "2018-09-01", "2018-09-30"))
        .collect();
    let too_many = ops::set_phases(&act, &p, p.version, Problems::new(), many).await;
    assert_eq!(
        refused(too_many),
        Problems::one(&["input", "phases"], Problem::TooMany { max: 30 })
    );
    assert_eq!(
        phases().await.unwrap(),
        2,
        "a refused replacement changes nothing"
    );
    t.finish().await;
}
