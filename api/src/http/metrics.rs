//! Prometheus metrics: requests by route and status, a latency histogram, and GraphQL errors by
//! code. Kept in-process with atomics; `/metrics` renders the text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.counts[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, std::sync::Arc<Histogram>>>,
    graphql_errors: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn record_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        let h = self
            .latency
            .lock()
            .map(|mut m| m.entry(route.to_owned()).or_default().clone());
        if let Ok(h) = h {
            h.observe(took);
        }
    }

    pub fn record_graphql_error(&self, code: &str) {
        if let Ok(mut m) = self.graphql_errors.lock() {
            *m.entry(code.to_owned()).or_default() += 1;
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP terbuka_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE terbuka_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "terbuka_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP terbuka_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE terbuka_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "terbuka_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}",
                        h.counts[i].load(Ordering::Relaxed)
                    );
                }
                let count = h.count.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "terbuka_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
                );
                let _ = writeln!(
                    out,
                    "terbuka_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
                );
                let _ = writeln!(
                    out,
                    "terbuka_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP terbuka_graphql_errors_total GraphQL errors by extensions.code.\n");
        out.push_str("# TYPE terbuka_graphql_errors_total counter\n");
        if let Ok(m) = self.graphql_errors.lock() {
            for (code, n) in m.iter() {
                let _ = writeln!(out, "terbuka_graphql_errors_total{{code=\"{code}\"}} {n}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.record_request("POST", "/graphql", 200, Duration::from_millis(3));
        m.record_request("POST", "/graphql", 200, Duration::from_millis(30));
        m.record_graphql_error("NOT_FOUND");
        let text = m.render();
        assert!(text.contains(
            "terbuka_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "terbuka_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "terbuka_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("terbuka_graphql_errors_total{code=\"NOT_FOUND\"} 1"));
    }
}
