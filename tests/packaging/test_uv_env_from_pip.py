"""uv gets the package sources pip is configured with (uv reads no pip configuration)."""

from __future__ import annotations

from tools.uv_env_from_pip import uv_environment


def test_pips_local_wheels_extra_indexes_and_constraints_become_uv_variables(tmp_path, monkeypatch):
    for name in ("UV_INDEX", "UV_FIND_LINKS", "UV_CONSTRAINT", "UV_INDEX_STRATEGY",
                 "UV_DEFAULT_INDEX", "UV_HTTP_TIMEOUT", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    wheels, index, constraints = tmp_path / "wheels", tmp_path / "simple", tmp_path / "c.txt"
    wheels.mkdir()
    index.mkdir()
    constraints.write_text("torch<=2.14.1\n")
    env = uv_environment({
        "find-links": str(wheels),
        "extra-index-url": f"file://{index} https://mirror.example/simple",
        "constraint": str(constraints),
        "default-timeout": "180",
    })
    assert env == {
        "UV_INDEX": f"file://{index} https://mirror.example/simple",
        "UV_INDEX_STRATEGY": "unsafe-best-match",
        "UV_FIND_LINKS": str(wheels),
        "UV_CONSTRAINT": str(constraints),
        "UV_HTTP_TIMEOUT": "180",
    }


def test_local_sources_that_do_not_exist_are_left_out(tmp_path, monkeypatch):
    monkeypatch.delenv("UV_INDEX", raising=False)
    monkeypatch.delenv("UV_FIND_LINKS", raising=False)
    env = uv_environment({
        "find-links": str(tmp_path / "absent"),
        "extra-index-url": f"file://{tmp_path / 'absent-index'}",
    })
    assert env == {}


def test_a_uv_variable_already_set_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_FIND_LINKS", "/elsewhere")
    assert "UV_FIND_LINKS" not in uv_environment({"find-links": str(tmp_path)})


def test_no_pip_configuration_gives_no_uv_variables():
    assert uv_environment({}) == {}

