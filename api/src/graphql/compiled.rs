//! Nested reads compiled into one statement. When `plan(id)` asks for its commitments and,
//! inside them, their milestones and the milestones' responsible organisations, the whole tree
//! is read at once ([`entity::plans::tree`]) and handed to the request's loaders before the
//! resolvers run. The resolvers are the ones of every other read — visibility, privacy and
//! paging stay theirs — and find their rows already loaded; a level the read did not cover
//! (another page size beside it under an alias, a field it does not know) is loaded as usual.

use async_graphql::connection::CursorType;
use async_graphql::{Context, SelectionField, Value};
use entity::plans::tree::{self, PageOf, Shape};
use uuid::Uuid;

use super::context::CtxExt;
use super::pagination::{ChildPageKey, Cursor, DEFAULT_PAGE, MAX_PAGE};

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

/// Reads the tree `plan(id)` asks for in one statement and primes the loaders with it. Does
/// nothing (the loaders read as usual) when the selection has no nested connection.
pub async fn prime_plan(ctx: &Context<'_>, plan: Uuid) -> async_graphql::Result<()> {
    if !ctx.app().config.compiled_reads {
        return Ok(());
    }
    let Some(shape) = plan_shape(&ctx.field()) else {
        return Ok(());
    };
    let t = tree::read(ctx.db(), plan, shape).await?;
    let l = ctx.loaders();
    let Some(p) = t.plan else { return Ok(()) };
    let key = |parent, page: PageOf| ChildPageKey {
        parent,
        limit: page.limit,
        after: page.after,
        filter: (),
    };
    l.plan.loader().prime([p]);
    l.member.loader().prime(t.member);
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
    Ok(())
}
