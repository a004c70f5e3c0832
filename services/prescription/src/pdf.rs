//! A prescription printed on one A4 page: who prescribed it for whom, when, each medicine
//! with its dosage, route, quantity and refills, the status and version, and a QR code of
//! the verify URL a pharmacy scans. The fonts (DejaVu Sans) are embedded, subset, so every
//! viewer shows the same page. Notes stay off the page: they are the doctor's.

use crate::domain::medicine::Medicine;
use crate::routes::views::PrescriptionView;
use common::contracts::appointment::PersonName;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use std::sync::LazyLock;

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");
/// Parsed once, shared by every render (the bytes are the binary's own, never copied).
static FONTS: LazyLock<Option<(Font, Font)>> =
    LazyLock::new(|| Some((Font::new(REGULAR.into(), 0)?, Font::new(BOLD.into(), 0)?)));

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
/// Where the medicines must end, above the QR code and the footer.
const MEDICINES_END: f32 = HEIGHT - 190.0;
/// DejaVu Sans is about this wide per character, in font sizes (for cutting long lines).
const AVERAGE_ADVANCE: f32 = 0.5;

struct Pen<'a, 'b> {
    surface: &'a mut Surface<'b>,
    regular: Font,
    bold: Font,
}

impl Pen<'_, '_> {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let font = if bold { &self.bold } else { &self.regular };
        let room = ((WIDTH - MARGIN - x) / (size * AVERAGE_ADVANCE)).max(1.0) as usize;
        let line: String = if text.chars().count() > room {
            text.chars()
                .take(room.saturating_sub(1))
                .chain(std::iter::once('…'))
                .collect()
        } else {
            text.to_owned()
        };
        self.surface.draw_text(
            Point::from_xy(x, y),
            font.clone(),
            size,
            &line,
            false,
            TextDirection::Auto,
        );
    }

    fn qr(&mut self, x: f32, y: f32, side: f32, data: &str) -> Result<(), String> {
        let code = qrcode::QrCode::new(data.as_bytes()).map_err(|e| e.to_string())?;
        let modules = code.width();
        let module = side / modules as f32;
        let mut path = PathBuilder::new();
        for (i, dark) in code.to_colors().into_iter().enumerate() {
            if dark == qrcode::Color::Dark {
                let (row, col) = (i / modules, i % modules);
                if let Some(rect) = Rect::from_xywh(
                    x + col as f32 * module,
                    y + row as f32 * module,
                    module,
                    module,
                ) {
                    path.push_rect(rect);
                }
            }
        }
        if let Some(path) = path.finish() {
            self.surface.set_fill(Some(Fill {
                paint: rgb::Color::new(0, 0, 0).into(),
                ..Default::default()
            }));
            self.surface.draw_path(&path);
        }
        Ok(())
    }
}

fn printed(name: &Option<PersonName>) -> String {
    let full = name.as_ref().map(PersonName::full).unwrap_or_default();
    if full.is_empty() {
        "(name not recorded)".to_owned()
    } else {
        full
    }
}

fn details(medicine: &Medicine) -> String {
    let mut parts = vec![format!(
        "Route: {}",
        medicine.route.map_or("not given", |r| r.as_str())
    )];
    parts.push(match (medicine.quantity, &medicine.unit) {
        (Some(q), Some(unit)) => format!("Quantity: {q} {unit}"),
        (Some(q), None) => format!("Quantity: {q}"),
        (None, _) => "Quantity: not given".to_owned(),
    });
    parts.push(format!("Refills: {}", medicine.refills));
    // What a pharmacist dispenses by comes first: should the line be cut, it is the
    // schedule that goes, and the instructions line repeats nothing of it.
    if medicine.as_needed {
        parts.push("as needed".to_owned());
    }
    if let Some(frequency) = &medicine.frequency {
        parts.push(frequency.clone());
    }
    parts.push(format!("for {}", medicine.duration));
    parts.join(" · ")
}

/// The page for `prescription` as of its current version, with a QR code of `verify_url`.
pub fn render(prescription: &PrescriptionView, verify_url: &str) -> Result<Vec<u8>, String> {
    let (regular, bold) = FONTS.clone().ok_or("the embedded fonts do not load")?;
    let mut document = Document::new();
    let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or("no page size")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        regular,
        bold,
    };

    pen.text(MARGIN, 70.0, 22.0, true, "Prescription");
    pen.text(
        MARGIN,
        95.0,
        10.0,
        false,
        &format!(
            "Status: {} · Version {} · Written {} · Last changed {}",
            prescription.status.as_str(),
            prescription.version,
            prescription.created_at.format("%Y-%m-%d"),
            prescription.updated_at.format("%Y-%m-%d %H:%M UTC"),
        ),
    );
    pen.text(MARGIN, 125.0, 12.0, true, "Doctor");
    pen.text(130.0, 125.0, 12.0, false, &printed(&prescription.doctor));
    pen.text(MARGIN, 145.0, 12.0, true, "Patient");
    pen.text(130.0, 145.0, 12.0, false, &printed(&prescription.patient));
    pen.text(
        MARGIN,
        165.0,
        8.0,
        false,
        &format!(
            "Prescription {} · appointment {}",
            prescription.id, prescription.appointment_id
        ),
    );

    // Two lines a medicine (three with instructions), smaller as there are more of them,
    // so that all fifty fit on the page.
    let top = 200.0;
    let lines: usize = prescription
        .medicines
        .iter()
        .map(|m| 2 + usize::from(m.instructions.is_some()))
        .sum();
    // Never larger than 16 pt, and never so large the list runs into the footer.
    let line = ((MEDICINES_END - top) / lines.max(1) as f32).min(16.0);
    let size = line * 0.75;
    let mut y = top;
    for (i, medicine) in prescription.medicines.iter().enumerate() {
        pen.text(
            MARGIN,
            y,
            size,
            true,
            &format!("{}. {} — {}", i + 1, medicine.name, medicine.dosage),
        );
        y += line;
        pen.text(MARGIN + 12.0, y, size * 0.9, false, &details(medicine));
        y += line;
        if let Some(instructions) = &medicine.instructions {
            let one_line = instructions.replace(['\n', '\r', '\t'], " ");
            pen.text(MARGIN + 12.0, y, size * 0.9, false, &one_line);
            y += line;
        }
    }

    let side = 110.0;
    let qr_top = HEIGHT - MARGIN - side - 20.0;
    pen.qr(WIDTH - MARGIN - side, qr_top, side, verify_url)?;
    pen.text(
        MARGIN,
        qr_top + 30.0,
        9.0,
        true,
        "Signed by the clinic's prescription service.",
    );
    pen.text(
        MARGIN,
        qr_top + 45.0,
        8.0,
        false,
        "Scan the code, or open the address below, to check it is unaltered:",
    );
    pen.text(MARGIN, qr_top + 58.0, 7.0, false, verify_url);
    drop(pen);
    surface.finish();
    page.finish();
    document.finish().map_err(|e| format!("{e:?}"))
}
