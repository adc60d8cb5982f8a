//! Relay connections: `first/after/last/before`, `pageInfo`, `totalCount`, a page cap, and
//! per-parent pagination through DataLoaders (one windowed query per level, whatever the number
//! of parents), ordered by id (UUIDv7, so creation order).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Object, OutputType, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, IdenStatic, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
    Statement, Value,
};
use uuid::Uuid;

use super::context::CtxExt;
use super::errors;

/// Items per page when the client names no size.
pub const DEFAULT_PAGE: i32 = 20;
/// The most items one page may hold.
pub const MAX_PAGE: i32 = 50;

/// The size of a bounded list (`first` on a plain list, not a connection): refused with
/// `PAGE_SIZE_EXCEEDED` outside `0..=max`, never silently cut.
pub fn bounded(
    ctx: &async_graphql::Context<'_>,
    first: i32,
    max: i32,
) -> async_graphql::Result<u64> {
    use super::context::CtxExt;
    if (0..=max).contains(&first) {
        Ok(first as u64)
    } else {
        Err(super::errors::page_size(ctx.lang(), max))
    }
}

/// A cursor: the id of the item it points at, opaque to clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor(pub Uuid);

impl CursorType for Cursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| "invalid cursor")?;
        let text = String::from_utf8(raw).map_err(|_| "invalid cursor")?;
        let id = text.strip_prefix("c:").ok_or("invalid cursor")?;
        Uuid::parse_str(id)
            .map(Cursor)
            .map_err(|_| "invalid cursor")
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c:{}", self.0))
    }
}

/// A validated page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    /// The first `limit` items after `after`.
    Forward { limit: u64, after: Option<Uuid> },
    /// The last `limit` items before `before`.
    Backward { limit: u64, before: Option<Uuid> },
}

impl Page {
    /// Checks the Relay arguments: sizes within `0..=MAX_PAGE`, cursors well-formed.
    pub fn from_args(
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page> {
        let lang = ctx.lang();
        let size = |n: i32| -> Result<u64> {
            if !(0..=MAX_PAGE).contains(&n) {
                return Err(errors::page_size(lang, MAX_PAGE));
            }
            Ok(n as u64)
        };
        let cursor = |c: Option<String>| -> Result<Option<Uuid>> {
            c.map(|c| {
                Cursor::decode_cursor(&c).map(|c| c.0).map_err(|_| {
                    errors::bad_input(match lang {
                        entity::Lang::Id => "Kursor halaman tidak valid.".into(),
                        entity::Lang::En => "The page cursor is not valid.".into(),
                    })
                })
            })
            .transpose()
        };
        if first.is_some() && last.is_some() {
            return Err(errors::bad_input(match lang {
                entity::Lang::Id => "Gunakan first atau last, tidak keduanya.".into(),
                entity::Lang::En => "Use first or last, not both.".into(),
            }));
        }
        match (first, last) {
            (_, Some(last)) => Ok(Page::Backward {
                limit: size(last)?,
                before: cursor(before)?,
            }),
            (first, None) => Ok(Page::Forward {
                limit: size(first.unwrap_or(DEFAULT_PAGE))?,
                after: cursor(after)?,
            }),
        }
    }
}

/// What a connection's cost is in the complexity limit: `first × child` (the page size times
/// what each node costs).
pub fn cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = last.or(first).unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
    n.saturating_mul(child).saturating_add(1)
}

type CountFuture = Pin<Box<dyn Future<Output = Result<u64, Arc<DbErr>>> + Send>>;

/// `totalCount`, computed only when asked for.
pub struct TotalCount(Arc<dyn Fn() -> CountFuture + Send + Sync>);

impl TotalCount {
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<u64, Arc<DbErr>>> + Send + 'static,
    {
        Self(Arc::new(move || Box::pin(f())))
    }

    /// The count of everything `select` matches.
    pub fn of<E: EntityTrait>(db: DatabaseConnection, select: Select<E>) -> Self
    where
        E::Model: Send + Sync,
    {
        Self::new(move || {
            let db = db.clone();
            let select = select.clone();
            async move {
                use sea_orm::PaginatorTrait;
                select.count(&db).await.map_err(Arc::new)
            }
        })
    }
}

#[Object]
impl TotalCount {
    /// How many items there are in all pages together.
    async fn total_count(&self) -> Result<i64> {
        let n = (self.0)()
            .await
            .map_err(|e| async_graphql::Error::new(e.to_string()))?;
        Ok(n as i64)
    }
}

pub type Conn<N> = Connection<Cursor, N, TotalCount>;

/// The id of a model whose primary key is a UUID.
pub fn model_id<E: EntityTrait>(model: &E::Model) -> Uuid {
    let col = E::PrimaryKey::iter()
        .next()
        .expect("every entity has a primary key")
        .into_column();
    match model.get(col) {
        Value::Uuid(Some(id)) => id,
        other => panic!("primary key is not a UUID: {other:?}"),
    }
}

fn pk_col<E: EntityTrait>() -> E::Column {
    E::PrimaryKey::iter()
        .next()
        .expect("every entity has a primary key")
        .into_column()
}

/// One page of a top-level list, oldest first.
pub async fn page<E, N>(
    db: &DatabaseConnection,
    select: Select<E>,
    page: Page,
    node: impl Fn(E::Model) -> N,
) -> Result<Conn<N>, DbErr>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    N: OutputType,
{
    page_in_order(db, select, page, false, node).await
}

/// One page of a top-level list, oldest first or (`newest_first`) newest first.
pub async fn page_in_order<E, N>(
    db: &DatabaseConnection,
    select: Select<E>,
    page: Page,
    newest_first: bool,
    node: impl Fn(E::Model) -> N,
) -> Result<Conn<N>, DbErr>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    N: OutputType,
{
    page_read(db, select, page, newest_first, |q| q.all(db), node).await
}

/// As [`page_in_order`], the page's rows read by `read` from the select it is given (a read
/// that brings the rows' children along, `super::member`).
pub async fn page_read<E, N, Fut>(
    db: &DatabaseConnection,
    select: Select<E>,
    page: Page,
    newest_first: bool,
    read: impl FnOnce(Select<E>) -> Fut,
    node: impl Fn(E::Model) -> N,
) -> Result<Conn<N>, DbErr>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    N: OutputType,
    Fut: Future<Output = Result<Vec<E::Model>, DbErr>>,
{
    use sea_orm::Order;
    let pk = pk_col::<E>();
    let total = TotalCount::of(db.clone(), select.clone());
    // "Forward" walks the list in its order; "backward" walks it from the far end.
    let (fwd, back) = if newest_first {
        (Order::Desc, Order::Asc)
    } else {
        (Order::Asc, Order::Desc)
    };
    let beyond = |id: Uuid, order: &Order| match order {
        Order::Asc => pk.gt(id),
        _ => pk.lt(id),
    };
    let (rows, has_prev, has_next) = match page {
        Page::Forward { limit, after } => {
            let mut q = select.order_by(pk, fwd.clone());
            if let Some(after) = after {
                q = q.filter(beyond(after, &fwd));
            }
            let mut rows = read(q.limit(limit + 1)).await?;
            let more = rows.len() as u64 > limit;
            rows.truncate(limit as usize);
            (rows, after.is_some(), more)
        }
        Page::Backward { limit, before } => {
            let mut q = select.order_by(pk, back.clone());
            if let Some(before) = before {
                q = q.filter(beyond(before, &back));
            }
            let mut rows = read(q.limit(limit + 1)).await?;
            let more = rows.len() as u64 > limit;
            rows.truncate(limit as usize);
            rows.reverse();
            (rows, more, before.is_some())
        }
    };
    Ok(build::<E, N>(rows, has_prev, has_next, total, node))
}

fn build<E: EntityTrait, N: OutputType>(
    rows: Vec<E::Model>,
    has_prev: bool,
    has_next: bool,
    total: TotalCount,
    node: impl Fn(E::Model) -> N,
) -> Conn<N> {
    let mut conn = Connection::with_additional_fields(has_prev, has_next, total);
    conn.edges = rows
        .into_iter()
        .map(|m| Edge::new(Cursor(model_id::<E>(&m)), node(m)))
        .collect();
    conn
}

/// A page request for the children of one parent, as a DataLoader key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChildPageKey<F> {
    pub parent: Uuid,
    pub limit: u64,
    pub after: Option<Uuid>,
    /// The field's own filter arguments.
    pub filter: F,
}

/// The children of a page of parents (`members { organisations(first: 2) }`) in one statement
/// per distinct page request: `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id)`.
pub async fn load_child_pages<E, F>(
    db: &DatabaseConnection,
    parent_col: E::Column,
    keys: &[ChildPageKey<F>],
    condition: impl Fn(&F) -> Condition,
) -> Result<HashMap<ChildPageKey<F>, (Vec<E::Model>, bool)>, DbErr>
where
    E: EntityTrait,
    E::Model: Send + Sync + Clone,
    F: Clone + Eq + Hash,
{
    let pk = pk_col::<E>();
    let backend = db.get_database_backend();
    let mut groups: HashMap<(u64, Option<Uuid>, F), Vec<Uuid>> = HashMap::new();
    for k in keys {
        groups
            .entry((k.limit, k.after, k.filter.clone()))
            .or_default()
            .push(k.parent);
    }
    let mut out = HashMap::new();
    for ((limit, after, filter), parents) in groups {
        let mut inner = E::find()
            .filter(parent_col.is_in(parents.clone()))
            .filter(condition(&filter));
        if let Some(after) = after {
            inner = inner.filter(pk.gt(after));
        }
        let parent_name = parent_col.as_str().to_owned();
        let pk_name = pk.as_str().to_owned();
        let inner = inner.column_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY \"{parent_name}\" ORDER BY \"{pk_name}\")"
            )),
            "page_rn",
        );
        let stmt = inner.build(backend);
        let sql = format!(
            "SELECT * FROM ({}) AS paged WHERE paged.page_rn <= {} ORDER BY paged.\"{pk_name}\"",
            stmt.sql,
            limit + 1
        );
        let rows = E::find()
            .from_raw_sql(Statement::from_sql_and_values(
                backend,
                sql,
                stmt.values.map(|v| v.0).unwrap_or_default(),
            ))
            .all(db)
            .await?;
        let mut by_parent: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
        for row in rows {
            if let Value::Uuid(Some(p)) = row.get(parent_col) {
                by_parent.entry(p).or_default().push(row);
            }
        }
        for parent in parents {
            let mut rows = by_parent.remove(&parent).unwrap_or_default();
            let more = rows.len() as u64 > limit;
            rows.truncate(limit as usize);
            out.insert(
                ChildPageKey {
                    parent,
                    limit,
                    after,
                    filter: filter.clone(),
                },
                (rows, more),
            );
        }
    }
    Ok(out)
}

/// Counts children per parent in one statement per distinct filter.
pub async fn load_child_counts<E, F>(
    db: &DatabaseConnection,
    parent_col: E::Column,
    keys: &[(Uuid, F)],
    condition: impl Fn(&F) -> Condition,
) -> Result<HashMap<(Uuid, F), u64>, DbErr>
where
    E: EntityTrait,
    F: Clone + Eq + Hash,
{
    let mut groups: HashMap<F, Vec<Uuid>> = HashMap::new();
    for (parent, filter) in keys {
        groups.entry(filter.clone()).or_default().push(*parent);
    }
    let mut out = HashMap::new();
    for (filter, parents) in groups {
        let counts: Vec<(Uuid, i64)> = E::find()
            .select_only()
            .column(parent_col)
            .expr_as(Func::count(Expr::col(pk_col::<E>())), "n")
            .filter(parent_col.is_in(parents.clone()))
            .filter(condition(&filter))
            .group_by(parent_col)
            .into_tuple()
            .all(db)
            .await?;
        let counts: HashMap<Uuid, i64> = counts.into_iter().collect();
        for p in parents {
            out.insert(
                (p, filter.clone()),
                counts.get(&p).copied().unwrap_or(0) as u64,
            );
        }
    }
    Ok(out)
}

/// A connection over one parent's children, from the loaders' results.
pub fn child_connection<E: EntityTrait, N: OutputType>(
    rows: Vec<E::Model>,
    has_next: bool,
    after: Option<Uuid>,
    total: TotalCount,
    node: impl Fn(E::Model) -> N,
) -> Conn<N> {
    build::<E, N>(rows, after.is_some(), has_next, total, node)
}

/// A nested connection (`plan { commitments(first: 5) }`) through a page loader and a count
/// loader: forward pages only.
#[allow(clippy::too_many_arguments)]
pub async fn nested<E, N>(
    ctx: &Context<'_>,
    pages: &async_graphql::dataloader::DataLoader<super::loaders::ChildrenOf<E>>,
    counts: Arc<async_graphql::dataloader::DataLoader<super::loaders::CountOf<E>>>,
    parent: Uuid,
    first: Option<i32>,
    after: Option<String>,
    node: impl Fn(E::Model) -> N,
) -> Result<Conn<N>>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
    N: OutputType,
{
    let Page::Forward { limit, after } = Page::from_args(ctx, first, after, None, None)? else {
        unreachable!("no last/before given");
    };
    let key = ChildPageKey {
        parent,
        limit,
        after,
        filter: (),
    };
    let (rows, more) = pages.load_one(key).await?.unwrap_or_default();
    let total = TotalCount::new(move || {
        let counts = counts.clone();
        async move { Ok(counts.load_one((parent, ())).await?.unwrap_or(0)) }
    });
    Ok(child_connection::<E, N>(rows, more, after, total, node))
}
