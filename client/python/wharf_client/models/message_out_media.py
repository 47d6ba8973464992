from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MessageOutMedia")


@_attrs_define
class MessageOutMedia:
    """The file of an image, video, audio, document or sticker message
    (absent for other messages).

        Attributes:
            state (str): pending (being fetched from the provider), stored (served at
                `url`), failed (could not be fetched: a dead letter with reason
                `media`, replay retries it) or expired (older than the bucket's
                retention).
            url (str): Where the file is downloaded: `/api/v1/messages/{id}/media`.
            mime_type (str | Unset): MIME type (the provider's until stored).
            size (int | Unset): Size in bytes (the provider's word until stored).
            filename (str | Unset): A document's file name.
            sha256 (str | Unset): SHA-256 of the stored bytes, hex (also the download's ETag).
            fetched_at (datetime.datetime | Unset): When the file was stored.
            width (int | Unset): A stored image's or sticker's width and height in pixels (read
                from its header): lets a client reserve the space before loading it.
            height (int | Unset):
    """

    state: str
    url: str
    mime_type: str | Unset = UNSET
    size: int | Unset = UNSET
    filename: str | Unset = UNSET
    sha256: str | Unset = UNSET
    fetched_at: datetime.datetime | Unset = UNSET
    width: int | Unset = UNSET
    height: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        state = self.state

        url = self.url

        mime_type = self.mime_type

        size = self.size

        filename = self.filename

        sha256 = self.sha256

        fetched_at: str | Unset = UNSET
        if not isinstance(self.fetched_at, Unset):
            fetched_at = self.fetched_at.isoformat()

        width = self.width

        height = self.height

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "state": state,
                "url": url,
            }
        )
        if mime_type is not UNSET:
            field_dict["mime_type"] = mime_type
        if size is not UNSET:
            field_dict["size"] = size
        if filename is not UNSET:
            field_dict["filename"] = filename
        if sha256 is not UNSET:
            field_dict["sha256"] = sha256
        if fetched_at is not UNSET:
            field_dict["fetched_at"] = fetched_at
        if width is not UNSET:
            field_dict["width"] = width
        if height is not UNSET:
            field_dict["height"] = height

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        state = d.pop("state")

        url = d.pop("url")

        mime_type = d.pop("mime_type", UNSET)

        size = d.pop("size", UNSET)

        filename = d.pop("filename", UNSET)

        sha256 = d.pop("sha256", UNSET)

        _fetched_at = d.pop("fetched_at", UNSET)
        fetched_at: datetime.datetime | Unset
        if isinstance(_fetched_at, Unset):
            fetched_at = UNSET
        else:
            fetched_at = datetime.datetime.fromisoformat(_fetched_at)

        width = d.pop("width", UNSET)

        height = d.pop("height", UNSET)

        message_out_media = cls(
            state=state,
            url=url,
            mime_type=mime_type,
            size=size,
            filename=filename,
            sha256=sha256,
            fetched_at=fetched_at,
            width=width,
            height=height,
        )

        message_out_media.additional_properties = d
        return message_out_media

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
