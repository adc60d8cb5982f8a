//! Opaque global IDs (`node(id:)`): base64 of `Type:uuid`. Clients store and pass them back;
//! they never build them. The API hands them out; mail links to the admin app carry them too.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The global ID of record `id` of GraphQL type `kind`.
pub fn encode(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The type and record id inside a global ID, if it is one.
pub fn decode(id: &str) -> Option<(String, Uuid)> {
    if id.len() > 200 {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((kind.to_owned(), Uuid::parse_str(uuid).ok()?))
}

/// The record id, when `id` is a global ID of type `kind`.
pub fn decode_as(id: &str, kind: &str) -> Option<Uuid> {
    decode(id).and_then(|(k, u)| (k == kind).then_some(u))
}
