//! Milestones (activities) of a commitment: made, changed, moved through their statuses, given
//! their responsible people, removed, and reported on (monev). A report becomes the
//! milestone's progress unless a later-dated one exists; a report on a cancelled milestone is
//! refused, decided on the milestone as it is inside the write.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::people::{self, Of};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::{Outcome, check_ref};
use crate::milestone::{self, MilestoneStatus};
use crate::validate::{check_range, text_change};
use crate::{Problem, Problems, Refusal, commitment, progress_update, validate};

/// A milestone's weight in its commitment's progress.
fn check_weight(p: &mut Problems, w: i32) {
    if !(0..=1000).contains(&w) {
        p.push(
            &["input", "weight"],
            Problem::OutOfRange {
                min: "0".into(),
                max: "1000".into(),
            },
        );
    }
}

/// A new milestone, as asked for (checked here).
pub struct NewMilestone {
    pub title: String,
    pub deliverable: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub responsible_organisation: Option<Uuid>,
    /// Default 1.
    pub weight: Option<i32>,
}

/// `cmd` checked by the rules that need no database (problems into `p`), and the NOT_STARTED
/// record it makes in commitment `c`, given its id and the clock.
fn draft(
    c: &commitment::Model,
    p: &mut Problems,
    cmd: NewMilestone,
) -> impl FnOnce(Uuid, DateTime<Utc>) -> milestone::ActiveModel + use<> {
    let title = p.check(validate::required_text(
        &["input", "title"],
        &cmd.title,
        500,
    ));
    let deliverable = p
        .check(validate::long_text(
            &["input", "deliverable"],
            cmd.deliverable.as_deref(),
            5000,
        ))
        .flatten();
    let weight = cmd.weight.unwrap_or(1);
    check_weight(p, weight);
    check_range(p, "endsOn", cmd.starts_on, cmd.ends_on);
    let (member, commitment) = (c.member_id, c.id);
    move |id, now| milestone::ActiveModel {
        id: Set(id),
        member_id: Set(member),
        commitment_id: Set(commitment),
        title: Set(title.unwrap_or_default()),
        deliverable: Set(deliverable),
        starts_on: Set(cmd.starts_on),
        ends_on: Set(cmd.ends_on),
        responsible_organisation_id: Set(cmd.responsible_organisation),
        weight: Set(weight),
        status: Set(MilestoneStatus::NotStarted),
        progress: Set(0),
        ordinal: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
}

/// Adds a milestone to commitment `c` (NOT_STARTED, no progress). `spec` carries the retry's
/// receipt and the problems found decoding the request.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    c: &commitment::Model,
    mut spec: Create<'_, I>,
    cmd: NewMilestone,
) -> Result<milestone::Model, Outcome> {
    act.permit("createMilestone", Some(c.member_id))?;
    let (member, org) = (c.member_id, cmd.responsible_organisation);
    let build = draft(c, &mut spec.problems, cmd);
    crud::create::<milestone::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "responsibleOrganisationId",
                org,
                member,
                |o| o.member_id,
            )
            .await
        },
        build,
        async |_, _| Ok(()),
    )
    .await
}

/// Adds many milestones, each to its commitment as [`create`] adds one (the same rules, the
/// same audit record), for an import inside its larger write: the permission checked per
/// member, the responsible organisations read together, many rows to a statement. The answer
/// for each is the milestone made or its refusal; a refused one is not written, the others are.
pub async fn create_many(
    act: &Act<'_>,
    cmds: Vec<(&commitment::Model, NewMilestone)>,
) -> Result<Vec<Result<milestone::Model, Outcome>>, Outcome> {
    let members: std::collections::BTreeSet<Uuid> = cmds.iter().map(|(c, _)| c.member_id).collect();
    for member in members {
        act.permit("createMilestone", Some(member))?;
    }
    let orgs = crud::Known::load::<crate::organisation::Entity>(
        &act.db.exec(),
        cmds.iter().filter_map(|(_, m)| m.responsible_organisation),
    )
    .await?;
    let mut answers = Vec::with_capacity(cmds.len());
    let mut records = Vec::with_capacity(cmds.len());
    for (c, cmd) in cmds {
        let mut p = Problems::new();
        let org = cmd.responsible_organisation;
        let build = draft(c, &mut p, cmd);
        orgs.check(&mut p, "responsibleOrganisationId", org, c.member_id);
        match p.into_result() {
            Ok(()) => {
                records.push(build(Uuid::now_v7(), act.now));
                answers.push(None);
            }
            Err(p) => answers.push(Some(Err(p.into()))),
        }
    }
    let mut made = crud::insert_checked::<milestone::Entity>(act, records)
        .await?
        .into_iter();
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Ok(made.next().expect("a record for each row written"))))
        .collect())
}

/// What a change sets: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Default)]
pub struct MilestoneChange {
    pub title: Option<String>,
    pub deliverable: Option<Option<String>>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
    pub responsible_organisation: Option<Option<Uuid>>,
    pub weight: Option<i32>,
}

/// Changes `current` if it is still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &milestone::Model,
    version: i32,
    mut problems: Problems,
    ch: MilestoneChange,
) -> Result<milestone::Model, Outcome> {
    let mut who =
        crate::plans::people::responsible_ids(&act.db.exec(), None, Some(current.id)).await?;
    who.extend(
        crate::plans::people::responsible_ids(&act.db.exec(), Some(current.commitment_id), None)
            .await?,
    );
    act.permit_responsible("updateMilestone", current.member_id, &who)?;
    let p = &mut problems;
    let title = ch
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let deliverable = text_change(p, "deliverable", ch.deliverable, 5000, true);
    if let Some(w) = ch.weight {
        check_weight(p, w);
    }
    check_range(
        p,
        "endsOn",
        ch.starts_on.unwrap_or(current.starts_on),
        ch.ends_on.unwrap_or(current.ends_on),
    );
    let (member, org) = (current.member_id, ch.responsible_organisation);
    crud::update::<milestone::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "responsibleOrganisationId",
                org.flatten(),
                member,
                |o| o.member_id,
            )
            .await
        },
        |_| milestone::ActiveModel {
            title: title.clone().map(Set).unwrap_or(NotSet),
            deliverable: deliverable.clone().map(Set).unwrap_or(NotSet),
            starts_on: ch.starts_on.map(Set).unwrap_or(NotSet),
            ends_on: ch.ends_on.map(Set).unwrap_or(NotSet),
            responsible_organisation_id: org.map(Set).unwrap_or(NotSet),
            weight: ch.weight.map(Set).unwrap_or(NotSet),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// NOT_STARTED → IN_PROGRESS → COMPLETED, or CANCELLED (DELAYED is derived, never set); a
/// completed milestone is at 100 %.
pub async fn transition(
    act: &Act<'_>,
    current: &milestone::Model,
    version: i32,
    to: MilestoneStatus,
) -> Result<milestone::Model, Outcome> {
    let mut who =
        crate::plans::people::responsible_ids(&act.db.exec(), None, Some(current.id)).await?;
    who.extend(
        crate::plans::people::responsible_ids(&act.db.exec(), Some(current.commitment_id), None)
            .await?,
    );
    act.permit_responsible("transitionMilestone", current.member_id, &who)?;
    crud::transition::<milestone::Entity, _>(
        act,
        current,
        version,
        to,
        |m| m.status,
        async |_, _, _| Ok(()),
        |_, to| milestone::ActiveModel {
            status: Set(to),
            progress: if to == MilestoneStatus::Completed {
                Set(100)
            } else {
                NotSet
            },
            updated_at: Set(act.now),
            ..Default::default()
        },
    )
    .await
}

/// Names the people responsible for `current` (replacing the list); each must be a person of
/// its member.
pub async fn set_people(
    act: &Act<'_>,
    current: &milestone::Model,
    version: i32,
    problems: Problems,
    who: Vec<Uuid>,
) -> Result<milestone::Model, Outcome> {
    act.permit("setMilestonePeople", Some(current.member_id))?;
    let member = current.member_id;
    crud::update::<milestone::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| people::check(tx, p, member, &who).await,
        |_| milestone::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, m| Ok(people::replace(tx, member, Of::Milestone(m.id), &who).await?),
    )
    .await
}

/// Removes a milestone entered by mistake (if still at `version`).
pub async fn delete(
    act: &Act<'_>,
    current: &milestone::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deleteMilestone", Some(current.member_id))?;
    crud::delete::<milestone::Entity>(act, current, version).await
}

/// A progress report, as sent.
pub struct Report {
    /// Today in the member's zone when not given; never in the future.
    pub reported_on: Option<NaiveDate>,
    /// 0–100.
    pub percent: i32,
    pub note: Option<String>,
    /// At most 20 links.
    pub evidence_links: Vec<String>,
}

/// Reports progress on `m` as the acting person: the report is kept, and becomes the
/// milestone's progress unless a later-dated report exists; a milestone not started is then in
/// progress. Refused on a cancelled milestone, decided on the milestone as it is inside the
/// write and locked until the report is written: a cancellation in flight lands first (and
/// refuses this report) or waits for it, never slips in between.
pub async fn report_progress<I: Serialize>(
    act: &Act<'_>,
    m: &milestone::Model,
    mut spec: Create<'_, I>,
    r: Report,
) -> Result<progress_update::Model, Outcome> {
    let mut who = crate::plans::people::responsible_ids(&act.db.exec(), None, Some(m.id)).await?;
    who.extend(
        crate::plans::people::responsible_ids(&act.db.exec(), Some(m.commitment_id), None).await?,
    );
    act.permit_responsible("reportMilestoneProgress", m.member_id, &who)?;
    let p = &mut spec.problems;
    if !(0..=100).contains(&r.percent) {
        p.push(
            &["input", "percent"],
            Problem::OutOfRange {
                min: "0".into(),
                max: "100".into(),
            },
        );
    }
    let note = p
        .check(validate::long_text(
            &["input", "note"],
            r.note.as_deref(),
            10_000,
        ))
        .flatten();
    let mut links = Vec::new();
    for (i, l) in r.evidence_links.iter().enumerate() {
        if let Some(Some(u)) = p.check(validate::optional_url(
            &["input", &format!("evidenceLinks.{i}")],
            Some(l),
        )) {
            links.push(u);
        }
    }
    if links.len() > 20 {
        p.push(&["input", "evidenceLinks"], Problem::TooMany { max: 20 });
    }
    let today = super::today(&act.db.exec(), m.member_id, act.now).await?;
    let reported_on = r.reported_on.unwrap_or(today);
    if reported_on > today {
        p.push(
            &["input", "reportedOn"],
            Problem::Refused(Refusal::ReportDatedInFuture),
        );
    }
    let percent = r.percent;
    let label = act.actor.label();
    let author = act.actor.account_id();
    crud::create::<progress_update::Entity, _>(
        act,
        spec,
        async |tx, p| {
            let current = crate::db::locked(milestone::Entity::find_by_id(m.id), tx)
                .one(tx)
                .await?;
            match current {
                None => p.push(&["input", "milestoneId"], Problem::NotFound),
                Some(c) if c.status == MilestoneStatus::Cancelled => p.push(
                    &["input", "milestoneId"],
                    Problem::Refused(Refusal::MilestoneCancelled),
                ),
                Some(_) => {}
            }
            Ok(())
        },
        |id, now| progress_update::ActiveModel {
            id: Set(id),
            member_id: Set(m.member_id),
            milestone_id: Set(m.id),
            reported_on: Set(reported_on),
            author_id: Set(author),
            author_label: Set(label.clone()),
            percent: Set(percent),
            note: Set(note.clone()),
            evidence_links: Set(serde_json::to_value(&links).unwrap_or_default()),
            created_at: Set(now),
        },
        async |tx, _| {
            // A report dated before the latest one is history: it does not move the
            // milestone's current percentage.
            let newer = progress_update::Entity::find()
                .filter(progress_update::Column::MilestoneId.eq(m.id))
                .filter(progress_update::Column::ReportedOn.gt(reported_on))
                .one(tx)
                .await?;
            if newer.is_some() {
                return Ok(());
            }
            let mut q = milestone::Entity::update_many()
                .col_expr(milestone::Column::Progress, Expr::value(percent))
                .col_expr(milestone::Column::UpdatedAt, Expr::value(act.now))
                .col_expr(
                    milestone::Column::Version,
                    Expr::col(milestone::Column::Version).add(1),
                )
                .filter(milestone::Column::Id.eq(m.id));
            if percent > 0 {
                q = q.col_expr(
                    milestone::Column::Status,
                    Expr::case(
                        milestone::Column::Status.eq(MilestoneStatus::NotStarted),
                        Expr::value(MilestoneStatus::InProgress),
                    )
                    .finally(Expr::col(milestone::Column::Status))
                    .into(),
                );
            }
            q.exec(tx).await?;
            Ok(())
        },
    )
    .await
}
