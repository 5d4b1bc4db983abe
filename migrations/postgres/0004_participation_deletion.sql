-- Who deleted a participation (staff); deleted participations are anonymised and kept so that
-- the student cannot take part again.
ALTER TABLE campaign_participations ADD COLUMN deleted_by uuid REFERENCES users (id);
