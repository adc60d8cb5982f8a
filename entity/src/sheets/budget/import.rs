//! A budget sheet into its member: every row through the budget operations, every new link
//! through `addFunding`, in one transaction.

use std::collections::HashSet;

use super::*;

fn line_column(record: &str, field: &str) -> usize {
    match (record, field) {
        ("funding", _) => LINE_FUNDS,
        (_, "fiscalYear") => YEAR,
        (_, "organisationId") => OFFICE,
        (_, "programCode") => PROGRAM_CODE,
        (_, "activityCode") => ACTIVITY_CODE,
        (_, "activityName") => ACTIVITY,
        (_, "subActivityCode") => SUB_CODE,
        (_, "ceiling") => CEILING,
        (_, "realisation") => REALISATION,
        _ => PROGRAM,
    }
}

fn programme_column(record: &str, field: &str) -> usize {
    match (record, field) {
        ("funding", _) => PROGRAMME_FUNDS,
        (_, "organisationId") => NGO,
        (_, "funder") => FUNDER,
        (_, "periodStart") => START,
        (_, "periodEnd") => END,
        (_, "amount") => AMOUNT,
        _ => TITLE,
    }
}

/// Imports the sheet into `member`, all in one transaction.
pub async fn import(
    act: &Act<'_>,
    member: Uuid,
    budget: &Budget,
    held: &Held,
    dry_run: bool,
) -> Result<Imported, ImportError> {
    act.permit("importSpreadsheet", Some(member))?;
    let verdicts = verdicts(budget, held);
    let named: HashSet<Uuid> = verdicts.iter().filter_map(|v| v.existing).collect();
    let held_count = match budget.rows {
        Rows::Lines(_) => held.lines.len(),
        Rows::Programmes(_) => held.programmes.len(),
    };
    let imported = Imported::tally(verdicts, held_count - named.len(), dry_run);
    if imported.writes_nothing() {
        return Ok(imported);
    }
    let input = serde_json::json!({ "sheet": budget.sheet });
    let spec = || Create {
        mutation: "importSpreadsheet",
        client_mutation_id: None,
        input: &input,
        problems: crate::Problems::new(),
    };
    let lines: HashMap<Uuid, &line::Model> = held.lines.iter().map(|l| (l.id, l)).collect();
    let progs: HashMap<Uuid, &programme::Model> =
        held.programmes.iter().map(|p| (p.id, p)).collect();
    let verdicts = &imported.verdicts;
    crate::db::write(act.db, async |tx| -> Result<(), ImportError> {
        crate::db::within(tx, async |db| -> Result<(), ImportError> {
            let inner = Act { db, ..*act };
            // Each link changes its commitment's version: the latest is kept here.
            let mut commitments: HashMap<Uuid, commitment::Model> =
                held.commitments.iter().map(|c| (c.id, c.clone())).collect();
            let column_of = match budget.rows {
                Rows::Lines(_) => line_column,
                Rows::Programmes(_) => programme_column,
            };
            let mut refusals = Refusals::new(&budget.sheet, &budget.columns, column_of);
            let mut v = verdicts.iter();
            let mut link = async |refusals: &mut Refusals<'_>,
                                  row: usize,
                                  source: Uuid,
                                  is_line: bool,
                                  funds: &[(Uuid, String)],
                                  v: &mut std::slice::Iter<'_, Verdict>|
                   -> Result<(), ImportError> {
                for (c, _) in funds {
                    let verdict = v.next().expect("a verdict per link");
                    if verdict.action != Action::Create {
                        continue;
                    }
                    let fund = Fund {
                        budget_line: is_line.then_some(source),
                        ngo_programme: (!is_line).then_some(source),
                        milestone: None,
                        amount: None,
                    };
                    let current = &commitments[c];
                    let done =
                        ops::add_funding(&inner, current, crate::Problems::new(), fund).await;
                    if let Some(updated) = refusals.settle(row, "funding", done)? {
                        commitments.insert(*c, updated);
                    }
                }
                Ok(())
            };
            match &budget.rows {
                Rows::Lines(rows) => {
                    for r in rows {
                        let verdict = v.next().expect("a verdict per row");
                        let fields = LineFields {
                            organisation: Some(r.organisation),
                            organisation_named: true,
                            fiscal_year: Some(r.fiscal_year),
                            dpa_version: Some(r.dpa_version),
                            program_code: r.program_code.clone().map(Some),
                            program_name: Some(r.program_name.clone()),
                            activity_code: r.activity_code.clone().map(Some),
                            activity_name: r.activity_name.clone().map(Some),
                            sub_activity_code: r.sub_activity_code.clone().map(Some),
                            ceiling: Some(r.ceiling.to_string()),
                            realisation: r.realisation.map(|x| Some(x.to_string())),
                        };
                        let done = match (&verdict.action, verdict.existing) {
                            (Action::Create, _) => ops::create_line(&inner, member, spec(), fields)
                                .await
                                .map(|l| l.id),
                            (Action::Change(_), Some(id)) => {
                                let current = lines[&id];
                                let p = crate::Problems::new();
                                ops::update_line(&inner, current, current.version, p, fields)
                                    .await
                                    .map(|l| l.id)
                            }
                            (_, id) => Ok(id.expect("matched")),
                        };
                        let source = refusals.settle(r.row, "budgetLine", done)?;
                        match source {
                            Some(s) => {
                                link(&mut refusals, r.row, s, true, &r.funds, &mut v).await?
                            }
                            None => v.by_ref().take(r.funds.len()).for_each(drop),
                        }
                    }
                }
                Rows::Programmes(rows) => {
                    for r in rows {
                        let verdict = v.next().expect("a verdict per row");
                        let fields = ProgrammeFields {
                            organisation: Some(r.organisation),
                            organisation_named: true,
                            title: Some(r.title.clone()),
                            funder: r.funder.clone().map(Some),
                            period_start: r.period_start.map(Some),
                            period_end: r.period_end.map(Some),
                            amount: r.amount.map(|x| Some(x.to_string())),
                        };
                        let done = match (&verdict.action, verdict.existing) {
                            (Action::Create, _) => {
                                ops::create_programme(&inner, member, spec(), fields)
                                    .await
                                    .map(|p| p.id)
                            }
                            (Action::Change(_), Some(id)) => {
                                let current = progs[&id];
                                let p = crate::Problems::new();
                                ops::update_programme(&inner, current, current.version, p, fields)
                                    .await
                                    .map(|p| p.id)
                            }
                            (_, id) => Ok(id.expect("matched")),
                        };
                        let source = refusals.settle(r.row, "ngoProgramme", done)?;
                        match source {
                            Some(s) => {
                                link(&mut refusals, r.row, s, false, &r.funds, &mut v).await?
                            }
                            None => v.by_ref().take(r.funds.len()).for_each(drop),
                        }
                    }
                }
            }
            refusals.finish()
        })
        .await
    })
    .await?;
    Ok(imported)
}
