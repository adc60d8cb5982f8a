//! Assessments (IRM): a commitment's values are set for a commitment of the assessed plan only
//! and replaced when set again, each change audited; the starred rule moves only from the
//! version that was read.

use entity::assessment::{AssessmentKind, Framework};
use entity::commitment_assessment::{self as values, PotentialImpact};
use entity::kernel::crud::{Act, Create};
use entity::plans::assessment::{self as ops, NewAssessment, StarredRule, Values};
use entity::{Problem, Problems, action_plan};
use sea_orm::EntityTrait;

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, denied, refused};

fn values(impact: PotentialImpact) -> Values {
    Values {
        verifiable: Some(true),
        relevant_values: vec![],
        potential_impact: Some(impact),
        potential_for_results: None,
        completion: None,
        did_it_open_government: None,
        narrative: Some("Dokumentasi kegiatan 2016–2017 tidak ditemukan.".into()),
    }
}

#[tokio::test]
async fn a_commitments_values_belong_to_the_assessed_plan_and_are_replaced() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let other_plan_commitment = fixtures::commitment(&t.db, &m).await;
    let plan = action_plan::Entity::find_by_id(c.plan_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let spec = Create {
        mutation: "createAssessment",
        client_mutation_id: None,
        input: &"a",
        problems: Problems::new(),
    };
    let a = ops::create(
        &act,
        &plan,
        spec,
        NewAssessment {
            kind: AssessmentKind::IrmEndOfTerm,
            framework: Framework::IrmPre2020,
            title: "Laporan Akhir IRM Bojonegoro 2016–2017".into(),
            assessor: Some("IRM".into()),
            published_on: None,
            url: Some("bukan alamat".into()),
            findings: None,
            recommendations: None,
        },
    )
    .await;
    assert_eq!(refused(a).0[0].field, ["input", "url"]);
    let spec = Create {
        mutation: "createAssessment",
        client_mutation_id: None,
        input: &"b",
        problems: Problems::new(),
    };
    let a = ops::create(
        &act,
        &plan,
        spec,
        NewAssessment {
            kind: AssessmentKind::IrmEndOfTerm,
            framework: Framework::IrmPre2020,
            title: "Laporan Akhir IRM Bojonegoro 2016–2017".into(),
            assessor: Some("IRM".into()),
            published_on: Some("2018-03-01".parse().unwrap()),
            url: None,
            findings: None,
            recommendations: None,
        },
    )
    .await
    .ok()
    .unwrap();
    // A commitment of another plan is not in this assessment.
    assert_eq!(
        refused(
            ops::set_values(
                &act,
                &a,
                Some(other_plan_commitment.id),
                values(PotentialImpact::Minor)
            )
            .await
        ),
        Problems::one(&["input", "commitmentId"], Problem::NotFound)
    );
    let a = ops::set_values(&act, &a, Some(c.id), values(PotentialImpact::Minor))
        .await
        .ok()
        .unwrap();
    ops::set_values(&act, &a, Some(c.id), values(PotentialImpact::Moderate))
        .await
        .ok()
        .unwrap();
    let rows = values::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(rows.len(), 1, "set again, the values are replaced");
    assert_eq!(
        (rows[0].potential_impact, rows[0].version),
        (Some(PotentialImpact::Moderate), 2)
    );
    let actions: Vec<String> = audits(&t.db, rows[0].id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "UPDATE"]);

    // The starred rule (the migrations set each framework's): only from the version read.
    let rule = || StarredRule {
        framework: Framework::IrmPre2020,
        require_verifiable: true,
        require_relevance: true,
        min_potential_impact: Some(PotentialImpact::Transformative),
        min_potential_for_results: None,
        min_completion: None,
    };
    let seeded = count::<entity::starred_rule::Entity, _>(&t.db).await;
    let read = entity::starred_rule::Entity::find_by_id(Framework::IrmPre2020)
        .one(&t.db)
        .await
        .unwrap()
        .map_or(0, |r| r.version);
    // The starred rule is the deployment's: an operator sets it, a member's office may not.
    assert_eq!(
        denied(ops::set_starred_rule(&act, read, rule()).await),
        entity::kernel::edit::Denied::Forbidden
    );
    let operator = fixtures::actor(&t.db, "operator@terbuka.id", true, m.id, &[]).await;
    let act = Act {
        actor: &operator,
        ..act
    };
    let first = match ops::set_starred_rule(&act, read, rule()).await {
        Ok(r) => r,
        Err(e) => panic!("{:?}", refused::<()>(Err(e))),
    };
    assert_eq!(
        (first.version, first.min_potential_impact),
        (read + 1, Some(PotentialImpact::Transformative))
    );
    assert_eq!(
        refused(ops::set_starred_rule(&act, read, rule()).await),
        Problems::one(
            &["input", "version"],
            Problem::StaleVersion { current: read + 1 }
        )
    );
    let second = ops::set_starred_rule(&act, read + 1, rule())
        .await
        .ok()
        .unwrap();
    assert_eq!(second.version, read + 2);
    assert_eq!(
        count::<entity::starred_rule::Entity, _>(&t.db).await,
        seeded.max(1)
    );
    t.finish().await;
}
