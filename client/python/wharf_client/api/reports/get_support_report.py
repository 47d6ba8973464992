import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.clock import Clock
from ...models.error_out import ErrorOut
from ...models.report_group_by import ReportGroupBy
from ...models.support_report_out import SupportReportOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_: datetime.datetime,
    to: datetime.datetime,
    group_by: ReportGroupBy | Unset = UNSET,
    clock: Clock | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to = to.isoformat()
    params["to"] = json_to

    json_group_by: str | Unset = UNSET
    if not isinstance(group_by, Unset):
        json_group_by = group_by.value

    params["group_by"] = json_group_by

    json_clock: str | Unset = UNSET
    if not isinstance(clock, Unset):
        json_clock = clock.value

    params["clock"] = json_clock

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/reports/support",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | SupportReportOut | None:
    if response.status_code == 200:
        response_200 = SupportReportOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorOut.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorOut.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorOut.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorOut.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorOut.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | SupportReportOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime,
    to: datetime.datetime,
    group_by: ReportGroupBy | Unset = UNSET,
    clock: Clock | Unset = UNSET,
) -> Response[ErrorOut | SupportReportOut]:
    """Support figures of a time range

     Events with their time in `[from, to)` (at most 366 days), grouped
    by `group_by` (default `day`), and agents' online and away time in
    the range (by day, week, agent or team). Agents see the figures of
    their teams' conversations, their own replies and their teams'
    presence time.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        group_by (ReportGroupBy | Unset): How measures are grouped (`group_by` of the reports
            API).
        clock (Clock | Unset): Which seconds count: all of them (`wall`, the default), or those
            inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | SupportReportOut]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        group_by=group_by,
        clock=clock,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime,
    to: datetime.datetime,
    group_by: ReportGroupBy | Unset = UNSET,
    clock: Clock | Unset = UNSET,
) -> ErrorOut | SupportReportOut | None:
    """Support figures of a time range

     Events with their time in `[from, to)` (at most 366 days), grouped
    by `group_by` (default `day`), and agents' online and away time in
    the range (by day, week, agent or team). Agents see the figures of
    their teams' conversations, their own replies and their teams'
    presence time.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        group_by (ReportGroupBy | Unset): How measures are grouped (`group_by` of the reports
            API).
        clock (Clock | Unset): Which seconds count: all of them (`wall`, the default), or those
            inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | SupportReportOut
    """

    return sync_detailed(
        client=client,
        from_=from_,
        to=to,
        group_by=group_by,
        clock=clock,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime,
    to: datetime.datetime,
    group_by: ReportGroupBy | Unset = UNSET,
    clock: Clock | Unset = UNSET,
) -> Response[ErrorOut | SupportReportOut]:
    """Support figures of a time range

     Events with their time in `[from, to)` (at most 366 days), grouped
    by `group_by` (default `day`), and agents' online and away time in
    the range (by day, week, agent or team). Agents see the figures of
    their teams' conversations, their own replies and their teams'
    presence time.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        group_by (ReportGroupBy | Unset): How measures are grouped (`group_by` of the reports
            API).
        clock (Clock | Unset): Which seconds count: all of them (`wall`, the default), or those
            inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | SupportReportOut]
    """

    kwargs = _get_kwargs(
        from_=from_,
        to=to,
        group_by=group_by,
        clock=clock,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    from_: datetime.datetime,
    to: datetime.datetime,
    group_by: ReportGroupBy | Unset = UNSET,
    clock: Clock | Unset = UNSET,
) -> ErrorOut | SupportReportOut | None:
    """Support figures of a time range

     Events with their time in `[from, to)` (at most 366 days), grouped
    by `group_by` (default `day`), and agents' online and away time in
    the range (by day, week, agent or team). Agents see the figures of
    their teams' conversations, their own replies and their teams'
    presence time.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        group_by (ReportGroupBy | Unset): How measures are grouped (`group_by` of the reports
            API).
        clock (Clock | Unset): Which seconds count: all of them (`wall`, the default), or those
            inside
            the team's business hours (`business`): a report's timings, an SLA
            policy's targets.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | SupportReportOut
    """

    return (
        await asyncio_detailed(
            client=client,
            from_=from_,
            to=to,
            group_by=group_by,
            clock=clock,
        )
    ).parsed
