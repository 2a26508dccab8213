"""Settings: camelCase in, typed config out, bad values are messages, never failures."""

from sstar.config import Config, cache_dir, environment_overrides


def test_valid_settings_are_applied():
    config, problems = Config().with_settings(
        {"baseUrl": "http://127.0.0.1:8000/v1", "samples": 4, "temperature": 0.2, "requireIsolation": ["seccomp"]}
    )
    assert problems == []
    assert (config.base_url, config.samples, config.temperature) == ("http://127.0.0.1:8000/v1", 4, 0.2)
    assert config.require_isolation == ("seccomp",)


def test_bad_values_keep_the_previous_value_and_name_the_key():
    start = Config(samples=5)
    config, problems = start.with_settings(
        {"samples": "many", "rounds": -1, "temperature": True, "baseUrl": "ftp://x", "bogus": 1}
    )
    assert config == start
    assert len(problems) == 5
    assert any("sstar.samples" in p and "1 to 128" in p for p in problems)
    assert any("unknown setting sstar.bogus" in p for p in problems)


def test_api_key_never_shows_in_repr_and_comes_from_the_named_variable():
    config = Config(api_key_env="MY_KEY")
    assert config.resolved_api_key({"MY_KEY": "sk-test-123"}) == "sk-test-123"
    with_key, _ = config.with_settings({"apiKey": "sk-secret-456"})
    assert "sk-secret-456" not in repr(with_key)
    assert "sk-secret-456" not in str(with_key.fingerprint())


def test_environment_and_cache_dir():
    assert environment_overrides({"SSTAR_BASE_URL": "http://h/v1", "OTHER": "x"}) == {"baseUrl": "http://h/v1"}
    assert str(cache_dir({"SSTAR_CACHE_DIR": "/tmp/c"})) == "/tmp/c"
    assert str(cache_dir({"XDG_CACHE_HOME": "/x"})) == "/x/sstar"
