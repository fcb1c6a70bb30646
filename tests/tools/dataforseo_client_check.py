#!/usr/bin/env python3
"""Drives a running Anchorage server with the official DataForSEO Python client
(`dataforseo-client==2.1.10`, pydantic strict models) and checks that every response parses
into its typed models and answers status 20000.

Usage: dataforseo_client_check.py HOST LOGIN PASSWORD TARGET OTHER
  HOST is the server's base URL without /v3 (e.g. http://127.0.0.1:8080); OTHER is a second
  domain, which the intersections compare with TARGET.
Prints one line per call and exits 1 on the first failure.
"""

import sys
from datetime import datetime, timedelta, timezone

from dataforseo_client import ApiClient, Configuration
from dataforseo_client.api.backlinks_api import BacklinksApi
from dataforseo_client.models.backlinks_anchors_live_request_info import (
    BacklinksAnchorsLiveRequestInfo,
)
from dataforseo_client.models.backlinks_backlinks_live_request_info import (
    BacklinksBacklinksLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_backlinks_live_request_info import (
    BacklinksBulkBacklinksLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_ranks_live_request_info import (
    BacklinksBulkRanksLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_referring_domains_live_request_info import (
    BacklinksBulkReferringDomainsLiveRequestInfo,
)
from dataforseo_client.models.backlinks_domain_pages_live_request_info import (
    BacklinksDomainPagesLiveRequestInfo,
)
from dataforseo_client.models.backlinks_history_live_request_info import (
    BacklinksHistoryLiveRequestInfo,
)
from dataforseo_client.models.backlinks_referring_domains_live_request_info import (
    BacklinksReferringDomainsLiveRequestInfo,
)
from dataforseo_client.models.backlinks_referring_networks_live_request_info import (
    BacklinksReferringNetworksLiveRequestInfo,
)
from dataforseo_client.models.backlinks_summary_live_request_info import (
    BacklinksSummaryLiveRequestInfo,
)
from dataforseo_client.models.backlinks_timeseries_summary_live_request_info import (
    BacklinksTimeseriesSummaryLiveRequestInfo,
)
from dataforseo_client.models.backlinks_timeseries_new_lost_summary_live_request_info import (
    BacklinksTimeseriesNewLostSummaryLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_new_lost_backlinks_live_request_info import (
    BacklinksBulkNewLostBacklinksLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_new_lost_referring_domains_live_request_info import (
    BacklinksBulkNewLostReferringDomainsLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_pages_summary_live_request_info import (
    BacklinksBulkPagesSummaryLiveRequestInfo,
)
from dataforseo_client.models.backlinks_domain_pages_summary_live_request_info import (
    BacklinksDomainPagesSummaryLiveRequestInfo,
)
from dataforseo_client.models.backlinks_bulk_spam_score_live_request_info import (
    BacklinksBulkSpamScoreLiveRequestInfo,
)
from dataforseo_client.models.backlinks_competitors_live_request_info import (
    BacklinksCompetitorsLiveRequestInfo,
)
from dataforseo_client.models.backlinks_domain_intersection_live_request_info import (
    BacklinksDomainIntersectionLiveRequestInfo,
)
from dataforseo_client.models.backlinks_page_intersection_live_request_info import (
    BacklinksPageIntersectionLiveRequestInfo,
)
from dataforseo_client.models.backlinks_id_list_request_info import BacklinksIdListRequestInfo
from dataforseo_client.models.backlinks_errors_request_info import BacklinksErrorsRequestInfo


def fail(message):
    print(f"FAIL {message}")
    sys.exit(1)


def result_of(name, response):
    """The typed result of a one-task response, after checking every status."""
    if response.status_code != 20000:
        fail(f"{name}: status {response.status_code} {response.status_message}")
    if response.tasks_count != 1 or response.tasks_error != 0:
        fail(f"{name}: tasks_count {response.tasks_count}, tasks_error {response.tasks_error}")
    task = response.tasks[0]
    if task.status_code != 20000:
        fail(f"{name}: task status {task.status_code} {task.status_message}")
    if not isinstance(task.time, str) or not task.path or task.data.get("function") is None:
        fail(f"{name}: task envelope incomplete")
    return task.result[0]


def identity(item):
    fields = (item.url_from, item.url_to, item.anchor, item.first_seen, item.item_type,
              item.text_pre, item.text_post)
    return tuple(f or "" for f in fields)


def check_backlinks(api, target):
    totals = {}
    for mode in ["as_is", "one_per_domain", "one_per_anchor"]:
        r = result_of(f"backlinks {mode}", api.backlinks_live([
            BacklinksBacklinksLiveRequestInfo(target=target, mode=mode, limit=1000)]))
        totals[mode] = r.total_count
        print(f"ok backlinks mode={mode}: total {r.total_count}, items {r.items_count}")
    if not totals["one_per_domain"] <= totals["as_is"]:
        fail("one_per_domain returns more rows than as_is")
    r = result_of("backlinks custom_mode", api.backlinks_live([
        BacklinksBacklinksLiveRequestInfo(
            target=target, custom_mode={"field": "domain_from", "value": 2}, limit=1000)]))
    if r.mode is not None or r.custom_mode != {"field": "domain_from", "value": 2}:
        fail("custom_mode is not echoed with mode null")
    print(f"ok backlinks custom_mode: {r.items_count} items")
    nested = [["dofollow", "=", True], "and",
              [["domain_from_rank", ">=", 0], "or", ["anchor", "like", "%a%"]]]
    r = result_of("backlinks filters", api.backlinks_live([
        BacklinksBacklinksLiveRequestInfo(
            target=target, filters=nested,
            order_by=["domain_from_rank,desc", "url_from,asc"], limit=50)]))
    if any(item.dofollow is not True for item in r.items):
        fail("the dofollow filter let a nofollow link through")
    ranks = [item.domain_from_rank for item in r.items]
    if ranks != sorted(ranks, reverse=True):
        fail("order_by domain_from_rank,desc is not respected")
    print(f"ok backlinks nested filters + order_by: {r.items_count} items")
    check_pages(api, target, totals["as_is"])


def check_pages(api, target, total):
    seen = []
    token = None
    for _ in range(10_000):
        r = result_of("backlinks page", api.backlinks_live([
            BacklinksBacklinksLiveRequestInfo(
                target=target, limit=7, order_by=["first_seen,asc"],
                search_after_token=token)]))
        seen.extend(identity(item) for item in r.items)
        token = r.search_after_token
        if token is None:
            break
    if len(seen) != total:
        fail(f"pages returned {len(seen)} rows, total_count is {total}")
    everything = result_of("backlinks all", api.backlinks_live([
        BacklinksBacklinksLiveRequestInfo(target=target, limit=1000, order_by=["first_seen,asc"])]))
    if total <= 1000 and sorted(seen) != sorted(identity(i) for i in everything.items):
        fail("paging with search_after_token skipped or repeated rows")
    print(f"ok backlinks search_after_token: {len(seen)} rows in pages of 7, none repeated or skipped")


def check_others(api, target):
    r = result_of("summary", api.summary_live([BacklinksSummaryLiveRequestInfo(target=target)]))
    print(f"ok summary: {r.backlinks} backlinks, {r.referring_domains} referring domains, rank {r.rank}")
    calls = [
        ("anchors", api.anchors_live, BacklinksAnchorsLiveRequestInfo(
            target=target, limit=20, order_by=["backlinks,desc"])),
        ("referring_domains", api.referring_domains_live, BacklinksReferringDomainsLiveRequestInfo(
            target=target, limit=20, filters=["backlinks", ">", 0])),
        ("referring_networks", api.referring_networks_live, BacklinksReferringNetworksLiveRequestInfo(
            target=target, network_address_type="subnet", limit=20)),
        ("domain_pages", api.domain_pages_live, BacklinksDomainPagesLiveRequestInfo(
            target=target, limit=20)),
    ]
    for name, call, request in calls:
        r = result_of(name, call([request]))
        print(f"ok {name}: total {r.total_count}, items {r.items_count}")
    r = result_of("bulk_ranks", api.bulk_ranks_live([
        BacklinksBulkRanksLiveRequestInfo(targets=[target, f"http://{target}/"])]))
    print(f"ok bulk_ranks: {[(i.target, i.rank) for i in r.items]}")
    r = result_of("bulk_backlinks", api.bulk_backlinks_live([
        BacklinksBulkBacklinksLiveRequestInfo(targets=[target])]))
    print(f"ok bulk_backlinks: {[(i.target, i.backlinks) for i in r.items]}")
    r = result_of("bulk_referring_domains", api.bulk_referring_domains_live([
        BacklinksBulkReferringDomainsLiveRequestInfo(targets=[target])]))
    print(f"ok bulk_referring_domains: {[(i.target, i.referring_domains) for i in r.items]}")
    r = result_of("history", api.history_live([BacklinksHistoryLiveRequestInfo(target=target)]))
    print(f"ok history: {r.items_count} months")
    r = result_of("timeseries_summary", api.timeseries_summary_live([
        BacklinksTimeseriesSummaryLiveRequestInfo(target=target, group_range="week")]))
    print(f"ok timeseries_summary: {r.items_count} weeks")
    r = result_of("timeseries_new_lost_summary", api.timeseries_new_lost_summary_live([
        BacklinksTimeseriesNewLostSummaryLiveRequestInfo(target=target, group_range="month")]))
    print(f"ok timeseries_new_lost_summary: {sum(i.new_backlinks for i in r.items)} new")
    r = result_of("bulk_new_lost_backlinks", api.bulk_new_lost_backlinks_live([
        BacklinksBulkNewLostBacklinksLiveRequestInfo(targets=[target], date_from="2000-01-01")]))
    print(f"ok bulk_new_lost_backlinks: {[(i.target, i.new_backlinks) for i in r.items]}")
    r = result_of("bulk_new_lost_referring_domains", api.bulk_new_lost_referring_domains_live([
        BacklinksBulkNewLostReferringDomainsLiveRequestInfo(targets=[target])]))
    print(f"ok bulk_new_lost_referring_domains: {r.items_count} targets")
    r = result_of("bulk_pages_summary", api.bulk_pages_summary_live([
        BacklinksBulkPagesSummaryLiveRequestInfo(targets=[target, f"http://{target}/"])]))
    print(f"ok bulk_pages_summary: {[(i.url, i.backlinks, i.rank) for i in r.items]}")
    r = result_of("domain_pages_summary", api.domain_pages_summary_live([
        BacklinksDomainPagesSummaryLiveRequestInfo(target=target, limit=10)]))
    print(f"ok domain_pages_summary: {r.total_count} pages")
    r = result_of("bulk_spam_score", api.bulk_spam_score_live([
        BacklinksBulkSpamScoreLiveRequestInfo(targets=[target])]))
    print(f"ok bulk_spam_score: {[(i.target, i.spam_score) for i in r.items]}")
    api.backlinks_available_filters()
    print("ok available_filters")
    api.index()
    print("ok index")


def check_intersections(api, target, other):
    r = result_of("competitors", api.competitors_live([
        BacklinksCompetitorsLiveRequestInfo(target=target, exclude_large_domains=False, limit=10,
                                            filters=["intersections", ">", 0])]))
    print(f"ok competitors: {[(i.target, i.intersections, i.rank) for i in r.items[:3]]}")
    targets = {"1": target, "2": other}
    r = result_of("domain_intersection", api.domain_intersection_live([
        BacklinksDomainIntersectionLiveRequestInfo(targets=targets, limit=10,
                                                   order_by=["1.backlinks,desc"])]))
    if r.total_count and not r.items[0].domain_intersection["2"].referring_domains:
        fail("domain_intersection: an item without the second target's figures")
    print(f"ok domain_intersection: {r.total_count} shared referring domains")
    r = result_of("page_intersection", api.page_intersection_live([
        BacklinksPageIntersectionLiveRequestInfo(targets=targets, intersection_mode="partial",
                                                 limit=10)]))
    print(f"ok page_intersection: {r.total_count} pages linking to either")


def check_task_lists(api):
    now = datetime.now(timezone.utc)
    stamp = lambda t: t.strftime("%Y-%m-%d %H:%M:%S +00:00")
    response = api.backlinks_id_list([BacklinksIdListRequestInfo(
        datetime_from=stamp(now - timedelta(hours=1)), datetime_to=stamp(now + timedelta(minutes=1)),
        include_metadata=True)])
    listed = response.tasks[0].result or []
    if response.tasks[0].status_code != 20000 or not listed:
        fail(f"id_list: {response.tasks[0].status_code} with {len(listed)} tasks")
    print(f"ok id_list: {len(listed)} tasks, first {listed[0].url}")
    response = api.backlinks_errors([BacklinksErrorsRequestInfo(limit=10)])
    if response.tasks[0].status_code != 20000:
        fail(f"errors: {response.tasks[0].status_code}")
    print(f"ok errors: {len(response.tasks[0].result or [])} failed tasks")


def main():
    if len(sys.argv) != 6:
        fail(__doc__)
    host, login, password, target, other = sys.argv[1:]
    config = Configuration(host=host, username=login, password=password)
    with ApiClient(config) as client:
        api = BacklinksApi(client)
        check_backlinks(api, target)
        check_others(api, target)
        check_intersections(api, target, other)
        check_task_lists(api)
    print("ALL OK")


if __name__ == "__main__":
    main()
