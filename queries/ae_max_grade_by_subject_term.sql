-- ae_max_grade_by_subject_term: worst grade of each adverse-event term per subject
-- grain: one row per subject x preferred term
-- params: $subjects (varchar[] of USUBJID), $window_days (integer, null = whole follow-up)
SELECT USUBJID,
       any_value(pseudonym) AS pseudonym,
       any_value(dose_group) AS dose_group,
       any_value(dose_order) AS dose_order,
       any_value(subtype) AS subtype,
       coalesce(AEBODSYS, 'Not coded') AS AEBODSYS,
       AEDECOD,
       max(grade) AS max_grade,
       any_value(grade_scale) AS grade_scale,
       count(*) AS n_events
FROM adae
WHERE list_contains($subjects, USUBJID)
  AND (TRTEMFL IS NULL OR TRTEMFL = 'Y')
  AND ($window_days IS NULL OR (start_day IS NOT NULL AND start_day <= $window_days))
GROUP BY USUBJID, coalesce(AEBODSYS, 'Not coded'), AEDECOD
ORDER BY AEBODSYS, AEDECOD, USUBJID
