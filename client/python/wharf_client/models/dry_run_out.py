from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dry_run_out_outcome import DryRunOutOutcome
    from ..models.dry_run_out_rule import DryRunOutRule


T = TypeVar("T", bound="DryRunOut")


@_attrs_define
class DryRunOut:
    """The result of a dry run.

    Attributes:
        matched (bool): Whether an enabled rule matched.
        rules_evaluated (int): How many enabled rules were evaluated, in order.
        rule (DryRunOutRule | Unset): The first matching rule.
        outcome (DryRunOutOutcome | Unset): What the router would do; absent when no rule matched (the
            conversation then stays with the bot, unrouted).
        language (str | Unset): The language matched against (given or detected).
    """

    matched: bool
    rules_evaluated: int
    rule: DryRunOutRule | Unset = UNSET
    outcome: DryRunOutOutcome | Unset = UNSET
    language: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        matched = self.matched

        rules_evaluated = self.rules_evaluated

        rule: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rule, Unset):
            rule = self.rule.to_dict()

        outcome: dict[str, Any] | Unset = UNSET
        if not isinstance(self.outcome, Unset):
            outcome = self.outcome.to_dict()

        language = self.language

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "matched": matched,
                "rules_evaluated": rules_evaluated,
            }
        )
        if rule is not UNSET:
            field_dict["rule"] = rule
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if language is not UNSET:
            field_dict["language"] = language

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dry_run_out_outcome import DryRunOutOutcome
        from ..models.dry_run_out_rule import DryRunOutRule

        d = dict(src_dict)
        matched = d.pop("matched")

        rules_evaluated = d.pop("rules_evaluated")

        _rule = d.pop("rule", UNSET)
        rule: DryRunOutRule | Unset
        if isinstance(_rule, Unset):
            rule = UNSET
        else:
            rule = DryRunOutRule.from_dict(_rule)

        _outcome = d.pop("outcome", UNSET)
        outcome: DryRunOutOutcome | Unset
        if isinstance(_outcome, Unset):
            outcome = UNSET
        else:
            outcome = DryRunOutOutcome.from_dict(_outcome)

        language = d.pop("language", UNSET)

        dry_run_out = cls(
            matched=matched,
            rules_evaluated=rules_evaluated,
            rule=rule,
            outcome=outcome,
            language=language,
        )

        dry_run_out.additional_properties = d
        return dry_run_out

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
