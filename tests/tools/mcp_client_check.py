"""Drives Anchorage's MCP server with the official Python MCP SDK (`mcp` from PyPI).

Run by crates/cli/tests/mcp_client.rs, which builds a synthetic-web index, creates an API
key and serves the index over HTTP with MCP mounted at /mcp. This script:

1. starts `anchorage mcp --data-dir D` (stdio) through the SDK's stdio client: initialize,
   tools/list (every input schema must be a valid JSON Schema), then calls every tool with
   the arguments its schema asks for and compares the answer with the HTTP API's answer to
   the same parameters;
2. checks that a bad argument becomes an MCP error carrying the HTTP API's message;
3. does the same over streamable HTTP at /mcp with the Bearer key, and checks that /mcp
   refuses a request without it.

Any failed check raises; the exit status tells the Rust test.
"""

import argparse
import asyncio
import datetime
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import httpx
import jsonschema
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import McpError

EXPECTED_TOOLS = {
    "site-explorer-all-backlinks": "/v3/site-explorer/all-backlinks",
    "site-explorer-broken-backlinks": "/v3/site-explorer/broken-backlinks",
    "site-explorer-refdomains": "/v3/site-explorer/refdomains",
    "site-explorer-anchors": "/v3/site-explorer/anchors",
    "site-explorer-linkeddomains": "/v3/site-explorer/linkeddomains",
    "site-explorer-linked-anchors-external": "/v3/site-explorer/linked-anchors-external",
    "site-explorer-linked-anchors-internal": "/v3/site-explorer/linked-anchors-internal",
    "site-explorer-backlinks-stats": "/v3/site-explorer/backlinks-stats",
    "site-explorer-outlinks-stats": "/v3/site-explorer/outlinks-stats",
    "site-explorer-domain-rating": "/v3/site-explorer/domain-rating",
    "site-explorer-domain-rating-history": "/v3/site-explorer/domain-rating-history",
    "site-explorer-url-rating-history": "/v3/site-explorer/url-rating-history",
    "site-explorer-refdomains-history": "/v3/site-explorer/refdomains-history",
    "site-explorer-best-by-external-links": "/v3/site-explorer/pages-by-backlinks",
    "site-explorer-best-by-internal-links": "/v3/site-explorer/pages-by-internal-links",
    "explain-domain-rating": "/v3/anchorage/explain-domain-rating",
}

# The most linked site of the synthetic web has rows in these (broken links may miss it).
MUST_HAVE_ROWS = {
    "site-explorer-all-backlinks",
    "site-explorer-refdomains",
    "site-explorer-anchors",
    "site-explorer-backlinks-stats",
    "site-explorer-domain-rating",
    "site-explorer-best-by-external-links",
    "explain-domain-rating",
}


def arguments_for(name, schema, target):
    """The arguments a demanding user would pass: every required one, plus a mode and limit."""
    props = schema.get("properties", {})
    args = {}
    for param in schema.get("required", []):
        spec = props[param]
        if param == "target":
            args[param] = target
        elif param == "select":
            columns = re.search(r"Columns: ([^.]+)\.", spec.get("description", ""))
            assert columns, f"{name}: select lists no columns"
            args[param] = ",".join(c.strip() for c in columns.group(1).split(",")[:5])
        elif param in ("date", "date_to"):
            args[param] = datetime.date.today().isoformat()
        elif param == "date_from":
            args[param] = "2000-01-01"
        elif "enum" in spec:
            args[param] = spec["enum"][0]
        else:
            raise AssertionError(f"{name}: no rule for the required argument {param}")
    if "mode" in props:
        args["mode"] = "domain"
    if "limit" in props:
        args["limit"] = 50
    return args


def http_get(base, path, args, key):
    url = f"{base}{path}?{urllib.parse.urlencode(args)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def canonical(answer):
    """The answer with its row lists in a fixed order (no order_by: any order is right)."""
    if isinstance(answer, dict):
        return {k: canonical(v) for k, v in answer.items()}
    if isinstance(answer, list):
        return sorted((canonical(v) for v in answer), key=lambda v: json.dumps(v, sort_keys=True))
    return answer


def rows_in(answer):
    return sum(len(v) if isinstance(v, list) else 1 for v in answer.values())


async def check_tools(session, http_base, key, target):
    init = await session.initialize()
    assert init.serverInfo.name == "anchorage", init.serverInfo
    listed = (await session.list_tools()).tools
    names = {t.name for t in listed}
    missing = (set(EXPECTED_TOOLS) | {"doc"}) - names
    assert not missing, f"tools missing: {missing}"
    calls = 0
    for tool in listed:
        jsonschema.validators.validator_for(tool.inputSchema).check_schema(tool.inputSchema)
        if tool.name == "doc":
            continue
        args = arguments_for(tool.name, tool.inputSchema, target)
        jsonschema.validate(args, tool.inputSchema)
        result = await session.call_tool(tool.name, args)
        assert not result.isError, f"{tool.name}: {result.content}"
        via_mcp = json.loads(result.content[0].text)
        status, via_http = http_get(http_base, EXPECTED_TOOLS[tool.name], args, key)
        assert status == 200, f"{tool.name}: HTTP {status} {via_http}"
        assert canonical(via_mcp) == canonical(via_http), f"{tool.name}: MCP and HTTP answers differ"
        if tool.name in MUST_HAVE_ROWS:
            assert rows_in(via_mcp) > 0, f"{tool.name}: empty answer for {target}"
        calls += 1
    doc = await session.call_tool("doc", {"tool": "site-explorer-all-backlinks"})
    schema = next(t.inputSchema for t in listed if t.name == "site-explorer-all-backlinks")
    assert json.loads(doc.content[0].text) == schema, "doc does not return the listed schema"
    return calls


async def check_bad_arguments(session, http_base, key, target):
    bad_calls = [
        ("site-explorer-all-backlinks", {"target": target, "select": "url_from,no_such_column"}, "no_such_column"),
        ("site-explorer-refdomains", {"target": target, "select": "domain", "mode": "sideways"}, "mode"),
        ("site-explorer-anchors", {"target": target, "select": "anchor", "limit": -3}, "limit"),
    ]
    for name, args, named in bad_calls:
        status, http_answer = http_get(http_base, EXPECTED_TOOLS[name], args, key)
        assert status == 400, f"{name} {args}: HTTP {status}"
        try:
            await session.call_tool(name, args)
        except McpError as e:
            message = e.error.message
        else:
            raise AssertionError(f"{name} {args}: no MCP error")
        assert named in message, f"{name}: the error does not name {named}: {message}"
        assert message == http_answer["error"], f"{name}: MCP says {message!r}, HTTP says {http_answer['error']!r}"


async def over_stdio(anchorage, data_dir, http_base, key, target):
    params = StdioServerParameters(command=anchorage, args=["mcp", "--data-dir", data_dir])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            calls = await check_tools(session, http_base, key, target)
            await check_bad_arguments(session, http_base, key, target)
    return calls


async def over_http(http_base, key, target):
    unauthorised = httpx.post(
        f"{http_base}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert unauthorised.status_code == 401, f"/mcp without a key: HTTP {unauthorised.status_code}"
    client = httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    async with client, streamable_http_client(f"{http_base}/mcp", http_client=client) as (read, write, _):
        async with ClientSession(read, write) as session:
            calls = await check_tools(session, http_base, key, target)
            await check_bad_arguments(session, http_base, key, target)
    return calls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--anchorage", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--http", required=True, help="base URL of `anchorage serve --mcp`")
    parser.add_argument("--key", required=True)
    parser.add_argument("--target", required=True)
    a = parser.parse_args()
    stdio_calls = asyncio.run(over_stdio(a.anchorage, a.data_dir, a.http, a.key, a.target))
    http_calls = asyncio.run(over_http(a.http, a.key, a.target))
    print(json.dumps({"stdio_tool_calls": stdio_calls, "http_tool_calls": http_calls}))


if __name__ == "__main__":
    main()
