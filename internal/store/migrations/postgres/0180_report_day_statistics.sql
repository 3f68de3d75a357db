-- The summary report groups its facts by day and by week of a moment
-- (store.reportKeyExpr). Without statistics on those expressions the
-- planner expects a group per fact (a million at a million tickets) and
-- sizes its hash table for them: 49 MB allocated and freed per statement,
-- a third of the time of counting a million tickets by day. With them it
-- expects the few hundred days there are. Expression statistics need
-- PostgreSQL 14 or later; ANALYZE (autovacuum's too) fills them.
CREATE STATISTICS report_facts_created_day ON ((created_s / 86400)) FROM report_facts;
CREATE STATISTICS report_facts_first_response_day ON ((first_response_s / 86400)) FROM report_facts;
CREATE STATISTICS report_facts_solved_day ON ((solved_s / 86400)) FROM report_facts;
CREATE STATISTICS report_facts_created_week ON (((created_s / 86400 + 3) / 7)) FROM report_facts;
CREATE STATISTICS report_facts_first_response_week ON (((first_response_s / 86400 + 3) / 7)) FROM report_facts;
CREATE STATISTICS report_facts_solved_week ON (((solved_s / 86400 + 3) / 7)) FROM report_facts;
