//! `importSpreadsheet`: an office's Renaksi, monev, DPA or NGO-programme sheet (XLSX or CSV,
//! a GraphQL multipart upload) brought into a plan or a member through
//! [`entity::sheets::files::import`]. A dry run answers row by row what would be created,
//! changed or left alone; the real run writes every row or none. Every problem names its
//! sheet and cell.

use std::io::Read;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Upload};
use entity::sheets::files::{self, SheetKind, Target};
use entity::sheets::verdict::{Action, ImportError, Imported, Verdict};
use entity::sheets::{SheetProblem as DomainProblem, read::MAX_BYTES};
use entity::{Lang, Problem, Problems};

use super::context::CtxExt;
use super::crud::acting;
use super::mutation::{UserError, user_errors};
use super::policy;

#[derive(InputObject)]
pub struct ImportSpreadsheetInput {
    pub client_mutation_id: Option<String>,
    pub kind: SheetKind,
    /// The plan, for RENAKSI and MONEV.
    pub plan_id: Option<ID>,
    /// The member, for DPA_LINES and NGO_PROGRAMMES.
    pub member_id: Option<ID>,
    /// The file (.xlsx or .csv), at most 10 MiB and 25,000 rows.
    pub file: Upload,
    /// True: answer what would be done and write nothing.
    pub dry_run: bool,
}

/// What importing a row does.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    Create,
    Change,
    Unchanged,
}

/// One row's verdict.
#[derive(SimpleObject)]
pub struct SpreadsheetRow {
    pub sheet: String,
    /// As the spreadsheet numbers it (the heading row is above).
    pub row: i32,
    /// `commitment`, `milestone`, `progressReport`, `budgetLine`, `ngoProgramme` or `funding`.
    pub record: String,
    /// What the row is matched by (the commitment code, `code/milestone title`, …).
    pub key: String,
    pub action: RowAction,
    /// For CHANGE: the fields that would change.
    pub changed_fields: Vec<String>,
    /// The record the row matched.
    pub existing_id: Option<ID>,
}

/// What the import did (or, in a dry run, would do).
#[derive(SimpleObject)]
pub struct SpreadsheetImport {
    pub dry_run: bool,
    pub created: i32,
    pub changed: i32,
    pub unchanged: i32,
    /// Records of the plan or member the file does not name (left as they are).
    pub not_in_file: i32,
    pub rows: Vec<SpreadsheetRow>,
}

/// A problem with the file, a sheet or a cell.
#[derive(SimpleObject)]
pub struct SpreadsheetProblem {
    pub sheet: Option<String>,
    /// `B14`.
    pub cell: Option<String>,
    /// `FORMULA`, `DATE_AS_TEXT`, `MISSING_COLUMN`… or the API's own code for a rule a row
    /// breaks (`END_BEFORE_START`).
    pub code: String,
    /// In the reader's language, without the place.
    pub message: String,
}

#[derive(SimpleObject)]
pub struct ImportSpreadsheetPayload {
    pub client_mutation_id: Option<String>,
    /// Null when anything is wrong: nothing was written.
    pub import: Option<SpreadsheetImport>,
    /// Every problem, also in `userErrors` (on `input.file`, the place in the message).
    pub problems: Vec<SpreadsheetProblem>,
    pub user_errors: Vec<UserError>,
}

fn record_kind(record: &str) -> &'static str {
    match record {
        "commitment" => super::commitment::KIND,
        "milestone" => super::milestone::KIND,
        "progressReport" => "ProgressUpdate",
        "budgetLine" => "BudgetLine",
        "ngoProgramme" => "NgoProgramme",
        _ => "",
    }
}

fn row(v: Verdict) -> SpreadsheetRow {
    let (action, changed_fields) = match v.action {
        Action::Create => (RowAction::Create, vec![]),
        Action::Change(f) => (
            RowAction::Change,
            f.into_iter().map(str::to_owned).collect(),
        ),
        Action::Unchanged => (RowAction::Unchanged, vec![]),
    };
    let kind = record_kind(v.record);
    SpreadsheetRow {
        existing_id: v
            .existing
            .filter(|_| !kind.is_empty())
            .map(|id| super::ids::encode(kind, id)),
        sheet: v.sheet,
        row: v.row as i32,
        record: v.record.to_owned(),
        key: v.key,
        action,
        changed_fields,
    }
}

fn answer(imported: Imported, client_mutation_id: Option<String>) -> ImportSpreadsheetPayload {
    let n = |x: usize| x as i32;
    ImportSpreadsheetPayload {
        client_mutation_id,
        import: Some(SpreadsheetImport {
            dry_run: imported.dry_run,
            created: n(imported.created),
            changed: n(imported.changed),
            unchanged: n(imported.unchanged),
            not_in_file: n(imported.not_in_file),
            rows: imported.verdicts.into_iter().map(row).collect(),
        }),
        problems: vec![],
        user_errors: vec![],
    }
}

fn problems(
    found: Vec<DomainProblem>,
    lang: Lang,
    client_mutation_id: Option<String>,
) -> ImportSpreadsheetPayload {
    let user_errors = found
        .iter()
        .map(|p| UserError {
            field: vec!["input".into(), "file".into()],
            message: p.describe(lang),
            code: p.issue.user_error_code(),
        })
        .collect();
    ImportSpreadsheetPayload {
        client_mutation_id,
        import: None,
        problems: found
            .into_iter()
            .map(|p| SpreadsheetProblem {
                code: p.issue.rule_code().into_owned(),
                message: p.issue.message(lang),
                sheet: p.sheet,
                cell: p.cell,
            })
            .collect(),
        user_errors,
    }
}

fn refused(
    p: Problems,
    lang: Lang,
    client_mutation_id: Option<String>,
) -> ImportSpreadsheetPayload {
    ImportSpreadsheetPayload {
        client_mutation_id,
        import: None,
        problems: vec![],
        user_errors: user_errors(p, lang),
    }
}

#[derive(Default)]
pub struct SheetMutation;

#[Object]
impl SheetMutation {
    /// Imports an office's spreadsheet (multipart upload): RENAKSI and MONEV into `planId`,
    /// DPA_LINES and NGO_PROGRAMMES into `memberId`. Rows are matched by code (commitment
    /// code, milestone title within it, DPA code), so importing the same file twice changes
    /// nothing; the real run goes through the same operations, permissions and audit as the
    /// API's own mutations, all or nothing.
    async fn import_spreadsheet(
        &self,
        ctx: &Context<'_>,
        input: ImportSpreadsheetInput,
    ) -> Result<ImportSpreadsheetPayload> {
        let viewer = policy::gate(ctx, "importSpreadsheet")?;
        let lang = ctx.lang();
        let cmid = input.client_mutation_id.clone();
        let (field, id, kind) = if input.kind.of_plan() {
            ("planId", &input.plan_id, super::plan::KIND)
        } else {
            ("memberId", &input.member_id, super::member::KIND)
        };
        let Some(uuid) = id.as_ref().and_then(|id| super::ids::decode_as(id, kind)) else {
            let problem = if id.is_some() {
                Problem::NotFound
            } else {
                Problem::Required
            };
            return Ok(refused(
                Problems::one(&["input", field], problem),
                lang,
                cmid,
            ));
        };
        let target = if input.kind.of_plan() {
            Target::Plan(uuid)
        } else {
            Target::Member(uuid)
        };
        let upload = input.file.value(ctx)?;
        let name = upload.filename.clone();
        let mut bytes = Vec::new();
        upload
            .into_read()
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| super::errors::internal(e, lang))?;
        let result = acting(ctx, &viewer, async |act| {
            files::import(act, input.kind, target, &name, &bytes, input.dry_run).await
        })
        .await;
        match result {
            Ok(imported) => Ok(answer(imported, cmid)),
            Err(ImportError::Sheet(found)) => Ok(problems(found, lang, cmid)),
            Err(ImportError::Outcome(entity::kernel::edit::Outcome::Refused(r))) => {
                Ok(refused(r.0, lang, cmid))
            }
            Err(ImportError::Outcome(o)) => Err(super::errors::not_done(o, lang)),
        }
    }
}
