//! What a pharmacy may still hand out (contract part 3 section 17). A medicine prescribed
//! as `quantity` Q with R `refills` may be filled 1 + R times, Q each: what is left is
//! the rest of the fill in progress (`quantity`) and the fills not yet started
//! (`refills`). Handing out more than the fill in progress holds starts the next fill.
//! Without a quantity, each dispense is one fill, of whatever the pharmacist judged.
//!
//! Medicines are named by their name, case and surrounding space aside; a second medicine
//! of the same name on one prescription is named `"<name> (2)"`, and so on.

use super::lifecycle::PrescriptionStatus;
use super::medicine::{MAX_MEDICINES, MAX_QUANTITY, Medicine};
use chrono::{DateTime, Utc};
use common::auth::AuthenticatedUser;
use common::validation::{Field, Validator};
use common::{ApiError, Role, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One medicine handed out, and how much of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DispensedItem {
    /// The medicine's name as the prescription has it (see `remaining` for the names)
    #[schema(min_length = 1, max_length = 210)]
    pub medicine: String,
    /// How much was handed out, 1 to 10000 (in the medicine's unit)
    #[schema(minimum = 1, maximum = 10000)]
    pub quantity: i64,
}

/// Only pharmacists dispense (403 for everyone else).
pub fn ensure_may_dispense(caller: &AuthenticatedUser) -> Result<(), ApiError> {
    if caller.role == Role::Pharmacist {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only pharmacists dispense"))
    }
}

/// One visit to a pharmacy: who handed out what, when, against which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dispensed {
    pub id: uuid::Uuid,
    pub at: DateTime<Utc>,
    pub pharmacist_id: UserId,
    /// The version that was current when it was dispensed
    pub version: i32,
    pub items: Vec<DispensedItem>,
}

/// Every item of `dispenses`, for counting what is left.
pub fn all_items(dispenses: &[Dispensed]) -> Vec<DispensedItem> {
    dispenses.iter().flat_map(|d| d.items.clone()).collect()
}

/// What is left of one medicine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Remaining {
    /// Left in the fill in progress (the whole quantity before the first dispense); null
    /// when the prescription gives no quantity
    pub quantity: Option<i64>,
    /// Fills after the one in progress (without a quantity: after the next one)
    pub refills: i64,
    /// Whether any of it may still be handed out
    pub dispensable: bool,
    /// The most that may be handed out now, all fills together; `None` without a
    /// quantity (then one more fill, of any amount, while `dispensable`).
    #[serde(skip)]
    most: Option<i64>,
}

impl Remaining {
    /// What one medicine has left after `dispensed` (the quantities handed out so far).
    pub fn of(medicine: &Medicine, dispensed: &[i64]) -> Self {
        let refills = i64::from(medicine.refills);
        let handed_out: i64 = dispensed.iter().sum();
        match per_fill(medicine) {
            Some(per_fill) => {
                let per_fill = per_fill.max(1);
                // Before the first dispense, the first fill is the one in progress.
                let fills_started = ((handed_out + per_fill - 1) / per_fill).max(1);
                let quantity = (fills_started * per_fill - handed_out).max(0);
                let refills = (refills + 1 - fills_started).max(0);
                let most = quantity + refills * per_fill;
                Self {
                    quantity: Some(quantity),
                    refills,
                    dispensable: most > 0,
                    most: Some(most),
                }
            }
            None => {
                let fills_left = (refills + 1 - dispensed.len() as i64).max(0);
                Self {
                    quantity: None,
                    refills: (fills_left - 1).max(0),
                    dispensable: fills_left > 0,
                    most: None,
                }
            }
        }
    }

    /// Whether `amount` more may be handed out now.
    fn allows(self, amount: i64) -> bool {
        match self.most {
            Some(most) => amount <= most,
            None => self.dispensable,
        }
    }
}

fn per_fill(medicine: &Medicine) -> Option<i64> {
    medicine.quantity.map(i64::from)
}

/// What `name` has had handed out, dispense by dispense.
fn handed_out(dispensed: &[DispensedItem], name: &str) -> Vec<i64> {
    dispensed
        .iter()
        .filter(|item| key(&item.medicine) == key(name))
        .map(|item| item.quantity)
        .collect()
}

/// The names medicines are dispensed by, in the prescription's order.
pub fn dispensing_names(medicines: &[Medicine]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    medicines
        .iter()
        .map(|m| {
            let count = seen.entry(key(&m.name)).or_insert(0);
            *count += 1;
            if *count == 1 {
                m.name.trim().to_owned()
            } else {
                format!("{} ({count})", m.name.trim())
            }
        })
        .collect()
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Everything a prescription's current medicines have left after `dispensed` (every
/// item ever handed out against the prescription), by dispensing name.
pub fn remaining(
    medicines: &[Medicine],
    dispensed: &[DispensedItem],
) -> BTreeMap<String, Remaining> {
    dispensing_names(medicines)
        .into_iter()
        .zip(medicines)
        .map(|(name, medicine)| {
            let left = Remaining::of(medicine, &handed_out(dispensed, &name));
            (name, left)
        })
        .collect()
}

/// Whether a pharmacy may hand out anything against this prescription now: it is
/// `active` and some medicine has something left. (Whether the paper in hand is the
/// current version is the caller's to add.)
pub fn dispensable(
    status: PrescriptionStatus,
    medicines: &[Medicine],
    dispensed: &[DispensedItem],
) -> bool {
    status == PrescriptionStatus::Active
        && medicines
            .iter()
            .zip(dispensing_names(medicines))
            .any(|(medicine, name)| {
                Remaining::of(medicine, &handed_out(dispensed, &name)).dispensable
            })
}

/// `POST /prescriptions/{id}/dispense`: `{items: [{medicine, quantity}], version?}`. A
/// prescription of one medicine may also be dispensed as `{quantity}`. `version`, when
/// given, is the version on the paper: an older one is refused as superseded.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DispenseForm {
    /// 1 to 50 medicines, each named once
    #[serde(default)]
    #[schema(value_type = Option<Vec<DispensedItem>>, min_items = 1, max_items = 50)]
    pub items: Field<Vec<serde_json::Value>>,
    /// Shorthand for a prescription of one medicine: how much of it, 1 to 10000
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 10000)]
    pub quantity: Field<serde_json::Value>,
    /// The version printed on the paper (the QR's `?version=`); refused when superseded
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub version: Field<serde_json::Value>,
}

/// A dispense, validated against the prescription's current medicines.
#[derive(Debug, Clone)]
pub struct Dispense {
    pub items: Vec<DispensedItem>,
    pub version: Option<i32>,
}

fn quantity(raw: serde_json::Value) -> Result<i64, String> {
    raw.as_i64()
        .filter(|q| (1..=MAX_QUANTITY).contains(q))
        .ok_or_else(|| format!("must be an integer from 1 to {MAX_QUANTITY}"))
}

impl DispenseForm {
    /// Checks the shape and that every item names a medicine of `medicines`, each once.
    pub fn validate(self, medicines: &[Medicine]) -> Result<Dispense, ApiError> {
        let names = dispensing_names(medicines);
        let mut v = Validator::new();
        let version = v.optional("version", self.version, |raw| {
            raw.as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| "must be a version number, 1 or more".to_owned())
        });
        let items = match (self.items, self.quantity) {
            (Field::Missing, Field::Missing) => {
                v.push("items", "is required");
                None
            }
            (Field::Missing, shorthand) => match names.as_slice() {
                [only] => v
                    .required("quantity", shorthand, quantity)
                    .map(|quantity| vec![(only.clone(), quantity)]),
                _ => {
                    v.push(
                        "items",
                        "is required: this prescription has several medicines",
                    );
                    None
                }
            },
            (items, Field::Missing) => v
                .required("items", items, |raw: Vec<serde_json::Value>| {
                    if raw.is_empty() || raw.len() > MAX_MEDICINES {
                        Err(format!("must hold 1 to {MAX_MEDICINES} items"))
                    } else {
                        Ok(raw)
                    }
                })
                .map(|raw| items_of(&mut v, raw, &names)),
            (_, _) => {
                v.push("quantity", "give items or quantity, not both");
                None
            }
        };
        match (items, version) {
            (Some(items), Some(version)) if v.is_valid() => Ok(Dispense {
                items: items
                    .into_iter()
                    .map(|(medicine, quantity)| DispensedItem { medicine, quantity })
                    .collect(),
                version,
            }),
            _ => Err(v.into_error()),
        }
    }
}

fn items_of(
    v: &mut Validator,
    raw: Vec<serde_json::Value>,
    names: &[String],
) -> Vec<(String, i64)> {
    let mut items: Vec<(String, i64)> = Vec::new();
    for (i, item) in raw.into_iter().enumerate() {
        let at = |field: &str| format!("items[{i}].{field}");
        let medicine = match item.get("medicine").and_then(|m| m.as_str()) {
            None => {
                v.push(&at("medicine"), "is required: a medicine's name");
                None
            }
            Some(name) => match names.iter().find(|n| key(n) == key(name)) {
                None => {
                    let listed = names.join(", ");
                    v.push(
                        &at("medicine"),
                        format!("is not on this prescription (it has: {listed})"),
                    );
                    None
                }
                Some(n) if items.iter().any(|(seen, _)| seen == n) => {
                    v.push(&at("medicine"), "is named twice");
                    None
                }
                Some(n) => Some(n.clone()),
            },
        };
        let amount = match item.get("quantity") {
            None => {
                v.push(&at("quantity"), "is required");
                None
            }
            Some(raw) => quantity(raw.clone())
                .map_err(|e| v.push(&at("quantity"), e))
                .ok(),
        };
        if let (Some(medicine), Some(amount)) = (medicine, amount) {
            items.push((medicine, amount));
        }
    }
    items
}

/// Refuses (409) a dispense that the prescription does not allow now: not `active`,
/// or more of a medicine than is left.
pub fn ensure_allowed(
    status: PrescriptionStatus,
    medicines: &[Medicine],
    dispensed: &[DispensedItem],
    wanted: &[DispensedItem],
) -> Result<(), ApiError> {
    if status != PrescriptionStatus::Active {
        return Err(ApiError::Conflict(format!(
            "a {} prescription may not be dispensed",
            status.as_str()
        )));
    }
    let names = dispensing_names(medicines);
    for item in wanted {
        let Some((medicine, name)) = medicines
            .iter()
            .zip(&names)
            .find(|(_, n)| **n == item.medicine)
        else {
            continue;
        };
        let left = Remaining::of(medicine, &handed_out(dispensed, name));
        if !left.allows(item.quantity) {
            return Err(ApiError::Conflict(format!(
                "{name}: more than is left to dispense"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn medicine(quantity: Option<i64>, refills: i32) -> Medicine {
        let mut m: Medicine = serde_json::from_value(serde_json::json!({
            "name": "Amoxicillin", "dosage": "500 mg", "duration": "7 days",
            "refills": refills, "as_needed": false,
        }))
        .unwrap();
        m.quantity = quantity.map(|q| q as i32);
        m
    }

    #[test]
    fn a_fill_is_used_up_before_a_refill_is_started() {
        let m = medicine(Some(21), 2);
        let left = |d: &[i64]| {
            let r = Remaining::of(&m, d);
            (r.quantity, r.refills, r.dispensable)
        };
        assert_eq!(left(&[]), (Some(21), 2, true));
        assert_eq!(left(&[10]), (Some(11), 2, true));
        assert_eq!(left(&[21]), (Some(0), 2, true));
        assert_eq!(left(&[21, 1]), (Some(20), 1, true));
        assert_eq!(left(&[63]), (Some(0), 0, false));
        assert!(Remaining::of(&m, &[62]).allows(1));
        assert!(!Remaining::of(&m, &[63]).allows(1));
        assert!(Remaining::of(&m, &[]).allows(63));
        assert!(!Remaining::of(&m, &[]).allows(64));
    }

    #[test]
    fn without_a_quantity_each_dispense_is_a_fill() {
        let m = medicine(None, 1);
        let left = |d: &[i64]| {
            let r = Remaining::of(&m, d);
            (r.quantity, r.refills, r.dispensable)
        };
        assert_eq!(left(&[]), (None, 1, true));
        assert_eq!(left(&[30]), (None, 0, true));
        assert_eq!(left(&[30, 30]), (None, 0, false));
        assert!(Remaining::of(&m, &[30]).allows(30));
        assert!(!Remaining::of(&m, &[30, 30]).allows(1));
    }

    #[test]
    fn a_second_medicine_of_one_name_is_numbered() {
        let names = dispensing_names(&[medicine(None, 0), medicine(None, 0)]);
        assert_eq!(names, ["Amoxicillin", "Amoxicillin (2)"]);
    }
}
