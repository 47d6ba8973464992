from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.activity_in import ActivityIn
from ...models.error_out import ErrorOut
from ...types import Response


def _get_kwargs(
    id: int,
    *,
    body: ActivityIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/conversations/{id}/activity".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorOut | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ActivityIn,
) -> Response[Any | ErrorOut]:
    """Say what you are doing in a conversation

     `viewing` (send it every ~10 s while it is open), `typing` (at most
    every few seconds while writing) or `left`. Other agents' dashboards
    get it as a live event (`kind` = the activity, with `agent_id` and
    `agent_name`) and show "Ana is viewing / typing" for ~15 s after the
    last one. Nothing is stored. 403 for a token without an agent or a
    conversation of other teams.

    Args:
        id (int):
        body (ActivityIn): An agent's activity in a conversation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ActivityIn,
) -> Any | ErrorOut | None:
    """Say what you are doing in a conversation

     `viewing` (send it every ~10 s while it is open), `typing` (at most
    every few seconds while writing) or `left`. Other agents' dashboards
    get it as a live event (`kind` = the activity, with `agent_id` and
    `agent_name`) and show "Ana is viewing / typing" for ~15 s after the
    last one. Nothing is stored. 403 for a token without an agent or a
    conversation of other teams.

    Args:
        id (int):
        body (ActivityIn): An agent's activity in a conversation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ActivityIn,
) -> Response[Any | ErrorOut]:
    """Say what you are doing in a conversation

     `viewing` (send it every ~10 s while it is open), `typing` (at most
    every few seconds while writing) or `left`. Other agents' dashboards
    get it as a live event (`kind` = the activity, with `agent_id` and
    `agent_name`) and show "Ana is viewing / typing" for ~15 s after the
    last one. Nothing is stored. 403 for a token without an agent or a
    conversation of other teams.

    Args:
        id (int):
        body (ActivityIn): An agent's activity in a conversation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: ActivityIn,
) -> Any | ErrorOut | None:
    """Say what you are doing in a conversation

     `viewing` (send it every ~10 s while it is open), `typing` (at most
    every few seconds while writing) or `left`. Other agents' dashboards
    get it as a live event (`kind` = the activity, with `agent_id` and
    `agent_name`) and show "Ana is viewing / typing" for ~15 s after the
    last one. Nothing is stored. 403 for a token without an agent or a
    conversation of other teams.

    Args:
        id (int):
        body (ActivityIn): An agent's activity in a conversation.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
