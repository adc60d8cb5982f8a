//! The deployment's first administrator: from `terbuka create-admin`, or from
//! `TERBUKA_ADMIN_EMAIL` / `TERBUKA_ADMIN_PASSWORD` on a first start with no operator.

use chrono::{DateTime, Utc};
use entity::account::{self, AccountStatus};
use entity::role_grant::{self, Role};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::auth;

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
) -> anyhow::Result<Uuid> {
    let email = entity::notify::Address::parse(email)
        .map(String::from)
        .ok_or_else(|| anyhow::anyhow!("{email:?} is not an e-mail address"))?;
    auth::check_new_password(&["password"], password, &email)
        .map_err(|p| anyhow::anyhow!("{}", p.problem.message(entity::Lang::En)))?;
    let hash = auth::hash_password(password.to_owned()).await?;
    // The check and the insert in one write transaction: on SQLite it takes the write lock at
    // BEGIN (waiting out a running server's writes), where a read followed by a lone insert
    // could be refused at once with "database is locked".
    entity::db::write(db, async |tx| {
        let exists = account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .count(tx)
            .await?;
        if exists > 0 {
            anyhow::bail!("an account with the address {email} already exists");
        }
        Ok(create_account(tx, &email, name, Some(hash), true, &[], now).await?)
    })
    .await
}

/// On start: when no operator exists and the variables name one, create it.
pub async fn ensure_first_operator(
    db: &DatabaseConnection,
    email: Option<&str>,
    password: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (email, password) else {
        return Ok(());
    };
    let operators = account::Entity::find()
        .filter(account::Column::IsOperator.eq(true))
        .count(db)
        .await?;
    if operators == 0 {
        create_operator(db, email, "Administrator", password, now)
            .await
            .map_err(|e| anyhow::anyhow!("TERBUKA_ADMIN_EMAIL/TERBUKA_ADMIN_PASSWORD: {e}"))?;
        tracing::info!(email, "first operator account created");
    }
    Ok(())
}
