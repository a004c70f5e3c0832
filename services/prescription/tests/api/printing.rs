//! The printed prescription: `Accept: application/pdf` answers a valid one-page PDF whose
//! text (read back with poppler's pdftotext) holds both names, every medicine, the status
//! and the verify URL, with its fonts embedded; read once, audited once.

use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a poppler tool (`cargo xtask test` installs poppler-utils where missing) on `pdf`.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool} (apt-get install poppler-utils): {e}"));
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One coordinate (`yMin`, `yMax`, ...) of `word` in `pdftotext -bbox` output.
fn word_box(boxes: &str, word: &str, attribute: &str) -> f32 {
    let line = boxes
        .lines()
        .find(|l| l.contains(&format!(">{word}<")))
        .unwrap_or_else(|| panic!("{word} is not on the page"));
    let start = line
        .find(&format!("{attribute}=\""))
        .unwrap_or_else(|| panic!("no {attribute} in {line}"))
        + attribute.len()
        + 2;
    line[start..].split('"').next().unwrap().parse().unwrap()
}

fn file_of(pdf: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("prescription-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&path, pdf).unwrap();
    path
}

async fn pdf_of(app: &TestApp, path: &str, who: &Caller) -> Vec<u8> {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&who.token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    res.bytes().await.unwrap().to_vec()
}

async fn reads_of(app: &TestApp, id: &str) -> usize {
    app.audited("prescription.read")
        .await
        .iter()
        .filter(|e| e["resource_id"] == id && e["outcome"] == "success")
        .count()
}

#[tokio::test]
async fn the_pdf_is_one_page_with_both_names_every_medicine_the_status_and_the_verify_url() {
    let app = spawn_app().await;
    let patient = named_caller(Role::Patient, "Lisa", "Cuddy");
    let visit = app.visit_of(patient.clone()).await;
    let doctor = named_caller_as(visit.doctor.id, Role::Doctor, "James", "Wilson");
    let mut amoxicillin = medicine("Amoxicillin");
    amoxicillin["route"] = json!("oral");
    amoxicillin["quantity"] = json!(21);
    amoxicillin["unit"] = json!("capsules");
    amoxicillin["refills"] = json!(2);
    let mut salbutamol = medicine("Salbutamol");
    salbutamol["dosage"] = json!("100 mcg");
    salbutamol["route"] = json!("inhalation");
    salbutamol["as_needed"] = json!(true);
    let res = app
        .prescribe(
            &doctor,
            &json!({
                "appointment_id": visit.appointment_id,
                "notes": "private remark for the chart",
                "medicines": [amoxicillin, salbutamol, medicine("Ibuprofen")],
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/prescriptions/{id}");
    let before = reads_of(&app, &id).await;

    let pdf = pdf_of(&app, &path, &patient).await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let file = file_of(&pdf);
    let info = poppler("pdfinfo", &[file.to_str().unwrap()], &[]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
        "{info}"
    );
    let fonts = poppler("pdffonts", &[file.to_str().unwrap()], &[]);
    assert!(
        fonts.contains("DejaVuSans") && !fonts.lines().skip(2).any(|l| l.contains(" no ")),
        "every font embedded: {fonts}"
    );
    let text = poppler("pdftotext", &["-layout", "-", "-"], &pdf);
    for expected in [
        "Lisa Cuddy",
        "James Wilson",
        "Amoxicillin",
        "500 mg",
        "Route: oral",
        "Quantity: 21 capsules",
        "Refills: 2",
        "Salbutamol",
        "100 mcg",
        "inhalation",
        "as needed",
        "Ibuprofen",
        "Status: active",
        "Version 1",
        &format!("/prescriptions/{id}/verify"),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("private remark"), "notes stay off the page");
    assert_eq!(
        reads_of(&app, &id).await,
        before + 1,
        "one read, audited once"
    );
    let _ = std::fs::remove_file(file);

    // A stopped one prints as stopped; JSON stays the default.
    let res = app
        .post(
            &format!("{path}/status"),
            &doctor,
            &json!({ "status": "stopped", "reason": "rash" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let text = poppler(
        "pdftotext",
        &["-", "-"],
        &pdf_of(&app, &path, &visit.doctor).await,
    );
    assert!(
        text.contains("Status: stopped") && text.contains("Version 2"),
        "{text}"
    );
    let json = app.get(&path, &visit.patient).await;
    assert_eq!(json.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn fifty_medicines_still_fit_one_page_and_others_get_404() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let medicines: Vec<Value> = (0..50)
        .map(|i| {
            let mut m = medicine(&format!("Medicine{i:02}"));
            m["instructions"] = json!(format!("Instruction{i:02} with water"));
            m
        })
        .collect();
    let res = app
        .prescribe(
            &visit.doctor,
            &json!({ "appointment_id": visit.appointment_id, "medicines": medicines }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let path = format!(
        "/prescriptions/{}",
        res.json::<Value>().await.unwrap()["id"].as_str().unwrap()
    );
    let pdf = pdf_of(&app, &path, &visit.doctor).await;
    let file = file_of(&pdf);
    let info = poppler("pdfinfo", &[file.to_str().unwrap()], &[]);
    assert!(info.contains("Pages:           1"), "{info}");
    let text = poppler("pdftotext", &["-", "-"], &pdf);
    for i in [0, 25, 49] {
        assert!(text.contains(&format!("Medicine{i:02}")), "{i}");
    }
    // The last medicine's last line ends above the footer: nothing overlaps or runs off.
    let boxes = poppler("pdftotext", &["-bbox", "-", "-"], &pdf);
    let bottom_of_last = word_box(&boxes, "Instruction49", "yMax");
    let top_of_footer = word_box(&boxes, "Signed", "yMin");
    assert!(
        bottom_of_last < top_of_footer,
        "the list runs into the footer: {bottom_of_last} >= {top_of_footer}"
    );
    let _ = std::fs::remove_file(file);

    let stranger = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&caller(Role::Patient).token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);
}
