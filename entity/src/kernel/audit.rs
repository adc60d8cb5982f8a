//! Writing the audit log: one record per change, inside the change's own transaction.

use crate::audit_event;
use crate::privacy::{self, Class};
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::Actor as Viewer;

/// One change.
pub struct Change {
    /// The table the record lives in (`organisation`), which also names its privacy columns.
    pub table: &'static str,
    /// How the record's type is shown (`Organisation`).
    pub entity_type: &'static str,
    pub entity_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub action: &'static str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    /// A change from `before` to `after` of one record (either may be absent).
    pub fn of<T: Serialize>(
        table: &'static str,
        entity_type: &'static str,
        action: &'static str,
        entity_id: Uuid,
        member_id: Option<Uuid>,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        Self {
            table,
            entity_type,
            entity_id: Some(entity_id),
            member_id,
            action,
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: after.and_then(|a| serde_json::to_value(a).ok()),
        }
    }
}

/// Leaves SECRET columns out and returns the PERSONAL keys present.
fn scrub(table: &str, value: &mut Option<Value>) -> Vec<String> {
    let mut personal = Vec::new();
    if let Some(Value::Object(map)) = value {
        for secret in privacy::columns(table, Class::Secret) {
            map.remove(secret);
        }
        for key in privacy::columns(table, Class::Personal) {
            if map.contains_key(key) {
                personal.push(key.to_owned());
            }
        }
    }
    personal
}

/// Records `change` by `viewer` at `at` (the domain clock's "now"), in the caller's
/// transaction.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    request_id: Option<&str>,
    change: Change,
    at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_event::Entity::insert(row(viewer, request_id, change, at))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Records `change` where `db` says: in `tx` at once, or kept by the larger write `tx` is a
/// part of, to be written with the others when it ends ([`crate::db::within`]).
pub async fn record_for(
    db: crate::db::Db<'_>,
    tx: &sea_orm::DatabaseTransaction,
    viewer: &Viewer,
    request_id: Option<&str>,
    change: Change,
    at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    match db {
        crate::db::Db::Within(batch) => batch.audit(row(viewer, request_id, change, at)).await,
        _ => record(tx, viewer, request_id, change, at).await,
    }
}

/// The audit record of `change`: secrets left out, personal fields named.
fn row(
    viewer: &Viewer,
    request_id: Option<&str>,
    mut change: Change,
    at: chrono::DateTime<Utc>,
) -> audit_event::ActiveModel {
    let mut personal = scrub(change.table, &mut change.before);
    for k in scrub(change.table, &mut change.after) {
        if !personal.contains(&k) {
            personal.push(k);
        }
    }
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(at),
        actor_id: Set(viewer.account_id()),
        actor_label: Set(viewer.label()),
        member_id: Set(change.member_id),
        entity_type: Set(change.entity_type.to_owned()),
        entity_id: Set(change.entity_id),
        action: Set(change.action.to_owned()),
        before: Set(change.before),
        after: Set(change.after),
        personal_fields: Set(Value::from(personal)),
        request_id: Set(request_id.map(str::to_owned)),
    }
}

/// `value` with the listed personal keys replaced by `marker` (`privacy::HIDDEN` for readers
/// who may not see them, `privacy::ERASED` for erasure).
pub fn redact(value: &Option<Value>, personal: &[String], marker: &str) -> Option<Value> {
    let mut value = value.clone();
    if let Some(Value::Object(map)) = &mut value {
        for key in personal {
            if map.contains_key(key) {
                map.insert(key.clone(), Value::from(marker));
            }
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_dropped_and_personal_fields_marked() {
        let mut v = Some(
            json!({"email": "a@b.id", "name": "Nuty", "password_hash": "$argon2id$x", "status": "ACTIVE"}),
        );
        let personal = scrub("account", &mut v);
        assert_eq!(personal, ["email", "name"]);
        let map = v.as_ref().unwrap().as_object().unwrap();
        assert!(!map.contains_key("password_hash"));
        let redacted = redact(&v, &personal, privacy::ERASED).unwrap();
        assert_eq!(redacted["email"], privacy::ERASED);
        assert_eq!(redacted["status"], "ACTIVE");
    }
}
