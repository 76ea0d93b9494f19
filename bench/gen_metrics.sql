-- Metrics benchmark data, generated inside SQLite (the sqlite3 shell: generate_series, sha3):
-- @N@ conversations over 90 days from 2026-01-01 — e-mail threads (50 %), Telegram chats (30 %),
-- calls (20 %, every outcome), surveys for half of the e-mail and chat conversations (CSAT 1-5, NPS 0-10).
-- ≈3.7 interactions per conversation. Rows are inserted in time order, as a live store fills.
-- Ids are unique hex digests of (source, externalId); the metrics never read them.
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;

-- Random draws are materialised first: SQLite re-evaluates random() wherever a view or CTE column is used.
CREATE TEMP TABLE base AS
  SELECT value AS i,
         1767225600000 + (value * 7776000000) / @N@ + abs(random()) % 1800000 AS t0,
         abs(random()) % (@N@ / 3 + 1) AS cust,
         'agent' || (abs(random()) % 50) AS agent,
         'agent' || (abs(random()) % 50) AS other_agent,
         value % 10 AS kind,
         abs(random()) % 1000 AS r_follow, abs(random()) % 1000 AS r_same, abs(random()) % 1000 AS r_status,
         abs(random()) % 1000 AS r_survey, abs(random()) % 1000 AS r_metric, abs(random()) % 1000 AS r_outcome,
         300000 + abs(random()) % 107700000 AS d1,        -- 5 min … 30 h
         3600000 + abs(random()) % 169200000 AS d2,                     -- 1 h … 48 h
         600000 + abs(random()) % 17400000 AS d3,                       -- 10 min … 5 h
         60000 + abs(random()) % 3540000 AS ds,                         -- 1 min … 1 h
         10000 + abs(random()) % 890000 AS c1,                          -- 10 s … 15 min
         60000 + abs(random()) % 240000 AS c2,                          -- 1 … 5 min
         30000 + abs(random()) % 150000 AS c3,                          -- 30 s … 3 min
         600000 + abs(random()) % 6600000 AS dsv,                       -- 10 min … 2 h
         (abs(random()) % 180000) / 1000.0 AS wait,
         30 + (abs(random()) % 870000) / 1000.0 AS talk,
         abs(random()) % 5 + 1 AS csat, abs(random()) % 11 AS nps
  FROM generate_series(0, @N@ - 1);

CREATE TEMP TABLE conv AS
SELECT *,
  t0 + d1 AS e1,
  t0 + d1 + d2 AS e2,
  t0 + d1 + d2 + d3 AS e3,
  CASE WHEN r_follow < 300 THEN t0 + d1 + d2 + d3 ELSE t0 + d1 END + ds AS es,
  t0 + c1 AS h1, t0 + c1 + c2 AS h2, t0 + c1 + c2 + c3 AS h3,
  CASE WHEN r_outcome < 750 THEN 'answered' WHEN r_outcome < 870 THEN 'abandoned' WHEN r_outcome < 900 THEN 'short_abandon'
       WHEN r_outcome < 950 THEN 'missed' WHEN r_outcome < 970 THEN 'timeout' WHEN r_outcome < 980 THEN 'busy' ELSE 'ivr' END AS outcome
FROM base;

CREATE TEMP TABLE rows AS
-- e-mail: customer, agent reply, optional follow-up pair, optional status
SELECT 'support-mailbox' AS src, 'm' || i || '-1' AS ext, 'email' AS ch, 'imap' AS pf, '<t' || i || '@mail.example.com>' AS ck,
       'message' AS kd, 'inbound' AS dir, 'customer' AS role, NULL AS actor, 'c' || cust || '@example.com' AS cu, t0 AS at,
       NULL AS oc, NULL AS wt, NULL AS tk, NULL AS ag, NULL AS sm, NULL AS ss, NULL AS smin, NULL AS smax, NULL AS st, 'Hello, my order is late' AS tx
  FROM conv WHERE kind < 5
UNION ALL SELECT 'support-mailbox', 'm' || i || '-2', 'email', 'imap', '<t' || i || '@mail.example.com>', 'message', 'outbound', 'agent', agent,
       'c' || cust || '@example.com', e1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Looking into it' FROM conv WHERE kind < 5
UNION ALL SELECT 'support-mailbox', 'm' || i || '-3', 'email', 'imap', '<t' || i || '@mail.example.com>', 'message', 'inbound', 'customer', NULL,
       'c' || cust || '@example.com', e2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Any news?' FROM conv WHERE kind < 5 AND r_follow < 300
UNION ALL SELECT 'support-mailbox', 'm' || i || '-4', 'email', 'imap', '<t' || i || '@mail.example.com>', 'message', 'outbound', 'agent',
       CASE WHEN r_same < 800 THEN agent ELSE other_agent END, 'c' || cust || '@example.com', e3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       'Shipped today' FROM conv WHERE kind < 5 AND r_follow < 300
UNION ALL SELECT 'support-mailbox', 'm' || i || '-5', 'email', 'imap', '<t' || i || '@mail.example.com>', 'status', 'internal', 'system', NULL,
       NULL, es, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'resolved', NULL FROM conv WHERE kind < 5 AND r_status < 600
-- chat: customer, bot, agent, customer, agent
UNION ALL SELECT 'telegram-bot', 'u' || i || '-1', 'chat', 'telegram', 'tg:' || i, 'message', 'inbound', 'customer', NULL, 'telegram:' || cust, t0,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'hi' FROM conv WHERE kind BETWEEN 5 AND 7
UNION ALL SELECT 'telegram-bot', 'u' || i || '-2', 'chat', 'telegram', 'tg:' || i, 'message', 'outbound', 'bot', NULL, NULL, t0 + 2000,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'An agent will answer shortly' FROM conv WHERE kind BETWEEN 5 AND 7
UNION ALL SELECT 'telegram-bot', 'u' || i || '-3', 'chat', 'telegram', 'tg:' || i, 'message', 'outbound', 'agent', agent, 'telegram:' || cust, h1,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'How can I help?' FROM conv WHERE kind BETWEEN 5 AND 7
UNION ALL SELECT 'telegram-bot', 'u' || i || '-4', 'chat', 'telegram', 'tg:' || i, 'message', 'inbound', 'customer', NULL, 'telegram:' || cust, h2,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Refund please' FROM conv WHERE kind BETWEEN 5 AND 7
UNION ALL SELECT 'telegram-bot', 'u' || i || '-5', 'chat', 'telegram', 'tg:' || i, 'message', 'outbound', 'agent', agent, 'telegram:' || cust, h3,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Done' FROM conv WHERE kind BETWEEN 5 AND 7
-- calls
UNION ALL SELECT 'pbx', 'cdr' || i, 'phone', 'asterisk', '1767225' || i || '.' || (i % 97), 'call', 'inbound', 'customer', NULL,
       '+7916' || printf('%07d', cust), t0, outcome,
       CASE WHEN outcome = 'short_abandon' THEN wait / 40 WHEN outcome = 'abandoned' THEN max(wait, 6) ELSE wait END,
       CASE WHEN outcome = 'answered' THEN talk END, CASE WHEN outcome = 'answered' THEN agent END,
       NULL, NULL, NULL, NULL, NULL, NULL FROM conv WHERE kind >= 8
-- surveys, keyed by the conversation they rate
UNION ALL SELECT 'surveys', 's' || i, 'web', 'survey', CASE WHEN kind < 5 THEN '<t' || i || '@mail.example.com>' ELSE 'tg:' || i END,
       'survey', 'inbound', 'customer', NULL, CASE WHEN kind < 5 THEN 'c' || cust || '@example.com' ELSE 'telegram:' || cust END,
       CASE WHEN kind < 5 THEN max(es, e3 * (r_follow < 300), e1) ELSE h3 END + dsv, NULL, NULL, NULL, NULL,
       CASE WHEN r_metric < 700 THEN 'csat' ELSE 'nps' END, CASE WHEN r_metric < 700 THEN csat ELSE nps END,
       CASE WHEN r_metric < 700 THEN 1 ELSE 0 END, CASE WHEN r_metric < 700 THEN 5 ELSE 10 END, NULL, NULL
  FROM conv WHERE kind < 8 AND r_survey < 500;

INSERT INTO interactions (id, source, external_id, channel, platform, conversation_key, kind, direction, actor_role, actor_id,
                          actor_name, customer_key, occurred_at, call_queue, call_agent_id, call_wait, call_talk, call_outcome,
                          survey_metric, survey_score, survey_scale_min, survey_scale_max, status_to, subject, text, attachments,
                          provenance)
SELECT substr(lower(hex(sha3(src || char(31) || ext, 256))), 1, 32), src, ext, ch, pf, ck, kd, dir, role, actor, NULL, cu, at,
       CASE WHEN kd = 'call' THEN 'support' END, ag, wt, tk, oc, sm, ss, smin, smax, st, NULL, tx, 0, 'bench:' || ext
FROM rows ORDER BY at;

SELECT count(*) || ' interactions, ' || (SELECT count(*) FROM conv) || ' conversations' FROM interactions;
