//! Opaque global IDs (`node(id:)`): base64 of `Type:uuid`. Clients store and pass them back;
//! they never build them.

use async_graphql::ID;
use uuid::Uuid;

/// The global ID of record `id` of GraphQL type `kind`.
pub fn encode(kind: &str, id: Uuid) -> ID {
    ID(entity::ids::encode(kind, id))
}

/// The type and record id inside a global ID, if it is one.
pub fn decode(id: &str) -> Option<(String, Uuid)> {
    entity::ids::decode(id)
}

/// The record id, when `id` is a global ID of type `kind`.
pub fn decode_as(id: &str, kind: &str) -> Option<Uuid> {
    entity::ids::decode_as(id, kind)
}

/// The member a scoped query or mutation names: an id that is not a member's reads as not
/// found.
pub fn decode_scope(ctx: &async_graphql::Context<'_>, id: &ID) -> async_graphql::Result<Uuid> {
    use super::context::CtxExt;
    decode_as(id, "Member").ok_or_else(|| super::errors::not_found(ctx.lang()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let id = Uuid::now_v7();
        let gid = encode("Organisation", id);
        assert_eq!(decode_as(&gid, "Organisation"), Some(id));
        assert_eq!(decode_as(&gid, "Member"), None);
        assert_eq!(decode("not an id"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("Member:nope")), None);
    }
}
