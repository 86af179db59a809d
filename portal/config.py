"""Configuration classes, chosen by the PORTAL_ENV environment variable.

Every setting comes from an environment variable with a development default, read when
the class is instantiated (so tests can change the environment). Outside development and
test, `check()` refuses to start without the variables that have no safe default, and names
the one that is missing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# The key of the development set when SECRET_KEY is not set: random, made on first run for
# this installation only, never committed (instance/ is ignored by git).
SECRET_KEY_FILE = INSTANCE / "secret_key"
# Keys published in this repository (the former development key, the tests' key): refused
# in production whatever their length.
PUBLIC_SECRET_KEYS = frozenset({
    "dev-only-secret-key-not-for-production",
    "test-secret-key-0123456789abcdef0123456789",
})  # fmt: skip


class ConfigurationError(RuntimeError):
    """Raised at start-up when a required setting is missing or unsafe."""


def env_str(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}.") from None


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    NAME = "base"
    # Variables that must be set explicitly (no safe default) in this environment.
    REQUIRED_VARIABLES: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.DEBUG = False
        self.TESTING = False
        self.SECRET_KEY = env_str("SECRET_KEY", None)
        self.DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}")
        # The public address printed on letters and in their QR codes.
        self.PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

        self.BABEL_DEFAULT_LOCALE = "fr"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
        self.LANGUAGES = ("fr", "en")

        # CSRF tokens stay valid for the whole session: an owner who pauses mid-diagnostic
        # must not lose an answer to an expired token (GOV.UK Notify does the same).
        self.WTF_CSRF_TIME_LIMIT = None

        self.SESSION_COOKIE_NAME = "portal_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
        self.PERMANENT_SESSION_LIFETIME = env_int("SESSION_LIFETIME_SECONDS", 4 * 3600)
        self.MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
        # The one larger upload: a housing file at /gestion/imports/nouveau (ZLV's export of
        # 100,000 housings weighs about 15 MB as XLSX, 20 MB as CSV).
        self.IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)

        self.MAIL_SERVER = env_str("MAIL_SERVER", "localhost")
        self.MAIL_PORT = env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = env_str("MAIL_USERNAME", None)
        self.MAIL_PASSWORD = env_str("MAIL_PASSWORD", None)
        self.MAIL_DEFAULT_SENDER = env_str(
            "MAIL_DEFAULT_SENDER", "ne-pas-repondre@portail.localhost"
        )
        self.MAIL_SUPPRESS_SEND = env_bool("MAIL_SUPPRESS_SEND", True)

        self.GUIDANCE_CONTENT_PATH = env_str(
            "GUIDANCE_CONTENT_PATH", str(ROOT / "guidance_content")
        )
        self.REDIS_URL = env_str("REDIS_URL", None)
        # Where background jobs run: "rq" (workers, `portal worker`; the default when
        # REDIS_URL is set), "thread" (in this process; the default otherwise) or "inline".
        self.JOBS_RUNNER = env_str("JOBS_RUNNER", None)
        # The hour (France's time) from which `portal worker` runs the daily tasks, once a
        # day for all workers: campaigns whose send date is reached, the retention purge
        # (portal/jobs/daily.py). Night time: the purge's deletions wait for no agent.
        self.DAILY_TASKS_HOUR = env_int("DAILY_TASKS_HOUR", 3)
        # Failed typed-code attempts per address (limits syntax); see portal/ratelimit.py.
        self.CODE_FAILURE_LIMITS = env_str("CODE_FAILURE_LIMITS", "10 per 15 minutes; 30 per hour")
        self.PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)  # exact number of proxies in front
        self.RATE_LIMIT_KEY_PREFIX = env_str("RATE_LIMIT_KEY_PREFIX", "portal")
        # The global alert on failed lookups (all addresses); see portal/lookup_alert.py.
        self.SECURITY_ALERT_EMAIL = env_str("SECURITY_ALERT_EMAIL", None)
        self.LOOKUP_ALERT_FACTOR = env_int("LOOKUP_ALERT_FACTOR", 5)
        self.LOOKUP_ALERT_MIN_PER_HOUR = env_int("LOOKUP_ALERT_MIN_PER_HOUR", 50)
        self.LOOKUP_ALERT_BASELINE_HOURS = env_int("LOOKUP_ALERT_BASELINE_HOURS", 7 * 24)
        self.DB_POOL_SIZE = env_int("DB_POOL_SIZE", 5)
        self.DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)

        # Agents' sessions, sign-in lock-out, reset links and second factor: the reasons
        # for each figure are in portal/backoffice/sessions.py, lockout.py, reset.py, totp.py.
        self.AGENT_SESSION_IDLE_MINUTES = env_int("AGENT_SESSION_IDLE_MINUTES", 30)
        self.AGENT_SESSION_MAX_HOURS = env_int("AGENT_SESSION_MAX_HOURS", 12)
        self.AGENT_LOGIN_MAX_FAILURES = env_int("AGENT_LOGIN_MAX_FAILURES", 8)
        self.AGENT_LOCKOUT_MINUTES = env_int("AGENT_LOCKOUT_MINUTES", 30)
        # Failed sign-ins per client address, whatever the e-mail (see portal/ratelimit.py).
        self.AGENT_LOGIN_ADDRESS_LIMITS = env_str(
            "AGENT_LOGIN_ADDRESS_LIMITS", "20 per 15 minutes; 60 per hour"
        )
        self.AGENT_PASSWORD_RESET_MINUTES = env_int("AGENT_PASSWORD_RESET_MINUTES", 45)
        # A TOTP code after the password, for every agent (always on in production).
        self.AGENT_TOTP_REQUIRED = env_bool("AGENT_TOTP_REQUIRED", False)

        # How long personal data is kept (portal/retention.py; `portal retention purge`, daily,
        # deletes or anonymises what is past it; the privacy page states these figures).
        # Call-back contact details (phone, e-mail, note): 12 months after an agent handled
        # the request (time to call back, and to answer "you called me, who are you?"), and
        # 18 months after the request in any case (a request nobody handled is not kept
        # forever: CNIL's rule of the shortest period that serves the purpose).
        self.RETENTION_CALLBACK_HANDLED_DAYS = env_int("RETENTION_CALLBACK_HANDLED_DAYS", 365)
        self.RETENTION_CALLBACK_DAYS = env_int("RETENTION_CALLBACK_DAYS", 548)
        # Owners' answers: 3 years after the owner's latest return, the span of a ZLV
        # follow-up (a vacancy is worked on over several campaigns, about one a year).
        self.RETENTION_ANSWERS_DAYS = env_int("RETENTION_ANSWERS_DAYS", 3 * 365)
        # Agents' access log: 1 year (CNIL recommends 6 months to 1 year for traceability
        # logs: long enough to investigate a misuse reported late, no longer).
        self.RETENTION_ACCESS_LOG_DAYS = env_int("RETENTION_ACCESS_LOG_DAYS", 365)
        # Agents' ended or expired sessions: 30 days (the account page, an investigation of
        # a stolen session), as portal/backoffice/sessions.py KEEP_ENDED.
        self.RETENTION_SESSION_DAYS = env_int("RETENTION_SESSION_DAYS", 30)
        # Job files (uploaded owners files, letters PDF and recipients CSV, import reports):
        # 90 days after the job, time to print, post and reprint; the data itself lives on
        # in the housings and owners, these are copies.
        self.RETENTION_JOB_FILE_DAYS = env_int("RETENTION_JOB_FILE_DAYS", 90)
        # E-mails of the outbox (an owner's address and call-back receipt): 30 days after
        # sent or given up, time to answer "did my e-mail go?"; the call-back request keeps
        # the address for its own period.
        self.RETENTION_OUTBOX_DAYS = env_int("RETENTION_OUTBOX_DAYS", 30)
        # Rate-limit hits (keyed hashes of addresses): 24 hours, beyond the longest window of
        # CODE_FAILURE_LIMITS and AGENT_LOGIN_ADDRESS_LIMITS (keep it so).
        self.RETENTION_RATE_LIMIT_HOURS = env_int("RETENTION_RATE_LIMIT_HOURS", 24)

    def check(self) -> None:
        """Refuse to start with a missing or unsafe setting, naming the variable."""
        for name in self.REQUIRED_VARIABLES:
            if not os.environ.get(name):
                raise ConfigurationError(
                    f"Missing configuration: set the {name} environment variable "
                    f"(PORTAL_ENV={self.NAME}). See README.md, section Configuration."
                )
        if not 0 <= self.DAILY_TASKS_HOUR <= 23:
            raise ConfigurationError("DAILY_TASKS_HOUR must be an hour, from 0 to 23.")
        key = self.SECRET_KEY or ""
        if self.REQUIRED_VARIABLES and (key in PUBLIC_SECRET_KEYS or len(key) < 32):
            raise ConfigurationError(
                "Unsafe configuration: the SECRET_KEY environment variable must be a random "
                'string of at least 32 characters (python -c "import secrets; '
                'print(secrets.token_urlsafe(48))").'
            )


def installation_secret_key(path: Path) -> str:
    """The key in `path`, made (random, readable by its owner only) if there is none."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= 32:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    os.chmod(path, 0o600)
    return key


class DevelopmentConfig(Config):
    NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.DEBUG = env_bool("FLASK_DEBUG", False)
        if not self.SECRET_KEY:
            self.SECRET_KEY = installation_secret_key(
                Path(env_str("SECRET_KEY_FILE", str(SECRET_KEY_FILE)))
            )


class TestConfig(Config):
    NAME = "test"
    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key-0123456789abcdef0123456789"  # noqa: S105 (public)
        # In-memory SQLite unless TEST_DATABASE_URL points at PostgreSQL.
        self.DATABASE_URL = env_str("TEST_DATABASE_URL", "sqlite://")
        self.PORTAL_BASE_URL = "http://portal.test"
        self.MAIL_SUPPRESS_SEND = True
        self.REDIS_URL = None  # counters in the test database, never a developer's Redis
        self.JOBS_RUNNER = "inline"  # a job is done when the request that submits it returns
        self.SECURITY_ALERT_EMAIL = None  # tests that want the e-mail set it
        # Off so that tests sign agents in with a password; the TOTP tests turn it on.
        self.AGENT_TOTP_REQUIRED = False
        self.STATS_CACHE_SECONDS = 0  # /stats computed at each request (one test turns it on)


class ProductionConfig(Config):
    NAME = "production"
    REQUIRED_VARIABLES = ("SECRET_KEY", "DATABASE_URL", "PORTAL_BASE_URL")

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
        if self.SESSION_COOKIE_SECURE:
            # Sent over HTTPS only, for this exact host and path / (ASVS 3.3.1, 3.3.3).
            self.SESSION_COOKIE_NAME = "__Host-portal_session"
        self.MAIL_SUPPRESS_SEND = env_bool("MAIL_SUPPRESS_SEND", False)
        # ASVS level 2 asks for a second factor: not an option in production.
        self.AGENT_TOTP_REQUIRED = True


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    """The config class named by `name`, or by PORTAL_ENV (development by default)."""
    name = name or os.environ.get("PORTAL_ENV") or "development"
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"Unknown PORTAL_ENV={name!r}: use one of {', '.join(CONFIGS)}."
        ) from None
