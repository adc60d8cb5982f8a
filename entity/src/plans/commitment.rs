//! Commitments of an action plan: made (as DRAFT), changed, moved along
//! DRAFT → PROPOSED → ACCEPTED → IN_PROGRESS → COMPLETED (or DISCONTINUED), given the
//! organisations that support them and the people responsible.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::people::{self, Of};
use crate::commitment::{self, CommitmentStatus, OgpValue, Sector};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::{Outcome, check_ref};
use crate::validate::{check_range, text_change};
use crate::{Problem, Problems, action_plan, commitment_actor, validate};

/// The OGP values a commitment serves, each once, in a stable order.
fn values(v: &[OgpValue]) -> serde_json::Value {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    serde_json::to_value(v).unwrap_or_default()
}

/// A new commitment, as asked for (checked here).
pub struct NewCommitment {
    pub code: Option<String>,
    pub title: String,
    pub theme: Option<String>,
    pub problem: Option<String>,
    pub baseline: Option<String>,
    pub objective: Option<String>,
    pub description: Option<String>,
    pub how_it_solves: Option<String>,
    pub ogp_values: Vec<OgpValue>,
    pub ambition: Option<String>,
    pub lead_organisation: Option<Uuid>,
    pub official_in_charge: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The commitment of an earlier plan this one carries on.
    pub continues: Option<Uuid>,
}

/// `cmd` checked by the rules that need no database (problems into `p`), and the DRAFT record
/// it makes, given its id and the clock.
fn draft(
    plan: &action_plan::Model,
    p: &mut Problems,
    cmd: NewCommitment,
) -> impl FnOnce(Uuid, DateTime<Utc>) -> commitment::ActiveModel + use<> {
    let long = |p: &mut Problems, f: &str, v: &Option<String>| {
        p.check(validate::long_text(&["input", f], v.as_deref(), 20_000))
            .flatten()
    };
    let code = p
        .check(validate::optional_text(
            &["input", "code"],
            cmd.code.as_deref(),
            40,
        ))
        .flatten();
    let title = p.check(validate::required_text(
        &["input", "title"],
        &cmd.title,
        500,
    ));
    let theme = p
        .check(validate::optional_text(
            &["input", "theme"],
            cmd.theme.as_deref(),
            200,
        ))
        .flatten();
    let problem = long(p, "problem", &cmd.problem);
    let baseline = long(p, "baseline", &cmd.baseline);
    let objective = long(p, "objective", &cmd.objective);
    let description = long(p, "description", &cmd.description);
    let how = long(p, "howItSolves", &cmd.how_it_solves);
    let ambition = long(p, "ambition", &cmd.ambition);
    let official = p
        .check(validate::optional_text(
            &["input", "officialInCharge"],
            cmd.official_in_charge.as_deref(),
            200,
        ))
        .flatten();
    check_range(p, "endsOn", cmd.starts_on, cmd.ends_on);
    let (member, plan_id) = (plan.member_id, plan.id);
    move |id, now| commitment::ActiveModel {
        id: Set(id),
        member_id: Set(member),
        plan_id: Set(plan_id),
        code: Set(code),
        title: Set(title.unwrap_or_default()),
        theme: Set(theme),
        problem: Set(problem),
        baseline: Set(baseline),
        objective: Set(objective),
        description: Set(description),
        how_it_solves: Set(how),
        ogp_values: Set(values(&cmd.ogp_values)),
        ambition: Set(ambition),
        lead_organisation_id: Set(cmd.lead_organisation),
        official_in_charge: Set(official),
        starts_on: Set(cmd.starts_on),
        ends_on: Set(cmd.ends_on),
        continues_id: Set(cmd.continues),
        status: Set(CommitmentStatus::Draft),
        ordinal: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
}

/// Adds a commitment to `plan` as DRAFT.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    plan: &action_plan::Model,
    mut spec: Create<'_, I>,
    cmd: NewCommitment,
) -> Result<commitment::Model, Outcome> {
    act.permit("createCommitment", Some(plan.member_id))?;
    let (member, lead, continues) = (plan.member_id, cmd.lead_organisation, cmd.continues);
    let build = draft(plan, &mut spec.problems, cmd);
    crud::create::<commitment::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "leadOrganisationId",
                lead,
                member,
                |o| o.member_id,
            )
            .await?;
            check_ref::<commitment::Entity, _>(tx, p, "continuesId", continues, member, |c| {
                c.member_id
            })
            .await
        },
        build,
        async |_, _| Ok(()),
    )
    .await
}

/// Adds many commitments to `plan`, each as [`create`] adds one (the same rules, the same
/// audit record), for an import inside its larger write: the permission checked once, the
/// references read together, many rows to a statement. The answer for each is the commitment
/// made or its refusal; a refused one is not written, the others are.
pub async fn create_many(
    act: &Act<'_>,
    plan: &action_plan::Model,
    cmds: Vec<NewCommitment>,
) -> Result<Vec<Result<commitment::Model, Outcome>>, Outcome> {
    act.permit("createCommitment", Some(plan.member_id))?;
    let exec = act.db.exec();
    let leads = crud::Known::load::<crate::organisation::Entity>(
        &exec,
        cmds.iter().filter_map(|c| c.lead_organisation),
    )
    .await?;
    let earlier =
        crud::Known::load::<commitment::Entity>(&exec, cmds.iter().filter_map(|c| c.continues))
            .await?;
    let member = plan.member_id;
    let mut answers = Vec::with_capacity(cmds.len());
    let mut records = Vec::with_capacity(cmds.len());
    for cmd in cmds {
        let mut p = Problems::new();
        let (lead, continues) = (cmd.lead_organisation, cmd.continues);
        let build = draft(plan, &mut p, cmd);
        leads.check(&mut p, "leadOrganisationId", lead, member);
        earlier.check(&mut p, "continuesId", continues, member);
        match p.into_result() {
            Ok(()) => {
                records.push(build(Uuid::now_v7(), act.now));
                answers.push(None);
            }
            Err(p) => answers.push(Some(Err(p.into()))),
        }
    }
    let mut made = crud::insert_checked::<commitment::Entity>(act, records)
        .await?
        .into_iter();
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Ok(made.next().expect("a record for each row written"))))
        .collect())
}

/// What a change sets: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Default)]
pub struct CommitmentChange {
    pub code: Option<Option<String>>,
    pub title: Option<String>,
    pub theme: Option<Option<String>>,
    pub problem: Option<Option<String>>,
    pub baseline: Option<Option<String>>,
    pub objective: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub how_it_solves: Option<Option<String>>,
    pub ogp_values: Option<Vec<OgpValue>>,
    pub ambition: Option<Option<String>>,
    pub lead_organisation: Option<Option<Uuid>>,
    pub official_in_charge: Option<Option<String>>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
    pub continues: Option<Option<Uuid>>,
}

/// Changes `current` if it is still at `version`; a commitment cannot continue itself.
pub async fn update(
    act: &Act<'_>,
    current: &commitment::Model,
    version: i32,
    mut problems: Problems,
    ch: CommitmentChange,
) -> Result<commitment::Model, Outcome> {
    let who = crate::plans::people::responsible_ids(&act.db.exec(), Some(current.id), None).await?;
    act.permit_responsible("updateCommitment", current.member_id, &who)?;
    let p = &mut problems;
    let code = text_change(p, "code", ch.code, 40, false);
    let title = ch
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let theme = text_change(p, "theme", ch.theme, 200, false);
    let problem = text_change(p, "problem", ch.problem, 20_000, true);
    let baseline = text_change(p, "baseline", ch.baseline, 20_000, true);
    let objective = text_change(p, "objective", ch.objective, 20_000, true);
    let description = text_change(p, "description", ch.description, 20_000, true);
    let how = text_change(p, "howItSolves", ch.how_it_solves, 20_000, true);
    let ambition = text_change(p, "ambition", ch.ambition, 20_000, true);
    let official = text_change(p, "officialInCharge", ch.official_in_charge, 200, false);
    check_range(
        p,
        "endsOn",
        ch.starts_on.unwrap_or(current.starts_on),
        ch.ends_on.unwrap_or(current.ends_on),
    );
    if ch.continues == Some(Some(current.id)) {
        p.push(&["input", "continuesId"], Problem::ParentCycle);
    }
    let (member, lead, continues) = (current.member_id, ch.lead_organisation, ch.continues);
    crud::update::<commitment::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "leadOrganisationId",
                lead.flatten(),
                member,
                |o| o.member_id,
            )
            .await?;
            check_ref::<commitment::Entity, _>(
                tx,
                p,
                "continuesId",
                continues.flatten(),
                member,
                |c| c.member_id,
            )
            .await
        },
        |_| commitment::ActiveModel {
            code: code.clone().map(Set).unwrap_or(NotSet),
            title: title.clone().map(Set).unwrap_or(NotSet),
            theme: theme.clone().map(Set).unwrap_or(NotSet),
            problem: problem.clone().map(Set).unwrap_or(NotSet),
            baseline: baseline.clone().map(Set).unwrap_or(NotSet),
            objective: objective.clone().map(Set).unwrap_or(NotSet),
            description: description.clone().map(Set).unwrap_or(NotSet),
            how_it_solves: how.clone().map(Set).unwrap_or(NotSet),
            ogp_values: ch
                .ogp_values
                .as_ref()
                .map(|v| Set(values(v)))
                .unwrap_or(NotSet),
            ambition: ambition.clone().map(Set).unwrap_or(NotSet),
            lead_organisation_id: lead.map(Set).unwrap_or(NotSet),
            official_in_charge: official.clone().map(Set).unwrap_or(NotSet),
            starts_on: ch.starts_on.map(Set).unwrap_or(NotSet),
            ends_on: ch.ends_on.map(Set).unwrap_or(NotSet),
            continues_id: continues.map(Set).unwrap_or(NotSet),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Moves `current` to `to` when that step is allowed.
pub async fn transition(
    act: &Act<'_>,
    current: &commitment::Model,
    version: i32,
    to: CommitmentStatus,
) -> Result<commitment::Model, Outcome> {
    act.permit("transitionCommitment", Some(current.member_id))?;
    crud::transition::<commitment::Entity, _>(
        act,
        current,
        version,
        to,
        |c| c.status,
        async |_, _, _| Ok(()),
        |_, to| commitment::ActiveModel {
            status: Set(to),
            updated_at: Set(act.now),
            ..Default::default()
        },
    )
    .await
}

/// Replaces the organisations supporting `current` (each an organisation of its member, once;
/// problems on `input.actors.<i>.organisationId`).
pub async fn set_actors(
    act: &Act<'_>,
    current: &commitment::Model,
    version: i32,
    problems: Problems,
    actors: Vec<(Uuid, Sector)>,
) -> Result<commitment::Model, Outcome> {
    act.permit("setCommitmentActors", Some(current.member_id))?;
    let member = current.member_id;
    crud::update::<commitment::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            for (i, (o, _)) in actors.iter().enumerate() {
                check_ref::<crate::organisation::Entity, _>(
                    tx,
                    p,
                    &format!("actors.{i}.organisationId"),
                    Some(*o),
                    member,
                    |x| x.member_id,
                )
                .await?;
            }
            Ok(())
        },
        |_| commitment::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, c| {
            commitment_actor::Entity::delete_many()
                .filter(commitment_actor::Column::CommitmentId.eq(c.id))
                .exec(tx)
                .await?;
            for (o, sector) in &actors {
                commitment_actor::Entity::insert(commitment_actor::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(member),
                    commitment_id: Set(c.id),
                    organisation_id: Set(*o),
                    sector: Set(*sector),
                })
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
    )
    .await
}

/// Names the people responsible for `current` (replacing the list).
pub async fn set_people(
    act: &Act<'_>,
    current: &commitment::Model,
    version: i32,
    problems: Problems,
    who: Vec<Uuid>,
) -> Result<commitment::Model, Outcome> {
    act.permit("setCommitmentPeople", Some(current.member_id))?;
    let member = current.member_id;
    crud::update::<commitment::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| people::check(tx, p, member, &who).await,
        |_| commitment::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, c| Ok(people::replace(tx, member, Of::Commitment(c.id), &who).await?),
    )
    .await
}
