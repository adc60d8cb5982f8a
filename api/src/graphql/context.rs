//! What a resolver can reach: the application (database, clock, queue, settings) and the
//! request (language, request id, data loaders).

use std::sync::Arc;

use async_graphql::Context;
use entity::{Clock, Lang};
use sea_orm::DatabaseConnection;
use worker::JobQueue;
use worker::tokens::Signer;

use crate::auth::{RateLimiter, Viewer};
use crate::config::Config;

use super::loaders::Loaders;

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
    pub dashboards: Arc<super::dashboard::Cache>,
}

impl AppState {
    /// Where registration and account links point, and the key they are signed with.
    pub fn links(&self) -> entity::participation::registration::Links<'_> {
        entity::participation::registration::Links {
            public_url: &self.config.worker.public_url,
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
}

/// Facts about the request a resolver may need.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub request_id: String,
    /// The client's address as seen by this process (for rate limits).
    pub client: String,
}

/// Shorthands for resolvers.
pub trait CtxExt {
    fn app(&self) -> &AppState;
    fn db(&self) -> &DatabaseConnection {
        &self.app().db
    }
    fn lang(&self) -> Lang;
    fn loaders(&self) -> &Loaders;
    fn meta(&self) -> RequestMeta;
    /// Who is asking (anonymous when not signed in).
    fn viewer(&self) -> Viewer;
}

impl CtxExt for Context<'_> {
    fn app(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn lang(&self) -> Lang {
        self.data_opt::<Lang>().copied().unwrap_or_default()
    }

    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }

    fn meta(&self) -> RequestMeta {
        self.data_opt::<RequestMeta>().cloned().unwrap_or_default()
    }

    fn viewer(&self) -> Viewer {
        self.data_opt::<Viewer>().cloned().unwrap_or_default()
    }
}
