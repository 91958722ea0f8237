-- time_to_event: one endpoint's times and censoring for the chosen subjects
-- grain: one row per subject (for the endpoint)
-- params: $subjects (varchar[] of USUBJID), $paramcd (varchar)
SELECT *
FROM adtte
WHERE list_contains($subjects, USUBJID)
  AND PARAMCD = $paramcd
ORDER BY dose_order, USUBJID
