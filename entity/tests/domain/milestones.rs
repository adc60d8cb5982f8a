//! Milestones: made and changed with their rules, moved only along allowed steps, reported on
//! (monev) — a report cannot be dated ahead, an older report does not move the progress, and a
//! cancelled milestone takes none, even when the cancellation is still being written.

use chrono::Duration;
use entity::kernel::crud::{Act, Create};
use entity::milestone::{self, MilestoneStatus};
use entity::plans::milestone::{self as ops, MilestoneChange, NewMilestone, Report};
use entity::{Problem, Problems, Refusal, progress_update};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, TransactionTrait};

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, refused};

fn spec(mutation: &'static str, input: &'static &'static str) -> Create<'static, &'static str> {
    Create {
        mutation,
        client_mutation_id: None,
        input,
        problems: Problems::new(),
    }
}

fn new(title: &str) -> NewMilestone {
    NewMilestone {
        title: title.into(),
        deliverable: Some("Daftar informasi publik desa".into()),
        starts_on: Some("2018-08-01".parse().unwrap()),
        ends_on: Some("2018-12-31".parse().unwrap()),
        responsible_organisation: None,
        weight: None,
    }
}

fn report(percent: i32, on: &str) -> Report {
    Report {
        reported_on: Some(on.parse().unwrap()),
        percent,
        note: Some("Rapat monev bulanan".into()),
        evidence_links: vec![],
    }
}

#[tokio::test]
async fn a_milestone_is_made_with_its_rules_and_audited() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("req-m1"),
        now: now(),
    };
    let mut bad = new("Daftar informasi publik");
    bad.weight = Some(5000);
    bad.ends_on = Some("2018-07-01".parse().unwrap());
    let problems = refused(ops::create(&act, &c, spec("createMilestone", &"a"), bad).await);
    assert!(problems.0.iter().any(|p| p.field == ["input", "weight"]));
    assert!(problems.0.contains(&entity::problem::FieldProblem::new(
        &["input", "endsOn"],
        Problem::Refused(Refusal::EndBeforeStart)
    )));
    assert_eq!(count::<milestone::Entity, _>(&t.db).await, 0);

    let made = ops::create(
        &act,
        &c,
        spec("createMilestone", &"b"),
        new("Daftar informasi publik"),
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(
        (made.status, made.progress, made.weight),
        (MilestoneStatus::NotStarted, 0, 1)
    );
    let audit = audits(&t.db, made.id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "CREATE");
    assert_eq!(audit[0].actor_id, team.account_id());
    assert_eq!(audit[0].request_id.as_deref(), Some("req-m1"));

    // A change at an old version is refused with the current one.
    let changed = ops::update(
        &act,
        &made,
        made.version,
        Problems::new(),
        MilestoneChange {
            title: Some("Daftar informasi publik 430 desa".into()),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(changed.version, made.version + 1);
    let stale = ops::update(
        &act,
        &made,
        made.version,
        Problems::new(),
        MilestoneChange {
            weight: Some(2),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        refused(stale),
        Problems::one(
            &["input", "version"],
            Problem::StaleVersion {
                current: changed.version
            }
        )
    );
    t.finish().await;
}

#[tokio::test]
async fn reports_move_progress_unless_older_and_never_from_the_future() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let ms = ops::create(&act, &c, spec("createMilestone", &"a"), new("Sosialisasi"))
        .await
        .ok()
        .unwrap();
    // 28 June 2018 09.00 WIB: the 29th is tomorrow there.
    let ahead =
        ops::report_progress(&act, &ms, spec("report", &"x"), report(10, "2018-06-29")).await;
    assert_eq!(
        refused(ahead),
        Problems::one(
            &["input", "reportedOn"],
            Problem::Refused(Refusal::ReportDatedInFuture)
        )
    );
    let first = ops::report_progress(&act, &ms, spec("report", &"y"), report(40, "2018-06-28"))
        .await
        .ok()
        .unwrap();
    assert_eq!(first.author_label, team.label());
    let older = ops::report_progress(&act, &ms, spec("report", &"z"), report(90, "2018-06-20"))
        .await
        .ok()
        .unwrap();
    assert_eq!(older.percent, 90);
    let now_ms = milestone::Entity::find_by_id(ms.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (now_ms.progress, now_ms.status),
        (40, MilestoneStatus::InProgress)
    );
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 2);

    // Completed is 100 %; back to NOT_STARTED from COMPLETED is not a step.
    let done = ops::transition(&act, &now_ms, now_ms.version, MilestoneStatus::Completed)
        .await
        .ok()
        .unwrap();
    assert_eq!(done.progress, 100);
    let back = ops::transition(&act, &done, done.version, MilestoneStatus::NotStarted).await;
    assert!(matches!(
        refused(back).0[0].problem,
        Problem::InvalidTransition { .. }
    ));
    t.finish().await;
}

#[tokio::test]
async fn a_report_racing_a_cancellation_is_refused_never_landing_after_it() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let ms = ops::create(&act, &c, spec("createMilestone", &"a"), new("Pelatihan"))
        .await
        .ok()
        .unwrap();
    // The cancellation is written and held open; the report is sent meanwhile.
    let tx = t.db.begin().await.unwrap();
    milestone::ActiveModel {
        id: Set(ms.id),
        status: Set(MilestoneStatus::Cancelled),
        ..Default::default()
    }
    .update(&tx)
    .await
    .unwrap();
    let reporting = {
        let (db, team, ms) = (t.db.clone(), team.clone(), ms.clone());
        tokio::spawn(async move {
            let act = Act {
                db: (&db).into(),
                actor: &team,
                request_id: None,
                now: now() + Duration::minutes(1),
            };
            let input = "r".to_owned();
            ops::report_progress(
                &act,
                &ms,
                Create {
                    mutation: "report",
                    client_mutation_id: None,
                    input: &input,
                    problems: Problems::new(),
                },
                report(50, "2018-06-28"),
            )
            .await
            .map(|_| ())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    tx.commit().await.unwrap();
    let outcome = reporting.await.unwrap();
    assert_eq!(
        refused(outcome),
        Problems::one(
            &["input", "milestoneId"],
            Problem::Refused(Refusal::MilestoneCancelled)
        )
    );
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 0);
    let after = milestone::Entity::find_by_id(ms.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.status, after.progress),
        (MilestoneStatus::Cancelled, 0)
    );
    t.finish().await;
}
