"""Letter tokens and typed codes."""

from __future__ import annotations

import pytest

from portal.letters.codes import (
    ALPHABET,
    CodeError,
    check_character,
    format_code,
    hash_code,
    hash_token,
    new_code,
    new_token,
    normalise_code,
)


def test_tokens_are_long_random_and_url_safe():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 22  # 22 × 6 = 132 bits
        assert token.replace("-", "").replace("_", "").isalnum()


def test_token_hash_is_sha256_hex():
    assert hash_token("abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_codes_round_trip_through_what_people_type():
    for _ in range(100):
        code = new_code()
        printed = format_code(code)
        assert len(code) == 13
        assert printed.count("-") == 3
        assert normalise_code(printed) == code
        assert normalise_code(f"  {printed.lower()} ") == code
        assert normalise_code(printed.replace("-", " ")) == code


def test_ambiguous_letters_are_read_as_digits():
    code = "1" * 12
    code += next(c for c in ALPHABET if normalise_code_ok(code + c))
    assert normalise_code(code.replace("1", "I", 3).replace("1", "l", 2)) == code


def normalise_code_ok(candidate: str) -> bool:
    try:
        normalise_code(candidate)
    except CodeError:
        return False
    return True


def test_every_single_typo_and_swap_is_caught():
    for code in [new_code() for _ in range(50)] + ["0Z" * 6 + check_character("0Z" * 6)]:
        for position in range(len(code)):
            for char in ALPHABET:
                typo = code[:position] + char + code[position + 1 :]
                if typo != code:
                    assert not normalise_code_ok(typo), typo
        for position in range(len(code) - 1):
            pair = code[position : position + 2]
            swapped = code[:position] + pair[::-1] + code[position + 2 :]
            if swapped != code and set(pair) != {"0", "Z"}:  # Luhn's blind spot
                assert not normalise_code_ok(swapped), swapped


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("", "length"), ("ABCD", "length"), ("ABCD-EFGH-JKMN-PQ", "length"),
     ("ABCD-EFGH-JKMN-U", "characters"), ("ÀBCD-EFGH-JKMN-P", "characters"),
     ("ABCD-EFGH-JK\x00N-P", "characters")],
)  # fmt: skip
def test_impossible_codes_say_why(typed, reason):
    with pytest.raises(CodeError, match=reason):
        normalise_code(typed)


def test_code_hash_is_keyed():
    code = new_code()
    assert hash_code(code, "key one") != hash_code(code, "key two")
    assert hash_code(code, "key one") == hash_code(code, "key one")
