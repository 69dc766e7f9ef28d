"""Masking of personal data — the one place every screen, print and export takes it from (DESIGN.md)."""

from __future__ import annotations

from app.pinyin import split_surname


def mask_name(name: str) -> str:
    """Keep the surname (a compound one whole) and star the given name: 张*, 欧阳**."""
    surname, given = split_surname(name)
    if not given:
        return "*" * len(surname)
    return surname + "*" * len(given)


def mask_id(number: str) -> str:
    """Keep the first six and last four characters of an ID number: 110105********002X."""
    number = "".join(number.split())
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first three and last four characters of a phone number: 138****1234."""
    phone = "".join(phone.split())
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 4:  # a landline without its area code: only the tail stays
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * len(phone)
