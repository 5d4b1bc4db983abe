-- What the campaign page needs of the sent results, as columns computed when a student sends:
-- the stage reached (the Résultats tab counts and filters by stage in SQL) and the participant's
-- share of the analysis (a small digest, instead of re-reading every participant's knowledge).
ALTER TABLE campaign_participations ADD COLUMN stage_reached INTEGER;
ALTER TABLE campaign_participations ADD COLUMN stage_total INTEGER;
ALTER TABLE campaign_participations ADD COLUMN analysis TEXT;
ALTER TABLE campaign_participations ADD COLUMN certifiable BOOLEAN;
ALTER TABLE campaign_participations ADD COLUMN certifiable_competences INTEGER;
-- The keys of the badges obtained, each between commas (",cle1,cle2,"), for the badge filter.
ALTER TABLE campaign_participations ADD COLUMN badges TEXT;
UPDATE campaign_participations
   SET stage_reached = json_extract(results, '$.stage_reached'),
       stage_total = json_extract(results, '$.stage_total')
 WHERE results IS NOT NULL AND json_valid(results)
   AND json_extract(results, '$.stage_total') > 0;
UPDATE campaign_participations
   SET certifiable = json_extract(results, '$.certifiable'),
       certifiable_competences = json_extract(results, '$.certifiable_competences')
 WHERE results IS NOT NULL AND json_valid(results)
   AND json_type(results, '$.certifiable') IN ('true', 'false');
UPDATE campaign_participations
   SET badges = ',' || (SELECT group_concat(json_extract(b.value, '$.key'), ',')
                        FROM json_each(results, '$.badges') b) || ','
 WHERE results IS NOT NULL AND json_valid(results)
   AND json_array_length(results, '$.badges') > 0;
-- The campaign page reads many participations but never their results: covering indexes let it
-- read only these columns (in SQLite the results of a participation span several overflow pages,
-- and every column added after them is stored behind them).
CREATE INDEX participations_campaign_page ON campaign_participations (organization_id, campaign_id,
    deleted_at, is_improved, status, learner_id, user_id, id, created_at, shared_at,
    mastery_percent, pix_score, stage_reached, stage_total, external_id, certifiable,
    certifiable_competences, badges);
CREATE INDEX participations_campaign_analysis ON campaign_participations (organization_id,
    campaign_id, status, deleted_at, is_improved, id, analysis);
