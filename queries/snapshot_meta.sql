-- snapshot_meta: the snapshot's study, cut-off and source
-- grain: one row
-- params: none
SELECT * FROM meta
