-- subjects: subject-level rows (enrolled, screen failures included) for the chosen dose groups, subtypes and patients
-- grain: one row per subject
-- params: $dose_groups (varchar[], null = all), $subtypes (varchar[], null = all), $subjects (varchar[] of USUBJID, null = all)
SELECT *
FROM adsl
WHERE ($dose_groups IS NULL OR list_contains($dose_groups, dose_group))
  AND ($subtypes IS NULL OR list_contains($subtypes, subtype))
  AND ($subjects IS NULL OR list_contains($subjects, USUBJID))
ORDER BY dose_order NULLS LAST, USUBJID
