from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.message_out import MessageOut
from ...models.send_attachment_files_body import SendAttachmentFilesBody
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: SendAttachmentFilesBody | File | Unset = UNSET,
    filename: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    caption: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["filename"] = filename

    params["type"] = type_

    params["caption"] = caption

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/conversations/{id}/attachments".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, SendAttachmentFilesBody):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | MessageOut | None:
    if response.status_code == 202:
        response_202 = MessageOut.from_dict(response.json())

        return response_202

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
) -> Response[ErrorOut | MessageOut]:
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
    body: SendAttachmentFilesBody | File | Unset = UNSET,
    filename: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    caption: str | Unset = UNSET,
) -> Response[ErrorOut | MessageOut]:
    """Send a file to a conversation

     The file goes out as an image (JPEG, PNG), video (MP4, 3GPP), audio
    (AAC, AMR, MP3, M4A, OGG) or, for anything else the provider takes
    and anything over its kind's limit, a document, within the
    configured `[media.limits]` (Meta's maxima by default; WasenderApi
    takes documents up to 50 MB). It is stored in the media bucket
    (served by `GET /api/v1/messages/{id}/media` like a customer's) and
    queued (`202`) for the sender, which uploads it to the provider and
    then sends it. Refused, changing nothing: 413 `too_large`, 422
    `type_not_allowed`, `empty` or `window_closed`, 403 for a
    conversation the caller may not see.

    Args:
        id (int):
        filename (str | Unset):
        type_ (str | Unset):
        caption (str | Unset):
        body (SendAttachmentFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | MessageOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        filename=filename,
        type_=type_,
        caption=caption,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: SendAttachmentFilesBody | File | Unset = UNSET,
    filename: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    caption: str | Unset = UNSET,
) -> ErrorOut | MessageOut | None:
    """Send a file to a conversation

     The file goes out as an image (JPEG, PNG), video (MP4, 3GPP), audio
    (AAC, AMR, MP3, M4A, OGG) or, for anything else the provider takes
    and anything over its kind's limit, a document, within the
    configured `[media.limits]` (Meta's maxima by default; WasenderApi
    takes documents up to 50 MB). It is stored in the media bucket
    (served by `GET /api/v1/messages/{id}/media` like a customer's) and
    queued (`202`) for the sender, which uploads it to the provider and
    then sends it. Refused, changing nothing: 413 `too_large`, 422
    `type_not_allowed`, `empty` or `window_closed`, 403 for a
    conversation the caller may not see.

    Args:
        id (int):
        filename (str | Unset):
        type_ (str | Unset):
        caption (str | Unset):
        body (SendAttachmentFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | MessageOut
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        filename=filename,
        type_=type_,
        caption=caption,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: SendAttachmentFilesBody | File | Unset = UNSET,
    filename: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    caption: str | Unset = UNSET,
) -> Response[ErrorOut | MessageOut]:
    """Send a file to a conversation

     The file goes out as an image (JPEG, PNG), video (MP4, 3GPP), audio
    (AAC, AMR, MP3, M4A, OGG) or, for anything else the provider takes
    and anything over its kind's limit, a document, within the
    configured `[media.limits]` (Meta's maxima by default; WasenderApi
    takes documents up to 50 MB). It is stored in the media bucket
    (served by `GET /api/v1/messages/{id}/media` like a customer's) and
    queued (`202`) for the sender, which uploads it to the provider and
    then sends it. Refused, changing nothing: 413 `too_large`, 422
    `type_not_allowed`, `empty` or `window_closed`, 403 for a
    conversation the caller may not see.

    Args:
        id (int):
        filename (str | Unset):
        type_ (str | Unset):
        caption (str | Unset):
        body (SendAttachmentFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | MessageOut]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        filename=filename,
        type_=type_,
        caption=caption,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: SendAttachmentFilesBody | File | Unset = UNSET,
    filename: str | Unset = UNSET,
    type_: str | Unset = UNSET,
    caption: str | Unset = UNSET,
) -> ErrorOut | MessageOut | None:
    """Send a file to a conversation

     The file goes out as an image (JPEG, PNG), video (MP4, 3GPP), audio
    (AAC, AMR, MP3, M4A, OGG) or, for anything else the provider takes
    and anything over its kind's limit, a document, within the
    configured `[media.limits]` (Meta's maxima by default; WasenderApi
    takes documents up to 50 MB). It is stored in the media bucket
    (served by `GET /api/v1/messages/{id}/media` like a customer's) and
    queued (`202`) for the sender, which uploads it to the provider and
    then sends it. Refused, changing nothing: 413 `too_large`, 422
    `type_not_allowed`, `empty` or `window_closed`, 403 for a
    conversation the caller may not see.

    Args:
        id (int):
        filename (str | Unset):
        type_ (str | Unset):
        caption (str | Unset):
        body (SendAttachmentFilesBody):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | MessageOut
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            filename=filename,
            type_=type_,
            caption=caption,
        )
    ).parsed
