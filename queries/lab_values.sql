-- lab_values: laboratory values of the chosen subjects and parameters, only the columns a time course needs (no dates, visits or labels)
-- grain: one row per subject x parameter x sample
-- params: $subjects (varchar[] of USUBJID), $paramcds (varchar[])
SELECT USUBJID, dose_group, dose_order, subtype, PARAMCD, AVAL, AVALU, day
FROM adlb
WHERE list_contains($subjects, USUBJID)
  AND list_contains($paramcds, PARAMCD)
ORDER BY dose_order, USUBJID, PARAMCD, day
