//! Alignment: the regional development plan (*RPJMD*) with its vision and mission, the
//! regulations (*dasar hukum*) the plan rests on, and which commitment serves which goal or
//! regulation.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::development_goal::{self as goal, GoalKind};
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::validate::text_change;
use crate::{
    Problem, Problems, alignment, commitment, development_plan as devplan,
    legal_reference as legal, validate,
};

fn year(p: &mut Problems, field: &str, v: Option<Option<i32>>) -> Option<Option<i32>> {
    match v {
        Some(Some(y)) if !(1945..=2200).contains(&y) => {
            p.push(
                &["input", field],
                Problem::OutOfRange {
                    min: "1945".into(),
                    max: "2200".into(),
                },
            );
            None
        }
        other => other,
    }
}

fn required(p: &mut Problems, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    match v {
        Some(t) => p.check(validate::required_text(&["input", field], t, max)),
        None => {
            p.push(&["input", field], Problem::Required);
            None
        }
    }
}

/// A development plan's fields as given (`None` leaves a field as it is).
#[derive(Default)]
pub struct DevPlanFields {
    /// Required on creation.
    pub title: Option<String>,
    /// Default RPJMD.
    pub kind: Option<String>,
    pub start_year: Option<Option<i32>>,
    pub end_year: Option<Option<i32>>,
    pub stage: Option<Option<String>>,
    pub head_of_region_term: Option<Uuid>,
}

/// Records a development plan of `member`.
pub async fn create_development_plan<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: DevPlanFields,
) -> Result<devplan::Model, Outcome> {
    act.permit("createDevelopmentPlan", Some(member))?;
    let p = &mut spec.problems;
    let title = required(p, "title", f.title.as_deref(), 500);
    let kind = p
        .check(validate::optional_text(
            &["input", "kind"],
            f.kind.as_deref(),
            40,
        ))
        .flatten()
        .unwrap_or_else(|| "RPJMD".into());
    let (start, end) = (
        year(p, "startYear", f.start_year).flatten(),
        year(p, "endYear", f.end_year).flatten(),
    );
    let stage = text_change(p, "stage", f.stage.clone(), 100, false).flatten();
    let term = f.head_of_region_term;
    crud::create::<devplan::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::head_of_region_term::Entity, _>(
                tx,
                p,
                "headOfRegionTermId",
                term,
                member,
                |t| t.member_id,
            )
            .await
        },
        |id, now| devplan::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            kind: Set(kind.clone()),
            title: Set(title.clone().unwrap_or_default()),
            start_year: Set(start),
            end_year: Set(end),
            stage: Set(stage.clone()),
            head_of_region_term_id: Set(term),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a development plan if it is still at `version`.
pub async fn update_development_plan(
    act: &Act<'_>,
    current: &devplan::Model,
    version: i32,
    mut problems: Problems,
    f: DevPlanFields,
) -> Result<devplan::Model, Outcome> {
    act.permit("updateDevelopmentPlan", Some(current.member_id))?;
    let p = &mut problems;
    let title = f
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let (start, end) = (
        year(p, "startYear", f.start_year),
        year(p, "endYear", f.end_year),
    );
    let stage = text_change(p, "stage", f.stage.clone(), 100, false);
    crud::update::<devplan::Entity>(
        act,
        current,
        version,
        problems,
        async |_, _, _| Ok(()),
        |_| devplan::ActiveModel {
            title: set(title.clone()),
            start_year: set(start),
            end_year: set(end),
            stage: set(stage.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// A development goal's fields as given.
#[derive(Default)]
pub struct GoalFields {
    /// Required on creation.
    pub text: Option<String>,
    /// Default MISSION.
    pub kind: Option<GoalKind>,
    pub ordinal: Option<i32>,
    pub development_plan: Option<Uuid>,
    pub head_of_region_term: Option<Uuid>,
}

/// Records a goal (vision, mission) of `member`.
pub async fn create_goal<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: GoalFields,
) -> Result<goal::Model, Outcome> {
    act.permit("createDevelopmentGoal", Some(member))?;
    let p = &mut spec.problems;
    let text = match f.text.as_deref() {
        Some(t) => p
            .check(validate::long_text(&["input", "text"], Some(t), 5000))
            .flatten(),
        None => None,
    };
    if text.is_none() {
        p.push(&["input", "text"], Problem::Required);
    }
    let (plan, term) = (f.development_plan, f.head_of_region_term);
    crud::create::<goal::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<devplan::Entity, _>(tx, p, "developmentPlanId", plan, member, |x| {
                x.member_id
            })
            .await?;
            check_ref::<crate::head_of_region_term::Entity, _>(
                tx,
                p,
                "headOfRegionTermId",
                term,
                member,
                |x| x.member_id,
            )
            .await
        },
        |id, now| goal::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            development_plan_id: Set(plan),
            head_of_region_term_id: Set(term),
            kind: Set(f.kind.unwrap_or(GoalKind::Mission)),
            ordinal: Set(f.ordinal.unwrap_or(0)),
            text: Set(text.clone().unwrap_or_default()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a goal if it is still at `version`.
pub async fn update_goal(
    act: &Act<'_>,
    current: &goal::Model,
    version: i32,
    mut problems: Problems,
    f: GoalFields,
) -> Result<goal::Model, Outcome> {
    act.permit("updateDevelopmentGoal", Some(current.member_id))?;
    let text = match f.text.as_deref() {
        Some(t) => problems.check(validate::long_text(&["input", "text"], Some(t), 5000)),
        None => None,
    };
    crud::update::<goal::Entity>(
        act,
        current,
        version,
        problems,
        async |_, _, _| Ok(()),
        |_| goal::ActiveModel {
            text: text.clone().flatten().map(Set).unwrap_or(NotSet),
            kind: set(f.kind),
            ordinal: set(f.ordinal),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// A legal reference's fields as given (`None` leaves a field as it is, `Some(None)` clears).
#[derive(Default)]
pub struct LegalFields {
    /// Required on creation.
    pub title: Option<String>,
    pub kind: Option<Option<String>>,
    pub url: Option<Option<String>>,
}

fn url_of(p: &mut Problems, url: &Option<Option<String>>) -> Option<Option<String>> {
    match url {
        None => None,
        Some(None) => Some(None),
        Some(Some(u)) => p.check(validate::optional_url(&["input", "url"], Some(u))),
    }
}

/// Records a regulation of `member`.
pub async fn create_legal_reference<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: LegalFields,
) -> Result<legal::Model, Outcome> {
    act.permit("createLegalReference", Some(member))?;
    let p = &mut spec.problems;
    let title = required(p, "title", f.title.as_deref(), 500);
    let kind = text_change(p, "kind", f.kind.clone(), 60, false).flatten();
    let url = url_of(p, &f.url).flatten();
    crud::create::<legal::Entity, _>(
        act,
        spec,
        async |_, _| Ok(()),
        |id, now| legal::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            title: Set(title.clone().unwrap_or_default()),
            kind: Set(kind.clone()),
            url: Set(url.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a regulation if it is still at `version`.
pub async fn update_legal_reference(
    act: &Act<'_>,
    current: &legal::Model,
    version: i32,
    mut problems: Problems,
    f: LegalFields,
) -> Result<legal::Model, Outcome> {
    act.permit("updateLegalReference", Some(current.member_id))?;
    let p = &mut problems;
    let title = f
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let kind = text_change(p, "kind", f.kind.clone(), 60, false);
    let url = url_of(p, &f.url);
    crud::update::<legal::Entity>(
        act,
        current,
        version,
        problems,
        async |_, _, _| Ok(()),
        |_| legal::ActiveModel {
            title: set(title.clone()),
            kind: set(kind.clone()),
            url: set(url.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// What a commitment is aligned to.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Goal(Uuid),
    LegalReference(Uuid),
}

/// Links commitment `c` to a goal or a regulation of its member, once.
pub async fn align(
    act: &Act<'_>,
    c: &commitment::Model,
    target: Option<Target>,
) -> Result<commitment::Model, Outcome> {
    act.permit("alignCommitment", Some(c.member_id))?;
    let mut p = Problems::new();
    let (goal_id, legal_id) = match target {
        Some(Target::Goal(g)) => (Some(g), None),
        Some(Target::LegalReference(l)) => (None, Some(l)),
        None => {
            p.push(&["input", "targetId"], Problem::NotFound);
            (None, None)
        }
    };
    let member = c.member_id;
    crud::update::<commitment::Entity>(
        act,
        c,
        c.version,
        p,
        async |tx, _, p| {
            check_ref::<goal::Entity, _>(tx, p, "targetId", goal_id, member, |x| x.member_id)
                .await?;
            check_ref::<legal::Entity, _>(tx, p, "targetId", legal_id, member, |x| x.member_id)
                .await?;
            let mut q = alignment::Entity::find().filter(alignment::Column::CommitmentId.eq(c.id));
            q = match (goal_id, legal_id) {
                (Some(g), _) => q.filter(alignment::Column::DevelopmentGoalId.eq(g)),
                (None, l) => q.filter(alignment::Column::LegalReferenceId.eq(l)),
            };
            if q.one(tx).await?.is_some() {
                p.push(&["input", "targetId"], Problem::Duplicate);
            }
            Ok(())
        },
        |_| commitment::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, c| {
            alignment::Entity::insert(alignment::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(c.member_id),
                commitment_id: Set(c.id),
                development_goal_id: Set(goal_id),
                legal_reference_id: Set(legal_id),
                created_at: Set(act.now),
            })
            .exec_without_returning(tx)
            .await?;
            Ok(())
        },
    )
    .await
}

/// Removes commitment `c`'s link to `target` (a goal or a regulation), audited. `Ok(false)`:
/// there was no such link.
pub async fn unalign(act: &Act<'_>, c: &commitment::Model, target: Uuid) -> Result<bool, Outcome> {
    act.permit("unalignCommitment", Some(c.member_id))?;
    let link = alignment::Entity::find()
        .filter(alignment::Column::CommitmentId.eq(c.id))
        .filter(
            alignment::Column::DevelopmentGoalId
                .eq(target)
                .or(alignment::Column::LegalReferenceId.eq(target)),
        )
        .one(&act.db.exec())
        .await?;
    let Some(link) = link else {
        return Ok(false);
    };
    crud::delete_unversioned::<alignment::Entity>(act, &link).await?;
    Ok(true)
}
