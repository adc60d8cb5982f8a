//! Single-use links mailed to an account: the invitation (7 days) and the password reset
//! (1 hour). The database keeps the token's hash; the mail record keeps only the link's id, and
//! the sender derives the token again from it with the secret.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::account;
use crate::account_token::{self, TokenPurpose};
use crate::i18n::Lang;
use crate::mail_delivery::MailClass;
use crate::notify::tokens::{Signer, hash as token_hash};
use crate::notify::{self, LINK_PURPOSE, NewMail};

/// How long an invitation link stays valid.
pub const INVITATION_VALID_DAYS: i64 = 7;
/// How long a password-reset link stays valid.
pub const RESET_VALID_HOURS: i64 = 1;

/// Where account links point (the admin app) and the secret that signs them.
#[derive(Clone, Copy)]
pub struct AccountLinks<'a> {
    pub app_url: &'a str,
    pub signer: &'a Signer,
}

/// The time a person reads in mail about their account (WIB).
pub fn wib(at: DateTime<Utc>, lang: Lang) -> String {
    crate::i18n::long_datetime(at, chrono_tz::Asia::Jakarta, lang)
}

/// Records a single-use link for `account` and the mail that carries it (in the caller's
/// transaction); returns the mail record to queue after the commit.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    links: &AccountLinks<'_>,
    account: &account::Model,
    purpose: TokenPurpose,
    context: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let token = links.signer.derive(LINK_PURPOSE, &id.to_string());
    let expires = now
        + match purpose {
            TokenPurpose::Invitation => Duration::days(INVITATION_VALID_DAYS),
            TokenPurpose::PasswordReset => Duration::hours(RESET_VALID_HOURS),
        };
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(id),
        account_id: Set(account.id),
        purpose: Set(purpose),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    let lang = Lang::from_tag(&account.lang);
    let (template, path) = match purpose {
        TokenPurpose::Invitation => ("invitation", "undangan"),
        TokenPurpose::PasswordReset => ("password_reset", "atur-ulang-sandi"),
    };
    let mut ctx = context;
    if let serde_json::Value::Object(map) = &mut ctx {
        map.insert("name".into(), json!(account.name));
        map.insert(
            "link".into(),
            json!({
                "base": format!("{}/{path}?token=", links.app_url),
                "token_id": id.to_string(),
            }),
        );
        map.insert("expires".into(), json!(wib(expires, lang)));
    }
    let delivery = notify::record(
        db,
        NewMail {
            dedupe_key: format!("{template}:{id}"),
            class: MailClass::Transactional,
            member_id: None,
            recipient: account.email.clone(),
            lang,
            template: template.into(),
            context: ctx,
        },
    )
    .await?;
    Ok(delivery.expect("a fresh key is never a duplicate"))
}

/// A link that can still be spent: the token row and its account, when valid at `now`.
pub async fn valid<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<(account_token::Model, account::Model)>, DbErr> {
    if token.len() > 100 {
        return Ok(None);
    }
    let Some(link) = account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(token_hash(token.trim())))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if link.used_at.is_some() || link.expires_at <= now {
        return Ok(None);
    }
    let account = account::Entity::find_by_id(link.account_id).one(db).await?;
    Ok(account.map(|a| (link, a)))
}

/// Spends a link (in the caller's transaction, after [`valid`] read it there).
pub async fn spend<C: ConnectionTrait>(
    db: &C,
    link: &account_token::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::Id.eq(link.id))
        .exec(db)
        .await?;
    Ok(())
}
