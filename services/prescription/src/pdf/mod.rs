//! A prescription printed on one A4 page: who prescribed it for whom, when, each medicine
//! with its dosage, route, quantity and refills, the status and version, and a QR code of
//! the verify URL a pharmacy scans. The fonts (DejaVu Sans) are embedded, subset, so every
//! viewer shows the same page. Notes stay off the page: they are the doctor's.
//!
//! Every field is wrapped inside the margins and nothing is ever cut: the medicines are
//! set at the largest size (11 pt at most) at which all of them fit above the footer.

mod text;

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
use text::Measure;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// Parsed once, shared by every render (the bytes are the binary's own, never copied).
static FONTS: LazyLock<Option<(Font, Font)>> =
    LazyLock::new(|| Some((Font::new(REGULAR.into(), 0)?, Font::new(BOLD.into(), 0)?)));
static MEASURE: LazyLock<Option<Measure<'static>>> = LazyLock::new(|| Measure::new(REGULAR, BOLD));

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const RIGHT: f32 = WIDTH - MARGIN;
/// Where the medicines must end, above the QR code and the footer.
const MEDICINES_END: f32 = HEIGHT - 190.0;
/// Line height, in font sizes.
const LEADING: f32 = 1.25;
/// Where a baseline sits below the top of its line, in font sizes.
const BASELINE: f32 = 0.95;
const LARGEST_MEDICINE_SIZE: f32 = 11.0;
const DETAILS_INDENT: f32 = 12.0;

/// One line of text, laid out: where it starts, its size and face.
struct Line {
    x: f32,
    size: f32,
    bold: bool,
    text: String,
}

struct Pen<'a, 'b> {
    surface: &'a mut Surface<'b>,
    regular: Font,
    bold: Font,
    measure: &'a Measure<'static>,
}

impl Pen<'_, '_> {
    /// Draws one line whose top is at `top`.
    fn line(&mut self, top: f32, line: &Line) {
        let font = if line.bold { &self.bold } else { &self.regular };
        self.surface.draw_text(
            Point::from_xy(line.x, top + line.size * BASELINE),
            font.clone(),
            line.size,
            &line.text,
            false,
            TextDirection::Auto,
        );
    }

    /// Draws `text` wrapped between `x` and `right` from `top`; answers where it ended.
    fn paragraph(
        &mut self,
        top: f32,
        (x, right): (f32, f32),
        size: f32,
        bold: bool,
        text: &str,
    ) -> f32 {
        let mut top = top;
        for text in self.measure.wrap(bold, size, right - x, text) {
            self.line(
                top,
                &Line {
                    x,
                    size,
                    bold,
                    text,
                },
            );
            top += size * LEADING;
        }
        top
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
    if medicine.as_needed {
        parts.push("as needed".to_owned());
    }
    if let Some(frequency) = &medicine.frequency {
        parts.push(frequency.clone());
    }
    parts.push(format!("for {}", medicine.duration));
    parts.join(" · ")
}

/// The medicines' lines at `size`: a bold heading of number, name and dosage, then the
/// details and the instructions a little smaller and indented, each wrapped to the margin.
fn medicine_lines(measure: &Measure, medicines: &[Medicine], size: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut wrapped = |x: f32, size: f32, bold: bool, text: &str| {
        for text in measure.wrap(bold, size, RIGHT - x, text) {
            lines.push(Line {
                x,
                size,
                bold,
                text,
            });
        }
    };
    for (i, medicine) in medicines.iter().enumerate() {
        let heading = format!("{}. {} — {}", i + 1, medicine.name, medicine.dosage);
        wrapped(MARGIN, size, true, &heading);
        let small = size * 0.9;
        wrapped(MARGIN + DETAILS_INDENT, small, false, &details(medicine));
        if let Some(instructions) = &medicine.instructions {
            wrapped(MARGIN + DETAILS_INDENT, small, false, instructions);
        }
    }
    lines
}

/// The medicines at the largest size at which they all fit in `room` points of height.
fn fitted_medicine_lines(measure: &Measure, medicines: &[Medicine], room: f32) -> (Vec<Line>, f32) {
    let mut size = LARGEST_MEDICINE_SIZE;
    loop {
        let lines = medicine_lines(measure, medicines, size);
        let line_height = size * LEADING;
        // The limits (50 medicines of 200-character fields) fit long before 1 pt; the
        // floor only bounds the loop.
        if lines.len() as f32 * line_height <= room || size < 1.0 {
            return (lines, line_height);
        }
        size *= 0.95;
    }
}

/// The page for `prescription` as of its current version, with a QR code of `verify_url`.
pub fn render(prescription: &PrescriptionView, verify_url: &str) -> Result<Vec<u8>, String> {
    let (regular, bold) = FONTS.clone().ok_or("the embedded fonts do not load")?;
    let measure = MEASURE.as_ref().ok_or("the embedded fonts do not load")?;
    let mut document = Document::new();
    let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or("no page size")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        regular,
        bold,
        measure,
    };
    let full_width = (MARGIN, RIGHT);

    let mut top = pen.paragraph(50.0, full_width, 22.0, true, "Prescription");
    let status = format!(
        "Status: {} · Version {} · Written {} · Last changed {}",
        prescription.status.as_str(),
        prescription.version,
        prescription.created_at.format("%Y-%m-%d"),
        prescription.updated_at.format("%Y-%m-%d %H:%M UTC"),
    );
    top = pen.paragraph(top + 4.0, full_width, 10.0, false, &status) + 10.0;
    for (label, person) in [
        ("Doctor", &prescription.doctor),
        ("Patient", &prescription.patient),
    ] {
        pen.paragraph(top, full_width, 12.0, true, label);
        top = pen.paragraph(top, (130.0, RIGHT), 12.0, false, &printed(person)) + 5.0;
    }
    let ids = format!(
        "Prescription {} · appointment {}",
        prescription.id, prescription.appointment_id
    );
    top = pen.paragraph(top, full_width, 8.0, false, &ids) + 20.0;

    let (lines, line_height) =
        fitted_medicine_lines(measure, &prescription.medicines, MEDICINES_END - top);
    for line in &lines {
        pen.line(top, line);
        top += line_height;
    }

    let side = 110.0;
    let qr_top = HEIGHT - MARGIN - side - 20.0;
    let qr_left = RIGHT - side;
    pen.qr(qr_left, qr_top, side, verify_url)?;
    let beside_qr = (MARGIN, qr_left - 10.0);
    let mut top = qr_top + 22.0;
    top = pen.paragraph(
        top,
        beside_qr,
        9.0,
        true,
        "Signed by the clinic's prescription service.",
    );
    top = pen.paragraph(
        top + 3.0,
        beside_qr,
        8.0,
        false,
        "Scan the code, or open the address below, to check it is unaltered, still valid and what is left to dispense:",
    );
    pen.paragraph(top + 2.0, beside_qr, 7.0, false, verify_url);
    drop(pen);
    surface.finish();
    page.finish();
    document.finish().map_err(|e| format!("{e:?}"))
}
