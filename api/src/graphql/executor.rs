//! Runs GraphQL requests so that data-loader batches follow the query's shape, not the clock.
//!
//! async-graphql's loaders gather keys for a short delay, then load them on a spawned task. On
//! a multi-threaded runtime that task starts while the request may still be walking a large
//! level (2,500 commitments take longer than the delay in a debug build), so one level became
//! several batches and the statement count grew with the data.
//!
//! Here a request runs on one of a few single-threaded workers, and its loads are spawned on
//! the same worker. A load waits while the request itself is ready to run: nested lists yield
//! to the scheduler as they go (`FuturesUnordered` does), and each time the request is polled
//! again it registers more keys. Only when the request is waiting, with every key of the level
//! registered, does the load start. The number of statements is then a property of the query.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use async_graphql::dataloader::DataLoader;
use futures::future::BoxFuture;
use tokio_util::task::LocalPoolHandle;

use super::TerbukaSchema;

/// Keys per batch: the widest level a capped query can reach (50 × 50 parents) fits in one
/// statement, and stays under SQLite's 32,766 bound parameters.
pub const MAX_BATCH: usize = 10_000;

const WAITING: u8 = 0;
const RUNNABLE: u8 = 1;
const DONE: u8 = 2;

/// Whether a request is ready to run, waiting, or finished; shared by the request and the
/// loads it spawns.
#[derive(Clone, Debug, Default)]
pub struct Batching(Option<Arc<AtomicU8>>);

impl Batching {
    /// For a request run by the [`Executor`].
    pub fn tracked() -> Self {
        Self(Some(Arc::new(AtomicU8::new(RUNNABLE))))
    }
}

/// The executor's workers.
#[derive(Clone, Debug)]
pub struct Executor {
    pool: LocalPoolHandle,
}

impl Executor {
    /// `threads` workers (one per core is right: requests mostly wait for the database).
    pub fn new(threads: usize) -> Self {
        Self {
            pool: LocalPoolHandle::new(threads.max(1)),
        }
    }

    /// One worker per available core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Executes `request` (whose loaders were made with `batching`) on a worker. `None` when
    /// the execution panicked (the caller answers with an internal error; it is logged).
    pub async fn execute(
        &self,
        schema: TerbukaSchema,
        request: async_graphql::Request,
        batching: Batching,
    ) -> Option<async_graphql::Response> {
        self.run(async move { schema.execute(request).await }, batching)
            .await
    }

    /// Runs `work` on a worker. When the caller stops waiting (the client went away and its
    /// request was dropped), the work is aborted at its next await instead of running on.
    pub async fn run<T, F>(&self, work: F, batching: Batching) -> Option<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let task = AbortOnDrop(self.pool.spawn_pinned(move || Tracked {
            inner: Box::pin(work),
            state: batching.0.unwrap_or_default(),
        }));
        match task.await {
            Ok(response) => Some(response),
            Err(e) => {
                tracing::error!(error = %e, "a GraphQL execution failed");
                None
            }
        }
    }
}

/// A task handle that aborts its task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The request's future, noting whether it is ready to run.
struct Tracked<F> {
    inner: Pin<Box<F>>,
    state: Arc<AtomicU8>,
}

struct FlagWaker {
    state: Arc<AtomicU8>,
    inner: Waker,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let _ = self
            .state
            .compare_exchange(WAITING, RUNNABLE, Ordering::AcqRel, Ordering::Acquire);
        self.inner.wake_by_ref();
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.state.store(WAITING, Ordering::Release);
        let waker = Waker::from(Arc::new(FlagWaker {
            state: self.state.clone(),
            inner: cx.waker().clone(),
        }));
        let polled = self.inner.as_mut().poll(&mut Context::from_waker(&waker));
        if polled.is_ready() {
            self.state.store(DONE, Ordering::Release);
        }
        polled
    }
}

impl<F> Drop for Tracked<F> {
    fn drop(&mut self) {
        self.state.store(DONE, Ordering::Release);
    }
}

/// A loader for one request. Tracked requests load on their own worker once they wait (see
/// the module docs); others (subscriptions) use async-graphql's short delay.
pub fn loader<T: Send + Sync + 'static>(inner: T, batching: &Batching) -> DataLoader<T> {
    match &batching.0 {
        Some(state) => {
            let state = state.clone();
            DataLoader::new(inner, move |load: BoxFuture<'static, ()>| {
                let state = state.clone();
                tokio::task::spawn_local(async move {
                    while state.load(Ordering::Acquire) == RUNNABLE {
                        tokio::task::yield_now().await;
                    }
                    load.await;
                })
            })
            .delay(std::time::Duration::ZERO)
            .max_batch_size(MAX_BATCH)
        }
        None => DataLoader::new(inner, tokio::spawn).max_batch_size(MAX_BATCH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work whose caller went away is stopped, not left running.
    #[tokio::test]
    async fn work_stops_when_its_caller_stops_waiting() {
        struct Flag(Arc<AtomicU8>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(DONE, Ordering::Release);
            }
        }
        let executor = Executor::new(1);
        let dropped = Arc::new(AtomicU8::new(WAITING));
        let flag = Flag(dropped.clone());
        let call = executor.run(
            async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            },
            Batching::default(),
        );
        // The caller gives up after a moment (as a request does when its client disconnects).
        let given_up = tokio::time::timeout(std::time::Duration::from_millis(50), call).await;
        assert!(given_up.is_err());
        for _ in 0..100 {
            if dropped.load(Ordering::Acquire) == DONE {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the work went on after its caller had gone");
    }
}
