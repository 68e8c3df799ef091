"""The typed stubs name what the module has, and everything is documented."""

import ast
import inspect
import pathlib

import guidelang

STUBS = pathlib.Path(guidelang.__file__).with_name("__init__.pyi")


def stub_classes():
    tree = ast.parse(STUBS.read_text())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            classes[node.name] = members
    return classes


def test_the_stubs_are_installed_with_the_marker():
    assert STUBS.is_file()
    assert STUBS.with_name("py.typed").is_file()


def test_the_stubs_name_every_public_class_and_member_and_no_other():
    stubs = stub_classes()
    assert set(stubs) == set(guidelang.__all__)
    for name, members in stubs.items():
        cls = getattr(guidelang, name)
        public = {m for m in dir(cls) if not m.startswith("_")}
        if issubclass(cls, BaseException):
            # Exception attributes are set on each instance, not the class.
            public -= set(dir(BaseException))
            assert public == set(), name
            continue
        assert public == members, f"{name}: module has {sorted(public)}, stubs have {sorted(members)}"


def test_every_class_and_method_has_a_docstring():
    for name in guidelang.__all__:
        cls = getattr(guidelang, name)
        assert inspect.getdoc(cls), name
        for member, value in vars(cls).items():
            if member.startswith("_"):
                continue
            assert inspect.getdoc(value), f"{name}.{member}"


def test_the_signatures_match_the_stubs():
    tree = ast.parse(STUBS.read_text())
    guideline = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Guideline")
    for fn in guideline.body:
        if not isinstance(fn, ast.FunctionDef) or fn.decorator_list and fn.decorator_list[0].id == "property":
            continue
        runtime = inspect.signature(getattr(guidelang.Guideline, fn.name))
        stub = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg != "self"]
        assert [p for p in runtime.parameters if p != "self"] == stub, fn.name
