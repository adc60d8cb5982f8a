//! Mail that an operator triggers: a test message to check that delivery works.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use entity::mail_delivery::MailClass;
use entity::{Lang, Problem, Problems};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use worker::mail::{self, NewMail};

use super::context::CtxExt;
use super::errors;
use super::mutation::{UserError, user_errors};
use super::policy;

#[derive(InputObject, Serialize)]
pub struct SendTestEmailInput {
    /// Where to send it.
    pub to: String,
    /// The language of the message (Indonesian by default).
    pub lang: Option<Lang>,
}

#[derive(SimpleObject)]
pub struct SendTestEmailPayload {
    /// The delivery record that tracks the message.
    pub delivery_id: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct MailMutation;

#[Object]
impl MailMutation {
    /// Sends a test message through the configured transport, to check mail delivery.
    async fn send_test_email(
        &self,
        ctx: &Context<'_>,
        input: SendTestEmailInput,
    ) -> Result<SendTestEmailPayload> {
        policy::gate(ctx, "sendTestEmail")?;
        let viewer = policy::authorize(ctx, "sendTestEmail", None)?;
        let lang = ctx.lang();
        let app = ctx.app();
        let Some(to) = parse_address(&input.to) else {
            return Ok(SendTestEmailPayload {
                delivery_id: None,
                user_errors: user_errors(
                    Problems::one(&["input", "to"], Problem::InvalidEmail),
                    lang,
                ),
            });
        };
        let msg_lang = input.lang.unwrap_or(lang);
        let now = app.clock.now();
        let id = mail::record(
            &app.db,
            NewMail {
                dedupe_key: format!("test:{}", Uuid::now_v7()),
                class: MailClass::Transactional,
                member_id: None,
                recipient: to,
                lang: msg_lang,
                template: "test".into(),
                context: json!({
                    "sent_at": entity::i18n::long_datetime(now, chrono_tz::Asia::Jakarta, msg_lang),
                    "requested_by": viewer.label(),
                }),
            },
        )
        .await
        .map_err(|e| errors::internal(e, lang))?
        .expect("a fresh key is never a duplicate");
        app.queue
            .push_mail(&[id], app.config.worker.mail_attempts as usize)
            .await
            .map_err(|e| errors::internal(e, lang))?;
        Ok(SendTestEmailPayload {
            delivery_id: Some(id.to_string()),
            user_errors: vec![],
        })
    }
}

/// A plausible single address (`name@host.tld`), normalised to lower case (see
/// [`entity::notify::Address`]).
pub fn parse_address(raw: &str) -> Option<String> {
    entity::notify::Address::parse(raw).map(String::from)
}
