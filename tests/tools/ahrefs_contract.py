"""Checks Anchorage's Ahrefs v3 answers against the official OpenAPI document.

Run by crates/api/tests/contract.rs against a server holding the synthetic web. For every
Site Explorer endpoint Anchorage serves (the paths of its own /openapi.json), it requests every
column the official response schema lists, in several variants (aggregations, history, a
`where`, paging), and validates each JSON answer with a JSON Schema validator against the
official schema of that endpoint: types, nullability, enums, wrapper key. A key the official
schema does not list is an error too. Endpoints Anchorage does not serve must answer 400 with
an `error` message. Prints one JSON line: how many answers were validated.
"""

import argparse
import datetime
import json
import urllib.error
import urllib.parse
import urllib.request

import jsonschema

TODAY = datetime.date.today().isoformat()
DOFOLLOW = json.dumps({"field": "is_dofollow", "is": ["eq", True]})
# Variants beyond the plain request, per endpoint.
VARIANTS = {
    "all-backlinks": [
        # link_group_count describes groups: aggregation=all has none.
        {"aggregation": "all", "select_without": "link_group_count"},
        {"aggregation": "1_per_domain"},
        {"aggregation": "similar_links", "history": "all_time"},
        {"history": "since:2000-01-01", "where": DOFOLLOW, "order_by": "domain_rating_source:desc"},
        {"mode": "exact", "protocol": "https", "limit": "3", "offset": "2"},
    ],
    "broken-backlinks": [{"aggregation": "1_per_domain"}],
    "refdomains": [{"history": "all_time"}, {"order_by": "dofollow_links:desc"}],
    "anchors": [{"history": "all_time"}],
    "pages-by-backlinks": [{"history": "all_time"}],
    "domain-rating-history": [{"history_grouping": "weekly"}],
    "refdomains-history": [{"history_grouping": "monthly"}],
    "backlinks-stats": [{"mode": "exact"}],
}
# The most linked site has rows here; broken links and internal reports may miss it.
MUST_HAVE_ROWS = {"all-backlinks", "refdomains", "anchors", "pages-by-backlinks", "linkeddomains"}


def get(base, path, params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def parameter(doc, p):
    if "$ref" in p:
        return doc["components"]["parameters"][p["$ref"].split("/")[-1]]
    return p


def allow_null_in_nullable_enums(node):
    """The official document declares some fields nullable (`"type": ["string", "null"]`) with
    an `enum` that omits null — under JSON Schema that would forbid the null the type allows.
    Read as intended (a nullable enum), null joins the enum."""
    if isinstance(node, dict):
        kinds = node.get("type")
        if isinstance(kinds, list) and "null" in kinds and "enum" in node and None not in node["enum"]:
            node["enum"] = node["enum"] + [None]
        for value in node.values():
            allow_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            allow_null_in_nullable_enums(value)


def response_schema(doc, path):
    ref = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**ref, "components": doc["components"]}


def resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def row_properties(doc, path):
    """The wrapper key and the properties of one row (or of the single object)."""
    body = resolve(doc, response_schema(doc, path))
    wrapper, inner = next(iter(body["properties"].items()))
    inner = resolve(doc, inner)
    row = resolve(doc, inner["items"]) if inner.get("type") == "array" else inner
    return wrapper, row.get("properties", {})


def base_params(doc, path, target):
    params = {"target": target}
    _, columns = row_properties(doc, path)
    for p in doc["paths"][path]["get"].get("parameters", []):
        p = parameter(doc, p)
        name = p["name"]
        if name == "select":
            params["select"] = ",".join(columns)
        elif name in ("date", "date_to"):
            params[name] = TODAY
        elif name == "date_from":
            params[name] = "2000-01-01"
        elif name == "mode":
            params["mode"] = "domain"
        elif name == "limit":
            params["limit"] = "100"
    return params


def extra_keys(answer, wrapper, columns):
    value = answer.get(wrapper)
    rows = value if isinstance(value, list) else [value]
    found = set()
    for row in rows:
        if isinstance(row, dict):
            found |= set(row) - set(columns)
    return found


def check_answer(validator, wrapper, columns, endpoint, variant, status, answer):
    """What is wrong with one answer (empty: nothing)."""
    if status != 200:
        return [f"HTTP {status}: {answer}"]
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(answer)][:5]
    if list(answer) != [wrapper]:
        problems.append(f"wrapper {list(answer)} is not [{wrapper!r}]")
    extra = extra_keys(answer, wrapper, columns)
    if extra:
        problems.append(f"fields the official schema does not have: {sorted(extra)}")
    if endpoint in MUST_HAVE_ROWS and not variant and not answer.get(wrapper):
        problems.append("no rows")
    return problems


def check_served(doc, base, path, target, failures):
    schema = response_schema(doc, path)
    validator = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)(schema)
    wrapper, columns = row_properties(doc, path)
    endpoint = path.strip("/")
    checked = 0
    for variant in [{}] + VARIANTS.get(endpoint, []):
        params = {**base_params(doc, path, target), **variant}
        without = params.pop("select_without", None)
        if without:
            params["select"] = ",".join(c for c in params["select"].split(",") if c != without)
        status, answer = get(base, f"/v3/site-explorer{path}", params)
        problems = check_answer(validator, wrapper, columns, endpoint, variant, status, answer)
        failures.extend(f"{endpoint} {variant}: {p}" for p in problems)
        checked += 1
    return checked


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--openapi", required=True, help="the official OpenAPI document")
    parser.add_argument("--base", required=True, help="Anchorage's base URL")
    parser.add_argument("--target", required=True)
    a = parser.parse_args()
    with open(a.openapi) as f:
        doc = json.load(f)
    allow_null_in_nullable_enums(doc)
    with urllib.request.urlopen(f"{a.base}/openapi.json", timeout=60) as response:
        ours = json.loads(response.read())
    served = {p.removeprefix("/site-explorer") for p in ours["paths"]}
    validated, refused, failures = 0, 0, []
    for path in doc["paths"]:
        if path in served:
            validated += check_served(doc, a.base, path, a.target, failures)
        else:
            status, answer = get(a.base, f"/v3/site-explorer{path}", base_params(doc, path, a.target))
            if status != 400 or not answer.get("error"):
                failures.append(f"unserved {path}: HTTP {status} {answer}")
            refused += 1
    assert not failures, "\n".join(failures)
    print(json.dumps({"validated": validated, "refused": refused, "served": len(served)}))


if __name__ == "__main__":
    main()
