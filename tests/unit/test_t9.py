"""Dial-pad digits and search folding (pure functions)."""

from __future__ import annotations

import pytest

from app.domain.t9 import fold, t9_digits


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("john", "5646"),
        ("John Smith", "5646 76484"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999"),
        ("Zoë O'Hara", "963 6 4272"),
        ("Jean-Luc  Picard", "5326 582 742273"),
        ("Room 101", "7666 101"),
        ("Straße", "7872773"),
        ("Ørsted", "677833"),
        ("Иван Smith", "76484"),
        ("", ""),
        ("  --  ", ""),
    ],
)
def test_t9_digits(text: str, digits: str) -> None:
    assert t9_digits(text) == digits


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("John", "john"),
        ("Zoë", "zoe"),
        ("ÉLODIE", "elodie"),
        ("Straße", "strasse"),
        ("Łukasz Ørsted", "lukasz orsted"),
        ("Иван", "иван"),
        ("a@B.example", "a@b.example"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
