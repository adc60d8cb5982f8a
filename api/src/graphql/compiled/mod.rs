//! Nested reads compiled into one statement. When `plan(id)` asks for its commitments and,
//! inside them, their milestones and the milestones' responsible organisations, the whole tree
//! is read at once ([`entity::plans::tree`]). When every field the request selects below the
//! plan is one this module knows (the plain fields of the four types, their connections and
//! `__typename`), only the columns those fields read are read, and the answer is written here
//! as JSON text from what the database wrote, in selection order, and handed to the executor
//! whole ([`Answer::Built`]; the transport splices the text into the response, [`Spliced`]):
//! no resolver runs below the plan, and no model or `Value` is made below it. Otherwise the rows are
//! handed to the request's loaders before the resolvers run: the resolvers are the ones of
//! every other read — visibility, privacy and paging stay theirs — and find their rows already
//! loaded; a level the read did not cover (another page size beside it under an alias) is
//! loaded as usual. Both ways give the same answer (`tests/e2e/compiled.rs` compares them).

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use async_graphql::connection::{CursorType, Edge, EmptyFields, PageInfo};
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, Positioned, SelectionField, ServerError,
    ServerResult, Value,
};
use entity::organisation::OrganisationKind;
use entity::plans::tree::{self, Cells, Columns, Flat, FlatCommitment, PageOf, Shape, Tree};
use entity::{action_plan, member};
use uuid::Uuid;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::milestone::Milestone;
use super::pagination::{ChildPageKey, Conn, Cursor, DEFAULT_PAGE, MAX_PAGE};
use super::spliced::Spliced;
use super::visibility;

/// The page a connection field asks for, when its arguments are valid (an invalid one is left
/// to the resolver, which refuses it).
fn page_of(field: &SelectionField<'_>) -> Option<PageOf> {
    page_with(field, |_, _| false)
}

/// As [`page_of`], with the field's other arguments handed to `other`, which answers whether
/// it takes them (one it does not take leaves the field to the resolver).
fn page_with(
    field: &SelectionField<'_>,
    mut other: impl FnMut(&str, &Value) -> bool,
) -> Option<PageOf> {
    let mut page = PageOf {
        limit: DEFAULT_PAGE as u64,
        after: None,
    };
    for (name, value) in field.arguments().ok()? {
        match (name.as_str(), value) {
            ("first", Value::Number(n)) => {
                let n = n.as_i64()?;
                if !(0..=MAX_PAGE as i64).contains(&n) {
                    return None;
                }
                page.limit = n as u64;
            }
            ("after", Value::String(s)) => page.after = Some(Cursor::decode_cursor(&s).ok()?.0),
            ("first" | "after", Value::Null) => {}
            (name, value) => {
                if !other(name, &value) {
                    return None;
                }
            }
        }
    }
    Some(page)
}

/// The one page of organisations a member's selection asks for (`organisations` selected
/// with the same arguments wherever it is), with its kind filter and whether its
/// `totalCount` is selected; `None` when there is none, or several.
pub fn organisations_of_member(member: &SelectionField<'_>) -> Option<OrganisationsAsked> {
    let fields: Vec<_> = member
        .selection_set()
        .filter(|f| f.name() == "organisations")
        .collect();
    organisations_asked(&fields)
}

/// As [`organisations_of_member`], for the members in the nodes of a connection.
pub fn organisations_of_members(members: &SelectionField<'_>) -> Option<OrganisationsAsked> {
    organisations_asked(&in_nodes(std::slice::from_ref(members), "organisations"))
}

/// A page of organisations asked for: the page, the kind filter, whether counted.
pub type OrganisationsAsked = (PageOf, Option<OrganisationKind>, bool);

fn organisations_asked(fields: &[SelectionField<'_>]) -> Option<OrganisationsAsked> {
    let mut asked = fields.iter().map(|f| {
        let mut kind = None;
        let page = page_with(f, |name, value| match (name, value) {
            ("kind", Value::Null) => true,
            // A literal is an enum value; a variable's value stays the string sent.
            ("kind", v @ (Value::Enum(_) | Value::String(_))) => {
                kind = async_graphql::InputType::parse(Some(v.clone())).ok();
                kind.is_some()
            }
            _ => false,
        })?;
        Some((page, kind))
    });
    let first = asked.next()??;
    if !asked.all(|a| a == Some(first)) {
        return None;
    }
    let counted = fields
        .iter()
        .any(|f| f.selection_set().any(|g| g.name() == "totalCount"));
    Some((first.0, first.1, counted))
}

/// The fields named `name` inside the nodes of the connection fields `of` (through `nodes`
/// and through `edges { node }`).
fn in_nodes<'a>(of: &[SelectionField<'a>], name: &str) -> Vec<SelectionField<'a>> {
    let mut found = Vec::new();
    for conn in of {
        for f in conn.selection_set() {
            match f.name() {
                "nodes" => found.extend(f.selection_set().filter(|g| g.name() == name)),
                "edges" => {
                    for node in f.selection_set().filter(|g| g.name() == "node") {
                        found.extend(node.selection_set().filter(|g| g.name() == name));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The one page all of `fields` ask for; `None` when they ask for different pages.
fn one_page(fields: &[SelectionField<'_>]) -> Option<PageOf> {
    let mut pages = fields.iter().map(page_of);
    let first = pages.next()??;
    pages.all(|p| p == Some(first)).then_some(first)
}

/// What `plan(id)`'s selection asks for below the plan, if the tree read covers it.
fn plan_shape(plan: &SelectionField<'_>) -> Option<Shape> {
    let commitments: Vec<_> = plan
        .selection_set()
        .filter(|f| f.name() == "commitments")
        .collect();
    let page = one_page(&commitments)?;
    let counted = |fields: &[SelectionField<'_>]| {
        fields
            .iter()
            .any(|f| f.selection_set().any(|g| g.name() == "totalCount"))
    };
    let milestones = in_nodes(&commitments, "milestones");
    let (m_page, organisations, milestone_count) = if milestones.is_empty() {
        (None, false, false)
    } else {
        match one_page(&milestones) {
            Some(m) => (
                Some(m),
                !in_nodes(&milestones, "responsibleOrganisation").is_empty(),
                counted(&milestones),
            ),
            None => (None, false, false),
        }
    };
    Some(Shape {
        commitments: page,
        commitment_count: counted(&commitments),
        milestones: m_page,
        milestone_count,
        organisations,
    })
}

/// What a field resolves to: an object the executor walks, or the answer the compiled read
/// wrote whole, as JSON text (the same type to the schema).
pub enum Answer<T> {
    Walk(T),
    Built(Mutex<Option<String>>),
}

impl<T> Answer<T> {
    pub fn built(json: String) -> Self {
        Answer::Built(Mutex::new(Some(json)))
    }
}

impl<T: OutputType> OutputType for Answer<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match self {
            Answer::Walk(t) => t.resolve(ctx, field).await,
            Answer::Built(v) => {
                let json = v
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take()
                    .ok_or_else(|| ServerError::new("a built answer is resolved once", None))?;
                // Spliced into the response text by the HTTP transport; read as a value where
                // the schema runs without it (a subscription, a test calling it directly).
                match ctx.data_opt::<Arc<Spliced>>() {
                    Some(spliced) => Ok(spliced.hold(json)),
                    None => serde_json::from_str(&json)
                        .map_err(|e| ServerError::new(e.to_string(), Some(field.pos))),
                }
            }
        }
    }
}

/// Reads the tree `plan(id)` asks for in one statement. Answers it whole, as JSON text, when
/// the viewer may see the plan and every selected field is known here; otherwise primes the
/// loaders with what was read (the plan among them, so that its visibility is decided without
/// another statement) and answers `None`. Does nothing when the selection has no nested
/// connection.
pub async fn plan(ctx: &Context<'_>, plan: Uuid) -> async_graphql::Result<Option<String>> {
    if !ctx.app().config.compiled_reads {
        return Ok(None);
    }
    let field = ctx.field();
    let Some(shape) = plan_shape(&field) else {
        return Ok(None);
    };
    let Some((selection, columns)) = PlanSel::compile(&field, &shape) else {
        let t = tree::read(ctx.db(), plan, shape).await?;
        let Some(p) = t.plan.clone() else {
            return Ok(None);
        };
        ctx.loaders().plan.loader().prime([p]);
        ctx.loaders().member.loader().prime(t.member.clone());
        ctx.app().metrics.record_compiled_read("primed");
        prime(ctx, plan, shape, t);
        return Ok(None);
    };
    let flat = tree::read_columns(ctx.db(), plan, shape, &columns).await?;
    let Some(p) = flat.plan.clone() else {
        return Ok(None);
    };
    let l = ctx.loaders();
    l.plan.loader().prime([p.clone()]);
    l.member.loader().prime(flat.member.clone());
    // The session check ran beside the tree's statement; what the viewer may see is decided
    // once it is over.
    if !visibility::sees_plan(&ctx.checked_viewer().await, &p) {
        return Ok(None);
    }
    let env = Env {
        today: visibility::today(ctx, p.member_id).await,
        plan_over: p.status.is_over(),
    };
    let mut out = Vec::with_capacity(4096);
    if selection.render(&flat, &p, &shape, &env, &mut out).is_err() {
        return Err(super::errors::internal(
            format!("the stored tree of plan {plan} could not be read"),
            ctx.lang(),
        ));
    }
    ctx.app().metrics.record_compiled_read("built");
    // Written from valid JSON texts and JSON written here.
    String::from_utf8(out)
        .map(Some)
        .map_err(|e| super::errors::internal(e, ctx.lang()))
}

/// Hands what the tree read to the request's loaders.
fn prime(ctx: &Context<'_>, plan: Uuid, shape: Shape, t: Tree) {
    let l = ctx.loaders();
    let key = |parent, page: PageOf| ChildPageKey {
        parent,
        limit: page.limit,
        after: page.after,
        filter: (),
    };
    l.commitment.loader().prime(t.commitments.0.iter().cloned());
    l.commitments_by_plan
        .loader()
        .prime([(key(plan, shape.commitments), t.commitments)]);
    if let Some(m) = shape.milestones {
        l.milestones_by_commitment
            .loader()
            .prime(t.milestones.into_iter().map(|(c, page)| (key(c, m), page)));
    }
    l.organisation.loader().prime(t.organisations.into_values());
    l.commitment_count_by_plan
        .loader()
        .prime(t.commitment_count.map(|n| ((plan, ()), n)));
    l.milestone_count_by_commitment
        .loader()
        .prime(t.milestone_counts.into_iter().map(|(c, n)| ((c, ()), n)));
}

mod leaves;

use leaves::*;

/// The response key of a selected field.
fn key(f: &SelectionField<'_>) -> Name {
    Name::new(f.alias().unwrap_or(f.name()))
}

/// Compiles the fields of one selection set with `field`; `None` when one is not known. A
/// response key selected twice (a fragment beside the field itself) is answered once: a leaf
/// has one value, and a repeated object field is left to the executor, which merges them.
fn fields<F>(
    of: &SelectionField<'_>,
    mut field: impl FnMut(&SelectionField<'_>) -> Option<F>,
) -> Option<Vec<(Name, F)>> {
    let mut out: Vec<(Name, F)> = Vec::new();
    for f in of.selection_set() {
        let k = key(&f);
        if out.iter().any(|(seen, _)| *seen == k) {
            if f.selection_set().next().is_some() {
                return None;
            }
            continue;
        }
        out.push((k, field(&f)?));
    }
    Some(out)
}

/// A field without a selection of its own, as `known` compiles it.
fn plain<T>(f: &SelectionField<'_>, known: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    if f.selection_set().next().is_some() {
        return None;
    }
    known(f.name())
}

/// Writes an object: each field's key, then its value as `value` writes it.
fn object<F>(
    out: &mut Out,
    sel: &[(Name, F)],
    mut value: impl FnMut(&F, &mut Out) -> Written,
) -> Written {
    out.push(b'{');
    for (i, (k, f)) in sel.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // A response key is a GraphQL name: nothing in it needs escaping.
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
        value(f, out)?;
    }
    out.push(b'}');
    Ok(())
}

/// Writes a list of `items` as `item` writes each.
fn list<R>(out: &mut Out, items: &[R], mut item: impl FnMut(&R, &mut Out) -> Written) -> Written {
    out.push(b'[');
    for (i, r) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(r, out)?;
    }
    out.push(b']');
    Ok(())
}

enum PageInfoField {
    Typename,
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

enum EdgeField<N> {
    Typename,
    Cursor,
    Node(Vec<(Name, N)>),
}

enum ConnField<N> {
    Typename,
    TotalCount,
    Nodes(Vec<(Name, N)>),
    Edges(Vec<(Name, EdgeField<N>)>),
    PageInfo(Vec<(Name, PageInfoField)>),
}

/// A connection's selection, with the names of its types for `__typename`.
struct ConnSel<N> {
    fields: Vec<(Name, ConnField<N>)>,
    conn_type: Value,
    edge_type: Value,
}

/// A page of rows as a connection renders it.
struct PageRows<'r, R> {
    rows: &'r [R],
    more: bool,
    /// Whether the page is after a cursor.
    after: bool,
    total: Option<u64>,
    /// The row's id, for its cursor.
    id: fn(&R) -> Option<Uuid>,
}

impl<N> ConnSel<N> {
    /// `counted`: whether the read has the total count.
    fn compile<T: OutputType + Send + Sync>(
        of: &SelectionField<'_>,
        counted: bool,
        node: &mut impl FnMut(&SelectionField<'_>) -> Option<N>,
    ) -> Option<Self> {
        let fields = fields(of, |f| {
            Some(match f.name() {
                "__typename" => ConnField::Typename,
                "totalCount" if counted => ConnField::TotalCount,
                "nodes" => ConnField::Nodes(fields(f, &mut *node)?),
                "edges" => ConnField::Edges(fields(f, |e| {
                    Some(match e.name() {
                        "__typename" => EdgeField::Typename,
                        "cursor" => EdgeField::Cursor,
                        "node" => EdgeField::Node(fields(e, &mut *node)?),
                        _ => return None,
                    })
                })?),
                "pageInfo" => ConnField::PageInfo(fields(f, |i| {
                    Some(match i.name() {
                        "__typename" => PageInfoField::Typename,
                        "hasNextPage" => PageInfoField::HasNextPage,
                        "hasPreviousPage" => PageInfoField::HasPreviousPage,
                        "startCursor" => PageInfoField::StartCursor,
                        "endCursor" => PageInfoField::EndCursor,
                        _ => return None,
                    })
                })?),
                _ => return None,
            })
        })?;
        Some(Self {
            fields,
            conn_type: type_name::<Conn<T>>(),
            edge_type: type_name::<Edge<Cursor, T, EmptyFields>>(),
        })
    }

    /// Writes the connection over `page`, `node` writing each row.
    fn render<R>(
        &self,
        page: PageRows<'_, R>,
        out: &mut Out,
        node: &mut impl FnMut(&[(Name, N)], &R, &mut Out) -> Written,
    ) -> Written {
        let cursor = |r: &R, out: &mut Out| match (page.id)(r) {
            Some(u) => put(out, &Value::String(Cursor(u).encode_cursor())),
            None => Err(Unreadable),
        };
        let opt_cursor = |r: Option<&R>, out: &mut Out| match r {
            Some(r) => cursor(r, out),
            None => put(out, &Value::Null),
        };
        object(out, &self.fields, |f, out| match f {
            ConnField::Typename => put(out, &self.conn_type),
            ConnField::TotalCount => put(out, &Value::from(page.total.unwrap_or(0) as i64)),
            ConnField::Nodes(sel) => list(out, page.rows, |r, out| node(sel, r, out)),
            ConnField::Edges(sel) => list(out, page.rows, |r, out| {
                object(out, sel, |e, out| match e {
                    EdgeField::Typename => put(out, &self.edge_type),
                    EdgeField::Cursor => cursor(r, out),
                    EdgeField::Node(sel) => node(sel, r, out),
                })
            }),
            ConnField::PageInfo(sel) => object(out, sel, |i, out| match i {
                PageInfoField::Typename => put(out, &type_name::<PageInfo>()),
                PageInfoField::HasNextPage => put(out, &Value::Boolean(page.more)),
                PageInfoField::HasPreviousPage => put(out, &Value::Boolean(page.after)),
                PageInfoField::StartCursor => opt_cursor(page.rows.first(), out),
                PageInfoField::EndCursor => opt_cursor(page.rows.last(), out),
            }),
        })
    }
}

enum MilestoneField {
    Cell(At),
    Organisation(Vec<(Name, At)>),
}

enum CommitmentField {
    Cell(At),
    Milestones(ConnSel<MilestoneField>),
}

enum PlanField {
    Leaf(Leaf<action_plan::Model>),
    Member(Vec<(Name, Leaf<member::Model>)>),
    Commitments(ConnSel<CommitmentField>),
}

/// `plan(id)`'s selection, compiled.
struct PlanSel(Vec<(Name, PlanField)>);

/// The id of a row read as cells.
fn row_id(cells: &[&str]) -> Option<Uuid> {
    cells.first().and_then(|c| tree::cell_uuid(c))
}

impl PlanSel {
    /// The selection below `plan`, when the tree read `shape` answers all of it, with the
    /// columns it reads of each level.
    fn compile(plan: &SelectionField<'_>, shape: &Shape) -> Option<(Self, Columns)> {
        let mut columns = Columns::default();
        let (c_cols, m_cols, o_cols) = (
            &mut columns.commitment,
            &mut columns.milestone,
            &mut columns.organisation,
        );
        let mut milestone = |f: &SelectionField<'_>| {
            Some(match f.name() {
                "responsibleOrganisation" if shape.organisations => {
                    MilestoneField::Organisation(fields(f, |o| {
                        Some(place(o_cols, plain(o, organisation_cell)?))
                    })?)
                }
                _ => MilestoneField::Cell(place(m_cols, plain(f, milestone_cell)?)),
            })
        };
        let mut commitment = |f: &SelectionField<'_>| {
            Some(match f.name() {
                "milestones" if shape.milestones.is_some() && page_of(f) == shape.milestones => {
                    CommitmentField::Milestones(ConnSel::compile::<Milestone>(
                        f,
                        shape.milestone_count,
                        &mut milestone,
                    )?)
                }
                _ => CommitmentField::Cell(place(c_cols, plain(f, commitment_cell)?)),
            })
        };
        let sel = fields(plan, |f| {
            Some(match f.name() {
                "commitments" if page_of(f) == Some(shape.commitments) => PlanField::Commitments(
                    ConnSel::compile::<Commitment>(f, shape.commitment_count, &mut commitment)?,
                ),
                "member" => PlanField::Member(fields(f, |m| plain(m, member_leaf))?),
                _ => PlanField::Leaf(plain(f, plan_leaf)?),
            })
        })?;
        Some((Self(sel), columns))
    }

    /// Writes the plan's answer from what the read found.
    fn render(
        &self,
        flat: &Flat,
        p: &action_plan::Model,
        shape: &Shape,
        env: &Env,
        out: &mut Out,
    ) -> Written {
        let commitments = flat.commitments(shape).map_err(|_| Unreadable)?;
        let organisation = |sel: &[(Name, At)], o: &Option<Cells<'_>>, out: &mut Out| match o {
            Some(cells) => object(out, sel, |at, out| at.write(cells, env, out)),
            None => put(out, &Value::Null),
        };
        let mut milestone = |sel: &[(Name, MilestoneField)],
                             (m, o): &(Cells<'_>, Option<Cells<'_>>),
                             out: &mut Out| {
            object(out, sel, |f, out| match f {
                MilestoneField::Cell(at) => at.write(m, env, out),
                MilestoneField::Organisation(sel) => organisation(sel, o, out),
            })
        };
        let mut commitment =
            |sel: &[(Name, CommitmentField)], c: &FlatCommitment<'_>, out: &mut Out| {
                object(out, sel, |f, out| match f {
                    CommitmentField::Cell(at) => at.write(&c.cells, env, out),
                    CommitmentField::Milestones(conn) => conn.render(
                        PageRows {
                            rows: &c.milestones.0,
                            more: c.milestones.1,
                            after: shape.milestones.is_some_and(|m| m.after.is_some()),
                            total: c.milestone_count,
                            id: |(m, _)| row_id(m),
                        },
                        out,
                        &mut milestone,
                    ),
                })
            };
        object(out, &self.0, |f, out| match f {
            PlanField::Leaf(l) => put(out, &l(p, env)),
            PlanField::Commitments(conn) => conn.render(
                PageRows {
                    rows: &commitments,
                    more: flat.more,
                    after: shape.commitments.after.is_some(),
                    total: flat.commitment_count,
                    id: |c| row_id(&c.cells),
                },
                out,
                &mut commitment,
            ),
            PlanField::Member(sel) => match &flat.member {
                Some(m) => object(out, sel, |l, out| put(out, &l(m, env))),
                None => put(out, &Value::Null),
            },
        })
    }
}
