"""Settings classes; the only place the environment is read.

Pick one with ``CSKH_CONFIG`` (development, testing, production) or pass a
class or mapping to ``create_app``.
"""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'cskh.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "vi")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = ("vi", "en")
    FLASK_ADMIN_SWATCH = "default"

    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "cskh@example.vn")
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", "10"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "3"))
    OUTBOX_BACKOFF_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "60"))
    IMPORT_FOLDER = os.environ.get("IMPORT_FOLDER")  # default: instance/imports
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "10"))
    """Largest import file; a request may be 1 MB more (the form around it)."""
    MAX_CONTENT_LENGTH = (MAX_UPLOAD_MB + 1) * 1024 * 1024
    """Werkzeug refuses a longer request with 413 from its Content-Length, before reading the body."""

    # ---- care message channels (docs/channels.md) ----
    CHANNEL_TIMEOUT_SECONDS = float(os.environ.get("CHANNEL_TIMEOUT_SECONDS", "10"))
    CHANNEL_HTTP_RETRIES = int(os.environ.get("CHANNEL_HTTP_RETRIES", "2"))
    CHANNEL_HTTP_BACKOFF_SECONDS = float(os.environ.get("CHANNEL_HTTP_BACKOFF_SECONDS", "0.5"))
    CHANNEL_DEFAULT_ORDER = os.environ.get("CHANNEL_DEFAULT_ORDER", "zns,sms,email")
    DELIVERY_LEASE_SECONDS = int(os.environ.get("DELIVERY_LEASE_SECONDS", "120"))
    DELIVERY_BATCH = int(os.environ.get("DELIVERY_BATCH", "200"))
    DELIVERY_THREADS = int(os.environ.get("DELIVERY_THREADS", "8"))
    ZNS_API_URL = os.environ.get("ZNS_API_URL", "https://business.openapi.zalo.me/message/template")
    ZALO_OAUTH_URL = os.environ.get("ZALO_OAUTH_URL", "https://oauth.zaloapp.com/v4/oa/access_token")
    ZALO_APP_ID = os.environ.get("ZALO_APP_ID", "")
    ZALO_APP_SECRET = os.environ.get("ZALO_APP_SECRET", "")
    ZALO_OA_SECRET_KEY = os.environ.get("ZALO_OA_SECRET_KEY", "")
    ZNS_ACCESS_TOKEN = os.environ.get("ZNS_ACCESS_TOKEN", "")
    ZNS_REFRESH_TOKEN = os.environ.get("ZNS_REFRESH_TOKEN", "")
    ZNS_RATE_PER_SECOND = float(os.environ.get("ZNS_RATE_PER_SECOND", "50"))
    SMS_API_URL = os.environ.get(
        "SMS_API_URL", "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    )
    SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
    SMS_SECRET_KEY = os.environ.get("SMS_SECRET_KEY", "")
    SMS_BRANDNAME = os.environ.get("SMS_BRANDNAME", "")
    SMS_TYPE = os.environ.get("SMS_TYPE", "2")
    SMS_SANDBOX = _bool("SMS_SANDBOX", False)
    SMS_CALLBACK_URL = os.environ.get("SMS_CALLBACK_URL", "")
    SMS_WEBHOOK_TOKEN = os.environ.get("SMS_WEBHOOK_TOKEN", "")
    SMS_RATE_PER_SECOND = float(os.environ.get("SMS_RATE_PER_SECOND", "30"))
    SMS_UNICODE = _bool("SMS_UNICODE", False)
    SMS_TEMPLATE_MAX_PARAMS = int(os.environ.get("SMS_TEMPLATE_MAX_PARAMS", "5"))
    EMAIL_RATE_PER_SECOND = float(os.environ.get("EMAIL_RATE_PER_SECOND", "10"))
    PRICE_ZNS = int(os.environ.get("PRICE_ZNS", "250"))
    PRICE_SMS_VIETTEL = int(os.environ.get("PRICE_SMS_VIETTEL", "800"))
    PRICE_SMS_MOBIFONE = int(os.environ.get("PRICE_SMS_MOBIFONE", "700"))
    PRICE_SMS_VINAPHONE = int(os.environ.get("PRICE_SMS_VINAPHONE", "700"))
    PRICE_SMS_OTHER = int(os.environ.get("PRICE_SMS_OTHER", "800"))
    PRICE_EMAIL = int(os.environ.get("PRICE_EMAIL", "0"))
    ADS_MAX_PER_DAY = int(os.environ.get("ADS_MAX_PER_DAY", "3"))
    ADS_HOURS = os.environ.get("ADS_HOURS", "07:00-22:00")
    OPT_OUT_KEYWORDS = os.environ.get("OPT_OUT_KEYWORDS", "TU CHOI,TUCHOI,TC,HUY,STOP")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SURVEY_LINK_DAYS = int(os.environ.get("SURVEY_LINK_DAYS", "14"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None

    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
    PANEL_CONFIG = os.environ.get("PANEL_CONFIG", str(ROOT / "config" / "panel.toml"))
    SEED_DEMO_ON_EMPTY = _bool("SEED_DEMO_ON_EMPTY", False)
    CALL_DAILY_CAPACITY = int(os.environ.get("CALL_DAILY_CAPACITY", "25"))
    """Planned calls per agent per day that the jobs fill up to before spilling to the next working day."""
    CALL_WORKING_WEEKDAYS = os.environ.get("CALL_WORKING_WEEKDAYS", "0,1,2,3,4,5")
    """Days the jobs plan calls on (0 = Monday); Vietnamese public holidays are skipped too."""
    RETURN_WINDOW_DAYS = int(os.environ.get("RETURN_WINDOW_DAYS", "7"))
    """Days after delivery an order may be returned when no published return policy says."""
    CUSTOMER_WAIT_HOURS = int(os.environ.get("CUSTOMER_WAIT_HOURS", "48"))
    """A request waiting for the customer comes back to the inbox after this long without a change."""


class DevelopmentConfig(Config):
    """Local use: SQLite under instance/, a throwaway secret, cookies over plain HTTP."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """The test suite: the database URL comes from the fixture."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # never a real provider from a test: port 9 (discard) refuses at once unless a test points elsewhere
    ZNS_API_URL = os.environ.get("ZNS_API_URL", "http://127.0.0.1:9/message/template")
    ZALO_OAUTH_URL = os.environ.get("ZALO_OAUTH_URL", "http://127.0.0.1:9/v4/oa/access_token")
    SMS_API_URL = os.environ.get("SMS_API_URL", "http://127.0.0.1:9/sms")
    CHANNEL_HTTP_BACKOFF_SECONDS = float(os.environ.get("CHANNEL_HTTP_BACKOFF_SECONDS", "0.01"))
    CHANNEL_TIMEOUT_SECONDS = float(os.environ.get("CHANNEL_TIMEOUT_SECONDS", "2"))


class ProductionConfig(Config):
    """Real deployments: SECRET_KEY must come from the environment."""

    ENV_NAME = "production"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def select_config(name: str | None = None) -> type[Config]:
    """The settings class named by ``name`` or ``CSKH_CONFIG`` (default: development)."""
    name = name or os.environ.get("CSKH_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"CSKH_CONFIG={name!r}: choose one of {', '.join(CONFIGS)}") from exc
