"""Writes examples/fhir/synthea-style-als.json: one patient's record in the
shape a synthetic-patient generator (Synthea) or an EHR export gives --
several hundred resources, most of them irrelevant to the guideline
(Encounter, Procedure, Immunization, MedicationRequest, Claim, routine
vital signs and chemistry over two years) -- with, among them, the results
the ALS / hyperleukocytosis guideline reads. Deterministic (fixed seed), so
the committed file can be regenerated and the tests' expected values,
worked out from the numbers below, stay true.

    python3 examples/fhir/make_realistic.py > examples/fhir/synthea-style-als.json
"""
import json
import random

random.seed(16)
PATIENT = "urn:uuid:6f1c2a7e-0b7d-4c1e-9a55-3c2d1e0f9a10"
UCUM = "http://unitsofmeasure.org"
entries = []
n = 0


def uid():
    global n
    n += 1
    return "%08x-0000-4000-8000-%012x" % (0x1600 + n, n)


def add(resource):
    i = uid()
    resource["id"] = i
    entries.append({"fullUrl": "urn:uuid:" + i, "resource": resource,
                    "request": {"method": "POST", "url": resource["resourceType"]}})
    return i


def obs(loinc, display, value, unit, when, status="final", category="laboratory"):
    return add({
        "resourceType": "Observation", "status": status,
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc, "display": display}], "text": display},
        "subject": {"reference": PATIENT},
        "effectiveDateTime": when, "issued": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    })


entries.append({"fullUrl": PATIENT, "resource": {
    "resourceType": "Patient", "id": "6f1c2a7e-0b7d-4c1e-9a55-3c2d1e0f9a10",
    "name": [{"use": "official", "family": "Example", "given": ["Alex"]}],
    "gender": "male", "birthDate": "1958-04-12",
    "address": [{"city": "Springfield", "country": "US"}]}})

# Two years of visits: encounters, procedures, immunizations, prescriptions,
# claims, vital signs and routine chemistry nobody's guideline reads here.
days = ["2025-%02d-%02d" % (m, d) for m in range(1, 13) for d in (3, 17)] + \
       ["2026-%02d-%02d" % (m, d) for m in range(1, 12) for d in (5, 19)]
for day in days:
    t = day + "T09:%02d:00-05:00" % random.randint(0, 59)
    enc = add({"resourceType": "Encounter", "status": "finished",
               "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
               "type": [{"coding": [{"system": "http://snomed.info/sct", "code": "185349003", "display": "Encounter for check up"}]}],
               "subject": {"reference": PATIENT}, "period": {"start": t, "end": t}})
    obs("8867-4", "Heart rate", random.randint(62, 96), "/min", t, category="vital-signs")
    obs("9279-1", "Respiratory rate", random.randint(12, 20), "/min", t, category="vital-signs")
    obs("39156-5", "Body mass index", round(random.uniform(22, 24), 1), "kg/m2", t, category="vital-signs")
    add({"resourceType": "Observation", "status": "final",
         "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]},
         "subject": {"reference": PATIENT}, "effectiveDateTime": t,
         "component": [
             {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
              "valueQuantity": {"value": random.randint(110, 140), "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}},
             {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
              "valueQuantity": {"value": random.randint(70, 90), "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}}]})
    obs("2093-3", "Cholesterol", random.randint(160, 220), "mg/dL", t)
    obs("2345-7", "Glucose", random.randint(75, 110), "mg/dL", t)
    add({"resourceType": "Procedure", "status": "completed",
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "710824005", "display": "Assessment of health and social care needs"}]},
         "subject": {"reference": PATIENT}, "encounter": {"reference": "urn:uuid:" + enc},
         "performedPeriod": {"start": t, "end": t}})
    add({"resourceType": "MedicationRequest", "status": "completed", "intent": "order",
         "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "313782", "display": "Acetaminophen 325 MG Oral Tablet"}]},
         "subject": {"reference": PATIENT}, "authoredOn": t})
    add({"resourceType": "Claim", "status": "active", "use": "claim",
         "patient": {"reference": PATIENT}, "created": t,
         "total": {"value": round(random.uniform(80, 400), 2), "currency": "USD"}})
for year in (2025, 2026):
    add({"resourceType": "Immunization", "status": "completed",
         "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140", "display": "Influenza, seasonal"}]},
         "patient": {"reference": PATIENT}, "occurrenceDateTime": "%d-10-02T10:00:00-05:00" % year})
add({"resourceType": "Condition",
     "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
     "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
     "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}]},
     "subject": {"reference": PATIENT}, "onsetDateTime": "2019-05-02T00:00:00-05:00", "recordedDate": "2019-05-02T00:00:00-05:00"})

# What the guideline reads. ALS since 2024, confirmed and active.
add({"resourceType": "Condition",
     "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
     "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
     "code": {"coding": [{"system": "http://snomed.info/sct", "code": "86044005", "display": "Amyotrophic lateral sclerosis"},
                         {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G12.21"}]},
     "subject": {"reference": PATIENT}, "recordedDate": "2024-03-14"})
# Acute myeloid leukaemia, diagnosed two days ago.
add({"resourceType": "Condition",
     "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
     "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
     "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91861009", "display": "Acute myeloid leukemia"},
                         {"system": "http://hl7.org/fhir/sid/icd-10", "code": "C92.0"}]},
     "subject": {"reference": PATIENT}, "recordedDate": "2026-11-29T16:20:00-05:00"})
# White counts: a normal one last year, then the rise; the latest (this
# morning, 152.4 × 10^3/uL) is the one read. A corrected result of the
# evening before stays older.
obs("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 6.8, "10*3/uL", "2025-06-17T08:10:00-05:00")
obs("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 98.1, "10*3/uL", "2026-11-29T07:45:00-05:00")
obs("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 131.0, "10*3/uL", "2026-11-30T19:30:00-05:00", status="corrected")
obs("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 152.4, "10*3/uL", "2026-12-01T06:30:00-05:00")
# A result entered in error later the same morning is never used.
obs("6690-2", "Leukocytes [#/volume] in Blood by Automated count", 15.2, "10*3/uL", "2026-12-01T07:00:00-05:00", status="entered-in-error")
obs("777-3", "Platelets [#/volume] in Blood by Automated count", 42, "10*3/uL", "2026-12-01T06:30:00-05:00")
obs("718-7", "Hemoglobin [Mass/volume] in Blood", 8.9, "g/dL", "2026-12-01T06:30:00-05:00")
obs("751-8", "Neutrophils [#/volume] in Blood by Automated count", 1.1, "10*3/uL", "2026-12-01T06:30:00-05:00")
# Chemistry this laboratory reports in SI units.
obs("14682-9", "Creatinine [Moles/volume] in Serum or Plasma", 115, "umol/L", "2026-12-01T06:30:00-05:00")
obs("2823-3", "Potassium [Moles/volume] in Serum or Plasma", 4.9, "mmol/L", "2026-12-01T06:30:00-05:00")
obs("3084-1", "Urate [Mass/volume] in Serum or Plasma", 7.1, "mg/dL", "2026-12-01T06:30:00-05:00")
obs("2777-1", "Phosphate [Mass/volume] in Serum or Plasma", 4.1, "mg/dL", "2026-12-01T06:30:00-05:00")
obs("17861-6", "Calcium [Mass/volume] in Serum or Plasma", 8.8, "mg/dL", "2026-12-01T06:30:00-05:00")
obs("2532-0", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", 880, "U/L", "2026-12-01T06:30:00-05:00")
# Vital signs at admission.
obs("29463-7", "Body weight", 71.2, "kg", "2026-11-29T15:00:00-05:00", category="vital-signs")
obs("8302-2", "Body height", 176, "cm", "2026-11-29T15:00:00-05:00", category="vital-signs")

print(json.dumps({"resourceType": "Bundle", "id": "als-hyperleukocytosis-example", "type": "collection",
                  "entry": entries}, indent=1))
