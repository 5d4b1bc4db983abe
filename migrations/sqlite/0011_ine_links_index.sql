-- Imports look students up by INE in the registry (one lookup per imported student).
CREATE INDEX student_ine_links_ine ON student_ine_links (ine, birthdate);
