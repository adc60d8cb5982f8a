//! Reads that bring their nested rows along in the same statement, as JSON the database
//! writes (PostgreSQL's `json_build_object`/`json_agg`, SQLite's `json_object`/
//! `json_group_array`): a level below is a column of its parent's row instead of another
//! statement. The plan tree (`plans::tree`) is built from these pieces, and so is any list
//! whose rows each bring their children along ([`with_children`]).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, QuerySelect, QueryTrait, Select,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Column `c` of the row under `alias`, written so that JSON reads it back on either backend:
/// on SQLite uuids (stored as blobs) as their hex digits, booleans (stored as 0 and 1) as JSON
/// booleans and JSON columns (stored as text) as JSON.
pub(crate) fn value<C: ColumnTrait>(backend: DatabaseBackend, alias: &str, c: C) -> String {
    let col = format!("{alias}.\"{}\"", c.as_str());
    match backend {
        DatabaseBackend::Postgres => col,
        _ => match c.def().get_column_type() {
            ColumnType::Uuid => format!("nullif(lower(hex({col})), '')"),
            ColumnType::Boolean => format!(
                "json(CASE WHEN {col} IS NULL THEN 'null' WHEN {col} THEN 'true' ELSE 'false' END)"
            ),
            ColumnType::Json | ColumnType::JsonBinary => format!("json({col})"),
            _ => col,
        },
    }
}

/// A JSON object of every column of `E` under `alias`, which the model's serde reads back.
pub(crate) fn object<E: EntityTrait>(backend: DatabaseBackend, alias: &str) -> String {
    let args: Vec<String> = E::Column::iter()
        .map(|c| format!("'{}', {}", c.as_str(), value(backend, alias, c)))
        .collect();
    let f = match backend {
        DatabaseBackend::Postgres => "json_build_object",
        _ => "json_object",
    };
    format!("{f}({})", args.join(", "))
}

/// A row of `E` under `alias` as [`Rows`] asks: an object of every column, or an array of the
/// id and then `columns`.
pub(crate) fn row<E: EntityTrait>(
    backend: DatabaseBackend,
    alias: &str,
    columns: Option<&[E::Column]>,
) -> String
where
    E::Column: Copy,
{
    let Some(columns) = columns else {
        return object::<E>(backend, alias);
    };
    let mut args = vec![format!("{alias}.\"id\"")];
    if backend != DatabaseBackend::Postgres {
        args[0] = format!("nullif(lower(hex({alias}.\"id\")), '')");
    }
    args.extend(columns.iter().map(|c| value(backend, alias, *c)));
    format!("{}({})", json_array(backend), args.join(", "))
}

/// `value` over the rows of `from`, as a JSON array (`NULL` for none on PostgreSQL), in the
/// order `from` gives them.
pub(crate) fn array(backend: DatabaseBackend, value: &str, from: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("(SELECT json_agg({value}) {from})"),
        _ => format!("(SELECT json_group_array({value}) {from})"),
    }
}

/// A subquery's JSON kept as JSON inside the level above: SQLite passes it on as text, which
/// `json()` reads again (JSONB all the way down was slower: SQLite's aggregates gather text and
/// turned every element back and forth).
pub(crate) fn nested(backend: DatabaseBackend, subquery: String) -> String {
    match backend {
        DatabaseBackend::Postgres => subquery,
        _ => format!("json({subquery})"),
    }
}

/// A JSON column (a subquery or an expression) as text.
pub(crate) fn text(backend: DatabaseBackend, value: String) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("({value})::text"),
        _ => format!("({value})"),
    }
}

pub(crate) fn json_array(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "json_build_array",
        _ => "json_array",
    }
}

/// The column [`with_children`] adds to its parents' rows.
const CHILDREN: &str = "__children";

/// The rows `parents` selects, each with all its `C` rows (those whose `parent` column holds
/// its id), in id order (the order they were written: ids are UUIDv7), each child with the
/// `T` row its `to_one` column names, when asked (`None` where it names none). One
/// statement: the children are a column of their parent's row.
pub async fn with_children<P, C, T, D>(
    db: &D,
    parents: Select<P>,
    parent: C::Column,
    to_one: Option<C::Column>,
) -> Result<Vec<(P::Model, Vec<(C::Model, Option<T::Model>)>)>, DbErr>
where
    P: EntityTrait,
    P::Model: FromQueryResult,
    C: EntityTrait,
    C::Model: DeserializeOwned,
    T: EntityTrait,
    T::Model: DeserializeOwned,
    D: ConnectionTrait,
{
    use sea_orm::{ModelTrait, PrimaryKeyToColumn};
    let id = C::PrimaryKey::iter()
        .next()
        .expect("every entity has a primary key")
        .into_column();
    let backend = db.get_database_backend();
    let (p, c, t) = (
        P::default().table_name().to_owned(),
        C::default().table_name().to_owned(),
        T::default().table_name().to_owned(),
    );
    let one = match to_one {
        Some(col) => nested(
            backend,
            format!(
                "(SELECT {} FROM \"{t}\" t WHERE t.\"id\" = c.\"{}\")",
                object::<T>(backend, "t"),
                col.as_str()
            ),
        ),
        None => "NULL".to_owned(),
    };
    let children = text(
        backend,
        array(
            backend,
            &format!(
                "{}({}, {one})",
                json_array(backend),
                object::<C>(backend, "c")
            ),
            &format!(
                "FROM (SELECT * FROM \"{c}\" WHERE \"{}\" = \"{p}\".\"id\" ORDER BY \"id\") c",
                parent.as_str()
            ),
        ),
    );
    let statement = parents
        .column_as(Expr::cust(children), CHILDREN)
        .build(backend);
    let rows = db.query_all_raw(statement).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let model = P::Model::from_query_result(&row, "")?;
        let mut kids: Vec<(C::Model, Option<T::Model>)> =
            match row.try_get::<Option<String>>("", CHILDREN)? {
                Some(text) => serde_json::from_str(&text).map_err(json)?,
                None => Vec::new(),
            };
        // In id order, whatever order the aggregate kept.
        kids.sort_by_cached_key(|(k, _)| match k.get(id) {
            sea_orm::Value::Uuid(Some(u)) => Some(u),
            _ => None,
        });
        out.push((model, kids));
    }
    Ok(out)
}

pub(crate) fn json(e: serde_json::Error) -> DbErr {
    DbErr::Json(e.to_string())
}

/// One page of each parent's children: at most `limit` after `after` in id order, those whose
/// `only` column holds the value given (when given), with how many there are in all when
/// `count` asks.
#[derive(Clone, Debug)]
pub struct ChildPage<C: EntityTrait> {
    /// The children's column holding their parent's id.
    pub parent: C::Column,
    pub limit: u64,
    pub after: Option<Uuid>,
    pub only: Option<(C::Column, sea_orm::Value)>,
    pub count: bool,
}

/// A parent read by [`with_child_page`]: its row, its page of children and whether more
/// follow, and their number in all when asked.
pub type WithPage<P, C> = (P, (Vec<C>, bool), Option<u64>);

/// The count column [`with_child_page`] adds.
const COUNT: &str = "__count";

/// The rows `parents` selects, each with one page of its `C` rows as `page` asks, in one
/// statement: the page (one more than asked, to tell whether more follow) and the count are
/// columns of their parent's row, each read by the index on the parent column.
pub async fn with_child_page<P, C, D>(
    db: &D,
    parents: Select<P>,
    page: &ChildPage<C>,
) -> Result<Vec<WithPage<P::Model, C::Model>>, DbErr>
where
    P: EntityTrait,
    P::Model: FromQueryResult,
    C: EntityTrait,
    C::Model: DeserializeOwned,
    D: ConnectionTrait,
{
    use sea_orm::{ModelTrait, PrimaryKeyToColumn};
    let id = C::PrimaryKey::iter()
        .next()
        .expect("every entity has a primary key")
        .into_column();
    let backend = db.get_database_backend();
    let (p, c) = (
        P::default().table_name().to_owned(),
        C::default().table_name().to_owned(),
    );
    // Placeholders numbered within each expression (sea-query numbers them in the statement).
    let placeholder = |n: usize| match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let mut filter = format!("\"{}\" = \"{p}\".\"id\"", page.parent.as_str());
    let mut values = Vec::new();
    if let Some((col, v)) = &page.only {
        values.push(v.clone());
        filter.push_str(&format!(
            " AND \"{}\" = {}",
            col.as_str(),
            placeholder(values.len())
        ));
    }
    let count_values = values.clone();
    let count_filter = filter.clone();
    if let Some(after) = page.after {
        values.push(after.into());
        filter.push_str(&format!(" AND \"id\" > {}", placeholder(values.len())));
    }
    let children = text(
        backend,
        array(
            backend,
            &object::<C>(backend, "c"),
            &format!(
                "FROM (SELECT * FROM \"{c}\" WHERE {filter} ORDER BY \"id\" LIMIT {}) c",
                page.limit + 1
            ),
        ),
    );
    let mut select = parents.column_as(Expr::cust_with_values(children, values), CHILDREN);
    if page.count {
        select = select.column_as(
            Expr::cust_with_values(
                format!("(SELECT COUNT(*) FROM \"{c}\" WHERE {count_filter})"),
                count_values,
            ),
            COUNT,
        );
    }
    let rows = db.query_all_raw(select.build(backend)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let model = P::Model::from_query_result(&row, "")?;
        let mut kids: Vec<C::Model> = match row.try_get::<Option<String>>("", CHILDREN)? {
            Some(text) => serde_json::from_str(&text).map_err(json)?,
            None => Vec::new(),
        };
        kids.sort_by_cached_key(|k| match k.get(id) {
            sea_orm::Value::Uuid(Some(u)) => Some(u),
            _ => None,
        });
        let more = kids.len() as u64 > page.limit;
        kids.truncate(page.limit as usize);
        let count = match page.count {
            true => Some(row.try_get::<i64>("", COUNT)? as u64),
            false => None,
        };
        out.push((model, (kids, more), count));
    }
    Ok(out)
}

/// A JSON value as the database wrote it, each array split into its elements: the text of a
/// value stays where it is, nothing is decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Raw<'a> {
    /// An array: its text and its elements.
    List(&'a str, Vec<Raw<'a>>),
    /// Any other value (or an array nested deeper than [`SPLIT_DEPTH`]).
    Text(&'a str),
}

/// Arrays deeper than this are kept as text (the tree's own nesting is five deep).
pub const SPLIT_DEPTH: usize = 8;

impl<'a> Raw<'a> {
    /// The value's text.
    pub fn text(&self) -> &'a str {
        match self {
            Raw::List(t, _) | Raw::Text(t) => t,
        }
    }

    /// The elements of an array; `None` for any other value.
    pub fn list(&self) -> Option<&[Raw<'a>]> {
        match self {
            Raw::List(_, items) => Some(items),
            Raw::Text(_) => None,
        }
    }

    /// Whether the value is JSON's `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Raw::Text("null"))
    }

    /// The texts of an array's elements.
    pub fn texts(&self) -> Option<Vec<&'a str>> {
        self.list()
            .map(|items| items.iter().map(Raw::text).collect())
    }
}

/// Reads `text` (JSON as a database writes it) in one pass, splitting every array into its
/// elements: each byte is looked at once, and a string is crossed by looking for its quote and
/// escapes only. `None` where `text` does not end where JSON would.
pub fn split(text: &str) -> Option<Raw<'_>> {
    let b = text.as_bytes();
    let (raw, end) = split_at(text, skip_space(b, 0), 0)?;
    (skip_space(b, end) == b.len()).then_some(raw)
}

/// The texts of the elements of the JSON array `text` (see [`split`]).
pub fn elements(text: &str) -> Option<Vec<&str>> {
    split(text)?.texts()
}

/// The value starting at `i`, `depth` arrays deep, and where it ends.
fn split_at(text: &str, i: usize, depth: usize) -> Option<(Raw<'_>, usize)> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'[') || depth >= SPLIT_DEPTH {
        let end = value_end(b, i)?;
        // Every end found is at an ASCII byte, a character boundary.
        return Some((Raw::Text(text.get(i..end)?), end));
    }
    let mut items = Vec::new();
    let mut j = skip_space(b, i + 1);
    if b.get(j) == Some(&b']') {
        return Some((Raw::List(text.get(i..j + 1)?, items), j + 1));
    }
    loop {
        let (item, end) = split_at(text, j, depth + 1)?;
        items.push(item);
        j = skip_space(b, end);
        match b.get(j)? {
            b',' => j = skip_space(b, j + 1),
            b']' => return Some((Raw::List(text.get(i..j + 1)?, items), j + 1)),
            _ => return None,
        }
    }
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// Where the string whose opening quote is at `i` ends (after its closing quote).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
        if b[j] == b'"' {
            return Some(j + 1);
        }
        // An escape and the byte it escapes (the digits of a `\u` need no care).
        j += 2;
    }
}

/// Where the value starting at `i` ends.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'[' | b'{' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *b.get(j)? {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let end = b[i..]
                .iter()
                .position(|c| matches!(c, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                .map_or(b.len(), |n| i + n);
            (end > i).then_some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Raw, SPLIT_DEPTH, elements, split};

    #[test]
    fn elements_are_read_in_place_as_serde_reads_them() {
        let texts = [
            r#"[]"#,
            r#"  [ ]  "#,
            r#"[1, "a", null, true, -2.5e3]"#,
            r#"["0193a1", ["x", "koma, \"kutip\" ]} [ dan \\", 3], null, {"k": [1, {"d": "}"}]}]"#,
            r#"[[["01", "Komitmen — keterbukaan \u00e9"], [[["02", 1.5], null]], 4]]"#,
            "[\"baris\\nbaru\",\n\t7]",
        ];
        for text in texts {
            let ours = elements(text).unwrap_or_else(|| panic!("{text}"));
            let theirs: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).unwrap();
            let theirs: Vec<&str> = theirs.iter().map(|r| r.get()).collect();
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in [
            "",
            "1",
            "{}",
            "[",
            "[1,",
            "[1 2]",
            "[\"tanpa akhir]",
            "[1]x",
            "[[1]",
        ] {
            assert_eq!(elements(bad), None, "{bad}");
        }
    }

    /// Every array met is split, its text kept; one too deep stays text as a whole.
    #[test]
    fn nested_arrays_are_split_in_the_same_pass() {
        let text = r#"[["a", [1, null]], "b\"]", [], {"k": [2]}]"#;
        let raw = split(text).unwrap();
        assert_eq!(raw.text(), text);
        let items = raw.list().unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].texts().unwrap(), vec![r#""a""#, "[1, null]"]);
        let inner = &items[0].list().unwrap()[1];
        assert_eq!(inner.texts().unwrap(), vec!["1", "null"]);
        assert!(inner.list().unwrap()[1].is_null());
        assert_eq!(items[1], Raw::Text(r#""b\"]""#));
        assert_eq!(items[2], Raw::List("[]", vec![]));
        assert_eq!(items[3], Raw::Text(r#"{"k": [2]}"#));
        assert_eq!(items[3].list(), None);
        let deep = format!(
            "{}1{}",
            "[".repeat(SPLIT_DEPTH + 2),
            "]".repeat(SPLIT_DEPTH + 2)
        );
        let mut at = &split(&deep).unwrap();
        for _ in 0..SPLIT_DEPTH {
            at = &at.list().unwrap()[0];
        }
        assert_eq!(*at, Raw::Text(&deep[SPLIT_DEPTH..deep.len() - SPLIT_DEPTH]));
        assert_eq!(split("[[1], [2]"), None);
    }
}
