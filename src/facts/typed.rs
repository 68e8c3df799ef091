//! Reading a case straight into its fact slots: the guideline's fact table
//! drives a serde visitor, so each key is matched against the declared facts
//! and each value checked against its fact's type and range as the JSON is
//! read, with no intermediate `serde_json::Value`, no owned keys and no
//! pre-scan of the text (issue 19).
//!
//! This reader only ever *accepts*. At the first thing it does not accept,
//! whatever it is (a misspelt key, a wrong type, a nested value, a key given
//! twice, a number wider than 64 bits, broken JSON), it stops and hands the
//! whole text to the reference reader ([`super::parse_case_reference`]),
//! which finds and words every problem exactly as it always has. Refusals are
//! the cold path of a batch, so their wording lives in one place; the typed
//! reader must accept exactly what the reference accepts, with the same
//! values, which `tests/it/case_reader.rs` checks on random valid and invalid
//! lines.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::{future_dates, parse_case_reference, Case, CaseError, Value, AS_OF_KEY, MAX_CASE_BYTES};
use crate::model::{FactId, FactKind, Guideline};

/// Guidelines with more facts than this get a hash index for their names;
/// below it comparing the names in turn is cheaper than hashing.
const INDEX_ABOVE_FACTS: usize = 32;

/// 2^53, as in the reference reader: past it whole numbers share a double.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// Whole doubles at least this large may have come from an integer literal
/// wider than 64 bits, whose rounding only the text shows: such a value is
/// left to the reference reader, which still has the text.
const WIDE_LITERAL: f64 = 9_223_372_036_854_775_808.0; // 2^63

/// A reusable reader of cases for one guideline: a batch worker keeps one,
/// so that reading a case allocates nothing once its buffers have grown.
pub struct CaseReader<'g> {
    g: &'g Guideline,
    /// Fact names to ids, for guidelines with many facts.
    index: Option<HashMap<&'g str, FactId>>,
    /// Which facts the case being read has given (a `null` gives one too).
    given: Vec<bool>,
}

impl fmt::Debug for CaseReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseReader")
            .field("guideline", &self.g.meta.id)
            .finish()
    }
}

impl<'g> CaseReader<'g> {
    /// A reader of cases of `g`.
    pub fn new(g: &'g Guideline) -> Self {
        let index = (g.facts.len() > INDEX_ABOVE_FACTS).then(|| {
            g.facts
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.as_str(), FactId(i as u32)))
                .collect()
        });
        CaseReader {
            g,
            index,
            given: Vec::new(),
        }
    }

    /// Parses and validates a case given as JSON text into `case`, whose
    /// buffer is reused. On error `case` holds nothing to evaluate, and the
    /// errors are those of [`super::parse_case`], every problem found.
    pub fn read_into(&mut self, text: &str, case: &mut Case) -> Result<(), Vec<CaseError>> {
        if self.accept(text, case) {
            return Ok(());
        }
        // Whatever the typed reader did not accept is judged, and worded,
        // by the reference reader.
        match parse_case_reference(self.g, text) {
            Ok(found) => {
                *case = found;
                Ok(())
            }
            Err(errors) => {
                case.reset(self.g);
                Err(errors)
            }
        }
    }

    /// Parses and validates a case given as JSON text.
    pub fn read(&mut self, text: &str) -> Result<Case, Vec<CaseError>> {
        let mut case = Case::empty(self.g);
        self.read_into(text, &mut case).map(|()| case)
    }

    /// True when `text` is a case the reference reader accepts, read into
    /// `case`; false when it is left to the reference reader.
    fn accept(&mut self, text: &str, case: &mut Case) -> bool {
        if text.len() > MAX_CASE_BYTES {
            return false;
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        case.reset(self.g);
        self.given.clear();
        self.given.resize(self.g.facts.len(), false);
        let mut de = serde_json::Deserializer::from_str(text);
        let seed = CaseSeed {
            g: self.g,
            index: self.index.as_ref(),
            given: &mut self.given,
            case,
        };
        if seed.deserialize(&mut de).and_then(|()| de.end()).is_err() {
            return false;
        }
        // A date after the evaluation date the case gives is refused.
        case.as_of.is_none_or(|day| future_dates(self.g, case, day).is_empty())
    }
}

/// The case as a whole: a JSON object whose keys are facts.
struct CaseSeed<'r, 'g> {
    g: &'g Guideline,
    index: Option<&'r HashMap<&'g str, FactId>>,
    given: &'r mut [bool],
    case: &'r mut Case,
}

/// Not accepted: the reference reader says why. Building it is the cold
/// path, so its (unused) text costs nothing that matters.
fn refused<E: de::Error>() -> E {
    E::custom("left to the reference reader")
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CaseSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object of facts")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut as_of_given = false;
        while let Some(key) = map.next_key_seed(KeySeed {
            g: self.g,
            index: self.index,
        })? {
            match key {
                Key::AsOf => {
                    if std::mem::replace(&mut as_of_given, true) {
                        return Err(refused());
                    }
                    let day = map.next_value_seed(ValueSeed {
                        kind: &FactKind::Date,
                        nullable: false,
                    })?;
                    match day {
                        Some(Value::Num(day)) => self.case.as_of = Some(day),
                        _ => return Err(refused()),
                    }
                }
                Key::Fact(id) => {
                    let slot = self.given.get_mut(id.index()).ok_or_else(refused)?;
                    if std::mem::replace(slot, true) {
                        return Err(refused());
                    }
                    let value = map.next_value_seed(ValueSeed {
                        kind: &self.g.fact(id).kind,
                        nullable: true,
                    })?;
                    self.case.set(id, value);
                }
            }
        }
        Ok(())
    }
}

/// What a key names.
enum Key {
    /// The evaluation date.
    AsOf,
    /// A declared fact.
    Fact(FactId),
}

/// A key, matched against the declared facts as it is read (borrowed from
/// the text unless it holds escapes).
struct KeySeed<'r, 'g> {
    g: &'g Guideline,
    index: Option<&'r HashMap<&'g str, FactId>>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a fact's name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        if key == AS_OF_KEY {
            return Ok(Key::AsOf);
        }
        let found = match self.index {
            Some(index) => index.get(key).copied(),
            None => self
                .g
                .facts
                .iter()
                .position(|f| f.name == key)
                .map(|i| FactId(i as u32)),
        };
        found.map(Key::Fact).ok_or_else(refused)
    }
}

/// A fact's value, checked against its declaration while it is read.
/// `None` is `null` (unknown), which `nullable: false` refuses.
struct ValueSeed<'g> {
    kind: &'g FactKind,
    nullable: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_> {
    /// A number given as `x`, `exact` when `x` is the literal's value
    /// itself (not a rounding of it), with the reference reader's checks.
    fn number<E: de::Error>(&self, x: f64, exact: bool) -> Result<Option<Value>, E> {
        let in_range = |min: &Option<f64>, max: &Option<f64>| {
            x.is_finite() && min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m)
        };
        let ok = exact
            && match self.kind {
                FactKind::Integer { min, max } => {
                    x.fract() == 0.0 && in_range(min, max) && x.abs() <= MAX_EXACT_INTEGER
                }
                FactKind::Number { min, max, .. } => in_range(min, max),
                _ => false,
            };
        if ok {
            Ok(Some(Value::Num(x)))
        } else {
            Err(refused())
        }
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a fact's value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        if self.nullable {
            Ok(None)
        } else {
            Err(refused())
        }
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<Value>, E> {
        match self.kind {
            FactKind::Bool => Ok(Some(Value::Bool(b))),
            _ => Err(refused()),
        }
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Option<Value>, E> {
        let x = u as f64;
        // Converting back shows whether the double holds the integer exactly.
        self.number(x, x as u128 == u128::from(u))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Option<Value>, E> {
        let x = i as f64;
        self.number(x, x as i128 == i128::from(i))
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Option<Value>, E> {
        // A decimal literal is read as its nearest double, as the reference
        // does; a whole double this large may be a rounded wide integer.
        let wide = x.fract() == 0.0 && x.abs() >= WIDE_LITERAL;
        self.number(x, !wide)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<Value>, E> {
        match self.kind {
            FactKind::Date => crate::time::parse_day(s)
                .map(|d| Some(Value::Num(d)))
                .map_err(|_| refused()),
            FactKind::Enum { values } => values
                .iter()
                .position(|v| v == s)
                .map(|i| Some(Value::Enum(i as u8)))
                .ok_or_else(refused),
            _ => Err(refused()),
        }
    }
}
