//! The documents the guard has parsed and let through, by their text. An admin screen and the
//! public website send the same few queries all day, and parsing one (a PEG parser) with the
//! guard's counts costs more than the read behind a small answer: a query seen before is
//! taken from here instead. Only a document that passed every check of the guard is kept, so
//! a refused query is parsed and refused again each time. Kept within a total of query text
//! (a query longer than a tenth of it is never kept); when a new one would pass the total, the
//! store is emptied and fills again with the queries in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// The query text kept in all, in bytes.
pub const TEXT_BUDGET: usize = 256 * 1024;

#[derive(Default)]
pub struct Parsed {
    inner: Mutex<Store>,
}

#[derive(Default)]
struct Store {
    docs: HashMap<Box<str>, Arc<ExecutableDocument>>,
    text: usize,
}

impl Parsed {
    /// The document parsed from `query`, when it was kept.
    pub fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        let store = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        store.docs.get(query).cloned()
    }

    /// Keeps `doc`, parsed from `query` and let through by the guard.
    pub fn keep(&self, query: &str, doc: Arc<ExecutableDocument>) {
        if query.len() > TEXT_BUDGET / 10 {
            return;
        }
        let mut store = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if store.docs.contains_key(query) {
            return;
        }
        if store.text + query.len() > TEXT_BUDGET {
            store.docs.clear();
            store.text = 0;
        }
        store.text += query.len();
        store.docs.insert(query.into(), doc);
    }

    /// How many documents are kept and their query text in bytes.
    #[cfg(test)]
    fn size(&self) -> (usize, usize) {
        let store = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (store.docs.len(), store.text)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn doc(q: &str) -> Arc<ExecutableDocument> {
        Arc::new(parse_query(q).expect("a valid query"))
    }

    #[test]
    fn a_kept_document_is_found_by_its_exact_text() {
        let parsed = Parsed::default();
        let q = "{ plan(id: \"x\") { title } }";
        assert!(parsed.get(q).is_none());
        let d = doc(q);
        parsed.keep(q, d.clone());
        assert!(Arc::ptr_eq(&parsed.get(q).expect("kept"), &d));
        // Another text (even one space) is another query.
        assert!(parsed.get("{ plan(id: \"x\") {  title } }").is_none());
        // Keeping it again changes nothing.
        parsed.keep(q, doc(q));
        assert!(Arc::ptr_eq(&parsed.get(q).expect("kept"), &d));
        assert_eq!(parsed.size(), (1, q.len()));
    }

    #[test]
    fn the_text_kept_stays_within_its_budget() {
        let parsed = Parsed::default();
        // Distinct queries of about 1 KiB: the store empties and fills again, never above it.
        let pad = "__typename ".repeat(90);
        for i in 0..2_000 {
            let q = format!("{{ f{i}: __typename {pad} }}");
            parsed.keep(&q, doc(&q));
            let (n, text) = parsed.size();
            assert!(text <= TEXT_BUDGET, "{text} bytes kept");
            assert!(n >= 1 && parsed.get(&q).is_some(), "the newest one is kept");
        }
        // A very long query is not kept at all.
        let long = format!("{{ {} }}", "__typename ".repeat(TEXT_BUDGET / 100));
        parsed.keep(&long, doc(&long));
        assert!(parsed.get(&long).is_none());
    }
}
