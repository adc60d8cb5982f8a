//! The budget sheets: the regional budget's lines (*DPA*) and the NGOs' programmes, each row
//! with the commitments it funds (their codes, in the column *Komitmen Didanai*). A DPA line
//! is matched by its fiscal year, DPA version, office and most specific code (sub-activity,
//! activity, then programme; the programme's name when it has no code); a programme by its
//! NGO and title. Every row runs through `createBudgetLine`/`updateBudgetLine` or
//! `createNgoProgramme`/`updateNgoProgramme`, and every new link through `addFunding`; a link
//! the file does not name is left as it is.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

mod compare;
mod import;
mod parse;

pub use compare::{rows, verdicts};
pub use import::import;
pub use parse::parse;

use super::read::{Format, Sheet};
use super::table::{self, Column, Kind, Table, Value, normalise};
use super::verdict::{Action, ImportError, Imported, Refusals, Verdict};
use super::{Issue, Organisations, SheetProblem};
use crate::budget::{self as ops, Fund, LineFields, ProgrammeFields};
use crate::budget_line::{self as line, DpaVersion};
use crate::kernel::crud::{Act, Create};
use crate::{commitment, funding, ngo_programme as programme, organisation};

const FUNDS: Column = Column {
    heading: "Komitmen Didanai",
    aliases: &[
        "Mendanai Komitmen",
        "Kode Komitmen",
        "Funds commitments",
        "Commitments",
    ],
    required: false,
    kind: Kind::Text { max: 2000 },
};

pub const DPA_COLUMNS: &[Column] = &[
    Column {
        heading: "Tahun Anggaran",
        aliases: &["Tahun", "TA", "Fiscal year"],
        required: true,
        kind: Kind::Whole {
            min: 2000,
            max: 2100,
        },
    },
    Column {
        heading: "Versi DPA",
        aliases: &["DPA", "Versi", "DPA version"],
        required: false,
        kind: Kind::Text { max: 40 },
    },
    Column {
        heading: "Perangkat Daerah",
        aliases: &["OPD", "SKPD", "Organisasi", "Office", "Organisation"],
        required: true,
        kind: Kind::Text { max: 300 },
    },
    Column {
        heading: "Kode Program",
        aliases: &["Programme code", "Program code"],
        required: false,
        kind: Kind::Text { max: 60 },
    },
    Column {
        heading: "Program",
        aliases: &["Nama Program", "Programme"],
        required: true,
        kind: Kind::Text { max: 500 },
    },
    Column {
        heading: "Kode Kegiatan",
        aliases: &["Activity code"],
        required: false,
        kind: Kind::Text { max: 60 },
    },
    Column {
        heading: "Kegiatan",
        aliases: &["Nama Kegiatan", "Activity"],
        required: false,
        kind: Kind::Text { max: 500 },
    },
    Column {
        heading: "Kode Sub Kegiatan",
        aliases: &["Kode Subkegiatan", "Sub-activity code"],
        required: false,
        kind: Kind::Text { max: 60 },
    },
    Column {
        heading: "Pagu",
        aliases: &["Pagu Anggaran", "Pagu (Rp)", "Ceiling"],
        required: true,
        kind: Kind::Money,
    },
    Column {
        heading: "Realisasi",
        aliases: &["Realisasi (Rp)", "Realisation"],
        required: false,
        kind: Kind::Money,
    },
    FUNDS,
];

pub const NGO_COLUMNS: &[Column] = &[
    Column {
        heading: "Organisasi",
        aliases: &["LSM", "Organisasi Masyarakat Sipil", "NGO", "Organisation"],
        required: true,
        kind: Kind::Text { max: 300 },
    },
    Column {
        heading: "Program",
        aliases: &["Nama Program", "Judul Program", "Programme", "Title"],
        required: true,
        kind: Kind::Text { max: 500 },
    },
    Column {
        heading: "Pemberi Dana",
        aliases: &["Donor", "Sumber Dana", "Funder"],
        required: false,
        kind: Kind::Text { max: 200 },
    },
    Column {
        heading: "Mulai",
        aliases: &["Tanggal Mulai", "Start"],
        required: false,
        kind: Kind::Date,
    },
    Column {
        heading: "Selesai",
        aliases: &["Tanggal Selesai", "End"],
        required: false,
        kind: Kind::Date,
    },
    Column {
        heading: "Nilai",
        aliases: &["Nilai (Rp)", "Anggaran", "Amount"],
        required: false,
        kind: Kind::Money,
    },
    FUNDS,
];

// DPA columns.
const YEAR: usize = 0;
const VERSION: usize = 1;
const OFFICE: usize = 2;
const PROGRAM_CODE: usize = 3;
const PROGRAM: usize = 4;
const ACTIVITY_CODE: usize = 5;
const ACTIVITY: usize = 6;
const SUB_CODE: usize = 7;
const CEILING: usize = 8;
const REALISATION: usize = 9;
const LINE_FUNDS: usize = 10;
// NGO programme columns.
const NGO: usize = 0;
const TITLE: usize = 1;
const FUNDER: usize = 2;
const START: usize = 3;
const END: usize = 4;
const AMOUNT: usize = 5;
const PROGRAMME_FUNDS: usize = 6;

fn version_of(text: &str) -> Option<DpaVersion> {
    match normalise(text).as_str() {
        "murni" | "induk" | "dpa" | "original" => Some(DpaVersion::Original),
        "perubahan" | "dppa" | "dpa perubahan" | "p" | "revised" => Some(DpaVersion::Revised),
        _ => None,
    }
}

fn version_label(v: DpaVersion) -> &'static str {
    match v {
        DpaVersion::Original => "Murni",
        DpaVersion::Revised => "Perubahan",
    }
}

/// What the member holds: its budget lines, NGO programmes, funding links, commitments and
/// organisations.
pub struct Held {
    pub lines: Vec<line::Model>,
    pub programmes: Vec<programme::Model>,
    pub fundings: Vec<funding::Model>,
    pub commitments: Vec<commitment::Model>,
    pub organisations: Vec<organisation::Model>,
}

impl Held {
    /// Five statements, whatever the member's size.
    pub async fn load<C: ConnectionTrait>(db: &C, member: Uuid) -> Result<Held, DbErr> {
        Ok(Held {
            lines: line::Entity::find()
                .filter(line::Column::MemberId.eq(member))
                .order_by_asc(line::Column::FiscalYear)
                .order_by_asc(line::Column::DpaVersion)
                .order_by_asc(line::Column::ProgramCode)
                .order_by_asc(line::Column::ActivityCode)
                .order_by_asc(line::Column::SubActivityCode)
                .order_by_asc(line::Column::Id)
                .all(db)
                .await?,
            programmes: programme::Entity::find()
                .filter(programme::Column::MemberId.eq(member))
                .order_by_asc(programme::Column::OrganisationId)
                .order_by_asc(programme::Column::Title)
                .order_by_asc(programme::Column::Id)
                .all(db)
                .await?,
            fundings: funding::Entity::find()
                .filter(funding::Column::MemberId.eq(member))
                .order_by_asc(funding::Column::Id)
                .all(db)
                .await?,
            commitments: commitment::Entity::find()
                .filter(commitment::Column::MemberId.eq(member))
                .order_by_asc(commitment::Column::Code)
                .order_by_asc(commitment::Column::Id)
                .all(db)
                .await?,
            organisations: organisation::Entity::find()
                .filter(organisation::Column::MemberId.eq(member))
                .order_by_asc(organisation::Column::Id)
                .all(db)
                .await?,
        })
    }

    /// The commitments by normalised code: `None` when more than one plan uses the code.
    fn codes(&self) -> HashMap<String, Option<Uuid>> {
        let mut out: HashMap<String, Option<Uuid>> = HashMap::new();
        for c in &self.commitments {
            if let Some(code) = &c.code {
                out.entry(normalise(code))
                    .and_modify(|e| *e = None)
                    .or_insert(Some(c.id));
            }
        }
        out
    }

    /// The codes of the commitments `source` funds, as the column writes them.
    fn funded(&self) -> HashMap<Uuid, Vec<&str>> {
        let codes: HashMap<Uuid, &str> = self
            .commitments
            .iter()
            .filter_map(|c| c.code.as_deref().map(|code| (c.id, code)))
            .collect();
        let mut out: HashMap<Uuid, Vec<&str>> = HashMap::new();
        for f in &self.fundings {
            let Some(source) = f.budget_line_id.or(f.ngo_programme_id) else {
                continue;
            };
            if let Some(code) = codes.get(&f.commitment_id) {
                let list = out.entry(source).or_default();
                if !list.contains(code) {
                    list.push(code);
                }
            }
        }
        for list in out.values_mut() {
            list.sort_unstable();
        }
        out
    }
}

/// A DPA line's key: its year, version, office and most specific code (or its name).
fn line_key(
    year: i32,
    version: DpaVersion,
    office: Uuid,
    codes: [Option<&str>; 3],
    name: &str,
) -> String {
    let code = codes
        .into_iter()
        .rev()
        .flatten()
        .next()
        .map_or_else(|| format!("~{}", normalise(name)), normalise);
    format!("{year}/{}/{office}/{code}", version_label(version))
}

fn model_line_key(l: &line::Model) -> String {
    line_key(
        l.fiscal_year,
        l.dpa_version,
        l.organisation_id,
        [
            l.program_code.as_deref(),
            l.activity_code.as_deref(),
            l.sub_activity_code.as_deref(),
        ],
        &l.program_name,
    )
}

fn programme_key(ngo: Uuid, title: &str) -> String {
    format!("{ngo}/{}", normalise(title))
}

/// One DPA line row.
#[derive(Clone, Debug, PartialEq)]
pub struct LineRow {
    pub row: usize,
    pub key: String,
    pub fiscal_year: i32,
    pub dpa_version: DpaVersion,
    pub organisation: Uuid,
    pub program_code: Option<String>,
    pub program_name: String,
    pub activity_code: Option<String>,
    pub activity_name: Option<String>,
    pub sub_activity_code: Option<String>,
    pub ceiling: i64,
    pub realisation: Option<i64>,
    /// The commitments it funds, with the code as written.
    pub funds: Vec<(Uuid, String)>,
}

/// One NGO programme row.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgrammeRow {
    pub row: usize,
    pub key: String,
    pub organisation: Uuid,
    pub title: String,
    pub funder: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub funds: Vec<(Uuid, String)>,
}

/// The rows of a budget sheet.
pub enum Rows {
    Lines(Vec<LineRow>),
    Programmes(Vec<ProgrammeRow>),
}

/// A budget sheet read.
pub struct Budget {
    pub sheet: String,
    pub columns: Vec<Option<usize>>,
    pub rows: Rows,
}
