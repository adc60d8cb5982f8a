//! The four kinds of sheet as one operation each way: a file imported into its plan or
//! member (dry run or for real), and a plan's or member's records written out as the same
//! sheet — so what an office exports, edits and imports back is the file it knows.

use chrono::Datelike;
use sea_orm::entity::prelude::StringLen;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::read::{self, Format};
use super::table::Column;
use super::verdict::{ImportError, Imported};
use super::{budget, monev, renaksi, write};
use crate::kernel::actor::Actor;
use crate::kernel::crud::Act;
use crate::kernel::edit::{Outcome, Refused};
use crate::{Problem, Problems, action_plan, organisation};

crate::text_enum! {
    /// The sheets offices keep.
    pub enum SheetKind {
        /// The Renaksi matrix: commitments and their milestones (into a plan).
        Renaksi => "RENAKSI",
        /// The monev matrix: one progress report per row (into a plan).
        Monev => "MONEV",
        /// The DPA budget lines and the commitments each funds (into a member).
        DpaLines => "DPA_LINES",
        /// The NGOs' programmes and the commitments each funds (into a member).
        NgoProgrammes => "NGO_PROGRAMMES",
    }
}

impl SheetKind {
    /// Whether the kind goes into a plan (else into a member).
    pub fn of_plan(self) -> bool {
        matches!(self, SheetKind::Renaksi | SheetKind::Monev)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            SheetKind::Renaksi => renaksi::COLUMNS,
            SheetKind::Monev => monev::COLUMNS,
            SheetKind::DpaLines => budget::DPA_COLUMNS,
            SheetKind::NgoProgrammes => budget::NGO_COLUMNS,
        }
    }

    /// The sheet's name, and the file's name before its extension.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            SheetKind::Renaksi => ("Renaksi", "renaksi"),
            SheetKind::Monev => ("Monev", "monev"),
            SheetKind::DpaLines => ("DPA", "dpa"),
            SheetKind::NgoProgrammes => ("Program LSM", "program-lsm"),
        }
    }

    /// The kind named in a path or on the command line (`renaksi`, `dpa-lines`…).
    pub fn parse(name: &str) -> Option<SheetKind> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "renaksi" => Some(SheetKind::Renaksi),
            "monev" => Some(SheetKind::Monev),
            "dpa" | "dpa-lines" => Some(SheetKind::DpaLines),
            "ngo-programmes" | "program-lsm" => Some(SheetKind::NgoProgrammes),
            _ => None,
        }
    }
}

/// What a file is imported into: a plan or a member, by id.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Plan(Uuid),
    Member(Uuid),
}

fn not_found(field: &str) -> ImportError {
    ImportError::Outcome(Outcome::Refused(Refused(Problems::one(
        &["input", field],
        Problem::NotFound,
    ))))
}

/// The plan (kinds of a plan) or the member the records belong to; a target of the other
/// kind, or one that does not exist, is NOT_FOUND on its input field.
async fn resolve(
    act: &Act<'_>,
    kind: SheetKind,
    target: Target,
) -> Result<(Uuid, Option<action_plan::Model>), ImportError> {
    match (kind.of_plan(), target) {
        (true, Target::Plan(id)) => {
            let plan = action_plan::Entity::find_by_id(id)
                .one(&act.db.exec())
                .await?
                .ok_or_else(|| not_found("planId"))?;
            Ok((plan.member_id, Some(plan)))
        }
        (false, Target::Member(id)) => {
            crate::member::Entity::find_by_id(id)
                .one(&act.db.exec())
                .await?
                .ok_or_else(|| not_found("memberId"))?;
            Ok((id, None))
        }
        (true, Target::Member(_)) => Err(not_found("planId")),
        (false, Target::Plan(_)) => Err(not_found("memberId")),
    }
}

async fn organisations(
    act: &Act<'_>,
    member: Uuid,
) -> Result<Vec<organisation::Model>, ImportError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::MemberId.eq(member))
        .order_by_asc(organisation::Column::Id)
        .all(&act.db.exec())
        .await?)
}

/// Imports `bytes` (a file named `file_name`, XLSX or CSV) of `kind` into `target`: the
/// permission first, then the file read and every row checked; a dry run answers the verdicts
/// and writes nothing, a real run writes every row or none.
pub async fn import(
    act: &Act<'_>,
    kind: SheetKind,
    target: Target,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<Imported, ImportError> {
    let (member, plan) = resolve(act, kind, target).await?;
    act.permit("importSpreadsheet", Some(member))?;
    let (format, sheets) = read::read(file_name, bytes).map_err(|p| vec![p])?;
    match kind {
        SheetKind::Renaksi => {
            let plan = plan.expect("a plan");
            let orgs = organisations(act, member).await?;
            let matrix = renaksi::parse(format, &sheets, &orgs)?;
            renaksi::import(act, &plan, &matrix, dry_run).await
        }
        SheetKind::Monev => {
            let plan = plan.expect("a plan");
            let held = monev::Held::load(&act.db.exec(), plan.id).await?;
            let sheet = monev::parse(format, &sheets, &held)?;
            monev::import(act, &plan, &sheet, &held, dry_run).await
        }
        SheetKind::DpaLines | SheetKind::NgoProgrammes => {
            let held = budget::Held::load(&act.db.exec(), member).await?;
            let programmes = kind == SheetKind::NgoProgrammes;
            let sheet = budget::parse(format, &sheets, &held, programmes)?;
            budget::import(act, member, &sheet, &held, dry_run).await
        }
    }
}

/// A sheet written out.
pub struct Exported {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The records of `kind` of `target` as a sheet in `format`, for someone of the partnership
/// (`None` for anyone else, and for a target that does not exist: nobody learns which).
pub async fn export(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    kind: SheetKind,
    target: Target,
    format: Format,
) -> Result<Option<Exported>, sea_orm::DbErr> {
    let (member, plan) = match (kind.of_plan(), target) {
        (true, Target::Plan(id)) => match action_plan::Entity::find_by_id(id).one(db).await? {
            Some(p) => (p.member_id, Some(p)),
            None => return Ok(None),
        },
        (false, Target::Member(id)) => (id, None),
        _ => return Ok(None),
    };
    if !actor.belongs_to(member) {
        return Ok(None);
    }
    let rows = match kind {
        SheetKind::Renaksi => {
            let plan = plan.as_ref().expect("a plan");
            let orgs = organisation::Entity::find()
                .filter(organisation::Column::MemberId.eq(member))
                .all(db)
                .await?;
            renaksi::rows(&renaksi::Existing::load(db, plan.id).await?, &orgs)
        }
        SheetKind::Monev => {
            let plan = plan.as_ref().expect("a plan");
            monev::rows(&monev::Held::load(db, plan.id).await?)
        }
        SheetKind::DpaLines | SheetKind::NgoProgrammes => budget::rows(
            &budget::Held::load(db, member).await?,
            kind == SheetKind::NgoProgrammes,
        ),
    };
    let (sheet, stem) = kind.names();
    let slug = match plan.as_ref().map(|p| (p.period_start, p.period_end)) {
        Some((Some(a), Some(b))) => format!("-{}-{}", a.year(), b.year()),
        _ => String::new(),
    };
    Ok(Some(match format {
        Format::Xlsx => Exported {
            file_name: format!("{stem}{slug}.xlsx"),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: write::xlsx(sheet, kind.columns(), &rows)
                .map_err(|e| sea_orm::DbErr::Custom(format!("writing the sheet: {e}")))?,
        },
        Format::Csv => Exported {
            file_name: format!("{stem}{slug}.csv"),
            content_type: "text/csv; charset=utf-8",
            bytes: write::csv(kind.columns(), &rows),
        },
    }))
}
