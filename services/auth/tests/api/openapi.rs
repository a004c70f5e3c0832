use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_covers_every_registered_route() {
    let app = spawn_app().await;

    let doc = test_support::openapi::fetch_document(&app).await;

    test_support::openapi::assert_documents_every_route(&doc, auth_service::routes::ROUTES);
}

#[tokio::test]
async fn the_docs_page_and_its_assets_come_from_the_service_itself() {
    let app = spawn_app().await;

    let page = app.client.get(app.url("/docs")).send().await.unwrap();

    assert_eq!(page.status(), 200, "redirected to /docs/");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN: {html}"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let res = app
            .client
            .get(app.url(&format!("/docs/{asset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{asset}");
    }
    let initializer = app.text("/docs/swagger-initializer.js").await;
    assert!(initializer.contains("/openapi.json"));
    assert!(
        initializer.contains(r#"url: "../openapi.json""#),
        "relative, so it works under a path prefix: {initializer}"
    );
    assert!(initializer.contains("validatorUrl: null"));
    assert!(!initializer.contains("validator.swagger.io"));
}

#[tokio::test]
async fn the_bare_docs_path_redirects_relatively_so_a_path_prefix_survives() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let res = client.get(app.url("/docs")).send().await.unwrap();

    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "docs/");
}

#[tokio::test]
async fn client_generators_accept_the_openapi_document() {
    let app = spawn_app().await;

    let doc = test_support::openapi::fetch_document(&app).await;

    test_support::openapi::assert_operation_ids_are_unique(&doc);
    test_support::openapi::assert_client_generators_accept(&doc, "auth-service");
}

#[tokio::test]
async fn extreme_dates_times_and_numbers_in_any_query_are_client_errors() {
    let app = spawn_app().await;

    test_support::openapi::assert_extreme_parameters_are_client_errors_for_every_role(&app).await;
}
