//! The matrix written into a plan through the same operations as the API.

use std::collections::HashMap;

use uuid::Uuid;

use super::*;
use crate::kernel::crud::{Act, Create};
use crate::plans::commitment::{self as c_ops, CommitmentChange, NewCommitment};
use crate::plans::milestone::{self as m_ops, MilestoneChange, NewMilestone};
use crate::sheets::verdict::{Action, ImportError, Imported, Refusals};
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

/// Imports the matrix into `plan`: every row through the same operations (permission, rules,
/// audit) as the API's `createCommitment`, `updateCommitment`, `createMilestone` and
/// `updateMilestone`, all in one transaction — any row refused, nothing is written, and every
/// refused row is named. A dry run answers the same verdicts and writes nothing.
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
    let input = serde_json::json!({ "sheet": matrix.sheet, "kind": "RENAKSI" });
    let spec = || Create {
        mutation: "importSpreadsheet",
        client_mutation_id: None,
        input: &input,
        problems: crate::Problems::new(),
    };
    let verdicts = &imported.verdicts;
    crate::db::write(act.db, async |tx| -> Result<(), ImportError> {
        crate::db::within(tx, async |db| -> Result<(), ImportError> {
            let inner = Act { db, ..*act };
            let mut refusals = Refusals::new(&matrix.sheet, &matrix.columns, column_of);
            let mut v = verdicts.iter();
            for c in &matrix.commitments {
                let verdict = v.next().expect("a verdict per commitment");
                let done = match &verdict.action {
                    Action::Create => {
                        let new = NewCommitment {
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
                        };
                        c_ops::create(&inner, plan, spec(), new).await
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
                        c_ops::update(&inner, current, current.version, p, change).await
                    }
                    Action::Unchanged => {
                        Ok(commitments[&verdict.existing.expect("matched")].clone())
                    }
                };
                let parent = refusals.settle(c.row, "commitment", done)?;
                for m in &c.milestones {
                    let verdict = v.next().expect("a verdict per milestone");
                    let Some(parent) = &parent else { continue };
                    let done = match &verdict.action {
                        Action::Create => {
                            let new = NewMilestone {
                                title: m.title.clone(),
                                deliverable: m.deliverable.clone(),
                                starts_on: m.starts_on,
                                ends_on: m.ends_on,
                                responsible_organisation: m.responsible,
                                weight: m.weight,
                            };
                            m_ops::create(&inner, parent, spec(), new).await.map(|_| ())
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
                            m_ops::update(&inner, current, current.version, p, change)
                                .await
                                .map(|_| ())
                        }
                        Action::Unchanged => Ok(()),
                    };
                    refusals.settle(m.row, "milestone", done)?;
                }
            }
            refusals.finish()
        })
        .await
    })
    .await?;
    Ok(imported)
}
