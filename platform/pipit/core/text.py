from anyascii import anyascii
from django.utils.text import slugify


def transliterating_slugify(value: str, allow_unicode: bool = False) -> str:
    """Oscar's slug function for Cyrillic names: «Краски для волос» → ``kraski-dlya-volos``.

    Oscar's default turns Cyrillic into ``u0412u043e…``; Latin slugs read well in URLs and logs.
    ``anyascii`` comes with Wagtail.
    """
    return slugify(value if allow_unicode else anyascii(str(value)), allow_unicode=allow_unicode)
