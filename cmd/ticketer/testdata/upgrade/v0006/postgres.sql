--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: river_job_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.river_job_state AS ENUM (
    'available',
    'cancelled',
    'completed',
    'discarded',
    'pending',
    'retryable',
    'running',
    'scheduled'
);


--
-- Name: river_job_state_in_bitmask(bit, public.river_job_state); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.river_job_state_in_bitmask(bitmask bit, state public.river_job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE state
        WHEN 'available' THEN get_bit(bitmask, 7)
        WHEN 'cancelled' THEN get_bit(bitmask, 6)
        WHEN 'completed' THEN get_bit(bitmask, 5)
        WHEN 'discarded' THEN get_bit(bitmask, 4)
        WHEN 'pending'   THEN get_bit(bitmask, 3)
        WHEN 'retryable' THEN get_bit(bitmask, 2)
        WHEN 'running'   THEN get_bit(bitmask, 1)
        WHEN 'scheduled' THEN get_bit(bitmask, 0)
        ELSE 0
    END = 1;
$$;


--
-- Name: ticketer_message_search(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticketer_message_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        BEGIN
            UPDATE tickets SET search = search || to_tsvector('simple', left(NEW.visible_text, 100000))
                WHERE id = NEW.ticket_id;
        EXCEPTION WHEN program_limit_exceeded THEN
            NULL; -- the document is full: the message is stored, just not searchable
        END;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        UPDATE tickets SET search = ticketer_ticket_document(id, subject) WHERE id IN (OLD.ticket_id, NEW.ticket_id);
    ELSE
        UPDATE tickets SET search = ticketer_ticket_document(id, subject) WHERE id = OLD.ticket_id;
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: ticketer_ticket_document(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticketer_ticket_document(tid bigint, subj text) RETURNS tsvector
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    doc tsvector := to_tsvector('simple', left(subj, 100000));
    part tsvector;
    r RECORD;
BEGIN
    FOR r IN SELECT visible_text FROM messages WHERE ticket_id = tid ORDER BY id LOOP
        part := to_tsvector('simple', left(r.visible_text, 100000));
        BEGIN
            doc := doc || part;
        EXCEPTION WHEN program_limit_exceeded THEN
            RETURN doc;
        END;
    END LOOP;
    RETURN doc;
END;
$$;


--
-- Name: ticketer_ticket_search(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ticketer_ticket_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.search := to_tsvector('simple', left(NEW.subject, 100000));
    ELSIF NEW.subject IS DISTINCT FROM OLD.subject THEN
        NEW.search := ticketer_ticket_document(NEW.id, NEW.subject);
    END IF;
    RETURN NEW;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: acknowledgements; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.acknowledgements (
    id bigint NOT NULL,
    email text NOT NULL,
    ticket_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: acknowledgements_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.acknowledgements_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: acknowledgements_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.acknowledgements_id_seq OWNED BY public.acknowledgements.id;


--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    token_hash text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone
);


--
-- Name: api_tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_tokens_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_tokens_id_seq OWNED BY public.api_tokens.id;


--
-- Name: attachments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachments (
    id bigint NOT NULL,
    message_id bigint NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    blob_key text NOT NULL,
    content_id text DEFAULT ''::text NOT NULL,
    inline boolean DEFAULT false NOT NULL
);


--
-- Name: attachments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.attachments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: attachments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.attachments_id_seq OWNED BY public.attachments.id;


--
-- Name: contacts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contacts (
    id bigint NOT NULL,
    email text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: contacts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.contacts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: contacts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.contacts_id_seq OWNED BY public.contacts.id;


--
-- Name: inbound; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.inbound (
    id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    source text NOT NULL,
    provider_id text DEFAULT ''::text NOT NULL,
    envelope_from text DEFAULT ''::text NOT NULL,
    envelope_to text DEFAULT ''::text NOT NULL,
    raw_key text NOT NULL,
    sha256 text NOT NULL,
    size bigint NOT NULL,
    status text NOT NULL,
    error text DEFAULT ''::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    message_id bigint,
    received_at timestamp with time zone NOT NULL,
    processed_at timestamp with time zone,
    CONSTRAINT inbound_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'done'::text, 'duplicate'::text, 'ignored'::text, 'failed'::text])))
);


--
-- Name: inbound_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.inbound_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: inbound_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.inbound_id_seq OWNED BY public.inbound.id;


--
-- Name: leases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.leases (
    name text NOT NULL,
    holder text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: login_failures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_failures (
    key text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    fails integer NOT NULL
);


--
-- Name: mailboxes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mailboxes (
    id bigint NOT NULL,
    name text NOT NULL,
    address text NOT NULL,
    provider text DEFAULT 'smtp'::text NOT NULL,
    smtp_relay text DEFAULT ''::text NOT NULL,
    imap text DEFAULT ''::text NOT NULL,
    ack_enabled boolean DEFAULT true NOT NULL,
    ack_subject text DEFAULT ''::text NOT NULL,
    ack_body text DEFAULT ''::text NOT NULL,
    sync_state text DEFAULT '{}'::text NOT NULL,
    status text DEFAULT 'ok'::text NOT NULL,
    last_error text DEFAULT ''::text NOT NULL,
    last_sync_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    credentials text DEFAULT ''::text NOT NULL,
    backfill_since timestamp with time zone,
    backfilled_at timestamp with time zone,
    sync_done bigint DEFAULT 0 NOT NULL,
    sync_total bigint DEFAULT 0 NOT NULL,
    error_since timestamp with time zone
);


--
-- Name: mailboxes_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.mailboxes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: mailboxes_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.mailboxes_id_seq OWNED BY public.mailboxes.id;


--
-- Name: message_occurrences; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.message_occurrences (
    id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    provider_id text NOT NULL,
    message_id bigint NOT NULL,
    seen_at timestamp with time zone NOT NULL
);


--
-- Name: message_occurrences_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.message_occurrences_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: message_occurrences_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.message_occurrences_id_seq OWNED BY public.message_occurrences.id;


--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    kind text NOT NULL,
    message_id text DEFAULT ''::text NOT NULL,
    dedupe_key text,
    in_reply_to text DEFAULT ''::text NOT NULL,
    refs text DEFAULT ''::text NOT NULL,
    from_email text DEFAULT ''::text NOT NULL,
    from_name text DEFAULT ''::text NOT NULL,
    to_addrs text DEFAULT '[]'::text NOT NULL,
    cc_addrs text DEFAULT '[]'::text NOT NULL,
    subject text DEFAULT ''::text NOT NULL,
    text_body text DEFAULT ''::text NOT NULL,
    html_body text DEFAULT ''::text NOT NULL,
    visible_text text DEFAULT ''::text NOT NULL,
    raw_key text DEFAULT ''::text NOT NULL,
    sha256 text DEFAULT ''::text NOT NULL,
    size bigint DEFAULT 0 NOT NULL,
    sent_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    author_id bigint,
    auto_reason text DEFAULT ''::text NOT NULL,
    problems text DEFAULT ''::text NOT NULL,
    delivery_status text,
    delivery_error text DEFAULT ''::text NOT NULL,
    delivery_attempts integer DEFAULT 0 NOT NULL,
    delivered_at timestamp with time zone,
    CONSTRAINT messages_delivery_status_check CHECK ((delivery_status = ANY (ARRAY['queued'::text, 'sending'::text, 'sent'::text, 'failed'::text]))),
    CONSTRAINT messages_kind_check CHECK ((kind = ANY (ARRAY['inbound'::text, 'outbound'::text, 'note'::text, 'auto_reply'::text])))
);


--
-- Name: messages_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: messages_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.messages_id_seq OWNED BY public.messages.id;


--
-- Name: river_job; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_job (
    id bigint NOT NULL,
    state public.river_job_state DEFAULT 'available'::public.river_job_state NOT NULL,
    attempt smallint DEFAULT 0 NOT NULL,
    max_attempts smallint DEFAULT 25 NOT NULL,
    attempted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    scheduled_at timestamp with time zone DEFAULT now() NOT NULL,
    priority smallint DEFAULT 1 NOT NULL,
    args jsonb NOT NULL,
    attempted_by text[],
    errors jsonb[],
    kind text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    unique_key bytea,
    unique_states bit(8),
    CONSTRAINT finalized_or_finalized_at_null CHECK ((((finalized_at IS NULL) AND (state <> ALL (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))) OR ((finalized_at IS NOT NULL) AND (state = ANY (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))))),
    CONSTRAINT kind_length CHECK (((char_length(kind) > 0) AND (char_length(kind) < 128))),
    CONSTRAINT max_attempts_is_positive CHECK ((max_attempts > 0)),
    CONSTRAINT priority_in_range CHECK (((priority >= 1) AND (priority <= 4))),
    CONSTRAINT queue_length CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))
);


--
-- Name: river_job_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.river_job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_job_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.river_job_id_seq OWNED BY public.river_job.id;


--
-- Name: river_leader; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_leader (
    elected_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    leader_id text NOT NULL,
    name text DEFAULT 'default'::text NOT NULL,
    CONSTRAINT leader_id_length CHECK (((char_length(leader_id) > 0) AND (char_length(leader_id) < 128))),
    CONSTRAINT name_length CHECK ((name = 'default'::text))
);


--
-- Name: river_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_migration (
    line text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT line_length CHECK (((char_length(line) > 0) AND (char_length(line) < 128))),
    CONSTRAINT version_gte_1 CHECK ((version >= 1))
);


--
-- Name: river_notification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_notification (
    id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    payload text NOT NULL,
    topic text NOT NULL,
    CONSTRAINT topic_length CHECK (((length(topic) > 0) AND (length(topic) < 128)))
);


--
-- Name: river_notification_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.river_notification_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_notification_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.river_notification_id_seq OWNED BY public.river_notification.id;


--
-- Name: river_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_queue (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp without time zone NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    token_hash text NOT NULL,
    csrf_hash text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    remote_addr text DEFAULT ''::text NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL
);


--
-- Name: sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: sessions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;


--
-- Name: thread_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.thread_keys (
    key text NOT NULL,
    ticket_id bigint NOT NULL
);


--
-- Name: ticket_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ticket_events (
    id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    actor_id bigint,
    actor text DEFAULT ''::text NOT NULL,
    kind text NOT NULL,
    field text DEFAULT ''::text NOT NULL,
    old_value text DEFAULT ''::text NOT NULL,
    new_value text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: ticket_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.ticket_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: ticket_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.ticket_events_id_seq OWNED BY public.ticket_events.id;


--
-- Name: ticket_participants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ticket_participants (
    ticket_id bigint NOT NULL,
    contact_id bigint NOT NULL
);


--
-- Name: ticket_tags; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ticket_tags (
    ticket_id bigint NOT NULL,
    tag text NOT NULL
);


--
-- Name: tickets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tickets (
    id bigint NOT NULL,
    subject text NOT NULL,
    status text NOT NULL,
    priority text NOT NULL,
    assignee_id bigint,
    requester_id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    message_count integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    first_response_at timestamp with time zone,
    solved_at timestamp with time zone,
    search tsvector DEFAULT ''::tsvector NOT NULL,
    CONSTRAINT tickets_priority_check CHECK ((priority = ANY (ARRAY['low'::text, 'normal'::text, 'high'::text, 'urgent'::text]))),
    CONSTRAINT tickets_status_check CHECK ((status = ANY (ARRAY['new'::text, 'open'::text, 'pending'::text, 'solved'::text, 'closed'::text])))
);


--
-- Name: tickets_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tickets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: tickets_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tickets_id_seq OWNED BY public.tickets.id;


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    email text NOT NULL,
    name text DEFAULT ''::text NOT NULL,
    role text NOT NULL,
    password_hash text DEFAULT ''::text NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'agent'::text])))
);


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: acknowledgements id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.acknowledgements ALTER COLUMN id SET DEFAULT nextval('public.acknowledgements_id_seq'::regclass);


--
-- Name: api_tokens id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens ALTER COLUMN id SET DEFAULT nextval('public.api_tokens_id_seq'::regclass);


--
-- Name: attachments id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments ALTER COLUMN id SET DEFAULT nextval('public.attachments_id_seq'::regclass);


--
-- Name: contacts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts ALTER COLUMN id SET DEFAULT nextval('public.contacts_id_seq'::regclass);


--
-- Name: inbound id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound ALTER COLUMN id SET DEFAULT nextval('public.inbound_id_seq'::regclass);


--
-- Name: mailboxes id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mailboxes ALTER COLUMN id SET DEFAULT nextval('public.mailboxes_id_seq'::regclass);


--
-- Name: message_occurrences id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_occurrences ALTER COLUMN id SET DEFAULT nextval('public.message_occurrences_id_seq'::regclass);


--
-- Name: messages id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages ALTER COLUMN id SET DEFAULT nextval('public.messages_id_seq'::regclass);


--
-- Name: river_job id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job ALTER COLUMN id SET DEFAULT nextval('public.river_job_id_seq'::regclass);


--
-- Name: river_notification id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_notification ALTER COLUMN id SET DEFAULT nextval('public.river_notification_id_seq'::regclass);


--
-- Name: sessions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);


--
-- Name: ticket_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_events ALTER COLUMN id SET DEFAULT nextval('public.ticket_events_id_seq'::regclass);


--
-- Name: tickets id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets ALTER COLUMN id SET DEFAULT nextval('public.tickets_id_seq'::regclass);


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Data for Name: acknowledgements; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: api_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.api_tokens VALUES (1, 1, 'cli', '3e4bb9048c5addc92227463aca871cbda174d91d47a85f36535cc7b81ba3386d', '2026-12-01 20:49:30.926026+00', NULL, NULL);


--
-- Data for Name: attachments; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.attachments VALUES (1, 3, 'damage.txt', 'text/plain', 32, 'cd94899307a9ee7753b2bade32035323b86c159e489a9618ae5ed0bc471c005b', 'att/cd/cd94899307a9ee7753b2bade32035323b86c159e489a9618ae5ed0bc471c005b', '', false);


--
-- Data for Name: contacts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.contacts VALUES (1, 'fiona@customer.test', 'Fiona Field', '2026-12-01 20:49:31.122976+00');
INSERT INTO public.contacts VALUES (2, 'gus@customer.test', 'Gus Grant', '2026-12-01 20:49:31.122976+00');


--
-- Data for Name: inbound; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: leases; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: login_failures; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: mailboxes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.mailboxes VALUES (1, 'ACME Support', 'support@acme.test', 'smtp', 'sealed:v1:861009ec:/Sv0mSlPNXerZdzaFuPT/PqgDHXoa7Cf+j6W82NSohBxhalvbkKZD2z5POyKU+CxwUBY2FMWWUnoWYrxHAR6H9FbmXBkvWvK6oo', '', true, '', '', '{}', 'ok', '', NULL, '2026-12-01 20:49:30.997387+00', true, '', NULL, NULL, 0, 0, NULL);


--
-- Data for Name: message_occurrences; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.message_occurrences VALUES (1, 1, 'sha256:68d9c5f83b559a4802ffbda78f93288160cf693b62cfaaf406b5bb315094071c', 1, '2026-12-01 20:49:31.124273+00');
INSERT INTO public.message_occurrences VALUES (2, 1, 'sha256:0675fe247b9ed9f39b4ab0846ed883e01860ed6ac9382e85b28acd5ec0a09a93', 2, '2026-12-01 20:49:31.124381+00');
INSERT INTO public.message_occurrences VALUES (3, 1, 'sha256:827fbe1e453108a6f18f455c5afb0ab2023d5754b5f6a3689620e38b5297318a', 3, '2026-12-01 20:49:31.12439+00');


--
-- Data for Name: messages; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.messages VALUES (1, 1, 'inbound', 'upgrade-1@customer.test', 'mid:upgrade-1@customer.test', '', '', 'fiona@customer.test', 'Fiona Field', '[{"email":"support@acme.test","name":""}]', '[]', 'Where is my order?', 'Hello, order 1001 has not arrived yet.
', '', 'Hello, order 1001 has not arrived yet.', 'raw/68/68d9c5f83b559a4802ffbda78f93288160cf693b62cfaaf406b5bb315094071c', '68d9c5f83b559a4802ffbda78f93288160cf693b62cfaaf406b5bb315094071c', 206, '2026-11-02 09:00:00+00', '2026-12-01 20:49:31.124273+00', NULL, '', '', NULL, '', 0, NULL);
INSERT INTO public.messages VALUES (2, 1, 'inbound', 'upgrade-2@customer.test', 'mid:upgrade-2@customer.test', 'upgrade-1@customer.test', 'upgrade-1@customer.test', 'fiona@customer.test', 'Fiona Field', '[{"email":"support@acme.test","name":""}]', '[]', 'Re: Where is my order?', 'Any news? It is still not here.
', '', 'Any news? It is still not here.', 'raw/06/0675fe247b9ed9f39b4ab0846ed883e01860ed6ac9382e85b28acd5ec0a09a93', '0675fe247b9ed9f39b4ab0846ed883e01860ed6ac9382e85b28acd5ec0a09a93', 280, '2026-11-02 10:00:00+00', '2026-12-01 20:49:31.124381+00', NULL, '', '', NULL, '', 0, NULL);
INSERT INTO public.messages VALUES (3, 2, 'inbound', 'upgrade-3@customer.test', 'mid:upgrade-3@customer.test', '', '', 'gus@customer.test', 'Gus Grant', '[{"email":"support@acme.test","name":""}]', '[]', 'Broken screen', 'The screen arrived cracked, photo description attached.', '', 'The screen arrived cracked, photo description attached.', 'raw/82/827fbe1e453108a6f18f455c5afb0ab2023d5754b5f6a3689620e38b5297318a', '827fbe1e453108a6f18f455c5afb0ab2023d5754b5f6a3689620e38b5297318a', 453, '2026-11-03 08:30:00+00', '2026-12-01 20:49:31.12439+00', NULL, '', '', NULL, '', 0, NULL);


--
-- Data for Name: river_job; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_leader; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_migration; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.river_migration VALUES ('main', 1, '2026-12-01 20:49:30.383046+00');
INSERT INTO public.river_migration VALUES ('main', 2, '2026-12-01 20:49:30.419394+00');
INSERT INTO public.river_migration VALUES ('main', 3, '2026-12-01 20:49:30.57923+00');
INSERT INTO public.river_migration VALUES ('main', 4, '2026-12-01 20:49:30.588927+00');
INSERT INTO public.river_migration VALUES ('main', 5, '2026-12-01 20:49:30.610151+00');
INSERT INTO public.river_migration VALUES ('main', 6, '2026-12-01 20:49:30.719367+00');
INSERT INTO public.river_migration VALUES ('main', 7, '2026-12-01 20:49:30.735375+00');


--
-- Data for Name: river_notification; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: river_queue; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migrations VALUES (1, '0001_init.sql', '2026-12-01 20:49:30.068176');
INSERT INTO public.schema_migrations VALUES (2, '0002_auth.sql', '2026-12-01 20:49:30.135983');
INSERT INTO public.schema_migrations VALUES (3, '0003_search.sql', '2026-12-01 20:49:30.185272');
INSERT INTO public.schema_migrations VALUES (4, '0004_connectors.sql', '2026-12-01 20:49:30.24139');
INSERT INTO public.schema_migrations VALUES (5, '0005_list_indexes.sql', '2026-12-01 20:49:30.292079');
INSERT INTO public.schema_migrations VALUES (6, '0006_login_failures.sql', '2026-12-01 20:49:30.374426');


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: thread_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.thread_keys VALUES ('upgrade-1@customer.test', 1);
INSERT INTO public.thread_keys VALUES ('upgrade-2@customer.test', 1);
INSERT INTO public.thread_keys VALUES ('upgrade-3@customer.test', 2);


--
-- Data for Name: ticket_events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.ticket_events VALUES (1, 1, NULL, 'fiona@customer.test', 'ticket_created', '', '', 'by email via import', '2026-12-01 20:49:31.124273+00');
INSERT INTO public.ticket_events VALUES (2, 2, NULL, 'gus@customer.test', 'ticket_created', '', '', 'by email via import', '2026-12-01 20:49:31.12439+00');


--
-- Data for Name: ticket_participants; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.ticket_participants VALUES (1, 1);
INSERT INTO public.ticket_participants VALUES (2, 2);


--
-- Data for Name: ticket_tags; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: tickets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tickets VALUES (1, 'Where is my order?', 'new', 'normal', NULL, 1, 1, 2, '2026-12-01 20:49:31.124273+00', '2026-12-01 20:49:31.124381+00', NULL, NULL, '''1001'':7 ''any'':12 ''arrived'':10 ''has'':8 ''hello'':5 ''here'':18 ''is'':2,15 ''it'':14 ''my'':3 ''news'':13 ''not'':9,17 ''order'':4,6 ''still'':16 ''where'':1 ''yet'':11');
INSERT INTO public.tickets VALUES (2, 'Broken screen', 'new', 'normal', NULL, 2, 1, 1, '2026-12-01 20:49:31.12439+00', '2026-12-01 20:49:31.12439+00', NULL, NULL, '''arrived'':5 ''attached'':9 ''broken'':1 ''cracked'':6 ''description'':8 ''photo'':7 ''screen'':2,4 ''the'':3');


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.users VALUES (1, 'admin@acme.test', 'Ada Admin', 'admin', '', false, '2026-12-01 20:49:30.798323+00');


--
-- Name: acknowledgements_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.acknowledgements_id_seq', 1, false);


--
-- Name: api_tokens_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_tokens_id_seq', 1, true);


--
-- Name: attachments_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.attachments_id_seq', 1, true);


--
-- Name: contacts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.contacts_id_seq', 5, true);


--
-- Name: inbound_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.inbound_id_seq', 1, false);


--
-- Name: mailboxes_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.mailboxes_id_seq', 1, true);


--
-- Name: message_occurrences_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.message_occurrences_id_seq', 3, true);


--
-- Name: messages_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.messages_id_seq', 3, true);


--
-- Name: river_job_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.river_job_id_seq', 1, false);


--
-- Name: river_notification_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.river_notification_id_seq', 1, false);


--
-- Name: sessions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sessions_id_seq', 1, false);


--
-- Name: ticket_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.ticket_events_id_seq', 2, true);


--
-- Name: tickets_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.tickets_id_seq', 2, true);


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.users_id_seq', 1, true);


--
-- Name: acknowledgements acknowledgements_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.acknowledgements
    ADD CONSTRAINT acknowledgements_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: attachments attachments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);


--
-- Name: contacts contacts_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_email_key UNIQUE (email);


--
-- Name: contacts contacts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_pkey PRIMARY KEY (id);


--
-- Name: inbound inbound_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_pkey PRIMARY KEY (id);


--
-- Name: leases leases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.leases
    ADD CONSTRAINT leases_pkey PRIMARY KEY (name);


--
-- Name: login_failures login_failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (key);


--
-- Name: mailboxes mailboxes_address_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mailboxes
    ADD CONSTRAINT mailboxes_address_key UNIQUE (address);


--
-- Name: mailboxes mailboxes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mailboxes
    ADD CONSTRAINT mailboxes_pkey PRIMARY KEY (id);


--
-- Name: message_occurrences message_occurrences_mailbox_id_provider_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_occurrences
    ADD CONSTRAINT message_occurrences_mailbox_id_provider_id_key UNIQUE (mailbox_id, provider_id);


--
-- Name: message_occurrences message_occurrences_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_occurrences
    ADD CONSTRAINT message_occurrences_pkey PRIMARY KEY (id);


--
-- Name: messages messages_dedupe_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_dedupe_key_key UNIQUE (dedupe_key);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);


--
-- Name: river_job river_job_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job
    ADD CONSTRAINT river_job_pkey PRIMARY KEY (id);


--
-- Name: river_leader river_leader_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_leader
    ADD CONSTRAINT river_leader_pkey PRIMARY KEY (name);


--
-- Name: river_migration river_migration_pkey1; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_migration
    ADD CONSTRAINT river_migration_pkey1 PRIMARY KEY (line, version);


--
-- Name: river_notification river_notification_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_notification
    ADD CONSTRAINT river_notification_pkey PRIMARY KEY (id);


--
-- Name: river_queue river_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_queue
    ADD CONSTRAINT river_queue_pkey PRIMARY KEY (name);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_token_hash_key UNIQUE (token_hash);


--
-- Name: thread_keys thread_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.thread_keys
    ADD CONSTRAINT thread_keys_pkey PRIMARY KEY (key);


--
-- Name: ticket_events ticket_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_events
    ADD CONSTRAINT ticket_events_pkey PRIMARY KEY (id);


--
-- Name: ticket_participants ticket_participants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_participants
    ADD CONSTRAINT ticket_participants_pkey PRIMARY KEY (ticket_id, contact_id);


--
-- Name: ticket_tags ticket_tags_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_tags
    ADD CONSTRAINT ticket_tags_pkey PRIMARY KEY (ticket_id, tag);


--
-- Name: tickets tickets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: acknowledgements_email; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX acknowledgements_email ON public.acknowledgements USING btree (email, created_at);


--
-- Name: api_tokens_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_tokens_user ON public.api_tokens USING btree (user_id, id);


--
-- Name: attachments_message; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_message ON public.attachments USING btree (message_id);


--
-- Name: inbound_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_status ON public.inbound USING btree (status, id);


--
-- Name: login_failures_window; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_failures_window ON public.login_failures USING btree (window_start);


--
-- Name: messages_delivery_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_delivery_pending ON public.messages USING btree (delivery_status) WHERE (delivery_status = ANY (ARRAY['queued'::text, 'sending'::text]));


--
-- Name: messages_message_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_message_id ON public.messages USING btree (message_id);


--
-- Name: messages_ticket; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_ticket ON public.messages USING btree (ticket_id, id);


--
-- Name: river_job_args_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_args_index ON public.river_job USING gin (args);


--
-- Name: river_job_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_kind ON public.river_job USING btree (kind);


--
-- Name: river_job_metadata_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_metadata_index ON public.river_job USING gin (metadata);


--
-- Name: river_job_prioritized_fetching_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_prioritized_fetching_index ON public.river_job USING btree (state, queue, priority, scheduled_at, id);


--
-- Name: river_job_state_and_finalized_at_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_state_and_finalized_at_index ON public.river_job USING btree (state, finalized_at) WHERE (finalized_at IS NOT NULL);


--
-- Name: river_job_unique_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX river_job_unique_idx ON public.river_job USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (unique_states IS NOT NULL) AND public.river_job_state_in_bitmask(unique_states, state));


--
-- Name: river_notification_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_notification_created_at_idx ON public.river_notification USING btree (created_at);


--
-- Name: river_notification_topic_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_notification_topic_id_idx ON public.river_notification USING btree (topic, id);


--
-- Name: sessions_expires; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_expires ON public.sessions USING btree (expires_at);


--
-- Name: sessions_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user ON public.sessions USING btree (user_id);


--
-- Name: ticket_events_ticket; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_events_ticket ON public.ticket_events USING btree (ticket_id, id);


--
-- Name: ticket_tags_tag; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ticket_tags_tag ON public.ticket_tags USING btree (tag, ticket_id);


--
-- Name: tickets_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_activity ON public.tickets USING btree (updated_at DESC, id DESC);


--
-- Name: tickets_assignee_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_assignee_activity ON public.tickets USING btree (assignee_id, updated_at DESC, id DESC);


--
-- Name: tickets_mailbox_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_mailbox_activity ON public.tickets USING btree (mailbox_id, updated_at DESC, id DESC);


--
-- Name: tickets_requester_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_requester_activity ON public.tickets USING btree (requester_id, updated_at DESC, id DESC);


--
-- Name: tickets_search; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_search ON public.tickets USING gin (search);


--
-- Name: tickets_status_activity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tickets_status_activity ON public.tickets USING btree (status, updated_at DESC, id DESC);


--
-- Name: messages messages_search; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_search AFTER INSERT OR DELETE OR UPDATE OF visible_text, ticket_id ON public.messages FOR EACH ROW EXECUTE FUNCTION public.ticketer_message_search();


--
-- Name: tickets tickets_search; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tickets_search BEFORE INSERT OR UPDATE OF subject ON public.tickets FOR EACH ROW EXECUTE FUNCTION public.ticketer_ticket_search();


--
-- Name: acknowledgements acknowledgements_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.acknowledgements
    ADD CONSTRAINT acknowledgements_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES public.tickets(id) ON DELETE CASCADE;


--
-- Name: api_tokens api_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: attachments attachments_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE;


--
-- Name: inbound inbound_mailbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_mailbox_id_fkey FOREIGN KEY (mailbox_id) REFERENCES public.mailboxes(id);


--
-- Name: inbound inbound_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound
    ADD CONSTRAINT inbound_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE SET NULL;


--
-- Name: message_occurrences message_occurrences_mailbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_occurrences
    ADD CONSTRAINT message_occurrences_mailbox_id_fkey FOREIGN KEY (mailbox_id) REFERENCES public.mailboxes(id);


--
-- Name: message_occurrences message_occurrences_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_occurrences
    ADD CONSTRAINT message_occurrences_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.messages(id) ON DELETE CASCADE;


--
-- Name: messages messages_author_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.users(id);


--
-- Name: messages messages_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES public.tickets(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: thread_keys thread_keys_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.thread_keys
    ADD CONSTRAINT thread_keys_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES public.tickets(id) ON DELETE CASCADE;


--
-- Name: ticket_events ticket_events_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_events
    ADD CONSTRAINT ticket_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);


--
-- Name: ticket_events ticket_events_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_events
    ADD CONSTRAINT ticket_events_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES public.tickets(id) ON DELETE CASCADE;


--
-- Name: ticket_participants ticket_participants_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_participants
    ADD CONSTRAINT ticket_participants_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES public.contacts(id);


--
-- Name: ticket_participants ticket_participants_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_participants
    ADD CONSTRAINT ticket_participants_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES public.tickets(id) ON DELETE CASCADE;


--
-- Name: ticket_tags ticket_tags_ticket_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ticket_tags
    ADD CONSTRAINT ticket_tags_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES public.tickets(id) ON DELETE CASCADE;


--
-- Name: tickets tickets_assignee_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES public.users(id);


--
-- Name: tickets tickets_mailbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_mailbox_id_fkey FOREIGN KEY (mailbox_id) REFERENCES public.mailboxes(id);


--
-- Name: tickets tickets_requester_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_requester_id_fkey FOREIGN KEY (requester_id) REFERENCES public.contacts(id);


--
-- PostgreSQL database dump complete
--


