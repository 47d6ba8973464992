from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.rule_order_in import RuleOrderIn
from ...models.rule_out import RuleOut
from ...types import Response


def _get_kwargs(
    *,
    body: RuleOrderIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/rules/reorder",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | list[RuleOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = RuleOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[ErrorOut | list[RuleOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RuleOrderIn,
) -> Response[ErrorOut | list[RuleOut]]:
    """Reorder the routing rules (admin)

     `ids` lists every rule exactly once; rule `ids[i]` gets position `i`.
    All or nothing: a duplicate is a 422 naming `ids`, an unknown id a
    404, and a list that misses a rule (one was added since you read
    them) a 409; none of these changes anything.

    Args:
        body (RuleOrderIn): A new order of the rules.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[RuleOut]]
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
    body: RuleOrderIn,
) -> ErrorOut | list[RuleOut] | None:
    """Reorder the routing rules (admin)

     `ids` lists every rule exactly once; rule `ids[i]` gets position `i`.
    All or nothing: a duplicate is a 422 naming `ids`, an unknown id a
    404, and a list that misses a rule (one was added since you read
    them) a 409; none of these changes anything.

    Args:
        body (RuleOrderIn): A new order of the rules.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[RuleOut]
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RuleOrderIn,
) -> Response[ErrorOut | list[RuleOut]]:
    """Reorder the routing rules (admin)

     `ids` lists every rule exactly once; rule `ids[i]` gets position `i`.
    All or nothing: a duplicate is a 422 naming `ids`, an unknown id a
    404, and a list that misses a rule (one was added since you read
    them) a 409; none of these changes anything.

    Args:
        body (RuleOrderIn): A new order of the rules.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[RuleOut]]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RuleOrderIn,
) -> ErrorOut | list[RuleOut] | None:
    """Reorder the routing rules (admin)

     `ids` lists every rule exactly once; rule `ids[i]` gets position `i`.
    All or nothing: a duplicate is a 422 naming `ids`, an unknown id a
    404, and a list that misses a rule (one was added since you read
    them) a 409; none of these changes anything.

    Args:
        body (RuleOrderIn): A new order of the rules.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[RuleOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
