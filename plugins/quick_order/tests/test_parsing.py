"""Reading pasted lines and files: separators, quantities, headers, bad lines, limits."""

from __future__ import annotations

import pytest

from pipit_quick_order.parsing import (
    ListTooLong,
    normalise_sku,
    parse_file,
    parse_text,
)


def one(text: str):
    # After a first line, so that no line under test is taken for a column header.
    first, line = parse_text(f"X-1 1\n{text}", max_lines=10).lines
    return line


@pytest.mark.parametrize(
    "text",
    ["DDF-2000\t3", "DDF-2000;3", "DDF-2000, 3", "DDF-2000 3", "DDF-2000   3", "DDF-2000 ; 3"],
)
def test_every_separator_reads_sku_and_quantity(text):
    line = one(text)
    assert (line.sku, line.quantity, line.error) == ("DDF-2000", 3, "")


def test_a_sku_with_spaces_keeps_them_and_the_last_number_is_the_quantity():
    line = one("W 67/1 2")
    assert (line.sku, line.quantity) == ("W 67/1", 2)
    assert line.whole_line_sku == "W 67/1 2"  # kept for "0 986 452 041"-like codes


def test_without_a_quantity_one_piece_is_assumed_and_said():
    line = one("15208-65F0E")
    assert (line.quantity, line.quantity_given) == (1, False)
    line = one("15208-65F0E;")
    assert (line.quantity, line.quantity_given) == (1, False)


@pytest.mark.parametrize(
    "text, message",
    [
        ("DDF-2000;2,0", "“2,0” is not a whole number"),
        ("DDF-2000,2,5", "“2,5” is not a whole number"),
        ("DDF-2000 2,5", "“2,5” is not a whole number"),
        ("DDF-2000\t2.5", "“2.5” is not a whole number"),
        ("DDF-2000 0", "at least 1, not 0"),
        ("DDF-2000;-3", "at least 1, not -3"),
        ("DDF-2000;three", "“three” is not a quantity"),
        ("DDF-2000;1000000", "please check the quantity"),
        (";5", "There is no SKU on this line."),
    ],
)
def test_bad_quantities_are_line_errors_with_a_message(text, message):
    line = one(text)
    assert line.quantity is None
    assert message in line.error


def test_blank_lines_are_skipped_and_numbers_follow_the_text():
    parsed = parse_text("\nA-1 2\n\n   \nB-2;3\n", max_lines=10)
    assert [(line.number, line.sku, line.quantity) for line in parsed.lines] == [
        (2, "A-1", 2),
        (5, "B-2", 3),
    ]


def test_a_header_line_is_skipped_and_reported():
    parsed = parse_text("Артикул;Количество\nA-1;2", max_lines=10)
    assert parsed.header == "Артикул;Количество"
    assert [line.sku for line in parsed.lines] == ["A-1"]


def test_more_lines_than_the_limit_is_refused_whole():
    with pytest.raises(ListTooLong) as exc:
        parse_text("\n".join(f"A-{n} 1" for n in range(11)), max_lines=10)
    assert (exc.value.count, exc.value.limit) == (11, 10)


def test_skus_compare_without_case_spaces_and_dashes():
    assert normalise_sku("ddf 2000") == normalise_sku("DDF-2000") == normalise_sku("Ddf‑2000")
    assert normalise_sku("0 986 452 041") == "0986452041"


def test_csv_with_semicolons_in_windows_1251_and_a_header():
    data = "Артикул;Кол-во\r\nDDF-2000;3\r\n15208-65F0E;2,5\r\n;\r\n".encode("cp1251")
    parsed = parse_file("order.csv", data, max_lines=10)
    assert parsed.header == "Артикул; Кол-во"
    assert [(line.number, line.sku, line.quantity) for line in parsed.lines] == [
        (2, "DDF-2000", 3),
        (3, "15208-65F0E", None),
    ]
    assert "whole number" in parsed.lines[1].error
    assert parsed.lines[0].text == "DDF-2000; 3"


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_with_commas_or_tabs(delimiter):
    data = f"DDF-2000{delimiter}3\nW 67/1{delimiter}2\n".encode()
    parsed = parse_file("order.csv", data, max_lines=10)
    assert [(line.sku, line.quantity) for line in parsed.lines] == [("DDF-2000", 3), ("W 67/1", 2)]
