from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.conversation_page_out import ConversationPageOut
from ...models.conversation_sort import ConversationSort
from ...models.error_out import ErrorOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: str | Unset = UNSET,
    number: str | Unset = UNSET,
    team: int | Unset = UNSET,
    assignee: int | Unset = UNSET,
    unassigned: bool | Unset = UNSET,
    label: int | Unset = UNSET,
    snoozed: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: ConversationSort | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["status"] = status

    params["number"] = number

    params["team"] = team

    params["assignee"] = assignee

    params["unassigned"] = unassigned

    params["label"] = label

    params["snoozed"] = snoozed

    params["q"] = q

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/conversations",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ConversationPageOut | ErrorOut | None:
    if response.status_code == 200:
        response_200 = ConversationPageOut.from_dict(response.json())

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
) -> Response[ConversationPageOut | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    number: str | Unset = UNSET,
    team: int | Unset = UNSET,
    assignee: int | Unset = UNSET,
    unassigned: bool | Unset = UNSET,
    label: int | Unset = UNSET,
    snoozed: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: ConversationSort | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ConversationPageOut | ErrorOut]:
    """List conversations

     Filter by status, business number, team, assignee (or `unassigned`)
    and label. `sort=newest` (default) lists the newest conversations
    first; `sort=waiting` those whose customer has waited longest for an
    answer first, then the answered ones, newest first. `q` searches
    message text and the contact's name, username and phone (words in
    any order, punctuation ignored, prefixes match) and ranks the
    results best first, each naming its `matched_message`. Page with
    `cursor`. Agents see the conversations of their teams and their own.

    Args:
        status (str | Unset):
        number (str | Unset):
        team (int | Unset):
        assignee (int | Unset):
        unassigned (bool | Unset):
        label (int | Unset):
        snoozed (bool | Unset):
        q (str | Unset):
        sort (ConversationSort | Unset): The order of the conversation list.
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConversationPageOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        status=status,
        number=number,
        team=team,
        assignee=assignee,
        unassigned=unassigned,
        label=label,
        snoozed=snoozed,
        q=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    number: str | Unset = UNSET,
    team: int | Unset = UNSET,
    assignee: int | Unset = UNSET,
    unassigned: bool | Unset = UNSET,
    label: int | Unset = UNSET,
    snoozed: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: ConversationSort | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ConversationPageOut | ErrorOut | None:
    """List conversations

     Filter by status, business number, team, assignee (or `unassigned`)
    and label. `sort=newest` (default) lists the newest conversations
    first; `sort=waiting` those whose customer has waited longest for an
    answer first, then the answered ones, newest first. `q` searches
    message text and the contact's name, username and phone (words in
    any order, punctuation ignored, prefixes match) and ranks the
    results best first, each naming its `matched_message`. Page with
    `cursor`. Agents see the conversations of their teams and their own.

    Args:
        status (str | Unset):
        number (str | Unset):
        team (int | Unset):
        assignee (int | Unset):
        unassigned (bool | Unset):
        label (int | Unset):
        snoozed (bool | Unset):
        q (str | Unset):
        sort (ConversationSort | Unset): The order of the conversation list.
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConversationPageOut | ErrorOut
    """

    return sync_detailed(
        client=client,
        status=status,
        number=number,
        team=team,
        assignee=assignee,
        unassigned=unassigned,
        label=label,
        snoozed=snoozed,
        q=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    number: str | Unset = UNSET,
    team: int | Unset = UNSET,
    assignee: int | Unset = UNSET,
    unassigned: bool | Unset = UNSET,
    label: int | Unset = UNSET,
    snoozed: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: ConversationSort | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ConversationPageOut | ErrorOut]:
    """List conversations

     Filter by status, business number, team, assignee (or `unassigned`)
    and label. `sort=newest` (default) lists the newest conversations
    first; `sort=waiting` those whose customer has waited longest for an
    answer first, then the answered ones, newest first. `q` searches
    message text and the contact's name, username and phone (words in
    any order, punctuation ignored, prefixes match) and ranks the
    results best first, each naming its `matched_message`. Page with
    `cursor`. Agents see the conversations of their teams and their own.

    Args:
        status (str | Unset):
        number (str | Unset):
        team (int | Unset):
        assignee (int | Unset):
        unassigned (bool | Unset):
        label (int | Unset):
        snoozed (bool | Unset):
        q (str | Unset):
        sort (ConversationSort | Unset): The order of the conversation list.
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConversationPageOut | ErrorOut]
    """

    kwargs = _get_kwargs(
        status=status,
        number=number,
        team=team,
        assignee=assignee,
        unassigned=unassigned,
        label=label,
        snoozed=snoozed,
        q=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    number: str | Unset = UNSET,
    team: int | Unset = UNSET,
    assignee: int | Unset = UNSET,
    unassigned: bool | Unset = UNSET,
    label: int | Unset = UNSET,
    snoozed: bool | Unset = UNSET,
    q: str | Unset = UNSET,
    sort: ConversationSort | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ConversationPageOut | ErrorOut | None:
    """List conversations

     Filter by status, business number, team, assignee (or `unassigned`)
    and label. `sort=newest` (default) lists the newest conversations
    first; `sort=waiting` those whose customer has waited longest for an
    answer first, then the answered ones, newest first. `q` searches
    message text and the contact's name, username and phone (words in
    any order, punctuation ignored, prefixes match) and ranks the
    results best first, each naming its `matched_message`. Page with
    `cursor`. Agents see the conversations of their teams and their own.

    Args:
        status (str | Unset):
        number (str | Unset):
        team (int | Unset):
        assignee (int | Unset):
        unassigned (bool | Unset):
        label (int | Unset):
        snoozed (bool | Unset):
        q (str | Unset):
        sort (ConversationSort | Unset): The order of the conversation list.
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConversationPageOut | ErrorOut
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            number=number,
            team=team,
            assignee=assignee,
            unassigned=unassigned,
            label=label,
            snoozed=snoozed,
            q=q,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
