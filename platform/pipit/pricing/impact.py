"""What publishing a draft rule or list would change, before it is published.

:func:`impact` compares two snapshots of the storefront's pricing for the day the draft would go
live: the live one, and one in which the draft revision replaces the live object
(:class:`DraftSnapshot`). Only the products and companies that either version reaches (the live
footprint and the draft's) are loaded and priced, so a rule over a thousand products costs a
thousand products, not the catalog.

Audiences are priced the way the compiler stores them: the storefront's price, each segment (a
set of customer groups some company has) where it differs from the storefront's, and each
company with prices of its own (contract rows, company-scoped rules) where they differ from its
segment's. A company without prices of its own changes when its segment does.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .compiler import (
    CompiledRule,
    Scope,
    Snapshot,
    chunked,
    footprint_of,
    rule_products,
    segment_key,
    stored_footprint,
)
from .engine import ListRow, RuleSpec, Tier, tier_for
from .models import CustomerGroup, PriceList, PriceListItem, PriceRule

HUNDRED = Decimal("100")

#: Upper bounds (inclusive) of the change buckets, in percent; the last bucket is open.
BUCKETS: list[tuple[str, object]] = [
    ("≤ −20%", lambda p: p <= -20),
    ("−20…−10%", lambda p: -20 < p <= -10),
    ("−10…−5%", lambda p: -10 < p <= -5),
    ("−5…0%", lambda p: -5 < p < 0),
    ("0%", lambda p: p == 0),
    ("0…5%", lambda p: 0 < p <= 5),
    ("5…10%", lambda p: 5 < p <= 10),
    ("> 10%", lambda p: p > 10),
]


class DraftSnapshot(Snapshot):
    """The storefront's pricing as it would be with ``draft`` (a revision's object) published.

    The live version of the rule or list is taken out and the draft put in its place, in force if
    its validity window covers the day. :meth:`from_live` builds it from a loaded live snapshot
    without reading it all again; the live snapshot is left as it was.
    """

    def __init__(self, storefront, on: datetime.date, products, draft: PriceRule | PriceList):
        super().__init__(storefront, on, products)
        self._put_in(draft)

    @classmethod
    def from_live(cls, live: Snapshot, draft: PriceRule | PriceList) -> DraftSnapshot:
        snapshot = cls.__new__(cls)
        snapshot.__dict__.update(live.__dict__)  # shared, never changed in place: see below
        snapshot._put_in(draft)
        return snapshot

    def _put_in(self, draft: PriceRule | PriceList) -> None:
        self.draft = draft
        if isinstance(draft, PriceRule):
            self._swap_rule(draft)
        else:
            self._swap_list(draft)

    # Every container changed here is rebuilt, not changed in place, so that a snapshot made by
    # from_live() leaves the live one's untouched.
    def _swap_rule(self, draft: PriceRule) -> None:
        self.rules = [rule for rule in self.rules if rule.spec.id != draft.pk]
        self.rule_objects = {pk: r for pk, r in self.rule_objects.items() if pk != draft.pk}
        if draft.valid_on(self.on):
            spec = RuleSpec(
                id=draft.pk,
                priority=draft.priority,
                stacking=draft.stacking,
                action=draft.action,
                value=draft.value,
                rounding=draft.rounding,
                tiers=tuple(sorted((t.min_quantity, t.value) for t in draft.tiers.all())),
            )
            self.rules.append(
                CompiledRule(
                    spec=spec,
                    customer_scope=draft.customer_scope,
                    groups=frozenset(g.pk for g in draft.groups.all()),
                    companies=frozenset(c.pk for c in draft.companies.all()),
                    products=rule_products(draft, self.universe, restrict=self.products_in_scope),
                )
            )
            self.rule_objects[draft.pk] = draft
        # The indexes rules_for() reads, rebuilt over the new set of rules.
        self.global_rules = [rule for rule in self.rules if rule.products is None]
        self._global_for = {}
        self.rules_by_product = defaultdict(list)
        for rule in self.rules:
            if rule.products is not None:
                for pid in rule.products:
                    self.rules_by_product[pid].append(rule)

    def _swap_list(self, draft: PriceList) -> None:
        pk = draft.pk

        def without(rows):
            return [row for row in rows if row.list_id != pk]

        self.store_rows = defaultdict(
            list, {pid: without(rows) for pid, rows in self.store_rows.items()}
        )
        self.group_rows = defaultdict(
            list,
            {
                pid: [(g, row) for g, row in rows if row.list_id != pk]
                for pid, rows in self.group_rows.items()
            },
        )
        company_rows = defaultdict(lambda: defaultdict(list))
        for company_id, by_product in self.company_rows.items():
            company_rows[company_id] = defaultdict(
                list, {pid: without(rows) for pid, rows in by_product.items()}
            )
        self.company_rows = company_rows
        self.lists = {k: v for k, v in self.lists.items() if k != pk}
        self.list_groups = {k: v for k, v in self.list_groups.items() if k != pk}
        if not draft.valid_on(self.on) or draft.currency != self.storefront.currency:
            return
        groups = frozenset(g.pk for g in draft.groups.all())
        self.lists[pk] = draft
        self.list_groups[pk] = groups
        wanted = set(self.products_in_scope) | {p for p in self.products_in_scope.values() if p}
        on = self.on
        for batch in chunked(wanted):
            items = PriceListItem.objects.filter(price_list_id=pk, product_id__in=batch)
            for (
                product_id,
                company_id,
                min_quantity,
                price,
                valid_from,
                valid_to,
            ) in items.values_list(
                "product_id", "company_id", "min_quantity", "price", "valid_from", "valid_to"
            ):
                if (valid_from and valid_from > on) or (valid_to and valid_to < on):
                    continue
                row = ListRow(pk, draft.priority, min_quantity, price)
                if draft.kind == PriceList.Kind.STOREFRONT:
                    self.store_rows[product_id].append(row)
                elif draft.kind == PriceList.Kind.GROUP:
                    if groups:
                        self.group_rows[product_id].append((groups, row))
                elif company_id is not None:
                    self.company_rows[company_id][product_id].append(row)


# -- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    kind: str  # storefront | segment | company
    key: str | int
    label: str


@dataclass
class Change:
    """One price of one audience: before and after, at the quantity where it moves most."""

    product_id: int
    audience: Audience
    quantity: int
    old: Decimal
    new: Decimal
    cost: Decimal | None
    product: object = None  # filled for the rows shown
    pct: Decimal | None = field(init=False)  # None when there was no price to compare with

    def __post_init__(self):
        self.pct = (
            ((self.new - self.old) / self.old * HUNDRED).quantize(Decimal("0.1"))
            if self.old
            else None
        )

    @property
    def changed(self) -> bool:
        return self.new != self.old

    @property
    def margin_old(self) -> Decimal | None:
        return _margin(self.old, self.cost)

    @property
    def margin_new(self) -> Decimal | None:
        return _margin(self.new, self.cost)


@dataclass
class BelowCost:
    product_id: int
    audience: Audience
    quantity: int
    price: Decimal
    cost: Decimal
    already: bool  # the live price is below cost too
    product: object = None


@dataclass
class Bucket:
    label: str
    count: int
    share: float  # of the prices evaluated, 0..1


@dataclass
class ImpactReport:
    obj: PriceRule | PriceList
    draft: PriceRule | PriceList
    revision: object | None
    on: datetime.date
    scheduled_for: datetime.datetime | None = None
    scope: Scope | None = None
    products_evaluated: int = 0
    products_changed: int = 0
    prices_evaluated: int = 0
    prices_changed: int = 0
    companies_total: int = 0
    companies_changed: int = 0
    storefront_products_changed: int = 0
    changed_company_names: list[str] = field(default_factory=list)
    audiences: list[tuple[Audience, int]] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    biggest: list[Change] = field(default_factory=list)
    below_cost: list[BelowCost] = field(default_factory=list)
    below_cost_count: int = 0
    margin_prices: int = 0  # changed prices with a known cost
    margin_old: Decimal | None = None  # average margin, %, before
    margin_new: Decimal | None = None
    margin_delta: Decimal | None = None  # sum over changed prices with a cost, per unit
    seconds: float = 0.0

    @property
    def is_live_version(self) -> bool:
        """The revision is what is live already: publishing it changes nothing."""
        return bool(
            self.revision is not None
            and self.obj.live
            and self.obj.live_revision_id == self.revision.pk
        )

    @property
    def has_changes(self) -> bool:
        return self.prices_changed > 0


def _margin(price: Decimal, cost: Decimal | None) -> Decimal | None:
    if cost is None or not price:
        return None
    return ((price - cost) / price * HUNDRED).quantize(Decimal("0.1"))


def _same(a: list[Tier], b: list[Tier]) -> bool:
    """Equal prices at equal breaks (how the tiers were reached does not matter here)."""
    if a is b:
        return True
    if len(a) != len(b):
        return False
    # A plain loop: this runs for every price compared, and all() over a generator costs more.
    for x, y in zip(a, b):  # noqa: B905, SIM110  (lengths checked above)
        if x.price != y.price or x.min_quantity != y.min_quantity:
            return False
    return True


def _compare(old: list[Tier], new: list[Tier]) -> tuple[int, Decimal, Decimal] | None:
    """The quantity where the price moves most (relative), with both prices; ``None`` when the
    product is not priced in either version."""
    if not old or not new:
        return None
    if _same(old, new):
        return old[0].min_quantity, old[0].price, new[0].price
    best = None
    for quantity in sorted({t.min_quantity for t in old} | {t.min_quantity for t in new}):
        o, n = tier_for(old, quantity).price, tier_for(new, quantity).price
        if o == n:
            continue
        size = abs(n - o) / o if o else Decimal("Infinity")
        if best is None or size > best[0]:
            best = (size, quantity, o, n)
    if best is None:  # equal at every break (the same table written differently)
        return old[0].min_quantity, old[0].price, new[0].price
    return best[1], best[2], best[3]


def _below_cost(tiers: list[Tier], cost: Decimal | None) -> Tier | None:
    if cost is None:
        return None
    return next((t for t in reversed(tiers) if t.price < cost), None)


def revision_day(draft) -> tuple[datetime.date, datetime.datetime | None]:
    """The day the draft would take effect: today, or its scheduled go-live day."""
    go_live = getattr(draft, "go_live_at", None)
    if go_live and go_live > timezone.now():
        return timezone.localdate(go_live), go_live
    return timezone.localdate(), None


def draft_of(obj, revision=None):
    """The object as the revision (default: the latest) holds it."""
    revision = revision if revision is not None else obj.latest_revision
    return (revision.as_object() if revision is not None else obj), revision


def impact(
    obj: PriceRule | PriceList, revision=None, *, limit: int = 20, on: datetime.date | None = None
) -> ImpactReport:
    """What publishing ``revision`` (default: the latest) of ``obj`` would change.

    ``obj`` is the rule or list as stored (its live version, or the draft if it was never
    published). Nothing is written.
    """
    from pipit.catalog.queries import purchasable_for_storefront

    started = time.perf_counter()
    draft, revision = draft_of(obj, revision)
    storefront = obj.storefront
    day, scheduled = revision_day(draft)
    on = on or day
    report = ImpactReport(obj=obj, draft=draft, revision=revision, on=on, scheduled_for=scheduled)

    universe = dict(purchasable_for_storefront(storefront).values_list("pk", "parent_id"))
    live_scope = stored_footprint(obj)
    if obj.live:
        live_scope = live_scope | footprint_of(obj, universe)
    scope = live_scope | footprint_of(draft, universe)
    report.scope = scope
    if scope.is_empty:
        report.seconds = time.perf_counter() - started
        return report

    live = Snapshot(storefront, on, scope.products)
    after = DraftSnapshot.from_live(live, draft)
    products = list(live.products_in_scope)
    companies = live.company_groups
    report.products_evaluated = len(products)
    report.companies_total = len(companies)
    group_names = dict(
        CustomerGroup.objects.filter(storefront=storefront).values_list("pk", "name")
    )

    def priced_after(pid: int, groups: frozenset[int], company_id: int | None, old):
        # A rule that reaches this product and buyer in neither version changes nothing here:
        # the live tiers stand (a rule for a group or a few companies prices little anew).
        if isinstance(draft, PriceRule) and not any(
            spec.id == draft.pk
            for snapshot in (live, after)
            for spec in snapshot.rules_for(pid, groups, company_id)
        ):
            return old
        return after.tiers(pid, groups, company_id)

    entries: list[tuple[int, Audience, list[Tier], list[Tier]]] = []
    changed_products: set[int] = set()
    # Products whose price changes, per segment key ("" is the storefront's price).
    segment_changed: dict[str, set[int]] = defaultdict(set)
    segment_tiers: dict[str, tuple[dict, dict]] = {}

    if scope.companies is None:
        storefront_audience = Audience("storefront", "", str(_("Storefront price")))
        base_live = {pid: live.tiers(pid, frozenset(), None) for pid in products}
        base_after = {pid: priced_after(pid, frozenset(), None, base_live[pid]) for pid in products}
        segment_tiers[""] = (base_live, base_after)
        for pid in products:
            entries.append((pid, storefront_audience, base_live[pid], base_after[pid]))
            if not _same(base_live[pid], base_after[pid]):
                segment_changed[""].add(pid)
        for key in sorted({segment_key(g) for g in companies.values()} - {""}):
            groups = frozenset(int(g) for g in key.split("."))
            if not (live.segment_has_own_prices(groups) or after.segment_has_own_prices(groups)):
                segment_tiers[key] = (base_live, base_after)
                segment_changed[key] = segment_changed[""]
                continue
            label = " + ".join(sorted(group_names.get(g, str(g)) for g in groups))
            audience = Audience("segment", key, label)
            seg_live, seg_after = {}, {}
            for pid in products:
                old = seg_live[pid] = live.tiers(pid, groups, None)
                new = seg_after[pid] = priced_after(pid, groups, None, old)
                if not _same(old, new):
                    segment_changed[key].add(pid)
                if not (_same(old, base_live[pid]) and _same(new, base_after[pid])):
                    entries.append((pid, audience, old, new))
            segment_tiers[key] = (seg_live, seg_after)
        wanted_companies = list(companies)
    else:
        wanted_companies = [c for c in scope.companies if c in companies]

    in_scope = set(products)
    changed_companies: Counter[int] = Counter()
    company_entries: list[tuple[int, int, list[Tier], list[Tier]]] = []
    for company_id in wanted_companies:
        groups = companies[company_id]
        key = segment_key(groups)
        own_live, own_after = live.company_products(company_id), after.company_products(company_id)
        if own_live is None or own_after is None:
            own = in_scope
        else:
            own = (own_live | own_after) & in_scope
        reference = segment_tiers.get(key)
        for pid in own:
            old = live.tiers(pid, groups, company_id)
            new = priced_after(pid, groups, company_id, old)
            # Represented by the segment's line unless the company's own prices differ.
            if (
                reference is not None
                and _same(old, reference[0][pid])
                and _same(new, reference[1][pid])
            ):
                continue
            company_entries.append((company_id, pid, old, new))
            if not _same(old, new):
                changed_companies[company_id] += 1
        if scope.companies is None:
            inherited = segment_changed.get(key, set()) - own
            if inherited:
                changed_companies[company_id] += len(inherited)

    names = {}
    if company_entries or changed_companies:
        from pipit.companies.models import Company

        ids = {c for c, *_rest in company_entries} | set(changed_companies)
        for batch in chunked(ids):
            names.update(Company.objects.filter(pk__in=batch).values_list("pk", "name"))
    for company_id, pid, old, new in company_entries:
        audience = Audience("company", company_id, names.get(company_id, str(company_id)))
        entries.append((pid, audience, old, new))

    # -- figures ---------------------------------------------------------------------------------
    changes: list[Change] = []
    below: list[BelowCost] = []
    bucket_counts = Counter()
    per_audience: Counter[Audience] = Counter()
    for pid, audience, old, new in entries:
        compared = _compare(old, new)
        if compared is None:
            continue
        quantity, o, n = compared
        cost = live.offers.get(pid, (None, None))[1]
        change = Change(pid, audience, quantity, o, n, cost)
        report.prices_evaluated += 1
        pct = change.pct if change.pct is not None else (Decimal(0) if o == n else HUNDRED)
        for label, test in BUCKETS:
            if test(pct):
                bucket_counts[label] += 1
                break
        if change.changed:
            changes.append(change)
            changed_products.add(pid)
            per_audience[audience] += 1
        flagged = _below_cost(new, cost)
        if flagged is not None:
            below.append(
                BelowCost(
                    pid,
                    audience,
                    flagged.min_quantity,
                    flagged.price,
                    cost,
                    already=_below_cost(old, cost) is not None,
                )
            )
    report.prices_changed = len(changes)
    report.products_changed = len(changed_products)
    report.storefront_products_changed = len(segment_changed.get("", ()))
    report.companies_changed = len(changed_companies)
    report.changed_company_names = [
        names.get(c, str(c)) for c, _n in changed_companies.most_common(10)
    ]
    report.audiences = sorted(per_audience.items(), key=lambda item: -item[1])[:10]
    evaluated = report.prices_evaluated or 1
    report.buckets = [
        Bucket(label, bucket_counts[label], bucket_counts[label] / evaluated)
        for label, _test in BUCKETS
    ]
    changes.sort(key=lambda c: (-(abs(c.pct) if c.pct is not None else HUNDRED), c.product_id))
    report.biggest = changes[:limit]
    below.sort(key=lambda b: (b.already, (b.price - b.cost) / b.cost if b.cost else 0))
    report.below_cost_count = len(below)
    report.below_cost = below[:limit]

    with_cost = [c for c in changes if c.cost is not None and c.old and c.new]
    if with_cost:
        report.margin_prices = len(with_cost)
        report.margin_old = (sum(c.margin_old for c in with_cost) / len(with_cost)).quantize(
            Decimal("0.1")
        )
        report.margin_new = (sum(c.margin_new for c in with_cost) / len(with_cost)).quantize(
            Decimal("0.1")
        )
        report.margin_delta = sum((c.new - c.old) for c in with_cost)

    _attach_products(storefront, [*report.biggest, *report.below_cost])
    report.seconds = time.perf_counter() - started
    return report


def _attach_products(storefront, rows) -> None:
    from oscar.apps.catalogue.models import Product

    ids = {row.product_id for row in rows}
    if not ids:
        return
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("parent")}
    from pipit.oscar_apps.partner.models import StockRecord

    skus = dict(
        StockRecord.objects.filter(product_id__in=ids, partner_id__in=storefront.partner_ids)
        .order_by("-pk")
        .values_list("product_id", "partner_sku")
    )
    for product in products.values():
        product.pipit_sku = skus.get(product.pk, "")
    for row in rows:
        row.product = products.get(row.product_id)
