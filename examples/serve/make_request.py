#!/usr/bin/env python3
"""Builds a CDS Hooks patient-view request for one patient of a FHIR Bundle,
with the prefetch a `guidelang serve` service asks for in its discovery
document, as an EHR would: each template is run against the Bundle's
resources (a read for `Patient/{id}`, a search by any of the codes
otherwise).

    make_request.py DISCOVERY.json SERVICE_ID BUNDLE.json > request.json

Used by benches/serve_load.sh with examples/fhir/synthea-style-als.json;
also a way to try the service by hand (docs/cds-hooks.md).
"""

import json
import sys


def resources(bundle):
    """The Bundle's resources, with `urn:uuid:` patient references made
    `Patient/<id>` as a FHIR server returns them, and the patient's id."""
    entries = bundle["entry"]
    patient = next(e for e in entries if e["resource"]["resourceType"] == "Patient")
    pid = patient["resource"]["id"]
    text = json.dumps([e["resource"] for e in entries])
    if "fullUrl" in patient:
        text = text.replace(patient["fullUrl"], "Patient/" + pid)
    return json.loads(text), pid


def codings(resource):
    return [
        (c.get("system"), c.get("code"))
        for c in resource.get("code", {}).get("coding", [])
    ]


def run_template(template, record, pid):
    t = template.replace("{{context.patientId}}", pid)
    if t.startswith("Patient/"):
        wanted = t[len("Patient/"):]
        return next(
            (r for r in record if r["resourceType"] == "Patient" and r["id"] == wanted),
            None,
        )
    kind, query = t.split("?", 1)
    codes = set()
    for param in query.split("&"):
        name, value = param.split("=", 1)
        if name == "code":
            codes.update(tuple(tok.split("|", 1)) for tok in value.split(","))
        elif name != "patient":
            sys.exit(f"unexpected search parameter {name} in {t}")
    entries = [
        {"resource": r}
        for r in record
        if r["resourceType"] == kind and any(c in codes for c in codings(r))
    ]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    discovery = json.load(open(sys.argv[1]))
    service = next((s for s in discovery["services"] if s["id"] == sys.argv[2]), None)
    if service is None:
        sys.exit(f"no service {sys.argv[2]} in the discovery document")
    record, pid = resources(json.load(open(sys.argv[3])))
    prefetch = {}
    for key, template in service.get("prefetch", {}).items():
        found = run_template(template, record, pid)
        if found is not None:
            prefetch[key] = found
    request = {
        "hook": service["hook"],
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": pid},
        "prefetch": prefetch,
    }
    json.dump(request, sys.stdout)


if __name__ == "__main__":
    main()
