//! Assessments of a plan (the IRM's reports and the partnership's own reviews), each
//! commitment's values in them (verifiable, relevant OGP values, potential impact, completion,
//! did it open government), and the starred rule of each framework (operators: the same for
//! every member). The findings of the previous plan are what the next one builds on.

use chrono::NaiveDate;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::assessment::{self, AssessmentKind, Framework};
use crate::commitment::OgpValue;
use crate::commitment_assessment::{
    self as values, Completion, Diog, PotentialForResults, PotentialImpact,
};
use crate::kernel::audit::{self, Change};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::Outcome;
use crate::validate::text_change;
use crate::{Problem, Problems, action_plan, starred_rule, validate};

/// A new assessment, as asked for (checked here).
pub struct NewAssessment {
    pub kind: AssessmentKind,
    pub framework: Framework,
    pub title: String,
    pub assessor: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub url: Option<String>,
    pub findings: Option<String>,
    pub recommendations: Option<String>,
}

/// Records an assessment of `plan`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    plan: &action_plan::Model,
    mut spec: Create<'_, I>,
    a: NewAssessment,
) -> Result<assessment::Model, Outcome> {
    act.permit("createAssessment", Some(plan.member_id))?;
    let p = &mut spec.problems;
    let title = p.check(validate::required_text(&["input", "title"], &a.title, 500));
    let assessor = p
        .check(validate::optional_text(
            &["input", "assessor"],
            a.assessor.as_deref(),
            200,
        ))
        .flatten();
    let url = p
        .check(validate::optional_url(&["input", "url"], a.url.as_deref()))
        .flatten();
    let findings = p
        .check(validate::long_text(
            &["input", "findings"],
            a.findings.as_deref(),
            50_000,
        ))
        .flatten();
    let recs = p
        .check(validate::long_text(
            &["input", "recommendations"],
            a.recommendations.as_deref(),
            50_000,
        ))
        .flatten();
    crud::create::<assessment::Entity, _>(
        act,
        spec,
        async |_, _| Ok(()),
        |id, now| assessment::ActiveModel {
            id: Set(id),
            member_id: Set(plan.member_id),
            plan_id: Set(plan.id),
            kind: Set(a.kind),
            framework: Set(a.framework),
            title: Set(title.clone().unwrap_or_default()),
            assessor: Set(assessor.clone()),
            published_on: Set(a.published_on),
            url: Set(url.clone()),
            findings: Set(findings.clone()),
            recommendations: Set(recs.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// What a change sets: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Default)]
pub struct AssessmentChange {
    pub title: Option<String>,
    pub assessor: Option<Option<String>>,
    pub url: Option<Option<String>>,
    pub findings: Option<Option<String>>,
    pub recommendations: Option<Option<String>>,
    pub published_on: Option<Option<NaiveDate>>,
}

/// Changes an assessment's details if it is still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &assessment::Model,
    version: i32,
    ch: AssessmentChange,
) -> Result<assessment::Model, Outcome> {
    act.permit("updateAssessment", Some(current.member_id))?;
    let mut p = Problems::new();
    let title = ch
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let assessor = text_change(&mut p, "assessor", ch.assessor, 200, false);
    let url = match ch.url {
        None => None,
        Some(None) => Some(None),
        Some(Some(u)) => p.check(validate::optional_url(&["input", "url"], Some(&u))),
    };
    let findings = text_change(&mut p, "findings", ch.findings, 50_000, true);
    let recs = text_change(&mut p, "recommendations", ch.recommendations, 50_000, true);
    crud::update::<assessment::Entity>(
        act,
        current,
        version,
        p,
        async |_, _, _| Ok(()),
        |_| assessment::ActiveModel {
            title: title.clone().map(Set).unwrap_or(NotSet),
            assessor: assessor.clone().map(Set).unwrap_or(NotSet),
            url: url.clone().map(Set).unwrap_or(NotSet),
            findings: findings.clone().map(Set).unwrap_or(NotSet),
            recommendations: recs.clone().map(Set).unwrap_or(NotSet),
            published_on: ch.published_on.map(Set).unwrap_or(NotSet),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// One commitment's values in an assessment.
pub struct Values {
    pub verifiable: Option<bool>,
    pub relevant_values: Vec<OgpValue>,
    pub potential_impact: Option<PotentialImpact>,
    pub potential_for_results: Option<PotentialForResults>,
    pub completion: Option<Completion>,
    pub did_it_open_government: Option<Diog>,
    pub narrative: Option<String>,
}

/// Sets `commitment`'s values in assessment `a` (replacing what was there); the commitment
/// must be of the assessed plan (`None`: the request's id did not decode).
pub async fn set_values(
    act: &Act<'_>,
    a: &assessment::Model,
    commitment: Option<Uuid>,
    v: Values,
) -> Result<assessment::Model, Outcome> {
    act.permit("setCommitmentValues", Some(a.member_id))?;
    let mut p = Problems::new();
    let narrative = p
        .check(validate::long_text(
            &["input", "narrative"],
            v.narrative.as_deref(),
            50_000,
        ))
        .flatten();
    let mut relevant = v.relevant_values.clone();
    relevant.sort();
    relevant.dedup();
    let Some(commitment) = commitment else {
        p.push(&["input", "commitmentId"], Problem::NotFound);
        return Err(p.into());
    };
    crud::update::<assessment::Entity>(
        act,
        a,
        a.version,
        p,
        async |tx, before, p| {
            let ours = crate::commitment::Entity::find_by_id(commitment)
                .one(tx)
                .await?
                .is_some_and(|c| c.plan_id == before.plan_id);
            if !ours {
                p.push(&["input", "commitmentId"], Problem::NotFound);
            }
            Ok(())
        },
        |_| assessment::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, a| {
            let existing = values::Entity::find()
                .filter(values::Column::AssessmentId.eq(a.id))
                .filter(values::Column::CommitmentId.eq(commitment))
                .one(tx)
                .await?;
            let row = values::ActiveModel {
                id: Set(existing.as_ref().map(|e| e.id).unwrap_or_else(Uuid::now_v7)),
                member_id: Set(a.member_id),
                assessment_id: Set(a.id),
                commitment_id: Set(commitment),
                verifiable: Set(v.verifiable),
                relevant_values: Set(serde_json::to_value(&relevant).unwrap_or_default()),
                potential_impact: Set(v.potential_impact),
                potential_for_results: Set(v.potential_for_results),
                completion: Set(v.completion),
                did_it_open_government: Set(v.did_it_open_government),
                narrative: Set(narrative.clone()),
                created_at: Set(existing.as_ref().map(|e| e.created_at).unwrap_or(act.now)),
                updated_at: Set(act.now),
                version: Set(existing.as_ref().map(|e| e.version + 1).unwrap_or(1)),
            };
            if existing.is_some() {
                values::Entity::update(row).exec(tx).await?;
            } else {
                values::Entity::insert(row)
                    .exec_without_returning(tx)
                    .await?;
            }
            let after = values::Entity::find()
                .filter(values::Column::AssessmentId.eq(a.id))
                .filter(values::Column::CommitmentId.eq(commitment))
                .one(tx)
                .await?;
            audit::record(
                tx,
                act.actor,
                act.request_id,
                Change::of(
                    "commitment_assessment",
                    "CommitmentValues",
                    if existing.is_some() {
                        "UPDATE"
                    } else {
                        "CREATE"
                    },
                    after.as_ref().map(|v| v.id).unwrap_or_default(),
                    Some(a.member_id),
                    existing.as_ref(),
                    after.as_ref(),
                ),
                act.now,
            )
            .await?;
            Ok(())
        },
    )
    .await
}

/// A framework's starred rule, as asked for.
pub struct StarredRule {
    pub framework: Framework,
    pub require_verifiable: bool,
    pub require_relevance: bool,
    pub min_potential_impact: Option<PotentialImpact>,
    pub min_potential_for_results: Option<PotentialForResults>,
    pub min_completion: Option<Completion>,
}

/// Sets a framework's starred rule if it is still at `version` (0: never set).
pub async fn set_starred_rule(
    act: &Act<'_>,
    version: i32,
    r: StarredRule,
) -> Result<starred_rule::Model, Outcome> {
    act.permit("updateStarredRule", None)?;
    crate::db::write(act.db, async |tx| -> Result<starred_rule::Model, Outcome> {
        let before = starred_rule::Entity::find_by_id(r.framework)
            .one(tx)
            .await?;
        let current = before.as_ref().map(|b| b.version).unwrap_or(0);
        if current != version {
            return Err(
                Problems::one(&["input", "version"], Problem::StaleVersion { current }).into(),
            );
        }
        let row = starred_rule::Model {
            framework: r.framework,
            require_verifiable: r.require_verifiable,
            require_relevance: r.require_relevance,
            min_potential_impact: r.min_potential_impact,
            min_potential_for_results: r.min_potential_for_results,
            min_completion: r.min_completion,
            updated_at: act.now,
            version: current + 1,
        };
        let active = starred_rule::ActiveModel::from(row.clone());
        if before.is_some() {
            use sea_orm::ActiveModelTrait;
            starred_rule::Entity::update(active.reset_all())
                .exec(tx)
                .await?;
        } else {
            starred_rule::Entity::insert(active)
                .exec_without_returning(tx)
                .await?;
        }
        // As stored (the database keeps its own precision of times).
        let row = starred_rule::Entity::find_by_id(r.framework)
            .one(tx)
            .await?
            .unwrap_or(row);
        audit::record(
            tx,
            act.actor,
            act.request_id,
            Change {
                table: "starred_rule",
                entity_type: "StarredRule",
                entity_id: None,
                member_id: None,
                action: "UPDATE",
                before: before.as_ref().and_then(|b| serde_json::to_value(b).ok()),
                after: serde_json::to_value(&row).ok(),
            },
            act.now,
        )
        .await?;
        Ok(row)
    })
    .await
}
