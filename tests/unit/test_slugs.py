from oscar.core.utils import slugify


def test_cyrillic_category_names_get_readable_latin_slugs():
    assert slugify("Краски для волос") == "kraski-dlya-volos"
    assert slugify("Болты DIN 933 M12") == "bolty-din-933-m12"
