//! The matrix against what the plan holds: every row's verdict.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Matrix;
use crate::commitment::{self, OgpValue};
use crate::milestone;
use crate::sheets::table::normalise;
use crate::sheets::verdict::{Action, Verdict};

/// What the plan holds today, as the matrix matches it.
pub struct Existing {
    pub commitments: Vec<commitment::Model>,
    pub milestones: Vec<milestone::Model>,
}

impl Existing {
    /// The plan's commitments and their milestones, in their order, in two statements.
    pub async fn load<C: ConnectionTrait>(db: &C, plan: Uuid) -> Result<Existing, DbErr> {
        let commitments = commitment::Entity::find()
            .filter(commitment::Column::PlanId.eq(plan))
            .order_by_asc(commitment::Column::Ordinal)
            .order_by_asc(commitment::Column::Id)
            .all(db)
            .await?;
        let ids: Vec<Uuid> = commitments.iter().map(|c| c.id).collect();
        let mut milestones = vec![];
        for chunk in ids.chunks(500) {
            milestones.extend(
                milestone::Entity::find()
                    .filter(milestone::Column::CommitmentId.is_in(chunk.to_vec()))
                    .order_by_asc(milestone::Column::Ordinal)
                    .order_by_asc(milestone::Column::Id)
                    .all(db)
                    .await?,
            );
        }
        Ok(Existing {
            commitments,
            milestones,
        })
    }
}

fn differs<T: PartialEq>(sheet: &Option<T>, db: &Option<T>) -> bool {
    sheet.is_some() && sheet != db
}

/// Every row's verdict against what the plan holds (linear in rows and records).
pub fn verdicts(matrix: &Matrix, existing: &Existing) -> Vec<Verdict> {
    let by_code: HashMap<String, &commitment::Model> = existing
        .commitments
        .iter()
        .filter_map(|c| c.code.as_deref().map(|code| (normalise(code), c)))
        .collect();
    let by_title: HashMap<(Uuid, String), &milestone::Model> = existing
        .milestones
        .iter()
        .map(|m| ((m.commitment_id, normalise(&m.title)), m))
        .collect();
    let mut out = vec![];
    for c in &matrix.commitments {
        let found = by_code.get(&normalise(&c.code)).copied();
        let action = match found {
            None => Action::Create,
            Some(db) => {
                let mut fields = vec![];
                if c.title != db.title {
                    fields.push("title");
                }
                let db_values: Vec<OgpValue> =
                    serde_json::from_value(db.ogp_values.clone()).unwrap_or_default();
                if differs(&c.ogp_values, &Some(db_values)) {
                    fields.push("ogpValues");
                }
                if differs(&c.lead, &db.lead_organisation_id) {
                    fields.push("leadOrganisation");
                }
                if differs(&c.starts_on, &db.starts_on) {
                    fields.push("startsOn");
                }
                if differs(&c.ends_on, &db.ends_on) {
                    fields.push("endsOn");
                }
                if fields.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Change(fields)
                }
            }
        };
        out.push(Verdict {
            sheet: matrix.sheet.clone(),
            row: c.row + 1,
            record: "commitment",
            key: c.code.clone(),
            action,
            existing: found.map(|f| f.id),
        });
        for m in &c.milestones {
            let found = found.and_then(|f| by_title.get(&(f.id, normalise(&m.title))).copied());
            let action = match found {
                None => Action::Create,
                Some(db) => {
                    let mut fields = vec![];
                    if differs(&m.deliverable, &db.deliverable) {
                        fields.push("deliverable");
                    }
                    if differs(&m.starts_on, &db.starts_on) {
                        fields.push("startsOn");
                    }
                    if differs(&m.ends_on, &db.ends_on) {
                        fields.push("endsOn");
                    }
                    if differs(&m.weight, &Some(db.weight)) {
                        fields.push("weight");
                    }
                    if differs(&m.responsible, &db.responsible_organisation_id) {
                        fields.push("responsibleOrganisation");
                    }
                    if fields.is_empty() {
                        Action::Unchanged
                    } else {
                        Action::Change(fields)
                    }
                }
            };
            out.push(Verdict {
                sheet: matrix.sheet.clone(),
                row: m.row + 1,
                record: "milestone",
                key: format!("{}/{}", c.code, m.title),
                action,
                existing: found.map(|f| f.id),
            });
        }
    }
    out
}
