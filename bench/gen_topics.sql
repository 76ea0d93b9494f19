-- Topics for the metrics benchmark store (bench/gen_metrics.sql), in the stored form of `Topics`
-- (labels sorted byte-wise, joined by newlines): native labels on e-mail (one or two of five, a few
-- "vip") and the queue on calls; rule topics on the customer messages a rule set would match.
PRAGMA synchronous = OFF;
UPDATE interactions SET topics = CASE seq % 5 WHEN 0 THEN 'billing' WHEN 1 THEN 'billing' || char(10) || 'vip'
                                              WHEN 2 THEN 'delivery' WHEN 3 THEN 'account' || char(10) || 'returns' END
  WHERE kind = 'message' AND actor_role = 'customer' AND channel = 'email';
UPDATE interactions SET topics = 'support' WHERE kind = 'call';
UPDATE interactions SET rule_topics = CASE text WHEN 'Hello, my order is late' THEN 'delivery' WHEN 'Refund please' THEN 'returns'
                                                WHEN 'hi' THEN 'greeting' END,
                        topic_rules = 'b0b0b0b0b0b0'
  WHERE kind = 'message' AND actor_role = 'customer';
SELECT count(*) || ' interactions with topics' FROM interactions WHERE topics IS NOT NULL OR rule_topics IS NOT NULL;
