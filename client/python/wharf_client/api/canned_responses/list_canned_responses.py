from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.canned_response_out import CannedResponseOut
from ...models.error_out import ErrorOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    q: str | Unset = UNSET,
    conversation_id: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["q"] = q

    params["conversation_id"] = conversation_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/canned-responses",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | list[CannedResponseOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = CannedResponseOut.from_dict(response_200_item_data)

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
) -> Response[ErrorOut | list[CannedResponseOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    q: str | Unset = UNSET,
    conversation_id: int | Unset = UNSET,
) -> Response[ErrorOut | list[CannedResponseOut]]:
    """List canned responses

     By shortcut. An agent gets the global ones and its teams'; other
    roles get all. `q` keeps those whose shortcut starts with it or
    whose title contains it (case-insensitive). With `conversation_id`
    (a conversation the caller may see: 403/404 otherwise) each answer
    carries `rendered`, its text with that conversation's contact and
    the caller filled in, and `missing`, the placeholders left unfilled.

    Args:
        q (str | Unset):
        conversation_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[CannedResponseOut]]
    """

    kwargs = _get_kwargs(
        q=q,
        conversation_id=conversation_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    q: str | Unset = UNSET,
    conversation_id: int | Unset = UNSET,
) -> ErrorOut | list[CannedResponseOut] | None:
    """List canned responses

     By shortcut. An agent gets the global ones and its teams'; other
    roles get all. `q` keeps those whose shortcut starts with it or
    whose title contains it (case-insensitive). With `conversation_id`
    (a conversation the caller may see: 403/404 otherwise) each answer
    carries `rendered`, its text with that conversation's contact and
    the caller filled in, and `missing`, the placeholders left unfilled.

    Args:
        q (str | Unset):
        conversation_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[CannedResponseOut]
    """

    return sync_detailed(
        client=client,
        q=q,
        conversation_id=conversation_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    q: str | Unset = UNSET,
    conversation_id: int | Unset = UNSET,
) -> Response[ErrorOut | list[CannedResponseOut]]:
    """List canned responses

     By shortcut. An agent gets the global ones and its teams'; other
    roles get all. `q` keeps those whose shortcut starts with it or
    whose title contains it (case-insensitive). With `conversation_id`
    (a conversation the caller may see: 403/404 otherwise) each answer
    carries `rendered`, its text with that conversation's contact and
    the caller filled in, and `missing`, the placeholders left unfilled.

    Args:
        q (str | Unset):
        conversation_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | list[CannedResponseOut]]
    """

    kwargs = _get_kwargs(
        q=q,
        conversation_id=conversation_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    q: str | Unset = UNSET,
    conversation_id: int | Unset = UNSET,
) -> ErrorOut | list[CannedResponseOut] | None:
    """List canned responses

     By shortcut. An agent gets the global ones and its teams'; other
    roles get all. `q` keeps those whose shortcut starts with it or
    whose title contains it (case-insensitive). With `conversation_id`
    (a conversation the caller may see: 403/404 otherwise) each answer
    carries `rendered`, its text with that conversation's contact and
    the caller filled in, and `missing`, the placeholders left unfilled.

    Args:
        q (str | Unset):
        conversation_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | list[CannedResponseOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            q=q,
            conversation_id=conversation_id,
        )
    ).parsed
