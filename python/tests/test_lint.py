"""`Guideline.lint`: findings as objects, each witness a case that shows the
problem when evaluated."""

import guidelang

# Two rules on leukapheresis that agree on no verdict and have no precedence
# between them (the lint example of the Rust tests): a clash whenever both hold.
CLASH = '''guideline leukapheresis-example
  title "Leukapheresis (lint example)"
  version 1.0.0
  status draft
  applies when als

reference 1 "Example"

fact als: bool "ALS diagnosed."
fact wbc: number in 10^9/L from 0 "White blood cell count."
fact leukostasis: one of none, pulmonary, cerebral "Signs of leukostasis."
fact hydroxyurea_response: one of not_started, responding, refractory "Answer to hydroxyurea."

define hyperleukocytosis: wbc > 100

rule leukapheresis-for-refractory-leukostasis: consider leukapheresis
  when hyperleukocytosis and leukostasis is one of (pulmonary, cerebral) and hydroxyurea_response is refractory
  because "Mechanical removal may be the remaining option."
  cite 1

rule no-leukapheresis-in-hyperleukocytosis: avoid leukapheresis
  when hyperleukocytosis
  because "No survival benefit."
  cite 1
'''


def test_a_clash_is_found_with_its_rules_and_a_witness_that_shows_it():
    g = guidelang.Guideline.from_str(CLASH, name="example.gl")
    findings = g.lint()
    clashes = [f for f in findings if f.kind == "clash"]
    assert len(clashes) == 1, findings
    clash = clashes[0]
    assert clash.code == "guidelang::lint::clash"
    assert clash.severity == "error"
    assert clash.action == "leukapheresis"
    assert sorted(clash.rules) == ["leukapheresis-for-refractory-leukostasis", "no-leukapheresis-in-hyperleukocytosis"]
    assert clash.line is not None and clash.column is not None
    # The witness is a case: evaluated, it shows the two verdicts in conflict.
    witness = clash.witness
    assert isinstance(witness, dict) and witness["als"] is True and witness["wbc"] > 100
    report = g.evaluate(witness, as_of="2026-12-01")
    assert [c["action"] for c in report["conflicts"]] == ["leukapheresis"]
    assert {r["verdict"] for r in report["conflicts"][0]["rules"]} == {"consider", "avoid"}


def test_the_bundled_guideline_lints_clean(als):
    # `.ci/run` lints it with `--deny warnings`: no finding at all.
    assert als.lint() == []
