//! Commitments: references stay inside their member, a commitment cannot carry itself on,
//! statuses move only along allowed steps, and the people responsible are replaced whole or
//! not at all.

use entity::commitment::{CommitmentStatus, Sector};
use entity::kernel::crud::{Act, Create};
use entity::plans::commitment::{self as ops, CommitmentChange, NewCommitment};
use entity::problem::FieldProblem;
use entity::{Problem, Problems, action_plan, commitment, responsibility};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::{self, audits, now};
use crate::{TestDb, refused};

fn new(title: &str) -> NewCommitment {
    NewCommitment {
        code: Some("K2".into()),
        title: title.into(),
        theme: Some("Keterbukaan anggaran".into()),
        problem: None,
        baseline: None,
        objective: None,
        description: None,
        how_it_solves: None,
        ogp_values: vec![],
        ambition: None,
        lead_organisation: None,
        official_in_charge: None,
        starts_on: None,
        ends_on: None,
        continues: None,
    }
}

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createCommitment",
    client_mutation_id: None,
    input: &"c",
    problems: Problems(Vec::new()),
};

async fn people_of(t: &TestDb, c: uuid::Uuid) -> Vec<uuid::Uuid> {
    let mut v: Vec<uuid::Uuid> = responsibility::Entity::find()
        .filter(responsibility::Column::CommitmentId.eq(c))
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.person_id)
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn references_stay_in_the_member_and_statuses_follow_their_steps() {
    let t = TestDb::fresh().await;
    let bojonegoro = fixtures::member(&t.db, "bojonegoro").await;
    let semarang = fixtures::member(&t.db, "semarang").await;
    let first = fixtures::commitment(&t.db, &bojonegoro).await;
    let plan = action_plan::Entity::find_by_id(first.plan_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let team = fixtures::team_actor(&t.db, &bojonegoro, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    // An office of another member cannot lead it.
    let elsewhere = fixtures::organisation(&t.db, &semarang, "Diskominfo Semarang").await;
    let mut led = new("Data anggaran desa terbuka");
    led.lead_organisation = Some(elsewhere.id);
    assert_eq!(
        refused(ops::create(&act, &plan, SPEC, led).await),
        Problems::one(&["input", "leadOrganisationId"], Problem::NotFound)
    );
    let kominfo = fixtures::organisation(&t.db, &bojonegoro, "Dinas Kominfo").await;
    let mut led = new("Data anggaran desa terbuka");
    led.lead_organisation = Some(kominfo.id);
    led.continues = Some(first.id);
    let c = ops::create(&act, &plan, SPEC, led).await.ok().unwrap();
    assert_eq!(
        (c.status, c.lead_organisation_id),
        (CommitmentStatus::Draft, Some(kominfo.id))
    );

    // It cannot carry itself on.
    let itself = ops::update(
        &act,
        &c,
        c.version,
        Problems::new(),
        CommitmentChange {
            continues: Some(Some(c.id)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        refused(itself),
        Problems::one(&["input", "continuesId"], Problem::ParentCycle)
    );
    // DRAFT cannot jump to COMPLETED; DRAFT → PROPOSED can.
    let jump = ops::transition(&act, &c, c.version, CommitmentStatus::Completed).await;
    assert!(matches!(
        refused(jump).0[0].problem,
        Problem::InvalidTransition { .. }
    ));
    let proposed = ops::transition(&act, &c, c.version, CommitmentStatus::Proposed)
        .await
        .ok()
        .unwrap();
    assert_eq!(proposed.status, CommitmentStatus::Proposed);
    let actions: Vec<String> = audits(&t.db, c.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "UPDATE"]);

    // Supporting organisations: all of the member's or none.
    let refused_actors = ops::set_actors(
        &act,
        &proposed,
        proposed.version,
        Problems::new(),
        vec![
            (kominfo.id, Sector::Government),
            (elsewhere.id, Sector::CivilSociety),
        ],
    )
    .await;
    assert_eq!(
        refused(refused_actors),
        Problems::one(&["input", "actors.1.organisationId"], Problem::NotFound)
    );
    t.finish().await;
}

#[tokio::test]
async fn the_people_responsible_are_replaced_whole_or_not_at_all() {
    let t = TestDb::fresh().await;
    let bojonegoro = fixtures::member(&t.db, "bojonegoro").await;
    let semarang = fixtures::member(&t.db, "semarang").await;
    let c = fixtures::commitment(&t.db, &bojonegoro).await;
    let team = fixtures::team_actor(&t.db, &bojonegoro, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let a = fixtures::person(&t.db, &bojonegoro, "Kusnandaka Tjatur").await;
    let b = fixtures::person(&t.db, &bojonegoro, "Nuty").await;
    let stranger = fixtures::person(&t.db, &semarang, "Warga Semarang").await;
    let set = ops::set_people(&act, &c, c.version, Problems::new(), vec![a.id, b.id])
        .await
        .ok()
        .unwrap();
    let mut both = vec![a.id, b.id];
    both.sort();
    assert_eq!(people_of(&t, c.id).await, both);
    let mixed = ops::set_people(
        &act,
        &set,
        set.version,
        Problems::new(),
        vec![b.id, stranger.id],
    )
    .await;
    assert_eq!(
        refused(mixed).0,
        vec![FieldProblem::new(
            &["input", "personIds.1"],
            Problem::NotFound
        )]
    );
    assert_eq!(people_of(&t, c.id).await, both, "nothing changed");
    let one = ops::set_people(&act, &set, set.version, Problems::new(), vec![b.id])
        .await
        .ok()
        .unwrap();
    assert_eq!(people_of(&t, c.id).await, vec![b.id]);
    assert_eq!(one.version, set.version + 1);
    let row = commitment::Entity::find_by_id(c.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.version, one.version);
    t.finish().await;
}
