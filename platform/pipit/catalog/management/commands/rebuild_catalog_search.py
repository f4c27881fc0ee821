from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from pipit.catalog.search import rebuild_all


class Command(BaseCommand):
    help = "Rebuild every product's search document and its search index entry."

    def handle(self, *args, **options):
        count = rebuild_all()
        message = ngettext("Indexed %(n)d product.", "Indexed %(n)d products.", count)
        self.stdout.write(self.style.SUCCESS(message % {"n": count}))
