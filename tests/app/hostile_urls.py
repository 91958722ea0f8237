"""A corpus of hostile query strings: each is (role, page, query parameters).

Query parameters are untrusted input: unknown values, SQL fragments, quotes, very long
values, Unicode, repeated keys, a patient of another site, presentation mode switched off
for a sponsor. Shared by the AppTest suite (all of them) and the browser suite (a sample).
"""

from __future__ import annotations

MONITOR, SPONSOR, INVESTIGATOR = "cra@cro.example", "lead@sponsor.example", "pi@hospital.example"
OTHER_SITE_PATIENT = "NCT05290155-SYN-002"  # site 702 in tests/multisite.py (round-robin)
LONG = "A" * 10_000
# Values that must never be echoed into the page (text, tables, charts, downloads).
NEVER_ECHOED = (LONG, "<script>", "DROP TABLE", "OR '1'='1", "IS NOT NULL", "etc/passwd")

HOSTILE: list[tuple[str, str, dict[str, str | list[str]]]] = [
    (MONITOR, "overview", {"dose": "9.9 x10^6 cells/kg"}),
    (MONITOR, "safety", {"dose": "' OR '1'='1"}),
    (MONITOR, "kinetics", {"subtype": "T-ALL'); DROP TABLE adsl; --"}),
    (MONITOR, "response", {"site": "702"}),
    (MONITOR, "survival", {"site": ["701", "702", "703"]}),
    (MONITOR, "patient", {"patient": OTHER_SITE_PATIENT}),
    (MONITOR, "patient", {"patient": [OTHER_SITE_PATIENT, OTHER_SITE_PATIENT]}),
    (MONITOR, "overview", {"patient": "P02"}),  # another site's pseudonym
    (MONITOR, "response", {"patient": "%"}),
    (MONITOR, "safety", {"patient": "NCT05290155-SYN-%"}),
    (MONITOR, "kinetics", {"site": "701' OR SITEID IS NOT NULL --"}),
    (MONITOR, "overview", {"site": LONG}),
    (MONITOR, "patient", {"patient": LONG}),
    (MONITOR, "survival", {"dose": LONG, "subtype": LONG}),
    (MONITOR, "overview", {"subtype": "T\u2011ALL"}),  # non-breaking hyphen look-alike
    (MONITOR, "safety", {"site": "\uff17\uff10\uff12"}),  # full-width 702
    (MONITOR, "response", {"patient": "\u202eP01"}),  # right-to-left override
    (MONITOR, "kinetics", {"dose": "\x00", "site": "\U0001f600"}),
    (MONITOR, "overview", {"present": ["1", "0", "1"]}),
    (MONITOR, "patient", {"patient": "<script>alert(1)</script>"}),
    (MONITOR, "survival", {"site": "", "dose": "", "patient": ""}),
    (MONITOR, "overview", {"unknown": "x", "__proto__": "y", "embed_options": "z"}),
    (MONITOR, "safety", {"site": ["703", "703", "703"]}),
    (MONITOR, "response", {"patient": "../../etc/passwd"}),
    (SPONSOR, "overview", {"present": "0"}),
    (SPONSOR, "response", {"present": ["0", "false", "no"]}),
    (SPONSOR, "patient", {"patient": "NCT05290155-SYN-001", "present": "0"}),
    (SPONSOR, "patient", {"patient": "001"}),  # a SUBJID
    (SPONSOR, "safety", {"present": LONG}),
    (SPONSOR, "kinetics", {"patient": ["P01", "NCT05290155-SYN-003"]}),
    (INVESTIGATOR, "overview", {"dose": ["0.25 x10^6 cells/kg", "0.25 x10^6 cells/kg"]}),
    (INVESTIGATOR, "patient", {"patient": "NCT05290155-SYN-999"}),
    (INVESTIGATOR, "survival", {"site": "7O1"}),  # letter O
    (INVESTIGATOR, "safety", {"subtype": "t-all"}),  # wrong case
]
