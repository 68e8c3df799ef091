//! Property: a Bundle built from a random valid case evaluates exactly as
//! the case does — the same JSON contract, but for the added `"record"`.
//!
//! The case comes from the bundled guideline's own case space; each bound
//! fact is then written into the record in a unit drawn among those a
//! laboratory may use (10*9/L, 10*3/uL, /uL, /mm3; µmol/L or mg/dL; kg or
//! lb), at a random time inside its window, among decoys that must change
//! nothing: older results outside the window, results entered in error or
//! cancelled, results after the instant, and resources of other types. The
//! facts without a binding are given by a case laid over the record. Values
//! are drawn in the record's unit, as decimals a laboratory writes, and the
//! case holds their exact conversion (one rounding to a double), so the two
//! sides must agree to the bit.

use guidelang::facts::parse_case;
use guidelang::fhir::read_record;
use guidelang::model::Guideline;
use guidelang::report::{evaluation_json, evaluation_json_with_record};
use guidelang::units::Ratio;
use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};

use crate::common::gen::{config, CaseSpace};
use crate::fhir_read::{at, bound, bundle, condition, lab, patient};

fn guideline() -> &'static Guideline {
    static G: std::sync::OnceLock<Guideline> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        let mut g = bound();
        let id = g.fact_id("creatinine").unwrap();
        g.facts[id.index()].grams_per_mole = Ratio::parse_decimal("113.12");
        g
    })
}

/// The instant every record is read at: the end of 2026-12-01, UTC.
const INSTANT: i64 = 1_796_169_599;

fn stamp(seconds: i64) -> String {
    guidelang::fhir::Instant::from_seconds(seconds).unwrap().to_string()
}

/// What the record holds for each bound fact: `None` leaves it out.
#[derive(Clone, Debug)]
struct Drawn {
    /// wbc and platelets: tenths of 10^9/L, and the unit to write them in (0..4).
    wbc: Option<(u32, u8)>,
    platelets: Option<(u32, u8)>,
    /// Creatinine: µmol/L (whole) or hundredths of mg/dL.
    creatinine: Option<(u32, bool)>,
    /// Weight: tenths of a kg, or tenths of a pound.
    weight: Option<(u32, bool)>,
    ecog: Option<u8>,
    als: Option<bool>,
    coagulopathy: bool,
    /// Age in whole years, and whether the birthday has passed this year.
    age: Option<(u32, bool)>,
    /// Seconds before the instant for each result (inside its window).
    ago: [i64; 5],
    decoys: u8,
}

fn drawn() -> impl Strategy<Value = Drawn> {
    let count = || (0u32..5000, 0u8..4);
    (
        (
            proptest::option::of(count()),
            proptest::option::of(count()),
            proptest::option::of((0u32..2000, any::<bool>())),
            proptest::option::of(prop_oneof![
                (200u32..3500).prop_map(|k| (k, false)),
                (450u32..7700).prop_map(|l| (l, true))
            ]),
            proptest::option::of(0u8..5),
        ),
        (
            proptest::option::of(any::<bool>()),
            any::<bool>(),
            proptest::option::of((1u32..120, any::<bool>())),
            [
                0i64..172_800,
                0i64..172_800,
                0i64..172_800,
                0i64..604_800,
                0i64..2_592_000,
            ],
            0u8..40,
        ),
    )
        .prop_map(
            |((wbc, platelets, creatinine, weight, ecog), (als, coagulopathy, age, ago, decoys))| Drawn {
                wbc,
                platelets,
                creatinine,
                weight,
                ecog,
                als,
                coagulopathy,
                age,
                ago,
                decoys,
            },
        )
}

/// A count in tenths of 10^9/L written in one of four units, and its exact
/// value in 10^9/L.
fn count(tenths: u32, unit: u8) -> (Json, &'static str, f64) {
    let exact = Ratio::new(i128::from(tenths), 10).unwrap().to_f64();
    match unit {
        0 => (json!(exact), "10*9/L", exact),
        1 => (json!(exact), "10*3/uL", exact),
        2 => (json!(tenths * 100), "/uL", exact),
        _ => (json!(tenths * 100), "/mm3", exact),
    }
}

/// Builds the Bundle and the case it stands for.
fn build(d: &Drawn, rest: &Map<String, Json>) -> (Vec<u8>, Json, Json) {
    let mut entries = vec![];
    let mut case = Map::new();
    let mut extra = Map::new();
    let when = |i: usize| stamp(INSTANT - d.ago[i]);
    for (fact, loinc, drawn, i) in [("wbc", "6690-2", d.wbc, 0), ("platelets", "777-3", d.platelets, 1)] {
        if let Some((tenths, unit)) = drawn {
            let (v, u, exact) = count(tenths, unit);
            entries.push(lab(&format!("{fact}-now"), loinc, v, u, &when(i), "final"));
            case.insert(fact.into(), json!(exact));
        }
    }
    if let Some((n, amount)) = d.creatinine {
        let (v, u, exact) = if amount {
            // µmol/L × 113.12 g/mol ÷ 10000 = mg/dL.
            (
                json!(n),
                "umol/L",
                Ratio::new(i128::from(n) * 11312, 1_000_000).unwrap().to_f64(),
            )
        } else {
            let x = Ratio::new(i128::from(n), 100).unwrap().to_f64();
            (json!(x), "mg/dL", x)
        };
        entries.push(lab("creatinine-now", "14682-9", v, u, &when(2), "final"));
        case.insert("creatinine".into(), json!(exact));
    }
    if let Some((n, pounds)) = d.weight {
        let (v, u, exact) = if pounds {
            let lb = Ratio::new(i128::from(n), 10).unwrap();
            let kg = lb.times(Ratio::parse_decimal("0.45359237").unwrap()).unwrap().to_f64();
            (json!(lb.to_f64()), "[lb_av]", kg)
        } else {
            let kg = Ratio::new(i128::from(n), 10).unwrap().to_f64();
            (json!(kg), "kg", kg)
        };
        entries.push(lab("weight-now", "29463-7", v, u, &when(3), "final"));
        case.insert("weight".into(), json!(exact));
    }
    if let Some(e) = d.ecog {
        let mut o = lab("ecog-now", "89262-0", json!(0), "1", &when(4), "final");
        o["resource"].as_object_mut().unwrap().remove("valueQuantity");
        o["resource"]["valueInteger"] = json!(e);
        entries.push(o);
        case.insert("ecog".into(), json!(e));
    }
    match d.als {
        Some(icd) => {
            entries.push(if icd {
                condition(
                    "als",
                    "http://hl7.org/fhir/sid/icd-10-cm",
                    "G12.21",
                    Some("active"),
                    Some("confirmed"),
                )
            } else {
                condition(
                    "als",
                    "http://snomed.info/sct",
                    "86044005",
                    Some("relapse"),
                    Some("confirmed"),
                )
            });
            case.insert("als".into(), json!(true));
        }
        // An unconfirmed diagnosis leaves it unknown.
        None => entries.push(condition(
            "als-maybe",
            "http://snomed.info/sct",
            "86044005",
            Some("active"),
            Some("provisional"),
        )),
    }
    if d.coagulopathy {
        entries.push(condition(
            "dic",
            "http://snomed.info/sct",
            "67406007",
            Some("active"),
            Some("confirmed"),
        ));
    }
    case.insert("coagulopathy".into(), json!(d.coagulopathy));
    if let Some((years, passed)) = d.age {
        // Evaluated on 2026-12-01: born on 1 June, the birthday of the year
        // has passed; born on 20 December, not yet, so a year earlier.
        let year = 2026 - years as i32 - i32::from(!passed);
        let day = if passed { "06-01" } else { "12-20" };
        entries.push(patient(&format!("{year}-{day}")));
        case.insert("age".into(), json!(years));
    } else {
        let mut p = patient("1950-01-01");
        p["resource"].as_object_mut().unwrap().remove("birthDate");
        entries.push(p);
    }
    // Decoys: none of them may change a fact.
    for k in 0..d.decoys {
        let i = usize::from(k);
        let t = |s: i64| stamp(INSTANT - s);
        entries.push(match k % 6 {
            // Older than any window.
            0 => lab(&format!("old-{i}"), "6690-2", json!(3), "10*9/L", &t(40 * 86_400), "final"),
            // In the window, but entered in error or cancelled, and newer than anything.
            1 => lab(&format!("err-{i}"), "777-3", json!(999), "10*9/L", &t(1), "entered-in-error"),
            2 => lab(&format!("can-{i}"), "14682-9", json!(9999), "umol/L", &t(1), "cancelled"),
            // After the instant.
            3 => lab(&format!("later-{i}"), "29463-7", json!(500), "kg", &stamp(INSTANT + 3600), "final"),
            // Another test altogether.
            4 => lab(&format!("hb-{i}"), "718-7", json!(9.5), "g/dL", &t(100), "final"),
            _ => json!({"fullUrl": format!("urn:uuid:enc-{i}"), "resource": {"resourceType": "Encounter", "id": format!("enc-{i}"), "status": "finished"}}),
        });
    }
    // The facts the record does not bind come from the case over it.
    for (k, v) in rest {
        if guideline()
            .fact_id(k)
            .is_some_and(|id| guideline().fact(id).binding.is_none())
        {
            extra.insert(k.clone(), v.clone());
            case.insert(k.clone(), v.clone());
        }
    }
    case.insert("as_of".into(), json!("2026-12-01"));
    // Shuffle nothing: the order of entries is already mixed by kind; the
    // reader must not depend on it, which the decoys' places test.
    (bundle(entries), Json::Object(case), Json::Object(extra))
}

fn space() -> &'static CaseSpace {
    static S: std::sync::OnceLock<CaseSpace> = std::sync::OnceLock::new();
    S.get_or_init(|| CaseSpace::of(guideline()))
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn a_record_evaluates_exactly_as_the_case_it_stands_for(d in drawn(), rest in space().partial()) {
        let g = guideline();
        let rest = rest.as_object().cloned().unwrap_or_default();
        let (bytes, case_json, extra) = build(&d, &rest);
        let mut record = read_record(g, &bytes, at("2026-12-01"))
            .map_err(|e| TestCaseError::fail(format!("the record reads: {e:?}")))?;
        let over = parse_case(g, &extra.to_string()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        record.complete_with(g, &over).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let case = parse_case(g, &case_json.to_string()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&record.case, &case, "the record and the case give the same facts");
        let from_case = evaluation_json(g, &guidelang::eval::evaluate(g, &case));
        let mut from_record = evaluation_json_with_record(g, &guidelang::eval::evaluate(g, &record.case), Some(&record));
        prop_assert!(from_record.get("record").is_some());
        from_record.as_object_mut().unwrap().remove("record");
        prop_assert_eq!(from_record, from_case);
    }
}
