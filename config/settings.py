"""The one Settings object. Only entry points call get_settings(); everything else receives values."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ImportLimits(BaseModel):
    """Bounds applied to every workbook before it is parsed."""

    max_uncompressed_bytes: int = 1 << 30  # zip-bomb guard: total decompressed size
    max_compression_ratio: float = 200.0  # per member; XML compresses ~10-30x in practice
    max_file_bytes: int = 512 << 20


class HFSettings(BaseModel):
    """The HyperFormula Node process."""

    node_binary: str = "node"
    call_timeout_seconds: float = 300.0
    startup_timeout_seconds: float = 30.0
    max_old_space_mb: int = 4096


class WatcherSettings(BaseModel):
    """The inbox watcher."""

    inbox: Path | None = None  # default: <data dir>/inbox
    archive_dir: Path | None = None
    failed_dir: Path | None = None
    polling: bool = False
    poll_interval_seconds: float = 1.0
    settle_seconds: float = 1.0
    recursive: bool = True
    delete_on_success: bool = False
    max_concurrent_imports: int = 2


class APISettings(BaseModel):
    """The read-only HTTP API."""

    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = Field(default_factory=list)
    api_keys: list[SecretStr] = Field(default_factory=list)
    max_page_size: int = 1000


class PrefectSettings(BaseModel):
    """How we talk to / start Prefect."""

    api_url: str | None = None  # PREFECT_API_URL is honoured too (read by Prefect itself)
    server_host: str = "127.0.0.1"
    server_port: int = 4200
    task_retries: int = 2
    task_retry_delays: list[float] = Field(default_factory=lambda: [2.0, 10.0])
    revalidate_cron: str = "0 2 * * *"
    work_pool: str = "capitallens"


class Settings(BaseSettings):
    """All configuration, from the environment (nested groups with ``__``) or a .env file."""

    model_config = SettingsConfigDict(
        env_nested_delimiter="__", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(default=Path("./.capitallens"), alias="CAPITALLENS_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    limits: ImportLimits = Field(default_factory=ImportLimits, alias="CAPITALLENS_LIMITS")
    hf: HFSettings = Field(default_factory=HFSettings, alias="CAPITALLENS_HF")
    watcher: WatcherSettings = Field(default_factory=WatcherSettings, alias="CAPITALLENS_WATCHER")
    api: APISettings = Field(default_factory=APISettings, alias="CAPITALLENS_API")
    prefect: PrefectSettings = Field(default_factory=PrefectSettings, alias="CAPITALLENS_PREFECT")

    @property
    def resolved_data_dir(self) -> Path:
        """The data directory as an absolute path."""
        return self.data_dir.expanduser().resolve()

    @property
    def db_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'capitallens.db'}"

    @property
    def files_dir(self) -> Path:
        """Content-addressed store of imported workbooks."""
        return self.resolved_data_dir / "files"

    @property
    def work_dir(self) -> Path:
        """Durable stage outputs, one folder per file sha256."""
        return self.resolved_data_dir / "work"

    @property
    def inbox_dir(self) -> Path:
        """The watched inbox."""
        return (self.watcher.inbox or self.resolved_data_dir / "inbox").expanduser().resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load settings once per process; tests call get_settings.cache_clear()."""
    return Settings()
