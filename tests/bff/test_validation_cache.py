"""The validation cache: one validation per document text and set of rules, the same answers as
validating every time, and rules added per request are part of the key."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules

import bff.validation_cache
from bff.validation_cache import text_validation_cache


@strawberry.type
class Query:
    greeting: str = "hello"


class NoGreeting(ASTValidationRule):
    def enter_field(self, node: Any, *_: Any) -> None:
        if node.name.value == "greeting":
            self.report_error(GraphQLError("greetings are refused here"))


def _schema(*extra: Any) -> strawberry.Schema:
    return strawberry.Schema(Query, extensions=[text_validation_cache(8), *extra])


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    from strawberry.schema.schema import validate_document as validate

    def counting(schema: Any, document: Any, rules: Any) -> list[GraphQLError]:
        seen.append(document.loc.source.body)
        return validate(schema, document, rules)

    monkeypatch.setattr(bff.validation_cache, "validate_document", counting)
    return seen


async def test_a_text_is_validated_once(validations: list[str]) -> None:
    schema = _schema()
    for _ in range(3):
        result = await schema.execute("{ greeting }", root_value=Query())
        assert result.data == {"greeting": "hello"}
    await schema.execute("{ greeting __typename }", root_value=Query())
    assert validations == ["{ greeting }", "{ greeting __typename }"]


async def test_an_invalid_text_stays_invalid_from_the_cache(validations: list[str]) -> None:
    schema = _schema()
    for _ in range(2):
        result = await schema.execute("{ nope }")
        assert result.data is None
        assert result.errors is not None
        assert "Cannot query field 'nope'" in result.errors[0].message
    assert validations == ["{ nope }"]


async def test_added_rules_are_part_of_the_key(validations: list[str]) -> None:
    plain = text_validation_cache(8)
    strict = _schema(lambda: AddValidationRules([NoGreeting]))
    lenient = strawberry.Schema(Query, extensions=[plain])
    refused = await strict.execute("{ greeting }", root_value=Query())
    assert refused.errors is not None
    assert refused.errors[0].message == "greetings are refused here"
    assert (await lenient.execute("{ greeting }", root_value=Query())).errors is None
    assert (await strict.execute("{ greeting }", root_value=Query())).errors is not None
    assert len(validations) == 2
