//! The national view: a national member's regions with their plans as the viewer may see them.

use entity::action_plan::{self, PlanLevel, PlanStatus};
use entity::kernel::Actor;
use entity::member::{self, MemberLevel};
use entity::plans::national;
use entity::role_grant::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::TestDb;
use crate::fixtures::{self, now};

async fn plan(
    t: &TestDb,
    member: Uuid,
    title: &str,
    status: PlanStatus,
    deadline: Option<&str>,
    submitted: Option<&str>,
) -> action_plan::Model {
    action_plan::ActiveModel::from(action_plan::Model {
        id: Uuid::now_v7(),
        member_id: member,
        level: PlanLevel::Regional,
        part_of_id: None,
        follows_id: None,
        title: title.into(),
        period_start: None,
        period_end: None,
        submission_deadline: deadline.map(|d| d.parse().unwrap()),
        submitted_on: submitted.map(|d| d.parse().unwrap()),
        document_version: None,
        status,
        summary: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(&t.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_national_members_people_see_every_regional_plan_and_the_public_the_public_ones() {
    let t = TestDb::fresh().await;
    let indonesia = fixtures::member(&t.db, "indonesia").await;
    member::Entity::update_many()
        .col_expr(member::Column::Level, Expr::value(MemberLevel::National))
        .filter(member::Column::Id.eq(indonesia.id))
        .exec(&t.db)
        .await
        .unwrap();
    let boj = fixtures::member(&t.db, "bojonegoro").await;
    member::Entity::update_many()
        .col_expr(member::Column::ParentId, Expr::value(indonesia.id))
        .filter(member::Column::Id.eq(boj.id))
        .exec(&t.db)
        .await
        .unwrap();
    // 28 June 2018: the 2018 plan is due on 31 August and still in co-creation; the 2016 plan
    // was submitted on time.
    plan(
        &t,
        boj.id,
        "Renaksi 2018",
        PlanStatus::CoCreation,
        Some("2018-08-31"),
        None,
    )
    .await;
    plan(
        &t,
        boj.id,
        "Renaksi 2016–2017",
        PlanStatus::Assessed,
        Some("2016-12-01"),
        Some("2016-11-30"),
    )
    .await;
    let late = plan(
        &t,
        boj.id,
        "Renaksi terlambat",
        PlanStatus::PublicReview,
        Some("2018-06-01"),
        None,
    )
    .await;

    let public = national::overview(&t.db, &Actor::anonymous(), indonesia.id, now(), 14)
        .await
        .unwrap()
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(public.regions.len(), 1);
    let titles: Vec<&str> = public.regions[0]
        .plans
        .iter()
        .map(|p| p.plan.title.as_str())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        !titles.contains(&"Renaksi 2018"),
        "in co-creation: not public"
    );
    let overdue = public.regions[0]
        .plans
        .iter()
        .find(|p| p.plan.id == late.id)
        .unwrap();
    assert!(overdue.late);
    assert_eq!(overdue.days_to_deadline, Some(-27));

    let insider = fixtures::actor(
        &t.db,
        "seknas@bappenas.go.id",
        false,
        indonesia.id,
        &[Role::Watchdog],
    )
    .await;
    let inside = national::overview(&t.db, &insider, indonesia.id, now(), 14)
        .await
        .unwrap()
        .unwrap()
        .ok()
        .unwrap();
    let due = inside.regions[0]
        .plans
        .iter()
        .find(|p| p.plan.title == "Renaksi 2018")
        .expect("the national member's people see the plan in co-creation");
    assert_eq!((due.days_to_deadline, due.late), (Some(64), false));
    assert_eq!(due.compliance.len(), 6);

    // A regional member has no national view; an unknown one none at all.
    assert!(
        national::overview(&t.db, &insider, boj.id, now(), 14)
            .await
            .unwrap()
            .unwrap()
            .is_err()
    );
    assert!(
        national::overview(&t.db, &insider, Uuid::now_v7(), now(), 14)
            .await
            .unwrap()
            .is_none()
    );
    t.finish().await;
}
