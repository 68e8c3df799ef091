//! Units of measure as products of named atoms with integer powers.
//!
//! No conversions: `mg` and `g` are different atoms. A guideline states each fact
//! in one unit, and the checker's job is to catch a quantity used in the wrong
//! dimension (kg added to cm), not to convert between scales.

use std::collections::BTreeMap;
use std::fmt;

/// A unit: atoms with non-zero powers. The empty unit is dimensionless.
/// Equality is by powers; the written form is kept only for display.
#[derive(Clone, Debug, Default)]
pub struct Unit {
    powers: BTreeMap<String, i32>,
    written: Option<String>,
}

impl PartialEq for Unit {
    fn eq(&self, other: &Self) -> bool {
        self.powers == other.powers
    }
}

impl Eq for Unit {}

impl std::hash::Hash for Unit {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.powers.hash(state);
    }
}

impl Unit {
    /// The dimensionless unit.
    pub fn one() -> Self {
        Unit::default()
    }

    /// Parses a unit as written: `mg/kg/day`, `10^9/L`, `m2`, `%`, `L*m`.
    /// Everything after the first `/` is in the denominator.
    pub fn parse(text: &str) -> Result<Unit, String> {
        let mut unit = Unit::one();
        let mut sign = 1;
        let mut atom = String::new();
        let flush = |atom: &mut String, sign: i32, unit: &mut Unit| -> Result<(), String> {
            if atom.is_empty() {
                return Err(format!("`{text}` has an empty part"));
            }
            let (name, power) = split_power(atom);
            unit.add(&name, sign * power);
            atom.clear();
            Ok(())
        };
        for c in text.chars() {
            match c {
                '/' => {
                    flush(&mut atom, sign, &mut unit)?;
                    sign = -1;
                }
                '*' => flush(&mut atom, sign, &mut unit)?,
                c => atom.push(c),
            }
        }
        flush(&mut atom, sign, &mut unit)?;
        unit.written = Some(text.to_string());
        Ok(unit)
    }

    fn add(&mut self, name: &str, power: i32) {
        self.written = None;
        let entry = self.powers.entry(name.to_string()).or_insert(0);
        *entry += power;
        if *entry == 0 {
            self.powers.remove(name);
        }
    }

    /// True when dimensionless.
    pub fn is_one(&self) -> bool {
        self.powers.is_empty()
    }

    /// The product of two units.
    pub fn mul(&self, other: &Unit) -> Unit {
        let mut out = self.clone();
        for (k, v) in &other.powers {
            out.add(k, *v);
        }
        out
    }

    /// The quotient of two units.
    pub fn div(&self, other: &Unit) -> Unit {
        let mut out = self.clone();
        for (k, v) in &other.powers {
            out.add(k, -*v);
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
            out.add(k, v / 2);
        }
        Some(out)
    }

    /// The atoms with their powers.
    pub fn powers(&self) -> impl Iterator<Item = (&str, i32)> {
        self.powers.iter().map(|(k, v)| (k.as_str(), *v))
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

    #[test]
    fn parses_and_cancels() {
        let dose = Unit::parse("mg/kg/day").unwrap();
        let kg = Unit::parse("kg").unwrap();
        assert_eq!(dose.mul(&kg).to_string(), "mg/day");
        let m2 = Unit::parse("m2").unwrap();
        assert_eq!(m2, Unit::parse("m^2").unwrap());
        assert_eq!(m2.sqrt().unwrap().to_string(), "m");
        assert_eq!(Unit::parse("10^9/L").unwrap().to_string(), "10^9/L");
        assert!(Unit::parse("kg").unwrap().sqrt().is_none());
        assert_eq!(Unit::parse("L/m2/day").unwrap().mul(&m2).to_string(), "L/day");
        assert!(Unit::parse("a//b").is_err());
    }
}
