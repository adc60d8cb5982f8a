//! What a resolver can reach: the application (database, clock, queue, settings) and the
//! request (language, request id, data loaders).

use async_graphql::Context;
use entity::Lang;
use sea_orm::DatabaseConnection;

use crate::auth::{SessionCheck, Viewer};

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
    /// Who is asking (anonymous when not signed in). A query's session check may still be
    /// running while its reads start (`auth::SessionCheck`): the guard waits for it before any
    /// root field but the few that wait for it themselves ([`CtxExt::checked_viewer`]) before
    /// they decide anything by the viewer; where it were still running, this is anonymous.
    fn viewer(&self) -> Viewer;
    /// Who is asking, once the request's session check is over.
    fn checked_viewer(&self) -> impl std::future::Future<Output = Viewer> + Send;
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
        match self.data_opt::<Viewer>() {
            Some(v) => v.clone(),
            None => self
                .data_opt::<SessionCheck>()
                .and_then(|c| {
                    let v = c.viewer_now();
                    debug_assert!(v.is_some(), "the viewer was read before the session check");
                    v
                })
                .unwrap_or_default(),
        }
    }

    fn checked_viewer(&self) -> impl std::future::Future<Output = Viewer> + Send {
        let known = self.data_opt::<Viewer>().cloned();
        let check = self.data_opt::<SessionCheck>().cloned();
        async move {
            match (known, check) {
                (Some(v), _) => v,
                (None, Some(c)) => c.viewer().await,
                (None, None) => Viewer::default(),
            }
        }
    }
}
