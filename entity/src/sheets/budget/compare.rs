//! What a budget sheet would change, row by row and link by link, and the member's lines or
//! programmes written back as the sheet reads them.

use std::collections::HashSet;

use super::*;

fn differs<T: PartialEq>(sheet: &Option<T>, db: &Option<T>) -> bool {
    sheet.is_some() && sheet != db
}

/// Every row's verdict, and one for each commitment it funds.
pub fn verdicts(budget: &Budget, held: &Held) -> Vec<Verdict> {
    let linked: HashSet<(Uuid, Uuid)> = held
        .fundings
        .iter()
        .filter_map(|f| Some((f.budget_line_id.or(f.ngo_programme_id)?, f.commitment_id)))
        .collect();
    let mut out = vec![];
    let verdict = |row: usize, record, key: String, action, existing| Verdict {
        sheet: budget.sheet.clone(),
        row: row + 1,
        record,
        key,
        action,
        existing,
    };
    let push_funds =
        |out: &mut Vec<Verdict>, row, key: &str, source: Option<Uuid>, funds: &[(Uuid, String)]| {
            for (c, code) in funds {
                let done = source.is_some_and(|s| linked.contains(&(s, *c)));
                out.push(verdict(
                    row,
                    "funding",
                    format!("{key} → {code}"),
                    if done {
                        Action::Unchanged
                    } else {
                        Action::Create
                    },
                    None,
                ));
            }
        };
    match &budget.rows {
        Rows::Lines(rows) => {
            let by_key: HashMap<String, &line::Model> =
                held.lines.iter().map(|l| (model_line_key(l), l)).collect();
            for r in rows {
                let found = by_key.get(&r.key).copied();
                let action = match found {
                    None => Action::Create,
                    Some(db) => {
                        let mut f = vec![];
                        if r.program_name != db.program_name {
                            f.push("programName");
                        }
                        if differs(&r.program_code, &db.program_code) {
                            f.push("programCode");
                        }
                        if differs(&r.activity_code, &db.activity_code) {
                            f.push("activityCode");
                        }
                        if differs(&r.activity_name, &db.activity_name) {
                            f.push("activityName");
                        }
                        if differs(&r.sub_activity_code, &db.sub_activity_code) {
                            f.push("subActivityCode");
                        }
                        if r.ceiling != db.ceiling {
                            f.push("ceiling");
                        }
                        if differs(&r.realisation, &db.realisation) {
                            f.push("realisation");
                        }
                        if f.is_empty() {
                            Action::Unchanged
                        } else {
                            Action::Change(f)
                        }
                    }
                };
                let label = r
                    .sub_activity_code
                    .clone()
                    .or(r.activity_code.clone())
                    .or(r.program_code.clone())
                    .unwrap_or_else(|| r.program_name.clone());
                let key = format!("{} {}/{label}", r.fiscal_year, version_label(r.dpa_version));
                out.push(verdict(
                    r.row,
                    "budgetLine",
                    key.clone(),
                    action,
                    found.map(|f| f.id),
                ));
                push_funds(&mut out, r.row, &key, found.map(|f| f.id), &r.funds);
            }
        }
        Rows::Programmes(rows) => {
            let by_key: HashMap<String, &programme::Model> = held
                .programmes
                .iter()
                .map(|p| (programme_key(p.organisation_id, &p.title), p))
                .collect();
            for r in rows {
                let found = by_key.get(&r.key).copied();
                let action = match found {
                    None => Action::Create,
                    Some(db) => {
                        let mut f = vec![];
                        if differs(&r.funder, &db.funder) {
                            f.push("funder");
                        }
                        if differs(&r.period_start, &db.period_start) {
                            f.push("periodStart");
                        }
                        if differs(&r.period_end, &db.period_end) {
                            f.push("periodEnd");
                        }
                        if differs(&r.amount, &db.amount) {
                            f.push("amount");
                        }
                        if f.is_empty() {
                            Action::Unchanged
                        } else {
                            Action::Change(f)
                        }
                    }
                };
                out.push(verdict(
                    r.row,
                    "ngoProgramme",
                    r.title.clone(),
                    action,
                    found.map(|f| f.id),
                ));
                push_funds(&mut out, r.row, &r.title, found.map(|f| f.id), &r.funds);
            }
        }
    }
    out
}

/// The member's DPA lines (or NGO programmes) as [`parse`] reads them back.
pub fn rows(held: &Held, programmes: bool) -> Vec<Vec<Value>> {
    let names = Organisations::new(&held.organisations);
    let funded = held.funded();
    let t = |s: &Option<String>| s.clone().map_or(Value::Empty, Value::Text);
    let n = |x: Option<i64>| x.map_or(Value::Empty, |x| Value::Number(x as f64));
    let d = |x: Option<NaiveDate>| x.map_or(Value::Empty, Value::Date);
    let funds = |id: Uuid| {
        funded
            .get(&id)
            .map_or(Value::Empty, |codes| Value::Text(codes.join(", ")))
    };
    if programmes {
        held.programmes
            .iter()
            .map(|p| {
                vec![
                    names.label(Some(p.organisation_id)),
                    Value::Text(p.title.clone()),
                    t(&p.funder),
                    d(p.period_start),
                    d(p.period_end),
                    n(p.amount),
                    funds(p.id),
                ]
            })
            .collect()
    } else {
        held.lines
            .iter()
            .map(|l| {
                vec![
                    Value::Number(f64::from(l.fiscal_year)),
                    Value::Text(version_label(l.dpa_version).into()),
                    names.label(Some(l.organisation_id)),
                    t(&l.program_code),
                    Value::Text(l.program_name.clone()),
                    t(&l.activity_code),
                    t(&l.activity_name),
                    t(&l.sub_activity_code),
                    n(Some(l.ceiling)),
                    n(l.realisation),
                    funds(l.id),
                ]
            })
            .collect()
    }
}
