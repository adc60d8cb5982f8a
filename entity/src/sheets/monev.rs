//! The monev matrix (*monitoring dan evaluasi*): one row per progress report on a milestone —
//! the commitment code and the milestone's title, the date, the percentage, a note and
//! evidence links. Each new row is a `reportProgress`, so a sheet of reports moves the
//! milestones' progress and the plan's roll-up exactly as the same reports sent one by one
//! would. A row that matches a report already kept (same milestone, date, percentage and note)
//! is left alone: a report is a fact, never edited by a spreadsheet.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::read::{Format, Sheet};
use super::renaksi::Existing;
use super::table::{self, Column, Kind, Value, normalise};
use super::verdict::{Action, ImportError, Imported, Refusals, Verdict};
use super::{Issue, SheetProblem};
use crate::kernel::crud::{Act, Create};
use crate::plans::milestone::{self as m_ops, Report};
use crate::{action_plan, milestone, progress_update};

pub const COLUMNS: &[Column] = &[
    Column {
        heading: "Kode Komitmen",
        aliases: &["Kode", "No Komitmen", "Commitment code", "Code"],
        required: true,
        kind: Kind::Text { max: 40 },
    },
    Column {
        heading: "Kegiatan",
        aliases: &[
            "Tahapan",
            "Tonggak",
            "Kegiatan Milestone",
            "Milestone",
            "Activity",
        ],
        required: true,
        kind: Kind::Text { max: 500 },
    },
    Column {
        heading: "Tanggal Laporan",
        aliases: &["Tanggal", "Tanggal Monev", "Date", "Reported on"],
        required: true,
        kind: Kind::Date,
    },
    Column {
        heading: "Capaian (%)",
        aliases: &[
            "Capaian",
            "Progres",
            "Progres %",
            "Persen",
            "Progress",
            "Percent",
        ],
        required: true,
        kind: Kind::Whole { min: 0, max: 100 },
    },
    Column {
        heading: "Catatan",
        aliases: &["Keterangan", "Note", "Notes"],
        required: false,
        kind: Kind::Text { max: 10_000 },
    },
    Column {
        heading: "Bukti",
        aliases: &["Tautan Bukti", "Link Bukti", "Evidence", "Evidence links"],
        required: false,
        kind: Kind::Text { max: 20_000 },
    },
    Column {
        heading: "Pelapor",
        aliases: &["Dilaporkan oleh", "Reported by"],
        required: false,
        kind: Kind::Text { max: 300 },
    },
];

const CODE: usize = 0;
const TITLE: usize = 1;
const DATE: usize = 2;
const PERCENT: usize = 3;
const NOTE: usize = 4;
const EVIDENCE: usize = 5;
const AUTHOR: usize = 6;

/// One report row, its milestone found.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    pub row: usize,
    pub code: String,
    pub title: String,
    pub milestone: Uuid,
    pub reported_on: NaiveDate,
    pub percent: i32,
    pub note: Option<String>,
    pub evidence_links: Vec<String>,
}

/// The monev sheet read against the plan.
pub struct Monev {
    pub sheet: String,
    pub columns: Vec<Option<usize>>,
    pub reports: Vec<ReportRow>,
}

/// What the plan holds: its milestones by commitment code and title, and their reports.
pub struct Held {
    pub plan: Existing,
    pub reports: Vec<progress_update::Model>,
}

impl Held {
    /// The plan's commitments, milestones and reports, in a statement per 500 milestones.
    pub async fn load<C: ConnectionTrait>(db: &C, plan: Uuid) -> Result<Held, DbErr> {
        let existing = Existing::load(db, plan).await?;
        let ids: Vec<Uuid> = existing.milestones.iter().map(|m| m.id).collect();
        let mut reports = vec![];
        for chunk in ids.chunks(500) {
            reports.extend(
                progress_update::Entity::find()
                    .filter(progress_update::Column::MilestoneId.is_in(chunk.to_vec()))
                    .order_by_asc(progress_update::Column::ReportedOn)
                    .order_by_asc(progress_update::Column::CreatedAt)
                    .order_by_asc(progress_update::Column::Id)
                    .all(db)
                    .await?,
            );
        }
        Ok(Held {
            plan: existing,
            reports,
        })
    }

    fn milestones_by_key(&self) -> HashMap<(String, String), &milestone::Model> {
        let codes: HashMap<Uuid, String> = self
            .plan
            .commitments
            .iter()
            .filter_map(|c| c.code.as_deref().map(|code| (c.id, normalise(code))))
            .collect();
        self.plan
            .milestones
            .iter()
            .filter_map(|m| {
                let code = codes.get(&m.commitment_id)?;
                Some(((code.clone(), normalise(&m.title)), m))
            })
            .collect()
    }
}

/// Links as typed: separated by spaces, commas, semicolons or new lines.
fn links(text: Option<&str>) -> Vec<String> {
    text.map(|t| {
        t.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// Reads the monev sheet; every row's milestone must be the plan's.
pub fn parse(format: Format, sheets: &[Sheet], held: &Held) -> Result<Monev, Vec<SheetProblem>> {
    let table = table::find(format, sheets, COLUMNS, "Monev")?;
    let (rows, mut problems) = table.rows(COLUMNS);
    let by_key = held.milestones_by_key();
    let mut reports = vec![];
    for row in rows {
        let v = &row.values;
        let r = row.row;
        // An empty required cell is named here; a bad one was named by `rows`.
        let mut missing = false;
        for i in [CODE, TITLE, DATE, PERCENT] {
            let typed = table.columns[i].is_some_and(|c| !table.sheet.cell(r, c).is_empty());
            if v[i] == Value::Empty {
                missing = true;
                if !typed {
                    problems.push(table.problem_at(r, i, Issue::Required));
                }
            }
        }
        let (Some(code), Some(title), Some(reported_on), Some(percent), false) = (
            v[CODE].text(),
            v[TITLE].text(),
            v[DATE].date(),
            v[PERCENT].number(),
            missing,
        ) else {
            continue;
        };
        let Some(m) = by_key.get(&(normalise(code), normalise(title))) else {
            problems.push(table.problem_at(
                r,
                TITLE,
                Issue::UnknownMilestone(format!("{code} / {title}")),
            ));
            continue;
        };
        reports.push(ReportRow {
            row: r,
            code: code.to_owned(),
            title: title.to_owned(),
            milestone: m.id,
            reported_on,
            percent: percent as i32,
            note: v[NOTE].text().map(str::to_owned),
            evidence_links: links(v[EVIDENCE].text()),
        });
    }
    if problems.is_empty() {
        Ok(Monev {
            sheet: table.sheet.name.clone(),
            columns: table.columns.clone(),
            reports,
        })
    } else {
        Err(problems)
    }
}

type ReportKey = (Uuid, NaiveDate, i32, String);

fn key(milestone: Uuid, on: NaiveDate, percent: i32, note: Option<&str>) -> ReportKey {
    (milestone, on, percent, normalise(note.unwrap_or("")))
}

/// Every row's verdict: a report already kept is unchanged, any other is a new report.
pub fn verdicts(monev: &Monev, held: &Held) -> Vec<Verdict> {
    let kept: HashMap<ReportKey, Uuid> = held
        .reports
        .iter()
        .map(|r| {
            (
                key(r.milestone_id, r.reported_on, r.percent, r.note.as_deref()),
                r.id,
            )
        })
        .collect();
    monev
        .reports
        .iter()
        .map(|r| {
            let found = kept
                .get(&key(
                    r.milestone,
                    r.reported_on,
                    r.percent,
                    r.note.as_deref(),
                ))
                .copied();
            Verdict {
                sheet: monev.sheet.clone(),
                row: r.row + 1,
                record: "progressReport",
                key: format!("{}/{}/{}", r.code, r.title, r.reported_on),
                action: if found.is_some() {
                    Action::Unchanged
                } else {
                    Action::Create
                },
                existing: found,
            }
        })
        .collect()
}

/// The plan's reports as [`parse`] reads them back, in the plan's order of commitments and
/// milestones, each milestone's by date.
pub fn rows(held: &Held) -> Vec<Vec<Value>> {
    let codes: HashMap<Uuid, &str> = held
        .plan
        .commitments
        .iter()
        .map(|c| (c.id, c.code.as_deref().unwrap_or("")))
        .collect();
    let mut by_milestone: HashMap<Uuid, Vec<&progress_update::Model>> = HashMap::new();
    for r in &held.reports {
        by_milestone.entry(r.milestone_id).or_default().push(r);
    }
    let text = |s: Option<&str>| s.map_or(Value::Empty, |s| Value::Text(s.to_owned()));
    let mut out = vec![];
    for m in &held.plan.milestones {
        for r in by_milestone.remove(&m.id).unwrap_or_default() {
            let links: Vec<String> =
                serde_json::from_value(r.evidence_links.clone()).unwrap_or_default();
            out.push(vec![
                Value::Text(
                    codes
                        .get(&m.commitment_id)
                        .copied()
                        .unwrap_or("")
                        .to_owned(),
                ),
                Value::Text(m.title.clone()),
                Value::Date(r.reported_on),
                Value::Number(f64::from(r.percent)),
                text(r.note.as_deref()),
                if links.is_empty() {
                    Value::Empty
                } else {
                    Value::Text(links.join("\n"))
                },
                Value::Text(r.author_label.clone()),
            ]);
        }
    }
    out
}

fn column_of(_record: &str, field: &str) -> usize {
    match field {
        "reportedOn" => DATE,
        "percent" => PERCENT,
        "note" => NOTE,
        f if f.starts_with("evidenceLinks") => EVIDENCE,
        "milestoneId" => TITLE,
        _ => AUTHOR,
    }
}

/// Imports the reports into `plan`'s milestones through `reportProgress` (its permission —
/// the partnership's editors or the people responsible — its rules and audit), in the
/// sheet's order, all in one transaction.
pub async fn import(
    act: &Act<'_>,
    plan: &action_plan::Model,
    monev: &Monev,
    held: &Held,
    dry_run: bool,
) -> Result<Imported, ImportError> {
    act.permit("importSpreadsheet", Some(plan.member_id))?;
    let verdicts = verdicts(monev, held);
    let named: std::collections::HashSet<Uuid> =
        verdicts.iter().filter_map(|v| v.existing).collect();
    let imported = Imported::tally(verdicts, held.reports.len() - named.len(), dry_run);
    if imported.writes_nothing() {
        return Ok(imported);
    }
    let milestones: HashMap<Uuid, &milestone::Model> =
        held.plan.milestones.iter().map(|m| (m.id, m)).collect();
    let input = serde_json::json!({ "sheet": monev.sheet, "kind": "MONEV" });
    let verdicts = &imported.verdicts;
    crate::db::write(act.db, async |tx| -> Result<(), ImportError> {
        crate::db::within(tx, async |db| -> Result<(), ImportError> {
            let inner = Act { db, ..*act };
            let mut refusals = Refusals::new(&monev.sheet, &monev.columns, column_of);
            for (r, verdict) in monev.reports.iter().zip(verdicts) {
                if verdict.action != Action::Create {
                    continue;
                }
                let spec = Create {
                    mutation: "importSpreadsheet",
                    client_mutation_id: None,
                    input: &input,
                    problems: crate::Problems::new(),
                };
                let report = Report {
                    reported_on: Some(r.reported_on),
                    percent: r.percent,
                    note: r.note.clone(),
                    evidence_links: r.evidence_links.clone(),
                };
                let done =
                    m_ops::report_progress(&inner, milestones[&r.milestone], spec, report).await;
                refusals.settle(r.row, "progressReport", done)?;
            }
            refusals.finish()
        })
        .await
    })
    .await?;
    Ok(imported)
}
