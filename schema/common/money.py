"""Money as the apps see it: minor units, currency, and a string formatted for the locale."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import strawberry
from babel import Locale
from babel.numbers import format_currency, get_currency_precision

from clients import Money as MoneyModel


@lru_cache(maxsize=4096)
def format_money(amount: int, currency: str, locale: Locale) -> str:
    """Render minor units as Babel's ``format_currency`` does with the locale's standard pattern."""
    major = Decimal(amount).scaleb(-get_currency_precision(currency))
    return format_currency(major, currency, locale=locale)


@strawberry.type(description="An amount of money in minor units (cents for EUR).")
class Money:
    amount: int
    currency: str
    # Rendered up front: the formatting is cached, and a plain value needs no resolver call.
    formatted: str = strawberry.field(description="The amount for the caller's Accept-Language.")

    @classmethod
    def from_model(cls, money: MoneyModel, locale: Locale) -> Money:
        formatted = format_money(money.amount, money.currency, locale)
        return cls(amount=money.amount, currency=money.currency, formatted=formatted)
