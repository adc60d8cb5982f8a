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

/// What a kind of sheet goes into, found: its plan, or its member.
enum Owner {
    Renaksi(action_plan::Model),
    Monev(action_plan::Model),
    Budget { member: Uuid, programmes: bool },
}

impl Owner {
    fn member(&self) -> Uuid {
        match self {
            Owner::Renaksi(p) | Owner::Monev(p) => p.member_id,
            Owner::Budget { member, .. } => *member,
        }
    }

    fn plan(&self) -> Option<&action_plan::Model> {
        match self {
            Owner::Renaksi(p) | Owner::Monev(p) => Some(p),
            Owner::Budget { .. } => None,
        }
    }

    /// The plan (kinds of a plan) or the member the records belong to: `None` for a target
    /// of the other kind or one that does not exist.
    async fn find(
        db: &impl sea_orm::ConnectionTrait,
        kind: SheetKind,
        target: Target,
    ) -> Result<Option<Owner>, sea_orm::DbErr> {
        let plan = |id| action_plan::Entity::find_by_id(id).one(db);
        Ok(match (kind, target) {
            (SheetKind::Renaksi, Target::Plan(id)) => plan(id).await?.map(Owner::Renaksi),
            (SheetKind::Monev, Target::Plan(id)) => plan(id).await?.map(Owner::Monev),
            (SheetKind::DpaLines | SheetKind::NgoProgrammes, Target::Member(id)) => {
                crate::member::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .map(|_| Owner::Budget {
                        member: id,
                        programmes: kind == SheetKind::NgoProgrammes,
                    })
            }
            _ => None,
        })
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
    let Some(owner) = Owner::find(&act.db.exec(), kind, target).await? else {
        return Err(not_found(if kind.of_plan() {
            "planId"
        } else {
            "memberId"
        }));
    };
    let member = owner.member();
    act.permit("importSpreadsheet", Some(member))?;
    let (format, sheets) = read::read(file_name, bytes).map_err(|p| vec![p])?;
    match owner {
        Owner::Renaksi(plan) => {
            let orgs = organisations(act, member).await?;
            let matrix = renaksi::parse(format, &sheets, &orgs)?;
            renaksi::import(act, &plan, &matrix, dry_run).await
        }
        Owner::Monev(plan) => {
            let held = monev::Held::load(&act.db.exec(), plan.id).await?;
            let sheet = monev::parse(format, &sheets, &held)?;
            monev::import(act, &plan, &sheet, &held, dry_run).await
        }
        Owner::Budget { member, programmes } => {
            let held = budget::Held::load(&act.db.exec(), member).await?;
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
    let Some(owner) = Owner::find(db, kind, target).await? else {
        return Ok(None);
    };
    let member = owner.member();
    if !actor.belongs_to(member) {
        return Ok(None);
    }
    let rows = match &owner {
        Owner::Renaksi(plan) => {
            let orgs = organisation::Entity::find()
                .filter(organisation::Column::MemberId.eq(member))
                .all(db)
                .await?;
            renaksi::rows(&renaksi::Existing::load(db, plan.id).await?, &orgs)
        }
        Owner::Monev(plan) => monev::rows(&monev::Held::load(db, plan.id).await?),
        Owner::Budget { member, programmes } => {
            budget::rows(&budget::Held::load(db, *member).await?, *programmes)
        }
    };
    let (sheet, stem) = kind.names();
    let slug = match owner.plan().map(|p| (p.period_start, p.period_end)) {
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
