"""Settings: every knob of the platform, read from ``LINGANG_*`` environment variables.

One data directory holds everything local (SQLite file, lake, audit key, console storage).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BusKind = Literal["inprocess", "nats"]


class Settings(BaseSettings):
    """Platform settings; each field is overridable as ``LINGANG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="LINGANG_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./.lingang"), description="All local state lives here.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in the data directory."
    )
    bus: BusKind = Field(default="inprocess", description="Event bus adapter.")
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "LINGANG"
    nats_subject_prefix: str = Field(
        default="lingang",
        pattern=r"^[a-z][a-z0-9_]{0,31}$",
        description="Subjects are <prefix>.<event name>; one prefix per stream.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for online feature state shared by workers; default: in process.",
    )
    audit_key: SecretStr | None = Field(
        default=None, description="HMAC key of the audit chain; default: a key file in data_dir."
    )
    session_hours: int = Field(default=12, ge=1, description="Console session lifetime.")
    api_token_days: int = Field(default=30, ge=1, description="API bearer token lifetime.")
    login_max_failures: int = Field(default=5, ge=1, description="Failures before lock-out.")
    login_window_minutes: int = Field(default=15, ge=1, description="Window counted for failures.")
    login_lockout_minutes: int = Field(default=15, ge=1, description="Lock-out after too many.")
    hs_nomenclature: Path = Field(
        default=Path("../shared/data/hs-nomenclature/harmonized-system.csv"),
        description="HS 2022 nomenclature CSV (section,hscode,description,parent,level).",
    )
    plan_indicators: Path = Field(
        default=Path("../shared/domain/plan-indicators.yaml"),
        description="The plan's indicator registry (plan-indicators.yaml; read, never copied).",
    )
    plan_thresholds: Path | None = Field(
        default=None,
        description="Progress thresholds YAML; default: lingang/plan/thresholds.yaml.",
    )
    case_attachment_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, description="Largest file one case attachment may be."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    console: bool = Field(default=True, description="Mount the NiceGUI console on the API app.")
    default_language: Literal["zh-CN", "en"] = "zh-CN"
    public_url: str | None = Field(
        default=None,
        description="Public address of the platform, put in e-licence QR codes; "
        "default: http://<host>:<port>.",
    )

    def resolved_public_url(self) -> str:
        """Where outsiders reach the platform (no trailing slash)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, or the SQLite file in data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'lingang.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create the data directory if needed and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
