//! A plan read as a tree in one statement: the plan, its member, one page of its commitments,
//! one page of each of those commitments' milestones and the milestones' responsible
//! organisations. This is what an admin screen asks for all day; the API answers it from this
//! read instead of one statement per level (see `api::graphql::compiled`).
//!
//! Pages are the same as a per-parent page read: ordered by id (creation order), the rows after
//! a cursor, one row more than the page to tell whether there is a next page. Nothing here
//! decides visibility: the caller holds the plan to its viewer as for any other read.

use std::collections::HashMap;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DbErr, EntityName, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, QueryResult, Statement, Value,
};
use uuid::Uuid;

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

/// `"alias"."column" AS "prefix_column"` for every column of `E`; with `once`, every column
/// but the id only where `once` holds (the one row a parent is decoded from: the others carry
/// nulls instead of the same values again).
fn columns<E: EntityTrait>(alias: &str, prefix: &str, once: Option<&str>, out: &mut Vec<String>) {
    for c in E::Column::iter() {
        let c = c.as_str();
        match once {
            Some(cond) if c != "id" => out.push(format!(
                "CASE WHEN {cond} THEN {alias}.\"{c}\" END AS \"{prefix}{c}\""
            )),
            _ => out.push(format!("{alias}.\"{c}\" AS \"{prefix}{c}\"")),
        }
    }
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
}

/// The row's `E` under `prefix`, or `None` where the outer join found none.
fn part<M: FromQueryResult>(row: &QueryResult, prefix: &str) -> Result<Option<M>, DbErr> {
    match row.try_get::<Option<Uuid>>(prefix, "id")? {
        Some(_) => M::from_query_result(row, prefix).map(Some),
        None => Ok(None),
    }
}

/// Reads `plan` and what `shape` asks for below it, in one statement.
pub async fn read<C: ConnectionTrait>(db: &C, plan: Uuid, shape: Shape) -> Result<Tree, DbErr> {
    let backend = db.get_database_backend();
    let mut b = Binds {
        backend,
        values: Vec::with_capacity(5),
    };
    let mut select = Vec::with_capacity(64);
    // The plan and its member are decoded from the first row, a commitment from its first
    // row (its first milestone's, ordered as they are).
    let first_milestone = if shape.milestones.is_some() {
        "(m.tree_rn IS NULL OR m.tree_rn = 1)"
    } else {
        "1 = 1"
    };
    let first_row = format!("(c.tree_rn IS NULL OR c.tree_rn = 1) AND {first_milestone}");
    columns::<action_plan::Entity>("p", "p_", Some(&first_row), &mut select);
    columns::<member::Entity>("mb", "mb_", Some(&first_row), &mut select);
    columns::<commitment::Entity>("c", "c_", Some(first_milestone), &mut select);
    let commitment = commitment::Entity.table_name();
    let milestone = milestone::Entity.table_name();
    let organisation = organisation::Entity.table_name();

    let c_limit = shape.commitments.limit;
    // Placeholders are bound in the order they appear in the text (SQLite's `?`).
    let c_plan = b.bind(plan);
    let c_after = match shape.commitments.after {
        Some(a) => format!(" AND \"id\" > {}", b.bind(a)),
        None => String::new(),
    };
    // One more commitment than the page tells whether a next page follows; its milestones
    // are not read.
    let mut with = vec![format!(
        "c AS (SELECT *, ROW_NUMBER() OVER (ORDER BY \"id\") AS tree_rn FROM \"{commitment}\" \
         WHERE \"plan_id\" = {c_plan}{c_after} ORDER BY \"id\" LIMIT {})",
        c_limit + 1
    )];
    let mut joins = format!(
        "FROM \"{}\" p JOIN \"{}\" mb ON mb.\"id\" = p.\"member_id\" \
         LEFT JOIN c ON c.\"plan_id\" = p.\"id\"",
        action_plan::Entity.table_name(),
        member::Entity.table_name()
    );
    let mut order = "c.\"id\"".to_owned();
    if shape.commitment_count {
        select.push(format!(
            "(SELECT COUNT(*) FROM \"{commitment}\" WHERE \"plan_id\" = p.\"id\") AS tree_c_count"
        ));
    }
    if shape.milestone_count {
        with.push(format!(
            "mc AS (SELECT \"commitment_id\", COUNT(*) AS n FROM \"{milestone}\" \
             WHERE \"commitment_id\" IN (SELECT \"id\" FROM c WHERE tree_rn <= {c_limit}) \
             GROUP BY \"commitment_id\")"
        ));
        joins.push_str(" LEFT JOIN mc ON mc.\"commitment_id\" = c.\"id\"");
        select.push("mc.n AS tree_m_count".to_owned());
    }
    if let Some(m) = shape.milestones {
        columns::<milestone::Entity>("m", "m_", None, &mut select);
        let m_after = match m.after {
            Some(a) => format!(" AND \"id\" > {}", b.bind(a)),
            None => String::new(),
        };
        with.push(format!(
            "m AS (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY \"commitment_id\" \
             ORDER BY \"id\") AS tree_rn FROM \"{milestone}\" WHERE \"commitment_id\" IN \
             (SELECT \"id\" FROM c WHERE tree_rn <= {c_limit}){m_after}) AS ranked \
             WHERE ranked.tree_rn <= {})",
            m.limit + 1
        ));
        joins.push_str(" LEFT JOIN m ON m.\"commitment_id\" = c.\"id\"");
        order.push_str(", m.\"id\"");
        if shape.organisations {
            columns::<organisation::Entity>("o", "o_", None, &mut select);
            joins.push_str(&format!(
                " LEFT JOIN \"{organisation}\" o ON o.\"id\" = m.\"responsible_organisation_id\""
            ));
        }
    }
    let p = b.bind(plan);
    let sql = format!(
        "WITH {} SELECT {} {joins} WHERE p.\"id\" = {p} ORDER BY {order}",
        with.join(", "),
        select.join(", "),
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, b.values))
        .await?;

    let mut tree = Tree::default();
    let mut last_commitment = None;
    for row in &rows {
        if tree.plan.is_none() {
            tree.plan = part(row, "p_")?;
            tree.member = part(row, "mb_")?;
            if shape.commitment_count {
                tree.commitment_count = Some(row.try_get::<i64>("", "tree_c_count")? as u64);
            }
        }
        let Some(c_id) = row.try_get::<Option<Uuid>>("c_", "id")? else {
            continue;
        };
        if last_commitment != Some(c_id) {
            last_commitment = Some(c_id);
            if tree.commitments.0.len() as u64 == c_limit {
                tree.commitments.1 = true;
                continue;
            }
            tree.commitments
                .0
                .push(commitment::Model::from_query_result(row, "c_")?);
            if shape.milestones.is_some() {
                tree.milestones.insert(c_id, Default::default());
            }
            if shape.milestone_count {
                let n = row.try_get::<Option<i64>>("", "tree_m_count")?;
                tree.milestone_counts.insert(c_id, n.unwrap_or(0) as u64);
            }
        } else if tree.commitments.1 {
            continue;
        }
        let (Some(m), Some(page)) = (shape.milestones, tree.milestones.get_mut(&c_id)) else {
            continue;
        };
        let Some(ms) = part::<milestone::Model>(row, "m_")? else {
            continue;
        };
        if page.0.len() as u64 == m.limit {
            page.1 = true;
            continue;
        }
        if shape.organisations
            && let Some(o) = ms.responsible_organisation_id
            && !tree.organisations.contains_key(&o)
            && let Some(org) = part::<organisation::Model>(row, "o_")?
        {
            tree.organisations.insert(o, org);
        }
        page.0.push(ms);
    }
    Ok(tree)
}
