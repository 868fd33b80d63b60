//! Prometheus metrics: requests by route and status, latency, pool state.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

tokio::task_local! {
    /// The database queries of the request being served.
    static REQUEST_QUERIES: std::cell::Cell<u64>;
}

/// Adds queries to the request being served (outside one, nothing).
pub fn count_queries(n: u64) {
    let _ = REQUEST_QUERIES.try_with(|q| q.set(q.get() + n));
}

/// Runs a request's future and counts the database queries it sends.
pub async fn counting_queries<F: std::future::Future>(f: F) -> (F::Output, u64) {
    REQUEST_QUERIES
        .scope(std::cell::Cell::new(0), async move {
            let out = f.await;
            (out, REQUEST_QUERIES.with(std::cell::Cell::get))
        })
        .await
}

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    queries: HistogramVec,
    pool: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("between".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let queries = HistogramVec::new(
            HistogramOpts::new(
                "db_queries_per_request",
                "Database queries one request sent, by method and route",
            )
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
            &["method", "route"],
        )?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(queries.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            queries,
            pool,
        })
    }

    /// `route` must be the matched pattern (e.g. `/api/v1/journal/entries/{id}`),
    /// never the raw path, so the label set stays small.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64, queries: u64) {
        self.queries
            .with_label_values(&[method, route])
            .observe(queries as f64);
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    pub fn render(
        &self,
        pool: &domain::db::PoolState,
        max_size: u32,
    ) -> Result<String, prometheus::Error> {
        let idle = i64::from(pool.idle_connections);
        let open = i64::from(pool.connections);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool.with_label_values(&["in_use"]).set(open - idle);
        self.pool
            .with_label_values(&["max"])
            .set(i64::from(max_size));
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}
