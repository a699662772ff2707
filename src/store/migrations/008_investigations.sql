-- Consortium node: coordinated investigations (DESIGN.md §6, src/investigate/cases).
-- Case messages are stored only as JWE ciphertext addressed to the case's
-- participants; nothing here holds a purpose, an answer or a query token.

CREATE TABLE investigation_cases (
  case_id text PRIMARY KEY,
  opener text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'answered', 'escalated', 'closed')),
  escalated boolean NOT NULL DEFAULT false,
  opened_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Who takes part: the opener, each provider asked (with its own records that
-- matched), and the regulator once escalated. `cursor` orders a member's
-- listing so providers poll for new requests without missing any.
CREATE TABLE investigation_participants (
  cursor bigserial PRIMARY KEY,
  case_id text NOT NULL REFERENCES investigation_cases (case_id),
  member_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('opener', 'asked', 'regulator')),
  own_record_ids text[] NOT NULL DEFAULT '{}',
  response text CHECK (response IN ('answered', 'declined')),
  UNIQUE (case_id, member_id)
);
CREATE INDEX investigation_participants_member ON investigation_participants (member_id, cursor);

-- The ciphertext of each message, with the member ids it is addressed to.
CREATE TABLE investigation_messages (
  seq bigserial PRIMARY KEY,
  case_id text NOT NULL REFERENCES investigation_cases (case_id),
  kind text NOT NULL CHECK (kind IN ('purpose', 'answer', 'escalation')),
  sender text NOT NULL,
  recipients text[] NOT NULL,
  jwe text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX investigation_messages_case ON investigation_messages (case_id, seq);

-- Queries per provider per UTC day: the budget (policy.investigation.
-- query_tokens_per_day caps `tokens`) and the probing statistics. Counts only.
CREATE TABLE investigation_usage (
  provider_id text NOT NULL,
  day date NOT NULL,
  tokens bigint NOT NULL CHECK (tokens >= 0),
  queries bigint NOT NULL CHECK (queries >= 0),
  misses bigint NOT NULL CHECK (misses >= 0),
  PRIMARY KEY (provider_id, day)
);
