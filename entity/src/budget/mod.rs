//! Budget sync: the regional budget's lines (*DPA*, *Dokumen Pelaksanaan Anggaran*) and the
//! NGOs' programmes that fund a commitment or one of its milestones, so that who pays for
//! what is visible side by side. Amounts are whole rupiah, read once from what people type
//! ("15.000.000" is 15,000,000).

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::budget_line::{self as line, DpaVersion};
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::ngo_programme as programme;
use crate::validate::{check_range, text_change};
use crate::{Problem, Problems, Refusal, commitment, funding, validate};

/// A whole-rupiah amount as typed (dots, commas and spaces between digits ignored), between 0
/// and 10^18; AMOUNT_INVALID on `input.<field>` otherwise.
pub fn parse_rupiah(p: &mut Problems, field: &str, v: &str) -> Option<i64> {
    let clean: String = v
        .trim()
        .chars()
        .filter(|c| *c != '.' && *c != ',' && *c != ' ')
        .collect();
    match clean.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000_000_000).contains(&n) => Some(n),
        _ => {
            p.push(&["input", field], Problem::Refused(Refusal::AmountInvalid));
            None
        }
    }
}

fn money_change(p: &mut Problems, field: &str, v: &Option<Option<String>>) -> Option<Option<i64>> {
    match v {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => parse_rupiah(p, field, s).map(Some),
    }
}

fn check_year(p: &mut Problems, y: i32) {
    if !(2000..=2100).contains(&y) {
        p.push(
            &["input", "fiscalYear"],
            Problem::OutOfRange {
                min: "2000".into(),
                max: "2100".into(),
            },
        );
    }
}

/// A budget line's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct LineFields {
    /// The office that spends it; required on creation (`None` there: not given).
    pub organisation: Option<Uuid>,
    /// Whether the request named an organisation (one that did not decode counts).
    pub organisation_named: bool,
    /// Required on creation.
    pub fiscal_year: Option<i32>,
    pub dpa_version: Option<DpaVersion>,
    pub program_code: Option<Option<String>>,
    /// Required on creation.
    pub program_name: Option<String>,
    pub activity_code: Option<Option<String>>,
    pub activity_name: Option<Option<String>>,
    pub sub_activity_code: Option<Option<String>>,
    /// Required on creation.
    pub ceiling: Option<String>,
    pub realisation: Option<Option<String>>,
}

type Codes = (
    Option<Option<String>>,
    Option<Option<String>>,
    Option<Option<String>>,
    Option<Option<String>>,
);

fn codes(p: &mut Problems, f: &LineFields) -> Codes {
    (
        text_change(p, "programCode", f.program_code.clone(), 60, false),
        text_change(p, "activityCode", f.activity_code.clone(), 60, false),
        text_change(p, "activityName", f.activity_name.clone(), 500, false),
        text_change(p, "subActivityCode", f.sub_activity_code.clone(), 60, false),
    )
}

/// Records a DPA budget line of `member`.
pub async fn create_line<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: LineFields,
) -> Result<line::Model, Outcome> {
    act.permit("createBudgetLine", Some(member))?;
    let p = &mut spec.problems;
    if !f.organisation_named {
        p.push(&["input", "organisationId"], Problem::Required);
    }
    let year = f.fiscal_year.unwrap_or_else(|| {
        p.push(&["input", "fiscalYear"], Problem::Required);
        0
    });
    check_year(p, year);
    let name = match f.program_name.as_deref() {
        Some(n) => p.check(validate::required_text(&["input", "programName"], n, 500)),
        None => {
            p.push(&["input", "programName"], Problem::Required);
            None
        }
    };
    let ceiling = match f.ceiling.as_deref() {
        Some(c) => parse_rupiah(p, "ceiling", c),
        None => {
            p.push(&["input", "ceiling"], Problem::Required);
            None
        }
    };
    let realisation = money_change(p, "realisation", &f.realisation).flatten();
    let c = codes(p, &f);
    let org = f.organisation;
    crud::create::<line::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::organisation::Entity, _>(tx, p, "organisationId", org, member, |o| {
                o.member_id
            })
            .await
        },
        |id, now| line::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            organisation_id: Set(org.unwrap_or_default()),
            fiscal_year: Set(year),
            dpa_version: Set(f.dpa_version.unwrap_or(DpaVersion::Original)),
            program_code: Set(c.0.clone().flatten()),
            program_name: Set(name.clone().unwrap_or_default()),
            activity_code: Set(c.1.clone().flatten()),
            activity_name: Set(c.2.clone().flatten()),
            sub_activity_code: Set(c.3.clone().flatten()),
            ceiling: Set(ceiling.unwrap_or(0)),
            realisation: Set(realisation),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a budget line if it is still at `version`.
pub async fn update_line(
    act: &Act<'_>,
    current: &line::Model,
    version: i32,
    mut problems: Problems,
    f: LineFields,
) -> Result<line::Model, Outcome> {
    act.permit("updateBudgetLine", Some(current.member_id))?;
    let p = &mut problems;
    if let Some(y) = f.fiscal_year {
        check_year(p, y);
    }
    let name = f
        .program_name
        .as_deref()
        .and_then(|n| p.check(validate::required_text(&["input", "programName"], n, 500)));
    let ceiling = f
        .ceiling
        .as_deref()
        .and_then(|c| parse_rupiah(p, "ceiling", c));
    let realisation = money_change(p, "realisation", &f.realisation);
    let c = codes(p, &f);
    crud::update::<line::Entity>(
        act,
        current,
        version,
        problems,
        async |_, _, _| Ok(()),
        |_| line::ActiveModel {
            fiscal_year: set(f.fiscal_year),
            dpa_version: set(f.dpa_version),
            program_name: set(name.clone()),
            ceiling: set(ceiling),
            realisation: set(realisation),
            program_code: set(c.0.clone()),
            activity_code: set(c.1.clone()),
            activity_name: set(c.2.clone()),
            sub_activity_code: set(c.3.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// An NGO programme's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct ProgrammeFields {
    /// The NGO; required on creation.
    pub organisation: Option<Uuid>,
    pub organisation_named: bool,
    /// Required on creation.
    pub title: Option<String>,
    pub funder: Option<Option<String>>,
    pub period_start: Option<Option<NaiveDate>>,
    pub period_end: Option<Option<NaiveDate>>,
    pub amount: Option<Option<String>>,
}

/// Records an NGO programme of `member`.
pub async fn create_programme<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: ProgrammeFields,
) -> Result<programme::Model, Outcome> {
    act.permit("createNgoProgramme", Some(member))?;
    let p = &mut spec.problems;
    if !f.organisation_named {
        p.push(&["input", "organisationId"], Problem::Required);
    }
    let title = match f.title.as_deref() {
        Some(t) => p.check(validate::required_text(&["input", "title"], t, 500)),
        None => {
            p.push(&["input", "title"], Problem::Required);
            None
        }
    };
    let funder = text_change(p, "funder", f.funder.clone(), 200, false).flatten();
    let amount = money_change(p, "amount", &f.amount).flatten();
    let (start, end) = (f.period_start.flatten(), f.period_end.flatten());
    check_range(p, "periodEnd", start, end);
    let org = f.organisation;
    crud::create::<programme::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::organisation::Entity, _>(tx, p, "organisationId", org, member, |o| {
                o.member_id
            })
            .await
        },
        |id, now| programme::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            organisation_id: Set(org.unwrap_or_default()),
            title: Set(title.clone().unwrap_or_default()),
            funder: Set(funder.clone()),
            period_start: Set(start),
            period_end: Set(end),
            amount: Set(amount),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes an NGO programme if it is still at `version`.
pub async fn update_programme(
    act: &Act<'_>,
    current: &programme::Model,
    version: i32,
    mut problems: Problems,
    f: ProgrammeFields,
) -> Result<programme::Model, Outcome> {
    act.permit("updateNgoProgramme", Some(current.member_id))?;
    let p = &mut problems;
    let title = f
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let funder = text_change(p, "funder", f.funder.clone(), 200, false);
    let amount = money_change(p, "amount", &f.amount);
    check_range(
        p,
        "periodEnd",
        f.period_start.unwrap_or(current.period_start),
        f.period_end.unwrap_or(current.period_end),
    );
    crud::update::<programme::Entity>(
        act,
        current,
        version,
        problems,
        async |_, _, _| Ok(()),
        |_| programme::ActiveModel {
            title: set(title.clone()),
            funder: set(funder.clone()),
            amount: set(amount),
            period_start: set(f.period_start),
            period_end: set(f.period_end),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// What funds a commitment: a DPA line or an NGO programme, for the whole commitment or one
/// of its milestones.
pub struct Fund {
    pub budget_line: Option<Uuid>,
    pub ngo_programme: Option<Uuid>,
    pub milestone: Option<Uuid>,
    pub amount: Option<String>,
}

/// Links a budget line or an NGO programme to commitment `c` (the source and the milestone
/// must be of its member and the commitment).
pub async fn add_funding(
    act: &Act<'_>,
    c: &commitment::Model,
    mut problems: Problems,
    fund: Fund,
) -> Result<commitment::Model, Outcome> {
    act.permit("addFunding", Some(c.member_id))?;
    if fund.budget_line.is_none() && fund.ngo_programme.is_none() {
        problems.push(&["input", "sourceId"], Problem::NotFound);
    }
    let amount = fund
        .amount
        .as_deref()
        .and_then(|a| parse_rupiah(&mut problems, "amount", a));
    let member = c.member_id;
    let (line_id, programme_id, milestone) = (fund.budget_line, fund.ngo_programme, fund.milestone);
    crud::update::<commitment::Entity>(
        act,
        c,
        c.version,
        problems,
        async |tx, before, p| {
            check_ref::<line::Entity, _>(tx, p, "sourceId", line_id, member, |x| x.member_id)
                .await?;
            check_ref::<programme::Entity, _>(tx, p, "sourceId", programme_id, member, |x| {
                x.member_id
            })
            .await?;
            if let Some(m) = milestone
                && crate::milestone::Entity::find_by_id(m)
                    .one(tx)
                    .await?
                    .is_none_or(|m| m.commitment_id != before.id)
            {
                p.push(&["input", "milestoneId"], Problem::NotFound);
            }
            Ok(())
        },
        |_| commitment::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, c| {
            funding::Entity::insert(funding::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(c.member_id),
                commitment_id: Set(c.id),
                milestone_id: Set(milestone),
                budget_line_id: Set(line_id),
                ngo_programme_id: Set(programme_id),
                amount: Set(amount),
                created_at: Set(act.now),
            })
            .exec_without_returning(tx)
            .await?;
            Ok(())
        },
    )
    .await
}

/// Removes the link from commitment `c` to `source` (a budget line or an NGO programme),
/// audited. `Ok(false)`: there was no such link.
pub async fn remove_funding(
    act: &Act<'_>,
    c: &commitment::Model,
    source: Uuid,
) -> Result<bool, Outcome> {
    act.permit("removeFunding", Some(c.member_id))?;
    let link = funding::Entity::find()
        .filter(funding::Column::CommitmentId.eq(c.id))
        .filter(
            funding::Column::BudgetLineId
                .eq(source)
                .or(funding::Column::NgoProgrammeId.eq(source)),
        )
        .one(&act.db.exec())
        .await?;
    let Some(link) = link else {
        return Ok(false);
    };
    crud::delete_unversioned::<funding::Entity>(act, &link).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_is_read_as_people_type_it() {
        let mut p = Problems::new();
        assert_eq!(parse_rupiah(&mut p, "a", "15.000.000"), Some(15_000_000));
        assert_eq!(parse_rupiah(&mut p, "a", " 2,500 "), Some(2_500));
        assert!(p.is_empty());
        assert_eq!(parse_rupiah(&mut p, "a", "-5"), None);
        assert_eq!(parse_rupiah(&mut p, "a", "lima juta"), None);
        assert_eq!(parse_rupiah(&mut p, "a", "9999999999999999999"), None);
        assert_eq!(p.0.len(), 3);
    }
}
