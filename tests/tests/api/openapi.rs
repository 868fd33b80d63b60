use between_tests::spawn_app;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = between_api::openapi::document_json().unwrap();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date; regenerate it with\n    \
         cargo run -q -p between-api -- openapi > openapi/openapi.json"
    );
}

#[tokio::test]
async fn the_served_document_is_openapi_3_1_and_equals_the_committed_one() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap();
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed);
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(served["info"]["title"], "Between API");
    assert_eq!(served["info"]["license"]["identifier"], "AGPL-3.0-only");
    assert_eq!(
        served["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(served["components"]["schemas"]["Problem"].is_object());
}
