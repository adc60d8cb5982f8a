//! The budget sheets: the regional budget's lines (*DPA*) and the NGOs' programmes, each row
//! with the commitments it funds (their codes, in the column *Komitmen Didanai*). A DPA line
//! is matched by its fiscal year, DPA version, office and most specific code (sub-activity,
//! activity, then programme; the programme's name when it has no code); a programme by its
//! NGO and title. Every row runs through `createBudgetLine`/`updateBudgetLine` or
//! `createNgoProgramme`/`updateNgoProgramme`, and every new link through `addFunding`; a link
//! the file does not name is left as it is.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

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
        let inner = Act {
            db: tx.into(),
            ..*act
        };
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
                let done = ops::add_funding(&inner, current, crate::Problems::new(), fund).await;
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
                        Some(s) => link(&mut refusals, r.row, s, true, &r.funds, &mut v).await?,
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
                        Some(s) => link(&mut refusals, r.row, s, false, &r.funds, &mut v).await?,
                        None => v.by_ref().take(r.funds.len()).for_each(drop),
                    }
                }
            }
        }
        refusals.finish()
    })
    .await?;
    Ok(imported)
}
