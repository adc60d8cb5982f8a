//! A plan read as a tree in one statement: the plan, its member, one page of its commitments,
//! one page of each of those commitments' milestones and the milestones' responsible
//! organisations. This is what an admin screen asks for all day; the API answers it from this
//! read instead of one statement per level (see `api::graphql::compiled`).
//!
//! Pages are the same as a per-parent page read: ordered by id (creation order), the rows after
//! a cursor, one row more than the page to tell whether there is a next page. Nothing here
//! decides visibility: the caller holds the plan to its viewer as for any other read.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, EntityName, QueryResult, Statement, Value};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::nested::{Raw, array, json, json_array, nested, object, row, split, text};
use crate::{action_plan, commitment, member, milestone, organisation};

/// One page request: at most `limit` rows after `after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageOf {
    pub limit: u64,
    pub after: Option<Uuid>,
}

/// What to read below the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub commitments: PageOf,
    /// How many commitments the plan has in all, when asked for.
    pub commitment_count: bool,
    /// Each commitment's milestones, when asked for.
    pub milestones: Option<PageOf>,
    /// How many milestones each commitment on the page has in all, when asked for.
    pub milestone_count: bool,
    /// The milestones' responsible organisations, when asked for.
    pub organisations: bool,
}

/// A page of rows and whether more follow.
pub type Paged<T> = (Vec<T>, bool);

/// The tree as read.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub plan: Option<action_plan::Model>,
    pub member: Option<member::Model>,
    pub commitments: Paged<commitment::Model>,
    pub commitment_count: Option<u64>,
    /// The milestone page of every commitment on the page (empty pages included).
    pub milestones: HashMap<Uuid, Paged<milestone::Model>>,
    pub organisations: HashMap<Uuid, organisation::Model>,
    /// The milestone count of every commitment on the page, when asked for.
    pub milestone_counts: HashMap<Uuid, u64>,
}

/// The columns to read of each level below the plan, for an answer written from the columns
/// themselves ([`read_columns`]) instead of from whole models. Each row comes as its id and
/// then these columns, in this order.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    pub commitment: Vec<commitment::Column>,
    pub milestone: Vec<milestone::Column>,
    pub organisation: Vec<organisation::Column>,
}

/// The tree as [`read_columns`] reads it: the plan and its member whole, the levels below as
/// the JSON text the database wrote, read in place by [`Flat::commitments`].
#[derive(Clone, Debug, Default)]
pub struct Flat {
    pub plan: Option<action_plan::Model>,
    pub member: Option<member::Model>,
    commitments: Option<String>,
    /// Whether more commitments follow the page.
    pub more: bool,
    pub commitment_count: Option<u64>,
}

/// A row read by [`read_columns`]: the JSON of its id and then of each column asked for, as
/// the database wrote them (on SQLite a uuid is its 32 hex digits, a boolean `true`/`false`).
pub type Cells<'a> = Vec<&'a str>;

/// A commitment as [`Flat::commitments`] reads it.
#[derive(Debug)]
pub struct FlatCommitment<'a> {
    pub cells: Cells<'a>,
    /// Its milestone page, each with its organisation's cells (`None`: none, or not asked).
    pub milestones: Paged<(Cells<'a>, Option<Cells<'a>>)>,
    pub milestone_count: Option<u64>,
}

impl Flat {
    /// The page of commitments, with their milestone pages, in id order, read in place from
    /// the text the database wrote (each commitment as `[cells, page, count]`, each milestone
    /// on its page as `[cells, organisation cells]`).
    pub fn commitments<'a>(&'a self, shape: &Shape) -> Result<Vec<FlatCommitment<'a>>, DbErr> {
        let unreadable = || DbErr::Json("the tree's JSON is not as written".to_owned());
        let read = match &self.commitments {
            Some(text) => Some(split(text).ok_or_else(unreadable)?),
            None => None,
        };
        let rows = match &read {
            Some(r) => r.list().ok_or_else(unreadable)?,
            None => &[],
        };
        let cells = |raw: &Raw<'a>| raw.texts().ok_or_else(unreadable);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let [c, page, count] = row.list().ok_or_else(unreadable)? else {
                return Err(unreadable());
            };
            let mut milestones = Vec::new();
            if !page.is_null() {
                let page = page.list().ok_or_else(unreadable)?;
                milestones.reserve(page.len());
                for m in page {
                    let [m, o] = m.list().ok_or_else(unreadable)? else {
                        return Err(unreadable());
                    };
                    let o = (!o.is_null()).then(|| cells(o)).transpose()?;
                    milestones.push((cells(m)?, o));
                }
            }
            // Ids are written as lower-case hex, whose order is the ids' order.
            milestones.sort_by(|(a, _), (b, _)| cell_id(a).cmp(cell_id(b)));
            let more = shape
                .milestones
                .is_some_and(|m| milestones.len() as u64 > m.limit);
            if let Some(m) = shape.milestones {
                milestones.truncate(m.limit as usize);
            }
            let count = (!count.is_null())
                .then(|| count.text().parse::<u64>().map_err(|_| unreadable()))
                .transpose()?;
            out.push(FlatCommitment {
                cells: cells(c)?,
                milestones: (milestones, more),
                milestone_count: count,
            });
        }
        out.sort_by(|a, b| cell_id(&a.cells).cmp(cell_id(&b.cells)));
        Ok(out)
    }
}

/// The id cell's text (the first), in an order that is the ids' order.
fn cell_id<'a>(cells: &[&'a str]) -> &'a str {
    cells.first().copied().unwrap_or("")
}

/// The uuid in a cell (a uuid column's JSON on either backend).
pub fn cell_uuid(cell: &str) -> Option<Uuid> {
    let text = cell.strip_prefix('"')?.strip_suffix('"')?;
    Uuid::try_parse(text).ok()
}

/// Which rows [`statement`] writes below the plan.
#[derive(Clone, Copy, Debug)]
pub enum Rows<'a> {
    /// Every column, as an object the model reads.
    Whole,
    /// The id and these columns, as an array.
    Columns(&'a Columns),
}

/// The JSON text in column `index` as `T`; `None` where it is `NULL`.
fn decode<T: DeserializeOwned>(row: &QueryResult, index: usize) -> Result<Option<T>, DbErr> {
    row.try_get_by_index::<Option<String>>(index)?
        .map(|text| serde_json::from_str(&text).map_err(json))
        .transpose()
}

/// Bound values in order, with the backend's placeholder syntax.
struct Binds {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Binds {
    fn bind(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// ` AND "id" > ?` for a page after `after`.
    fn after(&mut self, after: Option<Uuid>) -> String {
        match after {
            Some(a) => format!(" AND \"id\" > {}", self.bind(a)),
            None => String::new(),
        }
    }
}

/// A commitment as read: its row, its milestone page (one more than asked) with each one's
/// organisation, and its milestone count, as asked. An organisation responsible for several
/// milestones comes with each of them: it is decoded the first time only.
type CommitmentRead<'a> = (
    commitment::Model,
    Option<Vec<(milestone::Model, Option<&'a RawValue>)>>,
    Option<u64>,
);

/// Reads `plan` and what `shape` asks for below it, in one statement that answers one row of
/// a few JSON texts, each level nested in its parent as PostgreSQL and SQLite build them
/// (a row per record would cost a hand-over from SQLite's thread and a decoding by column
/// name on PostgreSQL for each one). Every level is read by the index on its parent and id,
/// one page per parent: the work grows with the pages, never with what lies beyond them.
pub async fn read<C: ConnectionTrait>(db: &C, plan: Uuid, shape: Shape) -> Result<Tree, DbErr> {
    let statement = statement(db.get_database_backend(), plan, shape, Rows::Whole);
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(Tree::default());
    };
    decode_tree(&row, shape)
}

/// Reads as [`read`] does, each row below the plan as its id and the `columns` asked for:
/// what an answer written from the columns needs, and nothing it does not.
pub async fn read_columns<C: ConnectionTrait>(
    db: &C,
    plan: Uuid,
    shape: Shape,
    columns: &Columns,
) -> Result<Flat, DbErr> {
    let statement = statement(
        db.get_database_backend(),
        plan,
        shape,
        Rows::Columns(columns),
    );
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(Flat::default());
    };
    let mut flat = Flat {
        plan: decode(&row, 0)?,
        member: decode(&row, 1)?,
        ..Flat::default()
    };
    if flat.plan.is_none() {
        return Ok(flat);
    }
    flat.commitments = row.try_get_by_index::<Option<String>>(2)?;
    flat.more = row.try_get_by_index::<i64>(3)? as u64 > shape.commitments.limit;
    if shape.commitment_count {
        flat.commitment_count = Some(row.try_get_by_index::<i64>(4)? as u64);
    }
    Ok(flat)
}

/// The one statement [`read`] sends (public for the tests that look at its query plan).
pub fn statement(backend: DatabaseBackend, plan: Uuid, shape: Shape, rows: Rows<'_>) -> Statement {
    let cols = match rows {
        Rows::Whole => None,
        Rows::Columns(c) => Some(c),
    };
    let mut b = Binds {
        backend,
        values: Vec::with_capacity(8),
    };
    let (plans, members) = (
        action_plan::Entity.table_name(),
        member::Entity.table_name(),
    );
    let commitments = commitment::Entity.table_name();
    let (milestones, organisations) = (
        milestone::Entity.table_name(),
        organisation::Entity.table_name(),
    );
    // Placeholders are bound in the order they appear in the text (SQLite's `?`).
    let mut select = vec![
        text(
            backend,
            format!(
                "SELECT {} FROM \"{plans}\" p WHERE p.\"id\" = {}",
                object::<action_plan::Entity>(backend, "p"),
                b.bind(plan)
            ),
        ),
        text(
            backend,
            format!(
                "SELECT {} FROM \"{members}\" mb JOIN \"{plans}\" p ON p.\"member_id\" = mb.\"id\" \
                 WHERE p.\"id\" = {}",
                object::<member::Entity>(backend, "mb"),
                b.bind(plan)
            ),
        ),
    ];
    let page = match shape.milestones {
        Some(m) => {
            let organisation = match shape.organisations {
                true => nested(
                    backend,
                    format!(
                        "(SELECT {} FROM \"{organisations}\" o \
                         WHERE o.\"id\" = m.\"responsible_organisation_id\")",
                        row::<organisation::Entity>(
                            backend,
                            "o",
                            cols.map(|c| &c.organisation[..])
                        )
                    ),
                ),
                false => "NULL".to_owned(),
            };
            let after = b.after(m.after);
            // One more than the page tells whether a next page follows.
            nested(
                backend,
                array(
                    backend,
                    &format!(
                        "{}({}, {organisation})",
                        json_array(backend),
                        row::<milestone::Entity>(backend, "m", cols.map(|c| &c.milestone[..]))
                    ),
                    &format!(
                        "FROM (SELECT * FROM \"{milestones}\" WHERE \"commitment_id\" = c.\"id\"\
                         {after} ORDER BY \"id\" LIMIT {}) m",
                        m.limit + 1
                    ),
                ),
            )
        }
        None => "NULL".to_owned(),
    };
    let count = match shape.milestone_count {
        true => {
            format!("(SELECT COUNT(*) FROM \"{milestones}\" WHERE \"commitment_id\" = c.\"id\")")
        }
        false => "NULL".to_owned(),
    };
    let c_plan = b.bind(plan);
    let c_after = b.after(shape.commitments.after);
    select.push(text(
        backend,
        array(
            backend,
            &format!(
                "{}({}, {page}, {count})",
                json_array(backend),
                row::<commitment::Entity>(backend, "c", cols.map(|c| &c.commitment[..]))
            ),
            &format!(
                "FROM (SELECT * FROM \"{commitments}\" WHERE \"plan_id\" = {c_plan}{c_after} \
                 ORDER BY \"id\" LIMIT {}) c",
                shape.commitments.limit
            ),
        ),
    ));
    // Whether a next page of commitments follows: is there one more than the page?
    let p_plan = b.bind(plan);
    let p_after = b.after(shape.commitments.after);
    select.push(format!(
        "(SELECT COUNT(*) FROM (SELECT 1 FROM \"{commitments}\" WHERE \"plan_id\" = {p_plan}\
         {p_after} LIMIT {}) more)",
        shape.commitments.limit + 1
    ));
    if shape.commitment_count {
        select.push(format!(
            "(SELECT COUNT(*) FROM \"{commitments}\" WHERE \"plan_id\" = {})",
            b.bind(plan)
        ));
    }
    let sql = format!("SELECT {}", select.join(", "));
    Statement::from_sql_and_values(backend, sql, b.values)
}

/// The tree from the row [`statement`] answers.
fn decode_tree(row: &QueryResult, shape: Shape) -> Result<Tree, DbErr> {
    let mut tree = Tree {
        plan: decode(row, 0)?,
        member: decode(row, 1)?,
        ..Tree::default()
    };
    if tree.plan.is_none() {
        return Ok(tree);
    }
    let commitments = row.try_get_by_index::<Option<String>>(2)?;
    let mut read: Vec<CommitmentRead<'_>> = match &commitments {
        Some(text) => serde_json::from_str(text).map_err(json)?,
        None => Vec::new(),
    };
    // In id order, whatever order the aggregate kept (already so: a pass to check).
    read.sort_by_key(|(c, _, _)| c.id);
    tree.commitments.1 = row.try_get_by_index::<i64>(3)? as u64 > shape.commitments.limit;
    if shape.commitment_count {
        tree.commitment_count = Some(row.try_get_by_index::<i64>(4)? as u64);
    }
    for (c, page, count) in read {
        if let Some(n) = count {
            tree.milestone_counts.insert(c.id, n);
        }
        if let Some(m) = shape.milestones {
            let mut page = page.unwrap_or_default();
            page.sort_by_key(|(ms, _)| ms.id);
            let more = page.len() as u64 > m.limit;
            page.truncate(m.limit as usize);
            let mut rows = Vec::with_capacity(page.len());
            for (ms, o) in page {
                if let (Some(id), Some(o)) = (ms.responsible_organisation_id, o)
                    && !tree.organisations.contains_key(&id)
                {
                    let o: organisation::Model = serde_json::from_str(o.get()).map_err(json)?;
                    tree.organisations.insert(id, o);
                }
                rows.push(ms);
            }
            tree.milestones.insert(c.id, (rows, more));
        }
        tree.commitments.0.push(c);
    }
    Ok(tree)
}
