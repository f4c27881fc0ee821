from django.core.management.base import BaseCommand

from pipit.catalog.search import rebuild_all


class Command(BaseCommand):
    help = "Rebuild every product's search document and its search index entry."

    def handle(self, *args, **options):
        count = rebuild_all()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} products."))
