//! Response maps in the order of the selection set, as the GraphQL spec orders them.
//!
//! async-graphql 7.2 resolves an object's fields concurrently and inserts each into the
//! response map as it completes, so `{ b: member … a: member … c: version }` came back c, b, a
//! one time and b, a, c the next. Clients diff and snapshot answers; the spec says a response
//! map is ordered as the fields were selected (fragments expanded where they stand, a key that
//! repeats keeping its first place). The guard extension keeps the parsed document and puts
//! every answer, over HTTP and graphql-ws, in that order with [`reorder`].

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};

/// Puts `data` (the answer to `operation` of `doc`) in selection order.
pub fn reorder(doc: &ExecutableDocument, operation: Option<&str>, data: &mut Value) {
    let op = match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return,
        },
        _ => return,
    };
    apply(doc, &[&op.node.selection_set], data);
}

/// The response keys `sets` select, in order, each with the selection sets below it.
type Plan<'a> = IndexMap<&'a str, Vec<&'a Positioned<SelectionSet>>>;

fn plan<'a>(doc: &'a ExecutableDocument, sets: &[&'a Positioned<SelectionSet>]) -> Plan<'a> {
    let mut out = Plan::new();
    // A fragment spread twice in one set adds nothing the second time.
    let mut seen: Vec<&Name> = Vec::new();
    for set in sets {
        collect(doc, set, &mut out, &mut seen);
    }
    out
}

fn collect<'a>(
    doc: &'a ExecutableDocument,
    set: &'a Positioned<SelectionSet>,
    out: &mut Plan<'a>,
    seen: &mut Vec<&'a Name>,
) {
    for item in &set.node.items {
        match &item.node {
            Selection::Field(f) => {
                let key = f
                    .node
                    .alias
                    .as_ref()
                    .map_or(f.node.name.node.as_str(), |a| a.node.as_str());
                out.entry(key).or_default().push(&f.node.selection_set);
            }
            Selection::InlineFragment(i) => collect(doc, &i.node.selection_set, out, seen),
            Selection::FragmentSpread(s) => {
                let name = &s.node.fragment_name.node;
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name);
                if let Some(fragment) = doc.fragments.get(name) {
                    collect(doc, &fragment.node.selection_set, out, seen);
                }
            }
        }
    }
}

/// Orders `value` (an object, a list of them, or a leaf) by what `sets` select.
fn apply(doc: &ExecutableDocument, sets: &[&Positioned<SelectionSet>], value: &mut Value) {
    if sets.iter().all(|s| s.node.items.is_empty()) {
        return;
    }
    // One plan for every item of a list: they share their selection.
    let plan = plan(doc, sets);
    apply_plan(doc, &plan, value);
}

fn apply_plan(doc: &ExecutableDocument, plan: &Plan<'_>, value: &mut Value) {
    match value {
        Value::List(items) => {
            for item in items {
                apply_plan(doc, plan, item);
            }
        }
        Value::Object(map) => {
            // Already in order (an answer built whole is): only what is below is looked at.
            let mut keys = plan.keys();
            if map.keys().all(|k| keys.any(|p| *p == k.as_str())) {
                for (k, v) in map.iter_mut() {
                    if let Some(sets) = plan.get(k.as_str()) {
                        apply(doc, sets, v);
                    }
                }
                return;
            }
            let mut ordered = IndexMap::with_capacity(map.len());
            for (key, sets) in plan {
                if let Some((k, mut v)) = map.shift_remove_entry(*key) {
                    apply(doc, sets, &mut v);
                    ordered.insert(k, v);
                }
            }
            // Anything the plan does not name keeps its place after (none is expected).
            ordered.extend(map.drain(..));
            *map = ordered;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &Value) -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().map(|k| k.to_string()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn keys_follow_the_selection_with_aliases_fragments_and_lists() {
        let doc = async_graphql::parser::parse_query(
            "query Q { b: member { name ...F } a: member { slug } c: version list { y x } }
             fragment F on Member { ... on Member { z } slug name }",
        )
        .unwrap();
        let mut data: Value = serde_json::from_str::<serde_json::Value>(
            r#"{"list": [{"x": 1, "y": 2}, {"x": 3, "y": 4}], "c": "0.1", "a": {"slug": "s"},
                "b": {"slug": "s", "z": 1, "name": "n"}}"#,
        )
        .map(|j| Value::from_json(j).unwrap())
        .unwrap();
        reorder(&doc, Some("Q"), &mut data);
        assert_eq!(keys(&data), ["b", "a", "c", "list"]);
        let Value::Object(top) = &data else { panic!() };
        assert_eq!(keys(&top["b"]), ["name", "z", "slug"]);
        let Value::List(list) = &top["list"] else {
            panic!()
        };
        assert!(list.iter().all(|i| keys(i) == ["y", "x"]));
    }

    /// A map already in order keeps it, and what is below it is still put in order.
    #[test]
    fn an_ordered_map_is_kept_and_its_children_ordered() {
        let doc = async_graphql::parser::parse_query("{ a b: m { z y } c list { q p } }").unwrap();
        let mut data: Value = serde_json::from_str::<serde_json::Value>(
            r#"{"a": 1, "b": {"y": 2, "z": 1}, "c": 3, "list": [{"p": 1, "q": 2}]}"#,
        )
        .map(|j| Value::from_json(j).unwrap())
        .unwrap();
        reorder(&doc, None, &mut data);
        assert_eq!(keys(&data), ["a", "b", "c", "list"]);
        let Value::Object(top) = &data else { panic!() };
        assert_eq!(keys(&top["b"]), ["z", "y"]);
        let Value::List(list) = &top["list"] else {
            panic!()
        };
        assert_eq!(keys(&list[0]), ["q", "p"]);
        // A map out of order with keys of its own is still ordered as before.
        let mut data: Value = serde_json::from_str::<serde_json::Value>(r#"{"c": 3, "a": 1}"#)
            .map(|j| Value::from_json(j).unwrap())
            .unwrap();
        reorder(&doc, None, &mut data);
        assert_eq!(keys(&data), ["a", "c"]);
    }
}
