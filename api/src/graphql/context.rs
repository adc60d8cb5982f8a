//! What a resolver can reach: the application (database, clock, queue, settings) and the
//! request (language, request id, data loaders).

use async_graphql::Context;
use entity::Lang;
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;

use super::loaders::Loaders;

pub use crate::state::AppState;

/// The process is shutting down (open subscriptions end).
#[derive(Clone)]
pub struct Shutdown(pub tokio::sync::watch::Receiver<bool>);

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
