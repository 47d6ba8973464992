from http import HTTPStatus
from io import BytesIO
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: int,
    *,
    range_: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(range_, Unset):
        headers["Range"] = range_

    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/messages/{id}/media".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorOut | File | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 206:
        response_206 = File(payload=BytesIO(response.content))

        return response_206

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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

    if response.status_code == 416:
        response_416 = ErrorOut.from_dict(response.json())

        return response_416

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
) -> Response[Any | ErrorOut | File]:
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
    range_: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ErrorOut | File]:
    """A message's media file

     The file of an image, video, audio (voice note), document or sticker
    message, as the customer sent it: its stored type, `inline` or (for
    documents) `attachment` with its file name, an `ETag` (SHA-256),
    private caching, and one `Range` (206) so players can seek. 404
    without media or once expired (`media_expired`); 409 while it is
    being fetched (`media_pending`) or when the fetch failed
    (`media_failed`, see the dead letters with reason `media`). The
    token may come as `?token=` for media elements that cannot send
    headers.

    Args:
        id (int):
        range_ (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut | File]
    """

    kwargs = _get_kwargs(
        id=id,
        range_=range_,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    range_: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | ErrorOut | File | None:
    """A message's media file

     The file of an image, video, audio (voice note), document or sticker
    message, as the customer sent it: its stored type, `inline` or (for
    documents) `attachment` with its file name, an `ETag` (SHA-256),
    private caching, and one `Range` (206) so players can seek. 404
    without media or once expired (`media_expired`); 409 while it is
    being fetched (`media_pending`) or when the fetch failed
    (`media_failed`, see the dead letters with reason `media`). The
    token may come as `?token=` for media elements that cannot send
    headers.

    Args:
        id (int):
        range_ (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut | File
    """

    return sync_detailed(
        id=id,
        client=client,
        range_=range_,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    range_: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ErrorOut | File]:
    """A message's media file

     The file of an image, video, audio (voice note), document or sticker
    message, as the customer sent it: its stored type, `inline` or (for
    documents) `attachment` with its file name, an `ETag` (SHA-256),
    private caching, and one `Range` (206) so players can seek. 404
    without media or once expired (`media_expired`); 409 while it is
    being fetched (`media_pending`) or when the fetch failed
    (`media_failed`, see the dead letters with reason `media`). The
    token may come as `?token=` for media elements that cannot send
    headers.

    Args:
        id (int):
        range_ (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut | File]
    """

    kwargs = _get_kwargs(
        id=id,
        range_=range_,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    range_: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | ErrorOut | File | None:
    """A message's media file

     The file of an image, video, audio (voice note), document or sticker
    message, as the customer sent it: its stored type, `inline` or (for
    documents) `attachment` with its file name, an `ETag` (SHA-256),
    private caching, and one `Range` (206) so players can seek. 404
    without media or once expired (`media_expired`); 409 while it is
    being fetched (`media_pending`) or when the fetch failed
    (`media_failed`, see the dead letters with reason `media`). The
    token may come as `?token=` for media elements that cannot send
    headers.

    Args:
        id (int):
        range_ (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut | File
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            range_=range_,
            if_none_match=if_none_match,
        )
    ).parsed
