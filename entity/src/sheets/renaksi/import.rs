//! The matrix written into a plan through the same operations as the API.

use std::collections::HashMap;

use uuid::Uuid;

use super::*;
use crate::kernel::crud::Act;
use crate::kernel::edit::Outcome;
use crate::plans::commitment::{self as c_ops, CommitmentChange, NewCommitment};
use crate::plans::milestone::{self as m_ops, MilestoneChange, NewMilestone};
use crate::sheets::verdict::{Action, ImportError, Imported, Refusals, Verdict};
use crate::{action_plan, commitment, milestone};

/// The spec column of a commitment's or a milestone's field, by the API's field name.
fn column_of(record: &str, field: &str) -> usize {
    match (record, field) {
        ("commitment", "code") => CODE,
        ("commitment", "title") => TITLE,
        ("commitment", "ogpValues") => VALUES,
        ("commitment", "leadOrganisationId") => LEAD,
        ("commitment", "startsOn") => C_START,
        ("commitment", "endsOn") => C_END,
        (_, "deliverable") => DELIVERABLE,
        (_, "startsOn") => M_START,
        (_, "endsOn") => M_END,
        (_, "weight") => WEIGHT,
        (_, "responsibleOrganisationId") => RESPONSIBLE,
        _ => M_TITLE,
    }
}

/// A row's refusal is kept for its cells; anything else (permission, the database) ends the
/// import.
fn refusal_or_end<T>(r: Result<T, Outcome>) -> Result<Result<T, Outcome>, ImportError> {
    match r {
        Err(Outcome::Refused(p)) => Ok(Err(Outcome::Refused(p))),
        Err(other) => Err(ImportError::Outcome(other)),
        ok => Ok(ok),
    }
}

/// The commitment a new row asks for.
fn new_commitment(c: &CommitmentRow) -> NewCommitment {
    NewCommitment {
        code: Some(c.code.clone()),
        title: c.title.clone(),
        theme: None,
        problem: None,
        baseline: None,
        objective: None,
        description: None,
        how_it_solves: None,
        ogp_values: c.ogp_values.clone().unwrap_or_default(),
        ambition: None,
        lead_organisation: c.lead,
        official_in_charge: None,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        continues: None,
    }
}

/// The milestone a new row asks for.
fn new_milestone(m: &MilestoneRow) -> NewMilestone {
    NewMilestone {
        title: m.title.clone(),
        deliverable: m.deliverable.clone(),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        responsible_organisation: m.responsible,
        weight: m.weight,
    }
}

/// Imports the matrix into `plan`: every row through the same operations (permission, rules,
/// audit) as the API's `createCommitment`, `updateCommitment`, `createMilestone` and
/// `updateMilestone` — the new rows of each kind together (`create_many`: the same rules, many
/// rows to a statement) — all in one transaction: any row refused, nothing is written, and
/// every refused row is named, in the sheet's order. A dry run answers the same verdicts and
/// writes nothing.
pub async fn import(
    act: &Act<'_>,
    plan: &action_plan::Model,
    matrix: &Matrix,
    dry_run: bool,
) -> Result<Imported, ImportError> {
    act.permit("importSpreadsheet", Some(plan.member_id))?;
    let existing = Existing::load(&act.db.exec(), plan.id).await?;
    let verdicts = verdicts(matrix, &existing);
    let named: std::collections::HashSet<Uuid> =
        verdicts.iter().filter_map(|v| v.existing).collect();
    let not_in_file = existing.commitments.len() + existing.milestones.len() - named.len();
    let imported = Imported::tally(verdicts, not_in_file, dry_run);
    if imported.writes_nothing() {
        return Ok(imported);
    }
    let commitments: HashMap<Uuid, &commitment::Model> =
        existing.commitments.iter().map(|c| (c.id, c)).collect();
    let milestones: HashMap<Uuid, &milestone::Model> =
        existing.milestones.iter().map(|m| (m.id, m)).collect();
    let verdicts = &imported.verdicts;
    crate::db::write(act.db, async |tx| -> Result<(), ImportError> {
        crate::db::within(tx, async |db| -> Result<(), ImportError> {
            let inner = Act { db, ..*act };
            let mut v = verdicts.iter();
            // The commitments: a change one by one, the new ones together (`None` until made).
            let mut parents: Vec<Option<Result<commitment::Model, Outcome>>> = vec![];
            let mut below: Vec<Vec<&Verdict>> = vec![];
            let mut new = vec![];
            for c in &matrix.commitments {
                let verdict = v.next().expect("a verdict per commitment");
                below.push(v.by_ref().take(c.milestones.len()).collect());
                parents.push(match &verdict.action {
                    Action::Create => {
                        new.push(new_commitment(c));
                        None
                    }
                    Action::Change(_) => {
                        let current = commitments[&verdict.existing.expect("matched")];
                        let change = CommitmentChange {
                            title: Some(c.title.clone()),
                            ogp_values: c.ogp_values.clone(),
                            lead_organisation: c.lead.map(Some),
                            starts_on: c.starts_on.map(Some),
                            ends_on: c.ends_on.map(Some),
                            ..Default::default()
                        };
                        let p = crate::Problems::new();
                        Some(refusal_or_end(
                            c_ops::update(&inner, current, current.version, p, change).await,
                        )?)
                    }
                    Action::Unchanged => {
                        Some(Ok(commitments[&verdict.existing.expect("matched")].clone()))
                    }
                });
            }
            let mut made = c_ops::create_many(&inner, plan, new).await?.into_iter();
            let parents: Vec<Result<commitment::Model, Outcome>> = parents
                .into_iter()
                .map(|p| p.unwrap_or_else(|| made.next().expect("an answer per new commitment")))
                .collect();
            // Their milestones, under a commitment written: the same, the new ones together.
            let mut answers: Vec<Vec<Option<Result<(), Outcome>>>> = vec![];
            let mut new = vec![];
            for ((c, parent), verdicts) in matrix.commitments.iter().zip(&parents).zip(&below) {
                let mut row = vec![];
                let Ok(parent) = parent else {
                    answers.push(row);
                    continue;
                };
                for (m, verdict) in c.milestones.iter().zip(verdicts) {
                    row.push(match &verdict.action {
                        Action::Create => {
                            new.push((parent, new_milestone(m)));
                            None
                        }
                        Action::Change(_) => {
                            let current = milestones[&verdict.existing.expect("matched")];
                            let change = MilestoneChange {
                                deliverable: m.deliverable.clone().map(Some),
                                starts_on: m.starts_on.map(Some),
                                ends_on: m.ends_on.map(Some),
                                responsible_organisation: m.responsible.map(Some),
                                weight: m.weight,
                                ..Default::default()
                            };
                            let p = crate::Problems::new();
                            let done =
                                m_ops::update(&inner, current, current.version, p, change).await;
                            Some(refusal_or_end(done.map(|_| ()))?)
                        }
                        Action::Unchanged => Some(Ok(())),
                    });
                }
                answers.push(row);
            }
            let mut made = m_ops::create_many(&inner, new).await?.into_iter();
            // Every row's verdict, in the sheet's order.
            let mut refusals = Refusals::new(&matrix.sheet, &matrix.columns, column_of);
            for ((c, parent), row) in matrix.commitments.iter().zip(parents).zip(answers) {
                if refusals.settle(c.row, "commitment", parent)?.is_none() {
                    continue;
                }
                for (m, answer) in c.milestones.iter().zip(row) {
                    let answer = answer.unwrap_or_else(|| {
                        made.next()
                            .expect("an answer per new milestone")
                            .map(|_| ())
                    });
                    refusals.settle(m.row, "milestone", answer)?;
                }
            }
            refusals.finish()
        })
        .await
    })
    .await?;
    Ok(imported)
}
