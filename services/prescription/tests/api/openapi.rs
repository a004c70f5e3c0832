use crate::helpers::*;
use common::Role;

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

/// The client openapi-python-client generates, used as its README says: the PDF call
/// answers the printable page's bytes, the JWS call the compact JWS.
const GENERATED_CLIENT_CALLS: &str = r#"
import sys
base, token, id = sys.argv[1:4]
from prescription_client import AuthenticatedClient
from prescription_client.api.prescriptions import get_prescription_pdf, get_prescription_jws
client = AuthenticatedClient(base_url=base, token=token)
pdf = get_prescription_pdf.sync(id, client=client)
assert pdf[:5] == b"%PDF-", pdf[:16]
jws = get_prescription_jws.sync(id, client=client)
assert jws.count(".") == 2, jws
print("ok")
"#;

#[tokio::test]
async fn the_generated_client_fetches_the_pdf_and_the_jws_as_they_are() {
    let app = spawn_app().await;
    let visit = app.visit_of(caller(Role::Patient)).await;
    let path = app.prescribed(&visit).await;
    let id = path.trim_start_matches("/prescriptions/").to_owned();
    let doc = test_support::openapi::fetch_document(&app).await;
    let client = test_support::openapi::generated_client(&doc, "prescription_client");
    let package_dir = client.parent().unwrap().to_str().unwrap().to_owned();

    let printed = test_support::python::run_script_with(
        GENERATED_CLIENT_CALLS,
        vec![app.address.clone(), visit.patient.token.clone(), id],
        &[("PYTHONPATH", &package_dir)],
    )
    .await;

    assert_eq!(printed, "ok\n");
    let _ = std::fs::remove_dir_all(package_dir);
}
