-- Timed challenges: when the student started the current challenge (set when a timed challenge's
-- warning is accepted, cleared when the challenge changes), and whether an answer came too late
-- (such an answer is recorded `ko`: the result keeps its meaning for every reader).
ALTER TABLE assessments ADD COLUMN challenge_started_at timestamptz;
ALTER TABLE answers ADD COLUMN timed_out boolean NOT NULL DEFAULT false;
