//! The Renaksi matrix (*matriks rencana aksi*): one row per milestone, the commitment's
//! columns on its first row — or on every row, or merged down the rows, as officers lay it
//! out: a row whose commitment code is empty belongs to the commitment above it.
//!
//! Rows are matched to what the plan holds by commitment code, and milestones by title within
//! their commitment, so the same file read twice changes nothing. An empty cell leaves the
//! field as it is: a spreadsheet never erases.

mod compare;
mod import;

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

pub use self::compare::{Existing, verdicts};
pub use self::import::import;
pub use super::verdict::{Action, ImportError, Imported, Verdict};

use super::read::{Format, Sheet};
use super::table::{self, Column, Kind, Value, normalise};
use super::{Issue, SheetProblem};
use crate::commitment::OgpValue;
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
    let names = super::Organisations::new(organisations);
    let org = |r: usize, i: usize, v: &Value, problems: &mut Vec<SheetProblem>| {
        names.find(&table, r, i, v, problems)
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
/// The plan's matrix, as [`parse`] reads it back: one row per milestone (a commitment without
/// milestones gets a row of its own), the commitment's columns on every row.
pub fn rows(existing: &Existing, organisations: &[organisation::Model]) -> Vec<Vec<Value>> {
    let names = super::Organisations::new(organisations);
    let mut by_commitment: HashMap<Uuid, Vec<&milestone::Model>> = HashMap::new();
    for m in &existing.milestones {
        by_commitment.entry(m.commitment_id).or_default().push(m);
    }
    let text = |s: Option<&str>| s.map_or(Value::Empty, |s| Value::Text(s.to_owned()));
    let date = |d: Option<NaiveDate>| d.map_or(Value::Empty, Value::Date);
    let org = |id: Option<Uuid>| names.label(id);
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
