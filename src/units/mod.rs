//! Units of measure: UCUM codes (see `ucum.rs`), checked when a guideline is
//! read, with exact conversions between units of one dimension.
//!
//! A unit keeps the atoms the editor wrote (with their powers), for display:
//! `mg/kg/day` times `kg` prints `mg/day`. Its meaning is its canonical form,
//! an exact scale and a dimension in base units: two units are equal when
//! those agree (`mg/kg/day` = `mg/kg/d`), and convert by the ratio of their
//! scales when only the scales differ (`/uL` to `10^9/L`: 1/1000).

mod ratio;
mod ucum;

use std::collections::BTreeMap;
use std::fmt;

pub use ratio::Ratio;
pub use ucum::{Dims, BASES};

/// The largest power an atom may be written with (`m3`, `s-2`...): past it a
/// unit is a typo, and the exact scale would not fit anyway.
const MAX_POWER: i32 = 12;

/// What a unit means: an exact scale times a product of base dimensions.
/// `None` scale: out of the exact range (only absurd prefix chains reach it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Canon {
    scale: Option<Ratio>,
    dims: Dims,
}

impl Canon {
    fn one() -> Canon {
        Canon {
            scale: Some(Ratio::ONE),
            dims: [0; 8],
        }
    }

    fn times(self, other: Canon, power: i32) -> Canon {
        let mut dims = self.dims;
        for (d, o) in dims.iter_mut().zip(other.dims) {
            *d += o * power;
        }
        let scale = match (self.scale, other.scale) {
            (Some(a), Some(b)) => b.pow(power).and_then(|b| a.times(b)),
            _ => None,
        };
        Canon { scale, dims }
    }
}

/// Why a written unit is not one, with the unit it most likely meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitError {
    /// What is wrong, for the message.
    pub message: String,
    /// The whole unit corrected, when a close UCUM spelling exists.
    pub suggestion: Option<String>,
    /// True when the correction only changes letter case.
    pub case_only: bool,
}

impl UnitError {
    fn plain(message: String) -> UnitError {
        UnitError {
            message,
            suggestion: None,
            case_only: false,
        }
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A unit: atoms with non-zero powers. The empty unit is dimensionless.
/// Equality is by meaning (scale and dimension); the written form is kept
/// only for display.
#[derive(Clone, Debug)]
pub struct Unit {
    powers: BTreeMap<String, i32>,
    written: Option<String>,
    canon: Canon,
}

impl Default for Unit {
    fn default() -> Self {
        Unit {
            powers: BTreeMap::new(),
            written: None,
            canon: Canon::one(),
        }
    }
}

impl PartialEq for Unit {
    fn eq(&self, other: &Self) -> bool {
        match (self.canon.scale, other.canon.scale) {
            (Some(_), Some(_)) => self.canon == other.canon,
            _ => self.powers == other.powers,
        }
    }
}

impl Eq for Unit {}

impl std::hash::Hash for Unit {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Equal units have equal dimensions, whichever way they compare.
        self.canon.dims.hash(state);
    }
}

impl Unit {
    /// The dimensionless unit.
    pub fn one() -> Self {
        Unit::default()
    }

    /// Parses a unit as written: `mg/kg/day`, `10^9/L`, `10*9/L`, `/uL`,
    /// `m2`, `%`, `mm[Hg]`, `L*m`. Everything after the first `/` is in the
    /// denominator; a leading `/` means "per". Every atom must be a UCUM
    /// code or one of the accepted synonyms.
    pub fn parse(text: &str) -> Result<Unit, UnitError> {
        let mut unit = Unit::one();
        let mut sign = 1;
        let mut atom = String::new();
        let mut fixed: Vec<(String, bool)> = Vec::new();
        let mut error: Option<String> = None;
        let body = text.strip_prefix('/');
        if body.is_some() {
            sign = -1;
        }
        let body = body.unwrap_or(text);
        let mut flush = |atom: &mut String, sign: i32, unit: &mut Unit| -> Result<(), UnitError> {
            if atom.is_empty() {
                return Err(UnitError::plain(format!("`{text}` has an empty part")));
            }
            let (name, power) = split_power(atom);
            if !(-MAX_POWER..=MAX_POWER).contains(&power) {
                return Err(UnitError::plain(format!(
                    "`{atom}` raises a unit to a power beyond {MAX_POWER}"
                )));
            }
            match ucum::resolve(&name) {
                Some(r) => {
                    fixed.push((atom.clone(), false));
                    unit.add(
                        &name,
                        sign * power,
                        Canon {
                            scale: Some(r.scale),
                            dims: r.dims,
                        },
                    );
                }
                None => {
                    let guess = ucum::closest(&name);
                    if error.is_none() {
                        error = Some(name.clone());
                    }
                    match guess {
                        Some((code, case_only)) => {
                            fixed.push((atom.replacen(&name, &code, 1), case_only));
                        }
                        None => fixed.push((String::new(), false)),
                    }
                }
            }
            atom.clear();
            Ok(())
        };
        // `10*9` is one atom (ten to the ninth), not `10` times `9`.
        let mut chars = body.chars().peekable();
        let mut separators = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '/' => {
                    flush(&mut atom, sign, &mut unit)?;
                    separators.push('/');
                    sign = -1;
                }
                '*' if atom == "10" && chars.peek().is_some_and(char::is_ascii_digit) => atom.push(c),
                '*' => {
                    flush(&mut atom, sign, &mut unit)?;
                    separators.push('*');
                }
                c => atom.push(c),
            }
        }
        flush(&mut atom, sign, &mut unit)?;
        if let Some(wrong) = error {
            let suggestion = (!fixed.iter().any(|(f, _)| f.is_empty())).then(|| {
                let mut s = String::from(if text.starts_with('/') { "/" } else { "" });
                for (i, (part, _)) in fixed.iter().enumerate() {
                    if i > 0 {
                        s.push(separators.get(i - 1).copied().unwrap_or('/'));
                    }
                    s.push_str(part);
                }
                s
            });
            let case_only = fixed.iter().any(|(_, c)| *c);
            return Err(UnitError {
                message: format!("`{wrong}` is not a UCUM unit"),
                suggestion,
                case_only,
            });
        }
        unit.written = Some(text.to_string());
        Ok(unit)
    }

    fn add(&mut self, name: &str, power: i32, canon: Canon) {
        self.written = None;
        self.canon = self.canon.times(canon, power);
        let entry = self.powers.entry(name.to_string()).or_insert(0);
        *entry += power;
        if *entry == 0 {
            self.powers.remove(name);
        }
    }

    /// True when dimensionless and unscaled.
    pub fn is_one(&self) -> bool {
        self.powers.is_empty()
    }

    /// The product of two units.
    pub fn mul(&self, other: &Unit) -> Unit {
        self.combine(other, 1)
    }

    /// The quotient of two units.
    pub fn div(&self, other: &Unit) -> Unit {
        self.combine(other, -1)
    }

    fn combine(&self, other: &Unit, sign: i32) -> Unit {
        let mut out = self.clone();
        out.written = None;
        out.canon = out.canon.times(other.canon, sign);
        for (k, v) in &other.powers {
            let entry = out.powers.entry(k.clone()).or_insert(0);
            *entry += sign * v;
            if *entry == 0 {
                out.powers.remove(k);
            }
        }
        out
    }

    /// The square root, when every power is even.
    pub fn sqrt(&self) -> Option<Unit> {
        let mut out = Unit::one();
        for (k, v) in &self.powers {
            if v % 2 != 0 {
                return None;
            }
            out.powers.insert(k.clone(), v / 2);
        }
        let mut dims = self.canon.dims;
        for d in &mut dims {
            *d /= 2;
        }
        out.canon = Canon {
            scale: self.canon.scale.and_then(Ratio::sqrt),
            dims,
        };
        Some(out)
    }

    /// The atoms with their powers.
    pub fn powers(&self) -> impl Iterator<Item = (&str, i32)> {
        self.powers.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// The dimension in base units ([`BASES`]).
    pub fn dims(&self) -> Dims {
        self.canon.dims
    }

    /// The exact factor that turns a value in `self` into one in `to`, when
    /// both measure one dimension: `g` to `mg` is 1000.
    pub fn factor_to(&self, to: &Unit) -> Option<Ratio> {
        if self.canon.dims != to.canon.dims {
            return None;
        }
        self.canon.scale?.over(to.canon.scale?)
    }

    /// The factor that turns a value in `self` into one in `to` through a
    /// molar mass (in g/mol): when one is an amount (`umol/L`) and the other
    /// the mass of the same amount (`mg/dL`).
    pub fn factor_via_molar_mass(&self, to: &Unit, grams_per_mole: Ratio) -> Option<Ratio> {
        let power = molar_power(self, to)?;
        self.canon
            .scale?
            .over(to.canon.scale?)?
            .times(grams_per_mole.pow(power)?)
    }

    /// True when `self` and `to` differ exactly by a mass per amount, so a
    /// molar mass would convert them.
    pub fn needs_molar_mass(&self, to: &Unit) -> bool {
        molar_power(self, to).is_some()
    }
}

/// `1` when `to` is `from` times g/mol, `-1` when it is `from` times mol/g.
fn molar_power(from: &Unit, to: &Unit) -> Option<i32> {
    let diff: Vec<i32> = to.canon.dims.iter().zip(from.canon.dims).map(|(t, f)| t - f).collect();
    let per_mole = [0, 0, 1, -1, 0, 0, 0, 0];
    if diff == per_mole {
        Some(1)
    } else if diff.iter().zip(per_mole).all(|(d, p)| *d == -p) {
        Some(-1)
    } else {
        None
    }
}

/// `m2` is `m` squared and `m^2` too; `10^9` is an atom of its own (a scale).
fn split_power(atom: &str) -> (String, i32) {
    if atom.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return (atom.to_string(), 1);
    }
    if let Some((name, p)) = atom.split_once('^') {
        if let Ok(p) = p.parse::<i32>() {
            return (name.to_string(), p);
        }
    }
    let digits = atom.len() - atom.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && digits < atom.len() {
        let (name, p) = atom.split_at(atom.len() - digits);
        if let Ok(p) = p.parse::<i32>() {
            return (name.to_string(), p);
        }
    }
    (atom.to_string(), 1)
}

impl fmt::Display for Unit {
    /// Numerator atoms first, then each denominator atom after a `/`:
    /// `mg/kg/day`, `10^9/L`, `m2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(w) = &self.written {
            return f.write_str(w);
        }
        if self.is_one() {
            return f.write_str("1");
        }
        let show = |name: &str, p: i32| {
            if p == 1 {
                name.to_string()
            } else if name.ends_with(|c: char| c.is_ascii_digit()) {
                format!("{name}^{p}")
            } else {
                format!("{name}{p}")
            }
        };
        let num: Vec<String> = self
            .powers
            .iter()
            .filter(|(_, p)| **p > 0)
            .map(|(k, p)| show(k, *p))
            .collect();
        let den: Vec<String> = self
            .powers
            .iter()
            .filter(|(_, p)| **p < 0)
            .map(|(k, p)| show(k, -*p))
            .collect();
        let mut out = if num.is_empty() { "1".to_string() } else { num.join("*") };
        for d in den {
            out.push('/');
            out.push_str(&d);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(text: &str) -> Unit {
        Unit::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn parses_and_cancels() {
        let dose = u("mg/kg/day");
        let kg = u("kg");
        assert_eq!(dose.mul(&kg).to_string(), "mg/day");
        let m2 = u("m2");
        assert_eq!(m2, u("m^2"));
        assert_eq!(m2.sqrt().expect("even").to_string(), "m");
        assert_eq!(u("10^9/L").to_string(), "10^9/L");
        assert!(u("kg").sqrt().is_none());
        assert_eq!(u("L/m2/day").mul(&m2).to_string(), "L/day");
        assert!(Unit::parse("a//b").is_err());
    }

    #[test]
    fn synonyms_mean_their_ucum_codes() {
        assert_eq!(u("mg/kg/day"), u("mg/kg/d"));
        assert_eq!(u("years"), u("a"));
        assert_eq!(u("10^9/L"), u("10*9/L"));
        assert_eq!(u("µg"), u("ug"));
        assert_eq!(u("mcg"), u("ug"));
        assert_ne!(u("mg/dL"), u("mg/L"));
    }

    /// Conversions from the UCUM specification's tables and everyday ones.
    #[test]
    fn conversions_are_exact() {
        let f = |from: &str, to: &str| u(from).factor_to(&u(to)).map(Ratio::to_f64);
        assert_eq!(f("g", "mg"), Some(1000.0));
        assert_eq!(f("/uL", "10^9/L"), Some(0.001));
        assert_eq!(f("10*3/uL", "10*9/L"), Some(1.0));
        assert_eq!(f("g/dL", "g/L"), Some(10.0));
        assert_eq!(f("h", "min"), Some(60.0));
        assert_eq!(f("wk", "d"), Some(7.0));
        assert_eq!(f("a", "d"), Some(365.25));
        assert_eq!(f("mo", "d"), Some(30.4375));
        assert_eq!(f("mm[Hg]", "kPa"), Some(0.133322));
        assert_eq!(f("[lb_av]", "kg"), Some(0.45359237));
        assert_eq!(f("%", "[ppth]"), Some(10.0));
        assert_eq!(f("U", "ukat"), Some(1.0 / 60.0));
        assert_eq!(f("mL", "cm3"), Some(1.0));
        assert_eq!(f("kg", "L"), None);
        assert_eq!(f("[IU]/L", "U/L"), None);
        assert_eq!(f("mmol/L", "meq/L"), None);
    }

    #[test]
    fn molar_mass_converts_amount_to_mass() {
        // Creatinine, 113.12 g/mol: 100 umol/L is 1.1312 mg/dL.
        let m = Ratio::parse_decimal("113.12").expect("decimal");
        let k = u("umol/L").factor_via_molar_mass(&u("mg/dL"), m).expect("converts");
        assert_eq!(Ratio::int(100).times(k).map(Ratio::to_f64), Some(1.1312));
        let back = u("mg/dL").factor_via_molar_mass(&u("umol/L"), m).expect("converts");
        assert_eq!(k.times(back), Some(Ratio::ONE));
        assert!(u("umol/L").needs_molar_mass(&u("mg/dL")));
        assert!(!u("umol/L").needs_molar_mass(&u("mg/kg")));
    }

    #[test]
    fn typos_get_the_ucum_spelling() {
        let e = Unit::parse("mg/kg/dya").expect_err("typo");
        assert_eq!(e.suggestion.as_deref(), Some("mg/kg/d"));
        assert!(!e.case_only);
        let e = Unit::parse("mg/dl").expect_err("lower-case litre");
        assert_eq!(e.suggestion.as_deref(), Some("mg/dL"));
        assert!(e.case_only);
        assert_eq!(e.message, "`dl` is not a UCUM unit");
        let e = Unit::parse("MG").expect_err("upper-case milligram");
        assert_eq!(e.suggestion.as_deref(), Some("mg"));
        assert!(Unit::parse("zorglub").expect_err("nothing close").suggestion.is_none());
        // Prefixes go on metric units only.
        assert!(Unit::parse("kmin").is_err());
        // A huge power is refused, not computed.
        assert!(Unit::parse("m^2000000000").is_err());
    }
}
