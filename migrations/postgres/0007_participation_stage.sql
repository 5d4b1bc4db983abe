-- What the campaign page needs of the sent results, as columns computed when a student sends:
-- the stage reached (the Résultats tab counts and filters by stage in SQL) and the participant's
-- share of the analysis (a small digest, instead of re-reading every participant's knowledge).
ALTER TABLE campaign_participations ADD COLUMN stage_reached integer;
ALTER TABLE campaign_participations ADD COLUMN stage_total integer;
ALTER TABLE campaign_participations ADD COLUMN analysis text;
ALTER TABLE campaign_participations ADD COLUMN certifiable boolean;
ALTER TABLE campaign_participations ADD COLUMN certifiable_competences integer;
-- The keys of the badges obtained, each between commas (",cle1,cle2,"), for the badge filter.
ALTER TABLE campaign_participations ADD COLUMN badges text;
UPDATE campaign_participations
   SET stage_reached = (results::jsonb ->> 'stage_reached')::integer,
       stage_total = (results::jsonb ->> 'stage_total')::integer
 WHERE results IS NOT NULL AND results LIKE '{%'
   AND (results::jsonb ->> 'stage_total')::integer > 0;
UPDATE campaign_participations
   SET certifiable = (results::jsonb ->> 'certifiable')::boolean,
       certifiable_competences = (results::jsonb ->> 'certifiable_competences')::integer
 WHERE results IS NOT NULL AND results LIKE '{%'
   AND jsonb_typeof(results::jsonb -> 'certifiable') = 'boolean';
UPDATE campaign_participations
   SET badges = ',' || (SELECT string_agg(b ->> 'key', ',')
                        FROM jsonb_array_elements(results::jsonb -> 'badges') b) || ','
 WHERE results IS NOT NULL AND results LIKE '{%'
   AND jsonb_typeof(results::jsonb -> 'badges') = 'array'
   AND jsonb_array_length(results::jsonb -> 'badges') > 0;
-- The campaign page reads many participations but never their results: covering indexes let it
-- read only these columns (in SQLite the results of a participation span several overflow pages,
-- and every column added after them is stored behind them).
CREATE INDEX participations_campaign_page ON campaign_participations (organization_id, campaign_id,
    deleted_at, is_improved, status, learner_id, user_id, id, created_at, shared_at,
    mastery_percent, pix_score, stage_reached, stage_total, external_id, certifiable,
    certifiable_competences, badges);
CREATE INDEX participations_campaign_analysis ON campaign_participations (organization_id,
    campaign_id, status, deleted_at, is_improved, id, analysis);
