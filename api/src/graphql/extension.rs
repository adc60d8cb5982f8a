//! Request-wide rules on every GraphQL request: the alias and expanded-field limits (fragment
//! bombs), error codes for parse and validation failures and for the depth and complexity
//! limits, and the last line of defence: an error without a code is an unexpected fault, which
//! is logged and replaced by a generic message so that SQL, paths and internals never leave.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
    NextSubscribe, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Name, Positioned, Response, ServerError, ServerResult, ValidationResult, Variables,
};
use entity::Lang;
use futures::stream::BoxStream;

use super::errors::{code, internal_message};
use super::parsed::Parsed;

/// The limits of one request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_aliases: usize,
    /// Fields after every fragment is expanded (defeats fragment bombs before validation).
    pub max_expanded_fields: usize,
    /// Nesting of selection sets, fragments expanded.
    pub max_recursive_depth: usize,
    /// Directives on one selection.
    pub max_directives: usize,
    /// The complexity an anonymous request may reach (a signed-in one: the schema's limit).
    pub max_complexity_anonymous: usize,
}

/// The guard of a schema: its limits and the documents it has let through ([`Parsed`]).
pub struct Guard {
    limits: Limits,
    parsed: Arc<Parsed>,
}

impl Guard {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            parsed: Arc::default(),
        }
    }
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension(
            self.limits,
            Mutex::default(),
            AtomicBool::new(false),
            self.parsed.clone(),
        ))
    }
}

/// One request's guard: its limits, the parsed document its answers are ordered by, whether
/// it runs as a stream (graphql-ws), where each event of a subscription passes through
/// `execute` too, and the schema's documents let through before.
struct GuardExtension(
    Limits,
    Mutex<Option<Arc<ExecutableDocument>>>,
    AtomicBool,
    Arc<Parsed>,
);

impl GuardExtension {
    fn ordered(&self, operation: Option<&str>, mut response: Response) -> Response {
        let doc = self.1.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(doc) = doc {
            super::order::reorder(&doc, operation, &mut response.data);
        }
        response
    }
}

fn set_code(err: &mut ServerError, value: &'static str) {
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", value);
}

fn has_code(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

#[async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let lang = ctx.data_opt::<Lang>().copied().unwrap_or_default();
        let mut response = next.run(ctx).await;
        for err in &mut response.errors {
            if has_code(err) {
                continue;
            }
            // Variables that do not fit their types are the caller's mistake, not a fault.
            if err.message.starts_with("Invalid value for argument")
                || err.message.starts_with("Failed to parse")
                || err.message.starts_with("Invalid value for variable")
            {
                set_code(err, code::BAD_USER_INPUT);
                continue;
            }
            if entity::db::is_storage_failure(&err.message) {
                tracing::error!(error = %err.message, path = ?err.path, "storage cannot take writes");
                err.message = super::errors::storage_message(lang).to_owned();
                err.source = None;
                set_code(err, code::STORAGE_UNAVAILABLE);
                continue;
            }
            tracing::error!(error = %err.message, path = ?err.path, "unexpected GraphQL error");
            err.message = internal_message(lang).to_owned();
            err.source = None;
            set_code(err, code::INTERNAL);
        }
        response
    }

    /// Parses the document and decides every document limit in one pass over it, in time
    /// linear in its size. async-graphql's own recursion-depth and directive checks walk every
    /// fragment spread again (a document of nested spreads doubles their work per level: 30
    /// levels kept a core busy for minutes), so the parse does not go on to them (`next` is
    /// not run) and the same limits are decided here with each fragment counted once.
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        _variables: &Variables,
        _next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // The checks below depend on the text and the schema only: a text let through before
        // is let through again.
        if let Some(doc) = self.3.get(query) {
            let owned = (*doc).clone();
            *self.1.lock().unwrap_or_else(|p| p.into_inner()) = Some(doc);
            return Ok(owned);
        }
        let doc = async_graphql::parser::parse_query(query).map_err(|e| {
            let mut e = ServerError::from(e);
            set_code(&mut e, code::GRAPHQL_PARSE_FAILED);
            e
        })?;
        let counts = count(&doc, self.0.max_directives);
        let refuse = |message: String, c: &'static str| {
            let mut e = ServerError::new(message, None);
            set_code(&mut e, c);
            Err(e)
        };
        if let Some(n) = counts.directives_on_one {
            return refuse(
                format!(
                    "A field carries {n} directives; at most {} are allowed.",
                    self.0.max_directives
                ),
                code::GRAPHQL_VALIDATION_FAILED,
            );
        }
        if counts.aliases > self.0.max_aliases {
            return refuse(
                format!(
                    "The query uses {} aliases; at most {} are allowed.",
                    counts.aliases, self.0.max_aliases
                ),
                code::ALIAS_LIMIT_EXCEEDED,
            );
        }
        if counts.expanded_fields > self.0.max_expanded_fields
            || counts.expanded_fragments > self.0.max_expanded_fields * 10
        {
            return refuse(
                format!(
                    "The query expands to more than {} fields.",
                    self.0.max_expanded_fields
                ),
                code::FIELD_LIMIT_EXCEEDED,
            );
        }
        // Counted as async-graphql's recursion limit counts: the operation's own selection set
        // is level 0.
        if counts.depth.saturating_sub(1) > self.0.max_recursive_depth {
            return refuse(
                format!(
                    "The query nests selections {} deep; at most {} are allowed.",
                    counts.depth.saturating_sub(1),
                    self.0.max_recursive_depth
                ),
                code::DEPTH_LIMIT_EXCEEDED,
            );
        }
        if let Some(e) = literals::string_for_enum(&doc, &ctx.schema_env.registry) {
            return Err(e);
        }
        let kept = Arc::new(doc.clone());
        self.3.keep(query, kept.clone());
        *self.1.lock().unwrap_or_else(|p| p.into_inner()) = Some(kept);
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        // Outside a stream (HTTP), a subscription has nowhere to send its events.
        let doc = self.1.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if !self.2.load(std::sync::atomic::Ordering::Acquire)
            && doc
                .as_ref()
                .is_some_and(|d| selects_subscription(d, operation_name))
        {
            let mut e = ServerError::new(
                "Subscriptions are served over graphql-ws at /graphql/ws, not over HTTP.",
                None,
            );
            set_code(&mut e, code::BAD_REQUEST);
            return Response::from_errors(vec![e]);
        }
        // A query whose session check is still running starts at once only where each of its
        // root fields waits for the check itself before deciding anything by the viewer.
        if let Some(check) = ctx.data_opt::<crate::auth::SessionCheck>()
            && !doc
                .as_ref()
                .is_some_and(|d| roots_check_themselves(d, operation_name))
        {
            check.viewer().await;
        }
        let response = next.run(ctx, operation_name).await;
        self.ordered(operation_name, response)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        use futures::StreamExt;
        self.2.store(true, std::sync::atomic::Ordering::Release);
        let doc = self.1.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let stream = next.run(ctx, stream);
        match doc {
            // A subscription document holds one operation (or is refused before this).
            Some(doc) => stream
                .map(move |mut r| {
                    super::order::reorder(&doc, None, &mut r.data);
                    r
                })
                .boxed(),
            None => stream,
        }
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let checked = match next.run(ctx).await {
            // Over the anonymous limit: allowed to a signed-in viewer only (a query whose session
            // check is still running waits for it here).
            Ok(r) if r.complexity > self.0.max_complexity_anonymous => {
                let signed_in = match ctx.data_opt::<crate::auth::Viewer>() {
                    Some(v) => v.is_signed_in(),
                    None => match ctx.data_opt::<crate::auth::SessionCheck>() {
                        Some(c) => c.viewer().await.is_signed_in(),
                        None => false,
                    },
                };
                match signed_in {
                    true => Ok(r),
                    false => Err(vec![ServerError::new("Query is too complex.", None)]),
                }
            }
            other => other,
        };
        checked.map_err(|mut errors| {
            for e in &mut errors {
                let c = if e.message == "Query is nested too deep." {
                    code::DEPTH_LIMIT_EXCEEDED
                } else if e.message == "Query is too complex." {
                    code::COMPLEXITY_LIMIT_EXCEEDED
                } else {
                    code::GRAPHQL_VALIDATION_FAILED
                };
                set_code(e, c);
            }
            errors
        })
    }
}

#[derive(Debug)]
struct Counts {
    aliases: usize,
    /// Fields once every fragment is expanded.
    expanded_fields: usize,
    /// Fragment spreads and inline fragments once every fragment is expanded: with the fields,
    /// what validation and execution will walk.
    expanded_fragments: usize,
    /// The deepest nesting of selection sets once fragments are expanded (spreads and inline
    /// fragments count a level, as async-graphql's recursion limit does).
    depth: usize,
    /// The number of directives on one selection, when one carries more than the limit.
    directives_on_one: Option<usize>,
}

/// What one selection set amounts to once its fragments are expanded.
#[derive(Clone, Copy)]
struct Size {
    fields: usize,
    fragments: usize,
    depth: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.fields = self.fields.saturating_add(other.fields);
        self.fragments = self.fragments.saturating_add(other.fragments);
    }
}

/// Counts as described on [`Counts`], memoising per fragment so that every selection set of
/// the document is looked at once: linear in the document's size, whatever its spreads. A
/// fragment cycle counts as huge (validation refuses cycles anyway).
fn count(doc: &ExecutableDocument, max_directives: usize) -> Counts {
    let mut walk = Walk {
        doc,
        memo: HashMap::new(),
        open: HashSet::new(),
        aliases: 0,
        directives_on_one: None,
        max_directives,
    };
    let mut total = Size {
        fields: 0,
        fragments: 0,
        depth: 0,
    };
    for (_, op) in doc.operations.iter() {
        walk.directives(op.node.directives.len());
        let s = walk.set(&op.node.selection_set);
        total.add(s);
        total.depth = total.depth.max(s.depth);
    }
    // Fragments no operation uses are refused by validation, but their aliases and
    // directives are counted all the same (each once).
    for (name, _) in doc.fragments.iter() {
        walk.fragment(name);
    }
    Counts {
        aliases: walk.aliases,
        expanded_fields: total.fields,
        expanded_fragments: total.fragments,
        depth: total.depth,
        directives_on_one: walk.directives_on_one,
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<&'a Name, Size>,
    /// Fragments being expanded (a spread of one of these is a cycle).
    open: HashSet<&'a Name>,
    aliases: usize,
    directives_on_one: Option<usize>,
    max_directives: usize,
}

const HUGE: Size = Size {
    fields: usize::MAX / 2,
    fragments: usize::MAX / 2,
    depth: usize::MAX / 2,
};

const EMPTY: Size = Size {
    fields: 0,
    fragments: 0,
    depth: 0,
};

impl<'a> Walk<'a> {
    fn directives(&mut self, n: usize) {
        if n > self.max_directives && self.directives_on_one.is_none() {
            self.directives_on_one = Some(n);
        }
    }

    /// A selection set: its expanded node count and the depth below it (one level for the set
    /// itself).
    fn set(&mut self, set: &'a Positioned<SelectionSet>) -> Size {
        let mut size = Size {
            fields: 0,
            fragments: 0,
            depth: 1,
        };
        for item in &set.node.items {
            let (mut inner, own) = match &item.node {
                Selection::Field(f) => {
                    self.aliases += usize::from(f.node.alias.is_some());
                    self.directives(f.node.directives.len());
                    let inner = if f.node.selection_set.node.items.is_empty() {
                        EMPTY
                    } else {
                        self.set(&f.node.selection_set)
                    };
                    (inner, Size { fields: 1, ..EMPTY })
                }
                Selection::InlineFragment(i) => {
                    self.directives(i.node.directives.len());
                    let inner = self.set(&i.node.selection_set);
                    (
                        inner,
                        Size {
                            fragments: 1,
                            ..EMPTY
                        },
                    )
                }
                Selection::FragmentSpread(s) => {
                    self.directives(s.node.directives.len());
                    let inner = self.fragment(&s.node.fragment_name.node);
                    (
                        inner,
                        Size {
                            fragments: 1,
                            ..EMPTY
                        },
                    )
                }
            };
            size.depth = size.depth.max(inner.depth.saturating_add(1));
            inner.add(own);
            size.add(inner);
        }
        size
    }

    /// A fragment's expanded size, computed once.
    fn fragment(&mut self, name: &'a Name) -> Size {
        if let Some(s) = self.memo.get(name) {
            return *s;
        }
        if self.open.contains(name) {
            return HUGE;
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            // An unknown fragment: validation names it.
            return EMPTY;
        };
        self.open.insert(name);
        self.directives(fragment.node.directives.len());
        let s = self.set(&fragment.node.selection_set);
        self.open.remove(name);
        self.memo.insert(name, s);
        s
    }
}

/// The GraphQL spec takes an enum value only as an enum literal (`REGENCY`); a string literal
/// (`"REGENCY"`) is refused where an enum is expected. async-graphql takes both, since JSON
/// variables carry enums as strings, so the literals written in the document are checked here
/// against the schema (each selection set once).
mod literals {
    use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
    use async_graphql::registry::{MetaType, MetaTypeName, Registry};
    use async_graphql::{Positioned, ServerError};
    use async_graphql_value::Value;

    use super::{code, set_code};

    pub fn string_for_enum(doc: &ExecutableDocument, registry: &Registry) -> Option<ServerError> {
        let mut found = None;
        for (_, op) in doc.operations.iter() {
            use async_graphql::parser::types::OperationType;
            let root = match op.node.ty {
                OperationType::Query => Some(registry.query_type.as_str()),
                OperationType::Mutation => registry.mutation_type.as_deref(),
                OperationType::Subscription => registry.subscription_type.as_deref(),
            };
            for var in &op.node.variable_definitions {
                if let Some(default) = &var.node.default_value {
                    let ty = var.node.var_type.node.to_string();
                    let value = default.node.clone().into_value();
                    check_value(registry, &value, &ty, default.pos, &mut found);
                }
            }
            if let Some(root) = root {
                set(registry, root, &op.node.selection_set, &mut found);
            }
        }
        for (_, fragment) in doc.fragments.iter() {
            let on = fragment.node.type_condition.node.on.node.as_str();
            set(registry, on, &fragment.node.selection_set, &mut found);
        }
        found
    }

    fn set(
        registry: &Registry,
        parent: &str,
        selections: &Positioned<SelectionSet>,
        found: &mut Option<ServerError>,
    ) {
        for item in &selections.node.items {
            if found.is_some() {
                return;
            }
            match &item.node {
                Selection::Field(f) => {
                    let def = registry
                        .types
                        .get(parent)
                        .and_then(MetaType::fields)
                        .and_then(|fields| fields.get(f.node.name.node.as_str()));
                    let Some(def) = def else { continue };
                    for (name, value) in &f.node.arguments {
                        if let Some(arg) = def.args.get(name.node.as_str()) {
                            check_value(registry, &value.node, &arg.ty, value.pos, found);
                        }
                    }
                    let child = MetaTypeName::concrete_typename(&def.ty);
                    set(registry, child, &f.node.selection_set, found);
                }
                Selection::InlineFragment(i) => {
                    let on = i
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |t| t.node.on.node.as_str());
                    set(registry, on, &i.node.selection_set, found);
                }
                // Each fragment definition is looked at once, on its own type.
                Selection::FragmentSpread(_) => {}
            }
        }
    }

    fn check_value(
        registry: &Registry,
        value: &Value,
        ty: &str,
        pos: async_graphql::Pos,
        found: &mut Option<ServerError>,
    ) {
        if found.is_some() {
            return;
        }
        match MetaTypeName::create(ty) {
            MetaTypeName::NonNull(inner) => check_value(registry, value, inner, pos, found),
            MetaTypeName::List(inner) => match value {
                Value::List(items) => {
                    for v in items {
                        check_value(registry, v, inner, pos, found);
                    }
                }
                v => check_value(registry, v, inner, pos, found),
            },
            MetaTypeName::Named(name) => match (registry.types.get(name), value) {
                (Some(MetaType::Enum { .. }), Value::String(s)) => {
                    let mut e = ServerError::new(
                        format!(
                            "Enum \"{name}\" takes an enum value, not the string \"{s}\": write {s} without quotes."
                        ),
                        Some(pos),
                    );
                    set_code(&mut e, code::GRAPHQL_VALIDATION_FAILED);
                    *found = Some(e);
                }
                (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) => {
                    for (k, v) in fields {
                        if let Some(def) = input_fields.get(k.as_str()) {
                            check_value(registry, v, &def.ty, pos, found);
                        }
                    }
                }
                _ => {}
            },
        }
    }
}

/// Whether the operation `name` (or the document's only one) is a subscription.
/// The operation of `doc` a request named (or its only one).
fn selected<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d async_graphql::parser::types::OperationDefinition> {
    use async_graphql::parser::types::DocumentOperations;
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(n)) => ops.get(n).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

fn selects_subscription(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    use async_graphql::parser::types::OperationType;
    selected(doc, name).is_some_and(|op| op.ty == OperationType::Subscription)
}

/// The root fields whose resolvers wait for the request's session check themselves
/// (`CtxExt::checked_viewer`) before they decide anything by the viewer, so that their first
/// statement is sent while the check runs.
const SELF_CHECKED_ROOTS: [&str; 2] = ["plan", "__typename"];

/// Whether the selected operation is a query of root fields that all wait for the session
/// check themselves (a fragment at the root is not looked into: it waits).
fn roots_check_themselves(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    use async_graphql::parser::types::{OperationType, Selection};
    selected(doc, name).is_some_and(|op| {
        op.ty == OperationType::Query
            && op.selection_set.node.items.iter().all(|s| match &s.node {
                Selection::Field(f) => SELF_CHECKED_ROOTS.contains(&f.node.name.node.as_str()),
                _ => false,
            })
    })
}
