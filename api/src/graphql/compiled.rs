//! Nested reads compiled into one statement. When `plan(id)` asks for its commitments and,
//! inside them, their milestones and the milestones' responsible organisations, the whole tree
//! is read at once ([`entity::plans::tree`]). When every field the request selects below the
//! plan is one this module knows (the plain fields of the four types, their connections and
//! `__typename`), the answer is built here from the rows, in selection order, and handed to the
//! executor whole ([`Answer::Built`]): no resolver runs below the plan. Otherwise the rows are
//! handed to the request's loaders before the resolvers run: the resolvers are the ones of
//! every other read — visibility, privacy and paging stay theirs — and find their rows already
//! loaded; a level the read did not cover (another page size beside it under an alias) is
//! loaded as usual. Both ways give the same answer (`tests/e2e/compiled.rs` compares them).

use std::borrow::Cow;
use std::sync::Mutex;

use async_graphql::connection::{CursorType, Edge, EmptyFields, PageInfo};
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::enum_value;
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, Positioned, ScalarType, SelectionField,
    ServerError, ServerResult, Value,
};
use chrono::{DateTime, NaiveDate, Utc};
use entity::plans::tree::{self, PageOf, Paged, Shape, Tree};
use entity::{action_plan, commitment, member, milestone, organisation};
use uuid::Uuid;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::member::Member;
use super::milestone::Milestone;
use super::organisation::Organisation;
use super::pagination::{ChildPageKey, Conn, Cursor, DEFAULT_PAGE, MAX_PAGE};
use super::plan::ActionPlan;
use super::scalars::Date;
use super::{ids, visibility};

/// The page a connection field asks for, when its arguments are valid (an invalid one is left
/// to the resolver, which refuses it).
fn page_of(field: &SelectionField<'_>) -> Option<PageOf> {
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
            _ => return None,
        }
    }
    Some(page)
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
/// built whole (the same type to the schema).
pub enum Answer<T> {
    Walk(T),
    Built(Mutex<Option<Value>>),
}

impl<T> Answer<T> {
    pub fn built(value: Value) -> Self {
        Answer::Built(Mutex::new(Some(value)))
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
            Answer::Built(v) => v
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take()
                .ok_or_else(|| ServerError::new("a built answer is resolved once", None)),
        }
    }
}

/// Reads the tree `plan(id)` asks for in one statement. Answers it whole when the viewer may
/// see the plan and every selected field is known here; otherwise primes the loaders with
/// what was read (the plan among them, so that its visibility is decided without another
/// statement) and answers `None`. Does nothing when the selection has no nested connection.
pub async fn plan(ctx: &Context<'_>, plan: Uuid) -> async_graphql::Result<Option<Value>> {
    if !ctx.app().config.compiled_reads {
        return Ok(None);
    }
    let field = ctx.field();
    let Some(shape) = plan_shape(&field) else {
        return Ok(None);
    };
    let t = tree::read(ctx.db(), plan, shape).await?;
    let l = ctx.loaders();
    let Some(p) = t.plan.clone() else {
        return Ok(None);
    };
    l.plan.loader().prime([p.clone()]);
    l.member.loader().prime(t.member.clone());
    if !visibility::sees_plan(&ctx.viewer(), &p) {
        return Ok(None);
    }
    if let Some(selection) = PlanSel::compile(&field, &shape) {
        let env = Env {
            today: visibility::today(ctx, p.member_id).await,
            plan_over: p.status.is_over(),
        };
        ctx.app().metrics.record_compiled_read("built");
        return Ok(Some(selection.render(&t, &p, &shape, &env)));
    }
    ctx.app().metrics.record_compiled_read("primed");
    prime(ctx, plan, shape, t);
    Ok(None)
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

// The answer built from the rows. A selection is compiled once per level (response keys,
// which field each is) and applied to every row of that level.

/// What the plain fields are computed from besides their row.
struct Env {
    /// Today in the member's time zone.
    today: NaiveDate,
    /// Whether the plan is over (its open milestones are NOT_COMPLETED).
    plan_over: bool,
}

/// A plain field: its value from the row alone.
type Leaf<M> = fn(&M, &Env) -> Value;

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn opt_text(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, text)
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Date(d).to_value())
}

fn time(t: &DateTime<Utc>) -> Value {
    t.to_value()
}

fn id(kind: &str, id: Uuid) -> Value {
    Value::String(ids::encode(kind, id).0)
}

fn type_name<T: OutputType>() -> Value {
    Value::String(T::type_name().into_owned())
}

fn plan_leaf(name: &str) -> Option<Leaf<action_plan::Model>> {
    let f: Leaf<action_plan::Model> = match name {
        "__typename" => |_, _| type_name::<ActionPlan>(),
        "id" => |p, _| id(super::plan::KIND, p.id),
        "level" => |p, _| enum_value(p.level),
        "title" => |p, _| text(&p.title),
        "periodStart" => |p, _| date(p.period_start),
        "periodEnd" => |p, _| date(p.period_end),
        "submissionDeadline" => |p, _| date(p.submission_deadline),
        "submittedOn" => |p, _| date(p.submitted_on),
        "documentVersion" => |p, _| opt_text(&p.document_version),
        "status" => |p, _| enum_value(p.status),
        "summary" => |p, _| opt_text(&p.summary),
        "isLate" => |p, e| Value::Boolean(p.is_late(e.today)),
        "daysToDeadline" => |p, e| {
            p.days_to_deadline(e.today)
                .map_or(Value::Null, |d| Value::from(d as i32))
        },
        "createdAt" => |p, _| time(&p.created_at),
        "updatedAt" => |p, _| time(&p.updated_at),
        "version" => |p, _| Value::from(p.version),
        _ => return None,
    };
    Some(f)
}

fn member_leaf(name: &str) -> Option<Leaf<member::Model>> {
    let f: Leaf<member::Model> = match name {
        "__typename" => |_, _| type_name::<Member>(),
        "id" => |m, _| id(super::member::KIND, m.id),
        "slug" => |m, _| text(&m.slug),
        "name" => |m, _| text(&m.name),
        "level" => |m, _| enum_value(m.level),
        "timeZone" => |m, _| text(&m.time_zone),
        "ogpMemberSince" => |m, _| date(m.ogp_member_since),
        "websiteUrl" => |m, _| opt_text(&m.website_url),
        "repositoryUrl" => |m, _| opt_text(&m.repository_url),
        "createdAt" => |m, _| time(&m.created_at),
        "updatedAt" => |m, _| time(&m.updated_at),
        "version" => |m, _| Value::from(m.version),
        _ => return None,
    };
    Some(f)
}

fn commitment_leaf(name: &str) -> Option<Leaf<commitment::Model>> {
    let f: Leaf<commitment::Model> = match name {
        "__typename" => |_, _| type_name::<Commitment>(),
        "id" => |c, _| id(super::commitment::KIND, c.id),
        "code" => |c, _| opt_text(&c.code),
        "title" => |c, _| text(&c.title),
        "theme" => |c, _| opt_text(&c.theme),
        "problem" => |c, _| opt_text(&c.problem),
        "baseline" => |c, _| opt_text(&c.baseline),
        "objective" => |c, _| opt_text(&c.objective),
        "description" => |c, _| opt_text(&c.description),
        "howItSolves" => |c, _| opt_text(&c.how_it_solves),
        "ogpValues" => |c, _| Value::List(c.values().into_iter().map(enum_value).collect()),
        "ambition" => |c, _| opt_text(&c.ambition),
        "officialInCharge" => |c, _| opt_text(&c.official_in_charge),
        "startsOn" => |c, _| date(c.starts_on),
        "endsOn" => |c, _| date(c.ends_on),
        "status" => |c, _| enum_value(c.status),
        "createdAt" => |c, _| time(&c.created_at),
        "updatedAt" => |c, _| time(&c.updated_at),
        "version" => |c, _| Value::from(c.version),
        _ => return None,
    };
    Some(f)
}

fn milestone_leaf(name: &str) -> Option<Leaf<milestone::Model>> {
    let f: Leaf<milestone::Model> = match name {
        "__typename" => |_, _| type_name::<Milestone>(),
        "id" => |m, _| id(super::milestone::KIND, m.id),
        "title" => |m, _| text(&m.title),
        "deliverable" => |m, _| opt_text(&m.deliverable),
        "startsOn" => |m, _| date(m.starts_on),
        "endsOn" => |m, _| date(m.ends_on),
        "weight" => |m, _| Value::from(m.weight),
        "status" => |m, _| enum_value(m.status),
        "state" => |m, e| enum_value(m.state_in(e.today, e.plan_over)),
        "progress" => |m, _| Value::from(m.percent()),
        "createdAt" => |m, _| time(&m.created_at),
        "updatedAt" => |m, _| time(&m.updated_at),
        "version" => |m, _| Value::from(m.version),
        _ => return None,
    };
    Some(f)
}

fn organisation_leaf(name: &str) -> Option<Leaf<organisation::Model>> {
    let f: Leaf<organisation::Model> = match name {
        "__typename" => |_, _| type_name::<Organisation>(),
        "id" => |o, _| id(super::organisation::KIND, o.id),
        "name" => |o, _| text(&o.name),
        "acronym" => |o, _| opt_text(&o.acronym),
        "kind" => |o, _| enum_value(o.kind),
        "isGovernment" => |o, _| Value::Boolean(o.kind.is_government()),
        "partnershipRole" => |o, _| o.partnership_role.map_or(Value::Null, enum_value),
        "websiteUrl" => |o, _| opt_text(&o.website_url),
        "contactPublic" => |o, _| Value::Boolean(o.contact_public),
        "createdAt" => |o, _| time(&o.created_at),
        "updatedAt" => |o, _| time(&o.updated_at),
        "version" => |o, _| Value::from(o.version),
        _ => return None,
    };
    Some(f)
}

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

/// A leaf of `M`, or `None` when the field has a selection of its own (none of these do).
fn leaf<M>(f: &SelectionField<'_>, known: fn(&str) -> Option<Leaf<M>>) -> Option<Leaf<M>> {
    if f.selection_set().next().is_some() {
        return None;
    }
    known(f.name())
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

    /// The connection over `page` (after a cursor when `after`), `node` rendering each row.
    fn render<M>(
        &self,
        (rows, more): &Paged<M>,
        after: bool,
        total: Option<u64>,
        row_id: fn(&M) -> Uuid,
        node: impl Fn(&[(Name, N)], &M) -> Value,
    ) -> Value {
        let cursor = |m: &M| Value::String(Cursor(row_id(m)).encode_cursor());
        let mut out = async_graphql::indexmap::IndexMap::with_capacity(self.fields.len());
        for (k, f) in &self.fields {
            let v = match f {
                ConnField::Typename => self.conn_type.clone(),
                ConnField::TotalCount => Value::from(total.unwrap_or(0) as i64),
                ConnField::Nodes(sel) => Value::List(rows.iter().map(|m| node(sel, m)).collect()),
                ConnField::Edges(sel) => Value::List(
                    rows.iter()
                        .map(|m| {
                            let mut edge =
                                async_graphql::indexmap::IndexMap::with_capacity(sel.len());
                            for (k, e) in sel {
                                let v = match e {
                                    EdgeField::Typename => self.edge_type.clone(),
                                    EdgeField::Cursor => cursor(m),
                                    EdgeField::Node(sel) => node(sel, m),
                                };
                                edge.insert(k.clone(), v);
                            }
                            Value::Object(edge)
                        })
                        .collect(),
                ),
                ConnField::PageInfo(sel) => {
                    let mut info = async_graphql::indexmap::IndexMap::with_capacity(sel.len());
                    for (k, i) in sel {
                        let v = match i {
                            PageInfoField::Typename => type_name::<PageInfo>(),
                            PageInfoField::HasNextPage => Value::Boolean(*more),
                            PageInfoField::HasPreviousPage => Value::Boolean(after),
                            PageInfoField::StartCursor => rows.first().map_or(Value::Null, cursor),
                            PageInfoField::EndCursor => rows.last().map_or(Value::Null, cursor),
                        };
                        info.insert(k.clone(), v);
                    }
                    Value::Object(info)
                }
            };
            out.insert(k.clone(), v);
        }
        Value::Object(out)
    }
}

enum OrgField {
    Leaf(Leaf<organisation::Model>),
}

enum MilestoneField {
    Leaf(Leaf<milestone::Model>),
    Organisation(Vec<(Name, OrgField)>),
}

enum CommitmentField {
    Leaf(Leaf<commitment::Model>),
    Milestones(ConnSel<MilestoneField>),
}

enum PlanField {
    Leaf(Leaf<action_plan::Model>),
    Member(Vec<(Name, Leaf<member::Model>)>),
    Commitments(ConnSel<CommitmentField>),
}

/// `plan(id)`'s selection, compiled.
struct PlanSel(Vec<(Name, PlanField)>);

/// Renders a row's object: its leaves and, through `child`, its other fields.
fn object<M, F>(
    sel: &[(Name, F)],
    row: &M,
    env: &Env,
    leaf: impl Fn(&F) -> Option<Leaf<M>>,
    mut child: impl FnMut(&F) -> Value,
) -> Value {
    let mut out = async_graphql::indexmap::IndexMap::with_capacity(sel.len());
    for (k, f) in sel {
        let v = match leaf(f) {
            Some(l) => l(row, env),
            None => child(f),
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

impl PlanSel {
    /// The selection below `plan`, when the tree read `shape` answers all of it.
    fn compile(plan: &SelectionField<'_>, shape: &Shape) -> Option<Self> {
        let mut milestone = |f: &SelectionField<'_>| {
            Some(match f.name() {
                "responsibleOrganisation" if shape.organisations => {
                    MilestoneField::Organisation(fields(f, |o| {
                        Some(OrgField::Leaf(leaf(o, organisation_leaf)?))
                    })?)
                }
                _ => MilestoneField::Leaf(leaf(f, milestone_leaf)?),
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
                _ => CommitmentField::Leaf(leaf(f, commitment_leaf)?),
            })
        };
        fields(plan, |f| {
            Some(match f.name() {
                "commitments" if page_of(f) == Some(shape.commitments) => PlanField::Commitments(
                    ConnSel::compile::<Commitment>(f, shape.commitment_count, &mut commitment)?,
                ),
                "member" => PlanField::Member(fields(f, |m| leaf(m, member_leaf))?),
                _ => PlanField::Leaf(leaf(f, plan_leaf)?),
            })
        })
        .map(Self)
    }

    fn render(&self, t: &Tree, p: &action_plan::Model, shape: &Shape, env: &Env) -> Value {
        let organisation = |sel: &[(Name, OrgField)], o: &organisation::Model| {
            object(sel, o, env, |OrgField::Leaf(l)| Some(*l), |_| Value::Null)
        };
        let milestone = |sel: &[(Name, MilestoneField)], m: &milestone::Model| {
            object(
                sel,
                m,
                env,
                |f| match f {
                    MilestoneField::Leaf(l) => Some(*l),
                    _ => None,
                },
                |f| match f {
                    MilestoneField::Organisation(sel) => m
                        .responsible_organisation_id
                        .and_then(|o| t.organisations.get(&o))
                        .map_or(Value::Null, |o| organisation(sel, o)),
                    MilestoneField::Leaf(_) => Value::Null,
                },
            )
        };
        let empty = (Vec::new(), false);
        let commitment = |sel: &[(Name, CommitmentField)], c: &commitment::Model| {
            object(
                sel,
                c,
                env,
                |f| match f {
                    CommitmentField::Leaf(l) => Some(*l),
                    _ => None,
                },
                |f| match f {
                    CommitmentField::Milestones(conn) => conn.render(
                        t.milestones.get(&c.id).unwrap_or(&empty),
                        shape.milestones.is_some_and(|m| m.after.is_some()),
                        t.milestone_counts.get(&c.id).copied(),
                        |m| m.id,
                        milestone,
                    ),
                    CommitmentField::Leaf(_) => Value::Null,
                },
            )
        };
        object(
            &self.0,
            p,
            env,
            |f| match f {
                PlanField::Leaf(l) => Some(*l),
                _ => None,
            },
            |f| match f {
                PlanField::Commitments(conn) => conn.render(
                    &t.commitments,
                    shape.commitments.after.is_some(),
                    t.commitment_count,
                    |c| c.id,
                    commitment,
                ),
                PlanField::Member(sel) => t.member.as_ref().map_or(Value::Null, |m| {
                    object(sel, m, env, |l| Some(*l), |_| Value::Null)
                }),
                PlanField::Leaf(_) => Value::Null,
            },
        )
    }
}
