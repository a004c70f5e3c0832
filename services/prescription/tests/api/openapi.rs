use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_covers_every_registered_route() {
    let app = spawn_app().await;

    let doc = test_support::openapi::fetch_document(&app).await;

    test_support::openapi::assert_documents_every_route(&doc, prescription_service::routes::ROUTES);
}

#[tokio::test]
async fn the_docs_page_is_served_without_a_cdn() {
    let app = spawn_app().await;

    let page = app.client.get(app.url("/docs/")).send().await.unwrap();

    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(!html.contains("https://"));
    let bundle = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
}

#[tokio::test]
async fn client_generators_accept_the_openapi_document() {
    let app = spawn_app().await;

    let doc = test_support::openapi::fetch_document(&app).await;

    test_support::openapi::assert_operation_ids_are_unique(&doc);
    test_support::openapi::assert_client_generators_accept(&doc, "prescription-service");
}

#[tokio::test]
async fn extreme_dates_times_and_numbers_in_any_query_are_client_errors() {
    let app = spawn_app().await;

    test_support::openapi::assert_extreme_parameters_are_client_errors_for_every_role(&app).await;
}
