//! What an import does, or would do, row by row: the verdicts of a dry run, the counts, and
//! the refusals of the domain's operations tied back to the cells they came from.

use sea_orm::DbErr;
use uuid::Uuid;

use super::read::address;
use super::{Broken, Issue, SheetProblem};
use crate::kernel::edit::Outcome;

/// What importing a row would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    /// The fields it would change (the API's names).
    Change(Vec<&'static str>),
    Unchanged,
}

/// A row's verdict, for the dry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub sheet: String,
    /// One-based, as the spreadsheet numbers it.
    pub row: usize,
    /// The record the row makes or matches: `commitment`, `milestone`, `progressReport`,
    /// `budgetLine`, `ngoProgramme` or `funding`.
    pub record: &'static str,
    /// What the row is matched by: the commitment code, the milestone title after a slash…
    pub key: String,
    pub action: Action,
    /// The record it matched.
    pub existing: Option<Uuid>,
}

/// What an import did, or would do (a dry run).
#[derive(Debug)]
pub struct Imported {
    pub verdicts: Vec<Verdict>,
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// The records of the plan or member the file does not name (left as they are).
    pub not_in_file: usize,
    pub dry_run: bool,
}

impl Imported {
    /// The counts of `verdicts`.
    pub fn tally(verdicts: Vec<Verdict>, not_in_file: usize, dry_run: bool) -> Imported {
        let count = |a: fn(&Action) -> bool| verdicts.iter().filter(|v| a(&v.action)).count();
        Imported {
            created: count(|a| *a == Action::Create),
            changed: count(|a| matches!(a, Action::Change(_))),
            unchanged: count(|a| *a == Action::Unchanged),
            not_in_file,
            verdicts,
            dry_run,
        }
    }

    /// Nothing to write: a dry run, or a file that changes nothing.
    pub fn writes_nothing(&self) -> bool {
        self.dry_run || self.created + self.changed == 0
    }
}

/// Why an import wrote nothing.
pub enum ImportError {
    /// Problems with the file, or rows that break the records' rules, each at its cell.
    Sheet(Vec<SheetProblem>),
    /// Permission, a record not found, a race or the database.
    Outcome(Outcome),
}

impl std::fmt::Debug for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Sheet(p) => write!(f, "Sheet({p:?})"),
            ImportError::Outcome(_) => write!(f, "Outcome"),
        }
    }
}

impl From<Outcome> for ImportError {
    fn from(o: Outcome) -> Self {
        ImportError::Outcome(o)
    }
}

impl From<DbErr> for ImportError {
    fn from(e: DbErr) -> Self {
        ImportError::Outcome(e.into())
    }
}

impl From<Vec<SheetProblem>> for ImportError {
    fn from(p: Vec<SheetProblem>) -> Self {
        ImportError::Sheet(p)
    }
}

/// The refusals gathered while the rows run through the domain's operations: each at the cell
/// of the field it is about, so the whole file's problems are answered at once.
pub struct Refusals<'m> {
    sheet: &'m str,
    /// For each column of the kind's spec, the sheet's column.
    columns: &'m [Option<usize>],
    /// The spec column of a record's field (by the API's field name).
    column_of: fn(&str, &str) -> usize,
    pub problems: Vec<SheetProblem>,
}

impl<'m> Refusals<'m> {
    pub fn new(
        sheet: &'m str,
        columns: &'m [Option<usize>],
        column_of: fn(&str, &str) -> usize,
    ) -> Self {
        Refusals {
            sheet,
            columns,
            column_of,
            problems: vec![],
        }
    }

    /// An operation's result for the row at zero-based `row`: its value, or `None` with its
    /// refusals kept at their cells; anything but a refusal (permission, the database) ends
    /// the import.
    pub fn settle<T>(
        &mut self,
        row: usize,
        record: &str,
        r: Result<T, Outcome>,
    ) -> Result<Option<T>, ImportError> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(Outcome::Refused(p)) => {
                for fp in p.0.0 {
                    let field = fp.field.last().map(String::as_str).unwrap_or("");
                    let col = self.columns[(self.column_of)(record, field)].unwrap_or(0);
                    self.problems.push(SheetProblem {
                        sheet: Some(self.sheet.to_owned()),
                        cell: Some(address(row, col)),
                        issue: Issue::Rule(Box::new(Broken {
                            api: fp.problem.code(),
                            id: fp.problem.message(crate::i18n::Lang::Id),
                            en: fp.problem.message(crate::i18n::Lang::En),
                        })),
                    });
                }
                Ok(None)
            }
            Err(other) => Err(ImportError::Outcome(other)),
        }
    }

    /// All rows done: nothing refused, or every refusal.
    pub fn finish(self) -> Result<(), ImportError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ImportError::Sheet(self.problems))
        }
    }
}
