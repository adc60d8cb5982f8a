//! Prometheus metrics: requests by route and status, a latency histogram, and GraphQL errors by
//! code, recorded through the `metrics` facade into this server's own Prometheus recorder
//! (not the process-wide one: several servers in one process — the tests — each count their
//! own); `/metrics` renders the text format.

use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};

const REQUESTS: &str = "terbuka_http_requests_total";
const LATENCY: &str = "terbuka_http_request_duration_seconds";
const GRAPHQL_ERRORS: &str = "terbuka_graphql_errors_total";
const COMPILED_READS: &str = "terbuka_compiled_reads_total";

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

pub struct Metrics {
    recorder: PrometheusRecorder,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), &BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!(REQUESTS, "HTTP requests by method, route and status.");
            metrics::describe_histogram!(LATENCY, "Time to answer a request.");
            metrics::describe_counter!(GRAPHQL_ERRORS, "GraphQL errors by extensions.code.");
            metrics::describe_counter!(
                COMPILED_READS,
                "Nested reads fetched in one statement, by how they were answered: built whole, \
                 or primed into the loaders for the resolvers."
            );
        });
        Metrics { recorder }
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn record_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(
                REQUESTS,
                "method" => method.to_owned(),
                "route" => route.to_owned(),
                "status" => status.to_string()
            )
            .increment(1);
            metrics::histogram!(LATENCY, "route" => route.to_owned()).record(took.as_secs_f64());
        });
    }

    pub fn record_graphql_error(&self, code: &str) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(GRAPHQL_ERRORS, "code" => code.to_owned()).increment(1);
        });
    }

    /// A nested read fetched in one statement: `built` (answered whole) or `primed`.
    pub fn record_compiled_read(&self, outcome: &'static str) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(COMPILED_READS, "outcome" => outcome).increment(1);
        });
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.recorder.handle().render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms_of_this_server_only() {
        let m = Metrics::default();
        let other = Metrics::default();
        m.record_request("POST", "/graphql", 200, Duration::from_millis(3));
        m.record_request("POST", "/graphql", 200, Duration::from_millis(30));
        m.record_graphql_error("NOT_FOUND");
        other.record_request("GET", "/healthz", 200, Duration::from_millis(1));
        let text = m.render();
        assert!(
            text.contains(
                "terbuka_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "terbuka_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "terbuka_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"+Inf\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("terbuka_graphql_errors_total{code=\"NOT_FOUND\"} 1"));
        assert!(text.contains("# HELP terbuka_http_requests_total"));
        assert!(
            !text.contains("/healthz"),
            "another server's requests are not here"
        );
    }
}
