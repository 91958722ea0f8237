-- findings: data-quality findings of the build for the chosen subjects, study-level findings (no subject) always included
-- grain: one row per finding
-- params: $subjects (varchar[] of USUBJID, null = every finding)
SELECT dataset, file, "row", "column", usubjid, value, rule, message
FROM findings
WHERE $subjects IS NULL OR usubjid IS NULL OR list_contains($subjects, usubjid)
ORDER BY dataset, file, "row" NULLS LAST, "column", rule
