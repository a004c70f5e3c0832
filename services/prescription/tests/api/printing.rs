//! The printed prescription: `Accept: application/pdf` answers a valid one-page PDF whose
//! text (read back with poppler's pdftotext) holds both names, every medicine, the status
//! and the verify URL, with its fonts embedded; read once, audited once. Every word of
//! every field is on the page inside its margins, however long the fields are.

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
        &format!("/prescriptions/{id}/verify?version=1"),
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

/// Every word `pdftotext -bbox` finds, with its box (xMin, yMin, xMax, yMax).
fn words_of(pdf: &[u8]) -> Vec<(String, [f32; 4])> {
    let boxes = poppler("pdftotext", &["-bbox", "-", "-"], pdf);
    boxes
        .lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|line| {
            let attribute = |name: &str| -> f32 {
                let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                line[start..].split('"').next().unwrap().parse().unwrap()
            };
            let text = line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()]
                .replace("&amp;", "&");
            (
                text,
                [
                    attribute("xMin"),
                    attribute("yMin"),
                    attribute("xMax"),
                    attribute("yMax"),
                ],
            )
        })
        .collect()
}

/// Asserts that each whitespace-separated word of every field is printed, and that every
/// word printed lies inside the page's margins.
fn assert_every_word_inside_the_page(pdf: &[u8], fields: &[String]) {
    let words = words_of(pdf);
    for (word, [x_min, y_min, x_max, y_max]) in &words {
        assert!(
            *x_min >= 49.0 && *x_max <= 546.0 && *y_min >= 0.0 && *y_max <= 842.0,
            "{word:?} lies outside the margins: {x_min} {y_min} {x_max} {y_max}"
        );
    }
    for field in fields {
        for expected in field.split_whitespace() {
            assert!(
                words.iter().any(|(word, _)| word == expected),
                "{expected:?} of {field:?} is not on the page"
            );
        }
    }
}

/// `count` distinct words of medical-looking text, `length` characters at most in all.
fn long_text(prefix: &str, length: usize) -> String {
    let mut text = String::new();
    for i in 0.. {
        let word = format!("{prefix}{i}");
        if text.len() + word.len() + 1 > length {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&word);
    }
    text
}

#[tokio::test]
async fn long_names_dosages_and_instructions_are_wrapped_inside_the_margins_never_cut() {
    let app = spawn_app().await;
    // The report's case: a 71-character name printed its dose as "— 10".
    let name_71 = "Sulfamethoxazole and trimethoprim double strength oral suspension forte";
    assert_eq!(name_71.len(), 71);
    let first = long_text("Maximiliana", 100);
    let last = long_text("Wolfeschlegelstein", 100);
    let patient = named_caller(Role::Patient, &first, &last);
    let visit = app.visit_of(patient.clone()).await;
    let doctor = named_caller_as(
        visit.doctor.id,
        Role::Doctor,
        &long_text("Bartholomew", 100),
        &long_text("Featherstonehaugh", 100),
    );
    let mut short = medicine(name_71);
    short["dosage"] = json!("100 mg");
    let mut longest = medicine(&long_text("Hydroxychloroquine", 200));
    longest["dosage"] = json!(long_text("milligrams", 200));
    longest["frequency"] = json!(long_text("morning", 200));
    longest["duration"] = json!(long_text("weeks", 200));
    longest["instructions"] = json!(long_text("swallow", 200));
    longest["quantity"] = json!(9999);
    longest["unit"] = json!(long_text("tablets", 50));
    let res = app
        .prescribe(
            &doctor,
            &json!({ "appointment_id": visit.appointment_id, "medicines": [short, longest] }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let pdf = pdf_of(&app, &format!("/prescriptions/{id}"), &patient).await;

    let text = poppler("pdftotext", &["-", "-"], &pdf);
    assert!(
        text.contains("100 mg"),
        "the dose is printed whole:\n{text}"
    );
    let mut fields: Vec<String> = vec![
        name_71.into(),
        first,
        last,
        long_text("Bartholomew", 100),
        long_text("Featherstonehaugh", 100),
    ];
    for key in [
        "name",
        "dosage",
        "frequency",
        "duration",
        "instructions",
        "unit",
    ] {
        fields.push(longest[key].as_str().unwrap().to_owned());
    }
    assert_every_word_inside_the_page(&pdf, &fields);
}

#[tokio::test]
async fn fifty_medicines_of_the_longest_fields_still_print_every_word_on_one_page() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let medicines: Vec<Value> = (0..50)
        .map(|i| {
            let mut m = medicine(&long_text(&format!("Medicine{i}x"), 200));
            m["dosage"] = json!(long_text(&format!("Dose{i}x"), 200));
            m["instructions"] = json!(long_text(&format!("Step{i}x"), 200));
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
    let _ = std::fs::remove_file(file);
    let fields: Vec<String> = medicines
        .iter()
        .flat_map(|m| ["name", "dosage", "instructions"].map(|k| m[k].as_str().unwrap().to_owned()))
        .collect();
    assert_every_word_inside_the_page(&pdf, &fields);
}

#[tokio::test]
async fn with_email_verification_required_an_unverified_patient_may_not_print() {
    let db = test_support::db::TestDatabase::create(prescription_service::MIGRATIONS);
    let app = spawn_app_from(
        db,
        reqwest::Client::new(),
        |_| {},
        |s| {
            s.email_verification.required = true;
        },
    )
    .await;
    let key = test_support::jwt::test_key();
    let id = common::UserId::new();
    let mut claims = test_support::jwt::claims_for(id, Role::Patient);
    claims["email_verified"] = json!(false);
    let unverified = Caller {
        id,
        token: key.sign(&key.header(), &claims),
    };
    let visit = app.visit_of(unverified.clone()).await;
    let path = app.prescribed(&visit).await;

    let printed = app
        .client
        .get(format!("{}{path}/pdf", app.address))
        .bearer_auth(&unverified.token)
        .send()
        .await
        .unwrap();
    let read = app.get(&path, &unverified).await;

    let problem = assert_problem(printed, 403).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("email-unverified"),
        "{problem}"
    );
    assert_eq!(read.status(), 200, "reading it still works");
}
