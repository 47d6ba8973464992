from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.media_kind_in import MediaKindIn
from ..types import UNSET, Unset

T = TypeVar("T", bound="MediaIn")


@_attrs_define
class MediaIn:
    """A media reply by URL (the provider fetches it); inside the 24 h window.

    Attributes:
        kind (MediaKindIn): What kind of media a reply carries.
        url (str): Absolute http(s) URL the provider can fetch.
        caption (str | Unset): Shown under images, videos and documents.
        filename (str | Unset): Shown for documents.
    """

    kind: MediaKindIn
    url: str
    caption: str | Unset = UNSET
    filename: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        url = self.url

        caption = self.caption

        filename = self.filename

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "url": url,
            }
        )
        if caption is not UNSET:
            field_dict["caption"] = caption
        if filename is not UNSET:
            field_dict["filename"] = filename

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = MediaKindIn(d.pop("kind"))

        url = d.pop("url")

        caption = d.pop("caption", UNSET)

        filename = d.pop("filename", UNSET)

        media_in = cls(
            kind=kind,
            url=url,
            caption=caption,
            filename=filename,
        )

        media_in.additional_properties = d
        return media_in

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
