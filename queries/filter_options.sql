-- filter_options: every dose group, subtype and patient that a filter can choose, in display order
-- grain: one row per subject with a dose group or subtype
-- params: none
SELECT USUBJID, SUBJID, pseudonym, dose_group, dose_order, subtype, infused
FROM adsl
ORDER BY dose_order NULLS LAST, USUBJID
