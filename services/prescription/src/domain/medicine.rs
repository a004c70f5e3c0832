//! A medicine on a prescription: a name, a dosage and a duration (one line each, 1 to 200
//! characters), optionally a frequency and instructions, and the structured fields a
//! pharmacy dispenses by (FHIR's dispenseRequest and dosage): `quantity` (1..10000) of a
//! `unit`, `refills` (0..11), the `route`, `as_needed`, and a `code` in a terminology such
//! as RxNorm. 1 to 50 medicines; every bad field is reported by its path
//! (`medicines[2].code.system`).

use common::validation::{Field, Validator, multiline_text, text};
use serde::{Deserialize, Serialize};

pub const MAX_MEDICINES: usize = 50;
pub const MAX_QUANTITY: i64 = 10_000;
pub const MAX_REFILLS: i64 = 11;

/// How the medicine is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    Oral,
    Sublingual,
    Topical,
    Inhalation,
    Nasal,
    Ophthalmic,
    Otic,
    Rectal,
    Vaginal,
    Transdermal,
    Subcutaneous,
    Intramuscular,
    Intravenous,
    Other,
}

impl Route {
    pub const ALL: [Route; 14] = [
        Self::Oral,
        Self::Sublingual,
        Self::Topical,
        Self::Inhalation,
        Self::Nasal,
        Self::Ophthalmic,
        Self::Otic,
        Self::Rectal,
        Self::Vaginal,
        Self::Transdermal,
        Self::Subcutaneous,
        Self::Intramuscular,
        Self::Intravenous,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oral => "oral",
            Self::Sublingual => "sublingual",
            Self::Topical => "topical",
            Self::Inhalation => "inhalation",
            Self::Nasal => "nasal",
            Self::Ophthalmic => "ophthalmic",
            Self::Otic => "otic",
            Self::Rectal => "rectal",
            Self::Vaginal => "vaginal",
            Self::Transdermal => "transdermal",
            Self::Subcutaneous => "subcutaneous",
            Self::Intramuscular => "intramuscular",
            Self::Intravenous => "intravenous",
            Self::Other => "other",
        }
    }

    fn parse(raw: String) -> Result<Route, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
                format!("must be one of {}", all.join(", "))
            })
    }
}

/// A coded medicine: `{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "308182", "display": "amoxicillin 250 MG Oral Capsule"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MedicineCode {
    /// The terminology, a URI (1 to 200 characters)
    #[schema(min_length = 1, max_length = 200)]
    pub system: String,
    #[schema(min_length = 1, max_length = 100)]
    pub code: String,
    #[schema(min_length = 1, max_length = 200)]
    pub display: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Medicine {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 200)]
    pub dosage: String,
    #[schema(min_length = 1, max_length = 200)]
    pub duration: String,
    #[schema(min_length = 1, max_length = 200)]
    pub frequency: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub instructions: Option<String>,
    /// How much to dispense, 1 to 10000 (of `unit`)
    #[schema(minimum = 1, maximum = 10000)]
    pub quantity: Option<i32>,
    /// What `quantity` counts: tablets, ml, inhalers (1 to 50 characters)
    #[schema(min_length = 1, max_length = 50)]
    pub unit: Option<String>,
    /// Repeat dispensings allowed after the first, 0 to 11 (default 0)
    #[serde(default)]
    #[schema(minimum = 0, maximum = 11)]
    pub refills: i32,
    pub route: Option<Route>,
    /// Taken when needed (PRN), not on a schedule (default false)
    #[serde(default)]
    pub as_needed: bool,
    pub code: Option<MedicineCode>,
}

impl Medicine {
    /// Whether `other` is the same therapy: the same code in the same system, or the same
    /// substance by name. Names are compared as a pharmacist reads them: compatibility
    /// forms folded (full-width letters, ligatures), case, spacing and punctuation aside
    /// ("Co-Amoxiclav" is "co amoxiclav" is "coamoxiclav"), and a strength or form after
    /// the substance ignored ("Amoxicillin 500 mg" is "Amoxicillin").
    pub fn same_therapy_as(&self, other: &Medicine) -> bool {
        let same_code = match (&self.code, &other.code) {
            (Some(a), Some(b)) => a.system == b.system && a.code == b.code,
            _ => false,
        };
        let (mine, theirs) = (substance(&self.name), substance(&other.name));
        same_code || (!mine.is_empty() && mine == theirs)
    }
}

/// The substance a medicine's name names: its words from the first that does not start
/// with a digit up to the next that does (a strength before or after it: `500`, `500mg`,
/// `0.9%`), folded and joined without separators.
fn substance(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name.nfkc().collect::<String>().to_lowercase();
    let is_strength = |word: &&str| word.starts_with(|c: char| c.is_numeric());
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .skip_while(is_strength)
        .take_while(|word| !is_strength(word))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::substance;

    #[test]
    fn a_name_variant_names_the_same_substance() {
        for (a, b) in [
            ("Amoxicillin", "  AMOXICILLIN 500 mg capsules"),
            ("Co-Amoxiclav", "co amoxiclav"),
            ("Ａｍｏｘｉｃｉｌｌｉｎ", "amoxicillin"),
            ("0.9% Sodium chloride", "Sodium  Chloride 0.45%"),
            ("5-Fluorouracil", "Fluorouracil"),
        ] {
            assert_eq!(substance(a), substance(b), "{a} / {b}");
        }
        for (a, b) in [("Vitamin D", "Vitamin B12"), ("Amoxicillin", "Ampicillin")] {
            assert_ne!(substance(a), substance(b), "{a} / {b}");
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct MedicineForm {
    #[serde(default)]
    name: Field<String>,
    #[serde(default)]
    dosage: Field<String>,
    #[serde(default)]
    duration: Field<String>,
    #[serde(default)]
    frequency: Field<String>,
    #[serde(default)]
    instructions: Field<String>,
    #[serde(default)]
    quantity: Field<i64>,
    #[serde(default)]
    unit: Field<String>,
    #[serde(default)]
    refills: Field<i64>,
    #[serde(default)]
    route: Field<String>,
    #[serde(default)]
    as_needed: Field<bool>,
    #[serde(default)]
    code: Field<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct CodeForm {
    #[serde(default)]
    system: Field<String>,
    #[serde(default)]
    code: Field<String>,
    #[serde(default)]
    display: Field<String>,
}

fn between(min: i64, max: i64) -> impl FnOnce(i64) -> Result<i32, String> {
    move |n| {
        if (min..=max).contains(&n) {
            i32::try_from(n).map_err(|_| format!("must be {min} to {max}"))
        } else {
            Err(format!("must be {min} to {max}"))
        }
    }
}

fn code(v: &mut Validator, at: &str, raw: serde_json::Value) -> Option<MedicineCode> {
    let Ok(form) = serde_json::from_value::<CodeForm>(raw) else {
        v.push(at, "must be an object {system, code, display?}");
        return None;
    };
    let system = v.required(&format!("{at}.system"), form.system, text(1, 200));
    let code = v.required(&format!("{at}.code"), form.code, text(1, 100));
    let display = v.optional(&format!("{at}.display"), form.display, text(1, 200));
    Some(MedicineCode {
        system: system?,
        code: code?,
        display: display?,
    })
}

fn medicine(v: &mut Validator, index: usize, raw: serde_json::Value) -> Option<Medicine> {
    let at = |field: &str| format!("medicines[{index}].{field}");
    let Ok(form) = serde_json::from_value::<MedicineForm>(raw) else {
        v.push(&format!("medicines[{index}]"), "must be an object");
        return None;
    };
    let name = v.required(&at("name"), form.name, text(1, 200));
    let dosage = v.required(&at("dosage"), form.dosage, text(1, 200));
    let duration = v.required(&at("duration"), form.duration, text(1, 200));
    let frequency = v.optional(&at("frequency"), form.frequency, text(1, 200));
    let instructions = v.optional(
        &at("instructions"),
        form.instructions,
        multiline_text(1, 200),
    );
    let quantity = v.optional(&at("quantity"), form.quantity, between(1, MAX_QUANTITY));
    let unit = v.optional(&at("unit"), form.unit, text(1, 50));
    let refills = v.optional(&at("refills"), form.refills, between(0, MAX_REFILLS));
    let route = v.optional(&at("route"), form.route, Route::parse);
    let as_needed = v.optional(&at("as_needed"), form.as_needed, Ok::<bool, String>);
    let code = match form.code {
        Field::Present(raw) => code(v, &at("code"), raw).map(Some),
        Field::Missing | Field::Null => Some(None),
        Field::Invalid(why) => {
            v.push(&at("code"), why);
            None
        }
    };
    Some(Medicine {
        name: name?,
        dosage: dosage?,
        duration: duration?,
        frequency: frequency?,
        instructions: instructions?,
        quantity: quantity?,
        unit: unit?,
        refills: refills?.unwrap_or(0),
        route: route?,
        as_needed: as_needed?.unwrap_or(false),
        code: code?,
    })
}

/// The `medicines` of a body; `Some(None)` when absent and not `required`.
pub fn medicines(
    v: &mut Validator,
    raw: Field<Vec<serde_json::Value>>,
    required: bool,
) -> Option<Option<Vec<Medicine>>> {
    let items = match raw {
        Field::Present(items) => items,
        Field::Missing | Field::Null if !required => return Some(None),
        Field::Missing | Field::Null => {
            v.push("medicines", "is required");
            return None;
        }
        Field::Invalid(why) => {
            v.push("medicines", why);
            return None;
        }
    };
    if items.is_empty() || items.len() > MAX_MEDICINES {
        v.push(
            "medicines",
            format!("must list 1 to {MAX_MEDICINES} medicines"),
        );
        return None;
    }
    let parsed: Vec<Option<Medicine>> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| medicine(v, i, item))
        .collect();
    parsed.into_iter().collect::<Option<Vec<_>>>().map(Some)
}
