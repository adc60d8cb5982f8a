//! Answers written whole as JSON text, spliced into the serialised response.

use std::sync::Mutex;

use async_graphql::Value;
use uuid::Uuid;

/// The answers the compiled reads of one request wrote whole, each held until the response is
/// serialised: the executor carries a marker string in its place, which [`Spliced::splice`]
/// replaces by the answer's text (no `Value` is built for it). The marker holds a nonce drawn
/// for the request, which no stored text can know.
#[derive(Debug)]
pub struct Spliced {
    nonce: String,
    parts: Mutex<Vec<String>>,
}

impl Default for Spliced {
    fn default() -> Self {
        Self {
            nonce: Uuid::new_v4().simple().to_string(),
            parts: Mutex::new(Vec::new()),
        }
    }
}

/// What a marker starts with: a control character, then this.
const MARK: &str = "terbuka-answer:";

impl Spliced {
    /// The marker the executor carries for `answer`.
    pub fn hold(&self, answer: String) -> Value {
        let mut parts = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        parts.push(answer);
        Value::String(format!("\u{1}{MARK}{}:{}", self.nonce, parts.len() - 1))
    }

    /// `body` (a serialised response) with every marker replaced by its answer, in one pass.
    pub fn splice(&self, body: String) -> String {
        let parts = std::mem::take(&mut *self.parts.lock().unwrap_or_else(|p| p.into_inner()));
        if parts.is_empty() {
            return body;
        }
        // As serde_json writes the marker: quoted, its control character escaped.
        let prefix = format!("\"\\u0001{MARK}{}:", self.nonce);
        let mut out =
            String::with_capacity(body.len() + parts.iter().map(String::len).sum::<usize>());
        let mut rest = body.as_str();
        while let Some(at) = rest.find(&prefix) {
            out.push_str(&rest[..at]);
            let tail = &rest[at + prefix.len()..];
            let end = tail.find('"').unwrap_or(tail.len());
            match tail[..end].parse::<usize>().ok().and_then(|i| parts.get(i)) {
                Some(part) if end < tail.len() => {
                    out.push_str(part);
                    rest = &tail[end + 1..];
                }
                _ => {
                    out.push_str(&prefix);
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Name;

    /// A response as the transport serialises it, with `values` under `data`.
    fn body(values: &[Value]) -> String {
        let data: async_graphql::indexmap::IndexMap<Name, Value> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (Name::new(format!("f{i}")), v.clone()))
            .collect();
        serde_json::to_string(&serde_json::json!({ "data": Value::Object(data) })).unwrap()
    }

    #[test]
    fn every_held_answer_is_spliced_where_its_marker_is_and_nothing_else_changes() {
        let s = Spliced::default();
        let a = s.hold(r#"{"title":"Renaksi 2019"}"#.to_owned());
        let b = s.hold("[1,2]".to_owned());
        // Text that looks like a marker without the request's nonce stays text.
        let lookalike = Value::String(format!("\u{1}{MARK}0:0"));
        let text = s.splice(body(&[a, lookalike.clone(), b]));
        let read: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            read["data"]["f0"],
            serde_json::json!({"title": "Renaksi 2019"})
        );
        assert_eq!(
            read["data"]["f1"],
            serde_json::to_value(&lookalike).unwrap()
        );
        assert_eq!(read["data"]["f2"], serde_json::json!([1, 2]));
        // Nothing held: the body as it was.
        let plain = body(&[Value::from(1)]);
        assert_eq!(Spliced::default().splice(plain.clone()), plain);
    }

    #[test]
    fn a_marker_of_another_request_or_of_no_answer_is_left_as_it_is() {
        let (s, other) = (Spliced::default(), Spliced::default());
        let held = s.hold("true".to_owned());
        let foreign = other.hold("false".to_owned());
        let missing = Value::String(format!("\u{1}{MARK}{}:7", s.nonce));
        let text = s.splice(body(&[foreign.clone(), missing.clone(), held]));
        let read: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read["data"]["f0"], serde_json::to_value(&foreign).unwrap());
        assert_eq!(read["data"]["f1"], serde_json::to_value(&missing).unwrap());
        assert_eq!(read["data"]["f2"], serde_json::json!(true));
    }
}
