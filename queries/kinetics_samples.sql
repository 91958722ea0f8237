-- kinetics_samples: cellular-kinetics samples of one parameter for the chosen subjects, BLQ samples kept and flagged
-- grain: one row per subject x sample
-- params: $subjects (varchar[] of USUBJID), $paramcd (varchar: TRANSGEN or CARPCT)
SELECT *
FROM adpc
WHERE list_contains($subjects, USUBJID)
  AND PARAMCD = $paramcd
ORDER BY dose_order, USUBJID, day
