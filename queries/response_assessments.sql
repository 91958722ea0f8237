-- response_assessments: response records (per-visit OVR and best overall BOR) of the chosen subjects
-- grain: one row per subject x parameter x assessment
-- params: $subjects (varchar[] of USUBJID)
SELECT *
FROM adrs
WHERE list_contains($subjects, USUBJID)
ORDER BY dose_order, USUBJID, PARAMCD, ADT
