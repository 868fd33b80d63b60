use between_tests::{backend, spawn_app};

#[tokio::test]
async fn healthz_answers_200() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_200_and_names_the_backend_when_migrated() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], backend().name());
}

#[tokio::test]
async fn readyz_answers_503_when_a_migration_is_missing() {
    let app = spawn_app().await;
    {
        let mut conn = app.pool.get().unwrap();
        use diesel::RunQueryDsl;
        diesel::sql_query("DELETE FROM __diesel_schema_migrations")
            .execute(&mut *conn)
            .unwrap();
    }
    let response = app.get("/readyz").await;
    between_tests::assert_problem(response, 503, "not_ready").await;
}

#[tokio::test]
async fn a_request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");

    let response = app.get("/healthz").await;
    let generated = response.headers()["x-request-id"].to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(generated).is_ok(),
        "generated id {generated}"
    );

    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "has spaces and \"quotes\"")
        .send()
        .await
        .unwrap();
    assert_ne!(
        response.headers()["x-request-id"],
        "has spaces and \"quotes\""
    );
}

#[tokio::test]
async fn api_responses_are_not_cached_or_sniffed() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    // Errors under /api/ too.
    let response = app.get("/api/v1/no-such-thing").await;
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = spawn_app().await;
    app.get("/healthz").await;
    app.get("/no-such-page-123").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"between_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"between_http_requests_total{method="GET",route="unmatched",status="404"} 1"#
        ),
        "raw paths must not become labels: {text}"
    );
    assert!(!text.contains("no-such-page-123"));
    assert!(text.contains("between_http_request_duration_seconds_bucket"));
    assert!(text.contains(r#"between_db_pool_connections{state="idle"}"#));
}
