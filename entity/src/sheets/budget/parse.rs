//! Reading a DPA lines sheet or an NGO programmes sheet into rows, each cell as its column
//! wants it and every commitment code of *Komitmen Didanai* found among the member's.

use std::collections::HashSet;

use super::*;

/// The commitment codes of a *Komitmen Didanai* cell, each one of the member's.
fn funds(
    table: &Table<'_>,
    row: usize,
    column: usize,
    value: &Value,
    codes: &HashMap<String, Option<Uuid>>,
    problems: &mut Vec<SheetProblem>,
) -> Vec<(Uuid, String)> {
    let mut out: Vec<(Uuid, String)> = vec![];
    for code in value
        .text()
        .unwrap_or("")
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match codes.get(&normalise(code)) {
            Some(Some(id)) if !out.iter().any(|(o, _)| o == id) => out.push((*id, code.to_owned())),
            Some(Some(_)) => {}
            Some(None) => problems.push(table.problem_at(
                row,
                column,
                Issue::AmbiguousCommitment(code.to_owned()),
            )),
            None => problems.push(table.problem_at(
                row,
                column,
                Issue::UnknownCommitment(code.to_owned()),
            )),
        }
    }
    out
}

fn money(v: &Value) -> Option<i64> {
    v.number().map(|n| n as i64)
}

fn text(v: &Value) -> Option<String> {
    v.text().map(str::to_owned)
}

/// Reads the DPA lines sheet (`programmes` false) or the NGO programmes sheet.
pub fn parse(
    format: Format,
    sheets: &[Sheet],
    held: &Held,
    programmes: bool,
) -> Result<Budget, Vec<SheetProblem>> {
    let (spec, wanted) = if programmes {
        (NGO_COLUMNS, "Program LSM")
    } else {
        (DPA_COLUMNS, "DPA")
    };
    let table = table::find(format, sheets, spec, wanted)?;
    let (rows, mut problems) = table.rows(spec);
    let names = Organisations::new(&held.organisations);
    let codes = held.codes();
    let mut seen: HashSet<String> = HashSet::new();
    let mut lines = vec![];
    let mut progs = vec![];
    for row in rows {
        let (v, r) = (&row.values, row.row);
        let mut missing = false;
        for (i, col) in spec.iter().enumerate() {
            let typed = table.columns[i].is_some_and(|c| !table.sheet.cell(r, c).is_empty());
            if col.required && v[i] == Value::Empty {
                missing = true;
                if !typed {
                    problems.push(table.problem_at(r, i, Issue::Required));
                }
            }
        }
        if programmes {
            let org = names.find(&table, r, NGO, &v[NGO], &mut problems);
            let fund = funds(
                &table,
                r,
                PROGRAMME_FUNDS,
                &v[PROGRAMME_FUNDS],
                &codes,
                &mut problems,
            );
            let (Some(org), Some(title), false) = (org, v[TITLE].text(), missing) else {
                continue;
            };
            let key = programme_key(org, title);
            if !seen.insert(key.clone()) {
                problems.push(table.problem_at(r, TITLE, Issue::DuplicateRow(title.to_owned())));
                continue;
            }
            progs.push(ProgrammeRow {
                row: r,
                key,
                organisation: org,
                title: title.to_owned(),
                funder: text(&v[FUNDER]),
                period_start: v[START].date(),
                period_end: v[END].date(),
                amount: money(&v[AMOUNT]),
                funds: fund,
            });
        } else {
            let org = names.find(&table, r, OFFICE, &v[OFFICE], &mut problems);
            let fund = funds(&table, r, LINE_FUNDS, &v[LINE_FUNDS], &codes, &mut problems);
            let version = match v[VERSION].text() {
                None => Some(DpaVersion::Original),
                Some(t) => {
                    let found = version_of(t);
                    if found.is_none() {
                        problems.push(table.problem_at(
                            r,
                            VERSION,
                            Issue::NotOnList {
                                allowed: "Murni, Perubahan".into(),
                            },
                        ));
                    }
                    found
                }
            };
            let (Some(org), Some(version), Some(year), Some(name), Some(ceiling), false) = (
                org,
                version,
                v[YEAR].number(),
                v[PROGRAM].text(),
                money(&v[CEILING]),
                missing,
            ) else {
                continue;
            };
            let year = year as i32;
            let (pc, ac, sc) = (
                text(&v[PROGRAM_CODE]),
                text(&v[ACTIVITY_CODE]),
                text(&v[SUB_CODE]),
            );
            let key = line_key(
                year,
                version,
                org,
                [pc.as_deref(), ac.as_deref(), sc.as_deref()],
                name,
            );
            if !seen.insert(key.clone()) {
                let what = sc.or(ac).or(pc).unwrap_or_else(|| name.to_owned());
                problems.push(table.problem_at(r, SUB_CODE, Issue::DuplicateRow(what)));
                continue;
            }
            lines.push(LineRow {
                row: r,
                key,
                fiscal_year: year,
                dpa_version: version,
                organisation: org,
                program_code: pc,
                program_name: name.to_owned(),
                activity_code: ac,
                activity_name: text(&v[ACTIVITY]),
                sub_activity_code: sc,
                ceiling,
                realisation: money(&v[REALISATION]),
                funds: fund,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Budget {
        sheet: table.sheet.name.clone(),
        columns: table.columns.clone(),
        rows: if programmes {
            Rows::Programmes(progs)
        } else {
            Rows::Lines(lines)
        },
    })
}
