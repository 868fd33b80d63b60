use between_tests::{assert_problem, spawn_app};

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/does-not-exist").await;
    assert_problem(response, 404, "not_found").await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let response = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    assert_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn docs_render_without_a_network() {
    let app = spawn_app().await;
    let response = app.get("/docs").await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/docs/");
    let response = app.get("/docs/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("cdn"),
        "the docs must load nothing from a CDN"
    );
    let response = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(response.status(), 200);
}
