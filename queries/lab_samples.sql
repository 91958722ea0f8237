-- lab_samples: laboratory results of the chosen subjects, for the chosen parameters
-- grain: one row per subject x parameter x sample
-- params: $subjects (varchar[] of USUBJID), $paramcds (varchar[], null = all)
SELECT *
FROM adlb
WHERE list_contains($subjects, USUBJID)
  AND ($paramcds IS NULL OR list_contains($paramcds, PARAMCD))
ORDER BY dose_order, USUBJID, PARAMCD, day
