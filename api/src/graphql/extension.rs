//! Request-wide rules on every GraphQL request: the alias and expanded-field limits (fragment
//! bombs), error codes for parse and validation failures and for the depth and complexity
//! limits, and the last line of defence: an error without a code is an unexpected fault, which
//! is logged and replaced by a generic message so that SQL, paths and internals never leave.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Name, Positioned, Response, ServerError, ServerResult, ValidationResult, Variables,
};
use entity::Lang;

use super::errors::{code, internal_message};

/// The limits of one request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_aliases: usize,
    /// Fields after every fragment is expanded (defeats fragment bombs before validation).
    pub max_expanded_fields: usize,
}

pub struct Guard(pub Limits);

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension(self.0))
    }
}

struct GuardExtension(Limits);

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
            tracing::error!(error = %err.message, path = ?err.path, "unexpected GraphQL error");
            err.message = internal_message(lang).to_owned();
            err.source = None;
            set_code(err, code::INTERNAL);
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|mut e| {
            set_code(&mut e, code::GRAPHQL_PARSE_FAILED);
            e
        })?;
        let counts = count(&doc);
        if counts.aliases > self.0.max_aliases {
            let mut e = ServerError::new(
                format!(
                    "The query uses {} aliases; at most {} are allowed.",
                    counts.aliases, self.0.max_aliases
                ),
                None,
            );
            set_code(&mut e, code::ALIAS_LIMIT_EXCEEDED);
            return Err(e);
        }
        if counts.expanded_fields > self.0.max_expanded_fields {
            let mut e = ServerError::new(
                format!(
                    "The query expands to more than {} fields.",
                    self.0.max_expanded_fields
                ),
                None,
            );
            set_code(&mut e, code::FIELD_LIMIT_EXCEEDED);
            return Err(e);
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
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

struct Counts {
    aliases: usize,
    expanded_fields: usize,
}

/// Counts aliases as written, and fields as they would be once every fragment is expanded,
/// memoising per fragment so that counting a bomb is cheap. Fragment cycles count as huge
/// (validation refuses them anyway).
fn count(doc: &ExecutableDocument) -> Counts {
    let mut aliases = 0usize;
    let mut memo: HashMap<&Name, usize> = HashMap::new();
    for (_, fragment) in doc.fragments.iter() {
        aliases += aliases_in(&fragment.node.selection_set);
    }
    let mut expanded = 0usize;
    for (_, op) in doc.operations.iter() {
        aliases += aliases_in(&op.node.selection_set);
        let mut stack = Vec::new();
        expanded =
            expanded.saturating_add(expand(doc, &op.node.selection_set, &mut memo, &mut stack));
    }
    Counts {
        aliases,
        expanded_fields: expanded,
    }
}

fn aliases_in(set: &Positioned<SelectionSet>) -> usize {
    set.node
        .items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + aliases_in(&f.node.selection_set)
            }
            Selection::InlineFragment(i) => aliases_in(&i.node.selection_set),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

fn expand<'a>(
    doc: &'a ExecutableDocument,
    set: &'a Positioned<SelectionSet>,
    memo: &mut HashMap<&'a Name, usize>,
    stack: &mut Vec<&'a Name>,
) -> usize {
    let mut total = 0usize;
    for item in &set.node.items {
        let n = match &item.node {
            Selection::Field(f) => {
                1usize.saturating_add(expand(doc, &f.node.selection_set, memo, stack))
            }
            Selection::InlineFragment(i) => expand(doc, &i.node.selection_set, memo, stack),
            Selection::FragmentSpread(s) => {
                let name = &s.node.fragment_name.node;
                if let Some(n) = memo.get(name) {
                    *n
                } else if stack.contains(&name) {
                    usize::MAX / 2
                } else if let Some(fragment) = doc.fragments.get(name) {
                    stack.push(name);
                    let n = expand(doc, &fragment.node.selection_set, memo, stack);
                    stack.pop();
                    memo.insert(name, n);
                    n
                } else {
                    0
                }
            }
        };
        total = total.saturating_add(n);
    }
    total
}
