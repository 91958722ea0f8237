-- kinetic_profile: one cellular-kinetics parameter of the chosen subjects as profiles, NCA and persistence use it: each sample's BLQ status (flagged, no value, not above 0 or below the LLOQ), the value drawn (the LLOQ when BLQ) and whether it was taken after the subject's allo-HSCT
-- grain: one row per subject x sample
-- params: $subjects (varchar[] of USUBJID), $paramcd (varchar: TRANSGEN or CARPCT)
WITH samples AS (
    SELECT p.USUBJID, p.dose_group, p.dose_order, p.subtype, p.PARAMCD, p.day, p.nominal_day,
           p.AVAL, p.AVALU, p.LLOQ,
           NOT (p.AVAL IS NOT NULL AND NOT isnan(p.AVAL) AND p.AVAL > 0
                AND NOT coalesce(p.AVAL < p.LLOQ AND NOT isnan(p.LLOQ), false)
                AND NOT coalesce(upper(trim(p.blq)) = 'Y', false)) AS blq,
           coalesce(p.day > s.hsct_day AND NOT isnan(p.day), false) AS after_hsct
    FROM adpc AS p
    LEFT JOIN adsl AS s ON s.USUBJID = p.USUBJID
    WHERE list_contains($subjects, p.USUBJID)
      AND p.PARAMCD = $paramcd
)
SELECT USUBJID, dose_group, dose_order, subtype, PARAMCD, day, nominal_day, AVAL, AVALU, LLOQ,
       blq, CASE WHEN blq THEN LLOQ ELSE AVAL END AS plotted_value, after_hsct
FROM samples
ORDER BY dose_order, USUBJID, day
