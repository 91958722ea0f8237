-- kinetics_profile_samples: the columns of cellular-kinetics samples that profiles, NCA and persistence use, one parameter, for the chosen subjects, BLQ samples kept and flagged
-- grain: one row per subject x sample
-- params: $subjects (varchar[] of USUBJID), $paramcd (varchar: TRANSGEN or CARPCT)
SELECT USUBJID, dose_group, dose_order, subtype, PARAMCD, day, nominal_day, AVAL, AVALU,
       LLOQ, blq
FROM adpc
WHERE list_contains($subjects, USUBJID)
  AND PARAMCD = $paramcd
ORDER BY dose_order, USUBJID, day
