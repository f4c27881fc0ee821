"""Color math behind design-token validation and the derived, always-readable colors."""

import pytest

from pipit.themes import colors


def test_short_and_uppercase_hex_is_normalised():
    assert colors.normalize_hex(" #ABC ") == "#aabbcc"
    assert colors.normalize_hex("#1F4E79") == "#1f4e79"


@pytest.mark.parametrize("bad", ["", "1f4e79", "#12345", "#ggg", "red", "#1f4e79;}"])
def test_anything_but_a_hex_color_is_rejected(bad):
    with pytest.raises(ValueError):
        colors.normalize_hex(bad)


def test_contrast_ratio_matches_wcag_reference_values():
    assert colors.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert colors.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WCAG's own example: #767676 on white is the lightest grey that passes 4.5:1.
    assert colors.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("background", ["#1f4e79", "#f5c518", "#6d3b5c", "#e7b7a8", "#808080"])
def test_text_chosen_for_a_background_is_readable(background):
    assert colors.contrast_ratio(colors.readable_on(background), background) >= 4.5


@pytest.mark.parametrize("pale", ["#f5c518", "#e7b7a8", "#ffffff", "#7fd3ff"])
def test_pale_brand_color_is_darkened_for_links_on_white(pale):
    ink = colors.readable_against(pale)
    assert colors.contrast_ratio(ink, "#ffffff") >= 4.5


def test_dark_brand_color_is_kept_for_links():
    assert colors.readable_against("#1f4e79") == "#1f4e79"
