"""Seeds a campaign on the 16-competence profile « decouverte-lycee » with N shared participations
straight into the demo's SQLite database, for bench/export.sh and bench/results.sh.

Each participant gets an imported student (12 classes), per-competence results, a stage, and the
knowledge of every tube of the profile as the analysis reads it. Deterministic (seeded).
Usage: seed_campaign.py DB N CONTENT_DIR
"""
import json, os, random, sqlite3, sys, uuid

db, n, content = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fw = json.load(open(os.path.join(content, "framework.json")))
profile = json.load(open(os.path.join(content, "target-profiles", "decouverte-lycee.json")))
skills = {}
for f in os.listdir(os.path.join(content, "competences")):
    for tube in json.load(open(os.path.join(content, "competences", f)))["tubes"]:
        skills[tube["id"]] = [(s["id"], s["level"]) for s in tube["skills"]]
tubes = [(t["tube"], t["level"]) for t in profile["capped_tubes"] if t["tube"] in skills]
stage_total = len(profile["stages"]) - 1

c = sqlite3.connect(db)
org, = c.execute("SELECT id FROM organizations").fetchone()
owner, = c.execute("SELECT id FROM users WHERE email = 'direction@lycee-pix.localhost'").fetchone()
tp, = c.execute("SELECT id FROM target_profiles WHERE profile_key = 'decouverte-lycee'").fetchone()
now = "2026-11-22T08:00:00.000000Z"
camp = uuid.uuid4().bytes
c.execute("INSERT INTO campaigns (organization_id, id, code, name, kind, target_profile_id, owner_id, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
          (org, camp, "BENCHX234", "Rentrée bench", "ASSESSMENT", tp, owner, owner, now))
c.execute("INSERT INTO campaign_codes (code, organization_id, campaign_id) VALUES (?,?,?)", ("BENCHX234", org, camp))
comps = [(comp["code"], comp["name"], area["name"]) for area in fw["areas"] for comp in area["competences"]]
rng = random.Random(1)
for i in range(n):
    user, learner, part = uuid.uuid4().bytes, uuid.uuid4().bytes, uuid.uuid4().bytes
    c.execute("INSERT INTO users (id, email, first_name, last_name, created_at, updated_at) VALUES (?,?,?,?,?,?)",
              (user, f"eleve{i}@bench.test", "Léa", f"Élève{i}", now, now))
    c.execute("INSERT INTO learners (organization_id, id, user_id, first_name, last_name, division, disabled, created_at, updated_at) VALUES (?,?,?,?,?,?,0,?,?)",
              (org, learner, user, "Léa", f"Élève{i}", f"2nde{i % 12}", now, now))
    competences = []
    for code, name, area in comps:
        validated = rng.randint(0, 8)
        competences.append({"code": code, "name": name, "area": area, "mastery": validated * 100 // 8, "skills": 8, "validated": validated})
    mastery = sum(x["validated"] for x in competences) * 100 // (8 * len(competences))
    knowledge = []
    for tube, cap in tubes:
        floor = rng.randint(0, cap)
        direct = [[sid, lvl <= floor, 1795000000] for sid, lvl in skills[tube] if lvl in (floor, floor + 1)]
        knowledge.append([tube, json.dumps({"floor": floor, "ceiling": floor + 1 if floor < cap else None, "ceiling_at": 1795000000, "direct": direct})])
    stage = rng.randint(0, stage_total)
    results = {"mastery": mastery, "validated_skills": 0, "target_skills": 128, "pix": 0, "competences": competences,
               "stage_title": None, "stage_message": None, "stage_reached": stage, "stage_total": stage_total,
               "badges": [], "failed": 0, "knowledge": knowledge}
    c.execute("INSERT INTO campaign_participations (organization_id, id, campaign_id, user_id, learner_id, status, created_at, shared_at, mastery_percent, validated_skills, pix_score, results, stage_reached, stage_total) VALUES (?,?,?,?,?,'SHARED',?,?,?,?,?,?,?,?)",
              (org, part, camp, user, learner, now, now, mastery, 0, 0, json.dumps(results), stage, stage_total))
c.commit()
