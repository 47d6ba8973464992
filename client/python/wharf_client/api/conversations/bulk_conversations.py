from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.bulk_in import BulkIn
from ...models.bulk_out import BulkOut
from ...models.error_out import ErrorOut
from ...types import Response


def _get_kwargs(
    *,
    body: BulkIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/conversations/bulk",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BulkOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = BulkOut.from_dict(response.json())

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
) -> Response[BulkOut | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BulkIn,
) -> Response[BulkOut | ErrorOut]:
    """Act on many conversations

     One `action` on each of `items` (assign, add or remove a label,
    resolve), each row checked against the `version` read and applied
    in its own transaction, whole or not at all, and audited like the
    single endpoints. Always 200 with one row per item: `ok`, or the
    reason (`conflict`, `forbidden`, `not_found`, `invalid_state`). A
    request that cannot be carried out as a whole (no items, more than
    100, an id twice, a missing or unknown agent, team or label) is a
    400 / 422 that changes nothing.

    Args:
        body (BulkIn): One action on many conversations.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BulkOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BulkIn,
) -> BulkOut | ErrorOut | None:
    """Act on many conversations

     One `action` on each of `items` (assign, add or remove a label,
    resolve), each row checked against the `version` read and applied
    in its own transaction, whole or not at all, and audited like the
    single endpoints. Always 200 with one row per item: `ok`, or the
    reason (`conflict`, `forbidden`, `not_found`, `invalid_state`). A
    request that cannot be carried out as a whole (no items, more than
    100, an id twice, a missing or unknown agent, team or label) is a
    400 / 422 that changes nothing.

    Args:
        body (BulkIn): One action on many conversations.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BulkOut | ErrorOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BulkIn,
) -> Response[BulkOut | ErrorOut]:
    """Act on many conversations

     One `action` on each of `items` (assign, add or remove a label,
    resolve), each row checked against the `version` read and applied
    in its own transaction, whole or not at all, and audited like the
    single endpoints. Always 200 with one row per item: `ok`, or the
    reason (`conflict`, `forbidden`, `not_found`, `invalid_state`). A
    request that cannot be carried out as a whole (no items, more than
    100, an id twice, a missing or unknown agent, team or label) is a
    400 / 422 that changes nothing.

    Args:
        body (BulkIn): One action on many conversations.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BulkOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BulkIn,
) -> BulkOut | ErrorOut | None:
    """Act on many conversations

     One `action` on each of `items` (assign, add or remove a label,
    resolve), each row checked against the `version` read and applied
    in its own transaction, whole or not at all, and audited like the
    single endpoints. Always 200 with one row per item: `ok`, or the
    reason (`conflict`, `forbidden`, `not_found`, `invalid_state`). A
    request that cannot be carried out as a whole (no items, more than
    100, an id twice, a missing or unknown agent, team or label) is a
    400 / 422 that changes nothing.

    Args:
        body (BulkIn): One action on many conversations.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BulkOut | ErrorOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
