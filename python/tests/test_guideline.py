"""Loading a guideline: its identity, facts and actions, and the errors of a
guideline that does not check, as objects and as the command line shows them."""

import hashlib

import pytest

import guidelang
from conftest import ALS, run_cli


def test_identity_is_the_files_id_version_and_content_hash(als):
    assert als.id == "als-hyperleukocytosis"
    assert als.version == "2.0.0"
    # The content hash is the SHA-256 of the file's bytes, worked out here.
    assert als.content_hash == "sha256:" + hashlib.sha256(ALS.read_bytes()).hexdigest()


def test_facts_and_actions_are_the_declared_ones(als):
    facts = {f.name: f for f in als.facts}
    # Fact names and types fixed by the spec.
    assert facts["als"].kind == "bool"
    assert facts["wbc"].kind == "number" and facts["wbc"].unit == "10^9/L" and facts["wbc"].min == 0
    assert facts["lineage"].kind == "enum" and "myeloid" in facts["lineage"].values
    assert facts["wbc"].values is None
    actions = {a.name: a for a in als.actions}
    assert actions["hydroxyurea"].urgent and actions["hydroxyurea"].label == "Hydroxyurea"
    assert not actions["intensive_induction"].urgent
    assert {"leukapheresis", "rasburicase", "allogeneic_sct"} <= set(actions)


def test_from_str_names_the_file_in_diagnostics():
    g = guidelang.Guideline.from_str(ALS.read_text(), name="mine.gl")
    assert g.id == "als-hyperleukocytosis"
    # The same bytes, the same hash, whatever the name.
    assert g.content_hash == "sha256:" + hashlib.sha256(ALS.read_bytes()).hexdigest()


BROKEN = "guideline broken\n"


def test_a_guideline_that_does_not_check_raises_with_every_diagnostic():
    with pytest.raises(guidelang.GuidelineError) as raised:
        guidelang.Guideline.from_str(BROKEN, name="broken.gl")
    e = raised.value
    assert isinstance(e, guidelang.GuidelangError)
    codes = [d.code for d in e.diagnostics]
    # A header without version and status: both are required.
    assert codes == ["guidelang::check::missing_version", "guidelang::check::missing_status"]
    first = e.diagnostics[0]
    assert first.severity == "error"
    assert first.message == "the guideline has no `version`"
    assert first.help is not None and "version" in first.help
    # `guideline broken`: the id starts at column 11 of line 1.
    assert (first.file, first.line, first.column) == ("broken.gl", 1, 11)
    assert str(e).endswith("the guideline has 2 errors")


def test_the_errors_text_is_the_command_lines(tmp_path):
    path = tmp_path / "broken.gl"
    path.write_text(BROKEN)
    code, _, stderr = run_cli("check", path)
    assert code == 1
    with pytest.raises(guidelang.GuidelineError) as raised:
        guidelang.Guideline.load(str(path))
    for d in raised.value.diagnostics:
        # The CLI renders each problem the same way (plain, without colour).
        assert d.rendered in stderr, d.rendered
        assert d.rendered in str(raised.value)
        assert str(d) == d.rendered


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError) as raised:
        guidelang.Guideline.load(str(tmp_path / "absent.gl"))
    assert "absent.gl" in str(raised.value)


def test_check_returns_the_warnings_as_objects():
    text = ALS.read_text().replace("\nfact ", "\nfact forgotten_fact: bool \"Never read.\"\nfact ", 1)
    g = guidelang.Guideline.from_str(text, name="warned.gl")
    warnings = g.check()
    assert [w.severity for w in warnings] == ["warning"]
    w = warnings[0]
    assert "forgotten_fact" in w.message
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("fact forgotten_fact"))
    assert (w.file, w.line) == ("warned.gl", line)


def test_the_bundled_guidelines_check_without_warnings(als, tls):
    assert als.check() == []
    assert tls.check() == []
