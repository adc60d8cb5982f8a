//! What every request of one process shares: the database, the settings, the clock, the job
//! queue, the link signer, the rate limits and the dashboards computed here. Every entry point
//! (GraphQL, the HTTP pages, the command line) works from it.

use std::sync::Arc;

use entity::Clock;
use sea_orm::DatabaseConnection;
use worker::JobQueue;
use worker::tokens::Signer;

use crate::auth::RateLimiter;
use crate::config::Config;

/// Shared by every request of one process.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub queue: JobQueue,
    pub signer: Signer,
    /// Per-client limits on logins and reset requests.
    pub limiter: Arc<RateLimiter>,
    /// Plan dashboards computed in this process, by plan and day.
    pub dashboards: Arc<entity::dashboard::Cache>,
    /// This server's Prometheus counters (`/metrics`).
    pub metrics: Arc<crate::http::metrics::Metrics>,
}

impl AppState {
    /// Where registration and account links point, and the key they are signed with.
    pub fn links(&self) -> entity::participation::registration::Links<'_> {
        entity::participation::registration::Links {
            public_url: &self.config.worker.public_url,
            signer: &self.signer,
        }
    }

    /// Where account links (invitation, password reset) point, and the key they are signed
    /// with.
    pub fn account_links(&self) -> entity::accounts::links::AccountLinks<'_> {
        entity::accounts::links::AccountLinks {
            app_url: &self.config.worker.app_url,
            signer: &self.signer,
        }
    }

    /// Queues recorded mail after the commit; a failure here is picked up by the sweeper.
    pub async fn queue_mail(&self, ids: &[uuid::Uuid]) {
        if ids.is_empty() {
            return;
        }
        if let Err(e) = self
            .queue
            .push_mail(ids, self.config.worker.mail_attempts as usize)
            .await
        {
            tracing::warn!(error = %e, "mail recorded but not queued; the sweeper will queue it");
        }
    }

    /// Uses a subscription mail's signed link (confirm or unsubscribe) and queues the mail it
    /// records.
    pub async fn use_subscription_link(
        &self,
        purpose: &str,
        token: &str,
    ) -> Result<entity::participation::subscription::LinkOutcome, sea_orm::DbErr> {
        let (outcome, mails) = entity::participation::subscription::use_link(
            &self.db,
            &self.signer,
            purpose,
            token,
            self.clock.now(),
        )
        .await?;
        self.queue_mail(&mails).await;
        Ok(outcome)
    }
}
