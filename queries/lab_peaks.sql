-- lab_peaks: per subject and laboratory parameter, the highest value in a window of days since infusion and the unit of the earliest sample with a unit
-- grain: one row per subject x PARAMCD with a sample in the window (peak null when no sample has a value)
-- params: $subjects (varchar[] of USUBJID), $paramcds (varchar[]), $first_day (integer), $last_day (integer)
SELECT USUBJID,
       PARAMCD,
       any_value(dose_order) AS dose_order,
       max(AVAL) AS peak,
       arg_min(AVALU, day) FILTER (WHERE AVALU IS NOT NULL) AS AVALU,
       count(*) AS n_samples
FROM adlb
WHERE list_contains($subjects, USUBJID)
  AND list_contains($paramcds, PARAMCD)
  AND day BETWEEN $first_day AND $last_day
GROUP BY USUBJID, PARAMCD
ORDER BY dose_order, USUBJID, PARAMCD
