//! The deployment's first administrator: from `terbuka create-admin`, or from
//! `TERBUKA_ADMIN_EMAIL` / `TERBUKA_ADMIN_PASSWORD` on a first start with no operator.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::password;
use crate::account::{self, AccountStatus};
use crate::role_grant::{self, Role};

/// Why an operator account was not created.
#[derive(Debug, thiserror::Error)]
pub enum OperatorRefused {
    #[error("{0:?} is not an e-mail address")]
    NotAnAddress(String),
    #[error("{0}")]
    Password(String),
    #[error("an account with the address {0} already exists")]
    Exists(String),
    #[error(transparent)]
    Hash(#[from] password::HashFailed),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A new active account (in the caller's transaction or connection), with roles.
pub async fn create_account<C: ConnectionTrait>(
    db: &C,
    email: &str,
    name: &str,
    password_hash: Option<String>,
    operator: bool,
    roles: &[(Uuid, Role)],
    now: DateTime<Utc>,
) -> Result<Uuid, sea_orm::DbErr> {
    let id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(email.trim().to_lowercase()),
        name: Set(name.to_owned()),
        status: Set(if password_hash.is_some() {
            AccountStatus::Active
        } else {
            AccountStatus::Invited
        }),
        password_hash: Set(password_hash),
        is_operator: Set(operator),
        person_id: Set(None),
        lang: Set("id".to_owned()),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        deactivated_at: Set(None),
        erased_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(db)
    .await?;
    for (member, role) in roles {
        role_grant::Entity::insert(role_grant::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(id),
            member_id: Set(*member),
            role: Set(*role),
            granted_by: Set(None),
            granted_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(id)
}

/// Creates an operator account after checking the address and the password.
pub async fn create_operator(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, OperatorRefused> {
    let email = crate::notify::Address::parse(email)
        .map(String::from)
        .ok_or_else(|| OperatorRefused::NotAnAddress(email.to_owned()))?;
    password::check_new(&["password"], password, &email)
        .map_err(|p| OperatorRefused::Password(p.problem.message(crate::Lang::En).to_string()))?;
    let hash = password::hash(password.to_owned()).await?;
    // The check and the insert in one write transaction: on SQLite it takes the write lock at
    // BEGIN (waiting out a running server's writes), where a read followed by a lone insert
    // could be refused at once with "database is locked".
    crate::db::write(db, async |tx| {
        let exists = account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .count(tx)
            .await?;
        if exists > 0 {
            return Err(OperatorRefused::Exists(email.clone()));
        }
        let id = create_account(tx, &email, name, Some(hash), true, &[], now).await?;
        // Audited as the new operator itself: no account was signed in to create it (the
        // command line, or the variables on a first start).
        let created = account::Entity::find_by_id(id).one(tx).await?;
        let actor = crate::kernel::Actor {
            account: created.clone(),
            ..Default::default()
        };
        let change = crate::kernel::audit::Change::of(
            "account",
            "Account",
            "CREATE_OPERATOR",
            id,
            None,
            None,
            created.as_ref(),
        );
        crate::kernel::audit::record(tx, &actor, None, change, now).await?;
        Ok(id)
    })
    .await
}

/// On start: when no operator exists and the variables name one, create it (`true` when it
/// did).
pub async fn ensure_first_operator(
    db: &DatabaseConnection,
    email: Option<&str>,
    password: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, OperatorRefused> {
    let (Some(email), Some(password)) = (email, password) else {
        return Ok(false);
    };
    let operators = account::Entity::find()
        .filter(account::Column::IsOperator.eq(true))
        .count(db)
        .await?;
    if operators > 0 {
        return Ok(false);
    }
    create_operator(db, email, "Administrator", password, now).await?;
    Ok(true)
}
