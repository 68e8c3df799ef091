# Writes editors/vscode/test/*.test.gl: real lines of the bundled guidelines
# (refused if a line is not one of them), each followed by assertions on the
# scopes of its parts, for vscode-tmgrammar-test. Run from editors/vscode:
# `python3 test/generate.py`.
import re, sys
bundled = open("../../guidelines/als-hyperleukocytosis.gl").read().split("\n")
tls = open("../../guidelines/tumour-lysis-prophylaxis.gl").read().split("\n")

def real(lines, line):
    assert line in lines, f"not a line of the guideline: {line!r}"
    return line

def asserts(line, marks):
    out = []
    for (sub, scopes, *nth) in marks:
        n = nth[0] if nth else 0
        # A word is found whole (`or` is not the one in `apl_morphology`).
        if re.fullmatch(r"[A-Za-z0-9_]+", sub):
            pattern = r"(?<![A-Za-z0-9_-])" + re.escape(sub) + r"(?![A-Za-z0-9_-])"
        else:
            pattern = re.escape(sub)
        col = [m.start() for m in re.finditer(pattern, line)][n]
        if col == 0:
            out.append("# <" + "-" * len(sub) + " " + scopes)
        else:
            out.append("#" + " " * (col - 1) + "^" * len(sub) + " " + scopes)
    return out

def write(path, title, lines_src, cases):
    out = [f'# SYNTAX TEST "source.guidelang" "{title}"', ""]
    for line, marks in cases:
        out.append(real(lines_src, line))
        out.extend(asserts(line, marks))
        out.append("")
    open(path, "w").write("\n".join(out))

S = ".guidelang"
als = [
  ("# Hyperleukocytosis and acute leukemia in a patient who already has ALS.",
   [("#", "comment.line.number-sign" + S + " punctuation.definition.comment" + S),
    ("Hyperleukocytosis and acute leukemia", "comment.line.number-sign" + S)]),
  ("guideline als-hyperleukocytosis",
   [("guideline", "storage.type.guideline" + S), ("als-hyperleukocytosis", "entity.name.section.guideline" + S)]),
  ('  title "Hyperleukocytosis and acute leukemia with pre-existing ALS"',
   [("title", "keyword.other.field" + S), ('"', "string.quoted.double" + S + " punctuation.definition.string.begin" + S),
    ("Hyperleukocytosis and acute leukemia", "string.quoted.double" + S)]),
  ("  version 2.0.0", [("version", "keyword.other.field" + S), ("2.0.0", "constant.numeric.version" + S)]),
  ("  status in-review", [("status", "keyword.other.field" + S), ("in-review", "constant.language.status" + S)]),
  ("  updated 2026-12-01", [("updated", "keyword.other.field" + S), ("2026-12-01", "constant.other.date" + S)]),
  ("  applies when als and acute_leukemia",
   [("applies", "keyword.other.field" + S), ("when", "keyword.control" + S), ("als", "variable.other" + S),
    ("and", "keyword.operator.logical" + S), ("acute_leukemia", "variable.other" + S)]),
  ('reference 3 "Leukocytoreduction for acute leukemia" source "Therapeutic Apheresis" year 2002',
   [("reference", "storage.type.reference" + S), ("3", "constant.numeric.integer.reference" + S),
    ("Leukocytoreduction", "string.quoted.double" + S), ("source", "keyword.other.field" + S),
    ("year", "keyword.other.field" + S), ("2002", "constant.numeric.decimal" + S)]),
  ('action hydroxyurea "Hydroxyurea" urgent',
   [("action", "storage.type.action" + S), ("hydroxyurea", "entity.name.type.action" + S),
    ("Hydroxyurea", "string.quoted.double" + S), ("urgent", "keyword.other.field" + S)]),
  ('fact age: number in years from 0 to 130 "Age at diagnosis" recorded read from birth date',
   [("fact", "storage.type.fact" + S), ("age", "variable.other.fact" + S), (":", "punctuation.separator.colon" + S),
    ("number", "support.type" + S), ("in", "keyword.operator.word" + S), ("years", "keyword.other.unit" + S),
    ("from", "keyword.operator.word" + S), ("0", "constant.numeric.decimal" + S), ("to", "keyword.operator.word" + S),
    ("130", "constant.numeric.decimal" + S), ("Age at diagnosis", "string.quoted.double" + S),
    ("recorded", "keyword.other.field" + S), ("read", "keyword.other.binding" + S),
    ("from", "keyword.other.binding" + S, 1), ("birth date", "support.type.record" + S)]),
  ('fact wbc: number in 10^9/L from 0 "White blood cell count"',
   [("wbc", "variable.other.fact" + S), ("10^9/L", "keyword.other.unit" + S)]),
  ("  read from observation loinc 6690-2, 26464-8 within 48 h",
   [("read", "keyword.other.binding" + S), ("from", "keyword.other.binding" + S),
    ("observation", "support.type.record" + S), ("loinc", "support.constant.code-system" + S),
    ("6690-2", "constant.other.code" + S), ("26464-8", "constant.other.code" + S),
    ("within", "keyword.other.binding" + S), ("48", "constant.numeric.decimal" + S), ("h", "keyword.other.unit" + S)]),
  ("  read from observation loinc 2160-0, 14682-9 within 48 h",
   [("2160-0", "constant.other.code" + S), ("14682-9", "constant.other.code" + S)]),
  ("  read from condition icd10cm G12.21, snomed 86044005",
   [("condition", "support.type.record" + S), ("icd10cm", "support.constant.code-system" + S),
    ("G12.21", "constant.other.code" + S), ("snomed", "support.constant.code-system" + S),
    ("86044005", "constant.other.code" + S)]),
  ('fact als: bool "Pre-existing amyotrophic lateral sclerosis"',
   [("als", "variable.other.fact" + S), ("bool", "support.type" + S)]),
  ('fact ecog: integer from 0 to 4 "ECOG performance status" recorded',
   [("integer", "support.type" + S), ("4", "constant.numeric.decimal" + S)]),
  ('fact pml_rara: one of positive, negative, pending "PML-RARA result"',
   [("pml_rara", "variable.other.fact" + S), ("one", "keyword.operator.word" + S), ("of", "keyword.operator.word" + S),
    ("positive", "constant.other.enum-value" + S), (",", "punctuation.separator.comma" + S),
    ("negative", "constant.other.enum-value" + S), ("pending", "constant.other.enum-value" + S),
    ("PML-RARA result", "string.quoted.double" + S)]),
  ("define hyperleukocytosis: wbc > 100",
   [("define", "storage.type.define" + S), ("hyperleukocytosis", "variable.other.definition" + S),
    ("wbc", "variable.other" + S), (">", "keyword.operator.comparison" + S), ("100", "constant.numeric.decimal" + S)]),
  ("define apl: apl_morphology or pml_rara is positive",
   [("apl_morphology", "variable.other" + S), ("or", "keyword.operator.logical" + S),
    ("is", "keyword.operator.word" + S), ("positive", "constant.other.enum-value" + S)]),
  ("define apl_excluded: pml_rara is negative and not apl_morphology",
   [("not", "keyword.operator.logical" + S), ("negative", "constant.other.enum-value" + S)]),
  ("define leukostasis_present: leukostasis is one of (pulmonary, cerebral)",
   [("(", "punctuation.section.parens.begin" + S), ("pulmonary", "constant.other.enum-value" + S),
    ("cerebral", "constant.other.enum-value" + S), (")", "punctuation.section.parens.end" + S)]),
  ("define neutropenia: anc < 0.5", [("<", "keyword.operator.comparison" + S), ("0.5", "constant.numeric.decimal" + S)]),
  ("define laboratory_tls: at least 2 of (uric_acid >= 8, potassium >= 6, phosphate >= 4.5, calcium <= 7)",
   [("at", "keyword.operator.word" + S), ("least", "keyword.operator.word" + S), ("2", "constant.numeric.decimal" + S),
    ("of", "keyword.operator.word" + S), ("uric_acid", "variable.other" + S), (">=", "keyword.operator.comparison" + S),
    ("4.5", "constant.numeric.decimal" + S), ("<=", "keyword.operator.comparison" + S)]),
  ("define bsa in m2: sqrt(height * weight / 3600)",
   [("bsa", "variable.other.definition" + S), ("in", "keyword.operator.word" + S), ("m2", "keyword.other.unit" + S),
    ("sqrt", "support.function" + S), ("*", "keyword.operator.arithmetic" + S), ("/", "keyword.operator.arithmetic" + S),
    ("3600", "constant.numeric.decimal" + S)]),
  ('  "Hyperleukocytosis: white count above 100 × 10^9/L."',
   [("Hyperleukocytosis: white count above 100", "string.quoted.double" + S)]),
  ("rule no-intensive-induction-in-als: contraindicated intensive_induction",
   [("rule", "storage.type.rule" + S), ("no-intensive-induction-in-als", "entity.name.function.rule" + S),
    ("contraindicated", "constant.language.verdict.contraindicated" + S),
    ("intensive_induction", "entity.name.type.action" + S)]),
  ("rule supportive-care-in-als: recommend best_supportive_care",
   [("recommend", "constant.language.verdict.recommend" + S), ("best_supportive_care", "entity.name.type.action" + S)]),
  ("rule no-lumbar-puncture-in-als: avoid lumbar_puncture",
   [("avoid", "constant.language.verdict.avoid" + S), ("lumbar_puncture", "entity.name.type.action" + S)]),
  ("rule leukapheresis-for-refractory-leukostasis: consider leukapheresis",
   [("consider", "constant.language.verdict.consider" + S)]),
  ("  when leukostasis_present and hydroxyurea_response is refractory and apl_excluded",
   [("when", "keyword.control" + S), ("leukostasis_present", "variable.other" + S),
    ("refractory", "constant.other.enum-value" + S), ("apl_excluded", "variable.other" + S)]),
  ("  overrides no-leukapheresis-for-cytoreduction",
   [("overrides", "keyword.other.field" + S), ("no-leukapheresis-for-cytoreduction", "entity.name.function.rule" + S)]),
  ("  dose 50 to 60 mg/kg/day by weight",
   [("dose", "keyword.other.field" + S), ("50", "constant.numeric.decimal" + S), ("to", "keyword.operator.word" + S),
    ("60", "constant.numeric.decimal" + S), ("mg/kg/day", "keyword.other.unit" + S), ("by", "keyword.other.field" + S),
    ("weight", "variable.other" + S)]),
  ('  detail "Care with palliative intent."',
   [("detail", "keyword.other.field" + S), ("Care with palliative intent.", "string.quoted.double" + S)]),
  ('  warn "Oral capsules: plan how they will be given to a patient who has difficulty swallowing." when dysphagia',
   [("warn", "keyword.other.field" + S), ("Oral capsules", "string.quoted.double" + S),
    ("when", "keyword.control" + S, 0), ("dysphagia", "variable.other" + S)]),
  ('  because "Oral cytoreduction is the first-line way to bring the white count down quickly."',
   [("because", "keyword.other.field" + S)]),
  ("  cite 1, 4, 5, 7",
   [("cite", "keyword.other.field" + S), ("1", "constant.numeric.integer.reference" + S),
    (",", "punctuation.separator.comma" + S), ("7", "constant.numeric.integer.reference" + S)]),
  ("note early-mortality:",
   [("note", "storage.type.note" + S), ("early-mortality", "entity.name.function.note" + S)]),
  ('  says "With ALS and acute leukemia together, median survival is likely weeks to months."',
   [("says", "keyword.other.field" + S), ("With ALS", "string.quoted.double" + S)]),
  ("  when always", [("when", "keyword.control" + S), ("always", "keyword.control" + S)]),
  ("invariant leukapheresis-never-in-apl:",
   [("invariant", "storage.type.invariant" + S), ("leukapheresis-never-in-apl", "entity.name.function.invariant" + S)]),
  ("  never consider or recommend leukapheresis when apl",
   [("never", "keyword.control" + S), ("consider", "constant.language.verdict.consider" + S),
    ("or", "keyword.operator.logical" + S), ("recommend", "constant.language.verdict.recommend" + S),
    ("leukapheresis", "entity.name.type.action" + S), ("apl", "variable.other" + S)]),
  ("  never avoid or contraindicated atra when apl",
   [("avoid", "constant.language.verdict.avoid" + S), ("contraindicated", "constant.language.verdict.contraindicated" + S),
    ("atra", "entity.name.type.action" + S)]),
]
write("test/als-hyperleukocytosis.test.gl", "lines of guidelines/als-hyperleukocytosis.gl", bundled, als)

als_tail = [
  ("  always decide hydroxyurea when wbc is known and wbc > 100",
   [("always", "keyword.control" + S), ("decide", "keyword.control" + S), ("hydroxyurea", "entity.name.type.action" + S),
    ("is", "keyword.operator.word" + S), ("known", "keyword.operator.word" + S)]),
]
write("test/als-hyperleukocytosis.test.gl", "lines of guidelines/als-hyperleukocytosis.gl", bundled, als + als_tail)

tls_cases = [
  ('fact creatinine: number in mg/dL from 0 molar mass 113.12 g/mol "Serum creatinine"',
   [("mg/dL", "keyword.other.unit" + S), ("molar", "keyword.other.field" + S), ("mass", "keyword.other.field" + S),
    ("113.12", "constant.numeric.decimal" + S), ("g/mol", "keyword.other.unit" + S)]),
  ('fact potassium: number in mmol/L from 0 "Serum potassium"', [("mmol/L", "keyword.other.unit" + S)]),
  ("define uric_acid_criterion: uric_acid >= 8 or uric_acid is at least 25 % above uric_acid_baseline",
   [("is", "keyword.operator.word" + S), ("at", "keyword.operator.word" + S), ("least", "keyword.operator.word" + S),
    ("25", "constant.numeric.decimal" + S), ("%", "keyword.other.unit" + S), ("above", "keyword.operator.word" + S),
    ("uric_acid_baseline", "variable.other" + S)]),
  ('category tls_risk "Risk of tumour lysis":',
   [("category", "storage.type.category" + S), ("tls_risk", "variable.other.definition" + S),
    ("Risk of tumour lysis", "string.quoted.double" + S)]),
  ("  low otherwise", [("low", "variable.other" + S), ("otherwise", "keyword.control" + S)]),
  ("  when tls_risk is high and g6pd_status is not deficient",
   [("high", "constant.other.enum-value" + S), ("not", "keyword.operator.logical" + S),
    ("deficient", "constant.other.enum-value" + S)]),
  ('  dose 150 mg/m2/day by bsa at most 400 mg/day "in 3 doses" if renal_dysfunction otherwise 300 mg/m2/day by bsa at most 800 mg/day "in 3 doses"',
   [("150", "constant.numeric.decimal" + S), ("mg/m2/day", "keyword.other.unit" + S), ("bsa", "variable.other" + S),
    ("at", "keyword.operator.word" + S), ("most", "keyword.operator.word" + S), ("400", "constant.numeric.decimal" + S),
    ("mg/day", "keyword.other.unit" + S), ("in 3 doses", "string.quoted.double" + S), ("if", "keyword.control" + S),
    ("renal_dysfunction", "variable.other" + S), ("otherwise", "keyword.control" + S),
    ("300", "constant.numeric.decimal" + S)]),
]
write("test/tumour-lysis-prophylaxis.test.gl", "lines of guidelines/tumour-lysis-prophylaxis.gl", tls, tls_cases)
