"""load_config and resolve_config_path: a frozen Config, or a ConfigError naming key and file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from tracker.config import DEFAULT_CONFIG, Config, load_config, resolve_config_path
from tracker.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "config.toml"


def write_config(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped config and the built-in defaults -----------------------------------------


def test_shipped_config_loads_with_both_ctgov_queries() -> None:
    cfg = load_config(SHIPPED, env={})
    assert cfg.source_path == str(SHIPPED)
    assert [q.name for q in cfg.ctgov.queries] == [
        "als-magnetic-stimulation",
        "als-magnetic-anywhere",
    ]
    narrow, wide = cfg.ctgov.queries
    assert "amyotrophic lateral sclerosis" in narrow.cond
    assert "tSMS" in narrow.intr
    assert '"theta burst"' in narrow.intr
    assert narrow.term == ""
    assert "tSMS" in wide.term
    assert '"theta burst"' in wide.term
    assert wide.intr == ""
    assert cfg.ctgov.url == "https://clinicaltrials.gov/api/v2"
    assert cfg.ctgov.rps == 1.0
    assert cfg.database.url == f"sqlite:///{REPO / 'tracker.db'}"


def test_builtin_defaults_are_the_shipped_config(monkeypatch: pytest.MonkeyPatch) -> None:
    with DEFAULT_CONFIG.open("rb") as builtin, SHIPPED.open("rb") as shipped:
        assert tomllib.load(builtin) == tomllib.load(shipped)
    # The built-in copy puts a relative SQLite path in the user's data folder.
    monkeypatch.setenv("XDG_DATA_HOME", str(REPO))
    defaults = load_config(DEFAULT_CONFIG, env={})
    assert defaults == load_config(SHIPPED, env={}).model_copy(
        update={"source_path": "<built-in defaults>", "database": defaults.database}
    )
    assert defaults.database.url == f"sqlite:///{REPO / 'tracker' / 'tracker.db'}"
    assert defaults.source_path == "<built-in defaults>"


def test_builtin_defaults_put_the_database_in_the_user_data_folder_not_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert load_config(DEFAULT_CONFIG, env={}).database.url == (
        f"sqlite:///{(tmp_path / 'data' / 'tracker' / 'tracker.db').resolve()}"
    )


def test_empty_file_gives_model_defaults(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, ""), env={})
    assert cfg.ctgov == Config().ctgov
    assert cfg.http == Config().http
    assert cfg.ctgov.queries == ()


# --- errors name the key and the file -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("colour = 'blue'\n", "colour", id="top-level"),
        pytest.param("[ctgov]\nquerys = 1\n", "ctgov.querys", id="nested"),
        pytest.param("[http]\nretry = 3\n", "http.retry", id="nested-typo"),
        pytest.param(
            "[[ctgov.queries]]\nname = 'q'\ncondition = 'ALS'\n",
            "ctgov.queries.0.condition",
            id="in-query-table",
        ),
    ],
)
def test_unknown_key_names_key_and_file(tmp_path: Path, text: str, key: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert f"'{key}'" in message
    assert "unknown key" in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("[ctgov]\nrps = 'fast'\n", "ctgov.rps", id="rps-string"),
        pytest.param("[ctgov]\npage_size = 5000\n", "ctgov.page_size", id="page-size-range"),
        pytest.param("[http]\nretries = -1\n", "http.retries", id="negative-retries"),
        pytest.param("[http]\ntimeout = 0\n", "http.timeout", id="zero-timeout"),
        pytest.param("[[ctgov.queries]]\nname = '  '\n", "ctgov.queries.0.name", id="blank"),
        pytest.param("ctgov = 3\n", "ctgov", id="section-not-table"),
        pytest.param("database = 'sqlite:///x.db'\n", "database", id="database-not-table"),
    ],
)
def test_wrong_type_names_key_and_file(tmp_path: Path, text: str, key: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert f"key '{key}'" in str(info.value)
    assert str(path) in str(info.value)


def test_missing_required_key_is_named(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[[ctgov.queries]]\ncond = 'ALS'\n")
    with pytest.raises(ConfigError, match=r"missing required key 'ctgov\.queries\.0\.name'"):
        load_config(path, env={})


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "config.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)


def test_invalid_toml_names_the_path(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[ctgov\nrps = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert str(path) in str(info.value)
    assert "not valid TOML" in str(info.value)


def test_directory_instead_of_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=str(tmp_path)):
        load_config(tmp_path, env={})


# --- environment overrides ----------------------------------------------------------------


def test_env_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "[database]\nurl = 'sqlite:///file.db'\n[ctgov]\nurl = 'https://file.example'\nrps = 1.0\n",
    )
    cfg = load_config(
        path,
        env={
            "TRACKER_DATABASE_URL": "postgresql+psycopg://tracker@db/tracker",
            "TRACKER_CTGOV_URL": "http://127.0.0.1:8099/api/v2",
            "TRACKER_CTGOV_RPS": "0",
            "TRACKER_PUBMED_RPS": "2.5",
        },
    )
    assert cfg.database.url == "postgresql+psycopg://tracker@db/tracker"
    assert cfg.ctgov.url == "http://127.0.0.1:8099/api/v2"
    assert cfg.ctgov.rps == 0.0
    assert cfg.pubmed.rps == 2.5


def test_env_overrides_create_missing_sections(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, ""), env={"TRACKER_CTGOV_RPS": "4"})
    assert cfg.ctgov.rps == 4.0


def test_empty_env_value_is_ignored(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[ctgov]\nurl = 'https://file.example'\n")
    cfg = load_config(path, env={"TRACKER_CTGOV_URL": "", "TRACKER_CTGOV_RPS": ""})
    assert cfg.ctgov.url == "https://file.example"
    assert cfg.ctgov.rps == 1.0


@pytest.mark.parametrize(
    "var", ["TRACKER_CTGOV_RPS", "TRACKER_PUBMED_RPS", "TRACKER_EUROPEPMC_RPS"]
)
def test_bad_rps_env_value_names_the_variable(tmp_path: Path, var: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, ""), env={var: "abc"})
    assert var in str(info.value)
    assert "'abc'" in str(info.value)


@pytest.mark.parametrize("value", ["-1", "nan"])
def test_out_of_range_rps_env_value_names_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="TRACKER_CTGOV_RPS"):
        load_config(write_config(tmp_path, ""), env={"TRACKER_CTGOV_RPS": value})


def test_load_config_reads_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CTGOV_URL", "http://from-environ.example/api/v2")
    assert load_config(write_config(tmp_path, "")).ctgov.url == "http://from-environ.example/api/v2"


# --- SQLite paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("sqlite:///tracker.db", "{base}/tracker.db", id="relative"),
        pytest.param("sqlite:///data/t.db", "{base}/data/t.db", id="relative-subdir"),
        pytest.param("sqlite:////abs/t.db", "sqlite:////abs/t.db", id="absolute"),
        pytest.param("sqlite:///:memory:", "sqlite:///:memory:", id="memory"),
        pytest.param("sqlite://", "sqlite://", id="bare-memory"),
        pytest.param("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db", id="postgres"),
    ],
)
def test_sqlite_path_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, expected: str
) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write_config(folder, f"[database]\nurl = '{url}'\n")
    base = folder.resolve()
    want = f"sqlite:///{expected.format(base=base)}" if "{base}" in expected else expected
    assert load_config(path, env={}).database.url == want


def test_relative_sqlite_default_url_is_resolved_too(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, "[ctgov]\nrps = 1\n"), env={})
    assert cfg.database.url == f"sqlite:///{(tmp_path / 'tracker.db').resolve()}"


# --- which file ---------------------------------------------------------------------------


def test_resolve_prefers_cli_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, "")
    monkeypatch.chdir(tmp_path)
    cli = tmp_path / "cli.toml"
    assert resolve_config_path(cli, {"TRACKER_CONFIG": "/env/config.toml"}) == cli


def test_resolve_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, "")
    monkeypatch.chdir(tmp_path)
    assert resolve_config_path(None, {"TRACKER_CONFIG": "/env/config.toml"}) == Path(
        "/env/config.toml"
    )


def test_resolve_then_cwd_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, "")
    monkeypatch.chdir(tmp_path)
    found = resolve_config_path(None, {"TRACKER_CONFIG": ""})
    assert found.resolve() == (tmp_path / "config.toml").resolve()


def test_resolve_then_builtin_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_config_path(None, {}) == DEFAULT_CONFIG
    (tmp_path / "config.toml").mkdir()  # a directory named config.toml is not a config file
    assert resolve_config_path(None, {}) == DEFAULT_CONFIG


# --- frozen -------------------------------------------------------------------------------


def test_config_is_frozen(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, "[[ctgov.queries]]\nname = 'q'\n"), env={})
    with pytest.raises(ValidationError):
        cfg.database = cfg.database  # type: ignore[misc]
    with pytest.raises(ValidationError):
        cfg.ctgov.rps = 5.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        cfg.ctgov.queries[0].name = "other"  # type: ignore[misc]
    assert isinstance(cfg.ctgov.queries, tuple)  # not a list that could be appended to


def test_source_path_is_not_part_of_the_dump(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, ""), env={})
    assert "source_path" not in cfg.model_dump()
