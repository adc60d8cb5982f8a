//! The Renaksi matrix (*matriks rencana aksi*): one row per milestone, the commitment's
//! columns on its first row — or on every row, or merged down the rows, as officers lay it
//! out: a row whose commitment code is empty belongs to the commitment above it.
//!
//! Rows are matched to what the plan holds by commitment code, and milestones by title within
//! their commitment, so the same file read twice changes nothing. An empty cell leaves the
//! field as it is: a spreadsheet never erases.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::read::{Format, Sheet};
use super::table::{self, Column, Kind, Value, normalise};
use super::{Issue, SheetProblem};
use crate::commitment::{self, OgpValue};
use crate::{milestone, organisation};

pub const COLUMNS: &[Column] = &[
    Column {
        heading: "Kode Komitmen",
        aliases: &["Kode", "No Komitmen", "Commitment code", "Code"],
        required: true,
        kind: Kind::Text { max: 40 },
    },
    Column {
        heading: "Komitmen",
        aliases: &[
            "Judul Komitmen",
            "Nama Komitmen",
            "Commitment",
            "Commitment title",
        ],
        required: true,
        kind: Kind::Text { max: 500 },
    },
    Column {
        heading: "Nilai OGP",
        aliases: &["Nilai-nilai OGP", "Relevansi Nilai OGP", "OGP values"],
        required: false,
        kind: Kind::Text { max: 500 },
    },
    Column {
        heading: "Instansi Pengampu",
        aliases: &[
            "OPD Pengampu",
            "Penanggung Jawab Komitmen",
            "Lead agency",
            "Lead organisation",
        ],
        required: false,
        kind: Kind::Text { max: 300 },
    },
    Column {
        heading: "Mulai Komitmen",
        aliases: &["Periode Mulai", "Commitment start"],
        required: false,
        kind: Kind::Date,
    },
    Column {
        heading: "Selesai Komitmen",
        aliases: &["Periode Selesai", "Commitment end"],
        required: false,
        kind: Kind::Date,
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
        heading: "Keluaran",
        aliases: &["Hasil", "Output", "Deliverable"],
        required: false,
        kind: Kind::Text { max: 5000 },
    },
    Column {
        heading: "Mulai",
        aliases: &["Tanggal Mulai", "Start", "Start date"],
        required: false,
        kind: Kind::Date,
    },
    Column {
        heading: "Selesai",
        aliases: &["Tanggal Selesai", "End", "End date"],
        required: false,
        kind: Kind::Date,
    },
    Column {
        heading: "Bobot",
        aliases: &["Bobot %", "Weight"],
        required: false,
        kind: Kind::Whole { min: 0, max: 1000 },
    },
    Column {
        heading: "Penanggung Jawab",
        aliases: &[
            "Pelaksana",
            "OPD Pelaksana",
            "Responsible",
            "Responsible organisation",
        ],
        required: false,
        kind: Kind::Text { max: 300 },
    },
];

const CODE: usize = 0;
const TITLE: usize = 1;
const VALUES: usize = 2;
const LEAD: usize = 3;
const C_START: usize = 4;
const C_END: usize = 5;
const M_TITLE: usize = 6;
const DELIVERABLE: usize = 7;
const M_START: usize = 8;
const M_END: usize = 9;
const WEIGHT: usize = 10;
const RESPONSIBLE: usize = 11;

/// The OGP values as the matrix writes them.
pub fn value_label(v: OgpValue) -> &'static str {
    match v {
        OgpValue::AccessToInformation => "Akses Informasi",
        OgpValue::CivicParticipation => "Partisipasi Publik",
        OgpValue::PublicAccountability => "Akuntabilitas Publik",
        OgpValue::TechnologyInnovation => "Teknologi dan Inovasi",
    }
}

fn value_of(word: &str) -> Option<OgpValue> {
    use OgpValue::*;
    Some(match normalise(word).as_str() {
        "akses informasi"
        | "keterbukaan informasi"
        | "transparansi"
        | "access to information"
        | "transparency"
        | "access_to_information" => AccessToInformation,
        "partisipasi publik"
        | "partisipasi"
        | "partisipasi masyarakat"
        | "partisipasi warga"
        | "civic participation"
        | "participation" => CivicParticipation,
        "akuntabilitas publik" | "akuntabilitas" | "public accountability" | "accountability" => {
            PublicAccountability
        }
        "teknologi dan inovasi"
        | "teknologi inovasi"
        | "teknologi"
        | "inovasi"
        | "technology and innovation"
        | "technology innovation"
        | "technology" => TechnologyInnovation,
        _ => return None,
    })
}

/// One milestone row.
#[derive(Clone, Debug, PartialEq)]
pub struct MilestoneRow {
    /// Zero-based sheet row.
    pub row: usize,
    pub title: String,
    pub deliverable: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub weight: Option<i32>,
    pub responsible: Option<Uuid>,
}

/// One commitment with its milestone rows.
#[derive(Clone, Debug, PartialEq)]
pub struct CommitmentRow {
    pub row: usize,
    pub code: String,
    pub title: String,
    pub ogp_values: Option<Vec<OgpValue>>,
    pub lead: Option<Uuid>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub milestones: Vec<MilestoneRow>,
}

/// The matrix read: its sheet's name and its commitments, or every problem found.
pub struct Matrix {
    pub sheet: String,
    /// For each of [`COLUMNS`], the sheet's column (zero-based) that holds it.
    pub columns: Vec<Option<usize>>,
    pub commitments: Vec<CommitmentRow>,
}

/// Reads the Renaksi matrix out of `sheets`, naming organisations by acronym or name among
/// `organisations` (the member's).
pub fn parse(
    format: Format,
    sheets: &[Sheet],
    organisations: &[organisation::Model],
) -> Result<Matrix, Vec<SheetProblem>> {
    let table = table::find(format, sheets, COLUMNS, "Renaksi")?;
    let (rows, mut problems) = table.rows(COLUMNS);
    let mut by_name: HashMap<String, Uuid> = HashMap::new();
    for o in organisations {
        by_name.insert(normalise(&o.name), o.id);
        if let Some(a) = &o.acronym {
            by_name.entry(normalise(a)).or_insert(o.id);
        }
    }
    let org = |r: usize, i: usize, v: &Value, problems: &mut Vec<SheetProblem>| {
        let name = v.text()?;
        match by_name.get(&normalise(name)) {
            Some(id) => Some(*id),
            None => {
                problems.push(table.problem_at(r, i, Issue::UnknownOrganisation(name.to_owned())));
                None
            }
        }
    };
    let mut commitments: Vec<CommitmentRow> = vec![];
    let mut codes: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let v = &row.values;
        let r = row.row;
        // The code of the commitment above, repeated, continues it.
        let code = v[CODE].text().filter(|code| {
            commitments
                .last()
                .is_none_or(|c| normalise(&c.code) != normalise(code))
        });
        if let Some(code) = code {
            if codes.contains_key(&normalise(code)) {
                problems.push(table.problem_at(r, CODE, Issue::DuplicateCode(code.to_owned())));
                continue;
            }
            let Some(title) = v[TITLE].text() else {
                problems.push(table.problem_at(r, TITLE, Issue::Required));
                continue;
            };
            let ogp_values = v[VALUES].text().map(|text| {
                let mut out = vec![];
                for word in text
                    .split([',', ';', '/', '\n'])
                    .filter(|w| !w.trim().is_empty())
                {
                    match value_of(word) {
                        Some(val) => out.push(val),
                        None => problems.push(table.problem_at(
                            r,
                            VALUES,
                            Issue::UnknownValue(word.trim().to_owned()),
                        )),
                    }
                }
                out.sort();
                out.dedup();
                out
            });
            codes.insert(normalise(code), commitments.len());
            commitments.push(CommitmentRow {
                row: r,
                code: code.to_owned(),
                title: title.to_owned(),
                ogp_values,
                lead: org(r, LEAD, &v[LEAD], &mut problems),
                starts_on: v[C_START].date(),
                ends_on: v[C_END].date(),
                milestones: vec![],
            });
        } else if commitments.is_empty() {
            problems.push(table.problem_at(r, CODE, Issue::Required));
            continue;
        }
        let Some(title) = v[M_TITLE].text() else {
            continue;
        };
        let weight = v[WEIGHT].number().map(|n| n as i32);
        let milestone = MilestoneRow {
            row: r,
            title: title.to_owned(),
            deliverable: v[DELIVERABLE].text().map(str::to_owned),
            starts_on: v[M_START].date(),
            ends_on: v[M_END].date(),
            weight,
            responsible: org(r, RESPONSIBLE, &v[RESPONSIBLE], &mut problems),
        };
        let c = commitments.last_mut().expect("a commitment above");
        if c.milestones
            .iter()
            .any(|m| normalise(&m.title) == normalise(title))
        {
            problems.push(table.problem_at(
                r,
                M_TITLE,
                Issue::DuplicateMilestone(title.to_owned()),
            ));
            continue;
        }
        c.milestones.push(milestone);
    }
    if problems.is_empty() {
        Ok(Matrix {
            sheet: table.sheet.name.clone(),
            columns: table.columns.clone(),
            commitments,
        })
    } else {
        Err(problems)
    }
}

/// What importing a row would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    /// The fields it would change (the model's names).
    Change(Vec<&'static str>),
    Unchanged,
}

/// A row's verdict, for the dry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub sheet: String,
    /// One-based, as the spreadsheet numbers it.
    pub row: usize,
    /// `commitment` or `milestone`.
    pub record: &'static str,
    /// The commitment code, and the milestone title after a slash.
    pub key: String,
    pub action: Action,
    /// The record it matched.
    pub existing: Option<Uuid>,
}

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

/// The plan's matrix, as [`parse`] reads it back: one row per milestone (a commitment without
/// milestones gets a row of its own), the commitment's columns on every row.
pub fn rows(existing: &Existing, organisations: &[organisation::Model]) -> Vec<Vec<Value>> {
    let names: HashMap<Uuid, String> = organisations
        .iter()
        .map(|o| (o.id, o.acronym.clone().unwrap_or_else(|| o.name.clone())))
        .collect();
    let mut by_commitment: HashMap<Uuid, Vec<&milestone::Model>> = HashMap::new();
    for m in &existing.milestones {
        by_commitment.entry(m.commitment_id).or_default().push(m);
    }
    let text = |s: Option<&str>| s.map_or(Value::Empty, |s| Value::Text(s.to_owned()));
    let date = |d: Option<NaiveDate>| d.map_or(Value::Empty, Value::Date);
    let org = |id: Option<Uuid>| text(id.and_then(|id| names.get(&id)).map(String::as_str));
    let mut out = vec![];
    for c in &existing.commitments {
        let values: Vec<OgpValue> =
            serde_json::from_value(c.ogp_values.clone()).unwrap_or_default();
        let head = vec![
            text(c.code.as_deref()),
            Value::Text(c.title.clone()),
            if values.is_empty() {
                Value::Empty
            } else {
                Value::Text(
                    values
                        .iter()
                        .map(|v| value_label(*v))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            },
            org(c.lead_organisation_id),
            date(c.starts_on),
            date(c.ends_on),
        ];
        let ms = by_commitment.remove(&c.id).unwrap_or_default();
        if ms.is_empty() {
            let mut row = head.clone();
            row.extend(std::iter::repeat_n(
                Value::Empty,
                COLUMNS.len() - head.len(),
            ));
            out.push(row);
        }
        for m in ms {
            let mut row = head.clone();
            row.extend([
                Value::Text(m.title.clone()),
                text(m.deliverable.as_deref()),
                date(m.starts_on),
                date(m.ends_on),
                Value::Number(f64::from(m.weight)),
                org(m.responsible_organisation_id),
            ]);
            out.push(row);
        }
    }
    out
}

/// What an import did, or would do (a dry run).
#[derive(Debug)]
pub struct Imported {
    pub verdicts: Vec<Verdict>,
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// The plan's commitments and milestones the file does not name (left as they are).
    pub not_in_file: usize,
    pub dry_run: bool,
}

/// Why an import wrote nothing.
pub enum ImportError {
    /// Rows that break the records' rules, each at its cell.
    Sheet(Vec<SheetProblem>),
    /// Permission, a race or the database.
    Outcome(crate::kernel::edit::Outcome),
}

impl std::fmt::Debug for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Sheet(p) => write!(f, "Sheet({p:?})"),
            ImportError::Outcome(_) => write!(f, "Outcome"),
        }
    }
}

impl From<crate::kernel::edit::Outcome> for ImportError {
    fn from(o: crate::kernel::edit::Outcome) -> Self {
        ImportError::Outcome(o)
    }
}

impl From<DbErr> for ImportError {
    fn from(e: DbErr) -> Self {
        ImportError::Outcome(e.into())
    }
}

/// The column of a commitment's or a milestone's field, by the API's field name.
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

/// `EndBeforeStart` → `END_BEFORE_START`, as the API writes its codes.
fn screaming(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// The refusals of a row's operation, at the row's cells.
fn at_cells(
    matrix: &Matrix,
    row: usize,
    record: &str,
    problems: crate::Problems,
) -> Vec<SheetProblem> {
    problems
        .0
        .into_iter()
        .map(|fp| {
            let field = fp.field.last().map(String::as_str).unwrap_or("");
            let col = matrix.columns[column_of(record, field)].unwrap_or(0);
            let code = screaming(&format!("{:?}", fp.problem.code()));
            SheetProblem {
                sheet: Some(matrix.sheet.clone()),
                cell: Some(super::read::address(row, col)),
                issue: Issue::Rule {
                    code,
                    id: fp.problem.message(crate::i18n::Lang::Id),
                    en: fp.problem.message(crate::i18n::Lang::En),
                },
            }
        })
        .collect()
}

/// Imports the matrix into `plan`: every row through the same operations (permission, rules,
/// audit) as the API's `createCommitment`, `updateCommitment`, `createMilestone` and
/// `updateMilestone`, all in one transaction — any row refused, nothing is written, and every
/// refused row is named. A dry run answers the same verdicts and writes nothing.
pub async fn import(
    act: &crate::kernel::crud::Act<'_>,
    plan: &crate::action_plan::Model,
    matrix: &Matrix,
    dry_run: bool,
) -> Result<Imported, ImportError> {
    use crate::kernel::crud::{Act, Create};
    use crate::kernel::edit::Outcome;
    use crate::plans::commitment::{self as c_ops, CommitmentChange, NewCommitment};
    use crate::plans::milestone::{self as m_ops, MilestoneChange, NewMilestone};

    act.permit("importSpreadsheet", Some(plan.member_id))?;
    let existing = Existing::load(&act.db.exec(), plan.id).await?;
    let verdicts = verdicts(matrix, &existing);
    let count = |a: fn(&Action) -> bool| verdicts.iter().filter(|v| a(&v.action)).count();
    let named: std::collections::HashSet<Uuid> =
        verdicts.iter().filter_map(|v| v.existing).collect();
    let mut imported = Imported {
        created: count(|a| *a == Action::Create),
        changed: count(|a| matches!(a, Action::Change(_))),
        unchanged: count(|a| *a == Action::Unchanged),
        not_in_file: existing.commitments.len() + existing.milestones.len() - named.len(),
        verdicts: vec![],
        dry_run,
    };
    if dry_run || imported.created + imported.changed == 0 {
        imported.verdicts = verdicts;
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
    let result = crate::db::write(act.db, async |tx| -> Result<(), ImportError> {
        let inner = Act {
            db: tx.into(),
            ..*act
        };
        let mut refused: Vec<SheetProblem> = vec![];
        let mut settle = |row: usize, record: &str, r: Result<(), Outcome>| match r {
            Ok(()) => Ok(()),
            Err(Outcome::Refused(p)) => {
                refused.extend(at_cells(matrix, row, record, p.0));
                Ok(())
            }
            Err(other) => Err(ImportError::Outcome(other)),
        };
        let mut v = verdicts.iter();
        for c in &matrix.commitments {
            let verdict = v.next().expect("a verdict per commitment");
            let model: Option<commitment::Model> = match &verdict.action {
                Action::Create => {
                    let made = c_ops::create(
                        &inner,
                        plan,
                        spec(),
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
                        },
                    )
                    .await;
                    match made {
                        Ok(m) => Some(m),
                        Err(e) => {
                            settle(c.row, "commitment", Err(e))?;
                            None
                        }
                    }
                }
                Action::Change(_) => {
                    let current = commitments[&verdict.existing.expect("matched")];
                    let changed = c_ops::update(
                        &inner,
                        current,
                        current.version,
                        crate::Problems::new(),
                        CommitmentChange {
                            title: Some(c.title.clone()),
                            ogp_values: c.ogp_values.clone(),
                            lead_organisation: c.lead.map(Some),
                            starts_on: c.starts_on.map(Some),
                            ends_on: c.ends_on.map(Some),
                            ..Default::default()
                        },
                    )
                    .await;
                    match changed {
                        Ok(m) => Some(m),
                        Err(e) => {
                            settle(c.row, "commitment", Err(e))?;
                            None
                        }
                    }
                }
                Action::Unchanged => verdict.existing.map(|id| commitments[&id].clone()),
            };
            for m in &c.milestones {
                let verdict = v.next().expect("a verdict per milestone");
                let Some(parent) = &model else { continue };
                let r = match &verdict.action {
                    Action::Create => m_ops::create(
                        &inner,
                        parent,
                        spec(),
                        NewMilestone {
                            title: m.title.clone(),
                            deliverable: m.deliverable.clone(),
                            starts_on: m.starts_on,
                            ends_on: m.ends_on,
                            responsible_organisation: m.responsible,
                            weight: m.weight,
                        },
                    )
                    .await
                    .map(|_| ()),
                    Action::Change(_) => {
                        let current = milestones[&verdict.existing.expect("matched")];
                        m_ops::update(
                            &inner,
                            current,
                            current.version,
                            crate::Problems::new(),
                            MilestoneChange {
                                deliverable: m.deliverable.clone().map(Some),
                                starts_on: m.starts_on.map(Some),
                                ends_on: m.ends_on.map(Some),
                                responsible_organisation: m.responsible.map(Some),
                                weight: m.weight,
                                ..Default::default()
                            },
                        )
                        .await
                        .map(|_| ())
                    }
                    Action::Unchanged => Ok(()),
                };
                settle(m.row, "milestone", r)?;
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(ImportError::Sheet(refused))
        }
    })
    .await;
    result?;
    imported.verdicts = verdicts;
    Ok(imported)
}
