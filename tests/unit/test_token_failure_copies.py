"""The token failures' messages and reasons are one table (erp_common/errors.py TOKEN_FAILURES) with
two copies the edges need in their own language: Envoy's Lua and the Go gateway's. They must not drift."""
from __future__ import annotations

import re

from erp_common.errors import ERROR_DOMAIN, TOKEN_FAILURES
from tests.support import ROOT



def test_envoys_lua_copy_matches():
    lua = (ROOT / "edge" / "errors.lua").read_text()
    table = re.search(r"local TOKEN_FAILURES = \{(.*?)\n\}", lua, re.S).group(1)
    assert dict(re.findall(r'(\w+) = "([^"]*)"', table)) == TOKEN_FAILURES
    assert re.search(r'local ERROR_DOMAIN = "([^"]*)"', lua).group(1) == ERROR_DOMAIN


def test_the_gateways_go_copy_matches():
    go = (ROOT / "edge" / "gateway" / "errors.go").read_text()
    table = re.search(r"var tokenFailures = map\[string\]string\{(.*?)\n\}", go, re.S).group(1)
    assert dict(re.findall(r'"(\w+)":\s*"([^"]*)"', table)) == TOKEN_FAILURES
    assert re.search(r'const errorDomain = "([^"]*)"', go).group(1) == ERROR_DOMAIN
