-- teae_flag_values: the distinct non-null TRTEMFL values of the adverse events of each subject in ADSL (whether the data carry a treatment-emergent flag)
-- grain: one row per subject x distinct TRTEMFL value
-- params: none
SELECT DISTINCT USUBJID, TRTEMFL
FROM adae
WHERE TRTEMFL IS NOT NULL
  AND USUBJID IN (SELECT USUBJID FROM adsl)
ORDER BY USUBJID, TRTEMFL
