//! The mail job: deliver recorded messages; and the sweeper that re-queues stranded ones.

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{AbortError, BoxDynError, Data};
use tokio::sync::watch;

use crate::WorkerState;
use crate::mail::{self, Outcome};

pub use crate::queue::MailJob as Job;

/// Delivers each message of the job. A message that must be tried again fails the job so the
/// retry layer backs off and retries it; one that failed for good aborts the retries.
pub async fn deliver(job: Job, state: Data<Arc<WorkerState>>) -> Result<(), BoxDynError> {
    let mut retry = None;
    let mut failed = None;
    mail::hold(&state.db, &job.deliveries, &state.mailer.owner).await?;
    let mut work: std::collections::VecDeque<_> = job.deliveries.into();
    while let Some(id) = work.pop_front() {
        match state.mailer.deliver(&state.db, id).await? {
            Outcome::Retry(e) => retry = Some(e),
            Outcome::Failed(e) => failed = Some(e),
            // The secretariat's copies of an alert to a held address: sent in this job
            // (the sweeper would find them otherwise, after a while).
            Outcome::Diverted(ids) => {
                mail::hold(&state.db, &ids, &state.mailer.owner).await?;
                work.extend(ids);
            }
            Outcome::Sent | Outcome::AlreadySettled | Outcome::ClaimedElsewhere => {}
        }
    }
    if let Some(e) = retry {
        return Err(e.into());
    }
    if let Some(e) = failed {
        return Err(AbortError::new(e).into());
    }
    Ok(())
}

/// How long a due message may wait unclaimed before the sweeper assumes its job was lost.
const STRANDED_AFTER: Duration = Duration::from_secs(30);
/// Often enough that a stopped sender's messages go out again within seconds of its last beat.
const SWEEP_EVERY: Duration = Duration::from_secs(2);

/// Re-queues messages whose job was lost (the process died between recording and queueing)
/// or whose sender died holding the claim. Runs at start, then every few seconds.
pub async fn sweep_loop(state: Arc<WorkerState>, mut stop: watch::Receiver<bool>) {
    loop {
        match mail::stranded(&state.db, STRANDED_AFTER, 500).await {
            Ok(ids) if !ids.is_empty() => {
                tracing::info!(count = ids.len(), "re-queueing stranded mail");
                if let Err(e) = state
                    .queue
                    .push_mail(&ids, state.config.mail_attempts as usize)
                    .await
                {
                    tracing::warn!(error = %e, "cannot re-queue stranded mail");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot look for stranded mail"),
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
